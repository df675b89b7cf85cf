"""The appeal journey in real headless Chromium: a citizen posts with a photo, a moderator
approves, the official answers, the citizen reads the answer with the tracking code. Every
text field carries script payloads that must stay inert text."""
import re

import pytest
from sqlalchemy import select

from dashboard.accounts import User
from dashboard.account_admin import add_user
from dashboard.appeals.storage import UploadStore
from dashboard.appeals.workflow import AppealDraft, post_appeal, transition
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import appeals, institutions
from tests.appeals_support import PASSWORD, jpeg_with_gps
from tests.browser import record_console_errors, require_chromium, running_server, wait_for_dash

BODY = 'Roof <img src=x onerror="window.__xss=1"> leaks <script>window.__xss=2</script> since May'
NAME = "<b onmouseover=window.__xss=3>Aigerim</b>"
CONTACT = '"><svg onload=window.__xss=4>'
ANSWER = '<iframe srcdoc="<script>parent.__xss=5</script>"></iframe> Repairs are contracted for June.'
REASON = "<img src=x onerror=window.__xss=6> spam"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("appeals-browser")
    url = f"sqlite:///{var_dir / 'site.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=12, years=[2024], seed=5, progress=False)
    with engine.connect() as conn:
        inst_id, bin_ = conn.execute(select(institutions.c.id, institutions.c.bin).order_by(institutions.c.id)).first()
    moderator_id = add_user(engine, "moderator", "Dana Moderator", PASSWORD, "moderator", [])
    official_id = add_user(engine, "official", "Erlan Official", PASSWORD, "official", [bin_])
    add_user(engine, "admin", "Asel Admin", PASSWORD, "admin", [])
    with running_server(url, str(var_dir)) as base:
        yield {"base": base, "bin": bin_, "engine": engine, "inst_id": inst_id, "uploads": var_dir / "uploads",
               "moderator": User(moderator_id, "moderator", "Dana Moderator", "moderator"),
               "official": User(official_id, "official", "Erlan Official", "official", [inst_id])}
    engine.dispose()


@pytest.fixture
def new_page(browser):
    """Pages in separate contexts (separate cookies: citizen, moderator, official)."""
    contexts, logs = [], []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        logs.append(record_console_errors(page))
        return page

    yield make
    for context in contexts:
        context.close()
    errors = [e for log in logs for e in log]
    assert errors == [], f"browser console errors: {errors}"


def open_page(page, url):
    page.goto(url)
    page.wait_for_selector("#main")
    wait_for_dash(page)


def assert_inert(page, *texts):
    assert page.evaluate("window.__xss") is None
    shown = page.inner_text("#main")
    for text in texts:
        assert text in shown
    assert page.locator("#main img[src='x'], #main svg, #main iframe, #main script").count() == 0


def sign_in(page, site, username):
    open_page(page, f"{site['base']}/login?lang=en")
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#signed-in-as")
    wait_for_dash(page)


def test_post_approve_answer_and_follow_with_the_code(site, new_page, tmp_path):
    photo = tmp_path / "roof.jpg"
    photo.write_bytes(jpeg_with_gps())
    citizen = new_page()
    open_page(citizen, f"{site['base']}/institution/{site['bin']}/appeals?lang=en")
    assert citizen.inner_text("#appeals-institution")  # the institution's name
    citizen.select_option("#appeal-kind", "discrepancy")
    citizen.fill("#appeal-body", BODY)
    citizen.fill("#appeal-name", NAME)
    citizen.fill("#appeal-contact", CONTACT)
    citizen.set_input_files("#appeal-files", str(photo))
    citizen.click("#appeal-submit")
    citizen.wait_for_url(re.compile(r"/appeal/[A-Z0-9-]{19}\?lang=en&posted=1$"))
    citizen.wait_for_selector(".appeal-card")
    wait_for_dash(citizen)
    code = citizen.inner_text("#tracking-code")
    assert citizen.inner_text(".appeal-card [data-status]") == "New"
    assert_inert(citizen, BODY, NAME)
    assert CONTACT not in citizen.inner_text("#main")  # the contact is for staff only

    moderator = new_page()
    sign_in(moderator, site, "moderator")
    card = moderator.locator(".appeal-card", has_text="since May")
    assert_inert(moderator, BODY, NAME, CONTACT)
    card.locator("button[data-action=approve]").click()
    moderator.wait_for_selector("#moderation-empty")
    wait_for_dash(moderator)

    official = new_page()
    sign_in(official, site, "official")
    card = official.locator(".appeal-card", has_text="since May")
    card.locator("textarea[name=answer]").fill(ANSWER)
    card.locator("button[data-action=answer]").click()
    official.wait_for_selector(".appeal-card[data-status=answered]")
    wait_for_dash(official)
    assert_inert(official, BODY, ANSWER)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    official.fill("#doc-title", "Repair contract 2024")
    official.set_input_files("#doc-file", str(pdf))
    official.click("#official-desk form[action='/documents/new'] button[type=submit]")
    official.wait_for_url(re.compile(r"/official\?saved=document$"))
    official.wait_for_selector("#official-desk a[href^='/files/documents/']")
    assert official.inner_text("#official-desk a[href^='/files/documents/']") == "Repair contract 2024"

    open_page(citizen, f"{site['base']}/appeal/{code}?lang=en")
    citizen.wait_for_selector(".appeal-answer")
    assert citizen.inner_text(".appeal-card [data-status]") == "Answered"
    assert citizen.inner_text(".appeal-answer") == ANSWER
    assert [line.split(" — ")[1] for line in citizen.inner_text("#appeal-history").splitlines()] == [
        "Appeal submitted", "Published by a moderator", "The institution answered"]
    assert citizen.evaluate("document.querySelector('.appeal-photo').complete && "
                            "document.querySelector('.appeal-photo').naturalWidth") == 64
    assert_inert(citizen, BODY, ANSWER)

    public = new_page()
    open_page(public, f"{site['base']}/institution/{site['bin']}/appeals?lang=en")
    public.wait_for_selector(".appeal-answer")
    assert public.inner_text("#appeals-count-answered") == "Answered 1"
    assert_inert(public, BODY, NAME, ANSWER)
    assert CONTACT not in public.inner_text("#main")


def test_rejection_reason_is_shown_as_text_to_the_author(site, new_page):
    store = UploadStore(site["uploads"])
    draft = AppealDraft(site["inst_id"], "comment", "An advertisement for a casino, not an appeal.", None, None, None)
    code = post_appeal(site["engine"], store, draft, [], 15)
    with site["engine"].connect() as conn:
        appeal_id = conn.execute(select(appeals.c.id).where(appeals.c.tracking_code == code)).scalar_one()
    transition(site["engine"], site["moderator"], appeal_id, "reject", REASON)
    page = new_page()
    open_page(page, f"{site['base']}/appeal/{code.replace('-', '').lower()}?lang=en")
    page.wait_for_selector(".appeal-reject-reason")
    assert page.inner_text(".appeal-card [data-status]") == "Rejected"
    assert_inert(page, REASON)


def test_wrong_code_and_staff_pages_without_login(site, new_page):
    page = new_page()
    open_page(page, f"{site['base']}/appeal/AAAA-BBBB-CCCC-DDDD?lang=en")
    page.wait_for_selector("#track-not-found")
    open_page(page, f"{site['base']}/moderation?lang=en")
    assert "please sign in" in page.inner_text("#main")
    assert page.locator("#moderation-queue").count() == 0


def test_admin_adds_and_disables_an_official(site, new_page):
    page = new_page()
    sign_in(page, site, "admin")
    page.wait_for_selector("#users-table")
    page.fill("#new-username", "marat")
    page.fill("#new-name", "Marat <i>B.</i>")
    page.select_option("#new-role", "official")
    page.fill("#new-bins", site["bin"])
    page.fill("#new-password", "a long enough password")
    page.click("form[action='/admin/users'] button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/users\?saved=1$"))
    row = page.locator("#users-table tr[data-user=marat]")
    row.wait_for()
    assert "Marat <i>B.</i>" in row.inner_text() and site["bin"] in row.inner_text()
    row.locator("button").click()
    page.wait_for_selector("#users-table tr[data-user=marat] >> text=disabled")
    page.fill("#new-username", "marat")
    page.fill("#new-password", "a long enough password")
    page.fill("#new-bins", site["bin"])
    page.click("form[action='/admin/users'] button[type=submit]")
    page.wait_for_selector(".alert-danger >> text=That username already exists.")


def test_disguised_file_brings_the_citizen_back_with_a_clear_message(site, new_page, tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    page = new_page()
    open_page(page, f"{site['base']}/institution/{site['bin']}/appeals?lang=ru")
    page.select_option("#appeal-kind", "discrepancy")
    page.fill("#appeal-body", "Фото ремонта спортзала, которого не было.")
    page.fill("#appeal-name", "Айгерім")
    page.fill("#appeal-contact", "+7 701 555 12 34")
    page.set_input_files("#appeal-files", str(fake))
    page.click("#appeal-submit")
    page.wait_for_url(re.compile(r"error=file_type&field=files&lang=ru&draft=[\w-]+#appeal-form$"))
    alert = page.locator(".appeal-error")
    alert.wait_for()
    assert alert.inner_text() == "Файлы: это не фото JPEG, PNG, WebP и не видео MP4, WebM, MOV"
    # What was typed comes back (the file does not: the citizen picks a real photo).
    assert page.input_value("#appeal-body") == "Фото ремонта спортзала, которого не было."
    assert page.input_value("#appeal-name") == "Айгерім"
    assert page.input_value("#appeal-contact") == "+7 701 555 12 34"
    assert page.input_value("#appeal-kind") == "discrepancy"
    assert page.input_value("#appeal-files") == ""


def test_wrong_password_shows_a_message_on_the_sign_in_page(site, new_page):
    page = new_page()
    open_page(page, f"{site['base']}/institution/{site['bin']}/appeals?lang=kk")
    page.click("#staff-login-link")  # the footer link on every page
    page.wait_for_url(re.compile(r"/login\?lang=kk$"))
    page.wait_for_selector("#login-username")
    page.fill("#login-username", "moderator")
    page.fill("#login-password", "not the password")
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/login\?error=bad_credentials&lang=kk$"))
    page.locator(".appeal-error").wait_for()
    assert page.inner_text(".appeal-error") == "Логин немесе құпиясөз қате."


def test_admin_imports_a_file_and_reads_the_report(site, new_page, tmp_path):
    from tests.import_files import LINE_HEADER, line_rows, write_csv

    rows = line_rows([site["bin"]], years=[2045], months=[1, 2], specifics=[111])
    rows[1][6] = "<b>999</b>"
    path = write_csv(tmp_path / "бюджет.csv", LINE_HEADER, rows, delimiter=";")
    page = new_page()
    sign_in(page, site, "admin")
    open_page(page, f"{site['base']}/admin/import?lang=en")
    page.click("#import-columns summary")
    assert "plan_adjusted" in page.inner_text("#import-columns") and "name_en?" in page.inner_text("#import-columns")
    page.select_option("#import-kind", "lines")
    page.set_input_files("#import-file", str(path))
    page.click("#import-submit")
    page.wait_for_selector("#import-summary")
    wait_for_dash(page)
    assert "rejected, nothing was written" in page.inner_text("#import-summary")
    issue = page.inner_text("#import-issues tbody tr")
    assert "<b>999</b>" in issue and "3" in issue and "specific" in issue
    assert page.locator("#import-issues b").count() == 0  # shown as text
    with page.expect_download() as download:
        page.click("#import-report-csv")
    assert "<b>999</b>" in download.value.path().read_text(encoding="utf-8-sig")
    # An official who opens the page sees no form and no report.
    official = new_page()
    sign_in(official, site, "official")
    open_page(official, f"{site['base']}/admin/import?lang=en")
    assert official.locator("#import-form").count() == 0
