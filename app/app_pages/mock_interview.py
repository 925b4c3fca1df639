"""Mock interview: a chosen or random prompt, a visible timer through four phases, the
requirement change part-way, then a final report (grade, questions and when, time per
phase). The clock is `labs.whiteboard.mock`; the fragment below only redraws it."""

from __future__ import annotations

import random
import time

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from app import whiteboard_parts as parts
from labs.whiteboard import mock

prompts = parts.prompts()
st.title("Mock interview")
st.caption("A timed design round: clarify, sketch, deep dive, wrap up. Part-way through, the "
           "interviewer changes a requirement; the grade checks that your design responded.")

session = st.session_state.get("mock_session")

if session is None:
    ids = list(prompts)
    if st.button("Random prompt", key="mock_random", icon=":material/casino:"):
        st.session_state["mock_prompt"] = random.choice(ids)
    pid = st.selectbox("Design prompt", ids, key="mock_prompt",
                       format_func=lambda i: prompts[i].title)
    with st.expander("Phase lengths (minutes)", icon=":material/tune:"):
        cols = st.columns(len(mock.DEFAULT_PHASES))
        phases = [(name, int(c.number_input(mock.PHASE_LABELS[name], 1, 120, minutes,
                                            key=f"mock_len_{name}")))
                  for c, (name, minutes) in zip(cols, mock.DEFAULT_PHASES, strict=True)]
    st.markdown(f"Total: **{sum(m for _, m in phases)} minutes**. The requirement change is "
                "announced when the deep dive begins.")
    st.info(parts.STRUCTURE, icon=":material/checklist:")
    if st.button("Start the interview", key="mock_start", type="primary",
                 icon=":material/play_arrow:"):
        st.session_state["mock_session"] = mock.new_session(pid, phases, now=time.time())
        st.session_state["mock_asked"] = []
        st.session_state.pop("mock_result", None)
        ui.forget_widgets("mock_answer")
        st.rerun()
    st.stop()

prompt = prompts[session["prompt_id"]]
result = st.session_state.get("mock_result")
ui.keep_widgets("mock_answer")


def _fill_template() -> None:
    """A callback, so it runs before the answer box is drawn; never overwrites an answer."""
    if st.session_state.get("mock_answer", "").strip():
        st.session_state["mock_template_note"] = True
    else:
        st.session_state["mock_answer"] = parts.answer_template()


@st.fragment(run_every=1.0)
def clock_panel() -> None:
    """Redraws the clock each second (the numbers come from mock.status)."""
    s = mock.status(st.session_state["mock_session"], now=time.time())
    n = len(st.session_state["mock_session"]["phases"])
    st.subheader(f"Phase {s.index + 1} of {n}: {s.label}")
    c1, c2 = st.columns(2)
    c1.metric("Time left in phase" if not s.over else "Over time by",
              mock.clock(s.remaining_s if not s.over else -s.remaining_s))
    c2.metric("Elapsed", mock.clock(s.elapsed_total_s))
    st.progress(min(1.0, max(0.0, 1 - s.remaining_s / s.budget_s)),
                text="over time: move on" if s.over else None)


with st.container(border=True):
    st.markdown(f"#### {prompt.title}")
    st.markdown(prompt.prompt)

if result is None:
    clock_panel()
    status = mock.status(session, now=time.time())
    changed = session["change_at"] is not None
    if changed:
        st.warning(f"**Requirement change.** {prompt.requirement_change.announcement}",
                   icon=":material/campaign:")
    main, side = st.columns([3, 2], gap="large")
    with side:
        log = parts.interviewer_panel(prompt, "mock_asked", change_announced=changed,
                                      key_prefix="mock")
    with main:
        with st.expander("What the answer should cover", icon=":material/checklist:",
                         expanded=not st.session_state.get("mock_answer")):
            st.markdown(parts.STRUCTURE)
            st.button("Start from the template", key="mock_template",
                      icon=":material/note_add:", on_click=_fill_template,
                      help="Puts the five sections as headings in the answer box; headings "
                           "earn nothing, only what you write under them is graded.")
            if st.session_state.pop("mock_template_note", None):
                st.caption("The answer box already has text, so the template was not pasted "
                           "over it.")
        st.text_area("Your answer (Markdown): questions and assumptions, the architecture, the "
                     "bottleneck, trade-offs, the eval plan", key="mock_answer", height=420,
                     max_chars=40_000)
        c1, c2 = st.columns(2)
        last = status.index == len(session["phases"]) - 1
        if c1.button("Finish phase" if last else "Next phase", key="mock_next",
                     icon=":material/skip_next:"):
            st.session_state["mock_session"] = mock.advance(session, now=time.time())
            st.rerun()
        if c2.button("Finish and grade", key="mock_finish", type="primary",
                     icon=":material/flag:"):
            from labs.whiteboard.text import sentences

            if (st.session_state.get("mock_answer", "").strip()
                    and not sentences(st.session_state["mock_answer"])):
                # the untouched template is only headings: grading it ended the interview at 0
                st.warning("Nothing to grade yet: the answer holds only headings and empty "
                           "bullets. Write under the template's headings first; the clock "
                           "keeps running.")
                st.stop()
            now = time.time()
            done = mock.finish(session, now=now)
            phases = {"seconds": mock.phase_times(done, now=now),
                      "budget_minutes": dict(done["phases"]),
                      "change_at_s": (done["change_at"] - done["starts"][0])
                      if done["change_at"] else None}
            out = parts.grade_and_save(prompt, st.session_state.get("mock_answer", ""),
                                       mode="mock", questions=log, phases=phases)
            if out:
                st.session_state["mock_session"] = done
                st.session_state["mock_result"] = (out[0], out[1].model_dump(), phases, log)
                st.rerun()
    st.stop()

# --- the final report ----------------------------------------------------------------------
from labs.whiteboard.grader import Grade  # noqa: E402
from labs.whiteboard.views import mock_flags  # noqa: E402

attempt_id, grade_data, phases, log = result
st.subheader(f"Final report (attempt {attempt_id})")
final = Grade.model_validate(grade_data)
for flag in mock_flags(final, phases):
    st.error(flag, icon=":material/flag:")
parts.grade_report(final, prompt)

st.markdown("#### Time per phase")
names = list(phases["budget_minutes"])
fig = go.Figure([
    go.Bar(name="budget", x=[mock.PHASE_LABELS.get(n, n) for n in names],
           y=[phases["budget_minutes"][n] for n in names]),
    go.Bar(name="spent", x=[mock.PHASE_LABELS.get(n, n) for n in names],
           y=[round(phases["seconds"].get(n, 0) / 60, 2) for n in names]),
])
fig.update_layout(barmode="group", yaxis_title="minutes", height=300, margin={"t": 20})
st.plotly_chart(fig, width="stretch")
if phases.get("change_at_s") is not None:
    st.caption(f"The requirement change was announced at {mock.clock(phases['change_at_s'])}.")

st.markdown("#### Questions asked")
start = st.session_state["mock_session"]["starts"][0]
if log:
    from datetime import datetime

    def _at(q: dict) -> str:
        try:
            return mock.clock(datetime.fromisoformat(q["at"]).timestamp() - start)
        except (KeyError, ValueError):
            return "?"

    # a static table wraps the interviewer's answers (a dataframe cut them at one line)
    st.table(pd.DataFrame([{"at": _at(q), "question": q["question"],
                            "dimension": q["dimension"] or "declined",
                            "answer": q["answer"]} for q in log]).style.hide(axis="index"))
else:
    st.caption("No clarifying questions were asked: in a real round, ask before you draw.")

if st.button("New interview", key="mock_new", icon=":material/restart_alt:"):
    for k in ("mock_session", "mock_result", "mock_asked"):
        st.session_state.pop(k, None)
    ui.forget_widgets("mock_answer")
    st.rerun()
