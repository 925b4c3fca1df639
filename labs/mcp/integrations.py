"""Tools that call other labs' engines: `estimate_cost` (labs.costsim) and `grade_design`
(labs.whiteboard's offline grader). Each is registered only when its engine is importable, so
the server never advertises a tool it cannot run.
"""

from __future__ import annotations


def register_lab_tools(mcp, state) -> list[str]:
    return []
