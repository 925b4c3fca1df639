"""The offline rubric judge as a measuring instrument: gold answers score 5, negated and
contradicted answers at most 2, padding never helps, and its agreement with the sandbox's own
labelled answers has a floor. Plus `aie-bridge evals judge` on good and bad files, offline and
against the local wire-format LLM server."""

from __future__ import annotations

import json

import pytest

from labs.cli import main
from labs.evals import judge as J
from labs.evals.claims import score_answer, split_clauses, tokens
from labs.evals.data import load_items
from labs.evals.judgefile import judge_lines, lines_from_items, parse_lines

ITEMS = load_items().items
CALIBRATION_SPEARMAN_FLOOR = 0.77  # measured 0.817 (BENCHMARKS.md); the issue asks 0.7
HELD_OUT_SPEARMAN_FLOOR = 0.72  # measured 0.770 on content/evals/judge_heldout.jsonl
FRESH_SPEARMAN_FLOOR = 0.8  # measured 0.886 on content/evals/judge_fresh.jsonl


def jitem(item, with_key_points: bool = True) -> J.JudgeItem:
    return J.JudgeItem(item.question, list(item.key_points) if with_key_points else [],
                       item.references[0])


@pytest.fixture(scope="module")
def rubric(embedder):
    return J.RubricJudge(embedder)


@pytest.mark.parametrize("with_key_points", [True, False])
def test_the_exact_gold_answer_scores_five_on_every_sandbox_question(rubric, with_key_points):
    for item in ITEMS:
        assert rubric.score(jitem(item, with_key_points), item.references[0]).score == 5, item.id


@pytest.mark.parametrize("with_key_points", [True, False])
def test_every_negated_or_contradicted_answer_scores_at_most_two(rubric, with_key_points):
    for item in ITEMS:
        for a in item.answers:
            if a.kind.value == "negated":
                found = rubric.score(jitem(item, with_key_points), a.text)
                assert found.score <= 2, (a.id, found.reasons)
                assert any(p.status == "contradicted" for p in found.points), a.id


def test_any_answer_with_a_contradicted_point_scores_at_most_two(rubric):
    flagged = 0
    for item in ITEMS:
        for a in item.answers:
            found = rubric.score(jitem(item), a.text)
            if any(p.status == "contradicted" for p in found.points):
                flagged += 1
                assert found.score <= 2, (a.id, found.reasons)
    assert flagged >= 20  # every negated answer and most wrong-but-overlapping ones


def test_a_padded_answer_never_outscores_the_concise_correct_one(rubric):
    for item in ITEMS:
        for a in item.answers:
            plain = rubric.score(jitem(item), a.text).score
            assert rubric.score(jitem(item), J.pad(a.text)).score <= plain, a.id
        verbose = [a for a in item.answers if a.kind.value == "verbose"]
        for v in verbose:
            assert rubric.score(jitem(item), v.text).score <= \
                rubric.score(jitem(item), item.references[0]).score


def test_the_issue_examples_are_scored_by_claims(rubric):
    item = J.JudgeItem("How long does a refund take to reach the customer?",
                       ["refunds processed within five business days",
                        "money returns to the original card"],
                       "Refunds are processed within five business days and go back to the "
                       "original card.")
    gold = rubric.score(item, item.reference)
    assert gold.score == 5 and all(p.status == "covered" for p in gold.points)
    wrong = rubric.score(item, "Refunds are processed within five calendar months and go to "
                               "a new card.")
    assert wrong.score == 1
    assert [p.why for p in wrong.points] == ["changed unit", "opposite (original vs new)"]
    assert "contradicted by 'go to a new card'" in wrong.reasons[1]


def test_changed_numbers_and_swapped_roles_are_contradictions(rubric):
    item = next(i for i in ITEMS if i.id == "mcp-primitives")
    swapped = next(a for a in item.answers if a.kind.value == "wrong-overlap")
    found = rubric.score(jitem(item), swapped.text)
    assert found.score == 1 and any(p.why.startswith("swapped") for p in found.points)
    rate = J.JudgeItem("What is the Pro limit?", [], "The Pro plan allows 600 requests a minute.")
    assert rubric.score(rate, "The Pro plan allows 6,000 requests a minute.").score == 1
    assert rubric.score(rate, "Pro allows six hundred requests a minute.").score == 5


def test_negation_counts_only_inside_its_scope(rubric):
    item = J.JudgeItem("Name a judge bias.", ["verbosity bias countered by a rubric ignoring "
                                              "length"], "Verbosity bias, countered by a rubric "
                                                         "that gives length no credit.")
    assert rubric.score(item, item.reference).score == 5  # "no credit" does not deny the rubric
    assert rubric.score(item, "Verbosity bias is not countered by a rubric.").score == 1


def test_unsupported_specific_claims_cost_a_point(rubric):
    item = J.JudgeItem("How long do refunds take?", [], "Refunds take five business days.")
    plain = rubric.score(item, "Refunds take five business days.")
    extra = rubric.score(item, "Refunds take five business days. Premium members also get a "
                               "10% voucher from Acme.")
    assert (plain.score, extra.score) == (5, 4)
    assert extra.unsupported == ["Premium members also get a 10% voucher from Acme"]


def test_numbers_are_read_as_values_and_clauses_keep_two_content_words():
    assert tokens("twenty five percent and 6,000") == ["#25", "percent", "and", "#6000"]
    assert split_clauses("Position bias, countered by judging both orders") == [
        "Position bias, countered by judging both orders"]


def test_judge_calibration_on_the_sandbox_kinds_has_a_floor(rubric):
    result = judge_lines(lines_from_items(load_items()), rubric)
    ag = result["agreement"]
    assert ag["n"] == sum(len(i.answers) for i in ITEMS)
    assert ag["spearman"] >= CALIBRATION_SPEARMAN_FLOOR
    by_kind = ag["by_kind"]
    assert by_kind["exact"]["mean_score"] >= 4.8
    assert by_kind["negated"]["mean_score"] <= 1.2
    assert by_kind["exact"]["mean_score"] > by_kind["paraphrase"]["mean_score"] > \
        by_kind["wrong-overlap"]["mean_score"]


def test_score_answer_takes_key_points_or_splits_the_reference(embedder):
    found = score_answer("q?", "Refunds take five days and go back to the original card.",
                         "Refunds take five days.", embedder)
    assert [p.point for p in found.points] == ["Refunds take five days",
                                               "go back to the original card"]
    assert found.score == 3


def _write(tmp_path, rows: list) -> str:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows))
    return str(path)


GOOD = {"id": "a", "question": "How long do refunds take?",
        "reference": "Refunds take five business days.", "candidate": "Five business days.",
        "label": 5}
BAD = {"id": "b", "question": "How long do refunds take?",
       "reference": "Refunds take five business days.",
       "candidate": "Refunds do not take five business days.", "label": 1}


def test_judge_command_reports_bad_lines_by_number_and_runs_the_rest(tmp_path, capsys, embedder):
    path = _write(tmp_path, [GOOD, "{oops", {"id": "c", "question": "q"}, BAD, [1, 2]])
    assert main(["evals", "judge", "--items", path, "--json", "--provider", "offline"]) == 1
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert [r["id"] for r in result["items"]] == ["a", "b"]
    assert [r["score"] for r in result["items"]] == [5, 1]
    assert "line 2: not valid JSON" in err and "line 3: field reference" in err
    assert "line 5: expected a JSON object" in err
    ag = result["agreement"]
    assert ag["n"] == 2 and ag["spearman"] == pytest.approx(1.0)
    assert ag["weighted_kappa"] == pytest.approx(1.0) and ag["confusion"][4][4] == 1
    assert result["judge"] == J.RUBRIC_LABEL


def test_judge_command_says_the_rubric_judge_is_deterministic_under_samples(tmp_path, capsys):
    path = _write(tmp_path, [GOOD, BAD])
    assert main(["evals", "judge", "--items", path, "--json", "--samples", "3",
                 "--provider", "offline"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sampling"]["samples"] == 1 and "deterministic" in result["sampling"]["note"]


def test_judge_command_rejects_a_missing_file_and_bad_samples(tmp_path, capsys):
    assert main(["evals", "judge", "--items", str(tmp_path / "none.jsonl")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["evals", "judge", "--items", _write(tmp_path, [GOOD]), "--samples", "0"]) == 1
    assert "--samples" in capsys.readouterr().err


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_llm_judge_samples_report_spread_and_changed_share(tmp_path, capsys, llm_server,
                                                           monkeypatch, provider):
    calls = iter(range(100))
    llm_server.responder = lambda req: {"score": 4 + next(calls) % 2, "reasons": ["ok"]}
    cfg = llm_server.config(provider)
    monkeypatch.setenv("AIE_BRIDGE_LLM", f"{provider}:{cfg.model}")
    monkeypatch.setenv("ANTHROPIC_API_KEY" if provider == "anthropic" else "OPENAI_API_KEY",
                       cfg.api_key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL" if provider == "anthropic" else "OPENAI_BASE_URL",
                       cfg.base_url)
    path = _write(tmp_path, [GOOD, BAD])
    assert main(["evals", "judge", "--items", path, "--json", "--samples", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["judge"].startswith(f"{provider}:")
    assert [r["samples"] for r in result["items"]] == [[4, 5], [4, 5]]
    assert [r["spread"] for r in result["items"]] == [1, 1]
    assert result["sampling"] == {"samples": 2, "changed_share": 1.0, "max_spread": 1}
    assert len(llm_server.requests) == 4  # no response cache between samples


def test_parse_lines_rejects_duplicate_ids_and_off_scale_labels():
    lines, errors = parse_lines("\n".join(json.dumps(r) for r in
                                          [GOOD, GOOD, {**BAD, "label": 9}]))
    assert [x.id for x in lines] == ["a"]
    assert errors[0] == "line 2: duplicate id 'a'"
    assert errors[1].startswith("line 3: field label")


@pytest.mark.parametrize("name, floor", [("judge_heldout.jsonl", HELD_OUT_SPEARMAN_FLOOR),
                                         ("judge_fresh.jsonl", FRESH_SPEARMAN_FLOOR)])
def test_the_labelled_files_agreement_has_a_floor(rubric, name, floor):
    from labs.evals.data import EVALS_DIR

    lines, errors = parse_lines((EVALS_DIR / name).read_text(encoding="utf-8"))
    assert not errors
    assert judge_lines(lines, rubric)["agreement"]["spearman"] >= floor


def test_opposites_in_the_same_slot_and_swapped_comparisons_contradict(rubric):
    item = J.JudgeItem("What does the LoRA rank control?", [],
                       "A higher rank trains more parameters, at more memory.")
    assert rubric.score(item, "A higher rank trains fewer parameters, at less memory.").score <= 2
    item = J.JudgeItem("Which match counts for more?", [],
                       "A title match counts more than a body match.")
    found = rubric.score(item, "A body match counts more than a title match.")
    assert found.score <= 2 and "trade sides" in " ".join(found.reasons), found.reasons
    item = J.JudgeItem("Why does a classifier add latency?", [],
                       "The classifier runs on the critical path.")
    assert rubric.score(item, "The classifier runs off the critical path.").score <= 2


@pytest.mark.parametrize("kind", ["echo", "filler", "vague"])
def test_echoing_the_question_or_filler_earns_nothing_on_any_sandbox_question(rubric, kind):
    for item in ITEMS:
        q = item.question.rstrip("?")
        answer = {"echo": f"{item.question} That is the question: {q}.",
                  "filler": "It is important to think carefully about this, as it depends on "
                            "many factors and quality matters in every case.",
                  "vague": f"There are several aspects to consider about {q.lower()}, and the "
                           "best approach depends on the situation."}[kind]
        found = rubric.score(jitem(item, with_key_points=False), answer)
        assert found.score <= 2, (item.id, found.reasons)


def test_a_yes_no_reference_is_contradicted_by_the_opposite_answer(rubric):
    item = J.JudgeItem("Does temperature 0 make outputs deterministic?", [],
                       "No; batching on the server can still change outputs.")
    same = rubric.score(item, "No; batching on the server can still change outputs.")
    flipped = rubric.score(item, "Yes; batching on the server can still change outputs.")
    assert same.score == 5 and flipped.score <= 2
    assert any("yes" in r and "contradicted" in r for r in flipped.reasons)


def test_instead_of_denies_what_follows(rubric):
    item = J.JudgeItem("Why accept an idempotency key?", [],
                       "The server returns the original result instead of charging twice.")
    found = rubric.score(item, "It forces the server to charge twice.")
    assert found.score <= 2 and found.points[0].status == "contradicted"


def test_speed_and_quantity_words_are_not_opposed_across_groups(rubric):
    item = J.JudgeItem("What does raising efSearch do?", ["raising efSearch increases latency"],
                       "Raising efSearch increases latency.")
    found = rubric.score(item, "Raising efSearch makes each lookup slower.")
    assert all(p.status != "contradicted" for p in found.points), found.reasons


def test_one_clause_is_weak_evidence_for_one_point_only(rubric):
    item = J.JudgeItem("Why do small and large chunks hurt retrieval?",
                       ["small chunks lose context", "large chunks bury the relevant passage"],
                       "Small chunks lose context; large chunks bury the relevant passage.")
    found = rubric.score(item, "Very large chunks are harder to search.")
    assert sum(p.status != "not found" for p in found.points) <= 1, found.reasons
    assert found.score <= 3


def test_a_point_said_in_other_words_gets_half_credit_and_is_flagged(rubric):
    item = J.JudgeItem("How many times is a failed webhook retried, and what happens after?",
                       ["retried eight times", "exponential backoff between attempts"],
                       "It is retried eight times with exponential backoff.")
    reworded = rubric.score(item, "The relay tries again up to 8 more times, waiting longer "
                                  "each time between tries.")
    partial = rubric.score(item, "It is retried eight times.")
    statuses = [p.status for p in reworded.points]
    assert "possibly reworded" in statuses or "partly covered" in statuses, reworded.reasons
    assert reworded.score > partial.score >= 2
    assert any("a person should" in r or "partly covered" in r for r in reworded.reasons)


def test_no_limit_for_a_stated_count_is_a_changed_number(rubric):
    item = J.JudgeItem("How many times is a failed webhook retried?", [],
                       "A failed delivery is retried eight times with exponential backoff.")
    found = rubric.score(item, "Deliveries are retried forever with exponential backoff.")
    assert found.score <= 2 and "changed number" in found.points[0].why


def test_a_subject_swapped_for_a_word_only_the_question_uses_is_a_contradiction(rubric):
    item = J.JudgeItem("Why would a webhook fail its signature check though the secret is right?",
                       ["timestamp older than the five minute tolerance"],
                       "The signature timestamp is older than the five-minute tolerance.")
    found = rubric.score(item, "The signature secret is older than five minutes.")
    assert found.score <= 2 and "swapped" in found.points[0].why, found.reasons
    assert rubric.score(item, "The signature timestamp is older than five minutes.").score >= 4
