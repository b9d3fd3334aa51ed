"""Two hosts sending the same month's notices at once: every mail goes out once."""

import threading

import pytest
from django.db import connection

from deductions.cycle.mailings import notices_send
from deductions.models import CycleMail
from deductions.period import Period
from employers.models import Employer
from tests.deductions.conftest import make_member
from tests.deductions.cycle.conftest import add_contact

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two runs at once need PostgreSQL row locks (SQLite has one writer)",
    ),
]

MARCH = Period(2021, 3)


def test_two_runs_at_once_send_each_notice_once(rates, smtp_server, monkeypatch):
    monkeypatch.setattr("deductions.cycle.mailings.BATCH_SIZE", 7)
    employers = [
        Employer.objects.create(number=f"5000{n:04d}", name=f"Bedrift {n}") for n in range(20)
    ]
    for n, employer in enumerate(employers):
        make_member(f"Medlem {n}", employer, MARCH)
        add_contact(f"1300{n:04d}", f"Kontakt {n}", f"c{n}@example.com", employer)
        add_contact(f"1400{n:04d}", f"Vara {n}", f"v{n}@example.com", employer)
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def host():
        from django.db import connections

        try:
            barrier.wait()
            reports.append(notices_send(period=MARCH))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    recipients = [message["To"] for message in smtp_server.messages]
    assert len(recipients) == 40
    assert len(set(recipients)) == 40
    assert sum(report.sent for report in reports) == 40
    assert CycleMail.objects.filter(status=CycleMail.Status.SENT).count() == 40
