"""The progress store's tables. One learner owns every row except the schema marker.

Times are timezone-aware UTC datetimes; `utcnow()` gives one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint


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
