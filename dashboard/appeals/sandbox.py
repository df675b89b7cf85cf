"""Attachment checks in a child process with hard limits, so no file can take the worker down.

A crafted photo or video can cost a minute of CPU or hundreds of MB to decode or walk (a
progressive JPEG repeating its last scan, a WebM Segment of millions of tiny Void elements).
`check_in_sandbox` forks the worker, and the child runs `files.check_and_write` under
RLIMIT_CPU and RLIMIT_AS with a wall-clock deadline; on any limit the child dies (or is
killed) and the file is refused with reason "too_complex".

Why os.fork and not a fresh interpreter: the child needs nothing sent to it (it inherits the
upload's open file and the loaded modules), so the overhead is ~10-20 ms per file (measured) instead of
the ~120 ms of starting Python and importing Pillow. The child touches only Pillow and files
and always leaves with os._exit, so it never runs the parent's atexit hooks, flushes its
buffers or closes its database sockets. Gunicorn's sync workers are single-threaded, so no
lock can be held by another thread at the fork.
"""
from __future__ import annotations

import logging
import os
import pickle
import resource
import select
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dashboard.appeals import files
from dashboard.appeals.files import CheckedFile, FileRejected

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    """Limits for checking one file: CPU seconds (photos; videos and PDFs), extra address
    space for the child in MB, wall-clock seconds, and the largest photo in megapixels."""

    photo_cpu_seconds: int = 3
    video_cpu_seconds: int = 4
    memory_mb: int = 1024
    wall_seconds: float = 5.0
    max_megapixels: int = 60


def _vm_bytes() -> int:
    """The process's current address space (the forked child starts with the parent's)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _child(write_fd: int, stream: BinaryIO, out_path: Path, cpu: int, budget: Budget, limits: dict) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                signal.SIGXCPU, signal.SIGCHLD, signal.SIGWINCH):
        signal.signal(sig, signal.SIG_DFL)  # the parent's (gunicorn's) handlers must not run here
    os.nice(5)  # visitors' requests on the same machine get the CPU first
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL a second later
    resource.setrlimit(resource.RLIMIT_AS, (_vm_bytes() + budget.memory_mb * 1024 * 1024,) * 2)
    files.Image.MAX_IMAGE_PIXELS = budget.max_megapixels * 1_000_000
    try:
        stream.seek(0)
        result = ("ok", files.check_and_write(stream, out_path, **limits))
    except FileRejected as exc:
        result = ("rejected", exc.reason, str(exc))
    except MemoryError:
        result = ("memory",)
    except BaseException:  # noqa: BLE001 - reported to the parent, which logs it
        result = ("error", traceback.format_exc())
    try:
        os.write(write_fd, pickle.dumps(result))
    finally:
        os._exit(0)


def _read_result(read_fd: int, deadline: float) -> bytes | None:
    """Everything the child writes before it exits, or None when the deadline passes first."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_fd], [], [], left)[0]:
            return None
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def check_in_sandbox(stream: BinaryIO, out_path: Path, budget: Budget, **limits) -> CheckedFile:
    """`files.check_and_write` in a forked child under `budget`; same result or FileRejected."""
    head = stream.read(16)
    stream.seek(0)
    cpu = budget.photo_cpu_seconds if files.sniff(head) == "photo" else budget.video_cpu_seconds
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (measured by the parent's tests)
        os.close(read_fd)
        _child(write_fd, stream, out_path, cpu, budget, limits)
    os.close(write_fd)
    try:
        data = _read_result(read_fd, started + budget.wall_seconds)
    finally:
        os.close(read_fd)
        if data is None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - started
    if not data:
        why = "the wall-clock limit" if data is None else f"exit status {status}"
        log.warning("attachment check stopped after %.1f s (%s)", elapsed, why)
        raise FileRejected("too_complex", f"the file could not be checked within {budget.wall_seconds:g} s and "
                                          f"{cpu} s of CPU")
    result = pickle.loads(data)
    if result[0] == "ok":
        return result[1]
    if result[0] == "rejected":
        raise FileRejected(result[1], result[2])
    if result[0] == "memory":
        raise FileRejected("too_complex", f"the file needs more than {budget.memory_mb} MB to check")
    log.error("attachment check failed:\n%s", result[1])
    raise FileRejected("broken", "the file could not be checked")
