"""Named retrieval pipelines: a mode, every setting, and an optional rerank, under one name,
so the best configurations found can be re-run exactly (`retrieval-eval --pipeline NAME`),
and a saved experiment's JSON (`settings_to_dict`) rebuilds the same `Settings`.

The names and what they won are in BENCHMARKS.md ("Retrieval: defaults, expansion, chunkers").

Left out: pipelines with an LLM step (HyDE, multi-query): they need a key and cost money.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from labs.retrieval.dense import IndexParams
from labs.retrieval.engine import MODES, WINDOW, Settings
from labs.retrieval.expansion import KINDS, Feedback
from labs.retrieval.sparse import BM25Params

RERANKS = ("", "maxsim")
# what the CLI uses when nothing is said: whole documents up to the model's window
CLI_BASE = Settings(size=WINDOW, overlap=0, bm25_units="documents")


@dataclass(frozen=True)
class Pipeline:
    name: str
    mode: str
    settings: Settings
    rerank: str = ""  # "" or "maxsim" (MaxSim over the hybrid/mode top `rerank_depth`)
    rerank_depth: int = 20
    about: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "mode": self.mode, "settings": settings_to_dict(self.settings),
                "rerank": self.rerank, "rerank_depth": self.rerank_depth, "about": self.about}


def settings_to_dict(s: Settings) -> dict:
    return asdict(s)


def settings_from_dict(d: dict) -> Settings:
    """The inverse of `settings_to_dict`; unknown keys are refused (a typo must not pass)."""
    nested = {"index": IndexParams, "bm25": BM25Params, "feedback": Feedback}
    known = {f.name for f in fields(Settings)}
    if bad := set(d) - known:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(bad))}")
    kw = {}
    for k, v in d.items():
        if k in nested:
            sub = {f.name for f in fields(nested[k])}
            if not isinstance(v, dict) or (bad := set(v) - sub):
                raise ValueError(f"setting {k}: unknown field(s) {sorted(bad) if v else v}")
            v = nested[k](**v)
        kw[k] = v
    s = Settings(**kw)
    if s.expand not in KINDS:
        raise ValueError(f"expand must be one of {', '.join(KINDS)}")
    return s


def pipeline_from_dict(d: dict) -> Pipeline:
    if d.get("mode") not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    if d.get("rerank", "") not in RERANKS:
        raise ValueError("rerank must be empty or maxsim")
    return Pipeline(str(d.get("name", "custom")), d["mode"], settings_from_dict(d["settings"]),
                    d.get("rerank", ""), int(d.get("rerank_depth", 20)), str(d.get("about", "")))


def _p(name: str, mode: str, about: str, **changes) -> Pipeline:
    rerank = changes.pop("rerank", "")
    return Pipeline(name, mode, replace(CLI_BASE, **changes), rerank, about=about)


RM3 = Feedback(docs=10, terms=10, weight=0.3)  # the best RM3 setting measured
ROCCHIO = Feedback(docs=5, terms=10, weight=0.3)  # the best Rocchio setting measured
PIPELINES: dict[str, Pipeline] = {p.name: p for p in (
    _p("bm25", "bm25", "stemmed BM25 with stopwords over whole documents"),
    _p("dense", "dense", "MiniLM + exact FAISS, documents scored by their best chunk"),
    _p("hybrid", "hybrid", "dense + stemmed BM25 fused by RRF (k = 60)"),
    _p("bm25-rm3", "bm25", "BM25 with RM3 (10 docs, 10 terms, weight 0.3)", expand="rm3",
       feedback=RM3),
    _p("dense-rocchio", "dense", "dense with Rocchio (5 chunks, weight 0.3)",
       expand="rocchio", feedback=ROCCHIO),
    _p("hybrid-rm3", "hybrid", "hybrid with RM3 on its BM25 side", expand="rm3", feedback=RM3),
    _p("hybrid-prf", "hybrid", "hybrid with RM3 on BM25 and Rocchio on dense (5, 0.3)",
       expand="both", feedback=ROCCHIO),
    _p("hybrid-weighted", "hybrid", "dense + BM25 by min-max normalised scores, 0.5 each",
       fusion="weighted"),
    _p("hybrid-weighted-rm3", "hybrid", "hybrid-weighted with RM3 on the BM25 side",
       fusion="weighted", expand="rm3", feedback=RM3),
    _p("hybrid-weighted-prf", "hybrid", "hybrid-weighted with RM3 and Rocchio (5, 0.3)",
       fusion="weighted", expand="both", feedback=ROCCHIO),
    _p("hybrid-rm3-maxsim", "hybrid", "hybrid-rm3, its top 20 reranked by MaxSim (slow)",
       expand="rm3", feedback=RM3, rerank="maxsim"),
)}
BEST = "hybrid-weighted-prf"  # best mean nDCG@10 over Cranfield and the golden set (BENCHMARKS.md)


def load_pipeline(name_or_file: str) -> Pipeline:
    """A named pipeline, `best`, or a JSON file holding one (`Pipeline.to_dict`, as a saved
    experiment exports it). Raises ValueError with what is wrong."""
    name = BEST if name_or_file == "best" else name_or_file
    if name in PIPELINES:
        return PIPELINES[name]
    path = Path(name_or_file)
    if not path.suffix == ".json":
        raise ValueError(f"unknown pipeline {name_or_file!r}; choose one of "
                         f"{', '.join(PIPELINES)}, best, or a .json file")
    try:
        return pipeline_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"cannot read pipeline file {path}: {e}") from e
