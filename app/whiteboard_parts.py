"""Streamlit pieces shared by the whiteboard and mock-interview pages: the cached prompts,
the interviewer panel, grading with progress, the grade report and the attempt history.
Logic lives in labs/whiteboard; this file only reads widgets and draws."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from app import ui
from labs.store import Store
from labs.whiteboard.loader import PromptError, load_prompts
from labs.whiteboard.models import Box, DesignPrompt, Dimension
from labs.whiteboard.rubric import BOXES, DIMENSIONS


@st.cache_resource(show_spinner=False)
def _prompts() -> dict[str, DesignPrompt]:
    return load_prompts()


def prompts() -> dict[str, DesignPrompt]:
    try:
        found = _prompts()
    except PromptError as e:
        st.error("**The design prompts in content/whiteboard/ do not validate:**\n\n"
                 + "\n".join(f"- `{p}`" for p in e.problems))
        st.stop()
        raise
    if not found:
        st.warning("No design prompts found in content/whiteboard/prompts/.")
        st.stop()
    return found


def answer_template() -> str:
    """The whiteboard's structure as Markdown to start a mock answer from. Only headings and
    empty bullets: the grader drops headings, so the untouched template earns nothing."""
    lines = ["## Clarifying questions (ask, or state your assumption, and what it changes)"]
    for d in Dimension:
        lines += [f"### {DIMENSIONS[d].title}", "- ", ""]
    lines += ["## Architecture (boxes, why each is there, the request flow)",
              f"### Reference boxes: {', '.join(BOXES[b][0] for b in Box)}", "- ", "",
              "## Bottleneck (the deep dive: what breaks first and what you do about it)",
              "- ", "",
              "## Trade-offs (cost, latency, quality)", "- ", "",
              "## Eval plan (golden set, metrics, online signals, release gate)", "- ", "",
              "## Requirement change (what the change altered in the design)", "- "]
    return "\n".join(lines)


STRUCTURE = ("**A strong answer has five parts**, the same as the whiteboard page:\n\n"
             "1. **Clarifying questions**: read or write, freshness, latency budget, how "
             "quality is judged, tenancy. Ask them (panel on the right) or state an "
             "assumption, and say what each changes.\n"
             "2. **Architecture**: the boxes on the request path and why each is there.\n"
             "3. **Deep dive**: the bottleneck and how you relieve it.\n"
             "4. **Trade-offs** in cost, latency and quality.\n"
             "5. **Eval plan**: how you would know it works, before and after release.\n\n"
             "When the requirement change arrives, say what it changes in your design.")


def interviewer_panel(prompt: DesignPrompt, log_key: str, *, change_announced: bool = False,
                      key_prefix: str = "wb") -> list[dict]:
    """Ask a clarifying question; the answers so far, newest last. Returns the log."""
    from labs.llm import LLMError, LLMUnavailable
    from labs.whiteboard.interviewer import ask

    log: list[dict] = st.session_state.setdefault(log_key, [])
    st.markdown("#### Ask the interviewer")
    st.caption("Ask a clarifying question in your own words. Questions about read/write, "
               "freshness, latency, the eval rubric or tenancy get an answer; anything else "
               "is declined.")
    with st.form(f"{key_prefix}_ask_form", clear_on_submit=True, border=False):
        q = st.text_input("Your question", key=f"{key_prefix}_ask_q", max_chars=500,
                          placeholder="e.g. How fresh does the data need to be?")
        sent = st.form_submit_button("Ask", icon=":material/record_voice_over:")
    if sent:
        cfg = ui.llm_config()
        try:
            emb = ui.embedder() if cfg.provider == "offline" else None
            with ui.llm_waits():
                reply = ask(prompt, q, embedder=emb, config=cfg,
                            change_announced=change_announced)
        except ValueError as e:
            st.warning(str(e))
        except (LLMUnavailable, LLMError) as e:
            st.error(f"The LLM could not classify the question: {e}")
        else:
            log.append(reply.to_dict())
    for r in reversed(log):
        with st.chat_message("user"):
            st.text(r["question"])
        with st.chat_message("assistant", avatar=":material/person_search:"):
            if r["dimension"] is None:
                st.caption("declined")
            else:
                how = (f"matched {r['dimension']} (cosine {r['similarity']:.2f})"
                       if r.get("similarity") is not None else f"matched {r['dimension']} "
                       f"by {r['by']}")
                st.caption(how + (" · changed requirement" if r.get("changed") else ""))
            st.text(r["answer"])
    return log


def grade_and_save(prompt: DesignPrompt, answer_text: str, **kw: Any):
    """Save the attempt, then grade it, with a progress bar. Returns (attempt id, grade) or
    None after showing what went wrong (the attempt stays saved)."""
    from labs.whiteboard.attempts import GradingFailed, submit

    cfg = ui.llm_config()
    bar = st.progress(0.0, text="Saving your answer…")
    try:
        emb = None
        if cfg.provider == "offline":
            bar.progress(0.3, text="Loading the embedding model…")
            emb = ui.embedder()
        grader = "the offline rubric grader" if emb else cfg.label
        bar.progress(0.6, text=ui.model_queue_text(f"Grading with {grader}…") if emb
                     else f"Grading with {grader}…")
        with ui.llm_waits():
            out = submit(ui.store(), ui.learner().id, prompt, answer_text, config=cfg,  # type: ignore[arg-type]
                         embedder=emb, workshop_id=ui.active_workshop_id(), **kw)
    except ValueError as e:
        bar.empty()
        st.warning(str(e))
        return None
    except GradingFailed as e:
        bar.empty()
        st.error(str(e))
        return None
    bar.progress(1.0, text="Graded.")
    bar.empty()
    if emb is None:  # an LLM grade: cross-check it with the offline grader
        out = out[0], _cross_checked(prompt, answer_text, out[1], kw.get("mode", "whiteboard"))
    return out


def _cross_checked(prompt: DesignPrompt, answer_text: str, grade: Any, mode: str) -> Any:
    """The LLM grade, with a note when the offline grader is more than one band away, and
    the offline reading of which prompt the answer is about."""
    from labs.whiteboard.service import RubricGrader, grade_answer
    from labs.whiteboard.views import disagreement

    offline = grade_answer(prompt, answer_text, grader=RubricGrader(ui.embedder()), mode=mode)
    flag = disagreement(offline, grade)
    return grade.model_copy(update={"notes": [*grade.notes, *([flag] if flag else [])],
                                    "looks_like": offline.looks_like})


def grade_report(grade: Any, prompt: DesignPrompt) -> None:
    """The total, the level, the grader, notes, ignored lines, each item's score, evidence
    and feedback."""
    c1, c2, c3 = st.columns(3)
    c1.metric("Total", f"{grade.total}/100")
    c2.metric("Level signal", grade.level)
    c3.metric("Graded by", getattr(grade, "grader", grade.provider))
    if grade.provider == "offline":
        st.caption("Graded by the offline rubric grader: deterministic, no LLM. A point is "
                   "earned by a sentence that states a decision or a requirement; negated "
                   "ideas, term lists and copied prompt text earn nothing. The sentence that "
                   "earned each point is quoted.")
    for note in getattr(grade, "notes", []):
        st.warning(note, icon=":material/report:")
    if grade.ignored_lines:
        st.warning(f"Ignored lines ({len(grade.ignored_lines)}): hidden from a reader, "
                   f"smuggled in a wrapper, or addressed to the grader.")
        st.code("\n".join(grade.ignored_lines), language=None)
    df = pd.DataFrame([{"item": i.title, "score": i.score, "max": i.max,
                        "share": 100 * i.score / i.max} for i in grade.items])
    st.dataframe(df, hide_index=True, width="stretch", column_config={  # "26.67%" was noise
        "share": st.column_config.ProgressColumn("share of max", min_value=0.0,
                                                 max_value=100.0, format="%.0f%%")})
    for i in grade.items:
        icon = ":material/check_circle:" if i.score >= i.max * 0.75 else (
            ":material/error:" if i.score < i.max / 2 else ":material/adjust:")
        with st.expander(f"{i.title} — {i.score:g}/{i.max:g}", icon=icon):
            st.markdown("**Evidence**")
            st.text(i.evidence or "(nothing in the answer matched)")
            st.markdown("**Feedback**")
            st.text(i.feedback)
    missed = grade.missed()
    if missed:
        st.info(f"{len(missed)} missed item(s) became flashcards in the system-design deck.",
                icon=":material/style:")
    with st.expander("What this prompt was testing"):
        st.markdown(f"**Headline answer.** {prompt.headline_answer}")
        st.markdown("**The trap.**")
        st.text(prompt.trap.strip())


def calibration_panel() -> None:
    """How far to trust the offline grader: its measured calibration (table and plot) and
    what it can and cannot judge."""
    import plotly.graph_objects as go

    from labs.whiteboard import views

    with st.expander("How far to trust this grader (calibration)", icon=":material/balance:"):
        report = views.load_report()
        if report is None:
            st.caption("No calibration report yet: run `aie-bridge grade calibrate --save`.")
        else:
            st.caption(f"Measured on {report['answers']} labelled answers "
                       f"(`aie-bridge grade calibrate`), grader: {report['grader']}.")
            st.dataframe(pd.DataFrame(views.calibration_summary(report)), hide_index=True,
                         width="stretch")
            st.dataframe(pd.DataFrame(views.calibration_table(report)), hide_index=True,
                         width="stretch")
            st.plotly_chart(go.Figure(views.calibration_figure(report)), width="stretch")
        can, cannot = st.columns(2)
        can.markdown("**It can judge**\n" + "\n".join(f"- {x}" for x in views.CAN_JUDGE))
        cannot.markdown("**It cannot judge**\n" + "\n".join(f"- {x}"
                                                           for x in views.CANNOT_JUDGE))


def history_panel(store: Store, learner_id: int) -> None:
    """Every attempt, the trend, two attempts side by side and the latest as JSON (a fragment
    on the whiteboard page: picking attempts to compare reruns only this)."""
    from labs.whiteboard.attempts import compare, compare_figure, history, trend_figure

    st.subheader("History")
    rows = history(store, learner_id)  # type: ignore[arg-type]
    graded = [r for r in rows if r.grade is not None]
    if not rows:
        st.caption("No attempts yet. Grade an answer to start your history.")
        return
    st.plotly_chart(trend_figure(rows), width="stretch")
    table = pd.DataFrame([{"attempt": r.id, "prompt": r.prompt_id, "mode": r.mode,
                           "when (UTC)": f"{r.created_at:%Y-%m-%d %H:%M}", "total": r.total,
                           "level": r.level,
                           "graded by": r.grade.grader if r.grade else r.provider,
                           "grading error": r.error or ""} for r in rows])
    if not table["grading error"].any():  # a column of "None" said nothing
        table = table.drop(columns="grading error")
    st.dataframe(table, hide_index=True, width="stretch")
    if len(graded) >= 2:
        st.markdown("#### Two attempts side by side")
        ids = [r.id for r in graded]
        by_id = {r.id: r for r in graded}
        c1, c2 = st.columns(2)
        a = c1.selectbox("Attempt A", ids, index=len(ids) - 2, key="wb_cmp_a",
                         format_func=lambda i: f"#{i} {by_id[i].prompt_id} ({by_id[i].total})")
        b = c2.selectbox("Attempt B", ids, index=len(ids) - 1, key="wb_cmp_b",
                         format_func=lambda i: f"#{i} {by_id[i].prompt_id} ({by_id[i].total})")
        st.plotly_chart(compare_figure(by_id[a], by_id[b]), width="stretch")
        st.dataframe(pd.DataFrame(compare(by_id[a].grade, by_id[b].grade)).rename(  # type: ignore[arg-type]
            columns={"a": f"#{a}", "b": f"#{b}", "change": f"change #{a} → #{b}"}),
            hide_index=True, width="stretch")
    last_row = rows[-1]
    st.download_button("Download the latest attempt (JSON)", key="wb_download",
                       file_name=f"attempt-{last_row.id}.json", mime="application/json",
                       data=json.dumps({"prompt_id": last_row.prompt_id, "mode": last_row.mode,
                                        "answer_text": last_row.answer_text,
                                        "questions_asked": last_row.questions,
                                        "grade": last_row.grade.public() if last_row.grade
                                        else None}, indent=2, default=str))
