"""No file content ever becomes SQL: crafted headers and cells read by the DuckDB engine write
no file, attach nothing and install nothing, and the error (if any) is one line.

Each payload tries to close the SQL text it would be pasted into (a string literal, the
``columns`` struct of ``read_csv``, one or two levels of parentheses) and run a statement that
leaves a trace on disk. The test asserts the trace does not exist.
"""

import pytest
from typer.testing import CliRunner

from tradecli.cli import app

pytest.importorskip("duckdb")

COLUMNS = ["reporter", "partner", "flow", "period", "currency", "value", "status", "source", "quote"]
ROW = ["IND", "PER", "export", "2024", "USD", "933", "reported", "doc.txt", "exports were 933"]


def payloads(target, db):
    """Statements that leave a file behind if they ever run, behind every closing we paste into."""
    statements = [
        f"COPY (SELECT 42) TO '{target}'",
        f"ATTACH '{db}' AS pwned",
        "INSTALL httpfs",
    ]
    closings = ["'", "': 'VARCHAR'}", "': 'VARCHAR'})", "': 'VARCHAR'}))", "')", "'))", '"', '")', "})"]
    return [f"x{close}; {statement}; --" for statement in statements for close in closings] + [
        f"x' /* {statements[0]} */ --",
        f'x"; {statements[0]}; --',
    ]


def csv_cell(text):
    return '"' + text.replace('"', '""') + '"'


def run(args, monkeypatch):
    monkeypatch.setenv("TRADECLI_ENGINE", "duckdb")
    monkeypatch.delenv("TRADECLI_DATA", raising=False)
    return CliRunner().invoke(app, args)


def cases(tmp_path):
    target, db = tmp_path / "pwned.csv", tmp_path / "pwned.db"
    for n, payload in enumerate(payloads(target, db)):
        header = tmp_path / f"header{n}.csv"
        header.write_text(",".join([*COLUMNS, csv_cell(payload)]) + "\n" + ",".join([*ROW, "x"]) + "\n")
        yield header
        cell = tmp_path / f"cell{n}.csv"
        bad = list(ROW)
        bad[1] = payload  # an unknown partner code: the engine looks up where it is
        cell.write_text(",".join(COLUMNS) + "\n" + ",".join(csv_cell(c) for c in bad) + "\n")
        yield cell


@pytest.mark.parametrize("command", [["validate"], ["balance", "--data"], ["partners", "--data"]])
def test_no_payload_runs(command, tmp_path, monkeypatch):
    for path in cases(tmp_path):
        result = run([*command, str(path), "-f", "csv"], monkeypatch)
        assert not (tmp_path / "pwned.csv").exists(), f"{path.name}: a crafted file made DuckDB write a file"
        assert not (tmp_path / "pwned.db").exists(), f"{path.name}: a crafted file made DuckDB attach a database"
        assert "Traceback" not in result.stderr, result.stderr
        assert result.exit_code in (0, 1), (path.name, result.exit_code, result.stderr, result.exception)
        if result.exit_code:
            assert len(result.stderr.strip().splitlines()) == 1 or command == ["validate"], result.stderr


def test_sql_text_holds_no_file_content(tmp_path):
    """The SQL the engine builds names files and columns only through bound parameters."""
    from tradecli.read import bigfiles

    odd = tmp_path / "it's; DROP--.csv"
    payload = "x': 'VARCHAR'}); COPY (SELECT 1) TO 'p'; --"
    odd.write_text(",".join([*COLUMNS, csv_cell(payload)]) + "\n" + ",".join([*ROW, "x"]) + "\n")
    for lines in (True, False):
        sql = bigfiles._scan(odd, lines=lines)
        assert str(odd) not in sql, sql
        assert "DROP" not in sql, sql
        assert "COPY" not in sql, sql
    conditions, params = bigfiles._conditions("IND'--", ["PER'); COPY"], "2024'")
    assert "COPY" not in " ".join(conditions)
    assert "'--" not in " ".join(conditions)
    assert params == {"reporter": "IND'--", "partners": ["PER'); COPY"], "period": "2024'"}
