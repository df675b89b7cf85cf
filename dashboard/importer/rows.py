"""Stage 4 of an import: the rows that are not data, skipped with a note.

Forms number their columns on the row under the header (1, 2, 3, …), end the table with a
totals row («Всего:», «Итого», «Барлығы», «Жиыны») and sign it below (head, chief accountant,
«М.П.»), sometimes with a side calculation under that. A row is taken for one of these only
where its BIN cell holds no number (so a budget line is never skipped): then a totals word
starting a cell makes it a totals row, a signatory's title or a stamp a signature row, and
a row under the last totals row whose BIN cell holds no digit belongs to the footer. Other rows stay data and are checked;
a row of the wrong length that is not one of these is refused here (field_count).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard.importer.reader import Table
from dashboard.importer.report import ImportRejected, ImportReport

TOTALS = re.compile(r"^\s*(?:всего|итого|итог|барлығы|барлыгы|жиыны|жиынтығы|жиыны|total|grand total)(?!\w)",
                    re.IGNORECASE)
SIGNATURE = re.compile(
    r"(?<!\w)(?:руководител\w*|директор\w*|главный бухгалтер|бухгалтер\w*|исполнител\w*|экономист\w*|"
    r"начальник\w*|подпис\w*|м\.\s?п\.?|ф\.\s?и\.\s?о\.?|утверждаю|согласовано|председател\w*|"
    r"басшы\w*|бас есепші\w*|есепші\w*|орындаушы\w*|орындаған|қолы|бекітемін|келісілді|төраға\w*|"
    r"head of|chief accountant|accountant|prepared by|signature)(?!\w)", re.IGNORECASE)
MAX_FIELD_ERRORS = 20


def skip_non_data(table: Table, key_header: str | None, report: ImportReport) -> Table:
    """The table without its numbering, totals and signature rows (each noted in the report);
    rejects the file if a remaining row has the wrong number of fields."""
    skip = np.zeros(len(table.frame), dtype=bool)
    layout = table.layout
    if layout is not None and layout.numbering_row is not None and len(table.rows) \
            and table.rows[0] == layout.numbering_row:
        skip[0] = True
        report.note("column_numbering", row=int(table.rows[0]))
    if key_header is not None and len(table.frame):
        keys = table.frame[key_header]
        codes, values = pd.factorize(keys, use_na_sentinel=False)
        no_number = ~pd.Series(values, dtype=object).str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
        candidates = np.flatnonzero(no_number[codes] & ~skip)
        rows = {i: [str(c) for c in table.frame.iloc[i] if str(c).strip()] for i in candidates}
        totals = [i for i, cells in rows.items() if any(TOTALS.match(c) for c in cells[:3])]
        # The footer starts under the last totals row: a subtotal («Итого по программе») may be
        # followed by more lines, and a line whose BIN is mistyped (digits with a letter or a
        # space) stays an error, never a note.
        footer_from = totals[-1] if totals else len(table.frame)
        for i, cells in rows.items():
            text = " ".join(cells)
            if i in totals:
                kind = "totals_row"
            elif SIGNATURE.search(text):
                kind = "signature_row"
            elif i > footer_from and not re.search(r"\d", str(keys.iloc[i])):
                kind = "footer_row"  # a side calculation or a blank line, not a BIN with a typo
            else:
                continue
            skip[i] = True
            report.note(kind, row=int(table.rows[i]), value=text)
    if skip.any():
        table = table.take(~skip)
    _field_counts(table, report)
    if not len(table.frame):
        report.error("header_only")
        raise ImportRejected(report)
    return table


def _field_counts(table: Table, report: ImportReport) -> None:
    if table.fields is None:
        return
    bad = np.flatnonzero(table.fields > 0)
    if not bad.size:
        return
    width = len(table.frame.columns)
    for i in bad[:MAX_FIELD_ERRORS]:
        report.error("field_count", row=int(table.rows[i]), expected=width, found=int(table.fields[i]))
    if bad.size > MAX_FIELD_ERRORS:
        report.error("more_errors", count=int(bad.size - MAX_FIELD_ERRORS))
    raise ImportRejected(report)
