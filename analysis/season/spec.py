"""What a season is made of: the demo season's parameters and files, and the helpers every part of
the generator uses (the demo season, the planner's season, the round's market).

A season is a directory of JSON files, each a list of records
``{"id": <generated uuid>, "body": <request body>, ...}``; a body refers to
other generated records by their generated id, which the loader replaces with
the id the server gave them. Bodies are exactly what the public APIs accept.
"""

from __future__ import annotations

import random
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from services.common.clock import default_clock

Record = dict[str, Any]

FILES = ("partners", "tables", "offers", "proposals", "counsellors", "people")
"""The record files of a season, in the order the loader posts them."""
MANIFEST = "season.json"
RULES = "rules.json"

# How many organizations (and, for people, how much interest) each destination region draws.
REGION_WEIGHTS = {
    "01": 3, "02": 4, "03": 8, "04": 5, "05": 6, "07": 4, "08": 3, "09": 2,
    "10": 1, "11": 2, "12": 6, "13": 3, "14": 4, "15": 5, "16": 8, "17": 4,
}  # fmt: skip


def next_monday(today: date) -> date:
    """The first Monday after ``today`` (a week later if today is a Monday)."""
    return today + timedelta(days=7 - today.weekday())


@dataclass(frozen=True)
class SeasonSpec:
    """The parameters of a season; the same spec gives the same files."""

    seed: int = 2026
    start: date = field(default_factory=lambda: next_monday(default_clock().today()))
    people: int = 1000
    partners: int = 40
    tables: int = 10
    jobs: int = 150
    proposals: int = 60
    counsellors: int = 12
    weeks: int = 26
    capacity_share: float = 0.4
    """Sum of the intake capacities (households) as a share of the number of people."""

    @property
    def end(self) -> date:
        """The last day of the season."""
        return self.start + timedelta(weeks=self.weeks) - timedelta(days=1)


@dataclass
class Season:
    """A generated season: its manifest, the calendar rules it assumes, and its records by file."""

    manifest: dict[str, Any]
    rules: dict[str, Any]
    records: dict[str, list[Record]]

    def write(self, out: Path) -> list[Path]:
        """Write the season to ``out`` (one record per line, so diffs stay readable); the files written."""
        out.mkdir(parents=True, exist_ok=True)
        written = [_write_json(out / MANIFEST, self.manifest), _write_json(out / RULES, self.rules)]
        for name in FILES:
            path = out / f"{name}.json"
            with path.open("wb") as file:  # streamed: a large season is never held twice in memory
                file.write(b"[")
                for index, record in enumerate(self.records[name]):
                    file.write(b",\n" if index else b"\n")
                    file.write(orjson.dumps(record))
                file.write(b"\n]\n")
            written.append(path)
        return written

    @classmethod
    def read(cls, directory: Path) -> Season:
        """The season written in ``directory``."""
        records = {name: orjson.loads((directory / f"{name}.json").read_bytes()) for name in FILES}
        return cls(
            manifest=orjson.loads((directory / MANIFEST).read_bytes()),
            rules=orjson.loads((directory / RULES).read_bytes()),
            records=records,
        )


def _write_json(path: Path, value: Any) -> Path:
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    return path


def draw_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from the season's random generator (reproducible)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def new_id(rng: random.Random) -> str:
    """A generated id of a record: ``draw_uuid`` as text."""
    return str(draw_uuid(rng))


@cache
def ascii_slug(text: str, separator: str = "-") -> str:
    """Lower-case ASCII words of ``text`` joined by ``separator`` (for email local parts); cached."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return separator.join(re.findall(r"[a-z0-9]+", plain))


_ELISIONS = ((re.compile(r"\bde Les "), "des "), (re.compile(r"\bde Le "), "du "))
_VOWEL = re.compile(r"\bde ([AEIOUÉÈÎÔ])")


def french_of(text: str) -> str:
    """French contractions after "de": "de Les Basques" → "des Basques", "de Abitibi" → "d'Abitibi"."""
    for pattern, replacement in _ELISIONS:
        text = pattern.sub(replacement, text)
    return _VOWEL.sub(r"d'\1", text)
