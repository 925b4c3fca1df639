"""Pydantic models for content/: modules, quizzes, flashcards, the decision trainer.

The models validate shape and local rules (an answer index inside its options, enough options).
Rules that span files (ids unique across the tree, references that resolve, every module with
a quiz and flashcards) live in `labs.curriculum.loader.check_references`.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from labs.content import Id, Strict, Text


class LabLink(StrEnum):
    """Labs a module can point at; the lesson page shows the link once that lab's page exists."""

    retrieval = "retrieval"
    evals = "evals"
    costsim = "costsim"
    mcp = "mcp"
    whiteboard = "whiteboard"
    drill = "drill"
    decision_trainer = "decision-trainer"


class OutlineStep(Strict):
    """One beat of the 90-second answer; `cues` are phrases that show the beat is present."""

    id: Id
    title: Text
    seconds: int = Field(ge=1, le=90)
    purpose: Text
    cues: list[Text] = Field(min_length=3)


class ModuleMeta(Strict):
    """Front matter of content/modules/NN-id.md."""

    id: Id
    order: int = Field(ge=1, le=99)
    title: Text
    summary: Text
    minutes: int = Field(ge=1, le=240)
    labs: list[LabLink] = []
    objectives: list[Text] = Field(min_length=2)
    takeaways: list[Text] = Field(min_length=2)
    script_outline: list[OutlineStep] = []  # only the articulation module carries one


class Module(ModuleMeta):
    body: Text  # the lesson in Markdown, with ```dot and ```de-fails fenced blocks


class Option(Strict):
    text: Text
    explanation: Text


class QuestionKind(StrEnum):
    single = "single"
    scenario = "scenario"


class Question(Strict):
    id: Id
    kind: QuestionKind
    prompt: Text
    options: list[Option] = Field(min_length=2, max_length=6)
    answer: int = Field(ge=0, description="index into options of the correct option")

    @model_validator(mode="after")
    def _answer_in_range(self) -> Question:
        if self.answer >= len(self.options):
            raise ValueError(
                f"answer index {self.answer} is out of range: question {self.id!r} "
                f"has {len(self.options)} options (0..{len(self.options) - 1})"
            )
        return self


class Quiz(Strict):
    module: Id
    questions: list[Question] = Field(min_length=1)


class Flashcard(Strict):
    id: Id
    front: Text
    back: Text


class FlashcardDeck(Strict):
    module: Id
    cards: list[Flashcard] = Field(min_length=1)


class Method(Strict):
    id: Id
    name: Text
    wins_when: Text
    loses_when: Text


class Scenario(Strict):
    id: Id
    title: Text
    situation: Text
    best: Id
    explanations: dict[Id, Text]  # one per method: why it wins or loses here


class DecisionTrainer(Strict):
    methods: list[Method] = Field(min_length=2)
    scenarios: list[Scenario] = Field(min_length=1)

    @model_validator(mode="after")
    def _scenarios_cover_methods(self) -> DecisionTrainer:
        method_ids = {m.id for m in self.methods}
        for s in self.scenarios:
            if s.best not in method_ids:
                raise ValueError(f"scenario {s.id!r}: best {s.best!r} is not a method id")
            missing = method_ids - s.explanations.keys()
            extra = s.explanations.keys() - method_ids
            if missing or extra:
                raise ValueError(
                    f"scenario {s.id!r}: explanations must name every method once "
                    f"(missing {sorted(missing)}, unknown {sorted(extra)})"
                )
        return self
