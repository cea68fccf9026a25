"""Reference data shipped in data/ (read-only): Québec's administrative regions."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@cache
def region_names(language: str, data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Region code → name in ``language`` (fr or en)."""
    regions = json.loads((data_dir / "regions.json").read_text(encoding="utf-8"))["regions"]
    return {r["code"]: r[language] for r in regions}
