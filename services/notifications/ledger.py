"""The send ledger's keys: what makes an email once-only (pure).

The notifications worker records every email it sent in a faust table (the
send ledger) under one of these keys, and derives the email's Message-ID from
the same key. An email whose key is already in the ledger is not sent again, so
the key says what "the same email" means:

- a calendar decision is told once per calendar event (each update of an entry
  is a new decision worth telling);
- a case, a referral plan or a digest is told once per *state that matters*,
  however many times its record is rewritten (a case updated for a new
  interest revision, a referral re-published by a replayed round) and however
  many times a topic is replayed.

Every key of a record is written from the partition of the record being handled
(cases and referrals by their id, digests by their table), so the ledger entry
of one email always lives in the same partition of the table.
"""

from __future__ import annotations

from uuid import UUID

from services.common.contracts import Referral


def decision_key(event_id: str, template: str, recipient_id: UUID) -> str:
    """A calendar decision, to its organizer or to a table's delegate: once per event."""
    return f"{event_id}|{template}|{recipient_id}"


def case_opened_key(case_id: UUID, person_id: UUID) -> str:
    """The person's case-opened email: once per case."""
    return f"{case_id}|case_opened|{person_id}"


def counsellor_assigned_key(case_id: UUID, counsellor_id: UUID, person_id: UUID) -> str:
    """The person's email that a counsellor took their case from the queue: once per (case, counsellor)."""
    return f"{case_id}|counsellor_assigned|{counsellor_id}|{person_id}"


def case_waiting_key(case_id: UUID) -> str:
    """The hub's alert that a case waits for a counsellor: once per case."""
    return f"{case_id}|case_waiting_hub|hub"


def counsellor_case_key(case_id: UUID, counsellor_id: UUID) -> str:
    """A counsellor's new-case email: once per (case, counsellor)."""
    return f"{case_id}|counsellor_new_case|{counsellor_id}"


def referral_decision(referral: Referral) -> str:
    """Who decided the referral's current plan: the round, or a counsellor's review at a moment.

    Each override is a new decision (a counsellor may review a plan twice), so it
    carries the override's time.
    """
    if referral.decided_by == "counsellor" and referral.override is not None:
        return f"counsellor@{referral.override.at.isoformat()}"
    return referral.decided_by


def referral_key(referral: Referral, status: str, template: str, recipient_id: UUID) -> str:
    """A referral email: once per (referral, status, decision, template, recipient)."""
    return f"{referral.referral_id}|{status}|{referral_decision(referral)}|{template}|{recipient_id}"


def digest_key(table_id: UUID, week: str) -> str:
    """A table's weekly digest: once per (table, ISO week), whoever its delegate is."""
    return f"{table_id}|{week}|weekly_digest"
