"""Shared Streamlit plumbing: cached engines, the current learner, the sidebar.

Cached objects are shared by every session of the server and treated as read-only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Literal

import streamlit as st

from labs.content import ContentError
from labs.curriculum.loader import Curriculum, load_curriculum
from labs.store import Store, StoreError, database_url, get_or_create_learner, most_recent_learner
from labs.store.learners import clean_name
from labs.store.models import Learner

DEFAULT_NAME = "Learner"


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    return Store(url)


def store() -> Store:
    """The store for the current DATABASE_URL / data folder; stops the page with a clear error."""
    try:
        return _store_for(database_url())
    except StoreError as e:
        st.error(f"**The progress store is unavailable.** {e}")
        st.stop()
        raise  # unreachable: st.stop raises


@st.cache_resource(show_spinner=False)
def _curriculum() -> Curriculum:
    return load_curriculum()


def curriculum() -> Curriculum:
    try:
        return _curriculum()
    except ContentError as e:
        st.error("**The curriculum in content/ does not validate:**\n\n" +
                 "\n".join(f"- `{p}`" for p in e.problems))
        st.stop()
        raise


def learner() -> Learner:
    """The session's learner: chosen in the sidebar, else the one who used the app last."""
    s = store()
    lid = st.session_state.get("learner_id")
    if lid is not None:
        with s.session() as db:
            found = db.get(Learner, lid)
        if found is not None:
            return found
    try:
        found = most_recent_learner(s) or get_or_create_learner(s, DEFAULT_NAME)
    except StoreError as e:
        st.error(f"**The progress store is unavailable.** {e}")
        st.stop()
        raise
    st.session_state["learner_id"] = found.id
    return found


def keep_widgets(*keys: str, choices: Mapping[str, Collection] | None = None) -> None:
    """Keep these widgets' values across visits to other pages.

    Streamlit drops a widget's value on a run that does not draw it, so a learner coming back
    found sliders at their defaults and drafts blank. Call this before the widgets are drawn:
    values the last run lost are put back (only if still among `choices[key]`, when given),
    and the current ones are copied aside.
    """
    kept: dict = st.session_state.setdefault("_kept_widgets", {})
    for key in keys:
        if key in st.session_state:
            kept[key] = st.session_state[key]
        elif key in kept and (choices is None or key not in choices
                              or kept[key] in choices[key]):
            st.session_state[key] = kept[key]


def forget_widgets(*keys: str) -> None:
    """Clear these widgets and what keep_widgets copied aside for them (a reset button)."""
    kept: dict = st.session_state.get("_kept_widgets", {})
    for key in keys:
        kept.pop(key, None)
        st.session_state.pop(key, None)


def enter_workshop(ws, member) -> None:
    """Make this session the workshop member's; the address carries the member token."""
    st.session_state.update(ws_workshop_id=ws.id, ws_title=ws.title, ws_token=member.token,
                            ws_display_name=member.display_name, learner_id=member.learner_id)
    st.query_params["member"] = member.token


def keep_workshop_membership() -> None:
    """A workshop session survives reloads and page switches: the member token rides in the
    address of every page, and a fresh session that arrives with one resumes it."""
    from labs.workshop import WorkshopError, resume_membership

    token = st.session_state.get("ws_token")
    if token:
        if st.query_params.get("member") != token:
            st.query_params["member"] = token
        return
    if (token := st.query_params.get("member")) is None:
        return
    try:
        enter_workshop(*resume_membership(store(), token))
    except WorkshopError as e:
        st.warning(str(e))
        st.query_params.pop("member", None)


def sidebar() -> None:
    keep_workshop_membership()
    me = learner()
    with st.sidebar:
        st.subheader("Profile")
        if st.session_state.get("ws_display_name"):
            from labs.workshop.names import literal  # a learner's name is text, not Markdown

            st.markdown(f"In the workshop **{literal(st.session_state['ws_title'])}** as "
                        f"**{literal(st.session_state['ws_display_name'])}**.")
            if st.button("Leave the workshop", key="profile_leave_ws"):
                for k in ("ws_workshop_id", "ws_display_name", "ws_title", "ws_token",
                          "learner_id"):
                    st.session_state.pop(k, None)
                st.query_params.pop("member", None)
                st.rerun()
            _llm_panel()
            return
        name = st.text_input("Display name", value=me.name, key="profile_name", max_chars=80,
                             help="Your progress is kept under this name across restarts.")
        if name != me.name:
            try:
                switched = get_or_create_learner(store(), clean_name(name))
            except ValueError as e:
                st.error(str(e))
            except StoreError as e:
                st.error(f"Could not save the name: {e}")
            else:
                st.session_state["learner_id"] = switched.id
                st.rerun()
        st.caption(f"Progress is saved to `{store().url.split('///')[-1]}`"
                   if store().is_sqlite else "Progress is saved to the configured database.")
        _llm_panel()


def _llm_panel() -> None:
    from app import llm_panel

    llm_panel.render()


def llm_config():
    """The session's LLM config: `llm.complete(..., config=ui.llm_config())`."""
    from app import llm_panel

    return llm_panel.session_config()


@contextmanager
def llm_waits() -> Iterator[None]:
    """Around a page's LLM calls: each retry wait shows as it starts ("HTTP 429; retrying in
    2.0s"), and what they added up to stays on the page after, so a rate limit reads as a
    wait the learner can see, not as a frozen page. Nothing is drawn when no call waited."""
    from labs.llm.gateway import Wait, on_wait, wait_summary

    box, waits, status = st.empty(), [], None

    def heard(wait: Wait) -> None:
        nonlocal status
        waits.append(wait)
        if status is None:
            status = box.status("Waiting for the provider…", expanded=True)
        status.write(str(wait))
        status.update(label=f"Waiting for the provider: retrying in {wait.seconds:.1f}s")

    def settle(state: Literal["complete", "error"]) -> None:
        if status is not None:
            status.update(label=wait_summary(waits), expanded=False, state=state)

    try:
        with on_wait(heard):
            yield
    except BaseException:  # the call gave up (or the run stopped): say what was waited
        settle("error")
        raise
    settle("complete")


@st.cache_data(show_spinner=False, ttl=600)
def bundled_corpus():
    """The retrieval lab's bundled corpus and golden set, and any problems found loading them."""
    from labs.retrieval.corpus import load_bundled_checked

    return load_bundled_checked()


@st.cache_resource(show_spinner="Loading the embedding model (once per server)…")
def embedder():
    """The bundled MiniLM embedder, shared by every session; its cache is in the data folder.
    On a server, torch gets one core fewer than the machine has (at least one), so the rest
    of the room keeps a core while someone builds an index; AIE_BRIDGE_TORCH_THREADS overrides
    (0: leave torch's own default, as the test suite does)."""
    import os

    import torch

    from labs.embeddings import get_embedder

    threads = int(os.environ.get("AIE_BRIDGE_TORCH_THREADS")
                  or max(1, (os.cpu_count() or 2) - 1))
    if threads > 0:
        torch.set_num_threads(threads)
    return get_embedder()


def model_queue_text(label: str) -> str:
    """`label`, plus how many learners' model work is ahead when the model is busy."""
    from labs.embeddings import model_waiting

    ahead = model_waiting()
    return f"{label} (waiting for the model: {ahead} ahead of you)" if ahead else label


def active_workshop_id() -> int | None:
    """The workshop this session joined, while it runs: new submissions are attached to it."""
    from labs.store.models import Workshop

    wid = st.session_state.get("ws_workshop_id")
    if wid is None:
        return None
    from labs.workshop import is_running

    with store().session() as db:
        ws = db.get(Workshop, wid)
    return wid if ws is not None and is_running(ws) else None
