"""Bringing your own figures: --data, TRADECLI_DATA, --with-bundled, validate, --output."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradecli.cli import app

runner = CliRunner()
HEADER = "reporter,partner,flow,period,currency,value,status,source,quote,note\n"
# India's trade with Brazil and Argentina over three fiscal years (made up for the tests).
MINE = HEADER + "".join(
    f"IND,{partner},{flow},{period},USD,{value},reported,my-notes.txt,{partner} {flow} {period},\n"
    for partner, flow, period, value in [
        ("BRA", "export", "FY2021-22", 6480), ("BRA", "import", "FY2021-22", 5020),
        ("BRA", "export", "FY2022-23", 6910), ("BRA", "import", "FY2022-23", 4650),
        ("BRA", "export", "FY2023-24", 6970), ("BRA", "import", "FY2023-24", 5240),
        ("ARG", "export", "FY2021-22", 810), ("ARG", "import", "FY2021-22", 4880),
        ("ARG", "export", "FY2022-23", 1080), ("ARG", "import", "FY2022-23", 5320),
        ("ARG", "export", "FY2023-24", 1070), ("ARG", "import", "FY2023-24", 3430),
    ]
)  # fmt: skip


@pytest.fixture
def mine(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(MINE)
    return path


def run(*args, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def rows(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_own_file_replaces_the_bundled_data(mine):
    out = rows(run("balance", "--data", mine, "-f", "json"))
    assert {r["partner"] for r in out} == {"ARG", "BRA"}
    brazil = next(r for r in out if r["partner"] == "BRA" and r["period"] == "FY2022-23")
    assert brazil["balance"] == 2260  # 6910 - 4650


def test_year_on_year_over_three_fiscal_years(mine):
    out = rows(run("compare", "brazil", "--years", "--data", mine, "-f", "json"))
    assert [r["period"] for r in out] == ["FY2021-22", "FY2022-23", "FY2023-24"]
    assert out[1]["exports_change"] == 430  # 6910 - 6480
    assert out[2]["imports_change_pct"] == pytest.approx((5240 - 4650) / 4650 * 100)


def test_partners_side_by_side_share_all_three_years(mine):
    out = rows(run("compare", "bra", "arg", "--data", mine, "-f", "json"))
    assert len(out) == 6


def test_partners_and_sources_of_own_data(mine):
    listed = rows(run("partners", "--data", mine, "-f", "json"))
    assert [(p["code"], p["name"], p["figures"]) for p in listed] == [("ARG", "Argentina", 6), ("BRA", "Brazil", 6)]
    quoted = rows(run("sources", "argentina", "--data", mine, "-f", "json"))
    assert quoted[0]["id"] == f"{mine}:8"
    assert quoted[0]["line"] == 8


def test_validate_a_good_file(mine):
    result = run("validate", mine, "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout == "file,line,column,value,code,message,severity\n"
    assert "0 errors, 0 warnings" in result.stderr


def test_with_bundled_adds_the_articles_figures(mine):
    out = rows(run("balance", "--data", mine, "--with-bundled", "-f", "json"))
    assert {"PER", "BRA"} <= {r["partner"] for r in out}


def test_environment_variable_is_a_path_list(mine, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text(HEADER + "IND,MEX,export,2024,USD,5,reported,x,q,\n")
    out = rows(run("balance", "-f", "json", env={"TRADECLI_DATA": f"{mine}:{other}"}))
    assert {r["partner"] for r in out} == {"ARG", "BRA", "MEX"}
    # --data wins over the environment
    assert {r["partner"] for r in rows(run("balance", "--data", other, "-f", "json", env={"TRADECLI_DATA": str(mine)}))} == {
        "MEX"
    }


def test_standard_input(mine):
    out = rows(run("balance", "--data", "-", "-f", "json", input=MINE))
    assert len(out) == 6


def test_the_perspective_follows_a_single_reporter(tmp_path):
    path = tmp_path / "china.csv"
    path.write_text(HEADER + "CHN,PER,export,2024,USD,100,reported,x,q,\nCHN,PER,import,2024,USD,300,reported,x,q,\n")
    out = rows(run("balance", "--data", path, "-f", "json"))
    assert (out[0]["reporter"], out[0]["balance"]) == ("CHN", -200)
    # and --reporter overrides: Peru's side of the same figures, mirrored
    peru = rows(run("balance", "--data", path, "--reporter", "peru", "-f", "json"))
    assert (peru[0]["reporter"], peru[0]["partner"], peru[0]["balance"]) == ("PER", "CHN", 200)


def test_conflicting_files_are_reported_with_both_sources(mine, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text(HEADER + "IND,BRA,export,FY2021-22,USD,6500,reported,x,q,\n")
    result = run("balance", "--data", mine, "--data", other)
    assert result.exit_code == 1
    assert str(other) in result.stderr
    assert f"{mine} line 2" in result.stderr
    validated = run("validate", mine, other, "-f", "json")
    assert validated.exit_code == 1
    (problem,) = json.loads(validated.stdout)
    assert (problem["code"], problem["file"], problem["line"]) == ("conflicting-figure", str(other), 2)
    assert f"{mine} line 2" in problem["message"]


def test_csv_output_neutralises_hostile_text_but_keeps_numbers(tmp_path):
    path = tmp_path / "hostile.csv"
    path.write_text(HEADER + 'IND,PER,import,2024,USD,4690,reported,"=HYPERLINK(""http://x"")",+cmd,@note\n'
                    + "IND,PER,export,2024,USD,933,reported,-x,q,\n")  # fmt: skip
    out = run("balance", "--data", path, "-f", "csv").stdout
    assert ",-3757," in out  # a negative number stays a number
    # Sources in flow order: exports' "-x", then imports' formula, which a ';' reader would split off.
    assert '"\'-x;\'=HYPERLINK(""http://x"")"' in out
    sources = run("sources", "--data", path, "-f", "csv").stdout
    assert ",'-x," in sources
    assert "'+cmd" in sources
    assert "'@note" in sources
    # A hostile partner code is refused, and the report that shows it is neutralised too.
    path.write_text(HEADER + "IND,=1+2,export,2024,USD,933,reported,x,q,\n")
    report = run("validate", path, "-f", "csv")
    assert report.exit_code == 1
    assert ",'=1+2,bad-code," in report.stdout


def test_output_file_is_written_and_its_format_follows_the_name(mine, tmp_path):
    target = tmp_path / "out.json"
    result = run("balance", "--data", mine, "-o", target)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(json.loads(target.read_text())) == 6
    csv_target = tmp_path / "out.csv"
    run("balance", "--data", mine, "-o", csv_target)
    assert csv_target.read_text().startswith("reporter,partner,")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temporary left


def test_output_refuses_to_overwrite_an_input(mine):
    before = mine.read_bytes()
    result = run("balance", "--data", mine, "-o", mine)
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.stderr
    assert mine.read_bytes() == before


def test_output_into_a_missing_directory(mine, tmp_path):
    result = run("balance", "--data", mine, "-o", tmp_path / "nowhere" / "x.csv")
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_failed_command_leaves_an_existing_output_untouched(tmp_path):
    target = tmp_path / "keep.csv"
    target.write_text("precious\n")
    result = run("balance", "atlantis", "-o", target)
    assert result.exit_code == 2
    assert target.read_text() == "precious\n"


def test_output_dash_is_stdout(mine):
    assert run("balance", "--data", mine, "-o", "-", "-f", "csv").stdout.startswith("reporter,")


def test_validate_table_lists_problems(tmp_path, pinned_terminal):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "IND,PER,export,2024,USD,abc,reported,x,q,\n")
    result = run("validate", path, "-f", "table")
    assert result.exit_code == 1
    assert "bad-number" in result.stdout
    assert "'abc' is not a number" in result.stdout


def test_bundled_data_validates():
    result = run("validate")
    assert result.exit_code == 0
    assert "data/flows.csv: 0 errors, 0 warnings" in result.stderr


def test_reading_never_writes(mine):
    stamp = Path(mine).stat().st_mtime_ns
    run("validate", mine)
    run("balance", "--data", mine)
    assert Path(mine).stat().st_mtime_ns == stamp
