"""The web's forms never answer a server error, whatever is typed or sent.

Hypothesis fills the registration form (every field, any text, fields missing), the sign-in form,
the registration's hidden draft, a signed-in person's details and information forms, a
counsellor's override and a partner's milestone form with arbitrary values, on the real app with a
fixed clock and the stand-in for matching-api of test_web_pages. Each answer must be a page (2xx)
or a refusal (4xx) in the form's language; never 5xx, never a traceback.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.clock import FixedClock
from services.common.settings import Settings
from services.web.app import create_app
from services.web.information import QUESTIONS
from services.web.registration import FIELDS
from services.web.routes_partner import MILESTONES
from services.web.store import Account
from tests.unit.test_web_information import _measure
from tests.unit.test_web_my_file import _signed_in
from tests.unit.test_web_pages import FakeMatching, KeptMail, _form
from tests.unit.test_web_partner import ESTRIE, OTHERS, SHARED, PartnerMatching
from tests.unit.test_web_staff import CASE, COUNSELLOR, REFERRAL, StaffMatching, _sign_in

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GENEROUS = {  # the rate limits are checked elsewhere (test_web_limits): here every answer is looked at
    "signin_limit_per_address": "100000/minute",
    "signin_limit_per_client": "100000/minute",
    "register_limit_per_address": "100000/minute",
    "register_limit_per_client": "100000/minute",
}
# Any text a browser can send in a form field: every Unicode character UTF-8 can encode.
TYPED = st.text(st.characters(codec="utf-8"), max_size=300)


@contextmanager
def _web(
    matching: Callable[[Settings, FixedClock], Callable[[httpx.Request], httpx.Response]] = FakeMatching,
    mail: KeptMail | None = None,
) -> Iterator[TestClient]:
    with tempfile.TemporaryDirectory() as data:
        config = Settings(environment="test", data_dir=str(Path(data)), web=GENEROUS)
        clock = FixedClock()
        api = httpx.MockTransport(matching(config, clock))
        app = create_app(config, clock=clock, mailer=mail or KeptMail(), transport=api)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def _answered(response: Any) -> None:  # the test client's response
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text


@st.composite
def registrations(draw: st.DrawFn) -> dict[str, str]:
    """A valid form with some fields replaced by any text and some left out."""
    form = dict(_form())
    for name in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=len(FIELDS))):
        form[name] = draw(TYPED)
    for name in draw(st.lists(st.sampled_from(sorted(form)), unique=True, max_size=4)):
        del form[name]
    return form


def test_the_registration_form_never_answers_a_server_error() -> None:
    with _web() as client:
        csrf = _csrf(client, "/register")

        @FUZZ
        @given(form=registrations(), language=st.sampled_from(["fr", "en"]))
        def review(form: dict[str, str], language: str) -> None:
            answer = client.post(
                "/register", data={**form, "csrf_token": csrf}, headers={"Accept-Language": language}
            )
            _answered(answer)
            assert answer.status_code in (200, 400)

        review()


def test_the_sign_in_form_and_the_registration_draft_never_answer_a_server_error() -> None:
    with _web() as client:
        csrf = _csrf(client, "/sign-in")

        @FUZZ
        @given(email=TYPED, draft=TYPED, send=st.sampled_from(["yes", "", "no"]))
        def post(email: str, draft: str, send: str) -> None:
            _answered(client.post("/sign-in", data={"email": email, "csrf_token": csrf}))
            sent = client.post("/register/send", data={"draft": draft, "send": send, "csrf_token": csrf})
            _answered(sent)
            assert sent.status_code == 400  # a draft the web did not seal is refused

        post()


def test_a_partners_milestone_form_never_answers_a_server_error() -> None:
    mail = KeptMail()
    with _web(PartnerMatching, mail) as client:
        _sign_in(client, mail, "accueil@estrie.example.org", Account("partner", str(ESTRIE), "fr"))
        csrf = _csrf(client, "/sign-in")

        @FUZZ
        @given(
            household=st.sampled_from([SHARED, OTHERS]),
            milestone=st.one_of(st.sampled_from(MILESTONES), TYPED),
            on=st.one_of(st.dates().map(str), TYPED),
        )
        def record(household: object, milestone: str, on: str) -> None:
            form = {"csrf_token": csrf, "milestone": milestone, "on": on}
            answer = client.post(
                f"/partner/households/{household}/milestones", data=form, follow_redirects=False
            )
            _answered(answer)
            if household == OTHERS:  # answered as an id that exists nowhere: nothing tells it exists
                unknown = client.post(
                    f"/partner/households/{uuid.uuid4()}/milestones", data=form, follow_redirects=False
                )
                assert answer.status_code == unknown.status_code
                assert answer.status_code in (400, 404)  # 400: a field over its length, whatever the id

        record()


def test_a_signed_in_persons_forms_never_answer_a_server_error() -> None:
    mail, made = KeptMail(), []

    def matching(config: Settings, clock: FixedClock) -> FakeMatching:
        made.append(FakeMatching(config, clock))
        made[0].entitlements = [_measure("possible", ["age", "post_secondary_studies", "job_offer_in_hand"])]
        return made[0]

    with _web(matching, mail) as client:
        _signed_in(client, mail)
        csrf = _csrf(client, "/my-file/details")

        @FUZZ
        @given(
            details=st.fixed_dictionaries(
                {}, optional={f: TYPED for f in ("name", "email", "phone", "language")}
            ),
            information=st.fixed_dictionaries({}, optional=dict.fromkeys(QUESTIONS, TYPED)),
        )
        def post(details: dict[str, str], information: dict[str, str]) -> None:
            _answered(client.post("/my-file/details", data={**details, "csrf_token": csrf}))
            _answered(client.post("/my-file/information", data={**information, "csrf_token": csrf}))

        post()


def test_a_counsellors_override_never_answers_a_server_error() -> None:
    mail = KeptMail()
    with _web(StaffMatching, mail) as client:
        _sign_in(client, mail, "claire@hub.example.org", Account("counsellor", str(COUNSELLOR), "fr"))
        csrf = _csrf(client, "/sign-in")
        path = f"/staff/cases/{CASE}/referrals/{REFERRAL}/override"

        @FUZZ
        @given(reason=st.one_of(TYPED, st.text(min_size=990, max_size=1100)))  # its limit is 1,000
        def override(reason: str) -> None:
            answer = client.post(path, data={"reason": reason, "csrf_token": csrf}, follow_redirects=False)
            _answered(answer)
            assert answer.headers.get("content-type", "").startswith("text/html") or answer.status_code == 303

        override()
