"""Locust user replaying a recorded journey (run by bench/load/run.py; not meant to be run alone).

Each journey is a new visitor: an empty cookie jar, its own region, district, institution and
search word (bench/load/journey.py), the first page's static files (an empty browser cache).
Steps are separated by a think time; inside a step, the requests the browser had in flight
together are sent concurrently (up to 6 connections, as Chromium per host), the next wave only
after the previous one answered. Every request is also written to LOAD_LOG (tab-separated:
time, name, ms, status, ok, request key, step, bytes
# on the wire) so run.py computes exact percentiles and repeat ratios.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

import gevent
from gevent.pool import Pool
from geventhttpclient.response import HTTPParseError
from locust import FastHttpUser, events, task
from locust.contrib.fasthttp import FastResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.load.journey import fill, pick_visitor  # noqa: E402

JOURNEY = json.loads(Path(os.environ["LOAD_JOURNEY"]).read_text(encoding="utf-8"))
PARAMS = json.loads(Path(os.environ["LOAD_PARAMS"]).read_text(encoding="utf-8")) if os.environ.get("LOAD_PARAMS") else None
THINK = (float(os.environ.get("LOAD_THINK_MIN", "1")), float(os.environ.get("LOAD_THINK_MAX", "3")))
LOG = open(os.environ["LOAD_LOG"], "w", encoding="utf-8", buffering=1 << 16)  # noqa: SIM115 - closed at test_stop
BROWSER_CONNECTIONS = 6
# What a request sent on a connection the server has just closed meets (no answer, or the close
# read as a truncated one).
IDLE_CLOSED = (HTTPParseError, ConnectionResetError, BrokenPipeError)
# Each try may pick another idle pooled connection that the server has closed too.
TRIES = BROWSER_CONNECTIONS + 1


def _wire_bytes(self):
    """The body as it came over the wire, never decompressed: the load generator does not pay for
    decoding (and geventhttpclient cannot decode zstd, which the app sends to Chromium)."""
    if self.headers is None:
        return None
    body = self._response.read()
    self.release()
    return body


FastResponse._content = _wire_bytes


@events.test_stop.add_listener
def _close_log(**_kwargs):
    LOG.flush()


class Visitor(FastHttpUser):
    concurrency = BROWSER_CONNECTIONS
    insecure = False

    def wait_time(self):
        return random.uniform(*THINK)

    def _send(self, request: dict, values: dict, step: str) -> None:
        path = fill(request["path"], values, in_url=True)
        body = fill(request["body"], values) if request["body"] is not None else None
        key = hashlib.blake2b(f"{request['method']} {path} {body}".encode(), digest_size=8).hexdigest()
        started = time.perf_counter()
        for attempt in range(1, TRIES + 1):
            with self.client.request(request["method"], path, data=body.encode() if body is not None else None,
                                     headers=request["headers"], name=request["name"], catch_response=True,
                                     allow_redirects=False) as response:
                status = response.status_code or 0
                size = len(response.content or b"")
                # gunicorn closes a keep-alive connection after 2 idle seconds, while a visitor
                # thinks for 1-3 s: a request sent on it just then finds it closed. Chromium sends
                # a request that failed so on a reused connection again; so does the visitor here
                # (each failed try is logged as a retry, not an error; the request's time
                # includes them).
                if status == 0 and attempt < TRIES and isinstance(response.error, IDLE_CLOSED):
                    response.failure("idle keep-alive connection closed by the server (retried)")
                    LOG.write(f"{time.time():.3f}\tretry {request['name']}\t0\t0\t1\t-\t{step}\t0\n")
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                # Any success or redirect is fine (204: a callback with nothing to update for this
                # visitor's values); a client error only where the browser got the same one.
                ok = 200 <= status < 400 or (status == request["status"] and 400 <= status < 500)
                if not ok:
                    response.failure(f"status {status} ({response.error!r}), recorded {request['status']}")
            break
        LOG.write(f"{time.time():.3f}\t{request['name']}\t{elapsed:.2f}\t{status}\t{int(ok)}\t{key}\t{step}\t{size}\n")

    @task
    def journey(self):
        self.client.cookiejar.clear()  # a new visitor
        values = pick_visitor(PARAMS, random) if PARAMS else {}
        for i, step in enumerate(JOURNEY["steps"]):
            if i:
                gevent.sleep(random.uniform(*THINK))
            started = time.perf_counter()
            for wave in step["waves"]:
                if len(wave) == 1:
                    self._send(wave[0], values, step["name"])
                else:
                    pool = Pool(BROWSER_CONNECTIONS)
                    for request in wave:
                        pool.spawn(self._send, request, values, step["name"])
                    pool.join()
            LOG.write(f"{time.time():.3f}\tstep {step['name']}\t{(time.perf_counter() - started) * 1000:.2f}"
                      f"\t0\t1\t-\t{step['name']}\t0\n")
