"""Every word the web shows, in French (fr-CA, first) and English: one catalogue, like the APIs'.

Refusals that come from an API already carry their own ``message`` in the request's language
(services/common/messages.py, ``say``); this catalogue holds the pages' own words. Short
sentences, the verb first, no jargon: many readers read French as a second language.
"""

from __future__ import annotations

from services.common.messages import Lang

from .texts_account import ACCOUNT_TEXTS
from .texts_partner import PARTNER_TEXTS

# key → (French, English); {names} are parameters.
TEXTS: dict[str, tuple[str, str]] = {
    "site": ("Concerto", "Concerto"),
    "tagline": (
        "S'installer dans une région du Québec, avec de l'aide",
        "Settling in a region of Québec, with help",
    ),
    "skip": ("Aller au contenu", "Skip to content"),
    "other_language": ("English", "Français"),
    "other_language_name": ("Switch to English", "Passer au français"),
    "sign_out": ("Me déconnecter", "Sign out"),
    "my_file": ("Mon dossier", "My file"),
    "nav": ("Menu principal", "Main menu"),
    "footer": (
        "Concerto, un service du réseau de régionalisation de l'immigration au Québec.",
        "Concerto, a service of Québec's network for the regionalization of immigration.",
    ),
    # Home
    "home_title": ("Vivre et travailler en région", "Live and work in a region of Québec"),
    "home_lead": (
        "Vous habitez à Montréal et pensez vous installer dans une autre région ? "
        "Inscrivez-vous. Une conseillère ou un conseiller vous aide à choisir, "
        "et vous dit à quelles aides vous avez droit.",
        "You live in Montréal and think of settling in another region? Register. "
        "A counsellor helps you choose, and tells you which support you are entitled to.",
    ),
    "home_register": ("M'inscrire", "Register"),
    "home_sign_in": ("J'ai déjà un dossier : me connecter", "I already have a file: sign in"),
    # Sign-in
    "signin_title": ("Me connecter", "Sign in"),
    "signin_intro": (
        "Entrez votre adresse courriel. Nous vous envoyons un lien pour vous connecter. "
        "Il n'y a pas de mot de passe.",
        "Enter your email address. We send you a link to sign in. There is no password.",
    ),
    "email": ("Adresse courriel", "Email address"),
    "email_hint": ("Par exemple : nom@exemple.ca", "For example: name@example.ca"),
    "send_link": ("Recevoir le lien", "Send me the link"),
    "signin_sent_title": ("Regardez vos courriels", "Check your email"),
    "signin_sent_body": (
        "Si cette adresse a un compte, nous venons de lui envoyer un lien. "
        "Le lien marche une seule fois, pendant {minutes} minutes.",
        "If this address has an account, we have just sent it a link. "
        "The link works once, for {minutes} minutes.",
    ),
    "link_title": ("Continuer", "Continue"),
    "link_signin_body": ("Appuyez sur le bouton pour vous connecter.", "Press the button to sign in."),
    "link_register_body": (
        "Appuyez sur le bouton pour confirmer votre adresse et envoyer votre inscription.",
        "Press the button to confirm your address and send your registration.",
    ),
    "link_button_signin": ("Me connecter", "Sign in"),
    "link_button_register": ("Confirmer et envoyer", "Confirm and send"),
    "link_refused_title": ("Ce lien ne marche pas", "This link does not work"),
    "link_invalid": ("Ce lien n'est pas valide.", "This link is not valid."),
    "link_expired": (
        "Ce lien a expiré : il marche pendant {minutes} minutes.",
        "This link has expired: it works for {minutes} minutes.",
    ),
    "link_open_body": (
        "Pour ouvrir cette page, connectez-vous : nous envoyons un lien de connexion à l'adresse "
        "courriel de votre dossier.",
        "To open this page, sign in: we send a sign-in link to the email address on your file.",
    ),
    "link_button_open": ("M'envoyer le lien", "Send me the link"),
    "open_sent_body": (
        "Nous venons d'envoyer un lien à l'adresse courriel de votre dossier. "
        "Il marche une seule fois, pendant {minutes} minutes, et ouvre la page demandée.",
        "We have just sent a link to the email address on your file. "
        "It works once, for {minutes} minutes, and opens the page you asked for.",
    ),
    "page_link_expired": (
        "Ce lien a expiré : les liens de nos courriels marchent pendant {days} jours. "
        "Connectez-vous pour voir votre dossier.",
        "This link has expired: the links in our emails work for {days} days. Sign in to see your file.",
    ),
    "link_used": (
        "Ce lien a déjà servi : il marche une seule fois.",
        "This link was already used: it works once.",
    ),
    "too_many_title": ("Trop de demandes", "Too many requests"),
    "too_many_body": (
        "Vous avez fait trop de demandes. Réessayez dans {minutes} minutes.",
        "You have made too many requests. Try again in {minutes} minutes.",
    ),
    "too_many_body_one": (
        "Vous avez fait trop de demandes. Réessayez dans 1 minute.",
        "You have made too many requests. Try again in 1 minute.",
    ),
    "link_again": ("Demander un nouveau lien", "Ask for a new link"),
    # Registration
    "register_title": ("M'inscrire", "Register"),
    "register_intro": (
        "Répondez aux questions. Les champs marqués « facultatif » peuvent rester vides. "
        "Vous relisez vos réponses avant d'envoyer.",
        "Answer the questions. Fields marked \u201coptional\u201d may stay empty. "
        "You read your answers again before sending.",
    ),
    "optional": ("facultatif", "optional"),
    "fs_contact": ("Comment vous joindre", "How to reach you"),
    "name": ("Votre nom", "Your name"),
    "phone": ("Téléphone", "Phone"),
    "language": ("Langue de nos messages", "Language of our messages"),
    "lang_fr": ("Français", "French"),
    "lang_en": ("Anglais", "English"),
    "fs_situation": ("Votre situation", "Your situation"),
    "status": ("Statut d'immigration", "Immigration status"),
    "choose": ("Choisissez", "Choose"),
    "status_permanent_resident": ("Résidente ou résident permanent", "Permanent resident"),
    "status_protected_person": ("Personne protégée ou réfugiée", "Protected person or refugee"),
    "status_temporary_worker": ("Travailleuse ou travailleur temporaire", "Temporary worker"),
    "status_international_student": ("Étudiante ou étudiant étranger", "International student"),
    "status_asylum_seeker": ("Demandeuse ou demandeur d'asile", "Asylum seeker"),
    "status_citizen": ("Citoyenne ou citoyen canadien", "Canadian citizen"),
    "arrival_date": ("Date d'arrivée au Québec", "Date you arrived in Québec"),
    "date_hint": ("Par exemple : 2026-03-15", "For example: 2026-03-15"),
    "occupation": ("Votre métier", "Your occupation"),
    "occupation_hint": (
        "Écrivez le nom de votre métier, en français ou en anglais. "
        "Choisissez dans la liste si elle le propose.",
        "Type your occupation, in French or English. Pick it from the list if it is offered.",
    ),
    "years": ("Années d'expérience dans ce métier", "Years of experience in it"),
    "french_level": (
        "Niveau de français (échelle québécoise, 1 à 12)",
        "French level (Québec scale, 1 to 12)",
    ),
    "fs_regions": ("Les régions qui vous intéressent", "The regions you are interested in"),
    "region_rank": ("Choix {rank}", "Choice {rank}"),
    "no_region": ("Aucune", "None"),
    "open_any": ("Je suis ouvert à toutes les régions", "I am open to any region"),
    "fs_household": ("Qui déménage avec vous", "Who moves with you"),
    "adults": ("Nombre d'adultes (vous compris)", "Number of adults (you included)"),
    "children": ("Âge de chaque enfant", "Age of each child"),
    "children_hint": (
        "Séparez par des virgules. Par exemple : 4, 9",
        "Separate with commas. For example: 4, 9",
    ),
    "fs_consents": ("Votre accord", "Your consent"),
    "consents_intro": (
        "Vous choisissez pour chaque usage. Rien n'est coché d'avance.",
        "You choose for each use. Nothing is ticked in advance.",
    ),
    "consent_contact": (
        "J'accepte que le carrefour de Montréal me contacte pour m'aider à m'installer en région. "
        "Nécessaire pour vous inscrire.",
        "I agree that the Montréal hub contacts me to help me settle in a region. Needed to register.",
    ),
    "consent_referral": (
        "J'accepte de participer aux rondes d'orientation : mon profil, sans mon nom ni mes coordonnées, "
        "est envoyé au seul organisme régional qui m'accueillerait.",
        "I agree to take part in referral rounds: my profile, without my name or contact details, "
        "goes to the one regional organization that would welcome me.",
    ),
    "consent_share": (
        "J'accepte que cet organisme régional voie aussi mon nom, mon courriel et mon téléphone.",
        "I agree that this regional organization also sees my name, email and phone.",
    ),
    "continue": ("Continuer", "Continue"),
    "errors_title": ("Corrigez ces réponses", "Correct these answers"),
    "err_required": ("Écrivez votre réponse.", "Enter your answer."),
    "err_choose": ("Choisissez une réponse.", "Choose an answer."),
    "err_email": (
        "Écrivez une adresse courriel comme nom@exemple.ca.",
        "Enter an email address like name@example.ca.",
    ),
    "err_phone": (
        "Écrivez un numéro de téléphone, par exemple 514 555-0123.",
        "Enter a phone number, for example 514 555-0123.",
    ),
    "err_date": ("Écrivez une date comme 2026-03-15.", "Enter a date like 2026-03-15."),
    "err_future": ("La date ne peut pas être dans le futur.", "The date cannot be in the future."),
    "err_number": ("Écrivez un nombre de {low} à {high}.", "Enter a number from {low} to {high}."),
    "err_children": (
        "Écrivez des âges de 0 à 17, séparés par des virgules.",
        "Enter ages from 0 to 17, separated by commas.",
    ),
    "err_region_twice": ("Choisissez chaque région une seule fois.", "Choose each region only once."),
    "err_consent_contact": (
        "Cochez cette case pour vous inscrire : sans elle, personne ne peut vous aider.",
        "Tick this box to register: without it, nobody can help you.",
    ),
    "err_too_long": ("Écrivez au plus {high} caractères.", "Enter at most {high} characters."),
    # Review and confirmation
    "review_title": ("Relisez vos réponses", "Check your answers"),
    "review_intro": (
        "Rien n'est envoyé avant que vous confirmiez votre adresse courriel.",
        "Nothing is sent until you confirm your email address.",
    ),
    "change": ("Modifier mes réponses", "Change my answers"),
    "send": ("Envoyer", "Send"),
    "yes": ("Oui", "Yes"),
    "no": ("Non", "No"),
    "none": ("Aucun", "None"),
    "check_email_title": ("Confirmez votre adresse courriel", "Confirm your email address"),
    "check_email_body": (
        "Nous avons envoyé un lien à votre adresse. Ouvrez-le dans les {minutes} minutes pour "
        "confirmer votre inscription. Avant cela, rien n'est envoyé à personne.",
        "We sent a link to your address. Open it within {minutes} minutes to confirm your "
        "registration. Until then, nothing is sent to anyone.",
    ),
    # My file
    "file_title": ("Mon dossier", "My file"),
    "file_opening": (
        "Nous ouvrons votre dossier. Revenez sur cette page dans une minute.",
        "We are opening your file. Come back to this page in a minute.",
    ),
    "case_status": ("État du dossier", "Status of the file"),
    "case_open": ("Ouvert", "Open"),
    "case_closed": ("Fermé", "Closed"),
    "case_withdrawn": ("Retiré", "Withdrawn"),
    "opened_on": ("Ouvert le", "Opened on"),
    "counsellor": ("Votre conseillère ou votre conseiller", "Your counsellor"),
    "counsellor_none": (
        "Nous cherchons une conseillère ou un conseiller pour vous. Vous recevrez un courriel.",
        "We are finding a counsellor for you. You will get an email.",
    ),
    "entitlements": ("Les aides auxquelles vous avez droit", "The support you are entitled to"),
    "ent_entitled": ("Vous y avez droit", "You are entitled to it"),
    "ent_possible": ("Peut-être : il nous manque une information", "Maybe: we need more information"),
    "ent_not_entitled": ("Vous n'y avez pas droit", "You are not entitled to it"),
    "no_entitlements": ("Aucune aide n'est encore évaluée.", "No support is evaluated yet."),
    "referral": ("Votre plan d'orientation", "Your referral plan"),
    "no_referral": (
        "Pas encore de plan. Vous recevrez un courriel quand il sera prêt.",
        "No plan yet. You will get an email when it is ready.",
    ),
    "region": ("Région", "Region"),
    "plan_status": ("État du plan", "Status of the plan"),
    "plan_proposed": ("Proposé : à vous de répondre", "Proposed: your answer is needed"),
    "plan_accepted": ("Accepté", "Accepted"),
    "plan_declined": ("Refusé", "Declined"),
    "plan_cancelled": ("Annulé", "Cancelled"),
    "factors": ("Pourquoi ce plan", "Why this plan"),
    "accept": ("J'accepte ce plan", "I accept this plan"),
    "decline": ("Je refuse ce plan", "I decline this plan"),
    "decline_reason": ("Pourquoi ?", "Why?"),
    "plan_review_title": ("Faire réviser ce plan par une personne", "Have a person review this plan"),
    "plan_review_intro": (
        "Ce plan a été établi par une décision automatisée. Vous pouvez demander qu'une conseillère "
        "ou un conseiller le révise : cette personne vous écrira.",
        "This plan was made by an automated decision. You may ask a counsellor to review it: "
        "they will write to you.",
    ),
    "plan_review_ask": ("Demander une révision", "Ask for a review"),
    "plan_review_asked": (
        "Vous avez demandé une révision le {day}. Votre conseillère ou votre conseiller vous écrira.",
        "You asked for a review on {day}. Your counsellor will write to you.",
    ),
    "action_recorded": (
        "Votre réponse est enregistrée. La page se met à jour dans un instant.",
        "Your answer is recorded. The page updates in a moment.",
    ),
    # Staff
    "caseload": ("Mes dossiers", "My caseload"),
    "staff": ("Équipe et accès", "Staff and access"),
    "filters": ("Filtrer", "Filter"),
    "search_name": ("Chercher par nom", "Search by name"),
    "search_hint": (
        "Chaque personne trouvée est une consultation de ses coordonnées : elle est enregistrée.",
        "Each person found is a read of their contact details: it is recorded.",
    ),
    "filter_status": ("État", "Status"),
    "filter_region": ("Région souhaitée", "Wanted region"),
    "filter_language": ("Langue", "Language"),
    "any": ("Toutes", "Any"),
    "filter_missing": (
        "Seulement les dossiers où il manque une information",
        "Only files missing information",
    ),
    "apply": ("Appliquer", "Apply"),
    "cases_count": ("{count} dossier(s)", "{count} file(s)"),
    "case": ("Dossier", "File"),
    "person": ("Personne", "Person"),
    "name_hidden": ("(nom visible sur le dossier)", "(name shown on the file)"),
    "missing_info": ("Il manque une information", "Information missing"),
    "open_case": ("Ouvrir le dossier {ref}", "Open file {ref}"),
    "contact_details": ("Coordonnées", "Contact details"),
    "contact_name": ("Nom", "Name"),
    "contact_email": ("Courriel", "Email"),
    "contact_language": ("Langue", "Language"),
    "staff_entitlements": ("Les aides de la personne", "The person's support"),
    "staff_referral": ("Le plan d'orientation", "The referral plan"),
    "staff_no_referral": ("Pas encore de plan.", "No plan yet."),
    "contact_logged": (
        "Votre consultation de ces coordonnées est enregistrée (loi 25).",
        "Your reading of these details is recorded (Law 25).",
    ),
    "profile": ("Profil", "Profile"),
    "household_size": ("Personnes dans le ménage", "People in the household"),
    "preferred_regions": ("Régions souhaitées", "Wanted regions"),
    "missing_facts": ("Information à obtenir", "Information to get"),
    "override": ("Annuler ce plan, avec une raison", "Cancel this plan, with a reason"),
    "override_reason": (
        "Raison, en mots que la personne comprend",
        "Reason, in words the person understands",
    ),
    "override_hint": ("Au moins 5 caractères.", "At least 5 characters."),
    "override_done": (
        "Votre révision est enregistrée. Le plan change dans un instant.",
        "Your review is recorded. The plan changes in a moment.",
    ),
    "err_reason": ("Écrivez une raison d'au moins 5 caractères.", "Enter a reason of at least 5 characters."),
    "counsellors": ("Conseillères et conseillers", "Counsellors"),
    "invite": ("Inviter {name}", "Invite {name}"),
    "invited": (
        "L'invitation est envoyée par courriel. Le lien marche {minutes} minutes ; ensuite, "
        "la personne demande un lien sur la page de connexion.",
        "The invitation is sent by email. Its link works {minutes} minutes; after that, "
        "the person asks for a link on the sign-in page.",
    ),
    "access_log": ("Consultations des coordonnées", "Reads of contact details"),
    "access_when": ("Quand", "When"),
    "access_who": ("Qui", "Who"),
    "access_whose": ("Personne (identifiant)", "Person (id)"),
    "access_where": ("Où", "Where"),
    "no_access": ("Aucune consultation.", "No reads."),
    # Errors
    "error_title": ("Nous ne pouvons pas faire cela", "We cannot do that"),
    "csrf_refused": (
        "Le formulaire a expiré ou ne vient pas de Concerto. Revenez en arrière et réessayez.",
        "The form expired or did not come from Concerto. Go back and try again.",
    ),
    "forbidden": ("Vous n'avez pas accès à cette page.", "You do not have access to this page."),
    "sign_in_needed": ("Connectez-vous pour voir cette page.", "Sign in to see this page."),
    "not_found": ("Cette page n'existe pas.", "This page does not exist."),
    "unavailable": (
        "Le service ne répond pas pour le moment. Réessayez dans quelques minutes.",
        "The service does not answer right now. Try again in a few minutes.",
    ),
    "back_home": ("Retour à l'accueil", "Back to the home page"),
    # Emails
    "mail_signin_subject": ("Votre lien pour vous connecter à Concerto", "Your link to sign in to Concerto"),
    "mail_signin_body": (
        "Bonjour,\n\nPour vous connecter à Concerto, ouvrez ce lien :\n\n{link}\n\n"
        "Il marche une seule fois, pendant {minutes} minutes. Si vous n'avez rien demandé, "
        "ne faites rien.",
        "Hello,\n\nTo sign in to Concerto, open this link:\n\n{link}\n\n"
        "It works once, for {minutes} minutes. If you did not ask for it, do nothing.",
    ),
    "mail_register_subject": (
        "Confirmez votre inscription à Concerto",
        "Confirm your registration with Concerto",
    ),
    "mail_register_body": (
        "Bonjour {name},\n\nPour confirmer votre adresse et envoyer votre inscription, ouvrez ce lien :\n\n"
        "{link}\n\nIl marche une seule fois, pendant {minutes} minutes. Si vous ne vous êtes pas "
        "inscrit, ne faites rien : rien ne sera envoyé.",
        "Hello {name},\n\nTo confirm your address and send your registration, open this link:\n\n"
        "{link}\n\nIt works once, for {minutes} minutes. If you did not register, do nothing: "
        "nothing will be sent.",
    ),
    "mail_invite_subject": ("Votre accès à Concerto", "Your access to Concerto"),
    "mail_invite_body": (
        "Bonjour,\n\nLe carrefour vous donne accès à Concerto. Pour vous connecter, ouvrez ce lien :\n\n"
        "{link}\n\nIl marche une seule fois, pendant {minutes} minutes. Ensuite, demandez un nouveau "
        "lien sur la page de connexion, avec cette adresse.",
        "Hello,\n\nThe hub gives you access to Concerto. To sign in, open this link:\n\n"
        "{link}\n\nIt works once, for {minutes} minutes. After that, ask for a new link on the "
        "sign-in page, with this address.",
    ),
}

TEXTS.update(ACCOUNT_TEXTS)
TEXTS.update(PARTNER_TEXTS)


def text(key: str, language: Lang, **params: object) -> str:
    """The text ``key`` in ``language``; an unknown key is a programming error (a unit test checks)."""
    fr, en = TEXTS[key]
    template = fr if language == "fr" else en
    return template.format(**params) if params else template
