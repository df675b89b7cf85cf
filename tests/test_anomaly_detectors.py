"""Each detector on hand-made data: cases that must be flagged and look-alikes that must not."""
import json

import numpy as np
import pytest

from dashboard.anomalies.detectors import DETECTORS, PLANTED_KIND, citizen_reports, paid_above_plan, \
    round_amounts, silence, spike, unit_cost, year_end_dumping
from dashboard.anomalies.explain import sentence
from dashboard.i18n import LANGUAGES, catalog
from tests.anomaly_support import CAPITAL, FLAT, NOW, RISING, Scan, flagged

YEARS = range(2020, 2025)


def check_flags(flags):
    for f in flags:
        assert 0 <= f.score <= 1
        json.dumps(f.evidence)  # plain JSON
        for line in f.lines:  # plain Python values, as stored
            assert type(line["program"]) is str and type(line["subprogram"]) is str and type(line["specific"]) is int
        for lang in LANGUAGES:
            assert sentence(f.detector, f.evidence, lang, f.lines)


def peers(scan, n=12, first=100, **kw):
    for k in range(n):
        scan.school(first + k, YEARS, budget=200e6 * (1 + k / 10), **kw)


def test_year_end_dumping_against_history_and_peers():
    scan = Scan(1)
    peers(scan)
    scan.school(1, YEARS, december_boost={2023: 6.0})  # dumps in 2023 only
    scan.school(2, YEARS, december_boost={y: 6.0 for y in YEARS})  # heating contract: always ~30 % in December
    scan.school(3, [2024])  # new institution, no history, ordinary December
    scan.institution(4)  # opened in September 2024
    for spec, season in ((111, FLAT), (159, RISING)):
        scan.seasonal(4, 2024, 50e6, season, spec, months=range(9, 13))
    scan.school(5, [2024], december_boost={2024: 8.0})  # new and dumping: judged on peers alone
    flags = year_end_dumping.detect(scan.build())
    check_flags(flags)
    assert flagged(flags) == {(1, 2023), (5, 2024)}
    f = next(f for f in flags if f.institution_id == 1)
    assert f.evidence["history_years"] == 4 and f.evidence["peer_n"] >= 8
    assert f.evidence["finest_grain"] == "month" and all(line["months"] == [12] for line in f.lines)
    assert next(f for f in flags if f.institution_id == 5).evidence["history_median_ratio"] is None


def test_paid_above_plan_material_monthly_and_cumulative():
    scan = Scan(2)
    plan = [10_000_000 * 100] * 12  # 10 M ₸ a month
    scan.institution(1)
    scan.line(1, 2024, [p if m != 4 else int(p * 1.5) for m, p in enumerate(plan)], plan)
    scan.institution(2)
    scan.line(2, 2024, plan, plan)  # paid exactly the plan
    scan.institution(3)
    scan.line(3, 2024, [p + 99 for p in plan], plan)  # rounding noise
    scan.institution(4)  # 1.5 % ahead each month: under the monthly floor, over it cumulatively
    small = [60_000 * 100] * 12
    scan.line(4, 2024, [int(p * 1.015) for p in small], small)
    flags = paid_above_plan.detect(scan.build())
    check_flags(flags)
    assert flagged(flags) == {(1, 2024), (4, 2024)}
    f = next(f for f in flags if f.institution_id == 1)
    assert f.evidence["month"] == 5 and f.evidence["excess"] == 5_000_000 * 100 and f.lines[0]["months"] == [5]


def test_unit_cost_per_unit_size_classes_and_history():
    scan = Scan(3)
    rng = np.random.default_rng(3)
    caps = np.clip(np.round(rng.lognormal(np.log(400), 0.9, 60)), 10, 3000).astype(int)
    caps[0], caps[1] = 400, 12  # 1 will be the outlier; 2 is a tiny school, legitimately dear
    for k, cap in enumerate(caps, start=1):
        budget = cap * 450_000 * (cap / 400) ** -0.35 * rng.lognormal(0, 0.1)
        scan.institution(k, capacity=int(cap), unit="pupils")
        for year in YEARS:
            boost = 3.0 if (k, year) == (1, 2023) else 1.0
            scan.seasonal(k, year, budget * boost * 1.07 ** (year - 2020), FLAT, 111)
    for k in range(100, 112):  # akimats: no unit, judged on their own history
        scan.institution(k, type_code="akimat")
        for year in YEARS:
            jump = 3.0 if (k, year) == (100, 2022) else 1.0
            growth = 1.5 if year >= 2023 else 1.0  # every akimat grew alike: not an outlier
            scan.seasonal(k, year, 60e6 * (1 + k % 5 / 10) * jump * growth, FLAT, 111)
    flags = unit_cost.detect(scan.build())
    check_flags(flags)
    assert flagged(flags) == {(1, 2023), (100, 2022)}
    per_unit = next(f for f in flags if f.institution_id == 1).evidence
    assert per_unit["basis"] == "per_unit" and per_unit["ratio"] > 2 and per_unit["peer_n"] >= 8
    assert next(f for f in flags if f.institution_id == 100).evidence["basis"] == "history"


def test_spike_one_line_one_month():
    scan = Scan(4)
    peers(scan, n=3)
    scan.school(1, YEARS)
    row = next(r for r in scan.lines if r["institution_id"] == 1 and r["year"] == 2023 and r["specific_code"] == 414)
    row["paid_6"] *= 10  # a one-off spike
    scan.school(2, YEARS)  # whole-year budget doubling in 2023: not a spike
    for r in scan.lines:
        if r["institution_id"] == 2 and r["year"] == 2023:
            for m in range(1, 13):
                r[f"paid_{m}"] *= 2
    scan.school(3, YEARS, december_boost={2022: 6.0})  # many lines jump together: not a spike
    scan.institution(4)  # new, one year, a one-off month against its own other months
    paid = [5_000_000 * 100] * 12
    paid[6] *= 10
    scan.line(4, 2024, paid)
    scan.institution(5)  # opened in September: empty months are not a trend
    scan.seasonal(5, 2024, 40e6, CAPITAL, 414, months=range(9, 13))
    flags = spike.detect(scan.build())
    check_flags(flags)
    assert flagged(flags) == {(1, 2023), (4, 2024)}
    f = next(f for f in flags if f.institution_id == 1)
    assert f.lines[0] == {"program": "464-003", "subprogram": "015", "specific": 414, "months": [6]}
    assert f.evidence["ratio"] >= 3


def test_round_amounts_against_the_specifics_base_rate():
    scan = Scan(5)
    rng = np.random.default_rng(5)
    for k in range(1, 61):
        scan.institution(k)
        scan.line(k, 2024, rng.integers(20_000_000, 90_000_000, 12), specific=159)
        rent = 45_000_000 + 37 * k  # rent contracts: the same sum every month is common on 169
        scan.line(k, 2024, [rent] * 12 if k <= 40 else rng.integers(20_000_000, 90_000_000, 12), specific=169)
    rows = [r for r in scan.lines if r["institution_id"] == 1 and r["specific_code"] == 159]
    for m in range(8, 13):
        rows[0][f"paid_{m}"] = 3_000_000 * 100  # exact round millions, August to December
    rows = [r for r in scan.lines if r["institution_id"] == 2 and r["specific_code"] == 159]
    for m in range(1, 13):
        rows[0][f"paid_{m}"] = 45_123_456  # identical every month where that is rare
    flags = round_amounts.detect(scan.build())
    check_flags(flags)
    assert flagged(flags) == {(1, 2024), (2, 2024)}  # 40 identical rents on 169 are not flagged
    f = next(f for f in flags if f.institution_id == 1)
    assert f.evidence["round_months"] == 5 and f.lines[0]["months"] == [8, 9, 10, 11, 12]


def test_silence_and_citizen_reports():
    import datetime as dt

    scan = Scan(6)
    for k in (1, 2, 3, 4):
        scan.institution(k)
    old = NOW - dt.timedelta(days=80)
    scan.appeal(1, 1, created=old)  # overdue 59 days
    scan.appeal(2, 2, created=NOW - dt.timedelta(days=10))  # not yet due
    scan.appeal(3, 2, created=old, hidden=True)  # abusive, hidden: not silence
    for aid, status in ((4, "rejected"), (5, "rejected"), (6, "rejected"), (7, "answered")):
        scan.appeal(aid, 3, status=status, created=old)
    scan.appeal(8, 4, kind="discrepancy", status="answered", published=False, line=(2023, "464-003", "015", 159))
    scan.appeal(9, 4, kind="discrepancy", hidden=True)
    scan.appeal(10, 4, kind="question", status="answered")
    data = scan.build()
    found = silence.detect(data)
    check_flags(found)
    assert {(f.institution_id, f.appeal_ids[0]) for f in found} == {(1, 1), (3, 4)}
    reports = citizen_reports.detect(data)
    check_flags(reports)
    assert [(f.institution_id, f.year, f.appeal_ids) for f in reports] == [(4, 2023, [8])]
    assert reports[0].lines == [{"program": "464-003", "subprogram": "015", "specific": 159}]


def test_targets_limit_flags_and_registry():
    scan = Scan(7)
    peers(scan)
    scan.school(1, YEARS, december_boost={2023: 6.0})
    assert year_end_dumping.detect(scan.build(targets={(2, 2023)})) == []
    assert flagged(year_end_dumping.detect(scan.build(targets={(1, 2023)}))) == {(1, 2023)}
    assert list(DETECTORS) == ["year_end_dumping", "paid_above_plan", "unit_cost", "spike", "round_amounts",
                               "silence", "citizen_reports"]
    assert set(PLANTED_KIND.values()) <= set(DETECTORS)


@pytest.mark.parametrize("name", list(DETECTORS))
def test_every_detector_has_names_in_three_languages(name):
    for lang in LANGUAGES:
        assert catalog(lang)[f"anomaly.detector.{name}"] and catalog(lang)[f"anomaly.detector.{name}.about"]


def test_every_detector_copes_with_one_year_and_with_nothing():
    one_year = Scan(8)
    one_year.school(1, [2024], december_boost={2024: 6.0})
    empty = Scan(9)
    empty.institution(1)
    for data in (one_year.build(), empty.build()):
        for detect in DETECTORS.values():
            check_flags(detect(data))
