"""`load_demo`: each part's demo data, loaded once for this module.

Loading the whole demo takes many seconds (three years of bases, Avinor's with 2,000 lines),
so the tests below share one load, kept in a transaction that is rolled back after the last of
them. Each test runs in a savepoint inside it, as usual.
"""

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from accounts.models import Role, User
from deductions.models import Basis, BasisLine, DeductionList, Member, Reason
from employers.models import Employer
from messaging.models import Message, Thread
from messaging.unread import unread_count

DEMO_DAY = "2021-02-15 12:00 +01:00"


def load_demo():
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("load_demo", stdout=StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    demo_settings = override_settings(
        DEBUG=True,
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), demo_settings, transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def counts():
    models = [Employer, User, Role, Member, Basis, BasisLine, DeductionList, Thread, Message]
    return {model.__name__: model.objects.count() for model in models}


def test_basis_history_is_generated_for_three_years(demo, db):
    system = Basis.objects.filter(employer__number="94001761")

    assert system.count() == 36
    assert system.order_by("period").last().period.slug == "2021-03"
    assert system.exclude(change_count=0).count() > 24
    assert BasisLine.objects.filter(became_ordinary=True, basis__in=system).exists()
    assert Basis.objects.get(employer__number="00080000", period="2021-03").line_count > 1500


def test_lists_are_delivered_in_past_months_with_their_pdfs_queued(demo, db):
    system = DeductionList.objects.filter(basis__employer__number="94001761")

    assert sorted((p.slug, kind) for p, kind in system.values_list("basis__period", "kind")) == [
        ("2020-11", "main"),
        ("2020-12", "main"),
        ("2020-12", "supplementary"),
        ("2021-01", "main"),
    ]
    # The task worker makes the PDFs once the delivery commits (this load never commits).
    assert all(item.is_delivered and item.deliveries.get().pdf_queued_at for item in system)
    january = system.get(basis__period="2021-01")
    assert january.lines.filter(reason=Reason.LEFT).count() == 1
    assert january.delivered_by.username == "10000001"
    avinor = DeductionList.objects.get(basis__employer__number="00080000")
    assert avinor.line_count > 1500 and avinor.delivered_by.username == "10000002"


def test_kari_and_ola_have_messages_with_one_unread_answer_each(demo, db, rf):
    assert Thread.objects.count() == 3
    for username in ("10000001", "10000002"):
        request = rf.get("/")
        request.user = User.objects.get(username=username)
        assert unread_count(request) == 1


def test_loading_again_changes_nothing(demo, db, settings):
    settings.DEBUG = True
    before = counts()

    load_demo()

    assert counts() == before
    assert before["DeductionList"] > 0 and before["Thread"] > 0


def test_demo_is_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="bare når DEBUG er på"):
        call_command("load_demo", stdout=StringIO())
