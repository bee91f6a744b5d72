"""A mapped spreadsheet row: its statements, its problems, and the references still to resolve.

``RowMapper.map`` (``graph.ingest.spreadsheets.mapping``) makes an ``Entry`` whose statements may
hold ``Ref`` placeholders; once every row of the file is indexed, ``resolve`` replaces them
by IRIs.

>>> Ref(("org",), "Vecam", "organisation").kinds
('org',)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.ingest.report import Problem
from graph.ingest.spreadsheets.columns import Kind
from graph.ingest.spreadsheets.references import Index, ReferenceProblem
from graph.ingest.spreadsheets.values import ValueProblem, as_text, clip
from graph.ingest.tabular import CellValue
from graph.namespaces import XSD

_DATE = ox.NamedNode(XSD + "date")
_BOOLEAN = ox.NamedNode(XSD + "boolean")


@dataclass(frozen=True)
class Ref:
    """A reference still to resolve: what the cell says and what kinds it may name."""

    kinds: tuple[str, ...]
    text: str
    column: str


Node = ox.NamedNode | Ref
Object = ox.NamedNode | ox.Literal | Ref


@dataclass
class Entry:
    """A mapped row: its statements (possibly with unresolved ``Ref``) and its problems."""

    sheet: str
    row: int
    kind: Kind
    subject: str | None = None
    statements: list[tuple[Node, ox.NamedNode, Object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: resources this row defines, for the index: (index kind, IRI, names, Wikidata ids)
    defines: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)
    #: a key that must be unique within the file, and how to describe a clash
    unique_key: tuple[str, str] | None = None
    #: what completes ``unique_key`` once ``resolve`` has made its references IRIs
    unique_parts: list[str | tuple[Ref, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


def _date_literal(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=_DATE)


def as_text_safe(value: CellValue) -> str:
    """``as_text`` that shows a formula instead of refusing it (for messages)."""
    try:
        return as_text(value)
    except ValueProblem:
        return str(value)

def resolve(entry: Entry, index: Index) -> None:
    """Replace the entry's references by IRIs; a reference that fails is a problem of its cell."""
    triples: list[ox.Triple] = []
    for subject, predicate, obj in entry.statements:
        s = _resolve(entry, index, subject)
        o = _resolve(entry, index, obj) if isinstance(obj, Ref) else obj
        if s is not None and o is not None:
            triples.append(ox.Triple(s, predicate, o))
    entry.triples = triples
    if entry.unique_parts and entry.unique_key is not None:
        _complete_key(entry, index)


def _complete_key(entry: Entry, index: Index) -> None:
    """``unique_key`` with the IRIs its references resolve to; None when one does not (the
    row is refused for it)."""
    assert entry.unique_key is not None
    parts = []
    for part in entry.unique_parts:
        if isinstance(part, str):
            parts.append(part)
            continue
        iris = [_resolve(entry, index, ref) for ref in part]
        if any(iri is None for iri in iris):
            entry.unique_key = None
            return
        parts.append(" ".join(sorted({iri.value for iri in iris if iri is not None})))
    kind, clash = entry.unique_key
    entry.unique_key = (kind, "\x1e".join(parts) + clash)


def _resolve(entry: Entry, index: Index, node: Node | Object) -> ox.NamedNode | None:
    if not isinstance(node, Ref):
        return node  # type: ignore[return-value]
    try:
        return ox.NamedNode(index.resolve(node.kinds, node.text))
    except ReferenceProblem as error:
        problem = Problem(str(error), entry.sheet, entry.row, node.column, clip(node.text))
        if problem not in entry.problems:
            entry.problems.append(problem)
        return None
