"""Invite a staff member from the command line: the first hub account, or anyone the hub names.

    python -m services.web.invite coordination@carrefour.example.org --role hub --subject coordination
    python -m services.web.invite claire@carrefour.example.org --role counsellor --subject <counsellor id>
    python -m services.web.invite accueil@estrie.example.org --role partner --subject <partner id>

It records the account in the web's store (the same data dir and secret as the web process:
the same ``CONCERTO_*`` settings) and emails a sign-in link through the SMTP settings. A
counsellor's subject must be their counsellor id in matching-api, a partner's its partner id in
partners-api (its staff then see the households referred to it); the hub invites counsellors from
the web's Staff page, where that is done for them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from services.common.logging import configure_logging
from services.common.settings import HubSettings, Settings
from services.notifications.mailer import SmtpMailer

from .links import LinkSigner, account_key
from .routes_staff import send_invitation
from .store import Account, WebStore

StaffRole = Literal["hub", "counsellor", "partner"]
cli = typer.Typer(add_completion=False, help=__doc__)


def open_staff_accounts(
    store: WebStore,
    secret: str,
    hub: HubSettings,
    counsellors: Iterable[Mapping[str, Any]],
    partners: Iterable[Mapping[str, Any]] = (),
) -> int:
    """Accounts for the hub's coordinators, for each counsellor of matching-api's list
    (``GET /counsellors``) and for each partner of partners-api's list (``GET /partners``, at its
    contact address), so they sign in at ``/sign-in`` by emailed link; no email is sent now.
    ``make up`` does this for the demo season's staff. Returns how many were recorded."""
    staff = [(hub.email, Account("hub", "hub", hub.language))] + [
        (str(c["email"]), Account("counsellor", str(c["counsellor_id"]), str(c["languages"][0])))
        for c in counsellors
        if c.get("active", True)
    ]
    staff += [
        (str(p["contact_email"]), Account("partner", str(p["partner_id"]), str(p.get("language", "fr"))))
        for p in partners
        if p.get("status", "active") == "active"
    ]
    for email, account in staff:
        store.save_account(account_key(secret, email), account)
    return len(staff)


@cli.command()
def main(
    email: Annotated[str, typer.Argument(help="The staff member's professional address.")],
    role: Annotated[StaffRole, typer.Option(help="The role the APIs know.")] = "hub",
    subject: Annotated[
        str, typer.Option(help="Their tokens' subject (a counsellor's, a partner's id).")
    ] = "hub",
    language: Annotated[Literal["fr", "en"], typer.Option(help="The language of their emails.")] = "fr",
) -> None:
    """Record a staff account and email it a sign-in link."""
    if role == "partner":
        try:
            uuid.UUID(subject)
        except ValueError:
            raise typer.BadParameter("a partner's subject is its id", param_hint="--subject") from None
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
