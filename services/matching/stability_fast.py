"""The stability checker at scale (pure): the households ``stability.blocking_pairs`` finds blocked,
without trying every organization for every household.

Same inputs (the raw snapshot through ``stability.Judge``, and the placement to judge), same rule
(docs/matching.md), never the round's lists. What changes is the search. An organization o would
take a household h when it has a place left or h beats the weakest household it holds — fit, then
the lower case id — so one threshold per organization says it. Inside a region, h's fit is the same
for every organization that serves its language (its region score + 10), and the same for every one
that does not; so for each region, language and "serves it or not", the organizations in offer-id
order with running minima of their thresholds answer "is there one h would rather have that would
take it?" in one comparison for a whole region, or one bisection for the organizations before h's
own. A household that declined some organization is checked one organization at a time, as
``blocking_pairs`` does. tests/unit/test_stability_fast.py compares both on random placements.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from datetime import date
from uuid import UUID

from .concertation import Market
from .ranking import preference_points, serves
from .snapshot import SnapshotCase
from .stability import RECOMPUTED, Judge, Welcome, accepts

Key = tuple[float, int]  # (fit, -case id): higher is better for the organization
TAKES_ANYONE: Key = (-math.inf, 0)


class _Group:
    """Organizations of one region that all serve, or all do not serve, one language: their offer
    ids in order and the running minimum of their thresholds."""

    def __init__(self, found: list[tuple[int, Key]]) -> None:
        found.sort()
        self.ids = [offer for offer, _ in found]
        self.lowest: list[Key] = []
        for _, threshold in found:
            self.lowest.append(min(threshold, self.lowest[-1]) if self.lowest else threshold)

    def takes(self, key: Key, below: int | None = None) -> bool:
        """Whether one of the group (with an offer id below ``below``, if given) would take ``key``."""
        count = len(self.ids) if below is None else bisect.bisect_left(self.ids, below)
        return count > 0 and key > self.lowest[count - 1]


def _bases(case: SnapshotCase) -> dict[str, float]:
    found: dict[str, float] = {}
    for scored in case.regions:
        if scored.region not in found:
            found[scored.region] = sum(f.points for f in scored.factors if f.factor not in RECOMPUTED)
    return found


def blocked_people(market: Market, placed: Mapping[UUID, UUID | None], today: date) -> set[UUID]:
    """The people (ids) in at least one blocking pair of a placement (person id → welcoming offer id
    of this round's plans): the households ``blocked_households(blocking_pairs(...))`` counts."""
    judge = Judge(market, today)
    by_offer = {w.offer.offer_id: w for w in judge.welcomers}
    members: dict[UUID, list[SnapshotCase]] = {w.offer.offer_id: [] for w in judge.welcomers}
    for person, offer_id in placed.items():
        if offer_id is not None:
            members[offer_id].append(judge.cases[person])
    groups: dict[tuple[str, str, bool], list[tuple[int, Key]]] = {}
    for w in judge.welcomers:
        if w.places <= 0 or w.region not in judge.open_regions:
            continue  # no household accepts it (Judge.acceptable)
        held = members[w.offer.offer_id]
        threshold = (
            TAKES_ANYONE if len(held) < w.places else min((judge.fit(c, w), -c.case_id.int) for c in held)
        )
        for language in ("fr", "en"):
            groups.setdefault((w.region, language, serves(w.partner, language)), []).append(
                (w.offer.offer_id.int, threshold)
            )
    index = {key: _Group(found) for key, found in groups.items()}
    declined = {person for person, _ in judge.declined}
    blocked = set()
    for person, case in judge.cases.items():
        offer_id = placed.get(person)
        own = by_offer[offer_id] if offer_id is not None else None
        if person in declined:
            if _blocked_one_by_one(judge, case, own, members):
                blocked.add(person)
        elif _blocked(judge, case, own, index):
            blocked.add(person)
    return blocked


def _blocked(
    judge: Judge, case: SnapshotCase, own: Welcome | None, index: Mapping[tuple[str, str, bool], _Group]
) -> bool:
    profile = judge.market.profiles[case.person_id]
    language, ranked = profile.language, profile.preferred_regions
    rank = {region: n for n, region in enumerate(ranked)}
    own_rank = len(ranked) + 1 if own is None else rank.get(own.region, len(ranked))
    bases = _bases(case)
    minus_id = -case.case_id.int
    for region in judge.open_regions:
        if not accepts(profile, region):
            continue
        here = rank.get(region, len(ranked))
        same = own is not None and region == own.region
        if here >= own_rank and not same:
            continue
        base = bases.get(region)
        if base is None:
            points = preference_points(profile, region)
            base = points.points if points is not None else 0.0
        score = round(base + judge.service_points(region, language), 2)
        serving = index.get((region, language, True))
        others = index.get((region, language, False))
        serving_key = (round(score + 10.0, 2), minus_id)
        other_key = (round(score, 2), minus_id)
        if not same:
            if (serving and serving.takes(serving_key)) or (others and others.takes(other_key)):
                return True
            continue
        assert own is not None
        below = own.offer.offer_id.int
        if serves(own.partner, language):
            if serving and serving.takes(serving_key, below):
                return True
        elif (serving and serving.takes(serving_key)) or (others and others.takes(other_key, below)):
            return True
    return False


def _blocked_one_by_one(
    judge: Judge, case: SnapshotCase, own: Welcome | None, members: Mapping[UUID, list[SnapshotCase]]
) -> bool:
    for w in judge.welcomers:
        if w is own or not judge.acceptable(case, w) or not judge.said_better(case, w, own):
            continue
        held = members[w.offer.offer_id]
        if len(held) < w.places or any(judge.takes_over(w, case, other) for other in held):
            return True
    return False
