"""The fixed half of the rubric: what each of the five clarifying questions is about, the
reference boxes and their aliases, the trade-off axes, what makes an eval plan concrete,
the item maxima and weights and the level bands. The per-prompt half (hidden requirements, trap,
expected boxes, what a strong answer weighs) lives in content/whiteboard/prompts/.

Everything here is data the grader and the interviewer read; nothing here scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from labs.whiteboard.models import Box, Dimension


@dataclass(frozen=True)
class DimensionInfo:
    title: str  # the question as a candidate asks it
    description: str  # what the dimension is about (embedded for matching)
    cues: tuple[str, ...]  # phrases that show an answer addressed it
    examples: tuple[str, ...]  # clarifying questions a learner might ask (the interviewer)


DIMENSIONS: dict[Dimension, DimensionInfo] = {
    Dimension.read_write: DimensionInfo(
        "Read or write?",
        "Whether the system only reads and answers, or also writes, edits, sends or changes "
        "data in other systems, and what actions it is allowed to take.",
        ("read-only", "read only", "write", "writes", "writing", "read or write", "edit",
         "side effect", "actions", "approval", "rollback", "audit"),
        ("Is it read-only or does it write anything?",
         "Does the assistant change data or only answer questions?",
         "Can the agent take actions like updating records or sending emails?",
         "Will it modify anything in our systems?",
         "Does it need write access to the CRM?",
         "Is this purely retrieval, or does it act on the user's behalf?",
         "Will the bot update tickets or records in other systems?",
         "Does it post, send or change anything, like comments, emails or merges?",
         "Does the bot take actions on its own?"),
    ),
    Dimension.freshness: DimensionInfo(
        "How fresh must the data be?",
        "How up to date the data must be: how often the sources change and how quickly a "
        "change must show up in answers (real time, hourly, daily re-indexing).",
        ("fresh", "freshness", "stale", "up to date", "up-to-date", "real time", "real-time",
         "reindex", "re-embed", "how often", "cdc", "nightly", "hourly", "incremental"),
        ("How fresh does the data need to be?",
         "How often do the documents change?",
         "How quickly must an update show up in the answers?",
         "Is it okay if the index is a day old?",
         "Do we need real-time data or is a nightly batch fine?",
         "How stale can the information be?",
         "How soon after something changes must the system know about it?",
         "How current does the information need to be?"),
    ),
    Dimension.latency_budget: DimensionInfo(
        "What is the latency budget?",
        "How fast the response must be: the latency budget, time to first token, p95 "
        "response time in milliseconds or seconds, and whether streaming is needed.",
        ("latency", "p95", "p99", "ms", "milliseconds", "seconds", "time to first token",
         "ttft", "response time", "fast", "budget", "stream", "streaming"),
        ("What's the latency budget?",
         "How fast does the response need to be?",
         "What p95 response time are we targeting?",
         "How long can a user wait for an answer?",
         "Is there a time-to-first-token requirement?",
         "Does it have to respond in real time or can it take a few seconds?",
         "How long can it take to respond?",
         "How fast does the result need to arrive?"),
    ),
    Dimension.eval_rubric: DimensionInfo(
        "What is the eval rubric?",
        "How success is judged: the evaluation rubric, quality metrics, what a good answer "
        "is, faithfulness, accuracy, customer satisfaction or business metrics.",
        ("eval", "evaluation", "rubric", "metric", "metrics", "success", "quality bar",
         "faithfulness", "accuracy", "csat", "golden set", "measure", "kpi"),
        ("How will we judge whether an answer is good?",
         "What's the eval rubric?",
         "What does success look like for this system?",
         "Which metric matters most: accuracy, faithfulness or user satisfaction?",
         "How do we measure quality?",
         "What's the bar for a correct answer?",
         "What counts as a good or helpful output?",
         "How will we know it is helping?"),
    ),
    Dimension.multi_tenancy: DimensionInfo(
        "Is it multi-tenant?",
        "Whether many customers, teams or tenants share the system, and how their data, "
        "permissions, quotas and costs are isolated from each other.",
        ("tenant", "tenants", "multi-tenant", "multitenant", "single tenant", "customers",
         "isolation", "isolated", "namespace", "per customer", "per-tenant", "permissions",
         "access control", "acl"),
        ("Is it multi-tenant?",
         "Do different customers share the same system?",
         "Does each customer's data need to be isolated?",
         "Is this for one team or many organisations?",
         "Can users see each other's documents?",
         "Are there per-customer permissions or quotas?",
         "How many teams or organisations will use it, and are they kept apart?",
         "Is each team's data private from the others?"),
    ),
}

BOXES: dict[Box, tuple[str, tuple[str, ...]]] = {
    # box: (label, aliases matched lexically)
    Box.client: ("Client", ("client", "front end", "frontend", "web app", "ui", "browser",
                            "mobile app", "chat widget", "slack", "ide plugin", "extension")),
    Box.api_gateway: ("API gateway", ("api gateway", "gateway", "rate limit", "rate limiting",
                                      "load balancer", "front door")),
    Box.auth_quota: ("Auth / quota", ("auth", "authentication", "authorisation",
                                      "authorization", "quota", "quotas", "sso", "rbac",
                                      "permission check")),
    Box.orchestrator: ("Orchestrator", ("orchestrator", "orchestration", "agent loop",
                                        "prompt builder", "router", "routing", "planner",
                                        "workflow", "controller")),
    Box.retrieval: ("Retrieval", ("retrieval", "retriever", "vector store", "vector db",
                                  "vector database", "vector index", "bm25", "hybrid search",
                                  "search index", "embeddings", "rag", "reranker")),
    Box.tools_mcp: ("Tools / MCP servers", ("tool", "tools", "mcp", "function calling",
                                            "tool call", "api call", "connector")),
    Box.llm_call: ("LLM call", ("llm", "model api", "language model", "claude", "gpt",
                                "llama", "model call", "generation", "generator",
                                "vision model", "classifier", "whisper")),
    Box.observability: ("Observability", ("observability", "tracing", "traces", "logging",
                                          "logs", "monitoring", "dashboard", "metrics store",
                                          "telemetry", "cost per call")),
}

BOX_DESCRIPTIONS: dict[Box, str] = {
    Box.client: "The client: the web or app front end that sends the request and shows the answer.",
    Box.api_gateway: "The API gateway: the single front door that enforces rate limits.",
    Box.auth_quota: "Auth and quota: identifies the tenant or user and checks their budget.",
    Box.orchestrator: "Orchestrator: builds the prompt, routes and checks caches.",
    Box.retrieval: "Retrieval: vector search plus BM25 keyword search over an index of documents.",
    Box.tools_mcp: "Tools or MCP servers the model can call for actions and live data.",
    Box.llm_call: "The LLM call: the model API that generates the answer.",
    Box.observability: "Observability: traces, eval signals and cost per call from every box.",
}

# Words that turn "there is a box" into "there is a box, and here is why".
REASON_MARKERS = ("because", "so that", "so ", "since", "to keep", "to stop", "to avoid",
                  "to cut", "to catch", "which", "keeps", "lets", "stops", "protects",
                  "ensures", "prevents", "in order to", "so we", "to handle", "to serve")

TRADEOFF_AXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cost": ("Cost: money per request, tokens, model tier prices, infrastructure spend.",
             ("cost", "costs", "cheap", "cheaper", "expensive", "price", "spend", "$",
              "tokens", "budget", "per call", "per request", "dollar")),
    "latency": ("Latency: response time, milliseconds, time to first token, p95, speed.",
                ("latency", "ms", "millisecond", "seconds", "p95", "p99", "faster", "slower",
                 "time to first token", "ttft", "round trip", "hop", "speed")),
    "quality": ("Quality: accuracy, faithfulness, recall, precision, hallucination rate.",
                ("quality", "accuracy", "accurate", "faithful", "faithfulness", "recall",
                 "precision", "hallucinat", "false positive", "false positives", "correct",
                 "relevance", "weaker", "better answers")),
}
TRADEOFF_MARKERS = ("trade", "but ", "at the cost", "at the price", "instead of", " vs",
                    "versus", "in exchange", "worth", "adds", "saves", "cuts", "costs",
                    "cheaper", "faster", "slower", "more expensive", "which means", "while",
                    "rather than", "drop", "over ", "than")

EVAL_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dataset": ("A golden set: a fixed, labelled set of test questions or cases with "
                "expected answers.",
                ("golden set", "golden dataset", "test set", "eval set", "evaluation set",
                 "labelled", "labeled", "benchmark", "ground truth", "reference answers",
                 "held-out", "test cases")),
    "metric": ("Named metrics: recall@k, precision, faithfulness, accuracy, F1, CSAT, an LLM "
               "judge scoring answers, human labels.",
               ("recall@", "recall", "precision", "mrr", "ndcg", "faithfulness", "accuracy",
                "f1", "csat", "llm judge", "llm-as-judge", "judge", "human label",
                "human labels", "relevance", "deflection", "resolution rate",
                "false positive rate", "acceptance rate", "kappa")),
    "cadence": ("When it runs and what it gates: on every release, prompt or model change, "
                "nightly, as a regression gate with a threshold, online monitoring.",
                ("every release", "each release", "every change", "before deploy",
                 "before each", "on every", "nightly", "regression", "ci", "gate", "threshold",
                 "a/b", "canary", "online", "weekly", "shadow", "block the release")),
}

# The deep dive's bottleneck, scored on its own: named, why it is the bottleneck, how it
# would be measured. Sentences under a heading with "bottleneck" or "deep dive" name it too.
BOTTLENECK_CUES = ("bottleneck", "slowest", "limiting factor", "hot path", "dominates",
                   "dominate", "choke point", "saturate", "saturates", "critical path",
                   "hardest part", "biggest risk", "sharp edge", "most of the latency",
                   "most of the cost", "most of the time", "limits throughput", "constraint")
BOTTLENECK_HEADINGS = ("bottleneck", "deep dive", "deep-dive")
MEASURE_CUES = ("measure", "measured", "profile", "profiling", "trace", "tracing", "traces",
                "benchmark", "load test", "load-test", "p95", "p99", "histogram", "span",
                "spans", "per-stage", "per stage", "timing", "timings", "dashboard", "monitor",
                "track", "instrument", "latency breakdown", "metric", "recall@", "a/b")

# Item weights in the 0-100 total. The five questions share 25; requirement-change (mock
# mode only) takes 10 and the rest shrink in proportion.
WEIGHTS: dict[str, float] = {
    "read_write": 5, "freshness": 5, "latency_budget": 5, "eval_rubric": 5, "multi_tenancy": 5,
    "architecture": 17, "trap": 15, "bottleneck": 12, "tradeoffs": 16, "eval_plan": 15,
}
CHANGE_WEIGHT = 10.0

# Each item's maximum score, in report order (requirement_change: mock mode only).
ITEM_MAX: dict[str, float] = {**{d.value: 2.0 for d in Dimension}, "architecture": 4.0,
                              "trap": 3.0, "bottleneck": 3.0, "tradeoffs": 4.0,
                              "eval_plan": 3.0, "requirement_change": 2.0}

# Level bands on the total; L5 and above also need the trap at least half addressed
# (the senior signal is what you weigh, not how many boxes you draw).
LEVELS: list[tuple[float, str]] = [(80, "L6"), (60, "L5"), (40, "L4"), (0, "below L4")]

ITEM_TITLES: dict[str, str] = {
    **{d.value: f"Q: {info.title}" for d, info in DIMENSIONS.items()},
    "architecture": "Architecture coverage",
    "trap": "The trap addressed",
    "bottleneck": "The bottleneck: named, why, how measured",
    "tradeoffs": "Trade-offs weighed (cost, latency, quality)",
    "eval_plan": "A concrete eval plan",
    "requirement_change": "Responded to the requirement change",
}
