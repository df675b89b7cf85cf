"""institution_counts (migration 0024) against a count of the institutions, on both databases,
through every way institutions change: a demo, an import's inserts and updates, deletes, a
rolled-back transaction and the demo's replace."""
from collections import Counter

import pandas as pd
from sqlalchemy import delete, select, update

from dashboard.demo.load import load_demo
from dashboard.schema import districts, institution_counts, institutions
from queries.bulk import clear_budget_data
from queries.imports import upsert_institutions

KEY = ("region_code", "district_code", "sector_code", "type_code")


def _stored(conn) -> Counter:
    return Counter({tuple(r[:4]): r[4] for r in conn.execute(select(institution_counts))})


def _counted(conn) -> Counter:
    return Counter(tuple(r) for r in conn.execute(select(*(institutions.c[k] for k in KEY))))


def test_counts_follow_the_institutions(migrated_engine):
    load_demo(migrated_engine, institutions=30, years=[2024], seed=5, progress=False)
    with migrated_engine.begin() as conn:
        assert _stored(conn) == _counted(conn) and sum(_stored(conn).values()) == 30
        template = dict(conn.execute(select(institutions).limit(1)).mappings().one())
        other = conn.execute(select(districts).where(districts.c.region_code != template["region_code"])
                             .limit(1)).mappings().one()
        # An import: two new institutions, then one of them moved to another region and type.
        new = [{**{k: v for k, v in template.items() if k not in ("id", "created_at", "updated_at")},
                "bin": bin_} for bin_ in ("999999999991", "999999999992")]
        upsert_institutions(conn, pd.DataFrame(new))
        assert _stored(conn) == _counted(conn) and sum(_stored(conn).values()) == 32
        moved = {**new[0], "region_code": other["region_code"], "district_code": other["code"],
                 "type_code": "hospital", "sector_code": "health", "lat": 51.1, "lon": 71.4}
        upsert_institutions(conn, pd.DataFrame([moved]))
        stored = _stored(conn)
        assert stored == _counted(conn) and stored[(other["region_code"], other["code"], "health", "hospital")] >= 1
        conn.execute(update(institutions).where(institutions.c.bin == "999999999992").values(name_ru="Новое имя"))
        assert _stored(conn) == stored
        conn.execute(delete(institutions).where(institutions.c.bin.in_(["999999999991", "999999999992"])))
        assert _stored(conn) == _counted(conn) and sum(_stored(conn).values()) == 30
    with migrated_engine.connect() as conn:
        before = _stored(conn)
        conn.rollback()
        transaction = conn.begin()
        conn.execute(delete(institutions).where(institutions.c.bin == "999999999993"))
        upsert_institutions(conn, pd.DataFrame([{**new[0], "bin": "999999999993"}]))
        assert sum(_stored(conn).values()) == 31
        transaction.rollback()
        assert _stored(conn) == before
    with migrated_engine.begin() as conn:
        clear_budget_data(conn)
        assert _stored(conn) == Counter() == _counted(conn)
