"""Fuzzing the input (issue 15): random scenario files and roster cells through the command line.

Whatever the input, `cadresim validate` and `cadresim roster check` end with exit code 0 (valid) or 2
(problems listed), never a traceback, and write nothing outside their temporary folder (HOME points
there too). Bounded: a few dozen examples each, no deadline, the whole file in about 20 seconds.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadresim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
VALID = Path(__file__).parent / "data" / "rosters" / "valid"
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _leaf_keys(data: object, prefix: str = "") -> list[str]:
    if isinstance(data, dict) and data:
        return [k for key, value in data.items() for k in _leaf_keys(value, f"{prefix}.{key}" if prefix else key)]
    return [prefix]


#: every key of the default scenario, leaves and sections
KNOWN = sorted({p for leaf in _leaf_keys(Scenario().model_dump(mode="json"))
                for p in [".".join(leaf.split(".")[:i]) for i in range(1, leaf.count(".") + 2)]})

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**25, 10**25), st.floats(), text,
    st.sampled_from(["2014-03", "2100-12", "9999-12", "0001-01", "gaps", "immediate", "c1", "staff", "bureau",
                     "1e8", "=cmd|' /C calc'!A0", "99999999999999999999", "-1", ".inf"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(text, inner, max_size=4)), max_leaves=10)
keys = st.one_of(st.sampled_from(KNOWN), st.from_regex(r"[a-z_]{1,8}(\.[a-z_0-9]{1,8}){0,3}", fullmatch=True))
RAW = ["rotation: &a {month: *a}\n", "x: !!python/object/apply:os.system ['true']\n", "? [a]\n: 1\n",
       "a: 1\na: 2\n", "rotation: " + "[" * 200 + "]" * 200 + "\n", "- 1\n- 2\n", "\t: tab\n", "\x00",
       "a: &x [1, 1, 1, 1]\nb: &y [*x, *x, *x, *x]\nc: [*y, *y, *y, *y]\n", "extends: ../../../../etc/passwd\n",
       "extends: " + "/dev/zero\n", "district: {roster_file: /dev/zero, units_file: /dev/null}\n", ""]


def _nested(flat: dict[str, object]) -> dict:
    out: dict = {}
    for key, value in flat.items():
        node, parts = out, key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else node
        if isinstance(node, dict):
            node[parts[-1]] = value
    return out


def _invoke(args: list[str], home: Path) -> tuple[int, str]:
    """Run the CLI in this process with HOME in ``home``; fail on a traceback."""
    from typer.testing import CliRunner

    from cadresim.cli.main import app

    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "CADRESIM_KEY_FILE": str(home / "k.key")}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), result.output
    return result.exit_code, result.output


class _Sandbox:
    """A temporary working folder and HOME; on leaving, checks that nothing was written outside it."""

    def __enter__(self) -> Path:
        self._tmp = tempfile.TemporaryDirectory(prefix="cadresim-fuzz-")
        self.folder = Path(self._tmp.name)
        (self.folder / "home").mkdir()
        self._cwd = os.getcwd()
        self._before = _outside()
        os.chdir(self.folder)
        return self.folder

    def __exit__(self, *exc: object) -> None:
        os.chdir(self._cwd)
        after = _outside()
        self._tmp.cleanup()
        assert after == self._before, f"written outside the temporary folder: {sorted(set(after) ^ set(self._before))}"


def _outside() -> dict[str, float]:
    """What the CLI could write outside its folder: the repository's top level and results/, and
    ~/.config/cadresim of the real user."""
    places = [ROOT, ROOT / "results", Path.home() / ".config" / "cadresim"]
    return {str(p): p.stat().st_mtime for folder in places if folder.is_dir() for p in folder.iterdir()}


@FUZZ
@given(flat=st.dictionaries(keys, values, max_size=6), raw=st.sampled_from(RAW),
       overrides=st.lists(st.tuples(keys, st.one_of(text, st.sampled_from(["[[[1]]]", "{a: *b}", "1e400", "x=y"]))),
                          max_size=2))
@pytest.mark.slow
def test_validate_never_crashes_on_random_scenarios(flat, raw, overrides):
    with _Sandbox() as folder:
        body = yaml.safe_dump(_nested(flat), allow_unicode=True)
        path = folder / "fuzz.yaml"
        path.write_text(raw + body, encoding="utf-8")
        args = ["validate", str(path)] + [a for k, v in overrides for a in ("--set", f"{k}={v}")]
        _invoke(args, folder / "home")


CELLS = st.one_of(text, st.integers(-10**20, 10**20).map(str), st.sampled_from([
    "", '"', '"unclosed', "a;b;c", "x\ty", "line\nbreak", "=1+1", "'=1+1", "27470", "1975.1", "2014年3月",
    "99999999999999999999", "110105540101123", "310101197503150012", "是", "否", "无", "0", "-5", "1e9",
    "\ufeff", "\x00", "正处级", "区领导", "c1", "3年6个月"]))


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(["roster.csv", "units.csv"]), st.integers(0, 30),
                                st.integers(0, 16), CELLS), min_size=1, max_size=6),
       raw=st.one_of(st.none(), st.tuples(st.sampled_from(["roster.csv", "units.csv"]), st.integers(0, 3000),
                                           st.sampled_from(['"', "\n", ";", ",,,,", "\x00", "\r", "\ufeff"]))))
@pytest.mark.slow
def test_roster_check_never_crashes_on_random_cells(edits, raw):
    with _Sandbox() as folder:
        district = folder / "district"
        shutil.copytree(VALID, district)
        for name, row, col, value in edits:
            _edit_cell(district / name, row, col, value)
        if raw is not None:
            name, at, piece = raw
            data = (district / name).read_text(encoding="utf-8-sig")
            at = min(at, len(data))
            (district / name).write_text(data[:at] + piece + data[at:], encoding="utf-8-sig")
        _invoke(["roster", "check", str(district / "scenario.yaml")], folder / "home")


def _edit_cell(path: Path, row: int, col: int, value: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    row = min(row, len(rows) - 1)
    while len(rows[row]) <= col:
        rows[row].append("")
    rows[row][col] = value
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
