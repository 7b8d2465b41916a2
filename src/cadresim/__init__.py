"""cadresim: simulate a district's cadre pipeline to compare personnel policies."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cadresim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

from cadresim.scenario.loader import load_scenario, scenario_from_dict, with_overrides  # noqa: E402
from cadresim.engine.replications import DEFAULT_SEED, RunResults, run_scenario  # noqa: E402
from cadresim.analysis.sweep import sweep  # noqa: E402  (the function; import helpers with `from cadresim.analysis.sweep import ...`)

__all__ = ["DEFAULT_SEED", "RunResults", "__version__", "load_scenario", "run_scenario", "scenario_from_dict",
           "sweep", "with_overrides"]
