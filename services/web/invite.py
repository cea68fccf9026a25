"""Invite a staff member from the command line: the first hub account, or anyone the hub names.

    python -m services.web.invite coordination@carrefour.example.org --role hub --subject coordination
    python -m services.web.invite claire@carrefour.example.org --role counsellor --subject <counsellor id>

It records the account in the web's store (the same data dir and secret as the web process:
the same ``CONCERTO_*`` settings) and emails a sign-in link through the SMTP settings. A
counsellor's subject must be their counsellor id in matching-api; the hub invites counsellors
from the web's Staff page, where that is done for them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Literal

import typer

from services.common.logging import configure_logging
from services.common.settings import Settings
from services.notifications.mailer import SmtpMailer

from .links import LinkSigner
from .routes_staff import send_invitation
from .store import Account, WebStore

cli = typer.Typer(add_completion=False, help=__doc__)


@cli.command()
def main(
    email: Annotated[str, typer.Argument(help="The staff member's professional address.")],
    role: Annotated[Literal["hub", "counsellor"], typer.Option(help="The role the APIs know.")] = "hub",
    subject: Annotated[str, typer.Option(help="Their tokens' subject (a counsellor's id).")] = "hub",
    language: Annotated[Literal["fr", "en"], typer.Option(help="The language of their emails.")] = "fr",
) -> None:
    """Record a staff account and email it a sign-in link."""
    settings = Settings()
    configure_logging("web-invite", settings.log_format, settings.log_level)
    secret = settings.auth.secret.get_secret_value()
    store = WebStore(Path(settings.data_dir) / "web" / "web.sqlite3", secret)
    signer = LinkSigner(secret, settings.build_clock(), settings.web.link_ttl_s)
    try:
        account = Account(role, subject, language)
        asyncio.run(send_invitation(settings, store, signer, SmtpMailer(settings.smtp), email, account))
    finally:
        store.close()
    typer.echo(f"invited as {role}: a sign-in link is on its way")


if __name__ == "__main__":
    cli()
