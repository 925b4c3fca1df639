"""Chunking & retrieval playground: cut a corpus into chunks and see them, build dense /
BM25 / hybrid indexes on real embeddings, compare the three rankings, score them on judged
queries and keep the experiments. The engines are in labs/chunking and labs/retrieval.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import plotly.express as px
import streamlit as st

from app import ui
from labs import llm
from labs.chunking import CHUNKER_LABELS, PARENT_LEVELS
from labs.chunking.view import to_html
from labs.retrieval import compare
from labs.retrieval.corpus import Corpus, CorpusError, load_beir
from labs.retrieval.dense import KINDS, IndexParams
from labs.retrieval.engine import WINDOW, RetrievalIndex, Settings, build_key, chunk_corpus
from labs.retrieval.experiments import comparison_rows, list_experiments, save_experiment
from labs.retrieval.metrics import relevant as judged_relevant
from labs.retrieval.sparse import BM25Params
from labs.retrieval.uploads import MAX_TOTAL_BYTES, load_uploads
from labs.store import StoreError

PATTERNS = ("dense", "bm25", "hybrid")
LABELS = {"dense": "Dense (MiniLM + FAISS)", "bm25": "BM25 (bm25s)", "hybrid": "Hybrid",
          "hybrid+maxsim": "Hybrid + MaxSim rerank"}

ui.keep_widgets(
    "ret_source", "ret_with_bundled", "ret_beir_path", "ret_strategy", "ret_size", "ret_overlap",
    "ret_parent", "ret_kind", "ret_m", "ret_ef", "ret_nlist", "ret_nprobe", "ret_stop",
    "ret_stem", "ret_fusion", "ret_rrf_k", "ret_weight", "ret_k", "ret_metric_k",
    "ret_query_(type your own)")

me = ui.learner()
st.title("Chunking & retrieval playground")
st.caption("Real MiniLM embeddings, real FAISS and BM25 indexes, real metrics. Move a chunking "
           "slider and the chunks redraw at once; nothing is embedded until you press "
           "**Build index**.")


# --- corpus -----------------------------------------------------------------------------

@st.cache_data(show_spinner="Reading the BEIR folder…", max_entries=4, ttl=3600)
def _beir(path: str) -> Corpus:
    return load_beir(path)


@st.cache_data(show_spinner="Reading the uploaded files…", max_entries=4, ttl=3600)
def _uploads(files: tuple[tuple[str, bytes], ...], taken: frozenset[str]):
    """Parsed once per set of files, not on every rerun (a PDF takes seconds to read)."""
    return load_uploads(list(files), taken=set(taken))


def corpus_key(c: Corpus) -> str:
    h = hashlib.sha256()
    for d in c.documents:
        h.update(d.id.encode())
        h.update(hashlib.sha256(d.text.encode()).digest())
    return f"{c.name}:{len(c.documents)}:{h.hexdigest()[:16]}"


source = st.radio("Corpus", ["Bundled", "Upload files", "BEIR folder"], horizontal=True,
                  key="ret_source",
                  help="Bundled: Northwind Relay's docs and the nine lessons, with the golden "
                       "query set. BEIR: a folder with corpus.jsonl, queries.jsonl and "
                       "qrels/test.tsv.")
corpus: Corpus | None = None
if source == "Bundled":
    corpus, problems = ui.bundled_corpus()
    if problems:
        with st.expander(f"{len(problems)} problem(s) in content/corpus: those files are left "
                         "out", icon=":material/warning:"):
            st.markdown("\n".join(f"- `{p}`" for p in problems[:50]))
elif source == "Upload files":
    files = st.file_uploader("Documents (.md, .txt, .pdf, .html)", accept_multiple_files=True,
                             type=["md", "markdown", "txt", "pdf", "html", "htm"],
                             key="ret_uploads",
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
    st.stop()

ckey = corpus_key(corpus)
judged = corpus.judged
c1, c2, c3 = st.columns(3)
c1.metric("Documents", f"{len(corpus.documents):,}")
c2.metric("Judged queries", len(judged),
          help="Queries with at least one relevant document; the others (unanswerable ones, "
               "or BEIR queries without judgements) are skipped by the metrics.")
c3.metric("Skipped queries", len(corpus.queries) - len(judged))


# --- chunking ---------------------------------------------------------------------------

st.header("1. Chunk", divider="gray")
cols = st.columns([2, 2, 2, 2])
strategy = cols[0].selectbox("Chunker", list(CHUNKER_LABELS), format_func=CHUNKER_LABELS.get,
                             index=3, key="ret_strategy")
size = cols[1].slider("Chunk size (MiniLM tokens)", 16, WINDOW, 128, step=2, key="ret_size",
                      help=f"The model reads at most {WINDOW} tokens of a chunk.")
overlap = cols[2].slider("Overlap (tokens)", 0, size // 2, min(16, size // 2), key="ret_overlap")
parent = cols[3].selectbox("A hit returns its…", PARENT_LEVELS, index=1,
                           key="ret_parent",
                           help="Parent-document retrieval: match on small chunks, hand back "
                                "the section or the whole document.")


@st.cache_data(show_spinner="Chunking the corpus…", max_entries=16, ttl=3600)
def _units(key: str, _corpus: Corpus, strategy: str, size: int, overlap: int):
    return chunk_corpus(_corpus, Settings(strategy=strategy, size=size, overlap=overlap))


units = _units(ckey, corpus, strategy, size, overlap)
lengths = pd.DataFrame({"tokens": [u.chunk.tokens for u in units]})
m1, m2, m3, m4 = st.columns(4)
m1.metric("Chunks", f"{len(units):,}")
m2.metric("Mean tokens", f"{lengths.tokens.mean():.0f}" if len(units) else "–")
m3.metric("Smallest / largest", f"{lengths.tokens.min()} / {lengths.tokens.max()}"
          if len(units) else "–")
m4.metric("Chunks per document", f"{len(units) / len(corpus.documents):.1f}")

view_col, hist_col = st.columns([3, 2])
with hist_col:
    fig = px.histogram(lengths, x="tokens", nbins=30, title="Chunk length (tokens)")
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=40, b=10), showlegend=False,
                      xaxis_title="chunk length (MiniLM tokens)", yaxis_title="chunks")
    st.plotly_chart(fig, width="stretch", key="ret_hist")
with view_col:
    ids = [d.id for d in corpus.documents]
    doc_id = st.selectbox("Document to look at", ids, key="ret_view_doc",
                          format_func=lambda i: f"{i} · {corpus.doc(i).title[:60]}")
    doc = corpus.doc(doc_id)
    doc_chunks = [u.chunk for u in units if u.doc_id == doc_id]  # cut with the same settings
    st.caption(f"{len(doc_chunks)} chunks · shading alternates blue / green per chunk, "
               ":orange-background[amber] is text in two chunks (overlap), ⟨n⟩ marks where "
               "chunk n starts, grey is text in no chunk.")
    with st.container(height=360, border=True):
        st.html(to_html(doc.text, doc_chunks))  # every piece of the text is html.escape'd


# --- build ------------------------------------------------------------------------------

st.header("2. Index", divider="gray")
cols = st.columns(4)
kind = cols[0].selectbox("FAISS index", KINDS, key="ret_kind",
                         format_func={"flat": "Flat (exact, inner product)", "hnsw": "HNSW",
                                      "ivf": "IVF-Flat"}.get)
hnsw_m, ef_search, nlist, nprobe = 32, 64, 0, 8
if kind == "hnsw":
    hnsw_m = cols[1].slider("M (links per node)", 4, 64, 32, key="ret_m")
    ef_search = cols[2].slider("efSearch", 8, 256, 64, key="ret_ef")
elif kind == "ivf":
    nlist = cols[1].slider("nlist (0 = √n, capped for small corpora)", 0, 256, 0, key="ret_nlist")
    nprobe = cols[2].slider("nprobe", 1, 64, 8, key="ret_nprobe")
stop = cols[3].checkbox("BM25: drop English stopwords", True, key="ret_stop")
stem = cols[3].checkbox("BM25: stem (Snowball)", False, key="ret_stem")
cols = st.columns(4)
fusion = cols[0].selectbox("Hybrid fusion", ["rrf", "weighted"], key="ret_fusion",
                           format_func={"rrf": "Reciprocal rank fusion",
                                        "weighted": "Weighted normalised scores"}.get)
rrf_k = cols[1].number_input("RRF k", 1, 1000, 60, key="ret_rrf_k", disabled=fusion != "rrf")
dense_weight = cols[2].slider("Dense weight", 0.0, 1.0, 0.5, 0.05, key="ret_weight",
                              disabled=fusion != "weighted")

settings = Settings(strategy=strategy, size=size, overlap=overlap, parent=parent,
                    index=IndexParams(kind=kind, hnsw_m=hnsw_m, ef_search=ef_search, nlist=nlist,
                                      nprobe=nprobe),
                    bm25=BM25Params(stopwords=stop, stemming=stem), fusion=fusion,
                    rrf_k=int(rrf_k), dense_weight=dense_weight)
wanted = (ckey, build_key(settings))

if cols[3].button("Build index", type="primary", key="ret_build", width="stretch"):
    bar = st.progress(0.0, text="Loading the embedding model…")
    emb = ui.embedder()

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0,
                     text=f"Embedding chunks not in the cache: {done:,} / {total:,}")

    try:
        idx = RetrievalIndex.build(corpus, settings, emb, progress=progress, units=units)
    except ValueError as e:
        bar.empty()
        st.error(str(e))
    else:
        bar.progress(1.0, text="Index built")
        st.session_state["ret_index"] = (wanted, idx)
        st.session_state.pop("ret_eval", None)

built = st.session_state.get("ret_index")
if not built:
    st.info("Press **Build index** to embed the chunks and build the indexes.")
    st.stop()
built_key, index = built
if built_key != wanted:
    st.warning("The corpus, chunking or index settings changed since the last build: the "
               "results below come from the previous index. Press **Build index** to rebuild "
               "(chunks already embedded are read from the cache).", icon=":material/update:")
index.configure(parent=parent, fusion=fusion, rrf_k=int(rrf_k), dense_weight=dense_weight,
                ef_search=ef_search, nprobe=nprobe)
s = index.stats
st.caption(f"Index: {len(index.units):,} chunks · {s.embedded:,} embedded in this build, "
           f"{s.units - s.embedded:,} from the cache · embedding {s.embed_seconds:.1f} s, "
           f"FAISS + BM25 {s.index_seconds:.2f} s.")


# --- rerank and rewrite (drawn under the search results) --------------------------------

@st.cache_resource(show_spinner="Preparing MaxSim over MiniLM token embeddings…")
def _maxsim():
    from labs.retrieval.rerank import MaxSimReranker

    return MaxSimReranker(ui.embedder().model)


@st.cache_resource(show_spinner="Loading the cross-encoder…", max_entries=2)
def _cross_encoder(folder: str):
    from labs.retrieval.rerank import CrossEncoderReranker

    return CrossEncoderReranker(folder)


def rerank_panel(query: str, index: RetrievalIndex, results: dict, relevant) -> None:
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
    else:
        cfg = ui.llm_config()
        if llm.is_offline(cfg):
            st.info("No LLM is configured (sidebar), so LLM reranking is unavailable. "
                    "MaxSim runs offline.", icon=":material/cloud_off:")
            return
    if not st.button("Rerank", key="ret_rerank_go"):
        return
    hits = index.search(query, "hybrid", n)
    cands = candidates(index, hits)
    try:
        with st.spinner("Reranking…"):
            scorer = (_maxsim() if kind == "maxsim" else _cross_encoder(folder.strip())
                      if kind == "cross-encoder" else
                      LLMReranker(ui.llm_config(), me.id))
            ranked = rerank(scorer, query, cands)
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


def rewrite_panel(query: str, index: RetrievalIndex, k: int) -> None:
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
        if st.button(f"Run {kind}", key=f"ret_run_{kind}"):
            try:
                with st.spinner("Asking the LLM…"):
                    if kind == "hyde":
                        passage, hits = hyde(index, query, k, cfg, me.id)
                        st.text(passage)
                        st.dataframe(pd.DataFrame([{"rank": h.rank, "doc": h.doc_id,
                                                    "score": round(h.score, 4)} for h in hits]),
                                     hide_index=True)
                    else:
                        queries, fused = multi_query(index, query, k, config=cfg,
                                                     learner_id=me.id)
                        st.markdown("\n".join(f"- {q}" for q in queries))
                        st.dataframe(pd.DataFrame([{"rank": i + 1, "doc": d,
                                                    "rrf": round(sc, 4)}
                                                   for i, (d, sc) in enumerate(fused)]),
                                     hide_index=True)
            except (llm.LLMError, llm.LLMUnavailable) as e:
                st.error(f"The LLM call failed: {e}")


# --- search -----------------------------------------------------------------------------

def _grid_style(rows: list[dict]):
    """The lists as one static table: relevant cells green, no index column."""
    return pd.DataFrame(rows).style.hide(axis="index").map(
        lambda v: "background-color:#dcfce7" if str(v).startswith("✓") else "")


st.header("3. Search", divider="gray")
q_by_id = {q.id: q for q in corpus.queries}
choices = ["(type your own)"] + [q.id for q in judged]
ui.keep_widgets("ret_pick", choices={"ret_pick": choices})
picked = st.selectbox("Golden query", choices, key="ret_pick",
                      format_func=lambda i: i if i not in q_by_id
                      else f"{i} [{q_by_id[i].kind or 'judged'}] {q_by_id[i].text[:80]}")
default = q_by_id[picked].text if picked in q_by_id else ""
query = st.text_input("Query", value=default, key=f"ret_query_{picked}")
k = st.slider("Results per list (K)", 3, 20, 10, key="ret_k")
if query.strip():
    results = index.search_all(query.strip(), k)
    relevant = q_by_id[picked].relevant if picked in q_by_id else None
    titles = {d.id: d.title for d in corpus.documents}
    # one table, one row per rank, the three lists as wrapped text columns: readable at any
    # width (three dataframes side by side hid their rank columns behind a scrollbar)
    st.table(_grid_style(compare.grid(results, relevant, LABELS)))
    if not results["bm25"]:  # an empty column said nothing about why
        st.warning("BM25 found nothing: none of the query's words (stopwords dropped) is in "
                   "the corpus. Dense search still ranks by meaning, so hybrid here is dense "
                   "alone.", icon=":material/search_off:")
    st.caption("✓ marks documents judged relevant for this golden query. "
               if relevant is not None else "")
    st.caption("Hybrid column: how fusion moved each document against its rank in the dense "
               "and BM25 lists (▲ up, ▼ down, = same); *new* means that list did not have it "
               "in its top K. Scores per list are in the tabs below.")
    tables = compare.side_by_side(results, relevant, titles)

    def colour(v: object) -> str:
        text = str(v)
        return ("color:#15803d;font-weight:600" if text.startswith("▲")
                else "color:#b91c1c" if text.startswith("▼")
                else "color:#7c3aed;font-weight:600" if text == "new"
                else "background-color:#dcfce7" if text == "✓" else "")

    for tab, mode in zip(st.tabs([f"{LABELS[m]}: scores" for m in PATTERNS]), PATTERNS,
                         strict=True):
        with tab:
            st.subheader(LABELS[mode])
            df = pd.DataFrame(tables[mode])
            if df.empty:
                st.caption("No match (BM25 needs at least one query word in the corpus).")
                continue
            keep = ["rank", "doc", "title", "score"]
            keep += (["vs dense", "vs bm25"] if mode == "hybrid"
                     else [c for c in df.columns if c.endswith(" rank") and c != "rank"])
            keep += ["relevant"] if "relevant" in df.columns else []
            st.dataframe(df[keep].style.map(colour).format({"score": "{:.3f}"}),
                         hide_index=True, width="stretch", key=f"ret_table_{mode}",
                         column_config={"title": st.column_config.TextColumn(width="large")})
    with st.expander("What the hybrid list hands to the model (top 3, with parents)"):
        for h in results["hybrid"][:3]:
            st.markdown(f"**{h.rank}. {h.doc_id}** — {titles.get(h.doc_id, '')}")
            st.text(index.context(h)[:2000])

    rerank_tab, rewrite_tab = st.tabs(["Rerank the top K", "HyDE and multi-query"])
    with rerank_tab:
        rerank_panel(query.strip(), index, results, relevant)
    with rewrite_tab:
        rewrite_panel(query.strip(), index, k)


# --- metrics ----------------------------------------------------------------------------

st.header("4. Measure", divider="gray")
if not judged:
    st.info("This corpus has no judged queries, so there is nothing to score. Use the bundled "
            "corpus (its golden set) or a BEIR folder with qrels.")
    st.stop()
mk = st.slider("K for recall@K and precision@K", 1, 20, 10, key="ret_metric_k")
with_rerank = st.checkbox("Also score hybrid + MaxSim rerank of the top 20 (slower: token "
                          "vectors for every candidate chunk)", key="ret_eval_rerank")
if st.button(f"Evaluate dense, BM25 and hybrid on {len(judged)} judged queries",
             key="ret_evaluate"):
    with st.spinner("Running every judged query through the patterns…"):
        runs = index.runs(judged, PATTERNS, max(mk, 20))
        qv = index.embed_queries([q.text for q in judged])
        ann = index.ann_report(qv) if index.settings.index.kind != "flat" else None
    if with_rerank:
        from labs.retrieval.rerank import rerank_runs

        bar = st.progress(0.0, text="Reranking the hybrid top 20 with MaxSim…")
        runs["hybrid+maxsim"] = rerank_runs(
            index, judged, runs["hybrid"], _maxsim(), 20,
            lambda d, t: bar.progress(d / t, text=f"Reranking with MaxSim: {d} / {t} queries"))
    ev = index.evaluate(corpus.queries, PATTERNS, k=mk, runs=runs)
    st.session_state["ret_eval"] = (built_key, index.settings, ev, ann)
done = st.session_state.get("ret_eval")
if done:
    _, ev_settings, ev, ann = done
    rows = [{"pattern": LABELS[m], "metric": name, "value": v}
            for m, vals in ev.mean.items() for name, v in vals.items()]
    fig = px.bar(pd.DataFrame(rows), x="metric", y="value", color="pattern", barmode="group",
                 range_y=[0, 1], text_auto=".3f",
                 title=f"Mean over {ev.judged} judged queries ({ev.skipped} skipped: no "
                       "relevant document)")
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=50, b=10),
                      yaxis_title="mean score (0 to 1)", xaxis_title=f"metric (K = {ev.k})")
    st.plotly_chart(fig, width="stretch", key="ret_metrics_chart")
    st.dataframe(pd.DataFrame(ev.table()), hide_index=True, key="ret_metrics_table")
    verdict = compare.beats_both(ev)
    if verdict is not None:
        trails = compare.hybrid_trails(ev, q_by_id)
        why = "; ".join(f"**{kind}** queries ({h:.2f} against {best} {b:.2f})"
                        for kind, h, best, b in trails)
        (st.success if verdict else st.warning)(
            "Hybrid nDCG@10 " + ("beats" if verdict else "does **not** beat")
            + " both dense and BM25 here. "
            + (f"Hybrid trails on {why}: where one retriever finds almost nothing, equal-weight "
               "fusion lets its noise push good documents down. Try weighted fusion with more "
               "weight on the stronger side, and read the drill-down below." if trails else ""))
    kinds = pd.DataFrame(compare.by_kind(ev, q_by_id))
    if kinds["kind"].nunique() > 1:
        kinds["pattern"] = kinds["pattern"].map(LABELS)
        fig = px.bar(kinds, x="kind", y="ndcg@10", color="pattern", barmode="group",
                     range_y=[0, 1], text_auto=".2f", hover_data=["queries"],
                     title="nDCG@10 by kind of query: where each pattern wins")
        fig.update_layout(height=340, margin=dict(l=10, r=10, t=50, b=10))
        st.plotly_chart(fig, width="stretch", key="ret_kind_chart")
    if ann is not None:
        a1, a2, a3 = st.columns(3)
        a1.metric(f"{ann.kind.upper()} recall@10 vs Flat", f"{ann.recall_at_10:.3f}")
        a2.metric(f"{ann.kind.upper()} ms / query", f"{ann.ms_per_query:.3f}",
                  delta=f"{ann.ms_per_query - ann.flat_ms_per_query:+.3f} vs Flat",
                  delta_color="inverse")
        a3.metric("Flat ms / query", f"{ann.flat_ms_per_query:.3f}")
        lat = pd.DataFrame({"index": ["Flat (exact)", ann.kind.upper()],
                            "ms per query": [ann.flat_ms_per_query, ann.ms_per_query],
                            "recall@10 vs Flat": [1.0, ann.recall_at_10]})
        fig = px.bar(lat, x="index", y="ms per query", text_auto=".3f",
                     hover_data=["recall@10 vs Flat"],
                     title=f"Search latency over {ev.judged} queries, one at a time")
        fig.update_layout(height=280, margin=dict(l=10, r=10, t=50, b=10))
        st.plotly_chart(fig, width="stretch", key="ret_ann_chart")

    st.subheader("Drill-down: queries a pattern missed")
    miss = compare.misses(ev, q_by_id, missing=f"not in top {ev.k}")
    if not miss:
        st.success("Every pattern found every relevant document in its top K.")
    else:
        miss_df = pd.DataFrame(miss).astype({c: str for c in miss[0] if c.endswith("first hit")})
        # fixed widths so all three patterns' columns fit 1400 px without a scrollbar
        narrow = {c: st.column_config.Column(c.replace(" first hit", " 1st hit").replace(
            "@10", ""), width=95 if c.endswith("first hit") else 70)
            for c in miss_df.columns if c.endswith(("first hit", "nDCG@10"))}
        st.dataframe(miss_df, hide_index=True, key="ret_miss_table", column_config={
            "query": st.column_config.Column(width=50), "kind": st.column_config.Column(width=90),
            "text": st.column_config.TextColumn(width=220), **narrow})
        st.caption(f"*first hit*: the rank of the first relevant document in that pattern's "
                   f"top {ev.k}; *not in top {ev.k}* means it found none.")
        qid = st.selectbox("Look at one", [r["query"] for r in miss], key="ret_miss_pick",
                           format_func=lambda i: f"{i}: {q_by_id[i].text[:90]}")
        q = q_by_id[qid]
        st.markdown(f"**Relevant:** {', '.join(f'`{r}`' for r in (q.sections or q.relevant))}")
        if q.expected:
            st.caption(f"Expected behaviour: {q.expected}")
        st.table(_grid_style(compare.grid({m: ev.runs[m][qid][: ev.k] for m in ev.runs},
                                          q.relevant, LABELS)))

    st.subheader("Experiments")
    name = st.text_input("Name this experiment", key="ret_exp_name",
                         value=f"{ev_settings.strategy} {ev_settings.size}/{ev_settings.overlap}"
                               f" {ev_settings.index.kind}")
    if st.button("Save experiment", key="ret_exp_save"):
        try:
            row = save_experiment(ui.store(), me.id, name, corpus.name, ev_settings, ev)
        except (ValueError, StoreError) as e:
            st.error(str(e))
        else:
            st.success(f"Saved as #{row.id}.")

try:
    saved = list_experiments(ui.store(), me.id)
except StoreError as e:
    saved = []
    st.error(f"Could not read your experiments: {e}")
if saved:
    st.subheader("Your saved experiments")
    df = pd.DataFrame(comparison_rows(saved))
    metric = st.selectbox("Compare on", [c for c in df.columns if "@" in c], key="ret_exp_metric")
    fig = px.bar(df, x="experiment", y=metric, color="pattern", barmode="group",
                 hover_data=["chunker", "size", "overlap", "index", "corpus"])
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10))
    st.plotly_chart(fig, width="stretch", key="ret_exp_chart")
    st.dataframe(df, hide_index=True, key="ret_exp_table")
    with st.expander("Configurations"):
        for e in saved:
            st.markdown(f"**#{e.id} {e.name}** · {e.corpus} · {e.queries} queries")
            st.json(json.loads(e.config_json), expanded=False)

