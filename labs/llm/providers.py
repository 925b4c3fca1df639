"""The provider registry: one small class per provider, each turning our call shape into
its SDK's request and its response back into text or a JSON object plus token usage.

- `AnthropicProvider`: the `anthropic` SDK, Messages API; structured output by forcing a
  single tool whose `input_schema` is the pydantic schema.
- `OpenAIProvider`: the `openai` SDK, Chat Completions; structured output with
  `response_format={"type": "json_schema", ...}` (the SDK's strict schema helper).
- `OpenAICompatibleProvider`: the same SDK pointed at a base URL (Ollama, vLLM, LM Studio);
  when the server refuses `json_schema` it falls back to JSON mode with the schema in the
  prompt, and the gateway validates the result.
- `OfflineProvider`: no network at all; it never produces text (the gateway runs a
  feature's registered deterministic implementation instead).

Providers do one attempt each. Retries, the cache, validation and accounting live in
`labs.llm.gateway`, so one policy applies to every provider. The SDKs' own retries are
switched off (`max_retries=0`) for that reason.
"""

from __future__ import annotations

import email.utils
import functools
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from labs.llm.errors import HOW_TO_CONFIGURE, LLMUnavailable

if TYPE_CHECKING:  # config.py reads the provider classes' facts, so no import back at run time
    from labs.llm.config import LLMConfig

Messages = list[dict[str, str]]


@dataclass
class Usage:
    """Tokens of one call. `input_tokens` includes cached ones (genai-prices' convention)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.input_tokens + other.input_tokens,
                     self.output_tokens + other.output_tokens,
                     self.cached_tokens + other.cached_tokens,
                     self.cache_write_tokens + other.cache_write_tokens)


@dataclass
class RawResult:
    """What one successful request returned: text, or `data` for structured output (None
    when the model's output could not be read as JSON; `text` then holds what it said)."""

    text: str
    data: Any = None
    usage: Usage = field(default_factory=Usage)
    model: str = ""


@dataclass
class Failure:
    """How the gateway should treat an exception from one attempt."""

    retryable: bool
    cause: str  # short and key-free: "HTTP 429 (rate limited)", "timed out after 2s"
    retry_after: float | None = None
    status: int | None = None


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    if headers is None:
        return None
    if ms := headers.get("retry-after-ms"):
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - time.time())


STATUS_WORDS = {400: "bad request", 401: "the key was rejected", 403: "permission denied",
                404: "model or endpoint not found", 408: "request timeout", 409: "conflict",
                413: "request too large", 422: "unprocessable request", 429: "rate limited",
                500: "server error", 502: "bad gateway", 503: "service unavailable",
                504: "gateway timeout", 529: "overloaded"}


class Provider:
    """One provider. Subclasses set the class attributes and implement `generate`/`stream`."""

    name: ClassVar[str]
    default_model: ClassVar[str] = ""
    default_base_url: ClassVar[str | None] = None
    needs_key: ClassVar[bool] = True
    key_env_var: ClassVar[str | None] = None
    price_provider_id: ClassVar[str | None] = None  # genai-prices provider id

    def __init__(self, config: LLMConfig):
        self.config = config
        if self.needs_key and not config.api_key:
            raise LLMUnavailable(f"{config.label} needs an API key ({self.key_env_var}). "
                                 + HOW_TO_CONFIGURE)

    def generate(self, messages: Messages, *, schema: type[BaseModel] | None,
                 temperature: float | None, max_tokens: int) -> RawResult:
        """One request. With `schema`, ask for structured output by the SDK's own means."""
        raise NotImplementedError

    def stream(self, messages: Messages, *, temperature: float | None,
               max_tokens: int) -> Iterator[str | Usage]:
        """Text pieces as they arrive, then one final `Usage`."""
        raise NotImplementedError

    def classify(self, exc: Exception) -> Failure | None:
        """A Failure for SDK errors; None for anything else (a bug, re-raised as is)."""
        return None


class StreamEndedEarly(Exception):
    """The server closed a stream before its final event (message_stop / finish_reason)."""


class MalformedReply(Exception):
    """The server answered 200 with something that is not this API's response shape."""


_SHAPE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError)


def guard_reply(fn: Callable[..., RawResult]) -> Callable[..., RawResult]:
    """Turn a reply the SDK cannot read (not JSON, missing fields) into MalformedReply."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> RawResult:
        try:
            return fn(*args, **kwargs)
        except _SHAPE_ERRORS as e:
            raise MalformedReply(type(e).__name__) from e
    return wrapper


def guard_stream(fn: Callable[..., Iterator[str | Usage]]) -> Callable[..., Iterator[str | Usage]]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[str | Usage]:
        try:
            yield from fn(*args, **kwargs)
        except _SHAPE_ERRORS as e:
            raise MalformedReply(type(e).__name__) from e
    return wrapper


def _classify_stainless(exc: Exception, sdk: Any, timeout: float) -> Failure | None:
    """Both SDKs share one error hierarchy: status errors, timeouts, connection errors.
    While a stream is read the HTTP library's own errors surface unwrapped."""
    if isinstance(exc, StreamEndedEarly):
        return Failure(True, "the stream ended before the answer was complete")
    if isinstance(exc, MalformedReply):
        return Failure(False, f"the server's reply is not a valid response of this API ({exc})")
    root = type(exc).__module__.split(".")[0]
    http = sys.modules.get(root) if root in ("httpx", "httpx2") else None
    if http is not None and isinstance(exc, http.TransportError):
        return Failure(True, "the connection was lost")
    if isinstance(exc, sdk.APITimeoutError):
        return Failure(True, f"timed out after {timeout:g}s")
    if isinstance(exc, sdk.APIConnectionError):
        return Failure(True, "could not connect to the server")
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        retryable = status in (408, 409, 429) or status >= 500
        words = STATUS_WORDS.get(status, "error")
        return Failure(retryable, f"HTTP {status} ({words})",
                       parse_retry_after(exc.response.headers), status)
    if isinstance(exc, sdk.APIError):
        return Failure(False, type(exc).__name__)
    return None


def tool_name(schema: type[BaseModel]) -> str:
    """A tool / schema name both APIs accept: ^[a-zA-Z0-9_-]{1,64}$."""
    cleaned = "".join(c if c.isalnum() or c in "_-" else "_" for c in schema.__name__)
    return cleaned[:64] or "answer"


def _split_system(messages: Messages) -> tuple[str, Messages]:
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    return system, [m for m in messages if m["role"] != "system"]


class AnthropicProvider(Provider):
    name = "anthropic"
    default_model = "claude-haiku-4-5"
    key_env_var = "ANTHROPIC_API_KEY"
    price_provider_id = "anthropic"

    def __init__(self, config: LLMConfig):
        super().__init__(config)
        import anthropic

        self._sdk = anthropic
        self.client = anthropic.Anthropic(api_key=config.api_key, base_url=config.base_url,
                                          timeout=config.timeout, max_retries=0)

    def _request(self, messages: Messages, temperature: float | None,
                 max_tokens: int) -> dict[str, Any]:
        system, turns = _split_system(messages)
        req: dict[str, Any] = {"model": self.config.model, "max_tokens": max_tokens,
                               "messages": turns}
        if system:
            req["system"] = system
        # the current Messages API has no temperature: sampling is the model's own
        return req

    @staticmethod
    def _usage(u: Any) -> Usage:
        read = getattr(u, "cache_read_input_tokens", None) or 0
        write = getattr(u, "cache_creation_input_tokens", None) or 0
        return Usage(input_tokens=(u.input_tokens or 0) + read + write,
                     output_tokens=u.output_tokens or 0, cached_tokens=read,
                     cache_write_tokens=write)

    @guard_reply
    def generate(self, messages, *, schema, temperature, max_tokens):
        req = self._request(messages, temperature, max_tokens)
        if schema is not None:
            name = tool_name(schema)
            req["tools"] = [{"name": name, "input_schema": schema.model_json_schema(),
                             "description": "Record the answer in this exact structure."}]
            req["tool_choice"] = {"type": "tool", "name": name}
        msg = self.client.messages.create(**req)
        text = "".join(b.text for b in msg.content if b.type == "text")
        data = None
        if schema is not None:
            tool = next((b for b in msg.content if b.type == "tool_use"), None)
            data = tool.input if tool is not None else None
            if tool is not None:
                text = json.dumps(tool.input)
        return RawResult(text=text, data=data, usage=self._usage(msg.usage), model=msg.model)

    @guard_stream
    def stream(self, messages, *, temperature, max_tokens):
        req = self._request(messages, temperature, max_tokens)
        with self.client.messages.stream(**req) as s:
            yield from s.text_stream
            final = s.get_final_message()
        if final.stop_reason is None:  # no message_delta / message_stop arrived
            raise StreamEndedEarly()
        yield self._usage(final.usage)

    def classify(self, exc):
        return _classify_stainless(exc, self._sdk, self.config.timeout)


class OpenAIProvider(Provider):
    name = "openai"
    default_model = "gpt-4.1-mini"
    key_env_var = "OPENAI_API_KEY"
    price_provider_id = "openai"
    # (base_url, model) pairs whose server rejected json_schema: use JSON mode from then on
    _json_mode_only: ClassVar[set[tuple[str, str]]] = set()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, config: LLMConfig):
        super().__init__(config)
        import openai

        self._sdk = openai
        self.client = openai.OpenAI(api_key=config.api_key or "not-needed",
                                    base_url=config.base_url, timeout=config.timeout,
                                    max_retries=0)

    def _request(self, messages, temperature, max_tokens) -> dict[str, Any]:
        req: dict[str, Any] = {"model": self.config.model, "messages": messages,
                               self.max_tokens_param: max_tokens}
        if temperature is not None:
            req["temperature"] = temperature
        return req

    @staticmethod
    def _usage(u: Any) -> Usage:
        if u is None:
            return Usage()
        details = getattr(u, "prompt_tokens_details", None)
        cached = (getattr(details, "cached_tokens", None) or 0) if details else 0
        return Usage(input_tokens=u.prompt_tokens or 0, output_tokens=u.completion_tokens or 0,
                     cached_tokens=cached)

    @staticmethod
    def _json_schema_format(schema: type[BaseModel]) -> dict[str, Any]:
        try:  # the SDK's own helper makes the schema strict-mode compatible
            from openai.lib._pydantic import to_strict_json_schema

            return {"type": "json_schema", "json_schema": {
                "name": tool_name(schema), "schema": to_strict_json_schema(schema),
                "strict": True}}
        except Exception:  # an SDK without the helper, or a schema strict mode cannot take
            return {"type": "json_schema", "json_schema": {
                "name": tool_name(schema), "schema": schema.model_json_schema(),
                "strict": False}}

    @guard_reply
    def generate(self, messages, *, schema, temperature, max_tokens):
        req = self._request(messages, temperature, max_tokens)
        key = (str(self.client.base_url), self.config.model)
        if schema is not None:
            if key in self._json_mode_only:
                req.update(self._json_mode(messages, schema))
            else:
                req["response_format"] = self._json_schema_format(schema)
        try:
            resp = self.client.chat.completions.create(**req)
        except self._sdk.BadRequestError:
            if schema is None or not self.falls_back_to_json_mode or key in self._json_mode_only:
                raise
            # the server does not speak json_schema: JSON mode plus validation instead
            with self._lock:
                self._json_mode_only.add(key)
            req.pop("response_format", None)
            req.update(self._json_mode(messages, schema))
            resp = self.client.chat.completions.create(**req)
        if not resp.choices:
            raise MalformedReply("no choices")
        text = resp.choices[0].message.content or ""
        data = None
        if schema is not None:
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                data = None
        return RawResult(text=text, data=data, usage=self._usage(resp.usage), model=resp.model)

    falls_back_to_json_mode: ClassVar[bool] = False
    max_tokens_param: ClassVar[str] = "max_completion_tokens"  # max_tokens is deprecated

    @staticmethod
    def _json_mode(messages: Messages, schema: type[BaseModel]) -> dict[str, Any]:
        instruction = ("Reply with one JSON object, nothing else, that matches this JSON "
                       "schema:\n" + json.dumps(schema.model_json_schema()))
        return {"messages": [{"role": "system", "content": instruction}, *messages],
                "response_format": {"type": "json_object"}}

    @guard_stream
    def stream(self, messages, *, temperature, max_tokens):
        req = self._request(messages, temperature, max_tokens)
        usage, finished = Usage(), False
        for chunk in self.client.chat.completions.create(
                **req, stream=True, stream_options={"include_usage": True}):
            if chunk.usage is not None:
                usage = self._usage(chunk.usage)
            for choice in chunk.choices:
                if choice.delta and choice.delta.content:
                    yield choice.delta.content
                finished = finished or choice.finish_reason is not None
        if not finished:
            raise StreamEndedEarly()
        yield usage

    def classify(self, exc):
        return _classify_stainless(exc, self._sdk, self.config.timeout)


class OpenAICompatibleProvider(OpenAIProvider):
    """Ollama, vLLM, LM Studio and friends: most need no key, and not all do json_schema."""

    name = "openai-compatible"
    default_model = "llama3.2"
    default_base_url = "http://localhost:11434/v1"  # Ollama's
    needs_key = False
    price_provider_id = None  # priced by base URL when genai-prices knows it, else unknown
    falls_back_to_json_mode = True
    max_tokens_param = "max_tokens"  # what Ollama, vLLM and LM Studio all understand


class OfflineProvider(Provider):
    """Never calls anything and never makes text up: see `register_offline`."""

    name = "offline"
    needs_key = False

    def generate(self, messages, *, schema, temperature, max_tokens):
        raise LLMUnavailable("No LLM is configured. " + HOW_TO_CONFIGURE)

    def stream(self, messages, *, temperature, max_tokens):
        raise LLMUnavailable("No LLM is configured. " + HOW_TO_CONFIGURE)


# The one registry of providers: each class holds its own facts (default model, key variable,
# base URL), and labs.llm.config reads them from here.
PROVIDERS: dict[str, type[Provider]] = {
    cls.name: cls
    for cls in (OfflineProvider, AnthropicProvider, OpenAIProvider, OpenAICompatibleProvider)
}

_clients: dict[tuple, Provider] = {}
_clients_lock = threading.Lock()


def get_provider(config: LLMConfig) -> Provider:
    """The provider for `config`, one client per distinct config (keys stay in memory)."""
    key = (config.provider, config.model, config.base_url, config.api_key, config.timeout)
    with _clients_lock:
        found = _clients.get(key)
        if found is None:
            found = PROVIDERS[config.provider](config)
            if len(_clients) > 32:
                _clients.clear()
            _clients[key] = found
    return found
