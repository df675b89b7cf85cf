"""Presentation mode (/present): what a tour shows, from its URL, and where each slide leads.

A tour is a list of slides; each slide is an explorer view (an `ExplorerState`) plus the part
of that view it shows (`kind`). The same state gives the slide's numbers (the explorer's query
functions), its QR code and the Esc key's destination: the front page with that state, so a
phone that scans the code opens exactly the view on the screen.

URL parameters are checked like the rest of the app's: a value that is not understood is left
out and named on the first slide (`Tour.ignored`), never an error page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from dashboard.explorer_state import ExplorerState, to_hash
from dashboard.params import text_param, whole_number, year_param

DEFAULT_INTERVAL = 20  # seconds per slide
INTERVAL_RANGE = (2, 600)
MAX_REGIONS = 20  # every region once: a longer list repeats some
DEFAULT_REGIONS = 3  # without ?region=: the regions with the largest adjusted plan
# The slides of each region, in order; the map flies to the region on the first.
REGION_KINDS = ("region", "institutions", "region_sectors", "months", "appeals")
PARAMS = ("region", "sectors", "year", "interval", "lang")


@dataclass(frozen=True)
class TourRequest:
    """The URL's choices, checked against the data: regions and sectors (codes), the year,
    seconds per slide, and the parameters left out with their values."""

    year: int | None
    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    interval: int = DEFAULT_INTERVAL
    ignored: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Slide:
    """One slide: what it shows (`kind`) of which explorer view (`state`)."""

    kind: str  # headline | sectors | region | institutions | region_sectors | months | appeals
    state: ExplorerState


def interval_param(value) -> int | None:
    """Seconds per slide from the URL (2–600), else None."""
    return whole_number(value, *INTERVAL_RANGE)


def _codes(value) -> list[str]:
    text = text_param(value, 2000)
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_request(query: dict, *, years: list[int], regions: list[str], sectors: list[str]) -> TourRequest:
    """The tour a URL asks for (`query`: the page's query parameters as strings).

    Unknown regions or sectors are dropped, a year without data becomes the latest one, a bad
    interval the default; each of those is listed in `ignored` as (parameter, value)."""
    query = query if isinstance(query, dict) else {}
    ignored: list[tuple[str, str]] = []

    def note(name: str, value) -> None:
        ignored.append((name, text_param(value, 60) or "?"))

    chosen_regions: list[str] = []
    for code in _codes(query.get("region")):
        if code.upper() in regions and code.upper() not in chosen_regions:
            chosen_regions.append(code.upper())
        elif code.upper() not in regions:
            note("region", code)
    chosen_sectors = []
    for code in _codes(query.get("sectors")):
        if code.lower() in sectors:
            chosen_sectors.append(code.lower())
        else:
            note("sectors", code)
    raw_year = query.get("year")
    year = year_param(raw_year)
    if raw_year not in (None, "") and year not in years:
        note("year", raw_year)
    if year not in years:
        year = years[-1] if years else None
    raw_interval = query.get("interval")
    interval = interval_param(raw_interval)
    if raw_interval not in (None, "") and interval is None:
        note("interval", raw_interval)
    return TourRequest(year=year, regions=tuple(chosen_regions[:MAX_REGIONS]),
                       # the explorer's order, so the slide and its explorer view list them alike
                       sectors=tuple(s for s in sectors if s in chosen_sectors),
                       interval=interval or DEFAULT_INTERVAL, ignored=tuple(ignored))


def default_regions(region_rows: list[dict], count: int = DEFAULT_REGIONS) -> tuple[str, ...]:
    """The regions with the largest adjusted plan (rows of `queries.explorer.by_region`)."""
    ranked = sorted((r for r in region_rows if r["plan_adjusted"] > 0), key=lambda r: (-r["plan_adjusted"], r["code"]))
    return tuple(r["code"] for r in ranked[:count])


def tour(request: TourRequest, regions: tuple[str, ...]) -> list[Slide]:
    """The slides: the country's headline and sectors, then each region's slides; the browser
    loops back to the first after the last."""
    country = ExplorerState(year=request.year, sectors=request.sectors)
    slides = [Slide("headline", country), Slide("sectors", country)]
    for code in regions:
        place = country.drill(code)
        slides += [Slide(kind, place) for kind in REGION_KINDS]
    return slides


def explorer_href(state: ExplorerState, lang: str, root: str = "/") -> str:
    """The front page showing `state` in `lang` (`root`: the site's absolute address with a
    trailing slash, for QR codes; "/" for a link on the same site)."""
    return f"{root}?lang={lang}{to_hash(state)}"


def present_query(request: TourRequest, regions: tuple[str, ...], lang: str) -> str:
    """The query string (with "?") of the tour as checked: the print view's and the
    explorer-to-presentation links use it, so both show the same slides."""
    params = {"lang": lang}
    if request.year is not None:
        params["year"] = str(request.year)
    if regions:
        params["region"] = ",".join(regions)
    if request.sectors:
        params["sectors"] = ",".join(request.sectors)
    if request.interval != DEFAULT_INTERVAL:
        params["interval"] = str(request.interval)
    return "?" + urlencode(params, safe=",")
