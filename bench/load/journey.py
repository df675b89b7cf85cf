"""The recorded journey: its JSON form, parametrisation per visitor, request names and percentiles.

Pure functions (no server, no browser) shared by the recorder, the locustfile and run.py, so
the parts that decide what is measured can be unit-tested.

A journey is {"name", "steps": [{"name", "waves": [[request, ...], ...]}, ...]}. A step is one
visitor action (a page load, a click); a wave is the requests the browser had in flight
together (replayed concurrently); waves run one after another because the browser sent the
next one only after an answer. A request is {"method", "path", "body", "headers", "name",
"status"}; "path" and "body" may hold placeholders ({{bin}}, {{region}}, {{district}},
{{query}}) filled in per visitor.
"""
from __future__ import annotations

import json
import math
import random
from urllib.parse import quote, urlsplit

PLACEHOLDERS = ("bin", "district", "region", "query")
# Headers replayed as recorded; cookies come from each visitor's own cookie jar instead, the way
# the browser built them (the recorded Cookie headers are kept in the JSON for reference).
REPLAYED_HEADERS = ("accept", "accept-encoding", "accept-language", "content-type", "x-requested-with")
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico", "/favicon.ico")


def token(name: str) -> str:
    return "{{" + name + "}}"


def parametrise_text(text: str, values: dict[str, str]) -> str:
    """Replace recorded values by placeholders; longest first, so a district code that starts
    with its region code ("KZ-11-03" / "KZ-11") becomes {{district}}, not {{region}}-03."""
    for name, value in sorted(values.items(), key=lambda kv: -len(kv[1])):
        if value:
            text = text.replace(value, token(name))
            if quote(value, safe="") != value:  # a query typed in Cyrillic, as it appears in a URL
                text = text.replace(quote(value, safe=""), token(name))
    return text


def fill(text: str, values: dict[str, str], *, in_url: bool = False) -> str:
    """A parametrised path or body for one visitor."""
    for name in PLACEHOLDERS:
        if token(name) in text:
            value = values[name]
            text = text.replace(token(name), quote(value, safe="") if in_url else json.dumps(value)[1:-1])
    return text


def route_name(method: str, path: str) -> str:
    """A request's name in the statistics: the route, not the full URL (one BIN is not a
    different endpoint)."""
    parts = urlsplit(path).path
    if parts.startswith(STATIC_PREFIXES):
        return "static"
    segments = [token("bin") if s == token("bin") or (s.isdigit() and len(s) == 12) else s
                for s in parts.split("/")]
    route = "/".join(token("code") if s in (token("region"), token("district")) else s for s in segments)
    return f"{method} {route}"


def callback_name(body: str | None, names: dict[str, str]) -> str:
    """`callback <function>` for a Dash callback request (its output string mapped to the
    function's name, or the first output id when the function is unknown)."""
    try:
        output = json.loads(body or "{}").get("output", "?")
    except ValueError:
        output = "?"
    name = names.get(output) or ("pages router" if "_pages_content" in output else None)
    if not name:
        name = output.strip(".").split("...")[0]
    return f"callback {name}"


def waves(requests: list[dict]) -> list[list[dict]]:
    """Group one step's requests (sorted by start, each with "start" and "end" in ms) into
    waves: a request joins the current wave when the browser sent it before any request of
    that wave had finished (it could not depend on their answers)."""
    out: list[list[dict]] = []
    first_end = None
    for r in sorted(requests, key=lambda r: r["start"]):
        if out and r["start"] < first_end:
            out[-1].append(r)
            first_end = min(first_end, r["end"])
        else:
            out.append([r])
            first_end = r["end"]
    return out


def pick_visitor(params: dict, rng: random.Random) -> dict[str, str]:
    """One visitor's choice: a region, one of its districts, one of that district's
    institutions, and a search word from a (random) institution's name. Uniform: with 20
    regions region views repeat often, institution pages almost never."""
    region = rng.choice(sorted(params["regions"]))
    district = rng.choice(sorted(params["regions"][region]))
    bins = params["districts"][district]
    return {"region": region, "district": district, "bin": rng.choice(bins),
            "query": rng.choice(params["queries"])}


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
