"""Every transcript in README.md and docs/*.md (a fenced block whose first line is `$ command`)
runs as printed and prints what the page says, on an 80-column terminal without colour.

A page's transcripts run in order in one temporary directory (a file one writes, the next
reads), with `tests/` reachable there, so `tests/fixtures/...` paths work as in a clean clone.
A line `...` in the expected output stands for any lines. A command commented `# without the
charts extra` runs with matplotlib hidden.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def transcripts(page: Path) -> list[tuple[str, list[str]]]:
    """The (command, expected output lines) of every transcript block on a page, in order."""
    found = []
    for block in _FENCE.findall(page.read_text(encoding="utf-8")):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("$ "):
            continue
        if lines[0].startswith("$ export TRADECLI_COMTRADE_URL="):  # needs the local Comtrade server: test_fetch.py runs it
            continue
        for line in lines:
            if line.startswith("$ "):
                found.append((line[2:], []))
            else:
                found[-1][1].append(line)
    return found


def _screen(raw: bytes) -> list[str]:
    """What a terminal shows: escapes dropped, a carriage return overwriting its line, no trailing spaces."""
    text = _ESCAPE.sub("", raw.decode("utf-8", errors="replace")).replace("\r\n", "\n")
    lines = [line.rstrip("\r").rsplit("\r", 1)[-1].rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _run(command: str, cwd: Path, env: dict[str, str]) -> list[str]:
    """Run ``command`` in bash with standard output and error on one pseudo-terminal; what it shows."""
    main, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            ["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
    finally:
        os.close(main)
    return _screen(b"".join(chunks))


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected``, each `...` line standing for any lines (none included)."""
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(_matches(expected[1:], actual[n:]) for n in range(len(actual) + 1))
    return bool(actual) and expected[0].rstrip() == actual[0] and _matches(expected[1:], actual[1:])


@pytest.fixture(scope="module")
def bin_dir():
    """The directory holding this environment's `tradecli` script."""
    path = Path(sys.executable).parent
    assert (path / "tradecli").exists(), "install the package (pip install -e .) to run the transcripts"
    return path


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_transcript_prints_what_the_page_says(page, bin_dir, tmp_path):
    found = transcripts(page)
    if not found:
        pytest.skip("no transcripts")
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    hidden = tmp_path / ".hidden"
    (hidden / "matplotlib").mkdir(parents=True)
    (hidden / "matplotlib" / "__init__.py").write_text("raise ImportError('hidden for a transcript')\n")
    base = {key: value for key, value in os.environ.items() if not key.startswith(("TRADECLI_", "FORCE_COLOR"))}
    base |= {"COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "TERM": "dumb", "PATH": f"{bin_dir}{os.pathsep}{base['PATH']}"}
    failures = []
    for command, expected in found:
        env = dict(base)
        if "# without the charts extra" in command:
            env["PYTHONPATH"] = str(hidden)
        actual = _run(command, tmp_path, env)
        if not _matches([line.rstrip() for line in expected], actual):
            failures.append(f"$ {command}\n--- the page says:\n" + "\n".join(expected) + "\n--- it prints:\n" + "\n".join(actual))
    assert not failures, f"{page.name}: {len(failures)} of {len(found)} transcripts differ\n\n" + "\n\n".join(failures)


def test_transcripts_are_found():
    commands = [command for page in PAGES for command, _ in transcripts(page)]
    assert "tradecli balance peru" in commands
    assert len(commands) >= 20
