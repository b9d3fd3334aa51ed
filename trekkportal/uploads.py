"""Files coming in: one module for every file the portal accepts, and the checks they share.

Every kind of upload (a deduction list, a message attachment, the member import, the bank's OCR
file) is an `UploadKind` below, with its size limit and, for a workbook, its archive's limits.
`identify(upload, kind)` makes the checks before any parser sees the file: size, emptiness, the
type by its first bytes (a file's name and the type the browser claims prove nothing), text that
is text, and a workbook's archive. It raises `Refused` with a reason, which each caller says in
its own words, in Norwegian (`str(refused)` is a plain default).

- `sniff`: the type by the first bytes.
- `decode_text` and `csv_separator`: CSV as Norwegian offices write it, UTF-8 with or without a
  BOM or Windows-1252 from an older Excel, separated by `;` or `,`.
- `inspect_xlsx` and `check_xlsx`: a workbook is a zip archive, and a zip can hide a bomb (few
  bytes that unpack to gigabytes) or macros. Only the archive's directory and its small
  content-types part are read; `verify_archive` unpacks each part once, in small pieces, to
  check it against its checksum, keeping nothing.
- `read_xlsx_rows`: the rows of a workbook's first sheet, parsed in a child process under a
  time and memory limit (`UPLOAD_PARSE_SECONDS`, `UPLOAD_PARSE_MAX_MEMORY`): a workbook within
  the size limits can still hold 50 MB of XML that takes a minute and a gigabyte to parse.
- `FORMULA_STARTS`: text a spreadsheet takes for a formula. Uploads refuse it where a value is
  wanted; downloads neutralise it (`trekkportal.downloads.neutralise`).
"""

import io
import json
import logging
import re
import resource
import signal
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
OLE = "application/x-ole-storage"  # Word and Excel before 2007 (.doc, .xls)
ZIP = "application/zip"  # an XLSX is one; `inspect_xlsx` tells whether it is a workbook
CSV = "text/csv"
TEXT = "text/plain"  # any other text: the bank's OCR file
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
# Text holds no control characters but tab and line breaks: else it is binary data.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


MB = 1024 * 1024
# A deduction list is one sheet of at most 10,000 rows, which we parse (in a child process under
# a time and memory limit, `read_xlsx_rows`): 50 MB unpacked is ten times the largest real one.
DEDUCTION_LIST_XLSX = XlsxLimits(max_entries=200, max_unpacked=50 * MB)
# An attachment may be any workbook a person sends; it is stored, never parsed. More parts are
# allowed, and the compression ratio catches a bomb below the size limit.
ATTACHMENT_XLSX = XlsxLimits(max_entries=1_000, max_unpacked=100 * MB, max_ratio=200)

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


def verify_archive(fileobj):
    """Unpacks every part once, in small pieces that are thrown away, so that zipfile checks
    each against its checksum: a damaged archive is a BrokenArchive. The central directory's
    sizes bound what is unpacked (check them first, `check_xlsx`)."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            for entry in archive.infolist():
                with archive.open(entry) as part:
                    while part.read(1024 * 1024):
                        pass
    except _READ_ERRORS:
        raise BrokenArchive from None
    finally:
        fileobj.seek(0)


# --- Kinds of upload -----------------------------------------------------------------------


@dataclass(frozen=True)
class UploadKind:
    """What one kind of upload may be. The README's table of upload limits lists these."""

    label: str  # Norwegian: what the file is, for messages ("en trekkliste (CSV eller XLSX)")
    default_max_bytes: int
    types: frozenset  # what `identify` accepts: sniffed types, CSV or TEXT
    xlsx: XlsxLimits | None = None  # when XLSX is among the types
    max_bytes_setting: str = ""  # a setting that overrides the default size, where there is one

    @property
    def max_bytes(self):
        if self.max_bytes_setting:
            return getattr(settings, self.max_bytes_setting, self.default_max_bytes)
        return self.default_max_bytes

    @property
    def max_label(self):
        """ "5 MB": the size limit as a person reads it."""
        return f"{self.max_bytes / MB:.3g} MB"


DEDUCTION_LIST = UploadKind(
    "en trekkliste (CSV eller XLSX)", 5 * MB, frozenset({CSV, XLSX}), DEDUCTION_LIST_XLSX
)
ATTACHMENT = UploadKind(
    "et vedlegg (PDF, PNG, JPEG, CSV eller XLSX)",
    10 * MB,
    frozenset({PDF, PNG, JPEG, CSV, XLSX}),
    ATTACHMENT_XLSX,
    max_bytes_setting="MESSAGE_ATTACHMENT_MAX_BYTES",
)
MEMBER_IMPORT = UploadKind("en CSV-fil fra medlemsregisteret", 20 * MB, frozenset({CSV}))
OCR = UploadKind("en OCR-fil fra banken (tekst)", 10 * MB, frozenset({TEXT}))
KINDS = (DEDUCTION_LIST, ATTACHMENT, MEMBER_IMPORT, OCR)


class Refused(Exception):
    """A file refused before any parser saw it. `reason` is one of the names below; `str()`
    is a plain Norwegian default that a caller may replace with its own words."""

    TOO_LARGE = "too_large"
    EMPTY = "empty"
    MACROS = "macros"
    NOT_ACCEPTED = "not_accepted"  # a type this kind does not take
    BINARY = "binary"  # no signature, but no text either
    ENCODING = "encoding"  # text in an encoding we do not know
    BROKEN = "broken"  # a damaged zip archive
    NOT_WORKBOOK = "not_workbook"  # a sound zip archive, but no workbook
    PARTS = "parts"  # a workbook of too many parts
    UNPACKED = "unpacked"  # a workbook too large unpacked, or packed too tightly

    def __init__(self, reason, kind):
        self.reason = reason
        self.kind = kind
        super().__init__(self.message)

    @property
    def message(self):
        kind = self.kind
        return {
            self.TOO_LARGE: f"Filen er for stor (høyst {kind.max_label}).",
            self.EMPTY: "Filen er tom.",
            self.MACROS: "Regneark med makroer (.xlsm) tas ikke imot. Lagre som .xlsx.",
            self.NOT_ACCEPTED: f"Filen er ikke {kind.label}.",
            self.BINARY: f"Filen er ikke {kind.label} (den inneholder binære data).",
            self.ENCODING: "Filen har ukjent tegnkoding. Lagre den som UTF-8.",
            self.BROKEN: "Regnearket er ødelagt og kan ikke åpnes.",
            self.NOT_WORKBOOK: f"Filen er ikke {kind.label}.",
            self.PARTS: "Regnearket har for mange deler.",
            self.UNPACKED: "Regnearket er for stort når det pakkes ut.",
        }[self.reason]


@dataclass(frozen=True)
class Identified:
    content_type: str
    text: str | None = None  # the decoded text of a CSV or TEXT file


def identify(upload, kind):
    """The type of an upload (Django's UploadedFile) within `kind`'s limits, else Refused.

    The size is checked before anything is read; a binary type by its first bytes; a workbook
    by its archive's directory and checksums (never parsed); text by decoding it once (the
    text is returned, so the caller does not decode again). Leaves the file at its start.
    """
    size = upload.size
    if size is None or size > kind.max_bytes:
        raise Refused(Refused.TOO_LARGE, kind)
    if size == 0:
        raise Refused(Refused.EMPTY, kind)
    if XLSX in kind.types and (upload.name or "").lower().endswith(MACRO_EXTENSIONS):
        raise Refused(Refused.MACROS, kind)
    upload.seek(0)
    found = sniff(upload.read(SNIFF_BYTES))
    try:
        if found == ZIP and XLSX in kind.types:
            _check_workbook(upload, kind)
            return Identified(XLSX)
        if found is not None:
            if found not in kind.types:
                raise Refused(Refused.NOT_ACCEPTED, kind)
            return Identified(found)
        text_type = CSV if CSV in kind.types else TEXT if TEXT in kind.types else None
        if text_type is None:
            raise Refused(Refused.NOT_ACCEPTED, kind)
        upload.seek(0)
        data = upload.read(kind.max_bytes + 1)
        if len(data) > kind.max_bytes:
            raise Refused(Refused.TOO_LARGE, kind)
        try:
            text = decode_text(data)
        except NotText as error:
            raise Refused(Refused.BINARY if error.binary else Refused.ENCODING, kind) from None
        if CONTROL_CHARACTERS.search(text):
            raise Refused(Refused.BINARY, kind)
        return Identified(text_type, text)
    finally:
        upload.seek(0)


def _check_workbook(upload, kind):
    try:
        archive = check_xlsx(upload, kind.xlsx)
    except BrokenArchive:
        raise Refused(Refused.BROKEN, kind) from None
    except XlsxTooLarge as error:
        raise Refused(Refused.PARTS if error.parts else Refused.UNPACKED, kind) from None
    if archive.has_macros:
        raise Refused(Refused.MACROS, kind)
    if not archive.is_workbook:
        raise Refused(Refused.NOT_WORKBOOK, kind)
    if archive.content_types is None or "spreadsheetml.sheet.main+xml" not in (
        archive.content_types
    ):
        raise Refused(Refused.BROKEN, kind)
    try:
        verify_archive(upload)
    except BrokenArchive:
        raise Refused(Refused.BROKEN, kind) from None


# --- Parsing a workbook under a time and memory limit ----------------------------------------


# Reading rows (`table_rows`): no list we read has more columns, its header is among the first
# rows, and 50 empty rows in a row end it.
MAX_COLUMNS = 64
HEADER_ROWS = 5
EMPTY_RUN = 50


class Unreadable(Exception):
    """A workbook that could not be parsed: `reason` is SLOW (over `UPLOAD_PARSE_SECONDS`),
    MEMORY (over `UPLOAD_PARSE_MAX_MEMORY`) or BROKEN (the parser refused it)."""

    SLOW = "slow"
    MEMORY = "memory"
    BROKEN = "broken"

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def read_xlsx_rows(
    data, *, max_rows, max_columns=MAX_COLUMNS, header_rows=HEADER_ROWS, empty_run=EMPTY_RUN
):
    """The rows of the first sheet of a workbook (bytes that `identify` accepted), as
    `table_rows` makes them: `sheet_rows` run in a child process, stopped after
    `UPLOAD_PARSE_SECONDS` of CPU time and refused memory beyond `UPLOAD_PARSE_MAX_MEMORY`;
    Unreadable when it fails.

    CPU time, not time on the clock: on a busy server a workbook waits for a core, and the
    largest honest list (10,000 rows, about 1.5 s of CPU here) must not be refused because
    others were working. The clock still bounds the child (three times the CPU limit), for a
    child that waits on something other than the CPU.

    A child process because neither limit can be set on a thread: a gunicorn worker would be
    tied up (or killed by its own timeout, the contact left with an error page) by a file that
    holds 50 MB of XML. A fresh interpreter, not a fork: the child starts clean, without the
    worker's database connections and threads, and without re-running the parent's main
    module as multiprocessing's `spawn` would.
    """
    options = {
        "max_memory": settings.UPLOAD_PARSE_MAX_MEMORY,
        "cpu_seconds": settings.UPLOAD_PARSE_SECONDS,
        "max_rows": max_rows,
        "max_columns": max_columns,
        "header_rows": header_rows,
        "empty_run": empty_run,
    }
    command = [sys.executable, "-I", "-c", _CHILD, str(PROJECT_ROOT), json.dumps(options)]
    try:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and code; the file is stdin
            command,
            input=data,
            capture_output=True,
            timeout=settings.UPLOAD_PARSE_SECONDS * 3,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise Unreadable(Unreadable.SLOW) from None
    if completed.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and not completed.stdout:
        raise Unreadable(Unreadable.SLOW)  # its CPU time ran out
    try:
        outcome, rows, peak_kb = json.loads(completed.stdout)
    except ValueError:  # died without a word: the memory limit hit outside Python's reach
        raise Unreadable(Unreadable.MEMORY) from None
    logger.info("Workbook of %d bytes read: %s, peak %d kB", len(data), outcome, peak_kb)
    if outcome != "rows":
        raise Unreadable(outcome)
    return rows


PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Isolated (-I): no environment variables or user site; the project's root is put on the path.
_CHILD = "import sys; sys.path.insert(0, sys.argv[1]); import trekkportal.uploads as u; u.child()"


def child():
    """The child process: limit its own address space, parse the workbook on stdin with the
    options in argv (JSON), write [outcome, rows, peak memory in kB] to stdout as JSON."""
    options = limit_child(json.loads(sys.argv[2]))
    rows = None
    try:
        rows = sheet_rows(sys.stdin.buffer.read(), **options)
        outcome = "rows"
    except MemoryError:
        rows = None
        outcome = Unreadable.MEMORY
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on broken files; all mean one
        outcome = Unreadable.BROKEN
    sys.stdout.write(json.dumps([outcome, rows, _peak_kb()]))


def limit_child(options):
    """Sets this (child) process's memory and CPU limits from `options`; returns the rest.
    Past the CPU limit the kernel sends SIGXCPU, which ends the process (SIGKILL a second
    later, should it be caught)."""
    max_memory, cpu_seconds = options.pop("max_memory"), options.pop("cpu_seconds")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        max_memory = min(max_memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (max_memory, hard))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = cpu_seconds if hard == resource.RLIM_INFINITY else min(cpu_seconds, hard)
    resource.setrlimit(
        resource.RLIMIT_CPU, (soft, soft + 1 if hard == resource.RLIM_INFINITY else hard)
    )
    return options


def _peak_kb():
    """This process's peak resident memory since it started its program (VmHWM). getrusage
    would count the parent's, which the child had before exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def sheet_rows(
    data, *, max_rows, max_columns=MAX_COLUMNS, header_rows=HEADER_ROWS, empty_run=EMPTY_RUN
):
    """The first sheet's rows as `table_rows` makes them (dates and times as text).

    The sheet's declared size is ignored: `A1:XFD1048576` in a 1.6 KB file made openpyxl pad
    every row to 16,384 cells and read a million empty ones. Runs in the child process of
    `read_xlsx_rows`; called directly by tests, which measure what it allocates.
    """
    import openpyxl  # with defusedxml installed, openpyxl parses the XML with it

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        cells = sheet.iter_rows(min_row=1, min_col=1, max_col=max_columns, values_only=True)
        return table_rows(
            cells,
            max_rows=max_rows,
            max_columns=max_columns,
            header_rows=header_rows,
            empty_run=empty_run,
        )
    finally:
        workbook.close()


def table_rows(
    rows, *, max_rows, max_columns=MAX_COLUMNS, header_rows=HEADER_ROWS, empty_run=EMPTY_RUN
):
    """Rows of a CSV or sheet, each a list of its values ("" for an empty cell, trailing empty
    cells left off), at most `max_rows` + 1 of them (so that the caller can tell "too many").

    Only the columns we can know are kept: at most `max_columns`, and past the first
    `header_rows` (where the header is) only as many as the widest of those. Reading ends
    after `empty_run` empty rows in a row (a sheet of a few rows can hold a million empty
    ones). What is kept is bounded whatever the file holds.
    """
    table, width, empty = [], max_columns, 0
    for number, values in enumerate(rows, start=1):
        cells = [_plain(value) for value in values[:width]]
        while cells and cells[-1] == "":
            cells.pop()
        table.append(cells)
        if number == header_rows:
            width = max(len(row) for row in table) or 1
        empty = 0 if cells else empty + 1
        if empty >= empty_run or len(table) > max_rows:
            break
    while table and not table[-1]:
        table.pop()
    return table


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, str | int | float):  # bool is an int
        return value
    return str(value)  # a date, a time, a duration
