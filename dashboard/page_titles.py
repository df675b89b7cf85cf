"""Browser tab titles: the page, the place and the site, in the page's language.

"Школа-гимназия № 5 — Кокшетау — Ашық бюджет": most specific first, so a narrow tab or a
bookmark list still shows what the page is. The site name is the brand of the header
(`app.title`), so the tab and the page say the same thing.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from dashboard.i18n import localized, t
from dashboard.institution_names import short_name

SEPARATOR = " — "

# Pages whose title is one catalog key (the page's own heading).
STATIC = {
    "explorer": "explorer.title", "login": "accounts.login_title", "moderation": "moderation.title",
    "official": "official.title", "admin_users": "admin.title", "admin_import": "import.web.title",
    "analyst": "analyst.title", "analyst_cases": "cases.title", "not_found_404": "notfound.title",
    "present": "present.title", "present_print": "present.print.title",
}


def compose(lang: str, *parts: str | None) -> str:
    """The non-empty parts, then the site name, joined by a dash."""
    return SEPARATOR.join([p.strip() for p in parts if p and p.strip()] + [t("app.title", lang)])


def institution_title(place: dict | None, lang: str, prefix: str | None = None) -> str:
    """An institution (`queries.titles.institution_place`) and its settlement; "not found" without one."""
    if not place:
        return compose(lang, t("notfound.title", lang))
    return compose(lang, prefix, short_name(localized(place, "name", lang)), localized(place, "place", lang))


def explorer_title(areas: Sequence[dict], lang: str) -> str:
    """The front page: the district and region drilled into (`queries.titles.area_names`), or the page name."""
    names = [localized(area, "name", lang) for area in reversed(areas)]
    return compose(lang, *names) if names else compose(lang, t("explorer.title", lang))


def page_title(module: str, variables: dict, lang: str,
               institution_place: Callable[[str], dict | None],
               appeal_place: Callable[[str], dict | None]) -> str:
    """The title of a registered page (Dash module name) for its path variables. The two
    look-ups give an institution's name and place by BIN, or by an appeal's tracking code."""
    if module in STATIC:
        return compose(lang, t(STATIC[module], lang))
    if module == "institution":
        return institution_title(institution_place(variables.get("bin") or ""), lang)
    if module == "institution_appeals":
        return institution_title(institution_place(variables.get("bin") or ""), lang,
                                 prefix=t("title.appeals", lang))
    if module == "appeal_track":
        code = (variables.get("code") or "").strip()[:40]
        place = appeal_place(code) or {}
        return compose(lang, t("title.appeal", lang, code=code), short_name(localized(place, "name", lang)),
                       localized(place, "place", lang))
    if module == "analyst_case":
        return compose(lang, t("title.case", lang, id=str(variables.get("case_id") or "").strip()[:20]))
    return compose(lang)
