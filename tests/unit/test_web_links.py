"""Sign-in links and CSRF tokens of the web service (pure, with a FixedClock)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from services.common.clock import FixedClock
from services.web.links import LinkRefused, LinkSigner, account_key, csrf_ok, csrf_token, new_csrf_cookie
from services.web.store import Account, WebStore

SECRET = "a-test-secret-of-at-least-thirty-two-characters"


def test_a_link_is_valid_for_fifteen_minutes_by_the_clock() -> None:
    clock = FixedClock()
    signer = LinkSigner(SECRET, clock, 15 * 60)
    token, issued = signer.issue("signin", "someone")
    clock.advance(timedelta(minutes=14, seconds=59))
    assert signer.read(token, "signin") == issued
    clock.advance(timedelta(seconds=1))
    with pytest.raises(LinkRefused) as refused:
        signer.read(token, "signin")
    assert refused.value.reason == "expired"


def test_a_link_from_the_future_is_refused() -> None:
    clock = FixedClock()
    token, _ = LinkSigner(SECRET, clock, 900).issue("signin", "someone")
    clock.advance(timedelta(seconds=-1))
    with pytest.raises(LinkRefused):
        LinkSigner(SECRET, clock, 900).read(token, "signin")


def test_a_forged_or_altered_link_is_refused() -> None:
    clock = FixedClock()
    token, _ = LinkSigner(SECRET, clock, 900).issue("signin", "someone")
    for forged in (token[:-2] + "xx", LinkSigner("another-secret-" * 3, clock, 900).issue("signin", "x")[0]):
        with pytest.raises(LinkRefused) as refused:
            LinkSigner(SECRET, clock, 900).read(forged, "signin")
        assert refused.value.reason == "invalid"


def test_a_registration_link_does_not_sign_anyone_in() -> None:
    signer = LinkSigner(SECRET, FixedClock(), 900)
    token, _ = signer.issue("register", "pending")
    with pytest.raises(LinkRefused):
        signer.read(token, "signin")


def test_the_csrf_token_belongs_to_its_browser_cookie() -> None:
    mine, theirs = new_csrf_cookie(), new_csrf_cookie()
    assert mine != theirs
    assert csrf_ok(SECRET, mine, csrf_token(SECRET, mine))
    assert not csrf_ok(SECRET, mine, csrf_token(SECRET, theirs))
    assert not csrf_ok(SECRET, mine, None)
    assert not csrf_ok(SECRET, None, csrf_token(SECRET, mine))
    assert not csrf_ok(SECRET, mine, "")


def test_a_link_is_used_once_and_forgotten_after_its_expiry(tmp_path: Path) -> None:
    store = WebStore(tmp_path / "web.sqlite3", SECRET)
    assert store.use_link("abc", expires=1000.0)
    assert not store.use_link("abc", expires=1000.0)
    assert store.link_used("abc")
    store.forget_expired(now=1000.0)
    assert not store.link_used("abc")


def test_accounts_are_known_by_a_keyed_hash_of_the_address_never_the_address(tmp_path: Path) -> None:
    path = tmp_path / "web.sqlite3"
    store = WebStore(path, SECRET)
    key = account_key(SECRET, " Amina@Example.ca ")
    assert key == account_key(SECRET, "amina@example.ca")
    store.save_account(key, Account("person", "p-1", "fr"))
    store.keep_pending("j1", b'{"email": "amina@example.ca"}', expires=10.0)
    store.close()
    assert b"amina" not in path.read_bytes().lower()
    reopened = WebStore(path, SECRET)
    assert reopened.account(key) == Account("person", "p-1", "fr")
    assert reopened.pending("j1") == b'{"email": "amina@example.ca"}'


def test_a_session_ends_at_its_expiry_or_at_sign_out(tmp_path: Path) -> None:
    store = WebStore(tmp_path / "web.sqlite3", SECRET)
    store.open_session("s1", Account("person", "p-1", "fr"), expires=100.0)
    assert store.session("s1", now=99.0) is not None
    assert store.session("s1", now=100.0) is None
    store.close_session("s1")
    assert store.session("s1", now=0.0) is None
