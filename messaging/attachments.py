"""Checks on uploaded attachments: size first, then the type by content, never by name alone.

Accepted: PDF, PNG, JPEG, CSV and XLSX (`trekkportal.uploads.ATTACHMENT`). An attachment is
stored, never parsed: an XLSX is checked as the zip archive it is (entry count, unpacked size and
compression ratio from the central directory, then each part against its checksum), and a
workbook with macros is refused.
"""

import posixpath
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from trekkportal import uploads
from trekkportal.uploads import CSV, JPEG, PDF, PNG, XLSX, Refused

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
    return uploads.ATTACHMENT.max_bytes


def check_attachment(upload):
    """Return a CheckedFile for an acceptable upload, or raise ValidationError in Norwegian."""
    name = posixpath.basename((upload.name or "").replace("\\", "/"))[:255] or "vedlegg"
    extension = posixpath.splitext(name)[1].lower()
    try:
        content_type = uploads.identify(upload, uploads.ATTACHMENT).content_type
    except Refused as refused:
        raise ValidationError(_refusal(refused.reason, name, upload.size)) from None
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            f"Innholdet i «{name}» passer ikke med filendelsen. "
            f"Vi tar imot {ALLOWED_LABEL} med riktig filendelse."
        )
    return CheckedFile(upload=upload, name=name, size=upload.size, content_type=content_type)


def _refusal(reason, name, size):
    if reason == Refused.TOO_LARGE:
        return (
            f"«{name}» er for stor ({filesizeformat(size)}). "
            f"Største tillatte størrelse er {filesizeformat(max_size())}."
        )
    if reason == Refused.MACROS:
        return f"«{name}» kan inneholde makroer. Lagre arket som .xlsx og prøv igjen."
    if reason in (Refused.BROKEN, Refused.NOT_WORKBOOK):
        return f"«{name}» er ikke et gyldig Excel-ark (.xlsx)."
    if reason == Refused.PARTS:
        return f"«{name}» har for mange deler til å være et vanlig regneark."
    if reason == Refused.UNPACKED:
        return f"«{name}» blir for stor når den pakkes ut."
    if reason == Refused.EMPTY:
        return f"«{name}» er tom."
    return f"Vi kjenner ikke igjen filtypen til «{name}». Vi tar imot {ALLOWED_LABEL}."
