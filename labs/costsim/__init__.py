"""Cost and latency lever simulator on real prices (genai-prices), with a semantic-cache lab on
real embeddings and per-tenant cost attribution.

Public API: `estimate(scenario_dict) -> dict` (stable; the CLI and the MCP server call it),
`Scenario`, `parse_scenario`, `simulate`, `monthly_costs`, `sample_latency`, `waterfall`,
`break_even`, `LEVERS`. The semantic-cache lab (`labs.costsim.semcache`) and attribution
(`labs.costsim.attribution`) are imported on their own so this package stays light.
"""

from labs.costsim.levers import LEVERS, lever_impacts
from labs.costsim.model import (
    break_even,
    estimate,
    monthly_costs,
    sample_latency,
    self_host,
    simulate,
    waterfall,
)
from labs.costsim.scenario import (
    Scenario,
    ScenarioError,
    dumps_scenario,
    loads_scenario,
    parse_scenario,
)

__all__ = ["estimate", "Scenario", "ScenarioError", "parse_scenario", "loads_scenario",
           "dumps_scenario", "simulate", "monthly_costs", "sample_latency", "self_host",
           "waterfall", "break_even", "LEVERS", "lever_impacts"]
