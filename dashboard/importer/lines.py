"""Validating a budget-lines file: classification, amounts, BINs, duplicate keys."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.importer.cells import Checker, bin_checks, int_checks, money_checks
from dashboard.importer.columns import MONEY_FIELDS
from dashboard.importer.reader import Table
from queries.imports import Classification


def check_lines(table: Table, checker: Checker, cls: Classification, known_bins: set[str]) -> pd.DataFrame:
    """Flag every bad cell; return the lines in database form (money in tiyn) for all rows."""
    c = checker
    bins, bin_ok = bin_checks(c, xlsx=table.source == "xlsx")
    year = int_checks(c, "year", 2000, 2100, "year_range")
    month = int_checks(c, "month", 1, 12, "month_range")

    group = c.column("functional_group")
    group = group.where(~group.str.fullmatch(r"\d"), "0" + group)
    group_present = c.required("functional_group")
    group_ok = group.isin(cls.functional_groups).to_numpy()
    c.flag(group_present & ~group_ok, "functional_group_unknown", "functional_group")

    program, shaped = _program_codes(c.column("program"))
    program_present = c.required("program")
    c.flag(program_present & ~shaped, "program_format", "program")
    program_ok = program.isin(cls.programs.keys()).to_numpy()
    c.flag(shaped & ~program_ok, "program_unknown", "program")
    expected = program.map(cls.programs)
    mismatch = group_ok & program_ok & (expected != group).to_numpy()
    c.flag(mismatch, "program_group_mismatch", "functional_group", program=program, expected=expected)

    sub = c.column("subprogram")
    sub_present = c.required("subprogram")
    sub_shaped = sub.str.fullmatch(r"\d{1,3}").to_numpy()
    sub = sub.where(~sub_shaped, sub.str.zfill(3))
    c.flag(sub_present & ~sub_shaped, "subprogram_format", "subprogram")
    sub_ok = (program + "/" + sub).isin(cls.subprograms).to_numpy()
    c.flag(sub_shaped & program_ok & ~sub_ok, "subprogram_unknown", "subprogram")

    spec_cells = c.column("specific")
    spec_present = c.required("specific")
    spec_shaped = spec_cells.str.fullmatch(r"\d{1,3}").to_numpy()
    specific = np.zeros(len(spec_cells), dtype=np.int64)
    specific[spec_shaped] = spec_cells[spec_shaped].astype(np.int64).to_numpy()
    spec_ok = spec_shaped & np.isin(specific, list(cls.specifics))
    c.flag(spec_present & ~spec_ok, "specific_unknown", "specific")

    money = {name: money_checks(c, name) for name in MONEY_FIELDS}

    known = bins.isin(known_bins).to_numpy()
    c.flag(bin_ok & ~known, "bin_unknown", "bin")

    key_ok = bin_ok & (year > 0) & (month > 0) & shaped & sub_shaped & spec_shaped
    c.duplicates({"bin": bins.to_numpy(), "year": year, "month": month, "program": program.to_numpy(),
                  "subprogram": sub.to_numpy(), "specific": specific}, key_ok)

    over = ~c.invalid & (money["paid"] > money["plan_adjusted"])
    c.flag(over, "paid_above_plan", "paid", severity="warning")

    return pd.DataFrame({"bin": bins.to_numpy(), "year": year, "month": month, "program_code": program.to_numpy(),
                         "subprogram_code": sub.to_numpy(), "specific_code": specific, **money})



def _program_codes(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """'464003', '464-003', '464 003' → '464-003' (Arrow compute); and which cells had that shape."""
    text = pc.replace_substring_regex(pa.array(cells.to_numpy(dtype=object), type=pa.string()),
                                      r"[\s\x{00a0}]", "")
    parts = pc.extract_regex(text, r"^(?P<admin>\d{3})[-.]?(?P<program>\d{3})$")
    shaped = parts.is_valid().to_numpy(zero_copy_only=False)
    joined = pc.binary_join_element_wise(parts.field("admin"), parts.field("program"), "-")
    codes = pc.if_else(parts.is_valid(), joined, text)
    return pd.Series(codes.to_numpy(zero_copy_only=False), dtype=object), shaped
