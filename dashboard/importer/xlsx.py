"""Reading the first sheet of an XLSX file with bounded memory, whatever the file declares.

openpyxl opens the workbook (workbook, styles and shared strings parts; with defusedxml
installed, see requirements.txt, it refuses XML entity declarations); the sheet itself is
streamed through expat here, never trusting its declared dimension: only filled cells are kept,
a cell's text stops growing past MAX_CELL_CHARS, and the rows, columns and filled cells read are
capped. A DOCTYPE (entity expansion, external entities) is refused outright. Every problem is an
error in the report (ImportRejected), never an exception.

Memory follows the filled cells, not the declared range: a styled empty cell far to the right
(<c r="WVD9" s="3"/>, as real financing plans have) is dropped when its element ends.
Number cells are kept as their shortest text, with binary noise taken off (see _number_text),
and each row remembers which of its cells were numbers (a BIN typed as a number lost its
leading zeros; a BIN typed as text did not).
"""
from __future__ import annotations

import zipfile
import zlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from dashboard.importer.report import ImportRejected, ImportReport

MAX_ROWS = 2_000_000
MAX_COLUMNS = 200  # real financing plans declare ~16,000 columns used and fill about 20
MAX_CELL_CHARS = 10_000
MAX_CELLS = 30_000_000  # filled cells (2 million lines of 15 columns)
MAX_UNPACKED_BYTES = 4 * 1024**3  # every part together, as the archive declares (reads stop there)
MAX_UNPACKED_OTHER_BYTES = 256 * 1024**2  # parts openpyxl loads whole (shared strings, styles, …)
CHUNK = 1 << 20


class _Stop(Exception):
    """Raised inside an expat handler to end the parse (the report already says why)."""


def read_xlsx_cells(path: Path, report: ImportReport) -> list[tuple[int, dict[int, str], int]]:
    """[(row number, {column number: text}, numbers)] of the first sheet's rows holding a filled
    cell; bit c of `numbers` is set when column c held a number cell."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_archive(path, report)
    try:
        # A file object, so that the name (an upload's random one, say) does not matter.
        book = load_workbook(open(path, "rb"), read_only=True, data_only=True)  # noqa: SIM115 - closed below
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, zlib.error, EOFError,
            ParseError) as exc:
        chain = _chain(exc)  # openpyxl wraps what went wrong in its parts in a ValueError
        if any(_forbidden(e) for e in chain):
            _reject(report, "xlsx_xml_forbidden", part="workbook")
        cause = next((e for e in chain if isinstance(e, ParseError)), None)
        if cause is not None:
            _reject(report, "xlsx_malformed", part="workbook", line=cause.position[0],
                    position=cause.position[1], reason=str(cause).split(":")[0])
        _reject(report, "bad_xlsx", reason=type(exc).__name__)
    try:
        if not book.worksheets:
            _reject(report, "empty")
        sheet = book.worksheets[0]
        reader = _SheetReader(report, sheet._shared_strings)  # openpyxl is pinned: its read-only internals
        try:
            with sheet._get_source() as source:
                reader.feed(source, sheet._worksheet_path)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            _reject(report, "bad_xlsx", reason=type(exc).__name__)
    finally:
        book.close()
    if report.error_count:
        raise ImportRejected(report)
    return reader.rows


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from (bounded: chains can loop)."""
    chain = [exc]
    while len(chain) < 10 and (chain[-1].__cause__ or chain[-1].__context__) is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    return chain


def _forbidden(exc: BaseException) -> bool:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a requirement
        return False
    return isinstance(exc, DefusedXmlException)


def _reject(report: ImportReport, code: str, **params):
    report.error(code, **params)
    raise ImportRejected(report)


def _check_archive(path: Path, report: ImportReport) -> None:
    """Refuse an archive whose declared unpacked size is beyond the limits (a zip bomb): Python's
    zipfile never reads more of a part than its declared size."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        _reject(report, "bad_xlsx", reason=type(exc).__name__)
    total = sum(p.file_size for p in parts)
    other = sum(p.file_size for p in parts if not p.filename.startswith("xl/worksheets/"))
    for size, limit in ((total, MAX_UNPACKED_BYTES), (other, MAX_UNPACKED_OTHER_BYTES)):
        if size > limit:
            _reject(report, "xlsx_too_big_unpacked", size=f"{size / 1048576:.1f}", limit=f"{limit / 1048576:.1f}")


class _SheetReader:
    """expat handlers for a worksheet part: keeps the filled cells of each row, nothing else."""

    def __init__(self, report: ImportReport, shared_strings):
        self.report, self.shared = report, shared_strings
        self.rows: list[tuple[int, dict[int, str], int]] = []
        self.row_number = 0
        self.cells: dict[int, str] = {}
        self.numbers = 0  # bit mask of the row's columns holding a number
        self.column = 0
        self.kind = None
        self.text: list[str] | None = None  # collecting a <v> or an inline <t>
        self.length = 0
        self.in_inline = self.in_phonetic = False
        self.filled = 0
        self.value, self.cell_length, self.inline = None, 0, []

    def feed(self, source, part: str) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = lambda *args: self._forbid(part)
        parser.EntityDeclHandler = lambda *args: self._forbid(part)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        try:
            while chunk := source.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            _reject(self.report, "xlsx_malformed", part=part, line=exc.lineno, position=exc.offset,
                    reason=expat.ErrorString(exc.code))
        except _Stop:
            raise ImportRejected(self.report) from None

    def _forbid(self, part: str):
        self.report.error("xlsx_xml_forbidden", part=part)
        raise _Stop

    def start(self, name: str, attrs: dict) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "row":
            number = attrs.get("r")
            self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
            self.column = 0
            if self.row_number > MAX_ROWS:
                self.report.error("too_many_rows", row=self.row_number, limit=MAX_ROWS)
                raise _Stop
        elif tag == "c":
            self.column = _column_number(attrs.get("r"), self.column + 1)
            self.kind = attrs.get("t", "n")
            self.value = None
        elif tag == "v" or (tag == "t" and self.in_inline and not self.in_phonetic):
            self.text, self.length = [], 0
        elif tag == "is":
            self.in_inline, self.inline = True, []
        elif tag == "rPh":
            self.in_phonetic = True

    def data(self, text: str) -> None:
        if self.text is not None:
            if self.length <= MAX_CELL_CHARS:
                self.text.append(text)
            self.length += len(text)

    def end(self, name: str) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "v" and self.text is not None:
            self.value = "".join(self.text)
            self.cell_length = self.length
            self.text = None
        elif tag == "t" and self.text is not None:
            self.inline.append(("".join(self.text), self.length))
            self.text = None
        elif tag == "rPh":
            self.in_phonetic = False
        elif tag == "is":
            self.in_inline = False
            self.value = "".join(t for t, _ in self.inline)
            self.cell_length = sum(n for _, n in self.inline)
            self.kind = "inlineStr"
        elif tag == "c":
            self._cell()
        elif tag == "row":
            if self.cells:
                self.rows.append((self.row_number, self.cells, self.numbers))
                self.cells, self.numbers = {}, 0

    def _cell(self) -> None:
        if self.value is None:
            return
        text, length = self._text(self.value), self.cell_length
        if self.kind == "s":
            length = len(text)
        if text == "":
            return
        if length > MAX_CELL_CHARS:
            self.report.error("cell_too_long", row=self.row_number, column=_letters(self.column),
                              value=text[:60], length=length, limit=MAX_CELL_CHARS)
            return
        if self.column > MAX_COLUMNS:
            if text.strip():
                self.report.error("too_many_columns", row=self.row_number, column=_letters(self.column),
                                  value=text[:60], limit=MAX_COLUMNS)
            return
        self.filled += 1
        if self.filled > MAX_CELLS:
            self.report.error("too_many_cells", row=self.row_number, limit=MAX_CELLS)
            raise _Stop
        self.cells[self.column] = text
        if self.kind == "n":
            self.numbers |= 1 << self.column

    def _text(self, raw: str) -> str:
        kind = self.kind
        if kind == "s":
            try:
                value = self.shared[int(raw)]
            except (ValueError, IndexError):
                return ""
            return "" if value is None else str(value)
        if kind == "b":
            return "True" if raw.strip() == "1" else "False"
        if kind in ("inlineStr", "str", "e"):
            return raw
        return _number_text(raw)


TIYN_NOISE = Decimal("0.000001")  # a float this close to a whole tiyn (in tenge) is that tiyn
# A whole tiyn in tenge, thousands and millions of tenge (the cell's unit is not known here),
# each with the noise it forgives: at most 1e-6, and at most a hundredth of its step, so that a
# real half tiyn in millions (1.2345605 = 1 234 560,50 ₸) is never rounded to a coarser step.
_STEPS = tuple((Decimal(1).scaleb(-places), min(TIYN_NOISE, Decimal(1).scaleb(-places - 2)))
               for places in (2, 5, 8))


def _number_text(raw: str) -> str:
    """A number cell as the importer has always seen it: 12.0 → '12', 1.5 → '1.5'.

    Excel stores 565 550,00 as 565550.0000000001 and 84 929,1 (thousands) as 84929.100000000006:
    a value within the noise of one with at most 2, 5 or 8 decimals (a whole tiyn in tenge,
    thousands or millions; the coarsest that fits), or whose float is that value's own, is
    written as that value. A real third decimal in tenge (172261899.754) stays, for the amount
    check to refuse.
    """
    raw = raw.strip()
    try:
        if raw.lstrip("-").isdigit():
            return str(int(raw))
        value = float(raw)
    except ValueError:
        return raw
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value)
    if "e" not in text and len(text) - text.find(".") <= 3:
        return text  # at most two decimals already: nothing to round
    try:
        exact = Decimal(raw)
        for step, noise in _STEPS:
            near = exact.quantize(step)
            if abs(exact - near) <= noise or float(near) == value:
                return _plain(near)
    except InvalidOperation:
        return text
    return text


def _plain(number: Decimal) -> str:
    """A Decimal in plain notation without trailing zeros: 565550.00000 → '565550'."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _column_number(ref: str | None, default: int) -> int:
    if not ref:
        return default
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > 1_000_000:  # nonsense reference: far beyond every limit anyway
            break
    return number or default


def _letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
