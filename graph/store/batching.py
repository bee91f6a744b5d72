"""Replacing graphs of a remote engine in batches, resumable after an interruption.

``replace_in_batches(store, contents, metadata=...)`` is ``Store.replace_graphs`` for a
``RemoteStore`` (or a subclass such as ``VirtuosoStore``) when the content is large:

1. each target's new triples go to a fresh staging graph (never listed, never read) as
   N-Triples documents of ``batch_size`` triples, each one ``POST``ed to the Graph Store with a
   ``Content-Length`` (some engines, Virtuoso among them, drop chunked bodies, and a digest
   challenge cannot replay a streamed one). Triples with a blank node are held back and sent
   last, in one document, since blank node labels only hold within one document;
2. after every batch, a *ledger* — itself a staging graph — records, per target, the staging
   graph, the source's SHA-256 (the ``cg:sha256`` of the target's description in
   ``metadata``), the batch size, the number of batches sent and a digest of their bytes;
3. the store's commit makes the staged content the target's, with its description, in one
   transaction; the ledger and the staging graphs are then removed.

If the source raises, the staging graphs and the ledger are removed and the error goes on. If
anything else stops the load — the network, the engine, Ctrl-C — and the source has a
SHA-256, they are kept: the same import run again (same bytes, same targets) finds the ledger,
checks that the batches it would skip have the recorded digest, and sends only the rest.
Either way the store's readers never saw any of it. Staging graphs nobody resumes are removed
by ``RemoteStore.recover`` after a day.

Resuming relies on the parsed triples coming in the same order for the same bytes (they do
with pyoxigraph's in-memory store); when the digest says otherwise, the staged batches are
discarded and ``StoreError`` asks for the import to be run again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import httpx
import pyoxigraph as ox

from graph.errors import StoreError
from graph.namespaces import CG
from graph.store.staging import commit_update, iri, new_staging_iri


class RemoteEngine(Protocol):
    """What a batched load needs of a remote engine (``graph.store.remote.RemoteStore`` and
    its subclasses); declared here so that this helper does not import its caller."""

    store_url: str
    update_timeout: float

    def update(self, sparql: str) -> None: ...

    def _select(self, sparql: str) -> list[ox.QuerySolution]: ...

    def _send(self, method: str, url: str, **kwargs: object) -> httpx.Response: ...


log = logging.getLogger(__name__)

#: triples per uploaded document: about 5 MB of N-Triples, a few seconds on the slowest engine
BATCH_SIZE: Final = 50_000
#: the ledger's predicates (private bookkeeping, only ever in staging graphs)
LEDGER: Final = "urn:civicgraph:load#"
_TRIPLES: Final = "application/n-triples"
_INTEGER: Final = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

#: ``commit(moves, metadata, leftovers)``: make each target's staged content (``moves``:
#: target -> staging graph, or None for "ends empty") its content with ``metadata``, in one
#: transaction, and remove ``leftovers`` (ledger and staging graphs) afterwards or with it
Commit = Callable[[Mapping[str, str | None], Sequence[ox.Triple], Sequence[str]], None]


class _StaleBatches(StoreError):
    """The batches a ledger records are not those of the source being loaded."""


@dataclass(frozen=True)
class Resumption:
    """A load that stopped half-way: where its batches went and how many."""

    ledger: str
    staging: str
    batches: int
    digest: str


class _Source:
    """The triples of one target, with a note of whether the source itself failed."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self._triples = triples
        self.failed = False

    def __iter__(self) -> Iterator[ox.Triple]:
        try:
            for t in self._triples:
                yield t if isinstance(t, ox.Triple) else t.triple
        except Exception:
            self.failed = True
            raise


def source_sha256(target: str, metadata: Iterable[ox.Triple]) -> str | None:
    """The ``cg:sha256`` that ``metadata`` gives ``target``, if any."""
    for t in metadata:
        if t.subject == ox.NamedNode(target) and t.predicate.value == CG + "sha256" \
                and isinstance(t.object, ox.Literal):
            return t.object.value
    return None


def batches(triples: Iterable[ox.Triple], size: int) -> Iterator[tuple[bytes, bool]]:
    """``triples`` as N-Triples documents of ``size`` triples, each with whether it is the
    held-back one: the triples with a blank node come last and together (one document, so
    that their labels still match)."""
    held: list[ox.Triple] = []
    batch: list[ox.Triple] = []
    for t in triples:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            held.append(t)
            continue
        batch.append(t)
        if len(batch) >= size:
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES), False  # type: ignore[misc]
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES), False  # type: ignore[misc]
    if held:
        yield ox.serialize(held, format=ox.RdfFormat.N_TRIPLES), True  # type: ignore[misc]


def find_resumption(store: RemoteEngine, target: str, sha256: str,
                    batch_size: int) -> Resumption | None:
    """The ledger entry of an interrupted load of ``sha256`` into ``target``, if its staging
    graph is still there."""
    rows = store._select(
        f"SELECT ?ledger ?staging ?batches ?digest WHERE {{ GRAPH ?ledger {{ "
        f"?staging <{LEDGER}target> {iri(target)} ; <{LEDGER}sha256> {ox.Literal(sha256)} ; "
        f"<{LEDGER}batchSize> {ox.Literal(str(batch_size), datatype=_INTEGER)} ; "
        f"<{LEDGER}batches> ?batches ; <{LEDGER}digest> ?digest }} }} "
        f"ORDER BY DESC(?batches) LIMIT 1")
    if not rows:
        return None
    row = rows[0]
    found = Resumption(row["ledger"].value, row["staging"].value, int(row["batches"].value),
                       row["digest"].value)
    staged = store._select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri(found.staging)} {{ ?s ?p ?o }} }}")
    if found.batches and int(staged[0]["n"].value) == 0:
        return None   # the staging graph was removed in the meantime
    return found


def _record(store: RemoteEngine, ledger: str, staging: str, target: str, sha256: str,
            batch_size: int, done: int, digest: str) -> None:
    """Write (or move on) the ledger entry of ``staging``."""
    node = iri(staging)
    store.update(
        f"DELETE WHERE {{ GRAPH {iri(ledger)} {{ {node} ?p ?o }} }} ;\n"
        f"INSERT DATA {{ GRAPH {iri(ledger)} {{ {node} <{LEDGER}target> {iri(target)} ; "
        f"<{LEDGER}sha256> {ox.Literal(sha256)} ; "
        f"<{LEDGER}batchSize> {ox.Literal(str(batch_size), datatype=_INTEGER)} ; "
        f"<{LEDGER}batches> {ox.Literal(str(done), datatype=_INTEGER)} ; "
        f"<{LEDGER}digest> {ox.Literal(digest)} }} }}")


def post_batch(store: RemoteEngine, graph: str, document: bytes) -> None:
    """Add the N-Triples ``document`` to ``graph`` through the Graph Store Protocol."""
    store._send("POST", store.store_url, params={"graph": graph}, content=document,
                headers={"Content-Type": _TRIPLES}, timeout=store.update_timeout)


def _upload(store: RemoteEngine, target: str, source: _Source, staging: str, *,
            sha256: str | None, ledger: str, batch_size: int,
            resumed: Resumption | None) -> bool:
    """Send ``source`` to ``staging``, after the batches ``resumed`` says were sent; whether
    the staging graph holds anything."""
    skip = resumed.batches if resumed else 0
    digest = hashlib.sha256()
    sent = skip > 0

    def check() -> None:
        if resumed and digest.hexdigest() != resumed.digest:
            raise _StaleBatches(f"the batches already sent for {target} do not match this "
                                "source; they were discarded: run the import again")

    number = 0
    for number, (document, held) in enumerate(batches(source, batch_size)):
        if number < skip and not held:
            digest.update(document)
            continue
        if number == skip:
            check()
        if held and resumed:
            # the run that stopped may have sent the held-back batch already
            store.update(
                f"DELETE {{ GRAPH {iri(staging)} {{ ?s ?p ?o }} }} WHERE {{ GRAPH "
                f"{iri(staging)} {{ ?s ?p ?o }} FILTER(isBlank(?s) || isBlank(?o)) }}")
        post_batch(store, staging, document)
        sent = True
        if sha256 and not held:
            digest.update(document)
            _record(store, ledger, staging, target, sha256, batch_size, number + 1,
                    digest.hexdigest())
    if skip and number < skip:
        check()
    return sent


def move_commit(store: RemoteEngine) -> Commit:
    """The commit of an engine that runs an update request in one transaction (Oxigraph,
    Fuseki with TDB2, GraphDB): ``staging.commit_update`` — ``MOVE`` each staging graph to
    its target — and the ledger's removal, in one request."""

    def commit(moves: Mapping[str, str | None], metadata: Sequence[ox.Triple],
               leftovers: Sequence[str]) -> None:
        moved = set(moves.values())
        drops = "".join(f" ;\nDROP SILENT GRAPH {iri(g)}" for g in leftovers if g not in moved)
        store.update(commit_update(moves, metadata) + drops)

    return commit


def replace_in_batches(store: RemoteEngine, contents: Mapping[str, Iterable[ox.Triple | ox.Quad]],
                       *, metadata: Iterable[ox.Triple] = (), commit: Commit | None = None,
                       batch_size: int = BATCH_SIZE) -> None:
    """Replace each target of ``contents`` and its description (see the module); ``commit``
    defaults to ``move_commit(store)``."""
    commit = commit or move_commit(store)
    described = list(metadata)
    ledgers = [new_staging_iri()]
    staged: dict[str, str] = {}
    sources: list[_Source] = []
    resumable = False
    try:
        moves: dict[str, str | None] = {}
        for target, triples in contents.items():
            iri(target)
            sha256 = source_sha256(target, described)
            resumed = find_resumption(store, target, sha256, batch_size) if sha256 else None
            if resumed:
                log.info("resuming the load of %s: %d batches of %d triples already sent",
                         target, resumed.batches, batch_size)
                ledgers.append(resumed.ledger)
            resumable = resumable or sha256 is not None
            staged[target] = resumed.staging if resumed else new_staging_iri()
            source = _Source(triples)
            sources.append(source)
            sent = _upload(store, target, source, staged[target], sha256=sha256,
                           ledger=resumed.ledger if resumed else ledgers[0],
                           batch_size=batch_size, resumed=resumed)
            moves[target] = staged[target] if sent else None
        commit(moves, described, [*dict.fromkeys(ledgers), *staged.values()])
    except BaseException as error:
        broken = any(s.failed for s in sources) or isinstance(error, _StaleBatches)
        if resumable and not broken:
            log.warning("the load stopped; run it again to resume (staging graphs %s)",
                        ", ".join(staged.values()) or "none yet")
            raise
        for graph in [*staged.values(), *dict.fromkeys(ledgers)]:
            try:
                store.update(f"DROP SILENT GRAPH {iri(graph)}")
            except StoreError:
                break   # the engine is gone: ``recover`` removes them later
        raise
