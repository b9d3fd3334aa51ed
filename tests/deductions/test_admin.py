"""Staff admin for members, rates and months."""

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import AuditEvent
from deductions.cycle.admin import PaymentAdmin
from deductions.models import Basis, Payment
from deductions.period import Period
from tests.deductions.conftest import make_member


@pytest.fixture(autouse=True)
def _superuser(staff):
    staff.is_superuser = True
    staff.save()


def test_staff_generate_a_month_from_admin(staff_client, staff, rates, employer):
    make_member("Hauge Linda", employer, Period(2021, 1))
    response = staff_client.post(
        reverse("admin:deductions_basis_generate"), {"period": "2021-03", "publish": "on"}
    )
    assert response.status_code == 302
    basis = Basis.objects.get()
    assert (basis.period, basis.status) == (Period(2021, 3), Basis.Status.PUBLISHED)
    assert AuditEvent.objects.filter(action="basis_published", actor=staff).exists()


def test_staff_publishing_after_a_skipped_month_publish_it_first_and_are_told(
    staff_client, staff, rates, employer
):
    from deductions.basis.services import basis_generate

    make_member("Hauge Linda", employer, Period(2021, 1))
    basis_generate(period=Period(2021, 1))
    make_member("Berg Per", employer, Period(2021, 2))

    response = staff_client.post(
        reverse("admin:deductions_basis_generate"),
        {"period": "2021-03", "publish": "on"},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == [
        "2021/02: 1 trekkgrunnlag publisert, 2 på trekk, 1 endring.",
        "2021/03: 1 trekkgrunnlag publisert, 2 på trekk, 0 endringer.",
        "Genererte også 2021/02, som manglet.",
    ]
    assert Basis.objects.get(period=Period(2021, 2)).status == Basis.Status.PUBLISHED
    assert AuditEvent.objects.filter(
        action="basis_published", actor=staff, object_ref="2021-02"
    ).exists()


def test_staff_are_told_when_too_many_months_are_missing(staff_client, rates, employer):
    from deductions.basis.services import basis_generate

    basis_generate(period=Period(2021, 1))
    response = staff_client.post(
        reverse("admin:deductions_basis_generate"),
        {"period": "2022-03", "publish": "on"},
        follow=True,
    )
    [message] = response.context["messages"]
    assert "siste publiserte måned er 2021/01, og de 13 månedene imellom mangler" in str(message)
    assert Basis.objects.count() == 1


def test_generate_form_explains_a_bad_month(staff_client, rates):
    response = staff_client.post(reverse("admin:deductions_basis_generate"), {"period": "mars"})
    assert response.status_code == 200
    assert "Skriv måneden som ÅÅÅÅ-MM" in response.text


def test_generate_action_publishes_selected_drafts_and_leaves_published_months(
    staff_client, rates, employer
):
    from deductions.basis.services import basis_generate

    basis_generate(period=Period(2021, 1))
    basis_generate(period=Period(2021, 2), publish=False)
    published_at = Basis.objects.get(period=Period(2021, 1)).published_at
    response = staff_client.post(
        reverse("admin:deductions_basis_changelist"),
        {
            "action": "generate_selected",
            "_selected_action": list(Basis.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302
    assert Basis.objects.get(period=Period(2021, 2)).status == Basis.Status.PUBLISHED
    assert Basis.objects.get(period=Period(2021, 1)).published_at == published_at


def test_a_month_and_its_lines_are_read_only(staff_client, rates, employer):
    from deductions.basis.services import basis_generate

    make_member("Hauge Linda", employer, Period(2021, 1))
    basis_generate(period=Period(2021, 1))
    basis = Basis.objects.get()
    change_url = reverse("admin:deductions_basis_change", args=[basis.pk])
    assert staff_client.get(change_url).status_code == 200
    staff_client.post(change_url, {"line_count": 99})
    assert Basis.objects.get().line_count == 1
    lines = staff_client.get(
        reverse("admin:deductions_basisline_changelist") + f"?basis__id__exact={basis.pk}"
    )
    assert "Hauge Linda" in lines.text


def test_editing_a_members_history_leaves_an_audit_row(staff_client, staff, employer):
    member = make_member("Hauge Linda", employer, Period(2021, 1))
    deduction = member.deductions.get()
    response = staff_client.post(
        reverse("admin:deductions_member_change", args=[member.pk]),
        {
            "number": member.number,
            "name": "Hauge Linda",
            "national_id": member.national_id,
            "employee_number": "",
            "deductions-TOTAL_FORMS": "1",
            "deductions-INITIAL_FORMS": "1",
            "deductions-0-id": deduction.pk,
            "deductions-0-member": member.pk,
            "deductions-0-employer": employer.pk,
            "deductions-0-first_period": "2021-01",
            "deductions-0-last_period": "2021-06",
            "deductions-0-category": "ordinary",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert member.deductions.get().last_period == Period(2021, 6)
    event = AuditEvent.objects.get(action="member_history_changed")
    assert event.actor == staff
    assert event.details["changed"] == 1
    assert member.national_id not in str(event.details)


def test_staff_who_may_only_read_months_cannot_generate(staff_client, staff, rates, employer):
    from django.contrib.auth.models import Permission

    staff.is_superuser = False
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="view_basis"))
    response = staff_client.post(reverse("admin:deductions_basis_generate"), {"period": "2021-03"})
    assert response.status_code == 403
    assert not Basis.objects.exists()


def test_a_payments_link_to_its_ocr_file_escapes_the_file_name():
    name = '"><img src=x onerror=alert(1)>.txt'
    payment = SimpleNamespace(ocr_import_id=1, ocr_import=SimpleNamespace(filename=name))
    link = PaymentAdmin(Payment, admin.site).import_link(payment)
    assert name not in link
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.txt</a>" in link
