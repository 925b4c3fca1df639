"""The Tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663) for long tool calls.

The installed SDK (mcp 2.3) has no Tasks implementation, only the extension seams it is built
on: a server `Extension` (new methods plus a `tools/call` interceptor) and a client
`ClientExtension` (a `ResultClaim` for a new `resultType`). This module implements the
2026-07-28 shape of the extension on those seams, with the field names of the extension's
schema (`schema/2026-07-28` of modelcontextprotocol/ext-tasks):

- A client declares `capabilities.extensions["io.modelcontextprotocol/tasks"] = {}`.
- For such a client, a task-capable tool answers `tools/call` at once with a
  `CreateTaskResult`: `resultType: "task"`, `taskId`, `status: "working"`, `createdAt`,
  `lastUpdatedAt`, `ttlMs`, `pollIntervalMs`. The work runs in a thread on the server.
- `tasks/get {taskId}` answers the task with `resultType: "complete"` and its current status
  (`working`, `completed` with `result`, `failed` with `error`, `cancelled`), the progress in
  `statusMessage`; `tasks/cancel {taskId}` asks the work to stop (cooperative: it checks between
  steps) and answers an empty result.
- A legacy (2025-11-25) client, or one without the extension, gets the plain synchronous call
  with `notifications/progress`.

Left out: `tasks/update` and the `input_required` task status (our task asks its question before
the task starts, as an ordinary multi-round-trip request), `notifications/tasks` over
`subscriptions/listen`, and tasks that survive a server restart (the store is in memory, so in a
multi-replica deployment `tasks/get` must reach the replica that holds the task).
"""

from __future__ import annotations

import contextvars
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from mcp_types import RequestParams, Result
from pydantic import ConfigDict, Field

EXTENSION_ID = "io.modelcontextprotocol/tasks"
TASK_TTL_MS = 10 * 60 * 1000
POLL_INTERVAL_MS = 250
TERMINAL = ("completed", "failed", "cancelled")
Status = Literal["working", "input_required", "completed", "failed", "cancelled"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Cancelled(Exception):
    """Raised inside the work when the task was cancelled between two steps."""


@dataclass
class TaskRecord:
    """One task on the server: its status, its last progress, and its outcome."""

    task_id: str
    tool: str
    status: Status = "working"
    status_message: str | None = None
    progress: float = 0.0
    total: float | None = None
    created_at: str = field(default_factory=_now)
    last_updated_at: str = field(default_factory=_now)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)

    def wire(self) -> dict[str, Any]:
        """The task's fields as the extension names them (status-specific fields inlined)."""
        out: dict[str, Any] = {"taskId": self.task_id, "status": self.status,
                               "createdAt": self.created_at,
                               "lastUpdatedAt": self.last_updated_at, "ttlMs": TASK_TTL_MS,
                               "pollIntervalMs": POLL_INTERVAL_MS}
        if self.status_message:
            out["statusMessage"] = self.status_message
        if self.status == "completed":
            out["result"] = self.result or {}
        if self.status == "failed":
            out["error"] = self.error or {"code": -32603, "message": "task failed"}
        return out


class Progress:
    """What the work is handed: report a step, and learn whether to stop."""

    def __init__(self, record: TaskRecord, lock: threading.Lock):
        self._record, self._lock = record, lock

    def __call__(self, done: float, total: float | None, message: str) -> None:
        if self._record.cancel_requested.is_set():
            raise Cancelled()
        with self._lock:
            r = self._record
            r.progress, r.total = done, total
            r.status_message = f"{message} ({done:g}/{total:g})" if total else message
            r.last_updated_at = _now()


Work = Callable[[Progress], dict[str, Any]]  # returns the CallToolResult as JSON


class TaskStore:
    """Tasks of one server process, each running its work in a thread. Thread-safe."""

    def __init__(self, max_tasks: int = 200):
        self._tasks: dict[str, TaskRecord] = {}
        self._lock = threading.Lock()
        self.max_tasks = max_tasks

    def start(self, tool: str, work: Work) -> TaskRecord:
        record = TaskRecord(task_id=uuid.uuid4().hex, tool=tool)
        with self._lock:
            self._evict()
            self._tasks[record.task_id] = record
        threading.Thread(target=self._run, args=(record, work), daemon=True,
                         name=f"mcp-task-{record.task_id[:8]}").start()
        return record

    def _run(self, record: TaskRecord, work: Work) -> None:
        try:
            result = work(Progress(record, self._lock))
            outcome: tuple[Status, Any] = ("completed", result)
        except Cancelled:
            outcome = ("cancelled", None)
        except Exception as e:  # noqa: BLE001 - a failed task reports its error, never raises
            outcome = ("failed", {"code": -32603, "message": f"{type(e).__name__}: {e}"})
        with self._lock:
            status, value = outcome
            if record.cancel_requested.is_set() and status == "completed":
                status = "cancelled"  # asked to stop after the last step: honour the request
            record.status = status
            if status == "completed":
                record.result, record.status_message = value, "done"
            elif status == "failed":
                record.error, record.status_message = value, value["message"]
            else:
                record.status_message = "cancelled at the client's request"
            record.last_updated_at = _now()

    def _evict(self) -> None:
        if len(self._tasks) < self.max_tasks:
            return
        finished = [t for t in self._tasks.values() if t.status in TERMINAL]
        for t in sorted(finished, key=lambda t: t.last_updated_at)[: len(self._tasks) // 4 + 1]:
            del self._tasks[t.task_id]

    def get(self, task_id: str) -> TaskRecord | None:
        with self._lock:
            return self._tasks.get(task_id)

    def cancel(self, task_id: str) -> TaskRecord | None:
        record = self.get(task_id)
        if record is not None and record.status not in TERMINAL:
            record.cancel_requested.set()
        return record


# --- server side ----------------------------------------------------------------------------

class TaskIdParams(RequestParams):
    """`tasks/get` and `tasks/cancel` params: the task id (and the request `_meta`)."""

    task_id: str = Field(alias="taskId", min_length=1, max_length=64)


# Set by the interceptor for one tools/call; a task-capable tool reads it to start a task.
_TASK_SLOT: contextvars.ContextVar[TaskSlot | None] = contextvars.ContextVar("mcp_task_slot",
                                                                            default=None)


@dataclass
class TaskSlot:
    record: TaskRecord | None = None


def task_slot() -> TaskSlot | None:
    """The current call's slot when the client asked for tasks (None: run synchronously)."""
    return _TASK_SLOT.get()


def client_declares_tasks(ctx: Any) -> bool:
    caps = getattr(ctx.session, "client_capabilities", None)
    declared = getattr(caps, "extensions", None) if caps is not None else None
    return bool(declared) and EXTENSION_ID in declared


def tasks_extension(store: TaskStore, task_tools: set[str]):
    """The server `Extension`: tasks/get, tasks/cancel, and the tools/call interceptor."""
    from mcp.server.extension import Extension, MethodBinding
    from mcp.shared.exceptions import MCPError
    from mcp_types import INVALID_PARAMS
    from mcp_types.version import MODERN_PROTOCOL_VERSIONS

    modern = frozenset(MODERN_PROTOCOL_VERSIONS)

    def find(params: TaskIdParams) -> TaskRecord:
        record = store.get(params.task_id)
        if record is None:
            raise MCPError(code=INVALID_PARAMS, message=f"unknown taskId {params.task_id!r} "
                           "(never created here, or expired)")
        return record

    async def get(ctx, params: TaskIdParams):
        return {"resultType": "complete", **find(params).wire()}

    async def cancel(ctx, params: TaskIdParams):
        record = find(params)
        store.cancel(record.task_id)
        return {"resultType": "complete"}

    class Tasks(Extension):
        identifier = EXTENSION_ID

        def methods(self):
            return (MethodBinding("tasks/get", TaskIdParams, get, modern),
                    MethodBinding("tasks/cancel", TaskIdParams, cancel, modern))

        async def intercept_tool_call(self, params, ctx, call_next):
            if (params.name not in task_tools or ctx.protocol_version not in modern
                    or not client_declares_tasks(ctx)):
                return await call_next(ctx)
            slot = TaskSlot()
            token = _TASK_SLOT.set(slot)
            try:
                result = await call_next(ctx)
            finally:
                _TASK_SLOT.reset(token)
            if slot.record is None:  # still asking the user, or refused: pass it on as is
                return result
            return {"resultType": "task", **slot.record.wire()}

    return Tasks()


# --- client side ----------------------------------------------------------------------------

def _client_models():
    from mcp_types import Request

    TaskRequestParams = TaskIdParams

    class GetTaskRequest(Request[TaskRequestParams, Literal["tasks/get"]]):
        name_param = "taskId"  # the extension routes tasks/* by Mcp-Name: <taskId>

    class CancelTaskRequest(Request[TaskRequestParams, Literal["tasks/cancel"]]):
        name_param = "taskId"

    return TaskRequestParams, GetTaskRequest, CancelTaskRequest


class CreateTaskResult(Result):
    """The task handle a server answers `tools/call` with (`resultType: "task"`)."""

    model_config = ConfigDict(extra="allow")
    result_type: Literal["task"] = Field(alias="resultType")
    task_id: str = Field(alias="taskId")
    status: str
    status_message: str | None = Field(default=None, alias="statusMessage")
    poll_interval_ms: int | None = Field(default=None, alias="pollIntervalMs")
    ttl_ms: int | None = Field(default=None, alias="ttlMs")


@dataclass
class TaskWatch:
    """What a host sees of a task while it runs: every polled state, and a cancel switch."""

    states: list[dict[str, Any]] = field(default_factory=list)
    cancel: threading.Event = field(default_factory=threading.Event)
    task_id: str | None = None

    @property
    def last(self) -> dict[str, Any] | None:
        return self.states[-1] if self.states else None


def tasks_client_extension(watch_for: Callable[[], TaskWatch | None] = lambda: None,
                           max_wait_s: float = 600.0):
    """A `ClientExtension` that declares tasks and resolves a task handle by polling.

    `watch_for()` gives the watch of the current call (the explorer passes one per call), so
    a page can draw each state as it arrives and ask for cancellation.
    """
    import anyio
    from mcp.client.extension import ClientExtension, ResultClaim
    from mcp_types import CallToolResult, TextContent
    from mcp_types.version import MODERN_PROTOCOL_VERSIONS

    TaskRequestParams, GetTaskRequest, CancelTaskRequest = _client_models()

    async def send(cctx, method: str, task_id: str) -> dict[str, Any]:
        from pydantic import TypeAdapter

        model = GetTaskRequest if method == "tasks/get" else CancelTaskRequest
        request = model(method=method, params=TaskRequestParams(task_id=task_id))
        return await cctx.session.send_request(request, TypeAdapter(dict[str, Any]))

    async def resolve(handle: CreateTaskResult, cctx) -> Any:
        watch = watch_for() or TaskWatch()
        watch.task_id = handle.task_id
        watch.states.append(handle.model_dump(by_alias=True, exclude_none=True))
        deadline = time.monotonic() + max_wait_s
        interval = max(0.05, (handle.poll_interval_ms or POLL_INTERVAL_MS) / 1000)
        cancel_sent = False
        while True:
            if watch.cancel.is_set() and not cancel_sent:
                await send(cctx, "tasks/cancel", handle.task_id)
                cancel_sent = True
            await anyio.sleep(interval)
            state = await send(cctx, "tasks/get", handle.task_id)
            watch.states.append(state)
            status = state.get("status")
            if status == "completed":
                return CallToolResult.model_validate(state.get("result") or {})
            if status in ("failed", "cancelled") or time.monotonic() > deadline:
                text = (state.get("error") or {}).get("message") or state.get("statusMessage") \
                    or f"task {status or 'timed out'}"
                return CallToolResult(is_error=True, content=[TextContent(
                    type="text", text=f"task {handle.task_id[:8]} {status}: {text}")])

    class TasksClient(ClientExtension):
        identifier = EXTENSION_ID

        def claims(self):
            return (ResultClaim(result_type="task", model=CreateTaskResult, resolve=resolve,
                                protocol_versions=frozenset(MODERN_PROTOCOL_VERSIONS)),)

    return TasksClient()
