"""The golden baseline: a small pinned run of scenarios/baseline.yaml, compared number by number.

This is a regression guard, not a theory check: it says the numbers did not move, not that they
are right. When a change is meant to move them, run `python scripts/regen_golden.py` and say why
in the commit message.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.golden


def _regen_module():
    spec = importlib.util.spec_from_file_location("regen_golden", ROOT / "scripts" / "regen_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_baseline_numbers_have_not_moved():
    regen = _regen_module()
    fresh = regen.golden_tables()
    for name, table in fresh.items():
        stored = pd.read_csv(regen.GOLDEN / name)
        table = pd.read_csv(pd.io.common.StringIO(table.to_csv(index=False, float_format="%.10g")))
        pd.testing.assert_frame_equal(table, stored, check_dtype=False, obj=name)
