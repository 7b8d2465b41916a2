"""Replay every broken or hostile input of issue 15 and measure the time and memory it takes to refuse it.

    python benchmarks/replay_hostile_input.py [--only NAME ...] [--timeout 120]

Builds each case in a temporary folder (files exported from the default district, then broken one way),
runs the command line on it in a fresh process (``python -m cadresim ...``, HOME and the pseudonym key
inside the temporary folder) and records its exit code, wall time, CPU time and peak resident memory
(``os.wait4``: the child's own ru_utime + ru_stime and ru_maxrss), the first problem it printed, and
whether it wrote anything. The goal for each refusal: exit code 2, no traceback, nothing written, under
10 s and 400 MB. The time goal is judged on CPU time, which other work on a shared machine does not
inflate as it does wall time; the first case, a valid scenario, shows what starting the program costs.
Cases that must be accepted (Excel serial numbers written as text) expect exit code 0. Writes
benchmarks/results_hostile_input.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS, GOAL_MB = 10.0, 400.0


@dataclass
class Case:
    """One input to replay: how to build it in a folder, the command, and what must come out."""

    name: str
    about: str
    build: Callable[[Path], list[str]]  # makes the files, returns the command's arguments
    expect_exit: int = 2
    expect_text: str = ""  # a phrase the error output must contain


# --- building blocks -------------------------------------------------------------------------------


def exported(folder: Path, fmt: str = "csv") -> Path:
    """The default district exported as roster and units files with a scenario.yaml; returns the folder."""
    target = folder / f"district_{fmt}"
    if not target.exists():
        subprocess.run([sys.executable, "-m", "cadresim", "roster", "export", str(ROOT / "scenarios/baseline.yaml"),
                        str(target), "--format", fmt], check=True, capture_output=True, cwd=folder)
    return target


def copy_district(folder: Path, name: str) -> Path:
    """A fresh copy of the exported CSV district, to break."""
    source, target = exported(folder), folder / name
    target.mkdir()
    for f in source.iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    return target


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)


def set_column(path: Path, header: str, value: Callable[[int, str], str]) -> None:
    rows = read_csv(path)
    pos = rows[0].index(header)
    for i, row in enumerate(rows[1:], start=1):
        row[pos] = value(i, row[pos])
    write_csv(path, rows)


def check(folder: Path) -> list[str]:
    return ["roster", "check", str(folder / "scenario.yaml")]


def scenario(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the cases ---------------------------------------------------------------------------------------


def units_posts_huge(folder: Path, command: str) -> list[str]:
    d = copy_district(folder, f"posts_1e9_{command}")
    set_column(d / "units.csv", "科员职数", lambda i, v: "1000000000" if i == 1 else v)
    return check(d) if command == "check" else ["run", str(d / "scenario.yaml"), "-q", "-o", str(d / "out")]


def posts_overflow(folder: Path) -> list[str]:
    d = copy_district(folder, "posts_overflow")
    set_column(d / "units.csv", "副科职数", lambda i, v: "99999999999999999999" if i == 2 else v)
    return check(d)


def alias_bomb(folder: Path, kind: str) -> list[str]:
    """Nine levels of nine aliases each: 9^9 (387 million) values, under 1 KB of text."""
    names = "abcdefghi"
    if kind == "mapping":  # expands in the loader's walk over keys
        lines = ["x0: &x0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1}"]
        lines += [f"x{i}: &x{i} {{" + ", ".join(f"{n}: *x{i - 1}" for n in names) + "}" for i in range(1, 9)]
        text = "\n".join(lines) + "\n"
    else:  # expands when the offending value is shown
        lines = ["- &x0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
        lines += [f"- &x{i} [" + ", ".join(f"*x{i - 1}" for _ in names) + "]" for i in range(1, 9)]
        text = "rotation:\n  month:\n" + "\n".join("    " + line for line in lines) + "\n"
    path = scenario(folder, f"bomb_{kind}.yaml", text)
    assert len(text) < 1024, len(text)
    return ["validate", str(path)]


def deep_yaml(folder: Path) -> list[str]:
    return ["validate", str(scenario(folder, "deep.yaml", "rotation: " + "[" * 5000 + "]" * 5000 + "\n"))]


def big_yaml(folder: Path) -> list[str]:
    return ["validate", str(scenario(folder, "big.yaml", "# padding\n" * 300_000 + "name: big\n"))]


def self_alias(folder: Path) -> list[str]:
    return ["validate", str(scenario(folder, "self.yaml", "rotation: &a {month: *a}\n"))]


def long_extends(folder: Path) -> list[str]:
    chain = folder / "chain"
    chain.mkdir()
    for i in range(200):
        scenario(chain, f"s{i}.yaml", f"extends: s{i + 1}.yaml\n" if i < 199 else "name: last\n")
    return ["validate", str(chain / "s0.yaml")]


def set_option(key_value: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        return ["run", str(ROOT / "scenarios/youth2.yaml"), "-q", "-r", "1", "-o", str(folder / "out"),
                "--set", key_value]
    return build


def many_replications(folder: Path) -> list[str]:
    return ["run", str(ROOT / "scenarios/baseline.yaml"), "-q", "-r", "1000000000", "-o", str(folder / "out")]


def xlsx_bomb(folder: Path) -> list[str]:
    """A workbook whose sheet unpacks to about 640 MB from half a megabyte."""
    d = copy_district(folder, "xlsx_bomb")
    source = exported(folder, "xlsx") / "units.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(d / "units.xlsx", "w", zipfile.ZIP_DEFLATED,
                                                        compresslevel=9) as out:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, src.read(item.filename))
                continue
            with out.open(item.filename, "w", force_zip64=True) as f:
                f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData><row r="1">')
                cell = b'<c t="inlineStr"><is><t>x</t></is></c>' * 100_000
                for _ in range(170):
                    f.write(cell)
                f.write(b"</row></sheetData></worksheet>")
    (d / "units.csv").unlink()
    _point(d, units="units.xlsx")
    return check(d)


def xlsx_formulas(folder: Path) -> list[str]:
    """The roster as .xlsx written by a script: 本层次任职岗位数 as formulas with no stored value."""
    import openpyxl

    d = copy_district(folder, "xlsx_formulas")
    book = openpyxl.Workbook()
    sheet = book.active
    rows = read_csv(d / "roster.csv")
    pos = rows[0].index("本层次任职岗位数")
    for i, row in enumerate(rows):
        sheet.append(row if i == 0 else [f"={row[pos]}+0" if j == pos else v for j, v in enumerate(row)])
    book.save(d / "roster.xlsx")
    (d / "roster.csv").unlink()
    _point(d, roster="roster.xlsx")
    return check(d)


def _point(d: Path, roster: str = "roster.csv", units: str = "units.csv") -> None:
    text = (d / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("roster_file: roster.csv", f"roster_file: {roster}").replace("units_file: units.csv",
                                                                                      f"units_file: {units}")
    (d / "scenario.yaml").write_text(text, encoding="utf-8")


def long_cell(folder: Path) -> list[str]:
    d = copy_district(folder, "long_cell")
    rows = read_csv(d / "roster.csv")
    rows[0].append("备注")
    for i, row in enumerate(rows[1:], start=1):
        row.append("x" * 140_000 if i == 5 else "")
    write_csv(d / "roster.csv", rows)
    return check(d)


def stray_quote(folder: Path) -> list[str]:
    d = copy_district(folder, "stray_quote")
    lines = (d / "roster.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[3] = '"' + lines[3]
    text = "".join(lines) + "".join(f"{i},,,,,,,,,,,,,,,\n" for i in range(20_000))  # a long file below it
    (d / "roster.csv").write_text(text, encoding="utf-8-sig")
    return check(d)


def roster_path(kind: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        d = copy_district(folder, f"roster_{kind}")
        path = d / "roster.csv"
        path.unlink()
        if kind == "self_link":
            path.symlink_to("roster.csv")
        elif kind == "dev_zero":
            path.symlink_to("/dev/zero")
        elif kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        return check(d)
    return build


def separator(sep: str, name: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        d = copy_district(folder, f"separator_{name}")
        write_csv(d / "roster.csv", read_csv(d / "roster.csv"), delimiter=sep)
        return check(d)
    return build


def serial_dates(folder: Path) -> list[str]:
    """Birth months as Excel serial numbers saved as text (the 15th of the month)."""
    import datetime as dt

    d = copy_district(folder, "serial_dates")
    epoch = dt.date(1899, 12, 30)

    def serial(_: int, value: str) -> str:
        year, month = map(int, value.split("-"))
        return str((dt.date(year, month, 15) - epoch).days)
    set_column(d / "roster.csv", "出生年月", serial)
    return check(d)


def duplicate_birth(folder: Path) -> list[str]:
    d = copy_district(folder, "duplicate_birth")
    rows = read_csv(d / "roster.csv")
    pos = rows[0].index("出生年月")
    rows[0].append("出生年月")
    for i, row in enumerate(rows[1:], start=1):
        year, month = row[pos].split("-")
        row.append(f"{int(year) - 1}-{month}" if i % 2 else row[pos])
    write_csv(d / "roster.csv", rows)
    return check(d)


def old_id_cards(folder: Path) -> list[str]:
    d = copy_district(folder, "id15")
    set_column(d / "roster.csv", "人员编号", lambda i, v: f"110105{540101 + i % 28:06d}{i % 1000:03d}")
    return check(d)


def many_rows(folder: Path) -> list[str]:
    d = copy_district(folder, "many_rows")
    rows = read_csv(d / "roster.csv")
    body = rows[1:]
    with (d / "roster.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(rows[0])
        for i in range(130_000):
            row = list(body[i % len(body)])
            row[0] = str(i)
            writer.writerow(row)
    return check(d)


def key_file(kind: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        if kind == "dev_zero":
            path = Path("/dev/zero")
        else:
            path = folder / "lax.key"
            path.write_text("k" * 64 + "\n")
            path.chmod(0o644)
        return ["run", str(ROOT / "scenarios/baseline.yaml"), "-q", "-r", "1", "-o", str(folder / "out"),
                "--key-file", str(path)]
    return build


def valid_scenario(folder: Path) -> list[str]:
    return ["validate", str(ROOT / "scenarios/baseline.yaml")]


CASES = [
    Case("valid_scenario", "a valid scenario (what starting the program costs)", valid_scenario, expect_exit=0),
    Case("units_posts_1e9_check", "units file: 科员职数 1000000000, roster check", lambda f: units_posts_huge(f, "check"),
         expect_text="at most 10,000 posts"),
    Case("units_posts_1e9_run", "units file: 科员职数 1000000000, run", lambda f: units_posts_huge(f, "run"),
         expect_text="at most 10,000 posts"),
    Case("units_posts_overflow", "units file: 副科职数 99999999999999999999", posts_overflow, expect_text="15 digits"),
    Case("yaml_alias_bomb_mapping", "scenario: 9^9 mapping alias bomb (<1 KB)", lambda f: alias_bomb(f, "mapping"),
         expect_text="aliases"),
    Case("yaml_alias_bomb_list", "scenario: 9^9 list alias bomb at a key (<1 KB)", lambda f: alias_bomb(f, "list"),
         expect_text="aliases"),
    Case("yaml_self_alias", "scenario: a mapping that contains itself", self_alias, expect_text="contains it"),
    Case("yaml_nested_5000", "scenario: a list nested 5,000 levels", deep_yaml, expect_text="levels deep"),
    Case("yaml_3mb", "scenario: a 3 MB file", big_yaml, expect_text="too large"),
    Case("extends_chain_200", "scenario: an extends chain of 200 files", long_extends, expect_text="extends chain"),
    Case("replications_1e9", "run -r 1000000000", many_replications, expect_text="at most 100,000"),
    Case("end_9999", "run --set end=9999-12", set_option("end=9999-12"), expect_text="1950-01 to 2100-12"),
    Case("start_0001", "run --set start=0001-01", set_option("start=0001-01"), expect_text="1950-01 to 2100-12"),
    Case("cohort_1e8", "run --set youth_talent.cohorts.c2.size=1.0e+8", set_option("youth_talent.cohorts.c2.size=1.0e+8"),
         expect_text="at most 120,000"),
    Case("cohort_over_posts", "run --set youth_talent.cohorts.c2.size=5000", set_option("youth_talent.cohorts.c2.size=5000"),
         expect_text="more members than the 594 posts"),
    Case("xlsx_zip_bomb", "units.xlsx: a 0.6 MB zip bomb (640 MB unpacked)", xlsx_bomb, expect_text="unpacks to"),
    Case("xlsx_uncached_formulas", "roster.xlsx: formulas with no stored value", xlsx_formulas,
         expect_text="formula whose value the file does not store"),
    Case("csv_cell_140kb", "roster.csv: a 140 KB cell", long_cell, expect_text="field larger than field limit"),
    Case("csv_stray_quote", "roster.csv: a stray \" at the start of row 4", stray_quote, expect_text="stray"),
    Case("roster_self_link", "roster.csv: a symbolic link to itself", roster_path("self_link"), expect_text="loop"),
    Case("roster_dev_zero", "roster.csv: a symbolic link to /dev/zero", roster_path("dev_zero"), expect_text="a device"),
    Case("roster_folder", "roster.csv: a folder", roster_path("folder"), expect_text="a folder"),
    Case("roster_fifo", "roster.csv: a named pipe", roster_path("fifo"), expect_text="named pipe"),
    Case("csv_semicolons", "roster.csv: separated by semicolons", separator(";", "semicolon"),
         expect_text="semicolons"),
    Case("csv_tabs", "roster.csv: separated by tabs", separator("\t", "tab"), expect_text="tabs"),
    Case("csv_serial_dates", "roster.csv: 出生年月 as Excel serial numbers in text (accepted)", serial_dates,
         expect_exit=0),
    Case("duplicate_birth_column", "roster.csv: 出生年月 twice, differing in half the rows", duplicate_birth,
         expect_text="differ in 1,043 row(s)"),
    Case("id_cards_15_digits", "roster.csv: 15-digit ID-card numbers as 人员编号", old_id_cards,
         expect_text="look like ID-card numbers"),
    Case("roster_130000_rows", "roster.csv: 130,000 cadres", many_rows, expect_text="121,000 rows"),
    Case("key_dev_zero", "run --key-file /dev/zero", key_file("dev_zero"), expect_text="a device"),
    Case("key_world_readable", "run -q --key-file with mode 0644", key_file("lax"), expect_text="chmod 600"),
]


# --- running ---------------------------------------------------------------------------------------


def run_case(case: Case, folder: Path, timeout: float) -> dict:
    """Build ``case`` in ``folder``, run it in a child process, and measure it."""
    args = case.build(folder)
    env = {**os.environ, "HOME": str(folder / "home"), "CADRESIM_KEY_FILE": str(folder / "home" / "pseudonym.key"),
           "XDG_CONFIG_HOME": str(folder / "home" / ".config"), "MPLBACKEND": "Agg", "COLUMNS": "200"}
    before = _listing(folder)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "cadresim", *args], stdout=out, stderr=err, cwd=folder,
                                 env=env, start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(child.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    written = sorted(str(p.relative_to(folder)) for p in _listing(folder) - before)
    text = " ".join((stdout + stderr).split())
    first = next((line.strip() for line in stderr.splitlines() if line.strip().startswith("- ")), "")
    ok = (child.returncode == case.expect_exit and case.expect_text in text and "Traceback" not in stderr
          and (case.expect_exit == 0 or not written))
    cpu = usage.ru_utime + usage.ru_stime
    return {"case": case.name, "input": case.about, "command": "cadresim " + " ".join(_short(a, folder) for a in args),
            "exit_code": child.returncode, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "as_expected": ok,
            "within_goal": cpu < GOAL_SECONDS and usage.ru_maxrss / 1024 < GOAL_MB,
            "message": _short(first[2:], folder)[:300], "written": written}


def _listing(folder: Path) -> set[Path]:
    """Every path under ``folder`` except the pseudonym key's home (a first run may make a key)."""
    return {p for p in folder.rglob("*") if "home" not in p.relative_to(folder).parts}


def _short(text: str, folder: Path) -> str:
    return text.replace(str(folder) + "/", "").replace(str(ROOT) + "/", "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="run only these cases")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a case is killed")
    args = ap.parse_args(argv)
    cases = [c for c in CASES if not args.only or c.name in args.only]
    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    rows = []
    with tempfile.TemporaryDirectory(prefix="cadresim-hostile-") as tmp:
        for case in cases:
            folder = Path(tmp) / case.name
            folder.mkdir()
            (folder / "home").mkdir()
            row = run_case(case, folder, args.timeout)
            rows.append(row)
            print(f"{row['case']:28} exit {row['exit_code']:>3}  {row['seconds']:6.2f} s  {row['cpu_seconds']:6.2f} s cpu  "
                  f"{row['peak_rss_mb']:7.1f} MB  "
                  f"{'ok' if row['as_expected'] else 'UNEXPECTED'}  {row['message'][:90]}", flush=True)
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "load_average_1min_at_start": load,
              "goal": f"exit code 2 (0 where accepted), no traceback, nothing written, under {GOAL_SECONDS:g} s "
                      f"of CPU time and {GOAL_MB:g} MB peak RSS", "cases": rows}
    if not args.only:
        (Path(__file__).parent / "results_hostile_input.json").write_text(
            json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    bad = [r["case"] for r in rows if not (r["as_expected"] and r["within_goal"])]
    print(f"{len(rows) - len(bad)} of {len(rows)} cases as expected and within the goal" +
          (f"; not: {', '.join(bad)}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
