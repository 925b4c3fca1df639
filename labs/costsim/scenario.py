"""The simulator's input: a `Scenario` (pydantic), read from and written to YAML or JSON.

A bad scenario raises `ScenarioError`, whose `problems` are (field, message) pairs, so the
page and the CLI can say which field is wrong: a rate outside [0, 1], exact + semantic cache
shares above 1, a negative token count, an unknown model, a misspelt field.

Leaves out: several models in one scenario (a scenario is one workload on one model; the
page compares models by running the same scenario on each).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Rate = Field(default=0.0, ge=0.0, le=1.0)
# Upper bounds far past any real workload, so every figure stays a finite number: a trillion
# requests a day, 100 million tokens a request, a million GPUs, ten minutes of network delay.
MAX_REQUESTS_PER_DAY = 1e12
MAX_TOKENS = 100_000_000
MAX_MS = 600_000.0

RATE_FIELDS = ("prompt_cache_hit_rate", "exact_cache_hit_rate", "semantic_cache_hit_rate",
               "batch_share", "utilisation")


class ScenarioError(ValueError):
    """A scenario that cannot be simulated; `problems` names each bad field."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))


class Scenario(BaseModel):
    """One workload on one model. Token counts are per request; rates are shares in [0, 1]."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    # traffic and token mix
    requests_per_day: float = Field(ge=0, le=MAX_REQUESTS_PER_DAY,
                                    description="requests arriving per day")
    input_tokens: int = Field(ge=0, le=MAX_TOKENS, description="prompt tokens per request")
    output_tokens: int = Field(ge=0, le=MAX_TOKENS, description="completion tokens per request")
    model: str = Field(min_length=1, description="a genai-prices model reference or a custom model")
    provider: str | None = Field(default=None, description="genai-prices provider id")
    # levers
    cached_prefix_tokens: int = Field(default=0, ge=0,
                                      description="stable prompt prefix the provider can cache")
    prompt_cache_hit_rate: float = Rate
    exact_cache_hit_rate: float = Rate
    semantic_cache_hit_rate: float = Rate
    batch_share: float = Rate
    streaming: bool = False
    service_tier: str = Field(default="standard", min_length=1,
                              description="online tier genai-prices prices (flex, priority…)")
    prefix_variants: int = Field(default=1, ge=1, le=10**9, description="distinct cached "
                                 "prefixes (e.g. one system prompt per tenant) sharing the "
                                 "traffic")
    cache_min_prefix_tokens: int | None = Field(default=None, ge=0, le=MAX_TOKENS,
                                                description="override the provider's minimum "
                                                "cacheable prefix")
    cache_lifetime_s: float | None = Field(default=None, gt=0, le=30 * 86_400,
                                           description="override the provider's prompt-cache "
                                           "lifetime")
    # latency of the serving path
    network_rtt_ms: float = Field(default=0.0, ge=0, le=MAX_MS, description="round trip to the "
                                  "API beyond the one inside the published time to first token")
    queue_ms: float = Field(default=50.0, ge=0, le=MAX_MS,
                            description="mean queueing delay at the API")
    cache_latency_ms: float = Field(default=20.0, ge=0, le=MAX_MS,
                                    description="answer time of a cache hit")
    # self-hosting
    gpu_hourly_usd: float = Field(default=2.5, ge=0, le=10_000)
    gpus: int = Field(default=1, ge=0, le=1_000_000)
    prefill_tokens_per_s: float = Field(default=4000.0, ge=0.01, le=1e9,
                                        description="per request stream")
    decode_tokens_per_s: float = Field(default=60.0, ge=0.01, le=1e9,
                                       description="per request stream")
    utilisation: float = Field(default=0.6, ge=0.0, le=1.0,
                               description="share of a GPU's streams you can keep busy")
    streams_per_gpu: int = Field(default=16, ge=1, le=100_000,
                                 description="requests one GPU serves at once")
    peak_to_mean: float = Field(default=2.0, ge=1.0, le=1_000,
                                description="peak traffic ÷ mean traffic")
    self_host_rtt_ms: float = Field(default=5.0, ge=0, le=MAX_MS,
                                    description="round trip inside your VPC")
    # prices
    price_overrides: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    custom_models: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    latency_overrides: dict[str, dict[str, float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shares_fit(self) -> Scenario:
        if self.exact_cache_hit_rate + self.semantic_cache_hit_rate > 1 + 1e-12:
            raise ValueError("exact_cache_hit_rate + semantic_cache_hit_rate: the two cache "
                             "shares are shares of all requests and must sum to at most 1 "
                             f"(got {self.exact_cache_hit_rate + self.semantic_cache_hit_rate:g})")
        if self.cached_prefix_tokens > self.input_tokens:
            raise ValueError(f"cached_prefix_tokens: {self.cached_prefix_tokens} is more than "
                             f"input_tokens ({self.input_tokens}); the prefix is part of the input")
        return self


def _problems(e: ValidationError) -> list[tuple[str, str]]:
    out = []
    for err in e.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if not loc and ":" in msg:  # model-level checks name their field first
            loc, msg = (s.strip() for s in msg.split(":", 1))
        if err["type"] == "extra_forbidden":
            msg = "not a scenario field (check the spelling)"
        out.append((loc or "scenario", msg))
    return out


def parse_scenario(data: Any, *, check_model: bool = True) -> Scenario:
    """A validated Scenario from a dict, or ScenarioError naming every bad field."""
    if isinstance(data, Scenario):
        data = data.model_dump()
    if not isinstance(data, dict):
        raise ScenarioError([("scenario", "expected a mapping of field: value")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(_problems(e)) from None
    from labs.costsim.facts import check_latency_overrides

    if problems := check_latency_overrides(scenario.latency_overrides):
        raise ScenarioError(problems)
    from labs.costsim.prices import custom_model_price

    for name, prices in scenario.custom_models.items():
        try:
            custom_model_price(prices)
        except ValueError as e:
            raise ScenarioError([(f"custom_models.{name}", str(e))]) from None
    if check_model:
        from labs.costsim.prices import UnknownModelError, resolve, tier_context

        try:
            pricing = resolve(scenario.model, scenario.provider,
                              overrides=scenario.price_overrides, custom=scenario.custom_models)
        except UnknownModelError as e:
            field = "provider" if "provider" in str(e) and scenario.provider else "model"
            hint = ("use a genai-prices provider id (anthropic, openai, google, aws…) or "
                    "leave it out" if field == "provider" else
                    "pick a genai-prices model or add a custom model")
            raise ScenarioError([(field, f"unknown {field} {getattr(scenario, field)!r} "
                                         f"({e}); {hint}")]) from None
        except ValueError as e:
            raise ScenarioError([("price_overrides", str(e))]) from None
        try:
            tier_context(pricing, scenario.service_tier)
        except UnknownModelError as e:
            raise ScenarioError([("service_tier", str(e))]) from None
    return scenario


def loads_scenario(text: str, *, check_model: bool = True) -> Scenario:
    """Parse YAML or JSON text (JSON is YAML, so one parser reads both)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ScenarioError([("scenario", f"not valid YAML or JSON: {e}")]) from None
    return parse_scenario(data, check_model=check_model)


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([("scenario", f"no such file: {p}")]) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as e:
        raise ScenarioError([("scenario", f"cannot read {p}: {e}")]) from None
    return loads_scenario(text)


def dumps_scenario(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario as YAML or JSON, without the empty price sections."""
    data = scenario.model_dump(exclude_defaults=False)
    for key in ("price_overrides", "custom_models", "latency_overrides"):
        if not data[key]:
            data.pop(key)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.safe_dump(data, sort_keys=False)
