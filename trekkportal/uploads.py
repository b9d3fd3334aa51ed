"""Files coming in: the checks every upload shares, made before any parser sees the file.

- `sniff`: the type by the first bytes (a file's name and the type the browser claims prove
  nothing).
- `decode_text` and `csv_separator`: CSV as Norwegian offices write it, UTF-8 with or without a
  BOM or Windows-1252 from an older Excel, separated by `;` or `,`.
- `inspect_xlsx` and `check_xlsx`: a workbook is a zip archive, and a zip can hide a bomb (few
  bytes that unpack to gigabytes) or macros. Only the archive's directory and its small
  content-types part are read. The limits differ per kind of upload and are named here.
- `FORMULA_STARTS`: text a spreadsheet takes for a formula. Uploads refuse it where a value is
  wanted; downloads neutralise it (`trekkportal.downloads.neutralise`).

Each caller decides what to refuse and says so in its own words, in Norwegian.
"""

import zipfile
import zlib
from dataclasses import dataclass

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
OLE = "application/x-ole-storage"  # Word and Excel before 2007 (.doc, .xls)
ZIP = "application/zip"  # an XLSX is one; `inspect_xlsx` tells whether it is a workbook
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SIGNATURES = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF8", GIF),
    (b"\xd0\xcf\x11\xe0", OLE),
    (b"PK\x03\x04", ZIP),
]
SNIFF_BYTES = 8
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlsb", ".xlam")
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")


def sniff(head):
    """The type the first bytes of a file show (`SNIFF_BYTES` are enough), or None: no
    signature, so perhaps text."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


class NotText(ValueError):
    """Bytes that are no CSV text: `binary` when they hold a NUL byte, else of an unknown
    encoding."""

    def __init__(self, *, binary):
        super().__init__("binary data" if binary else "unknown encoding")
        self.binary = binary


def decode_text(data):
    """Text from an uploaded CSV: UTF-8 with or without a BOM, else Windows-1252; NotText
    otherwise."""
    if b"\x00" in data:
        raise NotText(binary=True)
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NotText(binary=False)


def csv_separator(sample):
    """`;` (what Norwegian Excel writes) unless `sample`, the first line or lines, has more `,`."""
    return ";" if sample.count(";") >= sample.count(",") else ","


# --- XLSX ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class XlsxLimits:
    max_entries: int
    max_unpacked: int  # bytes
    max_ratio: float | None = None  # unpacked / packed; None: the unpacked size alone decides


# A deduction list is one sheet of at most 10,000 rows, which we read at once.
DEDUCTION_LIST_XLSX = XlsxLimits(max_entries=200, max_unpacked=50 * 1024 * 1024)
# An attachment may be any workbook a person sends; it is stored, never read row by row. More
# parts are allowed, and the compression ratio catches a bomb below the size limit.
ATTACHMENT_XLSX = XlsxLimits(max_entries=1_000, max_unpacked=100 * 1024 * 1024, max_ratio=200)

CONTENT_TYPES_MAX = 1024 * 1024
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    ValueError,
    RuntimeError,
    EOFError,
    NotImplementedError,
)


class BrokenArchive(Exception):
    """Not a zip archive at all."""


class XlsxTooLarge(Exception):
    """Over its kind's limits: `parts` when it has too many entries, else it unpacks too large."""

    def __init__(self, *, parts):
        super().__init__("too many parts" if parts else "too large unpacked")
        self.parts = parts


@dataclass(frozen=True)
class XlsxArchive:
    entry_count: int
    unpacked_size: int
    packed_size: int
    part_names: frozenset  # lower-case
    content_types: str | None  # lower-case; None when missing, too large or unreadable

    @property
    def compression_ratio(self):
        return self.unpacked_size / (self.packed_size or 1)

    @property
    def is_workbook(self):
        return "xl/workbook.xml" in self.part_names

    @property
    def has_macros(self):
        return any("vbaproject" in name for name in self.part_names) or (
            self.content_types is not None and "macroenabled" in self.content_types
        )


def inspect_xlsx(fileobj):
    """What the archive holds, without unpacking more than its content-types part."""
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BrokenArchive from None
    with archive:
        by_name = {entry.filename.lower(): entry for entry in entries}
        types_entry = by_name.get("[content_types].xml")
        content_types = None
        if types_entry is not None and types_entry.file_size <= CONTENT_TYPES_MAX:
            try:
                content_types = archive.read(types_entry).decode("utf-8", "replace").lower()
            except _READ_ERRORS:
                content_types = None
    return XlsxArchive(
        entry_count=len(entries),
        unpacked_size=sum(entry.file_size for entry in entries),
        packed_size=sum(entry.compress_size for entry in entries),
        part_names=frozenset(by_name),
        content_types=content_types,
    )


def check_xlsx(fileobj, limits):
    """The archive when it is within `limits`; BrokenArchive or XlsxTooLarge otherwise. Whether
    it is a workbook and has macros the caller asks the archive, in its own order."""
    archive = inspect_xlsx(fileobj)
    if archive.entry_count > limits.max_entries:
        raise XlsxTooLarge(parts=True)
    too_packed = limits.max_ratio is not None and archive.compression_ratio > limits.max_ratio
    if archive.unpacked_size > limits.max_unpacked or too_packed:
        raise XlsxTooLarge(parts=False)
    return archive
