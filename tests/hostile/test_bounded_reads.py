"""Bounded reads (issue 9, part 4): endless, huge or deep input is one line, exit 1, in bounded memory and time.

Sparse files stand for huge ones (they cost no disk and no time to make); a record past the
limit is shown with the real limit on an 8 MiB line and, in-process, with a small limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradecli import official
from tradecli.cli import app
from tradecli.read import flows, screen

ROOT = Path(__file__).resolve().parents[2]
HEADER = b"id,reporter,partner,flow,period,currency,value,status,source,quote,note\n"
ROW = b"a,IND,PER,export,2024,USD,1,reported,s,q,\n"
ENGINES = ["pandas", "duckdb"]
pytest.importorskip("duckdb")


# Runs the command and reports its own peak memory on a last stderr line (os.wait4: that child's alone).
MEASURE = (
    "import os, subprocess, sys; child = subprocess.Popen(sys.argv[1:]); _, status, usage = os.wait4(child.pid, 0); "
    "sys.stderr.write(f'peak-kib={usage.ru_maxrss}'); sys.exit(os.waitstatus_to_exitcode(status))"
)


def run(*args: str, engine: str = "auto", stdin: bytes | None = None) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run tradecli in a child process: the result, the seconds it took, the child's peak memory in MiB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRADECLI_ENGINE": engine}
    before = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "tradecli", *args], env=env, input=stdin,
        capture_output=True, timeout=60, stdin=None if stdin is not None else subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.monotonic() - before
    stderr, _, peak = result.stderr.rpartition(b"peak-kib=")
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout, stderr), seconds, int(peak) >> 10


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    """One line on stderr, exit 1; the words in it (for validate, in its report on stdout)."""
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "MemoryError" not in stderr
    (line,) = stderr.strip().splitlines()
    said = result.stdout.decode() if line.endswith(" warnings") else line  # validate: "FILE: 1 error, 0 warnings"
    for word in words:
        assert word in said
    return line


@pytest.fixture
def sparse(tmp_path) -> Path:
    """A 2 GiB file of NUL bytes that takes no disk."""
    path = tmp_path / "sparse.csv"
    with open(path, "wb") as handle:
        handle.truncate(2 * 2**30)
    return path


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_before_a_byte_is_read(device, engine):
    for args in (["validate", device, "-f", "csv"], ["balance", "--data", device], ["balance", "peru", "--data", device]):
        result, seconds, peak = run(*args, engine=engine)
        one_line_error(result, device, "not a regular file")
        assert seconds < 20
        assert peak < 600


@pytest.mark.parametrize("engine", [*ENGINES, "auto"])
def test_a_2_gib_sparse_file_stops_at_its_first_block(sparse, engine):
    for args in (["validate", str(sparse), "-f", "csv"], ["balance", "peru", "--data", str(sparse)]):
        result, seconds, peak = run(*args, engine=engine)
        one_line_error(result, "NUL", ",1," if args[0] == "validate" else "line 1")
        assert seconds < 20
        assert peak < 600  # the file is 2048 MiB


@pytest.mark.parametrize("engine", ENGINES)
def test_a_line_past_the_limit_is_refused_naming_the_limit(tmp_path, engine):
    path = tmp_path / "long.csv"
    path.write_bytes(HEADER + ROW + b"x" * (2 * screen.MAX_RECORD_BYTES) + b"\n" + ROW)
    result, _, _ = run("balance", "peru", "--data", str(path), engine=engine)
    one_line_error(result, "line 3", f"longer than {screen.MAX_RECORD_BYTES >> 20} MiB", "limit")
    result, _, _ = run("validate", str(path), "-f", "csv", engine=engine)
    assert result.returncode == 1
    assert b"record-too-long" in result.stdout


def test_an_endless_line_on_standard_input_stops_at_the_limit():
    result, seconds, peak = run("balance", "--data", "-", stdin=HEADER + b"y" * (3 * screen.MAX_RECORD_BYTES))
    one_line_error(result, "line 2", "longer than")
    assert seconds < 20


@pytest.mark.parametrize("engine", ENGINES)
def test_a_quoted_cell_past_the_limit_is_refused_by_both_engines(tmp_path, monkeypatch, engine):
    monkeypatch.setattr(screen, "MAX_RECORD_BYTES", 4096)
    monkeypatch.setenv("TRADECLI_ENGINE", engine)
    path = tmp_path / "cell.csv"
    cell = b'"' + b"line\n" * 2000 + b'"'  # short lines, one long cell
    path.write_bytes(HEADER + ROW + b"b,IND,CHL,export,2024,USD,1,reported,s," + cell + b",\n")
    (problem,) = flows.check([path])
    assert (problem.code, problem.line, problem.message) == (
        "record-too-long", 3,
        "a record longer than 4096 bytes, the limit on a line or a quoted cell (an unclosed quote, or not a CSV file?)",
    )  # fmt: skip


def test_a_file_past_the_pandas_limit_is_refused_after_it_is_screened(tmp_path, monkeypatch):
    monkeypatch.setattr(flows, "MAX_TABLE_BYTES", 1000)
    monkeypatch.setenv("TRADECLI_ENGINE", "pandas")
    path = tmp_path / "big.csv"
    path.write_bytes(HEADER + ROW * 100)
    result = CliRunner().invoke(app, ["balance", "--data", str(path)])
    assert result.exit_code == 1
    assert "the most the pandas engine reads" in result.stderr
    path.write_bytes(HEADER + ROW * 50 + b"\x00" + ROW * 50)  # a content problem is still named as such
    result = CliRunner().invoke(app, ["balance", "--data", str(path)])
    assert "NUL" in result.stderr


def test_json_nested_100000_deep_is_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    result, seconds, peak = run("import", "comtrade", str(path))
    one_line_error(result, "nested too deep")
    assert seconds < 20


def test_an_official_file_past_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(official.MAX_IMPORT_BYTES + 1)
    result, seconds, peak = run("import", "comtrade", str(path))
    one_line_error(result, f"more than {official.MAX_IMPORT_BYTES >> 20} MiB")
    assert peak < 600


@pytest.mark.parametrize("kind", ["comtrade", "tradestat"])
def test_an_official_device_is_refused(kind):
    result, _, _ = run("import", kind, "/dev/zero", *(["--currency", "USD", "--period", "2024"] if kind == "tradestat" else []))
    one_line_error(result, "not a regular file")
