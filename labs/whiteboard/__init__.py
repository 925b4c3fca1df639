"""The system-design whiteboard: design prompts, a clarification-first interviewer, an
evidence-quoting grader (offline by default, an LLM through labs.llm when configured) and
the attempts store. Nothing here imports streamlit; heavy parts load on first use.
"""

from labs.whiteboard.models import Box, DesignPrompt, Dimension

__all__ = ["Box", "DesignPrompt", "Dimension"]
