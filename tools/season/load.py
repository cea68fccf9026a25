"""Load a demo season through the public APIs, in dependency order, as the people concerned would.

partners (the hub) → tables and their delegations (the hub) → the season's
calendar rules (the hub, only if they differ) → offers (each publishing
partner) → proposals (each table's delegate, in order) → counsellors (the hub)
→ people (a counsellor). A body names other records by their generated id; the
loader replaces it with the id the server gave (the map is kept and written
out). Answers 503 are retried with exponential backoff; a refusal (4xx) is
recorded with the API's reason and the loading goes on; what depends on a
refused record is skipped, and said so.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
from rich.progress import Progress
from tenacity import Retrying, retry_if_exception_type, retry_if_result, stop_after_attempt, wait_exponential

from analysis.season.spec import FILES, Record, Season
from services.common.auth import AuthSettings, Role, mint
from services.common.clock import default_clock

from .apis import Apis, LoadReport, Refusal, Response, reason_of


class Unresolved(LookupError):
    """A body names a generated record that has no server id (it was refused)."""


STEPS = {
    "partners": "partners",
    "tables": "concertation tables + delegates",
    "offers": "offers",
    "proposals": "activity proposals",
    "counsellors": "counsellors",
    "people": "people (interests)",
}


class Loader:
    """Posts one season through the APIs; ``run`` returns the report."""

    def __init__(
        self,
        season: Season,
        apis: Apis,
        auth: AuthSettings,
        progress: Progress | None = None,
        parallel: int = 4,
        attempts: int = 8,
        today: date | None = None,
        rules_wait_s: float = 30,
    ) -> None:
        self.season, self.apis, self.auth = season, apis, auth
        self.progress = progress or Progress(disable=True)
        self.parallel, self.attempts = max(1, parallel), attempts
        self.today = today or default_clock().today()
        self.rules_wait_s = rules_wait_s
        self.report = LoadReport()
        self.generated = {r["id"] for name in FILES for r in season.records[name]}
        self._tokens: dict[tuple[Role, str | None], dict[str, str]] = {}
        self._counsellor_subject = "season-loader"
        self._lock = threading.Lock()

    # -- plumbing --------------------------------------------------------------

    def headers(self, role: Role, partner_id: str | None = None) -> dict[str, str]:
        """The Authorization header of ``role`` (bound to ``partner_id`` for partners and delegates)."""
        key = (role, partner_id)
        if key not in self._tokens:
            subject = self._counsellor_subject if role is Role.COUNSELLOR else f"season-{role.value}"
            bound = uuid.UUID(partner_id) if partner_id else None
            self._tokens[key] = {"Authorization": f"Bearer {mint(self.auth, subject, role, bound)}"}
        return self._tokens[key]

    def send(self, call: Callable[[], Response]) -> Response:
        """``call``, retried while the API answers 503 (Kafka unreachable) or cannot be reached."""
        retrying = Retrying(
            retry=retry_if_result(lambda r: r.status_code == 503)
            | retry_if_exception_type(httpx.TransportError),
            wait=wait_exponential(multiplier=0.25, max=8),
            stop=stop_after_attempt(self.attempts),
            # After the last attempt: the last answer (a 503 is then reported as a refusal).
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        response: Response = retrying(call)
        return response

    def resolve(self, value: Any) -> Any:
        """``value`` with every generated id replaced by its server id (Unresolved if it has none)."""
        if isinstance(value, str) and value in self.generated:
            if value not in self.report.ids:
                raise Unresolved(value)
            return self.report.ids[value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def refuse(self, step: str, record: Record, response: Response) -> None:
        with self._lock:
            self.report.refusals.append(
                Refusal(step, record["id"], response.status_code, reason_of(response))
            )

    def skip(self, step: str, record: Record, missing: Unresolved) -> None:
        reason = f"needs {missing.args[0]}, which was refused"
        with self._lock:
            self.report.refusals.append(Refusal(step, record["id"], None, reason))

    def each(self, step: str, records: list[Record], post: Callable[[Record], None], parallel: bool) -> None:
        """Run ``post`` on every record of ``step`` with a progress bar (in threads if ``parallel``)."""
        task = self.progress.add_task(STEPS[step], total=len(records))

        def one(record: Record) -> None:
            try:
                post(record)
            except Unresolved as missing:
                self.skip(step, record, missing)
            except httpx.HTTPError as exc:  # no answer even after the retries
                with self._lock:
                    self.report.refusals.append(Refusal(step, record["id"], None, f"no answer: {exc}"))
            finally:
                self.progress.advance(task)

        if parallel and self.parallel > 1 and len(records) > 1:
            with ThreadPoolExecutor(self.parallel, thread_name_prefix=f"load-{step}") as pool:
                list(pool.map(one, records))
        else:
            for record in records:
                one(record)

    # -- the steps ---------------------------------------------------------------

    def run(self) -> LoadReport:
        """Load everything, in dependency order."""
        self.check_dates()
        records = self.season.records
        self.each("partners", records["partners"], self.partner, parallel=False)
        if self.report.existing["partners"]:
            self.report.notes.append(
                f"{self.report.existing['partners']} partners were registered already (same NEQ): the season "
                "was probably loaded before, and its tables, offers, proposals and people are posted again"
            )
        self.each("tables", records["tables"], self.table, parallel=False)
        self.rules()
        self.each("offers", records["offers"], self.offer, parallel=True)
        self.each("proposals", records["proposals"], self.proposal, parallel=False)
        self.counsellors(records["counsellors"])
        self.each("people", records["people"], self.person, parallel=True)
        return self.report

    def check_dates(self) -> None:
        start = date.fromisoformat(self.season.manifest["start"])
        if start < self.today:
            self.report.notes.append(
                f"the season starts on {start}, before today: proposals for past days will be refused. "
                "Regenerate it: python -m tools.season generate"
            )

    def created(self, step: str, record: Record, server_id: str) -> None:
        with self._lock:  # offers and people are posted from several threads
            self.report.ids[record["id"]] = server_id
            self.report.created[step] += 1

    def partner(self, record: Record) -> None:
        hub = self.headers(Role.HUB)
        response = self.send(lambda: self.apis.partners.post("/partners", json=record["body"], headers=hub))
        if response.status_code == 201:
            self.created("partners", record, response.json()["partner_id"])
        elif response.status_code == 409 and response.json().get("existing"):
            # Its NEQ is registered already (the season was loaded before): use that partner.
            self.report.ids[record["id"]] = response.json()["existing"]
            self.report.existing["partners"] += 1
        else:
            self.refuse("partners", record, response)

    def table(self, record: Record) -> None:
        hub = self.headers(Role.HUB)
        body, delegation = self.resolve(record["body"]), self.resolve(record["delegation"])
        response = self.send(lambda: self.apis.partners.post("/tables", json=body, headers=hub))
        if response.status_code != 201:
            self.refuse("tables", record, response)
            return
        table_id = response.json()["table_id"]
        self.created("tables", record, table_id)
        url = f"/tables/{table_id}/delegations"
        response = self.send(lambda: self.apis.partners.post(url, json=delegation, headers=hub))
        if response.status_code == 201:
            self.report.created["delegations"] += 1
        else:
            self.refuse("delegations", record, response)

    def rules(self) -> None:
        """Publish the season's calendar rules (its fair days), unless they are in force already."""
        hub = self.headers(Role.HUB)
        # events-api publishes the reference rules once it has started: wait for them (bounded),
        # so they never land after the season's.
        deadline = time.monotonic() + self.rules_wait_s
        while True:
            response = self.send(lambda: self.apis.events.get("/rules", headers=hub))
            if response.status_code != 404 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if response.status_code == 200 and _same_rules(response.json(), self.season.rules):
            return
        response = self.send(lambda: self.apis.events.put("/rules", json=self.season.rules, headers=hub))
        if response.status_code == 200:
            fair = ", ".join(self.season.rules.get("fair_days", [])) or "none"
            self.report.notes.append(f"calendar rules published for the season (fair days: {fair})")
        else:
            self.report.refusals.append(
                Refusal("rules", "rules.json", response.status_code, reason_of(response))
            )

    def offer(self, record: Record) -> None:
        body, publisher = self.resolve(record["body"]), self.resolve(record["publisher"])
        headers = self.headers(Role.PARTNER, publisher)
        response = self.send(lambda: self.apis.partners.post("/offers", json=body, headers=headers))
        if response.status_code == 201:
            self.created("offers", record, response.json()["offer_id"])
        else:
            self.refuse("offers", record, response)

    def proposal(self, record: Record) -> None:
        body = self.resolve(record["body"])
        headers = self.headers(Role.DELEGATE, body["organizer_id"])
        response = self.send(lambda: self.apis.events.post("/proposals", json=body, headers=headers))
        if response.status_code == 202:
            self.created("proposals", record, response.json()["proposal_id"])
        else:
            self.refuse("proposals", record, response)

    def counsellors(self, records: list[Record]) -> None:
        """The hub's counsellors; skipped with a note while matching-api has no POST /counsellors."""
        hub = self.headers(Role.HUB)
        task = self.progress.add_task(STEPS["counsellors"], total=len(records))
        for record in records:
            body = record["body"]
            response = self.send(lambda: self.apis.matching.post("/counsellors", json=body, headers=hub))  # noqa: B023
            self.progress.advance(task)
            if response.status_code in (404, 405):
                self.report.notes.append(
                    f"counsellors skipped: matching-api answers {response.status_code} to POST /counsellors "
                    "(not there yet)"
                )
                self.progress.update(task, completed=len(records))
                return
            if response.status_code in (200, 201):
                self.created("counsellors", record, response.json()["counsellor_id"])
            else:
                self.refuse("counsellors", record, response)
        first = next((self.report.ids[r["id"]] for r in records if r["id"] in self.report.ids), None)
        if first is not None:
            self._counsellor_subject = first  # people are declared by a counsellor of the hub

    def person(self, record: Record) -> None:
        counsellor = self.headers(Role.COUNSELLOR)
        response = self.send(
            lambda: self.apis.matching.post("/interests", json=record["body"], headers=counsellor)
        )
        if response.status_code == 202:
            answer = response.json()
            self.created("people", record, answer["person_id"])
            self.report.cases[record["id"]] = answer["case_id"]
        else:
            self.refuse("people", record, response)


def _same_rules(in_force: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    keys = set(wanted) - {"updated_at", "schema_version"}
    return all(_canonical(in_force.get(k)) == _canonical(wanted.get(k)) for k in keys)


def _canonical(value: Any) -> Any:
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value
