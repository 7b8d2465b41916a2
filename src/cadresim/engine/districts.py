"""Plausible districts: grown districts, cached on disk, accepted by rejection against the speech's facts.

A grown district depends only on the scenario's district (units and posts), its ``history`` section, the
start date and the generator seed; it is kept under a key of those and of the package's version, so a run
never regrows one. The default ensemble ships with the package (``cadresim/data/districts``, written by
scripts/calibrate_district.py; a test regrows one of them to check it is current); others are grown once
into ``$CADRESIM_CACHE``, else the user's cache folder (``~/.cache/cadresim`` on Linux).

The ensemble of a run is the first ``district.districts`` seeds, from ``district.seed`` on, whose grown
district meets the acceptance facts (``district.accept_*``): drawn by rejection, with the acceptance rate
reported.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import platformdirs

from cadresim.district.roster import CADRE_COLUMNS, Roster
from cadresim.district.synthetic import unit_table
from cadresim.engine.fanout import fan_out
from cadresim.engine.growth import grow
from cadresim.errors import InputError, Problem
from cadresim.io.atomic import atomic_file, write_atomic
from cadresim.measures.metrics import snapshot_metrics
from cadresim.scenario.schema import Scenario

#: Seeds tried per district asked for before the rejection gives up (an acceptance rate under 1 in 50).
MAX_TRIES_PER_DISTRICT = 50
#: Fields of the district section that do not shape a grown district.
NOT_GROWTH = {"seed", "districts", "accept_post80_division_level", "accept_grassroots_share", "merit_rho",
              "roster_file", "units_file", "generator", "stream"}


@dataclass(frozen=True)
class District:
    """One grown district: its generator seed, roster, fitted merit correlation, start figures and entries."""

    seed: int
    roster: Roster
    rho: float
    figures: dict[str, float]
    entries: pd.DataFrame

    @property
    def digest(self) -> str:
        """SHA-256 of the roster's cadre table (in its CSV form), naming the district in manifests."""
        return hashlib.sha256(self.roster.cadres.to_csv(index=False).encode()).hexdigest()


@dataclass(frozen=True)
class Ensemble:
    """The accepted districts, in seed order, and how many seeds were tried to find them."""

    districts: list[District]
    tried: int

    @property
    def acceptance_rate(self) -> float:
        return len(self.districts) / self.tried if self.tried else float("nan")


def cache_root() -> Path:
    """Where grown districts are kept: ``$CADRESIM_CACHE``, else the user's cache folder."""
    return Path(os.environ.get("CADRESIM_CACHE") or platformdirs.user_cache_dir("cadresim")) / "districts"


#: Grown districts shipped with the package (the default ensemble), looked up before the cache.
PACKAGED = Path(__file__).resolve().parents[1] / "data" / "districts"


def growth_key(scenario: Scenario) -> str:
    """The key of ``scenario``'s grown districts (every seed shares it): the district's units and posts, the
    history, the start date, the ladder and the package version."""
    from cadresim import __version__

    district = scenario.district.model_dump(mode="json", exclude=NOT_GROWTH)
    for unit in district["units"].values():  # the spin-up takes grassroots flags and team targets from history
        del unit["grassroots"], unit["young_member_age"], unit["name_zh"]
    spec = {"district": district, "history": scenario.history.model_dump(mode="json"), "start": scenario.start,
            "ladder": scenario.ladder, "version": __version__}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]


def _paths(folder: Path, seed: int) -> tuple[Path, Path]:
    return folder / f"seed-{seed}.parquet", folder / f"seed-{seed}.json"


def _found(key: str, seed: int) -> tuple[Path, Path] | None:
    """The files of a grown district in the package or the cache (None when it was never grown)."""
    for root in (PACKAGED, cache_root()):
        cadres, meta = _paths(root / key, seed)
        if meta.exists():
            return cadres, meta
    return None


def grown_figures(scenario: Scenario, seed: int) -> dict[str, float]:
    """The start figures of the district grown on ``seed`` (growing and caching it when needed)."""
    found = _found(growth_key(scenario), seed)
    if found is None:
        return grown_district(scenario, seed).figures
    return dict(json.loads(found[1].read_text())["figures"])


def grown_district(scenario: Scenario, seed: int) -> District:
    """The district grown on ``seed``, from the package or the cache when it is there (else grown and cached)."""
    key = growth_key(scenario)
    found = _found(key, seed)
    if found is not None and found[0].exists():
        return _read(scenario, seed, *found)
    g = grow(scenario, seed)
    district = District(seed, g.roster, g.rho, start_figures(scenario, g.roster), g.entries)
    _write(district, cache_root() / key)
    return district


def start_figures(scenario: Scenario, roster: Roster) -> dict[str, float]:
    """The outcome metrics of ``roster`` on the start date (no random draw enters them)."""
    from cadresim.engine.schedule import setup

    return snapshot_metrics(setup(scenario, roster, 0, 0, False), scenario.start_month, False)


def _write(d: District, folder: Path) -> None:
    """The district's roster (Parquet), then its seed, merit correlation, figures and entries (JSON, written
    last: a district counts as grown once its JSON is there)."""
    cadres, meta = _paths(folder, d.seed)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_file(cadres) as tmp:
        d.roster.cadres.to_parquet(tmp, index=False)
    entries = d.entries.to_dict(orient="list")
    write_atomic(meta, json.dumps({"seed": d.seed, "rho": d.rho, "figures": d.figures, "entries": entries}))


def _read(scenario: Scenario, seed: int, cadres: Path, meta: Path) -> District:
    info = json.loads(meta.read_text())
    frame = pd.read_parquet(cadres)
    frame = pd.DataFrame({c: pd.Series(frame[c].to_numpy(), dtype=t) for c, (t, _) in CADRE_COLUMNS.items()})
    roster = Roster(unit_table(scenario).assign(district=0), frame, scenario.start_month)
    entries = pd.DataFrame(info["entries"], columns=["month", "grade", "age"]).astype(np.int64)
    return District(seed, roster, float(info["rho"]), dict(info["figures"]), entries)


def accepted(scenario: Scenario, figures: dict[str, float]) -> bool:
    """Whether a district with these start figures agrees with the facts the scenario asks of it."""
    d = scenario.district
    if d.accept_post80_division_level is not None and figures["post80_division_level"] != d.accept_post80_division_level:
        return False
    share = figures.get("division_level_grassroots_share", float("nan"))
    return d.accept_grassroots_share is None or share > d.accept_grassroots_share


def ensemble(scenario: Scenario, jobs: int = 1, executor: Executor | None = None,
             on_tried: Callable[[int, int], None] | None = None) -> Ensemble:
    """The first ``district.districts`` accepted districts from ``district.seed`` on, growing the ones not
    cached (``jobs`` at a time); ``on_tried(tried, accepted)`` reports progress.

    Raises:
        InputError: when too few seeds are accepted within the tries allowed.
    """
    want, first = scenario.district.districts, scenario.district.seed
    limit = want * MAX_TRIES_PER_DISTRICT
    found: dict[int, District] = {}
    tried = 0
    while len(found) < want and tried < limit:
        batch = range(first + tried, first + min(limit, tried + max(want - len(found), jobs)))
        results: dict[int, dict[str, float]] = {}
        fan_out(_figures_one, ((scenario, s) for s in batch), lambda r: results.__setitem__(*r), jobs,
                executor, len(batch))
        for s in batch:
            tried += 1
            if accepted(scenario, results[s]) and len(found) < want:
                found[s] = grown_district(scenario, s)
            if on_tried:
                on_tried(tried, len(found))
            if len(found) == want:
                break
    if len(found) < want:
        raise InputError([Problem("scenario", "district.districts", f"only {len(found)} of {tried} grown districts "
                                  "agree with the facts asked of them (district.accept_*), fewer than the "
                                  f"{want} asked for", str(want))])
    return Ensemble([found[s] for s in sorted(found)], tried)


def _figures_one(args: tuple[Scenario, int]) -> tuple[int, dict[str, float]]:
    return args[1], grown_figures(*args)


@dataclass(frozen=True)
class DistrictRun:
    """One district a run covers: its roster, its random stream, and how results and manifests name it.

    Attributes:
        index: its place in the run (0..), the ``district`` column of the results.
        seed: the generator seed of a grown district (None for a roster of its own).
        stream: the random stream of its replications (:class:`cadresim.rng.KeyedRandom`).
        digest: SHA-256 of its cadre table.
    """

    index: int
    roster: Roster
    stream: int
    seed: int | None
    digest: str

    def label(self) -> dict[str, object]:
        """How a manifest names the district."""
        return {"district": self.index, "seed": self.seed, "digest": self.digest}


@dataclass(frozen=True)
class Start:
    """The districts a run starts from, and how many seeds the rejection tried (0: no ensemble)."""

    districts: list[DistrictRun]
    tried: int = 0


def is_grown(scenario: Scenario) -> bool:
    """Whether ``scenario`` starts from grown districts (not a roster of its own)."""
    return scenario.district.generator == "grown" and scenario.district.roster_file is None


def start(scenario: Scenario, roster: Roster | None = None, jobs: int = 1, executor: Executor | None = None,
          on_tried: Callable[[int, int], None] | None = None) -> Start:
    """The districts of a run on ``scenario``: ``roster`` when given, else the ensemble of grown districts,
    else the scenario's roster files or synthetic district (one district)."""
    if roster is None and is_grown(scenario):
        found = ensemble(scenario, jobs, executor, on_tried)
        runs = [DistrictRun(i, d.roster, d.seed + 1, d.seed, d.digest) for i, d in enumerate(found.districts)]
        return Start(runs, found.tried)
    if roster is None:
        from cadresim.io.roster_read import load_roster

        roster = load_roster(scenario)
    digest = hashlib.sha256(roster.cadres.to_csv(index=False).encode()).hexdigest()
    return Start([DistrictRun(0, roster, scenario.district.stream, None, digest)])


def one_district(scenario: Scenario, district: int = 0) -> DistrictRun:
    """One district of ``scenario``: place ``district`` (from 0) in its ensemble of grown districts, else its
    roster files or synthetic district."""
    if not is_grown(scenario):
        return start(scenario).districts[0]
    wanted = scenario.model_copy(update={"district": scenario.district.model_copy(update={"districts": district + 1})})
    return start(wanted).districts[district]


def one_roster(scenario: Scenario, district: int = 0) -> Roster:
    """The start roster of one district of ``scenario`` (:func:`one_district`)."""
    return one_district(scenario, district).roster
