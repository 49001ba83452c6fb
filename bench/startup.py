"""Benchmark: start-up of `tradecli balance peru` and `tradecli --help` against `python -c "import pandas"`.

Usage:  python bench/startup.py [--runs 15] [--venv DIR]

Installs the project (not editable, so its bytecode is compiled as a user's install is) into a
fresh venv, or uses ``--venv`` if given, then runs the three whole processes alternately
(A B C A B C ...) and prints each one's median wall and CPU (user + system) seconds and the
ratios to the `import pandas` floor. CPU time is the steadier figure on a shared machine.
Targets (issue 10): balance peru <= 1.15x, --help <= 0.5x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str], cwd: str) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (output discarded); exits on failure."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--venv", help="an existing venv with tradecli installed (default: a fresh one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(args.venv) if args.venv else Path(tmp) / "venv"
        if not args.venv:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True)
        python, tradecli = str(venv / "bin" / "python"), str(venv / "bin" / "tradecli")
        commands = {
            "import pandas": [python, "-c", "import pandas"],
            "tradecli balance peru": [tradecli, "balance", "peru", "--format", "csv"],
            "tradecli --help": [tradecli, "--help"],
        }
        for command in commands.values():  # warm-up: file cache
            run(command, tmp)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(run(command, tmp))
    floor_wall = statistics.median(w for w, _ in times["import pandas"])
    floor_cpu = statistics.median(c for _, c in times["import pandas"])
    print(f"{args.runs} runs each, alternating")
    print(f"{'command':24}{'wall s':>8}{'cpu s':>8}{'wall x':>8}{'cpu x':>8}")
    for name, pairs in times.items():
        wall, cpu = statistics.median(w for w, _ in pairs), statistics.median(c for _, c in pairs)
        print(f"{name:24}{wall:8.3f}{cpu:8.3f}{wall / floor_wall:8.2f}{cpu / floor_cpu:8.2f}")


if __name__ == "__main__":
    main()
