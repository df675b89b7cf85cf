"""`python -m dashboard import classification`: the agency's tables as published (title rows,
codes in separate cells, XLSX or Windows-1251 CSV), idempotent, all or nothing, and lines that
use the newly loaded codes. One database per backend for the module."""
from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from dashboard.db import make_engine, upgrade
from dashboard.importer.classification import details_lines, import_classification, shipped_rows
from dashboard.importer.run import import_institutions, import_lines
from dashboard.schema import administrators, programs, publications, specifics, subprograms
from queries.reference import seed_reference
from tests.conftest import BACKENDS, _fresh_url
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, write_csv

TITLE = [["Приложение 2 к приказу Министра финансов Республики Казахстан"],
         ["Единая бюджетная классификация Республики Казахстан"],
         ["Функциональная классификация расходов бюджета"], []]
HEADER = ["Функциональная группа", "Функциональная подгруппа", "Администратор бюджетных программ", "Программа",
          "Подпрограмма", "Наименование", "Атауы", "РБ/МБ"]
EDUCATION_RU, EDUCATION_KK = "Образование", "Білім беру"


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    eng = make_engine(url)
    with eng.begin() as conn:
        seed_reference(conn)
    yield eng
    eng.dispose()


def functional_xlsx(path, rows) -> object:
    """A workbook shaped like the published table: title rows, the header, a row of column
    numbers, then one row per code with only its own level's code, as numbers."""
    book = Workbook()
    sheet = book.active
    for row in TITLE + [HEADER, list(range(1, len(HEADER) + 1))] + rows:
        sheet.append(row)
    sheet.cell(row=3, column=16149, value=None).style = "Normal"  # a declared range far to the right
    book.save(path)
    return path


# Codes as Excel holds them once typed as numbers: 4, 224, 4, 100.
NEW_PROGRAMS = [
    [4, None, None, None, None, EDUCATION_RU, EDUCATION_KK, None],
    [None, 2, None, None, None, "Начальное, основное среднее и общее среднее образование",
     "Бастауыш, негізгі орта және жалпы орта білім беру", None],
    [None, None, 224, None, None, "Администратор 224 (тест)", "224 әкімшісі (тест)", "РБ"],
    [None, None, None, 4, None, "Программа 224-004 (тест)", "224-004 бағдарламасы (тест)", "РБ"],
    [None, None, None, None, 100, "Подпрограмма 100 (тест)", "100 кіші бағдарламасы (тест)", "РБ"],
    [None, None, None, 5, None, "Программа без подпрограмм (тест)", "Кіші бағдарламасыз бағдарлама (тест)", "РБ"],
]


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_published_xlsx_loads_then_a_second_run_changes_nothing(engine, tmp_path):
    path = functional_xlsx(tmp_path / "ebk.xlsx", NEW_PROGRAMS)
    pubs = count(engine, publications)
    report = import_classification(engine, path)
    assert report.error_count == 0, [i.describe("en") for i in report.errors]
    assert report.status == "loaded" and report.exit_code == 0
    assert report.details["header_row"] == 5
    assert report.details["ignored_columns"] == ["РБ/МБ"]
    assert report.details["column_numbers_row"] == 6
    assert report.details["subprogram_000"] == ["224-005"]
    tables = report.details["tables"]
    assert tables["functional_groups"] == dict(inserted=0, updated=0, unchanged=1)
    assert tables["administrators"]["inserted"] == 1
    assert tables["programs"]["inserted"] == 2
    assert tables["subprograms"]["inserted"] == 2  # 224-004/100 and 224-005/000
    with engine.connect() as conn:
        program = conn.execute(select(programs).where(programs.c.code == "224-004")).mappings().one()
        subs = conn.execute(select(subprograms.c.program_code, subprograms.c.code, subprograms.c.name_ru)
                            .where(subprograms.c.program_code.like("224-%"))
                            .order_by(subprograms.c.program_code)).all()
        admin = conn.execute(select(administrators).where(administrators.c.code == "224")).mappings().one()
    assert program["functional_group"] == "04" and program["administrator"] == "224"
    assert program["name_kk"] == "224-004 бағдарламасы (тест)"
    assert program["name_en"] == "Программа 224-004 (тест)"  # no English column: Russian
    assert [tuple(s) for s in subs] == [("224-004", "100", "Подпрограмма 100 (тест)"),
                                        ("224-005", "000", "Программа без подпрограмм (тест)")]
    assert admin["name_kk"] == "224 әкімшісі (тест)"
    assert count(engine, publications) == pubs + 1  # names on pages changed: a new data version

    again = import_classification(engine, path)
    assert again.status == "loaded" and again.exit_code == 0
    assert again.inserted == again.updated == 0 and again.unchanged == 6
    assert count(engine, publications) == pubs + 1
    lines = details_lines(again, "ru")
    assert "Бюджетная классификация не изменилась: в базе уже всё так, как в файле." in lines
    assert "Заголовок таблицы — строка 5; строки выше пропущены." in lines


def test_windows_1251_economic_table(engine, tmp_path):
    # Windows-1251 cannot hold ә, қ, ң…: the Kazakh names are typed without them, as people do.
    text = ("Экономическая классификация расходов бюджета;;;;;\r\n"
            ";;;;;\r\n"
            "Категория;Класс;Подкласс;Специфика;Наименование;Наименование на казахском языке\r\n"
            "1;;;;Текущие затраты;Агымдагы шыгындар\r\n"
            ";1;;;Затраты на товары и услуги;Тауарлар мен кызметтерге шыгындар\r\n"
            ";;110;;Оплата труда;Енбекакы толеу\r\n"
            ";;;111;Оплата труда;;\r\n"
            "4;;;;Капитальные затраты;Кушейтилген шыгындар\r\n"
            ";;;417;Приобретение биологических активов (тест);Биологиялык активтерди сатып алу (тест)\r\n")
    path = tmp_path / "econ.csv"
    path.write_bytes(text.encode("cp1251"))
    report = import_classification(engine, path)
    assert report.error_count == 0, [i.describe("en") for i in report.errors]
    assert report.details["header_row"] == 3 and report.details["kind"] == "economic"
    assert report.details["tables"]["specifics"] == dict(inserted=1, updated=0, unchanged=1)
    assert report.details["other_rows"] == 4
    with engine.connect() as conn:
        new = conn.execute(select(specifics).where(specifics.c.code == 417)).mappings().one()
        wages = conn.execute(select(specifics).where(specifics.c.code == 111)).mappings().one()
    assert new["category"] == "capital" and new["name_kk"] == "Биологиялык активтерди сатып алу (тест)"
    # 111 came with a Russian name only: the stored Kazakh and English names stay.
    assert (wages["name_ru"], wages["name_kk"], wages["name_en"]) == ("Оплата труда", "Еңбекақы төлеу", "Wages")


def test_a_bad_row_is_reported_and_nothing_is_written(engine, tmp_path):
    rows = [list(r) for r in NEW_PROGRAMS]
    rows[2][2] = 226  # a new administrator…
    rows[3][3] = "0O4"  # …whose program code has a letter O for a zero
    rows.append([None, None, None, None, 101, "Подпрограмма без казахского названия", None, None])
    path = functional_xlsx(tmp_path / "bad.xlsx", rows)
    report = import_classification(engine, path)
    assert report.status == "rejected" and report.exit_code == 1 and not report.written
    errors = {(i.code, i.row, i.column, i.value) for i in report.errors}
    assert ("classification_code_format", 10, "Программа", "0O4") in errors
    assert count(engine, administrators, administrators.c.code == "226") == 0
    described = [i.describe("ru") for i in report.errors]
    assert any(d.startswith("bad.xlsx, строка 10, столбец «Программа», значение «0O4»") for d in described), described

    # The format fixed, the new subprogram without its Kazakh name is the one error left.
    rows[3][3] = 4
    report = import_classification(engine, functional_xlsx(tmp_path / "bad2.xlsx", rows))
    assert [(i.code, i.row, i.column, i.value) for i in report.errors] == [
        ("classification_name_missing", 13, "Атауы", "226-005/101")]
    assert count(engine, administrators, administrators.c.code == "226") == 0
    assert count(engine, subprograms, subprograms.c.program_code.like("226-%")) == 0


def test_lines_with_newly_loaded_codes_import(engine, tmp_path):
    lines = [[b, "2026", "1", "04", "224-004", "100", "163", "565550.00", "565550.00", "0", "0"]
             for b in [r[0] for r in institution_rows(2, year=3)]]
    inst = write_csv(tmp_path / "schools.csv", INSTITUTION_HEADER, institution_rows(2, year=3))
    unknown = write_csv(tmp_path / "unknown.csv", LINE_HEADER,
                        [[*row[:4], "224-009", *row[5:]] for row in lines])
    refused = import_lines(engine, unknown, institutions_path=inst)
    assert refused.status == "rejected"
    assert {(i.code, i.value) for i in refused.errors} == {("program_unknown", "224-009")}

    import_classification(engine, functional_xlsx(tmp_path / "ebk.xlsx", NEW_PROGRAMS))
    assert import_institutions(engine, inst).error_count == 0
    report = import_lines(engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, lines))
    assert report.status == "loaded", [i.describe("en") for i in report.errors]
    assert report.inserted == 2


def test_the_shipped_set_keeps_every_program_with_its_administrator():
    rows = shipped_rows()
    admins = {a["code"] for a in rows["administrators"]}
    assert {p["administrator"] for p in rows["programs"]} <= admins
    assert {"225", "261", "360", "464", "471"} <= admins
    assert {s["code"] for s in rows["specifics"]} >= {111, 116, 121, 124, 151, 159, 162, 163, 414, 416}
    assert all(p["code"][:3] == p["administrator"] for p in rows["programs"])


def test_flat_table_with_every_code_in_each_row(engine, tmp_path):
    """Every level in every row (a flat export): existing parents come from the database; a
    subprogram whose program is nowhere is an error naming it."""
    header = "ФГ;АБП;Программа;Подпрограмма;Наименование на русском языке;Наименование на казахском языке\n"
    good = ("04;464;003;015;За счёт средств местного бюджета;\n"
            "4;464;003;16;Подпрограмма 016 (тест);016 кіші бағдарламасы (тест)\n")
    path = tmp_path / "flat.csv"
    path.write_text(header + good, encoding="utf-8")
    report = import_classification(engine, path)
    assert report.error_count == 0, [i.describe("en") for i in report.errors]
    assert report.details["tables"]["subprograms"] == dict(inserted=1, updated=0, unchanged=1)

    path.write_text(header + good + "04;464;099;015;Нет такой программы;Мұндай бағдарлама жоқ\n", encoding="utf-8")
    report = import_classification(engine, path)
    assert [(i.code, i.row, i.column, i.value) for i in report.errors] == [
        ("classification_unknown_parent", 4, "Программа", "464-099")]
    assert "464-099/015" in report.errors[0].describe("en")

    path.write_text(header + good + "04;464;003;016;Другое название;Басқа атау\n", encoding="utf-8")
    report = import_classification(engine, path)
    assert [(i.code, i.row, i.value) for i in report.errors] == [("classification_name_conflict", 4, "Другое название")]
    assert report.errors[0].describe("ru").endswith("код 464-003/016 уже указан в строке 3 с другим наименованием")
