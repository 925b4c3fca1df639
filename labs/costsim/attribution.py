"""Cost attribution for a multi-tenant product: synthetic traffic where every LLM call is tagged
with `customer_id` and `feature_id`, priced on genai-prices, rolled up per tenant and feature,
checked against budgets (alerts when a tenant passes 80% and 100% of its budget) and cut by
per-tenant rate limits (a fixed one-minute window: calls past the limit in a minute are refused).

The traffic (seeded, so every run is the same): `calls` calls over 30 days; one hot tenant
takes `hot_share` of them and grows through the month, and part of its traffic comes in
bursts (a script hammering the API); the other tenants split the rest by a Zipf-like skew.
Calls follow a daytime curve; each feature has its own model and token mix.

    cost of a call = input_tokens × input price + output_tokens × output price
                     (genai-prices rates for the feature's model, per token)

Leaves out: caching inside attribution (every call is priced in full), tiered prices, and
the nightly roll-up job itself (here the roll-up is a pandas group-by over the call log).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labs.costsim.prices import resolve

DAYS = 30
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Feature:
    feature_id: str
    model: str
    input_tokens: int  # mean per call
    output_tokens: int
    weight: float  # share of calls


DEFAULT_FEATURES = (
    Feature("support_chat", "claude-sonnet-4-6", 2500, 350, 0.45),
    Feature("doc_search", "gpt-4.1-mini", 1500, 200, 0.30),
    Feature("summarise", "claude-haiku-4-5", 6000, 500, 0.15),
    Feature("extract", "gpt-4.1-nano", 1200, 150, 0.10),
)
TENANTS = ("globex", "acme", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell")


def generate_traffic(calls: int = 60_000, tenants: tuple[str, ...] = TENANTS,
                     features: tuple[Feature, ...] = DEFAULT_FEATURES, hot_share: float = 0.45,
                     burst_share: float = 0.15, seed: int = 11) -> pd.DataFrame:
    """One row per call: ts (s since the month began), day, customer_id, feature_id, model,
    input_tokens, output_tokens, cost_usd. The first tenant is the hot one."""
    if calls < 0 or not tenants or not features or not 0 <= hot_share <= 1:
        raise ValueError("need calls ≥ 0, at least one tenant and feature, hot_share in [0, 1]")
    rng = np.random.default_rng(seed)
    # tenant of each call: the hot tenant, else a Zipf-like share of the rest
    rest = np.array([1 / (k + 1) for k in range(len(tenants) - 1)]) if len(tenants) > 1 \
        else np.array([])
    p_tenant = np.concatenate([[hot_share], (1 - hot_share) * rest / rest.sum()]) \
        if rest.size else np.array([1.0])
    tenant_idx = rng.choice(len(tenants), size=calls, p=p_tenant)
    weights = np.array([f.weight for f in features], dtype=float)
    feat_idx = rng.choice(len(features), size=calls, p=weights / weights.sum())
    hot = tenant_idx == 0
    # day: flat for most tenants; the hot tenant grows through the month (density ∝ 1 + 2·x)
    x = rng.random(calls)
    grow = (np.sqrt(1 + 8 * x) - 1) / 2  # inverse CDF of (1 + 2x)/2 on [0, 1]
    day = np.where(hot, np.floor(grow * DAYS), np.floor(rng.random(calls) * DAYS)).astype(int)
    # time of day: a daytime curve centred on 14:00
    sec = np.clip(rng.normal(14 * 3600, 3.5 * 3600, calls), 0, SECONDS_PER_DAY - 1)
    ts = day * SECONDS_PER_DAY + sec
    # bursts: part of the hot tenant's calls land in a few single minutes
    burst = hot & (rng.random(calls) < burst_share)
    n_bursts = max(1, calls // 6000)
    starts = rng.integers(0, DAYS * SECONDS_PER_DAY // 60, n_bursts) * 60
    ts = np.where(burst, starts[rng.integers(0, n_bursts, calls)] + rng.random(calls) * 60, ts)
    day = (ts // SECONDS_PER_DAY).astype(int)
    mean_in = np.array([f.input_tokens for f in features])[feat_idx]
    mean_out = np.array([f.output_tokens for f in features])[feat_idx]
    tok_in = np.maximum(1, np.round(mean_in * rng.lognormal(-0.08, 0.4, calls))).astype(int)
    tok_out = np.maximum(1, np.round(mean_out * rng.lognormal(-0.08, 0.4, calls))).astype(int)
    rates = [price_rates(f.model) for f in features]
    in_rate = np.array([r[0] for r in rates])[feat_idx]
    out_rate = np.array([r[1] for r in rates])[feat_idx]
    df = pd.DataFrame({
        "ts": ts, "day": day,
        "customer_id": np.array(tenants)[tenant_idx],
        "feature_id": np.array([f.feature_id for f in features])[feat_idx],
        "model": np.array([f.model for f in features])[feat_idx],
        "input_tokens": tok_in, "output_tokens": tok_out,
        "cost_usd": (tok_in * in_rate + tok_out * out_rate) / 1e6,
    })
    return df.sort_values("ts", kind="stable").reset_index(drop=True)


def price_rates(model: str) -> tuple[float, float]:
    """(input, output) USD per million tokens from genai-prices."""
    p = resolve(model)
    return p.rate("input_mtok") or 0.0, p.rate("output_mtok") or 0.0


def rollup(df: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Calls, tokens and spend per group, with each group's share of spend."""
    g = df.groupby(by, observed=True).agg(calls=("cost_usd", "size"),
                                          input_tokens=("input_tokens", "sum"),
                                          output_tokens=("output_tokens", "sum"),
                                          cost_usd=("cost_usd", "sum"))
    total = g["cost_usd"].sum()
    g["share"] = g["cost_usd"] / total if total else 0.0
    return g.sort_values("cost_usd", ascending=False).reset_index()


def daily_spend(df: pd.DataFrame) -> pd.DataFrame:
    """Cumulative spend per tenant per day (a row for every tenant and day)."""
    tenants = sorted(df["customer_id"].unique())
    daily = df.groupby(["customer_id", "day"])["cost_usd"].sum()
    full = daily.reindex(pd.MultiIndex.from_product([tenants, range(DAYS)],
                                                    names=["customer_id", "day"]), fill_value=0.0)
    out = full.groupby(level=0).cumsum().rename("cumulative_usd").reset_index()
    out["daily_usd"] = full.to_numpy()
    return out


def budget_alerts(df: pd.DataFrame, budgets: dict[str, float],
                  levels: tuple[float, ...] = (0.8, 1.0)) -> list[dict]:
    """The first day each tenant's month-to-date spend passes each level of its budget."""
    cum = daily_spend(df)
    alerts = []
    for tenant, budget in budgets.items():
        if budget is None or budget <= 0:
            continue
        rows = cum[cum["customer_id"] == tenant]
        for level in levels:
            over = rows[rows["cumulative_usd"] > level * budget]
            if len(over):
                first = over.iloc[0]
                alerts.append({"customer_id": tenant, "level": f"{level:.0%}",
                               "severity": "over budget" if level >= 1 else "warning",
                               "day": int(first["day"]) + 1,
                               "spend_usd": round(float(first["cumulative_usd"]), 2),
                               "budget_usd": budget})
    return sorted(alerts, key=lambda a: (a["day"], a["customer_id"]))


def apply_rate_limits(df: pd.DataFrame, per_minute: dict[str, int]) -> tuple[pd.DataFrame,
                                                                              pd.DataFrame]:
    """Refuse each tenant's calls past its limit within a one-minute window.

    Returns (the calls that got through, a per-tenant table of calls cut and spend avoided).
    Tenants not in `per_minute` are not limited.
    """
    minute = (df["ts"] // 60).astype(np.int64)
    rank = df.groupby([df["customer_id"], minute]).cumcount()  # 0 for the first call in a minute
    limit = df["customer_id"].map(per_minute).astype(float).fillna(np.inf)
    cut = rank.to_numpy() >= limit.to_numpy()
    summary = df.assign(cut=cut, cut_cost=np.where(cut, df["cost_usd"], 0.0)).groupby(
        "customer_id").agg(calls=("cut", "size"), cut=("cut", "sum"),
                           cut_cost_usd=("cut_cost", "sum"))
    summary["cut_share"] = summary["cut"] / summary["calls"]
    summary["limit_per_minute"] = [per_minute.get(t) for t in summary.index]
    return df[~cut].reset_index(drop=True), summary.sort_values("cut", ascending=False) \
        .reset_index()


def peak_per_minute(df: pd.DataFrame) -> pd.Series:
    """Each tenant's busiest minute (calls), to pick a sensible limit."""
    minute = (df["ts"] // 60).astype(np.int64)
    return df.groupby([df["customer_id"], minute]).size().groupby(level=0).max()


@dataclass
class Attribution:
    """Everything the attribution view shows for one traffic log and one policy."""

    total_usd: float
    calls: int
    by_tenant: pd.DataFrame
    by_feature: pd.DataFrame
    by_tenant_feature: pd.DataFrame
    cumulative: pd.DataFrame
    alerts: list[dict]
    cut: pd.DataFrame
    kept_calls: int
    kept_usd: float


def analyse(df: pd.DataFrame, budgets: dict[str, float],
            per_minute: dict[str, int]) -> Attribution:
    kept, cut = apply_rate_limits(df, per_minute)
    return Attribution(total_usd=float(df["cost_usd"].sum()), calls=len(df),
                       by_tenant=rollup(df, "customer_id"), by_feature=rollup(df, "feature_id"),
                       by_tenant_feature=rollup(df, ["customer_id", "feature_id"]),
                       cumulative=daily_spend(df), alerts=budget_alerts(df, budgets), cut=cut,
                       kept_calls=len(kept), kept_usd=float(kept["cost_usd"].sum()))
