"""The MCP architecture explorer's engine: a real MCP server over the curriculum and labs
(`labs.mcp.server`), a synchronous explorer client that logs every JSON-RPC message at the
transport (`labs.mcp.explorer`), and the teaching helpers the page draws (`labs.mcp.teach`).

Built on the official `mcp` SDK, major version 2. Nothing here imports streamlit.
"""

from labs.mcp.server import SERVER_NAME, build_server

__all__ = ["SERVER_NAME", "build_server"]
