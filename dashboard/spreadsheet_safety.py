"""Cells of the CSV and XLSX files the app writes that a spreadsheet must not run as formulas.

A text cell starting with = + - @ tab or carriage return is a formula to Excel and LibreOffice
(CSV injection): `=HYPERLINK("http://x","y")` as an institution name would become a live link.
Such a cell gets a leading apostrophe. Numbers stay numbers: values that are not strings, and
strings that are plainly a number ("-1234.56", the API's tenge text), are returned unchanged.
Every writer of a CSV or XLSX file imports `neutralise` from here.
"""
from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(value):
    """The value, with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


