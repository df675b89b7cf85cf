"""The command line as a user runs it: exit codes and messages."""
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(args, tmp_path, **env):
    environ = {**os.environ, "ASHYQ_VAR_DIR": str(tmp_path),
               "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", **env}
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=300)


def test_demo_loads_then_refuses_to_overwrite_without_replace(tmp_path):
    first = run(["demo", "--institutions", "25", "--years", "2024", "--quiet"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "loaded 25 institutions" in first.stdout
    again = run(["demo", "--institutions", "25", "--years", "2024", "--quiet"], tmp_path)
    assert again.returncode == 1
    assert "already holds 25 institutions" in again.stderr and "--replace" in again.stderr
    replaced = run(["demo", "--institutions", "30", "--years", "2024", "--quiet", "--replace"], tmp_path)
    assert replaced.returncode == 0 and "loaded 30 institutions" in replaced.stdout


@pytest.mark.parametrize("args, message", [
    (["demo", "--years", "2025-2020"], "--years"),
    (["demo", "--years", "twenty"], "--years"),
    (["demo", "--institutions", "0"], "--institutions"),
])
def test_bad_arguments_exit_1_with_a_clear_message(tmp_path, args, message):
    result = run(args, tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path):
    assert run(["no-such-command"], tmp_path).returncode == 2
    assert run(["demo", "--institutions", "many"], tmp_path).returncode == 2


def test_production_without_secret_key_is_refused(tmp_path):
    result = run(["migrate"], tmp_path, ASHYQ_ENV="production")
    assert result.returncode == 1 and "SECRET_KEY" in result.stderr


def test_migrate_creates_the_sqlite_file(tmp_path):
    result = run(["migrate"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.sqlite3").exists()
