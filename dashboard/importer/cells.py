"""Vectorised checks on columns of strings: each returns masks, never raises on bad cells."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.bin import is_valid_bin
from dashboard.importer.report import ImportReport

MAX_WHOLE_DIGITS = 15  # 10^15 tenge: far above any budget, safe in BIGINT tiyn


class Checker:
    """Flags bad cells of one table in a report and remembers which rows are invalid."""

    def __init__(self, report: ImportReport, frame: pd.DataFrame, rows: np.ndarray, headers: dict[str, str],
                 file: str | None = None):
        self.report, self.frame, self.rows, self.headers = report, frame, rows, headers
        self.file = file
        self.invalid = np.zeros(len(frame), dtype=bool)

    def column(self, canon: str) -> pd.Series:
        """The cells of a canonical column ('' when the optional column is absent)."""
        if canon not in self.headers:
            return pd.Series([""] * len(self.frame), dtype=object)
        return self.frame[self.headers[canon]]

    def flag(self, mask, code: str, canon: str | None, severity: str = "error", **params) -> None:
        """Report every row where mask is true (errors also make the row invalid).

        A parameter given as an array or Series takes its value from the flagged row.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        values = self.column(canon).to_numpy() if canon else None
        header = self.headers.get(canon, canon) if canon else None
        per_row = {k: np.asarray(v, dtype=object) for k, v in params.items() if isinstance(v, (np.ndarray, pd.Series))}
        fixed = {k: v for k, v in params.items() if k not in per_row}
        for i in np.flatnonzero(mask):
            self.report.add(severity, code, row=int(self.rows[i]), column=header,
                            value=None if values is None else str(values[i]), file=self.file,
                            **fixed, **{k: v[i] for k, v in per_row.items()})
        if severity == "error":
            self.invalid |= mask

    def required(self, canon: str) -> np.ndarray:
        """Flag empty cells; returns the mask of non-empty ones."""
        empty = (self.column(canon) == "").to_numpy()
        self.flag(empty, "required", canon)
        return ~empty

    def duplicates(self, keys: dict[str, np.ndarray], present: np.ndarray, code: str = "duplicate_key") -> None:
        """Flag every row whose (normalised) key appears more than once, naming the other rows."""
        key_frame = pd.DataFrame({k: np.asarray(v)[present] for k, v in keys.items()})
        dup = key_frame.duplicated(keep=False).to_numpy()
        if not dup.any():
            return
        positions = np.flatnonzero(present)[dup]
        groups = key_frame[dup].groupby(list(keys), sort=False).indices
        header = ", ".join(self.headers.get(k, k) for k in keys)
        for members in groups.values():
            idx = positions[members]
            file_rows = [int(self.rows[i]) for i in idx]
            for i, row in zip(idx, file_rows):
                others = ", ".join(str(r) for r in file_rows if r != row)
                value = " / ".join(str(self.column(k).iat[i]) for k in keys)
                self.report.error(code, row=row, column=header, value=value, file=self.file, rows=others)
            self.invalid[idx] = True


def bin_checks(checker: Checker, canon: str = "bin", xlsx: bool = False) -> tuple[pd.Series, np.ndarray]:
    """Flag BINs that are not 12 digits with a valid check digit; returns (BINs, valid mask)."""
    bins = checker.column(canon)
    if xlsx:  # a BIN typed as a number in Excel loses its leading zeros
        short = bins.str.fullmatch(r"\d{10,11}")
        bins = bins.where(~short, bins.str.zfill(12))
    present = checker.required(canon)
    shape_ok = bins.str.fullmatch(r"\d{12}").to_numpy()
    checker.flag(present & ~shape_ok, "bin_format", canon)
    unique = pd.unique(bins[shape_ok])
    valid = {b: is_valid_bin(b) for b in unique}
    checksum_ok = bins.map(valid).fillna(False).to_numpy(dtype=bool)
    checker.flag(shape_ok & ~checksum_ok, "bin_checksum", canon)
    return bins, shape_ok & checksum_ok


def int_checks(checker: Checker, canon: str, low: int, high: int, code: str) -> np.ndarray:
    """Flag cells that are not whole numbers in [low, high]; returns int64 values (0 where bad)."""
    cells = checker.column(canon)
    present = checker.required(canon)
    digits = cells.str.fullmatch(r"\d{1,9}").to_numpy()
    values = np.zeros(len(cells), dtype=np.int64)
    values[digits] = cells[digits].astype(np.int64).to_numpy()
    checker.flag(present & (~digits | (values < low) | (values > high)), code, canon, low=low, high=high)
    return values


def money_checks(checker: Checker, canon: str) -> np.ndarray:
    """Parse tenge amounts ('1234567.89', '1 234 567,89', '1234567') into exact tiyn (int64).

    Pure string and integer arithmetic (Arrow compute, vectorised): no float on the way.
    """
    cells = checker.column(canon)
    present = checker.required(canon)
    text = pa.array(cells.to_numpy(dtype=object), type=pa.string())
    clean = text
    for space in (" ", "\u00a0", "\u202f", "\t"):  # literal replaces: much cheaper than one regex
        clean = pc.replace_substring(clean, space, "")
    parts = pc.extract_regex(clean, r"^(?P<sign>-?)(?P<whole>\d+)(?:[.,](?P<frac>\d*))?$")
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    parts = parts.fill_null({"sign": "", "whole": "0", "frac": ""})
    negative = matched & pc.equal(parts.field("sign"), "-").to_numpy(zero_copy_only=False)
    frac = parts.field("frac")
    too_precise = matched & (pc.utf8_length(frac).to_numpy(zero_copy_only=False) > 2)
    whole = pc.utf8_ltrim(parts.field("whole"), "0")
    too_large = matched & (pc.utf8_length(whole).to_numpy(zero_copy_only=False) > MAX_WHOLE_DIGITS)
    checker.flag(present & ~matched, "money_format", canon)
    checker.flag(negative, "money_negative", canon)
    checker.flag(too_precise & ~negative, "money_decimals", canon)
    checker.flag(too_large & ~negative & ~too_precise, "money_too_large", canon)
    ok = matched & ~negative & ~too_precise & ~too_large
    ok_arrow = pa.array(ok)
    whole = pc.if_else(pc.and_(ok_arrow, pc.not_equal(whole, "")), whole, "0")
    frac = pc.if_else(ok_arrow, pc.utf8_rpad(pc.utf8_slice_codeunits(frac, 0, 2), 2, "0"), "00")
    tiyn = (pc.cast(whole, pa.int64()).to_numpy(zero_copy_only=False) * 100
            + pc.cast(frac, pa.int64()).to_numpy(zero_copy_only=False))
    return np.where(ok, tiyn, 0).astype(np.int64)


def number_checks(checker: Checker, canon: str) -> np.ndarray:
    """Decimal numbers with '.' or ',' (coordinates); NaN where bad (flagged)."""
    cells = checker.column(canon)
    present = checker.required(canon)
    values = pd.to_numeric(cells.str.replace(",", ".", regex=False), errors="coerce").to_numpy(dtype=float)
    checker.flag(present & np.isnan(values), "not_a_number", canon)
    return values


def text_key(value: str) -> str:
    """Comparison key for names: case, ё/е, dots and extra spaces ignored."""
    text = str(value).lower().replace("ё", "е").replace(".", " ").replace("«", "").replace("»", "")
    return " ".join(text.split())
