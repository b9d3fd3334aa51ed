"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the tests of mail that leaves the portal."""

import asyncio
import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller


class Recorder:
    """Keeps what the server accepted; can refuse recipients for good (550) or for now (450),
    refuse every message after N, or take `delay` seconds over each message (a slow server)."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.defer = set()
        self.accept_only = None
        self.delay = 0
        self.lock = threading.Lock()
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if address in self.defer:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.accept_only is not None and len(self.messages) >= self.accept_only:
                return "451 4.3.0 Try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]

    def text(self, message):
        return message.get_body(("plain",)).get_content()

    def html(self, message):
        return message.get_body(("html",)).get_content()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Django's SMTP backend pointed at a fresh aiosmtpd server; yields its Recorder."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield recorder
    controller.stop()
