import io
import zipfile

import pytest

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
