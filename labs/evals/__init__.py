"""The eval-pyramid sandbox: every layer on the same items, with what each costs.

reference.py (EM, F1, BLEU, chrF, ROUGE) → similarity.py (embedding threshold tuning) →
judge.py (LLM-as-judge and its bias probes; an offline rubric judge) → human.py (labels and
agreement) → rag.py (retrieval and generation metrics) → regression.py (the golden set across
versions) → online.py (production signals and their lag) → costs.py (per 1,000 evaluations).
"""

from labs.evals.data import load_items, load_pairs

__all__ = ["load_items", "load_pairs"]
