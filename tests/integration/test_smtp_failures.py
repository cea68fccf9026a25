"""The mailer against real SMTP servers that refuse, drop or are not up yet: emails are delayed, not lost."""

from __future__ import annotations

import asyncio
import socket
import threading
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller

from services.common.settings import SmtpSettings
from services.notifications.mailer import SmtpMailer
from tools.mailsink import MailSink

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Refusing(MailSink):
    """Answers 451 (try again later) to the first ``refusals`` messages, then accepts."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.attempts <= self.refusals:
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


class Dropping(MailSink):
    """Closes the connection without answering the first ``drops`` messages, then accepts."""

    def __init__(self, drops: int) -> None:
        super().__init__()
        self.drops = drops
        self.attempts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.attempts <= self.drops:
            server.transport.close()
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


def _message(number: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Concerto <no-reply@concerto.quebec>"
    message["To"] = "amina@example.net"
    message["Subject"] = f"Votre dossier Concerto est ouvert ({number})"
    message["Message-ID"] = f"<msg-{number}@concerto.quebec>"
    message.set_content("Bonjour Amina,")
    return message


def _mailer(port: int, attempts: int = 6) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(port=port, timeout_s=2), attempts=attempts, max_wait_s=0.5)


async def test_a_server_that_answers_try_again_later_gets_the_email_once_it_accepts() -> None:
    handler = Refusing(refusals=3)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        await _mailer(controller.port).send(_message(1))
    finally:
        controller.stop()
    assert handler.attempts == 4
    assert [m["Message-ID"] for m in handler.snapshot()] == ["<msg-1@concerto.quebec>"]


async def test_a_server_that_drops_the_connection_gets_the_email_on_a_later_attempt() -> None:
    handler = Dropping(drops=2)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        await _mailer(controller.port).send(_message(2))
    finally:
        controller.stop()
    assert [m["Message-ID"] for m in handler.snapshot()] == ["<msg-2@concerto.quebec>"]


async def test_a_server_that_is_not_there_yet_gets_the_email_when_it_starts() -> None:
    port = _free_port()
    handler = MailSink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    starter = threading.Timer(1.0, controller.start)
    starter.start()
    try:
        await _mailer(port, attempts=10).send(_message(3))
    finally:
        starter.join()
        controller.stop()
    assert [m["Message-ID"] for m in handler.snapshot()] == ["<msg-3@concerto.quebec>"]


async def test_a_permanent_refusal_is_not_retried_and_reaches_the_caller() -> None:
    class Rejecting(MailSink):
        attempts = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Rejecting.attempts += 1
            return "550 5.1.1 No such mailbox"

    controller = Controller(Rejecting(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await _mailer(controller.port).send(_message(4))
    finally:
        controller.stop()
    assert refused.value.code == 550
    assert Rejecting.attempts == 1


async def test_after_the_last_attempt_the_failure_reaches_the_caller_to_be_dead_lettered() -> None:
    handler = Refusing(refusals=100)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with pytest.raises(aiosmtplib.SMTPResponseException):
            await asyncio.wait_for(_mailer(controller.port, attempts=3).send(_message(5)), 30)
    finally:
        controller.stop()
    assert handler.attempts == 3
    assert handler.snapshot() == []
