"""The MCP architecture explorer's engine: a real MCP server over the curriculum and labs
(`labs.mcp.server`, with the Tasks extension in `labs.mcp.tasks`), a synchronous explorer
client that logs every JSON-RPC message at the transport (`labs.mcp.explorer`), the HTTP layer
recorded (`labs.mcp.wire`) for `aie-bridge mcp trace` (`labs.mcp.trace`) and the two-era
comparison (`labs.mcp.eras`), and the page's view layer (`labs.mcp.view`, `labs.mcp.teach`).

Built on the official `mcp` SDK, major version 2. Nothing here imports streamlit, and this
package file imports nothing heavy: `aie-bridge --version` loads `labs.mcp.cli` without the SDK.
"""

from __future__ import annotations

__all__ = ["build_server", "ExplorerClient", "Target"]


def __getattr__(name: str):
    if name == "build_server":
        from labs.mcp.server import build_server

        return build_server
    if name in ("ExplorerClient", "Target"):
        from labs.mcp import explorer

        return getattr(explorer, name)
    raise AttributeError(name)
