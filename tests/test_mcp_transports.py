"""The server as a real subprocess: the SDK's client over stdio and over streamable HTTP
(`aie-bridge mcp serve --transport http` on a free port), the Origin check with raw HTTP
requests, and the explorer's client (transport-level log, host permissions) on both."""

from __future__ import annotations

import os
import sys

import anyio
import httpx
import pytest
from mcp import Client, MCPError, StdioServerParameters

from labs.mcp.explorer import ExplorerClient, LocalHttpServer, Target, scripted_exchange

pytestmark = pytest.mark.slow

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw-httpx", "version": "0"}}}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def http_server():
    with LocalHttpServer() as server:
        yield server


def stdio_params() -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "labs.cli", "mcp", "serve", "--transport", "stdio"],
        env={"AIE_BRIDGE_DATA_DIR": os.environ["AIE_BRIDGE_DATA_DIR"], "HF_HUB_OFFLINE": "1"})


def walk_everything(server) -> dict:
    """Every tool, resource, template and prompt through the SDK client, plus the bad cases."""

    async def main():
        out: dict = {"errors": {}}
        async with Client(server, mode="legacy", read_timeout_seconds=60) as c:
            out["version"] = c.protocol_version
            out["tools"] = [t.name for t in (await c.list_tools()).tools]
            out["search"] = await c.call_tool("search_curriculum",
                                              {"query": "N×M integrations", "k": 2})
            out["quiz"] = await c.call_tool("get_quiz", {"module_id": "rag"})
            progress = []

            async def on_progress(p, total, message):
                progress.append(p)

            out["reindex"] = await c.call_tool("reindex_curriculum", {"confirm": True},
                                               progress_callback=on_progress)
            out["progress"] = progress
            out["cost"] = await c.call_tool("estimate_cost", {
                "requests_per_day": 1000, "input_tokens": 800, "output_tokens": 200,
                "model": "gpt-4o", "provider": "openai"})
            out["grade_unknown"] = await c.call_tool("grade_design",
                                                     {"prompt_id": "nope", "answer": "x"})
            out["bad_args"] = await c.call_tool("get_quiz", {"module_id": 7})
            out["unknown_args"] = await c.call_tool("get_quiz", {"module": "rag"})
            out["unknown_tool"] = await c.call_tool("no_such_tool", {})
            out["resources"] = [str(r.uri) for r in (await c.list_resources()).resources]
            out["templates"] = [t.uri_template for t in
                                (await c.list_resource_templates()).resource_templates]
            out["lesson"] = (await c.read_resource("lesson://mcp")).contents[0]
            out["design"] = (await c.read_resource("design-prompt://docs-chatbot")).contents[0]
            out["corpus"] = (await c.read_resource("corpus://README.md")).contents[0]
            for uri in ("corpus://../modules/06-mcp.md", "corpus://%252e%252e%252fx",
                        "corpus:///etc/passwd", "corpus://a%5c..%5c..%5cb"):
                try:
                    await c.read_resource(uri)
                except MCPError as e:
                    out["errors"][uri] = e.error.message
            out["prompts"] = [p.name for p in (await c.list_prompts()).prompts]
            out["mock"] = await c.get_prompt("mock_interview", {"prompt_id": "docs-chatbot"})
            out["explain"] = await c.get_prompt("explain_for_interview", {"topic": "MCP"})
        return out

    return anyio.run(main)


def check_walk(out: dict) -> None:
    assert out["version"] == "2025-11-25"
    assert set(out["tools"]) == {"search_curriculum", "get_quiz", "reindex_curriculum",
                                 "estimate_cost", "grade_design", "ask_interviewer"}
    assert out["search"].structured_content["hits"][0]["module_id"] == "mcp"
    assert out["quiz"].structured_content["module_id"] == "rag"
    assert out["reindex"].structured_content["modules"] == 9
    assert out["progress"] == list(range(1, 11))
    assert out["cost"].structured_content["monthly_cost_usd"] > 0
    assert out["grade_unknown"].is_error
    assert out["bad_args"].is_error and "module_id" in out["bad_args"].content[0].text
    assert out["unknown_args"].is_error and "'module'" in out["unknown_args"].content[0].text
    assert out["unknown_tool"].is_error
    assert "Unknown tool: no_such_tool" in out["unknown_tool"].content[0].text
    assert "lesson://mcp" in out["resources"]
    assert "corpus://{+path}" in out["templates"]
    assert out["lesson"].text.startswith("# The Model Context Protocol")
    assert "documentation" in out["design"].text
    assert "Northwind" in out["corpus"].text
    assert len(out["errors"]) == 4  # every traversal refused
    assert out["prompts"] == ["mock_interview", "explain_for_interview"]
    assert len(out["mock"].messages) == 2
    assert "MCP" in out["explain"].messages[0].content.text


def test_every_tool_resource_and_prompt_over_stdio():
    check_walk(walk_everything(stdio_params()))


def test_every_tool_resource_and_prompt_over_streamable_http(http_server):
    check_walk(walk_everything(http_server.url))


def test_a_foreign_origin_gets_403_and_never_reaches_mcp(http_server):
    r = httpx.post(http_server.url, json=INIT,
                   headers={**HEADERS, "Origin": "https://evil.example"}, timeout=10)
    assert r.status_code == 403
    assert "not allowed" in r.json()["error"]["message"]
    sneaky = httpx.post(http_server.url, json=INIT, timeout=10,
                        headers={**HEADERS, "Origin": "http://localhost.evil.example:8000"})
    assert sneaky.status_code == 403


def test_a_local_origin_and_no_origin_are_served(http_server):
    port = http_server.port
    for headers in ({**HEADERS, "Origin": f"http://localhost:{port}"}, HEADERS):
        r = httpx.post(http_server.url, json=INIT, headers=headers, timeout=10)
        assert r.status_code == 200
        assert '"protocolVersion":"2025-11-25"' in r.text


def test_explorer_log_shows_the_handshake_listing_and_call_in_order_on_both_transports(
        http_server):
    for target in (Target.ours(), Target("http", url=http_server.url)):
        steps, log = scripted_exchange(target, "rate limits")
        flow = [(e.direction, e.kind, e.method) for e in log.entries()]
        assert flow == [
            ("client→server", "request", "initialize"),
            ("server→client", "response", "initialize"),
            ("client→server", "notification", "notifications/initialized"),
            ("client→server", "request", "tools/list"),
            ("server→client", "response", "tools/list"),
            ("client→server", "request", "tools/call"),
            ("server→client", "response", "tools/call"),
        ], target.kind
        assert [s.step for s in steps] == ["initialize", "tools/list", "tools/call"]
        assert all(s.bytes > 0 and s.ms > 0 for s in steps)
        init = log.entries()[0].payload
        assert init["params"]["clientInfo"]["name"] == "aie-bridge-explorer"


def test_a_denied_tool_is_never_sent_and_the_log_says_so():
    with ExplorerClient(Target.ours(), permissions={"get_quiz": False}) as c:
        before = len(c.log)
        outcome = c.call_tool("get_quiz", {"module_id": "rag"})
        after = c.log.entries()[before:]
        allowed = c.call_tool("search_curriculum", {"query": "rag"})
    assert not outcome.sent and "deny" in outcome.denied_reason
    assert [(e.direction, e.kind) for e in after] == [("host", "denied")]
    assert allowed.sent and not allowed.is_error


def test_explorer_reports_progress_notifications_of_a_long_tool():
    with ExplorerClient(Target.ours(), permissions={"reindex_curriculum": "allow"}) as c:
        outcome = c.call_tool("reindex_curriculum", {"confirm": True})
        kinds = [e.method for e in c.log.entries() if e.kind == "notification"]
    assert len(outcome.progress) == 10
    assert kinds.count("notifications/progress") == 10


def test_auto_mode_discovers_the_2026_protocol_without_an_initialize():
    with ExplorerClient(Target.ours(), mode="auto") as c:
        methods = [e.method for e in c.log.entries()]
        assert c.info.protocol_version == "2026-07-28"
    assert methods[0] == "server/discover"
    assert "initialize" not in methods


def test_explorer_turns_a_missing_command_and_a_dead_url_into_one_sentence():
    from labs.mcp.explorer import ExplorerError

    with pytest.raises(ExplorerError, match="command not found"):
        ExplorerClient(Target("stdio", command="no-such-mcp-server-binary")).connect()
    with pytest.raises(ExplorerError, match="could not connect"):
        ExplorerClient(Target("http", url="http://127.0.0.1:9/mcp"), timeout=5).connect()


def _our_server_children() -> list[int]:
    """PIDs of this process's children that run `mcp serve` (read from /proc)."""
    from pathlib import Path

    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and b"mcp serve" in cmd:
            out.append(int(stat.parent.name))
    return out


def test_a_dropped_explorer_session_ends_its_server_process():
    import gc
    import time

    before = set(_our_server_children())
    client = ExplorerClient(Target.ours())
    client.connect()
    spawned = set(_our_server_children()) - before
    assert len(spawned) == 1
    del client  # a Streamlit session that ends without pressing Disconnect
    gc.collect()
    deadline = time.monotonic() + 10
    while spawned & set(_our_server_children()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not spawned & set(_our_server_children())
