"""A hostile run: several hundred attacks on tradecli, both engines, counted by category.

    python bench/hostile_run.py            # prints a table: category, tried, held, failed, then each failure

Each case says what "held" means (no file written, one-line error, no formula trigger, no raw
escape, same finding from both engines, ...). Most run in-process (typer's CliRunner, the engine
chosen by TRADECLI_ENGINE); the ones about processes, devices, memory and time run a child process.
Not a test: it takes minutes and its figures depend on the machine. The tests in tests/hostile/
hold the same promises case by case.
"""

from __future__ import annotations

import csv
import io
import os
import random
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tradecli.read import flows, screen  # noqa: E402
from tradecli.cli import app  # noqa: E402

HEADER = ["id", "reporter", "partner", "flow", "period", "currency", "value", "status", "source", "quote", "note"]
GOOD = ["a", "IND", "PER", "export", "2024", "USD", "1", "reported", "s", "q", ""]
ENGINES = ("pandas", "duckdb")
runner = CliRunner()
results: list[tuple[str, str, bool, str]] = []  # category, case, held, why not


def case(category: str, name: str, check: Callable[[], str | None]) -> None:
    """Run one case; ``check`` returns None when the promise held, else what went wrong."""
    try:
        why = check()
    except Exception as exc:  # a crash of the case itself counts as a failure, with its reason
        why = f"{type(exc).__name__}: {exc}"
    results.append((category, name, why is None, why or ""))


def write_csv(folder: Path, rows: list[list[str]], header: list[str] = HEADER, name: str = "f.csv") -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path = folder / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def invoke(args: list[str], engine: str, stdin: bytes | None = None):
    os.environ["TRADECLI_ENGINE"] = engine
    return runner.invoke(app, args, input=stdin)


def one_line(result) -> str | None:
    """None if the result is exit 0, or exit 1/2 with one line on stderr and no traceback."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"exception {type(result.exception).__name__}: {result.exception}"
    if result.exit_code == 0:
        return None
    lines = result.stderr.strip().splitlines()
    if result.exit_code not in (1, 2) or len(lines) != 1 or "Traceback" in result.stderr:
        return f"exit {result.exit_code}, stderr {result.stderr[:200]!r}"
    return None


def child(args: list[str], engine: str, stdin=None, timeout: float = 60) -> tuple[int, bytes, bytes, float]:
    """tradecli in a child process: exit code, stdout, stderr, wall seconds (killed after ``timeout``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRADECLI_ENGINE": engine}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tradecli", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
    )  # fmt: skip
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return -9, out, err, timeout
    return process.returncode, out, err, time.perf_counter() - start


# --- 1. SQL injection -------------------------------------------------------------------------

SQL = [
    "'", '"', "';--", '";--', "/* x */", "}); COPY (SELECT 1) TO '{out}'; --", "') TO '{out}' (FORMAT csv); --",
    "\"; COPY (SELECT 42) TO '{out}'; --", "ATTACH '{out}' AS x; --", "INSTALL httpfs; --", "LOAD httpfs; --",
    "x' OR '1'='1", "$path", "?", "$1", "{out}", "') UNION SELECT * FROM read_csv('/etc/passwd') --",
    "a\"b\"\"c", "COPY (SELECT 1) TO '{out}'", "'; PRAGMA enable_external_access=true; --",
]


def sql_cases(folder: Path) -> None:
    for engine in ENGINES:
        for n, payload in enumerate(SQL):
            for where in ("header", "cell", "path"):
                target = folder / f"pwned-{engine}-{n}-{where}"
                text = payload.replace("{out}", str(target))

                def check(text=text, where=where, target=target, engine=engine, n=n) -> str | None:
                    sub = folder / f"sql-{engine}-{n}-{where}"
                    sub.mkdir(exist_ok=True)
                    if where == "header":
                        path = write_csv(sub, [GOOD + ["x"]], HEADER + [text])
                    elif where == "cell":
                        path = write_csv(sub, [[*GOOD[:1], text, *GOOD[2:]]])
                    else:
                        path = sub / (text.replace("/", "_")[:100] + ".csv")
                        path.write_text(",".join(HEADER) + "\n" + ",".join(GOOD) + "\n")
                    for args in (["validate", str(path)], ["balance", "--data", str(path)], ["partners", "--data", str(path)]):
                        result = invoke(args, engine)
                        if target.exists():
                            return f"{args[0]} wrote {target}"
                        if (why := one_line(result)) is not None:
                            return f"{args[0]}: {why}"
                    return None

                case("SQL injection", f"{engine} {where} {payload[:30]!r}", check)


# --- 2. -o places -----------------------------------------------------------------------------


def places_cases(folder: Path) -> None:
    data = write_csv(folder, [GOOD, ["b", "IND", "PER", "import", "2024", "USD", "2", "reported", "s", "q", ""]], name="p.csv")
    for engine in ENGINES:
        base = folder / f"places-{engine}"
        base.mkdir()

        def symlink() -> str | None:
            target, link = base / "target.csv", base / "link.csv"
            target.write_text("old")
            link.symlink_to(target)
            result = invoke(["balance", "--data", str(data), "-f", "csv", "-o", str(link)], engine)
            if not link.is_symlink():
                return "the link was replaced"
            return None if result.exit_code in (0, 2) and (result.exit_code == 2 or target.read_text() != "old") else "wrong"

        def fifo() -> str | None:
            path = base / "fifo"
            os.mkfifo(path)
            reader = subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE)
            result = invoke(["balance", "--data", str(data), "-f", "csv", "-o", str(path)], engine)
            out = reader.communicate(timeout=30)[0]
            if not stat.S_ISFIFO(path.stat().st_mode):
                return "the FIFO was replaced"
            return None if result.exit_code == 0 and b"balance" in out or result.exit_code == 2 else f"exit {result.exit_code}"

        def devnull() -> str | None:
            result = invoke(["balance", "--data", str(data), "-f", "csv", "-o", "/dev/null"], engine)
            return None if result.exit_code in (0, 2) and stat.S_ISCHR(os.stat("/dev/null").st_mode) else "devnull"

        def directory() -> str | None:
            result = invoke(["balance", "--data", str(data), "-o", str(base)], engine)
            return None if result.exit_code == 2 and base.is_dir() else f"exit {result.exit_code}"

        def slash() -> str | None:
            result = invoke(["balance", "--data", str(data), "-o", str(base / "nothere") + "/"], engine)
            return None if result.exit_code == 2 and not (base / "nothere").exists() else f"exit {result.exit_code}"

        def itself() -> str | None:
            before = data.read_bytes()
            result = invoke(["balance", "--data", str(data), "-f", "csv", "-o", str(data)], engine)
            return None if result.exit_code == 2 and data.read_bytes() == before else f"exit {result.exit_code}"

        def hardlink() -> str | None:
            link = base / "hard.csv"
            os.link(data, link)
            before = data.read_bytes()
            result = invoke(["balance", "--data", str(data), "-f", "csv", "-o", str(link)], engine)
            return None if result.exit_code == 2 and data.read_bytes() == before else f"exit {result.exit_code}"

        def bundled() -> str | None:
            path = ROOT / "data" / "flows.csv"
            before = path.read_bytes()
            result = invoke(["balance", "-f", "csv", "-o", str(path)], engine)
            return None if result.exit_code == 2 and path.read_bytes() == before else f"exit {result.exit_code}"

        def long_name() -> str | None:
            path = base / ("n" * 250 + ".csv")
            result = invoke(["balance", "--data", str(data), "-f", "csv", "-o", str(path)], engine)
            return None if result.exit_code == 0 and path.exists() else f"exit {result.exit_code}: {result.stderr[:100]}"

        def mode() -> str | None:
            path = base / "mode.csv"
            path.write_text("x")
            path.chmod(0o640)
            invoke(["balance", "--data", str(data), "-f", "csv", "-o", str(path)], engine)
            return None if stat.S_IMODE(path.stat().st_mode) == 0o640 else oct(path.stat().st_mode)

        def no_temporary() -> str | None:
            left = [p for p in base.iterdir() if p.name.startswith(".tradecli-")]
            return None if not left else f"left {left}"

        for name, check in [("symlink", symlink), ("fifo", fifo), ("/dev/null", devnull), ("directory", directory),
                            ("trailing slash", slash), ("the data itself", itself), ("a hard link to the data", hardlink),
                            ("bundled flows.csv", bundled), ("250-byte name", long_name), ("permission bits", mode),
                            ("no temporary left", no_temporary)]:  # fmt: skip
            case("-o places", f"{engine} {name}", check)


# --- 3. bounded reads -------------------------------------------------------------------------


def bounded_cases(folder: Path) -> None:
    sparse = folder / "sparse.csv"
    with open(sparse, "wb") as handle:
        handle.truncate(2 * 2**30)
    long_line = folder / "long.csv"
    long_line.write_bytes(",".join(HEADER).encode() + b"\n" + b"x" * (3 * screen.MAX_RECORD_BYTES) + b"\n")
    long_cell = folder / "cell.csv"
    long_cell.write_bytes(",".join(HEADER).encode() + b'\na,IND,PER,export,2024,USD,1,reported,s,"' + b"w\n" * (3 * screen.MAX_RECORD_BYTES // 2) + b'",\n')
    stray = folder / "stray.csv"
    stray.write_bytes(",".join(HEADER).encode() + b'\na,IND,PER,export,2024,USD,1,reported,s,"q,\n' + b"b,IND,CHL,export,2024,USD,1,reported,s,q,\n" * 200_000)
    deep = folder / "deep.json"
    deep.write_bytes(b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    huge_json = folder / "huge.json"
    with open(huge_json, "wb") as handle:
        handle.truncate(300 * 2**20)
    files = {
        "/dev/zero": "/dev/zero", "/dev/urandom": "/dev/urandom", "2 GiB sparse": str(sparse),
        "12 MiB line": str(long_line), "12 MiB quoted cell": str(long_cell), "unclosed quote, 9 MiB after": str(stray),
    }  # fmt: skip
    for engine in ENGINES:
        for name, path in files.items():
            for command in (["validate", path, "-f", "csv"], ["balance", "peru", "--data", path]):

                def check(command=command) -> str | None:
                    code, _, err, wall = child(command, engine, timeout=60)
                    lines = err.decode(errors="replace").strip().splitlines()
                    if code != 1 or len(lines) != 1 or b"Traceback" in err or b"MemoryError" in err:
                        return f"exit {code}, {err[-200:]!r}"
                    return None if wall < 30 else f"{wall:.0f} s"

                case("bounded reads", f"{engine} {command[0]} {name}", check)
        for name, path in (("JSON 100,000 deep", deep), ("300 MiB JSON", huge_json), ("/dev/zero JSON", "/dev/zero")):

            def check(path=path) -> str | None:
                code, _, err, wall = child(["import", "comtrade", str(path)], engine, timeout=60)
                ok = code == 1 and len(err.strip().splitlines()) == 1 and b"Traceback" not in err
                return None if ok and wall < 30 else f"exit {code} {wall:.0f} s {err[-200:]!r}"

            case("bounded reads", f"{engine} import {name}", check)

        def endless_stdin() -> str | None:
            stream = subprocess.Popen(["yes", "x" * 100], stdout=subprocess.PIPE)
            code, _, err, wall = child(["balance", "--data", "-"], engine, stdin=stream.stdout)
            stream.kill()
            stream.wait()
            stream.stdout.close()
            return None if code == 1 and len(err.strip().splitlines()) == 1 else f"exit {code} {err[-200:]!r}"

        case("bounded reads", f"{engine} endless standard input", endless_stdin)


# --- 4. formulas ------------------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
FORMULAS = [
    "=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "x;=cmd|' /c calc'!A1", "x\t=1", "x|=1", "x,=1", "x\n=1",
    'a;"=2+2"', "＝1+1", "＋1", "x\r\n=1", " =1",
]


def formula_cases(folder: Path) -> None:
    for engine in ENGINES:
        for n, payload in enumerate(FORMULAS):
            for where in ("source", "reporter"):  # a text column that reaches output, and a bad code in validate's report

                def check(payload=payload, where=where, n=n) -> str | None:
                    row = list(GOOD)
                    row[HEADER.index(where)] = payload
                    path = write_csv(folder, [row], name=f"formula-{engine}-{n}-{where}.csv")
                    args = ["validate", str(path), "-f", "csv"] if where == "reporter" else ["sources", "--data", str(path), "-f", "csv"]
                    result = invoke(args, engine)
                    if (why := one_line(result)) is not None:
                        return why
                    for separator in (",", ";", "\t"):
                        for record in csv.reader(io.StringIO(result.stdout, newline=""), delimiter=separator):
                            for cell in record:
                                if cell.startswith(TRIGGERS) and not cell.startswith("'"):
                                    return f"cell {cell[:30]!r} with separator {separator!r}"
                    return None

                case("formulas", f"{engine} {where} {payload[:20]!r}", check)


# --- 5. terminal escapes ----------------------------------------------------------------------

ESCAPES = ["\x1b[2J", "\x1b]0;pwned\x07", "\x9b31m", "\u202eevil", "\u2066x", "\x07", "\x08\x08", "\x00", "\x7f", "\x1bc", "\u200f"]
RAW = ("\x1b", "\x9b", "\u202e", "\u2066", "\x07", "\x08", "\x7f", "\u200f")


def escape_cases(folder: Path) -> None:
    for engine in ENGINES:
        for n, payload in enumerate(ESCAPES):
            for command in ("validate", "balance", "sources"):

                def check(payload=payload, command=command, n=n) -> str | None:
                    row = list(GOOD)
                    column = "partner" if command != "sources" else "note"
                    row[HEADER.index(column)] = payload
                    path = write_csv(folder, [row], name=f"escape-{engine}-{n}-{command}.csv")
                    args = [command, str(path), "-f", "table"] if command == "validate" else [command, "--data", str(path), "-f", "table"]
                    result = invoke(args, engine)
                    shown = result.stdout + result.stderr
                    raw = [c for c in RAW if c in shown]
                    return None if not raw and one_line(result) is None else f"raw {raw!r} or {one_line(result)}"

                case("terminal escapes", f"{engine} {command} {payload!r}", check)


# --- 6. failures ------------------------------------------------------------------------------


def failure_cases(folder: Path) -> None:
    data = write_csv(folder, [GOOD], name="fail.csv")
    shell = {
        "> /dev/full csv": f"{{cmd}} balance --data {data} -f csv > /dev/full",
        "> /dev/full json": f"{{cmd}} balance --data {data} -f json > /dev/full",
        "> /dev/full md": f"{{cmd}} balance --data {data} -f md > /dev/full",
        "stdout closed": f"{{cmd}} balance --data {data} -f csv >&-",
        "PYTHONIOENCODING=latin-1": f"PYTHONIOENCODING=latin-1 {{cmd}} sources --data {data} -f table > /dev/null",
        "LC_ALL=C --help": "LC_ALL=C PYTHONUTF8=0 {cmd} --help > /dev/null",
        "--data - <&-": "{cmd} balance --data - <&-",
        "xlsx | head -c10": f"{{cmd}} balance --data {data} -f xlsx -o - | head -c10 > /dev/null",
        "csv | head -c1": f"{{cmd}} balance --data {data} -f csv | head -c1 > /dev/null",
    }
    for engine in ENGINES:
        for name, line in shell.items():

            def check(line=line, name=name) -> str | None:
                command = line.format(cmd=f"{sys.executable} -m tradecli")
                env = {**os.environ, "PYTHONPATH": str(ROOT), "TRADECLI_ENGINE": engine}
                done = subprocess.run(["bash", "-o", "pipefail", "-c", command], env=env, capture_output=True, timeout=60)
                err = done.stderr.decode(errors="replace").strip().splitlines()
                if "Traceback" in done.stderr.decode(errors="replace") or len(err) > 1:
                    return f"stderr {done.stderr[-200:]!r}"
                if "latin-1" in name:  # the table holds “ ”: either printed or one Error line naming the encoding
                    return None if done.returncode == 0 or (done.returncode == 1 and "encoding" in err[0].lower() or "iso8859" in err[0]) else str(err)
                wanted_zero = "head" in name or "help" in name
                return None if (done.returncode == 0) == wanted_zero else f"exit {done.returncode} {err}"

            case("failures", f"{engine} {name}", check)


# --- 7. values --------------------------------------------------------------------------------

VALUES = [
    "1.7976931348623157e308", "1e308", "1e400", "-1e400", "inf", "nan", "-0", "1e-400", "99999999999999999999999",
    "٢٠٢٤", "２０２４", "1_000", "0x10", " 7 ",
]


def value_cases(folder: Path) -> None:
    for engine in ENGINES:
        for n, value in enumerate(VALUES):
            for fmt in ("csv", "json", "md", "table"):

                def check(value=value, fmt=fmt, n=n) -> str | None:
                    rows = [[*GOOD[:6], value, *GOOD[7:]], ["b", "IND", "PER", "export", "2023", "USD", value, "reported", "s", "q", ""],
                            ["c", "IND", "PER", "import", "2024", "USD", "1.7976931348623157e308", "reported", "s", "q", ""]]  # fmt: skip
                    path = write_csv(folder, rows, name=f"value-{engine}-{n}-{fmt}.csv")
                    result = invoke(["balance", "peru", "--data", str(path), "-f", fmt], engine)
                    if (why := one_line(result)) is not None:
                        return why
                    shown = result.stdout.lower()
                    bad = [w for w in ("inf", "nan", "warning") if w in shown.replace("information", "")]
                    return None if not bad and "RuntimeWarning" not in result.stderr else f"{bad} in output"

                case("values", f"{engine} {value!r} -f {fmt}", check)
        for n, period in enumerate(["٢٠٢٤", "２０２４", "2024"]):

            def period_check(period=period, n=n) -> str | None:
                rows = [GOOD, [*GOOD[:4], period, "USD", "2", *GOOD[7:]]]
                path = write_csv(folder, rows, name=f"period-{engine}-{n}.csv")
                result = invoke(["balance", "peru", "--data", str(path), "-f", "csv"], engine)
                return None if result.exit_code == 1 else f"exit {result.exit_code}: {result.stdout[:200]}"

            case("values", f"{engine} a second 2024 written {period!r}", period_check)


# --- 8. same verdict --------------------------------------------------------------------------

PIECES = [
    "IND", "PER", " IND ", "", " ", "in", "export", "exports", "2024", "FY2024-25", "2024-25", "USD", "US$", "1", "-5",
    "1,000", '"1,000"', "1e400", "nan", "1_000", "reported", "guess", '"a\nb"', '"a,b"', '"q""q"', "\x1b[2J", "=cmd",
    "a\x00b", '"', 'x"y', "\r", "٢٠٢٤", "0x10",
]  # fmt: skip


def verdict_cases(folder: Path) -> None:
    def findings(path: Path, engine: str) -> list[dict]:
        os.environ["TRADECLI_ENGINE"] = engine
        return [p.as_dict() for p in flows.check([path])]

    corpus = sorted((ROOT / "tests" / "corpus").glob("*.csv"))
    for path in corpus:
        case("same verdict", f"corpus {path.name}", lambda path=path: None if findings(path, "duckdb") == findings(path, "pandas") else "differ")
    rng = random.Random(9)
    for n in range(80):
        rows = []
        for _ in range(rng.randint(1, 5)):
            cells = [rng.choice(PIECES) if rng.random() < 0.3 else good for good in GOOD]
            if rng.random() < 0.1:
                cells.append(rng.choice(PIECES))
            rows.append(rng.choice(["\n", "\r\n", "\n\n"]) + ",".join(cells))
        text = ",".join(HEADER) + "".join(rows) + "\n"
        path = folder / f"fuzz-{n}.csv"
        path.write_bytes(text.encode())

        def check(path=path) -> str | None:
            small, big = findings(path, "pandas"), findings(path, "duckdb")
            return None if small == big else f"pandas {small[:1]} duckdb {big[:1]}"

        case("same verdict", f"generated {n}", check)


# --- 9. linear time ---------------------------------------------------------------------------


def linear_cases(folder: Path) -> None:
    patterns = {"a": "a", "digits": "1", "commas": "1,", "spaces": " ", "quotes": '""', "brackets": "(", "dots": ".", "unit": "(US$ "}
    for engine in ENGINES:
        for name, unit in patterns.items():

            def check(unit=unit, name=name) -> str | None:
                times = []
                for size in (200_000, 800_000):
                    row = [*GOOD[:8], unit * (size // len(unit)), "q", ""]
                    if '"' in unit:
                        row[8] = "x" + row[8]
                    path = write_csv(folder, [row], name=f"linear-{engine}-{name}-{size}.csv")
                    start = time.perf_counter()
                    invoke(["validate", str(path), "-f", "csv"], engine)
                    times.append(time.perf_counter() - start)
                ratio = times[1] / max(times[0], 0.05)
                return None if times[1] < 10 and ratio < 8 else f"{times[0]:.2f} s -> {times[1]:.2f} s"

            case("linear time", f"{engine} validate 800 KB of {name!r}", check)
        for name, unit in (("heading spaces", " "), ("heading parens", "("), ("heading unit", "(US$ ")):

            def tradestat(unit=unit) -> str | None:
                times = []
                for size in (50_000, 200_000):
                    path = folder / f"tradestat-{engine}-{size}.csv"
                    path.write_text(f"S.No.,Country,{unit * (size // len(unit))},Import\n1,PERU,1,2\n")
                    start = time.perf_counter()
                    invoke(["import", "tradestat", str(path), "--currency", "USD", "--period", "2024"], engine)
                    times.append(time.perf_counter() - start)
                return None if times[1] < 10 else f"{times[0]:.2f} s -> {times[1]:.2f} s"

            case("linear time", f"{engine} TradeStat heading of {name}", tradestat)


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for part in (sql_cases, places_cases, bounded_cases, formula_cases, escape_cases, failure_cases, value_cases,
                     verdict_cases, linear_cases):  # fmt: skip
            sub = folder / part.__name__
            sub.mkdir()
            part(sub)
            print(f"{part.__name__}: {sum(1 for r in results if r[2])}/{len(results)} so far", file=sys.stderr)
    tried, held = Counter(r[0] for r in results), Counter(r[0] for r in results if r[2])
    print(f"{'category':<18} {'tried':>6} {'held':>6} {'failed':>6}")
    for category in tried:
        print(f"{category:<18} {tried[category]:>6} {held[category]:>6} {tried[category] - held[category]:>6}")
    print(f"{'all':<18} {sum(tried.values()):>6} {sum(held.values()):>6} {sum(tried.values()) - sum(held.values()):>6}")
    print(f"({time.perf_counter() - started:.0f} s)")
    for category, name, ok, why in results:
        if not ok:
            print(f"FAILED {category}: {name}: {why}")


if __name__ == "__main__":
    main()
