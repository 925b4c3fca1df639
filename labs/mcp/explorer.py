"""The explorer's MCP client: a synchronous facade over the SDK's async `Client`, with every
JSON-RPC message captured at the transport and host-side per-tool permissions.

- `MessageLog`: a thread-safe list of `LogEntry` (direction, kind, method, id, time, payload).
  Responses carry the method of the request they answer, matched by id.
- `LoggingTransport`: wraps any SDK transport (stdio or streamable HTTP) and records each
  `SessionMessage` as it crosses the read or write stream, so the log shows the wire traffic,
  including the `initialize` handshake and progress notifications, not a reconstruction.
- `ExplorerClient`: runs the SDK client on an event loop in a background thread (an anyio
  blocking portal), so a Streamlit page can keep one live session across reruns and call
  it synchronously. Host permissions per tool are allow / ask / deny (a destructive tool, by
  its `destructiveHint`, defaults to ask): a denied call is never sent, an asked one waits for
  the learner's approval with its arguments shown, and the log records both.
- A server's question mid-call (elicitation; `input_required` on the 2026 wire) becomes a
  `FormRequest` the page shows; the call waits until the learner answers or declines.
- Where the protocol allows (2026-07-28), the client declares the Tasks extension, so a long
  tool answers with a task the page polls (`PendingCall.watch`) and may cancel.
- `LocalHttpServer`: our server as a subprocess on a free loopback port, for the stdio versus
  streamable HTTP comparison.

Left out: sampling and roots (the explorer declares neither), URL-mode elicitation, OAuth for
remote servers, and resource subscriptions.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
Direction = Literal["client→server", "server→client", "host"]
Permission = Literal["allow", "ask", "deny"]
PERMISSIONS: tuple[Permission, ...] = ("allow", "ask", "deny")
TransportKind = Literal["stdio", "http"]


class ExplorerError(Exception):
    """Anything the learner should read as one clear sentence: bad target, refused call, …"""


# --- the message log ----------------------------------------------------------------------

@dataclass
class LogEntry:
    seq: int
    t_ms: float  # since the log started
    at: str  # wall-clock time, ISO 8601 UTC
    direction: Direction
    kind: str  # request | response | error | notification | denied | transport-error
    method: str | None
    id: str | int | None
    payload: dict[str, Any]
    transport: str = ""

    def summary(self) -> str:
        ident = f" #{self.id}" if self.id is not None else ""
        return f"{self.direction} {self.kind} {self.method or ''}{ident}".strip()


class MessageLog:
    """Every JSON-RPC message of a session, in order; safe to append from the loop thread."""

    def __init__(self, transport: str = ""):
        self.transport = transport
        self._entries: list[LogEntry] = []
        self._lock = threading.Lock()
        self._t0 = time.perf_counter()
        self._methods: dict[tuple[str, str | int], str] = {}  # (direction, id) -> method

    def record(self, direction: Direction, message: dict[str, Any], kind: str | None = None,
               method: str | None = None) -> LogEntry:
        msg_id = message.get("id")
        if kind is None:
            if "method" in message:
                kind = "request" if "id" in message else "notification"
            elif "error" in message:
                kind = "error"
            else:
                kind = "response"
        with self._lock:
            if kind == "request" and msg_id is not None:
                self._methods[(direction, msg_id)] = message["method"]
            if method is None:
                method = message.get("method")
                if method is None and msg_id is not None:
                    # A response travels the other way from its request.
                    other = "server→client" if direction == "client→server" else "client→server"
                    method = self._methods.get((other, msg_id))
            entry = LogEntry(
                seq=len(self._entries) + 1,
                t_ms=round((time.perf_counter() - self._t0) * 1000, 2),
                at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                direction=direction, kind=kind, method=method, id=msg_id, payload=message,
                transport=self.transport)
            self._entries.append(entry)
            return entry

    def entries(self) -> list[LogEntry]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def to_json(self) -> str:
        """The whole log as a JSON document (what the page's download button exports)."""
        return json.dumps({"transport": self.transport,
                           "messages": [asdict(e) for e in self.entries()]}, indent=2)


def _as_dict(session_message) -> dict[str, Any]:
    """The JSON-RPC message exactly as the SDK serializes it onto the wire."""
    return session_message.message.model_dump(by_alias=True, mode="json", exclude_unset=True)


class _LoggedStream:
    """A stream wrapper that closes what it wraps; the two subclasses add the logging."""

    def __init__(self, inner, log: MessageLog):
        self._inner, self._log = inner, log

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()


class _LoggedRead(_LoggedStream):
    """The client's read stream, recording each message the server sent."""

    @property
    def last_context(self):
        return getattr(self._inner, "last_context", None)

    async def receive(self):
        item = await self._inner.receive()
        if isinstance(item, Exception):
            self._log.record("server→client", {"error": str(item)}, kind="transport-error")
        else:
            self._log.record("server→client", _as_dict(item))
        return item

    def __aiter__(self):
        return self

    async def __anext__(self):
        import anyio

        try:
            return await self.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None


class _LoggedWrite(_LoggedStream):
    """The client's write stream, recording each message before it is sent."""

    async def send(self, item, /) -> None:
        self._log.record("client→server", _as_dict(item))
        await self._inner.send(item)


@asynccontextmanager
async def logging_transport(inner, log: MessageLog):
    """Wrap an SDK transport (an async context manager of read/write streams) with the log."""
    async with inner as (read, write):
        yield _LoggedRead(read, log), _LoggedWrite(write, log)


# --- targets ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """What to connect to: a command to spawn (stdio) or a streamable HTTP URL."""

    kind: TransportKind
    command: str = ""  # the whole command line, for stdio
    url: str = ""  # for http
    label: str = ""
    env: tuple[tuple[str, str], ...] = ()  # extra environment for a stdio server

    @staticmethod
    def ours() -> Target:
        """Our server as a stdio subprocess, sharing this process's data folder, offline."""
        env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        if os.environ.get("AIE_BRIDGE_DATA_DIR"):
            env["AIE_BRIDGE_DATA_DIR"] = os.environ["AIE_BRIDGE_DATA_DIR"]
        return Target("stdio", command=f"{shlex.quote(sys.executable)} -m labs.cli mcp serve "
                      "--transport stdio", label="AIE Bridge (stdio subprocess)",
                      env=tuple(sorted(env.items())))

    def describe(self) -> str:
        return self.label or (self.command if self.kind == "stdio" else self.url)


CUSTOM_SERVERS_ENV = "AIE_BRIDGE_MCP_CUSTOM_SERVERS"


def custom_servers_allowed(remote_ip: str | None, setting: str | None = None) -> bool:
    """Whether this browser may make the app spawn any command or reach any URL.

    A stdio command runs on the machine serving the app, and a URL is fetched from it: fine
    on a laptop, remote code execution and request forgery on a shared workshop server. So
    by default ("local") only a browser on the same machine (a loopback address) may name its own
    server; AIE_BRIDGE_MCP_CUSTOM_SERVERS=always or =never overrides.

    >>> custom_servers_allowed(None), custom_servers_allowed("::ffff:127.0.0.1")
    (True, True)
    >>> custom_servers_allowed("203.0.113.7"), custom_servers_allowed("::ffff:203.0.113.7")
    (False, False)
    >>> custom_servers_allowed("203.0.113.7", "always"), custom_servers_allowed(None, "never")
    (True, False)
    """
    setting = (setting if setting is not None else os.environ.get(CUSTOM_SERVERS_ENV, "local"))
    setting = setting.strip().lower() or "local"
    if setting == "always":
        return True
    if setting == "never":
        return False
    return remote_ip is None or _is_loopback(remote_ip)


def _is_loopback(ip: str) -> bool:
    """127.0.0.1, ::1 and the IPv4-mapped form ::ffff:127.0.0.1 a dual-stack server reports."""
    import ipaddress

    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(addr, "ipv4_mapped", None)
    return addr.is_loopback or bool(mapped and mapped.is_loopback)


def parse_command(command: str) -> list[str]:
    """A stdio command line split as a shell would, or ExplorerError saying what is wrong.

    >>> parse_command("npx -y @modelcontextprotocol/server-everything")
    ['npx', '-y', '@modelcontextprotocol/server-everything']
    """
    if not command or not command.strip():
        raise ExplorerError("enter the command that starts the server, e.g. "
                            "`npx -y @modelcontextprotocol/server-everything`")
    try:
        argv = shlex.split(command)
    except ValueError as e:
        raise ExplorerError(f"cannot parse the command: {e}") from None
    return argv


def check_url(url: str) -> str:
    """A streamable HTTP endpoint URL, or ExplorerError.

    >>> check_url(" http://127.0.0.1:8765/mcp ")
    'http://127.0.0.1:8765/mcp'
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ExplorerError("enter an http:// or https:// URL of a streamable HTTP endpoint, "
                            "e.g. http://127.0.0.1:8765/mcp")
    return url


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _explain(exc: BaseException) -> str:
    from mcp.shared.exceptions import MCPError

    leaf = _leaf(exc)
    if isinstance(leaf, MCPError):
        return f"the server answered with error {leaf.error.code}: {leaf.error.message}"
    if isinstance(leaf, FileNotFoundError):
        return f"command not found: {leaf.filename or leaf}"
    if isinstance(leaf, TimeoutError):
        return "the server did not answer in time"
    name = type(leaf).__name__
    text = str(leaf) or name
    return f"{name}: {text}" if name not in text else text


def _terminate(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _close_quietly(*context_managers) -> None:
    for cm in context_managers:
        try:
            cm.__exit__(None, None, None)
        except BaseException:  # noqa: BLE001 - already closed, or the loop is gone
            pass


# --- outcomes -----------------------------------------------------------------------------

@dataclass
class ServerInfo:
    protocol_version: str
    name: str
    version: str
    title: str | None
    instructions: str | None
    capabilities: dict[str, Any]


@dataclass
class ToolOutcome:
    sent: bool
    is_error: bool = False
    text: str = ""
    structured: dict[str, Any] | None = None
    progress: list[dict[str, Any]] = field(default_factory=list)
    denied_reason: str | None = None
    task_states: list[dict[str, Any]] = field(default_factory=list)  # tasks/get answers


@dataclass
class FormRequest:
    """A server's question to the user mid-call: message and a flat JSON Schema form."""

    message: str
    schema: dict[str, Any]
    answered: threading.Event = field(default_factory=threading.Event)
    action: str = "cancel"  # accept | decline | cancel
    content: dict[str, Any] | None = None

    def answer(self, action: str, content: dict[str, Any] | None = None) -> None:
        self.action, self.content = action, content if action == "accept" else None
        self.answered.set()


class PendingCall:
    """A tools/call in flight: `progress` fills from the event loop, `result()` waits.

    A call the host holds for approval (`awaiting_approval`) has sent nothing yet:
    `approve()` sends it, `reject()` drops it.
    """

    def __init__(self, future, progress: list[dict[str, Any]], denied: str | None = None,
                 watch=None, send: Callable[[], Any] | None = None):
        self._future = future
        self.progress = progress
        self.denied = denied
        self.watch = watch  # a labs.mcp.tasks.TaskWatch when the server made a task of it
        self._send = send

    @property
    def awaiting_approval(self) -> bool:
        return self._send is not None and self._future is None and self.denied is None

    def approve(self) -> None:
        if self.awaiting_approval:
            self._future = self._send()

    def reject(self, reason: str = "the learner did not approve the call") -> None:
        if self.awaiting_approval:
            self.denied = reason

    def cancel_task(self) -> None:
        """Ask the server to cancel the task behind this call (tasks/cancel on the next poll)."""
        if self.watch is not None:
            self.watch.cancel.set()

    def done(self) -> bool:
        if self.awaiting_approval:
            return False
        return self._future is None or self._future.done()

    def result(self, timeout: float | None = None) -> ToolOutcome:
        from mcp.shared.exceptions import MCPError

        if self.awaiting_approval:
            raise ExplorerError("the call is waiting for the learner's approval")
        if self._future is None:
            return ToolOutcome(sent=False, denied_reason=self.denied)
        try:
            result = self._future.result(timeout)
        except MCPError as e:
            raise ExplorerError(f"error {e.error.code}: {e.error.message}") from None
        except Exception as e:  # noqa: BLE001 - transport failures become one sentence
            raise ExplorerError(_explain(e)) from None
        text = "\n".join(getattr(c, "text", f"[{c.type} content]") for c in result.content)
        return ToolOutcome(sent=True, is_error=bool(result.is_error), text=text,
                           structured=result.structured_content, progress=list(self.progress),
                           task_states=list(self.watch.states) if self.watch else [])


def _dump(model) -> dict[str, Any]:
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


class ExplorerClient:
    """One live MCP session, driven synchronously.

    >>> # c = ExplorerClient(Target.ours()); info = c.connect(); c.list_tools(); c.close()
    """

    def __init__(self, target: Target, *, mode: str = "legacy", timeout: float = 30.0,
                 permissions: dict[str, Permission | bool] | None = None):
        self.target = target
        self.mode = mode
        self.timeout = timeout
        self.log = MessageLog(target.kind)
        self.permissions: dict[str, Permission] = {
            k: ("allow" if v is True else "deny" if v is False else v)
            for k, v in (permissions or {}).items()}
        self.destructive: set[str] = set()  # tools whose annotations say destructiveHint
        self.form: FormRequest | None = None  # the server's open question, if any
        self._watch = None
        self.info: ServerInfo | None = None
        self._portal_cm = None
        self._portal = None
        self._client_cm = None
        self._client = None
        self._stderr = None
        self._finalizer = None
        self._lock = threading.Lock()  # one request at a time from the page

    # lifecycle
    def _transport(self):
        from mcp.client.stdio import StdioServerParameters, stdio_client
        from mcp.client.streamable_http import streamable_http_client

        if self.target.kind == "stdio":
            argv = parse_command(self.target.command)
            self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
            params = StdioServerParameters(command=argv[0], args=argv[1:], cwd=str(ROOT),
                                           env=dict(self.target.env) or None)
            inner = stdio_client(params, errlog=self._stderr)
        else:
            inner = streamable_http_client(check_url(self.target.url))
        return logging_transport(inner, self.log)

    def connect(self) -> ServerInfo:
        """Spawn or reach the server and run the handshake; the log holds every message."""
        from anyio.from_thread import start_blocking_portal
        from mcp import Client
        from mcp_types import Implementation

        if self._client is not None:
            return self.info  # type: ignore[return-value]
        transport = self._transport()
        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        from labs.mcp.tasks import tasks_client_extension

        # The callbacks hold this object weakly: the running loop keeps the SDK client alive,
        # and a strong reference back would keep a dropped explorer (and its server) alive too.
        me = weakref.ref(self)

        async def elicit(ctx, params):
            explorer = me()
            if explorer is None:
                from mcp_types import ElicitResult

                return ElicitResult(action="cancel")
            return await explorer._elicit(ctx, params)

        client = Client(transport, mode=self.mode, read_timeout_seconds=self.timeout,
                        cache=None, elicitation_callback=elicit,
                        extensions=[tasks_client_extension(
                            lambda: getattr(me(), "_watch", None))],
                        client_info=Implementation(name="aie-bridge-explorer", version="0.1"))
        self._client_cm = self._portal.wrap_async_context_manager(client)
        try:
            self._client = self._client_cm.__enter__()
        except BaseException as e:  # noqa: BLE001 - everything becomes one sentence
            self._client_cm = None
            self._shutdown_portal()
            message = _explain(e)
            stderr = self.server_stderr()
            if stderr:
                message += f"\nserver stderr (last lines):\n{stderr[-600:]}"
            raise ExplorerError(f"could not connect to {self.target.describe()}: {message}") \
                from None
        # If the page's session is dropped without a disconnect, close the session and the
        # subprocess when this object is garbage-collected (the finalizer holds no `self`).
        self._finalizer = weakref.finalize(self, _close_quietly, self._client_cm,
                                           self._portal_cm)
        c = self._client
        si = c.server_info
        self.info = ServerInfo(
            protocol_version=c.protocol_version,
            name=si.name if si else "(anonymous)", version=si.version if si else "",
            title=getattr(si, "title", None) if si else None,
            instructions=c.instructions, capabilities=_dump(c.server_capabilities))
        return self.info

    @property
    def connected(self) -> bool:
        return self._client is not None

    def server_stderr(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            return self._stderr.read()
        except (OSError, ValueError):
            return ""

    def _shutdown_portal(self) -> None:
        if self._portal_cm is not None:
            try:
                self._portal_cm.__exit__(None, None, None)
            except BaseException:  # noqa: BLE001 - closing must never raise at the page
                pass
        self._portal_cm = self._portal = None

    def close(self) -> None:
        """End the session: the SDK closes stdin and reaps the subprocess, or DELETEs over HTTP."""
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._client_cm is not None:
            try:
                self._client_cm.__exit__(None, None, None)
            except BaseException:  # noqa: BLE001
                pass
        self._client_cm = self._client = None
        self._shutdown_portal()

    def __enter__(self) -> ExplorerClient:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # calls
    def _call(self, fn: Callable[[], Any]):
        if self._client is None:
            raise ExplorerError("not connected: connect to a server first")
        from mcp.shared.exceptions import MCPError

        with self._lock:
            try:
                return self._portal.call(fn)
            except MCPError as e:
                raise ExplorerError(f"error {e.error.code}: {e.error.message}") from None
            except Exception as e:  # noqa: BLE001 - transport failures become one sentence
                raise ExplorerError(_explain(e)) from None

    async def _elicit(self, ctx, params):
        """The server asks the user: publish the form, wait (off the loop) for the answer."""
        import anyio
        from mcp_types import ElicitResult

        form = FormRequest(getattr(params, "message", ""),
                           getattr(params, "requested_schema", None) or {})
        self.form = form
        try:
            answered = await anyio.to_thread.run_sync(form.answered.wait, self.timeout * 10)
        finally:
            self.form = None
        if not answered:
            return ElicitResult(action="cancel")
        return ElicitResult(action=form.action, content=form.content)

    def list_tools(self) -> list[dict[str, Any]]:
        tools = [_dump(t) for t in self._call(lambda: self._client.list_tools()).tools]
        self.destructive = {t["name"] for t in tools
                            if (t.get("annotations") or {}).get("destructiveHint")}
        return tools

    def list_resources(self) -> list[dict[str, Any]]:
        return [_dump(r) for r in self._call(lambda: self._client.list_resources()).resources]

    def list_resource_templates(self) -> list[dict[str, Any]]:
        res = self._call(lambda: self._client.list_resource_templates())
        return [_dump(t) for t in res.resource_templates]

    def list_prompts(self) -> list[dict[str, Any]]:
        return [_dump(p) for p in self._call(lambda: self._client.list_prompts()).prompts]

    def permission(self, tool: str) -> Permission:
        """The host's rule for a tool: what the learner set, else ask for destructive ones."""
        return self.permissions.get(tool, "ask" if tool in self.destructive else "allow")

    def allowed(self, tool: str) -> bool:
        return self.permission(tool) != "deny"

    def start_tool_call(self, name: str, arguments: dict[str, Any] | None = None) -> PendingCall:
        """Send tools/call without waiting, so a page can draw progress while the tool runs.

        'deny': never sent, the log gets a host 'denied' entry. 'ask': nothing is sent until
        `approve()`; the log gets a host 'ask' entry with the arguments.
        """
        from labs.mcp.tasks import TaskWatch

        if self._client is None:
            raise ExplorerError("not connected: connect to a server first")
        rule = self.permission(name)
        if rule == "deny":
            self.log.record("host", {"tool": name, "arguments": arguments or {},
                                     "note": "blocked by the host's permission before reaching "
                                             "the client; nothing was sent to the server"},
                            kind="denied", method="tools/call")
            return PendingCall(None, [], f"the host's permission for {name!r} is 'deny'")
        progress: list[dict[str, Any]] = []
        watch = TaskWatch()

        async def on_progress(p: float, total: float | None, message: str | None) -> None:
            progress.append({"progress": p, "total": total, "message": message})

        async def run():
            self._watch = watch
            return await self._client.call_tool(name, arguments or {},
                                                progress_callback=on_progress)

        def send():
            return self._portal.start_task_soon(run)

        if rule == "ask":
            self.log.record("host", {"tool": name, "arguments": arguments or {},
                                     "note": "held by the host until the learner approves; "
                                             "nothing has been sent yet"},
                            kind="ask", method="tools/call")
            return PendingCall(None, progress, watch=watch, send=send)
        return PendingCall(send(), progress, watch=watch)

    def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> ToolOutcome:
        """Call a tool and wait for its result (or its denial by the host)."""
        return self.start_tool_call(name, arguments).result(self.timeout + 5)

    def read_resource(self, uri: str) -> list[dict[str, Any]]:
        if not uri or not uri.strip():
            raise ExplorerError("enter a resource URI, e.g. lesson://mcp")
        res = self._call(lambda: self._client.read_resource(uri.strip()))
        return [_dump(c) for c in res.contents]

    def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> dict[str, Any]:
        return _dump(self._call(lambda: self._client.get_prompt(name, arguments or {})))


# --- our server over HTTP, as a subprocess ------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalHttpServer:
    """`aie-bridge mcp serve --transport http` on a free loopback port, for as long as needed."""

    def __init__(self, port: int | None = None, startup_timeout: float = 30.0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None

    def start(self) -> LocalHttpServer:
        # A file, not a pipe: nobody reads stderr while the server runs, and a full pipe
        # would block the server on its next log line.
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "labs.cli", "mcp", "serve", "--transport", "http",
             "--port", str(self.port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self._stderr, text=True)
        weakref.finalize(self, _terminate, self.proc)  # dropped without stop(): end it anyway
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._stderr.seek(0)
                err = self._stderr.read()
                raise ExplorerError(f"the HTTP server exited at start: {err.strip()[-400:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ExplorerError(f"the HTTP server did not listen on port {self.port} in time")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None:
            _terminate(self.proc)
        self.proc = None

    def __enter__(self) -> LocalHttpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class ExchangeStep:
    step: str
    ms: float
    messages: int
    bytes: int


def scripted_exchange(target: Target, query: str = "initialize handshake") -> tuple[
        list[ExchangeStep], MessageLog]:
    """initialize, tools/list, tools/call search_curriculum on one transport; per-step figures."""
    steps: list[ExchangeStep] = []
    client = ExplorerClient(target)

    def measure(name: str, fn: Callable[[], Any]) -> None:
        before = len(client.log)
        t0 = time.perf_counter()
        fn()
        ms = (time.perf_counter() - t0) * 1000
        new = client.log.entries()[before:]
        size = sum(len(json.dumps(e.payload, separators=(",", ":"))) for e in new)
        steps.append(ExchangeStep(name, round(ms, 2), len(new), size))

    try:
        measure("initialize", client.connect)
        measure("tools/list", client.list_tools)
        measure("tools/call", lambda: client.call_tool("search_curriculum",
                                                       {"query": query, "k": 3}))
    finally:
        client.close()
    return steps, client.log
