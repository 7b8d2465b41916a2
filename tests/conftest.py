"""Shared builders: tiny hand-made districts whose every event can be computed by hand."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from cadresim import dates
from cadresim.scenario.loader import scenario_from_dict
from cadresim.district.roster import Roster

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")
# Runs pseudonymise ids with the user's key: tests use one key of their own, never ~/.config.
os.environ["CADRESIM_KEY_FILE"] = os.path.join(tempfile.mkdtemp(prefix="cadresim-test-key-"), "pseudonym.key")

QUIET = {  # switch off every process, so a test turns on only what it checks
    "rotation": {"cross_unit_rate": 0.0, "internal_rate": 0.0, "max_years_in_post": None},
    "secondment": {"count": 0},
    "youth_talent": {"cohorts": {"c1": None}},
    "probation": {"fail_rate": 0.0},
    "reshuffle": {"dates": []},
    "nonleading": {"enabled": False},
    "grades": {g: {"exit_rate": 0.0} for g in
               ("staff", "deputy_section", "section", "deputy_division", "division", "deputy_bureau")},
}


def deep(base: dict, top: dict) -> dict:
    out = dict(base)
    for k, v in top.items():
        out[k] = deep(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def cadre(cid: int, grade: str, unit: int = 0, birth: str = "1975-01", since: str = "2010-01",
          work: str = "1997-07", grassroots: int = 60, posts_held: int = 2, female: bool = False,
          cohort: str = "", probation_end: int = -1, secondment_end: int = -1, nonleading: bool = False) -> dict:
    """One roster row with sensible defaults (dates as YYYY-MM)."""
    s = dates.parse(since)
    return {"cadre_id": cid, "birth": dates.parse(birth), "female": female, "work_start": dates.parse(work),
            "grade": grade, "grade_since": s, "unit_id": unit, "post_since": s, "last_promotion": s,
            "posts_held": posts_held, "grassroots_months": grassroots, "enterprise": False, "cohort": cohort,
            "probation_end": probation_end, "secondment_end": secondment_end, "nonleading": nonleading}


def tiny(units: list[dict], cadres: list[dict], overrides: dict | None = None, start: str = "2014-03"):
    """A scenario (processes quiet unless ``overrides`` turn them on) and a hand-made roster.

    ``units``: dicts with unit_id, name, type and posts_<grade> columns.
    """
    data = deep(QUIET, overrides or {})
    data.setdefault("start", start)
    scenario = scenario_from_dict(data, "test")
    frame = pd.DataFrame(units).fillna(0)
    for g in scenario.ladder:
        col = f"posts_{g}"
        frame[col] = frame[col].astype(int) if col in frame else 0
    return scenario, Roster(frame, pd.DataFrame(cadres), scenario.start_month)


def events(scenario, roster, seed=1):
    """One replication of ``scenario`` on ``roster``: its result and event log."""
    from cadresim.engine.schedule import simulate

    res = simulate(scenario, roster, seed, 0)
    return res, res.events


def at(ev, kind, **kw):
    """The events of ``kind`` whose columns equal ``kw``."""
    rows = ev[ev["event"] == kind]
    for k, v in kw.items():
        rows = rows[rows[k] == v]
    return rows


def unit(uid: int, utype: str = "bureau", **posts: int) -> dict:
    return {"unit_id": uid, "name": f"U{uid}", "type": utype, **{f"posts_{g}": n for g, n in posts.items()}}


@pytest.fixture
def tiny_builder():
    return tiny


ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Completed:
    """What a command left: its exit code and what it printed (like subprocess.CompletedProcess)."""

    returncode: int
    stdout: str
    stderr: str


def cli(*args: object, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Completed:
    """Run ``cadresim ARGS`` in this process (no interpreter start-up): exit code, stdout, stderr.

    An exception that escapes the command is reported as exit code 1 with its traceback on stderr, as
    the console script would show it, so tests that forbid tracebacks still see them.
    """
    from typer.testing import CliRunner

    from cadresim.cli.main import app

    with _cwd(cwd):
        result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
        return Completed(1, result.stdout, stderr)
    return Completed(result.exit_code, result.stdout, stderr)


def cli_process(*args: object, cwd: Path = ROOT, **kw) -> subprocess.CompletedProcess:
    """Run ``python -m cadresim ARGS`` in a new process: for what needs one (signals, kill -9, exit codes)."""
    return subprocess.run([sys.executable, "-m", "cadresim", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600, **kw)


@contextlib.contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)



def unavailable(reason: str) -> None:
    """A test's tool (a browser, a CJK font) is missing: skip it, but fail under ``CI=true``, where
    .ci/run installs them and a skip would hide that the check never ran."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{reason} (CI=true: this check must run in CI)")
    pytest.skip(reason)


#: Fixtures that run the simulator end to end (seconds each, once per module): every test using one is
#: marked slow, so that the everyday run (``-m "not slow"``) leaves out the fixture as well as the test.
SLOW_FIXTURES = {"runs", "written", "written_zh", "youth2_run", "earlier", "two_runs", "results", "reference",
                 "baseline"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
