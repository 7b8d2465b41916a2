"""cadresim: simulate a district's cadre pipeline to compare personnel policies."""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cadresim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

from cadresim.scenario.loader import load_scenario, scenario_from_dict, with_overrides  # noqa: E402
from cadresim.engine.replications import DEFAULT_SEED, RunResults, run_scenario  # noqa: E402
from cadresim.analysis.sweep import sweep  # noqa: E402  (the function; its helpers are in cadresim.analysis.sweep_*)

#: Names imported on first use: comparing needs matplotlib, calibrating Optuna and sensitivity SALib, which
#: ``import cadresim`` should not load.
_LAZY = {"compare": "cadresim.analysis.compare", "write_comparison": "cadresim.output.comparison_folder",
         "calibrate": "cadresim.analysis.calibration", "sensitivity": "cadresim.analysis.sensitivity",
         "target_search": "cadresim.analysis.threshold_runs", "target_probability": "cadresim.analysis.targets"}

_ALIAS = {"target_probability": "probability"}

__all__ = ["DEFAULT_SEED", "RunResults", "__version__", "calibrate", "compare", "load_scenario", "run_scenario",
           "scenario_from_dict", "sensitivity", "sweep", "target_probability", "target_search", "with_overrides",
           "write_comparison"]


def __getattr__(name: str) -> object:
    """``compare``, ``write_comparison``, ``calibrate``, ``sensitivity``, ``target_search`` and
    ``target_probability``, imported when first asked for (they need matplotlib, Optuna or SALib)."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), _ALIAS.get(name, name))
    raise AttributeError(f"module 'cadresim' has no attribute {name!r}")
