"""Home: the learning path, the learner's progress per module, cards due, and where to resume."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app import ui
from app.nav import page_path
from labs.curriculum.practice import module_statuses
from labs.study.service import study_next, today_queue

me = ui.learner()
cur = ui.curriculum()
store = ui.store()

st.title("AIE Bridge")
st.caption("From data pipelines to LLM-native systems: nine modules, runnable labs, "
           "and interview practice.")

statuses = module_statuses(store, cur, me.id)
due = today_queue(store, cur, me.id)
reviews_due = sum(not c.is_new for c in due)

c1, c2, c3 = st.columns(3)
c1.metric("Path complete", f"{sum(s.percent for s in statuses) / len(statuses):.0f}%")
c2.metric("Flashcards due today", len(due), help=f"{reviews_due} reviews and "
          f"{len(due) - reviews_due} new cards (your study plan's share for today, or at "
          "most 20 new a day without one)")
c3.metric("Lessons read", f"{sum(s.lesson_read for s in statuses)} / {len(statuses)}")

st.subheader("Study next")
last = me.last_module_id if me.last_module_id in {m.id for m in cur.modules} else None
if last:
    st.page_link(page_path("modules"), label=f"Resume: {cur.module(last).title}",
                 icon=":material/play_arrow:", query_params={"module": last})
for i, step in enumerate(study_next(store, cur, me.id), 1):
    if path := page_path(step.page):
        st.page_link(path, label=f"{i}. {step.title}", icon=":material/arrow_forward:",
                     query_params={"module": step.module_id} if step.module_id else None)
        st.caption(f"Why: {step.why}.")
st.page_link(page_path("study"), label="Plan toward your interview date",
             icon=":material/event:")

st.subheader("Your learning path")
labels = [f"{i + 1}. {s.title}" for i, s in enumerate(statuses)]
fig = go.Figure(go.Bar(
    x=[s.percent for s in statuses], y=labels, orientation="h",
    text=[f"{s.percent:.0f}%" for s in statuses], textposition="outside", cliponaxis=False,
    marker_color=["#2e7d32" if s.percent >= 99.9 else "#4f7cff" for s in statuses],
    customdata=[[("yes" if s.lesson_read else "no"), s.questions_correct, s.questions_total,
                 s.cards_reviewed, s.cards_total] for s in statuses],
    hovertemplate="%{y}<br>%{x:.0f}% complete<br>lesson read: %{customdata[0]}"
                  "<br>quiz: %{customdata[1]}/%{customdata[2]} right"
                  "<br>cards reviewed: %{customdata[3]}/%{customdata[4]}<extra></extra>",
))
fig.update_layout(xaxis=dict(range=[0, 100], title="progress (%)"),
                  yaxis=dict(autorange="reversed"), height=360,
                  margin=dict(l=10, r=10, t=10, b=10))
st.plotly_chart(fig, key="home_progress")
st.caption("Progress counts three equal parts per module: the lesson marked read, quiz "
           "questions answered right at least once, and deck flashcards reviewed.")

st.subheader("Modules")
for m, s in zip(cur.modules, statuses, strict=True):
    with st.container(border=True):
        st.page_link(page_path("modules"), label=f"**Module {m.order}: {m.title}**",
                     query_params={"module": m.id}, icon=":material/menu_book:")
        st.caption(f"{m.summary} · about {m.minutes} min · {s.percent:.0f}% done")
