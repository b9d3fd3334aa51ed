"""Checks on uploaded attachments: size first, then the type by content, never by name alone.

Accepted: PDF, PNG, JPEG, CSV and XLSX. An XLSX is a zip archive: its entry count and
unpacked size are checked from the central directory before anything is unpacked (limits in
`trekkportal.uploads.ATTACHMENT_XLSX`), and a workbook with macros is refused.
"""

import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from trekkportal import uploads
from trekkportal.uploads import CSV, JPEG, PDF, PNG, XLSX

EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    CSV: {".csv"},
    XLSX: {".xlsx"},
}
ALLOWED_LABEL = "PDF, PNG, JPEG, CSV eller XLSX"


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
    if extension in uploads.MACRO_EXTENSIONS:
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
    kind = uploads.sniff(upload.read(uploads.SNIFF_BYTES))
    if kind in (PDF, PNG, JPEG):
        return kind
    if kind == uploads.ZIP:
        _check_xlsx(upload, name)
        return XLSX
    if kind is None and _is_text(upload):
        return CSV
    raise ValidationError(
        f"Vi kjenner ikke igjen filtypen til «{name}». Vi tar imot {ALLOWED_LABEL}."
    )


def _is_text(upload):
    """CSV has no signature: accept text that decodes as CSV uploads do, without control
    characters."""
    upload.seek(0)
    try:
        text = uploads.decode_text(upload.read())
    except uploads.NotText:
        return False
    return not any(ord(char) < 32 and char not in "\t\r\n" for char in text)


def _check_xlsx(upload, name):
    broken = ValidationError(f"«{name}» er ikke et gyldig Excel-ark (.xlsx).")
    try:
        archive = uploads.check_xlsx(upload, uploads.ATTACHMENT_XLSX)
    except uploads.BrokenArchive:
        raise broken from None
    except uploads.XlsxTooLarge as error:
        if error.parts:
            raise ValidationError(
                f"«{name}» har for mange deler til å være et vanlig regneark."
            ) from None
        raise ValidationError(f"«{name}» blir for stor når den pakkes ut.") from None
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
