"""Files going out: text a spreadsheet cannot take for a formula, and CSV as Norwegian Excel
opens it.

Every text cell that begins like a formula (`trekkportal.uploads.FORMULA_STARTS`: = + - @, a tab
or a carriage return) gets a leading apostrophe, in CSV and XLSX alike; our own list upload takes
it off again. A cell that is nothing but a number (`-5,00`, a negative difference) is left as it
is: a spreadsheet reads it as the number, and no formula fits in it.
"""

import csv
import re

from django.http import StreamingHttpResponse

from trekkportal.uploads import FORMULA_STARTS

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


PLAIN_NUMBER = re.compile(r"-?\d+(?:[,.]\d+)?")


def neutralise(value):
    if isinstance(value, str) and PLAIN_NUMBER.fullmatch(value):
        return value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file for `csv.writer` that hands each written line back instead of keeping it."""

    def write(self, value):
        return value


def streamed_csv(filename, header, rows):
    """`header` and `rows` as a CSV download for Norwegian Excel (`;`, UTF-8 with BOM, CRLF),
    written as the rows come, so a large export never sits in memory. Text cells are
    neutralised; other cells are written as given, so format amounts first
    (`deductions.money.cell`)."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

    def lines():
        yield "\ufeff" + writer.writerow([neutralise(cell) for cell in header])
        for cells in rows:
            yield writer.writerow([neutralise(cell) for cell in cells])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
