"""What to bring to the first meeting, by immigration status: data/documents_to_bring.json.

The list is data the hub edits, not code: read on first use, validated (every
immigration status has its list, every item is written in French and English),
cached. A broken file raises ``ValueError`` naming the file, so the worker
refuses to start on it rather than send emails without the list.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.common.contracts import ImmigrationStatus
from services.common.reference import DATA_DIR

FILE = "documents_to_bring.json"


class Document(BaseModel):
    """A document to bring, in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fr: str = Field(min_length=3)
    en: str = Field(min_length=3)


class DocumentsToBring(BaseModel):
    """The documents every person brings, and those of each immigration status."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    note: str = ""
    common: tuple[Document, ...]
    by_status: dict[ImmigrationStatus, tuple[Document, ...]]

    @model_validator(mode="after")
    def _every_status_has_its_list(self) -> DocumentsToBring:
        missing = [status.value for status in ImmigrationStatus if status not in self.by_status]
        if missing:
            raise ValueError(f"no list for immigration status {', '.join(missing)}")
        return self

    def for_status(self, status: ImmigrationStatus | None, language: str) -> list[str]:
        """The common documents, then those of ``status`` (none when it is unknown), in ``language``."""
        documents = [*self.common, *(self.by_status[status] if status is not None else ())]
        return [d.fr if language == "fr" else d.en for d in documents]


@cache
def documents_to_bring(data_dir: Path = DATA_DIR) -> DocumentsToBring:
    """The validated list in ``data_dir`` (cached)."""
    path = data_dir / FILE
    try:
        return DocumentsToBring.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
