"""tradecli fetch comtrade against a local HTTP server on 127.0.0.1 that replays recorded UN Comtrade answers.

Nothing here reaches the internet. The server filters the rows of a real recorded answer
(tests/fixtures/comtrade_api/, provenance in tests/fixtures/README.md) by the call's reporter,
partners, periods and flows, as the API does, and records every request it gets. Expected
figures are recomputed from the recorded JSON with the json module.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from conftest import one_line_error, read_terminal
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tradecli.cli import app
from tradecli.errors import NoFiguresError, UsageError
from tradecli.fetch import Cache, ComtradeQuery, FetchError, fetch_comtrade, plan
from tradecli.fetch import command as fetch_command
from tradecli.fetch.cache import parse_age
from tradecli.fetch.client import Client, Policy
from tradecli.fetch.comtrade import MAX_URL, Request, _check_answer, _short_enough, area_code, expand_periods

pytest.importorskip("httpx", reason="the fetch extra is not installed")

FIXTURES = Path(__file__).parent / "fixtures" / "comtrade_api"
GOODS = FIXTURES / "goods_CHN_2010.json"  # China's imports from and exports to Argentina and Germany, 2010
EMPTY = FIXTURES / "services_CHN_2010_empty.json"  # a real answer with count 0
KEY = "k3y-Secret-0123456789abcdef"
FAST = Policy(interval=0.0, timeout=2.0, retries=3, max_wait=5.0, backoff=0.01)
JSON = {"Content-Type": "application/json; charset=utf-8"}


def apim(status: int, message: str) -> bytes:
    """An error body in Azure API Management's shape, which fronts the Comtrade API."""
    return json.dumps({"statusCode": status, "message": message}).encode()


#: The API's error answers, from messages users quoted (see tests/fixtures/README.md).
ERRORS = {
    401: apim(401, "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."),
    429: apim(429, "Rate limit is exceeded. Try again in 2 seconds."),
    403: apim(403, "Out of call volume quota. Quota will be replenished in 05:43:11."),
}


# --- the local server ----------------------------------------------------------------------


class Replay:
    """What the server answers and what it was asked."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list = []  # answers to give first, in order: (status, headers, body) or "drop" or ("sleep", s)
        self.recording = json.loads(GOODS.read_text(encoding="utf-8"))

    def replay(self, query: dict[str, str]) -> bytes:
        """The recorded rows the call asks for, in the API's shape."""
        want = {k: set(query[k].split(",")) for k in ("reporterCode", "partnerCode", "period", "flowCode") if k in query}
        rows = [
            r
            for r in self.recording["data"]
            if str(r["reporterCode"]) in want.get("reporterCode", {str(r["reporterCode"])})
            and str(r["partnerCode"]) in want.get("partnerCode", {str(r["partnerCode"])})
            and str(r["period"]) in want.get("period", {str(r["period"])})
            and r["flowCode"] in want.get("flowCode", {r["flowCode"]})
        ]
        return json.dumps({"elapsedTime": "0.01 secs", "count": len(rows), "data": rows, "error": ""}).encode()


def _handler(replay: Replay):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            replay.requests.append(
                {"path": parts.path, "query": query, "raw": self.path, "headers": dict(self.headers), "at": time.monotonic()}
            )
            action = replay.script.pop(0) if replay.script else (200, {"Content-Type": "application/json"}, None)
            if action == "drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if action[0] == "sleep":
                time.sleep(action[1])
                action = (200, {"Content-Type": "application/json"}, None)
            status, headers, body = action
            body = replay.replay(query) if body is None else body
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if headers.get("X-Trickle"):  # a slow answer: a few bytes every 0.1 s
                for at in range(0, len(body), 200):
                    self.wfile.write(body[at : at + 200])
                    self.wfile.flush()
                    time.sleep(0.1)
                return
            self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up on a slow answer: nothing to report (and stderr may be a test's)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Calls to 127.0.0.1 go straight there, whatever proxy the machine running the tests sets."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def server():
    """A Comtrade stand-in on 127.0.0.1: .url, .replay (script and requests)."""
    replay = Replay()
    httpd = _Server(("127.0.0.1", 0), _handler(replay))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    replay.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield replay
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def env(monkeypatch, tmp_path, server):
    """The CLI pointed at the local server, with its own cache and no key; no waiting between calls."""
    monkeypatch.setenv("TRADECLI_COMTRADE_URL", server.url)
    monkeypatch.setenv("TRADECLI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COMTRADE_API_KEY", raising=False)
    monkeypatch.setattr(fetch_command, "default_policy", lambda: FAST)
    return tmp_path


def run(*args):
    return CliRunner().invoke(app, ["fetch", "comtrade", *args])


CHN_2010 = ("--reporter", "china", "--partner", "argentina,germany", "--period", "2010")


def expected_rows() -> list[dict]:
    """The figures, recomputed from the recorded JSON: primaryValue in US$ million, per partner and flow."""
    data = json.loads(GOODS.read_text(encoding="utf-8"))["data"]
    flows = {"X": "export", "M": "import"}
    return sorted(
        (r["reporterISO"], r["partnerISO"], flows[r["flowCode"]], str(r["refYear"]), Decimal(str(r["primaryValue"])) / 10**6)
        for r in data
    )


def figures(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def everything_written(tmp_path: Path, *texts: str) -> str:
    """Every byte a run left: file names and contents under tmp_path, and the given outputs."""
    parts = list(texts)
    for path in tmp_path.rglob("*"):
        parts.append(str(path))
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


# --- requests ------------------------------------------------------------------------------


def test_periods_expand_and_calls_hold_at_most_12():
    assert expand_periods("2015..2024", "A") == tuple(str(y) for y in range(2015, 2025))
    assert expand_periods("2019,2021", "A") == ("2019", "2021")
    assert expand_periods("202311..202402", "M") == ("202311", "202312", "202401", "202402")
    assert len(expand_periods("2024", "M")) == 12
    query = ComtradeQuery.parse("india", ["china"], "2001..2025")
    calls = plan(query, keyed=False)
    assert [len(c.param("period")) for c in calls] == [12, 12, 1]
    assert [p for c in calls for p in c.param("period")] == [str(y) for y in range(2001, 2026)]
    monthly = plan(ComtradeQuery.parse("india", ["china"], "202301..202412", freq="M"), keyed=False)
    assert [c.path for c in monthly] == ["/public/v1/preview/C/M/HS"] * 2
    assert [len(c.param("period")) for c in monthly] == [12, 12]


@pytest.mark.parametrize("word", ["2024..2015", "24", "FY2023-24", "202413..202414"])
def test_bad_periods_are_usage_errors(word):
    with pytest.raises(UsageError):
        expand_periods(word, "M" if word.startswith("2024") and len(word) > 10 else "A")


def test_calls_stay_under_the_preview_limit_and_url_length():
    with open(Path(__file__).parents[1] / "data" / "comtrade_codes.csv", encoding="utf-8") as handle:
        current = [r["iso3"] for r in csv.DictReader(handle) if r["role"] == "reporter" and r["entry_year"] <= "2013"
                   and not r["exit_year"] and r["is_group"] == "false"]  # fmt: skip
    query = ComtradeQuery("IND", tuple(current[:60]), tuple(str(y) for y in range(2013, 2025)))  # 60 partners, 12 years, 2 flows
    calls = plan(query, keyed=False)
    assert len(calls) > 1
    assert all(c.expected <= 500 and len(c.url("https://comtradeapi.un.org")) < MAX_URL for c in calls)
    assert sum(len(c.param("partnerCode")) for c in calls) == len({p for c in calls for p in c.param("partnerCode")})
    keyed = plan(query, keyed=True)
    assert len(keyed) == 1
    assert keyed[0].path == "/data/v1/get/C/A/HS"
    long = Request(
        "/p", (("period", "2020"), ("partnerCode", ",".join(["123"] * 2000)), ("cmdCode", "TOTAL"), ("flowCode", "X")), 500, 1
    )
    parts = _short_enough(long, "http://h")
    assert len(parts) > 1
    assert all(len(p.url("http://h")) < MAX_URL for p in parts)
    assert sum(len(p.param("partnerCode")) for p in parts) == 2000


def test_iso3_codes_become_comtrade_codes_of_their_year():
    with open(Path(__file__).parents[1] / "data" / "comtrade_codes.csv", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))

    def code(role, name):  # straight from the reference table, by Comtrade's own name
        return int(next(r["code"] for r in table if r["role"] == role and r["name"] == name))

    assert area_code("USA", "reporter", 1980) == code("reporter", "USA and Puerto Rico (...1980)") == 841
    assert area_code("USA", "reporter", 2024) == code("reporter", "USA") == 842
    assert area_code("USA", "partner", 2024) == 842  # not 840, also in effect: Comtrade files data under 842
    assert area_code("DEU", "partner", 1990) == code("partner", "Fed. Rep. of Germany (...1990)") == 280
    assert area_code("DEU", "partner", 1991) == code("partner", "Germany") == 276
    assert area_code("IND", "reporter", 2024) == code("reporter", "India") == 699
    assert area_code("WLD", "partner", 2024) == 0
    assert plan(ComtradeQuery.parse("india", ["world"], "2024"), keyed=False)[0].param("partnerCode") == ["0"]
    with pytest.raises(UsageError, match="not a Comtrade reporter area"):
        plan(ComtradeQuery.parse("lac", ["china"], "2024"), keyed=False)
    calls = plan(ComtradeQuery.parse("germany", ["india"], "1989..1992"), keyed=False)
    assert [(c.param("reporterCode"), c.param("period")) for c in calls] == [
        (["280"], ["1989", "1990"]),
        (["276"], ["1991", "1992"]),
    ]


def test_question_words_are_checked():
    with pytest.raises(UsageError, match="one commodity at a time"):
        ComtradeQuery.parse("india", ["china"], "2024", commodity="27,85")
    with pytest.raises(UsageError, match="--type"):
        ComtradeQuery.parse("india", ["china"], "2024", type="both")
    with pytest.raises(UsageError, match="--flow"):
        ComtradeQuery.parse("india", ["china"], "2024", flow="re-export")
    with pytest.raises(UsageError, match="unknown partner"):
        ComtradeQuery.parse("india", ["atlantis"], "2024")
    assert parse_age("30d") == 30 * 86400
    assert parse_age("90m") == 5400
    assert parse_age("3600") == 3600


# --- fetching: figures, endpoints, the key -------------------------------------------------


def test_preview_fetch_gives_the_recorded_figures(env, server):
    result = run(*CHN_2010)
    assert result.exit_code == 0, result.output
    [call] = server.requests
    assert call["path"] == "/public/v1/preview/C/A/HS"
    assert call["query"] == {
        "reporterCode": "156", "partnerCode": "32,276", "period": "2010", "flowCode": "X,M", "cmdCode": "TOTAL",
        "partner2Code": "0", "customsCode": "C00", "motCode": "0", "includeDesc": "true", "maxRecords": "500",
    }  # fmt: skip
    assert "Ocp-Apim-Subscription-Key" not in call["headers"]
    rows = figures(result.stdout)
    got = sorted((r["reporter"], r["partner"], r["flow"], r["period"], Decimal(r["value"])) for r in rows)
    assert got == expected_rows()
    for row in rows:
        assert row["source"].startswith(f"{server.url}/public/v1/preview/C/A/HS?reporterCode=156&partnerCode=32,276&period=2010")
        assert "(fetched 20" in row["source"]
        assert row["source"].endswith("Z)")
        assert row["quote"].startswith("data[")
        assert "primaryValue" in row["quote"]
    assert "UN Comtrade: 4 figures from 1 call (1 from the network, 0 from the cache)" in result.stderr


def test_fetch_writes_what_import_writes_from_the_same_answer(env, server, tmp_path):
    out = tmp_path / "chn.csv"
    assert run(*CHN_2010, "-o", str(out)).exit_code == 0
    [body] = (tmp_path / "cache").rglob("*.json")
    imported = tmp_path / "imported.csv"
    assert CliRunner().invoke(app, ["import", "comtrade", str(body), "-o", str(imported)]).exit_code == 0
    fetched, by_import = figures(out.read_text(encoding="utf-8")), figures(imported.read_text(encoding="utf-8"))
    assert list(fetched[0]) == list(by_import[0])  # the same columns, in the same order
    assert [{k: v for k, v in r.items() if k != "source"} for r in fetched] == [
        {k: v for k, v in r.items() if k != "source"} for r in by_import
    ]
    assert {r["source"] for r in by_import} == {body.name}
    assert {r["scope"] for r in fetched} == {"goods"}  # typeCode C


def test_the_key_goes_in_the_header_and_nowhere_else(env, server, monkeypatch, tmp_path):
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    out = tmp_path / "out.csv"
    result = run(*CHN_2010, "-o", str(out), "--verbose")
    assert result.exit_code == 0, result.output
    [call] = server.requests
    assert call["path"] == "/data/v1/get/C/A/HS"
    assert call["headers"]["Ocp-Apim-Subscription-Key"] == KEY
    assert KEY not in call["raw"]
    assert "$COMTRADE_API_KEY" in result.stderr
    assert f"Call 1/1: {server.url}/data/v1/get/C/A/HS?reporterCode=156" in result.stderr
    assert KEY not in everything_written(tmp_path, result.stdout, result.stderr)


def test_a_key_file_works_and_a_bad_one_is_never_shown(env, server, tmp_path):
    good = tmp_path / "key.txt"
    good.write_text(KEY + "\n", encoding="utf-8")
    assert run(*CHN_2010, "--key-file", str(good)).exit_code == 0
    assert server.requests[-1]["headers"]["Ocp-Apim-Subscription-Key"] == KEY
    bad = tmp_path / "bad.txt"
    bad.write_text("two words\nsecret", encoding="utf-8")
    line = one_line_error(run(*CHN_2010, "--key-file", str(bad), "--refresh"), 1)
    assert "not a key" in line
    assert "secret" not in line
    assert "two words" not in line
    assert "cannot read the key file" in one_line_error(run(*CHN_2010, "--key-file", str(tmp_path / "none")), 1)


def test_an_echoed_key_is_redacted(env, server, monkeypatch):
    monkeypatch.setenv("COMTRADE_API_KEY", KEY)
    server.script = [
        (401, {"Content-Type": "application/json"}, json.dumps({"statusCode": 401, "message": f"bad key {KEY}"}).encode())
    ]
    result = run(*CHN_2010)
    line = one_line_error(result, 1)
    assert "***" in line
    assert KEY not in result.output


# --- the cache -------------------------------------------------------------------------------


def test_a_repeated_fetch_makes_no_request(env, server):
    first = run(*CHN_2010)
    second = run(*CHN_2010)
    assert len(server.requests) == 1
    assert second.stdout == first.stdout  # same fetch date in the sources: the answer is the cached one
    assert "(0 from the network, 1 from the cache)" in second.stderr
    assert run(*CHN_2010, "--refresh").exit_code == 0
    assert len(server.requests) == 2
    assert run(*CHN_2010, "--offline").exit_code == 0
    assert len(server.requests) == 2


def test_offline_without_the_answer_fails_in_one_line(env, server):
    line = one_line_error(run(*CHN_2010, "--offline"), 1)
    assert "not in the cache" in line
    assert not server.requests
    assert "contradict" in one_line_error(run(*CHN_2010, "--offline", "--refresh"), 2)


def test_max_age_expires_entries(env, server, tmp_path):
    from datetime import UTC, datetime, timedelta

    query = ComtradeQuery.parse("china", ["argentina,germany"], "2010")
    [call] = plan(query, keyed=False, base=server.url)
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    Cache(tmp_path / "cache").put(call.url(server.url), server.replay(dict(call.params)), fetched=two_days_ago)
    assert run(*CHN_2010, "--max-age", "3d").exit_code == 0
    assert not server.requests
    assert run(*CHN_2010, "--max-age", "1d").exit_code == 0
    assert len(server.requests) == 1
    assert "--max-age" in one_line_error(run(*CHN_2010, "--max-age", "soon"), 2)


def test_cache_names_and_contents_hold_the_answer_and_the_request(env, server, tmp_path):
    assert run(*CHN_2010).exit_code == 0
    [body] = (tmp_path / "cache").rglob("*.json")
    [meta] = (tmp_path / "cache").rglob("*.meta")
    assert json.loads(body.read_bytes())["count"] == 4
    assert json.loads(meta.read_text())["request"].startswith(server.url + "/public/v1/preview/C/A/HS?")
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Maintenance</body></html>"), "HTML page"),
        ((200, JSON, b'{"count": 4, "data": [{"truncated'), "not valid JSON"),
        ((200, JSON, b'{"count": 0, "data": [], "error": "Invalid parameter period"}'), "Invalid"),
        ((200, JSON, b'{"results": []}'), "not a Comtrade answer"),
        ((200, JSON, b"[" * 100_000), "maximum recursion depth"),
        ((404, JSON, b'{"statusCode": 404, "message": "Resource not found"}'), "HTTP 404"),
        ((401, JSON, ERRORS[401]), "HTTP 401: Access denied due to invalid subscription key"),
        ((403, JSON, ERRORS[403]), "HTTP 403: Out of call volume quota"),
        ((302, {"Location": "http://elsewhere.invalid/"}, b""), "redirects are not followed"),
    ],
)  # fmt: skip
def test_bad_answers_fail_in_one_line_and_are_never_cached(env, server, tmp_path, answer, words):
    server.script = [answer]
    result = run(*CHN_2010)
    assert words in one_line_error(result, 1)
    assert result.stdout == ""
    assert len(server.requests) == 1  # none of these is retried
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_no_data_is_exit_0_with_one_line(env, server, tmp_path):
    server.script = [(200, {"Content-Type": "application/json"}, EMPTY.read_bytes())]
    out = tmp_path / "none.csv"
    result = run(*CHN_2010, "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert not out.exists()
    [line] = result.stderr.splitlines()
    assert "no goods export/import records for reporter CHN, partners ARG,DEU, period 2010" in line


# --- politeness: retries, throttle, limits -------------------------------------------------


def ask(server, tmp_path, policy=FAST, **kwargs):
    query = ComtradeQuery.parse("china", ["argentina,germany"], kwargs.pop("period", "2010"))
    return fetch_comtrade(query, base=server.url, cache_dir=tmp_path / "cache", policy=policy, **kwargs)


def test_429_and_403_with_retry_after_wait_as_asked(server, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("tradecli.fetch.client.time.sleep", waits.append)
    server.script = [(429, {**JSON, "Retry-After": "2"}, ERRORS[429]), (403, {**JSON, "Retry-After": "3"}, ERRORS[403])]
    result = ask(server, tmp_path, policy=Policy(interval=0, retries=3, max_wait=10, backoff=0.01))
    assert len(result.figures) == 4
    assert len(server.requests) == 3
    assert waits == [2.0, 3.0]


def test_retry_after_beyond_the_budget_fails_at_once(server, tmp_path, monkeypatch):
    monkeypatch.setattr("tradecli.fetch.client.time.sleep", lambda s: None)
    server.script = [(429, {**JSON, "Retry-After": "3600"}, ERRORS[429])]
    with pytest.raises(FetchError, match="HTTP 429: Rate limit is exceeded.* after 1 try.*wait 3600 s"):
        ask(server, tmp_path)
    assert len(server.requests) == 1


def test_5xx_backs_off_and_gives_up(server, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr("tradecli.fetch.client.time.sleep", waits.append)
    server.script = [(500, {}, b"")] * 4
    with pytest.raises(FetchError, match="HTTP 500 after 4 tries"):
        ask(server, tmp_path, policy=Policy(interval=0, retries=3, max_wait=10, backoff=0.5))
    assert waits == [0.5, 1.0, 2.0]
    assert len(server.requests) == 4
    server.script = [(503, {}, b""), (502, {}, b"")]
    assert len(ask(server, tmp_path, policy=Policy(interval=0, retries=3, max_wait=10, backoff=0.5)).figures) == 4


def test_slow_and_dropped_connections_are_retried_then_one_line(server, tmp_path, env):
    server.script = [("sleep", 1.0), "drop"]
    result = ask(server, tmp_path, policy=Policy(interval=0, timeout=0.3, retries=2, max_wait=5, backoff=0.01))
    assert len(result.figures) == 4
    assert len(server.requests) == 3
    server.script = ["drop"] * 4
    with pytest.raises(FetchError, match="closed the connection.*after 4 tries"):
        ask(server, tmp_path, policy=FAST, refresh=True)
    slow = Policy(interval=0, timeout=0.2, retries=1, max_wait=5, backoff=0.01)
    server.script = [("sleep", 0.6), ("sleep", 0.6)]
    with pytest.raises(FetchError, match=r"no answer within 0.2 s after 2 tries"):
        ask(server, tmp_path, policy=slow, refresh=True)


@pytest.mark.parametrize(
    "url", ["ftp://comtrade.example", "https://comtrade.example?subscription-key=x", "https://me:pw@h.example", "h"]
)
def test_a_base_url_that_could_hold_a_key_is_refused(env, server, monkeypatch, url):
    monkeypatch.setenv("TRADECLI_COMTRADE_URL", url)
    assert "--api-url" in one_line_error(run(*CHN_2010), 2)
    assert not server.requests


def test_an_answer_that_trickles_in_is_abandoned(server, tmp_path):
    body = server.replay({"reporterCode": "156"})
    server.script = [(200, {**JSON, "X-Trickle": "1"}, body)]
    with pytest.raises(FetchError, match="took longer than 0.3 s"):
        ask(server, tmp_path, policy=Policy(interval=0, timeout=2, longest=0.3))


def test_refused_and_unresolvable_hosts_are_one_line(env, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("TRADECLI_COMTRADE_URL", f"http://127.0.0.1:{port}")
    assert "cannot connect" in one_line_error(run(*CHN_2010), 1)

    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setenv("TRADECLI_COMTRADE_URL", "http://comtrade.example")
    assert "Name or service not known" in one_line_error(run(*CHN_2010), 1)


def test_calls_are_throttled(server, tmp_path):
    # An answer at the preview's limit makes two more calls: three in a row.
    server.script = [(200, JSON, json.dumps({"count": 500, "data": []}).encode())]
    ask(server, tmp_path, policy=Policy(interval=0.3), period="2009..2010")
    starts = [r["at"] for r in server.requests]
    assert len(starts) == 3
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(starts))  # 0.3 s apart when sent; arrival may jitter


def test_the_throttle_waits_out_the_interval(server):
    now, waits = [100.0], []

    def sleep(seconds):  # a clock that moves only when the client waits
        waits.append(seconds)
        now[0] += seconds

    with Client(policy=Policy(interval=1.0), sleep=sleep, clock=lambda: now[0]) as client:
        for _ in range(3):
            client.get(f"{server.url}/public/v1/preview/C/A/HS", [("reporterCode", "156")], "call")
            now[0] += 0.25  # each call takes a quarter second
    assert waits == [0.75, 0.75]
    assert client.sent == 3


def test_an_answer_at_the_record_limit_is_split_not_kept_or_warned_about(server, tmp_path):
    server.script = [(200, JSON, json.dumps({"count": 500, "data": []}).encode())]
    result = ask(server, tmp_path, period="2009..2010")
    assert [r["query"]["period"] for r in server.requests] == ["2009,2010", "2009", "2010"]
    assert len(result.figures) == 4
    assert not result.warnings
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 2  # the halves; the full answer is kept nowhere
    # The preview may say it stopped at its limit in "error": split all the same.
    rows = json.loads(GOODS.read_text(encoding="utf-8"))["data"]
    capped = {"count": 500, "data": rows[:1] * 500, "error": "Preview is limited to 500 records"}
    server.script = [(200, JSON, json.dumps(capped).encode())]
    assert len(ask(server, tmp_path, period="2010..2011", refresh=True).figures) == 4
    # One partner, one period, one flow: nothing left to split, so a warning (or, with an error, a failure).
    query = ComtradeQuery.parse("china", ["argentina"], "2010", flow="import")
    server.script = [(200, JSON, json.dumps({"count": 500, "data": rows[:1]}).encode())]
    result = fetch_comtrade(query, base=server.url, cache_dir=tmp_path / "c2", policy=FAST)
    assert "record-limit" in [w.code for w in result.warnings]
    server.script = [(200, JSON, json.dumps(capped).encode())]
    with pytest.raises(FetchError, match="Preview is limited.*cannot be split"):
        fetch_comtrade(query, base=server.url, cache_dir=tmp_path / "c3", policy=FAST)


def test_the_progress_bar_only_on_a_terminal_and_not_quiet(monkeypatch):
    with fetch_command._progress_bar(quiet=False) as bar:
        assert bar is None  # pytest's stderr is not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with fetch_command._progress_bar(quiet=True) as bar:
        assert bar is None
    with fetch_command._progress_bar(quiet=False) as bar:
        assert callable(bar)
        bar(1, 3, "")


def test_progress_reports_every_call(server, tmp_path):
    seen = []
    server.script = [(200, JSON, json.dumps({"count": 500, "data": []}).encode())]
    ask(server, tmp_path, period="2009..2010", on_progress=lambda done, total, url: seen.append((done, total)))
    assert seen == [(0, 1), (0, 2), (1, 2), (2, 2)]


def test_without_httpx_fetch_names_the_extra(env, monkeypatch):
    monkeypatch.setitem(sys.modules, "httpx", None)
    assert "pip install 'tradecli[fetch]'" in one_line_error(run(*CHN_2010), 1)


def test_empty_answers_everywhere_raise_no_figures(server, tmp_path):
    server.script = [(200, {"Content-Type": "application/json"}, EMPTY.read_bytes())]
    with pytest.raises(NoFiguresError, match="no goods"):
        ask(server, tmp_path)


def test_the_fetch_command_module_can_be_imported_first():
    code = "import tradecli.fetch.command; from tradecli.cli import app; app(['fetch', '--help'], prog_name='tradecli')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "comtrade" in result.stdout


def test_help_imports_neither_httpx_nor_pandas():
    code = "from tradecli.cli import app; app(prog_name='tradecli')"
    for args in (["--help"], ["fetch", "--help"], ["fetch", "comtrade", "--help"]):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0
        modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
        assert not {"httpx", "pandas", "platformdirs", "tradecli.fetch.comtrade", "tradecli.fetch.client"} & modules


@pytest.mark.parametrize("page", ["docs/fetch.md"])
def test_the_readme_transcript_runs_as_printed(env, server, monkeypatch, tmp_path, pinned_terminal, page):
    readme = (Path(__file__).parents[1] / page).read_text(encoding="utf-8")
    block = readme.split("<!-- fetch-transcript -->\n```\n")[1].split("```\n<!-- /fetch-transcript -->")[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    printed_url = re.search(r"http://127\.0\.0\.1:\d{5}", block).group()
    assert len(server.url) == len(printed_url)  # an ephemeral port has five digits: the table wraps alike
    monkeypatch.chdir(tmp_path)
    for command, expected in steps:
        words = shlex.split(command)
        if words[0] == "export":
            monkeypatch.setenv(words[1].split("=")[0], server.url)
            continue
        assert words[0] == "tradecli"
        args = words[1:] + (["-f", "table"] if words[1] == "balance" else [])  # a table on a terminal; the runner is not one
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        got = (result.stdout + result.stderr).replace(server.url, printed_url)
        printed_date = re.search(r"fetched \S+Z", "\n".join(expected))
        if printed_date:
            got = re.sub(r"fetched \S+Z", printed_date.group(), got)
        assert [line.rstrip() for line in got.splitlines()] == expected


def test_a_hostile_answer_reaches_neither_terminal_nor_spreadsheet_raw(env, server):
    rows = json.loads(GOODS.read_text(encoding="utf-8"))["data"]
    evil = [
        dict(r, partnerCode=998, partnerISO="XXX", partnerDesc=f'=HYPERLINK("http://x")\x1b[31m\u202e{r["partnerDesc"]}')
        for r in rows
    ]
    server.script = [(200, JSON, json.dumps({"count": 4, "data": evil}).encode())]
    result = run(*CHN_2010)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stderr
    assert "\\x1b" in result.stderr  # the warning about the unknown partner shows it escaped
    for row in figures(result.stdout):
        assert not row["quote"].startswith(("=", "+", "-", "@"))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
       lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["count", "data", "error", "x"]), c, max_size=3),
       max_leaves=10).map(lambda d: json.dumps(d).encode())))  # fmt: skip
def test_any_answer_is_data_or_one_fetch_error(body):
    try:
        document = _check_answer(body, "application/json", "call", None, 500)
    except FetchError as exc:
        message = str(exc)
    else:
        assert isinstance(document["data"], list)
        assert isinstance(document["count"], int)
        return
    assert "\n" not in message


def test_monthly_answers_say_why_nothing_is_imported(env, server):
    rows = json.loads(GOODS.read_text(encoding="utf-8"))["data"]
    months = [dict(r, freqCode="M", period="201001", refMonth=1) for r in rows]
    server.script = [(200, JSON, json.dumps({"count": 4, "data": months}).encode())]
    line = one_line_error(run("--reporter", "china", "--partner", "argentina,germany", "--period", "201001", "--freq", "M"), 1)
    assert "--months fiscal" in line
    [call] = server.requests
    assert call["path"] == "/public/v1/preview/C/M/HS"
    assert call["query"]["period"] == "201001"


def _stderr_on_a_terminal(args: list[str], env: dict[str, str]) -> bytes:
    """Run tradecli with stderr on a pseudo-terminal; every byte it showed there."""
    import os
    import pty

    leader, follower = pty.openpty()
    root = Path(__file__).parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tradecli", *args],
        env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "100", "TERM": "xterm", **env},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    shown = read_terminal(leader, process)
    assert process.wait(timeout=30) == 0
    return shown


def test_the_progress_bar_shows_on_a_terminal_only_without_quiet(server, tmp_path):
    env = {"TRADECLI_COMTRADE_URL": server.url, "TRADECLI_CACHE_DIR": str(tmp_path / "c"), "TRADECLI_COMTRADE_INTERVAL": "0.3"}
    args = [
        "fetch",
        "comtrade",
        "-r",
        "china",
        "--partner",
        "argentina,germany",
        "-p",
        "2009..2010",
        "-o",
        str(tmp_path / "x.csv"),
    ]
    full = (200, JSON, json.dumps({"count": 500, "data": []}).encode())  # three calls: the full one, then its halves
    server.script = [full]
    shown = _stderr_on_a_terminal(args, env)
    assert b"UN Comtrade" in shown
    assert "━".encode() in shown  # the bar
    server.script = [full]
    assert _stderr_on_a_terminal([*args, "--refresh", "--quiet"], env) == b""


def test_services_ask_the_services_endpoint_and_an_empty_answer_is_exit_0(env, server):
    server.script = [(200, JSON, EMPTY.read_bytes())]  # the recorded answer to this very question (EB 200)
    result = run(*CHN_2010, "--type", "services", "--commodity", "200")
    assert result.exit_code == 0, result.output
    [call] = server.requests
    assert call["path"] == "/public/v1/preview/S/A/EB"
    assert call["query"]["cmdCode"] == "200"
    assert "no services export/import records for reporter CHN" in result.stderr


def test_monthly_answers_sum_into_calendar_years_with_months(env, server):
    """--freq M --months calendar: twelve monthly answers summed exactly (recomputed here with Decimal)."""
    from decimal import Decimal

    rows = json.loads(GOODS.read_text(encoding="utf-8"))["data"]
    months = [
        dict(r, freqCode="M", period=f"2010{m:02d}", refMonth=m, primaryValue=r["primaryValue"] / 12 + m)
        for m in range(1, 13)
        for r in rows
    ]
    server.script = [(200, JSON, json.dumps({"count": len(months), "data": months}).encode())]
    result = run(
        "--reporter", "china", "--partner", "argentina,germany", "--period", "2010", "--freq", "M", "--months", "calendar"
    )
    assert result.exit_code == 0, result.output
    got = {(f["partner"], f["flow"], f["period"]): Decimal(f["value"]) for f in figures(result.stdout)}
    expected = {}
    for r in months:
        key = ({32: "ARG", 276: "DEU"}[r["partnerCode"]], {"X": "export", "M": "import"}[r["flowCode"]], "2010")
        expected[key] = expected.get(key, Decimal(0)) + Decimal(repr(r["primaryValue"]))
    assert got == {k: (v / 1_000_000) for k, v in expected.items()}
