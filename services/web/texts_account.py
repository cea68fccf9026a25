"""The words of "My file"'s own pages: my details and language, withdrawing, erasure; French
(fr-CA) first, then English. Part of the one catalogue (texts.py ``TEXTS``)."""

from __future__ import annotations

ACCOUNT_TEXTS: dict[str, tuple[str, str]] = {
    "my_account": ("Mon inscription", "My registration"),
    "details_link": ("Changer mes coordonnées ou ma langue", "Change my contact details or language"),
    "withdraw_link": ("Retirer mon inscription", "Withdraw my registration"),
    "erase_link": ("Effacer mes données", "Erase my data"),
    "back_to_file": ("Revenir à mon dossier", "Back to my file"),
    # My details
    "details_title": ("Mes coordonnées et ma langue", "My contact details and language"),
    "details_intro": (
        "Changez ce qui n'est plus juste. Si vous changez d'adresse courriel, nous envoyons un lien "
        "à la nouvelle adresse : le changement se fait quand vous l'ouvrez.",
        "Change what is no longer right. If you change your email address, we send a link to the "
        "new address: the change is made when you open it.",
    ),
    "save": ("Enregistrer", "Save"),
    "details_saved": ("Vos coordonnées sont enregistrées.", "Your contact details are saved."),
    "new_email_title": ("Confirmez votre nouvelle adresse", "Confirm your new address"),
    "new_email_body": (
        "Nous avons envoyé un lien à votre nouvelle adresse. Ouvrez-le dans les {minutes} minutes. "
        "Avant cela, rien ne change.",
        "We sent a link to your new address. Open it within {minutes} minutes. Until then, nothing changes.",
    ),
    "link_email_body": (
        "Appuyez sur le bouton pour confirmer votre nouvelle adresse courriel.",
        "Press the button to confirm your new email address.",
    ),
    "link_button_email": ("Confirmer ma nouvelle adresse", "Confirm my new address"),
    "mail_email_subject": (
        "Confirmez votre nouvelle adresse pour Concerto",
        "Confirm your new address for Concerto",
    ),
    "mail_email_body": (
        "Bonjour {name},\n\nPour que Concerto vous écrive à cette adresse, ouvrez ce lien :\n\n{link}\n\n"
        "Il marche une seule fois, pendant {minutes} minutes. Si vous n'avez rien demandé, ne faites "
        "rien : rien ne changera.",
        "Hello {name},\n\nFor Concerto to write to you at this address, open this link:\n\n{link}\n\n"
        "It works once, for {minutes} minutes. If you did not ask for it, do nothing: nothing will "
        "change.",
    ),
    "email_changed_title": ("Votre adresse est changée", "Your address is changed"),
    "email_changed_body": (
        "Nous vous écrivons maintenant à cette adresse. Connectez-vous avec elle.",
        "We now write to you at this address. Sign in with it.",
    ),
    # Withdrawing
    "withdraw_title": ("Retirer mon inscription ?", "Withdraw my registration?"),
    "withdraw_body": (
        "Si vous retirez votre inscription, votre dossier est fermé et votre plan d'orientation est "
        "annulé. Votre conseillère ou votre conseiller ne vous accompagne plus. Pour revenir, "
        "inscrivez-vous de nouveau. Vos données restent jusqu'à ce que vous demandiez de les effacer.",
        "If you withdraw your registration, your file is closed and your referral plan is cancelled. "
        "Your counsellor no longer helps you. To come back, register again. Your data stays until "
        "you ask us to erase it.",
    ),
    "withdraw_confirm": ("Oui, retirer mon inscription", "Yes, withdraw my registration"),
    "withdrawn_notice": (
        "Votre inscription est retirée. Votre dossier est fermé.",
        "Your registration is withdrawn. Your file is closed.",
    ),
    "already_withdrawn": (
        "Votre inscription est déjà retirée : vos coordonnées ne changent plus.",
        "Your registration is already withdrawn: your contact details no longer change.",
    ),
    # Erasure
    "erase_title": ("Effacer mes données ?", "Erase my data?"),
    "erase_body": (
        "Nous effaçons votre dossier, vos coordonnées, vos réponses et vos plans d'orientation, "
        "et votre compte. Cela ne peut pas être annulé.",
        "We erase your file, your contact details, your answers and your referral plans, and your "
        "account. This cannot be undone.",
    ),
    "erase_understood": (
        "Je comprends : mes données seront effacées, et cela ne peut pas être annulé.",
        "I understand: my data will be erased, and this cannot be undone.",
    ),
    "err_erase_understood": (
        "Cochez cette case pour effacer vos données.",
        "Tick this box to erase your data.",
    ),
    "erase_confirm": ("Effacer mes données", "Erase my data"),
    "erased_title": ("Vos données sont effacées", "Your data is erased"),
    "erased_body": (
        "Nous avons effacé votre dossier et votre compte. Nous ne vous écrirons plus.",
        "We have erased your file and your account. We will not write to you again.",
    ),
    # The information that would decide a possible measure
    "information_link": ("Donner l'information qui manque", "Give the missing information"),
    "information_title": ("L'information qui manque", "The missing information"),
    "information_intro": (
        "Pour certaines aides, il nous manque une information. Répondez à ce que vous savez : "
        "nous évaluons vos aides de nouveau. Une réponse laissée vide ne change rien.",
        "For some support, we are missing some information. Answer what you know: we evaluate "
        "your support again. An answer left empty changes nothing.",
    ),
    "information_counsellor": (
        "D'autres conditions (par exemple une offre d'emploi en main ou un cours de français à "
        "temps plein) sont vérifiées avec votre conseillère ou votre conseiller.",
        "Other conditions (for example a job offer in hand or a full-time French course) are "
        "checked with your counsellor.",
    ),
    "information_none": (
        "Il ne manque aucune information que vous pouvez donner ici.",
        "No information you can give here is missing.",
    ),
    "information_saved": (
        "Merci. Vos aides sont évaluées de nouveau : la page se met à jour dans quelques instants.",
        "Thank you. Your support is evaluated again: the page updates in a few moments.",
    ),
    "age": ("Votre âge", "Your age"),
    "studies": ("Vos études les plus avancées", "Your highest studies completed"),
    "studies_none": ("Aucun diplôme", "No diploma"),
    "studies_secondary": ("Secondaire", "High school"),
    "studies_vocational": ("Formation professionnelle", "Vocational training"),
    "studies_college": ("Collégial (cégep)", "College (CEGEP)"),
    "studies_bachelor": ("Baccalauréat", "Bachelor's degree"),
    "studies_master": ("Maîtrise", "Master's degree"),
    "studies_doctorate": ("Doctorat", "Doctorate"),
    "income_support": ("Recevez-vous une aide au revenu ?", "Do you receive income support?"),
    "income_support_none": ("Non", "No"),
    "income_support_social_assistance": ("L'aide sociale", "Social assistance"),
    "income_support_employment_insurance": ("L'assurance-emploi", "Employment insurance"),
    "err_nothing_given": (
        "Répondez à au moins une question.",
        "Answer at least one question.",
    ),
    "err_profile_refused": (
        "Votre dossier n'a pas pu être mis à jour : {detail}",
        "Your file could not be updated: {detail}",
    ),
}
