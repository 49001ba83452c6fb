"""Reading figure files: what a reader reports, at which line, and what loading refuses."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecli.errors import TradeDataError
from tradecli.read import flows

HEADER = "reporter,partner,flow,period,currency,value,status,source,quote\n"
GOOD = "IND,PER,export,2024,USD,933,approximate,a.txt,words\n"


def write(tmp_path, text, name="f.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def codes(problems):
    return [(p.code, p.line, p.column) for p in problems]


def test_a_clean_file_types_its_figures(tmp_path):
    loaded = flows.load([write(tmp_path, HEADER + GOOD)])
    row = loaded.figures.iloc[0]
    assert (row.partner, row.value, row.basis, row.year, row.id, row.line) == (
        "PER",
        933.0,
        "calendar",
        2024,
        f"{tmp_path / 'f.csv'}:2",
        2,
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('IND,PER,export,2024,USD,"4,690",reported,a,q\n', ("bad-number", 2, "value")),
        ("IND,PER,export,2024,USD,n/a,reported,a,q\n", ("bad-number", 2, "value")),
        ("IND,PER,export,2024,USD,-5,reported,a,q\n", ("negative-value", 2, "value")),
        ("IND,PER,export,2024,USD,inf,reported,a,q\n", ("not-finite", 2, "value")),
        ("IND,PER,export,2024,USD,1e400,reported,a,q\n", ("not-finite", 2, "value")),
        ("IND,PER,exports,2024,USD,1,reported,a,q\n", ("unknown-flow", 2, "flow")),
        ("IND,PER,export,2024,ZZZ,1,reported,a,q\n", ("unknown-currency", 2, "currency")),
        ("IND,PER,export,2023-24,USD,1,reported,a,q\n", ("bad-period", 2, "period")),
        ("IND,PER,export,2024,USD,1,guess,a,q\n", ("bad-status", 2, "status")),
        ("India,PER,export,2024,USD,1,reported,a,q\n", ("bad-code", 2, "reporter")),
    ],
)
def test_cell_problems_name_line_and_column(tmp_path, body, expected):
    problems = flows.check([write(tmp_path, HEADER + GOOD + body.replace(",2,", ",3,"))])
    code, line, column = expected
    assert (code, line + 1, column) in codes(problems)


def test_a_blank_value_is_a_warning_and_the_figure_is_left_out(tmp_path):
    loaded = flows.load([write(tmp_path, HEADER + GOOD + "IND,PER,import,2024,USD,,reported,a,q\n")])
    assert [(w.code, w.line) for w in loaded.warnings] == [("blank-value", 3)]
    assert list(loaded.figures["flow"]) == ["export"]


def test_load_summarises_errors_in_one_line(tmp_path):
    path = write(
        tmp_path, HEADER + GOOD + "IND,PER,import,2024,USD,abc,reported,a,q\n" + "IND,CHL,import,2024,USD,x,reported,a,q\n"
    )
    with pytest.raises(TradeDataError) as info:
        flows.load([path])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: 2 errors, first at line 3, column value: 'abc' is not a number")
    assert "tradecli validate" in message


def test_errors_in_several_files_name_each_file_with_its_own_count(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"  # neither exists
    with pytest.raises(TradeDataError) as info:
        flows.load([first, second])
    assert str(info.value) == (
        f"{first}: 1 error: no such file; check the path; also {second}: 1 error: no such file; check the path"
    )


def test_cell_errors_in_two_files_are_counted_per_file_and_the_hint_checks_both(tmp_path):
    first = write(
        tmp_path,
        HEADER + GOOD + "IND,PER,import,2024,USD,abc,reported,a,q\n" + "IND,CHL,import,2024,USD,x,reported,a,q\n",
        "a.csv",
    )
    second = write(tmp_path, HEADER + "IND,CHL,exports,2024,USD,1,reported,a,q\n", "b.csv")
    with pytest.raises(TradeDataError) as info:
        flows.load([first, second])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{first}: 2 errors, first at line 3, column value: 'abc' is not a number")
    assert f"; also {second}: 1 error, first at line 2, column flow: " in message
    assert message.endswith(f"; run `tradecli validate {first} {second}`")


def test_ragged_rows_are_reported_at_their_physical_line(tmp_path):
    text = HEADER + GOOD + 'IND,CHL,export,2024,USD,1,reported,a,"two\nlines"\n' + "IND,CHL,import,2024,USD,1\n"
    assert ("ragged-row", 5, None) in codes(flows.check([write(tmp_path, text)]))


def test_duplicates_and_conflicts_across_files_name_both_places(tmp_path):
    first = write(tmp_path, HEADER + GOOD, "a.csv")
    second = write(tmp_path, HEADER + GOOD + GOOD.replace("933", "934"), "b.csv")
    problems = flows.check([first, second])
    assert ("duplicate-figure", 2, "value") in codes(problems)
    conflict = next(p for p in problems if p.code == "conflicting-figure")
    assert conflict.line == 3
    assert str(first) in conflict.message


def test_a_bom_and_crlf_file_reads_like_the_clean_one(tmp_path):
    clean = flows.load([write(tmp_path, HEADER + GOOD, "clean.csv")]).figures
    odd = flows.load([write(tmp_path, b"\xef\xbb\xbf" + (HEADER + GOOD).replace("\n", "\r\n").encode(), "odd.csv")]).figures
    assert clean.drop(columns=["file", "id"]).equals(odd.drop(columns=["file", "id"]))


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty-file"),
        (HEADER.encode(), "no-rows"),
        (b"\xff\xfe\x00garbage", "bad-encoding"),
        ((HEADER + GOOD).encode("utf-16"), "bad-encoding"),
    ],
)
def test_unusable_files_get_one_problem(tmp_path, content, code):
    assert [p.code for p in flows.check([write(tmp_path, content)])] == [code]


def test_missing_and_unknown_columns(tmp_path):
    problems = flows.check(
        [write(tmp_path, "reporter,partner,flow,period,currency,value,source,colour\nIND,PER,export,2024,USD,1,a,red\n")]
    )
    assert ("missing-column", 1, "quote") in codes(problems)
    assert ("unknown-column", 1, "colour") in codes(problems)


def test_a_missing_file_and_a_directory_are_data_errors(tmp_path):
    with pytest.raises(TradeDataError, match="no such file"):
        flows.load([tmp_path / "nope.csv"])
    with pytest.raises(TradeDataError, match="directory"):
        flows.load([tmp_path])


def test_a_total_below_its_flows_and_a_group_below_a_member_are_warnings(tmp_path):
    text = (
        HEADER
        + "IND,LAC,total,2024,USD,100,reported,a,q\n"
        + "IND,LAC,export,2024,USD,80,reported,a,q\n"
        + "IND,LAC,import,2024,USD,80,reported,a,q\n"
        + "IND,PER,export,2024,USD,90,reported,a,q\n"
    )
    loaded = flows.load([write(tmp_path, text)])
    assert sorted(w.code for w in loaded.warnings) == ["group-below-member", "total-mismatch"]


_FIELDS = st.sampled_from(["IND", "", " x ", '"a\nb"', '"a,b"', '"q""q"', '""', "1", "007", "1.50", '"\r\n"', "a b", "'"])
_ROW = st.lists(_FIELDS, min_size=9, max_size=9).map(",".join)


@given(st.lists(st.tuples(st.sampled_from(["\n", "\r\n", "\n\n", "\r\n\r\n"]), _ROW), min_size=1, max_size=6), st.booleans())
def test_the_fast_reader_agrees_with_the_csv_module(rows, final_newline):
    # The fast path (pandas + numpy line map) must give the exact reader's cells and lines.
    text = "reporter,partner,flow,period,currency,value,status,source,quote" + "".join(sep + row for sep, row in rows)
    text += "\n" if final_newline else ""
    _, frame, problems = flows._read_fast(text.encode(), text, "f")
    _, cells, lines, exact_problems = flows._read_exact(text, "f")
    assert problems == exact_problems == []
    assert frame is not None
    assert list(frame["line"]) == lines
    fast = frame.drop(columns="line").astype("object").to_numpy().tolist()
    if frame["c5"].dtype == "float64":  # the value column: parsed as numbers when they all are
        cells = [[*row[:5], float(row[5]), *row[6:]] for row in cells]
    assert fast == cells
