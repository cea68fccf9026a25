"""Who is calling a Concerto API, and may they: signed bearer tokens (JWT, HS256) and roles.

A token names a subject, one role and, for a partner or a delegate, the
partner it is bound to. ``mint`` signs one, ``verify`` checks it and returns a
``Principal``; both are pure (the clock can be passed in). The FastAPI
dependency helpers at the bottom read the ``AuthSettings`` an API stores in
``app.state.auth`` when it is created:

    @app.post("/calendar/proposals")
    def propose(body: ProposalCreate, principal: CurrentPrincipal) -> Any:
        require(principal, Role.HUB, Role.DELEGATE)
        ...

Outside development and test, ``check_secret`` refuses to let a service start
with the default secret or a short one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, SecretStr

from .clock import Clock, default_clock
from .messages import say

# Public on purpose: it signs tokens on developers' machines, and check_secret refuses it elsewhere.
DEV_SECRET = "concerto-dev-secret-change-me-0123456789abcdef"  # noqa: S105
"""The secret used when none is configured; accepted only in development and test."""

MIN_SECRET_LENGTH = 32
_RELAXED_ENVIRONMENTS = frozenset({"development", "test"})
# PyJWT reads the system clock; the time claims are checked in _check_times against a clock that can be
# passed in, so PyJWT only checks that they are present. sub is checked in _principal with the others.
_DECODE_OPTIONS: dict[str, Any] = {
    "require": ["exp", "iss", "aud", "sub", "role"],
    "verify_sub": False,
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
}


class Role(StrEnum):
    """What a caller is to the regionalization network."""

    HUB = "hub"
    """Staff of the coordinating hub."""
    COUNSELLOR = "counsellor"
    """A counsellor following immigrants' cases."""
    PARTNER = "partner"
    """A partner organization, bound to one partner id."""
    DELEGATE = "delegate"
    """A partner organization acting as its concertation table's delegate; bound to one partner id."""
    PERSON = "person"
    """A person who registered themselves; the subject is their person id (their own case only)."""


_BOUND_ROLES = frozenset({Role.PARTNER, Role.DELEGATE})


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request."""

    subject: str
    role: Role
    partner_id: uuid.UUID | None

    def acts_for(self, partner_id: uuid.UUID) -> bool:
        """True when this caller is the partner ``partner_id`` (as a partner or as a delegate)."""
        return self.role in _BOUND_ROLES and self.partner_id == partner_id

    @property
    def is_hub(self) -> bool:
        return self.role is Role.HUB

    def is_person(self, person_id: uuid.UUID) -> bool:
        """True when this caller is the person ``person_id`` themselves."""
        return self.role is Role.PERSON and self.subject == str(person_id)


class AuthSettings(BaseModel):
    """How tokens are signed and checked (``CONCERTO_AUTH__SECRET`` and so on)."""

    secret: SecretStr = Field(
        default=SecretStr(DEV_SECRET), description="HMAC key; at least 32 characters outside development."
    )
    issuer: str = Field(default="concerto", description="The iss claim tokens carry and must carry.")
    audience: str = Field(default="concerto-apis", description="The aud claim tokens carry and must carry.")
    algorithm: Literal["HS256"] = Field(default="HS256", description="The only signing algorithm accepted.")
    token_ttl_s: int = Field(default=8 * 3600, gt=0, description="Lifetime of a minted token, in seconds.")


class InsecureSecret(RuntimeError):
    """The signing secret is the default or too short for this environment."""


class InvalidToken(ValueError):
    """A bearer token was refused; the message is a short reason, safe to show the caller."""


def check_secret(auth: AuthSettings, environment: str) -> None:
    """Refuse the default secret, or one shorter than 32 characters, outside development and test."""
    if environment in _RELAXED_ENVIRONMENTS:
        return
    secret = auth.secret.get_secret_value()
    if secret == DEV_SECRET:
        raise InsecureSecret(
            f"the default token secret may not be used in {environment}: "
            "set CONCERTO_AUTH__SECRET to a random value of at least 32 characters"
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise InsecureSecret(
            f"the token secret is {len(secret)} characters long; {environment} needs at least "
            f"{MIN_SECRET_LENGTH}: set CONCERTO_AUTH__SECRET to a longer random value"
        )


def mint(
    auth: AuthSettings,
    subject: str,
    role: Role,
    partner_id: uuid.UUID | None = None,
    ttl_s: int | None = None,
    now: datetime | None = None,
) -> str:
    """A signed token for ``subject``; partners and delegates need a partner id, the others may not."""
    if not subject:
        raise ValueError("a token needs a subject")
    if role in _BOUND_ROLES and partner_id is None:
        raise ValueError(f"a {role} token needs a partner_id")
    if role not in _BOUND_ROLES and partner_id is not None:
        raise ValueError(f"a {role} token may not carry a partner_id")
    ttl = auth.token_ttl_s if ttl_s is None else ttl_s
    if ttl <= 0:
        raise ValueError("a token's lifetime must be positive")
    issued = int((now or default_clock().now()).timestamp())
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role.value,
        "iss": auth.issuer,
        "aud": auth.audience,
        "iat": issued,
        "exp": issued + ttl,
    }
    if partner_id is not None:
        claims["partner_id"] = str(partner_id)
    return jwt.encode(claims, auth.secret.get_secret_value(), algorithm=auth.algorithm)


def verify(auth: AuthSettings, token: str, now: datetime | None = None) -> Principal:
    """The principal a token names, or ``InvalidToken`` with a short reason.

    Only ``auth.algorithm`` is accepted (never ``none``), with no leeway on the
    expiry; exp, iat and nbf are checked against ``now`` (default: the clock).
    """
    try:
        claims = jwt.decode(
            token,
            auth.secret.get_secret_value(),
            algorithms=[auth.algorithm],
            audience=auth.audience,
            issuer=auth.issuer,
            leeway=0,
            options=_DECODE_OPTIONS,
        )
    except jwt.InvalidSignatureError as exc:
        raise InvalidToken("bad signature") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise InvalidToken("algorithm not allowed") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidToken("wrong audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise InvalidToken("wrong issuer") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidToken(f"missing claim {exc.claim}") from exc
    except jwt.DecodeError as exc:
        raise InvalidToken("malformed token") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken("invalid claims") from exc
    _check_times(claims, (now or default_clock().now()).timestamp())
    return _principal(claims)


def _check_times(claims: dict[str, Any], now: float) -> None:
    def instant(name: str) -> float | None:
        value = claims.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidToken(f"malformed claim {name}")
        return float(value)

    expires = instant("exp")
    if expires is None or expires <= now:
        raise InvalidToken("expired")
    issued, not_before = instant("iat"), instant("nbf")
    if (issued is not None and issued > now) or (not_before is not None and not_before > now):
        raise InvalidToken("not yet valid")


def _principal(claims: dict[str, Any]) -> Principal:
    subject, role_name, bound = claims["sub"], claims["role"], claims.get("partner_id")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("malformed claim sub")
    try:
        role = Role(role_name)
    except ValueError:
        raise InvalidToken("unknown role") from None
    partner_id: uuid.UUID | None = None
    if bound is not None:
        try:
            partner_id = uuid.UUID(str(bound))
        except ValueError:
            raise InvalidToken("malformed claim partner_id") from None
    if role in _BOUND_ROLES and partner_id is None:
        raise InvalidToken(f"a {role} token needs a partner_id")
    if role not in _BOUND_ROLES and partner_id is not None:
        raise InvalidToken(f"a {role} token may not carry a partner_id")
    return Principal(subject=subject, role=role, partner_id=partner_id)


# FastAPI dependency helpers. The annotations are resolved by FastAPI at route
# definition, so everything they name is imported at module level.

bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def principal_from(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The verified caller, or a 401 with a Bearer challenge; reads ``request.app.state.auth``."""
    auth = getattr(request.app.state, "auth", None)
    if not isinstance(auth, AuthSettings):
        # A wiring mistake, not the caller's: fail closed with a 500.
        raise RuntimeError("app.state.auth is not set: store the API's AuthSettings when creating it")
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="missing bearer token", headers=_CHALLENGE)
    try:
        clock = getattr(request.app.state, "clock", None)
        return verify(auth, credentials.credentials, clock.now() if isinstance(clock, Clock) else None)
    except InvalidToken as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail=f"invalid token: {exc}", headers=_CHALLENGE
        ) from exc


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """FastAPI dependency: the verified caller of this request (``async``: an HMAC check is
    cheaper than the thread-pool hop FastAPI makes for a plain ``def`` dependency)."""
    return principal_from(request, credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(principal: Principal, *roles: Role) -> None:
    """A 403 unless ``principal`` has one of ``roles``."""
    if principal.role not in roles:
        error = HTTPException(status.HTTP_403_FORBIDDEN, detail=f"role {principal.role} may not do this")
        error.message = say("role_forbidden", role=principal.role.value)  # type: ignore[attr-defined]
        raise error
