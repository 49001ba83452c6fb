"""No terminal escape from data (issue 9, part 6), seen through a real pseudo-terminal.

A file's cells carry an OSC title change, a clear-screen CSI, a C1 CSI and a right-to-left
override. tradecli runs with its stdout and stderr on a pty, as on a user's screen; none of
those byte sequences may reach it, in tables, footnotes, the sources view, the text chart,
warnings, errors or validate's report. Rich's own styling escapes may appear; the data's may not.
"""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import read_terminal

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = "\x1b]0;pwned\x07 \x1b[2J \x9b31m \u202etxt.exe"
FORBIDDEN = [b"\x1b]0;pwned", b"\x1b[2J", "\x9b".encode(), "\u202e".encode(), b"\x07"]
HEADER = ["id", "reporter", "partner", "flow", "period", "currency", "value", "status", "source", "quote", "note"]


def _write(path: Path, rows: list[list]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerows([HEADER, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _on_a_terminal(*args: str, cwd: Path) -> tuple[int, bytes]:
    """Run tradecli with stdout and stderr on a pseudo-terminal; return its exit code and every byte it showed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tradecli", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
    )
    os.close(follower)
    shown = read_terminal(leader, process)
    return process.wait(timeout=30), shown


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("terminal")
    return _write(
        tmp / "hostile.csv",
        [
            ["t1", "IND", "PER", "export", "2024", "USD", "933", "reported", PAYLOAD, PAYLOAD, PAYLOAD],
            ["t2", "IND", "PER", "import", "2024", "USD", "4690", "approximate", PAYLOAD, PAYLOAD, ""],
        ],
    )


@pytest.mark.parametrize(
    "command",
    [["balance", "peru"], ["sources", "peru"], ["chart", "peru"], ["compare", "peru", "--years"], ["partners"]],
    ids=lambda c: " ".join(c),
)
def test_no_escape_from_data_reaches_the_terminal(hostile, command):
    code, shown = _on_a_terminal(*command, "--data", str(hostile), cwd=hostile.parent)
    assert code == 0, shown.decode(errors="replace")
    assert b"\\x1b]0;pwned" in shown or command[0] in ("balance", "compare", "chart", "partners")  # shown escaped
    for sequence in FORBIDDEN:
        assert sequence not in shown, (sequence, shown)


def test_no_escape_in_errors_and_validate(hostile):
    row = ["b1", "IND", PAYLOAD, "export", PAYLOAD, "USD", PAYLOAD, "reported", "s", "q", ""]
    bad = _write(hostile.parent / "bad.csv", [row])
    code, shown = _on_a_terminal("validate", str(bad), cwd=hostile.parent)
    assert code == 1
    assert b"\\x1b" in shown  # the value is shown, escaped
    for sequence in FORBIDDEN:
        assert sequence not in shown, (sequence, shown)
    code, shown = _on_a_terminal("balance", "--data", str(bad), cwd=hostile.parent)
    assert code == 1
    assert shown.count(b"Error: ") == 1
    for sequence in FORBIDDEN:
        assert sequence not in shown, (sequence, shown)
    code, shown = _on_a_terminal("balance", PAYLOAD, cwd=hostile.parent)  # a partner typed (or pasted) by the user
    assert code == 2
    for sequence in FORBIDDEN:
        assert sequence not in shown, (sequence, shown)


def test_svg_stays_well_formed_xml(hostile, tmp_path):
    pytest.importorskip("matplotlib")
    import xml.etree.ElementTree as ET

    target = tmp_path / "c.svg"
    code, shown = _on_a_terminal("chart", "peru", "--data", str(hostile), "-o", str(target), cwd=hostile.parent)
    assert code == 0, shown.decode(errors="replace")
    ET.parse(target)  # raises on a control character or a broken entity
