"""The map explorer's state and its URL form.

The state lives in the URL fragment (`#year=2025&region=KZ-11&sectors=education,health`),
not the query string: Dash's page router re-renders the whole page whenever the query
string changes, which would remount the map on every filter change. The fragment still
makes every view bookmarkable and shareable, and each change is a history entry, so the
browser's back button steps back through drills.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote

from dashboard.params import whole_number, year_param

# The appeal metrics count open public appeals (and the overdue ones) now, and how places answer
# them (share answered, median working days), whatever the year or months.
METRICS = ("plan", "paid", "execution", "per_capita", "appeals_open", "appeals_overdue", "appeals_answered",
           "answer_days")
DEFAULT_METRIC = "plan"
ALL_MONTHS = (1, 12)


@dataclass(frozen=True)
class ExplorerState:
    """Where the explorer is: filters, metric and drill level (region, then district)."""

    year: int | None = None
    months: tuple[int, int] = ALL_MONTHS
    sectors: tuple[str, ...] = ()
    metric: str = DEFAULT_METRIC
    region: str | None = None
    district: str | None = None
    # A permalink pinned to a data version: the numbers as they were right after this
    # publication (queries/asof.py). None: the current numbers.
    asof: int | None = None

    @property
    def level(self) -> str:
        return "district" if self.district else "region" if self.region else "country"

    def to_dict(self) -> dict:
        return {"year": self.year, "months": list(self.months), "sectors": list(self.sectors),
                "metric": self.metric, "region": self.region, "district": self.district, "asof": self.asof}

    @classmethod
    def from_dict(cls, data: dict | None) -> "ExplorerState":
        """The state a Store holds; the browser sends it back, so every field is checked and a
        malformed one (a string year, an unknown metric, a number as region) falls back."""
        if not isinstance(data, dict):
            return cls()
        months = data.get("months")
        if isinstance(months, (list, tuple)) and len(months) == 2:
            months = _months(f"{months[0]}-{months[1]}") if all(type(m) is int for m in months) else None
        else:
            months = None
        sectors = data.get("sectors")
        sectors = tuple(s for s in sectors if _code(s)) if isinstance(sectors, (list, tuple)) else ()
        metric = data.get("metric")
        return cls(year=year_param(data["year"]) if type(data.get("year")) is int else None,
                   months=months or ALL_MONTHS, sectors=sectors,
                   metric=metric if metric in METRICS else DEFAULT_METRIC,
                   region=data.get("region") if _code(data.get("region")) else None,
                   district=data.get("district") if _code(data.get("district")) else None,
                   asof=data.get("asof") if type(data.get("asof")) is int and 0 < data["asof"] < 2**31 else None)

    def drill(self, region: str | None = None, district: str | None = None) -> "ExplorerState":
        """The state one level down (or back up when both are None)."""
        return replace(self, region=region, district=district if region else None)


def _code(value) -> bool:
    """A plausible region, district or sector code: a short string without NUL bytes."""
    return isinstance(value, str) and 0 < len(value) <= 64 and "\x00" not in value


def _months(text: str) -> tuple[int, int] | None:
    first, _, last = text.partition("-")
    lo, hi = whole_number(first, 1, 12), whole_number(last or first, 1, 12)
    return (lo, hi) if lo is not None and hi is not None and lo <= hi else None


def parse_hash(fragment: str | None, *, years: list[int], sectors: list[str], regions: list[str],
               districts: dict[str, str]) -> ExplorerState:
    """The state a URL fragment describes; unknown or malformed parts fall back to defaults.

    `districts` maps district code → region code, so a district outside the region is dropped.
    """
    fragment = fragment if isinstance(fragment, str) else ""
    params = dict(parse_qsl(fragment.lstrip("#"), keep_blank_values=False))
    year = year_param(params.get("year"))
    if year not in years:
        year = years[-1] if years else None
    chosen = tuple(s for s in sectors if s in set(params.get("sectors", "").split(",")))
    region = params.get("region") if params.get("region") in regions else None
    district = params.get("district")
    if district not in districts or districts[district] != region:
        district = None
    metric = params.get("metric") if params.get("metric") in METRICS else DEFAULT_METRIC
    return ExplorerState(year=year, months=_months(params.get("months", "")) or ALL_MONTHS,
                         sectors=chosen, metric=metric, region=region, district=district,
                         asof=asof_param(params.get("asof")))


def asof_param(value) -> int | None:
    """A publication id from a URL (`asof=`): a positive whole number, else None."""
    return whole_number(value, 1, 2**31 - 1) if isinstance(value, str) else None


def to_hash(state: ExplorerState) -> str:
    """The URL fragment for a state (defaults left out, so URLs stay short)."""
    parts = []
    if state.year is not None:
        parts.append(f"year={state.year}")
    if state.months != ALL_MONTHS:
        parts.append(f"months={state.months[0]}-{state.months[1]}")
    if state.sectors:
        parts.append("sectors=" + ",".join(quote(s) for s in state.sectors))
    if state.metric != DEFAULT_METRIC:
        parts.append(f"metric={state.metric}")
    if state.region:
        parts.append(f"region={quote(state.region)}")
    if state.district:
        parts.append(f"district={quote(state.district)}")
    if state.asof is not None:
        parts.append(f"asof={state.asof}")
    return "#" + "&".join(parts)
