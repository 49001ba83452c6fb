"""Hostile places (issue 9, parts 2, 3, 4 and 7): -o writes a plain file of its own or refuses,
never over the data it reads; streams are bounded; every way the world can fail is one line.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
CSV_ROW = "IND,PER,2024,calendar,USD,933,4690,5623,-3757,"  # exports and imports as the article gives them


def run(*args, cwd=None, stdin=subprocess.DEVNULL, env=None, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tradecli", *map(str, args)], cwd=cwd, env=env or ENV, stdin=stdin,
        stdout=stdout, stderr=subprocess.PIPE, timeout=60,
    )  # fmt: skip


def one_line(result, code: int) -> str:
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert err.startswith("Error: ")
    return err


# --- part 2: -o writes a plain file of its own, or refuses ---------------------------------


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert run("balance", "peru", "-o", link).returncode == 0
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert CSV_ROW in target.read_text()


def test_a_fifo_reader_gets_the_data(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = run("balance", "peru", "-o", fifo)
    out = reader.communicate(timeout=30)[0].decode()
    assert result.returncode == 0, result.stderr
    assert CSV_ROW in out
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_stays_a_device():
    assert run("balance", "peru", "-o", "/dev/null").returncode == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("name", ["somedir", "somedir/", "missing/"])
def test_a_directory_is_refused_with_exit_2(tmp_path, name):
    (tmp_path / "somedir").mkdir()
    err = one_line(run("balance", "peru", "-o", name, cwd=tmp_path), 2)
    assert "directory" in err
    assert not (tmp_path / "missing").exists()


def test_rewriting_keeps_the_permission_bits(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    assert run("balance", "peru", "-o", target).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert CSV_ROW in target.read_text()


def test_a_name_near_the_255_byte_limit_works(tmp_path):
    target = tmp_path / ("x" * 251 + ".csv")
    result = run("balance", "peru", "-o", target)
    assert result.returncode == 0, result.stderr
    assert CSV_ROW in target.read_text()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_o_leaves_no_temporary_file(tmp_path, sig):
    # A writer stopped half-way inside open_output (as tradecli is while it writes -o) gets the signal.
    process = subprocess.Popen(
        # SIGINT as on a terminal: a shell that starts a job in the background sets it to be ignored, and Python inherits that.
        [sys.executable, "-c", "import signal,sys,time; from tradecli.render.output import open_output\n"
         "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
         "with open_output(sys.argv[1]) as out:\n out.write('partial'); out.flush()\n"
         " print('ready', file=sys.stderr, flush=True); time.sleep(30)",
         str(tmp_path / "out.csv")],
        env=ENV, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr.readline().strip() == b"ready"
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # the temporary file exists now
    process.send_signal(sig)
    process.wait(timeout=30)
    process.stderr.close()
    assert list(tmp_path.iterdir()) == []


# --- part 3: never over the data the command reads, bundled included -----------------------


@pytest.mark.parametrize("name", ["flows.csv", "fx.csv", "names.csv", "datapackage.json"])
def test_bundled_data_is_never_overwritten(name):
    from tradecli import bundled

    path = bundled.path(name)
    before = path.read_bytes()
    err = one_line(run("balance", "peru", "-o", path), 2)
    assert "bundled" in err
    assert path.read_bytes() == before


def test_the_input_is_never_overwritten_even_through_a_link(tmp_path):
    data = tmp_path / "mine.csv"
    data.write_bytes((ROOT / "data" / "flows.csv").read_bytes())
    before = data.read_bytes()
    (tmp_path / "hard.csv").hardlink_to(data)
    (tmp_path / "soft.csv").symlink_to(data)
    for target in ("mine.csv", "hard.csv", "soft.csv"):
        one_line(run("balance", "peru", "--data", "mine.csv", "-o", target, cwd=tmp_path), 2)
    assert data.read_bytes() == before


# --- part 4: bounded reads -------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_at_once(device):
    start = time.monotonic()
    err = one_line(run("balance", "--data", device), 1)
    assert "not a regular file" in err
    assert time.monotonic() - start < 20


@pytest.mark.parametrize(("endless", "said"), [(["cat", "/dev/zero"], "NUL"), (["yes", "IND,PER,export,2024,USD,1,s,q"], "MiB")])
def test_an_endless_stream_stops_at_the_limit(endless, said):
    # Zeros stop at the first block (binary); endless good rows at the stream limit.
    stream = subprocess.Popen(endless, stdout=subprocess.PIPE)
    err = one_line(run("balance", "--data", "-", stdin=stream.stdout), 1)
    stream.kill()
    stream.wait()
    stream.stdout.close()
    assert said in err


# --- part 7: every way the world can fail is one line ------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "xlsx"])
def test_a_full_disk_is_one_line(fmt):
    with open("/dev/full", "w") as full:
        err = one_line(run("balance", "peru", "-f", fmt, "-o", "-", stdout=full) if fmt == "xlsx" else
                       run("balance", "peru", "-f", fmt, stdout=full), 1)  # fmt: skip
    assert "No space left" in err
    err = one_line(run("balance", "peru", "-f", fmt, "-o", "/dev/full"), 1)
    assert "/dev/full" in err


def test_closed_stdout_and_stdin_are_one_line():
    result = subprocess.run(
        f"{sys.executable} -m tradecli balance peru >&-", shell=True, env=ENV, capture_output=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.decode().count("\n") == 1, result.stderr
    result = subprocess.run(
        f"{sys.executable} -m tradecli balance --data - <&-", shell=True, env=ENV, capture_output=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    assert "standard input is closed" in result.stderr.decode()


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_reader_that_leaves_the_pipe_is_exit_0(engine):
    for fmt in ("xlsx", "csv"):
        result = subprocess.run(
            f"{sys.executable} -m tradecli balance -f {fmt} -o - | head -c10 >/dev/null; exit ${{PIPESTATUS[0]}}",
            shell=True, executable="/bin/bash", env={**ENV, "TRADECLI_ENGINE": engine}, capture_output=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stderr == b""


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "latin-1"}, {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}])
def test_a_non_utf8_stdout_is_one_line_and_help_works(env):
    environment = {**ENV, **env}
    err = one_line(run("sources", "peru", "-f", "csv", env=environment), 1)  # the quotes hold '’'
    assert "PYTHONIOENCODING=utf-8" in err
    result = run("--help", env=environment)
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr
