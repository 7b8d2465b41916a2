"""The target lines `cadresim run` and `cadresim compare` print: how likely each target is met."""

from __future__ import annotations

from cadresim.cli.common import out


def print_run_targets(res) -> None:
    """The run's targets, one sentence each (nothing when the scenario names none)."""
    from cadresim.analysis.targets import scenario_targets, sentence, target_rows

    targets = scenario_targets(res.scenario)
    if targets:
        for _, row in target_rows(res.scenario.name, targets, res.per_replication).iterrows():
            out.print(sentence(row), highlight=False)


def print_comparison_targets(comp) -> None:
    """Per target, how likely each scenario meets it (nothing when no scenario names a target)."""
    from cadresim.analysis.targets import comparison_sentence

    table = comp.tables.get("targets")
    if table is None or table.empty:
        return
    for _, rows in table.groupby("target", sort=False):
        out.print(comparison_sentence(rows), highlight=False)
