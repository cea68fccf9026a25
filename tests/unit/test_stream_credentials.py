"""A partner's stream credentials through partners-api, with a fake broker provisioner.

Who may ask (the hub, the partner itself), what the answer holds, rotation, a deactivated partner,
the broker down, and deactivation revoking them first. On the real broker:
tests/integration/test_stream_credentials_api.py.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from services.common.auth import AuthSettings, Role, mint
from services.common.clock import MONTREAL
from services.common.contracts import Partner, PartnerKey
from services.common.kafka import KafkaUnavailable
from services.common.settings import ProvisionerSettings, Settings
from services.common.topics import PARTNERS
from services.partners.api import create_app

NOW = datetime(2027, 3, 12, 10, 0, tzinfo=MONTREAL)
OWNER, OTHER, GONE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def bearer(role: str, partner_id: uuid.UUID | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(AuthSettings(), f'test-{role}', Role(role), partner_id)}"}


HUB = bearer("hub")


def partner(partner_id: uuid.UUID, status: str = "active") -> Partner:
    return Partner(
        partner_id=partner_id,
        name="Organisme de l'Abitibi",
        kind="community_organization",
        regions=["08"],
        contact_email="accueil@organisme.example.org",
        registered_at=NOW - timedelta(days=400),
        status=status,
    )


@dataclass
class FakeProvisioner:
    """The broker's credentials: the password each partner has now, those revoked."""

    passwords: dict[uuid.UUID, str] = field(default_factory=dict)
    revoked: list[uuid.UUID] = field(default_factory=list)
    down: bool = False

    def grant(self, partner_id: uuid.UUID, password: str) -> None:
        if self.down:
            raise KafkaUnavailable("broker down")
        self.passwords[partner_id] = password

    def revoke(self, partner_id: uuid.UUID) -> None:
        if self.down:
            raise KafkaUnavailable("broker down")
        self.passwords.pop(partner_id, None)
        self.revoked.append(partner_id)


class FakeProjection:
    def __init__(self, partners: list[Partner]) -> None:
        self.partners = {p.partner_id: p for p in partners}

    def get(self, spec: Any, key: PartnerKey) -> Partner | None:
        assert spec is PARTNERS
        return self.partners.get(key.partner_id)

    def values(self, spec: Any) -> list[Any]:
        return list(self.partners.values()) if spec is PARTNERS else []


@dataclass
class FakeClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class FakeRuntime:
    settings: Settings
    projection: FakeProjection
    published: list[tuple[str, Any]] = field(default_factory=list)
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    clock: FakeClock = field(default_factory=FakeClock)

    def publish(self, spec: Any, key: Any, value: Any, event_type: str) -> None:
        self.published.append((event_type, value))


@dataclass
class World:
    client: TestClient
    provisioner: FakeProvisioner
    runtime: FakeRuntime


@pytest.fixture
def world() -> World:
    settings = Settings(
        environment="test", provisioner=ProvisionerSettings(public_bootstrap="kafka.concerto.example:9093")
    )
    provisioner = FakeProvisioner()
    app = create_app(settings, provisioner)
    partners = [partner(OWNER), partner(OTHER), partner(GONE, "deactivated")]
    runtime = FakeRuntime(settings, FakeProjection(partners))
    app.state.runtime = runtime  # no lifespan: nothing reaches a broker
    return World(TestClient(app), provisioner, runtime)


def ask(world: World, partner_id: object, headers: dict[str, str]) -> Any:
    return world.client.post(f"/partners/{partner_id}/stream-credentials", headers=headers)


def test_the_hub_gets_a_partners_credentials_once_for_its_own_topic_and_group(world: World) -> None:
    response = ask(world, OWNER, HUB)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer == {
        "username": f"partner-{OWNER}",
        "password": world.provisioner.passwords[OWNER],
        "topic": f"partner-referrals.{OWNER}.v1",
        "group": f"partner-{OWNER}",
        "bootstrap": "kafka.concerto.example:9093",
        "mechanism": "SCRAM-SHA-512",
        "ca_note": ProvisionerSettings().ca_note,
    }
    assert len(answer["password"]) >= 40  # token_urlsafe(32): 256 bits
    assert response.headers["Cache-Control"] == "no-store"
    assert world.runtime.published == [], "the password is written to no topic"


def test_the_partner_itself_rotates_its_credentials_and_the_old_password_is_replaced(world: World) -> None:
    first = ask(world, OWNER, bearer("partner", OWNER)).json()["password"]
    second = ask(world, OWNER, bearer("partner", OWNER)).json()["password"]
    assert first != second
    assert world.provisioner.passwords == {OWNER: second}


@pytest.mark.parametrize(
    "who",
    [bearer("partner", OTHER), bearer("delegate", OTHER), bearer("counsellor")],
    ids=["another partner", "another partner's delegate", "a counsellor"],
)
def test_no_one_else_gets_a_partners_credentials(world: World, who: dict[str, str]) -> None:
    response = ask(world, OWNER, who)
    assert response.status_code == 403, response.text
    assert world.provisioner.passwords == {}


def test_without_a_token_it_is_401_and_for_an_unknown_partner_404(world: World) -> None:
    assert ask(world, OWNER, {}).status_code == 401
    assert ask(world, uuid.uuid4(), HUB).status_code == 404
    assert world.provisioner.passwords == {}


def test_a_deactivated_partner_gets_no_credentials(world: World) -> None:
    response = ask(world, GONE, HUB)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "partner_deactivated"
    assert world.provisioner.passwords == {}


def test_the_broker_down_is_a_503_and_no_password_is_shown(world: World) -> None:
    world.provisioner.down = True
    response = ask(world, OWNER, HUB)
    assert response.status_code == 503, response.text
    assert "password" not in response.json()


def test_the_password_is_never_logged(world: World) -> None:
    with capture_logs() as logs:
        password = ask(world, OWNER, HUB).json()["password"]
    assert password not in repr(logs)


def test_deactivation_revokes_the_credentials_before_it_is_recorded(world: World) -> None:
    ask(world, OWNER, HUB)
    response = world.client.post(f"/partners/{OWNER}/deactivate", headers=HUB)
    assert response.status_code == 200, response.text
    assert world.provisioner.revoked == [OWNER]
    assert world.provisioner.passwords == {}
    assert [event for event, _ in world.runtime.published] == ["partners.PartnerDeactivated"]


def test_a_deactivation_the_broker_cannot_revoke_is_a_503_and_records_nothing(world: World) -> None:
    world.provisioner.down = True
    response = world.client.post(f"/partners/{OWNER}/deactivate", headers=HUB)
    assert response.status_code == 503, response.text
    assert world.runtime.published == [], "retried by the hub: never a deactivated partner still reading"


def test_partners_api_refuses_to_start_in_production_without_the_provisioner() -> None:
    kafka = {"username": "partners-api", "password": "s3cret-enough"}
    production = Settings.model_validate(
        {"environment": "production", "kafka": kafka, "auth": {"secret": "x" * 64}}
    )
    with pytest.raises(ValueError, match="CONCERTO_PROVISIONER__USERNAME"):
        create_app(production)


def test_a_broker_without_security_issues_nothing_and_a_deactivation_still_works() -> None:
    """Docker Compose's development broker (PLAINTEXT, no authorizer) has no credentials to give
    or take: asking is 409 ``broker_not_secured``, deactivating records at once."""
    settings = Settings(environment="test", kafka={"security_protocol": "PLAINTEXT"})
    app = create_app(settings)
    runtime = FakeRuntime(settings, FakeProjection([partner(OWNER)]))
    app.state.runtime = runtime
    client = TestClient(app)
    refused = ask(World(client, FakeProvisioner(), runtime), OWNER, HUB)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "broker_not_secured"
    deactivated = client.post(f"/partners/{OWNER}/deactivate", headers=HUB)
    assert deactivated.status_code == 200, deactivated.text
    assert [event for event, _ in runtime.published] == ["partners.PartnerDeactivated"]
