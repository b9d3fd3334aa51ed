"""The member import at register scale: a 100,000-row export checked and imported by the worker.

    .venv/bin/python bench/member_import.py              # 100,000 rows
    .venv/bin/python bench/member_import.py --rows 20000

Uses its own PostgreSQL database, trekk_bench_import (dropped and made again on every run), the
production settings of `bench/run.py`, and the same path staff take: the upload and the pages
through Django's test client (a staff user past two-factor), the check and the import run by
`manage.py db_worker --batch` in its own process, as in production (timed as the task row
records it: a production worker is already running). Four files, one after the
other: the whole register into an empty database, the same file again (nothing changes), the
file with a tenth of the members changed (insurance, a move to another employer, a stop), and a
file where every row has an error (the status page must stay small). Prints a table for
docs/performance.md and writes the files to bench/results/.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PYTHON, RESULTS, SERVER, measured, production_env, psql  # noqa: E402

DATABASE = "trekk_bench_import"
TARGET_SECONDS = 60
EMPLOYERS = 500
FIRST_MONTH = 2016 * 12  # January 2016, as a month index
HEADER = (
    "medlemsnummer;navn;fodselsnummer;ansattnummer;bedriftsnummer;fra_maned;til_maned;"
    "kategori;innbo;reise"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    env = production_env(f"{SERVER}/{DATABASE}")
    os.environ.update(env)
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    psql(f'CREATE DATABASE "{DATABASE}"')
    measured([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, capture=False)
    measured([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, capture=False)

    import django

    django.setup()
    RESULTS.mkdir(parents=True, exist_ok=True)
    register = Register(args.rows)
    files = {
        "register.csv": register.csv(),
        "same-again.csv": register.csv(),
        "a-tenth-changed.csv": register.changed().csv(),
        "every-row-wrong.csv": register.csv(employer="99999999"),
    }
    client = staff_client()
    results = []
    for name, text in files.items():
        (RESULTS / f"member-import-{name}").write_text(text, encoding="utf-8")
        results.append(import_file(client, env, name, text.encode("utf-8")))
    print(report(args.rows, results))


class Register:
    """The union's register as the export describes it: members of employers of very uneven
    size, one row each from the month they joined, then changes at random until the file has
    its rows: insurance on or off, a move to another employer, a stop, a return after a stop."""

    def __init__(self, rows, seed=2026):
        from bench.scale_data import employer_sizes, national_ids
        from deductions.basis.demo import FIRST_NAMES, LAST_NAMES
        from employers.models import Employer

        self.rng = random.Random(seed)
        members = round(rows / 1.2)
        sizes = employer_sizes(members, EMPLOYERS, 5_000)
        Employer.objects.bulk_create(
            Employer(number=f"{10_000_000 + n}", name=f"Bedrift {n + 1}", city="OSLO")
            for n in range(EMPLOYERS)
        )
        ids = national_ids()
        employer_of = [index for index, size in enumerate(sizes) for _ in range(size)]
        self.members = []
        for n in range(members):
            name = f"{self.rng.choice(LAST_NAMES)} {self.rng.choice(FIRST_NAMES)}"
            rows_of_member = [self._row(employer_of[n], FIRST_MONTH + self.rng.randrange(96))]
            self.members.append([f"{1_000_000 + n}", name, next(ids), n, rows_of_member])
        written = members
        while written < rows:  # a change adds a row; a stop ends the member's last one
            written += self._change(self.rng.choice(self.members))

    def _row(self, employer, month):
        apprentice = self.rng.random() < 0.03
        return {
            "employer": employer,
            "from": month,
            "last": None,
            "category": "lærling" if apprentice else "ordinær",
            "home": not apprentice and self.rng.random() < 0.6,
            "travel": not apprentice and self.rng.random() < 0.3,
        }

    def _change(self, member):
        """One change to a member's history; the number of rows it adds (0 or 1)."""
        rows = member[4]
        last = rows[-1]
        if last["last"] is not None:  # stopped: joins again later
            rows.append(self._row(last["employer"], last["last"] + self.rng.randrange(1, 24)))
            return 1
        month = last["from"] + self.rng.randrange(1, 24)
        kind = self.rng.random()
        if kind < 0.15:  # a stop
            last["last"] = month
            return 0
        if kind < 0.3:  # a move to another employer
            rows.append(self._row(self.rng.randrange(EMPLOYERS), month))
        else:  # home insurance on or off
            home = not last["home"] and last["category"] != "lærling"
            rows.append({**last, "from": month, "home": home})
        return 1

    def changed(self):
        """The same register with a tenth of the members changed."""
        for member in self.rng.sample(self.members, len(self.members) // 10):
            member[4] = [dict(row) for row in member[4]]
            self._change(member)
        return self

    def csv(self, employer=None):
        lines = [HEADER]
        for number, name, national_id, employee, rows in self.members:
            for row in rows:
                last = _month(row["last"]) if row["last"] is not None else ""
                lines.append(
                    f"{number};{name};{national_id};{employee};"
                    f"{employer or 10_000_000 + row['employer']};{_month(row['from'])};{last};"
                    f"{row['category']};{'ja' if row['home'] else 'nei'};"
                    f"{'ja' if row['travel'] else 'nei'}"
                )
        return "\r\n".join(lines) + "\r\n"


def _month(index):
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def staff_client():
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts.models import User

    user = User.objects.create_superuser(username="90000001", full_name="Bench Stab", email="")
    device = StaticDevice.objects.create(user=user, name="bench")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def import_file(client, env, name, content):
    """Upload, check (worker), status page, confirm, import (worker): the timings."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from deductions.models import MemberImport

    result = {"file": name, "megabytes": len(content) / 1e6}
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    started = time.perf_counter()
    response = client.post(reverse("admin:deductions_member_import"), {"file": upload}, secure=True)
    result["upload"] = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    member_import = MemberImport.objects.latest("created_at")
    result["check"], result["check_mb"] = _worker(env)
    status_url = reverse("admin:deductions_member_import_status", args=[member_import.ref])
    started = time.perf_counter()
    page = client.get(status_url, secure=True)
    result["page"] = time.perf_counter() - started
    result["page_kb"] = len(page.content) / 1024
    member_import.refresh_from_db()
    result["rows"] = member_import.rows_total
    result["errors"] = member_import.error_count
    counts = ("new_count", "changed_count", "stopped_count", "unchanged_count")
    if member_import.status == MemberImport.Status.READY:
        confirm = reverse("admin:deductions_member_import_confirm", args=[member_import.ref])
        client.post(confirm, secure=True)
        result["import"], result["import_mb"] = _worker(env)
        member_import.refresh_from_db()
        assert member_import.status == MemberImport.Status.DONE, member_import.status
    result["counts"] = [getattr(member_import, count) for count in counts]
    return result


def _worker(env):
    """`db_worker --batch` runs what is queued and exits: the task's own time (as the task row
    records it; a production worker is already running) and the process's peak memory."""
    from django_tasks_db.models import DBTaskResult

    command = [PYTHON, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    _, _, peak = measured([*command, "-v0"], env)
    task = DBTaskResult.objects.order_by("-finished_at").first()
    assert task.status == "SUCCESSFUL", task.traceback
    return (task.finished_at - task.started_at).total_seconds(), peak


def report(rows, results):
    lines = [
        f"Member import, {rows:,} rows, PostgreSQL ({DATABASE}); worker: task time, peak memory.",
        "",
        "| file | MB | upload request | check (worker) | status page | import (worker) "
        "| new / changed / stopped / unchanged | rows with errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        imported = result.get("import")
        imported = f"{imported:.1f} s, {result['import_mb']:.0f} MB" if imported else "–"
        lines.append(
            f"| {result['file']} ({result['rows']:,} rows) | {result['megabytes']:.1f} "
            f"| {result['upload']:.2f} s "
            f"| {result['check']:.1f} s, {result['check_mb']:.0f} MB "
            f"| {result['page'] * 1000:.0f} ms, {result['page_kb']:.0f} KB "
            f"| {imported} "
            f"| {' / '.join(f'{count:,}' for count in result['counts'])} "
            f"| {result['errors']:,} |"
        )
    slowest = max((result.get("import") or 0) for result in results)
    lines += ["", f"Slowest import: {slowest:.1f} s (target: at most {TARGET_SECONDS} s)."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
