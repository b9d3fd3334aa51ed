"""A look inside an XLSX upload before any XML parser sees it.

A workbook is a zip archive, and a zip can hide a bomb (few bytes that unpack to gigabytes) or
macros. `inspect_xlsx` reads only the archive's directory and its small content-types part;
each caller decides what to refuse and says so in its own words.
"""

import zipfile
import zlib
from dataclasses import dataclass

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
