import io
import time
import tracemalloc
import zipfile

import pytest

from tests.trekkportal import workbooks
from trekkportal import uploads
from trekkportal.uploads import BrokenArchive, inspect_xlsx


def archive(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    buffer.seek(0)
    return buffer


def test_a_plain_workbook_has_no_macros_and_is_a_workbook():
    found = inspect_xlsx(
        archive({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
    )
    assert found.is_workbook
    assert not found.has_macros
    assert found.entry_count == 2
    assert found.content_types == "<types/>"


def test_macros_are_found_by_part_name_in_any_case_and_by_content_type():
    by_part = inspect_xlsx(archive({"xl/VBAProject.bin": b"x", "xl/workbook.xml": "w"}))
    by_type = inspect_xlsx(
        archive({"[Content_Types].xml": "application/vnd.ms-excel.sheet.macroEnabled"})
    )
    assert by_part.has_macros
    assert by_type.has_macros


def test_a_bomb_shows_in_its_compression_ratio_without_being_unpacked():
    found = inspect_xlsx(archive({"xl/workbook.xml": b"\0" * 5_000_000}))
    assert found.unpacked_size == 5_000_000
    assert found.compression_ratio > 500


def test_something_that_is_no_zip_is_a_broken_archive():
    with pytest.raises(BrokenArchive):
        inspect_xlsx(io.BytesIO(b"navn;belop\n"))


def test_a_bomb_is_too_large_for_an_attachment_by_its_ratio_but_not_for_a_list():
    bomb = archive({"xl/workbook.xml": b"\0" * 5_000_000})
    with pytest.raises(uploads.XlsxTooLarge) as error:
        uploads.check_xlsx(bomb, uploads.ATTACHMENT_XLSX)
    assert not error.value.parts
    assert uploads.check_xlsx(bomb, uploads.DEDUCTION_LIST_XLSX).is_workbook


def test_too_many_parts_is_named_as_such():
    many = archive({f"xl/part{number}.xml": "<x/>" for number in range(201)})
    with pytest.raises(uploads.XlsxTooLarge) as error:
        uploads.check_xlsx(many, uploads.DEDUCTION_LIST_XLSX)
    assert error.value.parts
    assert uploads.check_xlsx(many, uploads.ATTACHMENT_XLSX).entry_count == 201


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", uploads.PDF),
        (b"\x89PNG\r\n\x1a\n", uploads.PNG),
        (b"\xff\xd8\xff\xe0", uploads.JPEG),
        (b"GIF89a", uploads.GIF),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", uploads.OLE),
        (b"PK\x03\x04", uploads.ZIP),
        (b"Navn;Fodselsnummer", None),
    ],
)
def test_the_type_is_sniffed_from_the_first_bytes(head, expected):
    assert uploads.sniff(head) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_text_is_read_in_each_encoding_an_office_writes(encoding):
    assert uploads.decode_text("Navn;Åse Ødegård\n".encode(encoding)) == "Navn;Åse Ødegård\n"


def test_a_nul_byte_means_binary_and_undefined_bytes_an_unknown_encoding():
    with pytest.raises(uploads.NotText) as binary:
        uploads.decode_text(b"abc\x00def")
    with pytest.raises(uploads.NotText) as unknown:
        uploads.decode_text(b"abc\x81\x8d")
    assert binary.value.binary
    assert not unknown.value.binary


@pytest.mark.parametrize(
    ("sample", "expected"),
    [("a;b;c", ";"), ("a,b,c", ","), ("a;b,c", ";"), ("navn;belop\nBerg, Per;1,50", ";")],
)
def test_the_separator_is_the_one_used_more_semicolon_on_a_tie(sample, expected):
    assert uploads.csv_separator(sample) == expected


# --- Kinds and identify --------------------------------------------------------------------


def uploaded(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("kind", "content", "reason"),
    [
        (uploads.DEDUCTION_LIST, b"%PDF-1.7", uploads.Refused.NOT_ACCEPTED),
        (uploads.MEMBER_IMPORT, b"PK\x03\x04", uploads.Refused.NOT_ACCEPTED),
        (uploads.OCR, b"NY00\x0c0010", uploads.Refused.BINARY),
        (uploads.ATTACHMENT, b"", uploads.Refused.EMPTY),
        (uploads.ATTACHMENT, b"PK\x03\x04 no zip", uploads.Refused.BROKEN),
    ],
)
def test_each_kind_refuses_what_it_does_not_take_with_a_reason(kind, content, reason):
    with pytest.raises(uploads.Refused) as refused:
        uploads.identify(uploaded("fil", content), kind)
    assert refused.value.reason == reason
    assert str(refused.value)  # a Norwegian default a caller may use as it is


def test_the_size_is_checked_before_anything_is_read(monkeypatch):
    monkeypatch.setattr(uploads, "sniff", lambda head: pytest.fail("the file was read"))
    too_large = uploaded("ocr.txt", b"0" * (uploads.OCR.max_bytes + 1))
    with pytest.raises(uploads.Refused) as refused:
        uploads.identify(too_large, uploads.OCR)
    assert str(refused.value) == "Filen er for stor (høyst 10 MB)."


def test_text_is_decoded_once_and_handed_back():
    found = uploads.identify(
        uploaded("l.csv", "navn;beløp\n".encode("cp1252")), uploads.MEMBER_IMPORT
    )
    assert (found.content_type, found.text) == (uploads.CSV, "navn;beløp\n")


def test_a_damaged_part_is_found_by_its_checksum_without_parsing():
    data = bytearray(archive({"xl/workbook.xml": b"<workbook>" + b"x" * 5000}).getvalue())
    data[60:64] = b"\xff\xff\xff\xff"  # inside the compressed workbook part
    with pytest.raises(BrokenArchive):
        uploads.verify_archive(io.BytesIO(bytes(data)))


# --- Reading rows ----------------------------------------------------------------------------

HEADER = ["Fødselsnummer", "Navn", "Kontingent"]
ROWS = [HEADER, ["01010112345", "Åse Ås", 152.39999999999998], ["02020212345", "Per", 100]]


def rows_and_peak(data):
    """The rows `sheet_rows` reads, and the most memory it held at once while reading them."""
    tracemalloc.start()
    try:
        rows = uploads.sheet_rows(data, max_rows=10_005)
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_sheet_that_declares_the_whole_grid_is_read_row_by_row_in_little_memory():
    """Issue 12: a 1.6 KB file declaring A1:XFD1048576 made openpyxl pad every row to 16,384
    cells and read a million rows: 1.35 GB. Only the rows that are there are read now."""
    data = workbooks.workbook(ROWS, dimension="A1:XFD1048576")
    assert len(data) < 3000
    rows, peak = rows_and_peak(data)
    assert rows == ROWS
    assert peak < 50 * 1024 * 1024


def test_reading_ends_after_a_run_of_empty_rows_and_keeps_only_the_header_columns():
    more = [["03030312345", "Tre", 1], ["04040412345", "Fire", 2]]
    wide = ["05050512345", "Bred", 1, "", "", "", "", "", "", "ekstra"]
    data = workbooks.workbook(
        [*ROWS, *more, wide], empty_rows=200_000, after=[["06060612345", "Etter", 3]]
    )
    rows, peak = rows_and_peak(data)
    assert rows == [*ROWS, *more, ["05050512345", "Bred", 1]]
    assert peak < 50 * 1024 * 1024


def test_rows_past_the_limit_are_not_read():
    rows = uploads.table_rows(([str(number)] for number in range(1_000_000)), max_rows=10)
    assert len(rows) == 11  # one more, so the caller can tell there were too many


def test_the_child_process_reads_the_same_rows(settings):
    data = workbooks.workbook(ROWS)
    assert uploads.read_xlsx_rows(data, max_rows=10_005) == ROWS


def test_a_workbook_that_takes_too_long_is_given_up(settings, monkeypatch):
    settings.UPLOAD_PARSE_SECONDS = 1
    monkeypatch.setattr(uploads, "_CHILD", "import time; time.sleep(30)")
    started = time.monotonic()
    with pytest.raises(uploads.Unreadable) as error:
        uploads.read_xlsx_rows(workbooks.workbook(ROWS), max_rows=10)
    assert error.value.reason == uploads.Unreadable.SLOW
    assert time.monotonic() - started < 10


def test_a_workbook_that_keeps_the_cpu_busy_is_stopped_by_its_cpu_time(settings, monkeypatch):
    settings.UPLOAD_PARSE_SECONDS = 1
    busy = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import trekkportal.uploads as u; "
        "u.limit_child(json.loads(sys.argv[2]))\nwhile True: pass"
    )
    monkeypatch.setattr(uploads, "_CHILD", busy)
    with pytest.raises(uploads.Unreadable) as error:
        uploads.read_xlsx_rows(workbooks.workbook(ROWS), max_rows=10)
    assert error.value.reason == uploads.Unreadable.SLOW


def test_a_workbook_read_on_a_busy_server_is_not_refused_for_the_time_it_waited(
    settings, monkeypatch
):
    """The child waits 1.5 s on the clock (as for a core) and needs little CPU: a 1 s limit
    of CPU time lets it finish."""
    settings.UPLOAD_PARSE_SECONDS = 1
    waiting = (
        "import time; time.sleep(1.5); import sys; sys.path.insert(0, sys.argv[1]); "
        "import trekkportal.uploads as u; u.child()"
    )
    monkeypatch.setattr(uploads, "_CHILD", waiting)
    assert uploads.read_xlsx_rows(workbooks.workbook(ROWS), max_rows=10_005) == ROWS


def test_a_workbook_that_needs_too_much_memory_is_given_up(settings):
    """300,000 shared strings are about 80 MB in the parser: over a 64 MB limit."""
    settings.UPLOAD_PARSE_SECONDS = 120
    settings.UPLOAD_PARSE_MAX_MEMORY = 64 * 1024 * 1024
    data = workbooks.workbook(ROWS, shared_strings=300_000)
    with pytest.raises(uploads.Unreadable) as error:
        uploads.read_xlsx_rows(data, max_rows=10)
    assert error.value.reason == uploads.Unreadable.MEMORY


def test_a_broken_workbook_is_unreadable_as_broken():
    with pytest.raises(uploads.Unreadable) as error:
        uploads.read_xlsx_rows(archive({"xl/workbook.xml": "<x/>"}).getvalue(), max_rows=10)
    assert error.value.reason == uploads.Unreadable.BROKEN
