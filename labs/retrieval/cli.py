"""`aie-bridge retrieval-eval`: score dense, BM25 or hybrid retrieval on a BEIR folder or on
the bundled golden set, and print the metrics (as JSON with --json).

Documents longer than the model's window are chunked (recursive, `--chunk-tokens` tokens)
and scored by their best chunk. BM25 reads whole documents unless --chunk-tokens is given
(it has no window to respect). Queries without judgements are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("retrieval-eval", help="Score a retrieval pattern on judged queries.",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--beir", metavar="DIR", help="a BEIR folder (corpus.jsonl, queries.jsonl, "
                                                   "qrels/test.tsv)")
    src.add_argument("--builtin", action="store_true",
                     help="the bundled corpus and its golden query set")
    p.add_argument("--mode", choices=["dense", "bm25", "hybrid"], required=True)
    p.add_argument("--index", choices=["flat", "hnsw", "ivf"], default="flat")
    p.add_argument("--chunk-tokens", type=int, default=None, metavar="N",
                   help="chunk size in MiniLM tokens (default: the model's window, 254)")
    p.add_argument("--chunker", choices=["fixed", "recursive", "sentence", "markdown"],
                   default="recursive")
    p.add_argument("--overlap", type=int, default=0, metavar="N")
    p.add_argument("--rrf-k", type=int, default=60)
    p.add_argument("--stemming", action="store_true", help="Snowball-stem BM25 tokens")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from labs.retrieval.corpus import CorpusError, load_beir, load_bundled
    from labs.retrieval.dense import IndexParams
    from labs.retrieval.engine import WINDOW, RetrievalIndex, Settings
    from labs.retrieval.sparse import BM25Params

    size = args.chunk_tokens or WINDOW
    if not 1 <= size <= WINDOW:
        print(f"error: --chunk-tokens must be between 1 and {WINDOW} (the model's window)",
              file=sys.stderr)
        return 1
    if not 0 <= args.overlap < size:
        print("error: --overlap must be at least 0 and smaller than the chunk size",
              file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    try:
        corpus = load_beir(args.beir) if args.beir else load_bundled()
    except CorpusError as e:
        print("error: " + "; ".join(e.problems[:5]), file=sys.stderr)
        return 1
    judged = corpus.judged
    if not judged:
        print("error: no query has a relevance judgement; nothing to score", file=sys.stderr)
        return 1
    from labs.embeddings import get_embedder

    settings = Settings(strategy=args.chunker, size=size, overlap=args.overlap,
                        index=IndexParams(kind=args.index),
                        bm25=BM25Params(stemming=args.stemming),
                        bm25_units="chunks" if args.chunk_tokens else "documents",
                        rrf_k=args.rrf_k)
    progress = None
    if not args.json and sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            print(f"\rembedding {done}/{total}", end="", file=sys.stderr, flush=True)
    embedder = get_embedder() if args.mode != "bm25" else None
    index = RetrievalIndex.build(corpus, settings, embedder, progress=progress,
                                 dense=args.mode != "bm25")
    ev = index.evaluate(judged, [args.mode], k=100)
    m = ev.mean[args.mode]
    # recall@10 comes from the same rankings, cut at 10
    from labs.retrieval.metrics import recall_at

    r10 = [recall_at([h.doc_id for h in ev.runs[args.mode][q.id]], q.relevant, 10)
           for q in judged]
    out = {"ndcg@10": round(m["ndcg@10"], 4), "recall@10": round(sum(r10) / len(r10), 4),
           "recall@100": round(m["recall@100"], 4), "mrr@10": round(m["mrr@10"], 4),
           "queries": ev.judged, "docs": len(corpus.documents),
           "seconds": round(time.perf_counter() - t0, 2)}
    if args.json:
        print(json.dumps(out))
    else:
        what = (f"{len(index.units)} chunks ({index.stats.embedded} embedded now, the rest "
                f"cached)" if index.units else f"{len(corpus.documents)} whole documents")
        print(f"{corpus.name} · {args.mode} · {args.index} · {what}")
        for key, v in out.items():
            print(f"  {key:<11} {v}")
    return 0
