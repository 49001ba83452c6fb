"""Malformed input never gives a traceback and never changes a file.

tests/corpus/MANIFEST.csv lists each file with the exit code of `tradecli balance --data FILE`
and, for a bad one, the problem code and physical line `tradecli validate` must report.
Files too big to keep (a very long line, a million rows) and files that are not files
(a directory, a missing path, an unreadable file) are made by the tests.
"""

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tradecli.cli import app
from tradecli.errors import TradeDataError
from tradecli.read import flows

CORPUS = Path(__file__).parent / "corpus"
with open(CORPUS / "MANIFEST.csv", newline="") as handle:
    MANIFEST = list(csv.DictReader(handle))

runner = CliRunner()


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_clean_failure(result, path: Path, line: int | None):
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith(f"Error: {path}")
    if line is not None:
        assert f"line {line}" in message


def test_the_corpus_is_large_enough():
    assert len([m for m in MANIFEST if m["exit"] == "1"]) >= 20


@pytest.mark.parametrize("case", MANIFEST, ids=lambda m: m["file"])
def test_balance_on_each_corpus_file(case):
    path = CORPUS / case["file"]
    before = fingerprint(path)
    result = run("balance", "--data", path, "-f", "csv")
    assert fingerprint(path) == before
    if case["exit"] == "0":
        assert result.exit_code == 0, result.stderr
        assert "Traceback" not in result.stderr
    else:
        assert_clean_failure(result, path, int(case["line"]))


@pytest.mark.parametrize("case", MANIFEST, ids=lambda m: m["file"])
def test_validate_reports_each_problem_where_it_is(case):
    path = CORPUS / case["file"]
    before = fingerprint(path)
    result = run("validate", path, "-f", "json")
    assert fingerprint(path) == before
    assert result.exit_code == int(case["exit"])
    report = json.loads(result.stdout)
    if case["code"]:
        assert {"code": case["code"], "line": int(case["line"])} in [{"code": r["code"], "line": r["line"]} for r in report]
        assert all(r["file"] == str(path) for r in report)
    else:
        assert report == []


def balance_of(name):
    # Default figure ids name the file; make them comparable across files.
    return run("balance", "--data", CORPUS / name, "-f", "csv").stdout.replace(str(CORPUS / name), "FILE")


def test_bom_and_crlf_give_the_same_results_as_the_clean_file():
    clean = balance_of("clean.csv")
    assert balance_of("bom.csv") == clean
    assert balance_of("crlf.csv") == clean
    # Blank lines move the figures to lines 3 and 5 (ids FILE:3, FILE:5); nothing else changes.
    assert balance_of("bom_crlf_blank_lines.csv") == clean.replace("FILE:2;FILE:3", "FILE:3;FILE:5")


def test_a_blank_value_warns_on_stderr_and_goes_on():
    result = run("balance", "--data", CORPUS / "blank_value.csv", "-f", "csv")
    assert result.exit_code == 0
    assert "Warning:" in result.stderr
    assert "line 3" in result.stderr
    assert ",933," in result.stdout


def test_strict_validation_fails_on_warnings():
    assert run("validate", CORPUS / "blank_value.csv").exit_code == 0
    assert run("validate", "--strict", CORPUS / "blank_value.csv").exit_code == 1


def test_a_directory(tmp_path):
    assert_clean_failure(run("balance", "--data", tmp_path), tmp_path, None)


def test_a_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    result = run("balance", "--data", path)
    assert_clean_failure(result, path, None)
    assert "no such file" in result.stderr
    assert not path.exists()


def test_two_missing_files_are_each_named(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    result = run("balance", "peru", "--data", first, "--data", second)
    assert_clean_failure(result, first, None)
    assert (
        result.stderr
        == f"Error: {first}: 1 error: no such file; check the path; also {second}: 1 error: no such file; check the path\n"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file(tmp_path):
    path = tmp_path / "secret.csv"
    path.write_bytes((CORPUS / "clean.csv").read_bytes())
    path.chmod(0)
    assert "permission denied" in run("balance", "--data", path).stderr


def test_an_unreadable_file_as_the_os_reports_it(tmp_path, monkeypatch):
    path = tmp_path / "secret.csv"
    path.write_bytes(b"x")
    real = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = run("balance", "--data", path)
    assert_clean_failure(result, path, None)
    assert "permission denied" in result.stderr


HEADER = (CORPUS / "clean.csv").read_text().splitlines()[0]


def test_a_very_long_line(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "\nIND,PER,export,2024,USD,933,reported,a.txt,q\n" + "x," * 200_000 + "x\n")
    before = fingerprint(path)
    assert_clean_failure(run("balance", "--data", path), path, 3)
    assert fingerprint(path) == before


def test_a_very_long_quote_is_fine(tmp_path):
    path = tmp_path / "long_quote.csv"
    path.write_text(HEADER + "\nIND,PER,export,2024,USD,933,reported,a.txt," + "word " * 400_000 + "\n")
    result = run("balance", "--data", path, "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["exports"] == 933


def test_a_million_rows_with_one_bad_value_at_the_end(tmp_path):
    path = tmp_path / "million.csv"
    with open(path, "w") as handle:
        handle.write(HEADER + "\n")
        for year in range(1000, 6000):
            for partner in ("PER", "CHL", "BRA", "ARG", "MEX", "COL", "ECU", "BOL", "URY", "PRY"):
                for flow in ("export", "import"):
                    for currency in ("USD", "EUR", "GBP", "JPY", "INR", "NZD", "AUD", "CAD", "CHF", "CNY"):
                        handle.write(f"IND,{partner},{flow},{year},{currency},1.5,reported,gen,q\n")
        handle.write("IND,PER,export,6000,USD,abc,reported,gen,q\n")
    before = fingerprint(path)
    assert_clean_failure(run("balance", "--data", path), path, 1_000_002)
    assert fingerprint(path) == before


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_ever_raise_the_documented_error(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    flows.check([path])  # reports, never raises
    try:
        flows.load([path])
    except TradeDataError:
        pass


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
known = st.sampled_from(
    ["IND", "PER", "export", "import", "total", "2024", "FY2023-24", "USD", "NZD", "933", "", "-1", "1e400", "reported"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(cells, known), min_size=0, max_size=11), max_size=8))
def test_arbitrary_csv_rows_only_ever_raise_the_documented_error(tmp_path, rows):
    path = tmp_path / "rows.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        csv.writer(handle).writerows(rows)
    flows.check([path])
    try:
        flows.load([path])
    except TradeDataError:
        pass
