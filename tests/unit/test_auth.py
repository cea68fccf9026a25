"""Bearer tokens and roles: what a token proves, which tokens are refused, and how an API answers.

Tokens are minted and verified with a fixed clock; the API checks use a tiny
FastAPI app built here, with the dependency helpers the Concerto APIs use.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common.auth import (
    DEV_SECRET,
    AuthSettings,
    CurrentPrincipal,
    InsecureSecret,
    InvalidToken,
    Principal,
    Role,
    check_secret,
    mint,
    require,
    verify,
)
from services.common.clock import default_clock
from services.common.settings import Settings

NOW = datetime(2025, 9, 15, 14, 32, 9, tzinfo=UTC)
PARTNER_ID = uuid.UUID("0b9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c")
AUTH = AuthSettings()
LONG_SECRET = "a-production-secret-that-is-long-enough-0123"


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid hub claims at NOW, with ``overrides`` (None removes a claim)."""
    base: dict[str, Any] = {
        "sub": "alice",
        "role": "hub",
        "iss": AUTH.issuer,
        "aud": AUTH.audience,
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def signed(payload: dict[str, Any], key: str = DEV_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def refusal(token: str) -> str:
    with pytest.raises(InvalidToken) as refused:
        verify(AUTH, token, now=NOW)
    return str(refused.value)


# What a token proves


@pytest.mark.parametrize(
    ("role", "partner_id"),
    [(Role.HUB, None), (Role.COUNSELLOR, None), (Role.PARTNER, PARTNER_ID), (Role.DELEGATE, PARTNER_ID)],
)
def test_every_role_survives_a_round_trip(role: Role, partner_id: uuid.UUID | None) -> None:
    token = mint(AUTH, "someone", role, partner_id=partner_id, now=NOW)
    assert verify(AUTH, token, now=NOW + timedelta(minutes=5)) == Principal("someone", role, partner_id)


def test_a_partner_token_carries_its_partner_id() -> None:
    token = mint(AUTH, "bob", Role.PARTNER, partner_id=PARTNER_ID, now=NOW)
    assert jwt.decode(token, options={"verify_signature": False})["partner_id"] == str(PARTNER_ID)
    principal = verify(AUTH, token, now=NOW)
    assert principal.acts_for(PARTNER_ID)
    assert not principal.acts_for(uuid.uuid4())
    assert not principal.is_hub


def test_a_delegate_acts_for_its_own_partner_and_the_hub_for_none() -> None:
    delegate = verify(AUTH, mint(AUTH, "dana", Role.DELEGATE, partner_id=PARTNER_ID, now=NOW), now=NOW)
    hub = verify(AUTH, mint(AUTH, "alice", Role.HUB, now=NOW), now=NOW)
    assert delegate.acts_for(PARTNER_ID)
    assert hub.is_hub
    assert not hub.acts_for(PARTNER_ID)


def test_a_token_lives_as_long_as_the_settings_say_unless_told_otherwise() -> None:
    default = jwt.decode(mint(AUTH, "alice", Role.HUB, now=NOW), options={"verify_signature": False})
    short = jwt.decode(mint(AUTH, "alice", Role.HUB, ttl_s=60, now=NOW), options={"verify_signature": False})
    assert default["exp"] - default["iat"] == 8 * 3600
    assert short["exp"] - short["iat"] == 60


# Which tokens are refused


def test_an_expired_token_is_refused() -> None:
    token = mint(AUTH, "alice", Role.HUB, ttl_s=60, now=NOW)
    assert verify(AUTH, token, now=NOW + timedelta(seconds=59)).subject == "alice"
    with pytest.raises(InvalidToken, match="expired"):
        verify(AUTH, token, now=NOW + timedelta(seconds=60))


def test_an_expired_token_is_refused_on_the_real_clock() -> None:
    token = mint(AUTH, "alice", Role.HUB, ttl_s=60, now=default_clock().now() - timedelta(hours=1))
    with pytest.raises(InvalidToken, match="expired"):
        verify(AUTH, token)


def test_a_token_issued_in_the_future_is_refused() -> None:
    token = mint(AUTH, "alice", Role.HUB, now=NOW + timedelta(minutes=1))
    assert refusal(token) == "not yet valid"


def test_a_token_signed_with_another_key_is_refused() -> None:
    assert refusal(signed(claims(), key="another-key-that-is-long-enough-0123456789")) == "bad signature"


def test_an_unsigned_alg_none_token_is_refused() -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims())}."
    assert refusal(token) == "algorithm not allowed"


def test_a_token_signed_with_hs512_and_the_same_secret_is_refused() -> None:
    assert refusal(signed(claims(), algorithm="HS512")) == "algorithm not allowed"


def test_a_token_for_another_audience_is_refused() -> None:
    assert refusal(signed(claims(aud="another-api"))) == "wrong audience"


def test_a_token_from_another_issuer_is_refused() -> None:
    assert refusal(signed(claims(iss="someone-else"))) == "wrong issuer"


@pytest.mark.parametrize("claim", ["role", "sub", "exp", "iss", "aud"])
def test_a_token_missing_a_required_claim_is_refused(claim: str) -> None:
    assert refusal(signed(claims(**{claim: None}))) == f"missing claim {claim}"


def test_a_token_with_an_unknown_role_is_refused() -> None:
    assert refusal(signed(claims(role="admin"))) == "unknown role"


@pytest.mark.parametrize("role", ["partner", "delegate"])
def test_a_partner_or_delegate_token_without_a_partner_id_is_refused(role: str) -> None:
    assert refusal(signed(claims(role=role))) == f"a {role} token needs a partner_id"


def test_a_hub_token_bound_to_a_partner_is_refused() -> None:
    assert refusal(signed(claims(partner_id=str(PARTNER_ID)))) == "a hub token may not carry a partner_id"


def test_a_token_with_a_malformed_partner_id_is_refused() -> None:
    assert refusal(signed(claims(role="partner", partner_id="not-a-uuid"))) == "malformed claim partner_id"


@pytest.mark.parametrize("subject", ["", 5])
def test_a_token_with_an_empty_or_non_text_subject_is_refused(subject: object) -> None:
    assert refusal(signed(claims(sub=subject))) == "malformed claim sub"


@pytest.mark.parametrize("exp", ["soon", True])
def test_a_token_with_a_non_numeric_expiry_is_refused(exp: object) -> None:
    assert refusal(signed(claims(exp=exp))) == "malformed claim exp"


def test_garbage_is_refused() -> None:
    assert refusal("not.a.token") == "malformed token"


# What mint refuses


def test_mint_refuses_a_partner_without_a_partner_id() -> None:
    with pytest.raises(ValueError, match="needs a partner_id"):
        mint(AUTH, "bob", Role.PARTNER)


def test_mint_refuses_a_hub_token_bound_to_a_partner() -> None:
    with pytest.raises(ValueError, match="may not carry a partner_id"):
        mint(AUTH, "alice", Role.HUB, partner_id=PARTNER_ID)


# The secret


@pytest.mark.parametrize("secret", [DEV_SECRET, "short-secret"])
def test_production_refuses_the_default_secret_and_a_short_one(secret: str) -> None:
    with pytest.raises(InsecureSecret, match="CONCERTO_AUTH__SECRET"):
        check_secret(AuthSettings(secret=secret), "production")


@pytest.mark.parametrize("environment", ["development", "test"])
@pytest.mark.parametrize("secret", [DEV_SECRET, "short-secret"])
def test_development_and_test_accept_any_secret(secret: str, environment: str) -> None:
    check_secret(AuthSettings(secret=secret), environment)


def test_production_accepts_a_long_custom_secret() -> None:
    check_secret(AuthSettings(secret=LONG_SECRET), "production")


def test_the_secret_is_read_from_concerto_auth_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCERTO_AUTH__SECRET", LONG_SECRET)
    settings = Settings()
    assert settings.auth.secret.get_secret_value() == LONG_SECRET
    assert LONG_SECRET not in repr(settings)


# How an API answers


def hub_only_app() -> FastAPI:
    app = FastAPI()
    app.state.auth = AUTH

    @app.get("/hub-only")
    def hub_only(principal: CurrentPrincipal) -> dict[str, str]:
        require(principal, Role.HUB)
        return {"subject": principal.subject}

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(hub_only_app())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_api_answers_401_without_a_token(client: TestClient) -> None:
    response = client.get("/hub-only")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "missing bearer token"}


def test_an_api_answers_401_to_a_garbage_token(client: TestClient) -> None:
    response = client.get("/hub-only", headers=bearer("garbage"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "invalid token: malformed token"}


def test_an_api_answers_403_to_a_partner_on_a_hub_route(client: TestClient) -> None:
    response = client.get("/hub-only", headers=bearer(mint(AUTH, "bob", Role.PARTNER, partner_id=PARTNER_ID)))
    assert response.status_code == 403
    assert response.json() == {"detail": "role partner may not do this"}


def test_an_api_lets_the_hub_through(client: TestClient) -> None:
    response = client.get("/hub-only", headers=bearer(mint(AUTH, "alice", Role.HUB)))
    assert response.status_code == 200
    assert response.json() == {"subject": "alice"}
