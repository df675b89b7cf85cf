"""`python -m dashboard import classification FILE`: the budget classification from the agency's table.

Two tables of the unified budget classification are accepted, each as published (CSV or XLSX):
the functional classification (functional group → [subgroup] → administrator of budget programs
→ program → subprogram) and the economic classification (specifics, optionally under their
category / class / subclass rows). The kind is told by the header. Title rows above the header
are skipped; codes stand in separate cells and a row names only its own level (the parents come
from the rows above), or every level (a flat table). Names in kk and ru (en optional).

Adds and updates, never deletes (lines may refer to a code a partial table leaves out); all or
nothing in one transaction; a second run of the same file changes nothing and says so.
"""
from __future__ import annotations

import csv
import functools
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from dashboard import reference as ref
from dashboard.i18n import LANGUAGES, t
from dashboard.importer.report import ImportRejected, ImportReport

DEFAULT_MAX_MB = 50
MAX_ROWS = 200_000  # the whole functional classification is a few thousand rows
MAX_COLUMNS = 64
MAX_NAME = 1000
HEADER_SEARCH_ROWS = 40
XLSX_MAX_UNPACKED = 512 * 1024 * 1024

FUNCTIONAL = ("group", "subgroup", "administrator", "program", "subprogram")
ECONOMIC = ("category", "class", "subclass", "specific")
WIDTH = {"group": 2, "subgroup": 1, "administrator": 3, "program": 3, "subprogram": 3,
         "category": 1, "class": 1, "subclass": 3, "specific": 3}
STORED = {"group", "administrator", "program", "subprogram", "specific"}  # the others are read and checked only
NAMES = ("name_ru", "name_kk", "name_en")


def _key(text: str) -> str:
    """Header text folded for matching: case, ё/е, punctuation, spaces, underscores."""
    text = str(text).lower().replace("ё", "е")
    return re.sub(r"[\s_\-.,:;()«»\"']+", " ", text).strip()


_ALIASES = {
    "group": ("функциональная группа", "фг", "функционалдық топ", "функционалдык топ", "functional group", "group"),
    "subgroup": ("функциональная подгруппа", "подгруппа", "подфункция", "функционалдық кіші топ",
                 "кіші функция", "functional subgroup", "subgroup"),
    "administrator": ("администратор бюджетных программ", "администратор бюджетной программы", "администратор",
                      "абп", "бюджеттік бағдарламалардың әкімшісі", "бюджеттік бағдарламалар әкімшісі",
                      "бббә", "budget program administrator", "administrator"),
    "program": ("программа", "бюджетная программа", "бағдарлама", "бюджеттік бағдарлама", "budget program", "program"),
    "subprogram": ("подпрограмма", "бюджетная подпрограмма", "кіші бағдарлама", "бюджеттік кіші бағдарлама",
                   "budget subprogram", "subprogram"),
    "category": ("категория", "санат", "category"),
    "class": ("класс", "сынып", "class"),
    "subclass": ("подкласс", "кіші сынып", "subclass"),
    "specific": ("специфика", "ерекшелік", "ерекшелігі", "specific"),
    "name_ru": ("наименование", "наименование на русском языке", "наименование на русском", "наименование ru",
                "наименование рус", "атауы орыс тілінде", "орыс тіліндегі атауы", "name ru"),
    "name_kk": ("наименование на казахском языке", "наименование на казахском", "наименование kk",
                "наименование каз", "атауы", "атауы қазақ тілінде", "қазақ тіліндегі атауы", "name kk"),
    "name_en": ("наименование на английском языке", "наименование на английском", "наименование en",
                "атауы ағылшын тілінде", "ағылшын тіліндегі атауы", "name en", "name"),
}
ALIASES = {_key(alias): canon for canon, names in _ALIASES.items() for alias in names}


@dataclass
class Entry:
    """One code of the file: its key, names, and for programs the functional group."""

    level: str
    key: tuple
    row: int
    names: dict[str, str]
    group: str | None = None


@dataclass
class Parsed:
    """What a classification file holds, in file order, before it is compared with the database."""

    kind: str  # functional | economic
    header_row: int
    entries: dict[tuple[str, tuple], Entry] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # canonical → as the file names it
    programs_without_subprograms: list[str] = field(default_factory=list)
    other_rows: int = 0  # subgroup, category, class and subclass rows: checked, not stored


# --- reading -----------------------------------------------------------------------------------

def _reject(report: ImportReport, code: str, **params):
    report.error(code, **params)
    raise ImportRejected(report)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


def read_rows(path: Path, report: ImportReport, max_bytes: int) -> list[list[tuple[int, list[str]]]]:
    """The sheets of a file (one for CSV) as (row number in the file, cell texts) lists."""
    size = path.stat().st_size
    if size > max_bytes:
        _reject(report, "too_big", size=f"{size / 1048576:.1f}", limit=f"{max_bytes / 1048576:.0f}")
    data = path.read_bytes()
    if not data.strip():
        _reject(report, "empty")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _reject(report, "xls")
    if data[:2] == b"PK":
        return _xlsx_rows(path, report)
    if b"\0" in data[:65536]:
        _reject(report, "binary")
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _reject(report, "encoding")
    return [_csv_rows(text, report)]


def _csv_rows(text: str, report: ImportReport) -> list[tuple[int, list[str]]]:
    # The delimiter whose reading finds a header with the most known columns (names hold commas).
    best, best_score = None, -1
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS + 5])
    for delimiter in (";", "\t", ","):
        rows = _split_csv(sample, delimiter)
        found = _find_header(rows)
        score = len(found[1]) if found else 0
        if score > best_score:
            best, best_score = delimiter, score
    return _split_csv(text, best, report)


def _split_csv(text: str, delimiter: str, report: ImportReport | None = None) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line = [], 1
    try:
        for cells in reader:
            texts = [_cell_text(c) for c in cells[:MAX_COLUMNS]]
            if any(texts):  # blank rows keep their numbers but take no memory
                rows.append((line, texts))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS and report is not None:
                _reject(report, "classification_too_many_rows", limit=MAX_ROWS)
    except csv.Error as exc:
        if report is None:
            return rows
        _reject(report, "unreadable", reason=str(exc))
    return rows


def _xlsx_rows(path: Path, report: ImportReport) -> list[list[tuple[int, list[str]]]]:
    import openpyxl  # defusedxml is installed: openpyxl parses the sheets through it

    try:
        with zipfile.ZipFile(path) as archive:
            if sum(i.file_size for i in archive.infolist()) > XLSX_MAX_UNPACKED:
                _reject(report, "bad_xlsx", reason=f"unpacks to more than {XLSX_MAX_UNPACKED >> 20} MB")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage is the file's, reported as such
        _reject(report, "bad_xlsx", reason=str(exc)[:200])
    sheets = []
    try:
        for sheet in book.worksheets:
            rows = []
            # The used range a sheet declares is not trusted: only the first MAX_COLUMNS columns.
            for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                texts = [_cell_text(v) for v in values]
                if any(texts):  # empty rows (a declared range far below the table) take no memory
                    rows.append((number, texts))
                    if len(rows) > MAX_ROWS:
                        _reject(report, "classification_too_many_rows", limit=MAX_ROWS)
            sheets.append(rows)
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001
        _reject(report, "bad_xlsx", reason=str(exc)[:200])
    finally:
        book.close()
    return sheets


def _find_header(rows) -> tuple[int, dict[int, str], list[tuple[int, str]]] | None:
    """(index in rows, column → canonical, unknown columns) of the first row that names a code
    column and a name column, among the first non-blank rows of a sheet."""
    for index, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known, unknown = {}, []
        for col, cell in enumerate(cells):
            if not cell:
                continue
            canon = ALIASES.get(_key(cell))
            if canon is None:
                unknown.append((col, cell))
            else:
                known.setdefault(col, canon)
        canons = set(known.values())
        if canons & (set(FUNCTIONAL) | set(ECONOMIC)) and canons & set(NAMES):
            return index, known, unknown
    return None


# --- parsing -----------------------------------------------------------------------------------

def parse_classification(path: Path, report: ImportReport, max_bytes: int = DEFAULT_MAX_MB << 20) -> Parsed:
    """Read a classification table into entries, or raise ImportRejected with every error found."""
    sheets = read_rows(Path(path), report, max_bytes)
    for rows in sheets:
        found = _find_header(rows)
        if found:
            break
    else:
        _reject(report, "classification_no_header", rows=HEADER_SEARCH_ROWS)
    index, known, unknown = found
    header_number, header_cells = rows[index]
    columns: dict[str, int] = {}
    for col, canon in sorted(known.items()):
        if canon in columns:
            report.error("duplicate_column", row=header_number, column=header_cells[col], canonical=canon)
        columns[canon] = col
    functional = set(columns) & set(FUNCTIONAL)
    economic = set(columns) & set(ECONOMIC)
    if functional and economic:
        _reject(report, "classification_both_kinds", row=header_number)
    kind = "functional" if functional else "economic"
    levels = FUNCTIONAL if functional else ECONOMIC
    if not set(columns) & {"name_ru", "name_kk"}:
        report.error("classification_no_name_column", row=header_number)
    if report.error_count:
        raise ImportRejected(report)
    report.details["header_row"] = header_number
    if unknown:
        report.details["ignored_columns"] = [cell for _col, cell in unknown]
    parsed = Parsed(kind, header_number, columns={c: header_cells[i] for c, i in columns.items()})
    _parse_rows(parsed, rows[index + 1:], columns, levels, report)
    if report.error_count:
        raise ImportRejected(report)
    return parsed


def _parse_rows(parsed: Parsed, rows, columns: dict[str, int], levels: tuple, report: ImportReport) -> None:
    context: dict[str, str] = {}
    subprograms_of: dict[str, int] = {}

    def cell(cells, name):
        col = columns.get(name)
        return cells[col] if col is not None and col < len(cells) else ""

    for number, cells in rows:
        if not any(cells):
            continue
        if _column_numbers(cells):
            report.details["column_numbers_row"] = number
            continue
        report.rows_read += 1
        codes, bad = {}, False
        for level in levels:
            value = cell(cells, level)
            if not value:
                continue
            if level == "program" and re.fullmatch(r"\d{3}\s*[-.]?\s*\d{3}", value):
                # '464-003' in the program column: the administrator comes with it
                digits = re.sub(r"\D", "", value)
                admin = cell(cells, "administrator")
                if admin and admin.zfill(3) != digits[:3]:
                    report.error("classification_program_administrator", row=number,
                                 column=parsed.columns["program"], value=value, administrator=admin)
                    bad = True
                codes["administrator"], value = digits[:3], digits[3:]
            if not re.fullmatch(r"\d+", value) or len(value) > WIDTH[level]:
                report.error("classification_code_format", row=number, column=parsed.columns[level], value=value,
                             width=WIDTH[level])
                bad = True
                continue
            codes[level] = value.zfill(WIDTH[level])
        if bad:
            continue
        if not codes:
            report.error("classification_no_code", row=number, value=_first_text(cells))
            continue
        level = max(codes, key=levels.index)
        # A row's codes become the context; deeper levels are cleared.
        for name in levels[levels.index(min(codes, key=levels.index)):]:
            context.pop(name, None)
        context.update(codes)
        names = {n: cell(cells, n) for n in NAMES}
        for n, value in names.items():
            if len(value) > MAX_NAME:
                report.error("classification_name_too_long", row=number, column=parsed.columns[n],
                             value=value, limit=MAX_NAME)
                bad = True
        if bad:
            continue
        if level not in STORED:
            parsed.other_rows += 1
            continue
        parents = {"program": ("group", "administrator"), "subprogram": ("group", "administrator", "program")}
        missing = [p for p in parents.get(level, ()) if p not in context]
        if missing:
            report.error(f"classification_no_{missing[0]}", row=number, column=parsed.columns[level],
                         value=codes[level])
            continue
        if level == "group":
            key = (context["group"],)
        elif level == "administrator":
            key = (context["administrator"],)
        elif level == "program":
            key = (f"{context['administrator']}-{context['program']}",)
            subprograms_of.setdefault(key[0], 0)
        elif level == "subprogram":
            program = f"{context['administrator']}-{context['program']}"
            key = (program, context["subprogram"])
            subprograms_of[program] = subprograms_of.get(program, 0) + 1
        else:
            key = (int(context["specific"]),)
        entry = Entry(level, key, number, names, context.get("group") if level == "program" else None)
        _add(parsed, entry, report)
    parsed.programs_without_subprograms = [p for p, n in subprograms_of.items() if n == 0]


def _add(parsed: Parsed, entry: Entry, report: ImportReport) -> None:
    """Keep an entry; the same code again must say the same (real tables repeat an administrator
    under every subgroup it serves)."""
    old = parsed.entries.get((entry.level, entry.key))
    if old is None:
        parsed.entries[(entry.level, entry.key)] = entry
        return
    code = "/".join(str(k) for k in entry.key)
    if entry.group != old.group:
        report.error("classification_group_conflict", row=entry.row, column=parsed.columns["group"],
                     value=entry.group or "", subject=code, other=old.row, other_group=old.group or "")
        return
    for n in NAMES:
        mine, theirs = entry.names[n], old.names[n]
        if mine and theirs and mine != theirs:
            report.error("classification_name_conflict", row=entry.row, column=parsed.columns[n], value=mine,
                         subject=code, other=old.row)
            return
        if mine and not theirs:
            old.names[n] = mine


def _column_numbers(cells: list[str]) -> bool:
    """A row of column numbers under the header (1, 2, 3, …), as official tables print."""
    filled = [c for c in cells if c]
    return len(filled) >= 3 and filled == [str(i) for i in range(1, len(filled) + 1)]


def _first_text(cells: list[str]) -> str:
    return next((c for c in cells if c), "")


# --- resolving against what is stored ----------------------------------------------------------

TABLE_OF = {"group": "functional_groups", "administrator": "administrators", "program": "programs",
            "subprogram": "subprograms", "specific": "specifics"}


def resolve(parsed: Parsed, stored: dict[str, dict], report: ImportReport) -> dict[str, list[dict]]:
    """The rows to hold in each table after the import: names missing from the file come from
    the database; a new code needs its kk and ru names; English falls back to Russian."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLE_OF.values()}
    label = {"name_ru": "ru", "name_kk": "kk"}
    entries = list(parsed.entries.values())
    for program in parsed.programs_without_subprograms:
        # Financing plans write a program without subprograms with subprogram 000.
        entry = parsed.entries[("program", (program,))]
        entries.append(Entry("subprogram", (program, "000"), entry.row, dict(entry.names)))
    if parsed.programs_without_subprograms:
        report.details["subprogram_000"] = list(parsed.programs_without_subprograms)
    known_groups = {k[1][0] for k in parsed.entries if k[0] == "group"} | set(stored["functional_groups"])
    known_admins = {k[1][0] for k in parsed.entries if k[0] == "administrator"} | set(stored["administrators"])
    for e in entries:
        table = TABLE_OF[e.level]
        old = stored[table].get(e.key if len(e.key) > 1 else e.key[0])
        names = {}
        for n in NAMES:
            names[n] = e.names[n] or (old or {}).get(n) or ""
        missing = [label[n] for n in ("name_ru", "name_kk") if not names[n]]
        if missing:
            report.error("classification_name_missing", row=e.row,
                         column=parsed.columns.get(f"name_{missing[0]}", f"name_{missing[0]}"),
                         value="/".join(str(k) for k in e.key), language=", ".join(missing))
            continue
        names["name_en"] = names["name_en"] or names["name_ru"]
        if e.level == "group":
            row = dict(code=e.key[0], sector_code=(old or {}).get("sector_code")
                       or ref.FUNCTIONAL_GROUP_SECTORS.get(e.key[0], "other"), **names)
        elif e.level == "administrator":
            row = dict(code=e.key[0], **names)
        elif e.level == "program":
            code = e.key[0]
            if e.group not in known_groups:
                report.error("classification_unknown_parent", row=e.row, column=parsed.columns["group"],
                             value=e.group, subject=code)
                continue
            if code[:3] not in known_admins:
                report.error("classification_unknown_parent", row=e.row,
                             column=parsed.columns.get("administrator", "administrator"), value=code[:3], subject=code)
                continue
            row = dict(code=code, functional_group=e.group, administrator=code[:3], **names)
        elif e.level == "subprogram":
            if ("program", (e.key[0],)) not in parsed.entries and e.key[0] not in stored["programs"]:
                report.error("classification_unknown_parent", row=e.row,
                             column=parsed.columns.get("program", "program"), value=e.key[0],
                             subject="/".join(e.key))
                continue
            row = dict(program_code=e.key[0], code=e.key[1], **names)
        else:
            row = dict(code=e.key[0], category=ref.specific_category(e.key[0]), **names)
        rows[table].append(row)
    return rows


# --- the import --------------------------------------------------------------------------------

def import_classification(engine: Engine, path: Path, dry_run: bool = False,
                          max_bytes: int = DEFAULT_MAX_MB << 20) -> ImportReport:
    """Import one classification table in one transaction; nothing is written on any error."""
    from queries.classification import apply_classification, stored_classification

    started = time.perf_counter()
    report = ImportReport("classification", Path(path).name, dry_run=dry_run)
    try:
        parsed = parse_classification(Path(path), report, max_bytes)
        report.details["kind"] = parsed.kind
        with engine.connect() as conn:
            with conn.begin() as transaction:
                rows = resolve(parsed, stored_classification(conn), report)
                if report.error_count:
                    raise ImportRejected(report)
                counts = apply_classification(conn, rows, Path(path).name)
                report.inserted = sum(c["inserted"] for c in counts.values())
                report.updated = sum(c["updated"] for c in counts.values())
                report.unchanged = sum(c["unchanged"] for c in counts.values())
                report.details["tables"] = counts
                report.details["other_rows"] = parsed.other_rows
                report.written = True
                if dry_run:
                    transaction.rollback()
    except ImportRejected:
        report.written = False
    report.seconds = time.perf_counter() - started
    return report


def details_lines(report: ImportReport, lang: str) -> list[str]:
    """What the importer took the file to mean (header row, skipped columns and rows, added
    subprograms 000), what each table got, and whether anything changed at all."""
    d, out = report.details, []
    if "header_row" in d:
        out.append(t("classification.cli.header_row", lang, row=d["header_row"]))
    if d.get("ignored_columns"):
        out.append(t("classification.cli.columns_ignored", lang,
                     columns=", ".join(f"«{c}»" for c in d["ignored_columns"])))
    if "column_numbers_row" in d:
        out.append(t("classification.cli.column_numbers", lang, row=d["column_numbers_row"]))
    if d.get("subprogram_000"):
        out.append(t("classification.cli.subprogram_000", lang, count=len(d["subprogram_000"]),
                     examples=", ".join(d["subprogram_000"][:5])))
    tables = d.get("tables")
    if not tables:
        return out
    out += [t("classification.cli.table", lang, table=t(f"classification.table.{name}", lang), **counts)
            for name, counts in tables.items() if any(counts.values())]
    if report.status in ("loaded", "checked") and not report.inserted and not report.updated:
        out.append(t("classification.cli.nothing_changed", lang))
    return out


# --- the shipped set -------------------------------------------------------------------------------

@functools.cache
def shipped_rows() -> dict[str, tuple[dict, ...]]:
    """The classification shipped in dashboard/data/classification (see SOURCES.md there), as
    rows of each table; an error in those files is a bug, raised here."""
    empty = {name: {} for name in TABLE_OF.values()}
    out: dict[str, list[dict]] = {name: [] for name in TABLE_OF.values()}
    for name in ("functional.csv", "economic.csv"):
        report = ImportReport("classification", name)
        try:
            parsed = parse_classification(ref.CLASSIFICATION_DIR / name, report)
            rows = resolve(parsed, empty, report)
        except ImportRejected:
            rows = None
        if rows is None or report.error_count:
            problems = "; ".join(i.describe("en") for i in report.errors[:3])
            raise ValueError(f"shipped classification {name}: {problems}")
        for table, items in rows.items():
            out[table] += items
    return {table: tuple(items) for table, items in out.items()}


# --- command line -------------------------------------------------------------------------------

def add_parser(kinds, func) -> None:
    """Register `import classification FILE`."""
    p = kinds.add_parser("classification", help="the budget classification (functional or economic table, "
                                                  "CSV or XLSX as the agency publishes it)")
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
    p.add_argument("--max-size", type=float, default=DEFAULT_MAX_MB, metavar="MB", help="largest accepted file")
    p.add_argument("--report", type=Path, metavar="PATH",
                   help="where to write the report CSV (default: next to the file, NAME.report.csv)")
    p.add_argument("--lang", choices=LANGUAGES, default="ru", help="language of the report")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=func)
