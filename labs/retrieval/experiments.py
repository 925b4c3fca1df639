"""Saved retrieval experiments: a configuration and its metrics, per learner, to compare.

The configuration is every setting as the index applied it (`Settings.resolved()`: the
overlap actually used, fusion, expansion, headers, chunker threshold), so an experiment can be
exported as a pipeline and re-run exactly (`retrieval-eval --pipeline FILE.json`). Saving the
same configuration on the same corpus twice is refused, naming the earlier experiment.

Left out: saving the rankings themselves (re-running a configuration reproduces them; the
embedding cache makes that cheap).
"""

from __future__ import annotations

import json

from sqlmodel import select

from labs.retrieval.engine import Evaluation, Settings
from labs.retrieval.pipelines import Pipeline, settings_from_dict, settings_to_dict
from labs.store import Store
from labs.store.models import Experiment


def settings_dict(s: Settings) -> dict:
    return settings_to_dict(s.resolved())


def save_experiment(store: Store, learner_id: int, name: str, corpus: str, settings: Settings,
                    ev: Evaluation) -> Experiment:
    name = " ".join(name.split())[:80]
    if not name:
        raise ValueError("Give the experiment a name.")
    config = json.dumps(settings_dict(settings), sort_keys=True)
    for e in list_experiments(store, learner_id):
        if e.corpus == corpus[:120] and json.loads(e.config_json) == json.loads(config):
            raise ValueError(f"This configuration is already saved as #{e.id} {e.name}.")
    row = Experiment(learner_id=learner_id, name=name, corpus=corpus[:120], config_json=config,
                     metrics_json=json.dumps({m: {k: round(v, 4) for k, v in vals.items()}
                                              for m, vals in ev.mean.items()}),
                     queries=ev.judged)
    with store.session() as db:
        db.add(row)
        db.flush()
        db.refresh(row)
    return row


def list_experiments(store: Store, learner_id: int) -> list[Experiment]:
    with store.session() as db:
        return list(db.exec(select(Experiment).where(Experiment.learner_id == learner_id)
                            .order_by(Experiment.created_at)).all())


def as_pipeline(e: Experiment, mode: str) -> Pipeline:
    """The experiment as a pipeline of one mode, for `retrieval-eval --pipeline FILE.json`."""
    return Pipeline(f"experiment-{e.id}", mode, settings_from_dict(json.loads(e.config_json)),
                    about=e.name)


def comparison_rows(experiments: list[Experiment]) -> list[dict]:
    """One flat row per (experiment, pattern): the table and chart the page draws."""
    rows = []
    for e in experiments:
        cfg = json.loads(e.config_json)
        fb = cfg.get("feedback") or {}
        for pattern, vals in json.loads(e.metrics_json).items():
            rows.append({"experiment": f"#{e.id} {e.name}", "pattern": pattern,
                         "chunker": cfg.get("strategy"), "size": cfg.get("size"),
                         "overlap": cfg.get("overlap"), "headers": cfg.get("headers", False),
                         "index": (cfg.get("index") or {}).get("kind"),
                         "stemming": (cfg.get("bm25") or {}).get("stemming"),
                         "fusion": cfg.get("fusion"), "rrf k": cfg.get("rrf_k"),
                         "dense weight": cfg.get("dense_weight"),
                         "expand": cfg.get("expand", "none"),
                         "feedback": (f"{fb.get('docs')} docs, {fb.get('terms')} terms, "
                                      f"w {fb.get('weight')}") if cfg.get("expand", "none")
                         != "none" else "",
                         "corpus": e.corpus, "queries": e.queries, **vals})
    return rows
