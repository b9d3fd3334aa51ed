"""Delivering a list: confirmation with totals and deviations, one transaction, once, locked."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.timezone import localtime

from accounts.models import AuditEvent
from deductions.lists.services import list_deliver
from deductions.models import DeductionList, ListDelivery, Reason
from tests.deductions.lists.conftest import deliver, form_data, position_of, start_list
from tests.worker import run_worker


def confirm_url(deduction_list):
    return reverse("deductions:list_confirm", args=[deduction_list.public_id])


def saved_list(client, **overrides):
    deduction_list = start_list(client)
    response = client.post(
        reverse("deductions:list_edit", args=[deduction_list.public_id]),
        form_data(deduction_list, lever="1", **overrides),
    )
    assert response.status_code == 302
    assert response.url == confirm_url(deduction_list)
    return deduction_list


def test_the_confirmation_shows_totals_and_deviations(owner_client, february):
    deduction_list = start_list(owner_client)
    nina = position_of(deduction_list, "Ny Nina")
    owner_client.post(
        reverse("deductions:list_edit", args=[deduction_list.public_id]),
        form_data(deduction_list, **{f"l-{nina}-home": "0", f"l-{nina}-dues": "0"}),
    )
    response = owner_client.get(confirm_url(deduction_list))
    assert response.status_code == 200
    body = response.text
    assert "kr 376,00" in body  # 100 + 176 + 100 + 0
    assert "Innboforsikring kr 0,00, forventet kr 85,00." in body
    assert "Kontingent er 0" in body
    assert february.kid in body
    assert "Lever trekkliste" in body
    deduction_list.refresh_from_db()
    assert deduction_list.status == DeductionList.Status.DRAFT  # looking delivers nothing


def test_delivering_locks_the_list_and_the_month_shows_levert(owner_client, owner, february):
    deduction_list = saved_list(owner_client)
    response = deliver(owner_client, deduction_list)
    assert response.status_code == 302
    deduction_list.refresh_from_db()
    assert deduction_list.status == DeductionList.Status.DELIVERED
    assert deduction_list.delivered_by == owner
    assert deduction_list.total == Decimal("561.00")
    delivery = ListDelivery.objects.get(deduction_list=deduction_list)
    assert delivery.number == 1 and delivery.line_count == 3
    assert not delivery.pdf  # queued for the task worker once the delivery commits, not made here
    assert delivery.pdf_queued_at is not None
    assert AuditEvent.objects.filter(action="list_delivered").count() == 1
    home = owner_client.get(reverse("home")).text
    table = home.split('data-testid="month-table"')[1].split("</table>")[0]
    february_row = table.split("2021/02")[1].split("</tr>")[0]
    assert "Levert" in february_row
    delivered_on = localtime(deduction_list.delivered_at)  # the portal shows Oslo time
    assert f"Trekkliste registrert {delivered_on:%d.%m.%Y}" in february_row
    assert reverse("deductions:list_detail", args=[deduction_list.public_id]) in february_row
    assert "Registrer tilleggsliste i nettskjema" in february_row


def test_a_double_submit_delivers_once(owner_client, february):
    deduction_list = saved_list(owner_client)
    deliver(owner_client, deduction_list)
    second = deliver(owner_client, deduction_list)
    assert second.status_code == 302
    assert ListDelivery.objects.filter(deduction_list=deduction_list).count() == 1
    assert AuditEvent.objects.filter(action="list_delivered").count() == 1
    deduction_list.refresh_from_db()
    assert deduction_list.version == 1


def test_a_delivered_list_cannot_be_changed_by_the_contact(owner_client, february):
    deduction_list = saved_list(owner_client)
    deliver(owner_client, deduction_list)
    edit = reverse("deductions:list_edit", args=[deduction_list.public_id])
    assert owner_client.get(edit).status_code == 409
    data = form_data(deduction_list, **{"l-0-dues": "999"})
    response = owner_client.post(edit, data)
    assert response.status_code == 409
    assert "Listen er levert og låst" in response.text
    assert not deduction_list.lines.filter(dues=999).exists()
    assert AuditEvent.objects.filter(action="list_draft_saved").count() == 1  # before delivery
    assert not AuditEvent.objects.filter(action="list_edited").exists()


def test_the_detail_page_shows_every_line_totals_and_who_delivered(owner_client, february):
    linda = "Hauge Linda"
    deduction_list = start_list(owner_client)
    position = position_of(deduction_list, linda)
    saved_list(owner_client, **{f"l-{position}-reason": Reason.SICK_PAY})
    deliver(owner_client, deduction_list)
    response = owner_client.get(reverse("deductions:list_detail", args=[deduction_list.public_id]))
    body = response.text
    assert response.status_code == 200
    assert "Sykepenger fra NAV" in body
    assert "Ny Nina" in body and "=Lærling Lise" in body
    assert "av Kari Nordmann" in body
    assert "kr 285,00" in body
    assert "Last ned PDF" in body


def test_after_delivery_a_supplementary_list_can_be_registered(owner_client, february):
    main = saved_list(owner_client)
    deliver(owner_client, main)
    supplementary = start_list(owner_client)
    assert supplementary != main
    assert supplementary.kind == DeductionList.Kind.SUPPLEMENTARY
    assert supplementary.lines.count() == 0
    from deductions.national_ids import synthetic_national_id

    response = owner_client.post(
        reverse("deductions:list_edit", args=[supplementary.public_id]),
        {
            "new-count": "3",
            "n-0-national_id": synthetic_national_id(901),
            "n-0-name": "Sen Siri",
            "n-0-dues": "150",
            "lever": "1",
        },
    )
    assert response.status_code == 302
    deliver(owner_client, supplementary)
    supplementary.refresh_from_db()
    assert supplementary.is_delivered and supplementary.total == Decimal("150.00")
    table = owner_client.get(reverse("home")).text.split('data-testid="month-table"')[1]
    row = table.split("2021/02")[1].split("</tr>")[0]
    assert row.index("Trekkliste registrert") < row.index("Tilleggsliste registrert")
    detail = owner_client.get(reverse("deductions:list_detail", args=[supplementary.public_id]))
    assert "Tilleggsliste 2021/02" in detail.text
    assert "Mangler i listen" not in detail.text  # a supplementary list lists only additions


def pdf_url(deduction_list):
    return reverse("deductions:list_pdf", args=[deduction_list.public_id])


def test_delivery_queues_the_pdf_and_the_worker_makes_it(
    owner_client, february, django_capture_on_commit_callbacks
):
    deduction_list = saved_list(owner_client)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deliver(owner_client, deduction_list)
    assert len(callbacks) == 1  # queued after the commit, not before
    delivery = deduction_list.deliveries.get()
    assert delivery.pdf.name.endswith(".pdf")  # the immediate backend ran the task at once
    assert delivery.pdf_failed_at is None


def test_the_delivered_pdf_is_served_from_storage_and_the_download_is_audited(
    owner_client, february, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    deduction_list = saved_list(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(owner_client, deduction_list)
    delivery = deduction_list.deliveries.get()
    stored_name = delivery.pdf.name
    assert stored_name
    response = owner_client.get(pdf_url(deduction_list))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Trekkliste 2021/02" in text
    assert "Hauge Linda" in text and "Systemadministrasjonen" in text
    assert "561,00" in text
    delivery.refresh_from_db()
    assert delivery.pdf.name == stored_name  # not rendered again
    assert AuditEvent.objects.filter(action="list_pdf_downloaded").count() == 1


def test_no_pdf_before_delivery(owner_client, february):
    deduction_list = start_list(owner_client)
    assert owner_client.get(pdf_url(deduction_list)).status_code == 404


def test_until_the_pdf_exists_its_link_opens_a_page_that_refreshes_itself(
    owner_client, february, django_capture_on_commit_callbacks
):
    deduction_list = saved_list(owner_client)
    deliver(owner_client, deduction_list)  # the test's transaction never commits: not run yet
    page = owner_client.get(pdf_url(deduction_list))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "no-store" in page["Cache-Control"]  # the next refresh must reach us
    assert "PDF-en lages" in page.text
    assert "trekklisten for 2021/02, versjon 1" in page.text
    assert "Du kan gå fra siden og komme tilbake" in page.text
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert "Prøv igjen" not in page.text
    assert not AuditEvent.objects.filter(action="list_pdf_downloaded").exists()
    # The worker runs; the same link now answers with the file.
    with django_capture_on_commit_callbacks(execute=True):
        ListDelivery.objects.update(pdf_queued_at=None)  # as if its enqueue was lost
        owner_client.get(pdf_url(deduction_list))  # the first request queues it
    response = owner_client.get(pdf_url(deduction_list))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_the_waiting_page_never_renders_in_the_request(owner_client, february, settings):
    """With the database backend the request only queues: the renderer must not be called."""
    from unittest import mock

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    deduction_list = saved_list(owner_client)
    with mock.patch("deductions.lists.pdfs.render_pdf", side_effect=AssertionError) as render:
        deliver(owner_client, deduction_list)
        for _ in range(3):  # each refresh answers at once, and queues nothing more
            page = owner_client.get(pdf_url(deduction_list))
            assert "PDF-en lages" in page.text
        render.assert_not_called()
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 1
    run_worker()
    response = owner_client.get(pdf_url(deduction_list))
    assert response["Content-Type"] == "application/pdf"


def test_a_failed_pdf_offers_to_try_again(
    owner_client, february, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from deductions.lists import pdfs

    real_render = pdfs.render_pdf
    monkeypatch.setattr(pdfs, "render_pdf", lambda *a, **k: 1 / 0)
    deduction_list = saved_list(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(owner_client, deduction_list)
    delivery = deduction_list.deliveries.get()
    assert not delivery.pdf and delivery.pdf_failed_at is not None
    assert "PDF of listdelivery" in caplog.text  # logged
    page = owner_client.get(pdf_url(deduction_list))
    assert "PDF-en kunne ikke lages" in page.text
    assert "Prøv igjen" in page.text
    assert 'http-equiv="refresh"' not in page.text  # nothing to wait for
    monkeypatch.setattr(pdfs, "render_pdf", real_render)
    with django_capture_on_commit_callbacks(execute=True):
        retry = owner_client.post(pdf_url(deduction_list))
    assert retry.status_code == 302 and retry.url == pdf_url(deduction_list)
    delivery.refresh_from_db()
    assert delivery.pdf and delivery.pdf_failed_at is None
    response = owner_client.get(pdf_url(deduction_list))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_outsider_cannot_try_a_pdf_again(
    owner_client, outsider_client, february, django_capture_on_commit_callbacks
):
    deduction_list = saved_list(owner_client)
    deliver(owner_client, deduction_list)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outsider_client.post(pdf_url(deduction_list)).status_code == 404
    assert not callbacks


def test_render_list_pdfs_queues_each_pdf_never_queued_once(
    owner_client, february, django_capture_on_commit_callbacks
):
    deduction_list = saved_list(owner_client)
    deliver(owner_client, deduction_list)
    ListDelivery.objects.update(pdf_queued_at=None)  # delivered before the worker existed
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("render_list_pdfs", stdout=out)
    assert out.getvalue() == "1 trekkliste-PDF lagt i kø.\n"
    stored = deduction_list.deliveries.get().pdf.name
    assert stored.endswith(".pdf")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("render_list_pdfs", stdout=out)
    assert not callbacks and out.getvalue() == ""
    assert deduction_list.deliveries.get().pdf.name == stored


def test_the_task_does_not_render_a_pdf_already_stored(
    owner_client, february, django_capture_on_commit_callbacks, monkeypatch
):
    from deductions.lists import pdfs

    deduction_list = saved_list(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(owner_client, deduction_list)
    delivery = deduction_list.deliveries.get()
    monkeypatch.setattr(pdfs, "render_pdf", lambda *a, **k: 1 / 0)
    pdfs.render_list_pdf.call(delivery.pk)  # a second run, e.g. a retried task: a no-op
    delivery.refresh_from_db()
    assert delivery.pdf and delivery.pdf_failed_at is None


def test_delivery_needs_the_csrf_token(owner, employer, february):
    from tests.conftest import client_for

    deduction_list = saved_list(client_for(owner, employer))
    strict = client_for(owner, employer)
    strict.handler.enforce_csrf_checks = True
    assert deliver(strict, deduction_list).status_code == 403
    deduction_list.refresh_from_db()
    assert not deduction_list.is_delivered


def test_names_are_escaped_in_the_form(owner_client, february):
    from deductions.models import BasisLine

    BasisLine.objects.filter(name="Ny Nina").update(name='<script>alert("x")</script>')
    deduction_list = start_list(owner_client)
    body = owner_client.get(reverse("deductions:list_edit", args=[deduction_list.public_id])).text
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_a_delivery_that_fails_half_way_leaves_the_list_as_it_was(
    owner_client, february, monkeypatch
):
    """One transaction: the audit row is the last write, and when it fails the list, its status
    and its delivered version go with it."""
    deduction_list = saved_list(owner_client)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(AuditEvent.objects, "record", fail)
    with pytest.raises(RuntimeError):
        list_deliver(deduction_list=deduction_list, actor=deduction_list.created_by)
    deduction_list.refresh_from_db()
    assert deduction_list.status == DeductionList.Status.DRAFT
    assert (deduction_list.version, deduction_list.delivered_at) == (0, None)
    assert not ListDelivery.objects.exists()


def test_names_are_escaped_in_the_delivered_pdf(
    owner_client, february, tmp_path, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    from deductions.models import BasisLine

    secret = tmp_path / "secret.txt"
    secret.write_text("TOPPHEMMELIG")
    hostile = f'<img src="file://{secret}"><b>Ny</b> Nina'
    BasisLine.objects.filter(name="Ny Nina").update(name=hostile)
    deduction_list = saved_list(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(owner_client, deduction_list)
    response = owner_client.get(reverse("deductions:list_pdf", args=[deduction_list.public_id]))
    content = b"".join(response.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "<b>Ny</b> Nina" in text  # shown as text, not read as markup
    assert "TOPPHEMMELIG" not in text


def test_a_long_list_pdf_has_its_total_once_at_the_end_and_amounts_right_aligned(
    owner_client, rates, employer
):
    from django.template.defaultfilters import floatformat
    from pypdf import PdfReader

    from deductions.lists.pdfs import delivery_pdf
    from tests.deductions.test_basis_pages import big_month

    basis = big_month(employer, 120)
    deduction_list = start_list(owner_client, basis.period)
    response = owner_client.post(
        reverse("deductions:list_edit", args=[deduction_list.public_id]),
        form_data(deduction_list, lever="1"),
    )
    assert response.status_code == 302
    deliver(owner_client, deduction_list)
    delivery = deduction_list.deliveries.get()
    pages = PdfReader(io.BytesIO(delivery_pdf(delivery=delivery))).pages
    texts = [page.extract_text() for page in pages]
    assert len(pages) >= 3
    total = floatformat(delivery.total, "2g")
    # Once in the heading, once after the last row: not at the foot of every page.
    assert "".join(texts).count(total) == 2
    assert total in texts[-1] and "Medlem 0119" in texts[-1]

    # Laid out as on the page: a left-aligned amount would start where its header starts.
    layout = pages[0].extract_text(extraction_mode="layout").splitlines()
    header = next(line for line in layout if "Kontingent" in line)
    row = next(line for line in layout if "Medlem 0000" in line)
    assert row.index("100,00") >= header.index("Kontingent") + 3


def test_a_pdf_whose_task_was_lost_is_queued_again_by_the_next_request(
    owner_client, february, django_capture_on_commit_callbacks
):
    """django-tasks-db does not retry a task whose worker was killed."""
    import time_machine
    from django.utils import timezone

    deduction_list = saved_list(owner_client)
    deliver(owner_client, deduction_list)  # queued, but its task never runs here
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        owner_client.get(pdf_url(deduction_list))
    assert not callbacks  # queued a moment ago: waiting is right
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=11)),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        owner_client.get(pdf_url(deduction_list))
    assert len(callbacks) == 1
    assert deduction_list.deliveries.get().pdf
