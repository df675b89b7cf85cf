"""Views as of a publication (issue 14, part 3): the lines' history and the asof numbers.

On both databases: a demo, a document D1 (publication P0), import A (new schools), import B
changing and adding lines of the schools and of demo institutions, a document D2, one line deleted
by a last publication; every view as of P0 and as of A (panels, map points, popups, peers,
documents, the institution's years) equals the numbers computed right after it (snapshots), and
the current view is unchanged. The pages' callbacks, answered as the browser asks them, show the
same and keep `asof` in their links. An unchanged re-import writes no history; a demo `--replace`
starts a new history.
"""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import delete, func, select

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.importer.run import import_lines
from dashboard.schema import (
    MONEY_COLUMNS, budget_line_versions, budget_lines, functional_groups, institutions, line_history_area,
    line_history_sums, programs,
)
from queries import asof, explorer, institution as iq
from queries.documents import insert_document
from queries.bulk import log_publication
from queries.explorer import Selection
from queries.reference import seed_reference
from tests.asof_support import areas, areas_from_sums
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv

YEAR = 2024
DEMO = 40  # demo institutions: the schools A creates get the next ids
CARDS = [1, 2, DEMO + 1, DEMO + 3]  # popups: two demo institutions B changes, two schools
SELECTIONS = [Selection(YEAR), Selection(YEAR, (3, 5)), Selection(YEAR, sectors=("education",)),
              Selection(YEAR, region="KZ-11"), Selection(YEAR, (1, 9), region="KZ-11", district="KZ-11-01")]


def _by_code(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: r["code"])  # by_sector's order is the database's


def _by_key(rows: list[dict]) -> list[dict]:
    # The database orders program codes by its collation; the grid sorts on the client anyway.
    return sorted(rows, key=lambda r: tuple(r[k] for k in iq.LINE_KEYS))


def _explorer_view(conn, sel: Selection, at: int | None) -> dict:
    if at is None:
        view = {"totals": explorer.totals(conn, sel), "regions": explorer.by_region(conn, sel),
                "sectors": _by_code(explorer.by_sector(conn, sel)), "top": explorer.top_institutions(conn, sel, 7),
                "points": explorer.institutions_with_budget(conn, sel.year),
                "cards": [explorer.institution_card(conn, i, sel.year, sel.months) for i in CARDS]}
        if sel.region:
            view["districts"] = explorer.by_district(conn, sel)
        return view
    view = {"totals": asof.totals(conn, sel, at), "regions": asof.by_region(conn, sel, at),
            "sectors": _by_code(asof.by_sector(conn, sel, at)), "top": asof.top_institutions(conn, sel, at, 7),
            "points": asof.institutions_with_budget(conn, sel.year, at),
            "cards": [asof.institution_card(conn, i, sel.year, sel.months, at) for i in CARDS]}
    if sel.region:
        view["districts"] = asof.by_district(conn, sel, at)
    return view


def _peers(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["institution_id"], r["specific_code"]))


def _institution_view(conn, iid: int, at: int | None) -> dict:
    place = conn.execute(select(institutions.c.type_code, institutions.c.region_code)
                         .where(institutions.c.id == iid)).one()
    if at is None:
        return {"yearly": iq.yearly_totals(conn, iid), "monthly": iq.monthly(conn, iid, YEAR),
                "specific": iq.by_specific(conn, iid, YEAR), "program": iq.by_program(conn, iid, YEAR),
                "yoy": sorted(iq.specific_by_year(conn, iid, [YEAR - 1, YEAR]), key=lambda r: (r["specific_code"], r["year"])),
                "lines": _by_key(iq.lines(conn, iid, YEAR)[1]),
                "peers": _peers(iq.peer_amounts(conn, *place, YEAR)),
                "documents": [d["id"] for d in iq.list_documents(conn, iid)]}
    return {"yearly": asof.yearly_totals(conn, iid, at), "monthly": asof.monthly(conn, iid, YEAR, at),
            "specific": asof.by_specific(conn, iid, YEAR, at), "program": asof.by_program(conn, iid, YEAR, at),
            "yoy": sorted(asof.specific_by_year(conn, iid, [YEAR - 1, YEAR], at),
                          key=lambda r: (r["specific_code"], r["year"])),
            "lines": _by_key(asof.lines(conn, iid, YEAR, at)),
            "peers": _peers(asof.peer_amounts(conn, *place, YEAR, at)),
            "documents": [d["id"] for d in asof.documents(conn, iid, None, at)]}


def _demo_changes(conn, n: int) -> list[list[str]]:
    """Rows of an import changing `n` stored lines of demo institutions (plan up by 1,000 tenge)."""
    q = (select(institutions.c.bin, budget_lines, programs.c.functional_group)
         .select_from(budget_lines.join(institutions, institutions.c.id == budget_lines.c.institution_id)
                      .join(programs, programs.c.code == budget_lines.c.program_code))
         .where(budget_lines.c.year == YEAR, budget_lines.c.month == 4)
         .order_by(budget_lines.c.institution_id, budget_lines.c.specific_code).limit(n))
    rows = []
    for r in conn.execute(q).mappings():
        tenge = [f"{r[c] // 100}.{r[c] % 100:02d}" for c in ("plan", "plan_adjusted", "obligations", "paid")]
        tenge[1] = f"{r['plan_adjusted'] // 100 + 1_000_000}.{r['plan_adjusted'] % 100:02d}"
        rows.append([r["bin"], str(YEAR), str(r["month"]), r["functional_group"], r["program_code"],
                     r["subprogram_code"], str(r["specific_code"]), *tenge])
    return rows


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def story(request, tmp_path_factory):
    """The database after demo, D1 (P0), A, B, D2 and a deletion, with the snapshots taken right
    after P0 (before the schools existed) and after A."""
    tmp = tmp_path_factory.mktemp("asof")
    url = (f"sqlite:///{tmp / 'asof.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_server").create())
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference(conn)
    load_demo(engine, institutions=DEMO, years=[YEAR - 1, YEAR], seed=5, progress=False)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(budget_line_versions)).scalar_one() == 0
    with engine.begin() as conn:
        d1 = insert_document(conn, 1, YEAR, "Смета", "budget", "https://example.org/d1.pdf")
        p0 = asof.latest_publication_id(conn)
    with engine.connect() as conn:
        snap0 = {"explorer": [_explorer_view(conn, sel, None) for sel in SELECTIONS],
                 "institutions": {i: _institution_view(conn, i, None) for i in (1, 2)}}
    schools = institution_rows(3)
    a = import_lines(engine, write_csv(tmp / "a.csv", LINE_HEADER, line_rows([r[0] for r in schools], years=(YEAR,))),
                     institutions_path=write_csv(tmp / "a_inst.csv", INSTITUTION_HEADER, schools))
    assert a.status == "loaded", [i.describe("en") for i in a.issues]
    with engine.connect() as conn:
        ids = dict(conn.execute(select(institutions.c.bin, institutions.c.id)).all())
        watched = [ids[schools[0][0]], ids[schools[2][0]], 1, 2]
        assert [ids[r[0]] for r in schools] == [DEMO + 1, DEMO + 2, DEMO + 3]  # CARDS name them
        snap = {"explorer": [_explorer_view(conn, sel, None) for sel in SELECTIONS],
                "institutions": {i: _institution_view(conn, i, None) for i in watched},
                "sources": asof.sources(conn, SELECTIONS[0])}
        demo_rows = _demo_changes(conn, 40)
    changed = line_rows([r[0] for r in schools[:2]], years=(YEAR,), months=(2, 3), specifics=(111, 121))
    for row in changed:
        row[8] = "9999999.00"  # new adjusted plan
    added = line_rows([schools[2][0]], years=(YEAR - 1,), months=(5,))  # a new institution-year
    added += line_rows([schools[2][0]], years=(YEAR + 1,), months=(1,), specifics=(111,))  # a year new to all
    b_path = write_csv(tmp / "b.csv", LINE_HEADER, changed + added + demo_rows)
    b = import_lines(engine, b_path)
    assert (b.status, b.updated, b.inserted) == ("loaded", len(changed) + len(demo_rows), len(added)), \
        [i.describe("en") for i in b.issues]
    with engine.begin() as conn:  # a document of institution 1 after A
        d2 = insert_document(conn, 1, YEAR, "Смета (уточнённая)", "budget", "https://example.org/d2.pdf")
        d2_publication = asof.latest_publication_id(conn)
    with engine.connect() as conn:  # July before the deletion: the school that loses July is ranked then
        region, district = conn.execute(select(institutions.c.region_code, institutions.c.district_code)
                                        .where(institutions.c.id == watched[1])).one()
        july = [Selection(YEAR, (7, 7)), Selection(YEAR, (7, 7), region=region, district=district),
                Selection(YEAR, (6, 8), region=region), Selection(YEAR, (7, 7), district=district)]
        snap_july = [_explorer_view(conn, sel, None) for sel in july]
    with engine.begin() as conn:  # a deletion, published like any change
        conn.execute(delete(budget_lines).where(budget_lines.c.institution_id == watched[1], budget_lines.c.month == 7))
        from queries.rollups import refresh_rollups
        refresh_rollups(conn, [watched[1]], [YEAR])
        deleted = log_publication(conn, "import", "lines", "deleted July", 1, 3)
    yield {"engine": engine, "a": a.publication_id, "b": b.publication_id, "deleted": deleted,
           "b_path": b_path, "snap": snap, "watched": watched, "p0": p0, "snap0": snap0,
           "documents": (d1, d2), "d2_publication": d2_publication, "schools": [r[0] for r in schools],
           "july": list(zip(july, snap_july))}
    engine.dispose()


def test_history_records_the_changes_only(story):
    with story["engine"].connect() as conn:
        counts = dict(conn.execute(select(budget_line_versions.c.valid_until, func.count())
                                   .group_by(budget_line_versions.c.valid_until)).all())
    # A inserted 3 × 12 × 3 lines; B changed 8 + 40 and added 3 + 1; the deletion removed 3.
    assert counts == {story["a"]: 108, story["b"]: 52, story["deleted"]: 3}


def test_the_per_publication_sums_add_up_the_history(story):
    """line_history_sums (what area views read) is the history rows summed per publication,
    institution, year and month, with the institution's place: the imports' own (stamped as
    written) and the deletion's (stamped by its publications row)."""
    with story["engine"].connect() as conn:
        place = {r[0]: tuple(r[1:]) for r in conn.execute(select(
            institutions.c.id, institutions.c.region_code, institutions.c.district_code, institutions.c.sector_code))}
        expected: dict[tuple, list] = {}
        for r in conn.execute(select(budget_line_versions)).mappings():
            acc = expected.setdefault((r["valid_until"], r["institution_id"], r["year"], r["month"]),
                                      [0] * 6 + [place[r["institution_id"]]])
            for n, c in enumerate(MONEY_COLUMNS):
                acc[n] += (r[c] or 0) - (r[f"new_{c}"] or 0)
            acc[4] += (r["plan"] is not None) - (r["new_plan"] is not None)
            acc[5] += 1
        sums = {(r["valid_until"], r["institution_id"], r["year"], r["month"]):
                [*(r[f"delta_{c}"] for c in MONEY_COLUMNS), r["delta_lines"], r["changes"],
                 (r["region_code"], r["district_code"], r["sector_code"])]
                for r in conn.execute(select(line_history_sums)).mappings()}
    assert sums == expected
    assert {k[0] for k in sums} == {story["a"], story["b"], story["deleted"]}
    assert areas(story["engine"]) == areas_from_sums(story["engine"])



def test_views_as_of_a_equal_the_views_after_a(story):
    with story["engine"].connect() as conn:
        for sel, before in zip(SELECTIONS, story["snap"]["explorer"]):
            assert _explorer_view(conn, sel, story["a"]) == before, sel
        for iid, before in story["snap"]["institutions"].items():
            assert _institution_view(conn, iid, story["a"]) == before, iid


def test_views_as_of_before_a_deletion_rank_what_was_deleted(story):
    """As of the publication before the deletion, the school that has no July lines now had them
    then: in July it is counted and ranked again (the deleted lines' sums are its whole July); a
    district named without its region (the explorer's state allows it) is corrected the same way."""
    with story["engine"].connect() as conn:
        for sel, before in story["july"]:
            if sel.region or sel.district:  # the case is exercised: there the school is among the largest
                assert story["watched"][1] in [r["id"] for r in before["top"]], sel
            assert _explorer_view(conn, sel, story["d2_publication"]) == before, sel


def test_views_as_of_p0_equal_the_views_before_the_schools_existed(story):
    """P0 (a document) came before import A created the schools: as of P0 they are in no count,
    top, point or popup, and have no year; institution 1 shows D1, not the later D2."""
    snap0, p0 = story["snap0"], story["p0"]
    with story["engine"].connect() as conn:
        for sel, before in zip(SELECTIONS, snap0["explorer"]):
            then = _explorer_view(conn, sel, p0)
            assert then == before, sel
            assert then["cards"][2:] == [None, None]  # the schools: not on the map then
        for iid, before in snap0["institutions"].items():
            assert _institution_view(conn, iid, p0) == before, iid
        assert asof.ExplorerNumbers(p0).institutions_with_budget(conn, YEAR) == snap0["explorer"][0]["points"]
        now = _explorer_view(conn, SELECTIONS[0], None)
        assert set(now["points"]) - set(snap0["explorer"][0]["points"]) == {DEMO + 1, DEMO + 2, DEMO + 3}
        assert now["totals"]["institutions"] == snap0["explorer"][0]["totals"]["institutions"] + 3
        assert snap0["institutions"][1]["documents"] == [story["documents"][0]]
        assert _institution_view(conn, 1, None)["documents"] == list(reversed(story["documents"]))
        assert _institution_view(conn, 1, None)["peers"] != snap0["institutions"][1]["peers"]  # B changed it
        for school in (DEMO + 1, DEMO + 3):
            assert asof.yearly_totals(conn, school, p0) == []


def test_the_current_view_is_the_newest_asof_view(story):
    with story["engine"].connect() as conn:
        for sel in SELECTIONS:
            now = _explorer_view(conn, sel, None)
            assert _explorer_view(conn, sel, story["deleted"]) == now
            assert now["totals"] != _explorer_view(conn, sel, story["a"])["totals"], sel
        for iid in story["watched"]:
            assert _institution_view(conn, iid, story["deleted"]) == _institution_view(conn, iid, None)


def test_an_unchanged_reimport_writes_no_history(story):
    engine = story["engine"]
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(budget_line_versions)).scalar_one()
    again = import_lines(engine, story["b_path"])
    assert (again.status, again.updated, again.inserted, again.publication_id) == ("loaded", 0, 0, None)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(budget_line_versions)).scalar_one() == before


def test_sources_and_changes_since(story):
    with story["engine"].connect() as conn:
        assert [p["id"] for p in asof.publications_since(conn, story["a"])] == \
            [story["deleted"], story["d2_publication"], story["b"]]
        now = asof.sources(conn, SELECTIONS[0])
        then = asof.sources(conn, SELECTIONS[0], asof=story["a"])
    assert [p["id"] for p in then] == [story["a"], 1]
    assert [(p["id"], p["view_lines"]) for p in now][:2] == [(story["deleted"], 3), (story["b"], 48)]
    assert then == story["snap"]["sources"]


@pytest.fixture(scope="module")
def dash_app(story, tmp_path_factory):
    from app import create_app
    from dashboard.config import load_config

    url = story["engine"].url.render_as_string(hide_password=False)
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path_factory.mktemp("asof_api"))})
    return create_app(config)


@pytest.fixture(scope="module")
def client(dash_app):
    return dash_app.server.test_client()


def _answer(dash_app, client, name: str, inputs: list, state: list) -> dict:
    """What callback `name` answers to these values, posted as the browser posts them."""
    from tests.dash_requests import body_for

    response = client.post("/_dash-update-component", json=body_for(dash_app, name, inputs, state))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.loads(response.get_data())["response"]


def _json(value) -> str:
    return json.dumps(value, cls=PlotlyJSONEncoder, ensure_ascii=False)


def test_the_explorer_as_of_p0_draws_the_map_points_popups_and_links_then(story, dash_app, client):
    from dashboard.explorer_state import ExplorerState
    from dashboard.i18n.formatting import format_money
    from layouts import explorer_views as views, ids
    from tests.test_map_api import points

    p0, snap0 = story["p0"], story["snap0"]["explorer"]
    for n in (0, 3, 4):  # the country, a region, a district and months
        sel, before = SELECTIONS[n], snap0[n]
        state = ExplorerState(year=YEAR, months=sel.months, sectors=sel.sectors, region=sel.region,
                              district=sel.district, asof=p0)
        drawn = _answer(dash_app, client, "draw_map", [state.to_dict(), None], ["ru"])
        assert drawn[ids.REGION_LAYER]["hideout"]["values"] == \
            json.loads(_json(views.region_hideout(before["regions"], state, "ru")["values"]))
        if sel.region:
            assert drawn[ids.DISTRICT_LAYER]["data"] == \
                json.loads(_json(views.district_points(before["districts"], state, "ru")[0]))
        url = drawn[ids.INSTITUTION_LAYER]["url"]
        assert url.endswith(f"&asof={p0}")
        assert sorted(f["properties"]["id"] for f in points(client.get(url))) == before["points"]
        current = _answer(dash_app, client, "draw_map", [replace(state, asof=None).to_dict(), None], ["ru"])
        assert {DEMO + 1, DEMO + 2} <= {f["properties"]["id"] for f in points(client.get(
            current[ids.INSTITUTION_LAYER]["url"]))}

        panels = _json(_answer(dash_app, client, "draw_panels", [state.to_dict(), None], ["ru"])
                       [ids.TOP5_INSTITUTIONS]["children"])
        for top in before["top"][:5]:
            assert f"/institution/{top['bin']}?year={YEAR}\u0026lang=ru\u0026asof={p0}" in panels \
                or f"/institution/{top['bin']}?year={YEAR}&lang=ru&asof={p0}" in panels, top["bin"]
        assert not any(school in panels for school in story["schools"])

        for iid, card in zip(CARDS, before["cards"]):
            popup = _answer(dash_app, client, "show_popup", [1, state.to_dict()],
                            [{"properties": {"id": iid}}, "ru"])[ids.POPUP_LAYER]["children"]
            if card is None:
                assert popup == [], iid  # a school: no popup as of P0
                continue
            text = _json(popup)
            assert format_money(card["plan_adjusted"], "ru") in text and format_money(card["paid"], "ru") in text
            assert f"asof={p0}" in text
    # The year slider of a pinned view offers the years that had lines then (B brought YEAR + 1).
    def slider(fragment: str) -> tuple:
        out = _answer(dash_app, client, "navigate", [fragment] + [None] * 6, [None] * 3)
        return out[ids.EXPLORER_STATE]["data"]["year"], sorted(int(y) for y in out[ids.YEAR_SLIDER]["marks"])

    assert slider(f"#year={YEAR + 1}&asof={story['a']}") == (YEAR, [YEAR - 1, YEAR])
    assert slider(f"#year={YEAR + 1}&asof={story['b']}") == (YEAR + 1, [YEAR - 1, YEAR, YEAR + 1])
    assert slider(f"#year={YEAR + 1}") == (YEAR + 1, [YEAR - 1, YEAR, YEAR + 1])
    with story["engine"].connect() as conn:  # B changed institution 1's April: the popups differ
        assert explorer.institution_card(conn, 1, YEAR) != snap0[0]["cards"][0]
    assert client.get(f"/api/map/points?year={YEAR}&asof=x").status_code == 400


def test_the_institution_page_as_of_a_publication(story, dash_app, client):
    from dashboard.peers import peer_stats
    from layouts import ids, institution_parts as parts

    p0, a = story["p0"], story["a"]
    with story["engine"].connect() as conn:
        inst = iq.get_institution(conn, conn.execute(select(institutions.c.bin).where(institutions.c.id == 1))
                                  .scalar_one())

    def years(bin_: str, pinned: int | None) -> list:
        store = {"bin": bin_, **({"asof": pinned} if pinned else {})}
        return [o["value"] for o in _answer(dash_app, client, "open_page", [store], ["ru"])[ids.INST_YEAR]["options"]]

    # B added the third school's YEAR - 1: not offered as of A; no year before the schools existed.
    assert years(story["schools"][2], a) == [YEAR]
    assert years(story["schools"][2], None) == [YEAR + 1, YEAR, YEAR - 1]
    assert years(story["schools"][0], p0) == []
    # Opened as of a publication before it had lines: the page says so, not "nothing for this year".
    absent = _answer(dash_app, client, "show_year", [None, None],
                     [{"bin": story["schools"][0], "asof": p0}, None, "ru"])
    assert f"По состоянию на публикацию № {p0} бюджет этого учреждения ещё не был опубликован" in \
        _json(absent[ids.INST_KPIS]["children"])
    # ... and its charts draw no empty frame of axes, only "no data".
    monthly = _answer(dash_app, client, "show_monthly", [None, "monthly", None],
                      [{"bin": story["schools"][0], "asof": p0}, "ru"])[ids.INST_MONTHLY]["figure"]
    for figure in (monthly, absent[ids.INST_SPECIFICS]["figure"], absent[ids.INST_PROGRAMS]["figure"]):
        assert figure["data"] == [] and figure["layout"]["xaxis"]["visible"] is False
        assert [a["text"] for a in figure["layout"]["annotations"]] == ["нет данных"]
    assert years(inst["bin"], p0) == [YEAR, YEAR - 1]

    store = {"bin": inst["bin"], "asof": p0}
    shown = _answer(dash_app, client, "show_year", [YEAR, None], [store, None, "ru"])
    documents = _json(shown[ids.INST_DOCUMENTS]["children"])
    d1, d2 = story["documents"]
    assert f'"data-document": "{d1}"' in documents and f'"data-document": "{d2}"' not in documents
    crumbs = _json(shown[ids.INST_BREADCRUMB]["children"])
    assert crumbs.count(f"asof={p0}") == 3
    before = story["snap0"]["institutions"][1]
    names = {r["specific_code"]: r for r in before["yoy"]}
    expected = parts.peers_table(peer_stats(before["peers"], 1), names,
                                 inst["unit_kind"] if inst["capacity"] else None, "ru")
    assert json.loads(_json(shown[ids.INST_PEERS]["children"])) == json.loads(_json(expected))
    assert shown[ids.INST_API_LINK]["href"].endswith(f"&asof={p0}")
    now = _answer(dash_app, client, "show_year", [YEAR, None], [{"bin": inst["bin"]}, None, "ru"])
    assert f'"data-document": "{d2}"' in _json(now[ids.INST_DOCUMENTS]["children"])
    assert "asof" not in _json(now[ids.INST_BREADCRUMB]["children"])

    api = client.get(f"/api/v1/institutions/{inst['bin']}?asof={p0}").get_json()["data"]
    assert [d["title"] for d in api["documents"]] == ["Смета"]

    # The monthly chart embedded from a page pinned to A: B's change to the school is not in it.
    from layouts import embed

    school = story["schools"][0]
    query = {"panel": "monthly", "bin": school, "state": {"year": str(YEAR), "asof": str(a)}}
    drawn = _answer(dash_app, client, "draw_embed", [query], ["ru"])
    then = story["snap"]["institutions"][story["watched"][0]]["monthly"]
    expected = parts.monthly_figure(then, "ru", cumulative=False)
    assert drawn[embed.EMBED_BODY]["children"]["props"]["figure"] == json.loads(_json(expected))
    assert drawn[embed.EMBED_LINK]["href"].endswith(f"&asof={a}")
    # Pinned embeds say so, as the page's banner does: as of which publication, how many since,
    # and a link to the current numbers in a new tab; a current embed says nothing of the kind.
    def notes(title: list) -> list:
        return [c for c in title if isinstance(c, dict) and "embed-asof" in c["props"].get("className", "")]

    note = notes(drawn[embed.EMBED_TITLE]["children"])
    assert len(note) == 1 and note[0]["props"]["data-asof"] == str(a)
    text = _json(note[0]["props"]["children"])
    assert "публикация № " in text and "опубликовано: 3" in text  # B, D2 and the deletion
    link = note[0]["props"]["children"][-1]["props"]
    assert (link["href"], link["target"]) == (f"/institution/{school}?year={YEAR}&lang=ru", "_blank")
    top = _answer(dash_app, client, "draw_embed", [{"panel": "institutions", "state": {
        "year": str(YEAR), "asof": str(a)}}], ["kk"])[embed.EMBED_TITLE]["children"]
    assert [c["props"]["data-asof"] for c in notes(top)] == [str(a)]
    assert "жариялым" in _json(top)
    current = _answer(dash_app, client, "draw_embed", [{"panel": "institutions", "state": {"year": str(YEAR)}}],
                      ["ru"])[embed.EMBED_TITLE]["children"]
    assert "embed-asof" not in _json(current)


def test_the_api_as_of_a_equals_the_numbers_after_a(story, client):
    from dashboard.csvout import tenge_text

    before = story["snap"]["explorer"][3]  # region KZ-11, every month
    answer = client.get(f"/api/v1/explorer?year={YEAR}&region=KZ-11&n=7&asof={story['a']}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["asof"] == body["version"] == story["a"]
    assert body["totals"] == {**before["totals"], **{c: tenge_text(before["totals"][c]) for c in ("plan_adjusted", "paid")}}
    assert [(a["code"], a["plan_adjusted"]) for a in body["areas"]] == \
        [(d["code"], tenge_text(d["plan_adjusted"])) for d in before["districts"]]
    assert [t["bin"] for t in body["top_institutions"]] == [t["bin"] for t in before["top"]]
    assert [s["id"] for s in body["sources"]] == [story["a"], 1]
    now = client.get(f"/api/v1/explorer?year={YEAR}&region=KZ-11").get_json()
    assert now["asof"] is None and now["version"] == story["deleted"] and now["totals"] != body["totals"]

    school = story["snap"]["institutions"][story["watched"][0]]["lines"][0]["bin"]
    lines = client.get(f"/api/v1/institutions/{school}/lines?year={YEAR}&asof={story['a']}").get_json()
    expected = story["snap"]["institutions"][story["watched"][0]]["lines"]
    assert lines["total"] == len(expected)
    assert sorted((r["month"], r["specific_code"], r["plan_adjusted"]) for r in lines["data"]) == \
        sorted((r["month"], r["specific_code"], tenge_text(r["plan_adjusted"])) for r in expected)
    assert client.get(f"/api/v1/explorer?year={YEAR}&asof=999").status_code == 404


def test_a_replaced_demo_starts_a_new_history(story):
    engine = story["engine"]
    load_demo(engine, institutions=10, years=[YEAR], seed=9, replace=True, progress=False)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(budget_line_versions)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(line_history_sums)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(line_history_area)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(functional_groups)).scalar_one() > 0
