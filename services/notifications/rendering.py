"""Rendering emails from the Jinja2 templates in templates/{fr,en} (pure, no I/O but reading templates).

Each email has three templates: ``<name>.subject.txt``, ``<name>.txt`` (plain
text) and ``<name>.html``. French (fr-CA) is the default language. Templates
see the email's ``language`` and format dates and times with the filters
``long_date``, ``short_date``, ``clock`` and ``ordinal`` (see formatting.py).
"""

from __future__ import annotations

import email.policy
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from . import formatting

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("fr", "en")
MESSAGE_ID_DOMAIN = "concerto.quebec"
# Python's header folding drops the space between two encoded words, so a long
# French subject lost a space ("demandée :Séance"). RFC 5322 allows 998
# characters a line: with that limit our subjects are never folded.
HEADER_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Rendered:
    """An email's subject and bodies."""

    subject: str
    text: str
    html: str


class Renderer:
    """Renders a named email in a language."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        for name in ("long_date", "short_date", "clock", "ordinal"):
            self._env.filters[name] = _in_language(getattr(formatting, name))

    def render(self, name: str, language: str, context: dict[str, Any]) -> Rendered:
        """Render ``name`` in ``language`` (fr or en) with ``context``."""
        if language not in LANGUAGES:
            raise ValueError(f"no templates in language {language!r}")
        context = {**context, "language": language}
        subject = self._env.get_template(f"{language}/{name}.subject.txt").render(context).strip()
        text = self._env.get_template(f"{language}/{name}.txt").render(context)
        html = self._env.get_template(f"{language}/{name}.html").render({**context, "subject": subject})
        return Rendered(subject=subject, text=text, html=html)


def _in_language(format_value: Any) -> Any:
    """A filter that formats its value in the language of the email being rendered."""

    @pass_context
    def apply(context: Context, value: Any) -> Any:
        return format_value(value, context["language"])

    return apply


def message_id_for(ledger_key: str) -> str:
    """A deterministic Message-ID: the same email to the same recipient always has the same id."""
    digest = hashlib.sha256(ledger_key.encode()).hexdigest()[:40]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


def build_message(
    rendered: Rendered, *, sender: str, to: str, message_id: str, language: str, sent: datetime
) -> EmailMessage:
    """A multipart (text + HTML) email ready for SMTP."""
    message = EmailMessage(policy=HEADER_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(sent)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    # After the bodies: set_content() clears every Content-* header set before it.
    message["Content-Language"] = "fr-CA" if language == "fr" else "en-CA"
    return message
