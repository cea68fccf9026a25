"""The one generator of synthetic seasons (seeded, reproducible) for the demo, the benchmarks and the
comparisons.

- ``generate(SeasonSpec)``: the demo season as request bodies of the public APIs (partners, tables,
  offers, proposals, counsellors, people); ``python -m tools.season generate`` writes it to a
  directory (data/demo is the committed one) and ``tools.season`` loads it (docs/demo-season.md).
- ``make_season``: proposals from organizations of the regions and the calendar rules, for the
  season planner, its report and the calendar benchmark.
- ``make_market(Size)``: a round's market (profiles, cases, offers, partners), for the routing
  comparison and the round benchmark (which opens the cases one at a time: ``make_people_and_offers``,
  then ``open_cases``).
"""

from .generate import generate
from .market import Size, make_market, make_people_and_offers, open_cases
from .planner_season import SEASON_START, make_season
from .spec import Season, SeasonSpec, next_monday

__all__ = [
    "SEASON_START",
    "Season",
    "SeasonSpec",
    "Size",
    "generate",
    "make_market",
    "make_people_and_offers",
    "make_season",
    "next_monday",
    "open_cases",
]
