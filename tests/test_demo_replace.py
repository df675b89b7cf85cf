"""`demo --replace` never deletes what people wrote: appeals and officials' bindings stop it."""
import pytest
from sqlalchemy import func, select, text

from dashboard.account_admin import add_user
from dashboard.demo.load import DemoError, load_demo
from dashboard.schema import institutions
from queries.bulk import HISTORY_TRIGGERS


def test_replace_refuses_when_officials_are_bound_to_institutions(migrated_engine):
    load_demo(migrated_engine, institutions=6, years=[2024], seed=3, progress=False)
    load_demo(migrated_engine, institutions=5, years=[2024], seed=4, replace=True, progress=False)
    with migrated_engine.connect() as conn:
        bin_ = conn.execute(select(institutions.c.bin).limit(1)).scalar_one()
    add_user(migrated_engine, "aigul", "Aigul", "a long enough password", "official", [bin_])
    with pytest.raises(DemoError, match="fresh database"):
        load_demo(migrated_engine, institutions=7, years=[2024], seed=5, replace=True, progress=False)
    with migrated_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(institutions)).scalar_one() == 5
    with pytest.raises(DemoError, match="--replace"):  # a refused load, after its triggers were dropped
        load_demo(migrated_engine, institutions=7, years=[2024], seed=5, progress=False)
    # A refused load keeps the lines' history triggers (on SQLite too: the drops roll back with it).
    with migrated_engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            names = conn.execute(text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'budget_lines'::regclass "
                                      "AND tgname LIKE 'budget_lines_history%'")).scalars().all()
        else:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                      "AND name LIKE 'budget_lines_history%'")).scalars().all()
    assert sorted(names) == sorted(HISTORY_TRIGGERS)
