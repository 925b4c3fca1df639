"""One module at a time: objectives, the lesson with its diagrams, the quiz, the deck."""

from __future__ import annotations

import re

import streamlit as st

from app import ui
from app.nav import built_page, page_path
from labs.curriculum.lesson import legible_dot, lesson_sections
from labs.curriculum.loader import demote_headings, lesson_blocks
from labs.curriculum.practice import (
    attempt_result,
    last_answers,
    learner_order,
    mark_lesson_read,
    module_statuses,
)
from labs.store import StoreError, set_last_module
from labs.workshop import submit_quiz_answer

DE_FAILS_LEAD = re.compile(r"^\*\*Where DE intuition fails:\s*")
me = ui.learner()
cur = ui.curriculum()
store = ui.store()
ids = [m.id for m in cur.modules]
requested = st.query_params.get("module")
if requested is not None and requested not in ids:
    st.warning(f"There is no module called `{requested}`; showing the first one.")
module_id = st.selectbox(
    "Module", ids, index=ids.index(requested) if requested in ids else 0,
    format_func=lambda i: f"{cur.module(i).order}. {cur.module(i).title}", key="mod_select")
st.query_params["module"] = module_id
module = cur.module(module_id)
if me.last_module_id != module_id:
    try:
        set_last_module(store, me.id, module_id)
    except StoreError as e:
        st.warning(f"Could not remember this module as your last one: {e}")

st.title(f"{module.order}. {module.title}")
st.caption(f"{module.summary} · about {module.minutes} min")
for spec in filter(None, (built_page(lab.value) for lab in module.labs)):
    st.page_link(spec.path, label=f"Open {spec.title}", icon=":material/science:")

status = next(s for s in module_statuses(store, cur, me.id) if s.module_id == module_id)
lesson_tab, quiz_tab, cards_tab = st.tabs(["Lesson", "Quiz", "Flashcards"])

with lesson_tab:
    st.subheader("Learning objectives")
    st.markdown("\n".join(f"- {o}" for o in module.objectives))
    sections, section_key = lesson_sections(module.body), f"lesson_section_{module_id}"
    picked = st.pills("Lesson sections", range(len(sections)), default=0, key=section_key,
                      format_func=lambda i: f"{i + 1}. {sections[i].title}") or 0
    for block in lesson_blocks(sections[picked].text):
        if block.kind == "dot":
            st.graphviz_chart(legible_dot(block.text), width="content")
        elif block.kind == "de-fails":
            with st.container(border=True):
                # the blocks open with "**Where DE intuition fails: <the habit>.**"; colour that
                # lead instead of stacking a second copy of it above as a heading
                text, n = DE_FAILS_LEAD.subn(":orange[**Where DE intuition fails:**] **",
                                             block.text, count=1)
                if not n:
                    text = ":orange[**Where DE intuition fails**]\n\n" + block.text
                st.markdown(text)
        else:
            st.markdown(demote_headings(block.text))
    if picked + 1 < len(sections):
        st.button(f"Next section: {sections[picked + 1].title}", key="lesson_next",
                  icon=":material/arrow_forward:",
                  on_click=lambda: st.session_state.update({section_key: picked + 1}))
    st.subheader("Key takeaways")
    st.markdown("\n".join(f"- {t}" for t in module.takeaways))
    if status.lesson_read:
        st.success("You marked this lesson as read.", icon=":material/check:")
    elif st.button("Mark lesson as read", key="mod_mark_read", type="primary"):
        mark_lesson_read(store, me.id, module_id)
        st.rerun()

with quiz_tab:
    quiz = cur.quizzes[module_id]
    progress = st.empty()  # filled after the questions, so it counts an answer checked just now
    last = last_answers(store, me.id, module_id)
    for n, q in enumerate(quiz.questions, start=1):
        with st.container(border=True):
            kind = "Scenario" if q.kind.value == "scenario" else "Question"
            st.markdown(f"**{kind} {n}.** {q.prompt}")
            order = learner_order(me.id, q.id, list(range(len(q.options))))
            key = f"quiz_choice_{q.id}"
            if key not in st.session_state and q.id in last:
                st.session_state[key] = last[q.id]  # a reload shows the answer given last time
            choice = st.radio("Your answer", order, index=None,
                              format_func=lambda i, q=q: q.options[i].text,
                              key=key, label_visibility="collapsed")
            if st.button("Check answer", key=f"quiz_check_{q.id}"):
                if choice is None:
                    st.warning("Pick an option first.")
                else:
                    try:
                        st.session_state[f"quiz_result_{q.id}"] = (choice, submit_quiz_answer(
                            store, cur, me.id, q.id, choice,
                            workshop_id=st.session_state.get("ws_workshop_id")))
                    except StoreError as e:
                        st.error(f"Your answer was not saved: {e}")
            checked, result = st.session_state.get(f"quiz_result_{q.id}", (None, None))
            if result is None and q.id in last:
                checked, result = last[q.id], attempt_result(cur, q.id, last[q.id])
                st.caption("Your answer last time:")
            if result is not None and checked != choice:
                # the verdict was for another option: showing it under this one misleads
                st.caption("You picked another option since you checked: check it again.")
            elif result is not None:
                if result.correct:
                    st.success(f"Right. {result.answer_explanation}")
                else:
                    st.error(f"Not quite. {result.chosen_explanation}")
                    st.info(f"**The answer:** {q.options[result.answer].text}. "
                            f"{result.answer_explanation}")
    now = next(s for s in module_statuses(store, cur, me.id) if s.module_id == module_id)
    progress.caption(f"{now.questions_correct} of {now.questions_total} questions answered "
                     "right so far. A question you miss becomes a flashcard.")

with cards_tab:
    deck = cur.decks[module_id]
    st.caption(f"{len(deck.cards)} cards; {status.cards_reviewed} reviewed at least once.")
    if page_path("review"):
        st.page_link(page_path("review"), label="Review this module's cards",
                     icon=":material/style:", query_params={"module": module_id})
    for card in deck.cards:
        with st.expander(card.front):
            st.markdown(card.back)
