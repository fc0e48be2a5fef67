"""`dm-bot serve --processes N`: N copies of the service on one port, over one database.

Python runs one request at a time per process; a second process uses the machine's second core. Each
copy is a whole `serve` (webhooks, workers, scheduler, inbox) bound with SO_REUSEPORT, so the kernel
spreads connections among them. Nothing that matters lives in one process's memory: an event is
stored before it is acknowledged, a decision commits only from the conversation's latest version,
timers and outbox rows are claimed under leases. Copy 0 alone polls Telegram (getUpdates allows one
reader). The metrics of all copies are summed through prometheus-client's multiprocess directory.

This supervisor migrates the database once, starts the copies, restarts one that dies (a copy that
fails at start-up stops them all, with its exit code), and passes SIGTERM and SIGINT on.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from types import FrameType

log = logging.getLogger(__name__)

METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client reads it when first imported
START_GRACE = 10.0  # seconds: a copy that exits with an error sooner failed to start
STOP_GRACE = 30.0


class Supervisor:
    def __init__(self, command: Callable[[int], Sequence[str]], processes: int,
                 environ: dict[str, str] | None = None) -> None:
        self._command = command
        self._count = processes
        self._environ = dict(os.environ if environ is None else environ)
        self._children: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        self._stopping = False

    def _spawn(self, index: int, env: dict[str, str]) -> None:
        child = subprocess.Popen(list(self._command(index)), env=env)
        self._children[index] = (child, time.monotonic())

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        metrics_dir = tempfile.mkdtemp(prefix="dm-bot-metrics-")
        env = {**self._environ, METRICS_DIR_VARIABLE: metrics_dir}
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        code = 0
        try:
            for index in range(self._count):
                self._spawn(index, env)
            code = self._watch(env)
        finally:
            self._terminate_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            shutil.rmtree(metrics_dir, ignore_errors=True)
        return code

    def _watch(self, env: dict[str, str]) -> int:
        delay = 1.0
        while not self._stopping:
            time.sleep(0.2)
            for index, (child, started) in list(self._children.items()):
                code = child.poll()
                if code is None or self._stopping:
                    continue
                if code > 0 and time.monotonic() - started < START_GRACE:  # not killed: it gave up
                    print(f"dm-bot serve: process {index} failed to start (exit {code}); stopping",
                          file=sys.stderr)
                    return code or 1
                log.error("serve process %d exited with %s; restarting it in %.0f s", index, code, delay)
                self._pause(delay)
                delay = min(delay * 2, 30.0)
                if not self._stopping:
                    self._spawn(index, env)
        return 0

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake for SIGTERM: a restart's back-off never delays a stop."""
        until = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < until:
            time.sleep(0.1)

    def _terminate_all(self) -> None:
        for child, _ in self._children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child, _ in self._children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
