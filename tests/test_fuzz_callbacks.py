"""Hostile anonymous requests never answer 5xx: every Dash callback fed typed garbage, and odd paths.

A browser only ever sends what the layout holds, but anyone can POST /_dash-update-component with
a string year in the explorer state, a null BIN or a list where a number goes. Each callback gets
garbage in one input or state (and in each key of dict stores) while the others keep a plausible
value; the answer may be 200/204/400/403/413/429, never a 5xx. The sample is deterministic and
bounded so the module stays well under a minute on both databases.
"""
from __future__ import annotations

import json
import os
import random

import pytest
from sqlalchemy import select

from dashboard.config import load_config
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import institutions
from tests.conftest import BACKENDS, _fresh_url

YEAR = 2024
GARBAGE = [None, "", "x", -1, 10**20, 1.5, [], {}, {"a": 1}, "\x00", "2025'--", "é" * 300, True]
# Per backend, a deterministic sample of all the combinations (FUZZ_CALLBACK_REQUESTS=0: all of them).
MAX_CALLBACK_REQUESTS = int(os.environ.get("FUZZ_CALLBACK_REQUESTS", "420")) or 10**9
OK = {200, 204, 400, 403, 404, 413, 429}


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    from app import create_app

    tmp = tmp_path_factory.mktemp("fuzz")
    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=12, years=[YEAR], seed=5, progress=False)
    with engine.connect() as conn:
        bin_ = conn.execute(select(institutions.c.bin).order_by(institutions.c.id).limit(1)).scalar_one()
    engine.dispose()
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp), "UPLOAD_DIR": str(tmp / "uploads"),
                          "CALLBACK_RATE_LIMIT": "100000 per minute"})
    app = create_app(config)
    app.server.logger.disabled = True  # the tracebacks of a failure are in the assertion message
    return app, bin_


def plausible(bin_: str) -> dict:
    """What the layouts put in each input or state, by "id.property"."""
    state = {"year": YEAR, "months": [1, 12], "sectors": [], "metric": "plan", "region": "KZ-11", "district": None}
    return {
        "explorer-url.hash": "", "sector-filter.value": [], "year-slider.value": YEAR, "month-range.value": [1, 12],
        "metric-select.value": "plan", "explorer-state.data": state, "page-lang.data": "en",
        "inst-bin.data": bin_, "inst-year.value": YEAR, "inst-monthly-mode.value": "monthly",
        "search-input.value": "school", "appeals-ctx.data": {"bin": bin_, "year": YEAR, "lang": "en"},
        "track-ctx.data": {"code": "ABCD-EFGH", "lang": "en"}, "staff-ctx.data": {"lang": "en"},
        "cases-ctx.data": {"lang": "en", "case_id": 1}, "analyst-ctx.data": {"lang": "en"},
        "analyst-year.value": YEAR, "import-report-token.data": {"report": "x", "lang": "en"},
        "_pages_location.pathname": f"/institution/{bin_}", "_pages_location.search": "",
        "_pages_store.data": {"path": "/"},
    }


def _outputs(spec: str) -> list[dict] | dict:
    def one(part):
        ident, _, prop = part.rpartition(".")
        return {"id": ident, "property": prop}

    if spec.startswith(".."):
        return [one(p) for p in spec[2:-2].split("...")]
    return one(spec)


def _cases(deps: list[dict], values: dict) -> list[tuple[str, dict, int, object, str]]:
    """(output, dependency, argument index, garbage, key or '') for every combination."""
    cases = []
    for dep in deps:
        if dep.get("clientside_function"):
            continue
        args = dep["inputs"] + dep["state"]
        for index, arg in enumerate(args):
            good = values.get(f"{arg['id']}.{arg['property']}")
            for junk in GARBAGE:
                cases.append((dep["output"], dep, index, junk, ""))
            if isinstance(good, dict):
                for key in good:
                    for junk in GARBAGE:
                        cases.append((dep["output"], dep, index, junk, key))
    return cases


def _payload(dep: dict, index: int, junk, key: str, values: dict) -> dict:
    def arg(position, spec):
        value = values.get(f"{spec['id']}.{spec['property']}")
        if position == index:
            value = {**value, key: junk} if key else junk
        return {"id": spec["id"], "property": spec["property"], "value": value}

    inputs = [arg(i, spec) for i, spec in enumerate(dep["inputs"])]
    state = [arg(len(inputs) + i, spec) for i, spec in enumerate(dep["state"])]
    changed = inputs[min(index, len(inputs) - 1)]
    return {"output": dep["output"], "outputs": _outputs(dep["output"]), "inputs": inputs, "state": state,
            "changedPropIds": [f"{changed['id']}.{changed['property']}"]}


def test_callbacks_survive_garbage(site):
    app, bin_ = site
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").json
    values = plausible(bin_)
    cases = _cases(deps, values)
    sample = random.Random(20251202).sample(cases, min(MAX_CALLBACK_REQUESTS, len(cases)))
    failures = []
    for output, dep, index, junk, key in sample:
        payload = _payload(dep, index, junk, key, values)
        response = client.post("/_dash-update-component", data=json.dumps(payload),
                               content_type="application/json")
        if response.status_code not in OK:
            arg = (dep["inputs"] + dep["state"])[index]
            failures.append(f"{response.status_code} {output[:60]} {arg['id']}.{arg['property']}"
                            f"{'[' + key + ']' if key else ''}={junk!r:.40}")
    assert not failures, "\n".join(sorted(set(failures)))


HOSTILE_PATHS = [
    "/institution/%00", "/institution/1234567890123", "/institution/%C2%B2%C2%B2", "/institution/' OR 1=1--",
    "/institution/{bin}?year=%00", "/institution/{bin}?year=99999999999999999999", "/institution/{bin}/appeals?year=x",
    "/institution/%00/appeals", "/files/documents/99999999999999999999", "/files/documents/-1",
    "/files/documents/%00", "/files/documents/0", "/appeal/%00", "/appeal/99999999999999999999", "/appeal/x'--",
    "/appeals/track/%00", "/track/%00", "/cases/%00", "/cases/99999999999999999999", "/staff?x=%00", "/%00",
    "/?lang=%00", "/search?q=%00", "/api/v1/institutions?limit=99999999999999999999",
    "/api/v1/institutions?offset=-1", "/api/v1/institutions?year=%00", "/api/v1/institutions?region=%00",
    "/api/v1/institutions/%00", "/api/v1/institutions/99999999999999999999",
    "/api/v1/institutions/{bin}/lines?year=%00", "/api/v1/institutions/{bin}/lines?year=2024&limit=x",
    "/api/v1/regions/%00/districts", "/api/v1/search?q=%00", "/api/v1/search?q=" + "a" * 5000,
    "/api/v1/top?metric=%00", "/api/v1/top?year=99999999999999999999", "/api/map/points?year=%00",
    "/api/map/points?year=2024&region=%00", "/api/map/regions?year=%00", "/healthz?%00",
]


def test_hostile_paths_never_answer_5xx(site):
    app, bin_ = site
    client = app.server.test_client()
    rules = sorted({rule.rule for rule in app.server.url_map.iter_rules() if "GET" in rule.methods})
    paths = [p.replace("{bin}", bin_) for p in HOSTILE_PATHS]
    # Every GET route with its variables filled by a NUL byte and by 20 digits.
    for rule in rules:
        if "<" in rule and not rule.startswith(("/_dash", "/assets", "/_favicon", "/static")):
            for junk in ("%00", "99999999999999999999"):
                path, depth = "", 0
                for char in rule:
                    depth += char == "<"
                    if depth == 0:
                        path += char
                    if char == ">":
                        depth, path = 0, path + junk
                paths.append(path)
    failures = []
    for path in paths:
        response = client.get(path)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} GET {path}")
    assert not failures, "\n".join(failures)
