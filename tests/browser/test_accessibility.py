"""axe-core (through axe-playwright-python, which bundles it: no network) on the main pages at a
desktop and a phone size: no violation of impact serious or critical (issue 14)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import Role
from employers.models import Employer
from tests.browser.conftest import as_staff, log_in, open_user_menu
from tests.browser.phone_pages import DESKTOP, PHONE, contact_and_staff_pages
from tests.conftest import PASSWORD
from tests.deductions.conftest import rates  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

FAILING_IMPACTS = {"serious", "critical"}
CONTACT_PAGES = [
    "front",
    "basis_changes",
    "basis_full",
    "list_form",
    "list_confirm",
    "list_detail",
    "list_upload",
    "inbox",
    "thread",
    "new_message",
    "password_change",
    "not_found",
]
STAFF_PAGES = ["staff_overview", "staff_inbox", "staff_thread"]


def serious_violations(page, axe):
    """axe's serious and critical findings on the page, one readable line per element."""
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            found.append(
                f"{page.url} [{violation['impact']}] {violation['id']}: {violation['help']}\n"
                f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}"
            )
    return found


@pytest.fixture
def pages(rates, owner, employer, staff, settings, tmp_path):  # noqa: F811
    """The pages' URLs, with Kari at two employers: the login asks which role."""
    settings.MEDIA_ROOT = tmp_path / "media"
    museum = Employer.objects.create(number="94002001", name="Stiftinga Vest-Telemark Museum")
    Role.objects.create(user=owner, employer=museum)
    return contact_and_staff_pages(owner, employer, staff)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_main_pages_have_no_serious_accessibility_violations(
    page, live_server, pages, staff_client, size
):
    page.set_viewport_size(size)
    axe = Axe()
    found = []

    page.goto("/logg-inn/")
    expect(page.get_by_role("button", name="Logg inn")).to_be_visible()
    found += serious_violations(page, axe)
    log_in(page, "10000001", PASSWORD)
    expect(page.get_by_role("heading", name="Velg rolle")).to_be_visible()
    found += serious_violations(page, axe)
    page.get_by_label("Systemadministrasjonen - Trekkontakt").check()
    page.get_by_role("button", name="Fortsett").click()
    expect(page.get_by_test_id("month-table")).to_be_visible()
    open_user_menu(page)  # the header's menu open, as a person uses it
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    found += serious_violations(page, axe)
    for name in CONTACT_PAGES:
        page.goto(pages[name])
        expect(page.locator("main h1")).to_be_visible()
        found += serious_violations(page, axe)

    page.context.clear_cookies()
    as_staff(page, live_server, staff_client)
    for name in STAFF_PAGES:
        page.goto(pages[name])
        expect(page.locator("main h1")).to_be_visible()
        found += serious_violations(page, axe)

    assert not found, "axe-core finds serious or critical violations:\n" + "\n".join(found)


def test_the_check_names_the_rule_and_the_element_it_fails_on(page):
    page.set_content(
        '<html lang="nb"><head><title>Prøve</title></head>'
        '<body><main><h1>Prøve</h1><img src="/static/favicon.svg"></main></body></html>'
    )
    found = serious_violations(page, Axe())
    assert len(found) == 1
    assert "[critical] image-alt" in found[0] and '<img src="/static/favicon.svg">' in found[0]
