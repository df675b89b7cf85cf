"""Browser-test servers forked from a process that has already imported the app.

`python -m dashboard run` spends most of its start importing (Dash, Flask, SQLAlchemy, pandas,
SciPy, openpyxl: ~4 s of CPU), and every browser test module starts its own server. One helper
process per test worker imports all that once and forks a server for each module; the server
then runs the same command line (`dashboard.cli.main(["run", ...])`) with the module's own
environment, working directory and log file. When a file of the app changed on disk after the
helper imported it, a new helper is started, so a server never runs code older than its files.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import time

# Runs in the helper process (`python -c`, working directory: the repository).
_HELPER = r"""
import json, os, random, signal, sys, time, traceback
started = time.time()
import app, dashboard.cli  # the server's imports: nothing of these reads the environment on import
import dash_ag_grid, dash_leaflet, openpyxl, pandas, plotly.graph_objects, scipy.stats  # loaded later
own = [m.__file__ for m in list(sys.modules.values())
       if (getattr(m, "__file__", None) or "").startswith(os.getcwd() + os.sep)]
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the servers


def changed():
    try:
        return any(os.stat(path).st_mtime > started for path in own)
    except OSError:
        return True


out = sys.stdout
out.write("ready\n"); out.flush()
for line in sys.stdin:
    if changed():  # a file of the app was edited since it was imported here: a new helper imports it
        out.write("stale\n"); out.flush()
        continue
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            log = os.open(request["log"], os.O_WRONLY | os.O_APPEND)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.environ.clear()
            os.environ.update(request["env"])
            os.chdir(request["cwd"])
            random.seed()  # not the helper's sequence
            sys.argv = [os.path.join(request["cwd"], "dashboard", "__main__.py"), *request["args"]]
            code = dashboard.cli.main(request["args"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code or 0)
    out.write(f"{pid}\n"); out.flush()
"""

_helper: subprocess.Popen | None = None


def _started(cwd: str) -> subprocess.Popen:
    global _helper
    if _helper is None or _helper.poll() is not None:
        _helper = subprocess.Popen([sys.executable, "-c", _HELPER], cwd=cwd, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        atexit.register(_stop, _helper)
        if _helper.stdout.readline().strip() != "ready":
            raise RuntimeError("the server fork helper did not start (its error is in the test output)")
    return _helper


def _stop(helper: subprocess.Popen) -> None:
    helper.stdin.close()  # its loop ends: it exits
    try:
        helper.wait(timeout=10)
    except subprocess.TimeoutExpired:
        helper.kill()


class ForkedServer:
    """The parts of subprocess.Popen that tests/browser.py uses, for a forked server (which is
    the helper's child, not ours: its exit status is not known here)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1
        return self.returncode

    def _signal(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"server {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode


def fork_server(args: list[str], env: dict[str, str], cwd: str, log_path: str) -> ForkedServer:
    """`python -m dashboard <args>` with `env`, output appended to `log_path`, forked from the helper
    (a new helper when the app's code changed on disk since the last one imported it)."""
    global _helper
    request = json.dumps({"args": args, "env": env, "cwd": cwd, "log": log_path}) + "\n"
    for _ in range(2):
        helper = _started(cwd)
        helper.stdin.write(request)
        helper.stdin.flush()
        answer = helper.stdout.readline().strip()
        if answer != "stale":
            return ForkedServer(int(answer))
        _stop(helper)
        _helper = None
    raise RuntimeError("the app's files keep changing while the browser tests start their servers")
