"""Citizen flows around appeals: line references with names and amounts, the status history in
words, the track-my-appeal box's redirects, and the institution breadcrumb (SQLite and PostgreSQL)."""
import datetime as dt

from sqlalchemy import func, select

from dashboard.appeals.workflow import transition, well_formed_code
from dashboard.explorer_state import parse_hash
from dashboard.schema import appeals, budget_lines
from layouts.components.appeals import appeal_card, history_text, line_reference
from layouts.institution_parts import breadcrumb
from queries import appeals as q
from tests.appeals_support import world  # noqa: F401


def _a_line(world):
    with world.engine.connect() as conn:
        return conn.execute(select(budget_lines).where(budget_lines.c.institution_id == world.id_a)
                            .order_by(budget_lines.c.month, budget_lines.c.specific_code).limit(1)).mappings().one()


def _line_text(line) -> str:
    return f"{line['year']}/{line['program_code']}/{line['subprogram_code']}/{line['specific_code']:03d}"


def _text(component) -> str:
    """Every text node of a Dash component tree."""
    if isinstance(component, str | int):
        return str(component)
    children = getattr(component, "children", None) if component is not None else None
    if children is None:
        return ""
    return " ".join(_text(c) for c in (children if isinstance(children, list) else [children]))


def test_an_appeal_about_a_month_of_a_line_is_described_with_names_month_and_amounts(world):
    line = _a_line(world)
    response = world.post_appeal(line=_line_text(line), line_month=str(line["month"]))
    assert response.status_code == 201, response.data
    with world.engine.connect() as conn:
        appeal = q.appeal_by_code(conn, response.json["tracking_code"])
        assert appeal["line_month"] == line["month"]
        detail = q.with_line_details(conn, [appeal])[0]["line_detail"]
        key = [budget_lines.c[k] == line[k] for k in ("institution_id", "year", "program_code", "subprogram_code",
                                                       "specific_code")]
        month_sums = conn.execute(select(func.sum(budget_lines.c.plan_adjusted), func.sum(budget_lines.c.paid))
                                  .where(*key, budget_lines.c.month == line["month"])).one()
    assert (detail["plan_adjusted"], detail["paid"]) == tuple(int(v) for v in month_sums)
    assert detail["bin"] == world.bin_a and detail["month"] == line["month"]
    shown = _text(line_reference({**appeal, "line_detail": detail}, "ru"))
    assert detail["specific_name_ru"] in shown and detail["program_name_ru"] in shown
    assert detail["subprogram_name_ru"] in shown and f"{line['year']} г." in shown
    assert "₸" in shown and "Оплачено" in shown
    link = line_reference({**appeal, "line_detail": detail}, "kk").children[-1]
    assert link.href == (f"/institution/{world.bin_a}?year={line['year']}&lang=kk&line={_line_text(line)}"
                         f"&month={line['month']}#inst-lines")


def test_a_line_without_a_month_sums_the_year_and_old_data_still_shows_the_code(world):
    line = _a_line(world)
    response = world.post_appeal(line=_line_text(line))
    assert response.status_code == 201, response.data
    with world.engine.connect() as conn:
        appeal = q.appeal_by_code(conn, response.json["tracking_code"])
        detail = q.with_line_details(conn, [appeal])[0]["line_detail"]
        year_paid = conn.execute(select(func.sum(budget_lines.c.paid)).where(
            *[budget_lines.c[k] == line[k] for k in ("institution_id", "year", "program_code", "subprogram_code",
                                                      "specific_code")])).scalar_one()
    assert detail["month"] is None and detail["paid"] == int(year_paid)
    assert f"за весь {line['year']} год" in _text(line_reference({**appeal, "line_detail": detail}, "ru"))
    assert _line_text(line) in _text(line_reference({**appeal, "line_detail": None}, "ru"))


def test_a_month_must_belong_to_a_line_the_institution_has(world):
    line = _a_line(world)
    for fields in ({"line_month": "3"}, {"line": _line_text(line), "line_month": "13"},
                   {"line": _line_text(line), "line_month": "x"}):
        response = world.post_appeal(**fields)
        assert response.status_code == 400 and response.json["error"] == "bad_line", fields


def test_history_says_what_happened_and_a_rejected_appeal_has_no_deadline(world):
    appeal = world.new_appeal(state="new")
    owner = world.users["official_own"]
    transition(world.engine, owner, appeal["id"], "answer", "Repairs are contracted.")  # answered first
    transition(world.engine, world.users["moderator"], appeal["id"], "approve", None)
    with world.engine.connect() as conn:
        events = q.events_for(conn, appeal["id"])
    assert [history_text(e, "ru") for e in events] == [
        "Обращение отправлено", "Учреждение дало ответ", "Ответ учреждения опубликован"]
    assert [history_text(e, "kk") for e in events][-1] == "Мекеменің жауабы жарияланды"
    assert not any("→" in history_text(e, lang) for e in events for lang in ("kk", "ru", "en"))

    rejected = world.new_appeal(state="new")
    transition(world.engine, world.users["moderator"], rejected["id"], "reject", "spam")
    with world.engine.connect() as conn:
        row = q.appeal_by_id(conn, rejected["id"])
        history = q.events_for(conn, rejected["id"])
    assert history_text(history[-1], "en") == "Rejected by a moderator"
    card = appeal_card(row, [], "ru", code=row["tracking_code"])
    assert "Срок ответа" not in _text(card) and "Срок ответа" in _text(appeal_card(
        {**row, "status": "new", "reject_reason": None}, [], "ru", code=row["tracking_code"]))


def test_the_track_box_redirects_by_shape_only(world):
    client = world.client("anonymous")
    appeal = world.new_appeal(state="new")
    typed = appeal["tracking_code"].replace("-", " ").lower()
    response = client.get("/appeal/find", query_string={"code": typed, "lang": "kk"})
    assert response.status_code == 303 and response.location == f"/appeal/{appeal['tracking_code']}?lang=kk"
    unknown = client.get("/appeal/find", query_string={"code": "abcd-efgh-jkmn-pqrs", "lang": "kk"})
    assert unknown.status_code == 303 and unknown.location == "/appeal/ABCD-EFGH-JKMN-PQRS?lang=kk"
    for code, error in (("AB12-0000", "malformed"), ("ABCD-EFGH-JKLM-NPQO", "malformed"), ("", "empty")):
        refused = client.get("/appeal/find", query_string={"code": code, "lang": "ru"})
        assert refused.status_code == 303 and refused.location.startswith("/appeal?lang=ru&error=" + error)
    page = client.get("/appeal?lang=kk&error=malformed&code=AB12")
    assert page.status_code == 200
    assert well_formed_code("abcd efgh jkmn pqrs") == "ABCD-EFGH-JKMN-PQRS" and well_formed_code("o" * 16) is None


def test_the_breadcrumb_links_to_the_explorer_drilled_to_the_region_and_district():
    inst = {"name_ru": "Школа № 5", "name_kk": "№ 5 мектеп", "name_en": "School 5", "region_code": "KZ-11",
            "district_code": "KZ-11-01", "region_name_ru": "Акмолинская область", "region_name_kk": "Ақмола облысы",
            "region_name_en": "Akmola Region", "district_name_ru": "г. Кокшетау",
            "district_name_kk": "Көкшетау қаласы", "district_name_en": "Kokshetau city"}
    items = breadcrumb(inst, "kk", 2025).children
    assert [_text(i) for i in items] == ["Қазақстан", "Ақмола облысы", "Көкшетау қаласы", "№ 5 мектеп"]
    hrefs = [i.children.href for i in items[:3]]
    assert all(h.startswith("/?lang=kk#") for h in hrefs)
    states = [parse_hash(h.split("#", 1)[1], years=[2024, 2025], sectors=[], regions=["KZ-11"],
                         districts={"KZ-11-01": "KZ-11"}) for h in hrefs]
    assert [(s.year, s.region, s.district) for s in states] == [
        (2025, None, None), (2025, "KZ-11", None), (2025, "KZ-11", "KZ-11-01")]
    assert items[3].to_plotly_json()["props"]["aria-current"] == "page"


def test_line_details_of_more_lines_than_one_sqlite_expression_holds(demo_engine):
    """A case may link a thousand appeals about lines: the look-up is chunked (SQLite refuses an
    expression deeper than 1000 terms)."""
    bl = budget_lines
    with demo_engine.connect() as conn:
        lines = conn.execute(select(bl.c.institution_id, bl.c.year, bl.c.program_code, bl.c.subprogram_code,
                                    bl.c.specific_code).distinct().limit(1100)).all()
        assert len(lines) > 1000
        rows = [{"id": n, "institution_id": i, "line_year": y, "line_program_code": p, "line_subprogram_code": s,
                 "line_specific_code": c, "line_month": None} for n, (i, y, p, s, c) in enumerate(lines)]
        details = q.with_line_details(conn, rows)
    assert all(d["line_detail"] and d["line_detail"]["year"] == d["line_year"] for d in details)
