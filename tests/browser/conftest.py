"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium these tests are skipped with a reason; under CI=true a missing
browser is a failure instead.
"""

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Playwright's sync API runs an event loop in the test's thread; the live server's database
# work happens in its own thread, so Django's async guard has nothing to protect here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the browser tests.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, locale="nb-NO", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    settle(page)
    context.close()


def settle(page):
    """Lets nothing more reach the server once the test is over, and lets what is on its way
    arrive first: the test's database is torn down next, and a late save (list_autosave.js
    retries, saves on `pagehide`) would write into it meanwhile.

    The abort comes first: a page's routes run newest first, so it overrides the test's own
    (a 500, a held request). Then the autosave's flush waits for a request already sent, and
    leaving for a blank page runs `pagehide` while the page can still be intercepted."""
    with contextlib.suppress(Exception):  # a page that has gone has nothing left to send
        page.route("**/*", lambda route: route.abort())
        page.evaluate(  # at most 5 s: a request a failed test left held never answers
            "() => Promise.race([window.trekkAutosave ? window.trekkAutosave.flush() : true,"
            " new Promise(done => setTimeout(done, 5000))])"
        )
        page.evaluate("() => window.trekkAutosave && window.trekkAutosave.stop()")
        page.goto("about:blank")


def log_in(page, username, password):
    """Fill the login form as a person would and submit it."""
    page.goto("/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()


def open_user_menu(page):
    menu = page.get_by_role("button", name="Meny")
    if menu.is_visible():  # a phone-sized window folds the header behind this button
        menu.click()
    page.locator("#user-menu").click()


def log_out(page):
    open_user_menu(page)
    page.get_by_role("button", name="Logg ut").click()


def as_staff(page, live_server, staff_client):
    """The browser takes over Nora's logged-in (two-factor verified) session."""
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": staff_client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
