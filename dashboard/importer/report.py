"""What an import found and did: issues with file/row/column/value, counts, the summary."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.i18n import t
from dashboard.spreadsheet_safety import neutralise

MAX_KEPT_ISSUES = 100_000  # beyond this only the counts grow (a wrong file can hold 1M errors)
MAX_VALUE_CHARS = 1000  # a value longer than this is cut in the report CSV (a cell may hold 10,000)


@dataclass(frozen=True)
class Term:
    """A word translated when the report is shown (a column's name in the report's language)."""

    key: str  # message key

    def text(self, lang: str) -> str:
        return t(self.key, lang)


def _local(value, lang: str):
    """A Term (or any value with a text(lang), such as a place's names) in the report's language."""
    return value.text(lang) if hasattr(value, "text") else value


@dataclass(frozen=True)
class Issue:
    """One problem: where it is (file, row as seen in the file, column, value) and what it is."""

    severity: str  # "error", "warning" or "note" (what the importer took the file to mean)
    code: str  # message key: import.msg.<code>
    file: str
    row: int | None = None
    column: str | Term | None = None  # as the file names it; a Term where the file has no such column
    value: str | None = None
    params: tuple = ()  # (name, value) pairs for the message placeholders (values may be Terms)

    def message(self, lang: str) -> str:
        return t(f"import.msg.{self.code}", lang, **{k: _local(v, lang) for k, v in self.params})

    def column_label(self, lang: str) -> str | None:
        """The column as the report shows it in `lang`."""
        return _local(self.column, lang)

    def describe(self, lang: str) -> str:
        """'lines.csv, row 5, column «bin», value «123»: message' in the chosen language."""
        where = [self.file]
        if self.row is not None:
            where.append(t("import.where.row", lang, row=self.row))
        if self.column:
            where.append(t("import.where.column", lang, column=self.column_label(lang)))
        if self.value is not None:
            where.append(t("import.where.value", lang, value=_shorten(self.value)))
        return f"{', '.join(where)}: {self.message(lang)}"


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit - 1] + "…"


class ImportRejected(Exception):
    """The file cannot be imported at all (unreadable, empty, wrong columns…)."""

    def __init__(self, report: "ImportReport"):
        super().__init__("; ".join(i.describe("en") for i in report.errors[:3]))
        self.report = report


@dataclass
class ImportReport:
    """The outcome of one import (or dry run)."""

    kind: str
    file: str
    dry_run: bool = False
    issues: list[Issue] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    note_count: int = 0
    rows_read: int = 0
    rows_skipped: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    publication_id: int | None = None
    seconds: float = 0.0
    details: dict = field(default_factory=dict)  # e.g. boundary sizes

    def add(self, severity: str, code: str, row: int | None = None, column: str | Term | None = None,
            value: str | None = None, file: str | None = None, **params) -> None:
        if severity == "error":
            self.error_count += 1
        elif severity == "warning":
            self.warning_count += 1
        else:
            self.note_count += 1
        if len(self.issues) < MAX_KEPT_ISSUES:
            self.issues.append(Issue(severity, code, file or self.file, row, column, value,
                                     tuple(sorted(params.items()))))

    def error(self, code: str, **kwargs) -> None:
        self.add("error", code, **kwargs)

    def warning(self, code: str, **kwargs) -> None:
        self.add("warning", code, **kwargs)

    def note(self, code: str, **kwargs) -> None:
        """What the importer took the file to mean (header row, unit, a region's name, rows it
        skipped as totals or signatures): neither an error nor a warning."""
        self.add("note", code, **kwargs)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def notes(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "note"]

    @property
    def status(self) -> str:
        """'loaded' (everything), 'partial' (--skip-invalid dropped rows), 'rejected', 'checked'."""
        if self.dry_run:
            return "rejected" if self.error_count and not self.rows_loadable else "checked"
        if not self.written:
            return "rejected"
        return "partial" if self.rows_skipped else "loaded"

    @property
    def rows_loadable(self) -> int:
        return self.rows_read - self.rows_skipped

    @property
    def exit_code(self) -> int:
        """0: every row loaded (or, in a dry run, would load); 1: anything rejected or skipped."""
        return 0 if self.error_count == 0 and self.status in ("loaded", "checked") else 1

    def sorted_issues(self) -> list[Issue]:
        order = {"error": 0, "warning": 1, "note": 2}
        return sorted(self.issues, key=lambda i: (i.file, i.row or 0, order[i.severity], str(i.column or "")))

    def write_csv(self, path: Path, lang: str) -> None:
        """Every kept issue as CSV (UTF-8 with BOM so that Excel opens it right)."""
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            out = csv.writer(fh)
            out.writerow([t(f"import.csv.{c}", lang) for c in
                          ("severity", "file", "row", "column", "value", "message")])
            for i in self.sorted_issues():  # file, column and value come from the file: never a formula
                out.writerow([neutralise(c) for c in (
                    t(f"import.severity.{i.severity}", lang), i.file, "" if i.row is None else i.row,
                    i.column_label(lang) or "", "" if i.value is None else _shorten(i.value, MAX_VALUE_CHARS), i.message(lang))])

    def summary(self, lang: str) -> str:
        """One paragraph saying what happened, in the chosen language."""
        counts = dict(file=self.file, rows=self.rows_read, inserted=self.inserted,
                      updated=self.updated, unchanged=self.unchanged, skipped=self.rows_skipped,
                      errors=self.error_count, warnings=self.warning_count)
        key = {"loaded": "summary_loaded", "partial": "summary_partial", "rejected": "summary_rejected",
               "checked": "summary_checked"}[self.status]
        if self.dry_run and self.status == "checked" and self.rows_skipped:
            key = "summary_checked_partial"
        return t(f"import.{key}", lang, **counts)
