"""Staging graphs and the single SPARQL update that commits a graph replacement.

A replacement first writes the new triples where no reader looks (a staging graph
``…/graph/staging/{uuid}``, or an empty target graph that the embedded backends hide), then
runs ONE update that drops the old content, moves the staged content in and rewrites the
graph's description in the meta graph. The update is one transaction, so a reader sees the old
graph or the new one, and a failure before it leaves the old graph in place.

Staging IRIs are version-1 UUIDs with a random node, so their creation time can be read back
(``staging_age``) without leaking a MAC address: a remote store only removes leftovers that are
old enough not to belong to an import still running in another process.

>>> iri = new_staging_iri()
>>> is_staging(iri), staging_age(iri) < 5
(True, True)
>>> is_staging("https://w3id.org/civicgraph/graph/example")
False
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from graph.namespaces import CG, META_GRAPH, STAGING_PREFIX

#: the staging graph where the embedded backends note the targets they are filling in place
PENDING_GRAPH = STAGING_PREFIX + "pending"
#: ``<target> cg:pendingImport "token"`` in ``PENDING_GRAPH``: ``target`` is being filled
PENDING_IMPORT = CG + "pendingImport"

# 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch
_UUID_EPOCH_OFFSET = 0x01B21DD213814000


def new_staging_iri() -> str:
    """A fresh staging graph IRI (time-based UUID with a random node)."""
    return STAGING_PREFIX + str(uuid.uuid1(node=random.getrandbits(48) | 1 << 40))


def is_staging(graph: str) -> bool:
    """Whether ``graph`` is a staging graph (never listed, never read)."""
    return graph.startswith(STAGING_PREFIX)


def staging_age(graph: str) -> float:
    """Seconds since the staging graph ``graph`` was named (``inf`` if it has no UUID time)."""
    try:
        value = uuid.UUID(graph[len(STAGING_PREFIX):])
    except ValueError:
        return float("inf")
    if value.version != 1:
        return float("inf")
    return time.time() - (value.time - _UUID_EPOCH_OFFSET) / 1e7


def iri(value: str) -> str:
    """``<value>`` after checking that ``value`` is an IRI (pyoxigraph refuses anything else)."""
    return str(ox.NamedNode(value))


def commit_update(moves: Mapping[str, str | None], metadata: Iterable[ox.Triple] = (),
                  *, pending: Mapping[str, str] | None = None) -> str:
    """The SPARQL update that commits a replacement, in one request.

    ``moves`` maps each target graph to the staging graph holding its new content, or to
    ``None`` when the target already holds it (filled in place) or must end empty. ``pending``
    maps targets filled in place to the token of their marker in ``PENDING_GRAPH`` (which is
    dropped). The
    descriptions of every target are removed from the meta graph and ``metadata`` inserted.
    ``MOVE`` is not ``SILENT``: if a staging graph vanished, the whole update fails and the old
    content stays."""
    operations: list[str] = []
    meta = iri(META_GRAPH)
    pending = pending or {}
    for target, staged in moves.items():
        if target not in pending:
            operations.append(f"DROP SILENT GRAPH {iri(target)}")
        if staged is not None:
            operations.append(f"MOVE GRAPH {iri(staged)} TO {iri(target)}")
        operations.append(f"DELETE WHERE {{ GRAPH {meta} {{ {iri(target)} ?p ?o }} }}")
    if pending:
        # one writer at a time fills graphs in place (the embedded store's lock), so every
        # marker is this replacement's: the graph of markers goes with them
        operations.append(f"DROP SILENT GRAPH {iri(PENDING_GRAPH)}")
    described = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in metadata)
    if described:
        operations.append(f"INSERT DATA {{ GRAPH {meta} {{ {described} }} }}")
    return " ;\n".join(operations)


def drop_update(graph: str) -> str:
    """The SPARQL update that removes ``graph`` and its description (one transaction)."""
    return (f"DROP SILENT GRAPH {iri(graph)} ;\n"
            f"DELETE WHERE {{ GRAPH {iri(META_GRAPH)} {{ {iri(graph)} ?p ?o }} }}")
