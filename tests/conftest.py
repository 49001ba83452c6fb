"""Shared fixtures: small hand-made figure tables and a pinned terminal for rendering."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import settings

from tradecli import periods
from tradecli.read.flows import FIGURE_COLUMNS

# No per-example deadline: timings on a shared two-core CI machine vary several-fold, and a
# property test checks results, not speed (speed is measured in bench/).
settings.register_profile("tradecli", deadline=None)
settings.load_profile("tradecli")


def make_figures(*rows: tuple) -> pd.DataFrame:
    """Typed figures from (reporter, partner, flow, period, currency, value[, status]) tuples."""
    records = []
    for n, row in enumerate(rows, start=2):
        reporter, partner, flow, period, currency, value, *rest = row
        parsed = periods.parse(period)
        records.append(
            {
                "id": f"f{n}",
                "reporter": reporter,
                "partner": partner,
                "flow": flow,
                "period": parsed.label,
                "basis": parsed.basis,
                "year": parsed.year,
                "currency": currency,
                "value": float(value),
                "status": rest[0] if rest else "reported",
                "source": "doc.txt",
                "quote": "words",
                "note": "",
                "file": "test.csv",
                "line": n,
                "scope": "goods",
                "scope_from": "stated",
                "scope_source": "",
                "scope_quote": "",
                "product": "TOTAL",
                "product_name": "",
            }
        )
    return pd.DataFrame(records, columns=FIGURE_COLUMNS)


@pytest.fixture
def pinned_terminal(monkeypatch):
    """Rendering as on an 80-column terminal without colour."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def read_terminal(leader: int, process, timeout: float = 30) -> bytes:
    """Every byte a process showed on the pseudo-terminal ``leader`` until it closed it (killed after ``timeout`` s silent)."""
    import os
    import select

    shown = b""
    while True:
        if not select.select([leader], [], [], timeout)[0]:
            process.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return shown


def one_line_error(result, code):
    """Assert a CLI result failed with ``code``, wrote nothing on stdout and one 'Error: ...' line (no traceback)
    on stderr; return the line."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]
