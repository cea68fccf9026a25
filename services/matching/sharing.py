"""What a welcoming partner may know of a household referred to it (pure).

Only what the person consented to share for a referral (Law 25: consent per
purpose): the household's composition, occupations, languages, French level
and when they can move. Never their name, email or phone: matching-api serves
those to this partner alone, and only when the person agreed (share_contact).
"""

from __future__ import annotations

from services.common.contracts import InterestDeclared, PartnerReferral, Referral


def partner_view(referral: Referral, profile: InterestDeclared) -> PartnerReferral | None:
    """The partner's view of ``referral`` (None when it has no welcoming partner)."""
    if referral.welcoming_partner_id is None or referral.region is None:
        return None
    return PartnerReferral(
        referral_id=referral.referral_id,
        round_id=referral.round_id,
        partner_id=referral.welcoming_partner_id,
        region=referral.region,
        status=referral.status,
        household=profile.household,
        occupations=profile.cnp_codes,
        french_level=profile.french_level,
        english_level=profile.english_level,
        language=profile.language,
        earliest_move_date=profile.earliest_move_date,
        contact_shared=contact_shared(profile),
        counsellor_id=referral.counsellor_id,
        issued_at=referral.issued_at,
        updated_at=referral.updated_at,
    )


def contact_shared(profile: InterestDeclared) -> bool:
    """Whether the person agreed that their welcoming partner sees their contact data."""
    return profile.consents is not None and profile.consents.share_contact
