"""`python -m dashboard users add|list|disable|enable` as an administrator runs it."""
import os
import subprocess
import sys

from sqlalchemy import select

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import institutions
from tests.conftest import ROOT


def run(args, tmp_path, stdin=None):
    env = {**os.environ, "ASHYQ_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    return subprocess.run([sys.executable, "-m", "dashboard", "users", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def run_here(args, tmp_path, monkeypatch, capsys, stdin=""):
    """The same command in this process (each subprocess start costs ~2 s of imports)."""
    import io

    from dashboard.cli import main

    monkeypatch.setenv("ASHYQ_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["users", *args])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def demo_bins(tmp_path) -> list[str]:
    """Migrate the CLI's database, load 3 demo institutions, return their BINs."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=3, years=[2024], seed=1, progress=False)
    with engine.connect() as conn:
        bins = list(conn.execute(select(institutions.c.bin).order_by(institutions.c.id)).scalars())
    engine.dispose()
    return bins


def test_add_list_disable_enable(tmp_path, monkeypatch, capsys):
    bin_ = demo_bins(tmp_path)[0]

    added = run(["add", "aigul", "--role", "official", "--bin", bin_, "--name", "Aigul S.", "--password-stdin"],
                tmp_path, stdin="a long enough password\n")
    assert added.returncode == 0, added.stderr
    assert "user aigul (official) created" in added.stdout
    duplicate = run_here(["add", "aigul", "--role", "moderator", "--password-stdin"], tmp_path, monkeypatch, capsys,
                         stdin="a long enough password\n")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    unknown = run_here(["add", "bek", "--role", "official", "--bin", "999999999999", "--password-stdin"], tmp_path,
                       monkeypatch, capsys, stdin="a long enough password\n")
    assert unknown.returncode == 1 and "no institution with BIN 999999999999" in unknown.stderr
    weak = run_here(["add", "bek", "--role", "moderator", "--password-stdin"], tmp_path, monkeypatch, capsys,
                    stdin="short\n")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr

    assert run_here(["disable", "aigul"], tmp_path, monkeypatch, capsys).returncode == 0
    assert "\tdisabled\t" in run_here(["list"], tmp_path, monkeypatch, capsys).stdout
    assert run_here(["enable", "aigul"], tmp_path, monkeypatch, capsys).returncode == 0
    listed = run_here(["list"], tmp_path, monkeypatch, capsys)
    assert listed.stdout.splitlines() == [f"aigul\tofficial\tactive\tAigul S.\t{bin_}"]
    missing = run_here(["disable", "nobody"], tmp_path, monkeypatch, capsys)
    assert missing.returncode == 1 and "no user 'nobody'" in missing.stderr


def test_password_and_institution_changes(tmp_path, monkeypatch, capsys):
    from dashboard.accounts import authenticate
    from dashboard.db import engine_for

    first, second = demo_bins(tmp_path)[:2]
    assert run_here(["add", "aigul", "--role", "official", "--bin", first, "--password-stdin"], tmp_path, monkeypatch,
                    capsys, stdin="first password here\n").returncode == 0
    changed = run_here(["password", "aigul", "--password-stdin"], tmp_path, monkeypatch, capsys,
                       stdin="second password here\n")
    assert changed.returncode == 0 and "password of aigul changed" in changed.stdout
    shared = engine_for(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert authenticate(shared, "aigul", "first password here") is None
    assert authenticate(shared, "aigul", "second password here").username == "aigul"
    rebound = run_here(["bins", "aigul", "--bin", second], tmp_path, monkeypatch, capsys)
    assert rebound.returncode == 0
    assert f"aigul\tofficial\tactive\taigul\t{second}" in run_here(["list"], tmp_path, monkeypatch, capsys).stdout
    bad = run_here(["bins", "aigul", "--bin", "999999999999"], tmp_path, monkeypatch, capsys)
    assert bad.returncode == 1 and "no institution with BIN 999999999999" in bad.stderr
