"""The curriculum in content/ validates, and broken content is reported by file and field."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from labs.cli import main
from labs.content import ContentError
from labs.curriculum.lesson import MAX_RANKS_ACROSS, legible_dot, lesson_sections, rank_count
from labs.curriculum.loader import lesson_blocks, load_curriculum


@pytest.fixture(scope="module")
def curriculum():
    return load_curriculum()


def test_bundled_curriculum_has_nine_modules_in_track_order(curriculum):
    assert [m.id for m in curriculum.modules] == [
        "shape-map", "rag", "evals", "adaptation", "agents", "mcp", "system-design",
        "cost-latency", "articulation"]


def test_every_module_has_enough_questions_cards_and_a_diagram(curriculum):
    for m in curriculum.modules:
        quiz = curriculum.quizzes[m.id]
        assert len(quiz.questions) >= 6, m.id
        assert {q.kind.value for q in quiz.questions} == {"single", "scenario"}, m.id
        assert len(curriculum.decks[m.id].cards) >= 8, m.id
        kinds = [b.kind for b in lesson_blocks(m.body)]
        assert "dot" in kinds and "de-fails" in kinds, m.id
        for q in quiz.questions:
            assert all(len(o.explanation) > 20 for o in q.options), q.id


def test_answers_are_not_always_in_the_same_position(curriculum):
    positions = {q.answer for quiz in curriculum.quizzes.values() for q in quiz.questions}
    assert len(positions) >= 3


def test_articulation_module_carries_a_ninety_second_outline(curriculum):
    outline = curriculum.module("articulation").script_outline
    assert [s.id for s in outline] == ["frame", "architecture", "bottleneck", "tradeoffs",
                                       "eval-plan", "close"]
    assert sum(s.seconds for s in outline) == 90


def test_decision_trainer_has_twelve_scenarios_spread_across_methods(curriculum):
    trainer = curriculum.trainer
    assert len(trainer.scenarios) >= 12
    assert len({s.best for s in trainer.scenarios}) >= 4


def test_lesson_blocks_split_special_fences_in_order():
    body = "intro\n```dot\ndigraph G { a -> b }\n```\nmiddle\n```de-fails\ncareful\n```\nend\n"
    assert [(b.kind, b.text.strip()) for b in lesson_blocks(body)] == [
        ("markdown", "intro"), ("dot", "digraph G { a -> b }"), ("markdown", "middle"),
        ("de-fails", "careful"), ("markdown", "end")]


def _edit_yaml(path: Path, edit) -> None:
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_answer_index_out_of_range_names_file_and_field(content_copy):
    path = content_copy / "quizzes" / "rag.yaml"
    _edit_yaml(path, lambda d: d["questions"][2].__setitem__("answer", 9))
    with pytest.raises(ContentError) as e:
        load_curriculum(content_copy)
    assert any(str(path) in p and "questions.2" in p and "out of range" in p
               for p in e.value.problems)


def test_duplicate_question_id_is_reported(content_copy):
    path = content_copy / "quizzes" / "evals.yaml"
    _edit_yaml(path, lambda d: d["questions"][1].__setitem__("id", d["questions"][0]["id"]))
    with pytest.raises(ContentError) as e:
        load_curriculum(content_copy)
    assert any("duplicate id" in p and "questions.1.id" in p for p in e.value.problems)


def test_quiz_for_an_unknown_module_is_a_broken_reference(content_copy):
    _edit_yaml(content_copy / "flashcards" / "mcp.yaml", lambda d: d.__setitem__("module", "mcpx"))
    with pytest.raises(ContentError) as e:
        load_curriculum(content_copy)
    problems = "\n".join(e.value.problems)
    assert "unknown module id 'mcpx'" in problems
    assert "module 'mcp' has no flashcards" in problems


def test_module_without_quiz_is_reported(content_copy):
    (content_copy / "quizzes" / "agents.yaml").unlink()
    with pytest.raises(ContentError, match="module 'agents' has no quiz"):
        load_curriculum(content_copy)


def test_unknown_front_matter_field_and_bad_lab_name_the_field(content_copy):
    path = content_copy / "modules" / "02-rag.md"
    text = path.read_text().replace("labs: [retrieval]", "labs: [retreival]\ncolour: blue", 1)
    path.write_text(text)
    with pytest.raises(ContentError) as e:
        load_curriculum(content_copy)
    problems = "\n".join(e.value.problems)
    assert f"{path}: field labs.0" in problems
    assert f"{path}: field colour: Extra inputs are not permitted" in problems


def test_non_utf8_and_invalid_yaml_are_reported_not_raised(content_copy):
    (content_copy / "quizzes" / "rag.yaml").write_bytes(b"\xff\xfe module: rag")
    (content_copy / "flashcards" / "rag.yaml").write_text("cards: [unclosed")
    with pytest.raises(ContentError) as e:
        load_curriculum(content_copy)
    problems = "\n".join(e.value.problems)
    assert "rag.yaml: not UTF-8 text" in problems
    assert "rag.yaml: invalid YAML" in problems


def test_content_check_cli_passes_on_bundled_content(capsys):
    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    assert "content OK: 9 modules" in out
    for part in ("golden queries", "eval items", "design prompts", "cache-log queries"):
        assert part in out


def test_content_check_cli_fails_naming_the_file(content_copy, capsys):
    _edit_yaml(content_copy / "quizzes" / "mcp.yaml",
               lambda d: d["questions"][0].__setitem__("answer", 7))
    assert main(["content", "check", "--root", str(content_copy)]) == 1
    err = capsys.readouterr().err
    assert "mcp.yaml: field questions.0" in err and "1 problem(s)" in err


def test_console_script_prints_its_version():
    out = subprocess.run([sys.executable, "-m", "labs.cli", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "aie-bridge 0.1.0"


def test_content_check_covers_the_labs_data(content_copy, capsys):
    (content_copy / "evals" / "similarity_pairs.yaml").write_text("pairs: [{id: x, a: hi}]")
    prompt = content_copy / "whiteboard" / "prompts" / "docs-chatbot.yaml"
    prompt.write_text(prompt.read_text().replace("trap:", "trapp:", 1))
    assert main(["content", "check", "--root", str(content_copy)]) == 1
    err = capsys.readouterr().err
    assert "eval sandbox: " in err and "similarity_pairs.yaml: field pairs.0.b" in err
    assert "design prompts: docs-chatbot.yaml" in err and "trapp" in err


def test_lesson_sections_split_at_level_two_headings_outside_fences():
    body = "Lead in.\n## First\ntext\n```dot\n## not a heading\n```\n### Sub\n## Second\nmore\n"
    sections = lesson_sections(body)
    assert [s.title for s in sections] == ["Introduction", "First", "Second"]
    assert "## not a heading" in sections[1].text and "### Sub" in sections[1].text
    assert "".join(s.text + "\n" for s in sections).rstrip("\n") == body.rstrip("\n")


def test_every_bundled_lesson_splits_into_sections_that_keep_all_its_text(curriculum):
    for m in curriculum.modules:
        sections = lesson_sections(m.body)
        assert len(sections) >= 4, m.id
        assert "\n".join(s.text for s in sections).strip() == m.body.strip(), m.id


def test_a_long_left_to_right_diagram_is_turned_top_to_bottom():
    chain = "digraph G {\n  rankdir=LR;\n  a -> b -> c -> d -> e [label=\"x\"];\n}"
    assert rank_count(chain) == 5
    out = legible_dot(chain)
    assert "rankdir=TB" in out and "fontsize=14" in out


def test_a_short_left_to_right_diagram_keeps_its_direction():
    out = legible_dot("digraph G { rankdir=LR; a -> b -> c; }")
    assert "rankdir=LR" in out and out.index("fontsize") < out.index("a -> b")


def test_every_bundled_diagram_is_at_most_four_ranks_across_after_layout(curriculum):
    for m in curriculum.modules:
        for block in lesson_blocks(m.body):
            if block.kind == "dot":
                out = legible_dot(block.text)
                across = re.search(r"rankdir\s*=\s*(LR|RL)", out)
                assert not across or rank_count(out) <= MAX_RANKS_ACROSS, m.id


def test_depth_sections_run_300_to_600_words_and_carry_a_table_or_worked_numbers(curriculum):
    depth = [(m.id, s) for m in curriculum.modules for s in lesson_sections(m.body)
             if s.title.startswith("Depth:")]
    assert len(depth) >= 9
    for module_id, section in depth:
        words = len(re.findall(r"\S+", section.text))
        assert 300 <= words <= 600, (module_id, section.title, words)
        worked = re.search(r"\d[\d,.]* [×/] \d", section.text)
        assert "|---" in section.text or worked, section.title


# protocol names the MCP lesson teaches; each must exist in the installed SDK, not be invented
MCP_2026_NAMES = ["server/discover", "subscriptions/listen",
                  "io.modelcontextprotocol/protocolVersion",
                  "io.modelcontextprotocol/clientCapabilities",
                  "io.modelcontextprotocol/clientInfo",
                  "io.modelcontextprotocol/logLevel", "io.modelcontextprotocol/tasks",
                  "io.modelcontextprotocol/ui", "input_required", "inputRequests", "inputResponses",
                  "requestState", "resultType", "ttlMs", "cacheScope", "supportedVersions",
                  "toolsListChanged", "resourceSubscriptions", "readOnlyHint", "destructiveHint",
                  "idempotentHint", "openWorldHint", "mcp-method", "mcp-name",
                  "client_id_metadata_document_supported", "oauth-protected-resource"]


def test_mcp_lesson_teaches_the_2026_revision_with_names_the_sdk_defines(curriculum):
    import mcp
    import mcp_types

    sdk = "".join(p.read_text(encoding="utf-8") for pkg in (mcp, mcp_types)
                  for p in Path(pkg.__file__).parent.rglob("*.py"))
    body = curriculum.module("mcp").body
    for name in MCP_2026_NAMES:
        assert name.lower() in body.lower(), f"lesson does not teach {name}"
        assert name in sdk, f"{name} is not in the installed SDK"
    assert "2025-06-18" not in body
    assert body.index("2026-07-28") < body.index("initialize")
