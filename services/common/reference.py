"""Reference data shipped in data/ (read-only): regions, MRCs, CNP unit groups, French levels, partner kinds.

Nothing is read at import: ``load_reference()`` reads the JSON files on first
use, validates each with the models below, cross-checks them and caches the
result. A broken file raises ``ValueError`` naming the file and the problem, so
a service refuses to start on bad data instead of serving it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@cache
def region_names(language: str, data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Region code → name in ``language`` (fr or en)."""
    regions = json.loads((data_dir / "regions.json").read_text(encoding="utf-8"))["regions"]
    return {r["code"]: r[language] for r in regions}


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Stage = Literal["débutant", "intermédiaire", "avancé"]
StageEn = Literal["beginner", "intermediate", "advanced"]
# Stages of the Échelle québécoise: levels 1–4, 5–8 and 9–12.
_STAGES: dict[str, tuple[str, range]] = {
    "débutant": ("beginner", range(1, 5)),
    "intermédiaire": ("intermediate", range(5, 9)),
    "avancé": ("advanced", range(9, 13)),
}


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Region(_Entry):
    """A Québec administrative region (ISQ code)."""

    code: str = Field(pattern=r"^\d{2}$", description="ISQ code, 01–17 (06 is Montréal).")
    fr: Name = Field(description="Name in French.")
    en: Name = Field(description="Name in English.")


class Mrc(_Entry):
    """An MRC or a territory equivalent to an MRC (TE: agglomeration, city, northern territory)."""

    code: str = Field(pattern=r"^\d{3}$", description="The ministry's 3-digit geographic code, e.g. 460.")
    name: Name = Field(description="Official name, e.g. Brome-Missisquoi.")
    region: str = Field(pattern=r"^\d{2}$", description="Code of the administrative region it belongs to.")


class CnpUnitGroup(_Entry):
    """A CNP/NOC 2021 unit group: 5 digits, the 1st is the broad category, the 2nd the TEER level."""

    code: str = Field(pattern=r"^\d{5}$", description="5-digit CNP 2021 code, e.g. 21231.")
    title_fr: Name = Field(description="Official French title (CNP).")
    title_en: Name = Field(description="Official English title (NOC).")
    teer: int = Field(ge=0, le=5, description="TEER level 0–5; always the code's 2nd digit.")

    @model_validator(mode="after")
    def _teer_is_the_second_digit(self) -> Self:
        if self.teer != int(self.code[1]):
            raise ValueError(f"CNP {self.code}: TEER {self.teer} disagrees with its code (2nd digit)")
        return self


class FrenchLevel(_Entry):
    """A level of the Échelle québécoise des niveaux de compétence en français (1–12)."""

    level: int = Field(ge=1, le=12, description="Level 1–12.")
    stage: Stage = Field(description="Stage: débutant (1–4), intermédiaire (5–8), avancé (9–12).")
    stage_en: StageEn = Field(description="The stage in English.")
    description_fr: Name = Field(description="What a person at this level can do, in French.")
    description_en: Name = Field(description="The same, in English.")

    @model_validator(mode="after")
    def _stage_fits_the_level(self) -> Self:
        stage_en, levels = _STAGES[self.stage]
        if self.level not in levels or self.stage_en != stage_en:
            raise ValueError(f"level {self.level} is not in stage {self.stage}/{self.stage_en}")
        return self


class PartnerKind(_Entry):
    """A kind of partner body; new kinds are added as data."""

    code: str = Field(pattern=r"^[a-z][a-z_]{1,49}$", description="Stable code, e.g. community_organization.")
    fr: Name = Field(description="Label in French.")
    en: Name = Field(description="Label in English.")


class _RegionsFile(_Entry):
    source: str
    regions: tuple[Region, ...]


class _MrcsFile(_Entry):
    source: str
    complete: bool
    note: str
    mrcs: tuple[Mrc, ...]


class _CnpFile(_Entry):
    source: str
    note: str
    unit_groups: tuple[CnpUnitGroup, ...]


class _FrenchLevelsFile(_Entry):
    source: str
    note: str = ""
    levels: tuple[FrenchLevel, ...]


class _PartnerKindsFile(_Entry):
    note: str = ""
    kinds: tuple[PartnerKind, ...]


_File = TypeVar("_File", bound=_Entry)


def _read(path: Path, model: type[_File]) -> _File:
    """The file parsed into ``model``; any problem becomes a ValueError naming the file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot be read as JSON: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'file'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ValueError(f"{path}: {problems}") from exc


def _unique(path: Path, what: str, codes: Iterable[object]) -> None:
    seen: set[object] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{path}: duplicate {what} {code}")
        seen.add(code)


@dataclass(frozen=True)
class ReferenceData:
    """The validated reference data, with lookups by code."""

    regions: tuple[Region, ...]
    mrcs: tuple[Mrc, ...]
    mrcs_complete: bool
    mrcs_note: str
    cnp_unit_groups: tuple[CnpUnitGroup, ...]
    french_levels: tuple[FrenchLevel, ...]
    partner_kinds: tuple[PartnerKind, ...]
    _regions: dict[str, Region] = field(init=False, repr=False, compare=False)
    _mrcs: dict[str, Mrc] = field(init=False, repr=False, compare=False)
    _cnp: dict[str, CnpUnitGroup] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Indexes built once; the dataclass is frozen, hence object.__setattr__.
        object.__setattr__(self, "_regions", {r.code: r for r in self.regions})
        object.__setattr__(self, "_mrcs", {m.code: m for m in self.mrcs})
        object.__setattr__(self, "_cnp", {u.code: u for u in self.cnp_unit_groups})

    def region(self, code: str) -> Region | None:
        """The region with this ISQ code, if any."""
        return self._regions.get(code)

    def is_region(self, code: str) -> bool:
        """Whether ``code`` is an administrative region."""
        return code in self._regions

    def mrc(self, code: str) -> Mrc | None:
        """The MRC or equivalent territory with this 3-digit code, if any."""
        return self._mrcs.get(code)

    def region_of_mrc(self, code: str) -> str | None:
        """The region code of an MRC, or None if the MRC is unknown."""
        found = self._mrcs.get(code)
        return found.region if found else None

    def mrcs_of(self, region: str) -> tuple[Mrc, ...]:
        """The MRCs and equivalent territories of a region, in code order."""
        return tuple(m for m in self.mrcs if m.region == region)

    def cnp(self, code: str) -> CnpUnitGroup | None:
        """The CNP unit group with this code, if it is in the shipped sample."""
        return self._cnp.get(code)

    def french_level(self, level: int) -> FrenchLevel | None:
        """The level 1–12 of the Échelle québécoise, if it exists."""
        return next((f for f in self.french_levels if f.level == level), None)

    def is_partner_kind(self, code: str) -> bool:
        """Whether ``code`` is a known kind of partner."""
        return any(k.code == code for k in self.partner_kinds)


@cache
def load_reference(data_dir: Path = DATA_DIR) -> ReferenceData:
    """Read, validate and cross-check the reference data in ``data_dir`` (cached per directory)."""
    regions_path, mrcs_path = data_dir / "regions.json", data_dir / "mrcs.json"
    cnp_path, levels_path = data_dir / "cnp.json", data_dir / "french_levels.json"
    kinds_path = data_dir / "partner_kinds.json"

    regions = _read(regions_path, _RegionsFile).regions
    _unique(regions_path, "region code", (r.code for r in regions))
    region_codes = {r.code for r in regions}

    mrcs = _read(mrcs_path, _MrcsFile)
    _unique(mrcs_path, "MRC code", (m.code for m in mrcs.mrcs))
    for mrc in mrcs.mrcs:
        if mrc.region not in region_codes:
            raise ValueError(f"{mrcs_path}: MRC {mrc.code} {mrc.name} is in unknown region {mrc.region}")

    cnp = _read(cnp_path, _CnpFile).unit_groups
    _unique(cnp_path, "CNP code", (u.code for u in cnp))

    levels = _read(levels_path, _FrenchLevelsFile).levels
    if sorted(f.level for f in levels) != list(range(1, 13)):
        raise ValueError(f"{levels_path}: levels must be exactly 1 to 12, got {[f.level for f in levels]}")

    kinds = _read(kinds_path, _PartnerKindsFile).kinds
    _unique(kinds_path, "partner kind", (k.code for k in kinds))

    return ReferenceData(
        regions=regions,
        mrcs=tuple(sorted(mrcs.mrcs, key=lambda m: m.code)),
        mrcs_complete=mrcs.complete,
        mrcs_note=mrcs.note,
        cnp_unit_groups=cnp,
        french_levels=tuple(sorted(levels, key=lambda f: f.level)),
        partner_kinds=kinds,
    )
