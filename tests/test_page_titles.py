"""Tab titles (page, place, site in the page's language), the served index's `<html lang>`, and
Kazakh addresses (demo, importer, institution page)."""
import json
import re

import pytest
from sqlalchemy import select

from dashboard.demo import names
from dashboard.i18n import t
from dashboard.page_titles import STATIC, compose, explorer_title, institution_title, page_title
from dashboard.schema import institutions
from layouts.institution_parts import localized_address

SCHOOL = {"name_kk": "Көкшетау қаласы білім бөлімінің «№ 5 мектеп-гимназиясы» КММ",
          "name_ru": "КГУ «Школа-гимназия № 5» отдела образования города Кокшетау",
          "name_en": "School-Gymnasium No. 5, Education Department of Kokshetau city",
          "place_kk": "Көкшетау", "place_ru": "Кокшетау", "place_en": "Kokshetau city"}
AKMOLA = {"name_kk": "Ақмола облысы", "name_ru": "Акмолинская область", "name_en": "Akmola Region"}
ZERENDI = {"name_kk": "Зеренді ауданы", "name_ru": "Зерендинский район", "name_en": "Zerendi District"}


def test_institution_title_names_the_institution_its_place_and_the_site():
    assert institution_title(SCHOOL, "ru") == "Школа-гимназия № 5 — Кокшетау — Ашық бюджет"
    assert institution_title(SCHOOL, "kk") == "№ 5 мектеп-гимназиясы — Көкшетау — Ашық бюджет"
    assert institution_title(SCHOOL, "en") == "School-Gymnasium No. 5 — Kokshetau city — Ashyq Budget"


def test_unknown_institution_is_titled_not_found():
    assert institution_title(None, "kk") == t("notfound.title", "kk") + " — Ашық бюджет"


def test_explorer_title_follows_the_drill_most_specific_first():
    assert explorer_title([], "ru") == t("explorer.title", "ru") + " — Ашық бюджет"
    assert explorer_title([AKMOLA], "ru") == "Акмолинская область — Ашық бюджет"
    assert explorer_title([AKMOLA, ZERENDI], "kk") == "Зеренді ауданы — Ақмола облысы — Ашық бюджет"


def test_appeal_and_case_titles():
    def lookup(_):
        return SCHOOL

    title = page_title("appeal_track", {"code": "ABCD-EFGH-JKLM-NPQR"}, "ru", lookup, lookup)
    assert title == "Обращение ABCD-EFGH-JKLM-NPQR — Школа-гимназия № 5 — Кокшетау — Ашық бюджет"
    assert page_title("appeal_track", {"code": "ZZZZ"}, "kk", lookup, lambda _: None) == "Өтініш ZZZZ — Ашық бюджет"
    assert page_title("institution_appeals", {"bin": "1"}, "kk", lookup, lookup).startswith("Өтініштер — № 5 ")
    assert page_title("analyst_case", {"case_id": "12"}, "ru", lookup, lookup) == "Дело № 12 — Ашық бюджет"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_static_page_has_its_own_title(lang):
    titles = {page_title(module, {}, lang, dict, dict) for module in STATIC}
    assert len(titles) == len(STATIC)
    assert all(title.endswith(" — " + t("app.title", lang)) for title in titles)


def test_compose_skips_empty_parts():
    assert compose("ru", "", None, " Вход ") == "Вход — Ашық бюджет"


def test_kazakh_address_on_kazakh_pages_with_fallback():
    inst = {"address": "г. Кокшетау, ул. Абая, 12", "address_kk": "Көкшетау қ., Абай көшесі, 12"}
    assert localized_address(inst, "kk") == "Көкшетау қ., Абай көшесі, 12"
    assert localized_address(inst, "ru") == "г. Кокшетау, ул. Абая, 12"
    assert localized_address({**inst, "address_kk": None}, "kk") == "г. Кокшетау, ул. Абая, 12"


def test_demo_addresses_in_kazakh_name_the_same_street_and_house():
    city = {"kind": "city", "center_name_ru": "Кокшетау", "center_name_kk": "Көкшетау"}
    village = {"kind": "district", "center_name_ru": "Зеренда", "center_name_kk": "Зеренді"}
    assert names.address(city, 0, 12) == "г. Кокшетау, ул. Абая, 12"
    assert names.address_kk(city, 0, 12) == "Көкшетау қ., Абай көшесі, 12"
    assert names.address_kk(village, 5, 3) == "Зеренді а., Қонаев көшесі, 3"
    assert len(names.STREETS_KK) == len(names.STREETS_RU)


def test_demo_fills_kazakh_addresses(demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(select(institutions.c.address, institutions.c.address_kk)).all()
    assert rows and all(kk and "көшесі" in kk and kk.rsplit(", ", 1)[1] == ru.rsplit(", ", 1)[1] for ru, kk in rows)


@pytest.fixture
def client(demo_engine, tmp_path):
    from app import create_app
    from dashboard.config import load_config

    url = demo_engine.url.render_as_string(hide_password=False)
    return create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path)})).server.test_client()


def _head(response) -> tuple[str, str]:
    body = response.data.decode()
    return re.search(r"<html[^>]*>", body).group(0), re.search(r"<title>(.*?)</title>", body).group(1)


def test_served_index_has_the_language_and_the_page_title(client, demo_engine):
    with demo_engine.connect() as conn:
        bin_, name_kk = conn.execute(select(institutions.c.bin, institutions.c.name_kk).limit(1)).one()
    # No ?lang= and no cookie yet: the browser's Accept-Language.
    assert _head(client.get("/nope", headers={"Accept-Language": "kk-KZ,kk;q=0.9"})) == \
        ('<html lang="kk">', t("notfound.title", "kk") + " — Ашық бюджет")
    html_tag, title = _head(client.get(f"/institution/{bin_}?lang=kk"))
    assert html_tag == '<html lang="kk">'
    assert title.endswith(" — Ашық бюджет") and title.split(" — ")[0] in name_kk
    assert _head(client.get("/login?lang=ru")) == \
        ('<html lang="ru">', t("accounts.login_title", "ru") + " — Ашық бюджет")
    body = client.get("/?lang=kk").data.decode()
    assert "Loading..." not in body and t("site.loading", "kk") in body


def test_routing_callback_titles_the_page_in_the_language_of_its_address(client, demo_engine):
    """In-app navigation: Dash's router sets the title from a callback that gets `?lang=` only
    through its `search` input (the callback's request has no query string)."""
    client.get("/")  # Dash registers its router on the first request
    payload = {"output": ".._pages_content.children..._pages_store.data..",
               "outputs": [{"id": "_pages_content", "property": "children"},
                           {"id": "_pages_store", "property": "data"}],
               "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/login"},
                          {"id": "_pages_location", "property": "search", "value": "?lang=kk"}],
               "changedPropIds": ["_pages_location.pathname"], "state": []}
    response = client.post("/_dash-update-component", json=payload, headers={"Accept-Language": "ru"})
    store = json.loads(response.data)["response"]["_pages_store"]["data"]
    assert store["title"] == t("accounts.login_title", "kk") + " — Ашық бюджет"


def test_importer_reads_an_optional_kazakh_address_column(migrated_engine, tmp_path):
    from dashboard.importer.run import import_institutions
    from tests.import_files import INSTITUTION_HEADER, institution_rows, write_csv

    rows = institution_rows(2)
    header = INSTITUTION_HEADER + ["мекенжай"]
    kk = [rows[0] + ["Көкшетау қ., Абай көшесі, 12"], rows[1] + [""]]
    report = import_institutions(migrated_engine, write_csv(tmp_path / "kk.csv", header, kk))
    assert report.status == "loaded" and report.inserted == 2
    with migrated_engine.connect() as conn:
        stored = dict(conn.execute(select(institutions.c.bin, institutions.c.address_kk)).all())
    assert stored == {rows[0][0]: "Көкшетау қ., Абай көшесі, 12", rows[1][0]: None}
    # A file without the column still loads (the column is optional).
    again = import_institutions(migrated_engine, write_csv(tmp_path / "ru.csv", INSTITUTION_HEADER, rows))
    assert again.status == "loaded"


def test_appeal_title_names_the_institution_only_once_the_appeal_is_public(migrated_engine, tmp_path):
    """The served title of /appeal/<code> is not rate-limited, so it must not tell whether an
    unpublished or hidden appeal exists: the institution is named only for a public one."""
    from dashboard.accounts import User
    from dashboard.account_admin import add_user
    from dashboard.appeals.storage import UploadStore
    from dashboard.appeals.workflow import AppealDraft, post_appeal, transition
    from dashboard.demo.load import load_demo
    from dashboard.schema import appeals
    from queries.titles import appeal_place
    from tests.appeals_support import PASSWORD

    load_demo(migrated_engine, institutions=3, years=[2024], seed=3, progress=False)
    with migrated_engine.connect() as conn:
        inst_id = conn.execute(select(institutions.c.id).limit(1)).scalar_one()
    code = post_appeal(migrated_engine, UploadStore(tmp_path / "uploads"), AppealDraft(
        inst_id, "question", "Когда отремонтируют крышу спортзала?", "Айгерим", "+7 700 000 00 00", None), [], 15)
    with migrated_engine.connect() as conn:
        assert appeal_place(conn, code) is None  # waiting for a moderator
        appeal_id = conn.execute(select(appeals.c.id).where(appeals.c.tracking_code == code)).scalar_one()
    moderator = User(add_user(migrated_engine, "moderator", "Модератор", PASSWORD, "moderator", []),
                     "moderator", "Модератор", "moderator", [])
    transition(migrated_engine, moderator, appeal_id, "approve", None)
    with migrated_engine.connect() as conn:
        assert appeal_place(conn, code)["name_ru"]
