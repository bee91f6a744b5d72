"""civicgraph's settings, read once at the edge and passed down as arguments.

Every setting comes from the environment with the prefix ``CIVICGRAPH_`` (for example
``CIVICGRAPH_STORE``) and can be overridden by the matching command-line option. Each one is
documented in ``docs/settings.md``; ``tests/test_docs.py`` checks that.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.namespaces import DEFAULT_BASE
from graph.store import Store

#: The placeholder the curator token must never keep in production.
PLACEHOLDER_TOKENS = frozenset({"", "change-me", "changeme", "secret", "token"})
#: The shortest curator token accepted: shorter ones can be guessed.
MIN_TOKEN_LENGTH = 16


def default_store_location() -> str:
    """``$XDG_DATA_HOME/civicgraph/store``, i.e. ``~/.local/share/civicgraph/store`` by default."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "civicgraph" / "store")


class Settings(BaseSettings):
    """All of civicgraph's settings, documented in ``docs/settings.md``."""

    # hide_input_in_errors: a refused curator token never appears in a message or a log
    model_config = SettingsConfigDict(env_prefix="CIVICGRAPH_", extra="ignore",
                                      hide_input_in_errors=True)

    store: str = Field(
        default_factory=default_store_location,
        description="Where the data lives: a directory (embedded Oxigraph store), `memory`, "
        "or the URL of a SPARQL 1.1 server.",
    )
    base_iri: str = Field(
        default=DEFAULT_BASE,
        description="Base of the IRIs minted for resources (`{base}id/{kind}/{slug}`).",
    )
    public_url: str = Field(
        default="",
        description="The URL at which this server is reached, used in absolute URLs (the "
        "Service Description, VoID, dumps, embed snippets, Link headers). Empty: the host and "
        "port each request was sent to (`X-Forwarded-Proto`/`-Host` from trusted proxies).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated IP addresses or CIDR networks of reverse proxies whose "
        "`X-Forwarded-For`, `-Proto` and `-Host` headers are believed (the client's address "
        "for per-client limits, the public URL). Empty: none.",
    )
    union_default_graph: bool = Field(
        default=True,
        description="Dataset mode of the SPARQL endpoint. true: a query's default graph is the "
        "union of every graph the reader may see, the store's own default graph included. "
        "false: standard SPARQL dataset semantics (the default graph is the store's own; named "
        "graphs are reached with GRAPH or FROM NAMED).",
    )
    default_access: Literal["public", "restricted"] = Field(
        default="public",
        description="Access level of the store's own default graph and of the graphs a write "
        "creates without a description (SPARQL Update, Graph Store), when the write path first "
        "describes them; a graph already described keeps its level, and one under "
        "`…/graph/restricted/` is always restricted. `restricted` graphs are read by curators "
        "only and may hold personal data; `public` ones are checked by the privacy guard.",
    )
    host: str = Field(default="127.0.0.1", description="Interface the server listens on.")
    port: int = Field(default=8000, description="Port the server listens on.")
    curator_token: str = Field(
        default="",
        description="Bearer token that allows writes (SPARQL Update, Graph Store, imports) and "
        "reading restricted graphs. Empty means writes are disabled.",
    )
    query_timeout: float = Field(
        default=30.0, description="Seconds a SPARQL query may run before it is stopped (503)."
    )
    result_limit: int = Field(
        default=100_000, description="Largest number of results a query may return."
    )
    query_workers: int = Field(
        default_factory=lambda: max(2, os.cpu_count() or 2),
        description="Worker processes that run SPARQL queries on the embedded store (they are "
        "killed past the time limit); 0 runs queries in threads, which answer at the limit "
        "but cannot stop the query.",
    )
    memory_limit_mb: int = Field(
        default=4096, ge=0, description="Memory (MiB) the server and its query workers should "
        "stay under; each query worker may hold its share of it (this divided by the number "
        "of workers, plus the lane's worker kept for clients running nothing, plus one for "
        "the server) while it runs a query, and a query that makes it hold more is stopped "
        "(503). 0 sets no bound."
    )
    answer_cache_mb: int = Field(
        default=64, ge=0, description="Memory (MiB) for answers kept until the next write on "
        "the embedded store (the same query asked again, or asked while it runs, is not run "
        "again); 0 keeps none and runs every query (benchmarks against other engines)."
    )
    maintain_catalogue: bool = Field(
        default=True, description="Evaluate the query catalogue's answers with their default "
        "parameters (in each language of the site) ahead of the asks: in the background from "
        "the start, and again after each write that changes them, so that an ask finds its "
        "answer ready. false: each is evaluated at its first ask, and kept up to date from "
        "then on."
    )
    background_workers: int = Field(
        default=2, ge=1, description="Worker processes, apart from the query workers and at a "
        "lower priority, that evaluate the catalogue's answers again after a write, side by "
        "side (each started when needed; each may hold a query worker's share of memory, "
        "beyond memory_limit_mb's count)."
    )
    client_concurrency: int = Field(
        default=8, description="Most queries one client (IP address) may have running at "
        "once; more get 429 with Retry-After."
    )
    small_count_threshold: int = Field(
        default=5, description="Membership counts below this are suppressed in public figures."
    )
    node_budget: int = Field(
        default=1500, description="Most nodes a map sends to the browser before aggregating."
    )
    log_level: str = Field(default="info", description="Log level of the server.")
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024, ge=0, description="Largest request body the server reads "
        "(SPARQL, Graph Store, imports); larger ones get 413."
    )
    max_query_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Largest SPARQL query or update text (in the "
        "URL, a form or the body), checked before the text is read at all; larger ones get 413."
    )
    body_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a client may take to send a request body; "
        "a slower one gets 408 and its connection is closed."
    )
    slow_query_seconds: float = Field(
        default=1.0, ge=0, description="Queries that take longer than this are written to the "
        "slow-query log with their text."
    )
    health_timeout: float = Field(
        default=5.0, gt=0, description="Seconds `/health` waits for the store before it "
        "answers 503."
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        """Refuse an entry that is not an IP address or a CIDR network."""
        import ipaddress

        for entry in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or a CIDR network") from None
        return value

    @field_validator("curator_token")
    @classmethod
    def _no_placeholder(cls, token: str) -> str:
        """Refuse a placeholder or short curator token (an empty one disables writes)."""
        value = token.strip()
        if value and value.lower() in PLACEHOLDER_TOKENS:
            raise ValueError(f"a placeholder ({value!r}) is not a token; set a "
                             "random value (python -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))'), or leave it empty to "
                             "disable writes")
        if value and len(value) < MIN_TOKEN_LENGTH:
            raise ValueError(f"shorter than {MIN_TOKEN_LENGTH} "
                             "characters and could be guessed; set a random value "
                             "(python -c 'import secrets; print(secrets.token_urlsafe(32))')")
        return value

    def worker_memory(self) -> int | None:
        """Bytes one query worker may hold while it runs a query (None: no bound)."""
        if self.memory_limit_mb <= 0:
            return None
        from graph.engine.workers import LANES

        workers = max(self.query_workers, 0)
        lanes = LANES if workers else 0
        return self.memory_limit_mb * 2**20 // (workers + lanes + 1)


def open_configured_store(settings: Settings) -> Store:
    """Open the store the settings name. A remote store's HTTP timeout follows the query time
    limit, so that a query abandoned by the API is not left waiting on the server for long."""
    from graph.store import open_store

    if settings.store.startswith(("http://", "https://", "virtuoso+http")):
        return open_store(settings.store, timeout=settings.query_timeout + 1.0)
    return open_store(settings.store)
