"""Streamlit pieces of the retrieval playground: the corpus picker, the chunk viewer, the rerank
and query rewriting panels, and drawing helpers. Logic lives in labs/retrieval (views.py builds the
figures and tables); this file only reads widgets and draws."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from labs import llm
from labs.chunking import splits
from labs.chunking.view import to_html
from labs.retrieval import compare, embedmap, views
from labs.retrieval.corpus import Corpus, CorpusError, load_beir
from labs.retrieval.experiments import as_pipeline, comparison_rows, list_experiments
from labs.retrieval.metrics import relevant as judged_relevant
from labs.retrieval.uploads import MAX_TOTAL_BYTES, load_uploads
from labs.store import StoreError


def chart(spec: dict, key: str) -> None:
    """A figure spec from labs.retrieval.views, drawn (validated by the view tests)."""
    st.plotly_chart(go.Figure(spec, skip_invalid=True), width="stretch", key=key)


def metrics(pairs) -> None:  # type: ignore[no-untyped-def]
    """(label, value) pairs as metrics side by side."""
    for col, (label, value) in zip(st.columns(len(pairs)), pairs, strict=True):
        col.metric(label, value)


def grid_style(rows: list[dict]):  # type: ignore[no-untyped-def]
    """The lists as one static table: relevant cells green, no index column."""
    return pd.DataFrame(rows).style.hide(axis="index").map(
        lambda v: "background-color:#dcfce7" if str(v).startswith("✓") else "")


def corpus_key(c: Corpus) -> str:
    h = hashlib.sha256()
    for d in c.documents:
        h.update(d.id.encode())
        h.update(hashlib.sha256(d.text.encode()).digest())
    return f"{c.name}:{len(c.documents)}:{h.hexdigest()[:16]}"


@st.cache_data(show_spinner="Reading the BEIR folder…", max_entries=4, ttl=3600)
def _beir(path: str) -> Corpus:
    return load_beir(path)


@st.cache_data(show_spinner="Reading the uploaded files…", max_entries=4, ttl=3600)
def _uploads(files: tuple[tuple[str, bytes], ...], taken: frozenset[str]):  # type: ignore[no-untyped-def]
    """Parsed once per set of files, not on every rerun (a PDF takes seconds to read)."""
    return load_uploads(list(files), taken=set(taken))


def pick_corpus() -> Corpus | None:
    """The corpus radio and its inputs; None (with a message) until there is a corpus."""
    source = st.radio("Corpus", ["Bundled", "Upload files", "BEIR folder"], horizontal=True,
                      key="ret_source",
                      help="Bundled: Northwind Relay's docs and the nine lessons, with the "
                           "golden query set. BEIR: a folder with corpus.jsonl, queries.jsonl "
                           "and qrels/test.tsv.")
    corpus = None
    if source == "Bundled":
        corpus, problems = ui.bundled_corpus()
        if problems:
            with st.expander(f"{len(problems)} problem(s) in content/corpus: those files are "
                             "left out", icon=":material/warning:"):
                st.markdown("\n".join(f"- `{p}`" for p in problems[:50]))
    elif source == "Upload files":
        files = st.file_uploader("Documents (.md, .txt, .pdf, .html)", key="ret_uploads",
                                 accept_multiple_files=True,
                                 type=["md", "markdown", "txt", "pdf", "html", "htm"],
                                 help=f"Up to {MAX_TOTAL_BYTES // 2**20} MB in total.")
        with_bundled = st.checkbox("Add them to the bundled corpus (keeps its golden queries)",
                                   value=True, key="ret_with_bundled")
        base = ui.bundled_corpus()[0] if with_bundled else Corpus("uploads", [], [])
        docs, errors = _uploads(tuple((f.name, f.getvalue()) for f in files or []),
                                frozenset(d.id for d in base.documents))
        for e in errors:
            st.error(f"**{e.name}** was not added: it {e.reason}.")
        if files and docs:
            st.success(f"Added {len(docs)} of {len(files)} file(s): "
                       + ", ".join(f"`{d.title}`" for d in docs))
        corpus = Corpus(f"{base.name}+{len(docs)} uploads" if with_bundled else "uploads",
                        base.documents + docs, list(base.queries))
    else:
        path = st.text_input("BEIR folder on the server", key="ret_beir_path",
                             placeholder="../shared/data/beir/cranfield")
        if path.strip():
            try:
                corpus = _beir(path.strip())
            except CorpusError as e:
                st.error("**Cannot load that folder.** " + " ".join(e.problems[:3]))
    if corpus is None or not corpus.documents:
        st.info("Upload at least one document to start (uploads are not kept when you leave "
                "this page)." if source == "Upload files"
                else "Type the path of a BEIR folder to start." if source == "BEIR folder"
                else "Choose a corpus with at least one document to start.")
        return None
    return corpus


@st.cache_resource(show_spinner="Preparing MaxSim over MiniLM token embeddings…")
def maxsim():  # type: ignore[no-untyped-def]
    from labs.retrieval.rerank import MaxSimReranker

    return MaxSimReranker(ui.embedder().model)


@st.cache_resource(show_spinner="Loading the cross-encoder…", max_entries=2)
def _cross_encoder(folder: str):  # type: ignore[no-untyped-def]
    from labs.retrieval.rerank import CrossEncoderReranker

    return CrossEncoderReranker(folder)


def rerank_panel(query: str, index, relevant, learner_id: int) -> None:  # type: ignore[no-untyped-def]
    from labs.retrieval.rerank import MAXSIM_LABEL, LLMReranker, RerankError, candidates, rerank

    kind = st.radio("Reranker", ["maxsim", "cross-encoder", "llm"], horizontal=True,
                    key="ret_rerank_kind",
                    format_func={"maxsim": "MaxSim (offline)",
                                 "cross-encoder": "CrossEncoder (local folder)",
                                 "llm": "LLM (gateway)"}.get)
    n = st.slider("Candidates from the hybrid list", 3, 30, 10, key="ret_rerank_n")
    folder = ""
    if kind == "maxsim":
        st.caption(MAXSIM_LABEL)
    elif kind == "cross-encoder":
        folder = st.text_input("Cross-encoder model folder on the server", key="ret_ce_folder",
                               placeholder="~/models/ms-marco-MiniLM-L-6-v2")
    elif llm.is_offline(ui.llm_config()):
        st.info("No LLM is configured (sidebar), so LLM reranking is unavailable. MaxSim runs "
                "offline.", icon=":material/cloud_off:")
        return
    if not st.button("Rerank", key="ret_rerank_go"):
        return
    hits = index.search(query, "hybrid", n)
    try:
        with st.spinner("Reranking…"), ui.llm_waits():
            scorer = (maxsim() if kind == "maxsim" else _cross_encoder(folder.strip())
                      if kind == "cross-encoder" else LLMReranker(ui.llm_config(), learner_id))
            ranked = rerank(scorer, query, candidates(index, hits))
    except RerankError as e:
        st.error(str(e))
        return
    except (llm.LLMError, llm.LLMUnavailable) as e:
        st.error(f"The LLM reranker failed: {e}")
        return
    before = {h.doc_id: h.rank for h in hits}
    rel = judged_relevant(relevant or {})
    st.dataframe(pd.DataFrame([
        {"rank": i + 1, "doc": d, "score": round(sc, 4), "hybrid rank": before[d],
         "move": compare.movement(i + 1, before[d]), "relevant": "✓" if d in rel else ""}
        for i, (d, sc) in enumerate(ranked)]), hide_index=True, key="ret_rerank_table")
    st.caption(f"Reranked by {scorer.label}.")


def rewrite_panel(query: str, index, k: int, learner_id: int) -> None:  # type: ignore[no-untyped-def]
    from labs.retrieval.rewrite import hyde, multi_query, plan

    cfg = ui.llm_config()
    offline = llm.is_offline(cfg)
    for kind, title in (("hyde", "HyDE: search with a hypothetical answer"),
                        ("multi-query", "Multi-query: three reformulations fused by RRF")):
        st.markdown(f"**{title}**")
        p = plan(kind, query) if offline else plan(kind, query, cfg.provider, cfg.model)
        cost = "cost unknown" if p.cost_usd is None else f"≈ ${p.cost_usd:.5f}"
        if offline:
            st.caption(f"Offline: no LLM is configured, so nothing is sent. This is the prompt "
                       f"that would be: ≈ {p.input_tokens} input + up to {p.output_tokens} "
                       f"output tokens, {cost} per query on {p.model}.")
            st.code(p.prompt_text, language=None)
            continue
        st.caption(f"{cfg.label}: ≈ {p.input_tokens} input + up to {p.output_tokens} output "
                   f"tokens, {cost} per query.")
        if not st.button(f"Run {kind}", key=f"ret_run_{kind}"):
            continue
        try:
            with st.spinner("Asking the LLM…"), ui.llm_waits():
                if kind == "hyde":
                    passage, hits = hyde(index, query, k, cfg, learner_id)
                    st.text(passage)
                    rows = [{"rank": h.rank, "doc": h.doc_id, "score": round(h.score, 4)}
                            for h in hits]
                else:
                    queries, fused = multi_query(index, query, k, config=cfg,
                                                 learner_id=learner_id)
                    st.markdown("\n".join(f"- {q}" for q in queries))
                    rows = [{"rank": i + 1, "doc": d, "rrf": round(sc, 4)}
                            for i, (d, sc) in enumerate(fused)]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
        except (llm.LLMError, llm.LLMUnavailable) as e:
            st.error(f"The LLM call failed: {e}")


def doc_panel(corpus: Corpus, units: list, embed, threshold: float,  # type: ignore[no-untyped-def]
              headers: bool) -> None:
    """The chunk viewer (a fragment on the page): picking a document redraws only this, not
    the index and search sections below. `embed` is set for the semantic chunker only."""
    view_col, hist_col = st.columns([3, 2])
    with hist_col:
        chart(views.length_histogram(units), "ret_hist")
    with view_col:
        doc_id = st.selectbox("Document to look at", [d.id for d in corpus.documents],
                              key="ret_view_doc",
                              format_func=lambda i: f"{i} · {corpus.doc(i).title[:60]}")
        doc = corpus.doc(doc_id)
        doc_units = [u for u in units if u.doc_id == doc_id]
        st.caption(f"{len(doc_units)} chunks · shading alternates blue / green per chunk, "
                   ":orange-background[amber] is text in two chunks (overlap), ⟨n⟩ marks where "
                   "chunk n starts, grey is text in no chunk.")
        with st.container(height=360, border=True):
            st.html(to_html(doc.text, [u.chunk for u in doc_units]))  # all text html.escape'd
    if embed is not None:
        chart(views.split_figure(splits(doc.text, embed, threshold), threshold), "ret_splits")
    if headers:
        st.caption("What the first chunks of this document are embedded as:")
        st.dataframe(pd.DataFrame(views.header_preview(units, doc_id)), hide_index=True)


def map_panel(index, query: str, expand: str, feedback) -> None:  # type: ignore[no-untyped-def]
    """The embedding map (a fragment on the page): clicking a chunk shows its text."""
    if not st.toggle("Show the embedding map (PCA of every chunk)", key="ret_map"):
        return
    qv = index.embed_queries([query])
    moved = None
    if expand in ("rocchio", "both"):
        from labs.retrieval.expansion import rocchio

        top = index.dense_index.search(qv, feedback.docs)[1][0]
        moved = rocchio(qv, index.vectors[top[top >= 0]], feedback.weight)
    row_of = {u.id: i for i, u in enumerate(index.units)}
    hits = index.search(query, "hybrid", 10)
    spec, points = embedmap.map_figure(
        index.units, index.vectors, {d.id: d.title for d in index.corpus.documents}, qv,
        moved, [row_of[h.unit.id] for h in hits if h.unit])
    event = st.plotly_chart(go.Figure(spec, skip_invalid=True), key="ret_map_chart",
                            on_select="rerun", selection_mode="points")
    if (row := embedmap.picked_unit(event.selection if event else {}, points)) is not None:
        u = index.units[row]
        st.markdown(f"**{u.id}** · {index.corpus.doc(u.doc_id).title}")
        st.text(u.text[:2000])


def draw_evaluation(rep, ann, q_by_id: dict, fusion: str) -> None:  # type: ignore[no-untyped-def]
    """Metrics, verdict, query kinds, passages, drift, ANN latency and the drill-down."""
    ev = rep.evaluation
    chart(views.metrics_figure(ev), "ret_metrics_chart")
    st.dataframe(pd.DataFrame(ev.table()), hide_index=True, key="ret_metrics_table")
    if (v := views.verdict(ev, q_by_id, fusion)) is not None:
        (st.success if v[0] else st.warning)(v[1])
    if (fig := views.kinds_figure(ev, q_by_id)) is not None:
        chart(fig, "ret_kind_chart")
    if rep.passages is not None:
        st.markdown("**Passage level**: chunks ranked against the labelled answer spans (a "
                    "chunk counts when it holds 80 % of an answer; a split answer is a miss).")
        st.dataframe(pd.DataFrame(views.passage_rows(rep.passages)), hide_index=True,
                     key="ret_passage_table")
    for mode, d in rep.drift.items():
        chart(views.drift_figure(d, mode), f"ret_drift_{mode}")
    if ann is not None:
        a1, a2 = st.columns(2)
        a1.metric(f"{ann.kind.upper()} recall@10 vs Flat", f"{ann.recall_at_10:.3f}")
        a2.metric("Flat ms / query", f"{ann.flat_ms_per_query:.3f}")
        chart(views.ann_figure(ann, ev.judged), "ret_ann_chart")
    st.subheader("Drill-down: queries a pattern missed")
    miss = compare.misses(ev, q_by_id, missing=f"not in top {ev.k}")
    if not miss:
        st.success("Every pattern found every relevant document in its top K.")
        return
    st.dataframe(pd.DataFrame(miss).astype(str), hide_index=True, key="ret_miss_table")
    qid = st.selectbox("Look at one", [r["query"] for r in miss], key="ret_miss_pick",
                       format_func=lambda i: f"{i}: {q_by_id[i].text[:90]}")
    q = q_by_id[qid]
    st.markdown(f"**Relevant:** {', '.join(f'`{r}`' for r in (q.sections or q.relevant))}")
    st.table(grid_style(compare.grid({m: ev.runs[m][qid] for m in ev.runs}, q.relevant,
                                     views.LABELS, ev.k)))


def saved_experiments(learner_id: int) -> None:
    try:
        saved = list_experiments(ui.store(), learner_id)
    except StoreError as e:
        st.error(f"Could not read your experiments: {e}")
        return
    if not saved:
        return
    st.subheader("Your saved experiments")
    rows = comparison_rows(saved)
    metric = st.selectbox("Compare on", [c for c in rows[0] if "@" in c], key="ret_exp_metric")
    chart(views.experiments_figure(rows, metric), "ret_exp_chart")
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="ret_exp_table")
    with st.expander("Configurations, as pipelines to re-run with the CLI"):
        st.caption("Save one as FILE.json; `aie-bridge retrieval-eval --builtin --pipeline "
                   "FILE.json` re-runs it exactly.")
        for e in saved:
            st.markdown(f"**#{e.id} {e.name}** · {e.corpus} · {e.queries} queries")
            st.code(json.dumps(as_pipeline(e, "hybrid").to_dict(), indent=1), language="json")
