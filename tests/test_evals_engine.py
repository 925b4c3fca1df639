"""The eval sandbox's engines: reference metrics, threshold sweeps, agreement, the offline
judge and its probes, RAG support scores, regression diffs, the online-lag simulation."""

from __future__ import annotations

import json

import pytest

from labs import llm
from labs.evals import judge as J
from labs.evals.human import agreement, to_pass_fail
from labs.evals.online import simulate
from labs.evals.rag import context_precision, offline_generation_scores, recall_at_k
from labs.evals.reference import exact_match, parse_pairs, score, score_pairs, token_f1
from labs.evals.regression import compare, parse_answers, run_scores, save_run, score_answers
from labs.evals.similarity import best_threshold, sweep
from labs.store import Store, get_or_create_learner


def test_squad_exact_match_and_f1_on_hand_worked_cases():
    """Worked by hand with SQuAD normalisation (lowercase, drop punctuation and a/an/the):

    1. "The Eiffel Tower!" vs "eiffel tower"            -> both "eiffel tower": EM 1, F1 1.
    2. "the cat sat on the mat" vs "a cat sat"          -> "cat sat on mat" vs "cat sat":
       common {cat, sat} = 2; P = 2/4, R = 2/2, F1 = 2·0.5·1/1.5 = 0.6667; EM 0.
    3. "red red blue" vs "red blue blue"                -> multisets: common {red:1, blue:1} = 2;
       P = 2/3, R = 2/3, F1 = 0.6667 (a repeated token counts only as often as in both).
    4. several references, the best wins: "paris" vs ["London", "Paris, France"]
       -> F1 vs "london" 0; vs "paris france": P = 1, R = 1/2, F1 = 0.6667.
    5. nothing in common: "yes" vs "no" -> F1 0.
    """
    assert exact_match("The Eiffel Tower!", ["eiffel tower"]) == 1.0
    assert token_f1("The Eiffel Tower!", ["eiffel tower"]) == 1.0
    assert exact_match("the cat sat on the mat", ["a cat sat"]) == 0.0
    assert token_f1("the cat sat on the mat", ["a cat sat"]) == pytest.approx(2 / 3)
    assert token_f1("red red blue", ["red blue blue"]) == pytest.approx(2 / 3)
    assert token_f1("paris", ["London", "Paris, France"]) == pytest.approx(2 / 3)
    assert token_f1("yes", ["no"]) == 0.0


def test_bleu_chrf_and_rouge_match_the_libraries_own_outputs():
    import sacrebleu
    from rouge_score import rouge_scorer

    pred, refs = "refunds are issued within five business days", [
        "refunds are paid within 5 business days", "you get your money back in a week"]
    s = score(pred, refs)
    assert s.bleu == pytest.approx(sacrebleu.sentence_bleu(pred, refs).score)
    assert s.chrf == pytest.approx(sacrebleu.sentence_chrf(pred, refs).score)
    rs = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    assert s.rougeL == pytest.approx(max(rs.score(r, pred)["rougeL"].fmeasure for r in refs))


def test_corpus_bleu_and_chrf_are_corpus_level_not_averaged():
    import sacrebleu

    text = "\n".join(json.dumps(x) for x in [
        {"id": "1", "prediction": "the cat is on the mat", "references": ["the cat is on the mat"]},
        {"id": "2", "prediction": "a dog", "references": ["there is a dog in the garden"]}])
    pairs, errors = parse_pairs(text)
    result = score_pairs(pairs)
    assert errors == []
    preds = [p.prediction for p in pairs]
    refs = [[p.references[0] for p in pairs]]
    assert result.overall["bleu"] == pytest.approx(sacrebleu.corpus_bleu(preds, refs).score)
    assert result.overall["chrf"] == pytest.approx(sacrebleu.corpus_chrf(preds, refs).score)
    mean_item_bleu = sum(i["bleu"] for i in result.items) / 2
    assert result.overall["bleu"] != pytest.approx(mean_item_bleu)


def test_paraphrase_scores_low_on_bleu_and_wrong_overlap_scores_high():
    ref = ["Refunds are processed within five business days."]
    right_paraphrase = score("You will get your money back in under a week of working days.", ref)
    wrong_overlap = score("Refunds are processed within five calendar months.", ref)
    assert right_paraphrase.bleu < 10 < 40 < wrong_overlap.bleu
    assert wrong_overlap.f1 > right_paraphrase.f1


def test_a_bad_line_is_reported_by_number_and_the_rest_is_scored():
    text = ('{"id": "ok", "prediction": "x", "references": ["x"]}\n'
            "{broken\n"
            '{"id": "no-refs", "prediction": "x", "references": []}\n'
            '{"id": "ok2", "prediction": "y", "references": ["y"]}\n')
    pairs, errors = parse_pairs(text)
    assert [p.id for p in pairs] == ["ok", "ok2"]
    assert errors[0].startswith("line 2: not valid JSON")
    assert errors[1].startswith("line 3: field references")


def test_threshold_sweep_finds_the_f1_best_threshold():
    sims = [0.95, 0.9, 0.85, 0.7, 0.6, 0.2]
    truth = [True, True, False, True, False, False]
    points = sweep(sims, truth)
    best = best_threshold(points)
    # at 0.61-0.70: calls 4 matches, 3 right -> P .75, R 1, F1 .857 (the best)
    assert best.f1 == pytest.approx(6 / 7)
    assert 0.6 < best.threshold <= 0.7
    assert points[0].recall == 1.0 and points[-1].precision is None  # 0/0: undefined


def test_agreement_reports_kappa_spearman_and_confusion():
    human = [5, 4, 2, 1, 3, 5]
    judge = [5, 5, 2, 1, 2, 4]
    a = agreement(human, judge, labels=[1, 2, 3, 4, 5])
    assert a.raw == pytest.approx(3 / 6)
    assert 0 < a.kappa < a.weighted_kappa < 1
    assert a.spearman and a.spearman > 0.8
    assert a.confusion[2][1] == 1  # human 3, judge 2
    assert to_pass_fail([5, 3, 4]) == [1, 0, 1]
    with pytest.raises(ValueError, match="differ in length"):
        agreement([1, 2], [1])


ITEM = J.JudgeItem("How long do refunds take?", ["refunds take five business days",
                   "money returns to the original card"])


def test_offline_rubric_judge_scores_key_point_coverage(embedder):
    judge = J.RubricJudge(embedder)
    full = judge.absolute(ITEM, "Refunds take five business days and the money returns to "
                                "the original card.").verdict
    half = judge.absolute(ITEM, "Refunds take five business days.").verdict
    none = judge.absolute(ITEM, "Please contact our sales team.").verdict
    assert (full.score, half.score, none.score) == (5, 3, 1)
    assert half.reasons[1] == "not found: money returns to the original card"


def test_offline_judge_is_labelled_a_rubric_judge_and_logged_as_offline(embedder):
    from tests.conftest import llm_calls

    judged = J.make_judge(llm.LLMConfig(), embedder=embedder).absolute(
        ITEM, "Refunds take five business days.")
    assert judged.verdict.score == 3 and judged.offline
    assert "rubric judge" in judged.label and "not an LLM" in judged.label
    (call,) = llm_calls()
    assert (call.provider, call.feature, call.cost_usd) == ("offline", "evals.judge", 0.0)


def test_swap_probe_reports_a_first_position_judge_as_inconsistent(embedder):
    assert J.swap_outcome("A", "A") == J.SwapResult("A", "A", False, "tie")
    assert J.swap_outcome("B", "A").final == "y"
    padded = J.pad("Refunds take five business days.")
    assert padded.startswith("Refunds take five business days.") and len(padded) > 200
    v = J.verbosity_probe(J.RubricJudge(embedder), ITEM, "Refunds take five business days.")
    assert (v.plain, v.padded, v.pairwise_winner) == (3, 3, "tie")


def test_offline_support_score_separates_grounded_from_invented(embedder):
    context = ("Refunds are processed within five business days. The money returns to the "
               "original payment card. Gift cards cannot be refunded.")
    grounded = offline_generation_scores("How long do refunds take?",
                                         "Refunds are processed within five business days.",
                                         context, embedder)
    invented = offline_generation_scores("How long do refunds take?",
                                         "Refunds arrive instantly. We also add a 10% bonus "
                                         "voucher to every refunded order.", context, embedder)
    assert grounded.faithfulness == 1.0
    assert invented.faithfulness < 0.5
    assert grounded.answer_relevance > 0.5


def test_retrieval_side_metrics():
    assert recall_at_k(["a", "b", "c"], {"c", "z"}, 2) == 0.0
    assert recall_at_k(["a", "b", "c"], {"c", "z"}, 3) == 0.5
    assert context_precision(["a", "c", "c"], {"c"}, 3) == pytest.approx(2 / 3)


def test_runs_are_stored_per_query_and_regressions_listed_by_drop():
    store = Store()
    me = get_or_create_learner(store, "Ada").id
    v1 = save_run(store, learner_id=me, name="v1", source="answers-file", metric="f1",
                  scores={"q1": 0.9, "q2": 0.5, "q3": 0.7})
    v2 = save_run(store, learner_id=me, name="v2", source="answers-file", metric="f1",
                  scores={"q1": 0.3, "q2": 0.8, "q3": 0.6})
    drops = compare(run_scores(store, v1.id), run_scores(store, v2.id))
    assert [(c.query_id, round(c.delta, 2)) for c in drops] == [("q1", -0.6), ("q3", -0.1)]
    with pytest.raises(ValueError, match="name"):
        save_run(store, learner_id=me, name=" ", source="x", metric="f1", scores={"q": 1})


def test_answers_file_bad_lines_and_unknown_ids_are_reported_and_the_rest_kept():
    text = '{"id": "q1", "answer": "five days"}\n{"id": "zz", "answer": "x"}\n[1]\n'
    answers, errors = parse_answers(text, {"q1", "q2"})
    assert answers == {"q1": "five days"}
    assert errors[0] == "line 2: unknown query id 'zz'"
    assert errors[1].startswith("line 3:")
    assert score_answers(answers, {"q1": "refunds take five days"})["q1"] > 0


def test_online_metrics_detect_a_regression_only_days_after_it_ships():
    sim = simulate(ship_day=30, drop=0.08, seed=3)
    assert sim.alarm_day is not None and sim.detection_delay >= 2
    assert max(sim.quality[:30]) > max(sim.quality[40:])
    quiet = simulate(ship_day=30, drop=0.0, seed=3)
    assert quiet.alarm_day is None


def test_a_labels_file_reports_bad_lines_by_number_and_keeps_the_rest():
    from labs.evals.data import labels, parse_labels, save_label

    store = Store()
    me = get_or_create_learner(store, "Ada").id
    save_label(store, me, "kept-before", "1-5", 3)
    text = "\n".join(['{"answer_id": "a1", "label": 5}', "oops", '{"answer_id": "zz", "label": 2}',
                      '{"label": 2}', '{"answer_id": "a2", "label": 0}',
                      '{"answer_id": "a2", "label": 2}'])
    got, errors = parse_labels(text, "1-5", {"a1", "a2"})
    assert got == {"a1": 5, "a2": 2}
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 3", "line 4", "line 5"]
    for answer_id, label in got.items():
        save_label(store, me, answer_id, "1-5", label)
    assert labels(store, me, "1-5") == {"kept-before": 3, "a1": 5, "a2": 2}
