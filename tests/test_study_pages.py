"""AppTest of the Study plan page and of the Flashcards page under a plan."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from labs.store import Store
from labs.store.models import Learner, StudyProfile
from tests.conftest import no_exceptions, page_test

PAGE = "app_pages/study.py"


def busiest(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Busiest day"))


def test_the_forecast_recomputes_live_when_the_cap_moves_and_nothing_is_saved_until_asked():
    at = page_test(PAGE).run()
    no_exceptions(at)
    at.date_input(key="study_date").set_value(date.today() + timedelta(days=3)).run()
    at.number_input(key="study_cap").set_value(200).run()
    wide = busiest(at)
    at.number_input(key="study_cap").set_value(20).run()
    no_exceptions(at)
    assert busiest(at) <= 20 < wide
    assert any("would be below" in w.value for w in at.warning)
    with Store().session() as s:
        assert s.get(StudyProfile, 1) is None  # a preview only


def test_saved_settings_are_kept_across_sessions_and_the_flashcards_follow_them():
    at = page_test(PAGE).run()
    when = date.today() + timedelta(days=10)
    at.date_input(key="study_date").set_value(when).run()
    at.slider(key="study_retention").set_value(0.85).run()
    at.number_input(key="study_cap").set_value(15).run()
    at.button(key="study_save").click().run()
    no_exceptions(at)
    with Store().session() as s:
        learner = s.exec(select(Learner)).one()
        row = s.get(StudyProfile, learner.id)
    assert (row.interview_date, row.retention, row.max_per_day) == (when, 0.85, 15)
    again = page_test(PAGE).run()  # a new session, as after a restart
    assert again.date_input(key="study_date").value == when
    assert again.number_input(key="study_cap").value == 15
    review = page_test("app_pages/review.py").run()
    no_exceptions(review)
    assert any("Following your study plan" in c.value for c in review.caption)
    (queued,) = [c.value for c in review.caption if " due now:" in c.value]
    assert int(queued.split(" due now")[0]) <= 15  # today's share of the plan, within the cap


def test_a_rating_button_says_when_the_card_comes_back():
    at = page_test("app_pages/review.py").run()
    at.button(key="review_show").click().run()
    no_exceptions(at)
    assert "comes back in" in at.button(key="review_good").proto.help
    assert any("Again: " in c.value and "Easy: " in c.value for c in at.caption)
