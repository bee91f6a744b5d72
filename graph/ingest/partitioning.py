"""Splitting a large dataset into parts that a SHACL engine can validate one at a time.

pyrudof validates fast but holds about 10 KB of memory per triple, so 10^6 triples need more
than 10 GiB. Most of civicgraph's core shapes look only at a focus node's own triples and at
the type (or scheme) of the nodes it points to, so a dataset can be validated in parts:

- the subjects (IRIs) are cut into parts of about ``size`` triples each;
- a part holds its subjects' triples (with the blank nodes hanging from them), the triples of
  every node they point to (one hop), and the ``rdf:type`` triples one hop further;
- only the results whose focus node belongs to the part are kept, so a node pulled in as a
  neighbour is judged in its own part, with its own neighbours.

This gives the same results as validating the whole when every property path in the shapes is
a plain predicate (no inverse or sequence paths) and nested shapes look no further than the
value node's own triples and its neighbours' types: ``partitionable(shapes)`` checks the first
condition (the shapes civicgraph ships meet both; a test compares partitioned and whole
validation on invalid data). Where it does not hold, the caller validates the whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.namespaces import RDF, SH

_TYPE = ox.NamedNode(RDF + "type")
_PATH = ox.NamedNode(SH + "path")
_NODES = (ox.NamedNode, ox.BlankNode)


@dataclass
class Part:
    """The triples to validate together, and the focus nodes whose results count."""

    triples: list[ox.Triple] = field(default_factory=list)
    owned: set[str] = field(default_factory=set)   # focus nodes as Violation.focus_node


def partitionable(shapes: Path | list[Path]) -> bool:
    """Whether every ``sh:path`` of the shapes is a plain predicate IRI."""
    files = [shapes] if isinstance(shapes, Path) else shapes
    for path in files:
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
            if quad.predicate == _PATH and not isinstance(quad.object, ox.NamedNode):
                return False
    return True


def focus_name(node: ox.NamedNode | ox.BlankNode) -> str:
    """A node as validation results name it."""
    return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"


def _closure(store: ox.Store, root: ox.NamedNode | ox.BlankNode, out: list[ox.Triple],
             visited: set[ox.NamedNode | ox.BlankNode]) -> list[ox.BlankNode]:
    """Add ``root``'s triples and those of the blank nodes below it; the blank nodes."""
    blanks: list[ox.BlankNode] = []
    stack: list[ox.NamedNode | ox.BlankNode] = [root]
    while stack:
        node = stack.pop()
        if node in visited:
            continue
        visited.add(node)
        for quad in store.quads_for_pattern(node, None, None, None):
            out.append(quad.triple)
            if isinstance(quad.object, ox.BlankNode):
                blanks.append(quad.object)
                stack.append(quad.object)
    return blanks


def parts(store: ox.Store, size: int) -> Iterator[Part]:
    """The parts of ``store`` (all its graphs merged), each of about ``size`` own triples."""
    subjects: list[ox.NamedNode | ox.BlankNode] = []
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        subject = quad.subject
        if subject in seen or not isinstance(subject, _NODES):
            continue
        seen.add(subject)
        # a blank node goes with the node it hangs from, unless it hangs from none
        if isinstance(subject, ox.NamedNode) or next(
                iter(store.quads_for_pattern(None, None, subject, None)), None) is None:
            subjects.append(subject)
    del seen
    start = 0
    while start < len(subjects):
        part = Part()
        visited: set[ox.NamedNode | ox.BlankNode] = set()
        while start < len(subjects) and len(part.triples) < size:
            subject = subjects[start]
            start += 1
            part.owned.add(focus_name(subject))
            for blank in _closure(store, subject, part.triples, visited):
                part.owned.add(focus_name(blank))
        # one hop: the nodes pointed to, whole; two hops: only their types
        own = len(part.triples)
        neighbours = {t.object for t in part.triples[:own]
                      if isinstance(t.object, _NODES) and t.object not in visited}
        for node in neighbours:
            _closure(store, node, part.triples, visited)
        far = {t.object for t in part.triples[own:]
               if isinstance(t.object, _NODES) and t.object not in visited}
        for node in far:
            part.triples.extend(q.triple for q in store.quads_for_pattern(node, _TYPE, None, None))
        yield part
