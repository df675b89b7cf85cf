"""The institution page's server-rendered first view (issue 17): what a slow phone paints
before Dash's JS has arrived — the name, place and KPIs the Dash page will show, escaped."""
from html import escape

import pytest
from sqlalchemy import select

from dashboard.schema import institutions
from queries import institution as q


@pytest.fixture(scope="module")
def dash_app(demo_engine, tmp_path_factory):
    from app import create_app
    from dashboard.config import load_config

    url = demo_engine.url.render_as_string(hide_password=False)
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path_factory.mktemp("var"))})
    return create_app(config)


@pytest.fixture(scope="module")
def client(dash_app):
    return dash_app.server.test_client()


def _texts(component) -> list[str]:
    """Every text in a Dash component tree (what the Dash page shows)."""
    if isinstance(component, (str, int)):
        return [str(component)]
    if isinstance(component, list):
        return [text for child in component for text in _texts(child)]
    return _texts(getattr(component, "children", None) or [])


def _entry(body: str) -> str:
    """The first view: served before React's root, removed once the Dash page has drawn."""
    start = body.index('<main id="first-view"')
    assert body.index('<div id="react-entry-point">') > start
    return body[start:body.index("</main>", start)]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_institution_html_holds_escaped_name_and_the_dash_pages_kpis(client, demo_engine, lang):
    from callbacks.institution import shown_year
    from dashboard.i18n import localized
    from layouts import institution_parts as parts

    with demo_engine.connect() as conn:
        bin_ = conn.execute(select(institutions.c.bin).order_by(institutions.c.id).limit(1)).scalar_one()
        inst = q.get_institution(conn, bin_)
        totals = q.yearly_totals(conn, inst["id"])
    assert len(totals) >= 2
    for query, asked in (("", None), (f"&year={totals[-1]['year']}", totals[-1]["year"])):
        response = client.get(f"/institution/{bin_}?lang={lang}{query}")
        assert response.status_code == 200
        entry = _entry(response.get_data(as_text=True))
        year = shown_year(asked, [row["year"] for row in totals])
        assert year == (asked or totals[0]["year"])
        shown = _texts(parts.kpis(next(r for r in totals if r["year"] == year), lang))
        assert 'aria-busy="true"' in entry and f'lang="{lang}"' in entry
        assert f'<h1 class="h3" data-first-view="name">{escape(localized(inst, "name", lang))}</h1>' in entry
        assert escape(parts.place(inst, lang)) in entry
        for text in shown:  # labels and values, formatted as the Dash page formats them
            assert escape(text) in entry, (lang, year, text)
        others = [r["year"] for r in totals if r["year"] != year]
        other_value = _texts(parts.kpis(next(r for r in totals if r["year"] == others[0]), lang))[1]
        assert escape(other_value) not in entry or other_value == shown[1]
        assert "Loading" not in entry


def _kpi_texts(component) -> dict[str, str]:
    """{kpi key: value text} of the Dash page's KPI cards (plain-dict components)."""
    found = {}
    if isinstance(component, list):
        for child in component:
            found.update(_kpi_texts(child))
    elif isinstance(component, dict):
        props = component.get("props", {})
        if str(props.get("id", "")).startswith("kpi-"):
            found[props["id"][4:]] = props.get("children")
        found.update(_kpi_texts(props.get("children")))
    return found


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_front_html_holds_the_kpis_the_explorer_draws_first(dash_app, client, lang):
    """The front page's first view shows what the explorer's panels draw for a link without a
    fragment (the country, the latest year), asked of the Dash app as the browser asks; a page
    opened with a fragment drops it before the first paint; a query (another view) gets none."""
    body = client.get(f"/?lang={lang}").get_data(as_text=True)
    entry = _entry(body)
    state = _answer(dash_app, client, "navigate", [""], lang)["explorer-state"]["data"]
    kpis = _kpi_texts(_answer(dash_app, client, "draw_panels", [state], lang)["kpi-cards"]["children"])
    for key in ("planned", "paid", "execution", "institutions"):
        assert f'data-kpi="{key}">{escape(kpis[key])}<' in entry, (lang, key, kpis[key])
    assert 'aria-busy="true"' in entry and f'lang="{lang}"' in entry and "Loading" not in entry
    after = body[body.index("</main>", body.index('<main id="first-view"')):]
    assert after.startswith("</main><script>if (location.hash.length > 1)")
    assert '<main id="first-view"' not in client.get(f"/?lang={lang}&year=2023").get_data(as_text=True)


def _answer(dash_app, client, name: str, first_inputs: list, lang: str) -> dict:
    """The response of callback `name` with these first inputs (the rest None) and the page
    language in its "page-lang" state, posted as the browser posts it."""
    import json

    from tests.dash_requests import body_for

    spec = next(s for s in dash_app.callback_map.values() if getattr(s.get("callback"), "__name__", None) == name)
    inputs = first_inputs + [None] * (len(spec["inputs"]) - len(first_inputs))
    state = [lang if s["id"] == "page-lang" else None for s in spec["state"]]
    response = client.post("/_dash-update-component", json=body_for(dash_app, name, inputs, state))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.loads(response.get_data())["response"]


def test_unknown_bin_keeps_404_and_the_plain_loading_text(client):
    response = client.get("/institution/000000000000?lang=kk")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert 'class="_dash-loading"' in body and "first-view" not in body


def test_hostile_names_are_escaped(demo_engine):
    from layouts.first_view import institution

    with demo_engine.connect() as conn:
        inst = q.get_institution(conn, conn.execute(select(institutions.c.bin).limit(1)).scalar_one())
        total = q.yearly_totals(conn, inst["id"])[0]
    hostile = '<script>alert("x")</script>&'
    inst = {**inst, **{f"{field}_{lang}": hostile for field in ("name", "region_name", "district_name")
                       for lang in ("kk", "ru", "en")}}
    html = str(institution(inst, total["year"], total, "ru"))
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;") == 3


def test_renderer_loading_text_in_css_matches_the_catalogs():
    """assets/app.css replaces Dash's own "Loading..." by kk/ru text, which must be the catalogs' own."""
    from pathlib import Path

    from dashboard.i18n import t

    css = (Path(__file__).resolve().parents[1] / "assets" / "app.css").read_text(encoding="utf-8")
    for lang in ("kk", "ru"):
        assert f'html[lang="{lang}"] ._dash-loading::after {{ content: "{t("site.loading", lang)}"' in css
