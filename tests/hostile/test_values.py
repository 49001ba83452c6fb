"""Values that pass validate print in every format (issue 9, part 8): other digits, overflow."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = "id,reporter,partner,flow,period,currency,value,status,source,quote,note\n"


def run(*args, engine="pandas"):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRADECLI_ENGINE": engine}
    return subprocess.run([sys.executable, "-m", "tradecli", *map(str, args)], env=env, capture_output=True, timeout=60)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
@pytest.mark.parametrize("period", ["٢٠٢٤", "２０２４", "FY２０２４-25"])
def test_a_period_in_other_digits_is_refused_not_a_second_2024(tmp_path, engine, period):
    path = tmp_path / "digits.csv"
    path.write_text(HEADER + f"a,IND,PER,export,{period},USD,1,reported,s,q,\nb,IND,PER,export,2024,USD,2,reported,s,q,\n")
    report = run("validate", path, "-f", "csv", engine=engine)
    assert report.returncode == 1
    assert f",period,{period},bad-period," in report.stdout.decode()
    result = run("balance", "--data", path, "-f", "csv", engine=engine)
    assert result.returncode == 1
    assert result.stdout == b""
    assert len(result.stderr.decode().strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["csv", "json", "md", "table"])
def test_a_sum_that_overflows_is_one_line_never_inf(tmp_path, fmt):
    path = tmp_path / "big.csv"
    big = "1.7976931348623157e308"
    path.write_text(HEADER + f"a,IND,PER,export,2024,USD,{big},reported,s,q,\nb,IND,PER,import,2024,USD,{big},reported,s,q,\n")
    result = run("balance", "--data", path, "-f", fmt)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert b"inf" not in result.stdout.lower()
    assert len(err.strip().splitlines()) == 1
    assert "overflow" in err


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_the_largest_float_prints_in_every_format_never_inf(tmp_path, engine):
    # 1.7976931348623157e308 passes validate; 15 significant digits would round it past the
    # largest float (and numpy's rounding overflowed): found by the hostile run.
    path = tmp_path / "largest.csv"
    big = "1.7976931348623157e308"
    path.write_text(HEADER + f"a,IND,PER,export,2024,USD,7,reported,s,q,\nc,IND,PER,import,2024,USD,{big},reported,s,q,\n")
    for fmt in ("csv", "json", "md", "table"):
        result = run("balance", "peru", "--data", path, "-f", fmt, engine=engine)
        assert result.returncode == 0, result.stderr.decode()
        assert result.stderr == b""
        assert not re.search(rb"(?<![a-z])inf(?!erred)", result.stdout.lower())  # no infinity ("scope-inferred" is a flag)
    rows = run("balance", "peru", "--data", path, "-f", "csv", engine=engine).stdout.decode().splitlines()
    assert float(rows[1].split(",")[6]) == float(big)  # imports, exactly
