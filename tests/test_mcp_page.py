"""The MCP explorer page in AppTest, against our real server spawned over stdio."""

from __future__ import annotations

import pytest

from labs.mcp import teach, view
from tests.conftest import page_test

PAGE = "app_pages/mcp_explorer.py"


def _button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.mark.slow
def test_explorer_page_logs_a_real_initialize_list_and_call_and_honours_a_denial():
    at = page_test(PAGE, timeout=120)
    at.run()
    assert not at.exception
    at.selectbox(key="mcp_mode").set_value("legacy").run()  # a 2025-era session
    at.button(key="mcp_connect").click().run()
    assert not at.exception
    client = at.session_state["mcp_client"]
    try:
        assert client.connected
        assert any("protocol **2025-11-25**" in m.value for m in at.markdown)

        at.text_input(key="mcp_arg_search_curriculum_query").set_value("capability negotiation")
        _button(at, "Call tool").click().run()
        assert not at.exception
        name, args, outcome = at.session_state["mcp_last_result"]
        assert (name, args["query"]) == ("search_curriculum", "capability negotiation")
        assert outcome.sent and not outcome.is_error
        assert outcome.structured["hits"][0]["module_id"] == "mcp"

        methods = [(e.direction, e.method) for e in client.log.entries()]
        assert methods[:3] == [("client→server", "initialize"), ("server→client", "initialize"),
                               ("client→server", "notifications/initialized")]
        assert ("client→server", "tools/list") in methods
        assert methods[-2:] == [("client→server", "tools/call"), ("server→client", "tools/call")]
        # the log tab shows them, one row per message
        assert any(len(df.value) == len(client.log) for df in at.dataframe)

        # replaying the log to message 1 puts the diagram back at the handshake
        at.select_slider[0].set_value(1).run()
        assert not at.exception
        assert "handshake: versions and capabilities" in teach.architecture_dot(
            teach.current_step(client.log.entries()[0]))

        # the host denies get_quiz: the call is never sent and the log records the refusal
        at.selectbox(key="mcp_perm_get_quiz").set_value("deny").run()
        at.selectbox(key="mcp_tool").set_value("get_quiz").run()
        at.text_input(key="mcp_arg_get_quiz_module_id").set_value("rag")
        sent_before = sum(1 for e in client.log.entries() if e.direction == "client→server")
        _button(at, "Call tool").click().run()
        assert not at.exception
        assert any("was not sent" in w.value for w in at.warning)
        last = client.log.entries()[-1]
        assert (last.direction, last.kind, last.method) == ("host", "denied", "tools/call")
        assert sum(1 for e in client.log.entries() if e.direction == "client→server") == \
            sent_before
    finally:
        at.button(key="mcp_disconnect").click().run()
    assert not client.connected
    assert "mcp_client" not in at.session_state
    assert len(at.session_state["mcp_last_log"]) > 0  # the log survives the disconnect


@pytest.mark.slow
def test_explorer_page_holds_a_destructive_call_for_approval_then_asks_the_servers_question():
    at = page_test(PAGE, timeout=120)
    at.run()
    at.selectbox(key="mcp_mode").set_value("legacy").run()  # a 2025-era session
    at.button(key="mcp_connect").click().run()
    client = at.session_state["mcp_client"]
    try:
        assert at.selectbox(key="mcp_perm_reindex_curriculum").value == "ask"
        at.selectbox(key="mcp_tool").set_value("reindex_curriculum").run()
        _button(at, "Call tool").click().run()
        assert not at.exception
        sent = [e.method for e in client.log.entries() if e.direction == "client→server"]
        assert "tools/call" not in sent  # held by the host
        assert client.log.entries()[-1].kind == "ask"
        assert any("Approve `reindex_curriculum`?" in w.value for w in at.warning)
        at.button(key="mcp_approve").click().run()
        for _ in range(100):  # the fragment polls every 0.5 s in a browser; AppTest reruns
            if client.form is not None:
                break
            at.run()
        assert client.form is not None and "Rebuild" in client.form.message
        at.run()
        at.checkbox(key="mcp_el_confirm").check()
        _button(at, "Send answer").click().run()
        for _ in range(100):
            if "mcp_last_result" in at.session_state and "mcp_pending" not in at.session_state:
                break
            at.run()
        name, _, outcome = at.session_state["mcp_last_result"]
        assert name == "reindex_curriculum" and outcome.sent and not outcome.is_error
        assert outcome.structured["modules"] == 9
        methods = [e.method for e in client.log.entries()]
        assert "elicitation/create" in methods  # the server's question, logged on the wire
    finally:
        at.button(key="mcp_disconnect").click().run()


def test_explorer_page_says_what_is_wrong_with_an_empty_command():
    at = page_test(PAGE)
    at.run()
    at.radio(key="mcp_source").set_value("command").run()
    at.button(key="mcp_connect").click().run()
    assert not at.exception
    assert any("enter the command" in e.value for e in at.error)
    assert "mcp_client" not in at.session_state


def test_explorer_page_counts_n_times_m_against_n_plus_m():
    at = page_test(PAGE)
    at.run()
    at.number_input(key="mcp_n").set_value(3)
    at.number_input(key="mcp_m").set_value(5).run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Bespoke connectors (N×M)"] == "15"
    assert values["With MCP (N+M)"] == "8"
    assert values["Saved"] == "7"


def test_explorer_page_offers_only_our_server_when_custom_servers_are_off(monkeypatch):
    monkeypatch.setenv("AIE_BRIDGE_MCP_CUSTOM_SERVERS", "never")
    at = page_test(PAGE)
    at.run()
    assert not at.exception
    assert at.radio(key="mcp_source").options == ["AIE Bridge (stdio subprocess)",
                                                  "AIE Bridge (streamable HTTP subprocess)"]
    assert any("AIE_BRIDGE_MCP_CUSTOM_SERVERS=always" in c.value for c in at.caption)


@pytest.mark.slow
def test_explorer_page_connects_to_our_server_over_streamable_http_and_stops_it():
    at = page_test(PAGE, timeout=120)
    at.run()
    at.radio(key="mcp_source").set_value("ours-http").run()
    at.selectbox(key="mcp_mode").set_value("legacy").run()  # a 2025-era session
    at.button(key="mcp_connect").click().run()
    assert not at.exception
    client = at.session_state["mcp_client"]
    server = at.session_state["mcp_http_server"]
    try:
        assert client.target.kind == "http" and server.running
        assert [e.method for e in client.log.entries()][:3] == [
            "initialize", "initialize", "notifications/initialized"]
        assert any("over **http**" in m.value for m in at.markdown)
    finally:
        at.button(key="mcp_disconnect").click().run()
    assert not server.running
    assert "mcp_http_server" not in at.session_state


@pytest.mark.slow
def test_explorer_page_does_not_import_heavy_libraries(tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import APP, ROOT

    code = f"""
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout=60)
at.run(); at.switch_page({PAGE!r}); at.run()
assert not at.exception, [e.value for e in at.exception]
assert [t.value for t in at.title] == ["MCP explorer"]
heavy = ("torch", "sentence_transformers", "faiss")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "AIE_BRIDGE_DATA_DIR": str(tmp_path)})
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_explorer_page_runs_one_action_in_both_eras_and_explains_the_differences():
    at = page_test(PAGE, timeout=120)
    at.run()
    at.radio(key="mcp_era_action").set_value("read_resource").run()
    at.button(key="mcp_era_run").click().run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "differs in" in d.value.columns)
    assert list(table["phase"])[0] == "setup" and "resources/read" in " ".join(
        table["2026-07-28 (stateless)"])
    assert any("sticky sessions" in m.value for m in at.markdown)
    at.select_slider(key="mcp_era_step").set_value(1).run()
    assert not at.exception
    first = at.session_state["mcp_eras"]["rows"][0]
    assert "server/discover" in teach.architecture_dot(view.era_step(first, "modern"), "http")


@pytest.mark.slow
def test_explorer_page_in_the_2026_era_follows_reindex_as_a_task_to_its_result():
    at = page_test(PAGE, timeout=120)
    at.run()
    at.selectbox(key="mcp_mode").set_value("auto").run()
    at.button(key="mcp_connect").click().run()
    client = at.session_state["mcp_client"]
    try:
        assert client.info.protocol_version == "2026-07-28"
        at.selectbox(key="mcp_perm_reindex_curriculum").set_value("allow").run()
        at.selectbox(key="mcp_tool").set_value("reindex_curriculum").run()
        at.checkbox(key="mcp_arg_reindex_curriculum_confirm").check()
        _button(at, "Call tool").click().run()
        for _ in range(100):  # a browser reruns the in-flight fragment every 0.5 s
            if "mcp_pending" not in at.session_state:
                break
            at.run()
        assert not at.exception
        _, _, outcome = at.session_state["mcp_last_result"]
        assert outcome.sent and outcome.structured["modules"] == 9
        assert outcome.task_states[0]["resultType"] == "task"
        assert any("task states (tasks/get)" in m.value for m in at.markdown)
        assert "tasks/get" in [e.method for e in client.log.entries()]
    finally:
        at.button(key="mcp_disconnect").click().run()
