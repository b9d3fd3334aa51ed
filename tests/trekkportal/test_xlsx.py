import io
import zipfile

import pytest

from trekkportal.xlsx import BrokenArchive, inspect_xlsx


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
