"""Pydantic models of the eval sandbox's bundled data (content/evals/)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from labs.content import Id, Strict, Text


class AnswerKind(StrEnum):
    exact = "exact"  # says the reference almost word for word
    paraphrase = "paraphrase"  # correct, in other words
    partial = "partial"  # right but incomplete
    wrong_overlap = "wrong-overlap"  # wrong, yet shares many words with the reference
    hallucinated = "hallucinated"  # fluent, confident, adds facts not in the context
    verbose = "verbose"  # correct but padded
    off_topic = "off-topic"
    negated = "negated"  # says the reference's points and denies them


class CandidateAnswer(Strict):
    id: Id
    kind: AnswerKind
    label: int = Field(ge=1, le=5)  # a careful human's 1-5 score: the judge's calibration target
    text: Text


class EvalItem(Strict):
    """One question seen by every layer of the pyramid."""

    id: Id
    question: Text
    references: list[Text] = Field(min_length=1)
    key_points: list[Text] = Field(min_length=1, max_length=6)
    context: Text  # the retrieved passage a RAG system would answer from
    answers: list[CandidateAnswer] = Field(min_length=3)


class EvalItems(Strict):
    items: list[EvalItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> EvalItems:
        ids = [i.id for i in self.items] + [a.id for i in self.items for a in i.answers]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate ids: {', '.join(dupes)}")
        return self


class PairKind(StrEnum):
    paraphrase = "paraphrase"  # should match
    related_wrong = "related-wrong"  # same topic, different meaning: must not match
    unrelated = "unrelated"


class SimilarityPair(Strict):
    id: Id
    a: Text
    b: Text
    kind: PairKind

    @property
    def should_match(self) -> bool:
        return self.kind is PairKind.paraphrase


class SimilarityPairs(Strict):
    pairs: list[SimilarityPair] = Field(min_length=1)
