"""Validating a budget-lines file: classification, amounts, BINs, duplicate keys."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.importer.cells import Checker, Distinct, bin_checks, int_checks, money_checks, parse_amounts
from dashboard.importer.columns import MONEY_FIELDS
from dashboard.importer.reader import Table
from queries.imports import Classification


def check_lines(table: Table, checker: Checker, cls: Classification, known_bins: set[str]) -> pd.DataFrame:
    """Flag every bad cell and duplicate key; return the lines in database form (money in tiyn)
    for all rows."""
    frame, key_ok = check_line_cells(table, checker, cls, known_bins)
    finish_line_checks(checker, frame, key_ok)
    return frame


def check_line_cells(table: Table, checker: Checker, cls: Classification,
                     known_bins: set[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The checks of each row on its own (any slice of a file); returns the lines in database
    form and which rows have a well-formed key, for `finish_line_checks`."""
    c = checker
    # Amounts are the costly part and all distinct: parse them in threads (Arrow releases the GIL)
    # while the rest is checked here; only this thread flags, so the report keeps its order.
    with ThreadPoolExecutor(2) as pool:
        parsed = {name: pool.submit(parse_amounts, c.arrow(name), table.units.get(name, 0)) for name in MONEY_FIELDS}
        bins, bin_ok = bin_checks(c)
        year = int_checks(c, "year", 2000, 2100, "year_range")
        month = int_checks(c, "month", 1, 12, "month_range")

        # Classification columns hold few distinct values: each is checked once, then spread to the rows.
        group_cells = Distinct(c.column("functional_group"))
        groups = group_cells.values
        groups = groups.where(~groups.str.fullmatch(r"\d"), "0" + groups)
        group_present = c.required("functional_group")
        group_ok = group_cells.rows(groups.isin(cls.functional_groups))
        c.flag(group_present & ~group_ok, "functional_group_unknown", "functional_group")

        program_cells = Distinct(c.column("program"))
        programs, shaped = _program_codes(program_cells.values)
        program, shaped = program_cells.column(programs), program_cells.rows(shaped)
        program_present = c.required("program")
        c.flag(program_present & ~shaped, "program_format", "program")
        program_ok = program_cells.rows(programs.isin(cls.programs.keys()))
        c.flag(shaped & ~program_ok, "program_unknown", "program")
        expected = programs.map(cls.programs).to_numpy(dtype=object)
        group_values = groups.to_numpy(dtype=object)
        differs = _per_pair(group_cells.codes, program_cells.codes, lambda g, p: group_values[g] != expected[p])
        c.flag(group_ok & program_ok & differs, "program_group_mismatch", "functional_group", program=program,
               expected=program_cells.rows(expected))

        sub_cells = Distinct(c.column("subprogram"))
        sub_present = c.required("subprogram")
        subs = sub_cells.values
        sub_shaped = subs.str.fullmatch(r"\d{1,3}").to_numpy()
        subs = subs.where(~sub_shaped, subs.str.zfill(3))
        sub, sub_shaped = sub_cells.column(subs), sub_cells.rows(sub_shaped)
        c.flag(sub_present & ~sub_shaped, "subprogram_format", "subprogram")
        program_values, sub_values = programs.to_numpy(dtype=object), subs.to_numpy(dtype=object)
        sub_ok = _per_pair(program_cells.codes, sub_cells.codes,
                           lambda p, s: pd.Series(program_values[p] + "/" + sub_values[s]).isin(cls.subprograms))
        c.flag(sub_shaped & program_ok & ~sub_ok, "subprogram_unknown", "subprogram")

        spec_cells = Distinct(c.column("specific"))
        spec_present = c.required("specific")
        specs = spec_cells.values
        spec_shaped = specs.str.fullmatch(r"\d{1,3}").to_numpy()
        specific = np.zeros(len(specs), dtype=np.int64)
        specific[spec_shaped] = specs[spec_shaped].astype(np.int64).to_numpy()
        spec_ok = spec_cells.rows(spec_shaped & np.isin(specific, list(cls.specifics)))
        spec_shaped, specific = spec_cells.rows(spec_shaped), spec_cells.rows(specific)
        c.flag(spec_present & ~spec_ok, "specific_unknown", "specific")

        money = {name: money_checks(c, name, parsed[name].result()) for name in MONEY_FIELDS}

    bin_cells = Distinct(bins)
    known = bin_cells.rows(bin_cells.values.isin(known_bins))
    c.flag(bin_ok & ~known, "bin_unknown", "bin")

    key_ok = bin_ok & (year > 0) & (month > 0) & shaped & sub_shaped & spec_shaped
    frame = pd.DataFrame({"bin": bins, "year": year, "month": month, "program_code": program,
                          "subprogram_code": sub, "specific_code": specific, **money}, copy=False)
    return frame, key_ok


def finish_line_checks(checker: Checker, frame: pd.DataFrame, key_ok: np.ndarray) -> None:
    """The checks across rows, over the whole file: duplicate keys, then the paid-above-plan
    warning for the rows still valid."""
    checker.duplicates({"bin": frame["bin"].to_numpy(), "year": frame["year"].to_numpy(),
                        "month": frame["month"].to_numpy(), "program": frame["program_code"].to_numpy(),
                        "subprogram": frame["subprogram_code"].to_numpy(),
                        "specific": frame["specific_code"].to_numpy()}, key_ok)
    over = ~checker.invalid & (frame["paid"].to_numpy() > frame["plan_adjusted"].to_numpy())
    checker.flag(over, "paid_above_plan", "paid", severity="warning")


def line_arrays(frame: pd.DataFrame, ids: dict[str, int]) -> dict[str, np.ndarray]:
    """Valid lines as the column arrays queries.imports.merge_lines takes (BINs made ids)."""
    def per_value(column: str, convert) -> np.ndarray:  # few distinct values: convert each once
        codes, values = pd.factorize(frame[column])
        return convert(values)[codes]

    return {
        "institution_id": per_value("bin", lambda bins: np.array([ids[b] for b in bins], dtype=np.int64)),
        "year": frame["year"].to_numpy(dtype=np.int64), "month": frame["month"].to_numpy(dtype=np.int64),
        "program_code": per_value("program_code", lambda codes: codes.to_numpy(dtype="S7")),
        "subprogram_code": per_value("subprogram_code", lambda codes: codes.to_numpy(dtype="S3")),
        "specific_code": frame["specific_code"].to_numpy(dtype=np.int64),
        **{c: frame[c].to_numpy(dtype=np.int64) for c in ("plan", "plan_adjusted", "obligations", "paid")}}


def _per_pair(codes_a: np.ndarray, codes_b: np.ndarray, check) -> np.ndarray:
    """check(a, b) on arrays of value codes, run once per distinct pair of them and spread to the rows."""
    size_b = int(codes_b.max(initial=0)) + 1
    pair_codes, pairs = pd.factorize(codes_a.astype(np.int64) * size_b + codes_b)
    return np.asarray(check(pairs // size_b, pairs % size_b), dtype=bool)[pair_codes]


def _program_codes(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """'464003', '464-003', '464 003' → '464-003' (Arrow compute); and which cells had that shape."""
    text = pc.replace_substring_regex(pa.array(cells, type=pa.string()), r"[\s\x{00a0}]", "")
    parts = pc.extract_regex(text, r"^(?P<admin>\d{3})[-.]?(?P<program>\d{3})$")
    shaped = parts.is_valid().to_numpy(zero_copy_only=False)
    joined = pc.binary_join_element_wise(parts.field("admin"), parts.field("program"), "-")
    codes = pc.if_else(parts.is_valid(), joined, text)
    return codes.to_pandas(), shaped
