"""The system-design whiteboard: design prompts, a clarification-first interviewer, an
evidence-quoting grader (offline by default, an LLM through labs.llm when configured) and
the attempts store. Nothing here imports streamlit; heavy parts load on first use.

Entry points:
- `loader.load_prompts()` / `load_prompt(id)`: the prompts in content/whiteboard/prompts/.
- `interviewer.ask(prompt, question, ...)`: a clarifying question answered or declined.
- `service.grade_answer(prompt, answer, grader=... | config=...)`: the one grading function
  (page, mock, CLI, MCP); `service.grader_for(config)` picks the `Grader` (rubric or LLM).
- `service.grade_design(prompt_id, answer, provider="offline")`: the plain dict of a grade.
- `calibration.calibrate(...)` and `views`: the grader's calibration, and the page's figures.
- `attempts.submit(store, learner_id, prompt, answer, ...)`: save, grade, store, flashcards.
- `mock` (the interview clock) and `drill` (the 90-second script check): plain functions.
"""

from labs.whiteboard.models import Box, DesignPrompt, Dimension

__all__ = ["Box", "DesignPrompt", "Dimension"]
