"""Staff reopen a delivered list in admin with a reason; the contact edits and delivers again;
every version and every step stays visible to staff."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import AuditEvent, Role
from deductions.lists.pdfs import render_list_pdf
from deductions.models import DeductionList
from tests.conftest import make_user
from tests.deductions.lists.conftest import deliver, form_data, start_list


@pytest.fixture
def delivered(owner_client, february):
    deduction_list = start_list(owner_client)
    owner_client.post(
        reverse("deductions:list_edit", args=[deduction_list.public_id]),
        form_data(deduction_list),
    )
    deliver(owner_client, deduction_list)
    deduction_list.refresh_from_db()
    return deduction_list


@pytest.fixture
def list_staff_client(staff, staff_client):
    for codename in ("view_deductionlist", "change_deductionlist"):
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    return staff_client


def reopen_url(deduction_list):
    return reverse("admin:deductions_deductionlist_reopen", args=[deduction_list.pk])


def test_staff_reopen_with_a_reason_and_the_contact_delivers_again(
    owner_client, list_staff_client, delivered
):
    response = list_staff_client.post(reopen_url(delivered), {"reason": "Feil beløp for Nina"})
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.status == DeductionList.Status.REOPENED
    edit = reverse("deductions:list_edit", args=[delivered.public_id])
    page = owner_client.get(edit)
    assert page.status_code == 200
    assert "Feil beløp for Nina" in page.text
    nina = delivered.lines.get(name="Ny Nina").position
    data = form_data(delivered, **{f"l-{nina}-dues": "150"})
    assert owner_client.post(edit, data).status_code == 302
    deliver(owner_client, delivered)
    delivered.refresh_from_db()
    assert delivered.is_delivered and delivered.version == 2
    assert delivered.total == Decimal("611.00")
    versions = list(delivered.deliveries.order_by("number"))
    assert [v.total for v in versions] == [Decimal("561.00"), Decimal("611.00")]
    for version in versions:  # the worker makes each version's PDF
        render_list_pdf.call(version.pk)
        version.refresh_from_db()
    assert versions[0].pdf.name != versions[1].pdf.name
    actions = list(
        AuditEvent.objects.filter(object_ref=delivered.public_ref)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "list_created",
        "list_draft_saved",
        "list_delivered",
        "list_reopened",
        "list_edited",
        "list_redelivered",
    ]
    reopened = AuditEvent.objects.get(action="list_reopened")
    assert reopened.details["reason"] == "Feil beløp for Nina"
    assert reopened.employer == delivered.basis.employer


def test_the_admin_page_shows_every_version_and_the_audit_trail(
    list_staff_client, delivered, django_capture_on_commit_callbacks
):
    list_staff_client.post(reopen_url(delivered), {"reason": "Rettes"})
    response = list_staff_client.get(
        reverse("admin:deductions_deductionlist_change", args=[delivered.pk])
    )
    assert response.status_code == 200
    body = response.text
    assert "list_delivered" in body and "list_reopened" in body
    assert "Begrunnelse: Rettes" in body  # the details in words, not `reason: Rettes`
    assert "Linjene i versjon 1" in body
    assert "Hauge Linda" in body
    pdf_url = reverse("admin:deductions_deductionlist_pdf", args=[delivered.pk, 1])
    delivered.deliveries.update(pdf_queued_at=None)  # its enqueue lost: the link queues it
    with django_capture_on_commit_callbacks(execute=True):
        waiting = list_staff_client.get(pdf_url, follow=True)
    assert "PDF-en av versjon 1 lages nå" in waiting.text  # never rendered in the request
    pdf = list_staff_client.get(pdf_url)  # the worker has made it meanwhile
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="list_pdf_downloaded").count() == 1


def test_a_reason_is_required_to_reopen(list_staff_client, delivered):
    response = list_staff_client.post(reopen_url(delivered), {"reason": ""})
    assert response.status_code == 200
    assert "Skriv hvorfor listen åpnes igjen." in response.text
    delivered.refresh_from_db()
    assert delivered.is_delivered


def test_staff_without_the_change_permission_cannot_reopen(staff, staff_client, delivered):
    staff.user_permissions.add(Permission.objects.get(codename="view_deductionlist"))
    response = staff_client.post(reopen_url(delivered), {"reason": "Rettes"})
    assert response.status_code == 403
    delivered.refresh_from_db()
    assert delivered.is_delivered


def test_a_contact_cannot_reach_the_reopen_page(owner_client, delivered):
    response = owner_client.post(reopen_url(delivered), {"reason": "Rettes"})
    assert response.status_code == 302  # to the admin login
    delivered.refresh_from_db()
    assert delivered.is_delivered


def test_reopening_waits_while_a_supplementary_list_is_open(
    owner_client, list_staff_client, delivered
):
    start_list(owner_client)  # the supplementary list, not delivered
    response = list_staff_client.post(reopen_url(delivered), {"reason": "Rettes"}, follow=True)
    assert "En annen liste for samme måned er under arbeid" in response.text
    delivered.refresh_from_db()
    assert delivered.is_delivered


def test_the_month_table_shows_a_reopened_list(owner_client, list_staff_client, delivered):
    list_staff_client.post(reopen_url(delivered), {"reason": "Rettes"})
    table = owner_client.get(reverse("home")).text.split('data-testid="month-table"')[1]
    row = table.split("2021/02")[1].split("</tr>")[0]
    assert "Gjenåpnet" in row
    assert "Fortsett trekkliste i nettskjema" in row
    assert "Trekkliste registrert" in row  # the delivered version stays in the archive


def test_reopening_sends_the_contacts_a_message_with_the_reason_and_a_link(
    owner, employer, staff, list_staff_client, delivered, settings
):
    from messaging.models import Message, OutboxMessage

    settings.SITE_URL = "https://trekk.example.org"
    colleague = make_user("10000009", "Kollega Kai", email="kai@example.com")
    Role.objects.create(user=colleague, employer=employer)

    list_staff_client.post(reopen_url(delivered), {"reason": "Feil beløp for Nina"})

    messages = Message.objects.filter(sender=staff).order_by("recipient__username")
    assert [message.recipient for message in messages] == [owner, colleague]
    for message in messages:
        assert message.subject == "Trekkliste for 2021/02 er åpnet igjen"
        assert "Årsak: Feil beløp for Nina" in message.body
        edit = reverse("deductions:list_edit", args=[delivered.public_id])
        assert f"https://trekk.example.org{edit}" in message.body
        assert message.thread.employer == employer
    notices = OutboxMessage.objects.filter(message__in=messages, kind="message_notice")
    assert {notice.address for notice in notices} >= {owner.email, "kai@example.com"}


def test_a_refused_reopening_sends_no_message(owner_client, list_staff_client, delivered, staff):
    from messaging.models import Message

    start_list(owner_client)  # a supplementary list is open: reopening waits
    list_staff_client.post(reopen_url(delivered), {"reason": "Feil beløp"})

    delivered.refresh_from_db()
    assert delivered.is_delivered
    assert not Message.objects.filter(sender=staff).exists()


def test_the_locked_page_links_to_a_new_message_and_the_supplementary_list(owner_client, delivered):
    response = owner_client.get(reverse("deductions:list_edit", args=[delivered.public_id]))

    assert response.status_code == 409
    assert f'href="{reverse("messaging:new")}">Ny melding<' in response.text
    new_list = reverse("deductions:list_new", args=[delivered.basis.period.slug])
    assert f'href="{new_list}">Registrer tilleggsliste<' in response.text
