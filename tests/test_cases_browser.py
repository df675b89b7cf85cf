"""An analyst works a case in headless Chromium: open it, note, attach, close with a reason."""
import hashlib
import re

from dashboard.account_admin import add_user
from tests.appeals_support import PASSWORD
from tests.browser import record_console_errors, wait_for_dash
from tests.test_appeals_browser import site  # noqa: F401 - the same small site, with an analyst added here

NOTE = '<img src=x onerror="window.__xss=1"> invoices of 12 December do not match the acts'


def settle(page):
    page.wait_for_selector("#main")
    wait_for_dash(page)


def test_an_analyst_opens_works_and_closes_a_case(site, browser, tmp_path):
    add_user(site["engine"], "analyst", "Aruzhan Analyst", PASSWORD, "analyst", [])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    errors = record_console_errors(page)
    page.goto(f"{site['base']}/login?lang=en&next=/analyst/cases")
    page.fill("#login-username", "analyst")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/analyst/cases$"))
    settle(page)
    page.wait_for_selector("#cases-empty")
    assert page.locator("#analyst-cases-link").count() == 1
    page.fill("#case-new-institution", site["bin"])
    page.fill("#case-new-title", "Year-end dumping")
    page.click("#case-new button[type=submit]")
    page.wait_for_url(re.compile(r"/analyst/cases/\d+"))
    settle(page)
    page.wait_for_selector("#case-title")
    page.fill("#case-note-text", NOTE)
    page.click("#case-note-form button[type=submit]")
    page.wait_for_selector("#case-events li[data-event=note]")
    csv = tmp_path / "invoices.csv"
    csv.write_bytes("number;sum\n17;125000\n".encode())
    page.wait_for_selector("#case-file")
    page.set_input_files("#case-file", str(csv))
    page.click("#case-document-form button[type=submit]")
    page.wait_for_selector("#case-documents")
    assert hashlib.sha256(csv.read_bytes()).hexdigest() in page.inner_text("#case-documents")
    page.click("#case-status-form button[type=submit]")  # open → checking
    page.wait_for_selector("#case-title [data-status=checking]")
    page.select_option("#case-status-to", "confirmed")
    page.click("#case-status-form button[type=submit]")  # no reason: sent back with the message
    page.wait_for_selector("#cases-error")
    page.select_option("#case-status-to", "confirmed")
    page.fill("#case-status-reason", "The acts were signed before the works.")
    page.click("#case-status-form button[type=submit]")
    page.wait_for_selector("#case-title [data-status=confirmed]")
    assert page.locator("#case-status-form").count() == 0
    assert "The acts were signed before the works." in page.inner_text("#case-closed-reason")
    assert NOTE in page.inner_text("#case-events") and page.evaluate("window.__xss") is None
    page.goto(f"{site['base']}/analyst/cases?lang=en&status=confirmed")
    settle(page)
    assert "Year-end dumping" in page.inner_text("#cases-table")
    context.close()
    assert errors == [], f"browser console errors: {errors}"
