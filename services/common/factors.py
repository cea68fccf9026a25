"""A referral's factors as the person reads them.

The round writes its factors for staff ("the person's choice no. 2", "open to any region"); the
person's email and their file say "your choice no. 2", "you are open to any region".
"""

from __future__ import annotations

import re

from services.common.contracts import Factor


def for_the_person(factor: Factor, language: str) -> str:
    """``factor`` in ``language``, worded for the person it is about."""
    french = language == "fr"
    text = factor.detail_fr if french else factor.detail_en
    if factor.factor != "preference":
        return text
    rank = re.search(r"\d+", text)
    if rank is not None and ("personne" in text or "person's" in text):
        return f"Votre choix n° {rank.group()}" if french else f"Your choice no. {rank.group()}"
    if "toute région" in text or "any region" in text:
        return "Vous êtes ouvert·e à toute région" if french else "You are open to any region"
    return text
