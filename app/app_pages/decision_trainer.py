"""Decision trainer: a situation, a choice of adaptation method, and why each wins or loses."""

from __future__ import annotations

import random

import pandas as pd
import streamlit as st

from app import ui

cur = ui.curriculum()
trainer = cur.trainer
methods = {m.id: m for m in trainer.methods}
scenarios = {s.id: s for s in trainer.scenarios}

st.title("Decision trainer")
st.caption("Prompting, few-shot, RAG, fine-tuning or continued pretraining? Pick the method "
           "that wins in each situation, then read why every option wins or loses there.")

ids = list(scenarios)
if "dt_scenario" not in st.session_state:
    st.session_state["dt_scenario"] = ids[0]
if st.button("Random scenario", key="dt_random", icon=":material/casino:"):
    st.session_state["dt_scenario"] = random.choice([i for i in ids
                                                     if i != st.session_state["dt_scenario"]])
sid = st.selectbox("Scenario", ids, key="dt_scenario",
                   format_func=lambda i: f"{ids.index(i) + 1}. {scenarios[i].title}")
scenario = scenarios[sid]

with st.container(border=True):
    st.markdown(f"#### {scenario.title}")
    st.markdown(scenario.situation)
choice = st.radio("Which method wins here?", list(methods), index=None,
                  format_func=lambda m: methods[m].name, key=f"dt_choice_{sid}", horizontal=True)
if st.button("Check", key="dt_check", type="primary"):
    if choice is None:
        st.warning("Pick a method first.")
    else:
        st.session_state[f"dt_checked_{sid}"] = choice

checked = st.session_state.get(f"dt_checked_{sid}")
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

with st.expander("The reference table: when each method wins and loses"):
    st.table(pd.DataFrame([{"method": m.name, "wins when": m.wins_when,
                            "loses when": m.loses_when} for m in trainer.methods]),
             hide_index=True)
