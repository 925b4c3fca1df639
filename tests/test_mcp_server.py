"""The MCP server in memory: the SDK's own client connected to `build_server()` in-process,
with the initialize handshake (mode='legacy'): real MCP messages, no subprocess."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import pytest
from mcp import Client, MCPError

from labs.content import CONTENT_DIR
from labs.costsim import estimate
from labs.curriculum.loader import load_curriculum
from labs.mcp.server import build_server, lesson_markdown

TRAVERSALS = [
    "corpus://../modules/06-mcp.md",
    "corpus://northwind/../../modules/06-mcp.md",
    "corpus:///etc/passwd",
    "corpus://%2e%2e/modules/06-mcp.md",
    "corpus://%2E%2E%2Fmodules%2F06-mcp.md",
    "corpus://%252e%252e%252fmodules%252f06-mcp.md",
    "corpus://..%5cmodules%5c06-mcp.md",
    "corpus://northwind\\..\\..\\modules\\06-mcp.md",
    "corpus://C:/Windows/win.ini",
    "corpus://%2fetc%2fpasswd",
    "corpus://README.md%00.txt",
]


def run(fn, server=None):
    """Run `fn(client)` against a fresh in-memory server and return its result."""
    async def main():
        async with Client(server or build_server(), mode="legacy") as client:
            try:
                return await fn(client)
            except MCPError as e:  # returned, so it is not wrapped in the task group's group
                return e

    out = anyio.run(main)
    if isinstance(out, MCPError):
        raise out
    return out


def test_handshake_negotiates_a_version_and_declares_tools_resources_and_prompts():
    async def fn(c):
        return c.protocol_version, c.server_info, c.server_capabilities

    version, info, caps = run(fn)
    assert version == "2025-11-25"
    assert info.name == "aie-bridge"
    assert caps.tools is not None and caps.resources is not None and caps.prompts is not None


def test_every_tool_has_an_input_schema_and_a_structured_output_schema():
    tools = {t.name: t for t in run(lambda c: c.list_tools()).tools}
    assert set(tools) == {"search_curriculum", "get_quiz", "reindex_curriculum",
                          "estimate_cost", "grade_design", "ask_interviewer"}
    for tool in tools.values():
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None, tool.name
        assert tool.description
    search = tools["search_curriculum"].input_schema
    assert search["required"] == ["query"]
    assert search["properties"]["k"]["maximum"] == 20
    assert "ctx" not in tools["grade_design"].input_schema["properties"]


def test_search_curriculum_finds_the_protocol_eras_section_first_for_the_handshake():
    r = run(lambda c: c.call_tool("search_curriculum", {"query": "initialize handshake "
                                                        "capability negotiation", "k": 3}))
    assert not r.is_error
    hits = r.structured_content["hits"]
    # the 2026-07-28 section sets the legacy initialize handshake beside the stateless envelope
    assert hits[0]["section_id"] == "lesson-mcp#the-2026-07-28-revision-a-stateless-core"
    assert hits[0]["uri"] == "lesson://mcp"
    assert len(hits) == 3
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]


def test_search_curriculum_returns_no_hits_for_words_no_lesson_uses():
    r = run(lambda c: c.call_tool("search_curriculum", {"query": "zzqxv wibblefrotz"}))
    assert not r.is_error
    assert r.structured_content["hits"] == []


@pytest.mark.parametrize("args, says", [
    ({"query": "", "k": 2}, "query"),
    ({"query": "rag", "k": 99}, "less than or equal to 20"),
    ({"query": "rag", "k": "many"}, "k"),
    ({"k": 3}, "query"),
])
def test_search_curriculum_rejects_bad_arguments_with_a_tool_error(args, says):
    r = run(lambda c: c.call_tool("search_curriculum", args))
    assert r.is_error
    assert says in r.content[0].text
    assert "errors.pydantic.dev" not in r.content[0].text


def test_call_tool_rejects_unknown_arguments():
    r = run(lambda c: c.call_tool("search_curriculum", {"query": "rag", "top_k": 3}))
    assert r.is_error
    assert "does not take 'top_k'" in r.content[0].text
    assert "k, query" in r.content[0].text


def test_an_unknown_tool_is_a_tool_error_naming_it():
    r = run(lambda c: c.call_tool("drop_tables", {}))
    assert r.is_error
    assert "Unknown tool: drop_tables" in r.content[0].text


def test_get_quiz_returns_the_module_quiz_and_hides_answers_unless_asked():
    quiz = load_curriculum().quizzes["mcp"]
    hidden = run(lambda c: c.call_tool("get_quiz", {"module_id": "mcp"})).structured_content
    shown = run(lambda c: c.call_tool("get_quiz", {"module_id": "mcp",
                                                   "include_answers": True})).structured_content
    assert [q["id"] for q in hidden["questions"]] == [q.id for q in quiz.questions]
    assert all(q.get("answer") is None for q in hidden["questions"])
    assert [q["answer"] for q in shown["questions"]] == [q.answer for q in quiz.questions]
    assert shown["questions"][0]["options"][0]["explanation"] == \
        quiz.questions[0].options[0].explanation


def test_get_quiz_names_the_known_modules_for_an_unknown_id():
    r = run(lambda c: c.call_tool("get_quiz", {"module_id": "blockchain"}))
    assert r.is_error
    assert "unknown module_id 'blockchain'" in r.content[0].text
    assert "mcp" in r.content[0].text


def test_reindex_curriculum_reports_progress_once_per_module_and_once_for_the_index():
    events = []

    async def on_progress(p, total, message):
        events.append((p, total, message))

    r = run(lambda c: c.call_tool("reindex_curriculum", {"confirm": True},
                                  progress_callback=on_progress))
    n = len(load_curriculum().modules)
    assert not r.is_error
    assert r.structured_content["modules"] == n
    assert [e[0] for e in events] == list(range(1, n + 2))
    assert all(e[1] == n + 1 for e in events)
    assert "bm25" in events[-1][2].lower()


def test_estimate_cost_returns_the_cost_simulators_own_figures():
    scenario = {"requests_per_day": 20000, "input_tokens": 3000, "output_tokens": 350,
                "model": "claude-sonnet-4-6", "provider": "anthropic",
                "cached_prefix_tokens": 2000, "prompt_cache_hit_rate": 0.85}
    r = run(lambda c: c.call_tool("estimate_cost", scenario))
    assert not r.is_error
    direct = estimate(scenario)
    assert r.structured_content["monthly_cost_usd"] == direct["monthly_cost_usd"]
    assert r.structured_content["breakdown"] == direct["breakdown"]


@pytest.mark.parametrize("args, says", [
    ({"model": "no-such-model-xyz"}, "unknown model"),
    ({"model": "gpt-4o", "exact_cache_hit_rate": 0.7, "semantic_cache_hit_rate": 0.7},
     "at most 1"),
    ({"model": "gpt-4o", "batch_share": 1.5}, "batch_share"),
])
def test_estimate_cost_names_the_bad_field(args, says):
    base = {"requests_per_day": 100, "input_tokens": 500, "output_tokens": 100}
    r = run(lambda c: c.call_tool("estimate_cost", {**base, **args}))
    assert r.is_error
    assert says in r.content[0].text


def test_grade_design_refuses_an_unknown_prompt_before_loading_any_model():
    r = run(lambda c: c.call_tool("grade_design", {"prompt_id": "nope", "answer": "x"}))
    assert r.is_error
    assert "unknown prompt id 'nope'" in r.content[0].text


@pytest.mark.slow
def test_grade_design_grades_the_strong_reference_above_the_weak_and_reports_progress(embedder):
    from labs.whiteboard.loader import load_prompt

    prompt = load_prompt("docs-chatbot")
    events = []

    async def on_progress(p, total, message):
        events.append((p, total, message))

    async def fn(c):
        strong = await c.call_tool("grade_design", {"prompt_id": "docs-chatbot",
                                                    "answer": prompt.reference_answers.strong},
                                   progress_callback=on_progress)
        weak = await c.call_tool("grade_design", {"prompt_id": "docs-chatbot",
                                                  "answer": prompt.reference_answers.weak})
        return strong, weak

    strong, weak = run(fn)
    assert not strong.is_error and not weak.is_error
    assert strong.structured_content["total"] > weak.structured_content["total"]
    assert strong.structured_content["grader"].startswith("offline")
    assert [e[0] for e in events] == [0, 1, 2, 3, 4]
    assert events[-1][2].startswith("total ")


def test_resources_list_every_lesson_and_the_templates():
    async def fn(c):
        return await c.list_resources(), await c.list_resource_templates()

    resources, templates = run(fn)
    uris = {str(r.uri) for r in resources.resources}
    assert {f"lesson://{m.id}" for m in load_curriculum().modules} <= uris
    assert "corpus://index" in uris
    assert {t.uri_template for t in templates.resource_templates} == {
        "lesson://{module_id}", "design-prompt://{prompt_id}", "corpus://{+path}"}


def test_a_lesson_reads_as_markdown_through_the_template():
    r = run(lambda c: c.read_resource("lesson://rag"))
    content = r.contents[0]
    assert content.mime_type == "text/markdown"
    assert content.text == lesson_markdown(load_curriculum().module("rag"))


def test_an_unknown_lesson_is_a_not_found_error():
    with pytest.raises(MCPError) as err:
        run(lambda c: c.read_resource("lesson://blockchain"))
    assert err.value.error.code == -32602
    assert "unknown module_id" in err.value.error.message


def test_a_design_prompt_resource_shows_the_prompt_but_never_the_hidden_answers():
    from labs.whiteboard.loader import load_prompt

    p = load_prompt("docs-chatbot")
    text = run(lambda c: c.read_resource("design-prompt://docs-chatbot")).contents[0].text
    assert p.prompt.strip() in text
    assert p.hidden_requirements.freshness.answer not in text
    assert p.reference_answers.strong.strip()[:60] not in text


def test_corpus_files_read_through_the_template_and_the_index_lists_them():
    import json

    async def fn(c):
        index = json.loads((await c.read_resource("corpus://index")).contents[0].text)
        readme = (await c.read_resource("corpus://README.md")).contents[0].text
        return index, readme

    index, readme = run(fn)
    assert "corpus://README.md" in index["files"]
    assert readme == (CONTENT_DIR / "corpus" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("uri", TRAVERSALS)
def test_corpus_refuses_path_traversal(uri):
    with pytest.raises(MCPError) as err:
        run(lambda c: c.read_resource(uri))
    message = err.value.error.message
    assert err.value.error.code == -32602
    assert message.startswith(f"refused {uri}:") and "path traversal" in message


@pytest.fixture
def content_with_symlinks(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("northwind"))
    (root / "corpus" / "to_lesson.md").symlink_to(root / "modules" / "06-mcp.md")
    (root / "corpus" / "outside").symlink_to(tmp_path)
    (tmp_path / "secret.md").write_text("secret", encoding="utf-8")
    return root


def test_corpus_refuses_symlinks_even_to_files_that_exist(content_with_symlinks):
    server = build_server(content_with_symlinks)
    for uri in ("corpus://to_lesson.md", "corpus://outside/secret.md"):
        with pytest.raises(MCPError) as err:
            run(lambda c, uri=uri: c.read_resource(uri), server)
        assert "symbolic links are refused" in err.value.error.message
    assert run(lambda c: c.read_resource("corpus://README.md"), server).contents[0].text


def test_mock_interview_gives_the_public_prompt_and_sends_questions_to_ask_interviewer():
    from labs.whiteboard.loader import load_prompt

    p = load_prompt("docs-chatbot")
    r = run(lambda c: c.get_prompt("mock_interview", {"prompt_id": "docs-chatbot"}))
    brief = r.messages[0].content.text
    assert r.messages[0].role == "user" and r.messages[1].role == "assistant"
    assert p.prompt.strip() in brief and 'ask_interviewer(prompt_id="docs-chatbot"' in brief
    assert p.hidden_requirements.freshness.answer not in brief
    assert p.requirement_change.announcement not in brief


def test_mock_interview_names_the_known_prompts_for_an_unknown_id():
    with pytest.raises(MCPError) as err:
        run(lambda c: c.get_prompt("mock_interview", {"prompt_id": "nope"}))
    assert "unknown prompt id 'nope'" in err.value.error.message
    assert "docs-chatbot" in err.value.error.message


def test_explain_for_interview_is_grounded_in_the_best_lesson_sections():
    r = run(lambda c: c.get_prompt("explain_for_interview",
                                   {"topic": "reciprocal rank fusion"}))
    text = r.messages[0].content.text
    assert "reciprocal rank fusion" in text
    assert "RAG architecture" in text  # the module title of the best-matching section


def test_prompts_list_their_arguments_and_refuse_missing_ones():
    prompts = {p.name: p for p in run(lambda c: c.list_prompts()).prompts}
    assert [a.name for a in prompts["mock_interview"].arguments] == ["prompt_id"]
    assert prompts["explain_for_interview"].arguments[0].required
    with pytest.raises(MCPError):
        run(lambda c: c.get_prompt("explain_for_interview", {}))
