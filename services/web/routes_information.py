"""The information that would decide a person's possible measures (services/web/information.py):
``GET /my-file/information`` asks only what their possible measures need; the post sends a new
revision of the profile (``PUT /people/{id}/interest``, as the person), and the worker evaluates
the measures again.
"""

from __future__ import annotations

import uuid

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.common.contracts import Case
from services.matching.domain import case_id_for

from .apis import Caller
from .information import INCOME_SUPPORT, STUDIES, check_information, questions_for, updated_profile
from .pages import Page, render
from .registration import Problem
from .routes_file import person_of, refusal
from .runtime import CurrentPage, CurrentWeb, Web

router = APIRouter()
log = structlog.get_logger(__name__)


async def _questions(web: Web, page: Page, caller: Caller) -> tuple[list[str], bool] | Response:
    """The questions the person's possible measures need, or the refusal to show."""
    case_id = case_id_for(uuid.UUID(caller.subject))
    answer = await web.matching.call(caller, "GET", f"/cases/{case_id}", page.language)
    if not answer.ok:
        return refusal(web, page, answer.status)
    return questions_for(Case.model_validate(answer.body).entitlements)


def _form(
    web: Web,
    page: Page,
    asked: tuple[list[str], bool],
    answers: dict[str, str],
    problems: list[Problem],
    status_code: int = 200,
) -> Response:
    questions, counsellor_checks = asked
    return render(
        web.env,
        page,
        "information.html",
        status_code,
        questions=questions,
        counsellor_checks=counsellor_checks,
        studies=STUDIES,
        income_support=INCOME_SUPPORT,
        levels=[str(level) for level in range(1, 13)],
        answers=answers,
        problems=[(p.field, page.t(p.key, **p.params)) for p in problems],
        by_field={p.field: page.t(p.key, **p.params) for p in reversed(problems)},
    )


@router.get("/my-file/information")
async def information_form(page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    asked = await _questions(web, page, caller)
    if isinstance(asked, Response):
        return asked
    return _form(web, page, asked, {}, [])


@router.post("/my-file/information")
async def give_information(request: Request, page: CurrentPage, web: CurrentWeb) -> Response:
    caller = person_of(page)
    if caller is None:
        return refusal(web, page, 401)
    asked = await _questions(web, page, caller)
    if isinstance(asked, Response):
        return asked
    form = await request.form()
    checked = check_information(
        {k: v for k, v in form.items() if isinstance(v, str)}, asked[0], web.clock.today()
    )
    if not checked.ok:
        return _form(web, page, asked, checked.answers, checked.problems, 400)
    path = f"/people/{caller.subject}/interest"
    current = await web.matching.call(caller, "GET", path, page.language)
    if not current.ok:
        return refusal(web, page, current.status)
    body = updated_profile(current.body, checked.body)
    answer = await web.matching.call(caller, "PUT", path, page.language, json=body)
    if answer.status in (409, 422):
        detail = answer.body.get("message", "") if isinstance(answer.body, dict) else ""
        problem = Problem(asked[0][0], "err_profile_refused", {"detail": detail})
        return _form(web, page, asked, checked.answers, [problem], 400)
    if not answer.ok:
        return refusal(web, page, answer.status)
    log.info("web.information_given", fields=sorted(checked.body))
    case_id = case_id_for(uuid.UUID(caller.subject))
    return page.finish(RedirectResponse(f"/file/{case_id}?notice=information_saved", status_code=303))
