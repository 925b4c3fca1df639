"""One module at a time: objectives, the lesson with its diagrams, the quiz, the deck."""

from __future__ import annotations

import re

import streamlit as st

from app import ui
from app.nav import built_page, page_path
from labs.curriculum.loader import demote_headings, lesson_blocks
from labs.curriculum.practice import mark_lesson_read, module_statuses
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
    for block in lesson_blocks(module.body):
        if block.kind == "dot":
            st.graphviz_chart(block.text, width="stretch")
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
    st.subheader("Key takeaways")
    st.markdown("\n".join(f"- {t}" for t in module.takeaways))
    if status.lesson_read:
        st.success("You marked this lesson as read.", icon=":material/check:")
    elif st.button("Mark lesson as read", key="mod_mark_read", type="primary"):
        mark_lesson_read(store, me.id, module_id)
        st.rerun()

with quiz_tab:
    quiz = cur.quizzes[module_id]
    st.caption(f"{status.questions_correct} of {status.questions_total} questions answered right "
               "so far. A question you miss becomes a flashcard.")
    for n, q in enumerate(quiz.questions, start=1):
        with st.container(border=True):
            kind = "Scenario" if q.kind.value == "scenario" else "Question"
            st.markdown(f"**{kind} {n}.** {q.prompt}")
            choice = st.radio("Your answer", range(len(q.options)), index=None,
                              format_func=lambda i, q=q: q.options[i].text,
                              key=f"quiz_choice_{q.id}", label_visibility="collapsed")
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

with cards_tab:
    deck = cur.decks[module_id]
    st.caption(f"{len(deck.cards)} cards; {status.cards_reviewed} reviewed at least once.")
    if page_path("review"):
        st.page_link(page_path("review"), label="Review this module's cards",
                     icon=":material/style:", query_params={"module": module_id})
    for card in deck.cards:
        with st.expander(card.front):
            st.markdown(card.back)
