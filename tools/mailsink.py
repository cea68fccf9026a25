"""An SMTP server that keeps what it receives: each message is written to a directory as .eml.

Used by ``make up``, the demo and the tests in place of a real mail relay
(Mailpit plays this part under Docker). It is a real SMTP server (aiosmtpd):
the workers talk SMTP to it exactly as they would to a relay.

    python -m tools.mailsink --port 1025 --directory var/mail
"""

from __future__ import annotations

import email
import email.policy
import itertools
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated, Any

import typer
from aiosmtpd.controller import Controller


@dataclass
class MailSink:
    """aiosmtpd handler: keeps every message in memory and, if given a directory, on disk."""

    directory: Path | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: itertools.count[int] = field(default_factory=itertools.count)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
            number = next(self._seq)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{time.strftime('%Y%m%dT%H%M%S')}-{number:06d}.eml"
            # Written aside, then renamed: a reader never sees a half-written message.
            partial = path.with_suffix(".partial")
            partial.write_bytes(raw)
            partial.rename(path)
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[EmailMessage]:
        """The messages received so far."""
        with self._lock:
            return list(self.messages)


def start(host: str, port: int, directory: Path | None) -> tuple[Controller, MailSink]:
    """Start an SMTP sink in a background thread; call ``controller.stop()`` to stop it."""
    sink = MailSink(directory)
    controller = Controller(sink, hostname=host, port=port)
    controller.start()
    return controller, sink


def read_mailbox(directory: Path) -> list[EmailMessage]:
    """Every message a sink wrote to ``directory``, oldest first."""
    messages = []
    for path in sorted(directory.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


app = typer.Typer(add_completion=False, help=__doc__)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="SMTP port.")] = 1025,
    directory: Annotated[Path, typer.Option(help="Where to write each message (.eml).")] = Path("var/mail"),
) -> None:
    """Run the SMTP sink until interrupted."""
    controller, _ = start(host, port, directory)
    typer.echo(f"mailsink: listening on {host}:{port}, writing to {directory}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    app()
