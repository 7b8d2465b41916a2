"""`run` and `compare` never destroy a user's files: every refusal, the lock, crashes at any instant,
leftovers of killed runs, write failures, and where the manifest says the roster came from.

Each case leaves a file that must survive. Simulations are run once (module fixtures); commands that
must get past their checks reuse that run's results (``fake_run``), so these tests time the checks and
the writing, not the model.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT, cli, cli_process

from cadresim.io.atomic import clean_leftovers, leftovers
from cadresim.io.output_target import claim

SMALL = """\
name: small
end: 2015-06
district:
  generator: simple
  units:
    bureau: {count: 3}
    street_town: {count: 2}
    district_leadership: {posts: {deputy_bureau: 4}}
reshuffle:
  dates: [2014-12]
youth_talent:
  cohorts:
    c1: {size: 5}
secondment: {count: 2}
"""


def listing(folder: Path) -> list[str]:
    """Every path under ``folder`` (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def earlier(small, tmp_path_factory) -> Path:
    """A real results folder of the small scenario (2 replications)."""
    out = tmp_path_factory.mktemp("earlier") / "small"
    proc = cli("run", small, "--no-plots", "-r", 2, "--no-events", "-q", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def results(small):
    """The small scenario's results, simulated once."""
    from cadresim.engine.replications import run_scenario
    from cadresim.scenario.loader import load_scenario

    return run_scenario(load_scenario(small), 2, record_events=False)


@pytest.fixture
def fake_run(monkeypatch, results):
    """`cadresim run` returns the cached results instead of simulating."""
    monkeypatch.setattr("cadresim.engine.replications.run_scenario", lambda *a, **k: results)


@pytest.fixture
def no_run(monkeypatch):
    """`cadresim run` must be refused before the simulation."""
    def never(*a, **k):
        raise AssertionError("the simulation started")
    monkeypatch.setattr("cadresim.engine.replications.run_scenario", never)


def copy_of(folder: Path, where: Path) -> Path:
    shutil.copytree(folder, where)
    return where


def refused(proc, needle: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


# --- refusals: nothing is deleted, nothing written ---------------------------------------------------

def test_a_folder_of_other_files_is_refused_and_kept(tmp_path, small, no_run):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("notes")
    before = listing(tmp_path)
    refused(cli("run", small, "--no-plots", "-o", precious), "is not empty and is not a results folder")
    assert (precious / "notes.txt").read_text() == "notes" and listing(tmp_path) == before


def test_the_folder_of_the_scenario_itself_is_refused(tmp_path, no_run):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "small.yaml").write_text(SMALL)
    (proj / "other.yaml").write_text("name: other\n")
    refused(cli("run", proj / "small.yaml", "-o", proj), "nothing replaced")
    assert sorted(p.name for p in proj.iterdir()) == ["other.yaml", "small.yaml"]


@pytest.mark.parametrize("name", ["../../victim", "ABSOLUTE", "''", ".", "..", ".hidden", "a/b", "a\\\\b"])
def test_a_scenario_name_that_is_not_a_plain_folder_name_is_refused_at_load(tmp_path, no_run, name):
    work = tmp_path / "a" / "b"
    (work / "results").mkdir(parents=True)
    (work / "results" / "kept.txt").write_text("kept")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "file.txt").write_text("mine")
    name = str(victim) if name == "ABSOLUTE" else name
    (work / "s.yaml").write_text(f'name: "{name}"\n' if name != "''" else "name: ''\n")
    before = listing(tmp_path)
    refused(cli("run", "s.yaml", cwd=work), "must be a plain folder name")
    assert listing(tmp_path) == before and (victim / "file.txt").read_text() == "mine"


def test_an_empty_name_from_set_is_refused(tmp_path, small, no_run):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "kept.txt").write_text("kept")
    refused(cli("run", small, "--no-plots", "--set", "name=", cwd=tmp_path), "must be a plain folder name")
    assert listing(tmp_path) == ["results", "results/kept.txt"]


def test_an_existing_file_is_refused_and_not_renamed(tmp_path, small, no_run):
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("chapter 1")
    refused(cli("run", small, "--no-plots", "-o", thesis), "is a file, not a folder")
    assert thesis.read_text() == "chapter 1" and listing(tmp_path) == ["thesis.txt"]


def test_a_symbolic_link_is_refused_and_kept(tmp_path, small, earlier, no_run):
    data = copy_of(earlier, tmp_path / "data")
    link = tmp_path / "link"
    link.symlink_to(data)
    before = listing(tmp_path)
    refused(cli("run", small, "--no-plots", "-o", link, "--force"), "is a symbolic link")
    assert link.is_symlink() and listing(tmp_path) == before


@pytest.mark.parametrize("out", [".", "..", "WORK"])
def test_the_working_folder_and_its_parents_are_refused(tmp_path, small, no_run, out):
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("notes")
    refused(cli("run", small, "--no-plots", "-o", work if out == "WORK" else out, cwd=work), "is the working folder or contains it")
    assert listing(tmp_path) == ["work", "work/notes.txt"]


@pytest.mark.slow
def test_an_earlier_results_folder_is_replaced_only_with_force(tmp_path, small, earlier, fake_run):
    out = copy_of(earlier, tmp_path / "small")
    before = (out / "manifest.json").read_text()
    proc = cli("run", small, "--no-plots", "-o", out)
    refused(proc, f"{out} holds the results of an earlier run of small (2 replications, finished ")
    assert "--force" in proc.stderr and (out / "manifest.json").read_text() == before
    proc = cli("run", small, "--no-plots", "-o", out, "--force", "--no-events", "-j", 2)
    assert proc.returncode == 0, proc.stderr
    assert "replacing the results of an earlier run of small" in proc.stdout
    assert json.loads((out / "manifest.json").read_text())["jobs"] == 2  # the new folder, whatever the clock
    assert listing(tmp_path) == listing(earlier.parent)


@pytest.mark.slow
def test_an_empty_folder_is_used(tmp_path, small, fake_run):
    (tmp_path / "out").mkdir()
    (tmp_path / "keep.txt").write_text("keep")
    assert cli("run", small, "--no-plots", "-o", tmp_path / "out", "-q").returncode == 0
    assert (tmp_path / "out" / "manifest.json").is_file() and (tmp_path / "keep.txt").read_text() == "keep"


# --- the lock, crashes and leftovers ----------------------------------------------------------------

@pytest.mark.slow
def test_a_second_writer_is_refused_at_once(tmp_path, small, earlier):
    out = copy_of(earlier, tmp_path / "small")
    before = listing(tmp_path)
    with claim(out, "run", force=True):  # a first run holds the folder
        proc = cli_process("run", small, "-o", out, "--force", "-q")
    assert proc.returncode == 2 and f"another cadresim (process {os.getpid()}) is writing {out} now" in proc.stderr
    assert "Traceback" not in proc.stderr and listing(tmp_path) == before


CRASH = """\
import os, signal, sys
from pathlib import Path
import cadresim.io.atomic as atomic

target = Path(sys.argv[1])
def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
if sys.argv[2] == "two-renames":  # no renameat2: killed between moving the old folder aside and the new in
    atomic._exchange = lambda a, b: False
    real = os.rename
    def rename(src, dst):
        real(src, dst)
        if ".old-" in str(dst):
            die()
    atomic.os.rename = rename
else:  # killed right after the exchange, before the old folder is removed
    atomic._remove = die
with atomic.atomic_folder(target) as tmp:
    (tmp / "manifest.json").write_text("new")
"""


def crash(target: Path, how: str) -> int:
    """Write ``target`` in a process killed (SIGKILL) in the middle of the swap; its process id."""
    proc = subprocess.Popen([sys.executable, "-c", CRASH, str(target), how], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, stderr
    return proc.pid


@pytest.mark.slow
def test_a_kill_between_two_renames_leaves_the_old_folder_put_back_on_the_next_write(tmp_path, earlier):
    target = copy_of(earlier, tmp_path / "small")
    before = (target / "manifest.json").read_text()
    pid = crash(target, "two-renames")
    assert not target.exists()  # the old folder is aside, the new one beside: neither at the target
    assert {k for _, k, _ in leftovers(target)} == {"old", "partial"}
    with claim(target, "run", force=True) as held:
        assert (target / "manifest.json").read_text() == before
        assert any("put back the earlier" in n and str(pid) in n for n in held.notes)
        assert any("removed .small.partial-" in n for n in held.notes)
    assert leftovers(target) == [] and listing(tmp_path) == listing(earlier.parent)


@pytest.mark.slow
def test_a_kill_after_the_exchange_leaves_the_new_folder_and_the_old_is_removed_next_time(tmp_path, earlier):
    target = copy_of(earlier, tmp_path / "small")
    crash(target, "exchange")
    assert (target / "manifest.json").read_text() == "new"
    (old,) = leftovers(target)
    assert old[1] == "partial" and (old[0] / "summary.csv").is_file()  # the earlier folder, swapped out
    assert clean_leftovers(target) == [f"removed {old[0].name}, left beside {target} by an interrupted cadresim "
                                       f"(process {old[2]})"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small"]


@pytest.mark.slow
def test_leftovers_of_killed_runs_are_cleaned_and_reported_by_the_next_run(tmp_path, small, fake_run):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    mine = tmp_path / f".out.partial-{dead.pid}-abcdefgh"
    mine.mkdir()
    (mine / "summary.csv").write_text("half")
    live = tmp_path / ".out.partial-1-abcdefgh"  # process 1 runs: its folder is left alone
    live.mkdir()
    (tmp_path / ".outer.partial-99999999-x").mkdir()  # another target's: not ours to touch
    proc = cli("run", small, "--no-plots", "-o", tmp_path / "out", "-q")
    assert proc.returncode == 0, proc.stderr
    assert f"note: removed {mine.name}, left beside {tmp_path / 'out'} by an interrupted cadresim (process " \
           f"{dead.pid})" in proc.stderr
    assert not mine.exists() and live.is_dir() and (tmp_path / ".outer.partial-99999999-x").is_dir()
    assert (tmp_path / "out" / "manifest.json").is_file() and not (tmp_path / ".out.lock").exists()


@pytest.mark.slow
def test_ctrl_c_during_the_run_writes_nothing_and_exits_130(tmp_path, small):
    out = tmp_path / "new" / "out"
    proc = subprocess.Popen([sys.executable, "-m", "cadresim", "run", str(small), "-r", "100000", "-o", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lock = tmp_path / "new" / ".out.lock"
    deadline = time.monotonic() + 300
    while not lock.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # into the simulation
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted: no results written" in stderr
    assert "Traceback" not in stderr and listing(tmp_path) == []


def test_ctrl_c_while_writing_keeps_the_earlier_results(tmp_path, small, earlier, fake_run, monkeypatch):
    out = copy_of(earlier, tmp_path / "small")
    def interrupt(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr("cadresim.output.run_folder._write_plots", interrupt)
    proc = cli("run", small, "-o", out, "--force")
    assert proc.returncode == 130 and "interrupted: no results written" in proc.stderr
    assert listing(tmp_path) == listing(earlier.parent)
    assert (out / "manifest.json").read_text() == (earlier / "manifest.json").read_text()


# --- output paths checked before the run; write failures --------------------------------------------

@pytest.mark.parametrize("case, needle", [
    ("dangling", "which does not exist"),
    ("under_a_file", "is a file, so no folder can be made under it"),
    ("long_name", "is too long: at most 223 bytes here (it has 300)"),
    ("read_only", "cannot write in"),
])
def test_output_paths_are_checked_before_the_run(tmp_path, small, no_run, monkeypatch, case, needle):
    (tmp_path / "thesis.txt").write_text("chapter 1")
    out = {"dangling": tmp_path / "link" / "out", "under_a_file": tmp_path / "thesis.txt" / "out",
           "long_name": tmp_path / ("x" * 300), "read_only": tmp_path / "ro" / "out"}[case]
    if case == "dangling":
        (tmp_path / "link").symlink_to(tmp_path / "gone")
    if case == "read_only":  # as root, chmod alone would not stop a write: ask os.access as a read-only disk would
        (tmp_path / "ro").mkdir()
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **k: Path(p) != tmp_path / "ro" and real(p, mode, **k))
    before = listing(tmp_path)
    refused(cli("run", small, "--no-plots", "-o", out), needle)
    assert listing(tmp_path) == before and (tmp_path / "thesis.txt").read_text() == "chapter 1"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_failed_write_ends_with_a_message_and_keeps_the_earlier_results(tmp_path, small, earlier, fake_run,
                                                                          monkeypatch, code):
    out = copy_of(earlier, tmp_path / "small")
    def full(res, folder):
        raise OSError(code, os.strerror(code), str(folder / "summary.csv"))
    monkeypatch.setattr("cadresim.output.run_folder._write_tables", full)
    proc = cli("run", small, "--no-plots", "-o", out, "--force")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"could not write the results to {out}/: {os.strerror(code)}" in proc.stderr
    assert "Nothing was replaced" in proc.stderr
    assert listing(tmp_path) == listing(earlier.parent)


# --- compare ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_runs(earlier, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("two")
    return copy_of(earlier, root / "a"), copy_of(earlier, root / "b")


@pytest.mark.slow
def test_compare_refuses_what_it_did_not_write_and_replaces_a_comparison_only_with_force(tmp_path, two_runs):
    a, b = two_runs
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("notes")
    refused(cli("compare", a, b, "-o", precious), "is not a comparison folder of `cadresim compare`")
    refused(cli("compare", a, b, "-o", tmp_path / "precious" / "notes.txt"), "is a file")
    out = tmp_path / "cmp"
    proc = cli("compare", a, b, "-o", out)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "comparison" and manifest["scenarios"] == ["a", "b"]
    assert manifest["runs"][0]["roster"] == {"source": "synthetic", "generator": "simple", "seed": 1}
    assert "simulations of a synthetic district" in (out / "report.html").read_text()
    refused(cli("compare", a, b, "-o", out), f"{out} holds an earlier comparison of a, b (finished ")
    refused(cli("compare", a, b, "-o", a, "--force"), "is a results folder of `cadresim run`, not a comparison")
    assert (precious / "notes.txt").read_text() == "notes" and (a / "manifest.json").is_file()


@pytest.mark.slow
def test_compare_replaces_an_earlier_comparison_with_force_and_survives_a_full_disk(tmp_path, two_runs,
                                                                                   monkeypatch):
    a, b = two_runs
    out = tmp_path / "cmp"
    assert cli("compare", a, b, "-o", out).returncode == 0
    before = listing(tmp_path), (out / "report.html").read_bytes()
    def full(*args, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with monkeypatch.context() as mp:
        mp.setattr("cadresim.output.comparison_folder._write_plots", full)
        proc = cli("compare", a, b, "-o", out, "--force")
    assert proc.returncode == 1 and "could not write the comparison" in proc.stderr
    assert "Traceback" not in proc.stderr and (listing(tmp_path), (out / "report.html").read_bytes()) == before
    assert cli("compare", a, b, "-o", out, "--force").returncode == 0


def test_compare_on_a_sweep_folder_says_what_it_is(tmp_path, earlier):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "design.json").write_text("{}")
    (sweep / "manifest.json").write_text(json.dumps({"cadresim_version": "0.1.0", "scenario": "small", "seed": 1,
                                                     "replications": 2, "design": "grid"}))
    proc = cli("compare", earlier, sweep)
    refused(proc, "a sweep folder of `cadresim sweep`, not a run's results folder")
    assert "plot-sweep" in proc.stderr and "Errno" not in proc.stderr


# --- provenance --------------------------------------------------------------------------------------

def test_the_manifest_says_the_roster_is_synthetic(earlier):
    manifest = json.loads((earlier / "manifest.json").read_text())
    assert manifest["kind"] == "run" and manifest["notes"] == []
    assert manifest["roster"] == {"source": "synthetic", "generator": "simple", "seed": 1}


@pytest.mark.slow
def test_roster_notes_go_in_the_manifest_and_are_shown_with_quiet(tmp_path, results, monkeypatch):
    monkeypatch.setattr("cadresim.engine.replications.run_scenario", lambda *a, **k: results)
    proc = cli("run", ROOT / "tests" / "data" / "rosters" / "valid" / "scenario.yaml", "-q", "-o", tmp_path / "own")
    assert proc.returncode == 0, proc.stderr
    notes = json.loads((tmp_path / "own" / "manifest.json").read_text(encoding="utf-8"))["notes"]
    flag = next(n for n in notes if "是/否" in n)
    assert "24 months" in flag and f"note: {flag}" in proc.stderr


def test_the_report_footer_follows_the_runs_rosters():
    from cadresim.io.results_folder import RunFolder
    from cadresim.output.html import _footer
    from cadresim.output.report_text import TEXT

    def run(roster):
        return RunFolder(Path("x"), "x", {"roster": roster}, {}, {})

    files, synthetic = {"source": "files", "roster_sha256": "0" * 64}, {"source": "synthetic"}
    for lang in ("en", "zh"):
        t = TEXT[lang]
        assert _footer(SimpleNamespace(runs=[run(synthetic), run("synthetic")]), t) == t["footer"]
        assert _footer(SimpleNamespace(runs=[run(files), run("files")]), t) == t["footer_roster"]
        assert _footer(SimpleNamespace(runs=[run(files), run(synthetic)]), t) == t["footer_mixed"]
    assert "department's own roster" in TEXT["en"]["footer_roster"]
