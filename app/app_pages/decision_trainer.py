"""Decision trainer: a situation, a choice of adaptation method, and why each wins or loses.

Scenarios come in an order of the learner's own (the file groups them by answer); every
checked answer is stored and counted in the learner's accuracy per method.
"""

from __future__ import annotations

import random

import pandas as pd
import streamlit as st

from app import ui
from labs.curriculum.practice import (
    decision_accuracy,
    decision_answers,
    learner_order,
    record_decision,
)
from labs.store import StoreError

me = ui.learner()
store = ui.store()
cur = ui.curriculum()
trainer = cur.trainer
methods = {m.id: m for m in trainer.methods}
scenarios = {s.id: s for s in trainer.scenarios}

st.title("Decision trainer")
st.caption("Prompting, few-shot, RAG, fine-tuning or continued pretraining? Pick the method "
           "that wins in each situation, then read why every option wins or loses there.")

ids = learner_order(me.id, "decision-trainer", list(scenarios))
last = {a.scenario_id: a for a in decision_answers(store, me.id)}
if "dt_scenario" not in st.session_state:
    st.session_state["dt_scenario"] = next((i for i in ids if i not in last), ids[0])
if st.button("Random scenario", key="dt_random", icon=":material/casino:"):
    fresh = [i for i in ids if i not in last and i != st.session_state["dt_scenario"]]
    st.session_state["dt_scenario"] = random.choice(
        fresh or [i for i in ids if i != st.session_state["dt_scenario"]])


def _label(i: str) -> str:
    mark = "" if i not in last else (" ✓" if last[i].correct else " ✗")
    return f"{ids.index(i) + 1}. {scenarios[i].title}{mark}"


sid = st.selectbox("Scenario", ids, key="dt_scenario", format_func=_label)
scenario = scenarios[sid]

with st.container(border=True):
    st.markdown(f"#### {scenario.title}")
    st.markdown(scenario.situation)
choice = st.radio("Which method wins here?", list(methods), index=None,
                  format_func=lambda m: methods[m].name, key=f"dt_choice_{sid}", horizontal=True,
                  # a verdict belongs to the choice it was given for
                  on_change=st.session_state.pop, args=(f"dt_checked_{sid}", None))
if st.button("Check", key="dt_check", type="primary"):
    if choice is None:
        st.warning("Pick a method first.")
    else:
        st.session_state[f"dt_checked_{sid}"] = choice
        try:
            record_decision(store, cur, me.id, sid, choice)
        except StoreError as e:
            st.error(f"Your answer was not saved: {e}")

checked = st.session_state.get(f"dt_checked_{sid}")
if checked is None and sid in last and choice is None:
    st.caption(f"Last time you chose **{methods[last[sid].chosen].name}** here.")
if checked:
    best = methods[scenario.best].name
    if checked == scenario.best:
        st.success(f"Yes: **{best}** wins here.")
    else:
        st.error(f"Not here: **{methods[checked].name}** loses to **{best}**.")
    # st.table wraps long text; a dataframe cut every "why" off mid-sentence
    st.table(pd.DataFrame([
        {"method": methods[m].name, "verdict": "wins" if m == scenario.best else "loses",
         "why": scenario.explanations[m]} for m in methods]), hide_index=True)

st.subheader("Your accuracy per method")
rows = decision_accuracy(store, cur, me.id)
answered = sum(r.answered for r in rows)
st.caption(f"{answered} of {len(ids)} scenarios answered; your latest answer to each counts.")
st.table(pd.DataFrame([
    {"method": r.name, "scenarios it wins": r.scenarios, "answered": r.answered,
     "right": r.right,
     "accuracy": "–" if r.accuracy is None else f"{r.accuracy:.0%}"} for r in rows]),
    hide_index=True)

with st.expander("The reference table: when each method wins and loses"):
    st.table(pd.DataFrame([{"method": m.name, "wins when": m.wins_when,
                            "loses when": m.loses_when} for m in trainer.methods]),
             hide_index=True)
