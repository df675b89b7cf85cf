"""The load test's journey parametrisation, request names, waves and percentiles (bench/load/journey.py)."""
from __future__ import annotations

import json
import random

import numpy as np

from bench.load.journey import callback_name, fill, parametrise_text, percentile, pick_visitor, route_name, waves

RECORDED = {"bin": "191140105664", "region": "KZ-11", "district": "KZ-11-03", "query": "школ"}


def test_recorded_values_become_placeholders_and_fill_back():
    body = json.dumps({"inputs": [{"value": "#region=KZ-11&district=KZ-11-03"}, {"value": "школ"},
                                  {"value": "/institution/191140105664"}]}, ensure_ascii=False)
    template = parametrise_text(body, RECORDED)
    # the district is replaced whole, not as {{region}}-03
    assert "{{district}}" in template and "-03" not in template and "191140105664" not in template
    visitor = {"bin": "050340011516", "region": "KZ-43", "district": "KZ-43-07", "query": "больн\"ица"}
    filled = json.loads(fill(template, visitor))
    assert filled["inputs"][0]["value"] == "#region=KZ-43&district=KZ-43-07"
    assert filled["inputs"][1]["value"] == "больн\"ица"  # escaped inside the JSON body
    assert filled["inputs"][2]["value"] == "/institution/050340011516"
    path = parametrise_text("/api/v1/institutions?q=%D1%88%D0%BA%D0%BE%D0%BB&region=KZ-11", RECORDED)
    assert path == "/api/v1/institutions?q={{query}}&region={{region}}"
    assert fill(path, visitor, in_url=True) == "/api/v1/institutions?q=%D0%B1%D0%BE%D0%BB%D1%8C%D0%BD%22%D0%B8%D1%86%D0%B0&region=KZ-43"


def test_requests_are_named_by_route_and_callback():
    assert route_name("GET", "/institution/{{bin}}?year=2025") == "GET /institution/{{bin}}"
    assert route_name("GET", "/api/v1/regions/{{region}}/districts") == "GET /api/v1/regions/{{code}}/districts"
    assert route_name("GET", "/_dash-component-suites/dash/x.js") == "static"
    body = json.dumps({"output": "..a.children...b.figure.."})
    assert callback_name(body, {"..a.children...b.figure..": "show_year"}) == "callback show_year"
    assert callback_name(body, {}) == "callback a.children"


def test_waves_split_where_the_browser_waited_for_an_answer():
    requests = [{"start": 0, "end": 10, "id": 1}, {"start": 2, "end": 30, "id": 2},  # in flight together
                {"start": 12, "end": 20, "id": 3},  # sent after 1 answered: next wave
                {"start": 25, "end": 40, "id": 4}]  # sent after 3 answered (at 20): next wave
    assert [[r["id"] for r in w] for w in waves(requests)] == [[1, 2], [3], [4]]


def test_percentile_matches_numpy():
    rng = random.Random(3)
    values = [rng.expovariate(1 / 50) for _ in range(1001)]
    for q in (50, 95, 99, 100):
        assert abs(percentile(values, q) - float(np.percentile(values, q))) < 1e-9
    assert percentile([], 95) is None


def test_a_visitor_picks_a_consistent_place():
    params = {"regions": {"KZ-11": ["KZ-11-01", "KZ-11-02"], "KZ-43": ["KZ-43-01"]},
              "districts": {"KZ-11-01": ["1"], "KZ-11-02": ["2", "3"], "KZ-43-01": ["4"]}, "queries": ["школ"]}
    rng = random.Random(1)
    seen = set()
    for _ in range(200):
        v = pick_visitor(params, rng)
        assert v["district"] in params["regions"][v["region"]] and v["bin"] in params["districts"][v["district"]]
        seen.add(v["bin"])
    assert seen == {"1", "2", "3", "4"}
