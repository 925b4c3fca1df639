"""Learners join a workshop by code and name, then see their own results (and only theirs)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from app import ui
from app.nav import page_path
from labs.workshop import (
    WorkshopError,
    is_running,
    join_workshop,
    module_ids_of,
    own_design_attempts,
    own_results,
    prompt_ids_of,
    resume_membership,
)
from labs.workshop.live import answer_live_question, learner_view
from labs.workshop.names import literal

LIVE_SECONDS = 1  # how often the page looks for the instructor's live question
store = ui.store()
cur = ui.curriculum()

st.title("Join a workshop")


membership = None
if token := st.session_state.get("ws_token"):  # ui.keep_workshop_membership resumed it
    try:
        membership = resume_membership(store, token)
    except WorkshopError as e:
        st.warning(str(e))

if membership is None:
    st.caption("Your instructor gives you a six-character code. Your answers during the "
               "workshop are attached to it; only you and the instructor see them.")
    with st.form("ws_join_form"):
        code = st.text_input("Join code", max_chars=12, key="ws_code")
        name = st.text_input("Your display name", max_chars=80, key="ws_name")
        submitted = st.form_submit_button("Join", type="primary")
    if submitted:
        try:
            ws, member = join_workshop(store, code, name, client=st.context.ip_address)
        except (WorkshopError, ValueError) as e:
            st.error(str(e))
        else:
            ui.enter_workshop(ws, member)
            st.rerun()
    st.stop()

ws, member = membership
st.subheader(ws.title)
state = "running" if is_running(ws) else "closed: new answers are kept but not attached to it"
st.caption(f"You are **{literal(member.display_name)}** · the workshop is {state}. Bookmark "
           "this page's address to come back as yourself.")
modules = [m for m in cur.modules if m.id in module_ids_of(ws)]
if modules:
    st.markdown("**Modules for this workshop**")
    for m in modules:
        st.page_link(page_path("modules"), label=f"{m.order}. {m.title}",
                     icon=":material/menu_book:", query_params={"module": m.id})
if (wb := page_path("whiteboard")) and prompt_ids_of(ws):
    st.page_link(wb, label="Open the design whiteboard", icon=":material/draw:")



@st.fragment(run_every=timedelta(seconds=LIVE_SECONDS))
def live_question() -> None:
    """The instructor's live question, polled: appears, takes one answer, then the reveal."""
    view = learner_view(store, cur, member)
    if view is None:
        return
    with st.container(border=True):
        st.markdown(f"**Live question** · {view.prompt}")
        if view.revealed:
            for i, text in enumerate(view.options):
                mark = "✅" if i == view.correct else "▫️"
                mine = " ← your answer" if i == view.my_choice else ""
                st.markdown(f"{mark} {text}{mine}")
            st.success(f"The answer: {view.options[view.correct or 0]}. {view.explanation}")
        elif view.my_choice is not None:
            st.info(f"Your answer is in: {view.options[view.my_choice]}. Wait for the reveal.")
        elif not view.accepting:
            st.warning("Time is up for this question. The instructor will reveal the answer.")
        else:
            if view.seconds_left is not None:
                st.caption(f"{view.seconds_left} s left")
            st.radio("Your answer", range(len(view.options)), index=None,
                     format_func=lambda i: view.options[i], key=f"ws_live_choice_{view.live_id}")
            st.button("Send answer", key=f"ws_live_send_{view.live_id}", type="primary",
                      on_click=_send, args=(view.live_id,))
        if error := st.session_state.pop("ws_live_error", None):
            st.error(error)


def _send(live_id: int) -> None:
    """The Send button's callback: runs before the fragment redraws, so it shows the result."""
    choice = st.session_state.get(f"ws_live_choice_{live_id}")
    try:
        if choice is None:
            raise WorkshopError("Pick an option first.")
        answer_live_question(store, cur, member, live_id, choice)
    except WorkshopError as e:
        st.session_state["ws_live_error"] = str(e)


live_question()

st.subheader("Your results")
attempts = own_results(store, member)
if not attempts:
    st.info("No answers yet. Open a module's Quiz tab: your answers appear here.")
else:
    questions = cur.questions()
    right = sum(a.correct for a in attempts)
    st.metric("Quiz answers right", f"{right} / {len(attempts)}")
    st.table(pd.DataFrame([{
        "time (UTC)": f"{a.created_at:%H:%M:%S}", "module": a.module_id,
        "question": q.prompt if (q := questions.get(a.question_id)) else a.question_id,
        "right": "yes" if a.correct else "no"} for a in attempts]), hide_index=True)
designs = own_design_attempts(store, member)
if designs:
    st.markdown("**Your design attempts**")
    st.table(pd.DataFrame([{
        "time (UTC)": f"{d.created_at:%H:%M:%S}", "prompt": d.prompt_id,
        "score": "" if d.total is None else f"{d.total} ({d.level})",
        "graded by": literal(d.grader)} for d in designs]), hide_index=True)
