"""What a detector reads (`ScanData`) and what it yields (`Flag`).

Money is integer tiyn everywhere here; tenge appear only in explanations (Babel-formatted).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

MONTHS = tuple(range(1, 13))
PAID_COLUMNS = tuple(f"paid_{m}" for m in MONTHS)
PLAN_COLUMNS = tuple(f"plan_{m}" for m in MONTHS)  # adjusted plan (plan_adjusted) per month


# Per detector, the evidence keys that are the institution's own facts (what a dismissal is
# about). Peer and national statistics move whenever anyone's data changes; they stay out.
OWN_FACTS = {
    "year_end_dumping": {"december_paid", "year_paid", "months_with_payments"},
    "paid_above_plan": {"month", "paid", "plan", "cumulative_paid", "cumulative_plan", "line_year_paid",
                        "line_year_plan", "year_paid", "year_plan", "lines_over_plan"},
    "unit_cost": {"basis", "year_paid", "capacity", "unit"},
    "spike": {"month", "paid", "line_year_paid", "year_paid", "spike_lines"},
    "round_amounts": {"round_months", "repeat_months", "amounts", "lines_flagged"},
    "silence": {"appeals", "overdue", "decided", "rejected"},
    "citizen_reports": {"reports", "open", "rejected", "published", "lines_named"},
}


@dataclass
class ScanData:
    """Everything the detectors read, loaded once per scan by `queries.anomaly_data.load_scan_data`.

    institutions: id, bin, type_code, sector_code, region_code, district_code, capacity (nullable
        Int64), capacity_unit, unit_kind (the type's unit or None).
    lines: one row per expenditure line and year ("line-year"): institution_id, year,
        program_code, subprogram_code, specific_code, paid_1..paid_12, plan_1..plan_12 (int64
        tiyn; plan_m is the adjusted plan of month m). Holds every year of the institutions in
        scope and of their peer groups, so history and peers are both at hand.
    appeals: id, institution_id, kind, status, published, hidden (bool), created_at, due_at,
        answered_at, line_year, line_program_code, line_subprogram_code, line_specific_code.
    targets: the (institution_id, year) pairs to report flags for; None means every pair in
        `lines` (a full scan). Detectors may read other rows (peers, history) but only yield
        flags for targets.
    now: the scan's clock (appeal deadlines).
    """

    institutions: pd.DataFrame
    lines: pd.DataFrame
    appeals: pd.DataFrame
    targets: set[tuple[int, int]] | None
    now: datetime
    years: list[int] = field(default_factory=list)  # the years being scanned
    # National statistics of the last full scan (detector → dict), read by a rescore instead of
    # the statistics of its peer scope; empty in a full scan, which computes them.
    baselines: dict = field(default_factory=dict)

    def is_target(self, institution_id: int, year: int) -> bool:
        return self.targets is None or (int(institution_id), int(year)) in self.targets


@dataclass
class Flag:
    """One detector's finding about one institution-year.

    evidence: JSON-serialisable numbers behind the flag (money as int tiyn, shares as floats,
        the peer group's size and quantiles, the thresholds that were crossed); it carries
        everything `dashboard.anomalies.explain.sentence` needs, so the sentence can be drawn
        in any language later.
    lines: the expenditure lines the flag rests on, e.g.
        [{"program": "464-003", "subprogram": "015", "specific": 159, "months": [12]}].
    appeal_ids: appeals the flag rests on (the citizens' reports and silence detectors).
    """

    institution_id: int
    year: int
    detector: str
    score: float
    evidence: dict
    lines: list[dict] = field(default_factory=list)
    appeal_ids: list[int] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A hash of the institution's own numbers behind the flag (its amounts, months, lines,
        appeals; not its peers' statistics, national base rates or the clock): a dismissed flag
        stays dismissed on later scans while they stay the same and comes back when they change."""
        keys = OWN_FACTS.get(self.detector)
        facts = {k: v for k, v in self.evidence.items() if keys is None or k in keys}
        payload = json.dumps({"e": facts, "l": self.lines, "a": sorted(int(a) for a in self.appeal_ids)},
                             sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]
