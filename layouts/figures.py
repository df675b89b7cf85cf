"""Figures built from query results (pure functions: data in, plotly figure out)."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_money

# Plotly's decimal and thousands separators per language.
SEPARATORS = {"kk": ", ", "ru": ", ", "en": ".,"}


def sector_bars(rows: list[dict], lang: str) -> go.Figure:
    """Horizontal bars: adjusted plan and paid per sector, largest first."""
    rows = list(reversed(rows))  # plotly draws the first category at the bottom
    labels = [localized(r, "name", lang) for r in rows]
    fig = go.Figure()
    plan_colour = "#c5cfdb"
    for column, key in (("plan_adjusted", "sectors.planned"), ("paid", "sectors.paid")):
        colours = [plan_colour] * len(rows) if column == "plan_adjusted" else [r["color"] for r in rows]
        fig.add_bar(
            y=labels, x=[r[column] / 100 for r in rows], orientation="h", name=t(key, lang),
            marker={"color": colours},
            text=[format_money(r[column], lang) for r in rows], textposition="outside",
            hovertemplate="%{y}<br>" + t(key, lang) + ": %{text}<extra></extra>",
            cliponaxis=False)
    fig.update_layout(
        barmode="group", separators=SEPARATORS.get(lang, ", "), height=80 + 46 * max(1, len(rows)),
        margin={"l": 10, "r": 90, "t": 10, "b": 10}, legend={"orientation": "h", "y": -0.05},
        xaxis={"visible": False}, yaxis={"automargin": True}, plot_bgcolor="white",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"})
    return fig
