"""Messaging fixtures: a second role for the owner, files good and bad, and sent threads."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from employers.models import Employer
from messaging.attachments import check_attachment
from messaging.services import message_reply, thread_start

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
CSV_BYTES = "fødselsnummer;navn;beløp\n01010112345;Åse Ås;123,45\n".encode()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def museum(db):
    return Employer.objects.create(number="94002001", name="Stiftinga Vest-Telemark Museum")


@pytest.fixture
def owner_with_two_roles(owner, museum):
    Role.objects.create(user=owner, employer=museum)
    return owner


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def xlsx_bytes(macro=False):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["navn", "beløp"])
    workbook.active.append(["Åse Ås", 123.45])
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not macro:
        return buffer.getvalue()
    return _with_macro(buffer.getvalue())


def _with_macro(data):
    """The workbook marked macro-enabled and carrying a VBA project, as Excel saves .xlsm."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "[Content_Types].xml":
                content = content.replace(
                    b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
                )
            target.writestr(entry, content)
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def zip_bomb_bytes():
    """A small archive that unpacks to 200 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("xl/workbook.xml", "w", force_zip64=True) as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(200):
                entry.write(chunk)
    return out.getvalue()


def send_from_contact(contact, employer, subject="Spørsmål om trekk", body="Hei!", files=()):
    """A new thread from a contact to the staff team; returns its first message."""
    return thread_start(
        sender=contact,
        employer=employer,
        subject=subject,
        body=body,
        files=[check_attachment(f) for f in files],
    )


def reply_from_staff(thread, staff, body="Hei, her er svaret."):
    return message_reply(thread=thread, sender=staff, body=body)


def count_queries(client, url, **params):
    """How many queries a page costs now: a baseline for "does not grow" tests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return len(queries.captured_queries)
