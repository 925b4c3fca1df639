"""Flashcard review: today's queue across modules, rated Again/Hard/Good/Easy, scheduled by fsrs."""

from __future__ import annotations

import streamlit as st
from sqlmodel import select

from app import ui
from app.nav import page_path
from labs.curriculum.practice import RATINGS
from labs.store import StoreError
from labs.store.models import CardState, utcnow
from labs.study.service import rating_previews, review, settings, today_queue
from labs.study.view import due_histogram, upcoming_figure, wait_text

me = ui.learner()
cur = ui.curriculum()
store = ui.store()

st.title("Flashcards")
options = ["all", *[m.id for m in cur.modules]]
requested = st.query_params.get("module", "all")
scope = st.selectbox("Modules", options, index=options.index(requested) if requested in options
                     else 0, key="review_scope",
                     format_func=lambda i: "All modules" if i == "all" else cur.module(i).title)
queue = today_queue(store, cur, me.id, module_id=None if scope == "all" else scope)
prefs = settings(store, me.id)
if prefs.interview_date and prefs.interview_date > utcnow().date():
    st.caption(f"Following your study plan for the interview on {prefs.interview_date} "
               f"(at most {prefs.max_per_day} cards a day).")
    st.page_link(page_path("study"), label="Change the plan", icon=":material/event:")

if not queue:
    st.success("Nothing is due. Come back tomorrow, or answer a quiz: missed questions "
               "become cards.", icon=":material/celebration:")
else:
    card = queue[0]
    new = sum(c.is_new for c in queue)
    st.caption(f"{len(queue)} due now: {len(queue) - new} reviews, {new} new.")
    with st.container(border=True):
        origin = {"quiz-miss": "from a quiz question you missed",
                  "rubric-miss": "from a rubric item you missed"}.get(card.source, "")
        module_title = cur.module(card.module_id).title if card.module_id in {
            m.id for m in cur.modules} else ""
        st.caption(" · ".join(x for x in (module_title, origin) if x))
        st.markdown(f"#### {card.front}")
        revealed = st.session_state.get("review_revealed") == card.card_id
        if not revealed:
            if st.button("Show answer", key="review_show", type="primary"):
                st.session_state["review_revealed"] = card.card_id
                st.rerun()
        else:
            st.markdown(card.back)
            now = utcnow()
            previews = rating_previews(store, me.id, card.card_id, now=now)
            cols = st.columns(len(RATINGS))
            for col, rating in zip(cols, RATINGS, strict=True):
                if col.button(rating, key=f"review_{rating.lower()}", width="stretch",
                              help=f"comes back in {wait_text(previews[rating], now)}"):
                    try:
                        nxt = review(store, cur, me.id, card.card_id, rating)
                    except StoreError as e:
                        st.error(f"The review was not saved: {e}")
                    else:
                        st.session_state["review_revealed"] = None
                        st.session_state["review_last"] = (card.card_id, nxt)
                        st.rerun()
            st.caption(" · ".join(f"{r}: {wait_text(previews[r], now)}" for r in RATINGS))

if last := st.session_state.get("review_last"):
    st.caption(f"The last card comes back in about {wait_text(last[1], utcnow())}.")

with store.session() as s:
    dues = [c.due for c in s.exec(select(CardState).where(
        CardState.learner_id == me.id, CardState.reviews > 0))]
if dues:
    st.plotly_chart(upcoming_figure(due_histogram(dues, utcnow())), key="review_forecast")
