"""The anomaly detectors: pure functions `detect(ScanData) -> list[Flag]`, no SQL, no I/O."""
from __future__ import annotations

from collections.abc import Callable

from dashboard.anomalies.detectors import (
    citizen_reports, paid_above_plan, round_amounts, silence, spike, unit_cost, year_end_dumping,
)
from dashboard.anomalies.model import Flag, ScanData

DETECTORS: dict[str, Callable[[ScanData], list[Flag]]] = {
    "year_end_dumping": year_end_dumping.detect,
    "paid_above_plan": paid_above_plan.detect,
    "unit_cost": unit_cost.detect,
    "spike": spike.detect,
    "round_amounts": round_amounts.detect,
    "silence": silence.detect,
    "citizen_reports": citizen_reports.detect,
}

# Detectors that read appeals only: rescored whenever an appeal is posted or changes.
APPEAL_DETECTORS = ("silence", "citizen_reports")

# National statistics a full scan stores and a rescore of a few institutions reuses (each
# specific's base rates and the number of tests; cost-to-size slopes and size-band centres).
BASELINES: dict[str, Callable[[ScanData], dict]] = {
    "round_amounts": round_amounts.baseline,
    "unit_cost": unit_cost.baseline,
}

# The demo generator's planted kinds (demo_anomalies.kind) → the detector meant to find them.
PLANTED_KIND = {
    "year_end_dumping": "year_end_dumping",
    "paid_above_plan": "paid_above_plan",
    "unit_cost_outlier": "unit_cost",
    "spike": "spike",
    "round_amounts": "round_amounts",
}


def run_all(data: ScanData) -> list[Flag]:
    """Every detector's flags, in DETECTORS order."""
    return [flag for detect in DETECTORS.values() for flag in detect(data)]
