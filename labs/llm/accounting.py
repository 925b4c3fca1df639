"""Accounting for the gateway: price a call with genai-prices, record it as an `LLMCall`
row, keep the exact-match response cache, and summarise spend for the Spend page and CLI.

Pricing follows genai-prices' conventions: input tokens include cached ones, and an
unknown model is not guessed: its cost is recorded as NULL ("cost unknown"). Offline runs
and cache hits cost nothing and are recorded as 0.

Left out: budgets and alerts (the cost simulator's per-tenant lab does those) and any
storage of prompts, answers' authors or keys in the call log.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import warnings
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from labs.llm.providers import Usage
from labs.store import Store, StoreError, database_url
from labs.store.models import LLMCacheEntry, LLMCall

log = logging.getLogger("labs.llm")
_store_lock = threading.Lock()


def default_store() -> Store:
    """The progress store for the current DATABASE_URL / data folder, opened once."""
    with _store_lock:
        return _store_for(database_url())


@functools.lru_cache(maxsize=8)
def _store_for(url: str) -> Store:
    return Store(url)


def price(usage: Usage, model: str, *, provider_id: str | None = None,
          base_url: str | None = None) -> float | None:
    """USD for `usage` on `model`, or None when genai-prices does not know the model.

    >>> price(Usage(input_tokens=1_000_000, output_tokens=0), "gpt-4o-mini", provider_id="openai")
    0.15
    """
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    counts = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}
    if usage.cached_tokens:
        counts["cache_read_tokens"] = usage.cached_tokens
    if usage.cache_write_tokens:
        counts["cache_write_tokens"] = usage.cache_write_tokens
    where: dict[str, Any] = {}
    if provider_id:
        where["provider_id"] = provider_id
    elif base_url:
        where["provider_api_url"] = base_url
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = calc_price(PriceUsage(**counts), model, **where)
    except (LookupError, ValueError):
        return None
    return float(result.total_price)


def prices_version() -> str:
    from importlib.metadata import version

    return version("genai-prices")


def record(store: Store, call: LLMCall) -> LLMCall:
    with store.session() as db:
        db.add(call)
        db.flush()
        db.refresh(call)
    return call


def record_offline(feature: str, model: str, latency_ms: float, learner_id: int | None = None,
                   store: Store | None = None) -> None:
    """The spend log shows offline work too (the rubric grader, the rubric judge), at $0 and
    as provider "offline". Bookkeeping never costs the learner a grade or a verdict, so a
    store that cannot be written is passed over."""
    try:
        record(store or default_store(), LLMCall(
            provider="offline", model=model, feature=feature, learner_id=learner_id,
            latency_ms=latency_ms, cost_usd=0.0, structured=True))
    except (StoreError, SQLAlchemyError, OSError, ValueError):
        log.warning("could not record an offline %s call", feature)


# --- the exact-match cache ---------------------------------------------------------------


def cache_key(payload: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of everything that shapes the answer (never the key)."""
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def cache_get(store: Store, key: str) -> str | None:
    """The cached answer, or None (also when the database cannot be read: the call
    then simply goes to the provider)."""
    try:
        with store.session() as db:
            entry = db.get(LLMCacheEntry, key)
            if entry is None:
                return None
            entry.hits += 1
            db.add(entry)
            return entry.response
    except (StoreError, SQLAlchemyError) as e:
        log.warning("response cache unavailable: %s", type(e).__name__)
        return None


def cache_put(store: Store, key: str, provider: str, model: str, response: str) -> None:
    """Remember an answer; a concurrent identical write or a locked database is harmless."""
    try:
        with store.session() as db:
            entry = db.get(LLMCacheEntry, key)
            if entry is None:
                db.add(LLMCacheEntry(key=key, provider=provider, model=model,
                                     response=response))
            else:
                entry.response = response
                db.add(entry)
    except (StoreError, SQLAlchemyError) as e:
        log.warning("could not cache an answer: %s", type(e).__name__)


def cache_clear(store: Store | None = None) -> int:
    """Empty the response cache; returns how many entries were dropped."""
    store = store or default_store()
    with store.session() as db:  # one DELETE: the cached answers are never loaded
        return db.execute(delete(LLMCacheEntry)).rowcount


def cache_stats(store: Store | None = None) -> dict[str, int]:
    store = store or default_store()
    with store.session() as db:
        entries = db.exec(select(func.count()).select_from(LLMCacheEntry)).one()
        hits = db.exec(select(func.count()).select_from(LLMCall)
                       .where(LLMCall.cache_hit == True)).one()  # noqa: E712
    return {"entries": int(entries), "hits": int(hits)}


# --- summaries ---------------------------------------------------------------------------


def call_log(store: Store | None = None, *, limit: int = 500,
             since: datetime | None = None) -> list[LLMCall]:
    """The most recent calls first."""
    store = store or default_store()
    with store.session() as db:
        q = select(LLMCall).order_by(LLMCall.id.desc()).limit(limit)  # type: ignore[union-attr]
        if since is not None:
            q = q.where(LLMCall.created_at >= since)
        return list(db.exec(q).all())


EXPORT_FIELDS = ("id", "created_at", "provider", "model", "feature", "learner_id",
                 "input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens",
                 "latency_ms", "cost_usd", "cache_hit", "streamed", "structured", "repaired",
                 "attempts", "ok", "error")


def export_calls_csv(store: Store | None = None) -> str:
    """The call log as CSV (an unknown cost is an empty cell, never 0)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_FIELDS)
    for c in reversed(call_log(store, limit=1_000_000)):
        writer.writerow(["" if getattr(c, f) is None else getattr(c, f) for f in EXPORT_FIELDS])
    return buf.getvalue()


def cost_unknown_count(store: Store | None = None) -> int:
    """Successful, uncached calls whose model genai-prices could not price."""
    store = store or default_store()
    with store.session() as db:
        return int(db.exec(select(func.count()).select_from(LLMCall).where(
            LLMCall.cost_usd == None, LLMCall.ok == True)).one())  # noqa: E711, E712


def spend_summary(store: Store | None = None) -> dict[str, Any]:
    """Totals and groupings for the Spend page: by feature, by learner, by day.

    Each group row: key, calls, cost_usd (known part), unknown (calls with no price),
    input_tokens, output_tokens, cache_hits.
    """
    calls = call_log(store, limit=1_000_000)

    def group(keyf) -> list[dict[str, Any]]:
        rows: dict[Any, dict[str, Any]] = {}
        for c in calls:
            k = keyf(c)
            r = rows.setdefault(k, {"key": k, "calls": 0, "cost_usd": 0.0, "unknown": 0,
                                    "input_tokens": 0, "output_tokens": 0, "cache_hits": 0,
                                    "errors": 0})
            r["calls"] += 1
            r["input_tokens"] += c.input_tokens
            r["output_tokens"] += c.output_tokens
            r["cache_hits"] += int(c.cache_hit)
            r["errors"] += int(not c.ok)
            if c.cost_usd is None:
                r["unknown"] += int(c.ok)
            else:
                r["cost_usd"] += c.cost_usd
        return sorted(rows.values(), key=lambda r: (-r["cost_usd"], str(r["key"])))

    by_day = sorted(group(lambda c: c.created_at.date().isoformat()), key=lambda r: r["key"])
    return {
        "calls": len(calls),
        "cost_usd": sum(c.cost_usd or 0.0 for c in calls),
        "unknown": sum(1 for c in calls if c.cost_usd is None and c.ok),
        "cache_hits": sum(1 for c in calls if c.cache_hit),
        "errors": sum(1 for c in calls if not c.ok),
        "by_feature": group(lambda c: c.feature),
        "by_learner": group(lambda c: c.learner_id),
        "by_day": by_day,
        "by_model": group(lambda c: f"{c.provider}:{c.model}" if c.model else c.provider),
    }
