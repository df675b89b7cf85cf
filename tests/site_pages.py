"""Every page kind of a small seeded site, for the tests that walk them all in Chromium
(accessibility and one language per page): the site, its pages, opening and signing in."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.accounts import User
from dashboard.account_admin import add_user
from dashboard.anomalies.scan import scan_engine
from dashboard.appeals.storage import UploadStore
from dashboard.appeals.workflow import AppealDraft, post_appeal, transition
from dashboard.cases import add_note, open_case
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import appeals, institutions
from tests.appeals_support import PASSWORD
from tests.browser import require_chromium, running_server, wait_for_dash
from tests.conftest import boundaries_path

YEAR = 2024
LOGIN_NAMES = frozenset(("moderator", "official", "admin", "analyst"))  # the accounts' login names (data)


def build_site(tmp_path_factory):
    """A small demo site with one appeal in each stage, a case, flags and an account per role (staff
    names in Cyrillic: the staff bar shows them on kk/ru pages). Use as a module fixture."""
    require_chromium()
    var_dir = tmp_path_factory.mktemp("every-page")
    url = f"sqlite:///{var_dir / 'site.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    geo = boundaries_path()
    load_demo(engine, institutions=24, years=[YEAR], seed=5, boundaries=geo, progress=False)
    scan_engine(engine)  # flags for the analysts' workspace
    with engine.connect() as conn:
        inst_id, bin_ = conn.execute(select(institutions.c.id, institutions.c.bin).order_by(institutions.c.id)).first()
    users = {role: User(add_user(engine, role, "Айгерим Тестова", PASSWORD, role, [bin_] if role == "official" else []),
                        role, "Айгерим Тестова", role, [inst_id] if role == "official" else [])
             for role in ("moderator", "official", "admin", "analyst")}
    store = UploadStore(var_dir / "uploads")
    codes = [post_appeal(engine, store, AppealDraft(inst_id, "question", f"Вопрос {i}: когда отремонтируют крышу?",
                                                    "Айгерим", "+7 700 000 00 00", None), [], 15) for i in range(3)]
    with engine.connect() as conn:
        ids = dict(conn.execute(select(appeals.c.tracking_code, appeals.c.id)).all())
    transition(engine, users["moderator"], ids[codes[1]], "approve", None)  # in review: the official's desk
    transition(engine, users["moderator"], ids[codes[2]], "approve", None)
    transition(engine, users["official"], ids[codes[2]], "answer", "Ремонт по договору в июне.")  # history
    case_id = open_case(engine, users["analyst"], title="Оплаты в декабре", institution=bin_)
    add_note(engine, users["analyst"], case_id, "Проверить акты выполненных работ")
    with running_server(url, str(var_dir), {"BOUNDARIES_PATH": str(geo)} if geo else None) as base:
        yield {"base": base, "bin": bin_, "code": codes[2], "case": case_id, "engine": engine}
    engine.dispose()


def pages(site) -> list[tuple[str | None, str, str]]:
    """(account or None, page name, path) for every page kind."""
    bin_ = site["bin"]
    public = [("front", "/"), ("institution", f"/institution/{bin_}?year={YEAR}"),
              ("institution appeals", f"/institution/{bin_}/appeals"), ("appeal", f"/appeal/{site['code']}"),
              ("login", "/login"), ("404", "/no/such/page")]
    staff = [("moderator", "moderation", "/moderation"), ("official", "official", "/official"),
             ("admin", "admin users", "/admin/users"), ("admin", "admin import", "/admin/import"),
             ("analyst", "analyst workspace", f"/analyst?year={YEAR}"), ("analyst", "cases", "/analyst/cases"),
             ("analyst", "case", f"/analyst/cases/{site['case']}"), ("analyst", "front signed in", "/")]
    return [(None, name, path) for name, path in public] + staff


def open_and_settle(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#main")
    wait_for_dash(page)
    # A grid is drawn a moment after Dash settles: its script is a chunk fetched when the grid
    # first renders and its rows arrive in a later callback, so for a while the grid is absent or
    # has header rows without cells; an audit then would see a half-built grid. Wait until every
    # grid in Dash's layout is in the page with its header cells.
    page.wait_for_function(_GRIDS_BUILT, timeout=15000)
    wait_for_dash(page)


_GRIDS_BUILT = """() => {
  const ids = [];
  const walk = node => {
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (!node || typeof node !== "object" || !node.props) { return; }
    if (node.type === "AgGrid" && node.props.id) { ids.push(node.props.id); }
    Object.entries(node.props).forEach(([key, value]) => {
      if (value && typeof value === "object" && !["rowData", "figure", "data"].includes(key)) { walk(value); }
    });
  };
  const layout = window.store.getState().layout;
  walk(layout && layout.components || layout);  // Dash 4 keeps the tree under "components"
  const built = root => [...root.querySelectorAll(".ag-header-row")].every(row => row.querySelector("[role]"));
  return built(document) && ids.every(id => {
    const grid = document.getElementById(id);
    return grid && grid.querySelector(".ag-header-row") && built(grid);
  });
}"""


def sign_in(context, base: str, username: str) -> None:
    page = context.new_page()
    open_and_settle(page, f"{base}/login?lang=ru")
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#signed-in-as")
    page.close()
