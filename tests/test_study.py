"""The study planner, the learner model and `aie-bridge study`: plans aimed at an interview
date, checked by following them with fsrs day by day through the app's own review functions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fsrs import Card, Rating

from labs.cli import main
from labs.curriculum.loader import load_curriculum
from labs.store import Store
from labs.store.learners import get_or_create_learner
from labs.study import mastery
from labs.study.planner import PlanCard, plan, recall_on, scheduler
from labs.study.service import (
    fit_parameters,
    plan_cards,
    plan_report,
    rating_previews,
    review,
    save_settings,
    settings,
    study_next,
    today_queue,
)
from labs.study.view import due_histogram, forecast_spec, retention_spec, wait_text

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def cur():
    return load_curriculum()


def deck(cur) -> list[PlanCard]:
    cm = cur.card_module()
    return [PlanCard(cid, cm[cid]) for cid in cur.cards()]


def noon(d: date) -> datetime:
    return datetime.combine(d, time(12), tzinfo=UTC)


def test_a_30_day_plan_on_a_fresh_deck_introduces_every_card_and_meets_the_target(cur):
    p = plan(deck(cur), today=TODAY, interview=TODAY + timedelta(days=30))
    assert p.fits and not p.never_introduced
    assert len(p.days) == 30
    assert sum(len(d.new) for d in p.days) == len(cur.cards())
    assert min(p.recall_on_day.values()) >= 0.9
    assert all(not d.new for d in p.days[-5:])  # new cards stop before the last days


@pytest.mark.parametrize("cap", [3, 12, 40])
def test_the_daily_cap_is_never_exceeded(cur, cap):
    p = plan(deck(cur), today=TODAY, interview=TODAY + timedelta(days=21), max_per_day=cap)
    assert max(len(d.new) + len(d.review) for d in p.days) <= cap


def test_a_too_close_date_does_not_fit_and_says_what_would(cur):
    from labs.study.planner import describe

    cards = deck(cur)
    kwargs = dict(today=TODAY, interview=TODAY + timedelta(days=2), max_per_day=20)
    p = plan(cards, **kwargs)
    assert not p.fits and p.never_introduced
    message = describe(p, lambda c: plan(cards, **{**kwargs, "max_per_day": c}))
    assert "would be below 90%" in message and "never introduced" in message
    assert "a cap of" in message  # two days are enough with a larger cap


def test_the_weakest_modules_are_introduced_first_when_the_deck_does_not_fit(cur):
    cards = deck(cur)
    p = plan(cards, today=TODAY, interview=TODAY + timedelta(days=1), max_per_day=10,
             module_order=["mcp", "rag"])
    first = p.days[0].new
    assert {p.card_module[c] for c in first} == {"mcp"}


def test_a_past_interview_date_is_refused(cur):
    with pytest.raises(ValueError, match="in the past"):
        plan(deck(cur), today=TODAY, interview=TODAY - timedelta(days=1))


@pytest.mark.slow
def test_following_the_plan_through_the_app_reaches_the_interview_at_target(cur):
    """Each day: take the Flashcards page's queue, answer Good, come back for learning steps;
    on the day, every card's fsrs recall is at or above the target and no day went over the
    cap."""
    store = Store()
    me = get_or_create_learner(store, "planner")
    interview = TODAY + timedelta(days=30)
    save_settings_on(store, me.id, interview, today=TODAY)
    prefs = settings(store, me.id)
    for offset in range(30):
        now = noon(TODAY + timedelta(days=offset))
        shown: set[str] = set()
        end = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=UTC)
        while now < end:
            queue = today_queue(store, cur, me.id, now=now)
            if not queue:
                later = [c.card.due for c in plan_cards(store, cur, me.id)
                         if c.card is not None and now < c.card.due < end]
                if not later:
                    break
                now = min(later) + timedelta(seconds=1)
                continue
            for card in queue:
                review(store, cur, me.id, card.card_id, "Good", now=now)
                shown.add(card.card_id)
        assert len(shown) <= prefs.max_per_day
    sched = scheduler(prefs.retention)
    cards = plan_cards(store, cur, me.id)
    assert all(c.card is not None for c in cards), "every card was introduced"
    recalls = [recall_on(sched, c.card, interview) for c in cards]
    assert min(recalls) >= prefs.retention


def save_settings_on(store, learner_id, interview, today):
    """save_settings checks the date against the real clock; tests plan in 2026-03."""
    from labs.store.models import StudyProfile

    store.write(lambda s: s.add(StudyProfile(learner_id=learner_id, interview_date=interview)))


def test_settings_are_validated_and_kept(cur):
    store = Store()
    me = get_or_create_learner(store, "kept")
    with pytest.raises(ValueError, match="past"):
        save_settings(store, me.id, interview_date=date(2020, 1, 1), retention=0.9,
                      max_per_day=50)
    with pytest.raises(ValueError, match="between"):
        save_settings(store, me.id, interview_date=None, retention=1.5, max_per_day=50)
    future = date.today() + timedelta(days=40)
    save_settings(store, me.id, interview_date=future, retention=0.85, max_per_day=30)
    again = settings(Store(), me.id)  # a fresh store: as after a restart
    assert (again.interview_date, again.retention, again.max_per_day) == (future, 0.85, 30)


def test_without_a_date_the_queue_is_fsrs_default_of_twenty_new_cards(cur):
    store = Store()
    me = get_or_create_learner(store, "nodate")
    assert len(today_queue(store, cur, me.id)) == 20


def test_rating_previews_grow_from_again_to_easy(cur):
    store = Store()
    me = get_or_create_learner(store, "preview")
    card_id = next(iter(cur.cards()))
    now = noon(TODAY)
    review(store, cur, me.id, card_id, "Good", now=now)
    review(store, cur, me.id, card_id, "Good", now=now + timedelta(minutes=11))
    p = rating_previews(store, me.id, card_id, now=now + timedelta(days=3))
    assert p["Again"] < p["Hard"] <= p["Good"] < p["Easy"]


def test_wait_text_and_the_chart_count_days_the_same_way():
    now = datetime(2026, 1, 1, 23, 0, tzinfo=UTC)
    due = datetime(2026, 1, 2, 1, 0, tzinfo=UTC)  # two hours later, but tomorrow
    assert wait_text(due, now) == "1 day"
    assert due_histogram([due], now)[1] == 1
    assert wait_text(now + timedelta(minutes=1), now) == "1 minute"


def test_weighted_accuracy_counts_recent_answers_more():
    assert mastery.weighted_accuracy([False, False, True]) > mastery.weighted_accuracy(
        [True, False, False])
    assert mastery.weighted_accuracy([]) is None


def test_study_next_names_a_rubric_item_missed_in_most_designs(cur):
    from labs.store.models import DesignAttempt

    store = Store()
    me = get_or_create_learner(store, "designer")

    def grade(mt: float) -> str:
        return json.dumps({"items": [
            {"id": "multi_tenancy", "title": "Q: Multi-tenancy", "score": mt, "max": 2},
            {"id": "architecture", "title": "Architecture coverage", "score": 4, "max": 4}]})

    for score in (0, 0, 0, 2):
        store.write(lambda s, sc=score: s.add(DesignAttempt(
            learner_id=me.id, prompt_id="docs-chatbot", answer_text="x", grade_json=grade(sc))))
    steps = study_next(store, cur, me.id)
    design = [s for s in steps if s.kind == "design"]
    assert design and "missed multi-tenancy in 3 of 4 designs" in design[0].why
    assert len(steps) <= 3


def test_the_plan_report_has_the_cli_shape_and_figures_built_from_it(cur):
    store = Store()
    me = get_or_create_learner(store, "report")
    _, report = plan_report(store, cur, me.id, interview_date=date.today() + timedelta(days=14))
    assert set(report) >= {"days", "predicted_retention", "fits", "message"}
    assert set(report["predicted_retention"]) == {"overall", "by_module"}
    assert set(report["predicted_retention"]["by_module"]) == {m.id for m in cur.modules}
    fig = forecast_spec(report)
    assert [t["name"] for t in fig["data"]] == ["new", "review"]
    assert sum(fig["data"][0]["y"]) == len(cur.cards())
    assert len(retention_spec(report)["data"][0]["x"]) == len(cur.modules)


def test_cli_plan_prints_json_and_refuses_unknown_learners_and_past_dates(capsys):
    store = Store()
    get_or_create_learner(store, "Ada")
    when = (date.today() + timedelta(days=20)).isoformat()
    assert main(["study", "plan", "--learner", "Ada", "--interview-date", when, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fits"] is True and len(out["days"]) == 20
    assert all(d["new"] + d["review"] <= 60 for d in out["days"])
    assert main(["study", "plan", "--learner", "Nobody", "--interview-date", when]) == 1
    assert "no learner named" in capsys.readouterr().err
    assert main(["study", "plan", "--learner", "Ada", "--interview-date", "2001-01-01"]) == 1
    assert "in the past" in capsys.readouterr().err
    assert main(["study", "plan", "--learner", "Ada", "--interview-date", "soon"]) == 1
    assert "not a date" in capsys.readouterr().err


def test_fitting_parameters_needs_fsrs_minimum_of_reviews(cur):
    store = Store()
    me = get_or_create_learner(store, "few")
    review(store, cur, me.id, next(iter(cur.cards())), "Good")
    with pytest.raises(ValueError, match="512 reviews"):
        fit_parameters(store, me.id)


@pytest.mark.slow
def test_fitting_parameters_on_a_forgetful_learner_changes_them(cur):
    """600+ synthetic reviews of a learner who forgets fast: fsrs's optimizer moves the
    parameters away from the defaults, and the fitted scheduler sets shorter intervals."""
    import random

    from fsrs import Scheduler

    from labs.study.service import counted_reviews, review_logs

    store = Store()
    me = get_or_create_learner(store, "forgetful")
    rng = random.Random(7)
    ids = list(cur.cards())
    start = noon(TODAY)
    for i, cid in enumerate(ids):
        now = start + timedelta(days=i % 5)
        for _ in range(7):
            rating = "Again" if rng.random() < 0.45 else "Good"
            due = review(store, cur, me.id, cid, rating, now=now)
            now = max(due, now + timedelta(days=1))
    assert counted_reviews(review_logs(store, me.id)) >= 512
    fitted = fit_parameters(store, me.id)
    assert fitted != list(Scheduler().parameters)
    card = Card(due=start)
    card, _ = Scheduler(parameters=fitted, enable_fuzzing=False).review_card(
        card, Rating.Good, start)
    default, _ = Scheduler(enable_fuzzing=False).review_card(Card(due=start), Rating.Good, start)
    assert card.stability < default.stability
