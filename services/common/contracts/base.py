"""Base classes and shared field types for every message on Concerto's topics.

Every value model is frozen, carries a ``schema_version`` and ignores unknown
fields, so that a consumer built against version N reads version N+1 (fields are
only ever added, optional, never renamed).
"""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

SCHEMA_VERSION = 1

RegionCode = Annotated[
    str,
    StringConstraints(pattern=r"^(0[1-9]|1[0-7])$"),
    Field(description="Québec administrative region, ISQ code 01–17 (06 is Montréal)."),
]
Language = Annotated[
    Literal["fr", "en"],
    Field(description="Contact language: fr (fr-CA, the default) or en."),
]
MrcCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d{3}$"),
    Field(description="MRC or equivalent territory, the ministry's 3-digit geographic code (e.g. 460)."),
]
CnpCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d{5}$"),
    Field(description="CNP/NOC 2021 unit group: 5 digits, the 2nd is the TEER level."),
]


def _without_offset(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local time in Montréal carries no UTC offset")
    return value


LocalTime = Annotated[
    time,
    AfterValidator(_without_offset),
    # JSON Schema's "time" format is RFC 3339's full-time, which requires an offset; this is its partial-time.
    WithJsonSchema(
        {
            "type": "string",
            "format": "partial-time",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
            "description": "A local time in Montréal, HH:MM[:SS[.ffffff]], without UTC offset.",
        }
    ),
]


class Contract(BaseModel):
    """Base of every key and value model on a topic."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Versioned(Contract):
    """Base of every value model: it carries its schema version."""

    schema_version: int = Field(
        default=SCHEMA_VERSION,
        ge=1,
        strict=True,  # "2", 1.0 or true is a wrong version, not version 2 or 1 (see codec)
        description="Version of this message's schema; changes are backward compatible.",
    )
