"""Benchmark `tradecli fetch comtrade`: start-up with the fetch command mounted, and a fetch from a
local server that replays the recorded Comtrade answer, from the network and then from the cache.

    .venv/bin/python bench/fetch.py [--runs 5]

Never reaches the internet: the server is the tests' replay server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _process import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import test_fetch  # the replay server

    replay = test_fetch.Replay()
    httpd = test_fetch._Server(("127.0.0.1", 0), test_fetch._handler(replay))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    tradecli = [sys.executable, "-m", "tradecli"]
    print(f"{'what':58} {'median s':>9} {'peak MiB':>9}")
    for label, command in (
        ("tradecli --help", [*tradecli, "--help"]),
        ("tradecli fetch comtrade --help", [*tradecli, "fetch", "comtrade", "--help"]),
    ):
        results = [run(command) for _ in range(args.runs)]
        print(f"{label:58} {statistics.median(w for w, _ in results):9.3f} {max(m for _, m in results):9.1f}")
    question = ["fetch", "comtrade", "-r", "china", "--partner", "argentina,germany", "-p", "2001..2030", "-q"]
    for label, extra, interval in (
        ("fetch, 3 calls, from the network (interval 0 s)", ["--refresh"], "0"),
        ("fetch, 3 calls, from the cache", [], "0"),
        ("fetch, 3 calls, from the network (default interval 1 s)", ["--refresh"], ""),
    ):
        with tempfile.TemporaryDirectory() as cache:
            os.environ.update(TRADECLI_COMTRADE_URL=url, TRADECLI_CACHE_DIR=cache, TRADECLI_COMTRADE_INTERVAL=interval)
            run([*tradecli, *question, "-o", os.devnull])  # fill the cache
            results = [run([*tradecli, *question, *extra, "-o", os.devnull]) for _ in range(args.runs if interval else 1)]
        print(f"{label:58} {statistics.median(w for w, _ in results):9.3f} {max(m for _, m in results):9.1f}")
    httpd.shutdown()


if __name__ == "__main__":
    main()
