"""The gateway: `complete()` sends one feature's request to the configured provider with
retries, validation, a repair turn, the response cache and accounting around it.

One attempt is one SDK request. A failed attempt is retried when it is a 429, a 5xx, a
timeout or a connection error: after the server's `Retry-After` when it sends one, else
after `backoff_base * 2**(n-1)` seconds plus up to 50 % jitter (capped at `backoff_max`).
All the waits of one call share a budget (`wait_budget`, AIE_BRIDGE_LLM_WAIT_BUDGET): a wait
that would overspend it ends the call at once with an error saying how long the server asked
for, instead of holding a learner for minutes. Each wait is announced to the `on_wait`
listener of the current context (a page can show it) and logged.
Structured output that fails validation gets one repair turn (the model sees its output
and the validation errors); a second failure raises `StructuredOutputError`.

Streaming retries only before the first piece of text arrives: once text is on the
learner's screen, a broken stream is reported, not silently restarted.

Left out: async, tool-calling loops, conversation memory, prompt templates.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from labs.llm import accounting
from labs.llm.config import LLMConfig, current_config
from labs.llm.errors import HOW_TO_CONFIGURE, LLMError, LLMUnavailable, StructuredOutputError
from labs.llm.providers import Failure, Messages, Provider, RawResult, Usage, get_provider
from labs.store import Store, StoreError
from labs.store.models import LLMCall

log = logging.getLogger("labs.llm")

DEFAULT_MAX_TOKENS = 1024
ROLES = ("system", "user", "assistant")
FEATURE_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
# anything that looks like an API key, in case a server echoes one back in an error
KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,}|sk_[A-Za-z0-9_\-]{6,})")

sleep: Callable[[float], None] = time.sleep  # the gateway's only clock dependency


@dataclass(frozen=True)
class Wait:
    """One pause before a retry; `str()` is the sentence a page or the log shows."""

    label: str  # "anthropic:claude-haiku-4-5"
    cause: str  # "HTTP 429 (rate limited)"
    seconds: float
    attempt: int  # the attempt that follows the wait (2 for the first retry)

    def __str__(self) -> str:
        return (f"{self.label}: {self.cause}; retrying in {self.seconds:.1f}s "
                f"(attempt {self.attempt})")


def wait_summary(waits: list[Wait]) -> str:
    """What the waits of a page's calls added up to, to leave on the page after them:
    "Waited 2.0 s for anthropic:claude-haiku-4-5 (HTTP 429 (rate limited); retried once)"."""
    total = sum(w.seconds for w in waits)
    labels = ", ".join(dict.fromkeys(w.label for w in waits))
    causes = ", ".join(dict.fromkeys(w.cause for w in waits))
    times = "once" if len(waits) == 1 else f"{len(waits)} times"
    return f"Waited {total:.1f} s for {labels} ({causes}; retried {times})"


_wait_listener: ContextVar[Callable[[Wait], None] | None] = ContextVar("llm_wait_listener",
                                                                       default=None)


@contextmanager
def on_wait(listener: Callable[[Wait], None]) -> Iterator[None]:
    """Within the block, `listener` gets a `Wait` each time a call pauses to retry."""
    token = _wait_listener.set(listener)
    try:
        yield
    finally:
        _wait_listener.reset(token)

OfflineFn = Callable[[Messages, "type[BaseModel] | None"], "str | BaseModel | dict"]
_offline: dict[str, OfflineFn] = {}


def register_offline(feature: str, fn: OfflineFn) -> OfflineFn:
    """Give `feature` a deterministic implementation used when no LLM is configured.

    `fn(messages, schema)` returns what `complete` would (text, or an instance of / a dict
    for `schema`). Its result is labelled `provider="offline"`, never passed off as an LLM's.
    Call it at import time of the feature's module:
    `register_offline("whiteboard.grade", grade_with_rubric)`.
    """
    _check_feature(feature)
    _offline[feature] = fn
    return fn


def offline_features() -> list[str]:
    return sorted(_offline)


@dataclass
class Completion:
    """A finished call: the output and how it was produced."""

    output: Any  # str, or a validated instance of the schema
    text: str  # the raw text (the JSON for structured output)
    provider: str
    model: str
    feature: str
    cached: bool = False
    offline: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float | None = 0.0
    latency_ms: float = 0.0
    attempts: int = 1
    repaired: bool = False
    call_id: int | None = None

    @property
    def label(self) -> str:
        """What produced this, for the page: "anthropic:claude-haiku-4-5 (cached)"."""
        if self.offline:
            return "offline (deterministic, no LLM)"
        return f"{self.provider}:{self.model}" + (" (cached)" if self.cached else "")


def redact(text: str, config: LLMConfig | None = None) -> str:
    """`text` with the configured key and anything key-shaped replaced by [redacted]."""
    if config is not None and config.api_key:
        text = text.replace(config.api_key, "[redacted]")
    return KEYLIKE.sub("[redacted]", text)


def _check_feature(feature: str) -> None:
    if not isinstance(feature, str) or not FEATURE_RE.match(feature):
        raise ValueError(f"feature must be a short dotted name like 'evals.judge', "
                         f"got {feature!r}")


def normalise_messages(messages: str | list[dict[str, str]]) -> Messages:
    """A string becomes one user turn; a list is checked role by role."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty string or a list of "
                         "{'role': ..., 'content': ...} dicts")
    out: Messages = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise ValueError(f"message {i} needs a role of {', '.join(ROLES)}")
        content = m.get("content")
        if not isinstance(content, str):
            raise ValueError(f"message {i} needs text content (a string)")
        out.append({"role": m["role"], "content": content})
    if not any(m["role"] != "system" and m["content"].strip() for m in out):
        raise ValueError("messages need at least one non-empty user turn")
    return out


def backoff(attempt: int, config: LLMConfig, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number `attempt` (1-based)."""
    if retry_after is not None:
        return retry_after
    base = config.backoff_base * 2 ** (attempt - 1)
    return min(config.backoff_max, base * (1 + random.uniform(0, 0.5)))


def _fail(config: LLMConfig, failure: Failure, attempts: int, detail: str = "") -> LLMError:
    hint = {401: " Check the API key.", 403: " Check the key's permissions.",
            404: " Check the model name and base URL."}.get(failure.status or 0, "")
    msg = (f"{config.label} failed after {attempts} attempt{'s' * (attempts != 1)}: "
           f"{failure.cause}.{hint}")
    if detail:
        msg += f" Server said: {detail}"
    return LLMError(redact(msg, config), cause=redact(failure.cause, config), attempts=attempts)


def _server_detail(exc: Exception, config: LLMConfig) -> str:
    message = getattr(exc, "message", "") or ""
    return redact(str(message), config)[:200]


def _next_wait(exc: Exception, provider: Provider, config: LLMConfig, attempt: int,
               waited: float = 0.0) -> float:
    """How long to wait before trying again, or raise the LLMError that ends the call.

    `waited` is what this call has already slept; a wait past `config.wait_budget` gives up."""
    failure = provider.classify(exc)
    if failure is None:
        raise exc
    if not failure.retryable:
        raise _fail(config, failure, attempt, _server_detail(exc, config)) from None
    if attempt > config.max_retries:
        raise _fail(config, failure, attempt) from None
    if failure.retry_after is not None and failure.retry_after > config.retry_after_max:
        failure.cause += f"; the server asks to wait {failure.retry_after:.0f}s"
        raise _fail(config, failure, attempt) from None
    wait = backoff(attempt, config, failure.retry_after)
    left = max(config.wait_budget - waited, 0.0)
    if wait > left:
        asked = (f"the server asks to wait {wait:.0f}s" if failure.retry_after is not None
                 else f"the next retry would wait {wait:.1f}s")
        failure.cause += (f"; {asked}, past this call's wait budget ({waited:.0f}s of "
                          f"{config.wait_budget:.0f}s used; AIE_BRIDGE_LLM_WAIT_BUDGET). "
                          f"Gave up: try again in about {wait:.0f}s")
        raise _fail(config, failure, attempt) from None
    note = Wait(config.label, failure.cause, wait, attempt + 1)
    log.info("llm %s", note)
    if (listener := _wait_listener.get()) is not None:
        listener(note)
    return wait


def _with_retries(provider: Provider, config: LLMConfig,
                  call: Callable[[], RawResult]) -> tuple[RawResult, int]:
    attempt, waited = 0, 0.0
    while True:
        attempt += 1
        try:
            return call(), attempt
        except (LLMUnavailable, LLMError):
            raise
        except Exception as e:  # noqa: BLE001 - classified below, unknown errors re-raised
            wait = _next_wait(e, provider, config, attempt, waited)
            waited += wait
            sleep(wait)


def _validate(schema: type[BaseModel], raw: RawResult) -> BaseModel:
    data = raw.data
    if data is None:
        data = json.loads(raw.text)  # raises ValueError (JSONDecodeError) on non-JSON
    return schema.model_validate(data)


def _repair_turn(raw: RawResult, error: Exception) -> Messages:
    said = raw.text.strip() or "(no structured output)"
    problems = (str(error) if not isinstance(error, ValidationError) else
                "; ".join(f"{'.'.join(map(str, e['loc'])) or 'output'}: {e['msg']}"
                          for e in error.errors()[:10]))
    return [{"role": "assistant", "content": said[:4000]},
            {"role": "user", "content": "That output does not match the required schema "
             f"({problems[:1000]}). Answer again with output that matches it exactly."}]


def _price(provider: Provider, config: LLMConfig, usage: Usage, model: str) -> float | None:
    for name in dict.fromkeys([model, config.model]):
        if not name:
            continue
        cost = accounting.price(usage, name, provider_id=provider.price_provider_id,
                                base_url=None if provider.price_provider_id else config.base_url)
        if cost is not None:
            return cost
    return None


def _record(store: Store, **fields: Any) -> int | None:
    try:
        return accounting.record(store, LLMCall(**fields)).id
    except (StoreError, SQLAlchemyError) as e:  # the answer matters more than its bookkeeping
        log.warning("could not record an LLM call: %s", type(e).__name__)
        return None


def _cache_hit(store: Store, row: dict[str, Any], output: Any, text: str,
               t0: float) -> Completion:
    """Record a call answered from the response cache and return it, costing nothing."""
    latency = (time.perf_counter() - t0) * 1000
    call_id = _record(store, **row, cache_hit=True, cost_usd=0.0, latency_ms=latency)
    return Completion(output=output, text=text, provider=row["provider"], model=row["model"],
                      feature=row["feature"], cached=True, latency_ms=latency, call_id=call_id)


def _run_offline(msgs: Messages, schema: type[BaseModel] | None, feature: str,
                 learner_id: int | None, store: Store) -> Completion:
    fn = _offline.get(feature)
    if fn is None:
        raise LLMUnavailable(f"'{feature}' needs an LLM and none is configured "
                             "(the app is offline). " + HOW_TO_CONFIGURE)
    t0 = time.perf_counter()
    out = fn(msgs, schema)
    if schema is not None and not isinstance(out, schema):
        out = schema.model_validate(out)
    text = out.model_dump_json() if isinstance(out, BaseModel) else str(out)
    latency = (time.perf_counter() - t0) * 1000
    name = getattr(fn, "__name__", "offline")[:128]
    call_id = _record(store, provider="offline", model=name, feature=feature,
                      learner_id=learner_id, latency_ms=latency, cost_usd=0.0,
                      structured=schema is not None)
    return Completion(output=out, text=text, provider="offline", model=name, feature=feature,
                      offline=True, cost_usd=0.0, latency_ms=latency, call_id=call_id)


def _prepare(messages, feature, config, store, max_tokens: int = DEFAULT_MAX_TOKENS):
    _check_feature(feature)
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise ValueError(f"max_tokens must be a positive whole number, got {max_tokens!r}")
    msgs = normalise_messages(messages)
    cfg = config or current_config()
    return msgs, cfg, store or accounting.default_store()


def _cache_key(cfg: LLMConfig, msgs: Messages, schema: type[BaseModel] | None,
               temperature: float | None, max_tokens: int) -> str:
    return accounting.cache_key({
        "provider": cfg.provider, "model": cfg.model, "base_url": cfg.base_url,
        "messages": msgs, "schema": schema.model_json_schema() if schema else None,
        "temperature": temperature, "max_tokens": max_tokens})


def complete_with_meta(messages: str | list[dict[str, str]], *, feature: str,
                       schema: type[BaseModel] | None = None, learner_id: int | None = None,
                       temperature: float | None = None, max_tokens: int = DEFAULT_MAX_TOKENS,
                       config: LLMConfig | None = None, cache: bool | None = None,
                       store: Store | None = None) -> Completion:
    """Like `complete`, returning the output with its provider, tokens, cost and latency."""
    msgs, cfg, store = _prepare(messages, feature, config, store, max_tokens)
    if cfg.provider == "offline":
        return _run_offline(msgs, schema, feature, learner_id, store)
    provider = get_provider(cfg)
    use_cache = cfg.cache if cache is None else cache
    key = _cache_key(cfg, msgs, schema, temperature, max_tokens)
    row: dict[str, Any] = {"provider": cfg.provider, "model": cfg.model, "feature": feature,
                           "learner_id": learner_id, "structured": schema is not None}
    t0 = time.perf_counter()

    if use_cache and (hit := accounting.cache_get(store, key)) is not None:
        try:
            output = _validate(schema, RawResult(text=hit)) if schema else hit
        except (ValueError, ValidationError):
            output = None  # the schema changed since: ask again
        if output is not None:
            return _cache_hit(store, row, output, hit, t0)

    def attempt(turns: Messages) -> Callable[[], RawResult]:
        return lambda: provider.generate(turns, schema=schema, temperature=temperature,
                                         max_tokens=max_tokens)

    usage, attempts, repaired, raw = Usage(), 0, False, None
    try:
        raw, n = _with_retries(provider, cfg, attempt(msgs))
        usage, attempts = raw.usage, n
        output: Any = raw.text
        if schema is not None:
            try:
                output = _validate(schema, raw)
            except (ValueError, ValidationError) as first_error:
                log.info("llm %s: structured output invalid, one repair turn", cfg.label)
                repaired = True
                fixed, n = _with_retries(provider, cfg,
                                         attempt(msgs + _repair_turn(raw, first_error)))
                usage, attempts, raw = usage + fixed.usage, attempts + n, fixed
                try:
                    output = _validate(schema, fixed)
                except (ValueError, ValidationError) as e:
                    raise StructuredOutputError(
                        f"{cfg.label} returned output that does not match {schema.__name__} "
                        f"twice (after one repair turn): {redact(str(e), cfg)[:300]}",
                        cause="invalid structured output", attempts=attempts) from None
    except LLMError as e:
        latency = (time.perf_counter() - t0) * 1000
        _record(store, **row, **asdict(usage),
                cost_usd=_price(provider, cfg, usage, cfg.model) if usage.input_tokens else 0.0,
                latency_ms=latency, attempts=max(attempts, e.attempts), repaired=repaired,
                ok=False, error=e.cause[:300])
        raise
    latency = (time.perf_counter() - t0) * 1000
    cost = _price(provider, cfg, usage, raw.model)
    text = output.model_dump_json() if isinstance(output, BaseModel) else raw.text
    if use_cache:
        accounting.cache_put(store, key, cfg.provider, cfg.model, text)
    call_id = _record(store, **row, **asdict(usage), latency_ms=latency,
                      cost_usd=cost, attempts=attempts, repaired=repaired)
    log.info("llm %s feature=%s tokens=%d/%d latency=%.0fms cost=%s", cfg.label, feature,
             usage.input_tokens, usage.output_tokens, latency,
             "unknown" if cost is None else f"${cost:.6f}")
    return Completion(output=output, text=text, provider=cfg.provider, model=cfg.model,
                      feature=feature, input_tokens=usage.input_tokens,
                      output_tokens=usage.output_tokens, cached_tokens=usage.cached_tokens,
                      cost_usd=cost, latency_ms=latency, attempts=attempts, repaired=repaired,
                      call_id=call_id)


class TextStream:
    """An iterator of text pieces; `.completion` is filled in once it is exhausted."""

    def __init__(self, pieces: Iterator[str]):
        self._pieces = pieces
        self.completion: Completion | None = None

    def __iter__(self) -> TextStream:
        return self

    def __next__(self) -> str:
        return next(self._pieces)

    def close(self) -> None:
        """Stop reading: the connection is closed and the call recorded as abandoned."""
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()


def stream_text(messages: str | list[dict[str, str]], *, feature: str,
                learner_id: int | None = None, temperature: float | None = None,
                max_tokens: int = DEFAULT_MAX_TOKENS, config: LLMConfig | None = None,
                cache: bool | None = None, store: Store | None = None) -> TextStream:
    """Text as it arrives (`st.write_stream` takes it as is)."""
    msgs, cfg, store = _prepare(messages, feature, config, store, max_tokens)
    if cfg.provider == "offline":
        done = _run_offline(msgs, None, feature, learner_id, store)  # raises if unregistered
        out = TextStream(iter([done.text]))
        out.completion = done
        return out
    provider = get_provider(cfg)
    use_cache = cfg.cache if cache is None else cache
    key = _cache_key(cfg, msgs, None, temperature, max_tokens)
    result = TextStream(iter(()))
    result._pieces = _stream_pieces(result, provider, cfg, msgs, feature, learner_id,
                                    temperature, max_tokens, use_cache, key, store)
    return result


def _stream_pieces(result: TextStream, provider: Provider, cfg: LLMConfig, msgs: Messages,
                   feature: str, learner_id: int | None, temperature: float | None,
                   max_tokens: int, use_cache: bool, key: str, store: Store) -> Iterator[str]:
    row: dict[str, Any] = {"provider": cfg.provider, "model": cfg.model, "feature": feature,
                           "learner_id": learner_id, "streamed": True}
    t0 = time.perf_counter()
    if use_cache and (hit := accounting.cache_get(store, key)) is not None:
        result.completion = _cache_hit(store, row, hit, hit, t0)
        yield hit
        return
    attempt, waited, pieces, usage = 0, 0.0, [], Usage()
    try:
        while True:  # retry until the first piece arrives
            attempt += 1
            it = provider.stream(msgs, temperature=temperature, max_tokens=max_tokens)
            try:
                first = next(it)
                break
            except StopIteration:
                first, it = "", iter(())
                break
            except (LLMUnavailable, LLMError):
                raise
            except Exception as e:  # noqa: BLE001
                wait = _next_wait(e, provider, cfg, attempt, waited)
                waited += wait
                sleep(wait)
        for piece in _chain(first, it):
            if isinstance(piece, Usage):
                usage = piece
                continue
            pieces.append(piece)
            yield piece
    except LLMError as e:
        _record(store, **row, latency_ms=(time.perf_counter() - t0) * 1000, cost_usd=0.0,
                attempts=attempt, ok=False, error=e.cause[:300])
        raise
    except GeneratorExit:  # the reader stopped early (a rerun): the call still happened
        _record(store, **row, latency_ms=(time.perf_counter() - t0) * 1000, cost_usd=None,
                attempts=attempt, ok=False,
                error=f"stream abandoned by the reader after {len(pieces)} pieces")
        raise
    except Exception as e:  # noqa: BLE001 - a stream that breaks after text arrived
        failure = provider.classify(e)
        if failure is None:
            raise
        _record(store, **row, latency_ms=(time.perf_counter() - t0) * 1000,
                attempts=attempt, ok=False, error=f"stream broke: {failure.cause}"[:300])
        raise LLMError(redact(f"{cfg.label} stream broke after {len(pieces)} pieces: "
                              f"{failure.cause}.", cfg), cause=failure.cause,
                       attempts=attempt) from None
    text = "".join(pieces)
    latency = (time.perf_counter() - t0) * 1000
    cost = _price(provider, cfg, usage, cfg.model)
    if use_cache and text:
        accounting.cache_put(store, key, cfg.provider, cfg.model, text)
    call_id = _record(store, **row, **asdict(usage), latency_ms=latency,
                      cost_usd=cost, attempts=attempt)
    result.completion = Completion(output=text, text=text, provider=cfg.provider,
                                   model=cfg.model, feature=feature,
                                   input_tokens=usage.input_tokens,
                                   output_tokens=usage.output_tokens,
                                   cached_tokens=usage.cached_tokens, cost_usd=cost,
                                   latency_ms=latency, attempts=attempt, call_id=call_id)


def _chain(first: str | Usage, rest: Iterator[str | Usage]) -> Iterator[str | Usage]:
    if first != "":
        yield first
    yield from rest


def complete(messages: str | list[dict[str, str]], *, feature: str,
             schema: type[BaseModel] | None = None, learner_id: int | None = None,
             stream: bool = False, temperature: float | None = None,
             max_tokens: int = DEFAULT_MAX_TOKENS, config: LLMConfig | None = None,
             cache: bool | None = None, store: Store | None = None) -> Any:
    """Ask the configured LLM. Returns text, a validated `schema` instance, or (with
    `stream=True`, text only) a `TextStream` of pieces.

    Raises LLMUnavailable (offline and no offline implementation, or no key), LLMError
    (failed after the retries), StructuredOutputError (invalid output after one repair),
    ValueError (malformed messages or feature name).
    """
    if stream:
        if schema is not None:
            raise ValueError("stream=True returns text; structured output is not streamed")
        return stream_text(messages, feature=feature, learner_id=learner_id,
                           temperature=temperature, max_tokens=max_tokens, config=config,
                           cache=cache, store=store)
    return complete_with_meta(messages, feature=feature, schema=schema, learner_id=learner_id,
                              temperature=temperature, max_tokens=max_tokens, config=config,
                              cache=cache, store=store).output


@dataclass
class ConnectionCheck:
    ok: bool
    message: str  # key-free
    latency_ms: float = 0.0


def check_connection(config: LLMConfig | None = None, *,
                     store: Store | None = None) -> ConnectionCheck:
    """Send a tiny uncached prompt and say whether the provider answers."""
    cfg = config or current_config()
    if cfg.provider == "offline":
        return ConnectionCheck(False, "offline: no LLM is configured. " + HOW_TO_CONFIGURE)
    try:
        done = complete_with_meta("Reply with the single word: ok", feature="llm.check",
                                  max_tokens=16, config=cfg.replace(max_retries=min(
                                      cfg.max_retries, 1)), cache=False, store=store)
    except (LLMUnavailable, LLMError) as e:
        return ConnectionCheck(False, redact(str(e), cfg))
    reply = redact(done.text.strip(), cfg)[:60]
    return ConnectionCheck(True, f"{cfg.label} answered in {done.latency_ms:.0f} ms: {reply!r}",
                           done.latency_ms)
