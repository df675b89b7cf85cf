"""Load test: N visitors replaying a journey recorded from Chromium, next to a bare Dash floor.

One command (loopback only, bounded in time; the harness starts and stops both servers):

    python3 bench/load/run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/full17k \
        --users 100 --duration 120

Quick self-check: `--users 5 --duration 15`. Saturation: `--users 100,200,300` (one server, one
run per level, same think time). Re-record the journeys from Chromium: `--record`.
Method and numbers: docs/benchmarks.md, "Load test". Results go to var/load/<time>/ (the
markdown table, locust's CSVs, the per-request log, the server logs).

What is measured, in the same run: the app under gunicorn (the README's production command,
`--preload -w W --threads T`, gthread) and the floor, `bench/load/bare_app.py` under the same
command and the same locust settings. Server CPU per request is utime+stime of the gunicorn
master and workers plus the PostgreSQL backends serving the app (found by the
`application_name` the harness adds to the URL), before and after, over the requests answered.
The load generator's CPU is reported separately (one locust process: above ~80 % of a core it,
not the server, limits the rate).
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.journey import percentile  # noqa: E402

HERE = Path(__file__).resolve().parent
# Generated, not committed: the journey follows the app's callbacks, so it is re-recorded
# whenever a recorded callback no longer exists in the code being measured.
APP_JOURNEY = ROOT / "var" / "load" / "journey_app.json"
BARE_JOURNEY = ROOT / "var" / "load" / "journey_bare.json"
APP_NAME = "ashyq_load"  # application_name of the app's PostgreSQL connections
TICK = os.sysconf("SC_CLK_TCK")
SHARED_BOUNDARIES = ROOT.parent / "shared" / "data" / "geo" / "kz_regions.geojson"


# --- processes and CPU ---------------------------------------------------------------------

def cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process from /proc/<pid>/stat (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15 of stat(5)


def children(pid: int) -> list[int]:
    """All descendants of a process (gunicorn's workers)."""
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children", encoding="ascii") as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def postgres_pids() -> list[int]:
    """Every process of the postgres user (backends and PostgreSQL's own workers)."""
    result = subprocess.run(["ps", "-u", "postgres", "-o", "pid="], capture_output=True, text=True, check=False)
    return [int(p) for p in result.stdout.split()]


def memory(pid: int) -> dict[str, float | None]:
    """RSS and PSS (MB) of a process (PSS from smaps_rollup, where the kernel has it)."""
    out: dict[str, float | None] = {"rss": None, "pss": None}
    for path, key, field in ((f"/proc/{pid}/status", "rss", "VmRSS:"), (f"/proc/{pid}/smaps_rollup", "pss", "Pss:")):
        try:
            with open(path, encoding="ascii") as f:
                for line in f:
                    if line.startswith(field):
                        out[key] = int(line.split()[1]) / 1024
                        break
        except OSError:
            pass
    return out


class BackendMeter:
    """CPU of the PostgreSQL backends whose application_name is APP_NAME, sampled every half
    second: a backend that starts during the run counts from zero, one that exits keeps its
    last sample (pooled connections rarely exit, so little is lost)."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _pids(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                               (APP_NAME,))]

    def _sample(self, baseline: bool) -> None:
        for pid in self._pids():
            seconds = cpu_seconds(pid)
            if seconds is None:
                continue
            self.first.setdefault(pid, seconds if baseline else 0.0)
            self.last[pid] = seconds

    def start(self) -> None:
        self._sample(baseline=True)

        def loop():
            while not self._stop.wait(0.5):
                self._sample(baseline=False)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample(baseline=False)
        return sum(self.last[p] - self.first[p] for p in self.last)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_app_name(url: str) -> str:
    return url + ("&" if "?" in url else "?") + f"application_name={APP_NAME}"


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


class Server:
    """gunicorn (the README's production command) on a free loopback port, started and stopped here."""

    def __init__(self, target: str, args, run_dir: Path, label: str, access_log: bool = False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = run_dir / f"{label}-gunicorn.log"
        self.access_log = run_dir / f"{label}-access.log" if access_log else None
        var_dir = run_dir / "var"
        var_dir.mkdir(exist_ok=True)
        env = {**os.environ, "DATABASE_URL": with_app_name(args.database_url), "ASHYQ_VAR_DIR": str(var_dir),
               "LOG_LEVEL": "WARNING",
               # Every visitor comes from 127.0.0.1: the per-address callback limit would refuse
               # them as one flooding client.
               "CALLBACK_RATE_LIMIT": "10000000 per minute",
               # production's default (ASHYQ_ENV=production): a process reuses the data version it
               # read for a second instead of reading it on every request
               "DATA_VERSION_TTL": os.environ.get("DATA_VERSION_TTL", "1"),
               "PYTHONPATH": f"{args.app_dir}{os.pathsep}{ROOT}"}
        if args.boundaries:
            env["BOUNDARIES_PATH"] = str(args.boundaries)
        if access_log:
            from bench.load.record import RECORDING_TILES_URL

            env["TILES_URL"] = RECORDING_TILES_URL
        if args.redis_url:
            env["RATELIMIT_STORAGE_URI"] = args.redis_url
            env["REDIS_URL"] = args.redis_url
        cmd = [sys.executable, "-m", "gunicorn", "--preload", "-w", str(args.workers), "--threads", str(args.threads),
               "-b", f"127.0.0.1:{self.port}"]  # the README's command: gthread, default --timeout 30
        if self.access_log:
            from bench.load.record import ACCESS_LOG_FORMAT

            cmd += ["--access-logfile", str(self.access_log), "--access-logformat", ACCESS_LOG_FORMAT]
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd + [target], cwd=args.app_dir, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        probe = "/healthz" if target == "app:server" else "/"
        while True:
            try:
                with urllib.request.urlopen(self.base + probe, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{target} did not come up: see {self.log_path}")
            time.sleep(0.3)
        time.sleep(1.0)  # every worker booted (--preload: they fork after the app is built)
        # The readiness probe is in the access log too; the recorder reads what comes after it.
        self.access_offset = self.access_log.stat().st_size if self.access_log else 0

    def pids(self) -> list[int]:
        return [self.proc.pid, *children(self.proc.pid)]

    def cpu(self) -> float:
        return sum(cpu_seconds(p) or 0.0 for p in self.pids())

    def memory(self) -> list[dict]:
        return [{"pid": p, "role": "master" if p == self.proc.pid else "worker", **memory(p)} for p in self.pids()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --- journeys and parameters ---------------------------------------------------------------

def callback_names(app_dir: Path, database_url: str, var_dir: Path) -> dict[str, str]:
    """{Dash output string: callback function name}, read from the app itself (a subprocess:
    building the app connects to the database)."""
    code = ("import json, app\n"
            "a = app.create_app()\n"
            "print(json.dumps({k: getattr(v.get('callback'), '__name__', '') for k, v in a.callback_map.items()}))")
    env = {**os.environ, "DATABASE_URL": database_url, "ASHYQ_VAR_DIR": str(var_dir), "LOG_LEVEL": "ERROR",
           "PYTHONPATH": str(app_dir)}
    out = subprocess.run([sys.executable, "-c", code], cwd=app_dir, env=env, capture_output=True, text=True, check=True)
    return {k: v for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items() if v}


def stale(journey_path: Path, names: dict[str, str]) -> str | None:
    """Why the recorded journey cannot be replayed against this code (None when it can)."""
    if not journey_path.exists():
        return "no recorded journey yet"
    journey = json.loads(journey_path.read_text(encoding="utf-8"))
    for step in journey["steps"]:
        for wave in step["waves"]:
            for r in wave:
                if r["path"].startswith("/_dash-update-component"):
                    output = json.loads(r["body"]).get("output")
                    if output not in names and "_pages_content" not in output:  # Dash's own page router
                        return f"callback output {output[:60]!r} is not in the app any more"
    return None


def record_journeys(args, run_dir: Path, names: dict[str, str]) -> None:
    from bench.load.record import app_flow, bare_flow, record

    APP_JOURNEY.parent.mkdir(parents=True, exist_ok=True)
    for target, flow, name, path in (("app:server", app_flow, "app", APP_JOURNEY),
                                     ("bench.load.bare_app:server", bare_flow, "bare", BARE_JOURNEY)):
        server = Server(target, args, run_dir, f"record-{name}", access_log=True)
        try:
            bare_names = {"out.data": "answer"}
            journey = record(server.base, str(server.access_log), server.access_offset, flow, name,
                             names if name == "app" else bare_names)
        finally:
            server.stop()
        journey["recorded"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        path.write_text(json.dumps(journey, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        count = sum(len(w) for s in journey["steps"] for w in s["waves"])
        failed = [f"{r['status']} {r['method']} {r['path']}" for s in journey["steps"] for w in s["waves"] for r in w
                  if (r["status"] or 0) >= 500]
        if failed:
            print(f"WARNING: the server failed requests of the {name} journey while recording: {failed}")
        print(f"recorded {name} journey: {len(journey['steps'])} steps, {count} requests "
              f"({journey['dropped_browser_cache_hits']} answered from the browser cache) -> {path.relative_to(ROOT)}")


def floor_journey(run_dir: Path) -> Path:
    """The floor visitor: the bare page (its scripts, layout, dependencies and callback), then the
    bare callback once in place of each later step of the app journey, after the same think time;
    so the floor has the app journey's rhythm (static files once, then a callback per action)."""
    bare = json.loads(BARE_JOURNEY.read_text(encoding="utf-8"))
    app_steps = len(json.loads(APP_JOURNEY.read_text(encoding="utf-8"))["steps"])
    callback = next(r for s in bare["steps"] for w in s["waves"] for r in w if r["name"].startswith("callback"))
    bare["steps"] += [{"name": "bare callback", "waves": [[callback]]} for _ in range(app_steps - 1)]
    path = run_dir / "journey_floor.json"
    path.write_text(json.dumps(bare, ensure_ascii=False), encoding="utf-8")
    return path


def visitor_params(database_url: str) -> dict:
    """Regions → districts → BINs and search words, read once from the database (read-only)."""
    from sqlalchemy import create_engine, select

    from dashboard.schema import institutions

    engine = create_engine(database_url)
    regions: dict[str, set] = collections.defaultdict(set)
    districts: dict[str, list] = collections.defaultdict(list)
    words: set[str] = set()
    with engine.connect() as conn:
        rows = conn.execute(select(institutions.c.bin, institutions.c.region_code, institutions.c.district_code,
                                   institutions.c.name_ru)).all()
    engine.dispose()
    for bin_, region, district, name in rows:
        regions[region].add(district)
        districts[district].append(bin_)
        words.update(w.strip("«»\"(),.№").lower()[:6] for w in name.split() if len(w) >= 5 and w.isalpha())
    return {"regions": {r: sorted(d) for r, d in regions.items()}, "districts": dict(districts),
            "queries": sorted(w for w in words if len(w) >= 4), "institutions": len(rows)}


# --- one locust run ------------------------------------------------------------------------

def run_locust(server: Server, journey: Path, params: Path | None, users: int, duration: int, args,
               run_dir: Path, label: str, meter_url: str | None) -> dict:
    """Locust headless against `server` for warm-up + duration seconds. Requests and CPU (the
    server, its PostgreSQL backends, locust) count only inside the measured window after the
    warm-up: the spawn ramp and each worker's first compression of the static files stay out."""
    log_path = run_dir / f"{label}-requests.tsv"
    env = {**os.environ, "LOAD_JOURNEY": str(journey), "LOAD_LOG": str(log_path),
           "LOAD_THINK_MIN": str(args.think[0]), "LOAD_THINK_MAX": str(args.think[1])}
    if params:
        env["LOAD_PARAMS"] = str(params)
    spawn_rate = args.spawn_rate or max(users / 10, 1)
    warmup = args.warmup if args.warmup is not None else (20 if duration >= 60 else 5)
    cmd = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--only-summary",
           "-u", str(users), "-r", str(spawn_rate), "-t", f"{warmup + duration + 2}s", "--stop-timeout", "0",
           "--host", server.base, "--csv", str(run_dir / label), "--loglevel", "WARNING"]
    meter = BackendMeter(meter_url) if meter_url else None
    server.log.flush()
    timeouts_before = server.log_path.read_text(errors="replace").count("WORKER TIMEOUT")

    def snapshot(locust_pid: int) -> dict:
        return {"t": time.time(), "app": server.cpu(), "pg_all": {p: cpu_seconds(p) or 0 for p in postgres_pids()},
                "loadgen": sum(cpu_seconds(p) or 0 for p in (locust_pid, *children(locust_pid)))}

    with open(run_dir / f"{label}-locust.log", "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        started = time.monotonic()
        time.sleep(warmup)
        before = snapshot(proc.pid)
        if meter:
            meter.start()
        time.sleep(max(duration - (time.monotonic() - started - warmup), 0))
        after = snapshot(proc.pid)
        backend_cpu = meter.stop() if meter else 0.0
        memory_end = server.memory()
        proc.wait()
    server.log.flush()
    timeouts = server.log_path.read_text(errors="replace").count("WORKER TIMEOUT") - timeouts_before
    return {"label": label, "users": users, "duration": duration, "warmup": warmup, "log": log_path,
            "window": (before["t"], after["t"]), "wall": after["t"] - before["t"],
            "app_cpu": after["app"] - before["app"], "backend_cpu": backend_cpu,
            # per process: one that exited in between is lost, one that started counts in full
            "postgres_all_cpu": sum(v - before["pg_all"].get(p, 0) for p, v in after["pg_all"].items()),
            "loadgen_cpu": after["loadgen"] - before["loadgen"],
            "memory": memory_end, "worker_timeouts": timeouts}


def read_log(path: Path) -> tuple[list[dict], list[dict]]:
    requests, steps = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 8:
                continue
            row = {"t": float(parts[0]), "name": parts[1], "ms": float(parts[2]), "status": int(parts[3]),
                   "ok": parts[4] == "1", "key": parts[5], "step": parts[6], "bytes": int(parts[7])}
            if not row["name"].startswith("retry "):  # counted from the gunicorn log side instead
                (steps if row["name"].startswith("step ") else requests).append(row)
            else:
                RETRIES[path] += 1
    return requests, steps


RETRIES: collections.Counter = collections.Counter()


def summarise(rows: list[dict], seconds: float) -> dict:
    ms = [r["ms"] for r in rows]
    return {"n": len(rows), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "max": max(ms) if ms else None, "rps": len(rows) / seconds if seconds else 0,
            "errors": sum(not r["ok"] for r in rows)}


def repeat_share(rows: list[dict], earlier: set[str] = frozenset()) -> float | None:
    """Share of requests identical (method, path, body) to an earlier one in the run (`earlier`:
    the warm-up's): the best hit ratio a cache shared by all workers, keyed by the view, could reach."""
    seen: set[str] = set(earlier)
    repeats = 0
    for r in sorted(rows, key=lambda r: r["t"]):
        repeats += r["key"] in seen
        seen.add(r["key"])
    return repeats / len(rows) if rows else None


def group(name: str) -> str:
    if name.startswith("callback "):
        return "Dash callbacks"
    if name == "static":
        return "static files (first visit)"
    if name.startswith("GET /api/v1"):
        return "JSON API"
    if name.startswith("GET /api/map") or name.startswith("GET /_dash"):
        return "map data, Dash layout"
    return "pages"


# --- report --------------------------------------------------------------------------------

def fmt(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def analyse(result: dict) -> dict:
    every, every_step = read_log(result["log"])
    lo, hi = result["window"]
    requests = [r for r in every if lo <= r["t"] <= hi]
    steps = [r for r in every_step if lo <= r["t"] <= hi]
    result["warmup_keys"] = {r["key"] for r in every if r["t"] < lo}
    result["warmup_requests"] = sum(r["t"] < lo for r in every)
    seconds = max(hi - lo, 1e-9)
    n = len(requests)
    server = result["app_cpu"] + result["backend_cpu"]
    result.update(requests=requests, steps=steps, seconds=seconds, all=summarise(requests, seconds),
                  cpu_ms=server * 1000 / n if n else None, app_cpu_ms=result["app_cpu"] * 1000 / n if n else None,
                  backend_cpu_ms=result["backend_cpu"] * 1000 / n if n else None,
                  postgres_all_ms=result["postgres_all_cpu"] * 1000 / n if n else None,
                  server_util=server / result["wall"] / (os.cpu_count() or 1),
                  loadgen_util=result["loadgen_cpu"] / result["wall"])
    return result


def by(rows: list[dict], key) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = collections.defaultdict(list)
    for r in rows:
        out[key(r)].append(r)
    return out


def report(floor: dict | None, levels: list[dict], args, run_dir: Path, params: dict | None) -> str:
    lines = [f"# Load test {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC", ""]
    db = args.database_url.rsplit("/", 1)[-1]
    load = os.getloadavg()
    lines += [f"Database `{db}` ({params['institutions'] if params else '?'} institutions); gunicorn --preload "
              f"-w {args.workers} --threads {args.threads} (gthread); think time {args.think[0]:g}–{args.think[1]:g} s "
              f"between steps; locust FastHttpUser, spawn rate {args.spawn_rate or 'users/10'}/s, "
              f"one process; {os.cpu_count()} cores; load average {args.load_start:.1f} before the run, "
              f"{load[0]:.1f} at the end"
              + (" (**load before the run**: something else ran, or had just stopped — the 1-minute"
                 " average decays slowly — so numbers may be pessimistic; the end value includes the run itself)."
                 if args.load_start > 0.5 * (os.cpu_count() or 1) else "."), ""]
    fl = floor["all"] if floor else None
    fl_cb = summarise([r for r in floor["requests"] if r["name"].startswith("callback")], floor["seconds"]) if floor else None
    fl_page = summarise([r for r in floor["requests"] if r["name"] == "GET /"], floor["seconds"]) if floor else None
    lines += ["| what | p50 ms | p95 ms | p99 ms | req/s | errors | CPU ms/request | floor | ratio |",
              "|---|---|---|---|---|---|---|---|---|"]

    def row(what, s, cpu, floor_text, ratio):
        lines.append(f"| {what} | {fmt(s['p50'], 1)} | {fmt(s['p95'], 1)} | {fmt(s['p99'], 1)} | {fmt(s['rps'], 1)} | "
                     f"{s['errors']} of {s['n']:,} | {fmt(cpu, 2)} | {floor_text} | {ratio} |")

    for result in levels:
        s = result["all"]
        floor_text = f"bare Dash, all requests: p95 {fmt(fl['p95'], 1)} ms, {fmt(floor['cpu_ms'], 2)} ms CPU" if fl else "—"
        ratio = (f"p95 {s['p95'] / fl['p95']:.1f}×, CPU {result['cpu_ms'] / floor['cpu_ms']:.1f}×"
                 if fl and fl["p95"] and floor["cpu_ms"] and result["cpu_ms"] else "—")
        row(f"app, {result['users']} visitors, all requests", s, result["cpu_ms"], floor_text, ratio)
        groups = by(result["requests"], lambda r: group(r["name"]))
        for name in ("pages", "Dash callbacks", "map data, Dash layout", "JSON API", "static files (first visit)"):
            if name in groups:
                gs = summarise(groups[name], result["seconds"])
                ref = fl_cb if name == "Dash callbacks" else fl_page if name == "pages" else None
                row(f"  {name}", gs, None,
                    f"bare {'callback' if name == 'Dash callbacks' else 'page'}: p95 {fmt(ref['p95'], 1)} ms" if ref else "",
                    f"p95 {gs['p95'] / ref['p95']:.1f}×" if ref and ref["p95"] else "")
    if floor:
        row(f"floor: bare Dash app, {floor['users']} visitors, all requests", fl, floor["cpu_ms"], "—", "—")
        row("  bare page `GET /`", fl_page, None, "—", "—")
        row("  bare callback", fl_cb, None, "—", "—")
    lines.append("")

    for result in levels:
        lines += [f"### {result['users']} visitors: server and load generator", "",
                  f"- measured window: {result['wall']:.0f} s after a {result['warmup']} s warm-up "
                  f"({result['warmup_requests']:,} requests, not counted); {result['all']['n']:,} requests, "
                  f"{len(result['steps']):,} journey steps completed in the window; "
                  f"{RETRIES[result['log']]:,} requests met a keep-alive connection the server had just closed "
                  f"and were sent again (as Chromium does); gunicorn worker timeouts: {result['worker_timeouts']}",
                  f"- server CPU: {result['app_cpu']:.1f} s gunicorn + {result['backend_cpu']:.1f} s PostgreSQL backends "
                  f"= {fmt(result['app_cpu_ms'], 2)} + {fmt(result['backend_cpu_ms'], 2)} ms/request; "
                  f"{result['server_util'] * 100:.0f} % of the machine's cores",
                  f"- every postgres process (ps -u postgres, includes other users of the machine): "
                  f"{result['postgres_all_cpu']:.1f} s = {fmt(result['postgres_all_ms'], 2)} ms/request",
                  f"- load generator (locust) CPU: {result['loadgen_cpu']:.1f} s = {result['loadgen_util'] * 100:.0f} % "
                  f"of one core" + (" — near its limit: the generator, not the server, may cap the rate"
                                    if result["loadgen_util"] > 0.8 else ""),
                  "- memory at the end (MB): " + "; ".join(
                      f"{m['role']} {m['pid']}: RSS {fmt(m['rss'])}, PSS {fmt(m['pss'])}" for m in result["memory"]),
                  ""]
    if floor:
        lines += [f"Floor run: server CPU {floor['app_cpu']:.1f} s, load generator {floor['loadgen_cpu']:.1f} s "
                  f"({floor['loadgen_util'] * 100:.0f} % of one core); memory (MB): " + "; ".join(
                      f"{m['role']} RSS {fmt(m['rss'])}, PSS {fmt(m['pss'])}" for m in floor["memory"]), ""]

    main = max(levels, key=lambda r: r["users"]) if levels else None
    for result in levels:
        lines += [f"### Per endpoint, {result['users']} visitors (exact percentiles from every request)", "",
                  "| name | requests | p50 ms | p95 ms | p99 ms | max ms | errors | repeat share | median bytes on the wire |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, rows in sorted(by(result["requests"], lambda r: r["name"]).items(), key=lambda kv: kv[0]):
            s = summarise(rows, result["seconds"])
            share = repeat_share(rows, result["warmup_keys"])
            lines.append(f"| {name} | {s['n']:,} | {fmt(s['p50'], 1)} | {fmt(s['p95'], 1)} | {fmt(s['p99'], 1)} | "
                         f"{fmt(s['max'], 1)} | {s['errors']} | {share * 100:.0f} % | "
                         f"{fmt(percentile([r['bytes'] for r in rows], 50))} |")
        lines += ["", "Journey steps (first request sent → last answer, think time excluded):", "",
                  "| step | completed | p50 ms | p95 ms |", "|---|---|---|---|"]
        for name, rows in by(result["steps"], lambda r: r["step"]).items():
            s = summarise(rows, result["seconds"])
            lines.append(f"| {name} | {s['n']:,} | {fmt(s['p50'], 1)} | {fmt(s['p95'], 1)} |")
        overall = repeat_share([r for r in result["requests"] if r["name"] != "static"], result["warmup_keys"]) or 0
        lines += ["", f"Repeat share of all non-static requests: {overall * 100:.0f} % (a request identical to an "
                  "earlier one in this run: the most a cache shared by all workers, keyed by the view, could hit; "
                  "a per-process cache hits less).", ""]
    if len(levels) > 1:
        lines += ["### Saturation", "",
                  "Visitor actions (journey steps) completed per second measure throughput: requests per second "
                  "depend on the mix (with more visitors a larger share are first-visit script downloads).", "",
                  "| visitors | steps/s | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU % of cores | "
                  "CPU ms/request |", "|---|---|---|---|---|---|---|---|---|"]
        for result in levels:
            s = result["all"]
            lines.append(f"| {result['users']} | {fmt(len(result['steps']) / result['seconds'], 2)} | "
                         f"{fmt(s['rps'], 1)} | {fmt(s['p50'], 1)} | {fmt(s['p95'], 1)} | "
                         f"{fmt(s['p99'], 1)} | {s['errors']} | {result['server_util'] * 100:.0f} % | {fmt(result['cpu_ms'], 2)} |")
        def rate(r):
            return len(r["steps"]) / r["seconds"]

        best = max(levels, key=rate)
        plateau = next(r for r in levels if rate(r) >= 0.9 * rate(best))
        errors = sum(r["all"]["errors"] for r in levels)
        if plateau is main:
            lines += ["", f"Throughput still rises at {main['users']} visitors ({fmt(rate(main), 2)} steps/s): "
                      f"no plateau within the levels run; errors {errors}.", ""]
        else:
            lines += ["", f"Throughput reaches 90 % of its highest ({fmt(rate(best), 2)} steps/s) at "
                      f"{plateau['users']} visitors; more visitors only wait longer: p95 "
                      f"{fmt(plateau['all']['p95'], 0)} ms at {plateau['users']}, {fmt(main['all']['p95'], 0)} ms at "
                      f"{main['users']}; errors {errors}.", ""]
    lines += [f"Files: {run_dir.relative_to(ROOT) if run_dir.is_relative_to(ROOT) else run_dir}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", default="100", help="visitors; a comma list (100,200,300) runs each level in turn")
    parser.add_argument("--duration", type=int, default=120, help="seconds per level")
    parser.add_argument("--spawn-rate", type=float, default=None, help="visitors started per second (default users/10)")
    parser.add_argument("--think", default="1-3", help="seconds between a visitor's steps, uniform (default 1-3)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=None,
                        help="seconds before the measured window (default 20, or 5 when --duration < 60)")
    parser.add_argument("--floor-duration", type=int, default=None, help="seconds of the bare Dash floor run (default: --duration)")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare Dash floor")
    parser.add_argument("--record", action="store_true", help="re-record both journeys from Chromium first")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout whose app:server is measured (default: this one)")
    parser.add_argument("--boundaries", type=Path, default=SHARED_BOUNDARIES if SHARED_BOUNDARIES.exists() else None)
    parser.add_argument("--redis-url", default="", help="RATELIMIT_STORAGE_URI and REDIS_URL for the app (default: none)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the markdown report here")
    args = parser.parse_args(argv)
    args.think = tuple(float(x) for x in args.think.split("-"))
    args.app_dir = args.app_dir.resolve()
    levels_users = [int(u) for u in args.users.split(",")]
    args.load_start = os.getloadavg()[0]
    if args.seed is not None:
        random.seed(args.seed)
    run_dir = ROOT / "var" / "load" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True)
    (run_dir / "var").mkdir()
    names = callback_names(args.app_dir, with_app_name(args.database_url), run_dir / "var")
    why = "--record" if args.record else stale(APP_JOURNEY, names) or (None if BARE_JOURNEY.exists() else "no bare journey")
    if why:
        print(f"recording the journeys from Chromium ({why})")
        record_journeys(args, run_dir, names)
    params = visitor_params(args.database_url)
    params_path = run_dir / "params.json"
    params_path.write_text(json.dumps(params, ensure_ascii=False), encoding="utf-8")
    meter_url = psycopg_url(args.database_url.split("?")[0]) if args.database_url.startswith("postgresql") else None

    floor = None
    if not args.no_floor:
        server = Server("bench.load.bare_app:server", args, run_dir, "bare")
        try:
            floor = analyse(run_locust(server, floor_journey(run_dir), None, levels_users[0], args.floor_duration or args.duration,
                                       args, run_dir, "bare", None))
        finally:
            server.stop()
    levels = []
    server = Server("app:server", args, run_dir, "app")
    try:
        for users in levels_users:
            levels.append(analyse(run_locust(server, APP_JOURNEY, params_path, users, args.duration, args, run_dir,
                                             f"app-{users}", meter_url)))
    finally:
        server.stop()
    text = report(floor, levels, args, run_dir, params)
    (run_dir / "report.md").write_text(text, encoding="utf-8")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
