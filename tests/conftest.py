"""Fixtures every test can use: an employer with its contact, an outsider at another
employer, a contact with several roles, and staff who have passed two-factor."""

from functools import partial

import pytest
from django.test import Client

from accounts.middleware import ROLE_SESSION_KEY
from accounts.models import Role, User
from employers.models import Employer
from tests.smtp import smtp_server  # noqa: F401 (a fixture for every test)
from trekkportal import sms

PASSWORD = "riktig-hest-batteri"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.SMS_BACKEND = "memory"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # A task runs at once, inside the request or command that enqueues it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def sms_outbox():
    return sms.outbox


def make_user(username, full_name, **fields):
    user = User.objects.create_user(username=username, full_name=full_name, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def employer(db):
    return Employer.objects.create(
        number="94001761",
        name="Systemadministrasjonen",
        address="Møllergata 10",
        postcode="0179",
        city="OSLO",
    )


@pytest.fixture
def other_employer(db):
    return Employer.objects.create(
        number="00080000",
        name="Avinor AS",
        address="Postboks 150",
        postcode="2061",
        city="GARDERMOEN",
    )


@pytest.fixture
def owner(employer):
    """A payroll contact with one role, at `employer`."""
    user = make_user("10000001", "Kari Nordmann", email="kari@example.com", mobile="+4791234567")
    Role.objects.create(user=user, employer=employer)
    return user


@pytest.fixture
def outsider(other_employer):
    """A payroll contact at another employer: must never see `employer`'s data."""
    user = make_user("10000002", "Ola Nordmann", email="ola@example.com", mobile="+4792345678")
    Role.objects.create(user=user, employer=other_employer)
    return user


@pytest.fixture
def staff(db):
    return make_user("90000001", "Nora Stab", email="nora@example.com", is_staff=True)


def client_for(user, employer=None):
    """A logged-in client, acting for `employer` when given."""
    client = Client()
    client.force_login(user)
    if employer is not None:
        session = client.session
        session[ROLE_SESSION_KEY] = Role.objects.get(user=user, employer=employer).pk
        session.save()
    return client


@pytest.fixture
def owner_client(owner, employer):
    return client_for(owner, employer)


@pytest.fixture
def outsider_client(outsider, other_employer):
    return client_for(outsider, other_employer)


@pytest.fixture
def staff_client(staff):
    """Staff who have passed two-factor (the OTP middleware sees a verified device)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=staff, name="test")
    client = Client()
    client.force_login(staff)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def superuser_client(staff, staff_client):
    """Staff with every permission in Django admin, past two-factor."""
    staff.is_superuser = True
    staff.save()
    return staff_client


def respond_without_closing(method, path, data=None, client=None):
    """The response as Django's WSGI handler hands it to the server, before the server closes
    it (the test client closes it at once): what runs on close has not run yet. `client`
    lends its session cookies."""
    from django.core.handlers.base import BaseHandler
    from django.test import RequestFactory

    factory = RequestFactory()
    if client is not None:
        factory.cookies = client.cookies
    request = getattr(factory, method)(path, data or {})
    request._dont_enforce_csrf_checks = True
    handler = BaseHandler()
    handler.load_middleware()
    response = handler.get_response(request)
    response.close = partial(_close_keeping_the_connection, response.close)
    return response


def _close_keeping_the_connection(close):
    """As the test client closes: closing fires request_finished, whose close_old_connections
    would close the test's database connection mid-transaction."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        close()
    finally:
        request_finished.connect(close_old_connections)
