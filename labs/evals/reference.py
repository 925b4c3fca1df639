"""Reference-based metrics: the bottom layer of the eval pyramid, cheap and exact, useful only
when a task has known answers.

Exact match and token F1 follow the SQuAD evaluation script: lowercase, strip punctuation and
the articles a/an/the, collapse white space; F1 over the multiset of tokens; the best score over
several references. BLEU and chrF come from `sacrebleu` (sentence scores per item, corpus scores
overall, as sacrebleu defines them), ROUGE-1/2/L from `rouge-score` (F-measure, Porter stemming).
Every overall figure of a file comes with a 95% bootstrap interval over its items: percentile
intervals of the mean for EM, F1 and ROUGE-L (labs.evals.stats), and sacrebleu's own bootstrap
for corpus BLEU and chrF (corpus scores are not means of item scores, so the items' sufficient
statistics are resampled, 1,000 times, seed 12345: mean ± half the 95% range).

Left out: METEOR, BERTScore (the embedding layer covers meaning), TER.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from labs.evals import stats
from labs.evals.jsonl import parse_jsonl

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation.

    >>> normalize_answer("The  Eiffel Tower, in Paris!")
    'eiffel tower in paris'
    """
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, references: list[str]) -> float:
    return float(max(normalize_answer(prediction) == normalize_answer(r) for r in references))


def _f1(prediction: str, reference: str) -> float:
    pred, ref = normalize_answer(prediction).split(), normalize_answer(reference).split()
    if not pred or not ref:
        return float(pred == ref)  # both empty: 1; one empty: 0
    common = Counter(pred) & Counter(ref)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, references: list[str]) -> float:
    """Token F1, the best over the references.

    >>> round(token_f1("the cat sat", ["a cat sat down"]), 4)
    0.8
    """
    return max(_f1(prediction, r) for r in references)


@lru_cache(maxsize=1)
def _rouge_scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)


@dataclass(frozen=True)
class ReferenceScores:
    exact_match: float
    f1: float
    bleu: float  # 0-100, sacrebleu's scale
    chrf: float  # 0-100
    rouge1: float  # 0-1 F-measure, best over references
    rouge2: float
    rougeL: float  # noqa: N815 - the metric's name


def score(prediction: str, references: list[str]) -> ReferenceScores:
    """Every reference metric for one prediction."""
    import sacrebleu

    if not references:
        raise ValueError("at least one reference is needed")
    scorer = _rouge_scorer()
    rouge = [scorer.score(r, prediction) for r in references]
    return ReferenceScores(
        exact_match=exact_match(prediction, references),
        f1=token_f1(prediction, references),
        bleu=sacrebleu.sentence_bleu(prediction, references).score,
        chrf=sacrebleu.sentence_chrf(prediction, references).score,
        rouge1=max(r["rouge1"].fmeasure for r in rouge),
        rouge2=max(r["rouge2"].fmeasure for r in rouge),
        rougeL=max(r["rougeL"].fmeasure for r in rouge),
    )


class PairLine(BaseModel):
    """One line of a pairs file: `{"id", "prediction", "references": [...]}`."""

    id: str = Field(min_length=1)
    prediction: str
    references: list[str] = Field(min_length=1)


@dataclass
class FileScores:
    items: list[dict] = field(default_factory=list)
    overall: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # "line N: what is wrong"
    # metric -> {"mean", "low", "high", "items"}: 95% bootstrap interval (two items or more)
    intervals: dict[str, dict] = field(default_factory=dict)


def _corpus_interval(metric, preds: list[str], streams: list[list[str]]) -> dict:
    """sacrebleu's bootstrap of a corpus score: it resamples the items' statistics."""
    import json

    score = metric.corpus_score(preds, streams, n_bootstrap=stats.RESAMPLES)
    found = json.loads(score.format(signature=str(metric.get_signature()), is_json=True))
    # sacrebleu leaves the interval out when every resample scored 0
    mean, half = found.get("confidence_mean", 0.0), found.get("confidence_var", 0.0)
    return {"mean": mean, "low": max(0.0, mean - half), "high": min(100.0, mean + half),
            "items": len(preds)}


def parse_pairs(text: str) -> tuple[list[PairLine], list[str]]:
    """Parse JSONL; a bad line is reported by number and the others are kept."""
    rows, errors = parse_jsonl(text, PairLine)
    pairs = [p for _, p in rows]
    return pairs, errors


def score_pairs(pairs: list[PairLine]) -> FileScores:
    """Per item every metric; overall the mean EM/F1/ROUGE-L and corpus-level BLEU and chrF."""
    import sacrebleu

    out = FileScores()
    for p in pairs:
        out.items.append({"id": p.id, **asdict(score(p.prediction, p.references))})
    if pairs:
        n_refs = max(len(p.references) for p in pairs)
        # sacrebleu wants one stream per reference position; pad short lists with their first
        streams = [[p.references[i] if i < len(p.references) else p.references[0]
                    for p in pairs] for i in range(n_refs)]
        preds = [p.prediction for p in pairs]
        mean = lambda k: sum(i[k] for i in out.items) / len(out.items)  # noqa: E731
        out.overall = {
            "items": len(pairs), "exact_match": mean("exact_match"), "f1": mean("f1"),
            "bleu": sacrebleu.corpus_bleu(preds, streams).score,
            "chrf": sacrebleu.corpus_chrf(preds, streams).score,
            "rougeL": mean("rougeL"),
        }
        if len(pairs) >= 2:
            from sacrebleu.metrics import BLEU, CHRF

            for key in ("exact_match", "f1", "rougeL"):
                ci = stats.bootstrap_ci([i[key] for i in out.items])
                out.intervals[key] = {"mean": ci.mean, "low": ci.low, "high": ci.high,
                                      "items": ci.n}
            out.intervals["bleu"] = _corpus_interval(BLEU(), preds, streams)
            out.intervals["chrf"] = _corpus_interval(CHRF(), preds, streams)
    return out


def score_file(path: Path) -> FileScores:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not UTF-8 text (byte {e.start})") from e
    pairs, errors = parse_pairs(text)
    result = score_pairs(pairs)
    result.errors = errors
    return result
