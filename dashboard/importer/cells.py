"""Vectorised checks on columns of strings: each returns masks, never raises on bad cells."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.bin import is_valid_bin
from dashboard.importer.columns import column_term
from dashboard.importer.report import ImportReport, Term
from dashboard.importer.units import UNIT_NAMES

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

    def arrow(self, canon: str) -> pa.Array:
        """The cells of a column as one Arrow string array (no copy for Arrow-backed columns)."""
        cells = pa.array(self.column(canon))
        return cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells

    def flag(self, mask, code: str, canon: str | None, severity: str = "error", **params) -> None:
        """Report every row where mask is true (errors also make the row invalid).

        A parameter given as an array or Series takes its value from the flagged row.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        flagged = np.flatnonzero(mask)
        # Only the flagged cells become Python objects: a column of a million is never converted.
        values = self.column(canon).iloc[flagged].to_numpy() if canon else None
        header = self.headers.get(canon, column_term(canon)) if canon else None
        per_row = {k: np.asarray(v.iloc[flagged] if isinstance(v, pd.Series) else v[flagged], dtype=object)
                   for k, v in params.items() if isinstance(v, (np.ndarray, pd.Series))}
        fixed = {k: v for k, v in params.items() if k not in per_row}
        for n, i in enumerate(flagged):
            self.report.add(severity, code, row=int(self.rows[i]), column=header,
                            value=None if values is None else str(values[n]), file=self.file,
                            **fixed, **{k: v[n] for k, v in per_row.items()})
        if severity == "error":
            self.invalid |= mask

    def required(self, canon: str) -> np.ndarray:
        """Flag empty cells; returns the mask of non-empty ones."""
        empty = (self.column(canon) == "").to_numpy()
        self.flag(empty, "required", canon)
        return ~empty

    def duplicates(self, keys: dict[str, np.ndarray], present: np.ndarray, code: str = "duplicate_key") -> None:
        """Flag every row whose (normalised) key appears more than once, naming the other rows."""
        # One int64 per row (mixed radix of each part's codes): far cheaper to hash than a key frame.
        key = np.zeros(int(present.sum()), dtype=np.int64)
        for values in keys.values():
            codes, uniques = pd.factorize(pd.Series(values)[present], use_na_sentinel=False)
            if (int(key.max(initial=0)) + 1) * len(uniques) >= 2**62:
                key = pd.factorize(key)[0]  # dense again, so that the next part cannot overflow
            key = key * len(uniques) + codes
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
        if not dup.any():
            return
        positions = np.flatnonzero(present)[dup]
        groups = pd.Series(key[dup]).groupby(key[dup], sort=False).indices
        header = ", ".join(self.headers.get(k, k) for k in keys)
        for members in groups.values():
            idx = positions[members]
            file_rows = [int(self.rows[i]) for i in idx]
            for i, row in zip(idx, file_rows):
                others = ", ".join(str(r) for r in file_rows if r != row)
                value = " / ".join(str(self.column(k).iat[i]) for k in keys)
                self.report.error(code, row=row, column=header, value=value, file=self.file, rows=others)
            self.invalid[idx] = True


class Distinct:
    """A column as codes into its distinct values: checks and normalisation then run once per value."""

    def __init__(self, cells: pd.Series):
        self.cells = cells
        codes, values = pd.factorize(cells, use_na_sentinel=False)
        self.codes, self.values = codes, pd.Series(values)

    def rows(self, per_value) -> np.ndarray:
        """A per-value array (e.g. a mask) spread to the rows."""
        return np.asarray(per_value)[self.codes]

    def column(self, values: pd.Series) -> pd.Series:
        """The column of normalised values: the cells themselves when normalising changed nothing."""
        return self.cells if values.equals(self.values) else pd.Series(values.array.take(self.codes))


def bin_checks(checker: Checker, canon: str = "bin") -> tuple[pd.Series, np.ndarray]:
    """Flag BINs that are not 12 digits with a valid check digit; returns (BINs, valid mask).
    (BINs typed as numbers got their leading zeros back in normalise.py.)"""
    cells = Distinct(checker.column(canon))
    bins = cells.values
    present = checker.required(canon)
    shape_ok = bins.str.fullmatch(r"\d{12}").to_numpy()
    checker.flag(present & cells.rows(~shape_ok), "bin_format", canon)
    valid = shape_ok & np.array([is_valid_bin(b) for b in bins], dtype=bool)
    checker.flag(cells.rows(shape_ok & ~valid), "bin_checksum", canon)
    return cells.column(bins), cells.rows(valid)


def int_checks(checker: Checker, canon: str, low: int, high: int, code: str) -> np.ndarray:
    """Flag cells that are not whole numbers in [low, high]; returns int64 values (0 where bad)."""
    cells = Distinct(checker.column(canon))
    present = checker.required(canon)
    digits = cells.values.str.fullmatch(r"\d{1,9}").to_numpy()
    values = np.zeros(len(digits), dtype=np.int64)
    values[digits] = cells.values[digits].astype(np.int64).to_numpy()
    digits, values = cells.rows(digits), cells.rows(values)
    checker.flag(present & (~digits | (values < low) | (values > high)), code, canon, low=low, high=high)
    return values


class Amounts(NamedTuple):
    """Parsed amount cells: exact tiyn (0 unless ok) and why a cell is not ok."""

    tiyn: np.ndarray
    matched: np.ndarray  # looks like -?digits[.,digits] once spaces are gone
    negative: np.ndarray
    too_precise: np.ndarray  # more decimals than a whole tiyn allows (2 in tenge, 5 in thousands)
    too_large: np.ndarray  # more than MAX_WHOLE_DIGITS whole digits in tenge (leading zeros aside)
    unit: int = 0  # the amounts' unit: 10**unit tenge


def parse_amounts(text: pa.Array, unit: int = 0) -> Amounts:
    """Parse amounts ('1234567.89', '1 234 567,89', '1234567') in units of 10**unit tenge
    (0 tenge, 3 thousands) into exact tiyn (int64).

    Pure string and integer arithmetic (Arrow compute, vectorised): no float on the way. Touches
    no checker, so that it can run in a worker thread (Arrow kernels release the GIL).
    """
    def numpy(arrow) -> np.ndarray:
        return arrow.to_numpy(zero_copy_only=False)

    clean = _without(text, (" ", "\u00a0", "\u202f", "\t"))
    matched = numpy(pc.match_substring_regex(clean, r"^-?\d+(?:[.,]\d*)?$"))
    negative = matched & numpy(pc.starts_with(clean, "-"))
    # A matched cell is [-]whole[sep[frac]] in ASCII: byte lengths are digit counts.
    unsigned = pc.ascii_ltrim(clean, "-")
    tail = numpy(pc.binary_length(pc.ascii_ltrim(unsigned, "0123456789")))  # sep and frac
    frac_digits = np.maximum(tail - 1, 0)
    whole_digits = numpy(pc.binary_length(unsigned)) - tail
    digits = _without(unsigned, (",", "."))  # whole then frac
    significant = pc.ascii_ltrim(digits, "0")
    zeros = numpy(pc.binary_length(digits)) - numpy(pc.binary_length(significant))
    places = 2 + unit  # decimals that still make a whole tiyn
    too_precise = matched & (frac_digits > places)
    too_large = matched & (whole_digits - zeros > MAX_WHOLE_DIGITS - unit)  # an all-zero whole goes negative: fine
    ok = matched & ~negative & ~too_precise & ~too_large
    # At most 15 + 2 significant digits in tiyn: exact in int64.
    number = pc.cast(pc.if_else(pc.and_(pa.array(ok), pc.not_equal(significant, "")), significant, "0"), pa.int64())
    tiyn = numpy(number) * 10 ** np.where(ok, places - frac_digits, 0)
    return Amounts(tiyn.astype(np.int64), matched, negative, too_precise, too_large, unit)


def _without(text: pa.Array, chars: tuple[str, ...]) -> pa.Array:
    """text with every occurrence of chars removed (one literal replace per char actually present)."""
    data = text.buffers()[2]
    raw = data.to_pybytes() if data is not None else b""  # one cheap scan instead of a kernel per char
    for char in chars:
        if char.encode() in raw:
            text = pc.replace_substring(text, char, "")
    return text


def money_checks(checker: Checker, canon: str, amounts: Amounts | None = None) -> np.ndarray:
    """Flag amount cells that are not valid tenge; returns exact tiyn (int64, 0 where bad)."""
    present = checker.required(canon)
    a = amounts if amounts is not None else parse_amounts(checker.arrow(canon))
    checker.flag(present & ~a.matched, "money_format", canon)
    checker.flag(a.negative, "money_negative", canon)
    checker.flag(a.too_precise & ~a.negative, "money_decimals" if a.unit == 0 else "money_decimals_unit", canon,
                 **({"unit": Term(UNIT_NAMES[a.unit]), "places": 2 + a.unit} if a.unit else {}))
    checker.flag(a.too_large & ~a.negative & ~a.too_precise, "money_too_large", canon)
    return a.tiyn


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
