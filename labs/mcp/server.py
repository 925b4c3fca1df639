"""The AIE Bridge MCP server: the curriculum and the labs as MCP tools, resources and prompts.

Built on the official `mcp` SDK, major version 2 (`mcp.server.mcpserver.MCPServer`: decorated
functions; type hints become input schemas, docstrings descriptions, pydantic return types the
structured output). One module-level factory, `build_server()`, so tests connect in memory and
the CLI serves the same object over stdio or streamable HTTP.

- Tools: `search_curriculum` (BM25 over lesson sections), `get_quiz`, `reindex_curriculum`
  (long-running and destructive: asks the user to confirm, reports progress per module, and
  runs as a Tasks-extension task for a client that declares it, see `labs.mcp.tasks`),
  `estimate_cost` (the cost simulator), `grade_design` (the offline whiteboard grader; asks
  which prompt when the id is missing) and `ask_interviewer` (one clarifying question at a
  time, answered from the prompt's hidden requirements). Every tool carries all four
  annotations (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`).
- Asking the user mid-call uses the SDK's `Resolve`/`Elicit`: on 2026-07-28 the call answers
  `resultType: "input_required"` and the client retries with `inputResponses`; on 2025-11-25
  the server sends an `elicitation/create` request inside the call. One code path, two wires.
- Resources: `lesson://{module_id}` (each lesson as Markdown, also listed one by one),
  `design-prompt://{prompt_id}` (the interviewer's public statement of a design prompt; the
  hidden requirements and reference answers stay on the server), `corpus://{+path}`
  (read-only files under content/corpus, path traversal refused twice: by the SDK and by
  `labs.mcp.paths`), and `corpus://index`.
- Prompts: `mock_interview(prompt_id)` (the public statement and the rules only: the hidden
  requirements and the trap never leave the server) and `explain_for_interview(topic)`.
- Capabilities: the same truth in both eras. The lists never change while the server runs,
  so `listChanged` and `subscribe` are false everywhere (`subscriptions/listen` is not served);
  listings and lessons carry `ttlMs`/`cacheScope` caching hints on the 2026 wire.
- HTTP: `serve_http()` binds 127.0.0.1 by default and answers a browser `Origin` that is not
  local (or not explicitly allowed) with 403, as the transport specification requires.

Left out: authorization (OAuth) for remote deployment, sampling (the server never asks the
host's model for anything), and write tools beyond rebuilding the search index.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio
from mcp.server.caching import CacheHint
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.mcpserver.prompts.base import AssistantMessage, Message, UserMessage
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INVALID_PARAMS,
    MISSING_REQUIRED_CLIENT_CAPABILITY,
    CallToolResult,
    TextContent,
    ToolAnnotations,
)
from pydantic import BaseModel, Field

from labs import __version__
from labs.content import CONTENT_DIR, ContentError
from labs.curriculum.loader import Curriculum, load_curriculum
from labs.mcp.integrations import register_lab_tools
from labs.mcp.paths import PathRefused, check_relative, list_files, resolve_inside
from labs.mcp.search import CurriculumIndex, lesson_sections
from labs.mcp.tasks import TaskStore, task_slot, tasks_extension

SERVER_NAME = "aie-bridge"
INSTRUCTIONS = (
    "AIE Bridge: interview prep for data engineers moving into AI engineering. Search the "
    "lessons with search_curriculum, read one with the lesson://{module_id} resource, quiz "
    "yourself with get_quiz, price a design with estimate_cost and grade a whiteboard answer "
    "with grade_design. Everything runs offline."
)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
# The listings and lessons change only when the content folder does: a client may reuse them
# for five minutes, and share them across users (nothing in them depends on who asks).
CACHE_HINTS = {m: CacheHint(ttl_ms=300_000, scope="public") for m in (
    "server/discover", "tools/list", "resources/list", "resources/templates/list",
    "prompts/list", "resources/read")}
TRAVERSAL_NOTE = ("The server serves files under content/corpus only: a path that climbs out "
                  "of it ('..', an absolute path, a symlink, or either hidden behind "
                  "percent-encoding) is path traversal, and would let any client read any file "
                  "the server process can. Give a path from corpus://index, e.g. "
                  "corpus://README.md.")


# --- structured outputs -------------------------------------------------------------------

class SearchHit(BaseModel):
    section_id: str = Field(description="lesson-<module-id>#<section slug>")
    module_id: str
    module_title: str
    heading: str
    score: float = Field(description="BM25 score; higher is better, comparable within one query")
    snippet: str
    uri: str = Field(description="the lesson resource to read in full")


class SearchResult(BaseModel):
    query: str
    hits: list[SearchHit]


class QuizOption(BaseModel):
    text: str
    explanation: str | None = None


class QuizQuestion(BaseModel):
    id: str
    kind: str
    prompt: str
    options: list[QuizOption]
    answer: int | None = Field(None, description="index of the correct option, when requested")


class QuizOut(BaseModel):
    module_id: str
    module_title: str
    questions: list[QuizQuestion]


class ReindexResult(BaseModel):
    modules: int
    sections: int
    seconds: float


class ReindexConfirmation(BaseModel):
    """What the user is asked before the index is rebuilt (an elicitation form)."""

    confirm: bool = Field(description="Rebuild the search index now? Searches wait until it "
                                      "is done.")


def confirm_reindex(confirm: bool) -> ReindexConfirmation | Elicit[ReindexConfirmation]:
    """Ask before rebuilding, unless the call already said `confirm: true`."""
    if confirm:
        return ReindexConfirmation(confirm=True)
    return Elicit("Rebuild the curriculum search index? It reloads every lesson and replaces "
                  "the index searches use.", ReindexConfirmation)


def reindex(state: _State, progress) -> ReindexResult:
    """Reload the lessons and rebuild BM25, calling `progress(done, total, message)` per step.

    Shared by the synchronous call (progress notifications) and the task (tasks/get status).
    """
    start = time.perf_counter()
    state._curriculum = None
    cur = state.curriculum()
    total = len(cur.modules) + 1
    sections = []
    for i, m in enumerate(cur.modules, 1):
        sub = Curriculum(modules=[m], quizzes={}, decks={}, trainer=cur.trainer, root=cur.root)
        sections += lesson_sections(sub)
        progress(i, total, f"split module {m.id} into sections")
    state._index = CurriculumIndex(sections)
    progress(total, total, f"indexed {len(sections)} sections with BM25")
    return ReindexResult(modules=len(cur.modules), sections=len(sections),
                         seconds=round(time.perf_counter() - start, 3))


class _State:
    """What the server holds: the curriculum, loaded once, and its BM25 index, built lazily."""

    def __init__(self, content_root: Path):
        self.content_root = content_root
        self._curriculum: Curriculum | None = None
        self._index: CurriculumIndex | None = None

    def curriculum(self) -> Curriculum:
        if self._curriculum is None:
            try:
                self._curriculum = load_curriculum(self.content_root)
            except ContentError as e:
                problems = "; ".join(e.problems[:3])
                raise ToolError(f"the curriculum does not validate: {problems}") from e
        return self._curriculum

    def index(self) -> CurriculumIndex:
        if self._index is None:
            self._index = CurriculumIndex(lesson_sections(self.curriculum()))
        return self._index

    def module(self, module_id: str):
        cur = self.curriculum()
        try:
            return cur.module(module_id)
        except KeyError:
            known = ", ".join(m.id for m in cur.modules)
            raise ToolError(f"unknown module_id {module_id!r}; known ids: {known}") from None

    @property
    def corpus_root(self) -> Path:
        return self.content_root / "corpus"

    @property
    def prompts_dir(self) -> Path:
        return self.content_root / "whiteboard" / "prompts"

    def design_prompt(self, prompt_id: str):
        from labs.whiteboard.loader import PromptError, load_prompt

        try:
            return load_prompt(prompt_id, self.prompts_dir)
        except KeyError as e:
            raise ToolError(str(e.args[0])) from None
        except PromptError as e:
            raise ToolError(f"design prompt {prompt_id!r} does not validate: {e}") from None

    def prompt_ids(self) -> list[str]:
        if not self.prompts_dir.is_dir():
            return []
        return sorted(p.stem for p in self.prompts_dir.glob("*.yaml"))


def _snippet(text: str, limit: int = 280) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def lesson_markdown(module) -> str:
    objectives = "\n".join(f"- {o}" for o in module.objectives)
    takeaways = "\n".join(f"- {t}" for t in module.takeaways)
    return (f"# {module.title}\n\n{module.summary}\n\n## Objectives\n\n{objectives}\n\n"
            f"{module.body.strip()}\n\n## Takeaways\n\n{takeaways}\n")


def _bound(fn, arg: str):
    """A no-argument reader for a static resource (the SDK refuses parameters on static URIs)."""
    def read() -> str:
        return fn(arg)
    return read


def _tidy(message: str) -> str:
    """A pydantic error without its documentation links, one problem per line."""
    return "\n".join(line for line in message.splitlines()
                     if "errors.pydantic.dev" not in line).strip()


def _argument_guard(mcp: MCPServer):
    """Middleware: a tools/call naming an argument the tool does not declare is a tool error.

    The SDK's argument model ignores unknown keys; a model that misspells `k` as `top_k` would
    then silently get the default. Refusing says what went wrong and what the tool accepts.
    It also strips pydantic's documentation links from argument errors.
    """

    async def guard(ctx, call_next):
        if ctx.method == "resources/read" and isinstance(ctx.params, dict):
            uri = str(ctx.params.get("uri") or "")
            if uri.startswith("corpus://") and uri != "corpus://index":
                try:
                    check_relative(uri.removeprefix("corpus://"))
                except PathRefused as e:
                    raise MCPError(code=INVALID_PARAMS,
                                   message=f"refused {uri}: {e}. {TRAVERSAL_NOTE}") from None
        if ctx.method == "tools/call" and isinstance(ctx.params, dict):
            tool = mcp._tool_manager.get_tool(str(ctx.params.get("name")))
            args = ctx.params.get("arguments") or {}
            if tool is not None and isinstance(args, dict):
                allowed = set(tool.parameters.get("properties", {}))
                unknown = sorted(set(args) - allowed)
                if unknown:
                    return CallToolResult(is_error=True, content=[TextContent(
                        type="text",
                        text=f"{tool.name} does not take {', '.join(map(repr, unknown))}; "
                             f"its arguments are: {', '.join(sorted(allowed)) or 'none'}")])
        try:
            result = await call_next(ctx)
        except MCPError as e:
            if e.error.code != MISSING_REQUIRED_CLIENT_CAPABILITY or ctx.method != "tools/call":
                raise
            raise MCPError(code=e.error.code, data=e.error.data, message=(
                f"{e.error.message}. This tool asks its user a question mid-call; a host that "
                "cannot ask (no elicitation) can answer it up front: reindex_curriculum takes "
                "confirm=true, grade_design takes prompt_id.")) from None
        if isinstance(result, dict) and result.get("isError"):  # the runner hands back JSON
            for block in result.get("content") or []:
                if isinstance(block, dict) and block.get("type") == "text":
                    block["text"] = _tidy(block.get("text", ""))
        return result

    return guard


def build_server(content_root: Path = CONTENT_DIR) -> MCPServer:
    """A fresh server over `content_root` (tests pass a small tree; the CLI the real one)."""
    state = _State(Path(content_root))
    store = TaskStore()
    # subscriptions=False: our lists never change while the server runs, so both eras
    # advertise listChanged/subscribe false (the same truth on both wires).
    mcp = MCPServer(SERVER_NAME, title="AIE Bridge", version=__version__,
                    instructions=INSTRUCTIONS, log_level="WARNING", subscriptions=False,
                    cache_hints=CACHE_HINTS,
                    extensions=[tasks_extension(store, {"reindex_curriculum"})])
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False,
                                idempotent_hint=True, open_world_hint=False)
    mcp.middleware.append(_argument_guard(mcp))

    # --- tools ------------------------------------------------------------------------------

    @mcp.tool(annotations=read_only)
    def search_curriculum(
        query: Annotated[str, Field(min_length=1, max_length=500,
                                    description="what to look for, in plain words")],
        k: Annotated[int, Field(ge=1, le=20, description="how many sections to return")] = 5,
    ) -> SearchResult:
        """Search the AIE Bridge lessons (BM25 over lesson sections); the best sections first."""
        if not query.strip():
            raise ToolError("query is blank: give at least one word to search for")
        hits = state.index().search(query, k)
        return SearchResult(query=query, hits=[
            SearchHit(section_id=h.section.id, module_id=h.section.module_id,
                      module_title=h.section.module_title, heading=h.section.heading,
                      score=round(h.score, 4), snippet=_snippet(h.section.text),
                      uri=f"lesson://{h.section.module_id}")
            for h in hits])

    @mcp.tool(annotations=read_only)
    def get_quiz(
        module_id: Annotated[str, Field(min_length=1, max_length=64,
                                        description="a module id such as 'mcp' or 'rag'")],
        include_answers: Annotated[bool, Field(description="include the correct index and "
                                               "the explanation of every option")] = False,
    ) -> QuizOut:
        """The quiz of one curriculum module: questions and options, answers on request."""
        module = state.module(module_id)
        quiz = state.curriculum().quizzes[module.id]
        return QuizOut(module_id=module.id, module_title=module.title, questions=[
            QuizQuestion(id=q.id, kind=q.kind.value, prompt=q.prompt,
                         options=[QuizOption(text=o.text,
                                             explanation=o.explanation if include_answers else None)
                                  for o in q.options],
                         answer=q.answer if include_answers else None)
            for q in quiz.questions])

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True,
                                          idempotent_hint=True, open_world_hint=False))
    async def reindex_curriculum(
        ctx: Context,
        confirmed: Annotated[ReindexConfirmation, Resolve(confirm_reindex)],
        confirm: Annotated[bool, Field(description="true to skip the confirmation question "
                                       "(for a host that cannot ask its user)")] = False,
    ) -> ReindexResult:
        """Reload the lessons and rebuild the search index (asks first; progress per module)."""
        if not confirmed.confirm:
            raise ToolError("not confirmed: the index was left as it was")
        slot = task_slot()
        if slot is not None:  # the client takes tasks: answer with a handle, work in a thread
            def work(progress) -> dict[str, Any]:
                out = reindex(state, progress)
                text = TextContent(type="text", text=out.model_dump_json())
                return CallToolResult(content=[text], structured_content=out.model_dump()
                                      ).model_dump(by_alias=True, mode="json", exclude_none=True)
            slot.record = store.start("reindex_curriculum", work)
            return ReindexResult(modules=0, sections=0, seconds=0.0)  # replaced by the handle

        def progress(done: float, total: float, message: str) -> None:
            anyio.from_thread.run(ctx.report_progress, done, total, message)

        return await anyio.to_thread.run_sync(lambda: reindex(state, progress))

    register_lab_tools(mcp, state)

    # --- resources --------------------------------------------------------------------------

    def _lesson(module_id: str) -> str:
        try:
            module = state.module(module_id)
        except ToolError as e:
            raise ResourceNotFoundError(str(e)) from None
        return lesson_markdown(module)

    try:
        listed = state.curriculum().modules
    except ToolError:
        listed = []
    for m in listed:
        mcp.resource(f"lesson://{m.id}", name=f"lesson-{m.id}", title=m.title,
                     description=m.summary, mime_type="text/markdown")(_bound(_lesson, m.id))

    @mcp.resource("lesson://{module_id}", name="lesson", title="A lesson by module id",
                  mime_type="text/markdown")
    def lesson(module_id: str) -> str:
        """One curriculum lesson as Markdown: summary, objectives, body, takeaways."""
        return _lesson(module_id)

    def _design_prompt(prompt_id: str) -> str:
        try:
            p = state.design_prompt(prompt_id)
        except ToolError as e:
            raise ResourceNotFoundError(str(e)) from None
        return (f"# {p.title}\n\n{p.prompt.strip()}\n\n"
                "_Ask the five clarifying questions first: read or write, freshness, latency "
                "budget, eval rubric, multi-tenancy._\n")

    for pid in state.prompt_ids():
        mcp.resource(f"design-prompt://{pid}", name=f"design-prompt-{pid}",
                     title=f"Design prompt: {pid}", mime_type="text/markdown")(
            _bound(_design_prompt, pid))

    @mcp.resource("design-prompt://{prompt_id}", name="design-prompt",
                  title="A system-design prompt by id", mime_type="text/markdown")
    def design_prompt(prompt_id: str) -> str:
        """A whiteboard design prompt as the interviewer states it (no hidden answers)."""
        return _design_prompt(prompt_id)

    @mcp.resource("corpus://index", name="corpus-index", title="Files of the bundled corpus",
                  mime_type="application/json")
    def corpus_index() -> str:
        """Every readable file of the bundled corpus, as corpus:// paths."""
        return json.dumps({"files": [f"corpus://{f}" for f in list_files(state.corpus_root)]})

    @mcp.resource("corpus://{+path}", name="corpus-file", title="A file of the bundled corpus",
                  mime_type="text/plain")
    def corpus_file(path: str) -> str:
        """A read-only file under content/corpus; traversal, absolute paths and symlinks refused."""
        try:
            target = resolve_inside(state.corpus_root, path)
        except PathRefused as e:
            raise ResourceNotFoundError(f"refused corpus path: {e}") from None
        return target.read_text(encoding="utf-8", errors="replace")

    # --- prompts ----------------------------------------------------------------------------

    @mcp.prompt(title="Mock system-design interview")
    def mock_interview(
        prompt_id: Annotated[str, Field(description="a design prompt id, e.g. docs-chatbot "
                                        "(see the design-prompt:// resources)")],
    ) -> list[Message]:
        """Play the interviewer for one design prompt: wait for clarifying questions, then probe."""
        try:
            p = state.design_prompt(prompt_id)
        except ToolError as e:
            raise MCPError(code=INVALID_PARAMS, message=str(e)) from None
        return [
            UserMessage(
                "You are a senior interviewer running a 45-minute AI system-design interview.\n\n"
                f"Prompt to give the candidate: **{p.title}**\n\n{p.prompt.strip()}\n\n"
                "Rules: wait for the candidate's clarifying questions. You do not know the "
                "hidden requirements yourself: for each clarifying question call the tool "
                f"ask_interviewer(prompt_id=\"{p.id}\", question=...) and relay its answer "
                "word for word; if it declines, say the question is out of scope. Expect "
                "questions on read or write, freshness, latency budget, evaluation and "
                "multi-tenancy. Part-way through, the requirements may change: relay what "
                "ask_interviewer says. Probe trade-offs, never give the design away, and finish "
                "with a short summary: clarifying questions, architecture, evaluation plan."),
            AssistantMessage(f"Let's begin. {p.prompt.strip()}"),
        ]

    @mcp.prompt(title="Explain a topic the way an interview needs it")
    def explain_for_interview(
        topic: Annotated[str, Field(min_length=1, max_length=200,
                                    description="what to explain, e.g. 'reciprocal rank fusion'")],
    ) -> list[Message]:
        """Explain a topic in the 90-second structure, grounded in the best-matching lessons."""
        if not topic.strip():
            raise MCPError(code=INVALID_PARAMS, message="topic is blank: name a topic to explain")
        hits = state.index().search(topic, 3)
        context = "\n\n".join(f"### {h.section.module_title}: {h.section.heading}\n"
                              f"{_snippet(h.section.text, 900)}" for h in hits) or \
            "(no lesson section matches this topic; say so rather than inventing facts)"
        return [UserMessage(
            f"Explain **{topic.strip()}** as a strong candidate would in an AI engineering "
            "interview, in about 90 seconds: the one-sentence answer, the mechanism, one "
            "trade-off with a number, when it loses, and how you would measure it.\n\n"
            f"Ground the answer in these lesson sections:\n\n{context}")]

    return mcp


# --- HTTP: the Origin check ----------------------------------------------------------------

def origin_allowed(origin: str, extra: Sequence[str] = ()) -> bool:
    """Whether a browser Origin may talk to this server: a local http(s) origin, or one listed.

    >>> origin_allowed("http://localhost:8501"), origin_allowed("https://evil.example")
    (True, False)
    >>> origin_allowed("http://localhost.evil.example:80")
    False
    """
    if origin in extra:
        return True
    try:
        parts = urlsplit(origin)
        port = parts.port  # raises ValueError on a non-numeric port
    except ValueError:
        return False
    del port
    if parts.scheme not in ("http", "https") or parts.path or parts.query or parts.username:
        return False
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


class OriginGuard:
    """ASGI middleware: a request whose Origin header is not allowed gets 403 before MCP sees it.

    The streamable HTTP transport specification says servers MUST validate Origin to stop DNS
    rebinding: a web page the learner happens to open must not drive a local server. Requests
    without an Origin (command-line clients, other servers) are not browsers and pass.
    """

    def __init__(self, app, allowed: Sequence[str] = ()):
        self.app = app
        self.allowed = tuple(allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                       for k, v in scope.get("headers", [])}
            origin = headers.get("origin")
            if origin is not None and not origin_allowed(origin, self.allowed):
                body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {
                    "code": -32600, "message": f"Origin {origin!r} is not allowed"}}).encode()
                await send({"type": "http.response.start", "status": 403, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def http_app(server: MCPServer, host: str = "127.0.0.1", allowed_origins: Sequence[str] = ()):
    """The streamable HTTP ASGI app at /mcp, wrapped in the Origin guard."""
    from mcp.server.transport_security import TransportSecuritySettings

    security = None
    if host not in LOCAL_HOSTS:  # the SDK only guards loopback binds by itself
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app = server.streamable_http_app(host=host, transport_security=security)
    return OriginGuard(app, allowed_origins)


def serve_http(server: MCPServer, host: str = "127.0.0.1", port: int = 8765,
               allowed_origins: Sequence[str] = ()) -> None:
    import uvicorn

    app = http_app(server, host, allowed_origins)
    # The session manager's task group must run for the app's lifetime (Starlette lifespan).
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")


def describe(server: MCPServer) -> dict[str, Any]:
    """Names of what the server offers, for the CLI's `--list` and for tests."""
    import anyio

    async def go():
        return {
            "tools": [t.name for t in await server.list_tools()],
            "resources": [str(r.uri) for r in await server.list_resources()],
            "resource_templates": [t.uri_template for t in await server.list_resource_templates()],
            "prompts": [p.name for p in await server.list_prompts()],
        }

    return anyio.run(go)
