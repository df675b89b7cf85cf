"""A small site for the presentation tests: the demo set for one year and, in one region, three
public appeals (one answered, one open, one waiting for a moderator)."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.accounts import User
from dashboard.account_admin import add_user
from dashboard.appeals.storage import UploadStore
from dashboard.appeals.workflow import AppealDraft, post_appeal, transition
from dashboard.demo.load import load_demo
from dashboard.schema import appeals, institutions
from tests.appeals_support import PASSWORD
from tests.conftest import boundaries_path

YEAR = 2024
ANSWER = "Ремонт кровли оплачен, работы закончены в июне."


def seed_site(engine, upload_dir) -> dict:
    """Load the demo and the appeals; returns the appeals' region and institution BIN."""
    load_demo(engine, institutions=24, years=[YEAR], seed=5, boundaries=boundaries_path(), progress=False)
    with engine.connect() as conn:
        inst_id, bin_, region = conn.execute(select(institutions.c.id, institutions.c.bin, institutions.c.region_code)
                                             .order_by(institutions.c.id)).first()
    moderator = User(add_user(engine, "moderator", "Модератор", PASSWORD, "moderator", []),
                     "moderator", "Модератор", "moderator", [])
    official = User(add_user(engine, "official", "Лауазымды тұлға", PASSWORD, "official", [bin_]),
                    "official", "Лауазымды тұлға", "official", [inst_id])
    store = UploadStore(upload_dir)
    codes = [post_appeal(engine, store, AppealDraft(inst_id, "question", f"Вопрос {i}: когда отремонтируют крышу?",
                                                    "Айгерим", "+7 700 000 00 00", None), [], 15) for i in range(3)]
    with engine.connect() as conn:
        ids = dict(conn.execute(select(appeals.c.tracking_code, appeals.c.id)).all())
    transition(engine, moderator, ids[codes[0]], "approve", None)
    transition(engine, official, ids[codes[0]], "answer", ANSWER)
    transition(engine, moderator, ids[codes[1]], "approve", None)  # public, waiting for an answer
    return {"region": region, "bin": bin_}
