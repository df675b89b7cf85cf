"""Colour classes of the explorer map and their legend labels, one rule per kind of metric.

Every class includes its lower bound: a value v falls in class i = the number of breaks ≤ v
(assets/explorer.js applies the same rule when the hideout says ``"closed": "lower"``).

- **Execution** (paid ÷ adjusted plan) uses fixed breaks, the same for every year, place and
  month range: < 80 %, 80–90 %, 90–95 %, 95–99 %, ≥ 99 %. Budgets here are planned to be spent
  in full (the republican budget of 2023 was executed at 99.6 %, docs/domain.md), so ≥ 99 % is
  "executed", 95–99 % an ordinary shortfall, and each class below doubles the unspent share
  (5 %, 10 %, 20 %+). Two places that differ by 0.1 point share a colour unless a break lies
  between them; quantile classes used to paint 95.38 % and 95.41 % dark and light.
- **Money** (planned, paid, per inhabitant) keeps quantile classes, since amounts span orders
  of magnitude between regions, but each break is rounded to two significant digits so the
  legend reads "12 млрд ₸", not "12,37 млрд ₸".
- **Responsiveness** (issue 14) uses fixed breaks too. Share of public appeals answered:
  < 50 %, 50–80 %, 80–95 %, ≥ 95 % (red = most left unanswered). Median working days to answer:
  < 5, 5–10, 10–15, ≥ 15, the last class being the legal deadline (APPEAL_DEADLINE_DAYS, 15
  working days) or worse (blue = fast). A place that received no appeal (or answered none, for
  the days) has no value: grey "no data", never ranked.
- **Counts** (open and overdue appeals) give zero its own neutral class ("no open appeals"),
  and split only the non-zero counts into up to four classes of whole numbers ("1", "2–4",
  "5–12", up to the largest count): a place with no appeals is never ranked or coloured as "low".
"""
from __future__ import annotations

import math

from dashboard.i18n import t
from dashboard.i18n.formatting import format_number, format_percent
from dashboard.metrics import APPEAL_METRICS, NO_DATA, format_metric

EXECUTION_BREAKS = [0.80, 0.90, 0.95, 0.99]
# ColorBrewer RdYlBu (5 classes, colour-blind safe): red = much left unspent, blue = executed.
EXECUTION_COLOURS = ["#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"]
# Sequential blues (ColorBrewer), light = small.
MONEY_COLOURS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
# Zero appeals: near-white, unlike the grey of "no data"; then oranges for 1, 2, ….
ZERO_COLOUR = "#f7f7f7"
ANSWERED_BREAKS = [0.50, 0.80, 0.95]
ANSWER_DAYS_BREAKS = [5, 10, 15]
# ColorBrewer RdYlBu, 4 classes: red = few answered; for the days, red = slow (reversed).
RESPONSIVENESS_COLOURS = ["#d7191c", "#fdae61", "#abd9e9", "#2c7bb6"]
COUNT_COLOURS = ["#fdd0a2", "#fdae6b", "#f16913", "#a63603"]


def class_of(value: float, breaks: list[float]) -> int:
    """The class of a value: how many breaks are ≤ it."""
    return sum(1 for b in breaks if value >= b)


def _spread(palette: list[str], n: int) -> list[str]:
    """n colours spread across the whole ramp (light to dark)."""
    if n >= len(palette):
        return palette[:n]
    step = (len(palette) - 1) / max(1, n - 1)
    return [palette[round(i * step)] for i in range(n)]


def _round2(value: float) -> float:
    """Two significant digits (12 374 → 12 000), so legend breaks read as round amounts."""
    if value <= 0:
        return 0
    digits = 1 - math.floor(math.log10(value))
    return round(value, digits)


def money_breaks(values: list[float | None], classes: int = len(MONEY_COLOURS)) -> list[float]:
    """Lower bounds of all but the first class: rounded quantiles of the known values."""
    known = sorted(v for v in values if v is not None)
    breaks: list[float] = []
    for i in range(1, classes):
        if not known:
            break
        b = _round2(known[min(len(known) - 1, (i * len(known)) // classes)])
        if b > known[0] and (not breaks or b > breaks[-1]):
            breaks.append(b)
    return breaks


def count_breaks(values: list[float | None], classes: int = len(COUNT_COLOURS)) -> list[int]:
    """[1, …]: zero alone below 1, then whole-number quantiles of the non-zero counts."""
    positive = sorted(int(v) for v in values if v)
    if not positive:
        return []
    breaks = [1]
    for i in range(1, classes):
        b = positive[min(len(positive) - 1, (i * len(positive)) // classes)]
        if b > breaks[-1] and any(breaks[-1] <= v < b for v in positive):  # no empty class
            breaks.append(b)
    return breaks


def scale(values: list[float | None], metric: str, lang: str) -> dict:
    """The colour scale of a metric for these values: breaks, colours, legend labels.

    Returns {"breaks", "colors", "labels", "closed": "lower", "nodata": bool} — `nodata` says
    whether a place without a value is among them (the legend then shows that swatch too).
    """
    nodata = any(v is None for v in values)
    if metric == "execution":
        breaks, colours = EXECUTION_BREAKS, EXECUTION_COLOURS
        labels = _range_labels([format_percent(b, lang, digits=0) for b in breaks])
    elif metric == "appeals_answered":
        breaks, colours = ANSWERED_BREAKS, RESPONSIVENESS_COLOURS
        labels = _range_labels([format_percent(b, lang, digits=0) for b in breaks])
    elif metric == "answer_days":
        breaks, colours = ANSWER_DAYS_BREAKS, RESPONSIVENESS_COLOURS[::-1]
        labels = _range_labels([format_number(b, lang) for b in breaks])
    elif metric in APPEAL_METRICS:
        breaks = count_breaks(values)
        colours = [ZERO_COLOUR, *_spread(COUNT_COLOURS, max(len(breaks), 1))][:len(breaks) + 1]
        labels = [t(f"honest.legend.none.{metric}", lang), *_count_labels(breaks, values, lang)]
    else:
        known = [v for v in values if v is not None]
        breaks = money_breaks(known)
        if breaks:
            labels = _range_labels([format_metric(b, metric, lang) for b in breaks])
        else:  # one class (every place alike, or one place): its value
            labels = [format_metric(max(known), metric, lang)] if known else []
        colours = _spread(MONEY_COLOURS, len(breaks) + 1) if labels else []
    return {"breaks": list(breaks), "colors": colours, "labels": labels, "closed": "lower", "nodata": nodata}


def colour_of(value: float | None, sc: dict) -> str:
    """The fill of one value on a scale from `scale` (grey for no data)."""
    if value is None:
        return NO_DATA
    return sc["colors"][min(class_of(value, sc["breaks"]), len(sc["colors"]) - 1)]


def _range_labels(bounds: list[str]) -> list[str]:
    """'< a', 'a – b', …, '≥ z' (classes include their lower bound)."""
    return [f"< {bounds[0]}", *[f"{a} – {b}" for a, b in zip(bounds, bounds[1:])], f"≥ {bounds[-1]}"]


def _count_labels(breaks: list[int], values: list[float | None], lang: str) -> list[str]:
    """'1', '2–4', '5–12': whole-number ranges, the last one up to the largest count shown."""
    top = max((int(v) for v in values if v), default=0)
    labels = []
    for lower, upper in zip(breaks, [*[b - 1 for b in breaks[1:]], top]):
        a, b = format_number(lower, lang), format_number(upper, lang)
        labels.append(a if lower == upper else f"{a}–{b}")
    return labels
