import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_index_links_to_every_staff_page(staff_client, staff):
    staff.is_superuser = True
    staff.save()
    body = staff_client.get(reverse("admin:index")).content.decode()
    for url in (
        reverse("messaging:staff_inbox"),
        reverse("deductions:staff_overview_current"),
    ):
        assert f'href="{url}"' in body
    assert "/trekk/trekklister/oversikt/" not in body, "the lists' page is the month page now"
