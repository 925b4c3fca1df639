"""`aie-bridge retrieval-eval`: score dense, BM25 or hybrid retrieval, or a named pipeline, on
a BEIR folder or on the bundled golden set, and print the metrics (as JSON with --json).

Documents longer than the model's window are chunked (recursive, `--chunk-tokens` tokens)
and scored by their best chunk. BM25 reads whole documents unless --chunk-tokens is given
(it has no window to respect) and is stemmed with stopwords dropped unless told otherwise.
Queries without judgements are skipped. On the bundled corpus the answer spans are scored
too (`passage`: chunks ranked against the labelled answers). With --expand, the same queries
are also scored without expansion: `expansion` gives the per-query wins and losses.

    aie-bridge retrieval-eval --beir DIR --mode hybrid --json
    aie-bridge retrieval-eval --builtin --pipeline best --json
    aie-bridge retrieval-eval --builtin --mode bm25 --expand rm3 --fb-docs 5 --fb-terms 20
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace


def register(sub: argparse._SubParsersAction) -> None:
    from labs.retrieval.pipelines import PIPELINES

    p = sub.add_parser("retrieval-eval", help="Score a retrieval pattern on judged queries.",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--beir", metavar="DIR", help="a BEIR folder (corpus.jsonl, queries.jsonl, "
                                                   "qrels/test.tsv)")
    src.add_argument("--builtin", action="store_true",
                     help="the bundled corpus and its golden query set")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--mode", choices=["dense", "bm25", "hybrid"])
    how.add_argument("--pipeline", metavar="NAME|FILE.json",
                     help=f"a named pipeline ({', '.join(PIPELINES)}, best) or a JSON file of "
                          "one; the options below then change it")
    p.add_argument("--index", choices=["flat", "hnsw", "ivf"], default=None)
    p.add_argument("--chunk-tokens", type=int, default=None, metavar="N",
                   help="chunk size in MiniLM tokens (default: the model's window, 254)")
    p.add_argument("--chunker", choices=["fixed", "recursive", "sentence", "markdown",
                                         "semantic"], default=None)
    p.add_argument("--threshold", type=float, default=None,
                   help="semantic chunker: cut below this adjacent-sentence cosine")
    p.add_argument("--headers", action="store_true",
                   help="contextual chunk headers (title > section path) before embedding")
    p.add_argument("--overlap", type=int, default=None, metavar="N")
    p.add_argument("--rrf-k", type=int, default=None)
    p.add_argument("--no-stemming", action="store_true", help="BM25 without Snowball stemming")
    p.add_argument("--keep-stopwords", action="store_true", help="BM25 keeps English stopwords")
    p.add_argument("--stemming", action="store_true", help=argparse.SUPPRESS)  # the default now
    p.add_argument("--expand", choices=["none", "rm3", "rocchio", "both"], default=None,
                   help="pseudo-relevance feedback: RM3 (BM25), Rocchio (dense), both")
    p.add_argument("--fb-docs", type=int, default=None, help="feedback depth (default 10)")
    p.add_argument("--fb-terms", type=int, default=None, help="RM3 terms kept (default 10)")
    p.add_argument("--fb-weight", type=float, default=None,
                   help="weight of the feedback, 0-1 (default 0.5)")
    p.add_argument("--rerank", choices=["maxsim"], default=None,
                   help="rerank the top 20 with MaxSim (slow on large collections)")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(func=run)


def pipeline_of(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The pipeline the arguments name, with every given option applied. Raises ValueError."""
    from labs.retrieval.dense import IndexParams
    from labs.retrieval.engine import WINDOW
    from labs.retrieval.expansion import Feedback
    from labs.retrieval.pipelines import CLI_BASE, Pipeline, load_pipeline

    base = load_pipeline(args.pipeline) if args.pipeline else Pipeline("custom", args.mode,
                                                                       CLI_BASE)
    s = base.settings
    ch: dict = {}
    if args.chunk_tokens is not None:
        if not 1 <= args.chunk_tokens <= WINDOW:
            raise ValueError(f"--chunk-tokens must be between 1 and {WINDOW} (the model's "
                             "window)")
        ch |= {"size": args.chunk_tokens, "bm25_units": "chunks"}
    for opt, key in (("chunker", "strategy"), ("overlap", "overlap"), ("rrf_k", "rrf_k"),
                     ("threshold", "threshold"), ("expand", "expand")):
        if getattr(args, opt) is not None:
            ch[key] = getattr(args, opt)
    if args.headers:
        ch["headers"] = True
    if args.index:
        ch["index"] = IndexParams(kind=args.index)
    if args.no_stemming or args.keep_stopwords:
        ch["bm25"] = replace(s.bm25, stemming=not args.no_stemming,
                             stopwords=not args.keep_stopwords)
    fb = {k: v for k, v in (("docs", args.fb_docs), ("terms", args.fb_terms),
                            ("weight", args.fb_weight)) if v is not None}
    if fb:
        ch["feedback"] = Feedback(**(vars(s.feedback) | fb))
    s = replace(s, **ch)
    if not 0 <= s.overlap < s.size:
        raise ValueError("--overlap must be at least 0 and smaller than the chunk size")
    changed = bool(ch) or bool(args.rerank)
    name = base.name + (" (changed)" if changed and args.pipeline else "")
    return replace(base, name=name, settings=s, rerank=args.rerank or base.rerank)


def run(args: argparse.Namespace) -> int:
    from labs.retrieval.corpus import CorpusError, load_beir, load_bundled

    try:
        pipeline = pipeline_of(args)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    try:
        corpus = load_beir(args.beir) if args.beir else load_bundled()
    except CorpusError as e:
        print("error: " + "; ".join(e.problems[:5]), file=sys.stderr)
        return 1
    if not corpus.judged:
        print("error: no query has a relevance judgement; nothing to score", file=sys.stderr)
        return 1
    from labs.retrieval.evaluation import evaluate_pipeline

    progress = None
    if not args.json and sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            print(f"\rembedding {done}/{total}", end="", file=sys.stderr, flush=True)
    needs_model = (pipeline.mode != "bm25" or pipeline.rerank
                   or pipeline.settings.strategy == "semantic")
    embedder = None
    if needs_model:
        from labs.embeddings import get_embedder

        embedder = get_embedder()
    try:
        report = evaluate_pipeline(corpus, pipeline, embedder, progress=progress)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    out = report.summary()
    if args.json:
        print(json.dumps(out))
        return 0
    index = report.index
    what = (f"{len(index.units)} chunks ({index.stats.embedded} embedded now, the rest "
            f"cached)" if index.units else f"{len(corpus.documents)} whole documents")
    print(f"{corpus.name} · {pipeline.name} · {out['mode']} · "
          f"{pipeline.settings.index.kind} · {what}")
    for key, v in out.items():
        if isinstance(v, dict):
            print(f"  {key}: " + ", ".join(f"{a} {b}" for a, b in v.items()))
        elif key not in ("pipeline", "mode"):
            print(f"  {key:<11} {v}")
    return 0
