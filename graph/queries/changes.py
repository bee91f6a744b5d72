"""What writes changed in a store, as ``KeptAnswers`` (``graph.queries.kept``) sees it.

A graph of at most ``SMALL_GRAPH`` triples is kept whole (``Content``), so what a write
changed in it is known triple by triple; of a larger one only its summary (predicates and
classes) is known. A ``Change`` gathers both over the graphs a write touched, and tells
whether it may have changed an answer of a given footprint (``Change.meets``) or how to
splice such an answer (``Change.splice``); ``Holds`` asks the store whether a subject
satisfies an anchor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.term import URIRef

from graph.queries.confinement import Plan
from graph.queries.footprint import NOTHING, TYPE, Anchor, Footprint, Summary, iri_of
from graph.queries.splicing import Splice, confine
from graph.store import Store

#: graphs of at most this many triples are kept whole, to tell what a write changed in them
#: triple by triple; of a larger one only the summary is kept
SMALL_GRAPH = 20_000
#: triples kept in all (beyond, graphs are summed up only)
KEPT_TRIPLES = 400_000
#: a change of more triples than this is not spliced (the answers it meets are forgotten):
#: finding a splice checks each changed triple against each pattern of each kept answer,
#: the removed ones with a scan of the removed (an 18,000-triple graph dropped took 107 s
#: of observation with splicing, 1.9 s without, blocking every catalogue ask), and a VALUES
#: block of thousands of keys costs about what a whole evaluation does
SPLICE_CHANGES = 1_000
_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
#: the triples of a graph counted up to a bound: the count stops at the bound (0.01 s where
#: counting the 10^6 triples of a generated graph takes 0.85 s)
_BOUNDED_COUNT = "SELECT (COUNT(*) AS ?n) WHERE {{ SELECT * WHERE {{ ?s ?p ?o }} LIMIT {} }}"
_CLASSES = f"SELECT DISTINCT ?c WHERE {{ ?s <{TYPE}> ?c }}"


def summarise(store: Store, graph: str) -> Summary:
    """The summary of what ``graph`` holds in ``store`` now."""
    predicates = store.query(_PREDICATES, default_graph=[graph])
    classes = store.query(_CLASSES, default_graph=[graph])
    assert isinstance(predicates, ox.QuerySolutions) and isinstance(classes, ox.QuerySolutions)
    return Summary(frozenset(str(row["p"].value) for row in predicates),
                   frozenset(str(row["c"].value) for row in classes))


def size_up_to(store: Store, graph: str, most: int) -> int:
    """How many triples ``graph`` holds in ``store``, or ``most + 1`` if it holds more."""
    result = store.query(_BOUNDED_COUNT.format(most + 1), default_graph=[graph])
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def summary_of(triples: Iterable[ox.Triple]) -> Summary:
    """The summary of ``triples``."""
    predicates: set[str] = set()
    classes: set[str] = set()
    for triple in triples:
        predicates.add(triple.predicate.value)
        if triple.predicate.value == TYPE:
            classes.add(str(iri_of(triple.object)))
    return Summary(frozenset(predicates), frozenset(classes))


@dataclass(frozen=True)
class Content:
    """What is known of a graph: its summary, and its triples when it is small."""

    summary: Summary
    triples: frozenset[ox.Triple] | None

    @property
    def size(self) -> int:
        return 0 if self.triples is None else len(self.triples)


EMPTY = Content(NOTHING, frozenset())


@dataclass
class Change:
    """What writes changed: triples known one by one, and a summary of the rest
    (``everything``: anything may have changed)."""

    added: set[ox.Triple] = field(default_factory=set)
    removed: set[ox.Triple] = field(default_factory=set)
    summary: Summary = NOTHING
    everything: bool = False
    #: the graphs written (their triples, before and after, are among the above)
    graphs: set[str] = field(default_factory=set)

    def note(self, before: Content, after: Content) -> None:
        """A graph went from ``before`` to ``after``."""
        if before.triples is not None and after.triples is not None:
            self.added |= after.triples - before.triples
            self.removed |= before.triples - after.triples
        else:
            self.summary = self.summary | before.summary | after.summary

    def meets(self, found: Footprint, holds: Callable[[object, Anchor], bool]) -> bool:
        """Whether this change may have changed an answer of footprint ``found``;
        ``holds(subject, anchor)``: whether the data after the change satisfies an anchor.
        Before the change, an anchor held if it holds after it or a removed triple made it
        hold (a removed triple in a graph not kept whole is in ``summary``, and the anchor's
        predicate is in the footprint: that meets)."""
        if self.everything or found.meets(self.summary):
            return True
        held = self.held(holds)
        return any(found.meets_triple(t, holds) for t in self.added) or \
            any(found.meets_triple(t, held) for t in self.removed)

    def held(self, holds: Callable[[object, Anchor], bool]) -> Callable[[object, Anchor], bool]:
        """Whether an anchor held before the change (see ``meets``)."""
        def held(subject: object, anchor: Anchor) -> bool:
            kind, value = anchor
            return holds(subject, anchor) or any(
                (kind == "type" and r.predicate.value == TYPE and r.subject == subject
                 and iri_of(r.object) in value)
                or (kind == "subject-of" and r.predicate.value == value and r.subject == subject)
                or (kind == "object-of" and r.predicate.value == value and r.object == subject)
                for r in self.removed)

        return held

    def splice(self, found: Plan, footprint: Footprint,
               holds: Callable[[object, Anchor], bool], *, derive: bool = True
               ) -> Splice | str:
        """The splice that brings an answer of plan ``found`` and ``footprint`` over this
        change, or why there is none."""
        if self.everything or footprint.meets(self.summary):
            return "triples changed in a graph not kept whole (or a SPARQL update)"
        if len(self.added) + len(self.removed) > SPLICE_CHANGES:
            return f"more than {SPLICE_CHANGES} triples changed"
        held = self.held(holds)
        return confine(found, [*((t, holds, True) for t in self.added),
                               *((t, held, False) for t in self.removed)], derive=derive)

class Holds:
    """Whether a subject satisfies an anchor in the store now (asked once each)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: dict[tuple[object, Anchor], bool] = {}

    def __call__(self, subject: object, anchor: Anchor) -> bool:
        if not isinstance(subject, ox.NamedNode):
            return True   # a blank node cannot be named in a query: assume it does
        key = (subject, anchor)
        if key not in self._known:
            kind, value = anchor
            if kind == "value":   # rdflib's terms, from the query's VALUES block
                self._known[key] = subject.value in {str(t) for t in value
                                                     if isinstance(t, URIRef)}
                return self._known[key]
            if kind == "type":
                classes = " ".join(f"<{c}>" for c in sorted(value))
                text = f"ASK {{ VALUES ?c {{ {classes} }} {subject} <{TYPE}> ?c }}"
            elif kind == "subject-of":
                text = f"ASK {{ {subject} <{value}> ?o }}"
            else:
                text = f"ASK {{ ?s <{value}> {subject} }}"
            self._known[key] = bool(self.store.query(text))
        return self._known[key]



__all__ = ["EMPTY", "KEPT_TRIPLES", "SMALL_GRAPH", "SPLICE_CHANGES", "Change", "Content",
           "Holds", "size_up_to", "summarise", "summary_of"]
