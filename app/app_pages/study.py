"""Study plan: the interview date, recall wanted on the day and a daily cap; the day-by-day
forecast and predicted recall per module, recomputed as the settings move; mastery per module;
fsrs parameters fitted to the learner's own reviews."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from app import ui
from labs.store import StoreError
from labs.store.models import utcnow
from labs.study import view
from labs.study.service import (
    OPTIMIZER_MIN_REVIEWS,
    counted_reviews,
    fit_parameters,
    module_mastery,
    plan_report,
    review_logs,
    save_settings,
    settings,
)

P = "study_"
me = ui.learner()
cur = ui.curriculum()
store = ui.store()
prefs = settings(store, me.id)
today = utcnow().date()

st.title("Study plan")
st.caption("Flashcards scheduled backwards from your interview: every card introduced in "
           "time and, by fsrs's memory model, recalled with the probability you choose on the "
           "day. Move the settings to see the plan change; save to make the Flashcards page "
           "follow it.")

c1, c2, c3 = st.columns(3)
when = c1.date_input("Interview date", value=prefs.interview_date or today + timedelta(days=30),
                     min_value=today, key=P + "date")
retention = c2.slider("Recall wanted on the day", 0.70, 0.99, float(prefs.retention), 0.01,
                      key=P + "retention",
                      help="fsrs's predicted probability of recalling each card on the day")
cap = c3.number_input("Cards a day at most", 1, 1000, int(prefs.max_per_day), key=P + "cap",
                      help="new and review cards together")

try:
    plan, report = plan_report(store, cur, me.id, interview_date=when, retention=retention,
                               max_per_day=int(cap))
except ValueError as e:
    st.error(str(e))
    st.stop()

saved = (prefs.interview_date, prefs.retention, prefs.max_per_day) == (when, retention, cap)
b1, b2 = st.columns([1, 3])
if b1.button("Save these settings", key=P + "save", type="primary", disabled=saved):
    try:
        save_settings(store, me.id, interview_date=when, retention=retention,
                      max_per_day=int(cap))
    except (ValueError, StoreError) as e:
        st.error(f"Not saved: {e}")
    else:
        st.rerun()
if prefs.interview_date and b2.button("Clear the interview date", key=P + "clear"):
    save_settings(store, me.id, interview_date=None, retention=prefs.retention,
                  max_per_day=prefs.max_per_day)
    st.rerun()
b2.caption("Saved: the Flashcards page follows this plan." if saved and prefs.interview_date
           else "Not saved yet: this is a preview.")

(st.success if report["fits"] else st.warning)(report["message"])
m1, m2, m3 = st.columns(3)
m1.metric("Predicted recall on the day", f"{report['predicted_retention']['overall']:.0%}")
m2.metric("Days left", len(report["days"]))
m3.metric("Busiest day", max((d["new"] + d["review"] for d in report["days"]), default=0))
st.plotly_chart(view.forecast_figure(report), key=P + "forecast")
st.plotly_chart(view.retention_figure(report), key=P + "by_module")
st.caption("The forecast assumes each review is answered Good; an Again re-plans from that "
           "card's new state. Cards you have never seen count 0 recall.")

st.subheader("Where you stand")
st.dataframe(pd.DataFrame(view.mastery_rows(module_mastery(store, cur, me.id))),
             hide_index=True, width="stretch")
st.caption("Mastery weighs recent quiz answers and flashcard recall 2:2 and design rubric "
           "items 1; modules you have not touched show —.")

st.subheader("Your own memory parameters")
logs = review_logs(store, me.id)
counted = counted_reviews(logs)
if prefs.parameters:
    st.caption("Using parameters fitted to your reviews.")
if counted < OPTIMIZER_MIN_REVIEWS:
    st.info(f"fsrs can fit its parameters to your memory after {OPTIMIZER_MIN_REVIEWS} reviews "
            f"on separate days; you have {counted}. Until then the defaults are used.")
elif st.button("Fit my parameters", key=P + "fit"):
    with st.spinner("Fitting fsrs to your reviews (torch, a few seconds)…"):
        st.session_state[P + "fitted"] = fit_parameters(store, me.id)
if fitted := st.session_state.get(P + "fitted"):
    before = sum(d["review"] for d in report["days"])
    save_settings(store, me.id, interview_date=prefs.interview_date, retention=prefs.retention,
                  max_per_day=prefs.max_per_day, parameters=fitted)
    _, after = plan_report(store, cur, me.id, interview_date=when, retention=retention,
                           max_per_day=int(cap))
    st.session_state.pop(P + "fitted")
    st.success(f"Fitted and saved. Reviews until the interview: {before} with the defaults, "
               f"{sum(d['review'] for d in after['days'])} with yours.")
