"""The Cost & latency page as plain data: what each panel shows, computed without Streamlit
so it is unit tested on its own (the page only reads widgets and draws these).

Numbers are formatted to fit a quarter-width metric at 1,400 px (`$0.0104`, `$2,080`,
`$1.2M`, `4.0M`); the levers table is a list of short-string rows; the request path is a
top-to-bottom Graphviz diagram that stays legible in a narrow column.

Each panel of the page has one function here: `simulator_panel` (the results column),
`pull` / `with_override` / `with_custom_model` (what the simulator's buttons and expanders
change), `semantic_at` (the semantic-cache tab at one threshold) and `attribution_panel`.

Leaves out: the figures themselves (charts.py) and the engines (model.py, levers.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labs.costsim.facts import CONTENT
from labs.costsim.model import Simulation, api_speed, prompt_cache, simulate, summary
from labs.costsim.prices import PRICE_LABELS
from labs.costsim.scenario import (
    Scenario,
    ScenarioError,
    dumps_scenario,
    loads_scenario,
    parse_scenario,
)

EXAMPLE = CONTENT / "example_scenario.yaml"
NOT_WIDGETS = ("provider", "price_overrides", "custom_models", "latency_overrides")
WIDGET_FIELDS = [f for f in Scenario.model_fields if f not in NOT_WIDGETS]
MAX_SCENARIO_BYTES = 200_000

# (field, label, step) of the number inputs in the two "settings" expanders
LATENCY_INPUTS = (
    ("network_rtt_ms", "Extra round trip to the API (ms)", 10.0),
    ("queue_ms", "Mean queueing at the API (ms)", 10.0),
    ("cache_latency_ms", "Cache hit latency (ms)", 5.0),
    ("prefill_tokens_per_s", "Prefill speed (tokens/s per request)", 100.0),
    ("decode_tokens_per_s", "Self-hosted decode speed (tokens/s per request)", 5.0),
)
SELF_HOST_INPUTS = (
    ("gpu_hourly_usd", "GPU hourly price (USD)", 0.1),
    ("gpus", "GPUs you reserve (at least)", 1),
    ("streams_per_gpu", "Concurrent requests per GPU", 1),
    ("peak_to_mean", "Peak ÷ mean traffic", 0.5),
    ("self_host_rtt_ms", "Round trip inside your network (ms)", 1.0),
)


def example_scenario(path: Path = EXAMPLE) -> Scenario:
    """The scenario the page opens on (the bundled example file, not a copy in the page)."""
    return loads_scenario(path.read_text(encoding="utf-8"))


# --- formatting ------------------------------------------------------------------------------

def usd(v: float) -> str:
    """Dollars short enough for a metric: $0.0104, $0.41, $246, $2,080, $48.2k, $1.2M."""
    sign, a = ("-" if v < 0 else ""), abs(v)
    if a == 0:
        text = "$0"
    elif a < 1:
        text = f"${a:.{max(2, 2 - math.floor(math.log10(a)))}f}"
    elif a < 100:
        text = f"${a:,.2f}"
    elif a < 10_000:
        text = f"${a:,.0f}"
    elif a < 1_000_000:
        text = f"${a / 1e3:,.1f}k"
    else:
        text = f"${a / 1e6:,.1f}M"
    return sign + text


def count(v: float) -> str:
    """A count short enough for a metric: 950, 4,020, 462k, 4.0M."""
    a = abs(v)
    if a < 10_000:
        return f"{v:,.0f}"
    if a < 1_000_000:
        return f"{v / 1e3:,.0f}k"
    return f"{v / 1e6:,.1f}M"


def ms(v: float) -> str:
    return f"{v:,.0f} ms" if v < 10_000 else f"{v / 1000:,.1f} s"


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v:+.0f}%" if abs(v) >= 10 else f"{v:+.1f}%"


# --- the simulator panel -----------------------------------------------------------------------

@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str


def headline(sim: Simulation) -> list[list[Metric]]:
    """Two rows of four metrics: cost, then latency."""
    out = summary(sim)
    lat = out["latency_ms"]
    sh = sim.self_host
    streaming = ("Streaming is on: the user waits for the first token." if sim.scenario.streaming
                 else "Streaming is off: the user waits for the whole answer.")
    return [
        [Metric("Monthly cost", usd(out["monthly_cost_usd"]), f"${out['monthly_cost_usd']:,.2f}"),
         Metric("Cost per request", usd(out["cost_per_request_usd"]),
                f"${out['cost_per_request_usd']:.8f}"),
         Metric("LLM calls / month", count(out["llm_calls_per_month"]),
                f"{out['llm_calls_per_month']:,.0f}"),
         Metric("Self-host / month", usd(sh.monthly_usd),
                f"{sh.gpus_billed} GPU(s) × ${sim.scenario.gpu_hourly_usd:g}/h × 720 h; peak "
                f"traffic needs {sh.gpus_needed}")],
        [Metric("TTFT p50", ms(lat["ttft_p50"]), api_speed(sim.scenario).label()),
         Metric("Perceived p50", ms(lat["perceived_p50"]), streaming),
         Metric("Total p95", ms(lat["p95"]), "online requests"),
         Metric("Total p99", ms(lat["p99"]), "online requests")],
    ]


def notes(sim: Simulation) -> list[tuple[str, str]]:
    """(level, text) lines under the metrics: 'caption', 'info' or 'warning'."""
    s, p, sh = sim.scenario, sim.pricing, sim.self_host
    sheet = ", ".join(f"{PRICE_LABELS[k]} ${v:g}" for k, v in p.sheet().items() if v is not None)
    tier = "" if s.service_tier == "standard" else f", {s.service_tier} tier"
    out = [("caption", f"Priced as `{p.model_id}` ({p.provider_id}{tier}) from **{p.source}**: "
                       f"{sheet} per million tokens"
                       + (" (base tier; longer prompts cost more)" if p.tiered else "") + ".")]
    speed = api_speed(s)
    out.append(("info" if speed.fallback else "caption", "API latency: " + speed.label() + "."))
    out += [("warning", "Prompt cache: " + n + ".") for n in prompt_cache(s, p).notes]
    if off := sim.latency.offline_share:
        out.append(("caption", f"{off:.0%} of requests go through the batch API and are "
                               "answered offline within 1–24 h; percentiles cover the rest."))
    if sh.over_capacity and s.utilisation == 0:
        out.append(("warning", "At 0% utilisation the GPUs serve nothing: no number of GPUs "
                               "carries this traffic."))
    elif sh.gpus_needed > s.gpus:
        out.append(("warning", f"Peak traffic ({sh.peak_calls_per_s:,.2f} calls/s) exceeds what "
                               f"your {s.gpus} GPU(s) serve "
                               f"({s.gpus * sh.calls_per_s_per_gpu:,.2f} calls/s): it needs "
                               f"**{sh.gpus_needed} GPU(s)**, and self-hosting / month counts "
                               f"them ({usd(sh.monthly_usd)})."))
    else:
        out.append(("caption", f"Self-hosting: one GPU serves {sh.calls_per_s_per_gpu:,.2f} "
                               f"calls/s at {s.utilisation:.0%} utilisation; peak is "
                               f"{sh.peak_calls_per_s:,.2f} calls/s, so {sh.gpus_needed} GPU(s) "
                               f"are enough (you reserve {s.gpus})."))
    return out


LEVER_COLUMNS = ("lever", "setting tried", "cost", "TTFT", "p50 felt", "p95", "quality")


def levers_table(rows: list[dict]) -> list[dict[str, str]]:
    """The levers table as short strings, one row per lever, in LEVER_COLUMNS order; a row's
    notes (a prefix below the minimum, a default speed) follow its setting."""
    return [{"lever": r["lever"], "setting tried": "; ".join([r["setting"], *r["notes"]]),
             "cost": pct(r["cost_delta_pct"]) + (f" ({usd(r['cost_delta_usd'])}/mo)"
                                                 if r["cost_delta_usd"] else ""),
             "TTFT": pct(r["ttft_p50_delta_pct"]), "p50 felt": pct(r["perceived_p50_delta_pct"]),
             "p95": pct(r["p95_delta_pct"]), "quality": r["quality_note"]}
            for r in rows]


def pullable(rows: list[dict]) -> dict[str, str]:
    """Lever name → key, for the levers the "Pull it" button can set."""
    return {r["lever"]: r["key"] for r in rows if r["applies"] and r["key"] != "self_host"}


def simulator_panel(s: Scenario, compare: tuple[str, ...] = (),
                    n: int | None = None) -> dict[str, Any]:
    """Everything the simulator's results column draws for one scenario: metrics, notes, the
    request path, the four figures, the break-even caption, the levers table (and which
    levers the "Pull it" button can set) and the scenario as YAML and JSON downloads."""
    from labs.costsim.charts import request_path_dot, simulator_figures
    from labs.costsim.levers import lever_impacts

    samples = {} if n is None else {"n": n}  # fewer samples make the tests fast
    sim = simulate(s, compare, **samples)
    rows = lever_impacts(s, **samples)
    be = sim.break_even
    return {"metrics": headline(sim), "notes": notes(sim), "path": request_path_dot(sim),
            "figures": simulator_figures(sim),
            "break_even": be.reason if be.requests_per_day is None else
            f"Break-even with self-hosting: {be.reason}.",
            "levers": levers_table(rows), "pullable": pullable(rows),
            "downloads": {fmt: dumps_scenario(s, fmt) for fmt in ("yaml", "json")}}


def pull(state: dict[str, Any], lever: str) -> dict[str, Any] | None:
    """The widget values after pulling one lever of the table (None when it changes nothing
    or the widgets do not hold a valid scenario)."""
    from labs.costsim.levers import pulled

    try:
        other, _ = pulled(scenario_of(state), lever)
    except ScenarioError:
        return None
    return None if other is None else state_of(other)


def with_override(overrides: dict[str, dict], model: str,
                  prices: dict[str, float]) -> dict[str, dict]:
    """The price overrides with `model`'s set to `prices` (dropped when `prices` is empty)."""
    rest = {m: o for m, o in overrides.items() if m != model}
    return {**rest, **({model: dict(prices)} if prices else {})}


def with_custom_model(custom: dict[str, dict], name: str,
                      prices: dict[str, float | None]) -> dict[str, dict]:
    """The custom models with one more; ValueError says what the form is missing."""
    if not name.strip():
        raise ValueError("Give the custom model a name.")
    if prices.get("input_mtok") is None or prices.get("output_mtok") is None:
        raise ValueError("A custom model needs input and output prices.")
    return {**custom, name.strip(): dict(prices)}


# --- loading scenarios -------------------------------------------------------------------------

def state_of(s: Scenario) -> dict[str, Any]:
    """Widget values (without the key prefix) that show this scenario."""
    data = s.model_dump()
    out = {f: data[f] for f in WIDGET_FIELDS}
    out.update(provider=s.provider, overrides=dict(s.price_overrides),
               custom=dict(s.custom_models), latency=dict(s.latency_overrides))
    return out


def scenario_of(state: dict[str, Any]) -> Scenario:
    """The scenario the widgets show (ScenarioError when a setting is invalid)."""
    data = {f: state[f] for f in WIDGET_FIELDS}
    data.update(provider=state.get("provider"), price_overrides=state.get("overrides") or {},
                custom_models=state.get("custom") or {},
                latency_overrides=state.get("latency") or {})
    return parse_scenario(data)


def read_scenario(raw: bytes | str, empty_hint: str = "the file is empty") -> Scenario:
    """A scenario from uploaded bytes or pasted text; ScenarioError says what is wrong."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_SCENARIO_BYTES:
            raise ScenarioError([("scenario", "file over 200 kB")])
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError([("scenario", "not UTF-8 text")]) from None
    if not raw.strip():
        raise ScenarioError([("scenario", empty_hint)])
    return loads_scenario(raw)


def problems_markdown(problems: list[tuple[str, str]], where: str) -> str:
    return f"**{where} is not a valid scenario:**\n\n" + "\n".join(
        f"- `{f}`: {m}" for f, m in problems)


def measured_rates(row: dict) -> dict[str, float]:
    """Semantic-cache lab row → the simulator's two cache shares (semantic sits behind exact)."""
    exact = round(row["exact-match hit rate"], 3)
    return {"exact_cache_hit_rate": exact,
            "semantic_cache_hit_rate": round(max(row["hit rate"] - exact, 0.0), 3)}


def semantic_at(result: dict, log, threshold: float) -> dict[str, Any]:
    """The semantic-cache tab at one threshold, from `semcache.run_lab`'s result: every hit,
    the false ones, the sweep's row and the rates the simulator would take from it. The hits
    are kept in `result["hits"]`, so moving the slider back costs nothing."""
    from labs.costsim.semcache import hits_at

    hits = result.setdefault("hits", {})
    if threshold not in hits:
        hits[threshold] = hits_at(result["vectors"], log, threshold)
    row = next(r for r in result["table"] if r["threshold"] == threshold)
    return {"hits": hits[threshold], "wrong": [h for h in hits[threshold] if not h["correct"]],
            "row": row, "rates": measured_rates(row)}


# --- attribution tab ---------------------------------------------------------------------------

def attribution_policy(df) -> Any:
    """The editable budgets-and-limits table: an even share of the month's spend × 1.5 per
    tenant, 20 calls a minute, beside each tenant's busiest minute."""
    import pandas as pd

    from labs.costsim.attribution import peak_per_minute

    tenants = sorted(df["customer_id"].unique())
    budget = round(float(df["cost_usd"].sum()) / max(len(tenants), 1) * 1.5, 2)
    peaks = peak_per_minute(df)
    return pd.DataFrame({"customer_id": tenants, "budget_usd": [budget] * len(tenants),
                         "limit_per_minute": [20] * len(tenants),
                         "busiest minute": [int(peaks.get(t, 0)) for t in tenants]})


def policy_of(edited) -> tuple[tuple, tuple]:
    """(budgets, limits) as hashable tuples from the edited policy table (blank cells skipped)."""
    import pandas as pd

    rows = list(edited.itertuples())
    return (tuple((r.customer_id, float(r.budget_usd)) for r in rows if pd.notna(r.budget_usd)),
            tuple((r.customer_id, int(r.limit_per_minute)) for r in rows
                  if pd.notna(r.limit_per_minute)))


def attribution_panel(df, budgets: tuple, limits: tuple) -> dict[str, Any]:
    """Everything the attribution tab draws: roll-ups, alerts as (level, text), figure specs
    (plain dicts, so a cached copy is not revalidated by plotly) and the refusals caption."""
    from labs.costsim.attribution import analyse
    from labs.costsim.charts import cumulative_spend, tenant_feature_bar

    a = analyse(df, dict(budgets), dict(limits))
    hot = a.by_tenant["customer_id"].iloc[0]
    bmap = dict(budgets)
    alerts = [("error" if al["severity"] == "over budget" else "warning",
               f"**{al['customer_id']}** passed {al['level']} of its ${al['budget_usd']:,.2f} "
               f"budget on day {al['day']} (${al['spend_usd']:,.2f} month to date).")
              for al in a.alerts] or [("success", "No tenant passed 80% of its budget.")]
    figs = (tenant_feature_bar(a.by_tenant_feature, list(a.by_tenant["customer_id"])),
            cumulative_spend(a.cumulative, (hot, bmap[hot]) if hot in bmap else None))
    return {
        "analysis": a, "alerts": alerts, "figures": tuple(f.to_plotly_json() for f in figs),
        "metrics": [Metric("Spend this month", f"${a.total_usd:,.2f}", ""),
                    Metric("Calls", f"{a.calls:,}", ""),
                    Metric("Hot tenant's share of spend", f"{a.by_tenant['share'].iloc[0]:.0%}",
                           hot)],
        "refused": (f"The limits refuse {a.calls - a.kept_calls:,} calls "
                    f"(${a.total_usd - a.kept_usd:,.2f} of spend). Refused calls are requests "
                    "your users did not get answered: a limit protects the budget and other "
                    "tenants, and costs the hot tenant its bursts."),
    }


def service_tier_options(s: Scenario) -> list[str]:
    """The online tiers genai-prices prices for the scenario's model."""
    from labs.costsim.prices import resolve, service_tiers

    return service_tiers(resolve(s.model, s.provider, overrides=s.price_overrides,
                                 custom=s.custom_models))


def compare_default(s: Scenario, models: list[str]) -> list[str]:
    """Compare with the model the tier lever would move to, when there is one."""
    from labs.costsim.levers import smaller_model

    small = smaller_model(s)
    return [small] if small in models and small != s.model else []
