"""Instructors create a workshop, watch the room live, and export submissions as CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
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
)

store = ui.store()
cur = ui.curriculum()
REFRESH_SECONDS = 5

st.title("Instructor")
create_tab, watch_tab = st.tabs(["Create a workshop", "Dashboard"])


def _prompt_ids() -> list[str]:
    from labs.whiteboard.loader import PromptError, load_prompts

    try:
        return sorted(load_prompts())
    except PromptError as e:
        st.warning("The design prompts do not validate, so none can be chosen: "
                   + "; ".join(e.problems[:3]))
        return []


with create_tab:
    with st.form("wsi_create"):
        title = st.text_input("Title", max_chars=120, key="wsi_title")
        modules = st.multiselect("Modules", [m.id for m in cur.modules], key="wsi_modules",
                                 format_func=lambda i: cur.module(i).title)
        prompts = st.multiselect("Design prompts", _prompt_ids(), key="wsi_prompts")
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


def score_bands(accuracies) -> tuple[list[str], list[int]]:
    """Learners per tenth of the score, 100% counted in the top band (a histogram with
    end=100 would drop it, and one learner would stretch a bar across the whole axis)."""
    bands = [f"{lo}–{lo + 9}%" for lo in range(0, 90, 10)] + ["90–100%"]
    counts = [0] * 10
    for a in accuracies:
        counts[min(int(round(a * 100, 6)) // 10, 9)] += 1
    return bands, counts


def draw_dashboard(board: Dashboard) -> None:
    """Everything the dashboard shows, from one plain Dashboard value."""
    c1, c2, c3 = st.columns(3)
    c1.metric("Learners joined", len(board.learners))
    c2.metric("Quiz answers", board.quiz_attempts)
    c3.metric("Design submissions", sum(board.design_submissions.values()))
    if board.learners:
        st.caption("Joined: " + ", ".join(board.learners))
    if board.quiz_accuracy_by_learner:
        bands, counts = score_bands(board.quiz_accuracy_by_learner.values())
        fig = go.Figure(go.Bar(x=bands, y=counts, marker_color="#4f7cff"))
        fig.update_layout(title="Quiz score distribution", xaxis_title="% answers right",
                          yaxis=dict(title="learners", dtick=max(1, -(-max(counts) // 5)),
                                     rangemode="tozero"),
                          height=300, margin=dict(t=40, b=10))
        st.plotly_chart(fig, key="wsi_quiz_hist")
    if board.missed_questions:
        st.subheader("Most-missed quiz questions")
        # a wrapping table: the question and the wrong options are what the room discusses
        st.table(pd.DataFrame([{
            "question": m.prompt, "wrong": m.wrong, "answers": m.total,
            "wrong options chosen": "; ".join(f"{t} (×{n})" for t, n in
                                              m.wrong_options.most_common())}
            for m in board.missed_questions[:10]]), hide_index=True)
    if board.design_scores:
        fig = go.Figure([go.Box(y=v, name=k, boxpoints="all") for k, v in
                         board.design_scores.items()])
        fig.update_layout(title="Design scores by prompt", yaxis_title="score (0-100)",
                          xaxis_title="design prompt", height=320, margin=dict(t=40, b=10))
        st.plotly_chart(fig, key="wsi_design_box")
    if board.missed_rubric_items:
        st.subheader("Rubric items the cohort misses most")
        st.table(pd.DataFrame(board.missed_rubric_items.most_common(10),
                              columns=["rubric item", "missed by"]), hide_index=True)
    if not board.quiz_attempts and not board.design_submissions:
        st.info("No submissions yet. This view refreshes every few seconds.")


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
                st.session_state["wsi_access"] = open_as_instructor(store, code, passphrase)
            except (AccessDenied, WorkshopError) as e:
                st.error(str(e))
            else:
                st.rerun()
    else:
        ws = access.workshop
        st.subheader(f"{ws.title} · code `{ws.code}`")
        st.caption(f"{ws.starts_at:%Y-%m-%d %H:%M} → {ws.ends_at:%Y-%m-%d %H:%M} UTC")

        @st.fragment(run_every=timedelta(seconds=REFRESH_SECONDS))
        def live() -> None:
            draw_dashboard(dashboard(store, cur, access))

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
