"""Figures built from query results (pure functions: data in, plotly figure out)."""
from __future__ import annotations

import plotly.graph_objects as go

# Plotly's decimal and thousands separators per language.
SEPARATORS = {"kk": ", ", "ru": ", ", "en": ".,"}


def top_bars(labels: list[str], values: list[float], texts: list[str], colours: list[str] | str,
             keys: list[str], lang: str) -> go.Figure:
    """Horizontal bars, largest first at the top; `keys` ride along as customdata for drilling."""
    labels, values, texts, keys = (list(reversed(x)) for x in (labels, values, texts, keys))
    if not isinstance(colours, str):
        colours = list(reversed(colours))
    fig = go.Figure(go.Bar(
        y=keys, x=values, orientation="h", text=texts,
        textposition="auto", insidetextanchor="end", customdata=keys, marker={"color": colours},
        hovertext=labels, hovertemplate="%{hovertext}<br>%{text}<extra></extra>", cliponaxis=False))
    fig.update_layout(
        separators=SEPARATORS.get(lang, ", "), height=60 + 44 * max(1, len(labels)),
        margin={"l": 10, "r": 10, "t": 4, "b": 4}, xaxis={"visible": False},
        # Keys as categories (two institutions may share a short name), names as tick labels.
        yaxis={"automargin": True, "fixedrange": True, "type": "category", "tickmode": "array",
               "tickvals": keys, "ticktext": [_short(label) for label in labels]}, plot_bgcolor="white", showlegend=False,
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 12})
    return fig


def _short(label: str, limit: int = 34) -> str:
    """Long official names shortened for an axis label (the full name is in the hover)."""
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"
