"""The explorer's metrics: value of a row and its display form; quantile classes (the analysts' map;
the explorer's classes are in dashboard/map_classes.py)."""
from __future__ import annotations

from dashboard.i18n.formatting import format_money, format_number, format_percent

# Counts of appeals: rows carry them under the metric's own name (merged in by the callbacks).
APPEAL_METRICS = ("appeals_open", "appeals_overdue")
# How places answer public appeals (queries/responsiveness.py): the share answered and the median
# working days to answer; None where no appeal was received (or none answered): never ranked.
RESPONSIVENESS_METRICS = ("appeals_answered", "answer_days")

# Sequential blues (ColorBrewer), light = small; grey for places without data.
PALETTE = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#d9d9d9"


def metric_value(row: dict, metric: str) -> float | None:
    """The number a metric shows for a row with plan_adjusted, paid (tiyn) and population.

    Money stays in tiyn; execution is a ratio; per inhabitant is tiyn per person; appeal
    metrics are counts (zero is a value). None where it is undefined (no plan, no population,
    nothing published).
    """
    if metric in APPEAL_METRICS or metric in RESPONSIVENESS_METRICS:
        return row.get(metric)
    plan, paid = row["plan_adjusted"], row["paid"]
    if metric == "plan":
        return plan if plan or paid else None
    if metric == "paid":
        return paid if plan or paid else None
    if metric == "execution":
        return paid / plan if plan else None
    if metric == "per_capita":
        population = row.get("population")
        return plan / population if plan and population else None
    raise ValueError(f"unknown metric {metric!r}")


def format_metric(value: float | None, metric: str, lang: str, digits: int = 1) -> str:
    """'8,3 трлн ₸', '97,3 %', '—' for no data."""
    if value is None:
        return "—"
    if metric in ("execution", "appeals_answered"):
        return format_percent(value, lang, digits=digits)
    if metric == "answer_days":
        return format_number(round(value, 1), lang)
    if metric in APPEAL_METRICS:
        return format_number(round(value), lang)
    return format_money(round(value), lang)


def class_breaks(values: list[float | None], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of all but the last colour class (quantiles of the known values).

    A value v falls in class i = number of breaks below v; the browser's style function
    applies the same rule.
    """
    known = sorted(v for v in values if v is not None)
    if not known:
        return []
    breaks = []
    for i in range(1, classes):
        b = known[min(len(known) - 1, (i * len(known)) // classes)]
        if not breaks or b > breaks[-1]:
            breaks.append(b)
    return breaks[:-1] if breaks and breaks[-1] >= known[-1] else breaks


def colours_for(breaks: list[float]) -> list[str]:
    """The palette entries used with these breaks (spread across the whole ramp)."""
    n = len(breaks) + 1
    if n >= len(PALETTE):
        return PALETTE[:n]
    step = (len(PALETTE) - 1) / max(1, n - 1)
    return [PALETTE[round(i * step)] for i in range(n)]
