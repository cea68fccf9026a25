"""What a client is told when a request is refused: a stable code and a plain reason, fr-CA or en.

Every 4xx of every API carries ``code`` (stable, for programs) and ``message`` (for people),
in the language of the request's ``Accept-Language`` (French unless English is preferred).
Domain code raises its errors with a ``Message``; the API renders it. No FastAPI here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["fr", "en"]

# code → (French, English); {names} are the message's parameters.
CATALOGUE: dict[str, tuple[str, str]] = {
    # Regions and places
    "unknown_region": (
        "code de région inconnu {value} : utilisez 01 à 17, sauf Montréal (06)",
        "unknown region code {value}: use 01–17, Montréal (06) excluded",
    ),
    "unknown_region_any": (
        "code de région inconnu {value} : utilisez 01 à 17",
        "unknown region code {value}: use 01–17",
    ),
    "montreal_not_destination": (
        "Montréal (06) n'est jamais une destination : choisissez une région de 01 à 17, sauf 06",
        "Montréal (06) is never a destination: choose a region from 01–17, 06 excluded",
    ),
    "region_not_served": (
        "le partenaire {partner} ne dessert pas la région {region} (ses régions : {served})",
        "partner {partner} does not serve region {region} (its regions: {served})",
    ),
    "unknown_mrc": ("code de MRC inconnu {value}", "unknown MRC code {value}"),
    "mrc_outside_region": (
        "la MRC {mrc} est dans la région {home}, pas dans {regions}",
        "MRC {mrc} is in region {home}, not in {regions}",
    ),
    # Partners, tables, offers
    "unknown_partner_kind": (
        "type de partenaire inconnu {value} (voir /reference/partner-kinds)",
        "unknown kind of partner {value} (see /reference/partner-kinds)",
    ),
    "not_nullable": (
        "ne peut pas être vide (omettez le champ pour le garder)",
        "may not be null (leave it out to keep it)",
    ),
    "no_active_partner": ("aucun partenaire actif n'a l'identifiant {value}", "no active partner {value}"),
    "delegate_still_member": (
        "{value} est (ou sera) le délégué de la table : terminez d'abord la délégation",
        "{value} is (or will be) the table's delegate: end the delegation first",
    ),
    "delegate_not_member": (
        "le délégué doit être membre de la table",
        "the delegate must be a member of the table",
    ),
    "ends_before_start": ("la fin précède le début", "it ends before it starts"),
    "details_not_for_kind": (
        "une offre de type {kind} n'a pas de détails « {field} »",
        "a {kind} offer has no `{field}` details",
    ),
    "details_missing": (
        "une offre de type {kind} demande ses détails « {field} »",
        "a {kind} offer needs its `{field}` details",
    ),
    "invalid_cnp": (
        "code CNP invalide : 5 chiffres, le 2e (FEER) de 0 à 5",
        "invalid CNP code: 5 digits, the 2nd (TEER) 0–5",
    ),
    "table_dissolved": (
        "la table de concertation {value} est dissoute",
        "concertation table {value} is dissolved",
    ),
    "partner_deactivated": ("le partenaire {value} est désactivé", "partner {value} is deactivated"),
    "broker_not_secured": (
        "ce broker ne demande aucun identifiant (il n'est pas sécurisé) : il n'y a rien à émettre",
        "this broker takes no credentials (it is not secured): there are none to issue",
    ),
    "hub_names_partner": (
        "le carrefour nomme le partenaire qui publie l'offre",
        "the hub names the partner that publishes the offer",
    ),
    "offer_withdrawn": (
        "une offre retirée ne peut plus être modifiée",
        "a withdrawn offer cannot be changed",
    ),
    "neq_taken": (
        "un partenaire avec le NEQ {value} est déjà inscrit",
        "a partner with NEQ {value} is already registered",
    ),
    # People
    "unknown_cnp": (
        "code CNP 2021 inconnu {value} : donnez plutôt le titre du métier (title)",
        "unknown CNP 2021 code {value}: give the occupation's title instead (title)",
    ),
    "ranked_twice": ("la région {value} est classée deux fois", "region {value} is ranked twice"),
    "date_in_future": ("{value} est une date future", "{value} is in the future"),
    # Settlements (after an accepted plan)
    "settlement_step": (
        "impossible : le parcours du dossier {case} en est à « {status} » ({action} refusé)",
        "case {case}'s settlement is {status}: {action} is refused",
    ),
    "settled_before_arrival": (
        "le dossier {case} en est à « {status} » : enregistrez d'abord l'arrivée dans la région",
        "case {case}'s settlement is {status}: record the arrival in the region first",
    ),
    "date_before_acceptance": (
        "{value} précède l'acceptation du plan ({accepted})",
        "{value} is before the plan was accepted ({accepted})",
    ),
    "date_before_milestone": (
        "{value} précède l'étape {milestone} déjà vécue ({earlier})",
        "{value} is before the {milestone} already recorded ({earlier})",
    ),
    "move_too_far": (
        "{value} est à plus de {days} jours : planifiez un déménagement plus proche",
        "{value} is more than {days} days ahead: plan a nearer move",
    ),
    "region_for_outcome": (
        "région {value} : donnez la région où le ménage vit maintenant, ni Montréal (06) ni {region}",
        "region {value}: give the region the household lives in now, neither Montréal (06) nor {region}",
    ),
    "region_without_move": (
        "une région ne se donne qu'avec l'issue moved_to_another_region",
        "a region is given only with the outcome moved_to_another_region",
    ),
    "plan_lived": (
        "le ménage du plan {referral} est arrivé dans la région : fermez plutôt son dossier",
        "referral {referral}'s household has arrived in the region: close its case instead",
    ),
    # Follow-ups (after the arrival)
    "followup_before_arrival": (
        "le dossier {case} en est à « {status} » : enregistrez d'abord l'arrivée dans la région",
        "case {case}'s settlement is {status}: record the arrival in the region first",
    ),
    "followup_not_due": (
        "le suivi de {value} mois est prévu le {due} : répondez à partir du {opens}",
        "the {value}-month follow-up is due on {due}: answer from {opens}",
    ),
    "followup_month": (
        "suivi de {value} mois inconnu : les suivis sont à 3, 6, 12 et 24 mois",
        "no {value}-month follow-up: follow-ups are at 3, 6, 12 and 24 months",
    ),
    "followup_answered": (
        "le suivi de {value} mois du dossier {case} a déjà une réponse",
        "case {case}'s {value}-month follow-up is already answered",
    ),
    # Measures ledger (after an accepted plan)
    "measure_step": (
        "impossible : la mesure {measure} du dossier {case} en est à « {status} » ({action} refusé)",
        "case {case}'s measure {measure} is {status}: {action} is refused",
    ),
    "measure_unknown": (
        "la personne n'a pas droit à la mesure {value} (voir GET /cases/{case}/measures)",
        "the person is not entitled to measure {value} (see GET /cases/{case}/measures)",
    ),
    "measure_date_before_step": (
        "{value} précède la dernière étape de la mesure ({earlier})",
        "{value} is before the measure's last step ({earlier})",
    ),
    "measure_deadline_past": (
        "l'échéance {value} est passée : donnez une date à partir d'aujourd'hui ({today})",
        "deadline {value} is past: give a day from today ({today}) on",
    ),
    "measure_reason_needed": (
        "donnez la raison du refus (reason)",
        "give the reason for the refusal (reason)",
    ),
    "measure_reason_only_refused": (
        "une raison ne se donne qu'avec un refus (action refuse)",
        "a reason is given only with a refusal (action refuse)",
    ),
    "measure_amount_refused": (
        "un montant ne se donne pas avec un refus",
        "an amount is not given with a refusal",
    ),
    # Calendar
    "date_in_past": ("{value} est une date passée", "{value} is in the past"),
    "unknown_venue": ("lieu inconnu {value} (voir GET /rules)", "unknown venue {value} (see GET /rules)"),
    "unknown_organizer": ("aucun partenaire actif n'a cet identifiant", "no active partner has this id"),
    "region_delegated": (
        "région {region} : la table de concertation « {table} » a délégué le partenaire {delegate} "
        "pour proposer ses activités à Montréal",
        "region {region}: the concertation table «{table}» has delegated partner {delegate} "
        "to propose its activities in Montréal",
    ),
    "region_delegates": (
        "région {region} : ses tables de concertation ont délégué des partenaires pour proposer ses "
        "activités à Montréal, et seuls eux proposent : {delegates}",
        "region {region}: its concertation tables have delegated partners to propose its activities "
        "in Montréal, and only they propose: {delegates}",
    ),
    "proposes_for_itself": (
        "un partenaire propose des activités pour lui-même seulement",
        "a partner proposes activities for itself only",
    ),
    "endorse_forbidden": (
        "seul le carrefour ou le délégué de la table de la région appuie une proposition",
        "only the hub or the delegate of the region's table endorses",
    ),
    "organizer_only": (
        "seul l'organisateur ou le carrefour agit sur une proposition",
        "only the organizer or the hub acts on a proposal",
    ),
    "wrong_status": (
        "impossible : la proposition a le statut « {status} »",
        "cannot {action} a proposal that is {status}",
    ),
    # The calendar's decisions (in the organizer's language)
    "decision_pending_endorsement": (
        "Une activité de type « {kind_fr} » doit être appuyée par la table de concertation de la "
        "région avant d'être inscrite au calendrier.",
        "A {kind} needs the endorsement of the region's concertation table before it is scheduled.",
    ),
    "decision_scheduled": ("Inscrite à votre premier choix.", "Scheduled on the first choice."),
    "decision_priority_taken": (
        "{reason} Appuyée par la table de sa région : elle prend une place provisoire.",
        "{reason} Endorsed by its region's table: it takes a provisional place.",
    ),
    "decision_priority_displaced": (
        "Sa place provisoire du {day} est allée à « {title} », appuyée par la table de concertation "
        "de sa région (les activités appuyées passent d'abord un jour complet). {reason}",
        "Its provisional place on {day} went to «{title}», endorsed by its region's concertation "
        "table (endorsed activities come first on a full day). {reason}",
    ),
    "decision_scheduled_later_choice": (
        "Inscrite à votre choix no {rank} (les choix précédents n'étaient pas possibles).",
        "Scheduled on choice #{rank} (earlier choices were not possible).",
    ),
    "decision_joint_suggested": (
        "« {title} » ({regions}) est déjà au calendrier le {day} pour le même public : joignez-vous-y "
        "en une seule activité conjointe plutôt qu'en une activité distincte.",
        "«{title}» ({regions}) is already scheduled on {day} for the same audience: join it as one "
        "joint activity instead of a separate one.",
    ),
    "decision_not_possible": ("Impossible tel que demandé : {details}", "Not possible as asked: {details}"),
    "decision_not_possible_plain": ("Impossible tel que demandé.", "Not possible as asked."),
    "decision_joined": (
        "Tenue conjointement avec « {title} » le {day}.",
        "Held jointly with «{title}» on {day}.",
    ),
    "decision_withdrawn": ("Retirée par son organisateur.", "Withdrawn by its organizer."),
    "rule_past": ("le {day} est passé", "{day} is in the past"),
    "rule_blackout": ("le {day} est une date exclue", "{day} is a blackout date"),
    "rule_unknown_venue": ("lieu inconnu {venue}", "unknown venue {venue}"),
    "rule_venue_full": (
        "{venue} accueillerait {people} personnes à ce moment (capacité {capacity})",
        "{venue} would hold {people} people at that time (capacity {capacity})",
    ),
    "rule_day_full": (
        "le {day} compte déjà {count} des {max} activités régionales permises",
        "{day} already has {count} of {max} regional activities",
    ),
    "rule_slot_full": (
        "{count} activités ont déjà lieu à ce moment (au plus {max})",
        "{count} activities already run at that time (at most {max})",
    ),
    "rule_region_spacing": (
        "la région {region} a déjà une activité le {day} (au moins {min} jours d'écart)",
        "region {region} already has an activity on {day} (at least {min} days apart)",
    ),
    "rule_sector_spacing": (
        "une activité pour le même secteur a lieu le {day} (au moins {min} jours d'écart)",
        "an activity for the same sector is on {day} (at least {min} days apart)",
    ),
    # Access
    "role_forbidden": ("le rôle {role} ne peut pas faire ceci", "role {role} may not do this"),
    "may_not_act_for": (
        "le rôle {role} ne peut pas agir pour le partenaire {value}",
        "role {role} may not act for partner {value}",
    ),
    "unauthorized": (
        "jeton d'accès absent ou invalide (en-tête Authorization: Bearer)",
        "missing or invalid access token (Authorization: Bearer header)",
    ),
    "not_found": ("introuvable (ou pas encore visible)", "not found (or not visible yet)"),
    "unknown_partner": ("partenaire inconnu {value}", "unknown partner {value}"),
    # The request itself
    "body_too_large": (
        "le corps de la requête dépasse {limit} octets : rien n'a été enregistré",
        "the request body is over {limit} bytes: nothing was recorded",
    ),
    "unsupported_media_type": (
        "type de contenu non pris en charge : envoyez application/json",
        "unsupported content type: send application/json",
    ),
    "invalid_json": ("le corps n'est pas du JSON valide", "the body is not valid JSON"),
    "conflict": ("la demande entre en conflit avec l'état actuel", "{reason}"),
    "state_conflict": (
        "la demande entre en conflit avec l'état actuel",
        "the request conflicts with the current state",
    ),
    "refused": ("vous ne pouvez pas faire ceci", "{reason}"),
    "forbidden": ("vous ne pouvez pas faire ceci", "you may not do this"),
    "request_refused": ("demande refusée", "request refused"),
    "method_not_allowed": ("méthode non permise sur cette adresse", "method not allowed on this path"),
    "record_too_large": (
        "l'enregistrement serait trop gros pour les consommateurs : rien n'a été enregistré",
        "the record would be over the size consumers read: nothing was recorded",
    ),
    "kafka_unavailable": (
        "Kafka est injoignable : rien n'a été enregistré. Réessayez dans un moment.",
        "Kafka is unreachable: nothing was recorded. Retry in a moment.",
    ),
    # Fields (pydantic's checks, in plain words)
    "missing": ("champ obligatoire", "field required"),
    "unknown_field": ("champ inconnu", "unknown field"),
    "too_long": ("trop long : {max} caractères au plus", "too long: at most {max} characters"),
    "too_short": ("trop court : {min} caractères au moins", "too short: at least {min} characters"),
    "too_many": ("trop d'éléments : {max} au plus", "too many items: at most {max}"),
    "too_few": ("trop peu d'éléments : {min} au moins", "too few items: at least {min}"),
    "too_small": ("doit être au moins {min}", "must be at least {min}"),
    "too_big": ("doit être au plus {max}", "must be at most {max}"),
    "bad_format": ("format invalide", "invalid format"),
    "not_allowed": ("valeur non permise : {attendu}", "value not allowed: {expected}"),
    "bad_type": ("type de valeur invalide : {expected} attendu", "wrong type of value: {expected} expected"),
    "bad_date": ("date invalide : AAAA-MM-JJ", "invalid date: YYYY-MM-DD"),
    "bad_time": ("heure invalide : HH:MM", "invalid time: HH:MM"),
    "bad_datetime": ("date et heure invalides (ISO 8601)", "invalid date and time (ISO 8601)"),
    "bad_uuid": ("identifiant invalide (UUID)", "invalid id (UUID)"),
    "bad_email": ("adresse courriel invalide", "invalid email address"),
    "bad_value": ("valeur invalide", "invalid value: {reason}"),
    "invalid": ("valeur refusée", "{reason}"),
}


@dataclass(frozen=True)
class Message:
    """A refusal's reason: a stable ``code`` and the values its sentence names."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, language: Lang = "fr") -> str:
        """The reason in ``language``."""
        fr, en = CATALOGUE.get(self.code, CATALOGUE["refused"])
        template = fr if language == "fr" else en
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template

    def __str__(self) -> str:
        return self.text("en")


def say(code: str, **params: object) -> Message:
    """A ``Message``; an unknown code is a programming error caught by the unit tests."""
    if code not in CATALOGUE:
        raise KeyError(f"no message {code!r} in the catalogue")
    return Message(code, params)


def language_of(accept_language: str | None) -> Lang:
    """fr or en from an ``Accept-Language`` header: the preferred of the two, French by default."""
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, rest = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("fr", "en"):
            continue
        quality = 1.0
        for param in rest.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        lang: Lang = "fr" if primary == "fr" else "en"
        candidate = (-quality, position, lang)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best is not None else "fr"
