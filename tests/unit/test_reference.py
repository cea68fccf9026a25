"""The reference data shipped in data/: it loads, it says what the domain says, and bad data is refused.

Broken data directories are copies of data/ written to ``tmp_path`` with one
file spoiled; loading them must fail with a ValueError naming that file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.common.reference import DATA_DIR, ReferenceData, load_reference, region_names

REFERENCE_FILES = ("regions.json", "mrcs.json", "cnp.json", "french_levels.json", "partner_kinds.json")
# Occupations the demo scenario and the examples use.
DEMO_OCCUPATIONS = (
    "21231",  # software engineers and designers
    "72410",  # automotive service technicians, truck and bus mechanics
    "31301",  # registered nurses
    "33102",  # nurse aides, orderlies and patient service associates
    "63200",  # cooks
    "65200",  # food and beverage servers
    "73300",  # transport truck drivers
    "94100",  # machine operators, mineral and metal processing
    "75110",  # construction trades helpers and labourers
    "41220",  # secondary school teachers
    "42202",  # early childhood educators and assistants
    "11100",  # financial auditors and accountants
    "22310",  # electrical and electronics engineering technologists and technicians
    "72106",  # welders and related machine operators
    "84120",  # specialized livestock workers and farm machinery operators
)
FOUNDING_PARTNER_KINDS = (
    "community_organization",
    "provincial_body",
    "employer",
    "municipality",
    "coordinating_hub",
)


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_reference()


def test_the_shipped_reference_data_loads_once(reference: ReferenceData) -> None:
    assert load_reference() is reference
    assert reference.regions
    assert reference.mrcs
    assert reference.cnp_unit_groups


def test_quebec_has_seventeen_administrative_regions(reference: ReferenceData) -> None:
    assert [r.code for r in reference.regions] == [f"{n:02d}" for n in range(1, 18)]
    montreal = reference.region("06")
    assert montreal is not None
    assert montreal.fr == "Montréal"
    assert reference.region("18") is None
    assert region_names("fr")["05"] == "Estrie"


@pytest.mark.parametrize("region", [f"{n:02d}" for n in range(1, 18) if n not in (6, 13)])
def test_every_destination_region_has_at_least_three_mrcs(reference: ReferenceData, region: str) -> None:
    assert len(reference.mrcs_of(region)) >= 3


@pytest.mark.parametrize(("region", "code", "name"), [("06", "660", "Montréal"), ("13", "650", "Laval")])
def test_montreal_and_laval_are_each_a_single_equivalent_territory(
    reference: ReferenceData, region: str, code: str, name: str
) -> None:
    (territory,) = reference.mrcs_of(region)
    assert (territory.code, territory.name) == (code, name)


def test_nord_du_quebec_is_jamesie_kativik_and_eeyou_istchee(reference: ReferenceData) -> None:
    assert {m.name for m in reference.mrcs_of("10")} == {"Jamésie", "Kativik", "Eeyou Istchee"}


def test_mrc_460_is_brome_missisquoi_in_estrie_since_2021(reference: ReferenceData) -> None:
    # Brome-Missisquoi and La Haute-Yamaska moved from Montérégie (16) to Estrie (05) on 2021-07-08.
    brome_missisquoi = reference.mrc("460")
    assert brome_missisquoi is not None
    assert (brome_missisquoi.name, brome_missisquoi.region) == ("Brome-Missisquoi", "05")
    assert reference.region_of_mrc("470") == "05"


@pytest.mark.parametrize(
    ("code", "name", "region"),
    [("580", "Longueuil", "16"), ("230", "Québec", "03"), ("251", "Lévis", "12"), ("810", "Gatineau", "07"),
     ("430", "Sherbrooke", "05"), ("941", "Saguenay", "02"), ("371", "Trois-Rivières", "04"),
     ("360", "Shawinigan", "04"), ("740", "Mirabel", "15")],
)  # fmt: skip
def test_cities_that_are_equivalent_territories(
    reference: ReferenceData, code: str, name: str, region: str
) -> None:
    territory = reference.mrc(code)
    assert territory is not None
    assert (territory.name, territory.region) == (name, region)


def test_mrc_codes_are_unique_three_digit_strings(reference: ReferenceData) -> None:
    codes = [m.code for m in reference.mrcs]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 3 and code.isdigit() for code in codes)
    assert reference.mrc("999") is None
    assert reference.region_of_mrc("999") is None


def test_the_mrc_list_says_whether_it_is_complete(reference: ReferenceData) -> None:
    assert reference.mrcs_note
    if reference.mrcs_complete:
        assert len(reference.mrcs) == 104  # 87 MRCs and 17 equivalent territories


def test_the_cnp_sample_covers_every_teer_and_every_broad_category(reference: ReferenceData) -> None:
    assert {u.teer for u in reference.cnp_unit_groups} == set(range(6))
    assert {u.code[0] for u in reference.cnp_unit_groups} == set("0123456789")


def test_teer_is_the_second_digit_of_every_cnp_code(reference: ReferenceData) -> None:
    assert all(u.teer == int(u.code[1]) for u in reference.cnp_unit_groups)


@pytest.mark.parametrize("code", DEMO_OCCUPATIONS)
def test_the_demo_occupations_are_in_the_cnp_sample(reference: ReferenceData, code: str) -> None:
    unit_group = reference.cnp(code)
    assert unit_group is not None
    assert unit_group.title_fr
    assert unit_group.title_en


def test_the_french_scale_has_twelve_levels_in_three_stages(reference: ReferenceData) -> None:
    stages = {f.level: (f.stage, f.stage_en) for f in reference.french_levels}
    assert sorted(stages) == list(range(1, 13))
    assert {stages[n] for n in range(1, 5)} == {("débutant", "beginner")}
    assert {stages[n] for n in range(5, 9)} == {("intermédiaire", "intermediate")}
    assert {stages[n] for n in range(9, 13)} == {("avancé", "advanced")}
    assert reference.french_level(13) is None


def test_partner_kinds_include_the_five_founding_kinds(reference: ReferenceData) -> None:
    assert all(reference.is_partner_kind(kind) for kind in FOUNDING_PARTNER_KINDS)
    assert not reference.is_partner_kind("concertation_table")


# --- broken data directories -------------------------------------------------------------------------------


def _edit(data_dir: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = data_dir / name
    content = json.loads(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped data/, to spoil."""
    for name in REFERENCE_FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def test_a_good_copy_of_the_data_loads(data_dir: Path) -> None:
    assert load_reference(data_dir).mrc("460") is not None


def test_an_mrc_in_an_unknown_region_is_refused(data_dir: Path) -> None:
    _edit(
        data_dir,
        "mrcs.json",
        lambda d: d["mrcs"].append({"code": "998", "name": "Nulle part", "region": "99"}),
    )
    with pytest.raises(ValueError, match=r"mrcs\.json.*unknown region 99"):
        load_reference(data_dir)


def test_a_duplicate_mrc_code_is_refused(data_dir: Path) -> None:
    _edit(
        data_dir, "mrcs.json", lambda d: d["mrcs"].append({"code": "460", "name": "Doublon", "region": "05"})
    )
    with pytest.raises(ValueError, match=r"mrcs\.json.*duplicate MRC code 460"):
        load_reference(data_dir)


def test_a_teer_that_disagrees_with_its_code_is_refused(data_dir: Path) -> None:
    def nurses_at_teer_3(content: dict[str, Any]) -> None:
        for unit_group in content["unit_groups"]:
            if unit_group["code"] == "31301":
                unit_group["teer"] = 3

    _edit(data_dir, "cnp.json", nurses_at_teer_3)
    with pytest.raises(ValueError, match=r"cnp\.json.*TEER 3 disagrees"):
        load_reference(data_dir)


def test_a_french_scale_without_level_12_is_refused(data_dir: Path) -> None:
    _edit(data_dir, "french_levels.json", lambda d: d["levels"].pop())
    with pytest.raises(ValueError, match=r"french_levels\.json.*exactly 1 to 12"):
        load_reference(data_dir)


def test_a_level_in_the_wrong_stage_is_refused(data_dir: Path) -> None:
    _edit(
        data_dir, "french_levels.json", lambda d: d["levels"][4].update(stage="débutant", stage_en="beginner")
    )
    with pytest.raises(ValueError, match=r"french_levels\.json.*level 5 is not in stage"):
        load_reference(data_dir)


@pytest.mark.parametrize("code", ["Employer", "x", "employeur-régional"])
def test_a_partner_kind_code_must_be_snake_case(data_dir: Path, code: str) -> None:
    _edit(data_dir, "partner_kinds.json", lambda d: d["kinds"].append({"code": code, "fr": "X", "en": "X"}))
    with pytest.raises(ValueError, match=r"partner_kinds\.json"):
        load_reference(data_dir)


def test_a_missing_file_is_named(data_dir: Path) -> None:
    (data_dir / "cnp.json").unlink()
    with pytest.raises(ValueError, match=r"cnp\.json"):
        load_reference(data_dir)
