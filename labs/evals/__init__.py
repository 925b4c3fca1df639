"""The eval-pyramid sandbox: every layer on the same items, with what each costs.

reference.py (EM, F1, BLEU, chrF, ROUGE) → similarity.py (embedding threshold tuning) →
judge.py (the Judge protocol: an LLM judge, or the offline rubric judge of claims.py; bias
probes) → judgefile.py (judge a labelled file, measure agreement) → human.py (labels and
agreement) → rag.py (retrieval and generation metrics) → regression.py (the golden set across
versions) → stats.py (intervals, paired tests, sample sizes, several raters) → online.py
(production signals and their lag) → costs.py (per 1,000 evaluations). views.py turns all of
it into the page's rows and figures.
"""

from labs.evals.data import load_items, load_pairs

__all__ = ["load_items", "load_pairs"]
