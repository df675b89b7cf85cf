"""Files shaped like the ones institutions really make (issue 13), on both databases: title rows
above the header, units in thousands, totals and signature rows, BINs typed as numbers, float
noise, a phantom used range, trailing delimiters, Windows-1251, Kazakh headers, region names as
people write them. Each is imported exactly (sums to the tiyn, rollups equal to the lines) and
the report says what was taken as the header, the unit and the region."""
import pytest
from sqlalchemy import select, text

from dashboard.bin import make_bin
from dashboard.importer.run import Options, import_institutions, import_lines
from dashboard.schema import ROLLUP_TABLES, budget_lines, institutions
from tests.conftest import BACKENDS, _fresh_url
from tests.rollup_check import assert_rollups_match

# BINs registered in September 2000 (a number cell keeps 9 digits), in 2003 (11) and in 2021.
OLD, MID, NEW = make_bin(0, 9, 1129), make_bin(3, 3, 2), make_bin(21, 3, 5)
KK_HEADER = ["БСН", "Жыл", "Ай", "Функционалдық топ", "Бағдарлама", "Кіші бағдарлама",
             "Экономикалық сыныптама ерекшелігі", "Жоспар", "Нақтыланған жоспар", "Міндеттемелер", "Төленді"]
RU_HEADER = ["БИН", "Год", "Месяц", "ФГ", "АБП", "Программа", "Подпрограмма", "Специфика", "План",
             "Уточнённый план", "Обязательства", "Оплачено"]


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    """One migrated database per backend for the module, holding three schools (cp1251 file with
    the regions written as people write them)."""
    from dashboard.db import make_engine, upgrade
    from queries.reference import seed_reference

    url = _fresh_url(request.param, request, tmp_path_factory)
    upgrade(url)
    eng = make_engine(url)
    with eng.begin() as conn:
        seed_reference(conn)
    folder = tmp_path_factory.mktemp("real")
    rows = [  # region and district as a Windows-1251 file writes them (no «і»: «Жетысу»)
        [OLD, "Мектеп 1", "Школа № 1", "ВКО", "г. Усть-Каменогорск", "49.95", "82.62"],
        [MID, "Мектеп 2", "Школа № 2", "область Жетысу", "город Талдыкорган", "45.02", "78.37"],
        [NEW, "Мектеп 3", "Школа № 3", "Акмолинская обл.", "Кокшетау", "53.28", "69.40"],
    ]
    header = "БИН;Атауы;Наименование;Тип;Отрасль;Регион;Район;Адрес;Широта;Долгота;Уровень бюджета\n"
    body = "".join(f"{b};{kk};{ru};school;education;{reg};{dist};ул. Абая, 1;{lat};{lon};районный\n"
                   for b, kk, ru, reg, dist, lat, lon in rows)
    path = folder / "schools.csv"
    path.write_bytes((header + body).encode("cp1251"))
    report = import_institutions(eng, path)
    assert report.status == "loaded" and report.inserted == 3, [i.describe("en") for i in report.issues]
    with eng.connect() as conn:
        found = dict(conn.execute(select(institutions.c.bin, institutions.c.region_code)).all())
    assert found == {OLD: "KZ-63", MID: "KZ-33", NEW: "KZ-11"}
    matched = {i.value: i.message("ru") for i in report.notes if i.code == "place_matched"}
    assert "KZ-33" in matched["область Жетысу"] and "KZ-63" in matched["ВКО"]
    assert "KZ-33-01" in matched["город Талдыкорган"] and "Акмолинская обл." in matched
    yield eng
    eng.dispose()


def _lines(engine, bins) -> dict:
    with engine.connect() as conn:
        ids = dict(conn.execute(select(institutions.c.id, institutions.c.bin)).all())
        rows = conn.execute(select(budget_lines.c.institution_id, budget_lines.c.month, budget_lines.c.specific_code,
                                   budget_lines.c.plan, budget_lines.c.plan_adjusted, budget_lines.c.obligations,
                                   budget_lines.c.paid)).all()
        assert_rollups_match(conn)
    return {(ids[r[0]], r[1], r[2]): tuple(int(v) for v in r[3:]) for r in rows if ids[r[0]] in bins}


def _clear(engine):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM budget_lines"))
        for table in ROLLUP_TABLES:
            conn.execute(table.delete())


def _financing_plan(path, phantom: bool = False, rows: int = 2, noise: bool = True):
    """An XLSX financing plan as Excel and 1C write them: title rows, codes in cells of their own,
    a numbering row, numbers typed as numbers (with float noise), a totals row, signatures."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for title in ("КГУ «Школа № 1»", "План финансирования по платежам", "Регион: ВКО", "Вид бюджета: местный",
                  "Период: 2026 год", "Единицы измерения: тыс. тенге", None):
        sheet.append([title])
    sheet.append(RU_HEADER)
    sheet.append(list(range(1, len(RU_HEADER) + 1)))
    for month in range(1, rows + 1):
        for b in (int(OLD), int(MID)):
            plan = 565.55 + 0.0000000001 if noise else 565.55  # 565 550,00 ₸ in thousands
            sheet.append([b, 2026, month, 4, 464, 3, 15, 111, plan, 84929.100000000006, 84.92911, 1.5])
    sheet.append(["Всего:", None, None, None, None, None, None, None, 2262.2, 339716.4, 339.71644, 6])
    sheet.append([])
    sheet.append(["Руководитель", None, "Иванов И.И."])
    sheet.append(["Главный бухгалтер", None, "Петрова А.А."])
    sheet.append(["Расчёт:", 1000, 2000])
    if phantom:
        cell = sheet.cell(row=8, column=16149)
        cell.number_format = "0.00"  # styled, empty: the used range now reaches column WVD
    book.save(path)
    return path


def test_a_financing_plan_from_excel_imports_exactly(engine, tmp_path):
    _clear(engine)
    report = import_lines(engine, _financing_plan(tmp_path / "plan.xlsx", phantom=True), Options(skip_invalid=False))
    assert report.status == "loaded" and report.error_count == 0, [i.describe("en") for i in report.errors]
    assert report.inserted == 4
    lines = _lines(engine, {OLD, MID})
    # 565.55 thousand = 56,555,000 tiyn; 84929.1 thousand = 8,492,910,000; 84.92911 thousand = 8,492,911.
    assert set(lines.values()) == {(56_555_000, 8_492_910_000, 8_492_911, 150_000)}
    assert {k[0] for k in lines} == {OLD, MID}  # 940001129 (a number) became 000940001129
    notes = {i.code: i for i in report.notes}
    assert notes["header_found"].row == 8 and "1–6" in notes["header_found"].message("ru")
    assert notes["unit_title"].row == 6 and "тысячах тенге" in notes["unit_title"].message("ru")
    assert "мың теңгемен" in notes["unit_title"].message("kk")
    assert notes["title_region"].row == 3 and "KZ-63" in notes["title_region"].message("ru")
    assert notes["column_numbering"].row == 9
    assert notes["totals_row"].row == 14
    assert {i.row for i in report.notes if i.code in ("signature_row", "footer_row")} == {16, 17, 18}
    assert notes["bin_padded"].value == OLD.lstrip("0") and notes["bin_padded"].column == "БИН"
    assert notes["program_joined"].value == "464-003"
    again = import_lines(engine, tmp_path / "plan.xlsx")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_what_a_person_would_not_accept_stays_an_error(engine, tmp_path):
    from openpyxl import Workbook

    _clear(engine)
    book = Workbook()
    sheet = book.active
    sheet.append(["Единицы измерения: тенге"])
    sheet.append([h for h in RU_HEADER if h != "АБП"])
    sheet.append([OLD.lstrip("0"), 2026, 1, "04", "464-003", "015", 111, 172261899.754, 1, 1, 1])  # text BIN
    sheet.append([int(MID), 2026, 1, "04", "464-003", "015", 111, 172261899.754, 1, 1, 1])  # a real 3rd decimal
    book.save(tmp_path / "bad.xlsx")
    report = import_lines(engine, tmp_path / "bad.xlsx")
    found = {(e.code, e.row, e.column) for e in report.errors}
    assert found == {("bin_format", 3, "БИН"), ("money_decimals", 3, "План"), ("money_decimals", 4, "План")}
    assert report.status == "rejected" and _lines(engine, {OLD, MID}) == {}
    # In thousands, five decimals make a whole tiyn; a sixth does not.
    csv = "БИН;Год;Месяц;ФГ;Программа;Подпрограмма;Специфика;План, тыс. тенге;Уточнённый план;Обязательства;Оплачено\n"
    csv += f"{MID};2026;1;04;464-003;015;111;1,234567;1;1;1\n"
    (tmp_path / "six.csv").write_text(csv, encoding="utf-8")
    (error,) = import_lines(engine, tmp_path / "six.csv").errors
    assert (error.code, error.column) == ("money_decimals_unit", "План, тыс. тенге")
    assert "тысячах тенге" in error.message("ru") and "5" in error.message("ru")


def test_a_1c_csv_in_windows_1251_with_trailing_delimiters(engine, tmp_path):
    _clear(engine)
    title = "Исполнение плана финансирования;;;;;;;;;;;;\nРегион: город Астана;;;;;;;;;;;;\n;;;;;;;;;;;;\n"
    header = ("БИН;Год;Месяц;Функциональная группа;Программа;Подпрограмма;Специфика;План (тыс. тенге);"
              "Уточненный план (тыс. тенге);Обязательства;Оплачено;;\n")
    body = "".join(f"{b};2026;{m};04;464003;15;151;1 342 401,3;0;{m}00,25;{m}00,25;;\n"
                   for b in (MID, NEW) for m in (1, 2))
    footer = "Итого;;;;;;;;2 684 802,6;;;;\n;;;;;;;;;;;;\nИсполнитель;Сидоров;;\n"
    path = tmp_path / "1c.csv"
    path.write_bytes((title + header + body + footer).encode("cp1251"))
    for options in (Options(), Options(skip_invalid=True)):
        report = import_lines(engine, path, options)
        assert report.error_count == 0, [i.describe("en") for i in report.errors]
        assert report.status == "loaded" and report.rows_skipped == 0
    lines = _lines(engine, {MID, NEW})
    # 1 342 401,3 thousand tenge = 134,240,130,000 tiyn exactly; obligations and paid are in tenge.
    assert lines[(MID, 1, 151)] == (134_240_130_000, 0, 10_025, 10_025)
    assert lines[(NEW, 2, 151)] == (134_240_130_000, 0, 20_025, 20_025)
    notes = {i.code: i for i in report.notes}
    assert notes["header_found"].row == 4
    assert {i.column for i in report.notes if i.code == "unit_header"} == {
        "План (тыс. тенге)", "Уточненный план (тыс. тенге)"}
    assert "KZ-71" in notes["title_region"].message("kk")
    assert notes["totals_row"].row == 9 and notes["signature_row"].row == 11


def test_kazakh_headers_and_thousands(engine, tmp_path):
    _clear(engine)
    text_ = "Өлшем бірлігі: мың теңге\n" + ";".join(KK_HEADER) + "\n"
    text_ += f"{NEW};2026;3;04;464-003;015;121;84929,10;84 929,1;0;0\n"
    text_ += "Барлығы;;;;;;;84929,10;;;\nБасшы;;;;;;;;;;\n"
    (tmp_path / "kk.csv").write_text(text_, encoding="utf-8")
    report = import_lines(engine, tmp_path / "kk.csv", Options(skip_invalid=True))
    assert report.status == "loaded" and report.error_count == 0, [i.describe("kk") for i in report.errors]
    assert _lines(engine, {NEW}) == {(NEW, 3, 121): (8_492_910_000, 8_492_910_000, 0, 0)}
    assert {i.code for i in report.notes} >= {"header_found", "unit_title", "totals_row", "signature_row"}


def test_missing_columns_are_named_in_the_report_language(engine, tmp_path):
    (tmp_path / "few.csv").write_text("БСН;Жыл;Ай\n" + f"{NEW};2026;1\n", encoding="utf-8")
    report = import_lines(engine, tmp_path / "few.csv")
    kk = {e.describe("kk") for e in report.errors}
    ru = {e.describe("ru") for e in report.errors}
    assert any("«Нақтыланған жоспар»" in m for m in kk) and any("«Уточнённый план»" in m for m in ru)
    assert not any("plan_adjusted" in m or "«bin»" in m for m in kk | ru)


def test_a_phantom_used_range_costs_no_memory(engine, tmp_path):
    """The sheet declares ~16,000 columns: memory and time follow the filled cells."""
    import time
    import tracemalloc

    plain = _financing_plan(tmp_path / "plain.xlsx", rows=6)
    phantom = _financing_plan(tmp_path / "phantom.xlsx", phantom=True, rows=6)
    peaks = []
    for path in (plain, phantom):
        tracemalloc.start()
        started = time.perf_counter()
        report = import_lines(engine, path, Options(dry_run=True))
        peaks.append((tracemalloc.get_traced_memory()[1], time.perf_counter() - started))
        tracemalloc.stop()
        assert report.error_count == 0 and report.inserted + report.unchanged == 12
    assert peaks[1][0] < 1.5 * peaks[0][0] + 2 * 1024 * 1024, peaks


def test_region_spellings_meet_their_region_and_ambiguous_ones_do_not():
    from dashboard.importer.places import Places

    regions = {"область жетісу": "KZ-33", "жетісу облысы": "KZ-33", "jetisu region": "KZ-33",
               "восточно-казахстанская область": "KZ-63", "шығыс қазақстан облысы": "KZ-63",
               "г астана": "KZ-71", "астана қаласы": "KZ-71", "г алматы": "KZ-75", "алматы қаласы": "KZ-75",
               "алматы облысы": "KZ-19", "алматинская область": "KZ-19", "almaty region": "KZ-19"}
    places = Places(regions, {("KZ-33", "г талдыкорган"): "KZ-33-01", ("KZ-33", "талдықорған қаласы"): "KZ-33-01"})
    found = {name: places.region(name) for name in (
        "Zhetysu", "Jetisu oblysy", "Жетысу", "Vostochno-Kazakhstanskaya obl.", "ШҚО", "город Астана",
        "Нур-Султан", "Almaty city", "Алматинская обл.", "Алматы", "Атлантида")}
    assert found == {"Zhetysu": "KZ-33", "Jetisu oblysy": "KZ-33", "Жетысу": "KZ-33",
                     "Vostochno-Kazakhstanskaya obl.": "KZ-63", "ШҚО": "KZ-63", "город Астана": "KZ-71",
                     "Нур-Султан": "KZ-71", "Almaty city": "KZ-75", "Алматинская обл.": "KZ-19",
                     "Алматы": "", "Атлантида": ""}  # «Алматы» alone: the city or the region
    assert places.district("KZ-33", "Taldykorgan") == "KZ-33-01" and places.district("KZ-63", "Taldykorgan") == ""


def test_float_noise_is_forgiven_only_below_a_tiyn_of_any_unit():
    """What Excel stores for 565 550,00 ₸ or 84 929,1 thousand is read as that amount; a real half
    tiyn in millions of tenge (1,2345605 million = 1 234 560,50 ₸) is never rounded away, and a
    real third decimal in tenge stays for the amount check to refuse."""
    from dashboard.importer.xlsx import _number_text

    assert _number_text("565550.0000000001") == "565550"
    assert _number_text("84929.100000000006") == "84929.1"
    assert _number_text("84.92911") == "84.92911"  # thousands: a whole tiyn
    assert _number_text("1.2345605") == "1.2345605"  # millions: 1 234 560,50 ₸, not 1 234 560,00 ₸
    assert _number_text("1.2345600000000001") == "1.23456"
    assert _number_text("1.234560501") == "1.234560501"  # below a tiyn even in millions: refused later
    assert _number_text("172261899.75399998") == "172261899.754"  # a third decimal in tenge: refused later


def test_lines_after_a_subtotal_and_a_mistyped_bin_are_not_taken_for_a_footer(engine, tmp_path):
    """A subtotal («Итого по программе») may be followed by more lines; a line under it whose BIN
    has a typo is an error that stops the file, never a skipped footer row."""
    from openpyxl import Workbook

    _clear(engine)
    book = Workbook()
    sheet = book.active
    sheet.append(RU_HEADER)
    sheet.append([int(OLD), 2026, 1, 4, 464, 3, 15, 111, 1, 1, 1, 1])
    sheet.append(["Итого по программе 464-003", None, None, None, None, None, None, None, 1, 1, 1, 1])
    sheet.append(["O" + MID[1:], 2026, 1, 4, 464, 3, 15, 111, 2, 2, 2, 2])  # a letter O for a zero
    sheet.append(["Всего:", None, None, None, None, None, None, None, 3, 3, 3, 3])
    book.save(tmp_path / "subtotal.xlsx")
    report = import_lines(engine, tmp_path / "subtotal.xlsx")
    assert report.status == "rejected" and [i.row for i in report.errors if i.code == "bin_format"] == [4]
    assert not report.written and _lines(engine, {OLD, MID}) == {}
