"""What each kind of institution looks like: how common, how big, how it spends.

Magnitudes follow ../shared/docs/domain.md §4 (a school's year is hundreds of millions of
tenge; wages and social tax dominate schools; medicines and food weigh in hospitals;
capital specifics dominate roads). Amounts are tenge per year in BASE_YEAR prices before
the global SCALE, which calibrates 17,000 institutions to about 4 trillion tenge a year.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASE_YEAR = 2020
SCALE = 0.8  # calibrated: 17,000 institutions give ≈3.6 trn (2020) to ≈5.0 trn (2025) a year
GROWTH_MEAN = 0.07  # nominal budget growth a year (inflation + salary reforms)
GROWTH_SD = 0.025

# Monthly weights per spending profile (each sums to 1 after normalisation).
SEASONS = {
    "flat": [8, 8, 8, 8, 8, 8, 8.5, 8.5, 8, 8, 8, 12],  # wages and taxes: December bonuses
    "rising": [5, 6, 7, 7.5, 8, 8, 8, 8.5, 9, 9, 10, 14],  # goods and services
    "heating": [14, 13, 11, 8, 5, 4, 4, 4, 5, 8, 11, 13],  # utilities
    "capital": [1, 1, 2, 4, 8, 12, 14, 14, 13, 10, 8, 13],  # repairs and equipment
    "school_year": [10, 10, 10, 10, 8, 3, 2, 3, 10, 10, 10, 14],  # food in schools
}
SEASON_MATRIX = {k: np.array(v, dtype=float) / sum(v) for k, v in SEASONS.items()}
CATEGORY_SEASON = {"wages": "flat", "taxes": "flat", "goods": "rising", "services": "rising",
                   "travel": "rising", "other": "rising", "capital": "capital"}


@dataclass(frozen=True)
class Profile:
    """One institution type's demo characteristics."""

    type_code: str
    share: float  # of all institutions
    budget_level: str
    unit_median: float | None  # capacity (pupils, beds, km...) median, lognormal
    unit_sigma: float
    unit_range: tuple[int, int]
    cost_per_unit: float | None  # tenge a year per unit at unit_median
    cost_elasticity: float  # unit cost ∝ (capacity/median)^elasticity (small schools cost more)
    budget_median: float | None  # for types without a unit
    budget_sigma: float
    lines: tuple[tuple[str, str, int, float], ...]  # program, subprogram, specific, share
    urban_bias: float = 1.0  # >1: found more in cities


def _l(program: str, mix: dict[int, float], subprogram: str = "015"):
    return tuple((program, subprogram, spec, share) for spec, share in mix.items())


PROFILES = [
    Profile("school", 0.34, "district", 450, 0.9, (5, 3200), 450_000, -0.35, None, 0,
            _l("464-003", {111: .62, 112: .05, 113: .02, 116: .01, 121: .045, 122: .012, 124: .018,
                           141: .02, 149: .02, 151: .05, 152: .004, 159: .03, 414: .02, 421: .03})
            + _l("464-003", {111: .06}, "011")),
    Profile("kindergarten", 0.20, "district", 140, 0.6, (15, 480), 600_000, -0.15, None, 0,
            _l("464-040", {111: .58, 112: .03, 121: .045, 122: .012, 124: .018, 141: .14,
                           149: .03, 151: .07, 159: .03, 414: .02}) + _l("464-040", {111: .04}, "011")),
    Profile("college", 0.03, "regional", 700, 0.5, (150, 3000), 700_000, -0.1, None, 0,
            _l("261-024", {111: .55, 112: .05, 121: .045, 124: .02, 141: .05, 149: .04, 151: .08,
                           159: .05, 161: .01, 414: .05, 421: .04, 169: .02}), urban_bias=3.0),
    Profile("hospital", 0.035, "regional", 120, 0.8, (15, 1200), 9_000_000, 0.0, None, 0,
            _l("253-015", {111: .40, 112: .03, 121: .035, 122: .01, 124: .015, 141: .05, 142: .22,
                           144: .01, 149: .04, 151: .06, 159: .06})
            + _l("253-033", {414: .05, 421: .03}), urban_bias=2.0),
    Profile("polyclinic", 0.045, "regional", 25_000, 0.6, (3000, 120_000), 14_000, 0.0, None, 0,
            _l("253-039", {111: .50, 112: .04, 121: .045, 124: .02, 142: .15, 149: .04, 151: .05,
                           152: .01, 159: .06, 169: .02}) + _l("253-033", {414: .06}), urban_bias=2.5),
    Profile("ambulance", 0.01, "regional", None, 0, (0, 0), None, 0, 450e6, 0.5,
            _l("253-011", {111: .45, 121: .04, 124: .02, 142: .08, 144: .12, 149: .04, 151: .03,
                           159: .06, 414: .15})),
    Profile("road_department", 0.03, "district", 600, 0.6, (80, 4000), 1_100_000, 0.0, None, 0,
            _l("458-023", {111: .05, 121: .005, 144: .03, 151: .01, 159: .12})
            + _l("458-045", {429: .45, 431: .25}) + _l("458-045", {429: .08}, "011")),
    Profile("social_service", 0.04, "regional", 150, 0.6, (20, 800), 900_000, -0.1, None, 0,
            _l("451-005", {111: .55, 121: .05, 124: .02, 141: .12, 142: .04, 149: .04, 151: .07,
                           159: .05, 414: .03}) + _l("451-002", {169: .03})),
    Profile("culture_house", 0.06, "district", None, 0, (0, 0), None, 0, 65e6, 0.6,
            _l("455-003", {111: .55, 121: .05, 124: .02, 149: .05, 151: .12, 159: .12, 414: .05,
                           421: .04})),
    Profile("sport_school", 0.03, "district", 400, 0.5, (60, 2000), 220_000, 0.0, None, 0,
            _l("465-004", {111: .60, 121: .05, 124: .02, 143: .04, 149: .05, 151: .08, 159: .06,
                           161: .06, 414: .04})),
    Profile("utility", 0.02, "district", None, 0, (0, 0), None, 0, 300e6, 0.7,
            _l("458-033", {111: .15, 121: .015, 144: .10, 151: .10, 159: .15, 414: .04, 431: .30})
            + _l("458-015", {151: .05, 159: .10})),
    Profile("agriculture_department", 0.025, "district", None, 0, (0, 0), None, 0, 90e6, 0.5,
            _l("474-001", {111: .45, 121: .04, 124: .015, 149: .03, 152: .01, 161: .02})
            + _l("474-012", {142: .20, 144: .04, 159: .18})),
    Profile("police_department", 0.015, "republican", None, 0, (0, 0), None, 0, 600e6, 0.5,
            _l("471-001", {111: .55, 112: .08, 121: .05, 143: .04, 144: .07, 149: .03, 151: .04,
                           152: .02, 159: .05, 414: .05})),
    Profile("akimat", 0.12, "district", None, 0, (0, 0), None, 0, 60e6, 0.8,
            _l("123-001", {111: .55, 112: .03, 121: .05, 124: .02, 144: .04, 149: .04, 151: .06,
                           152: .02, 159: .10, 161: .02, 169: .02, 414: .03})),
]
PROFILE_BY_TYPE = {p.type_code: p for p in PROFILES}
assert abs(sum(p.share for p in PROFILES) - 1.0) < 1e-9


def season_for(specific: int, category: str, type_code: str) -> str:
    """The monthly profile a line follows."""
    if specific == 151:
        return "heating"
    if specific == 141 and type_code in ("school", "college"):
        return "school_year"
    return CATEGORY_SEASON[category]
