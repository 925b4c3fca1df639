"""The progress store's tables. One learner owns every row except the schema marker.

Times are timezone-aware UTC datetimes; `utcnow()` gives one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Field, Index, SQLModel, UniqueConstraint


def utcnow() -> datetime:
    return datetime.now(UTC)


class SchemaInfo(SQLModel, table=True):
    """A single row holding the schema version the database was last written with."""

    __tablename__ = "schema_info"
    id: int = Field(default=1, primary_key=True)
    version: int


class Learner(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    last_module_id: str | None = Field(default=None, max_length=64)  # added in schema v2


class QuizAttempt(SQLModel, table=True):
    __tablename__ = "quiz_attempt"
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    module_id: str = Field(max_length=64, index=True)
    question_id: str = Field(max_length=64, index=True)
    chosen: int
    correct: bool
    created_at: datetime = Field(default_factory=utcnow)
    workshop_id: int | None = Field(default=None, index=True)  # added in schema v3


class DecisionAnswer(SQLModel, table=True):
    """One decision-trainer answer: which method the learner chose for a scenario."""

    __tablename__ = "decision_answer"
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    scenario_id: str = Field(max_length=64, index=True)
    chosen: str = Field(max_length=64)
    best: str = Field(max_length=64)  # the scenario's winning method when it was answered
    correct: bool
    created_at: datetime = Field(default_factory=utcnow)


class CardState(SQLModel, table=True):
    """A learner's fsrs card for one flashcard.

    Deck cards take their text from content/; cards made from a learner's mistakes
    (a missed quiz question, a missed rubric item) carry their own `front` and `back`.
    """

    __tablename__ = "card_state"
    __table_args__ = (UniqueConstraint("learner_id", "card_id"),)
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    card_id: str = Field(max_length=96)
    module_id: str | None = Field(default=None, max_length=64)
    source: str = Field(default="deck", max_length=24)  # deck | quiz-miss | rubric-miss
    front: str | None = None
    back: str | None = None
    fsrs_json: str | None = None  # None until the first review
    due: datetime = Field(default_factory=utcnow, index=True)
    reviews: int = 0


class ReviewEntry(SQLModel, table=True):
    """One flashcard review: the rating and fsrs' own review log."""

    __tablename__ = "review_entry"
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    card_id: str = Field(max_length=96)
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed_at: datetime = Field(default_factory=utcnow)
    log_json: str


class ModuleProgress(SQLModel, table=True):
    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("learner_id", "module_id"),)
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    module_id: str = Field(max_length=64)
    lesson_read_at: datetime | None = None
    completed_at: datetime | None = None


# --- LLM gateway (labs/llm) -------------------------------------------------------------


class LLMCall(SQLModel, table=True):
    """One gateway call: who asked, which model answered, tokens, latency and cost.

    `cost_usd` is NULL when genai-prices does not know the model (the UI says "cost
    unknown"); offline runs and cache hits cost 0. No key or prompt text is stored here.
    """

    __tablename__ = "llm_call"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    provider: str = Field(max_length=32, index=True)
    model: str = Field(max_length=128)
    feature: str = Field(max_length=64, index=True)
    learner_id: int | None = Field(default=None, index=True)
    input_tokens: int = 0  # includes cached input tokens
    output_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    latency_ms: float = 0.0
    cost_usd: float | None = None
    cache_hit: bool = False
    streamed: bool = False
    structured: bool = False
    repaired: bool = False  # the structured output needed the repair turn
    attempts: int = 1
    ok: bool = True
    error: str | None = Field(default=None, max_length=300)  # short, key-free


class LLMCacheEntry(SQLModel, table=True):
    """The exact-match response cache: sha256 of the whole request → the answer text."""

    __tablename__ = "llm_cache"
    key: str = Field(primary_key=True, max_length=64)
    provider: str = Field(max_length=32)
    model: str = Field(max_length=128)
    response: str
    created_at: datetime = Field(default_factory=utcnow)
    hits: int = 0


# --- Workshops (labs/workshop) ----------------------------------------------------------


class Workshop(SQLModel, table=True):
    """An instructor-led session. The passphrase is kept only as an scrypt hash."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True, index=True)
    title: str = Field(max_length=120)
    module_ids: str = "[]"  # JSON list of module ids
    prompt_ids: str = "[]"  # JSON list of design prompt ids
    starts_at: datetime
    ends_at: datetime
    passphrase_hash: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class WorkshopMember(SQLModel, table=True):
    """A learner in a workshop; `token` lets the same person resume from a bookmarked link."""

    __tablename__ = "workshop_member"
    __table_args__ = (UniqueConstraint("workshop_id", "display_name"),
                      Index("ux_workshop_member_name_key", "workshop_id", "name_key",
                            unique=True))
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    display_name: str = Field(max_length=80)
    token: str = Field(max_length=64, unique=True, index=True)
    joined_at: datetime = Field(default_factory=utcnow)
    # the look-alike key of display_name (labs.workshop.names.name_key), unique per workshop
    # through the index that schema v4 adds
    name_key: str | None = Field(default=None, max_length=80)


# --- Whiteboard (labs/whiteboard) --------------------------------------------------------


class DesignAttempt(SQLModel, table=True):
    """One graded (or about-to-be-graded) design answer. Saved before the grader runs, so a
    failed grade loses nothing: `grade_json` stays NULL and `error` says why."""

    __tablename__ = "design_attempt"
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    prompt_id: str = Field(max_length=64, index=True)
    mode: str = Field(default="whiteboard", max_length=16)  # whiteboard | mock | cli
    answer_text: str  # the Markdown that was graded
    answer_json: str | None = None  # the structured whiteboard, when there was one
    questions_json: str = "[]"  # [{question, dimension, answer, at, changed}]
    phases_json: str = "{}"  # mock mode: {phase: seconds spent}, change announced at
    created_at: datetime = Field(default_factory=utcnow, index=True)
    provider: str | None = Field(default=None, max_length=64)
    grade_json: str | None = None
    total: int | None = None
    level: str | None = Field(default=None, max_length=16)
    graded_at: datetime | None = None
    error: str | None = Field(default=None, max_length=300)


class DesignDraft(SQLModel, table=True):
    """The whiteboard's autosaved draft, one per learner and prompt."""

    __tablename__ = "design_draft"
    __table_args__ = (UniqueConstraint("learner_id", "prompt_id"),)
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    prompt_id: str = Field(max_length=64)
    draft_json: str
    updated_at: datetime = Field(default_factory=utcnow)


# --- Eval sandbox (labs/evals) ----------------------------------------------------------


class EvalLabel(SQLModel, table=True):
    """A learner's human label for one candidate answer, on a 1-5 or pass/fail scale."""

    __tablename__ = "eval_label"
    __table_args__ = (UniqueConstraint("learner_id", "answer_id", "scale"),)
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    answer_id: str = Field(max_length=64)
    scale: str = Field(max_length=12)  # "1-5" or "pass-fail"
    label: int
    created_at: datetime = Field(default_factory=utcnow)


class EvalRun(SQLModel, table=True):
    """One named system version run over the golden set."""

    __tablename__ = "eval_run"
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    name: str = Field(max_length=80)
    source: str = Field(max_length=40)  # "retrieval" or "answers-file"
    config_json: str = "{}"
    metric: str = Field(max_length=40)  # the per-query score stored below
    created_at: datetime = Field(default_factory=utcnow)


class EvalRunItem(SQLModel, table=True):
    __tablename__ = "eval_run_item"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="eval_run.id", index=True)
    query_id: str = Field(max_length=64)
    score: float
    detail: str = ""


# --- Retrieval playground (labs/retrieval) -----------------------------------------------


class Experiment(SQLModel, table=True):
    """One retrieval experiment a learner saved: the configuration and the metrics it got."""

    __tablename__ = "retrieval_experiment"
    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id", index=True)
    name: str = Field(max_length=80)
    corpus: str = Field(max_length=120)  # "bundled", "bundled+3 uploads", "beir:cranfield"
    config_json: str = "{}"  # chunker, size, overlap, index, BM25 and fusion settings
    metrics_json: str = "{}"  # pattern → metric → mean value
    queries: int = 0  # judged queries the metrics average over
    created_at: datetime = Field(default_factory=utcnow)


class DesignAttemptWorkshop(SQLModel, table=True):
    """Links a design attempt to the workshop it was submitted in (a table of its own, so
    design_attempt needs no migration)."""

    __tablename__ = "design_attempt_workshop"
    attempt_id: int = Field(foreign_key="design_attempt.id", primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)


# --- Study plan (labs/study) -------------------------------------------------------------


class StudyProfile(SQLModel, table=True):
    """A learner's study settings: the interview date the flashcards aim at, the recall
    wanted on that day, the daily workload, and fsrs parameters fitted to their own reviews
    (None: fsrs's defaults). A table of its own, so no existing table needs a migration."""

    __tablename__ = "study_profile"
    learner_id: int = Field(foreign_key="learner.id", primary_key=True)
    interview_date: date | None = None
    retention: float = 0.9
    max_per_day: int = 60
    fsrs_parameters_json: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)

class WorkshopThrottle(SQLModel, table=True):
    """Failed passphrase and join-code attempts per key ("pass:ws:7", "code:client:1.2.3.4"):
    kept in the database, so the back-off holds across sessions, restarts and replicas."""

    __tablename__ = "workshop_throttle"
    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    locked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class LiveQuestion(SQLModel, table=True):
    """A quiz question the instructor pushed to the room; `closes_at` is the optional timer."""

    __tablename__ = "live_question"
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    question_id: str = Field(max_length=64)
    pushed_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime | None = None
    revealed_at: datetime | None = None


class LiveAnswer(SQLModel, table=True):
    """One learner's answer to a live question (the quiz answer itself is a QuizAttempt)."""

    __tablename__ = "live_answer"
    __table_args__ = (UniqueConstraint("live_id", "learner_id"),)
    id: int | None = Field(default=None, primary_key=True)
    live_id: int = Field(foreign_key="live_question.id", index=True)
    learner_id: int = Field(foreign_key="learner.id")
    chosen: int
    answered_at: datetime = Field(default_factory=utcnow)
