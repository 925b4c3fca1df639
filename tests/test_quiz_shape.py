"""Quizzes cannot be passed by picking the longest option, content is in our own words, and the
quiz and decision-trainer pages shuffle per learner, keep answers and score them."""

from __future__ import annotations

import re

import pytest
import yaml
from sqlmodel import select

from labs.cli import main
from labs.content.originality import fingerprint, near_copies, shared_runs
from labs.curriculum.loader import load_curriculum
from labs.curriculum.practice import (
    decision_accuracy,
    learner_order,
    record_decision,
)
from labs.curriculum.quality import (
    MAX_KEY_LONGEST_SHARE,
    MAX_LENGTH_RATIO,
    quiz_shape,
)
from labs.store import Store, get_or_create_learner
from labs.store.models import DecisionAnswer
from tests.conftest import no_exceptions, page_test


@pytest.fixture(scope="module")
def cur():
    return load_curriculum()


def test_bundled_quizzes_are_not_guessable_by_length(cur):
    shape = quiz_shape(cur.questions().values())
    assert shape.questions >= 75
    assert shape.key_longest_share <= MAX_KEY_LONGEST_SHARE
    assert shape.length_ratio <= MAX_LENGTH_RATIO
    assert shape.longest_pick_score <= 0.40
    assert shape.problems() == []


def test_content_check_fails_when_keys_are_the_longest_options(content_copy, capsys):
    for path in (content_copy / "quizzes").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for q in data["questions"]:
            key = q["options"][q["answer"]]
            key["text"] += ", which is the complete and carefully qualified answer here"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert main(["content", "check", "--root", str(content_copy)]) == 1
    err = capsys.readouterr().err
    assert "the key is the longest option in" in err
    assert "keys average" in err


def test_absolute_words_only_in_distractors_are_flagged():
    cur = load_curriculum()
    qs = [q.model_copy(update={"options": [
        o if i == q.answer else o.model_copy(update={"text": "It always works, never fails"})
        for i, o in enumerate(q.options)]}) for q in cur.questions().values()]
    assert any("absolute words" in p for p in quiz_shape(qs).problems())


def test_a_nine_word_run_from_the_track_is_found_and_the_slogan_is_allowed():
    track = fingerprint("Intro. Vector stores are cheap until the index no longer fits in one "
                        "machine's memory. Cost per call is the new latency per call.")
    copied = "As they say, vector stores are cheap until the index no longer fits in RAM."
    assert shared_runs(copied, track) == [
        "vector stores are cheap until the index no longer fits in"]
    assert shared_runs("Remember: cost-per-call is the new latency-per-call!", track) == []
    assert shared_runs("Vector stores stay cheap until the index outgrows one box.", track) == []


def test_a_track_sentence_with_one_word_swapped_is_a_near_copy():
    track = fingerprint("Intro. Rerankers score each query and passage pair jointly, which is "
                        "slower but sharper than cosine. Outro.")
    swapped = "Rerankers score each query and passage pair together, which is slower but " \
              "sharper than cosine."
    own = "A cross-encoder reads the query and a passage at once: slower than a dot " \
          "product, and noticeably more accurate."
    assert shared_runs(swapped, track) == []  # no nine words in a row survive the swap
    assert near_copies(swapped, track) == [swapped]
    assert near_copies(own, track) == []


def test_content_check_names_a_file_that_copies_the_track(content_copy, capsys):
    module = content_copy / "modules" / "02-rag.md"
    fp = (content_copy / "track_fingerprint.txt")
    fp.write_text(fp.read_text() + "\n".join(fingerprint(
        "one two three four five six seven eight nine ten").lines()) + "\n")
    module.write_text(module.read_text() + "\nOne two three four five six seven eight nine.\n")
    assert main(["content", "check", "--root", str(content_copy)]) == 1
    err = capsys.readouterr().err
    assert "02-rag.md: repeats 9 words of the track" in err


def test_no_explanation_opens_with_a_verdict_the_page_already_gives(cur):
    for q in cur.questions().values():
        for o in q.options:
            assert not re.match(r"(Correct|Right|Wrong|Incorrect)\b", o.explanation), q.id


def test_option_order_is_stable_per_learner_and_not_file_order(cur):
    qs = list(cur.questions().values())
    orders = [learner_order(7, q.id, list(range(len(q.options)))) for q in qs]
    assert orders == [learner_order(7, q.id, list(range(len(q.options)))) for q in qs]
    key_first = sum(o[0] == q.answer for o, q in zip(orders, qs, strict=True))
    assert key_first < len(qs) / 2  # the key is not pinned to the top
    assert sum(o != sorted(o) for o in orders) > len(qs) * 0.8
    assert orders != [learner_order(8, q.id, list(range(len(q.options)))) for q in qs]


def _first_question(cur):
    return cur.quizzes["shape-map"].questions[0]


def test_quiz_page_shows_options_in_the_learners_shuffled_order(cur):
    q = _first_question(cur)
    at = page_test("app_pages/modules.py").run()
    no_exceptions(at)
    shown = list(at.radio(key=f"quiz_choice_{q.id}").options)
    again = page_test("app_pages/modules.py").run()  # a reload: a new session, same learner
    assert list(again.radio(key=f"quiz_choice_{q.id}").options) == shown
    expected = [q.options[i].text for i in learner_order(1, q.id, list(range(len(q.options))))]
    assert shown == expected


def _check(q, choice: int):
    """The modules page with `choice` picked and checked for question `q`."""
    at = page_test("app_pages/modules.py").run()
    at.radio(key=f"quiz_choice_{q.id}").set_value(choice)
    at.button(key=f"quiz_check_{q.id}").click().run()
    return at


def test_right_answer_feedback_says_right_once(cur):
    q = _first_question(cur)
    at = _check(q, q.answer)
    (ok,) = [s.value for s in at.success if s.value.startswith("Right.")]
    assert not re.match(r"Right\. (Correct|Right)\b", ok)


def test_the_answered_right_caption_counts_the_answer_just_checked(cur):
    q = _first_question(cur)
    at = _check(q, q.answer)
    n = len(cur.quizzes["shape-map"].questions)
    assert any(c.value.startswith(f"1 of {n} questions answered right") for c in at.caption)


def test_wrong_answer_feedback_does_not_say_wrong_twice(cur):
    q = _first_question(cur)
    wrong = (q.answer + 1) % len(q.options)
    at = _check(q, wrong)
    (bad,) = [e.value for e in at.error if e.value.startswith("Not quite.")]
    assert not re.match(r"Not quite\. (Wrong|Incorrect)\b", bad)


def test_a_reload_shows_the_answer_given_last_time(cur):
    q = _first_question(cur)
    wrong = (q.answer + 1) % len(q.options)
    _check(q, wrong)
    again = page_test("app_pages/modules.py").run()
    no_exceptions(again)
    assert again.radio(key=f"quiz_choice_{q.id}").value == wrong
    assert any(q.options[wrong].explanation in e.value for e in again.error)
    assert any("Your answer last time" in c.value for c in again.caption)


# --- decision trainer ----------------------------------------------------------------------

def test_decision_answers_are_stored_and_scored_per_method(cur):
    store = Store()
    lid = get_or_create_learner(store, "Ada").id
    s0, s1 = cur.trainer.scenarios[0], cur.trainer.scenarios[1]
    wrong = next(m.id for m in cur.trainer.methods if m.id != s0.best)
    assert record_decision(store, cur, lid, s0.id, wrong) is False
    assert record_decision(store, cur, lid, s1.id, s1.best) is True
    acc = {r.method_id: r for r in decision_accuracy(store, cur, lid)}
    if s0.best == s1.best:
        assert (acc[s0.best].answered, acc[s0.best].right) == (2, 1)
    else:
        assert (acc[s0.best].answered, acc[s0.best].right, acc[s0.best].accuracy) == (1, 0, 0.0)
        assert acc[s1.best].accuracy == 1.0
    record_decision(store, cur, lid, s0.id, s0.best)  # a second try counts, the first is kept
    assert {r.method_id: r for r in decision_accuracy(store, cur, lid)}[s0.best].right >= 1
    with store.session() as s:
        assert len(s.exec(select(DecisionAnswer)).all()) == 3
    with pytest.raises(ValueError):
        record_decision(store, cur, lid, s0.id, "guesswork")
    with pytest.raises(KeyError):
        record_decision(store, cur, lid, "nope", s0.best)


def test_trainer_order_is_shuffled_not_grouped_by_answer(cur):
    at = page_test("app_pages/decision_trainer.py").run()
    no_exceptions(at)
    order = list(at.selectbox(key="dt_scenario").options)
    file_titles = [s.title for s in cur.trainer.scenarios]
    assert [o.split(". ", 1)[1] for o in order] != file_titles
    best = {s.title: s.best for s in cur.trainer.scenarios}
    runs = sum(best[a.split(". ", 1)[1]] != best[b.split(". ", 1)[1]]
               for a, b in zip(order, order[1:], strict=False))
    assert runs >= len(order) // 2  # the file has only four changes of method in a row


def test_trainer_verdict_clears_when_the_choice_changes_and_answers_are_stored(cur):
    at = page_test("app_pages/decision_trainer.py").run()
    sid = at.selectbox(key="dt_scenario").value
    scenario = next(s for s in cur.trainer.scenarios if s.id == sid)
    wrong = next(m.id for m in cur.trainer.methods if m.id != scenario.best)
    at.radio(key=f"dt_choice_{sid}").set_value(wrong)
    at.button(key="dt_check").click().run()
    assert any("Not here" in e.value for e in at.error)
    at.radio(key=f"dt_choice_{sid}").set_value(scenario.best).run()
    no_exceptions(at)
    assert not at.error and not at.success, "the old verdict is gone once the choice changes"
    at.button(key="dt_check").click().run()
    assert any("wins here" in s.value for s in at.success)
    with Store().session() as s:
        rows = s.exec(select(DecisionAnswer)).all()
    assert [(r.scenario_id, r.correct) for r in rows] == [(sid, False), (sid, True)]
    (table,) = [t.value for t in at.table if "accuracy" in t.value.columns]
    row = table[table["method"] == next(m.name for m in cur.trainer.methods
                                        if m.id == scenario.best)].iloc[0]
    assert (row["answered"], row["right"], row["accuracy"]) == (1, 1, "100%")
