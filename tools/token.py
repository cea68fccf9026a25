"""Mint a bearer token for local use, signed with the secret the APIs read from ``CONCERTO_AUTH__SECRET``.

Only the token is written to stdout, so it can be captured:

    python -m tools.token hub alice
    python -m tools.token counsellor carole --ttl 3600
    python -m tools.token partner bob --partner-id 0b9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c
    TOKEN=$(python -m tools.token delegate dana --partner-id <uuid>)
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/partners

Outside development and test it refuses the default secret or a short one.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from services.common.auth import InsecureSecret, Role, check_secret, mint
from services.common.settings import Settings

app = typer.Typer(add_completion=False, help=__doc__)


@app.command()
def token(
    role: Annotated[Role, typer.Argument(help="The caller's role.")],
    subject: Annotated[str, typer.Argument(help="Who the token names (the sub claim).")],
    partner_id: Annotated[
        uuid.UUID | None, typer.Option(help="The partner a partner or delegate token is bound to.")
    ] = None,
    ttl: Annotated[int | None, typer.Option(help="Lifetime in seconds (default: the settings').")] = None,
) -> None:
    """Print a signed token for SUBJECT with ROLE."""
    settings = Settings()
    try:
        check_secret(settings.auth, settings.environment)
        signed = mint(settings.auth, subject, role, partner_id=partner_id, ttl_s=ttl)
    except (InsecureSecret, ValueError) as exc:
        typer.echo(f"token: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(signed)


if __name__ == "__main__":
    app()
