"""Vectorised generation of demo institutions, monthly budget lines and planted anomalies.

Deterministic for a seed: the same (seed, n, years) gives the same rows byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import reference as ref
from dashboard.bin import make_bin
from dashboard.demo import names
from dashboard.demo.profiles import (
    BASE_YEAR, GROWTH_MEAN, GROWTH_SD, PROFILE_BY_TYPE, PROFILES, SCALE, SEASON_MATRIX,
    season_for,
)
from dashboard.geo import inside_bbox, points_in_polygons

# The spending category of each specific the profiles use (as the classification data had it).
SPECIFIC_CATEGORY = {spec: ref.specific_category(spec)
                     for p in PROFILES for _prog, _sub, spec, _share in p.lines}
TYPE_SECTOR = {t[0]: t[4] for t in ref.INSTITUTION_TYPES}
TYPE_UNIT = {t[0]: t[5] for t in ref.INSTITUTION_TYPES}
SEASON_NAMES = list(SEASON_MATRIX)
ANOMALY_KINDS = ("year_end_dumping", "paid_above_plan", "unit_cost_outlier", "spike", "round_amounts")
ANOMALY_SHARE = 0.025
# Coordinate spread around a district's centre, degrees.
SPREAD = {"city": 0.04, "city_district": 0.012, "district": 0.22}


@dataclass
class DemoPlan:
    """Institutions plus everything needed to generate their lines year by year."""

    institutions: pd.DataFrame
    line_inst: np.ndarray  # institution row index per template line
    line_program: np.ndarray
    line_subprogram: np.ndarray
    line_specific: np.ndarray
    line_season: np.ndarray
    line_base: np.ndarray  # annual tenge at BASE_YEAR
    anomalies: pd.DataFrame  # kind, inst_index, year, month, specific_code, line, factor


def _allocate_districts(rng, n_of_type: int, profile, districts: pd.DataFrame) -> np.ndarray:
    urban = districts["kind"].isin(["city", "city_district"]).to_numpy()
    weights = districts["population"].to_numpy(float) ** 0.85 * np.where(urban, profile.urban_bias, 1.0)
    return rng.choice(len(districts), size=n_of_type, p=weights / weights.sum())


def _place_points(rng, districts: pd.DataFrame, d_idx: np.ndarray, polygons) -> tuple[np.ndarray, np.ndarray]:
    lat0 = districts["center_lat"].to_numpy()[d_idx]
    lon0 = districts["center_lon"].to_numpy()[d_idx]
    sigma = districts["kind"].map(SPREAD).to_numpy()[d_idx]
    lat = lat0 + rng.normal(0, 1, d_idx.size) * sigma
    lon = lon0 + rng.normal(0, 1, d_idx.size) * sigma * 1.4  # a degree of longitude is shorter
    region = districts["region_code"].to_numpy()[d_idx]
    for _attempt in range(25):
        ok = inside_bbox(lat, lon)
        if polygons:
            for code in np.unique(region):
                sel = np.flatnonzero(region == code)
                ok[sel] &= points_in_polygons(polygons[code], lat[sel], lon[sel])
        bad = np.flatnonzero(~ok)
        if bad.size == 0:
            break
        lat[bad] = lat0[bad] + rng.normal(0, 1, bad.size) * sigma[bad] * 0.6
        lon[bad] = lon0[bad] + rng.normal(0, 1, bad.size) * sigma[bad] * 0.8
    else:
        lat[bad], lon[bad] = lat0[bad], lon0[bad]  # the centre itself is inside its region
    return np.round(lat, 5), np.round(lon, 5)


def _bins(rng, n: int) -> list[str]:
    serials = rng.permutation(100_000)
    reg_year = rng.integers(1997, 2020, size=n + 2000)
    reg_month = rng.integers(1, 13, size=n + 2000)
    out, seen, k = [], set(), 0
    for i in range(n + 2000):
        if len(out) == n:
            break
        b = make_bin(int(reg_year[i]), int(reg_month[i]), int(serials[k % 100_000]) + (k // 100_000))
        k += 1
        if b is not None and b not in seen:
            seen.add(b)
            out.append(b)
    return out


def plan_demo(n: int, seed: int, regions: pd.DataFrame, districts: pd.DataFrame,
              years: list[int], polygons=None) -> DemoPlan:
    """Draw n institutions and their spending templates; no monthly lines yet."""
    if n < 1:
        raise ValueError("the demo needs at least one institution")
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, [p.share for p in PROFILES])
    region_by_code = regions.set_index("code").to_dict("index")
    rows, line_parts = [], []
    for profile, n_t in zip(PROFILES, counts):
        if n_t == 0:
            continue
        d_idx = _allocate_districts(rng, n_t, profile, districts)
        if profile.unit_median:
            cap = rng.lognormal(np.log(profile.unit_median), profile.unit_sigma, n_t)
            cap = np.clip(np.round(cap), *profile.unit_range).astype(int)
            unit_cost = profile.cost_per_unit * (cap / profile.unit_median) ** profile.cost_elasticity
            base = cap * unit_cost * rng.lognormal(0, 0.12, n_t)
        else:
            cap = np.zeros(n_t, dtype=int)
            base = profile.budget_median * rng.lognormal(0, profile.budget_sigma, n_t)
        for j in range(n_t):
            rows.append(dict(type_code=profile.type_code, d_idx=int(d_idx[j]),
                             capacity=int(cap[j]) or None, base=float(base[j]) * SCALE))
    inst = pd.DataFrame(rows)
    # Shuffle so ids do not group by type, deterministically.
    inst = inst.iloc[rng.permutation(len(inst))].reset_index(drop=True)
    inst["id"] = np.arange(1, len(inst) + 1)
    d = districts.iloc[inst["d_idx"]].reset_index(drop=True)
    inst["district_code"] = d["code"]
    inst["region_code"] = d["region_code"]
    inst["sector_code"] = inst["type_code"].map(TYPE_SECTOR)
    inst["capacity_unit"] = np.where(inst["capacity"].notna(), inst["type_code"].map(TYPE_UNIT), None)
    inst["budget_level"] = inst["type_code"].map(lambda t: PROFILE_BY_TYPE[t].budget_level)
    inst["lat"], inst["lon"] = _place_points(rng, districts, inst["d_idx"].to_numpy(), polygons)
    inst["growth"] = rng.normal(GROWTH_MEAN, GROWTH_SD, len(inst))
    inst["bin"] = _bins(rng, len(inst))

    number = inst.groupby(["district_code", "type_code"]).cumcount() + 1
    dist_records = districts.to_dict("records")
    name_kk, name_ru, name_en, addr, addr_kk = [], [], [], [], []
    streets = rng.integers(0, 1000, len(inst))
    houses = rng.integers(1, 180, len(inst))
    for i, row in enumerate(inst.itertuples(index=False)):
        district = dist_records[row.d_idx]
        place = names.place_phrases(district, region_by_code[district["region_code"]])
        kk, ru, en = names.institution_names(row.type_code, int(number[i]), place)
        name_kk.append(kk), name_ru.append(ru), name_en.append(en)
        addr.append(names.address(district, int(streets[i]), int(houses[i])))
        addr_kk.append(names.address_kk(district, int(streets[i]), int(houses[i])))
    inst["name_kk"], inst["name_ru"], inst["name_en"], inst["address"] = name_kk, name_ru, name_en, addr
    inst["address_kk"] = addr_kk

    # Template lines: each institution's (program, subprogram, specific) set with shares.
    for i, row in enumerate(inst.itertuples(index=False)):
        tpl = sorted(PROFILE_BY_TYPE[row.type_code].lines)
        line_parts.append((i, tpl))
    line_inst = np.concatenate([np.full(len(t), i) for i, t in line_parts])
    flat = [x for _, t in line_parts for x in t]
    program = np.array([x[0] for x in flat], dtype="S7")
    subprogram = np.array([x[1] for x in flat], dtype="S3")
    specific = np.array([x[2] for x in flat], dtype=np.int16)
    share = np.array([x[3] for x in flat]) * rng.lognormal(0, 0.15, len(flat))
    share /= np.bincount(line_inst, weights=share)[line_inst]
    types = inst["type_code"].to_numpy()  # not .iat per line: 33 s at 17,000 (profiled)
    season = np.array([SEASON_NAMES.index(season_for(int(s), SPECIFIC_CATEGORY[int(s)], types[i]))
                       for s, i in zip(specific, line_inst)], dtype=np.int8)
    line_base = share * inst["base"].to_numpy()[line_inst]
    anomalies = _plan_anomalies(rng, inst, line_inst, specific, years)
    return DemoPlan(inst, line_inst, program, subprogram, specific, season, line_base, anomalies)


def _plan_anomalies(rng, inst: pd.DataFrame, line_inst, specific, years) -> pd.DataFrame:
    n = len(inst)
    k = max(round(n * ANOMALY_SHARE), min(n, len(ANOMALY_KINDS)))
    chosen = rng.choice(n, size=k, replace=False)
    starts = np.searchsorted(line_inst, np.arange(n))
    ends = np.searchsorted(line_inst, np.arange(n), side="right")
    rows = []
    for j, i in enumerate(chosen):
        kind = ANOMALY_KINDS[j % len(ANOMALY_KINDS)]
        if kind == "unit_cost_outlier" and pd.isna(inst["capacity"].iat[i]):
            kind = "spike"
        lines = np.arange(starts[i], ends[i])
        non_wage = lines[_category_rank(specific[lines]) >= 2] if lines.size else lines
        pool = non_wage if non_wage.size else lines
        year = int(rng.choice(years))
        line = int(rng.choice(pool))
        month = int(rng.integers(2, 12))
        # Wide ranges, so a detector must find the pattern, not the generator's exact numbers.
        factor = {"year_end_dumping": rng.uniform(5, 8), "paid_above_plan": rng.uniform(1.1, 1.8),
                  "unit_cost_outlier": rng.uniform(2.4, 3.6), "spike": rng.uniform(5, 14),
                  "round_amounts": 0.0}[kind]
        rows.append(dict(kind=kind, inst_index=int(i), year=year, month=month, line=line,
                         specific_code=int(specific[line]), factor=float(factor)))
    return pd.DataFrame(rows, columns=["kind", "inst_index", "year", "month", "line", "specific_code", "factor"])


_CATEGORY_RANK = {"wages": 0, "taxes": 1, "goods": 2, "services": 3, "travel": 4, "other": 5, "capital": 6}
_RANK_BY_SPECIFIC = np.zeros(1000, dtype=np.int8)
for _code, _cat in SPECIFIC_CATEGORY.items():
    _RANK_BY_SPECIFIC[_code] = _CATEGORY_RANK[_cat]


def _category_rank(codes: np.ndarray) -> np.ndarray:
    """Category rank (0 wages … 6 capital) of each specific code."""
    return _RANK_BY_SPECIFIC[codes.astype(int)]


LINE_COLUMNS = ("institution_id", "year", "month", "program_code", "subprogram_code", "specific_code",
                "plan", "plan_adjusted", "obligations", "paid")


def generate_year(plan: DemoPlan, year: int, seed: int) -> dict[str, np.ndarray]:
    """All monthly lines of one year, in primary-key order, money in integer tiyn."""
    rng = np.random.default_rng([seed, year])
    inst = plan.institutions
    n_lines = plan.line_inst.size
    years_from_base = year - BASE_YEAR
    inst_factor = (1 + inst["growth"].to_numpy()) ** years_from_base * rng.lognormal(0, 0.03, len(inst))
    rank = _category_rank(plan.line_specific)
    line_noise = np.where(rank == 6, rng.lognormal(0, 0.6, n_lines), rng.lognormal(0, 0.05, n_lines))
    annual = plan.line_base * inst_factor[plan.line_inst] * line_noise
    weights = np.stack([SEASON_MATRIX[name] for name in SEASON_NAMES])[plan.line_season]
    month_noise = np.where(rank[:, None] <= 1, 1.0, rng.lognormal(0, 0.08, (n_lines, 12)))
    plan_t = np.round(annual[:, None] * weights * month_noise)  # whole tenge
    adjusted = plan_t.copy()
    # Plan revisions ("справка на передвижку"): from some month on, a line is raised or cut.
    revised = rng.random(n_lines) < 0.35
    from_month = rng.integers(3, 12, n_lines)
    change = rng.uniform(-0.08, 0.15, n_lines)
    months = np.arange(1, 13)
    mask = revised[:, None] & (months[None, :] >= from_month[:, None])
    adjusted = np.where(mask, np.round(adjusted * (1 + change[:, None])), adjusted)

    this_year = plan.anomalies[plan.anomalies["year"] == year]
    starts = np.searchsorted(plan.line_inst, this_year["inst_index"].to_numpy())
    ends = np.searchsorted(plan.line_inst, this_year["inst_index"].to_numpy(), side="right")
    for a, s, e in zip(this_year.itertuples(index=False), starts, ends):
        if a.kind == "year_end_dumping":
            # On two thirds or more of the non-wage lines (which ones: its own stream, so the
            # rest of the year's data does not move).
            goods = np.arange(s, e)[rank[s:e] >= 2]
            keep = max(1, int(np.ceil(goods.size * 2 / 3)))
            goods = np.sort(np.random.default_rng([seed, year, int(a.inst_index)]).choice(goods, keep, replace=False))
            adjusted[goods, 11] = np.round(adjusted[goods, 11] * a.factor)
        elif a.kind == "unit_cost_outlier":
            plan_t[s:e] = np.round(plan_t[s:e] * a.factor)
            adjusted[s:e] = np.round(adjusted[s:e] * a.factor)
        elif a.kind == "spike":
            adjusted[a.line, a.month - 1] = np.round(adjusted[a.line, a.month - 1] * a.factor)

    plan_tiyn = plan_t.astype(np.int64) * 100
    adjusted_tiyn = adjusted.astype(np.int64) * 100
    obligations = np.round(adjusted_tiyn * rng.uniform(0.97, 1.0, (n_lines, 12))).astype(np.int64)
    pay_ratio = rng.uniform(0.93, 1.0, (n_lines, 12))
    pay_ratio[:, 11] = rng.uniform(0.985, 1.0, n_lines)  # December catches up
    paid = np.round(obligations * pay_ratio).astype(np.int64)

    for a in this_year.itertuples(index=False):
        if a.kind == "paid_above_plan":
            m = a.month - 1
            paid[a.line, m] = int(round(adjusted_tiyn[a.line, m] * a.factor))
            obligations[a.line, m] = paid[a.line, m]
        elif a.kind == "round_amounts":
            for m in range(7, 12):  # August to December
                amount = max(1, round(paid[a.line, m] / 100 / 1_000_000)) * 1_000_000 * 100
                paid[a.line, m] = obligations[a.line, m] = amount
                adjusted_tiyn[a.line, m] = max(adjusted_tiyn[a.line, m], amount)

    # Primary-key order: institution, month, then the (sorted) template line.
    order = np.lexsort((np.arange(n_lines)[:, None].repeat(12, 1).ravel(),
                        np.tile(months, n_lines), plan.line_inst.repeat(12)))
    ids = inst["id"].to_numpy(np.int32)[plan.line_inst]
    return {
        "institution_id": ids.repeat(12)[order],
        "year": np.full(n_lines * 12, year, dtype=np.int16),
        "month": np.tile(months, n_lines).astype(np.int16)[order],
        "program_code": plan.line_program.repeat(12)[order],
        "subprogram_code": plan.line_subprogram.repeat(12)[order],
        "specific_code": plan.line_specific.repeat(12)[order],
        "plan": plan_tiyn.ravel()[order],
        "plan_adjusted": adjusted_tiyn.ravel()[order],
        "obligations": obligations.ravel()[order],
        "paid": paid.ravel()[order],
    }


ANOMALY_TEXT = {
    "year_end_dumping": "December plan and payments on most goods, services and capital lines raised {f:.1f}× "
                        "(year-end dumping)",
    "paid_above_plan": "Paid {f:.2f}× the adjusted plan on specific {s} in month {m}",
    "unit_cost_outlier": "Whole-year budget raised {f:.1f}×: cost per unit far above peers of the same type",
    "spike": "Specific {s} raised {f:.0f}× in month {m} (one-off spike)",
    "round_amounts": "Payments on specific {s} from August to December are exact round millions",
}


def anomaly_rows(plan: DemoPlan) -> list[dict]:
    """Ground truth for the anomaly detector, one row per planted anomaly."""
    ids = plan.institutions["id"].to_numpy()
    rows = []
    for a in plan.anomalies.itertuples(index=False):
        month = {"paid_above_plan": a.month, "spike": a.month, "year_end_dumping": 12}.get(a.kind)
        specific = None if a.kind in ("unit_cost_outlier", "year_end_dumping") else a.specific_code
        rows.append(dict(kind=a.kind, institution_id=int(ids[a.inst_index]), year=a.year, month=month,
                         specific_code=specific,
                         description=ANOMALY_TEXT[a.kind].format(f=a.factor, s=a.specific_code, m=a.month)))
    return rows
