"""Benchmark (not a test): hostile files within the upload limits, through each upload path.

    .venv/bin/python bench/uploads.py                 # every case
    .venv/bin/python bench/uploads.py --only list     # the cases whose name holds "list"

Target (issue 12): any file within the limits is accepted or refused within 5 s and 200 MB.
Each case is one file through what the upload's view or form does before anything is saved:

- list: `deductions.lists.upload.read_upload` (identify, then a workbook parsed in a child
  process under `UPLOAD_PARSE_SECONDS` / `UPLOAD_PARSE_MAX_MEMORY`, or CSV rows read here);
- attachment: `messaging.attachments.check_attachment` (identify: stored, never parsed);
- member import: what the upload request does: `uploads.identify` with `MEMBER_IMPORT`, then
  the import's own `decode` and `check_header` (the rows are read by a background task, timed
  by bench/member_import.py);
- OCR: `uploads.identify` with `OCR`, then `deductions.cycle.ocr.read_ocr`.

For each: accepted or refused (and why), the wall time, the peak memory of this process above
where it started (VmHWM, reset before each case through /proc/self/clear_refs), and for a
workbook the peak of the child process that parsed it (its own VmHWM, which it reports).
The files are made first (not timed); hostile means within the size limits but built to cost:
100 MB of shared strings, a sheet declaring the whole grid, a million empty rows, a CSV of
5 MB in one column, a zip bomb just under the compression ratio.
"""

import argparse
import io
import logging
import os
import random
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = Path(tempfile.gettempdir()) / "trekk_bench_uploads.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trekkportal.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{DATABASE}")
MB = 1024 * 1024
TARGET_SECONDS = 5.0
TARGET_MB = 200


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class ChildPeaks(logging.Handler):
    """The parser child's peak, from the line `read_xlsx_rows` logs."""

    peak_kb = 0

    def emit(self, record):
        found = re.search(r"peak (\d+) kB", record.getMessage())
        if found:
            ChildPeaks.peak_kb = max(ChildPeaks.peak_kb, int(found.group(1)))


def national_ids(count):
    from deductions.national_ids import synthetic_national_id

    return [synthetic_national_id(number) for number in range(1, count + 1)]


# --- The files ------------------------------------------------------------------------------


def list_rows(count):
    header = ["Fødselsnummer", "Navn", "Kontingent", "Innboforsikring", "Reiseforsikring"]
    people = national_ids(count)
    return [header] + [
        [person, f"Etternavn{number} Fornavn", 310.5, 85, 91]
        for number, person in enumerate(people)
    ]


def list_csv(rows):
    return "\r\n".join(";".join(str(cell) for cell in row) for row in rows).encode()


def bomb_archive(size, ratio):
    """An XLSX-looking archive whose one big part unpacks to `size` bytes at about `ratio`."""
    from tests.trekkportal.workbooks import workbook

    source = zipfile.ZipFile(io.BytesIO(workbook(list_rows(3))))
    buffer = io.BytesIO()
    randomness = random.Random(12)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            archive.writestr(entry.filename, source.read(entry))
        # Random bytes compress not at all, zeros about a thousandfold: mix them to the ratio.
        random_share = 1 / ratio - 1 / 1030
        block = 1024 * 1024
        with archive.open("xl/media/image1.bin", "w", force_zip64=True) as part:
            for _ in range(size // block):
                noise = randomness.randbytes(int(block * random_share))
                part.write(noise + b"\0" * (block - len(noise)))
    return buffer.getvalue()


def files():
    from tests.deductions.cycle.ocr_files import ocr_file
    from tests.trekkportal.workbooks import workbook

    few = list_rows(3)
    member_header = "medlemsnummer;navn;fodselsnummer;bedriftsnummer;fra_maned"
    people = national_ids(200_000)
    member_rows = "\n".join(
        f"{number};Etternavn{number} Fornavn;{person};10000000;2021-01"
        for number, person in enumerate(people, start=1)
    )
    return [
        (
            "list: XLSX, 100 MB of shared strings",
            "liste.xlsx",
            lambda: workbook(few, shared_strings=5_600_000, string_length=2, variety=1),
        ),
        (
            "list: XLSX, 45 MB of shared strings (just under 50 MB unpacked)",
            "liste.xlsx",
            lambda: workbook(few, shared_strings=2_600_000, string_length=2, variety=1),
        ),
        (
            "list: XLSX of 3 rows declaring A1:XFD1048576",
            "liste.xlsx",
            lambda: workbook(few, dimension="A1:XFD1048576"),
        ),
        (
            "list: XLSX, 3 rows then 600,000 empty rows",
            "liste.xlsx",
            lambda: workbook(few, empty_rows=600_000),
        ),
        (
            "list: XLSX of 10,000 rows (the largest list)",
            "liste.xlsx",
            lambda: workbook(list_rows(10_000), dimension="A1:E10001"),
        ),
        (
            "list: XLSX, zip bomb: 49 MB part at ratio 1,000 beside the sheet",
            "liste.xlsx",
            lambda: bomb_archive(49 * MB, 1000),
        ),
        (
            "list: CSV of 5 MB in one column",
            "liste.csv",
            lambda: b"Fodselsnummer;Navn;Kontingent\n" + b"1\n" * (5 * MB // 2 - 20),
        ),
        ("list: CSV of 10,000 rows", "liste.csv", lambda: list_csv(list_rows(10_000))),
        (
            "attachment: XLSX, 100 MB of shared strings",
            "vedlegg.xlsx",
            lambda: workbook(few, shared_strings=5_600_000, string_length=2, variety=1),
        ),
        (
            "attachment: XLSX, 95 MB of shared strings",
            "vedlegg.xlsx",
            lambda: workbook(few, shared_strings=5_300_000, string_length=2, variety=16),
        ),
        (
            "attachment: zip bomb, 99 MB at ratio 190 (limit 200)",
            "vedlegg.xlsx",
            lambda: bomb_archive(99 * MB, 190),
        ),
        ("attachment: CSV of 10 MB in one column", "vedlegg.csv", lambda: b"a\n" * (5 * MB - 1)),
        (
            "member import: CSV of 20 MB in one column",
            "medlemmer.csv",
            lambda: b"medlemsnummer\n" + b"1\n" * (10 * MB - 10),
        ),
        (
            "member import: CSV of 200,000 valid rows (13 MB)",
            "medlemmer.csv",
            lambda: f"{member_header}\n{member_rows}".encode(),
        ),
        (
            "OCR: 10 MB of text that is no OCR",
            "ocr.txt",
            lambda: b"NY0000" + b"0" * 74 + b"\r\n" + b"9" * (10 * MB - 100),
        ),
        (
            "OCR: 9 MB OCR file, 40,000 payments",
            "ocr.txt",
            lambda: ocr_file([(f"{n:013d}", "100.00") for n in range(40_000)]),
        ),
    ]


# --- The paths ------------------------------------------------------------------------------


def through(name, filename, data):
    """(accepted, what was said) for one file through its upload path."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from deductions.basis import member_import
    from deductions.cycle.ocr import OcrError, read_ocr
    from deductions.lists.upload import UploadError, read_upload
    from messaging.attachments import check_attachment
    from trekkportal import uploads

    upload = SimpleUploadedFile(filename, data)
    try:
        if name.startswith("list"):
            result = read_upload(upload)
            if not result.is_valid:
                return False, f"{len(result.problems)} row problems"
            return True, f"{len(result.rows)} rows"
        if name.startswith("attachment"):
            return True, check_attachment(upload).content_type
        if name.startswith("member import"):
            # What the upload request does; reading every row is the check task's work
            # (bench/member_import.py times it).
            uploads.identify(upload, uploads.MEMBER_IMPORT)
            lines = member_import.check_header(member_import.decode(upload.read()))
            return True, f"{lines} lines queued for the check task"
        found = uploads.identify(upload, uploads.OCR)
        return True, f"{len(read_ocr(found.text.encode('iso-8859-1')).payments)} payments"
    except (UploadError, ValidationError, uploads.Refused, OcrError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return False, text
    except member_import.ImportFileError as error:
        return False, str(error)


def database():
    from django.core.management import call_command

    from employers.models import Employer

    if not DATABASE.exists():
        call_command("migrate", verbosity=0)
    Employer.objects.get_or_create(number="10000000", defaults={"name": "Storetaten"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    options = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("trekkportal.uploads").addHandler(ChildPeaks())
    logging.getLogger("trekkportal.uploads").setLevel(logging.INFO)
    logging.getLogger("trekkportal.uploads").propagate = False
    database()

    print("| case | packed | result | wall (s) | process peak (MB) | parser peak (MB) | target |")
    print("| --- | ---: | --- | ---: | ---: | ---: | --- |")
    for name, filename, make in files():
        if options.only not in name:
            continue
        data = make()
        ChildPeaks.peak_kb = 0
        before_kb = _status_kb("VmRSS")
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current resident size
        started = time.monotonic()
        accepted, said = through(name, filename, data)
        wall = time.monotonic() - started
        process_mb = (_status_kb("VmHWM") - before_kb) / 1024
        child_mb = ChildPeaks.peak_kb / 1024
        met = wall <= TARGET_SECONDS and max(process_mb, child_mb) <= TARGET_MB
        child = f"{child_mb:.0f}" if child_mb or "lang tid" not in said else "killed"
        verdict = "accepted" if accepted else "refused"
        print(
            f"| {name} | {len(data) / MB:.2f} MB | {verdict}: {said[:70]} | {wall:.2f} | "
            f"{process_mb:.0f} | {child} | {'met' if met else 'MISSED'} |",
            flush=True,
        )
        del data


if __name__ == "__main__":
    main()
