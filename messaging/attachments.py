"""Checks on uploaded attachments: size first, then the type by content, never by name alone.

Accepted: PDF, PNG, JPEG, CSV and XLSX. An XLSX is a zip archive: its entry count and
unpacked size are checked from the central directory before anything is unpacked, and a
workbook with macros is refused.
"""

import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from trekkportal.xlsx import BrokenArchive, inspect_xlsx

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    CSV: {".csv"},
    XLSX: {".xlsx"},
}
MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlsb", ".xlam"}
ALLOWED_LABEL = "PDF, PNG, JPEG, CSV eller XLSX"

XLSX_MAX_ENTRIES = 1_000
XLSX_MAX_UNPACKED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 200


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    size: int
    content_type: str


def max_size():
    return settings.MESSAGE_ATTACHMENT_MAX_BYTES


def check_attachment(upload):
    """Return a CheckedFile for an acceptable upload, or raise ValidationError in Norwegian."""
    name = posixpath.basename((upload.name or "").replace("\\", "/"))[:255] or "vedlegg"
    extension = posixpath.splitext(name)[1].lower()
    if upload.size > max_size():
        raise ValidationError(
            f"«{name}» er for stor ({filesizeformat(upload.size)}). "
            f"Største tillatte størrelse er {filesizeformat(max_size())}."
        )
    if upload.size == 0:
        raise ValidationError(f"«{name}» er tom.")
    if extension in MACRO_EXTENSIONS:
        raise ValidationError(
            f"«{name}» kan inneholde makroer. Lagre arket som .xlsx og prøv igjen."
        )
    content_type = _detect(upload, name)
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            f"Innholdet i «{name}» passer ikke med filendelsen. "
            f"Vi tar imot {ALLOWED_LABEL} med riktig filendelse."
        )
    upload.seek(0)
    return CheckedFile(upload=upload, name=name, size=upload.size, content_type=content_type)


def _detect(upload, name):
    upload.seek(0)
    head = upload.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        _check_xlsx(upload, name)
        return XLSX
    if _is_text(upload):
        return CSV
    raise ValidationError(
        f"Vi kjenner ikke igjen filtypen til «{name}». Vi tar imot {ALLOWED_LABEL}."
    )


def _is_text(upload):
    """CSV has no signature: accept text that decodes as UTF-8 (with or without BOM) or cp1252."""
    upload.seek(0)
    data = upload.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(char) < 32 and char not in "\t\r\n" for char in text)
    return False


def _check_xlsx(upload, name):
    broken = ValidationError(f"«{name}» er ikke et gyldig Excel-ark (.xlsx).")
    try:
        archive = inspect_xlsx(upload)
    except BrokenArchive:
        raise broken from None
    if archive.entry_count > XLSX_MAX_ENTRIES:
        raise ValidationError(f"«{name}» har for mange deler til å være et vanlig regneark.")
    if archive.unpacked_size > XLSX_MAX_UNPACKED or archive.compression_ratio > XLSX_MAX_RATIO:
        raise ValidationError(f"«{name}» blir for stor når den pakkes ut.")
    if archive.has_macros:
        raise ValidationError(f"«{name}» inneholder makroer. Vi tar bare imot ark uten makroer.")
    if archive.content_types is None or not archive.is_workbook:
        raise broken
    if "spreadsheetml.sheet.main+xml" not in archive.content_types:
        raise broken
    _open_workbook(upload, broken)


def _open_workbook(upload, broken):
    """Let openpyxl (with defusedxml installed) read the workbook once; a broken one is refused."""
    from openpyxl import load_workbook

    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure to read the workbook means it is broken
        raise broken from None
    workbook.close()
