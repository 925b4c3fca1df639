"""Chunking & retrieval playground: chunk a corpus, build dense / BM25 / hybrid indexes, expand
queries, compare rankings, map the chunks, score documents and answer passages, keep
experiments. Engines and views: labs/chunking, labs/retrieval; widgets: app/retrieval_parts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import retrieval_parts as parts
from app import ui
from labs.chunking import CHUNKER_LABELS, PARENT_LEVELS, THRESHOLD
from labs.retrieval import compare, views
from labs.retrieval.dense import KINDS, IndexParams
from labs.retrieval.engine import MODES, WINDOW, RetrievalIndex, Settings, build_key, chunk_corpus
from labs.retrieval.evaluation import evaluate_pipeline
from labs.retrieval.expansion import KINDS as EXPANSIONS
from labs.retrieval.expansion import Feedback
from labs.retrieval.experiments import save_experiment
from labs.retrieval.pipelines import Pipeline
from labs.retrieval.sparse import BM25Params
from labs.store import StoreError

ui.keep_widgets(
    "ret_source", "ret_with_bundled", "ret_beir_path", "ret_strategy", "ret_size", "ret_overlap",
    "ret_parent", "ret_threshold", "ret_headers", "ret_kind", "ret_m", "ret_ef", "ret_nlist",
    "ret_nprobe", "ret_stop", "ret_stem", "ret_fusion", "ret_rrf_k", "ret_weight", "ret_expand",
    "ret_fb_docs", "ret_fb_terms", "ret_fb_weight", "ret_k", "ret_metric_k",
    "ret_query_(type your own)")

me = ui.learner()
st.title("Chunking & retrieval playground")
st.caption("Real MiniLM embeddings, real FAISS and BM25 indexes, real metrics. Move a chunking "
           "slider and the chunks redraw at once; nothing is embedded until you press "
           "**Build index**.")
corpus = parts.pick_corpus()
if corpus is None:
    st.stop()
ckey, judged = parts.corpus_key(corpus), corpus.judged
parts.metrics([("Documents", f"{len(corpus.documents):,}"), ("Judged queries", len(judged)),
               ("Skipped queries", len(corpus.queries) - len(judged))])

# --- 1. chunk ---------------------------------------------------------------------------
st.header("1. Chunk", divider="gray")
cols = st.columns(4)
strategy = cols[0].selectbox("Chunker", list(CHUNKER_LABELS), format_func=CHUNKER_LABELS.get,
                             index=3, key="ret_strategy")
size = cols[1].slider("Chunk size (MiniLM tokens)", 16, WINDOW, 128, step=2, key="ret_size",
                      help=f"The model reads at most {WINDOW} tokens of a chunk.")
# a fixed range: a slider whose maximum follows the size would reset when the size moves
want_overlap = cols[2].slider("Overlap (tokens)", 0, WINDOW // 2, 16, key="ret_overlap",
                              help="At most half the chunk size is used.")
overlap = min(want_overlap, size // 2)
cols[2].caption(f"Using {overlap} (half the chunk size)." if overlap < want_overlap else "")
parent = cols[3].selectbox("A hit returns its…", PARENT_LEVELS, index=1, key="ret_parent",
                           help="Parent-document retrieval: match on small chunks, hand back "
                                "the section or the whole document.")
cols = st.columns(4)
threshold = cols[0].slider("Semantic: cut below cosine", 0.0, 1.0, THRESHOLD, 0.05,
                           key="ret_threshold", disabled=strategy != "semantic")
headers = cols[1].checkbox("Contextual chunk headers", True, key="ret_headers",
                           help="Embed (and index) each chunk under its document title and "
                                "section path.")
chunking = Settings(strategy=strategy, size=size, overlap=overlap, threshold=threshold,
                    headers=headers)
embed = ui.embedder().encode if strategy == "semantic" else None


@st.cache_data(show_spinner="Chunking the corpus…", max_entries=16, ttl=3600)
def _units(key: str, _corpus, settings: Settings):  # type: ignore[no-untyped-def]
    return chunk_corpus(_corpus, settings, embed=embed)


units = _units(ckey, corpus, chunking)
parts.metrics(views.chunk_summary(units, len(corpus.documents)))
st.fragment(parts.doc_panel)(corpus, units, embed, threshold, headers)  # its picker reruns it

# --- 2. index ---------------------------------------------------------------------------
st.header("2. Index", divider="gray")
cols = st.columns(4)
kind = cols[0].selectbox("FAISS index", KINDS, key="ret_kind", format_func={
    "flat": "Flat (exact, inner product)", "hnsw": "HNSW", "ivf": "IVF-Flat"}.get)
hnsw_m, ef_search, nlist, nprobe = 32, 64, 0, 8
if kind == "hnsw":
    hnsw_m = cols[1].slider("M (links per node)", 4, 64, 32, key="ret_m")
    ef_search = cols[2].slider("efSearch", 8, 256, 64, key="ret_ef")
elif kind == "ivf":
    nlist = cols[1].slider("nlist (0 = √n, capped for small corpora)", 0, 256, 0, key="ret_nlist")
    nprobe = cols[2].slider("nprobe", 1, 64, 8, key="ret_nprobe")
stop = cols[3].checkbox("BM25: drop English stopwords", True, key="ret_stop")
stem = cols[3].checkbox("BM25: stem (Snowball)", True, key="ret_stem")
cols = st.columns(4)
fusion = cols[0].selectbox("Hybrid fusion", ["rrf", "weighted"], key="ret_fusion", format_func={
    "rrf": "Reciprocal rank fusion", "weighted": "Weighted normalised scores"}.get)
rrf_k = cols[1].number_input("RRF k", 1, 1000, 60, key="ret_rrf_k", disabled=fusion != "rrf")
dense_weight = cols[2].slider("Dense weight", 0.0, 1.0, 0.5, 0.05, key="ret_weight",
                              disabled=fusion != "weighted")
cols2 = st.columns(4)
expand = cols2[0].selectbox("Query expansion (no LLM)", EXPANSIONS, key="ret_expand", format_func={
    "none": "None", "rm3": "RM3 (BM25 side)", "rocchio": "Rocchio (dense side)",
    "both": "RM3 + Rocchio"}.get)
feedback = Feedback(cols2[1].slider("Feedback depth", 1, 30, 10, key="ret_fb_docs"),
                    cols2[2].slider("RM3 terms", 1, 50, 10, key="ret_fb_terms"),
                    cols2[3].slider("Feedback weight", 0.0, 1.0, 0.3, 0.05, key="ret_fb_weight"))
settings = Settings(strategy=strategy, size=size, overlap=overlap, parent=parent,
                    index=IndexParams(kind=kind, hnsw_m=hnsw_m, ef_search=ef_search, nlist=nlist,
                                      nprobe=nprobe),
                    bm25=BM25Params(stopwords=stop, stemming=stem), fusion=fusion,
                    rrf_k=int(rrf_k), dense_weight=dense_weight, threshold=threshold,
                    headers=headers, expand=expand, feedback=feedback)
wanted = (ckey, build_key(settings))
if cols[3].button("Build index", type="primary", key="ret_build", width="stretch"):
    bar = st.progress(0.0, text="Loading the embedding model…")
    try:
        idx = RetrievalIndex.build(corpus, settings, ui.embedder(), units=units, progress=(
            lambda d, t: bar.progress(d / t if t else 1.0,
                                      text=f"Embedding chunks not in the cache: {d:,} / {t:,}")))
    except ValueError as e:
        bar.empty()
        st.error(str(e))
    else:
        bar.progress(1.0, text="Index built")
        st.session_state["ret_index"] = (wanted, idx)
        st.session_state.pop("ret_eval", None)
if not (built := st.session_state.get("ret_index")):
    st.info("Press **Build index** to embed the chunks and build the indexes.")
    st.stop()
built_key, index = built
if built_key != wanted:
    st.warning("The corpus, chunking or index settings changed since the last build: the "
               "results below come from the previous index. Press **Build index** to rebuild "
               "(chunks already embedded are read from the cache).", icon=":material/update:")
index.configure(parent=parent, fusion=fusion, rrf_k=int(rrf_k), dense_weight=dense_weight,
                ef_search=ef_search, nprobe=nprobe, expand=expand, feedback=feedback)
s = index.stats
st.caption(f"Index: {len(index.units):,} chunks · {s.embedded:,} embedded in this build, "
           f"{s.units - s.embedded:,} from the cache · embedding {s.embed_seconds:.1f} s, "
           f"FAISS + BM25 {s.index_seconds:.2f} s.")

# --- 3. search --------------------------------------------------------------------------
st.header("3. Search", divider="gray")
q_by_id = {q.id: q for q in corpus.queries}
choices = ["(type your own)"] + [q.id for q in judged]
ui.keep_widgets("ret_pick", choices={"ret_pick": choices})
picked = st.selectbox("Golden query", choices, key="ret_pick", format_func=lambda i: i if i not in
                      q_by_id else f"{i} [{q_by_id[i].kind or 'judged'}] {q_by_id[i].text[:80]}")
query = st.text_input("Query", value=q_by_id[picked].text if picked in q_by_id else "",
                      key=f"ret_query_{picked}").strip()
relevant = q_by_id[picked].relevant if picked in q_by_id else None


@st.fragment
def search_panel(query: str) -> None:
    k = st.slider("Results per list (K)", 3, 20, 10, key="ret_k")
    results = index.search_all(query, k)
    st.table(parts.grid_style(compare.grid(results, relevant, views.LABELS, k)))
    if not results["bm25"]:
        st.warning("BM25 found nothing: none of the query's words (stopwords dropped) is in "
                   "the corpus, so hybrid here is dense alone.", icon=":material/search_off:")
    st.caption(("✓ marks documents judged relevant. " if relevant is not None else "")
               + "Hybrid column: how fusion moved each document against its rank in the dense "
               f"and BM25 lists, looked up to depth {index.settings.depth} (▲ up, ▼ down); "
               "*new*: that list did not have it at all.")
    if expand != "none":
        ex = views.expansion_view(index, query, k)
        if ex["terms"]:
            st.markdown("**RM3 expanded query** (weights sum to 1)")
            st.dataframe(pd.DataFrame(ex["terms"]), hide_index=True, key="ret_terms")
        if ex["feedback"]:
            st.caption("Rocchio moved the query towards: " + ", ".join(ex["feedback"]))
    tabs = st.tabs([f"{views.LABELS[m]}: snippets" for m in MODES] + ["Rerank the top K",
                                                                "HyDE and multi-query"])
    tables = compare.side_by_side(results, relevant, {d.id: d.title for d in corpus.documents}, k)
    for tab, mode in zip(tabs, MODES, strict=False):
        with tab:
            st.subheader(views.LABELS[mode])
            st.dataframe(pd.DataFrame(tables[mode]), hide_index=True, key=f"ret_table_{mode}")
            st.html(views.snippets_html(index, results[mode][:k], query, k))
    with tabs[3]:
        parts.rerank_panel(query, index, relevant, me.id)
    with tabs[4]:
        parts.rewrite_panel(query, index, k, me.id)


if query:
    search_panel(query)
    st.fragment(parts.map_panel)(index, query, expand, feedback)

# --- 4. measure -------------------------------------------------------------------------
st.header("4. Measure", divider="gray")
if not judged:
    st.info("This corpus has no judged queries, so there is nothing to score. Use the bundled "
            "corpus (its golden set) or a BEIR folder with qrels.")
    st.stop()


@st.fragment
def measure_panel() -> None:
    mk = st.slider("K for recall@K and precision@K", 1, 20, 10, key="ret_metric_k")
    with_rerank = st.checkbox("Also score hybrid + MaxSim rerank of the top 20 (slower: token "
                              "vectors for every candidate chunk)", key="ret_eval_rerank")
    if st.button(f"Evaluate dense, BM25 and hybrid on {len(judged)} judged queries",
                 key="ret_evaluate"):
        with st.spinner("Running every judged query through the patterns…"):
            rep = evaluate_pipeline(corpus, Pipeline("page", "hybrid", index.settings,
                                                     "maxsim" if with_rerank else ""),
                                    modes=MODES, k=mk, index=index,
                                    rerank_scorer=parts.maxsim() if with_rerank else None)
            qv = index.embed_queries([q.text for q in judged])
            ann = index.ann_report(qv) if index.settings.index.kind != "flat" else None
        st.session_state["ret_eval"] = (built_key, index.settings, rep, ann)
    if not (done := st.session_state.get("ret_eval")):
        return
    _, ev_settings, rep, ann = done
    ev = rep.evaluation
    parts.draw_evaluation(rep, ann, q_by_id, ev_settings.fusion)
    st.subheader("Experiments")
    name = st.text_input("Name this experiment", key="ret_exp_name", value=(
        f"{ev_settings.strategy} {ev_settings.size}/{ev_settings.overlap} {ev_settings.fusion}"
        f"{' ' + ev_settings.expand if ev_settings.expand != 'none' else ''}"))
    if st.button("Save experiment", key="ret_exp_save"):
        try:
            row = save_experiment(ui.store(), me.id, name, corpus.name, ev_settings, ev)
        except (ValueError, StoreError) as e:
            st.error(str(e))
        else:
            st.success(f"Saved as #{row.id}.")


measure_panel()
parts.saved_experiments(me.id)
