"""The line that says which explorer filters are on ("Filters: Education · 2025, December ✕ Reset")
and the count on the Filters button. The filter panel is a closed drawer on phones, so without
these nothing on screen would tell a visitor that the numbers are narrowed."""
from __future__ import annotations

from dash import html

from dashboard.i18n import t


def filter_status(parts: list[str], reset_href: str, lang: str) -> list:
    """The summary of the active filters (`parts`: sector names, then the months) with a reset
    link; nothing when no filter is on."""
    if not parts:
        return []
    return [html.Span(t("phone.filters.label", lang), className="filter-status-label"),
            *[html.Span(part, className="filter-chip") for part in parts],
            html.A([html.I(className="bi bi-x-lg me-1", **{"aria-hidden": "true"}), t("phone.filters.reset", lang)],
                   href=reset_href, className="filter-reset")]


def filter_count(n: int, lang: str) -> list:
    """The badge on the Filters button: the number shown, the sentence read aloud."""
    if not n:
        return []
    return [html.Span(str(n), **{"aria-hidden": "true"}),
            html.Span(t("phone.filters.count", lang, n=n), className="visually-hidden")]
