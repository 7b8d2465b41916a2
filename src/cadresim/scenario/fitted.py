"""The fitted history of the default district, read from ``cadresim/data/history.yaml``.

scripts/calibrate_district.py writes that file with ``cadresim calibrate``'s machinery (never by hand): the
``history`` values it fits, the merit correlation measured on the spin-up (``district.merit_rho``) and the
fit table as comments. The schema takes those as its defaults (docs/assumptions.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FITTED_FILE = Path(__file__).resolve().parents[1] / "data" / "history.yaml"


def _load() -> dict[str, Any]:
    data = yaml.safe_load(FITTED_FILE.read_text(encoding="utf-8")) or {}
    return {"history": dict(data.get("history") or {}), "district": dict(data.get("district") or {})}


FITTED = _load()
#: The fitted values of the ``history`` section, by key (nested mappings as they are in the file).
HISTORY: dict[str, Any] = FITTED["history"]
#: The correlation of latent merit with the roster's history, measured on the default ensemble's spin-ups.
MERIT_RHO: float = float(FITTED["district"]["merit_rho"])
