"""The 90-second drill: a timer, the learner's script, word count, pace and a structure
check against module 9's six beats. The analysis is `labs.whiteboard.drill`."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from app import ui
from labs.whiteboard import drill, mock

SECONDS = drill.SECONDS
try:
    outline = ui.curriculum().module("articulation").script_outline
except KeyError:
    outline = []

st.title("90-second drill")
st.caption(f"Say your answer to any design prompt in {SECONDS} seconds: about "
           f"{round(SECONDS * drill.WPM / 60)} words at {drill.WPM} words a minute, in six beats "
           "(frame, architecture, bottleneck, trade-offs, eval plan, close). Type or paste your "
           "script; the check counts words, estimates the spoken time and looks for each beat.")
if not outline:
    st.warning("Module 9's script outline is missing from content/; only the word count and "
               "pace are checked.")

c1, c2 = st.columns(2)
if c1.button(f"Start the {SECONDS}-second timer", key="drill_start", icon=":material/timer:"):
    st.session_state["drill_started"] = time.time()
    st.session_state.pop("drill_elapsed", None)
if c2.button("Reset", key="drill_reset", icon=":material/restart_alt:"):
    st.session_state.pop("drill_started", None)
    st.session_state.pop("drill_elapsed", None)


@st.fragment(run_every=1.0)
def timer() -> None:
    started = st.session_state.get("drill_started")
    if started is None:
        st.caption("Timer not started.")
        return
    elapsed = st.session_state.get("drill_elapsed") or (time.time() - started)
    left = SECONDS - elapsed
    st.metric("Time left" if left >= 0 else "Over by", mock.clock(abs(left)))
    st.progress(min(1.0, elapsed / SECONDS))


timer()
ui.keep_widgets("drill_script")  # the script vanished after a visit to another page
script = st.text_area("Your script", key="drill_script", height=260, max_chars=10_000,
                      placeholder="The goal is… assuming… The architecture is… The bottleneck "
                                  "is… The trade-off… The eval plan… In short…")
if st.button("Check my script", key="drill_check", type="primary", icon=":material/rule:"):
    started = st.session_state.get("drill_started")
    if started is not None and "drill_elapsed" not in st.session_state:
        st.session_state["drill_elapsed"] = time.time() - started
    st.session_state["drill_checked"] = True

if st.session_state.get("drill_checked"):
    if not script.strip():
        st.warning("Write or paste your script first.")
    else:
        r = drill.analyse(script, outline=outline,
                          elapsed_seconds=st.session_state.get("drill_elapsed"))
        m1, m2, m3 = st.columns(3)
        m1.metric("Words", r.words, delta=r.words - r.target_words, delta_color="off",
                  help=f"Target about {r.target_words}.")
        m2.metric("Spoken at 150 wpm", f"{r.spoken_seconds:.0f} s")
        m3.metric("Time you took", mock.clock(r.elapsed_seconds) if r.elapsed_seconds else "—")
        st.markdown(r.pace_verdict)
        if outline:
            found = sum(b.present for b in r.beats)
            msg = f"{found} of {len(r.beats)} beats present" + (
                ", in order." if r.in_order else ", but not in the outline's order.")
            (st.success if found == len(r.beats) and r.in_order else st.warning)(msg)
            st.dataframe(pd.DataFrame([{
                "beat": b.title, "present": b.present, "cue found": b.cue or "",
                "words": str(b.words) if b.words or not b.present
                else "0: only named inside another beat's sentence",
                "budget (words)": b.budget_words} for b in r.beats]),
                hide_index=True, width="stretch")
            if r.missing:
                with st.expander("What each missing beat is for"):
                    for step in outline:
                        if step.title in r.missing:
                            st.markdown(f"**{step.title}** ({step.seconds} s). {step.purpose}")
