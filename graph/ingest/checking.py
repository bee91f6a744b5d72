"""Stages 3 and 4 of the write path (``graph.ingest.writing``): the shapes and the privacy
guard, on the graphs as they would be after a write.

``check`` validates the written graphs against the core shapes (public graphs also against the
public-profile shapes when they mention persons), keeps the results of the nodes the write
touched, and refuses (``ShapeViolation``) for the violations the write brings. A node is
checked as the union of the graphs shows it (``context``): what other graphs say about the
nodes written is added, and the nodes the data points at bring their ``rdf:type``, so
``sh:class`` holds across graphs. Data that no shape targets costs no validator run.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from graph.errors import BoundExceeded, InputError, ShapeViolation, Violation
from graph.ingest import validation
from graph.namespaces import (
    DERIVED_GRAPH,
    DPV,
    FOAF,
    META_GRAPH,
    ORG,
    OWL,
    RDF,
    RDFS,
    SH,
    STAGING_PREFIX,
    VOCABULARY_GRAPH,
    VOID,
)
from graph.privacy.access import (
    RESTRICTED_META_GRAPH,
    default_graph_is_public,
    is_described,
    new_access,
    public_graphs,
)
from graph.store import DEFAULT_GRAPH, Store
from graph.store.content import Serialized

#: graphs civicgraph writes itself, never checked against the data shapes
MANAGED = frozenset({META_GRAPH, RESTRICTED_META_GRAPH, VOCABULARY_GRAPH, DERIVED_GRAPH})
_TYPE = ox.NamedNode(RDF + "type")
_OTHER_TARGETS = frozenset({SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf",
                            SH + "target"})
_PERSONAL_NAMESPACES = (FOAF, DPV, ORG + "Membership", ORG + "member")

def public_targets(store: Store, *, default_access: str = "public",
                   written: Collection[str] = ()) -> set[str]:
    """The graphs a write checks as public: the public graphs, the default graph unless its
    description makes it restricted (undescribed: as ``default_access`` says), and each of
    the ``written`` graphs that no description names yet and that the write path will
    describe as public (``graph.privacy.access.new_access``)."""
    public = set(public_graphs(store))
    if is_described(store, DEFAULT_GRAPH):
        if default_graph_is_public(store):
            public.add(DEFAULT_GRAPH)
    elif default_access == "public":
        public.add(DEFAULT_GRAPH)
    for graph in written:
        if graph != DEFAULT_GRAPH and graph not in public and graph not in MANAGED \
                and new_access(graph, default_access) == "public" \
                and not is_described(store, graph):
            public.add(graph)
    return public


def check(store: Store, after: Mapping[str, Iterable[ox.Triple]], *, source: str,
          public: Collection[str] | None = None, focus: Collection[str] | None = None,
          added: Mapping[str, Iterable[ox.Triple]] | None = None,
          shapes: Path | Sequence[Path] | None = None, engine: validation.Engine = "auto",
          shape_check: bool = True, default_access: str = "public") -> list[Violation]:
    """Stages 3 and 4 for the graphs of ``after`` (graph IRI -> its triples once written).

    ``focus``: the nodes the write touched (None: every subject of ``after``); ``added``:
    what the write adds to each graph (None: all of ``after``), the triples the privacy guard
    reads; ``default_access``: the level of the graphs not described yet (``public_targets``).
    Raises ``ShapeViolation`` listing the violations; returns the warnings."""
    public = public_targets(store, default_access=default_access, written=list(after)) \
        if public is None else set(public)
    checked = {g: t if isinstance(t, Serialized) else list(t) for g, t in after.items()
               if g not in MANAGED and not g.startswith(STAGING_PREFIX)}
    for graph, triples in (added or checked).items():
        _refuse_unreadable(graph, triples if isinstance(triples, Sequence) else list(triples),
                           source)
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH

    exposed = [g for g in checked if g in public and g != PUBLIC_PERSONS_GRAPH]
    # when every graph checked is public and wholly new, the guard reads the data validated
    shared = shape_check and added is None and \
        set(exposed) == {g for g in checked if g != PUBLIC_PERSONS_GRAPH}
    if not shared:
        _guard_privacy(checked if added is None else {g: list(t) for g, t in added.items()},
                       public, source)
    if not shape_check or not checked:
        return []
    data = _union(checked[g] for g in checked if g != PUBLIC_PERSONS_GRAPH)
    if shared and exposed:
        _refuse_personal(data, exposed, source)
    profiled = bool(exposed) and (_mentions_persons_in(data) if shared
                                  else _mentions_persons(checked[g] for g in exposed))
    subjects = {key(row[0]) for row in _select(data, "SELECT DISTINCT ?s { ?s ?p ?o }")}
    wanted = subjects if focus is None else subjects & set(focus)
    if not wanted:
        return []
    if focus is not None:
        data = _around(data, wanted)
    context(store, data, wanted, checked)
    core = _core(shapes)
    results = validation.validate(data, core, engine=engine) if _targeted(data, core) else []
    del data
    if profiled:
        from graph.vocabulary import shapes_path

        profile = _union(checked[g] for g in exposed)
        results += validation.validate(profile, shapes_path("public"), vocabulary=())
    kept = [r for r in results if r.focus_node in wanted]
    found = _introduced(store, validation.errors(kept), shapes, engine)
    if found:
        raise ShapeViolation(found, source=source)
    return [r for r in kept if r.severity != "Violation"]


def _refuse_unreadable(graph: str, triples: Sequence[ox.Triple], source: str) -> None:
    """Refuse what the store would hold but not give back as it should: a triple term (RDF
    1.2: the privacy guard, the shapes and the erasure of a person read RDF 1.1 triples, so a
    name inside one would pass them all, and JSON-LD cannot carry it), or a term longer than
    a query worker reads back (``TOKEN_BYTES`` as N-Triples: a literal an update built by
    ``CONCAT`` made every later query fail). An import's document was bounded by its parse
    (``graph.engine.parsing.rdf_triples``)."""
    serialized = isinstance(triples, Serialized)
    # how the RDF syntaxes write a triple term: << (Turtle, TriG, N-Triples, N-Quads),
    # rdf:parseType="Triple" (RDF/XML)
    if isinstance(triples, Serialized) and b"<<" not in triples.data \
            and b"Triple" not in triples.data:
        return
    try:
        _refuse_terms(graph, triples, source, serialized)
    except SyntaxError:   # a document that does not parse: its parse tells where, later
        return


def _refuse_terms(graph: str, triples: Sequence[ox.Triple], source: str,
                  serialized: bool) -> None:
    from graph.engine.parsing import LENGTH_BOUND, TOKEN_BYTES

    for triple in triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.Triple):
                raise InputError(
                    f"{source}: <{graph}>, the triple of {triple.subject}: its object {term} "
                    "is a triple term (RDF 1.2), which civicgraph does not store: its privacy "
                    "guard, shapes and erasure read RDF 1.1 triples; state it with rdf:reifies "
                    "or as plain triples about a node of its own")
            if not serialized and len(term.value) > TOKEN_BYTES // 2 and \
                    len(str(term).encode()) > TOKEN_BYTES:
                raise BoundExceeded("RDF", LENGTH_BOUND + " written as N-Triples",
                                    TOKEN_BYTES, source=source)


def _union(graphs: Iterable[Sequence[ox.Triple]]) -> ox.Store:
    """A new store holding the triples of ``graphs`` in its default graph; a store the
    parse left with the only graph is taken over (``Serialized.take_store``)."""
    parts = list(graphs)
    if len(parts) == 1 and isinstance(parts[0], Serialized):
        taken = parts[0].take_store()
        if taken is not None:
            return taken
    data = ox.Store()
    for part in parts:
        if isinstance(part, Serialized):
            part.load_into(data)
        else:
            data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in part)
    return data


def _select(data: ox.Store, query: str) -> ox.QuerySolutions:
    rows = data.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    return rows


def _around(data: ox.Store, nodes: Collection[str]) -> ox.Store:
    """The part of ``data`` a check of ``nodes`` reads: their triples, those of the blank
    nodes below them, and those of the nodes they point at (for ``sh:class`` and
    ``sh:node``); a write touching a few nodes of a large graph validates only them."""
    part = ox.Store()
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    pending: list[tuple[ox.NamedNode | ox.BlankNode, bool]] = [
        (ox.BlankNode(n[2:]) if n.startswith("_:") else ox.NamedNode(n), True) for n in nodes]
    while pending:
        node, deep = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        quads = list(data.quads_for_pattern(node, None, None, None))
        part.bulk_extend(quads)
        for quad in quads:
            value = quad.object
            if isinstance(value, ox.BlankNode) or (deep and isinstance(value, ox.NamedNode)):
                pending.append((value, isinstance(value, ox.BlankNode) and deep))
    return part


def _targeted(data: ox.Store, shapes: Path | Sequence[Path]) -> bool:
    """Whether a node of ``data`` is an instance of a class the shapes target (or of one of
    its subclasses in the vocabulary): data no shape targets (a W3C test's ``:a :b :c``)
    needs no validator run."""
    files = (shapes,) if isinstance(shapes, Path) else tuple(shapes)
    targets = _target_classes(files)
    if targets is None or next(iter(data.quads_for_pattern(
            None, ox.NamedNode(RDFS + "subClassOf"), None, None)), None) is not None:
        return True
    return any(isinstance(q.object, ox.NamedNode) and q.object.value in targets
               for q in data.quads_for_pattern(None, _TYPE, None, None))


@functools.cache
def _target_classes(files: tuple[Path, ...]) -> frozenset[str] | None:
    """The classes ``files`` target with ``sh:targetClass`` and their subclasses in the
    vocabulary; None when a shape targets otherwise (then every write is validated)."""
    from graph.vocabulary import vocabulary_triples

    shapes = [q.triple for path in files for q in ox.parse(path=path,
                                                           format=ox.RdfFormat.TURTLE)]
    if any(t.predicate.value in _OTHER_TARGETS or (
            t.predicate == _TYPE and t.object.value in (RDFS + "Class", OWL + "Class"))
           for t in shapes):
        return None
    found = {t.object.value for t in shapes if t.predicate.value == SH + "targetClass"}
    below: dict[str, set[str]] = {}
    for t in vocabulary_triples():
        if t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode) \
                and isinstance(t.subject, ox.NamedNode):
            below.setdefault(t.object.value, set()).add(t.subject.value)
    pending = list(found)
    while pending:
        for sub in below.get(pending.pop(), ()):
            if sub not in found:
                found.add(sub)
                pending.append(sub)
    return frozenset(found)


def _introduced(store: Store, found: list[Violation], shapes: Path | Sequence[Path] | None,
                engine: validation.Engine) -> list[Violation]:
    """The violations of ``found`` that the write brings: those its nodes did not already
    have as the store shows them now (data another graph holds wrongly does not block a
    write that does not touch what is wrong)."""
    if not found:
        return found
    before = ox.Store()
    context(store, before, {v.focus_node for v in found}, ())
    if not len(before):
        return found
    existing = {(v.focus_node, v.path, v.constraint, v.value)
                for v in validation.validate(before, _core(shapes), engine=engine)}
    return [v for v in found if (v.focus_node, v.path, v.constraint, v.value) not in existing]


def _core(shapes: Path | Sequence[Path] | None) -> Path | Sequence[Path]:
    if shapes is not None:
        return shapes
    from graph.vocabulary import shapes_path
    return shapes_path("core")


def key(term: object) -> str:
    """A term as ``validation`` names focus nodes: an IRI, or ``_:id``."""
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _mentions_persons(graphs: Iterable[Iterable[ox.Triple]]) -> bool:
    """Whether the public-profile shapes have anything to look at in ``graphs``."""
    return any(t.predicate.value.startswith(_PERSONAL_NAMESPACES)
               or (t.predicate == _TYPE and isinstance(t.object, ox.NamedNode)
                   and t.object.value.startswith(_PERSONAL_NAMESPACES))
               for triples in graphs for t in triples)


def _mentions_persons_in(data: ox.Store) -> bool:
    """``_mentions_persons`` of the default graph of ``data``: its predicates and classes,
    listed by Oxigraph (a string test on every triple costs three times as much)."""
    return any(row[0].value.startswith(_PERSONAL_NAMESPACES)
               for query in ("SELECT DISTINCT ?x { ?s ?x ?o }",
                             f"SELECT DISTINCT ?x {{ ?s <{RDF}type> ?x FILTER(isIRI(?x)) }}")
               for row in _select(data, query))


def _refuse_personal(data: ox.Store, graphs: Collection[str], source: str) -> None:
    """The privacy guard on ``data``, which holds what goes into the public ``graphs``."""
    from graph.privacy.persons import personal_data

    found = personal_data(data)
    if found:
        where = ", ".join(f"<{g}>" for g in graphs)
        raise ShapeViolation(found, source=f"{source} (into the public graph {where})")


def _guard_privacy(added: Mapping[str, Sequence[ox.Triple]], public: Collection[str],
                   source: str) -> None:
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH, personal_data

    exposed = [g for g in added if g in public and g != PUBLIC_PERSONS_GRAPH and added[g]]
    data: ox.Store | None
    if any(isinstance(added[g], Serialized) for g in exposed):
        # an import: its triples into a store (the parse's, lent), read by its indexes
        data = _union(added[g] for g in exposed)
    else:
        data = _personal_store({g: added[g] for g in exposed})
        if data is None:
            return
    found = personal_data(data)
    if found:
        where = ", ".join(f"<{g}>" for g in exposed)
        raise ShapeViolation(found, source=f"{source} (into the public graph {where})")


def _personal_store(added: Mapping[str, Sequence[ox.Triple]]) -> ox.Store | None:
    """A store of the triples of ``added`` if one of them is personal (what
    ``personal_data`` looks for, found without building a store of the whole write)."""
    from graph.privacy.guard import may_be_personal

    exposed = list(added)
    if not any(may_be_personal(t) for g in exposed for t in added[g]):
        return None
    data = ox.Store()
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for g in exposed
                     for t in added[g])
    return data


def context(store: Store, data: ox.Store, subjects: Collection[str],
            written: Collection[str]) -> None:
    """Add to ``data`` what the other graphs of ``store`` say about its ``subjects`` (a node
    is validated as the union of the graphs shows it), then the ``rdf:type`` of the IRIs
    ``data`` points at without typing them (for ``sh:class``); the graphs being ``written``
    are left out, as their content is ``data``, and so are the graphs civicgraph derives."""
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH

    # the public view of persons copies consent records: derived, it follows the write
    derived = (PUBLIC_PERSONS_GRAPH, META_GRAPH, RESTRICTED_META_GRAPH)
    left_out = [f"<{g}>" for g in (*written, *derived) if g != DEFAULT_GRAPH]
    unless = f"FILTER(?g NOT IN ({', '.join(left_out)}))" if left_out else ""
    others = set(store.graphs()) - {*written, *derived}
    if not others:
        return   # no other named graph to read (a first import)
    described = sorted(s for s in subjects if not s.startswith("_:"))
    if len(described) > _SCAN_BELOW * _size(store, others):
        # the other graphs are small beside the write (the vocabulary, a few imports):
        # reading their subjects once costs less than looking up each subject written
        elsewhere = {row["s"].value for row in _rows(store.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {unless} "
            f"FILTER(isIRI(?s)) }}"))}
        described = [s for s in described if s in elsewhere]
    skipped = {*written, *derived}
    data.bulk_extend(list(_matching(store, described, "?s ?p ?o", skipped)))
    # the IRIs pointed at, less those typed here: two scans and a difference of sets cost a
    # fraction of one NOT EXISTS a row, which Oxigraph's memory store makes superlinear
    objects = {row[0].value for row in _select(data, f"""
        SELECT DISTINCT ?o {{ ?s ?p ?o FILTER(isIRI(?o) && ?p != <{RDF}type>) }}""")}
    objects.difference_update(row[0].value for row in _select(
        data, f"SELECT DISTINCT ?s {{ ?s <{RDF}type> ?t FILTER(isIRI(?s)) }}"))
    pointed = sorted(objects)
    data.bulk_extend(list(_matching(store, pointed, f"?s ?p ?o FILTER(?p = <{RDF}type>)",
                                    skipped)))


#: ``context`` reads the subjects of the other graphs when the write has this many times
#: more subjects than they hold triples
_SCAN_BELOW = 4


def _size(store: Store, graphs: Collection[str]) -> int:
    """The triples ``graphs`` hold as their descriptions say (``void:triples``); a graph
    without one counts as large."""
    rows = _rows(store.query(
        f"SELECT ?g ?n WHERE {{ GRAPH ?m {{ ?g <{VOID}triples> ?n }} }}",
        default_graph=[], named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH]))
    sizes = {row["g"].value: row["n"].value for row in rows}
    total = 0
    for graph in graphs:
        try:
            total += int(sizes[graph])
        except (KeyError, ValueError):
            return 1 << 62
    return total


def _rows(result: object) -> ox.QuerySolutions:
    assert isinstance(result, ox.QuerySolutions)
    return result


def _matching(store: Store, nodes: Sequence[str], pattern: str, skipped: Collection[str], *,
              batch: int = 500) -> Iterator[ox.Quad]:
    """The distinct triples matching ``pattern`` whose subject is one of ``nodes``, in the
    named graphs other than ``skipped``. The graphs are told apart here rather than by a
    ``FILTER(?g NOT IN (...))``, and the triples made distinct here: with that filter and
    DISTINCT, Oxigraph took 1.45 s for the 86 subjects of one organisation at 10^7 triples,
    against 0.36 s without them (the same 25,427 triples)."""
    seen: set[ox.Quad] = set()
    for start in range(0, len(nodes), batch):
        values = " ".join(f"<{iri}>" for iri in nodes[start:start + batch])
        rows = store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} "
                           f"GRAPH ?g {{ {pattern} }} }}")
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            subject, predicate, value, graph = row["s"], row["p"], row["o"], row["g"]
            assert isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode)
            if value is None or isinstance(value, ox.BlankNode) or graph is None or \
                    graph.value in skipped:
                continue
            quad = ox.Quad(subject, predicate, value)
            if quad not in seen:
                seen.add(quad)
                yield quad


__all__ = ["MANAGED", "check", "context", "key", "public_targets"]
