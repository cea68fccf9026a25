"""Sending email over SMTP with aiosmtplib, retrying temporary failures with tenacity.

Temporary failures (connection refused or dropped, timeouts, 4xx replies) are
retried with exponential backoff and jitter; after the last attempt the error
propagates and the worker dead-letters the event. Permanent failures (5xx)
are not retried.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
import structlog
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from services.common.settings import SmtpSettings

log = structlog.get_logger(__name__)


class Mailer(Protocol):
    """Anything that can deliver an email (the SMTP mailer, or a fake in unit tests)."""

    async def send(self, message: EmailMessage) -> None: ...


def is_temporary(exc: BaseException) -> bool:
    """Whether an SMTP failure is worth retrying."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        # Every recipient refused: temporary only if every refusal was (e.g. 451 greylisting).
        return bool(exc.recipients) and all(400 <= r.code < 500 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 400 <= exc.code < 500
    return isinstance(
        exc,
        aiosmtplib.SMTPConnectError
        | aiosmtplib.SMTPServerDisconnected
        | aiosmtplib.SMTPTimeoutError
        | OSError,
    )


class SmtpMailer:
    """Delivers through the SMTP server named in settings."""

    def __init__(self, settings: SmtpSettings, attempts: int = 6, max_wait_s: float = 10.0) -> None:
        self._settings = settings
        self._attempts = attempts
        self._max_wait_s = max_wait_s

    async def send(self, message: EmailMessage) -> None:
        """Deliver ``message``, retrying temporary failures."""
        s = self._settings
        # Flattened here with the message's own policy: aiosmtplib would re-fold the
        # headers at 78 columns with email.policy.SMTP, which loses spaces in long
        # non-ASCII subjects (see rendering.HEADER_POLICY).
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        sender = message["From"].addresses[0].addr_spec
        recipients = [address.addr_spec for address in message["To"].addresses]
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential_jitter(multiplier=0.2, max=self._max_wait_s, jitter=0.2),
            retry=retry_if_exception(is_temporary),
            reraise=True,
        ):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    log.warning("smtp.retrying", attempt=attempt.retry_state.attempt_number)
                await aiosmtplib.send(
                    raw,
                    sender=sender,
                    recipients=recipients,
                    hostname=s.host,
                    port=s.port,
                    username=s.username,
                    password=s.password,
                    use_tls=s.security == "tls",
                    start_tls=s.security == "starttls",
                    timeout=s.timeout_s,
                )
