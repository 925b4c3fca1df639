"""The golden set as a regression gate: named system versions scored per query, stored, and
compared, so a learner sees which queries an "upgrade" broke and by how much.

A run is a name, where its scores came from (a retrieval configuration run on the golden
queries, or an uploaded answers file scored against each query's expected behaviour) and one
score per query. Comparing two runs lists the queries whose score fell, largest drop first:
the aggregate can rise while individual queries regress, which is why upgrades fail in
production.

A run is named from its settings unless the learner typed a name, and the same settings are
not stored twice: `run_retrieval_version` hands back the version already saved. The
difference between two versions is tested for noise in labs/evals/stats.py, and every mean
a retrieval version reports (nDCG@10, recall@10, context precision@10) carries a 95% bootstrap
interval over the golden queries.

Left out: per-slice dashboards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pydantic import BaseModel, Field
from sqlmodel import col, select

from labs.evals import stats
from labs.evals.jsonl import parse_jsonl
from labs.evals.reference import token_f1
from labs.store import Store
from labs.store.models import EvalRun, EvalRunItem

REGRESSION_EPSILON = 1e-9
MODES = ("bm25", "dense", "hybrid")
# what a retrieval version reports, and how the page names it (precision@10 over the golden
# set's judged chunks is the lesson's context precision)
RETRIEVAL_LABELS = {"ndcg@10": "nDCG@10", "recall@10": "recall@10",
                    "precision@10": "context precision@10"}


def run_name(mode: str, chunk_tokens: int, fusion: str = "rrf", rerank: str = "none") -> str:
    """The name a run gets from what it actually ran.

    >>> run_name("hybrid", 200)
    'hybrid (rrf fusion), 200-token chunks, no rerank'
    """
    pattern = f"{mode} ({fusion} fusion)" if mode == "hybrid" else mode
    return f"{pattern}, {chunk_tokens}-token chunks, " + (
        "no rerank" if rerank == "none" else f"{rerank} rerank")


def same_settings(store: Store, learner_id: int, source: str, config: dict) -> EvalRun | None:
    """A saved run of this learner with these settings (its stored results aside), if any."""
    for run in runs(store, learner_id):
        stored = json.loads(run.config_json)
        if run.source == source and {k: stored.get(k) for k in config} == config:
            return run
    return None


@dataclass(frozen=True)
class Saved:
    run: EvalRun
    created: bool  # False: the same settings were saved before, nothing new stored
    mean: dict[str, float]  # the run's mean metrics, for the message
    intervals: dict[str, stats.Interval] = field(default_factory=dict)  # 95% bootstrap, per metric


def run_retrieval_version(store: Store, learner_id: int, corpus, mode: str, chunk_tokens: int,
                          embedder, name: str = "", progress=None) -> Saved:
    """Run one retrieval configuration over the golden set (the retrieval lab's own build and
    evaluate) and save its per-query nDCG@10 as a version."""
    from labs.retrieval import RetrievalIndex, Settings

    if mode not in MODES:
        raise ValueError(f"pattern must be one of {', '.join(MODES)}")
    config = {"mode": mode, "chunk_tokens": chunk_tokens,
              "fusion": "rrf" if mode == "hybrid" else "none", "rerank": "none"}
    if found := same_settings(store, learner_id, "retrieval", config):
        return Saved(found, False, {})
    index = RetrievalIndex.build(corpus, Settings(size=chunk_tokens,
                                                  overlap=min(20, chunk_tokens // 4)),
                                 embedder, progress=progress, dense=mode != "bm25")
    ev = index.evaluate(corpus.queries, modes=(mode,), k=10)
    mean, per_query = ev.mean[mode], ev.per_query[mode]
    intervals = {m: stats.bootstrap_ci([v[m] for v in per_query.values()])
                 for m in RETRIEVAL_LABELS}
    run = save_run(store, learner_id=learner_id,
                   name=name.strip() or run_name(mode, chunk_tokens, config["fusion"]),
                   source="retrieval", metric="ndcg@10",
                   scores={q: m["ndcg@10"] for q, m in per_query.items()},
                   config=config | {"recall@10": mean["recall@10"],
                                    "context_precision@10": mean["precision@10"],
                                    "intervals": {m: [ci.low, ci.high]
                                                  for m, ci in intervals.items()}})
    return Saved(run, True, mean, intervals)


def save_run(store: Store, *, learner_id: int, name: str, source: str, metric: str,
             scores: dict[str, float], config: dict | None = None,
             details: dict[str, str] | None = None) -> EvalRun:
    name = " ".join(name.split())
    if not name:
        raise ValueError("Give the run a name, e.g. 'v2 hybrid, 512-token chunks'.")
    if not scores:
        raise ValueError("The run has no scored queries.")

    def write(s):
        run = EvalRun(learner_id=learner_id, name=name[:80], source=source, metric=metric,
                      config_json=json.dumps(config or {}))
        s.add(run)
        s.flush()
        for qid, value in scores.items():
            s.add(EvalRunItem(run_id=run.id, query_id=qid, score=float(value),
                              detail=(details or {}).get(qid, "")))
        s.refresh(run)
        return run

    return store.write(write)


def runs(store: Store, learner_id: int) -> list[EvalRun]:
    with store.session() as s:
        return list(s.exec(select(EvalRun).where(EvalRun.learner_id == learner_id)
                           .order_by(col(EvalRun.created_at))))


def run_scores(store: Store, run_id: int) -> dict[str, float]:
    with store.session() as s:
        return {i.query_id: i.score for i in s.exec(
            select(EvalRunItem).where(EvalRunItem.run_id == run_id))}


@dataclass(frozen=True)
class Change:
    query_id: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def compare(before: dict[str, float], after: dict[str, float]) -> list[Change]:
    """Queries scored in both runs whose score fell, largest drop first.

    >>> drops = compare({"q1": 1, "q2": .5}, {"q1": .2, "q2": .9})
    >>> [(c.query_id, round(c.delta, 2)) for c in drops]
    [('q1', -0.8)]
    """
    changes = [Change(q, before[q], after[q]) for q in before.keys() & after.keys()]
    return sorted((c for c in changes if c.delta < -REGRESSION_EPSILON),
                  key=lambda c: (c.delta, c.query_id))


class AnswerLine(BaseModel):
    id: str = Field(min_length=1)
    answer: str


def parse_answers(text: str, known_ids: set[str]) -> tuple[dict[str, str], list[str]]:
    """`{"id", "answer"}` per line; bad lines and unknown ids are reported by line number."""
    rows, errors = parse_jsonl(text, AnswerLine)
    answers = {}
    for n, row in rows:
        if row.id not in known_ids:
            errors.append(f"line {n}: unknown query id {row.id!r}")
        else:
            answers[row.id] = row.answer
    errors.sort(key=lambda e: int(e.split()[1].rstrip(":")))
    return answers, errors


def score_answers(answers: dict[str, str], expected: dict[str, str]) -> dict[str, float]:
    """Token F1 of each answer against the query's expected behaviour (a reference metric: cheap,
    and blind to paraphrase, as the reference tab shows)."""
    return {qid: token_f1(text, [expected[qid]]) for qid, text in answers.items()}
