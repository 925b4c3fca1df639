"""Every page of the app, by section. A page appears only once its file exists, so a lab
that is not built yet never shows up in the navigation or as a link."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the url path
    path: str  # relative to app/
    title: str
    icon: str
    section: str


PAGES: list[PageSpec] = [
    PageSpec("home", "app_pages/home.py", "Learning path", ":material/route:", "Learn"),
    PageSpec("modules", "app_pages/modules.py", "Modules", ":material/menu_book:", "Learn"),
    PageSpec("review", "app_pages/review.py", "Flashcards", ":material/style:", "Learn"),
    PageSpec("study", "app_pages/study.py", "Study plan", ":material/event:", "Learn"),
    PageSpec("decision-trainer", "app_pages/decision_trainer.py", "Decision trainer",
             ":material/alt_route:", "Learn"),
    PageSpec("retrieval", "app_pages/retrieval.py", "Chunking & retrieval",
             ":material/manage_search:", "Labs"),
    PageSpec("evals", "app_pages/evals.py", "Eval pyramid", ":material/fact_check:", "Labs"),
    PageSpec("costsim", "app_pages/costsim.py", "Cost & latency", ":material/savings:", "Labs"),
    PageSpec("mcp", "app_pages/mcp_explorer.py", "MCP explorer", ":material/hub:", "Labs"),
    PageSpec("spend", "app_pages/spend.py", "LLM spend", ":material/payments:", "Labs"),
    PageSpec("whiteboard", "app_pages/whiteboard.py", "Whiteboard", ":material/draw:", "Practice"),
    PageSpec("mock", "app_pages/mock_interview.py", "Mock interview", ":material/timer:",
             "Practice"),
    PageSpec("drill", "app_pages/drill.py", "90-second drill", ":material/record_voice_over:",
             "Practice"),
    PageSpec("join", "app_pages/workshop_join.py", "Join a workshop", ":material/group_add:",
             "Workshop"),
    PageSpec("instructor", "app_pages/workshop_instructor.py", "Instructor",
             ":material/co_present:", "Workshop"),
]


def built_pages() -> list[PageSpec]:
    return [p for p in PAGES if (APP_DIR / p.path).exists()]


def built_page(key: str) -> PageSpec | None:
    """The page with this key, or None when it is not built."""
    return next((p for p in built_pages() if p.key == key), None)


def page_path(key: str) -> str | None:
    """The page's path for st.page_link / st.switch_page, or None when it is not built."""
    spec = built_page(key)
    return spec.path if spec else None
