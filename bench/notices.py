"""Benchmark (not a test): 15,000 monthly notices through `send_monthly_notices`, beside plain
smtplib sending the same messages over one connection, in the same run.

    .venv/bin/python bench/notices.py                       # 15,000 notices, PostgreSQL
    .venv/bin/python bench/notices.py --count 2000          # quicker
    .venv/bin/python bench/notices.py --database-url sqlite:////tmp/notices.sqlite3

Makes a fresh database (default `trekk_cycle_bench` on the local PostgreSQL) with 5,000
employers and `--count` contacts spread over them, publishes the month's basis first (so the
command's own call of basis_generate finds nothing to do), and starts an aiosmtpd server in its
own process that counts and discards. Then it times
  1. the command: rows made set-based, claimed in batches, rendered (text + HTML) and built
     once per employer, sent over one SMTP connection and marked sent one by one;
  2. smtplib: the very same messages, rendered beforehand (not timed), sent over one
     connection with `sendmail` (the pure SMTP cost);
  3. smtplib again, rendering and building the messages in the loop as the command does (a
     plain script without rows, claims or marks: the ratio is what those cost);
and prints the times and the ratios (target: within 1.5x of plain smtplib).

Both baselines send the command's bytes (`RenderedMail.as_bytes`: Django's MIME, built once per
employer, with each recipient's own To, Date and Message-ID).
"""

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET = 1.5

SMTP_SERVER = """
import sys, time
from aiosmtpd.controller import Controller

class Counter:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Counter.count += 1
        return "250 OK"

controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    print(Counter.count, flush=True)
controller.stop()
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """aiosmtpd in its own process (so it does not share our GIL); `count()` asks it."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SMTP_SERVER, str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def count(self):
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


def fresh_database(url):
    if url.startswith("sqlite"):
        Path(url.split("sqlite:///", 1)[1]).unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url, smtp_port):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="trekkportal.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://trekkportal.example",
        SMS_BACKEND="console",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(count, employers, period):
    """`employers` employers and `count` contacts (each at one employer), rates, the basis."""
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, User
    from deductions.basis.services import basis_generate
    from deductions.models import Rate
    from employers.models import Employer

    Rate.objects.create(
        valid_from=period,
        dues_percent=Decimal("1.10"),
        home_insurance=Decimal("85.00"),
        travel_insurance=Decimal("91.00"),
        apprentice_total=Decimal("42.00"),
    )
    Employer.objects.bulk_create(
        Employer(number=f"{20_000_000 + n}", name=f"Bedrift nummer {n}") for n in range(employers)
    )
    employer_ids = list(Employer.objects.order_by("pk").values_list("pk", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        (
            User(
                username=f"{30_000_000 + n}",
                full_name=f"Kontakt {n}",
                email=f"kontakt{n}@lonn.example",
                password=unusable,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    user_ids = User.objects.order_by("pk").values_list("pk", flat=True)
    Role.objects.bulk_create(
        (
            Role(user_id=user_id, employer_id=employer_ids[n % len(employer_ids)])
            for n, user_id in enumerate(user_ids)
        ),
        batch_size=2000,
    )
    basis_generate(period=period)


def time_command(period):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("send_monthly_notices", "--period", period.slug, stdout=out)
    seconds = time.perf_counter() - started
    return seconds, out.getvalue().strip()


def _rows_and_bases(period):
    from deductions.models import Basis
    from messaging.models import OutboxMessage

    bases = {
        basis.employer_id: basis
        for basis in Basis.objects.filter(period=period).select_related("employer")
    }
    rows = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.MONTHLY_NOTICE, period=period
    ).order_by("pk")
    return list(rows.values_list("employer_id", "address")), bases


def _messages(rows, bases):
    """The command's messages, rendered and built once per employer like the command does."""
    from django.conf import settings

    from deductions.cycle.mailings import NOTICE_TEMPLATES, notice_context
    from trekkportal.mail import render_templated_mail

    rendered = {}
    for employer_id, email in rows:
        if employer_id not in rendered:
            rendered[employer_id] = render_templated_mail(
                NOTICE_TEMPLATES, notice_context(bases[employer_id])
            )
        yield settings.DEFAULT_FROM_EMAIL, email, rendered[employer_id].as_bytes(email)


def time_smtplib(port, messages):
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for sender, recipient, content in messages:
            client.sendmail(sender, [recipient], content)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=15_000)
    parser.add_argument("--employers", type=int, default=5_000)
    parser.add_argument("--database-url", default=f"{SERVER}/trekk_cycle_bench")
    args = parser.parse_args()

    smtp = SmtpServer()
    try:
        fresh_database(args.database_url)
        setup_django(args.database_url, smtp.port)
        from deductions.period import Period

        period = Period(2031, 3)
        fill(args.count, min(args.employers, args.count), period)

        command_seconds, summary = time_command(period)
        after_command = smtp.count()
        rows, bases = _rows_and_bases(period)
        built = list(_messages(rows, bases))
        smtplib_seconds = time_smtplib(smtp.port, built)
        after_smtplib = smtp.count() - after_command
        script_seconds = time_smtplib(smtp.port, _messages(rows, bases))
        after_script = smtp.count() - after_command - after_smtplib
    finally:
        smtp.stop()

    database = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
    ratio = command_seconds / smtplib_seconds
    script_ratio = command_seconds / script_seconds
    per = 1000 / args.count
    print(f"{args.count} notices, {database}, aiosmtpd on 127.0.0.1 in its own process")
    print(
        f"  command:                      {command_seconds:7.2f} s "
        f"({command_seconds * per:.2f} ms each, {after_command} received)  [{summary}]"
    )
    print(
        f"  smtplib, messages pre-built:  {smtplib_seconds:7.2f} s "
        f"({smtplib_seconds * per:.2f} ms each, {after_smtplib} received)"
    )
    print(
        f"  smtplib, built in the loop:   {script_seconds:7.2f} s "
        f"({script_seconds * per:.2f} ms each, {after_script} received)"
    )
    verdict = "within" if ratio <= TARGET else "OVER"
    print(f"  ratio command / smtplib pre-built: {ratio:.2f}x ({verdict} the {TARGET}x target)")
    print(f"  ratio command / smtplib building the same messages: {script_ratio:.2f}x")
    if {after_command, after_smtplib, after_script} != {args.count}:
        sys.exit("not every message arrived")


if __name__ == "__main__":
    main()
