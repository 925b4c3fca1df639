"""Model prices from `genai-prices` (the table bundled with the installed package), with
per-model overrides and custom models.

A `ModelPricing` is one model's resolved price sheet (USD per million tokens) plus the
genai-prices `ModelPrice` object used to price a call. Every call is priced by genai-prices
itself: `calc_price(Usage(...), model, provider_id=...)` for a catalogue model as shipped,
and the same `ModelPrice.calc_price(Usage(...))` that `calc_price` runs underneath for a
model whose prices the learner overrode or a custom model.

`Usage.input_tokens` is the *whole* prompt; `cache_read_tokens` and `cache_write_tokens` are
the parts of it read from or written to the provider's prompt cache. genai-prices prices
the uncached rest at the input rate, and a cache read or write at the input rate when the
model has no separate read or write price (OpenAI models, for instance, have no write price).

Leaves out: audio, image and web-search units, the 1-hour cache-write tier (writes are
priced at the 5-minute `cache_write_mtok` rate) and auto-updating the table from GitHub
(the app works offline, so it uses the snapshot shipped in the package).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib.metadata import version

PRICE_KEYS = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok")
MAX_PRICE_MTOK = 1_000_000  # a bound far past any real price, so every bill stays finite
PRICE_LABELS = {"input_mtok": "input", "output_mtok": "output",
                "cache_read_mtok": "cache read", "cache_write_mtok": "cache write"}


_CALL_CACHE: dict[tuple, CallPrice] = {}


class UnknownModelError(LookupError):
    """The model (or provider) is not in genai-prices nor among the custom models."""


@dataclass(frozen=True)
class CallPrice:
    """The price of one call, split the way the bill is read (USD)."""

    input_usd: float  # uncached input tokens
    cache_read_usd: float
    cache_write_usd: float
    output_usd: float

    @property
    def total_usd(self) -> float:
        return self.input_usd + self.cache_read_usd + self.cache_write_usd + self.output_usd


@dataclass(frozen=True)
class ModelPricing:
    """One model's prices, where they came from, and how to price a call with them."""

    ref: str  # what the scenario asked for
    provider_id: str
    model_id: str
    name: str
    source: str  # "genai-prices", "genai-prices + override" or "custom"
    model_price: object  # genai_prices.types.ModelPrice
    tiered: bool  # some price changes above a prompt-length threshold
    at: dt.datetime  # prices in effect at this moment
    context: tuple[tuple[str, str], ...] = ()  # genai-prices price context (service tier…)
    variants: tuple[tuple[str, str], ...] = ()  # the (key, value) contexts the model prices
    info: object = None  # genai_prices.types.ModelInfo, for a catalogue model
    provider_info: object = None  # genai_prices.types.Provider, for a catalogue model

    def rate(self, key: str, prompt_tokens: int = 0) -> float | None:
        """USD per million tokens for `key` at this prompt length (the tier in effect), or None."""
        from genai_prices.types import TieredPrices, calc_unit_price

        price = getattr(self.model_price, key)
        if price is None:
            return None
        if isinstance(price, TieredPrices):
            return float(calc_unit_price(price, 1_000_000, prompt_tokens, 1_000_000))
        return float(price)

    def sheet(self) -> dict[str, float | None]:
        """Base rates (USD/MTok) for the four token kinds, None where the model has none."""
        return {k: self.rate(k) for k in PRICE_KEYS}

    def price_call(self, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0,
                   cache_write_tokens: int = 0) -> CallPrice:
        """Memoised `_price_call` (a genai-prices calculation takes ~2 ms; the page makes dozens
        per rerun, mostly the same ones)."""
        key = (self.source, self.provider_id, self.model_id, repr(self.model_price),
               self.at.date(), self.context, input_tokens, output_tokens, cache_read_tokens,
               cache_write_tokens)
        hit = _CALL_CACHE.get(key)
        if hit is None:
            if len(_CALL_CACHE) > 20_000:
                _CALL_CACHE.clear()
            hit = _CALL_CACHE[key] = self._price_call(input_tokens, output_tokens,
                                                      cache_read_tokens, cache_write_tokens)
        return hit

    def _price_call(self, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0,
                    cache_write_tokens: int = 0) -> CallPrice:
        """Price one call with genai-prices and split its input side into uncached, read, write.

        >>> p = resolve("claude-sonnet-4-6")   # $3 in, $15 out, $0.30 read, $3.75 write
        >>> c = p.price_call(1000, 100, cache_read_tokens=800)
        >>> round(c.input_usd, 6), round(c.cache_read_usd, 6), round(c.output_usd, 6)
        (0.0006, 0.00024, 0.0015)
        """
        from genai_prices import Usage

        usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens,
                      cache_read_tokens=cache_read_tokens or None,
                      cache_write_tokens=cache_write_tokens or None)
        if self.source == "genai-prices":  # what calc_price runs once it has found the model
            calc = self.info.calc_price(usage, self.provider_info,  # type: ignore[attr-defined]
                                        genai_request_timestamp=self.at,
                                        price_context=dict(self.context) or None)
            input_price, output_price = float(calc.input_price), float(calc.output_price)
        else:
            calc = self.model_price.calc_price(usage)  # the same routine calc_price ends in
            input_price, output_price = float(calc["input_price"]), float(calc["output_price"])
        # the split: reads and writes at their own rate, falling back to the input rate as
        # genai-prices does when the model has no such price; the rest of the input side is
        # the uncached input, so the parts always add up to genai-prices' own total
        in_rate = self.rate("input_mtok", input_tokens) or 0.0
        read_rate = self.rate("cache_read_mtok", input_tokens)
        write_rate = self.rate("cache_write_mtok", input_tokens)
        read = cache_read_tokens * (in_rate if read_rate is None else read_rate) / 1e6
        write = cache_write_tokens * (in_rate if write_rate is None else write_rate) / 1e6
        return CallPrice(input_usd=input_price - read - write, cache_read_usd=read,
                         cache_write_usd=write, output_usd=output_price)


def package_version() -> str:
    return version("genai-prices")


@lru_cache(maxsize=1)
def snapshot_info() -> dict[str, object]:
    """What the bundled table is: its package version and the dates of its newest prices.

    genai-prices 0.2.3 ships no snapshot date, so the honest stand-in is the newest dated
    price change it knows about (and whether it already knows of scheduled future changes).
    """
    from genai_prices.data_snapshot import get_snapshot

    today = dt.datetime.now(dt.UTC).date()
    dates: list[dt.date] = []
    n_models = 0
    for provider in get_snapshot().providers:
        for model in provider.models:
            n_models += 1
            constraints = [c.constraint for c in model.prices] if isinstance(model.prices, list) \
                else []
            constraints += [v.constraint for v in model.price_variants or ()]
            dates += [c.start_date for c in constraints if hasattr(c, "start_date")]
    past = [d for d in dates if d <= today]
    future = [d for d in dates if d > today]
    return {"package": "genai-prices", "version": package_version(),
            "newest_price_in_effect": max(past).isoformat() if past else None,
            "newest_scheduled_price": max(future).isoformat() if future else None,
            "providers": len(get_snapshot().providers), "models": n_models}


def snapshot_label() -> str:
    info = snapshot_info()
    text = (f"genai-prices {info['version']} (bundled table, {info['models']} models from "
            f"{info['providers']} providers; newest price change in effect: "
            f"{info['newest_price_in_effect']}")
    if info["newest_scheduled_price"]:
        text += f"; knows of changes scheduled up to {info['newest_scheduled_price']}"
    return text + ")"


def catalogue(providers: tuple[str, ...] = ("anthropic", "openai", "google")) -> list[str]:
    """Model ids offered in the picker: chat models of the big providers that price tokens."""
    from genai_prices.data_snapshot import get_snapshot

    out: list[str] = []
    now = dt.datetime.now(dt.UTC)
    for provider in get_snapshot().providers:
        if provider.id not in providers:
            continue
        for model in provider.models:
            price = model.get_prices(now)
            if getattr(price, "input_mtok", None) is None or \
                    getattr(price, "output_mtok", None) is None:
                continue
            if not _chat_model(model.id):
                continue
            out.append(model.id)
    return sorted(set(out))


def _chat_model(model_id: str) -> bool:
    return not any(w in model_id for w in ("embedding", "tts", "transcribe", "image", "audio",
                                           "realtime", "live", "moderation", "whisper",
                                           "search", "computer-use", "codex", "deep-research",
                                           "oss", "safeguard", "vision"))


_lock = threading.Lock()


def _find(ref: str, provider: str | None):
    """(provider, model) for a reference: a model's own id within the provider first (some
    ids, like mistral's `codestral`, are not matched by genai-prices' own rules), then
    genai-prices' matching, then, with no provider, the one provider that lists that id."""
    from genai_prices.data_snapshot import find_provider_by_id, get_snapshot

    snapshot, low = get_snapshot(), ref.lower()
    with _lock:  # the snapshot's lookup caches are plain dicts
        if provider and (prov := find_provider_by_id(snapshot.providers, provider)):
            if model := next((m for m in prov.models if m.id.lower() == low), None):
                return prov, model
        try:
            return snapshot.find_provider_model(ref, None, provider, None)
        except LookupError as e:
            if provider:
                raise UnknownModelError(str(e)) from None
            owners = [(p, m) for p in snapshot.providers for m in p.models if m.id.lower() == low]
            if len(owners) == 1:
                return owners[0]
            if owners:
                raise UnknownModelError(f"{ref!r} is listed by several providers "
                                        f"({', '.join(p.id for p, _ in owners)}): give the "
                                        "provider") from None
            raise UnknownModelError(str(e)) from None


def _has_real_price(model_price: object) -> bool:
    return getattr(model_price, "input_mtok", None) is not None or \
        getattr(model_price, "output_mtok", None) is not None


def _decimal(value: float | None, key: str) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) \
            or not 0 <= value <= MAX_PRICE_MTOK:
        raise ValueError(f"{key}: a price must be a number from 0 to {MAX_PRICE_MTOK:,} "
                         "(USD per million tokens)")
    return Decimal(repr(float(value)))


def custom_model_price(prices: dict[str, float | None]):
    """A genai-prices `ModelPrice` from a plain dict of USD/MTok rates (custom models)."""
    from genai_prices.types import ModelPrice

    unknown = set(prices) - set(PRICE_KEYS)
    if unknown:
        raise ValueError(f"unknown price key(s) {sorted(unknown)}; use {list(PRICE_KEYS)}")
    if prices.get("input_mtok") is None or prices.get("output_mtok") is None:
        raise ValueError("a custom model needs input_mtok and output_mtok")
    return ModelPrice(**{k: _decimal(prices.get(k), k) for k in PRICE_KEYS})


def resolve(ref: str, provider: str | None = None, *,
            overrides: dict[str, dict[str, float | None]] | None = None,
            custom: dict[str, dict[str, float | None]] | None = None,
            at: dt.datetime | None = None,
            context: dict[str, str] | None = None) -> ModelPricing:
    """Find `ref` among the custom models, else in genai-prices, and apply any override.

    `overrides` and `custom` map a model reference to {price_key: USD per MTok}. An override
    replaces only the keys it names (None removes a price: writes then bill as input).
    """
    at = at or dt.datetime.now(dt.UTC)
    if not isinstance(ref, str) or not ref.strip():
        raise UnknownModelError("no model given")
    key = ref.strip()
    custom = custom or {}
    overrides = overrides or {}
    if key in custom:
        return ModelPricing(ref=key, provider_id=provider or "custom", model_id=key, name=key,
                            source="custom", model_price=custom_model_price(custom[key]),
                            tiered=False, at=at)
    prov, model = _find(key, provider)
    variants = tuple(sorted({(k, v) for var in model.price_variants or () for k, v in
                             var.when.items() if (k, v) != ("service_tier", "default")}))
    ctx = tuple(sorted((context or {}).items()))
    if any(kv not in variants for kv in ctx):
        raise UnknownModelError(f"genai-prices has no {dict(ctx)} prices for {model.id!r}")
    model_price = model.get_prices(at, dict(ctx) or None)
    if not _has_real_price(model_price):
        raise UnknownModelError(f"genai-prices has no token prices for {model.id!r}")
    source = "genai-prices"
    over = overrides.get(key) or overrides.get(model.id)
    if over:
        unknown = set(over) - set(PRICE_KEYS)
        if unknown:
            raise ValueError(f"unknown price key(s) {sorted(unknown)}; use {list(PRICE_KEYS)}")
        model_price = copy.copy(model_price)
        for k, v in over.items():
            object.__setattr__(model_price, k, _decimal(v, k))
        source = "genai-prices + override"
    from genai_prices.types import TieredPrices

    tiered = any(isinstance(getattr(model_price, k), TieredPrices) for k in PRICE_KEYS)
    return ModelPricing(ref=key, provider_id=prov.id, model_id=model.id,
                        name=model.name or model.id, source=source, model_price=model_price,
                        tiered=tiered, at=at, context=ctx, variants=variants, info=model,
                        provider_info=prov)


SERVICE_TIER_KEYS = ("service_tier", "speed")  # genai-prices' names for online tiers


def service_tiers(pricing: ModelPricing) -> list[str]:
    """Online tiers genai-prices prices for this model ('standard' is always there)."""
    return ["standard"] + [v for k, v in pricing.variants if k in SERVICE_TIER_KEYS]


def tier_context(pricing: ModelPricing, tier: str) -> dict[str, str]:
    if tier == "standard":
        return {}
    for k, v in pricing.variants:
        if k in SERVICE_TIER_KEYS and v == tier:
            return {k: v}
    raise UnknownModelError(f"no {tier!r} tier for {pricing.model_id!r}; genai-prices has "
                            f"{', '.join(service_tiers(pricing))}")


def has_batch_prices(pricing: ModelPricing) -> bool:
    return ("processing", "batch") in pricing.variants and pricing.source == "genai-prices"


def cheaper_models(pricing: ModelPricing, input_tokens: int, output_tokens: int,
                   prefer: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
    """Models of the same provider that cost less per token on both input and output, cheapest
    request first, the ones in `prefer` (models with published speeds) ahead of the rest."""
    from genai_prices.data_snapshot import get_snapshot

    if pricing.source == "custom":
        return []
    base_in, base_out = pricing.rate("input_mtok") or 0.0, pricing.rate("output_mtok") or 0.0
    provider = next((p for p in get_snapshot().providers if p.id == pricing.provider_id), None)
    out = []
    for model in provider.models if provider else ():
        if model.id == pricing.model_id or model.deprecated or not _chat_model(model.id):
            continue
        price = model.get_prices(pricing.at)
        if not _has_real_price(price):
            continue
        try:
            rin, rout = float(price.input_mtok), float(price.output_mtok)
        except (TypeError, ValueError):  # tiered or missing: not a simple comparison
            continue
        if rin <= base_in and rout <= base_out and (rin < base_in or rout < base_out):
            out.append((model.id, (input_tokens * rin + output_tokens * rout) / 1e6))
    return sorted(out, key=lambda m: (m[0] not in prefer, m[1], m[0]))
