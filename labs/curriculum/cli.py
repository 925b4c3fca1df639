"""`aie-bridge content check`: validate everything under content/ (the curriculum, the
retrieval corpus and its golden set, the eval items, the design prompts, the cost lab's query
log and example scenario) and say what is wrong, file and field."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from labs.curriculum.loader import CONTENT_DIR, ContentError, load_curriculum, load_yaml_model
from labs.curriculum.quality import (
    RUN_WORDS,
    fingerprint,
    load_fingerprint,
    near_copies,
    quiz_shape,
    shared_runs,
)

FINGERPRINT = "track_fingerprint.txt"


def register(sub: argparse._SubParsersAction) -> None:
    content = sub.add_parser("content", help="work with the curriculum and lab data in content/")
    csub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate every content file")
    check.add_argument("--root", type=Path, default=CONTENT_DIR, help="content folder to check")
    check.set_defaults(func=_check)
    fp = csub.add_parser("fingerprint", help="write the track's 9-word-run fingerprint, which "
                         "content check uses to find copied sentences")
    fp.add_argument("--track", type=Path, required=True, help="the source track, plain text")
    fp.add_argument("--root", type=Path, default=CONTENT_DIR, help="content folder to write into")
    fp.set_defaults(func=_fingerprint)


def _curriculum(root: Path) -> str:
    cur = load_curriculum(root)
    n_q = sum(len(q.questions) for q in cur.quizzes.values())
    n_c = sum(len(d.cards) for d in cur.decks.values())
    shape = quiz_shape(cur.questions().values())  # a quiz a test-wise guesser passes fails
    if shape.problems():
        raise ContentError([f"{root / 'quizzes'}: {p}" for p in shape.problems()])
    return (f"{len(cur.modules)} modules, {n_q} quiz questions, {n_c} flashcards, "
            f"{len(cur.trainer.scenarios)} decision scenarios; {shape.summary()}")


# what is written in our own words: everything but the retrieval corpus and the lab data
ORIGINAL_TEXT = ("modules/*.md", "quizzes/*.yaml", "flashcards/*.yaml", "decision_trainer.yaml",
                 "whiteboard/prompts/*.yaml", "evals/*.yaml")


def _originality(root: Path) -> str:
    fp_path = root / FINGERPRINT
    if not fp_path.exists():
        raise ContentError([f"{fp_path}: file is missing (make it with `aie-bridge content "
                            "fingerprint --track FILE`)"])
    track = load_fingerprint(fp_path)
    problems, n = [], 0
    for pattern in ORIGINAL_TEXT:
        for path in sorted(root.glob(pattern)):
            n += 1
            text = path.read_text(encoding="utf-8")
            for run in shared_runs(text, track):
                problems.append(f"{path}: repeats {len(run.split())} words of the track in a "
                                f"row: \"{run}\" (say it in our own words)")
            for sentence in near_copies(text, track):
                problems.append(f"{path}: nearly copies a sentence of the track: "
                                f"\"{sentence[:120]}\" (say it in our own words)")
    if problems:
        raise ContentError(problems)
    return f"{n} files share no {RUN_WORDS}-word run and no near-copied sentence with the track"


def _fingerprint(args: argparse.Namespace) -> int:
    try:
        text = args.track.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        print(f"error: cannot read the track {args.track}: {e}", file=sys.stderr)
        return 1
    hashes = fingerprint(text).lines()
    out = args.root / FINGERPRINT
    out.write_text("# word runs of the source track (length, blake2b 8-byte hash); made by "
                   "`aie-bridge content fingerprint`\n" + "\n".join(hashes) + "\n",
                   encoding="utf-8")
    print(f"wrote {len(hashes)} run hashes to {out}")
    return 0


def _corpus(root: Path) -> str:
    from labs.retrieval.corpus import load_bundled_checked

    corpus, problems = load_bundled_checked(root)
    if problems:
        raise ContentError(problems)
    return f"{len(corpus.documents)} corpus documents, {len(corpus.queries)} golden queries"


def _evals(root: Path) -> str:
    from labs.evals.data import load_items, load_pairs

    items = load_items(root / "evals" / "items.yaml").items
    pairs = load_pairs(root / "evals" / "similarity_pairs.yaml").pairs
    return f"{len(items)} eval items, {len(pairs)} similarity pairs"


def _prompts(root: Path) -> str:
    from labs.whiteboard.loader import PromptError, load_prompts

    try:
        prompts = load_prompts(root / "whiteboard" / "prompts")
    except PromptError as e:
        raise ContentError(e.problems) from e
    return f"{len(prompts)} design prompts"


def _costsim(root: Path) -> str:
    from labs.costsim.scenario import ScenarioError, load_scenario
    from labs.costsim.semcache import QueryLog

    log = load_yaml_model(QueryLog, root / "costsim" / "query_log.yaml")
    scenario = root / "costsim" / "example_scenario.yaml"
    try:
        load_scenario(scenario)
    except ScenarioError as e:
        raise ContentError([f"{scenario}: {e}"]) from e
    return f"{len(log.texts)} cache-log queries"


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("curriculum", _curriculum), ("originality", _originality),
    ("retrieval corpus", _corpus), ("eval sandbox", _evals),
    ("design prompts", _prompts), ("cost lab", _costsim)]


def _check(args: argparse.Namespace) -> int:
    problems: list[str] = []
    summary: list[str] = []
    for name, check in CHECKS:
        try:
            summary.append(check(args.root))
        except ContentError as e:
            problems += [f"{name}: {p}" for p in e.problems]
        except (OSError, ValueError) as e:
            problems.append(f"{name}: {e}")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {args.root}", file=sys.stderr)
        return 1
    print("content OK: " + "; ".join(summary))
    return 0
