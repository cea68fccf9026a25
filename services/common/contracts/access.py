"""The staff access log: every read of a person's contact data by staff (Québec's Law 25,
accountability). Written by matching-api, which serves contact data, before it answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from .base import Contract, Versioned


class AccessKey(Contract):
    """Key of contact-access.v1: one record per read."""

    access_id: UUID = Field(description="Id of this read, chosen by matching-api.")


class ContactAccessed(Versioned):
    """A staff member read a person's contact data (contact-access.v1, a fact).

    It names the person by id only, never the data read.
    """

    access_id: UUID
    person_id: UUID = Field(description="Whose contact data was read (pseudonymous id).")
    by_role: Literal["hub", "counsellor"] = Field(description="The reader's role.")
    by_subject: str = Field(description="The reader: their token's subject (a counsellor id, a hub account).")
    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="Where the read was made: the web page or the program that asked."
    )
    accessed_at: datetime = Field(description="When it was read (UTC).")
