"""The MCP lab's pure parts: path checks, the Origin rule, the message log, the schema-built
form, the diagram's highlighting and the N×M arithmetic."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import anyio
import pytest
from mcp import Client

from labs.mcp import explorer, paths, search, server, teach, wire
from labs.mcp.explorer import MessageLog, check_url, parse_command
from labs.mcp.paths import PathRefused, check_relative, resolve_inside
from labs.mcp.server import origin_allowed


@pytest.mark.parametrize("module", [paths, server, teach, explorer, search, wire])
def test_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.failed == 0


@pytest.mark.parametrize("bad, says", [
    ("../x.md", "'..'"),
    ("a/../../x.md", "'..'"),
    ("%2e%2e/x.md", "'..'"),
    ("%252e%252e%252fx.md", "'..'"),
    ("%25252e%25252e/x", "'..'"),
    ("/etc/passwd", "absolute"),
    ("%2Fetc%2Fpasswd", "absolute"),
    ("C:/Windows/win.ini", "absolute"),
    ("a\\b.md", "backslash"),
    ("a%5cb.md", "backslash"),
    ("x.md%00.txt", "control character"),
    ("a//b.md", "empty path segment"),
    ("", "empty path"),
])
def test_check_relative_refuses_every_escape_and_says_which(bad, says):
    with pytest.raises(PathRefused, match=says):
        check_relative(bad)


def test_resolve_inside_serves_plain_files_and_refuses_directories_other_types_and_symlinks(
        tmp_path: Path):
    root = tmp_path / "corpus"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "a.md").write_text("hello", encoding="utf-8")
    (root / "run.sh").write_text("echo", encoding="utf-8")
    (root / "link.md").symlink_to(root / "docs" / "a.md")
    assert resolve_inside(root, "docs/a.md").read_text() == "hello"
    with pytest.raises(PathRefused, match="not a file"):
        resolve_inside(root, "docs")
    with pytest.raises(PathRefused, match="only .md"):
        resolve_inside(root, "run.sh")
    with pytest.raises(PathRefused, match="symbolic links"):
        resolve_inside(root, "link.md")
    with pytest.raises(PathRefused, match="no such file"):
        resolve_inside(root, "docs/missing.md")
    assert paths.list_files(root) == ["docs/a.md"]


@pytest.mark.parametrize("origin, ok", [
    ("http://localhost:8501", True),
    ("http://127.0.0.1:3000", True),
    ("http://[::1]:8080", True),
    ("https://localhost", True),
    ("https://evil.example", False),
    ("http://localhost.evil.example", False),
    ("http://127.0.0.1.nip.io:80", False),
    ("null", False),
    ("file://", False),
    ("http://localhost:80abc", False),
])
def test_origin_allowed_accepts_only_local_browser_origins(origin, ok):
    assert origin_allowed(origin) is ok


def test_origin_allowed_accepts_an_origin_listed_by_the_operator():
    assert origin_allowed("https://app.example.com", ["https://app.example.com"])


def test_message_log_labels_responses_with_the_method_they_answer_and_exports_json():
    log = MessageLog("stdio")
    log.record("client→server", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    log.record("server→client", {"jsonrpc": "2.0", "id": 1, "result": {"tools": []}})
    log.record("server→client", {"jsonrpc": "2.0", "method": "notifications/progress",
                                 "params": {"progress": 1}})
    log.record("server→client", {"jsonrpc": "2.0", "id": 9, "error": {"code": -1}})
    kinds = [(e.kind, e.method, e.id) for e in log.entries()]
    assert kinds == [("request", "tools/list", 1), ("response", "tools/list", 1),
                     ("notification", "notifications/progress", None), ("error", None, 9)]
    exported = json.loads(log.to_json())
    assert exported["transport"] == "stdio"
    assert [m["seq"] for m in exported["messages"]] == [1, 2, 3, 4]


def test_bad_targets_are_refused_before_anything_is_spawned():
    with pytest.raises(explorer.ExplorerError, match="enter the command"):
        parse_command("   ")
    with pytest.raises(explorer.ExplorerError, match="cannot parse"):
        parse_command('python -c "unterminated')
    with pytest.raises(explorer.ExplorerError, match="http"):
        check_url("ftp://example.com/mcp")
    with pytest.raises(explorer.ExplorerError, match="http"):
        check_url("localhost:8765")


def _tool_schemas() -> dict[str, dict]:
    async def main():
        async with Client(server.build_server(), mode="legacy") as c:
            return {t.name: t.input_schema for t in (await c.list_tools()).tools}

    return anyio.run(main)


def test_forms_built_from_our_tool_schemas_have_the_right_widgets_and_bounds():
    schemas = _tool_schemas()
    search_fields = {f.name: f for f in teach.form_fields(schemas["search_curriculum"])}
    assert search_fields["query"].kind == "string" and search_fields["query"].required
    assert search_fields["k"].kind == "integer"
    assert (search_fields["k"].minimum, search_fields["k"].maximum, search_fields["k"].default) \
        == (1, 20, 5)
    cost = {f.name: f for f in teach.form_fields(schemas["estimate_cost"])}
    assert cost["provider"].kind == "string" and cost["provider"].nullable
    assert cost["streaming"].kind == "boolean"
    assert cost["batch_share"].kind == "number" and cost["batch_share"].maximum == 1.0
    grade = {f.name: f for f in teach.form_fields(schemas["grade_design"])}
    assert grade["answer"].kind == "text"
    assert [f.required for f in teach.form_fields(schemas["estimate_cost"])][:4] == [True] * 4


def test_form_values_become_arguments_and_the_schema_check_names_problems():
    schema = _tool_schemas()["search_curriculum"]
    fields = teach.form_fields(schema)
    args, problems = teach.build_arguments(fields, {"query": "rrf", "k": 3})
    assert (args, problems) == ({"query": "rrf", "k": 3}, [])
    assert teach.check_arguments(schema, args) == []
    args, problems = teach.build_arguments(fields, {"query": "  ", "k": 3})
    assert problems == ["query is required"]
    bad = teach.check_arguments(schema, {"query": "x", "k": 50})
    assert bad and bad[0].startswith("k:")


def test_a_json_field_must_hold_json():
    fields = teach.form_fields({"type": "object", "properties": {"tags": {"type": "array"}},
                                "required": ["tags"]})
    assert fields[0].kind == "json"
    assert teach.build_arguments(fields, {"tags": '["a"]'}) == ({"tags": ["a"]}, [])
    _, problems = teach.build_arguments(fields, {"tags": "[a"})
    assert problems and "not valid JSON" in problems[0]


def test_the_diagram_lights_the_backend_for_a_call_and_the_host_in_red_for_a_denial():
    log = MessageLog("stdio")
    call = log.record("client→server", {"jsonrpc": "2.0", "id": 3, "method": "tools/call"})
    dot = teach.architecture_dot(teach.current_step(call))
    assert f'backend [label="curriculum, quizzes,\\ncost model, grader", shape=cylinder, ' \
           f'fillcolor="{teach.ACTIVE}"]' in dot
    listing = log.record("client→server", {"jsonrpc": "2.0", "id": 4, "method": "tools/list"})
    assert f'shape=cylinder, fillcolor="{teach.IDLE}"' in teach.architecture_dot(
        teach.current_step(listing))
    denied = log.record("host", {"tool": "x"}, kind="denied", method="tools/call")
    dot = teach.architecture_dot(teach.current_step(denied))
    assert f'fillcolor="{teach.DENIED}"' in dot
    assert "never left the host" in dot
    assert "not connected" in teach.architecture_dot(teach.current_step(None))


def test_integration_counts_grow_multiplicatively_without_mcp_and_additively_with_it():
    assert teach.integrations(1, 1) == (1, 2)  # one host, one system: MCP is not a saving
    assert teach.integrations(10, 50) == (500, 60)
    curve = teach.integration_curve(3, 4)
    assert [r["bespoke (N×M)"] for r in curve] == [3, 6, 9, 12]
    assert [r["MCP (N+M)"] for r in curve] == [4, 5, 6, 7]
    with pytest.raises(ValueError):
        teach.integrations(-1, 3)


def test_lesson_sections_cover_every_heading_with_the_corpus_slug_rule():
    from labs.curriculum.loader import load_curriculum

    cur = load_curriculum()
    sections = search.lesson_sections(cur)
    mcp_heads = [s.heading for s in sections if s.module_id == "mcp"]
    body_heads = [line[3:].strip() for line in cur.module("mcp").body.splitlines()
                  if line.startswith("## ")]
    assert [h for h in mcp_heads if h in body_heads] == body_heads
    assert len({s.id for s in sections}) == len(sections)


def test_only_a_local_browser_may_name_its_own_server_unless_the_operator_says_otherwise(
        monkeypatch):
    monkeypatch.delenv(explorer.CUSTOM_SERVERS_ENV, raising=False)
    assert explorer.custom_servers_allowed(None)
    assert not explorer.custom_servers_allowed("198.51.100.4")
    monkeypatch.setenv(explorer.CUSTOM_SERVERS_ENV, "always")
    assert explorer.custom_servers_allowed("198.51.100.4")
    monkeypatch.setenv(explorer.CUSTOM_SERVERS_ENV, "never")
    assert not explorer.custom_servers_allowed(None)


def test_the_cli_refuses_a_bad_port_and_a_folder_without_lessons(capsys, tmp_path):
    from labs.cli import main

    assert main(["mcp", "serve", "--transport", "http", "--port", "0"]) == 1
    assert "error: --port must be between 1 and 65535" in capsys.readouterr().err
    assert main(["mcp", "serve", "--content", str(tmp_path)]) == 1
    assert "is not a content folder" in capsys.readouterr().err


def test_the_cli_lists_what_the_server_offers(capsys):
    from labs.cli import main

    assert main(["mcp", "list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert "search_curriculum" in listed["tools"]
    assert "corpus://{+path}" in listed["resource_templates"]
