"""The words of the partner pages: the households referred to an organization and their settlement
milestones; French (fr-CA) first, then English. Part of the one catalogue (texts.py ``TEXTS``)."""

from __future__ import annotations

PARTNER_TEXTS: dict[str, tuple[str, str]] = {
    "households": ("Ménages orientés vers nous", "Households referred to us"),
    "households_intro": (
        "Voici les ménages qu'une ronde de concertation a orientés vers votre organisme. "
        "Vous voyez leurs coordonnées seulement si la personne a accepté de les partager avec vous.",
        "These are the households a concertation round referred to your organization. "
        "You see their contact details only if the person agreed to share them with you.",
    ),
    "households_count": ("{count} ménage(s)", "{count} household(s)"),
    "no_households": ("Aucun ménage pour le moment.", "No households yet."),
    "household": ("Ménage {ref}", "Household {ref}"),
    "open_household": ("Voir le ménage {ref}", "See household {ref}"),
    "back_to_households": ("Revenir aux ménages", "Back to the households"),
    "household_people": (
        "{adults} adulte(s), {children} enfant(s)",
        "{adults} adult(s), {children} child(ren)",
    ),
    "household_composition": ("Composition", "Household"),
    "occupations": ("Professions (codes CNP)", "Occupations (NOC codes)"),
    "earliest_move": ("Peut déménager à partir du", "Can move from"),
    "french_level_label": ("Niveau de français", "French level"),
    "message_language": ("Langue des messages", "Language of messages"),
    "contact_not_shared": (
        "La personne n'a pas accepté de partager ses coordonnées. Votre conseillère ou votre "
        "conseiller du carrefour fait le lien.",
        "The person did not agree to share their contact details. Their counsellor at the hub "
        "makes the link.",
    ),
    # Settlement
    "settlement": ("Installation", "Settlement"),
    "settlement_status": ("Étape", "Step"),
    "settlement_none": (
        "Le ménage n'a pas encore accepté son plan. Vous pourrez noter les étapes ensuite.",
        "The household has not accepted its plan yet. You can record the steps after that.",
    ),
    "st_awaiting_contact": ("En attente du premier contact", "Awaiting first contact"),
    "st_contacted": ("Premier contact fait", "First contact made"),
    "st_visited": ("Visite exploratoire faite", "Exploratory visit made"),
    "st_moving": ("Déménagement prévu", "Move planned"),
    "st_arrived": ("Arrivé dans la région", "Arrived in the region"),
    "st_closed": ("Dossier fermé", "File closed"),
    "ms_first_contact": ("Premier contact", "First contact"),
    "ms_exploratory_visit": ("Visite exploratoire", "Exploratory visit"),
    "ms_move": ("Déménagement (date prévue)", "Move (planned date)"),
    "ms_arrival": ("Arrivée dans la région", "Arrival in the region"),
    "not_yet": ("pas encore", "not yet"),
    # Forms
    "record_steps": ("Noter une étape", "Record a step"),
    "record_steps_intro": (
        "Notez chaque étape quand elle a lieu. Une étape notée ne peut pas être retirée.",
        "Record each step when it happens. A step recorded cannot be taken back.",
    ),
    "on_first_contact": ("Date du premier contact", "Date of the first contact"),
    "on_exploratory_visit": ("Date de la visite exploratoire", "Date of the exploratory visit"),
    "on_move": ("Date prévue du déménagement", "Planned date of the move"),
    "on_arrival": ("Date d'arrivée dans la région", "Date of arrival in the region"),
    "hint_lived": (
        "Aujourd'hui ou avant. Format : AAAA-MM-JJ, par exemple 2026-03-15.",
        "Today or earlier. Format: YYYY-MM-DD, for example 2026-03-15.",
    ),
    "hint_move": (
        "Jusqu'à deux ans à l'avance. Format : AAAA-MM-JJ, par exemple 2026-03-15.",
        "Up to two years ahead. Format: YYYY-MM-DD, for example 2026-03-15.",
    ),
    "do_first_contact": ("Noter le premier contact", "Record the first contact"),
    "do_exploratory_visit": ("Noter la visite exploratoire", "Record the exploratory visit"),
    "do_move": ("Noter la date du déménagement", "Record the move date"),
    "do_arrival": ("Noter l'arrivée", "Record the arrival"),
    "step_recorded": (
        "L'étape est enregistrée. La page se met à jour dans un instant.",
        "The step is recorded. The page updates in a moment.",
    ),
    # Form messages: each names the field, then the reason.
    "err_day_missing": ("{field} : indiquez une date.", "{field}: enter a date."),
    "err_day_invalid": (
        "{field} : écrivez une vraie date, au format AAAA-MM-JJ.",
        "{field}: enter a real date, as YYYY-MM-DD.",
    ),
    "err_date_in_future": (
        "{field} : la date ne peut pas être dans le futur.",
        "{field}: the date cannot be in the future.",
    ),
    "err_move_too_far": (
        "{field} : la date est plus de deux ans à l'avance.",
        "{field}: the date is more than two years ahead.",
    ),
    "err_date_before_acceptance": (
        "{field} : la date est avant l'acceptation du plan.",
        "{field}: the date is before the plan was accepted.",
    ),
    "err_date_before_milestone": (
        "{field} : la date est avant une étape déjà notée.",
        "{field}: the date is before a step already recorded.",
    ),
    "err_step_passed": (
        "{field} : cette étape est déjà passée. Une étape notée ne peut pas être retirée.",
        "{field}: this step is already past. A step recorded cannot be taken back.",
    ),
    "err_no_settlement": (
        "{field} : le ménage n'a pas encore accepté son plan.",
        "{field}: the household has not accepted its plan yet.",
    ),
    "err_refused": ("{field} : {reason}", "{field}: {reason}"),
}
