"""The cost lab's check for `aie-bridge content check`: the query log and example scenario."""

from __future__ import annotations

from pathlib import Path

from labs.content import ContentError, load_yaml_model


def check_costsim(root: Path) -> str:
    from labs.costsim.scenario import ScenarioError, load_scenario
    from labs.costsim.semcache import QueryLog

    log = load_yaml_model(QueryLog, root / "costsim" / "query_log.yaml")
    scenario = root / "costsim" / "example_scenario.yaml"
    try:
        load_scenario(scenario)
    except ScenarioError as e:
        raise ContentError([f"{scenario}: {e}"]) from e
    return f"{len(log.texts)} cache-log queries"


CHECKS = [("cost lab", check_costsim)]
