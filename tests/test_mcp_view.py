"""The explorer's view layer without Streamlit: the two-era alignment and its explanations, the
live log panel, call status lines, outcomes and figures; and the explorer client's host-side
"ask" that holds a call until the learner approves, over real streamable HTTP."""

from __future__ import annotations

import threading

import plotly.graph_objects as go
import pytest

from labs.mcp import eras, view
from labs.mcp.explorer import ExplorerClient, ExplorerError, MessageLog, Target, ToolOutcome
from labs.mcp.teach import form_fields
from labs.mcp.wire import ThreadedHttpServer


@pytest.fixture(scope="module")
def server_url():
    with ThreadedHttpServer() as server:
        yield server.url


@pytest.fixture(scope="module")
def call_comparison(server_url):
    return eras.compare("call_tool", server_url)


def test_eras_align_setup_action_and_teardown_with_the_handshake_unmatched(call_comparison):
    rows = call_comparison["rows"]
    pairs = [(r.phase, r.modern and r.modern.method, r.legacy and r.legacy.method) for r in rows]
    assert pairs[0] == ("setup", "server/discover", "initialize")
    assert ("setup", None, "notifications/initialized") in pairs
    assert ("action", "tools/call", "tools/call") in pairs
    assert pairs[-1] == ("teardown", None, "DELETE session")


def test_the_action_row_names_every_difference_and_each_is_explained(call_comparison):
    call = next(r for r in call_comparison["rows"] if r.phase == "action")
    assert set(call.differences) == {"meta", "routing", "session"}
    explained = dict(eras.explanations(call_comparison["rows"]))
    assert {"handshake", "meta", "routing", "session", "teardown"} <= set(explained)
    assert "sticky" in explained["session"]
    table = eras.table(call_comparison["rows"])
    assert table[0]["2026-07-28 (stateless)"].startswith("server/discover → 200")
    assert "Mcp-Name: search_curriculum" in next(
        t["2026-07-28 (stateless)"] for t in table if t["phase"] == "action")


def test_a_listing_differs_by_its_caching_hints_too(server_url):
    rows = eras.compare("list_tools", server_url)["rows"]
    listing = next(r for r in rows if r.phase == "action")
    assert "cache" in listing.differences
    assert listing.modern.hints == {"ttlMs": 300_000, "cacheScope": "public"}
    assert listing.legacy.hints == {}


def test_capabilities_read_the_same_in_both_eras_but_the_tasks_extension(call_comparison):
    modern = dict(eras.capabilities(call_comparison["modern"]))
    legacy = eras.capabilities(call_comparison["legacy"])
    assert modern.pop("extensions") == {"io.modelcontextprotocol/tasks": {}}
    assert modern == legacy


def test_an_unknown_action_is_refused_before_any_server_starts():
    with pytest.raises(ValueError, match="unknown action"):
        eras.compare("delete_everything")


def test_era_steps_light_the_backend_only_for_the_call(call_comparison):
    rows = call_comparison["rows"]
    call = next(r for r in rows if r.phase == "action")
    assert view.era_step(call, "modern").backend
    assert not view.era_step(rows[0], "legacy").backend
    assert "no such step" in view.era_step(rows[-1], "modern").caption


def test_the_log_panel_explains_input_required_and_the_hosts_hold():
    log = MessageLog("http")
    log.record("client→server", {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                 "params": {"name": "reindex_curriculum"}})
    log.record("server→client", {"jsonrpc": "2.0", "id": 1,
                                 "result": {"resultType": "input_required"}})
    log.record("host", {"tool": "x"}, kind="ask", method="tools/call")
    panel = view.log_panel(log.entries())
    assert panel.count == 3 and len(panel.details) == 3
    assert "asks the user" in panel.rows[1]["note"]
    assert "approves" in panel.rows[2]["note"]
    assert '"messages"' in panel.export


def test_outcomes_read_as_success_warning_or_error():
    ok = view.outcome_view("t", {"a": 1}, ToolOutcome(sent=True, structured={"x": 1},
                                                     task_states=[{"status": "completed"}]))
    assert ok.level == "success" and ok.task == [{"status": "completed", "statusMessage": None,
                                                  "lastUpdatedAt": None}]
    assert view.outcome_view("t", {}, ToolOutcome(sent=False, denied_reason="no")).level \
        == "warning"
    assert view.outcome_view("t", {}, "boom").level == "error"


def test_widget_specs_and_elicitation_forms_share_one_shape():
    schema = {"type": "object", "properties": {
        "confirm": {"type": "boolean", "description": "Rebuild?"},
        "prompt_id": {"type": "string", "enum": ["a", "b"]}}, "required": ["confirm"]}
    elicit = {f["name"]: f for f in view.form_defaults(schema)}
    assert elicit["confirm"]["kind"] == "boolean" and elicit["confirm"]["label"] == "Rebuild?"
    assert elicit["prompt_id"]["options"] == ["a", "b"]
    tool = view.widget_specs(form_fields({"type": "object", "properties": {
        "k": {"type": "integer", "minimum": 1}}}))
    assert tool[0]["default"] == 1 and set(tool[0]) >= set(elicit["confirm"])


def test_figures_are_valid_plotly():
    rows = [{"transport": "stdio", "step": "initialize", "ms": 3.0, "messages": 3, "bytes": 9},
            {"transport": "http", "step": "initialize", "ms": 5.0, "messages": 3, "bytes": 9}]
    for fig in (view.transport_figure(rows), view.integration_figure(3, 5)):
        go.Figure(fig.to_dict())  # validates every property
    assert list(view.integration_figure(3, 5).data[0].y)[-1] == 15


def test_ask_holds_a_call_until_the_learner_approves(server_url):
    with ExplorerClient(Target("http", url=server_url), mode="auto") as c:
        c.list_tools()
        assert c.permission("reindex_curriculum") == "ask"  # destructiveHint
        assert c.permission("search_curriculum") == "allow"
        pending = c.start_tool_call("reindex_curriculum", {"confirm": True})
        threading.Event().wait(0.3)
        sent = [e.method for e in c.log.entries() if e.direction == "client→server"]
        assert "tools/call" not in sent and pending.awaiting_approval and not pending.done()
        assert "approval" in view.call_status(pending)[1]
        with pytest.raises(ExplorerError, match="approval"):
            pending.result(1)
        pending.approve()
        outcome = pending.result(60)
    assert outcome.sent and outcome.structured["modules"] == 9
    # the 2026 client took the task: the result came from tasks/get
    assert outcome.task_states[0]["resultType"] == "task"
    assert outcome.task_states[-1]["status"] == "completed"


def test_a_rejected_ask_is_never_sent(server_url):
    with ExplorerClient(Target("http", url=server_url), mode="legacy",
                        permissions={"search_curriculum": "ask"}) as c:
        pending = c.start_tool_call("search_curriculum", {"query": "rag"})
        pending.reject()
        outcome = pending.result(5)
        sent = [e.method for e in c.log.entries() if e.direction == "client→server"]
    assert not outcome.sent and "did not approve" in outcome.denied_reason
    assert "tools/call" not in sent


def test_a_prompt_form_lists_the_ids_and_refuses_a_blank_required_argument():
    prompt = {"name": "mock_interview", "arguments": [{"name": "prompt_id", "required": True}]}
    resources = [{"uri": "design-prompt://docs-chatbot"}, {"uri": "lesson://mcp"}]
    assert view.prompt_hint(prompt, resources) == "prompt_id is one of: `docs-chatbot`"
    assert view.prompt_hint({"arguments": [{"name": "topic"}]}, resources) is None
    assert "`prompt_id`" in view.missing_arguments(prompt, {"prompt_id": "  "})
    assert view.missing_arguments(prompt, {"prompt_id": "docs-chatbot"}) is None


def test_the_explorer_shows_the_servers_question_and_logs_both_round_trips(server_url):
    with ExplorerClient(Target("http", url=server_url), mode="auto",
                        permissions={"reindex_curriculum": "allow"}) as c:
        pending = c.start_tool_call("reindex_curriculum", {})
        for _ in range(400):
            if c.form is not None:
                break
            threading.Event().wait(0.01)
        assert c.form is not None and c.form.schema["properties"]["confirm"]["type"] == "boolean"
        c.form.answer("accept", {"confirm": True})
        outcome = pending.result(60)
        panel = view.log_panel(c.log.entries())
    assert outcome.sent and not outcome.is_error
    calls = [r for r in panel.rows if r["method"] == "tools/call" and r["kind"] == "request"]
    assert len(calls) == 2  # the first try, and the retry with the answer
    notes = [r["note"] for r in panel.rows]
    assert any("needs input" in n for n in notes) and any("retry" in n for n in notes)
