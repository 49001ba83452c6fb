"""Run one whole process and measure it, for the benchmarks in this folder."""

from __future__ import annotations

import os
import subprocess
import time


def measure(command: list[str], env: dict[str, str] | None = None, poll=None) -> tuple[float, float, float]:
    """Wall seconds, peak resident MiB and CPU seconds (user + system, its threads included) of one whole
    process (output discarded); exits on failure. ``poll`` (if given) is called every 0.1 s while it runs."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **env} if env else None
    )
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG if poll else 0)
        if pid:
            break
        poll()
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(command)}\n{process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one whole process (output discarded); exits on failure."""
    wall, mib, _ = measure(command)
    return wall, mib
