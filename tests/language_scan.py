"""One language per page (checked in real Chromium by tests/test_every_page_browser.py): `<html lang>`, a tab title that names the page,
the place and the site, and no English on a kk or ru page (visible text and the title, aria-label,
placeholder and alt attributes), on every page kind, signed out and signed in.

"English" is any word in Latin letters that is not on the allow-list below, plus Dash's and
ag-grid's own defaults. Text inside an element marked with another language (`lang="en"` on the
"English" link of the language switch) is that language's, and allowed.
"""
from __future__ import annotations

import re

from dashboard.i18n import t
from tests.browser import wait_for_dash
from tests.site_pages import LOGIN_NAMES

LANGS = ("kk", "ru")
SITE = {lang: t("app.title", lang) for lang in LANGS}

# Latin words a kk/ru page may show, and why: file formats and standards the user must recognise
# as written (an upload accepts "PDF", not "ПДФ"; "UTF-8", "Windows-1251"), proper names
# (OpenStreetMap and its licence ODbL, Leaflet: credits the licences require; Excel), and keys
# named as printed on the keyboard (Tab, Enter). Upper-case codes (KZ-11, BIN digits) pass as codes.
ALLOWED = {
    "CSV", "XLSX", "XLS", "PDF", "JPEG", "JPG", "PNG", "WebP", "MP4", "WebM", "MOV", "GPS", "EXIF", "SHA",
    "TXT", "DOCX", "GeoJSON", "JSON", "API", "UTF", "OpenStreetMap", "ODbL", "Leaflet", "Excel", "Windows",
    "Tab", "Enter", "Esc", "Shift", "Home",
}
# A command an analyst types as written (the anomaly scan), not a sentence.
ALLOWED_PHRASES = ("python -m dashboard anomalies scan",)
# Paths, addresses and e-mails are identifiers: "docs/data-format.md", "https://…", "a@b.kz".
_IDENTIFIER = re.compile(r"\S*[/@]\S*|\S+\.(?:md|py|csv|xlsx)\b")
# Defaults of Dash, ag-grid, Leaflet and the browser that must never reach a kk/ru page (these
# are caught even if a word of them were allowed: the check is for the phrase).
DEFAULTS = ("Loading...", "Updating...", "Page 1 of", "Page Size", "No Rows To Show", "Zoom in", "Zoom out",
            "Choose File", "No file chosen", "A JavaScript library", "contributors", "Filter...")

SCAN = """() => {
  const pageLang = document.documentElement.lang;
  const own = el => { const holder = el.closest('[lang]'); return !holder || holder.lang === pageLang; };
  // Hidden from screen readers and drawn off the page (the appeal form's honeypot field).
  const unseen = el => { const r = el.getBoundingClientRect();
    return !!el.closest('[aria-hidden="true"]') && (r.right <= 0 || r.bottom <= 0); };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    // <code>/<kbd>/<samp>: identifiers shown as such (an import file's column names).
    if (!el || !node.textContent.trim() || el.closest('script, style, noscript, template, code, kbd, samp')) continue;
    if (!el.getClientRects().length || !own(el) || unseen(el)) continue;
    found.push(['text', node.textContent.trim()]);
  }
  for (const attr of ['title', 'aria-label', 'placeholder', 'alt', 'aria-valuetext', 'aria-roledescription']) {
    document.querySelectorAll('[' + attr + ']').forEach(el => {
      if (own(el) && !unseen(el)) found.push([attr, el.getAttribute(attr)]);
    });
  }
  return {lang: pageLang, title: document.title, strings: found};
}"""

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]|[A-Za-z]")


def english_in(strings: list[list[str]], data: frozenset[str] = frozenset()) -> list[str]:
    """The strings that hold a Latin word not on the allow-list (nor in `data`: names the test
    itself planted, e.g. login names), or one of the defaults."""
    bad = []
    for where, text in strings:
        prose = _IDENTIFIER.sub(" ", text)
        for phrase in ALLOWED_PHRASES:
            prose = prose.replace(phrase, " ")
        words = [w for w in _LATIN_WORD.findall(prose) if w not in ALLOWED and w not in data and not _code(w)]
        if words or any(d.lower() in text.lower() for d in DEFAULTS):
            bad.append(f"{where}: {text[:160]!r}")
    return bad


def _code(word: str) -> bool:
    """Codes, not words: region codes (KZ-11), tracking codes (ABCD-EFGH-…), a letter of a code."""
    return bool(re.fullmatch(r"[A-Z0-9]{1,4}(-[A-Z0-9]{1,4})*", word))


def check(page, lang: str, where: str) -> list[str]:
    """Problems of the page as it is now: wrong `<html lang>`, a title without the site name, English."""
    seen = page.evaluate(SCAN)
    problems = [f"{where}: <html lang={seen['lang']!r}>"] if seen["lang"] != lang else []
    if not seen["title"].endswith(" — " + SITE[lang]):  # "<page and place> — <site>"
        problems.append(f"{where}: title {seen['title']!r}")
    strings = seen["strings"] + [["title", seen["title"]]]
    return problems + [f"{where}: {bad}" for bad in english_in(strings, LOGIN_NAMES)]


def check_drill(page, lang: str, where: str) -> list[str]:
    """A drill into a region changes the page without a reload: the tab then names the region."""
    link = page.locator("#region-table a").first
    region = link.inner_text().strip()
    link.click()
    try:
        page.wait_for_function("(title) => document.title === title", arg=f"{region} — {SITE[lang]}", timeout=15_000)
    except Exception:  # noqa: BLE001 - reported with what the tab says instead
        return [f"{where} drilled into {region!r}: title {page.title()!r}"]
    wait_for_dash(page)
    return check(page, lang, where + " drilled")


def check_file_pickers(page, lang: str, where: str) -> list[str]:
    """Chromium draws a native file input's button and "No file chosen" in the browser's language
    (this context's is English), out of reach of the scan: each one must be covered by a button in
    the page's language."""
    pickers = page.evaluate("""() => [...document.querySelectorAll('input[type=file]')].map(i => [
        i.id, i.classList.contains('file-input-hidden'),
        (document.querySelector('label.file-button[for="' + i.id + '"]') || {}).textContent || null])""")
    wanted = {t("file.choose", lang), t("file.choose_many", lang)}
    return [f"{where}: file input #{id_} hidden={hidden} button={button!r}"
            for id_, hidden, button in pickers if not hidden or button not in wanted]
