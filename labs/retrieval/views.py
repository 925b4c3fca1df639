"""The retrieval playground's view layer: plain data and plotly figure specs per panel, built
from engine objects, so the page only reads widgets and draws (and the tests check every panel
without Streamlit). Figures are plain dicts (`{"data": [...], "layout": {...}}`); the page wraps
them in `go.Figure`.

Panels, in page order: chunk statistics and lengths, semantic split points, contextual
headers, result snippets, metrics and the hybrid verdict, query kinds, ANN latency, query
drift, passage-level scores, saved experiments.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import numpy as np

from labs.retrieval import compare
from labs.retrieval.engine import Evaluation, Hit, RetrievalIndex, Unit

LABELS = {"dense": "Dense (MiniLM + FAISS)", "bm25": "BM25 (bm25s)", "hybrid": "Hybrid",
          "hybrid+maxsim": "Hybrid + MaxSim rerank"}
_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}


def _bars(groups: Mapping[str, Sequence[tuple[str, float]]], title: str, **layout) -> dict:
    """Grouped bars: one trace per group name, (x, y) pairs each."""
    data = [{"type": "bar", "name": name, "x": [x for x, _ in pts], "y": [y for _, y in pts],
             "text": [f"{y:.3f}" for _, y in pts], "textposition": "auto"}
            for name, pts in groups.items()]
    return {"data": data, "layout": {"barmode": "group", "title": {"text": title},
                                     "margin": _MARGIN, **layout}}


# -- 1. chunks ---------------------------------------------------------------------------

def chunk_summary(units: Sequence[Unit], documents: int) -> list[tuple[str, str]]:
    n = [u.chunk.tokens for u in units]
    return [("Chunks", f"{len(units):,}"),
            ("Mean tokens", f"{np.mean(n):.0f}" if n else "–"),
            ("Smallest / largest", f"{min(n)} / {max(n)}" if n else "–"),
            ("Chunks per document", f"{len(units) / max(documents, 1):.1f}")]


def length_histogram(units: Sequence[Unit]) -> dict:
    return {"data": [{"type": "histogram", "x": [u.chunk.tokens for u in units], "nbinsx": 30}],
            "layout": {"title": {"text": "Chunk length (tokens)"}, "height": 300,
                       "margin": _MARGIN, "showlegend": False,
                       "xaxis": {"title": {"text": "chunk length (MiniLM tokens)"}},
                       "yaxis": {"title": {"text": "chunks"}}}}


def split_figure(splits: Sequence, threshold: float) -> dict:
    """Adjacent-sentence similarity along the document, the threshold, and the cuts in red."""
    xs = list(range(1, len(splits) + 1))
    cut = [i for i, s in zip(xs, splits, strict=True) if s.cut]
    return {"data": [
        {"type": "scatter", "mode": "lines+markers", "name": "cosine(sentence i, i + 1)",
         "x": xs, "y": [s.similarity for s in splits], "marker": {"size": 5}},
        {"type": "scatter", "mode": "markers", "name": "cut", "x": cut,
         "y": [splits[i - 1].similarity for i in cut],
         "marker": {"size": 11, "color": "#dc2626", "symbol": "x"}}],
        "layout": {"title": {"text": f"Split points: {len(cut)} cuts below {threshold:.2f}"},
                   "height": 260, "margin": _MARGIN,
                   "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                               "y0": threshold, "y1": threshold,
                               "line": {"dash": "dash", "color": "#dc2626"}}],
                   "xaxis": {"title": {"text": "gap after sentence i"}},
                   "yaxis": {"title": {"text": "cosine"}}}}


def header_preview(units: Sequence[Unit], doc_id: str, n: int = 4) -> list[dict]:
    """What the first chunks of a document become under contextual headers."""
    return [{"chunk": u.chunk.index + 1, "header": u.header, "embedded text": u.text[:300]}
            for u in units if u.doc_id == doc_id][:n]


# -- 3. results --------------------------------------------------------------------------

_WORD = re.compile(r"\w[\w.-]*\w|\w")
_STOP = frozenset("a an and are as at be by do does for from how i in is it of on or the "
                  "to we what when where which who why with my our you your".split())


def query_terms(query: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(query) if w.lower() not in _STOP}


def snippet(text: str, query: str, width: int = 240) -> str:
    """HTML: the window of `text` with the most query terms, terms in <mark>, all escaped.

    >>> snippet("Intro. Error <E-4013> means the signature expired.", "what is E-4013", 40)
    '… Error &lt;<mark>E-4013</mark>&gt; means the signature expired.'
    """
    terms = query_terms(query)
    words = list(_WORD.finditer(text))
    hits = [m for m in words if m.group().lower() in terms]
    start = 0
    if hits:  # the window starting at the hit that has the most hits within `width`
        best = max(hits, key=lambda h: sum(1 for o in hits if 0 <= o.start() - h.start()
                                           < width))
        start = max(0, best.start() - width // 6)
        start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    nxt = text.find(" ", end)
    end = len(text) if end < len(text) and nxt < 0 and len(text) - end < 30 else (
        nxt if 0 < nxt - end < 30 else end)  # end on a word boundary
    out, pos = [], start
    for m in hits:
        if start <= m.start() and m.end() <= end:
            out += [html.escape(text[pos:m.start()]), f"<mark>{html.escape(m.group())}</mark>"]
            pos = m.end()
    out.append(html.escape(text[pos:end]))
    body = " ".join("".join(out).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


def hit_text(index: RetrievalIndex, hit: Hit) -> str:
    """The text a hit matched on: its best chunk, else the start of its document."""
    return hit.unit.chunk.text if hit.unit else index.corpus.doc(hit.doc_id).text[:2000]


def snippets_html(index: RetrievalIndex, hits: Sequence[Hit], query: str, n: int = 5) -> str:
    """The top hits, each with its highlighted snippet: one escaped HTML block."""
    rows = [f"<p style='margin:0 0 .6rem 0'><b>{h.rank}. {html.escape(h.doc_id)}</b> · "
            f"{html.escape(index.corpus.doc(h.doc_id).title[:80])}<br>"
            f"<span style='font-size:.9rem'>{snippet(hit_text(index, h), query)}</span></p>"
            for h in hits[:n]]
    return "<div>" + "".join(rows) + "</div>"


def expansion_view(index: RetrievalIndex, query: str, k: int = 10) -> dict:
    """What pseudo-relevance feedback did to this query: RM3's weighted terms, Rocchio's
    feedback chunks, and the ranking with and without it."""
    s = index.settings
    out: dict = {"kind": s.expand, "terms": [], "feedback": []}
    if s.expand in ("rm3", "both"):
        found = index.bm25_index.search(query, index._bm25_depth(k))
        if found:
            w = index.rm3_query(query, found)
            orig = set(index.bm25_index.query_terms(query))
            out["terms"] = [{"term": t, "weight": round(v, 4), "from": "query" if t in orig
                             else "feedback"} for t, v in w.items()]
    if s.expand in ("rocchio", "both"):
        qv = index.embed_queries([query])
        rows = index.dense_index.search(qv, s.feedback.docs)[1][0]
        out["feedback"] = [index.units[int(r)].id for r in rows if r >= 0]
    return out


# -- 4. measure --------------------------------------------------------------------------

def metrics_figure(ev: Evaluation) -> dict:
    groups = {LABELS.get(m, m): list(vals.items()) for m, vals in ev.mean.items()}
    return _bars(groups, f"Mean over {ev.judged} judged queries ({ev.skipped} skipped: no "
                         "relevant document)", height=380, yaxis={"range": [0, 1],
                         "title": {"text": "mean score (0 to 1)"}},
                 xaxis={"title": {"text": f"metric (K = {ev.k})"}})


def kinds_figure(ev: Evaluation, queries: Mapping[str, object]) -> dict | None:
    rows = compare.by_kind(ev, queries)
    if len({r["kind"] for r in rows}) < 2:
        return None
    groups: dict[str, list[tuple[str, float]]] = {}
    for r in rows:
        groups.setdefault(LABELS.get(r["pattern"], r["pattern"]), []).append(
            (r["kind"], r["ndcg@10"]))
    return _bars(groups, "nDCG@10 by kind of query: where each pattern wins", height=340,
                 yaxis={"range": [0, 1]})


def verdict(ev: Evaluation, queries: Mapping[str, object], fusion: str) -> tuple[bool, str] | None:
    """Does hybrid beat both, and if not, what to try next (never the fusion already on)."""
    won = compare.beats_both(ev)
    if won is None:
        return None
    trails = compare.hybrid_trails(ev, queries)
    text = ("Hybrid nDCG@10 " + ("beats" if won else "does **not** beat")
            + " both dense and BM25 here.")
    if trails:
        why = "; ".join(f"**{kind}** queries ({h:.2f} against {best} {b:.2f})"
                        for kind, h, best, b in trails)
        advice = ("Try weighted fusion with more weight on the stronger side"
                  if fusion == "rrf" else
                  "Move the dense weight towards the stronger side (or try RRF)")
        text += (f" Hybrid trails on {why}: where one retriever finds almost nothing, its "
                 f"noise pushes good documents down. {advice}, and read the drill-down below.")
    return won, text


def ann_figure(ann, queries: int) -> dict:  # type: ignore[no-untyped-def]
    return {"data": [{"type": "bar", "x": ["Flat (exact)", ann.kind.upper()],
                      "y": [ann.flat_ms_per_query, ann.ms_per_query],
                      "text": [f"{ann.flat_ms_per_query:.3f}", f"{ann.ms_per_query:.3f}"],
                      "customdata": [1.0, ann.recall_at_10],
                      "hovertemplate": "%{y:.3f} ms, recall@10 vs Flat %{customdata:.3f}"}],
            "layout": {"title": {"text": f"Search latency over {queries} queries, one at a "
                                         "time"}, "height": 280, "margin": _MARGIN,
                       "yaxis": {"title": {"text": "ms per query"}}}}


def drift_figure(d: dict, mode: str) -> dict:
    """Per-query change in nDCG@10 from expansion, worst first: query drift made visible."""
    rows = d["rows"]
    return {"data": [{"type": "bar", "x": [r["query"] for r in rows],
                      "y": [r["delta"] for r in rows],
                      "marker": {"color": ["#dc2626" if r["delta"] < 0 else "#16a34a"
                                           for r in rows]}}],
            "layout": {"title": {"text": f"{LABELS.get(mode, mode)}: nDCG@10 with expansion "
                                         f"minus without ({d['wins']} wins, {d['losses']} "
                                         f"losses, {d['ties']} unchanged)"},
                       "height": 300, "margin": _MARGIN,
                       "xaxis": {"title": {"text": "query"}, "type": "category"},
                       "yaxis": {"title": {"text": "Δ nDCG@10"}}}}


def passage_rows(pev: Evaluation | None) -> list[dict]:
    if pev is None:
        return []
    return [{"pattern": m, **{k: round(v, 4) for k, v in vals.items()}}
            for m, vals in pev.mean.items()]


def experiments_figure(rows: Sequence[dict], metric: str) -> dict:
    groups: dict[str, list[tuple[str, float]]] = {}
    for r in rows:
        groups.setdefault(r["pattern"], []).append((r["experiment"], r.get(metric, 0.0)))
    return _bars(groups, f"Saved experiments on {metric}", height=360)
