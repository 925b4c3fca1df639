"""A local LLM server for tests: the Anthropic Messages API (`POST /v1/messages`) and the
OpenAI Chat Completions API (`POST /v1/chat/completions`) on 127.0.0.1, wire-exact enough
for the real `anthropic` and `openai` SDKs pointed at it through their base URL.

Scripted per test: push canned replies onto a queue (plain text, structured output, SSE
streams, 429 with Retry-After, 500, slow replies, malformed output); each request pops one
and is recorded (path, headers, JSON body, arrival time). With the queue empty, `responder`
answers: by default it echoes "ok"; a test can set it to any function of the request, e.g.
a judge that always prefers the first answer:

    def judge(req):                     # return a str (text) or a dict (structured output)
        return {"winner": 1, "reason": "first is better"}
    llm_server.responder = judge

Every reply renders itself in the dialect of the endpoint it answers (the same
`push_text` works for both SDKs). Left out: authentication checks, images, tool loops.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANTHROPIC_PATH = "/v1/messages"
OPENAI_PATH = "/v1/chat/completions"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float  # time.monotonic() on arrival

    @property
    def api(self) -> str:
        return "anthropic" if self.path.startswith(ANTHROPIC_PATH) else "openai"

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    def last_user_text(self) -> str:
        for m in reversed(self.body.get("messages", [])):
            if m.get("role") == "user":
                c = m.get("content")
                return c if isinstance(c, str) else json.dumps(c)
        return ""


@dataclass
class Reply:
    """One canned reply. `kind`: text | structured | stream | error | raw."""

    kind: str
    text: str = ""
    data: Any = None
    pieces: list[str] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""
    delay: float = 0.0  # seconds before the reply starts
    piece_delay: float = 0.0  # seconds between stream events
    input_tokens: int = 12
    output_tokens: int = 7
    cached_tokens: int = 0
    model: str | None = None  # the model the reply claims; default: the one requested
    break_after: int | None = None  # streams: drop the connection after this many pieces


# -- rendering, per API ------------------------------------------------------------------


def _anthropic_usage(r: Reply) -> dict[str, int]:
    # Anthropic's input_tokens excludes cache reads, which are reported separately
    return {"input_tokens": r.input_tokens - r.cached_tokens, "output_tokens": r.output_tokens,
            "cache_read_input_tokens": r.cached_tokens, "cache_creation_input_tokens": 0}


def _openai_usage(r: Reply) -> dict[str, Any]:
    return {"prompt_tokens": r.input_tokens, "completion_tokens": r.output_tokens,
            "total_tokens": r.input_tokens + r.output_tokens,
            "prompt_tokens_details": {"cached_tokens": r.cached_tokens}}


def anthropic_message(req: Request, r: Reply) -> dict[str, Any]:
    model = r.model or req.body.get("model", "unknown")
    if r.kind == "structured":
        choice = req.body.get("tool_choice") or {}
        name = choice.get("name") or (req.body.get("tools") or [{}])[0].get("name", "answer")
        content = [{"type": "tool_use", "id": "toolu_test01", "name": name, "input": r.data}]
        stop = "tool_use"
    else:
        content = [{"type": "text", "text": r.text}]
        stop = "end_turn"
    return {"id": "msg_test01", "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": stop, "stop_sequence": None,
            "usage": _anthropic_usage(r)}


def openai_completion(req: Request, r: Reply) -> dict[str, Any]:
    model = r.model or req.body.get("model", "unknown")
    text = json.dumps(r.data) if r.kind == "structured" else r.text
    return {"id": "chatcmpl-test01", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": text, "refusal": None}}],
            "usage": _openai_usage(r)}


def anthropic_events(req: Request, r: Reply) -> list[tuple[str, dict[str, Any]]]:
    """The Messages streaming events, in order, as the API sends them."""
    model = r.model or req.body.get("model", "unknown")
    usage = _anthropic_usage(r)
    start = {"id": "msg_test01", "type": "message", "role": "assistant", "model": model,
             "content": [], "stop_reason": None, "stop_sequence": None,
             "usage": {**usage, "output_tokens": 1}}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
    ]
    for piece in r.pieces:
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": piece}}))
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta",
                           "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                           "usage": {"output_tokens": r.output_tokens}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


def openai_chunks(req: Request, r: Reply) -> list[dict[str, Any]]:
    """Chat completion chunks; the last carries usage (stream_options.include_usage)."""
    model = r.model or req.body.get("model", "unknown")
    base = {"id": "chatcmpl-test01", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": model}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                    "finish_reason": None}]}]
    for piece in r.pieces:
        chunks.append({**base, "choices": [{"index": 0, "delta": {"content": piece},
                                            "finish_reason": None}]})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if (req.body.get("stream_options") or {}).get("include_usage"):
        chunks.append({**base, "choices": [], "usage": _openai_usage(r)})
    return chunks


def error_body(api: str, status: int, message: str) -> dict[str, Any]:
    kind = {400: "invalid_request_error", 401: "authentication_error",
            429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}.get(status,
                                                                                    "api_error")
    if api == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


# -- the server --------------------------------------------------------------------------


class LLMServer:
    """Start with `with LLMServer() as s:`; `s.anthropic_url` / `s.openai_url` are base URLs."""

    def __init__(self) -> None:
        self.queue: deque[Reply] = deque()
        self.requests: list[Request] = []
        self.responder: Callable[[Request], str | dict] = lambda req: "ok"
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def anthropic_url(self) -> str:
        return self.url  # the SDK appends /v1/messages

    @property
    def openai_url(self) -> str:
        return self.url + "/v1"  # the SDK appends /chat/completions

    def __enter__(self) -> LLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # scripting ---------------------------------------------------------------------------

    def push(self, reply: Reply) -> LLMServer:
        with self._lock:
            self.queue.append(reply)
        return self

    def push_text(self, text: str, **kw: Any) -> LLMServer:
        return self.push(Reply("text", text=text, **kw))

    def push_structured(self, data: Any, **kw: Any) -> LLMServer:
        """Structured output: a tool_use block (Anthropic) or JSON content (OpenAI). Pass
        data that does not match the schema to script malformed output."""
        return self.push(Reply("structured", data=data, **kw))

    def push_stream(self, pieces: list[str], **kw: Any) -> LLMServer:
        return self.push(Reply("stream", pieces=list(pieces), **kw))

    def push_error(self, status: int, *, retry_after: str | None = None,
                   message: str = "scripted failure", **kw: Any) -> LLMServer:
        headers = {"retry-after": retry_after} if retry_after is not None else {}
        return self.push(Reply("error", status=status, headers=headers, text=message, **kw))

    def push_raw(self, body: bytes, status: int = 200,
                 content_type: str = "application/json") -> LLMServer:
        """Bytes as they are: broken JSON, HTML from a proxy, anything."""
        return self.push(Reply("raw", raw_body=body, status=status,
                               headers={"content-type": content_type}))

    def push_slow(self, delay: float, text: str = "late") -> LLMServer:
        """A reply that starts only after `delay` seconds (longer than a test's timeout)."""
        return self.push(Reply("text", text=text, delay=delay))

    def config(self, provider: str = "anthropic", **changes: Any):
        """An LLMConfig that points the real SDK at this server, with tiny retry waits."""
        from labs.llm import LLMConfig

        defaults: dict[str, Any] = {
            "model": {"anthropic": "claude-haiku-4-5", "openai": "gpt-4o-mini"}.get(
                provider, "llama3.2"),
            "api_key": {"anthropic": "sk-ant-test-not-a-real-key",
                        "openai": "sk-test-not-a-real-key"}.get(provider),
            "base_url": self.anthropic_url if provider == "anthropic" else self.openai_url,
            "timeout": 5.0, "max_retries": 3, "backoff_base": 0.001, "backoff_max": 0.01,
        }
        return LLMConfig(provider=provider, source="session", **{**defaults, **changes})

    # handling ----------------------------------------------------------------------------

    def _next(self, req: Request) -> Reply:
        with self._lock:
            if self.queue:
                return self.queue.popleft()
        answer = self.responder(req)
        if isinstance(answer, Reply):
            return answer
        if isinstance(answer, str):
            return Reply("stream" if req.stream else "text", text=answer, pieces=[answer])
        return Reply("structured", data=answer)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms stall

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # keep test output quiet

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                req = Request("POST", self.path, {k.lower(): v for k, v in self.headers.items()},
                              body, time.monotonic())
                with server._lock:
                    server.requests.append(req)
                if req.path not in (ANTHROPIC_PATH, OPENAI_PATH):
                    self._json(404, error_body(req.api, 404, f"no route {req.path}"))
                    return
                reply = server._next(req)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self._send(req, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to do

            def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None,
                      raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                self.send_response(status)
                hdrs = {"content-type": "application/json", **(headers or {})}
                for k, v in hdrs.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _send(self, req: Request, reply: Reply) -> None:
                if reply.kind == "error":
                    self._json(reply.status, error_body(req.api, reply.status, reply.text),
                               reply.headers)
                elif reply.kind == "raw":
                    self._json(reply.status, None, reply.headers, raw=reply.raw_body)
                elif reply.kind == "stream" or (req.stream and reply.kind == "text"):
                    if not reply.pieces:
                        reply.pieces = [reply.text]
                    self._sse(req, reply)
                elif req.api == "anthropic":
                    self._json(200, anthropic_message(req, reply))
                else:
                    self._json(200, openai_completion(req, reply))

            def _sse(self, req: Request, reply: Reply) -> None:
                """Server-sent events in HTTP/1.1 chunked encoding, as the real APIs send
                them; a broken stream stops without the final empty chunk."""
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                if req.api == "anthropic":
                    frames = [f"event: {name}\ndata: {json.dumps(data)}\n\n"
                              for name, data in anthropic_events(req, reply)]
                    first_piece = 3  # message_start, content_block_start, ping
                else:
                    frames = [f"data: {json.dumps(c)}\n\n" for c in openai_chunks(req, reply)]
                    frames.append("data: [DONE]\n\n")
                    first_piece = 1
                for i, frame in enumerate(frames):
                    if reply.break_after is not None and i == first_piece + reply.break_after:
                        self.close_connection = True
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)  # no terminating chunk
                        return
                    data = frame.encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                    if reply.piece_delay:
                        time.sleep(reply.piece_delay)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

        return Handler
