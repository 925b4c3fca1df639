"""Instructors create a workshop, watch the room live, push live questions, export CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from app import ui
from labs.workshop import (
    AccessDenied,
    Dashboard,
    WorkshopError,
    create_workshop,
    dashboard,
    export_csv,
    open_as_instructor,
    quiz_choices,
    views,
)
from labs.workshop.live import (
    MAX_SECONDS,
    LiveView,
    instructor_view,
    push_live_question,
    reveal_live_question,
)
from labs.workshop.names import literal

store = ui.store()
cur = ui.curriculum()
REFRESH_SECONDS = 5
LIVE_SECONDS = 1  # the live question's poll: its answers and reveal reach screens this fast

st.title("Instructor")
create_tab, watch_tab = st.tabs(["Create a workshop", "Dashboard"])


def _prompt_titles() -> dict[str, str]:
    """Design prompt id → title, for the picker and the dashboard."""
    from labs.whiteboard.loader import PromptError, load_prompts

    try:
        return {pid: p.title for pid, p in load_prompts().items()}
    except PromptError as e:
        st.warning("The design prompts do not validate, so none can be chosen: "
                   + "; ".join(e.problems[:3]))
        return {}


TITLES = _prompt_titles()


with create_tab:
    with st.form("wsi_create"):
        title = st.text_input("Title", max_chars=120, key="wsi_title")
        modules = st.multiselect("Modules", [m.id for m in cur.modules], key="wsi_modules",
                                 format_func=lambda i: cur.module(i).title)
        prompts = st.multiselect("Design prompts", list(TITLES), key="wsi_prompts",
                                 format_func=lambda i: TITLES.get(i, i))
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        end = start + timedelta(hours=3)
        c1, c2, c3, c4 = st.columns(4)
        start_day = c1.date_input("Starts (UTC)", start.date(), key="wsi_start_day")
        start_time = c2.time_input("at", start.time(), key="wsi_start_time")
        end_day = c3.date_input("Ends (UTC)", end.date(), key="wsi_end_day")
        end_time = c4.time_input("at ", end.time(), key="wsi_end_time")
        pass1 = st.text_input("Instructor passphrase (8+ characters)", type="password",
                              key="wsi_pass1")
        pass2 = st.text_input("Repeat the passphrase", type="password", key="wsi_pass2")
        created = st.form_submit_button("Create workshop", type="primary")
    if created:
        if pass1 != pass2:
            st.error("The two passphrases differ.")
        else:
            try:
                ws = create_workshop(
                    store, title=title, passphrase=pass1, module_ids=modules, prompt_ids=prompts,
                    starts_at=datetime.combine(start_day, start_time, UTC),
                    ends_at=datetime.combine(end_day, end_time, UTC), curriculum=cur)
            except (WorkshopError, ValueError) as e:
                st.error(str(e))
            else:
                st.session_state["wsi_created_code"] = ws.code
                # the Dashboard tab's form is drawn later in this run: fill its code in
                st.session_state["wsi_open_code"] = ws.code
    if code := st.session_state.get("wsi_created_code"):
        st.success("Workshop created. Learners join on the *Join a workshop* page with this code:")
        st.markdown(f"# `{code}`")
        st.caption("Keep the passphrase: it is stored only as a hash and cannot be recovered. "
                   "The Dashboard tab has the code filled in; it asks for the passphrase.")


def draw_dashboard(board: Dashboard) -> None:
    """Everything the dashboard shows, from one plain Dashboard value (names as literal text)."""
    c1, c2, c3 = st.columns(3)
    c1.metric("Learners joined", len(board.learners))
    c2.metric("Quiz answers", board.quiz_attempts)
    c3.metric("Design submissions", sum(board.design_submissions.values()))
    if board.learners:
        st.caption("Joined: " + ", ".join(literal(n) for n in board.learners))
    if board.help_first:
        st.subheader("Help first")
        st.table(pd.DataFrame([{k: literal(v) for k, v in r.items()} for r in board.help_first]),
                 hide_index=True)
    if board.quiz_accuracy_by_learner:
        st.plotly_chart(views.quiz_histogram(board.quiz_accuracy_by_learner), key="wsi_quiz_hist")
    if board.missed_questions:
        st.subheader("Most-missed quiz questions")
        # a wrapping table: the question and the wrong options are what the room discusses
        st.table(pd.DataFrame([{
            "question": m.prompt, "wrong": m.wrong, "answers": m.total,
            "wrong options chosen": "; ".join(f"{t} (×{n})" for t, n in
                                              m.wrong_options.most_common())}
            for m in board.missed_questions[:10]]), hide_index=True)
    if board.design_scores:
        st.plotly_chart(views.design_box(board.design_scores, TITLES), key="wsi_design_box")
    if board.design_table:
        st.subheader("Design submissions")
        st.table(pd.DataFrame([{k: literal(str(v)) for k, v in r.items()}
                               for r in board.design_table]), hide_index=True)
    if board.missed_rubric_items:
        st.subheader("Rubric items the cohort misses most")
        st.table(pd.DataFrame(board.missed_rubric_items.most_common(10),
                              columns=["rubric item", "missed by"]), hide_index=True)
    if not board.quiz_attempts and not board.design_submissions:
        st.info("No submissions yet. This view refreshes every few seconds.")


def draw_live(view: LiveView | None, access) -> None:  # type: ignore[no-untyped-def]
    """The room's live question: answers arriving, then the reveal button."""
    if view is None:
        st.caption("No live question pushed yet.")
        return
    st.markdown(f"**Live question:** {view.prompt}")
    timer = "" if view.seconds_left is None else f" · {view.seconds_left} s left"
    state = "revealed" if view.revealed else "open" if view.accepting else "closed"
    st.caption(f"{view.answered} of {view.joined} learners answered · {state}{timer}")
    st.plotly_chart(views.live_distribution(view.options, view.counts, view.correct),
                    key=f"wsi_live_dist_{view.live_id}")
    if view.revealed:
        st.success(f"Revealed: {view.options[view.correct or 0]}. {view.explanation}")
    else:  # a callback: it runs before the fragment redraws, so the reveal shows at once
        st.button("Reveal the answer", key=f"wsi_reveal_{view.live_id}", type="primary",
                  on_click=reveal_live_question, args=(store, access, view.live_id))


with watch_tab:
    access = st.session_state.get("wsi_access")
    if access is None:
        with st.form("wsi_open"):
            code = st.text_input("Join code", key="wsi_open_code", max_chars=12)
            passphrase = st.text_input("Instructor passphrase", type="password",
                                       key="wsi_open_pass")
            opened = st.form_submit_button("Open dashboard", type="primary")
        if opened:
            try:
                st.session_state["wsi_access"] = open_as_instructor(
                    store, code, passphrase, client=st.context.ip_address)
            except (AccessDenied, WorkshopError) as e:
                st.error(str(e))
            else:
                st.rerun()
    else:
        ws = access.workshop
        st.subheader(f"{ws.title} · code `{ws.code}`")
        st.caption(f"{ws.starts_at:%Y-%m-%d %H:%M} → {ws.ends_at:%Y-%m-%d %H:%M} UTC")

        with st.expander("Live question", expanded=True):
            @st.fragment
            def push_panel() -> None:  # a fragment: pushing reruns only this, not the dashboard
                choices = quiz_choices(cur, ws)
                c1, c2, c3 = st.columns([6, 2, 2], vertical_alignment="bottom")
                qid = c1.selectbox("Question from the workshop's modules", list(choices),
                                   format_func=choices.get, key="wsi_live_q")
                secs = c2.number_input("Timer (s, 0 = none)", 0, MAX_SECONDS, 60, step=15,
                                       key="wsi_live_secs")
                if c3.button("Push to the room", key="wsi_live_push", disabled=not choices):
                    try:
                        push_live_question(store, cur, access, qid, seconds=int(secs) or None)
                    except WorkshopError as e:
                        st.error(str(e))

            push_panel()

            @st.fragment(run_every=timedelta(seconds=LIVE_SECONDS))
            def live_question() -> None:
                draw_live(instructor_view(store, cur, access), access)

            live_question()

        @st.fragment(run_every=timedelta(seconds=REFRESH_SECONDS))
        def live() -> None:
            draw_dashboard(dashboard(store, cur, access, prompt_titles=TITLES))

        live()
        # built when clicked: the dashboard above refreshes on its own, and a CSV made at page
        # load would miss every answer that came in since
        st.download_button("Export submissions (CSV)", lambda: export_csv(store, cur, access),
                           file_name=f"workshop-{ws.code}.csv", mime="text/csv",
                           key="wsi_export", on_click="ignore",
                           help="Every submission up to the moment you click.")
        if st.button("Close the dashboard", key="wsi_close"):
            st.session_state.pop("wsi_access", None)
            st.rerun()
