"""Each default of the retrieval lab against its alternatives, on Cranfield and on the bundled
golden set: BM25 stemming and stopwords, BM25 units, RRF k, query expansion (RM3, Rocchio and
their parameters), chunkers (semantic thresholds, contextual headers) with passage-level
scores on the golden set; and every named pipeline. One model load, one process; indexes are
reused across query-time variants. Prints markdown tables (BENCHMARKS.md records them) and
writes the figures as JSON.

    .venv/bin/python bench/bench_retrieval_defaults.py --beir ../shared/data/beir/cranfield \
        --out /tmp/retrieval_defaults.json

Every row goes through labs.retrieval.evaluation.evaluate_pipeline, the function behind
`aie-bridge retrieval-eval`, so a row can be reproduced with the CLI options in its label.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AIE_BRIDGE_DATA_DIR", "/tmp/aie-bench/data")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--beir", default=str(ROOT.parent / "shared/data/beir/cranfield"))
    ap.add_argument("--out", default="/tmp/retrieval_defaults.json")
    ap.add_argument("--skip", nargs="*", default=[], choices=["cranfield", "bundled",
                                                              "chunkers"])
    args = ap.parse_args()

    from labs.embeddings import get_embedder
    from labs.retrieval.corpus import load_beir, load_bundled
    from labs.retrieval.engine import build_key
    from labs.retrieval.evaluation import evaluate_pipeline
    from labs.retrieval.expansion import Feedback
    from labs.retrieval.pipelines import CLI_BASE, PIPELINES, Pipeline
    from labs.retrieval.sparse import BM25Params

    emb = get_embedder()
    results: list[dict] = []
    indexes: dict = {}

    def row(corpus, label: str, p: Pipeline, modes=None) -> None:  # type: ignore[no-untyped-def]
        key = (corpus.name, build_key(p.settings), p.mode == "bm25" and not p.rerank)
        t0 = time.perf_counter()
        rep = evaluate_pipeline(corpus, p, emb, modes=modes, index=indexes.get(key))
        indexes[key] = rep.index
        for m in modes or [rep.main]:
            s = rep.summary(m)
            s |= {"corpus": corpus.name, "label": label, "seconds": round(
                time.perf_counter() - t0, 1)}
            results.append(s)
            pas = s.get("passage", {})
            exp = s.get("expansion")
            print(f"| {corpus.name} | {label} | {m} | {s['ndcg@10']:.4f} | {s['recall@10']:.4f}"
                  f" | {s['mrr@10']:.4f} | {pas.get('ndcg@10', float('nan')):.4f} | "
                  f"{pas.get('recall@10', float('nan')):.4f} | "
                  + (f"{exp['wins']}/{exp['losses']}" if exp else "") + " |", flush=True)

    print("| corpus | configuration | mode | nDCG@10 | R@10 | MRR@10 | passage nDCG@10 | "
          "passage R@10 | wins/losses |")
    print("|---|---|---|---|---|---|---|---|---|")
    corpora = []
    if "cranfield" not in args.skip:
        corpora.append(load_beir(args.beir))
    if "bundled" not in args.skip:
        corpora.append(load_bundled())
    for c in corpora:
        b = CLI_BASE
        # defaults vs alternatives: BM25 text processing and units
        for label, bm in (("BM25 stem + stopwords (default)", BM25Params()),
                          ("BM25 no stemming", BM25Params(stemming=False)),
                          ("BM25 keeps stopwords", BM25Params(stopwords=False)),
                          ("BM25 neither", BM25Params(stemming=False, stopwords=False))):
            row(c, label, Pipeline("x", "bm25", replace(b, bm25=bm)))
        row(c, "BM25 over 254-token chunks", Pipeline("x", "bm25", replace(b, bm25_units="chunks")))
        row(c, "defaults", Pipeline("x", "hybrid", b), modes=("dense", "hybrid"))
        row(c, "hybrid, BM25 unstemmed", Pipeline("x", "hybrid", replace(
            b, bm25=BM25Params(stemming=False))))
        row(c, "hybrid RRF k = 20", Pipeline("x", "hybrid", replace(b, rrf_k=20)))
        row(c, "hybrid weighted 0.5", Pipeline("x", "hybrid", replace(b, fusion="weighted")))
        # expansion and its parameters
        for label, exp, fb in (("RM3 10 docs 10 terms w 0.5", "rm3", Feedback(weight=0.5)),
                               ("RM3 5 docs 10 terms w 0.5", "rm3", Feedback(docs=5, weight=0.5)),
                               ("RM3 10 docs 20 terms w 0.5", "rm3", Feedback(terms=20,
                                                                              weight=0.5)),
                               ("RM3 10 docs 10 terms w 0.3 (default)", "rm3", Feedback()),
                               ("RM3 5 docs 10 terms w 0.3", "rm3", Feedback(docs=5)),
                               ("Rocchio 10 w 0.5", "rocchio", Feedback(weight=0.5)),
                               ("Rocchio 10 w 0.3", "rocchio", Feedback()),
                               ("Rocchio 5 w 0.3", "rocchio", Feedback(docs=5, weight=0.3)),
                               ("Rocchio 3 w 0.2", "rocchio", Feedback(docs=3, weight=0.2))):
            mode = "bm25" if exp == "rm3" else "dense"
            row(c, label, Pipeline("x", mode, replace(b, expand=exp, feedback=fb)))
        for name, p in PIPELINES.items():
            if p.rerank and c.name != "bundled":
                continue  # MaxSim over Cranfield's candidates takes long; measured on bundled
            row(c, f"pipeline {name}", p)
    if "chunkers" not in args.skip and "bundled" not in args.skip:
        c = load_bundled()
        page = replace(CLI_BASE, size=128, overlap=16, bm25_units="chunks")
        for label, ch in (("recursive 128/16", {}), ("markdown 128/16", {"strategy": "markdown"}),
                          ("sentence 128/16", {"strategy": "sentence"}),
                          ("semantic 0.05", {"strategy": "semantic", "threshold": 0.05}),
                          ("semantic 0.1 (default)", {"strategy": "semantic"}),
                          ("semantic 0.15", {"strategy": "semantic", "threshold": 0.15}),
                          ("semantic 0.3", {"strategy": "semantic", "threshold": 0.3}),
                          ("semantic 0.1 + headers", {"strategy": "semantic",
                                                      "headers": True}),
                          ("markdown 128/16 + headers", {"strategy": "markdown",
                                                         "headers": True}),
                          ("recursive 128/16 + headers", {"headers": True}),
                          ("recursive 254/0", {"size": 254, "overlap": 0}),
                          ("recursive 254/0 + headers", {"size": 254, "overlap": 0,
                                                         "headers": True})):
            row(c, f"chunks: {label}", Pipeline("x", "hybrid", replace(page, **ch)),
                modes=("dense", "bm25", "hybrid"))
    Path(args.out).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
