"""The events worker's calendar state, kept in faust tables (recovered from their changelogs).

- ``entries``: proposal id → its calendar entry (JSON);
- ``proposals``: proposal id → the proposal as it stands (endorsed, rescheduled…);
- ``by_day``: day → ids of the entries scheduled that day (the index the rules read).

``TableCalendar`` is the ``CalendarView`` the pure decisions read, and the one
place that writes the tables, so the index never disagrees with the entries.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from services.common.contracts import ActivityProposed, CalendarEntry, CalendarRules


class TableCalendar:
    """Calendar entries and proposals over faust tables, with a parsed-object cache."""

    def __init__(
        self, entries: Any, proposals: Any, by_day: Any, rules: Any, default_rules: CalendarRules
    ) -> None:
        self._entries = entries
        self._proposals = proposals
        self._by_day = by_day
        self._rules = rules
        self._default_rules = default_rules
        self._cache: dict[str, CalendarEntry] = {}

    # -- reads ---------------------------------------------------------------------

    def entry(self, proposal_id: UUID) -> CalendarEntry | None:
        return self._entry_by_key(str(proposal_id))

    def _entry_by_key(self, key: str) -> CalendarEntry | None:
        cached = self._cache.get(key)
        if cached is None:
            raw = self._entries.get(key)
            if raw is None:
                return None
            cached = self._cache[key] = CalendarEntry.model_validate_json(raw)
        return cached

    def scheduled_between(self, first: date, last: date) -> list[CalendarEntry]:
        found = []
        day = first
        while day <= last:
            for key in self._by_day.get(day.isoformat(), []):
                entry = self._entry_by_key(key)
                if entry is not None and entry.status == "scheduled":
                    found.append(entry)
            day += timedelta(days=1)
        return found

    def proposal(self, proposal_id: UUID) -> ActivityProposed | None:
        raw = self._proposals.get(str(proposal_id))
        return None if raw is None else ActivityProposed.model_validate_json(raw)

    def rules(self) -> CalendarRules:
        raw = self._rules.get("montreal")
        return self._default_rules if raw is None else CalendarRules.model_validate_json(raw)

    # -- writes ----------------------------------------------------------------------

    def keep_proposal(self, proposal: ActivityProposed) -> None:
        self._proposals[str(proposal.proposal_id)] = proposal.model_dump_json()

    def keep_rules(self, rules: CalendarRules) -> None:
        self._rules["montreal"] = rules.model_dump_json()

    def save(self, entry: CalendarEntry) -> None:
        """Store ``entry`` and move it in the day index."""
        key = str(entry.proposal_id)
        previous = self.entry(entry.proposal_id)
        if previous is not None and previous.day is not None and previous.status == "scheduled":
            listed = self._by_day.get(previous.day.isoformat(), [])
            if key in listed and (entry.status != "scheduled" or entry.day != previous.day):
                self._by_day[previous.day.isoformat()] = [k for k in listed if k != key]
        if entry.status == "scheduled" and entry.day is not None:
            listed = self._by_day.get(entry.day.isoformat(), [])
            if key not in listed:
                self._by_day[entry.day.isoformat()] = [*listed, key]
        self._entries[key] = entry.model_dump_json()
        self._cache[key] = entry
