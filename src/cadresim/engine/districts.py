"""Plausible districts: grown districts, cached on disk, accepted by rejection against the speech's facts.

A grown district depends only on the scenario's district (units and posts), its ``history`` section, the
start date and the generator seed; it is cached under a key of those and of the package's version and
source, so a run never regrows one and a changed package never reads a stale one. The cache lives in
``$CADRESIM_CACHE``, else the user's cache folder (``~/.cache/cadresim`` on Linux).

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
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import platformdirs

from cadresim.district.roster import Roster
from cadresim.district.synthetic import unit_table
from cadresim.engine.fanout import fan_out
from cadresim.engine.growth import Grown, grow
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


@lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 of the package's version and Python sources: a changed engine never reads a stale district."""
    from cadresim import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def growth_key(scenario: Scenario) -> str:
    """The cache key of ``scenario``'s grown districts (every seed shares it)."""
    district = scenario.district.model_dump(mode="json", exclude=NOT_GROWTH)
    for unit in district["units"].values():  # the spin-up takes grassroots flags and team targets from history
        del unit["grassroots"], unit["young_member_age"], unit["name_zh"]
    spec = {"district": district, "history": scenario.history.model_dump(mode="json"), "start": scenario.start,
            "ladder": scenario.ladder, "source": source_digest()}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:24]


def grown_district(scenario: Scenario, seed: int) -> District:
    """The district grown on ``seed``, from the cache when it is there (else grown and cached)."""
    folder = cache_root() / growth_key(scenario)
    cadres, meta = folder / f"seed-{seed}.parquet", folder / f"seed-{seed}.json"
    if cadres.exists() and meta.exists():
        return _read(scenario, seed, cadres, meta)
    g = grow(scenario, seed)
    district = District(seed, g.roster, g.rho, start_figures(scenario, g.roster), g.entries)
    _write(district, folder, cadres, meta)
    return district


def start_figures(scenario: Scenario, roster: Roster) -> dict[str, float]:
    """The outcome metrics of ``roster`` on the start date (no random draw enters them)."""
    from cadresim.engine.schedule import setup

    return snapshot_metrics(setup(scenario, roster, 0, 0, False), scenario.start_month, False)


def _write(d: District, folder: Path, cadres: Path, meta: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_file(cadres) as tmp:
        d.roster.cadres.to_parquet(tmp, index=False)
    entries = d.entries.to_dict(orient="list")
    write_atomic(meta, json.dumps({"seed": d.seed, "rho": d.rho, "figures": d.figures, "entries": entries}))


def _read(scenario: Scenario, seed: int, cadres: Path, meta: Path) -> District:
    info = json.loads(meta.read_text())
    roster = Roster(unit_table(scenario).assign(district=0), pd.read_parquet(cadres), scenario.start_month)
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
        results: dict[int, District] = {}
        fan_out(_grow_one, ((scenario, s) for s in batch), lambda d: results.__setitem__(d.seed, d), jobs,
                executor, len(batch))
        for s in batch:
            tried += 1
            if accepted(scenario, results[s].figures) and len(found) < want:
                found[s] = results[s]
            if on_tried:
                on_tried(tried, len(found))
            if len(found) == want:
                break
    if len(found) < want:
        raise InputError([Problem("scenario", "district.districts", f"only {len(found)} of {tried} grown districts "
                                  "agree with the facts asked of them (district.accept_*), fewer than the "
                                  f"{want} asked for", str(want))])
    return Ensemble([found[s] for s in sorted(found)], tried)


def _grow_one(args: tuple[Scenario, int]) -> District:
    return grown_district(*args)


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


def one_roster(scenario: Scenario, district: int = 0) -> Roster:
    """The start roster of one district of ``scenario`` (``district``: its place in the ensemble)."""
    if not is_grown(scenario):
        from cadresim.io.roster_read import load_roster

        return load_roster(scenario)
    wanted = scenario.model_copy(update={"district": scenario.district.model_copy(update={"districts": district + 1})})
    return ensemble(wanted).districts[district].roster
