"""Saved retrieval experiments: a configuration and its metrics, per learner, to compare.

Left out: saving the rankings themselves (re-running a configuration reproduces them; the
embedding cache makes that cheap).
"""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlmodel import select

from labs.retrieval.engine import Evaluation, Settings
from labs.store import Store
from labs.store.models import Experiment


def settings_dict(s: Settings) -> dict:
    return asdict(s)


def save_experiment(store: Store, learner_id: int, name: str, corpus: str, settings: Settings,
                    ev: Evaluation) -> Experiment:
    name = " ".join(name.split())[:80]
    if not name:
        raise ValueError("Give the experiment a name.")
    row = Experiment(learner_id=learner_id, name=name, corpus=corpus[:120],
                     config_json=json.dumps(settings_dict(settings)),
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


def comparison_rows(experiments: list[Experiment]) -> list[dict]:
    """One flat row per (experiment, pattern): the table and chart the page draws."""
    rows = []
    for e in experiments:
        cfg = json.loads(e.config_json)
        for pattern, vals in json.loads(e.metrics_json).items():
            rows.append({"experiment": f"#{e.id} {e.name}", "pattern": pattern,
                         "chunker": cfg.get("strategy"), "size": cfg.get("size"),
                         "overlap": cfg.get("overlap"),
                         "index": (cfg.get("index") or {}).get("kind"),
                         "corpus": e.corpus, "queries": e.queries, **vals})
    return rows
