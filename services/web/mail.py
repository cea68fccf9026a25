"""The web's emails: the sign-in link, and the link that confirms an address (a registration's,
or a new one given on "My file").

Plain text, in the person's language, from the no-reply sender of the SMTP settings, sent
with the notifications service's mailer (aiosmtplib, temporary failures retried). They ask
nobody to reply. The name is the person's own words: plain text needs no escaping, and the
subject never carries it.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from services.common.messages import Lang
from services.common.settings import SmtpSettings

from .texts import text


def link_email(
    smtp: SmtpSettings, to: str, kind: str, language: Lang, link: str, minutes: int, name: str = ""
) -> EmailMessage:
    """The email carrying a sign-in (``signin``), registration (``register``) or new-address
    (``email``) link."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = to
    message["Subject"] = text(f"mail_{kind}_subject", language)
    message["Message-ID"] = make_msgid(domain="concerto.quebec")
    message["Content-Language"] = "fr-CA" if language == "fr" else "en-CA"
    message.set_content(text(f"mail_{kind}_body", language, link=link, minutes=minutes, name=name))
    return message
