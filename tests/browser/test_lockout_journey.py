from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD


def test_six_wrong_passwords_lock_that_id_while_a_colleague_on_the_same_ip_logs_in(
    page, browser, live_server, owner, outsider
):
    for _ in range(6):
        log_in(page, "10000001", "feil-passord-her")
    expect(page.get_by_role("heading", name="For mange mislykkede innlogginger")).to_be_visible()

    log_in(page, "10000001", PASSWORD)
    expect(page.get_by_role("heading", name="For mange mislykkede innlogginger")).to_be_visible()

    colleague = browser.new_context(base_url=live_server.url, locale="nb-NO").new_page()
    log_in(colleague, "10000002", PASSWORD)
    expect(colleague.get_by_test_id("employer")).to_contain_text("Avinor AS")
    colleague.context.close()
