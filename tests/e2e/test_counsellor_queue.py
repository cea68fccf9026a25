"""Cases waiting for a counsellor, end to end on the real broker and SMTP sink (issue #23, point 5).

When every counsellor who speaks the person's language is full, the case waits in a queue
the hub sees (GET /queue), the hub is alerted by email, the person's email says what happens
next (and promises no counsellor "soon"), and a counsellor is assigned, in order of waiting,
as soon as one frees up (a case withdrawn) or is added, and the person is told who.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from services.notifications.contexts import reference
from tests.conftest import own_stack
from tests.support import bearer, eventually
from tools.mailsink import read_mailbox
from tools.stack import PROCESSES, Stack

pytestmark = pytest.mark.e2e

HUB = bearer("hub")
COUNSELLOR = bearer("counsellor")
HUB_EMAIL = "coordination@carrefour-regions.example.org"  # CONCERTO_HUB__EMAIL's default (HubSettings)


class Hub:
    """matching-api as the hub uses it, and the mail it causes."""

    def __init__(self, stack: Stack) -> None:
        url = next(stack.config.url(p) for p in PROCESSES if p.name == "matching-api")
        self.api = httpx.Client(base_url=url, timeout=30)
        self.stack = stack
        self.domain = f"queue-{uuid.uuid4().hex[:8]}.example.net"
        self.people: set[str] = set()  # this test's people: the queue may hold other tests' cases

    def counsellor(self, name: str, cap: int) -> str:
        body = {"name": name, "email": f"{name.lower()}@{self.domain}", "languages": ["fr"], "max_cases": cap}
        created = self.api.post("/counsellors", json=body, headers=HUB)
        assert created.status_code == 201, created.text
        counsellor_id: str = created.json()["counsellor_id"]
        return counsellor_id

    def declare(self, who: str) -> dict[str, Any]:
        body = {
            "contact": {"name": f"{who}-Test", "email": f"{who}@{self.domain}"},
            "consents": {"contact": True, "referral": False, "share_contact": False},
            "immigration_status": "permanent_resident",
            "arrival_date": "2025-05-02",
            "occupations": [{"cnp": "31301", "years": 4}],
            "french_level": 8,
            "preferred_regions": ["08"],
            "language": "fr",
        }
        response = self.api.post("/interests", json=body, headers=COUNSELLOR)
        assert response.status_code == 202, response.text
        received: dict[str, Any] = response.json()
        return received

    def case(self, person: dict[str, Any], where: str = "") -> dict[str, Any]:
        found: dict[str, Any] = eventually(lambda: self._get(person["case_url"]), 60, f"the case {where}")
        return found

    def counsellor_of(self, person: dict[str, Any], expected: str | None, what: str) -> dict[str, Any]:
        def holds() -> dict[str, Any] | None:
            case = self._get(person["case_url"])
            return case if case is not None and case["counsellor_id"] == expected else None

        found: dict[str, Any] = eventually(holds, 60, what)
        return found

    def queue(self) -> list[dict[str, Any]]:
        response = self.api.get("/queue", headers=HUB)
        assert response.status_code == 200, response.text
        return [w for w in response.json() if w["person_id"] in self.people]

    def _get(self, path: str) -> dict[str, Any] | None:
        response = self.api.get(path, headers=HUB)
        return response.json() if response.status_code == 200 else None

    def mail_to(self, address: str) -> list[EmailMessage]:
        mail_dir = self.stack.config.mail_dir
        return [m for m in (read_mailbox(mail_dir) if mail_dir.exists() else []) if str(m["To"]) == address]


def body(message: EmailMessage) -> str:
    return "\n".join(str(p.get_content()) for p in message.walk() if p.get_content_type() == "text/plain")


def one_mail(hub: Hub, address: str, containing: str, what: str) -> EmailMessage:
    """The one email to ``address`` whose subject or text has ``containing`` (waits for it; never two)."""

    def arrived() -> list[EmailMessage]:
        return [m for m in hub.mail_to(address) if containing in str(m["Subject"]) + body(m)]

    found = eventually(arrived, 60, what)
    assert len(found) == 1, [str(m["Subject"]) for m in found]
    return found[0]


@pytest.fixture(scope="module")
def everything() -> Iterator[Stack]:
    """Every process on a broker of this module's own: which case a freed place goes to depends on
    every waiting case and every counsellor of the broker, so no other test's may be there."""
    with own_stack("counsellor-queue") as private:
        yield private


@pytest.fixture
def hub(everything: Stack) -> Hub:
    """The hub of this module's own stack (no counsellor yet: the test registers its own)."""
    return Hub(everything)


def test_cases_wait_in_order_and_everyone_is_told_what_happens(hub: Hub) -> None:
    lea = hub.counsellor("Lea", cap=1)
    first = hub.declare("premiere")
    hub.people.add(first["person_id"])
    hub.counsellor_of(first, lea, "the first case, held by Léa")
    second, third = hub.declare("deuxieme"), hub.declare("troisieme")
    hub.people |= {second["person_id"], third["person_id"]}

    # Léa is full: both cases open without a counsellor. The hub is alerted once per waiting
    # case; each waiting person is told the truth, not "a counsellor will write to you soon".
    for person in (second, third):
        assert hub.case(person, "waiting")["counsellor_id"] is None
    for person in (second, third):
        ref = reference(uuid.UUID(person["case_id"]))
        alert = one_mail(hub, HUB_EMAIL, ref, f"the hub's alert for {ref}")
        assert "attend une conseillère" in body(alert)
    for who in ("deuxieme", "troisieme"):
        opened = one_mail(hub, f"{who}@{hub.domain}", "dossier", f"{who}'s case-opened email")
        text = body(opened)
        assert "Toutes nos conseillères et tous nos conseillers sont occupés" in text
        assert "vous écrira bientôt" not in text
    assert "Lea" in body(one_mail(hub, f"premiere@{hub.domain}", "dossier", "the first person's email"))

    # They wait, the oldest first, in a queue the hub and counsellors read.

    def two_waiting() -> list[dict[str, Any]] | None:
        queue = hub.queue()
        return queue if len(queue) == 2 else None

    queue = eventually(two_waiting, 30, "the queue of two")
    assert [w["case_id"] for w in queue] == [second["case_id"], third["case_id"]]
    assert queue[0]["position"] < queue[1]["position"]
    assert all(w["waiting_s"] >= 0 and w["language"] == "fr" for w in queue)
    assert hub.api.get("/queue", headers=bearer("partner", uuid.uuid4())).status_code == 403
    assert hub.api.get("/queue").status_code == 401

    # The first person withdraws: Léa's place goes to the case that waited longest.
    withdrawn = hub.api.post(f"/people/{first['person_id']}/withdraw", headers=COUNSELLOR)
    assert withdrawn.status_code in (200, 202), withdrawn.text
    taken = hub.counsellor_of(second, lea, "the second case, given Léa's freed place")
    assert taken["counsellor_assigned_at"] is not None
    assert hub.case(third)["counsellor_id"] is None
    assert "Lea" in str(one_mail(hub, f"deuxieme@{hub.domain}", "Lea", "the second person told")["Subject"])
    one_mail(hub, f"lea@{hub.domain}", reference(uuid.UUID(second["case_id"])), "Léa told of her new case")

    # The hub adds a counsellor: the last waiting case is theirs, and the queue is empty.
    karim = hub.counsellor("Karim", cap=2)
    hub.counsellor_of(third, karim, "the third case, given the new counsellor")
    assert "Karim" in body(one_mail(hub, f"troisieme@{hub.domain}", "Karim", "the third person told"))
    eventually(lambda: hub.queue() == [], 30, "the queue emptied")
