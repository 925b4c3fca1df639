"""Load and check content/: every file parsed, validated and cross-referenced, or a ContentError
that names the file and the field.

`load_curriculum()` is what the app and the CLI call. It reads the whole tree (a few hundred
kilobytes) in well under a second, so callers cache the result rather than this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from labs.content import CONTENT_DIR, ContentError, load_yaml_model, validate
from labs.curriculum.models import (
    DecisionTrainer,
    Flashcard,
    FlashcardDeck,
    Module,
    Question,
    QuestionKind,
    Quiz,
)

MIN_QUESTIONS = 6
MIN_FLASHCARDS = 8
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)


@dataclass(frozen=True)
class Curriculum:
    modules: list[Module]  # in learning-path order
    quizzes: dict[str, Quiz]  # by module id
    decks: dict[str, FlashcardDeck]  # by module id
    trainer: DecisionTrainer
    root: Path = field(default=CONTENT_DIR)

    def module(self, module_id: str) -> Module:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise KeyError(f"unknown module id {module_id!r}")

    def questions(self) -> dict[str, Question]:
        return {q.id: q for quiz in self.quizzes.values() for q in quiz.questions}

    def cards(self) -> dict[str, Flashcard]:
        return {c.id: c for deck in self.decks.values() for c in deck.cards}

    def card_module(self) -> dict[str, str]:
        return {c.id: deck.module for deck in self.decks.values() for c in deck.cards}


def parse_module(path: Path) -> Module:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ContentError([f"{path}: not UTF-8 text ({e.reason} at byte {e.start})"]) from e
    m = _FRONT_MATTER.match(text)
    if not m:
        raise ContentError([f"{path}: missing YAML front matter between '---' lines"])
    try:
        meta = yaml.safe_load(m.group(1))
    except yaml.YAMLError as e:
        raise ContentError([f"{path}: invalid YAML front matter: {e}"]) from e
    if not isinstance(meta, dict):
        raise ContentError([f"{path}: front matter must be a mapping of fields"])
    return validate(Module, path, {**meta, "body": m.group(2)})


def load_curriculum(root: Path = CONTENT_DIR) -> Curriculum:
    """Read every content file, collect all problems, raise them together or return the tree."""
    problems: list[str] = []
    modules: list[Module] = []
    module_files: dict[str, Path] = {}
    for path in sorted((root / "modules").glob("*.md")):
        try:
            mod = parse_module(path)
        except ContentError as e:
            problems += e.problems
            continue
        modules.append(mod)
        module_files.setdefault(mod.id, path)

    quizzes: dict[str, Quiz] = {}
    quiz_files: dict[str, Path] = {}
    decks: dict[str, FlashcardDeck] = {}
    deck_files: dict[str, Path] = {}
    broken: set[str] = set()  # "quizzes/rag" for a file that failed: no follow-on "has no quiz"
    for kind, model, into, files in (
        ("quizzes", Quiz, quizzes, quiz_files),
        ("flashcards", FlashcardDeck, decks, deck_files),
    ):
        for path in sorted((root / kind).glob("*.yaml")):
            try:
                item = load_yaml_model(model, path)
            except ContentError as e:
                problems += e.problems
                broken.add(f"{kind}/{path.stem}")
                continue
            if item.module in into:
                problems.append(f"{path}: field module: {item.module!r} already has {kind} "
                                f"in {files[item.module]}")
                continue
            into[item.module] = item
            files[item.module] = path

    trainer = None
    trainer_path = root / "decision_trainer.yaml"
    if trainer_path.exists():
        try:
            trainer = load_yaml_model(DecisionTrainer, trainer_path)
        except ContentError as e:
            problems += e.problems
    else:
        problems.append(f"{trainer_path}: file is missing")

    problems += check_references(modules, module_files, quizzes, quiz_files, decks, deck_files,
                                 broken)
    if problems:
        raise ContentError(problems)
    assert trainer is not None
    modules.sort(key=lambda m: m.order)
    return Curriculum(modules=modules, quizzes=quizzes, decks=decks, trainer=trainer, root=root)


def check_references(
    modules: list[Module],
    module_files: dict[str, Path],
    quizzes: dict[str, Quiz],
    quiz_files: dict[str, Path],
    decks: dict[str, FlashcardDeck],
    deck_files: dict[str, Path],
    broken: Collection[str] = (),
) -> list[str]:
    """Rules that span files: unique ids, references that resolve, enough questions and cards."""
    problems: list[str] = []
    module_ids = Counter(m.id for m in modules)
    for mid, n in module_ids.items():
        if n > 1:
            problems.append(f"{module_files[mid]}: field id: duplicate module id {mid!r}")
    orders = Counter(m.order for m in modules)
    for m in modules:
        if orders[m.order] > 1:
            problems.append(f"{module_files[m.id]}: field order: {m.order} is used twice")

    for mid in quizzes:
        if mid not in module_ids:
            problems.append(f"{quiz_files[mid]}: field module: unknown module id {mid!r}")
    for mid in decks:
        if mid not in module_ids:
            problems.append(f"{deck_files[mid]}: field module: unknown module id {mid!r}")

    seen: dict[str, Path] = {mid: module_files[mid] for mid in module_ids}
    for owner, files, items in (
        ("question", quiz_files, {m: q.questions for m, q in quizzes.items()}),
        ("flashcard", deck_files, {m: d.cards for m, d in decks.items()}),
    ):
        for mid, entries in items.items():
            for i, entry in enumerate(entries):
                if entry.id in seen:
                    field_name = "questions" if owner == "question" else "cards"
                    problems.append(f"{files[mid]}: field {field_name}.{i}.id: duplicate id "
                                    f"{entry.id!r} (also in {seen[entry.id]})")
                else:
                    seen[entry.id] = files[mid]

    for m in modules:
        path = module_files[m.id]
        quiz = quizzes.get(m.id)
        if quiz is None and f"quizzes/{m.id}" in broken:
            pass  # already reported as invalid
        elif quiz is None:
            problems.append(f"{path}: module {m.id!r} has no quiz (content/quizzes/{m.id}.yaml)")
        elif len(quiz.questions) < MIN_QUESTIONS:
            problems.append(f"{quiz_files[m.id]}: field questions: {len(quiz.questions)} "
                            f"questions, at least {MIN_QUESTIONS} needed")
        elif {q.kind for q in quiz.questions} != set(QuestionKind):
            problems.append(f"{quiz_files[m.id]}: field questions: needs both single and "
                            "scenario questions")
        deck = decks.get(m.id)
        if deck is None and f"flashcards/{m.id}" in broken:
            pass
        elif deck is None:
            problems.append(f"{path}: module {m.id!r} has no flashcards "
                            f"(content/flashcards/{m.id}.yaml)")
        elif len(deck.cards) < MIN_FLASHCARDS:
            problems.append(f"{deck_files[m.id]}: field cards: {len(deck.cards)} cards, "
                            f"at least {MIN_FLASHCARDS} needed")
        problems += _check_body(path, m)
    return problems


def _check_body(path: Path, module: Module) -> list[str]:
    problems = []
    fences = module.body.count("```")
    if fences % 2:
        problems.append(f"{path}: field body: a ``` fence is not closed")
    for block in lesson_blocks(module.body):
        if block.kind == "dot":
            src = block.text.strip()
            if not re.match(r"^(strict\s+)?(di)?graph\b", src) or src.count("{") != src.count("}"):
                problems.append(f"{path}: field body: a ```dot block is not a balanced graph")
    return problems


@dataclass(frozen=True)
class LessonBlock:
    kind: str  # "markdown", "dot" or "de-fails"
    text: str


_SPECIAL_FENCE = re.compile(r"^```(dot|de-fails)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def lesson_blocks(body: str) -> list[LessonBlock]:
    """Split a lesson into Markdown runs and the special fenced blocks, in order.

    >>> [b.kind for b in lesson_blocks("a\\n```dot\\ndigraph G {}\\n```\\nb\\n")]
    ['markdown', 'dot', 'markdown']
    """
    blocks: list[LessonBlock] = []
    pos = 0
    for m in _SPECIAL_FENCE.finditer(body):
        before = body[pos : m.start()]
        if before.strip():
            blocks.append(LessonBlock("markdown", before))
        blocks.append(LessonBlock(m.group(1), m.group(2)))
        pos = m.end()
    if body[pos:].strip():
        blocks.append(LessonBlock("markdown", body[pos:]))
    return blocks


def demote_headings(markdown: str) -> str:
    """Push every ATX heading one level down, so a lesson's `##` sits under the page title.
    Lines inside fenced code blocks are left alone.

    >>> demote_headings("## Why\\n```\\n# comment\\n```\\n### How")
    '### Why\\n```\\n# comment\\n```\\n#### How'
    """
    out, in_fence = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and re.match(r"#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)
