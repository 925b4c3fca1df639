"""Published facts the simulator needs beside prices, shipped as YAML in content/costsim/:
per-model serving speed (time to first token, output tokens per second) and each provider's
prompt-caching rules (minimum cacheable prefix, cache lifetime).

A scenario can override both (`latency_overrides`, `cache_min_prefix_tokens`,
`cache_lifetime_s`), like prices; whatever is not known falls back to the file's default,
and the result says so (`fallback`), so the page can tell the learner.

Leaves out: per-region and per-hour variation, and long-prompt TTFT beyond the prefill term
of the model (see model.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content" / "costsim"
SPEED_KEYS = ("ttft_ms", "output_tokens_per_s")
# what an override may say: up to ten minutes to first token, 0.01 to a million tokens/s
SPEED_BOUNDS = {"ttft_ms": (0.0, 600_000.0), "output_tokens_per_s": (0.001, 1e6)}


@dataclass(frozen=True)
class Speed:
    """How fast the API serves one model, and where each figure came from."""

    model: str
    ttft_ms: float
    output_tokens_per_s: float
    source: str
    date: str | None
    fallback: tuple[str, ...]  # the figures that are the default, not measured

    def label(self) -> str:
        if len(self.fallback) == len(SPEED_KEYS):
            return (f"no published figures for {self.model}: default {self.ttft_ms:,.0f} ms "
                    f"to first token, {self.output_tokens_per_s:g} tokens/s")
        text = (f"{self.model}: {self.ttft_ms:,.0f} ms to first token, "
                f"{self.output_tokens_per_s:g} tokens/s ({self.source}"
                + (f", {self.date}" if self.date else "") + ")")
        if self.fallback:
            text += "; default for " + " and ".join(k.replace("_", " ") for k in self.fallback)
        return text


@dataclass(frozen=True)
class CacheRules:
    min_prefix_tokens: int
    lifetime_s: float
    source: str


@lru_cache(maxsize=4)
def _load(name: str) -> dict:
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8")) or {}


def latency_table() -> dict:
    return _load("latency.yaml")


def speed_for(model_ids: tuple[str, ...], overrides: dict[str, dict[str, float]] | None = None
              ) -> Speed:
    """The first of `model_ids` (the scenario's reference, then genai-prices' id) found in the
    overrides or the table; each missing figure from the default."""
    table = latency_table()
    default = table["default"]
    row: dict = {}
    name = model_ids[0]
    for ref in model_ids:
        if ref in (table.get("models") or {}):
            row, name = dict(table["models"][ref]), ref
            break
    source, date = row.get("source", "default"), row.get("date")
    for ref in model_ids:
        if over := (overrides or {}).get(ref):
            row.update(over)
            source, date = "your override" + (f" over {source}" if source != "default"
                                              else ""), None
            break
    fallback = tuple(k for k in SPEED_KEYS if row.get(k) is None)
    values = {k: float(row.get(k) or default[k]) for k in SPEED_KEYS}
    return Speed(model=name, **values, source=source, date=date, fallback=fallback)


def cache_rules(provider: str, model_ids: tuple[str, ...], min_prefix: int | None = None,
                lifetime_s: float | None = None) -> CacheRules:
    data = _load("prompt_caching.yaml")
    prov = (data.get("providers") or {}).get(provider) or data["default"]
    per_model = prov.get("models") or {}
    floor = next((per_model[m] for m in model_ids if m in per_model), prov["min_prefix_tokens"])
    source = prov["source"]
    if min_prefix is not None or lifetime_s is not None:
        source = "your override of " + source
    return CacheRules(min_prefix_tokens=int(floor if min_prefix is None else min_prefix),
                      lifetime_s=float(prov["lifetime_s"] if lifetime_s is None else lifetime_s),
                      source=source)


def check_latency_overrides(overrides: dict) -> list[tuple[str, str]]:
    """Problems with a scenario's latency_overrides, as (field, message) pairs."""
    out = []
    for model, row in overrides.items():
        if not isinstance(row, dict):
            out.append((f"latency_overrides.{model}", "expected a mapping of "
                        + " / ".join(SPEED_KEYS)))
            continue
        for k, v in row.items():
            if k not in SPEED_KEYS:
                out.append((f"latency_overrides.{model}.{k}",
                            f"not a latency figure; use {' or '.join(SPEED_KEYS)}"))
            elif not isinstance(v, int | float) or isinstance(v, bool) \
                    or not SPEED_BOUNDS[k][0] < v <= SPEED_BOUNDS[k][1]:
                lo, hi = SPEED_BOUNDS[k]
                out.append((f"latency_overrides.{model}.{k}",
                            f"must be a number more than {lo:g} and at most {hi:g}"))
    return out
