"""The interviewer keeps its secrets: no prompt or resource carries a design prompt's hidden
requirements or trap, and `ask_interviewer` answers one clarifying question at a time with
the Whiteboard page's own matching."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

from labs.mcp.server import build_server
from labs.whiteboard.interviewer import DECLINE, ask
from labs.whiteboard.loader import load_prompt


def secrets_of(p) -> list[str]:
    """Every sentence a candidate must earn: hidden answers, the change, the trap, the answers."""
    hidden = [getattr(p.hidden_requirements, d).answer for d in
              ("read_write", "freshness", "latency_budget", "eval_rubric", "multi_tenancy")]
    trap_lines = [line.strip() for line in p.trap.splitlines() if len(line.strip()) > 30]
    return [*hidden, p.requirement_change.announcement, p.headline_answer, *trap_lines]


def test_no_mcp_prompt_or_resource_exposes_hidden_requirements_or_the_trap():
    async def collect():
        texts = []
        async with Client(build_server(), mode="legacy") as c:
            ids = [str(r.uri).split("://", 1)[1] for r in (await c.list_resources()).resources
                   if str(r.uri).startswith("design-prompt://")]
            for r in (await c.list_resources()).resources:
                texts += [x.text for x in (await c.read_resource(str(r.uri))).contents]
            for pid in ids:
                got = await c.get_prompt("mock_interview", {"prompt_id": pid})
                texts += [m.content.text for m in got.messages]
            for topic in ("docs chatbot freshness", "tenant isolation", "latency budget"):
                got = await c.get_prompt("explain_for_interview", {"topic": topic})
                texts += [m.content.text for m in got.messages]
        return ids, "\n".join(texts)

    ids, everything = anyio.run(collect)
    assert len(ids) >= 10
    leaks = [(pid, s[:60]) for pid in ids for s in secrets_of(load_prompt(pid))
             if s in everything]
    assert leaks == []


def call(tool: str, args: dict):
    async def go():
        async with Client(build_server(), mode="legacy") as c:
            return await c.call_tool(tool, args)

    return anyio.run(go)


@pytest.mark.slow
def test_ask_interviewer_answers_a_freshness_question_from_the_hidden_requirements(embedder):
    p = load_prompt("docs-chatbot")
    question = "How quickly must an edited doc page show up in the answers?"
    r = call("ask_interviewer", {"prompt_id": "docs-chatbot", "question": question})
    out = r.structured_content
    same = ask(p, question, embedder=embedder)  # the Whiteboard page's matching, called directly
    assert not r.is_error and out["dimension"] == same.dimension == "freshness"
    assert out["answer"] == p.hidden_requirements.freshness.answer and not out["declined"]


@pytest.mark.slow
def test_ask_interviewer_declines_a_question_off_the_five_dimensions(embedder):
    r = call("ask_interviewer", {"prompt_id": "docs-chatbot",
                                 "question": "What is your favourite football team?"})
    out = r.structured_content
    assert out["declined"] and out["dimension"] is None and out["answer"] == DECLINE


def test_ask_interviewer_refuses_an_unknown_prompt_and_a_blank_question():
    unknown = call("ask_interviewer", {"prompt_id": "nope", "question": "read or write?"})
    assert unknown.is_error and "docs-chatbot" in unknown.content[0].text
    blank = call("ask_interviewer", {"prompt_id": "docs-chatbot", "question": "   "})
    assert blank.is_error
