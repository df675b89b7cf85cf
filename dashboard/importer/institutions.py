"""Validating an institutions file: BIN, names, vocabularies by code or name, coordinates."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.geo import inside_bbox, points_in_polygons
from dashboard.importer.cells import Checker, bin_checks, number_checks, text_key
from dashboard.importer.places import Places, place_names
from dashboard.importer.reader import Table
from queries.imports import Vocabulary

MAX_NAME = 500
BUDGET_LEVELS = {
    "republican": "republican", "республиканский": "republican", "республикалық": "republican",
    "regional": "regional", "областной": "regional", "облыстық": "regional",
    "district": "district", "районный": "district", "аудандық": "district",
    "city": "district", "городской": "district", "қалалық": "district",
}


def check_institutions(table: Table, checker: Checker, vocab: Vocabulary,
                       polygons: dict | None) -> pd.DataFrame:
    """Flag every bad cell; return the institutions in database form for all rows."""
    c = checker
    bins, bin_ok = bin_checks(c)
    c.duplicates({"bin": bins.to_numpy()}, bin_ok, code="duplicate_bin")

    for name in ("name_kk", "name_ru", "name_en", "address", "address_kk"):
        if name not in ("name_en", "address_kk"):
            c.required(name)
        c.flag((c.column(name).str.len() > MAX_NAME).to_numpy(), "too_long", name, limit=MAX_NAME)

    type_code = _lookup(c, "type", vocab.types, "type_unknown")
    sector = _lookup(c, "sector", vocab.sectors, "sector_unknown")
    type_sector = type_code.map(vocab.type_sector)
    bad = (type_code != "").to_numpy() & (sector != "").to_numpy() & (type_sector != sector).to_numpy()
    c.flag(bad, "type_sector_mismatch", "sector", type=c.column("type"), expected=type_sector)

    places = Places(vocab.regions, vocab.districts)
    region = _lookup(c, "region", vocab.regions, "region_unknown", places.region)
    district = _district(c, region, vocab, places)

    lat, lon = number_checks(c, "lat"), number_checks(c, "lon")
    located = ~np.isnan(lat) & ~np.isnan(lon)
    inside = located & inside_bbox(lat, lon)
    if polygons and located.any():
        all_polygons = [p for polys in polygons.values() for p in polys]
        inside = located & points_in_polygons(all_polygons, lat, lon)
        in_region = np.ones(len(lat), dtype=bool)
        for code, polys in polygons.items():
            rows = inside & (region == code).to_numpy()
            if rows.any():
                in_region[rows] = points_in_polygons(polys, lat[rows], lon[rows])
        c.flag(inside & (region != "").to_numpy() & ~in_region, "outside_region", "lat", severity="warning",
               region=region, lat=c.column("lat"), lon=c.column("lon"))
    c.flag(located & ~inside, "outside_kazakhstan", "lat", lat=c.column("lat"), lon=c.column("lon"))

    level = c.column("budget_level").map(lambda v: BUDGET_LEVELS.get(text_key(v), ""))
    present = c.required("budget_level")
    c.flag(present & (level == "").to_numpy(), "budget_level_unknown", "budget_level")

    capacity_cells = c.column("capacity")
    given = (capacity_cells != "").to_numpy()
    cap_ok = capacity_cells.str.fullmatch(r"[1-9]\d{0,8}(?:[.,]0*)?").to_numpy()
    c.flag(given & ~cap_ok, "capacity_format", "capacity")
    capacity = pd.array([int(v.split(".")[0].split(",")[0]) if ok else None
                         for v, ok in zip(capacity_cells, given & cap_ok)], dtype="Int64")
    unit = type_code.map(vocab.type_unit).where(given & cap_ok, None)

    return pd.DataFrame({
        "bin": bins.to_numpy(), "name_kk": c.column("name_kk").to_numpy(), "name_ru": c.column("name_ru").to_numpy(),
        "name_en": c.column("name_en").replace("", None).to_numpy(), "type_code": type_code.to_numpy(),
        "sector_code": sector.to_numpy(), "region_code": region.to_numpy(), "district_code": district.to_numpy(),
        "address": c.column("address").to_numpy(), "address_kk": c.column("address_kk").replace("", None).to_numpy(),
        "lat": lat, "lon": lon, "budget_level": level.to_numpy(),
        "capacity_unit": unit.to_numpy(), "capacity": capacity})


def _lookup(c: Checker, canon: str, names: dict[str, str], code: str, synonyms=None) -> pd.Series:
    """Cells given by code or by name in any language → codes ('' where unknown, flagged); with
    `synonyms` (a name → code function), other spellings too, each noted with what it matched."""
    cells = c.column(canon)
    present = c.required(canon)
    matched: dict[str, str] = {}

    def find(value: str) -> str:
        found = names.get(text_key(value), "")
        if not found and value and synonyms is not None:
            found = matched[value] = synonyms(value)
        return found

    codes = cells.map(find).astype(object)
    c.flag(present & (codes == "").to_numpy(), code, canon)
    _note_matches(c, canon, cells, {v: m for v, m in matched.items() if m})
    return codes


def _note_matches(c: Checker, canon: str, cells: pd.Series, matched: dict[str, str]) -> None:
    """One note per spelling matched through the synonyms: at its first row, with its count."""
    for value, code in matched.items():
        at = np.flatnonzero((cells == value).to_numpy())
        c.report.note("place_matched", row=int(c.rows[at[0]]), column=c.headers[canon], value=value,
                      file=c.file, place=place_names(code), count=len(at))


def _district(c: Checker, region: pd.Series, vocab: Vocabulary, places: Places) -> pd.Series:
    cells = c.column("district")
    present = c.required("district")
    result, unknown, elsewhere = [], np.zeros(len(cells), bool), np.zeros(len(cells), bool)
    matched: dict[str, str] = {}
    for i, (value, reg) in enumerate(zip(cells, region)):
        key = text_key(value)
        code = vocab.district_codes.get(key) or vocab.districts.get((reg, key), "")
        if not code and value and reg:
            code = places.district(reg, value)
            if code:
                matched.setdefault(value, code)
        if code and reg and vocab.district_region[code] != reg:
            elsewhere[i] = True
            code = ""
        elif not code and value and reg:
            unknown[i] = True
        result.append(code)
    c.flag(present & unknown, "district_unknown", "district", region=region)
    c.flag(elsewhere, "district_region_mismatch", "district", region=region)
    _note_matches(c, "district", cells, matched)
    return pd.Series(result, dtype=object)
