"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the cycle's mail, and contacts to mail."""

import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller

from accounts.models import Role
from tests.conftest import make_user


class Recorder:
    """Keeps what the server accepted; can refuse recipients, or every message after N."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.accept_only = None
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
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
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


def add_contact(username, name, address, *employers):
    user = make_user(username, name, email=address)
    for employer in employers:
        Role.objects.create(user=user, employer=employer)
    return user


def pay(employer, period, amount, kid="", key=None):
    """A payment as if read from an OCR file (employer None: an unknown KID)."""
    from decimal import Decimal
    from uuid import uuid4

    from deductions.models import OcrImport, Payment

    ocr_import = OcrImport.objects.create(filename="ocr.txt", sha256=uuid4().hex)
    return Payment.objects.create(
        ocr_import=ocr_import,
        transaction_key=key or uuid4().hex,
        kid=kid,
        amount=Decimal(amount),
        paid_on=period.first_day() if period else ocr_import.uploaded_at.date(),
        employer=employer,
        period=period,
    )


def deliver_list(employer, period, total, kind="main"):
    """A delivered deduction list of `employer`'s published basis for `period`."""
    from decimal import Decimal

    from django.utils import timezone

    from deductions.models import Basis, DeductionList

    return DeductionList.objects.create(
        basis=Basis.objects.get(employer=employer, period=period),
        kind=kind,
        status=DeductionList.Status.DELIVERED,
        delivered_at=timezone.now(),
        version=1,
        total=Decimal(total),
    )
