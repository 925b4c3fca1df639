"""The system-design whiteboard: five clarifying questions, the architecture drawn live, the
deep dive, a pasted Markdown answer, the interviewer, grading with evidence, the history."""

from __future__ import annotations

import streamlit as st

from app import ui
from app import whiteboard_parts as parts
from labs.whiteboard.answer import DesignAnswer, Node, parse_edges, slug, to_dot
from labs.whiteboard.attempts import load_draft, save_draft
from labs.whiteboard.models import Box, Dimension
from labs.whiteboard.rubric import BOXES, DIMENSIONS
from labs.workshop import workshop_prompt_ids

prompts = parts.prompts()
first = workshop_prompt_ids(ui.store(), st.session_state.get("ws_workshop_id"))
prompts = {**{p: prompts[p] for p in first if p in prompts}, **prompts}  # the workshop's first
store, me = ui.store(), ui.learner()

st.title("System-design whiteboard")
st.caption("Clarify first, then sketch, then spend your time on the bottleneck and the "
           "trade-offs. Graded per rubric item with the sentence that earned each point.")

ui.keep_widgets("wb_prompt", choices={"wb_prompt": prompts})
pid = st.selectbox("Design prompt", list(prompts), key="wb_prompt",
                   format_func=lambda i: prompts[i].title)
prompt = prompts[pid]
with st.container(border=True):
    st.markdown(f"#### {prompt.title}")
    st.markdown(prompt.prompt)

K = f"wb_{pid}_"  # widget keys per prompt, so each prompt keeps its own draft
FIELDS = [f"q_{d.value}" for d in Dimension] + ["boxes", "own", "edges", "notes", "bottleneck",
                                                "tradeoffs", "eval_plan", "free"]
# Streamlit drops a widget's value when a run does not draw it (another page, another
# prompt), so any field missing from the session is read back from the saved draft; reading
# it only once per session blanked the fields after a page switch, and autosave then wiped
# the draft.
missing = [f for f in FIELDS if K + f not in st.session_state]
if missing:
    draft = load_draft(store, me.id, pid) or {}  # type: ignore[arg-type]
    for f in missing:
        if f in draft:
            st.session_state[K + f] = draft[f]

main, side = st.columns([3, 2], gap="large")
with side:
    log = parts.interviewer_panel(prompt, K + "asked")

with main:
    st.subheader("1. Clarifying questions")
    for d in Dimension:
        st.text_area(DIMENSIONS[d].title, key=K + f"q_{d.value}", height=68, max_chars=2000,
                     placeholder="The question, the answer (asked or assumed) and what it "
                                 "changes in the design.")

    st.subheader("2. Architecture")
    box_ids = [b.value for b in Box]
    chosen = st.multiselect("Reference boxes", box_ids, key=K + "boxes",
                            format_func=lambda b: BOXES[Box(b)][0])
    own = st.text_input("Your own nodes (comma-separated)", key=K + "own", max_chars=500,
                        placeholder="e.g. Reranker, Feature store")
    nodes = [Node(id=b, label=BOXES[Box(b)][0], box=Box(b)) for b in chosen]
    seen = {n.id for n in nodes}
    for name in (x.strip() for x in own.split(",")):
        if name and slug(name) not in seen:
            nodes.append(Node(id=slug(name), label=name[:120]))
            seen.add(slug(name))
    if st.button("Connect in reference order", key=K + "chain", disabled=len(nodes) < 2,
                 help="Fill the edges with the request path through the chosen boxes."):
        ref = sorted([n for n in nodes if n.box], key=lambda n: box_ids.index(n.id))
        st.session_state[K + "edges"] = "\n".join(f"{a.label} -> {b.label}"
                                                   for a, b in zip(ref, ref[1:], strict=False))
        st.rerun()
    edges_text = st.text_area("Edges, one per line: `a -> b` or `a -> b: label`",
                              key=K + "edges", height=120, max_chars=4000)
    edges, problems = parse_edges(edges_text, nodes)
    for p in problems:
        st.caption(f":orange[Edge skipped] {p}")
    st.text_area("Why these boxes (one line each)", key=K + "notes", height=100, max_chars=4000,
                 placeholder="Auth / quota: per-tenant quotas so one customer cannot starve "
                             "the rest.")

    st.subheader("3. Deep dive")
    st.text_area("The bottleneck", key=K + "bottleneck", height=100, max_chars=4000)
    st.text_area("Trade-offs in cost, latency and quality", key=K + "tradeoffs", height=120,
                 max_chars=4000)
    st.text_area("The eval plan", key=K + "eval_plan", height=120, max_chars=4000)

    with st.expander("Or paste a free-form answer (Markdown)", icon=":material/content_paste:",
                     expanded=bool(st.session_state.get(K + "free"))):
        st.text_area("Free-form answer", key=K + "free", height=220, max_chars=40_000,
                     label_visibility="collapsed",
                     placeholder="Paste a whole answer in Markdown; it is graded together "
                                 "with anything in the fields above.")

answer = DesignAnswer(
    questions={d: st.session_state.get(K + f"q_{d.value}", "") for d in Dimension},
    nodes=nodes, edges=edges, architecture_notes=st.session_state.get(K + "notes", ""),
    bottleneck=st.session_state.get(K + "bottleneck", ""),
    tradeoffs=st.session_state.get(K + "tradeoffs", ""),
    eval_plan=st.session_state.get(K + "eval_plan", ""),
    freeform=st.session_state.get(K + "free", ""))

with side:
    st.markdown("#### Your architecture")
    if nodes:
        # top to bottom: left to right, eight boxes shrank to unreadable text in this column
        st.graphviz_chart(to_dot(answer, rankdir="TB"),
                          width="stretch")
    else:
        st.caption("Pick reference boxes or add your own nodes to see the diagram.")

# autosave: every rerun writes the draft when it changed (a no-op otherwise)
draft = {f: st.session_state.get(K + f) for f in FIELDS if st.session_state.get(K + f)}
save_draft(store, me.id, pid, draft)  # type: ignore[arg-type]
st.caption("Draft saved automatically.")

if st.button("Grade my answer", key="wb_grade", type="primary", icon=":material/grading:"):
    out = parts.grade_and_save(prompt, answer.to_markdown(), answer_json=answer.model_dump_json(),
                               questions=log)
    if out:
        st.session_state["wb_last"] = (pid, out[0], out[1].model_dump())

last = st.session_state.get("wb_last")
if last and last[0] == pid:
    from labs.whiteboard.grader import Grade

    st.subheader(f"Grade (attempt {last[1]})")
    parts.grade_report(Grade.model_validate(last[2]), prompt)
parts.calibration_panel()

st.divider()
st.fragment(parts.history_panel)(store, me.id)  # comparing attempts reruns only the history
