"""``make up`` opens the web to the demo season's staff (services/web/invite.py
``open_staff_accounts``): the hub and each active counsellor then sign in by emailed link."""

from __future__ import annotations

import uuid
from typing import Any

from services.common.settings import HubSettings
from services.web.invite import open_staff_accounts
from tests.unit.test_web_pages import _csrf, _follow, world

__all__ = ["world"]  # the fixture, shared with test_web_pages


def _counsellor(email: str, active: bool = True) -> dict[str, Any]:
    return {"counsellor_id": str(uuid.uuid4()), "email": email, "languages": ["en", "fr"], "active": active}


def test_the_hub_and_each_active_counsellor_sign_in_by_emailed_link(world: Any) -> None:
    client, mail, _, _ = world
    web = client.app.state.web
    counsellors = [
        _counsellor("claire@carrefour.example.org"),
        _counsellor("gone@carrefour.example.org", False),
    ]
    assert open_staff_accounts(web.store, web.secret, HubSettings(), counsellors) == 2

    client.post("/sign-in", data={"email": "claire@carrefour.example.org", "csrf_token": _csrf(client)})
    assert mail.sent[-1]["Subject"] == "Your link to sign in to Concerto", (
        "in the counsellor's first language"
    )
    assert _follow(client, mail.last_link()).headers["location"] == "/caseload"

    count = len(mail.sent)
    client.post("/sign-in", data={"email": "gone@carrefour.example.org", "csrf_token": _csrf(client)})
    assert len(mail.sent) == count, "an inactive counsellor gets no account"
    client.post("/sign-in", data={"email": HubSettings().email, "csrf_token": _csrf(client)})
    assert mail.sent[-1]["To"] == HubSettings().email
