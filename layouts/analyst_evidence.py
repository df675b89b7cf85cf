"""A flag's evidence for the analysts' detail panel: the numbers as a table, and a small chart.

Evidence keys come from the detectors (dashboard/anomalies/detectors/); every builder reads
them with .get() so a detector that adds, renames or drops a key degrades to the generic chart
instead of failing. Money in evidence is integer tiyn. Figures are plain dicts (no plotly
validation cost, see docs/style.md).
"""
from __future__ import annotations

from dash import html

from dashboard.anomalies import thresholds as th
from dashboard.i18n import catalog, t
from dashboard.i18n.formatting import format_money, format_number, format_percent, month_name, tenge

MONEY_WORDS = ("paid", "plan", "excess", "per_unit", "expected", "amount")
PEER, THIS, CUT = "#9ecae1", "#d62728", "#636363"


def is_money(key: str, value) -> bool:
    """Money keys hold integer tiyn: paid, plan, excess, per-unit cost… (not counts or ratios)."""
    return (isinstance(value, int) and not isinstance(value, bool) and "lines" not in key
            and not any(w in key for w in ("ratio", "share", "years", "over_plan"))
            and any(w in key for w in MONEY_WORDS))


def label(key: str, lang: str) -> str:
    name = f"analyst.ev.{key}"
    return t(name, lang) if name in catalog(lang) else key.replace("_", " ")


def value_text(key: str, value, lang: str) -> str:
    if is_money(key, value):
        return format_money(value, lang, compact=False)
    if isinstance(value, bool):
        return t("analyst.yes" if value else "analyst.no", lang)
    if isinstance(value, float):
        return format_percent(value, lang) if "share" in key else format_number(round(value, 3), lang)
    if isinstance(value, int):
        return format_number(value, lang)
    name = f"analyst.ev_value.{value}"
    return t(name, lang) if isinstance(value, str) and name in catalog(lang) else str(value)


def evidence_table(evidence: dict, lang: str) -> html.Table:
    """Every plain value of the evidence (thresholds, peer group, own numbers), one per row."""
    rows = [html.Tr([html.Th(label(k, lang), className="fw-normal"), html.Td(value_text(k, v, lang), className="text-end")],
                    **{"data-key": k})
            for k, v in evidence.items() if v is not None and not isinstance(v, (list, dict))]
    return html.Table(html.Tbody(rows), className="table table-sm small evidence-table mb-2")


def _layout(lang: str, **extra) -> dict:
    return {"margin": {"l": 10, "r": 10, "t": 30, "b": 30}, "height": 230, "plot_bgcolor": "white",
            "separators": ".," if lang == "en" else ", ", "showlegend": False,
            "xaxis": {"gridcolor": "#eee", "automargin": True}, "yaxis": {"automargin": True}, **extra}


def _cut(x: float, text: str) -> dict:
    return {"type": "line", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1,
            "line": {"color": CUT, "dash": "dash", "width": 1}, "label": {"text": text, "textposition": "end"}}


def _peer_box(name: str, q1, median, q3, value, cut, lang: str, money: bool = False) -> dict:
    """The peers' quartiles as a box (whiskers at 1.5 × IQR), this institution as a red diamond,
    and the cut-off as a dashed line."""
    conv = (lambda v: float(tenge(v))) if money else float
    q1, median, q3, value = conv(q1), conv(median), conv(q3), conv(value)
    iqr = q3 - q1
    box = {"type": "box", "orientation": "h", "y": [name], "q1": [q1], "median": [median], "q3": [q3],
           "lowerfence": [max(q1 - 1.5 * iqr, 0)], "upperfence": [q3 + 1.5 * iqr], "marker": {"color": PEER},
           "name": t("analyst.chart.peers", lang), "hoverinfo": "x"}
    dot = {"type": "scatter", "mode": "markers", "x": [value], "y": [name], "name": t("analyst.chart.this", lang),
           "marker": {"color": THIS, "size": 14, "symbol": "diamond"}}
    shapes = [_cut(conv(cut), t("analyst.chart.cutoff", lang))] if cut is not None else []
    return {"data": [box, dot], "layout": _layout(lang, shapes=shapes, showlegend=True,
                                                  legend={"orientation": "h", "y": -0.25})}


def _bars(pairs: list[tuple[str, int, int]], first: str, second: str, lang: str) -> dict:
    """Grouped bars in tenge: (category, first value, second value) per group."""
    cats = [c for c, _, _ in pairs]
    traces = [{"type": "bar", "name": name, "x": cats, "y": [float(tenge(p[i])) for p in pairs],
               "marker": {"color": colour}, "customdata": [format_money(p[i], lang, compact=False) for p in pairs],
               "hovertemplate": "%{x}: %{customdata}<extra>" + name + "</extra>"}
              for i, name, colour in ((1, first, PEER), (2, second, THIS))]
    return {"data": traces, "layout": _layout(lang, barmode="group", showlegend=True,
                                              legend={"orientation": "h", "y": -0.25})}


def _dumping(e: dict, lang: str) -> dict | None:
    if e.get("ratio") is None or e.get("peer_median_ratio") is None:
        return None
    return _peer_box(t("analyst.chart.december_ratio", lang), e.get("peer_q1_ratio") or e["peer_median_ratio"],
                     e["peer_median_ratio"], e.get("peer_q3_ratio") or e["peer_median_ratio"], e["ratio"],
                     e.get("min_ratio"), lang)


def _unit_cost(e: dict, lang: str) -> dict | None:
    if e.get("cost_per_unit") is not None and e.get("peer_median_per_unit") is not None:
        # Peers' quartiles are size-adjusted: compare the adjusted cost, against the cut-off of the
        # rule that fired (far above peers, or above peers with a jump against its own history).
        median = e["peer_median_per_unit"]
        ratio = th.UNIT_JUMP_PEER_RATIO if e.get("rule") == "above_peers_and_jump" else e.get("min_ratio")
        cut = median * ratio if ratio else None
        value = e.get("cost_per_unit_size_adjusted") or e["cost_per_unit"]
        return _peer_box(t("analyst.chart.per_unit", lang), e.get("peer_q1_per_unit") or median, median,
                         e.get("peer_q3_per_unit") or median, value, cut, lang, money=True)
    if e.get("expected_paid") is not None and e.get("year_paid") is not None:
        return _bars([(t("analyst.chart.year", lang), e["expected_paid"], e["year_paid"])],
                     t("analyst.chart.expected", lang), t("analyst.chart.paid", lang), lang)
    return None


def _paid_above_plan(e: dict, lang: str) -> dict | None:
    if e.get("paid") is None or e.get("plan") is None:
        return None
    month = month_name(int(e["month"]), lang) if e.get("month") else ""
    pairs = [(month, e["plan"], e["paid"])]
    if e.get("cumulative_plan") is not None and e.get("cumulative_paid") is not None:
        pairs.append((t("analyst.chart.cumulative", lang, month=month), e["cumulative_plan"], e["cumulative_paid"]))
    if e.get("line_year_plan") is not None and e.get("line_year_paid") is not None:
        pairs.append((t("analyst.chart.line_year", lang), e["line_year_plan"], e["line_year_paid"]))
    return _bars(pairs, t("analyst.chart.plan", lang), t("analyst.chart.paid", lang), lang)


def _spike(e: dict, lang: str) -> dict | None:
    if e.get("paid") is None or e.get("expected") is None:
        return None
    month = month_name(int(e["month"]), lang) if e.get("month") else ""
    return _bars([(month, e["expected"], e["paid"])], t("analyst.chart.expected", lang),
                 t("analyst.chart.paid", lang), lang)


def _generic(e: dict, lang: str) -> dict | None:
    """The flag's own ratio (or share, or z) against the peer median and the cut-off."""
    for value_key, peer_key, cut_key in (("ratio", "peer_median_ratio", "min_ratio"), ("share", "peer_share", "min_share"),
                                         ("z", None, "min_z"), ("overdue", None, "min_overdue")):
        value = e.get(value_key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            bars = [(label(value_key, lang), value, THIS)]
            for key, colour in ((peer_key, PEER), (cut_key, CUT)):
                if key and isinstance(e.get(key), (int, float)):
                    bars.append((label(key, lang), e[key], colour))
            return {"data": [{"type": "bar", "orientation": "h", "y": [b[0] for b in bars],
                              "x": [float(b[1]) for b in bars], "marker": {"color": [b[2] for b in bars]}}],
                    "layout": _layout(lang)}
    return None


CHARTS = {"year_end_dumping": _dumping, "unit_cost": _unit_cost, "paid_above_plan": _paid_above_plan,
          "spike": _spike}


def evidence_figure(detector: str, evidence: dict, lang: str) -> dict | None:
    """The chart for a flag, or None when its evidence has nothing to draw."""
    try:
        return CHARTS.get(detector, _generic)(evidence, lang) or _generic(evidence, lang)
    except (TypeError, ValueError, KeyError):  # evidence from an older or newer detector: no chart
        return None
