"""How an institution answers public appeals, as a line of its appeals section (issue 14)."""
from __future__ import annotations

from dash import html

from dashboard.i18n import t
from dashboard.i18n.formatting import format_number, format_percent


def responsiveness_line(stats: dict, lang: str) -> html.P:
    """'Answered 80 % of 10 public appeals · median 4 working days to answer · overdue now: 1';
    without public appeals it says so (no percentage of nothing)."""
    if not stats["received"]:
        return html.P(t("responsiveness.none", lang), className="small text-muted", id="appeals-responsiveness")
    parts = [t("responsiveness.answered", lang, share=format_percent(stats["answered_share"], lang, digits=0),
               received=format_number(stats["received"], lang))]
    if stats["median_days"] is not None:
        parts.append(t("responsiveness.median", lang, days=format_number(round(stats["median_days"], 1), lang)))
    parts.append(t("responsiveness.overdue", lang, overdue=format_number(stats["overdue"], lang)))
    return html.P(" · ".join(parts), className="small text-muted", id="appeals-responsiveness")
