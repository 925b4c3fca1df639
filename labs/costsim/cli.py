"""`aie-bridge cost --scenario FILE [--levers] [--json]`: price a scenario (YAML or JSON) on
genai-prices.

With --json it prints exactly what `labs.costsim.estimate` returns (with --levers, also the
levers table: each lever's setting tried and the fields it changed, cost and latency deltas,
quality note and notes such as a default speed); without, a short table. A bad scenario
prints one `error: <field>: <message>` line per problem and exits 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    cost = sub.add_parser("cost", help="monthly cost, cost per request and latency of a scenario")
    cost.add_argument("--scenario", type=Path, required=True, help="scenario file (YAML or JSON)")
    cost.add_argument("--json", action="store_true", help="print the figures as JSON")
    cost.add_argument("--levers", action="store_true",
                      help="also pull every lever of the track's table on the scenario")
    cost.set_defaults(func=_cost)


def _cost(args: argparse.Namespace) -> int:
    from labs.costsim.model import estimate
    from labs.costsim.scenario import ScenarioError, load_scenario

    try:
        result = estimate(load_scenario(args.scenario), levers=args.levers)
    except ScenarioError as e:
        for field, message in e.problems:
            print(f"error: {field}: {message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    b, lat = result["breakdown"], result["latency_ms"]
    print(f"monthly cost        ${result['monthly_cost_usd']:,.2f}")
    print(f"cost per request    ${result['cost_per_request_usd']:.6f}")
    print(f"LLM calls / month   {result['llm_calls_per_month']:,.0f}")
    for k, v in b.items():
        print(f"  {k:<18} ${v:,.2f}")
    print(f"self-hosting        ${result['self_host_monthly_usd']:,.2f} / month "
          f"({result['gpus_needed']} GPU(s) for the peak)")
    print(f"latency (ms)        TTFT p50 {lat['ttft_p50']:,.0f} · p50 {lat['p50']:,.0f} · "
          f"p95 {lat['p95']:,.0f} · p99 {lat['p99']:,.0f}")
    for note in result["prompt_cache"]["notes"]:
        print(f"note: {note}")
    for row in result.get("levers", []):
        delta = "—" if row["cost_delta_pct"] is None else f"{row['cost_delta_pct']:+.1f}%"
        print(f"  {row['lever']:<44} {delta:>8}  {row['setting']}")
    return 0
