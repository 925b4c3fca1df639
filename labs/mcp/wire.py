"""The HTTP layer under MCP, recorded: every request and response of a streamable HTTP session.

`RecordingTransport` wraps the httpx2 transport the SDK's `streamable_http_client` uses and
keeps each exchange as plain data: method, URL, request and response headers, and the JSON
bodies (a JSON response as one object; an SSE response as the list of JSON-RPC messages its
`data:` lines carried, read as the SDK consumes the stream, so a long-lived GET stream shows
what arrived so far). `ThreadedHttpServer` runs our server with uvicorn on a free loopback port
inside this process, for the trace command and the tests.

Left out: request bodies that are not JSON (MCP sends none) and the TLS layer.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _json_or_text(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")


def sse_messages(raw: bytes) -> list[Any]:
    """The JSON payloads of an SSE body's `data:` lines, one per event.

    >>> sse_messages(b'event: message\\ndata: {"id": 1}\\n\\n: ping\\n\\ndata: {"id": 2}\\n\\n')
    [{'id': 1}, {'id': 2}]
    """
    out = []
    for block in raw.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip() for line in block.split("\n")
                         if line.startswith("data:"))
        if data:
            out.append(_json_or_text(data.encode()))
    return out


@dataclass
class Exchange:
    """One HTTP request and its response; the response body fills as its stream is read."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    _raw: bytearray = field(default_factory=bytearray)
    t_ms: float = 0.0

    @property
    def sse(self) -> bool:
        return self.response_headers.get("content-type", "").startswith("text/event-stream")

    def response_body(self) -> Any:
        raw = bytes(self._raw)
        return sse_messages(raw) if self.sse else _json_or_text(raw)

    def as_dict(self) -> dict[str, Any]:
        """The issue's JSON shape: {"request": {...}, "response": {...}}."""
        return {"request": {"method": self.method, "url": self.url,
                            "headers": self.request_headers, "body": self.request_body},
                "response": {"status": self.status, "headers": self.response_headers,
                             "body": self.response_body()}}


class _TeeStream(httpx2.AsyncByteStream):
    """A response stream that copies every chunk into the exchange as the SDK reads it."""

    def __init__(self, inner, exchange: Exchange):
        self._inner, self._exchange = inner, exchange

    async def __aiter__(self):
        async for chunk in self._inner:
            self._exchange._raw.extend(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class RecordingTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport that records each exchange before handing it on."""

    def __init__(self, inner: httpx2.AsyncBaseTransport | None = None):
        self._inner = inner or httpx2.AsyncHTTPTransport()
        self.exchanges: list[Exchange] = []
        self._t0 = time.perf_counter()
        self._lock = threading.Lock()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        ex = Exchange(request.method, str(request.url), dict(request.headers.items()),
                      _json_or_text(body), t_ms=round((time.perf_counter() - self._t0) * 1000, 1))
        with self._lock:
            self.exchanges.append(ex)
        response = await self._inner.handle_async_request(request)
        ex.status = response.status_code
        ex.response_headers = dict(response.headers.items())
        return httpx2.Response(response.status_code, headers=response.headers,
                               stream=_TeeStream(response.stream, ex),
                               extensions=response.extensions, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e.as_dict() for e in self.exchanges]


def recording_client(recorder: RecordingTransport) -> httpx2.AsyncClient:
    """An httpx2 client with the SDK's default MCP timeouts, sending through `recorder`."""
    from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT, MCP_DEFAULT_TIMEOUT

    return httpx2.AsyncClient(transport=recorder, timeout=httpx2.Timeout(
        MCP_DEFAULT_TIMEOUT, read=MCP_DEFAULT_SSE_READ_TIMEOUT))


class ThreadedHttpServer:
    """Our MCP server under uvicorn on a free 127.0.0.1 port, in a background thread."""

    def __init__(self, server=None, port: int | None = None):
        self._server = server
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self._uvicorn = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 20.0) -> ThreadedHttpServer:
        import uvicorn

        from labs.mcp.server import build_server, http_app

        app = http_app(self._server or build_server())
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._uvicorn.run, daemon=True,
                                        name=f"mcp-http-{self.port}")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the MCP HTTP server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._uvicorn = self._thread = None

    def __enter__(self) -> ThreadedHttpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
