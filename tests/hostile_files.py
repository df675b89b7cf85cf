"""Malicious import files, made small on disk: XLSX bombs and XML attacks, deep or NaN GeoJSON."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tests.import_files import LINE_HEADER, line_rows, write_xlsx

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(number: int, values: list[str]) -> str:
    from openpyxl.utils import get_column_letter

    cells = "".join(_cell(f"{get_column_letter(i)}{number}", v) for i, v in enumerate(values, start=1))
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: str, dimension: str | None = None, prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{rows}</sheetData></worksheet>')


def valid_rows(bin_: str) -> str:
    """The header and one valid budget line as sheet XML rows 1 and 2."""
    return _row(1, LINE_HEADER) + _row(2, line_rows([bin_], months=[1], specifics=[111])[0])


def xlsx_with_sheet(path: Path, xml: str, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A real workbook whose `part` is replaced by `xml` (stored deflated: small on disk)."""
    template = write_xlsx(path.with_suffix(".template.xlsx"), ["x"], [["y"]])
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = xml.encode("utf-8") if item.filename == part else src.read(item.filename)
            out.writestr(item.filename, data)
    template.unlink()
    return path


def dimension_bomb(path: Path, bin_: str) -> Path:
    """Declares the whole sheet (A1:XFD1048576) used and puts its last cell at the very end."""
    rows = valid_rows(bin_) + '<row r="1048576"><c r="XFD1048576"/></row>'
    return xlsx_with_sheet(path, sheet_xml(rows, dimension="A1:XFD1048576"))


def wide_row(path: Path, bin_: str, column: str = "AAA") -> Path:
    """A value in column AAA (703) of a data row."""
    rows = valid_rows(bin_) + f'<row r="3">{_cell(f"{column}3", "surprise")}</row>'
    return xlsx_with_sheet(path, sheet_xml(rows))


def empty_styled_tail(path: Path, bin_: str) -> Path:
    """A financing plan as exported: used range declared to column XEK (16,149), styled empty
    cells far right, the table itself 11 columns wide."""
    tail = '<c r="XEK1" s="0"/>'
    rows = valid_rows(bin_).replace("</row>", tail + "</row>", 1)
    return xlsx_with_sheet(path, sheet_xml(rows, dimension="A1:XEK2"))


def huge_cell_xlsx(path: Path, bin_: str, size: int = 10 * 1024 * 1024) -> Path:
    rows = valid_rows(bin_) + _row(3, ["x" * size])
    return xlsx_with_sheet(path, sheet_xml(rows))


def malformed_xlsx(path: Path, bin_: str) -> Path:
    return xlsx_with_sheet(path, sheet_xml(valid_rows(bin_))[:-40] + '<row r="3"><c r="A3"')


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + "]>")


def entity_bomb_xlsx(path: Path, bin_: str) -> Path:
    rows = valid_rows(bin_) + f'<row r="3">{_cell("A3", "&lol9;")}</row>'
    return xlsx_with_sheet(path, sheet_xml(rows, prolog=BILLION_LAUGHS))


def external_entity_xlsx(path: Path, bin_: str) -> Path:
    prolog = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    rows = valid_rows(bin_) + f'<row r="3">{_cell("A3", "&xxe;")}</row>'
    return xlsx_with_sheet(path, sheet_xml(rows, prolog=prolog))


def entity_bomb_workbook(path: Path) -> Path:
    """The billion laughs in the workbook part (read when the file is opened, not per sheet)."""
    xml = (f'<?xml version="1.0"?>{BILLION_LAUGHS}<workbook xmlns="{MAIN_NS}" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           '<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>')
    return xlsx_with_sheet(path, xml, part="xl/workbook.xml")


def huge_cell_csv(path: Path, bin_: str, size: int = 10 * 1024 * 1024, quoted: bool = False) -> Path:
    row = line_rows([bin_], months=[1], specifics=[111])[0]
    big = "x" * size
    row[0] = f'"{big}"' if quoted else big
    path.write_text(",".join(LINE_HEADER) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    return path


def _square(lon: float, lat: float) -> list:
    return [[[lon, lat], [lon + 1, lat], [lon + 1, lat + 1], [lon, lat + 1], [lon, lat]]]


def deep_geojson(path: Path, depth: int = 100_000) -> Path:
    coordinates = "[" * depth + "]" * depth
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                    '{"iso_3166_2": "KZ-11"}, "geometry": {"type": "Polygon", "coordinates": '
                    + coordinates + "}}]}", encoding="utf-8")
    return path


def nan_geojson(path: Path, codes: list[str], constant: str = "NaN") -> Path:
    """Every region a small square; the second feature's first vertex is `constant`."""
    features = [{"type": "Feature", "properties": {"iso_3166_2": code},
                 "geometry": {"type": "Polygon", "coordinates": _square(50 + i % 10, 42 + i // 10)}}
                for i, code in enumerate(codes)]
    features[1]["geometry"]["coordinates"][0][0] = "VERTEX"
    text = json.dumps({"type": "FeatureCollection", "features": features})
    text = text.replace('"VERTEX"', f"[{constant}, {constant}]", 1)
    path.write_text(text, encoding="utf-8")
    return path
