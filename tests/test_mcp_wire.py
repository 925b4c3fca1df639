"""Both protocol eras over real streamable HTTP (uvicorn on a free loopback port): the trace
command, multi-round-trip requests, the Tasks extension with cancel, and the interviewer."""

from __future__ import annotations

import json
import threading

import anyio
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.mcpserver import MCPServer
from mcp_types import ElicitResult

from labs.mcp.cli import register  # noqa: F401 - the CLI module imports without the SDK
from labs.mcp.tasks import TaskStore, TaskWatch, task_slot, tasks_client_extension, tasks_extension
from labs.mcp.trace import rpc_method, run_trace, transcript
from labs.mcp.wire import RecordingTransport, ThreadedHttpServer, recording_client


@pytest.fixture(scope="module")
def server_url():
    with ThreadedHttpServer() as server:
        yield server.url


def methods(trace: dict) -> list[str]:
    return [rpc_method(e) for e in trace["exchanges"]]


def test_the_modern_trace_has_no_handshake_and_routes_every_request_by_its_headers(server_url):
    trace = run_trace("modern", server_url)
    assert trace["era"] == "modern" and trace["protocol_version"] == "2026-07-28"
    assert methods(trace) == ["server/discover", "tools/list", "tools/call"]
    for ex in trace["exchanges"]:
        h = ex["request"]["headers"]
        assert h["mcp-protocol-version"] == "2026-07-28"
        assert h["mcp-method"] == ex["request"]["body"]["method"]
        assert "mcp-session-id" not in h and "mcp-session-id" not in ex["response"]["headers"]
        meta = ex["request"]["body"]["params"]["_meta"]
        assert meta["io.modelcontextprotocol/protocolVersion"] == "2026-07-28"
        assert "io.modelcontextprotocol/clientCapabilities" in meta
    call = trace["exchanges"][2]
    assert call["request"]["headers"]["mcp-name"] == "search_curriculum"
    assert call["response"]["body"]["result"]["structuredContent"]["hits"]
    listing = trace["exchanges"][1]["response"]["body"]["result"]
    assert listing["ttlMs"] == 300_000 and listing["cacheScope"] == "public"


def test_the_legacy_trace_opens_with_the_handshake_and_echoes_one_session_id(server_url):
    trace = run_trace("legacy", server_url)
    assert trace["protocol_version"] == "2025-11-25"
    got = methods(trace)
    assert got[:2] == ["initialize", "notifications/initialized"]
    assert "tools/list" in got and "tools/call" in got and got[-1] == "DELETE session"
    first = trace["exchanges"][0]
    session = first["response"]["headers"]["mcp-session-id"]
    assert "mcp-session-id" not in first["request"]["headers"]
    assert all(e["request"]["headers"]["mcp-session-id"] == session
               for e in trace["exchanges"][1:])
    assert not any("mcp-method" in e["request"]["headers"] for e in trace["exchanges"])
    assert trace["exchanges"][1]["response"]["status"] == 202


def test_both_eras_advertise_the_same_capabilities_and_tasks_only_on_the_2026_wire(server_url):
    modern = run_trace("modern", server_url)["exchanges"][0]["response"]["body"]["result"]
    legacy = run_trace("legacy", server_url)["exchanges"][0]["response"]["body"][0]["result"]
    extensions = modern["capabilities"].pop("extensions")
    assert extensions == {"io.modelcontextprotocol/tasks": {}}
    assert modern["capabilities"] == legacy["capabilities"]
    assert legacy["capabilities"]["tools"] == {"listChanged": False}


@pytest.mark.parametrize("era", ["modern", "legacy"])
def test_the_trace_command_prints_the_json_shape_and_an_annotated_transcript(era, capsys):
    from labs.cli import main

    assert main(["mcp", "trace", "--era", era, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["era"] == era
    assert set(out["exchanges"][0]) == {"request", "response"}
    assert {"method", "headers", "body"} <= set(out["exchanges"][0]["request"])
    assert {"status", "headers", "body"} <= set(out["exchanges"][0]["response"])
    text = transcript(out)
    assert ("Mcp-Method: tools/call" in text) == (era == "modern")
    assert ("Mcp-Session-Id" in text) == (era == "legacy")


def test_the_trace_command_says_in_one_line_when_nothing_listens(capsys):
    from labs.cli import main
    from labs.mcp.wire import free_port

    assert main(["mcp", "trace", "--url", f"http://127.0.0.1:{free_port()}/mcp"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


# --- multi-round-trip requests ----------------------------------------------------------------

def recorded_call(url: str, mode: str, name: str, args: dict, answer: dict):
    """Call a tool that asks the user; `answer` is what the user fills into the form."""
    recorder = RecordingTransport()
    asked = []

    async def elicit(ctx, params):
        asked.append(params.message)
        return ElicitResult(action="accept", content=answer)

    async def go():
        async with recording_client(recorder) as http:
            async with Client(streamable_http_client(url, http_client=http), mode=mode,
                              cache=None, elicitation_callback=elicit) as c:
                return await c.call_tool(name, args)

    return anyio.run(go), asked, recorder.snapshot()


def test_modern_reindex_asks_by_input_required_and_the_retry_carries_the_answer(server_url):
    result, asked, wire = recorded_call(server_url, "auto", "reindex_curriculum", {},
                                        {"confirm": True})
    assert not result.is_error and result.structured_content["modules"] == 9
    assert asked and "Rebuild" in asked[0]
    calls = [e for e in wire if rpc_method(e) == "tools/call"]
    assert len(calls) == 2  # two round trips, two independent HTTP requests
    first = calls[0]["response"]["body"]["result"]
    assert first["resultType"] == "input_required" and first["inputRequests"]
    key = next(iter(first["inputRequests"]))
    retry = calls[1]["request"]["body"]["params"]
    assert retry["inputResponses"][key]["content"] == {"confirm": True}
    assert retry["requestState"] == first["requestState"]


def test_legacy_reindex_asks_by_an_elicitation_request_inside_the_call(server_url):
    result, asked, wire = recorded_call(server_url, "legacy", "reindex_curriculum", {},
                                        {"confirm": True})
    assert not result.is_error and asked
    call = next(e for e in wire if rpc_method(e) == "tools/call")
    streamed = [m.get("method") for m in call["response"]["body"]]
    assert "elicitation/create" in streamed
    replies = [e for e in wire if isinstance(e["request"]["body"], dict)
               and "result" in e["request"]["body"]]
    assert replies and replies[0]["request"]["body"]["result"]["action"] == "accept"


def test_a_declined_confirmation_leaves_the_index_alone(server_url):
    result, _, _ = recorded_call(server_url, "auto", "reindex_curriculum", {},
                                 {"confirm": False})
    assert result.is_error and "not confirmed" in result.content[0].text


def test_grade_design_without_a_prompt_id_asks_which_prompt_from_the_known_ids(server_url):
    seen = []

    async def elicit(ctx, params):
        seen.append(params.requested_schema)
        return ElicitResult(action="decline")

    async def go():
        async with Client(server_url, mode="auto", cache=None, elicitation_callback=elicit) as c:
            return await c.call_tool("grade_design", {"answer": "a design"})

    result = anyio.run(go)
    assert result.is_error  # declined: nothing graded
    assert "docs-chatbot" in seen[0]["properties"]["prompt_id"]["enum"]


# --- tasks ------------------------------------------------------------------------------------

def test_modern_reindex_runs_as_a_task_polled_to_its_result(server_url):
    watch = TaskWatch()
    recorder = RecordingTransport()

    async def go():
        async with recording_client(recorder) as http:
            async with Client(streamable_http_client(server_url, http_client=http), mode="auto",
                              cache=None,
                              extensions=[tasks_client_extension(lambda: watch)]) as c:
                return await c.call_tool("reindex_curriculum", {"confirm": True})

    result = anyio.run(go)
    assert not result.is_error and result.structured_content["modules"] == 9
    call = next(e for e in recorder.snapshot() if rpc_method(e) == "tools/call")
    handle = call["response"]["body"]["result"]
    assert handle["resultType"] == "task" and handle["status"] == "working"
    assert {"taskId", "createdAt", "lastUpdatedAt", "ttlMs", "pollIntervalMs"} <= set(handle)
    polls = [e for e in recorder.snapshot() if rpc_method(e) == "tasks/get"]
    assert polls and polls[0]["request"]["headers"]["mcp-name"] == handle["taskId"]
    assert watch.last["status"] == "completed"


def test_legacy_reindex_stays_a_plain_call_with_progress_notifications(server_url):
    progress = []

    async def on_progress(p, total, message):
        progress.append(p)

    async def go():
        async with Client(server_url, mode="legacy",
                          extensions=[tasks_client_extension()]) as c:
            return await c.call_tool("reindex_curriculum", {"confirm": True},
                                     progress_callback=on_progress)

    result = anyio.run(go)
    assert result.structured_content["modules"] == 9 and progress == list(range(1, 11))


def slow_task_server(release: threading.Event) -> MCPServer:
    store = TaskStore()
    mcp = MCPServer("slow", extensions=[tasks_extension(store, {"wait"})])

    @mcp.tool()
    def wait() -> str:
        """Wait until released, checking for cancellation."""
        slot = task_slot()

        def work(progress):
            while not release.wait(0.01):
                progress(0, None, "waiting")
            return {"content": [{"type": "text", "text": "released"}]}

        slot.record = store.start("wait", work)
        return "started"

    return mcp


def test_a_cancelled_task_stops_and_the_client_hears_cancelled():
    release = threading.Event()
    watch = TaskWatch()
    watch.cancel.set()  # the host cancels as soon as the task exists
    with ThreadedHttpServer(slow_task_server(release)) as server:
        async def go():
            async with Client(server.url, mode="auto", cache=None,
                              extensions=[tasks_client_extension(lambda: watch)]) as c:
                return await c.call_tool("wait", {})

        result = anyio.run(go)
    release.set()
    assert result.is_error and "cancelled" in result.content[0].text
    assert watch.last["status"] == "cancelled"


def test_the_task_store_reports_a_failure_as_a_failed_task_not_an_exception():
    store = TaskStore()

    def boom(progress):
        raise RuntimeError("disk full")

    record = store.start("x", boom)
    for _ in range(200):
        if record.status != "working":
            break
        threading.Event().wait(0.01)
    wire = store.get(record.task_id).wire()
    assert wire["status"] == "failed" and "disk full" in wire["error"]["message"]
