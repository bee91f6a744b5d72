"""The one write path: every door that changes the store goes through these stages.

1. **bounds** on the raw input before any parse (``bounds``, ``graph.ingest.bounds``: depth
   and length on tokens; the doors keep their size limits);
2. **parse** (``graph.ingest.loading.parse``, ``graph.ingest.graphstore.parse_triples``,
   ``graph.ingest.tabular``), run by the API outside the event loop (plain ``def`` routes);
3. **validate** the graphs as they would be after the write (``check``): against the core
   shapes, and public graphs also against the public-profile shapes; results are kept for the
   nodes the write touched. A node is checked as the union of the graphs shows it: what other
   graphs say about the nodes written is added, and nodes the data points at without
   describing them (an organisation of another graph) bring their ``rdf:type``, so
   ``sh:class`` holds across graphs. A write is refused for the violations it brings, not for
   those its nodes already had (checked again on the store as it is, only when refusing);
4. the **privacy guard** (``check``): no person, membership or consent record, nor a personal
   property, in a public graph (the public view of persons excepted);
5. **commit** all or nothing (``replace``, ``add``, ``drop``, ``apply_update``, ``erase``),
   each graph
   described by the one provenance builder (``graph.ingest.provenance``);
6. the caller refreshes the public view of persons when a restricted graph changed; snapshots
   and caches follow every write of the store (``graph.engine.snapshots``).

A write refused at stage 3 or 4 raises ``ShapeViolation`` (422 over HTTP) and changes nothing.
A SPARQL update is first run on a scratch copy of the graphs it may touch (``apply_update``),
validated there, then run on the store; one write at a time goes through this module.
The store's own default graph is named ``DEFAULT_GRAPH`` here and in the meta graph; it is
public unless its description says otherwise.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as replace_fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.errors import (
    InputError,
    NotFound,
    QuerySyntaxError,
    ShapeViolation,
    UpdateFailed,
    Violation,
)
from graph.ingest import validation
from graph.ingest.provenance import Provenance, describe, digest
from graph.namespaces import (
    CG,
    DERIVED_GRAPH,
    DPV,
    FOAF,
    META_GRAPH,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    STAGING_PREFIX,
    VOCABULARY_GRAPH,
    VOID,
)
from graph.privacy.access import RESTRICTED_META_GRAPH, public_graphs
from graph.store import Store
from graph.store.base import DEFAULT_GRAPH

if TYPE_CHECKING:
    from graph.privacy.persons import ForgetReport

#: one write through the path at a time in this process: an update's scratch run and its
#: commit see the same store
WRITE_LOCK = threading.RLock()
#: graphs civicgraph writes itself, never checked against the data shapes
MANAGED = frozenset({META_GRAPH, RESTRICTED_META_GRAPH, VOCABULARY_GRAPH, DERIVED_GRAPH})
_TYPE = ox.NamedNode(RDF + "type")
_OTHER_TARGETS = frozenset({SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf",
                            SH + "target"})
DEFAULT_TITLE = "The store's default graph"
_PERSONAL_NAMESPACES = (FOAF, DPV, ORG + "Membership", ORG + "member")


# -- stage 1 -----------------------------------------------------------------------------------

def bounds(data: bytes, syntax: str, *, source: str) -> None:
    """Refuse ``data`` (RDF in ``syntax``) whose nesting is beyond what the parsers are
    trusted with (``graph.ingest.bounds``: ``BoundExceeded``, a 400); the doors keep their own
    size limits (request bodies, uploads)."""
    from graph.ingest import bounds as checks

    checks.check(data, syntax, source=source)


# -- stages 3 and 4 ----------------------------------------------------------------------------

def public_targets(store: Store) -> set[str]:
    """The graphs a write checks as public: the public graphs, and the default graph unless
    its description makes it restricted."""
    public = set(public_graphs(store))
    restricted = store.query(
        f"ASK {{ GRAPH ?m {{ <{DEFAULT_GRAPH}> <{CG}access> <{CG}Restricted> }} }}",
        default_graph=[], named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH])
    if not bool(restricted):
        public.add(DEFAULT_GRAPH)
    return public


def check(store: Store, after: Mapping[str, Iterable[ox.Triple]], *, source: str,
          public: Collection[str] | None = None, focus: Collection[str] | None = None,
          added: Mapping[str, Iterable[ox.Triple]] | None = None,
          shapes: Path | Sequence[Path] | None = None, engine: validation.Engine = "auto",
          shape_check: bool = True) -> list[Violation]:
    """Stages 3 and 4 for the graphs of ``after`` (graph IRI -> its triples once written).

    ``focus``: the nodes the write touched (None: every subject of ``after``); ``added``:
    what the write adds to each graph (None: all of ``after``), the triples the privacy guard
    reads. Raises ``ShapeViolation`` listing the violations; returns the warnings."""
    public = public_targets(store) if public is None else set(public)
    checked = {g: list(t) for g, t in after.items()
               if g not in MANAGED and not g.startswith(STAGING_PREFIX)}
    _guard_privacy(checked if added is None else {g: list(t) for g, t in added.items()},
                   public, source)
    if not shape_check or not checked:
        return []
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH

    data = ox.Store()
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object)
                     for g, triples in checked.items() if g != PUBLIC_PERSONS_GRAPH
                     for t in triples)
    subjects = {_key(q.subject) for q in data.quads_for_pattern(None, None, None, None)}
    wanted = subjects if focus is None else subjects & set(focus)
    if not wanted:
        return []
    context(store, data, wanted, checked)
    core = _core(shapes)
    results = validation.validate(data, core, engine=engine) if _targeted(data, core) else []
    exposed = [g for g in checked if g in public and g != PUBLIC_PERSONS_GRAPH]
    if exposed and _mentions_persons(checked[g] for g in exposed):
        from graph.vocabulary import shapes_path

        profile = ox.Store()
        profile.bulk_extend(ox.Quad(t.subject, t.predicate, t.object)
                            for g in exposed for t in checked[g])
        results += validation.validate(profile, shapes_path("public"), vocabulary=())
    kept = [r for r in results if r.focus_node in wanted]
    found = _introduced(store, validation.errors(kept), shapes, engine)
    if found:
        raise ShapeViolation(found, source=source)
    return [r for r in kept if r.severity != "Violation"]


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


def _key(term: object) -> str:
    """A term as ``validation`` names focus nodes: an IRI, or ``_:id``."""
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _mentions_persons(graphs: Iterable[list[ox.Triple]]) -> bool:
    """Whether the public-profile shapes have anything to look at in ``graphs``."""
    return any(t.predicate.value.startswith(_PERSONAL_NAMESPACES)
               or (t.predicate == _TYPE and isinstance(t.object, ox.NamedNode)
                   and t.object.value.startswith(_PERSONAL_NAMESPACES))
               for triples in graphs for t in triples)


def _guard_privacy(added: Mapping[str, list[ox.Triple]], public: Collection[str],
                   source: str) -> None:
    from graph.privacy.persons import PUBLIC_PERSONS_GRAPH, personal_data

    exposed = [g for g in added if g in public and g != PUBLIC_PERSONS_GRAPH and added[g]]
    if not exposed:
        return
    data = ox.Store()
    data.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for g in exposed
                     for t in added[g])
    found = personal_data(data)
    if found:
        where = ", ".join(f"<{g}>" for g in exposed)
        raise ShapeViolation(found, source=f"{source} (into the public graph {where})")


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
    described = sorted(s for s in subjects if not s.startswith("_:"))
    data.bulk_extend(list(_matching(store, described, "?s ?p ?o", unless)))
    typed = {q.subject for q in data.quads_for_pattern(None, _TYPE, None, None)}
    pointed = sorted({q.object.value for q in data.quads_for_pattern(None, None, None, None)
                      if isinstance(q.object, ox.NamedNode) and q.predicate != _TYPE
                      and q.object not in typed})
    data.bulk_extend(list(_matching(store, pointed, f"?s ?p ?o FILTER(?p = <{RDF}type>)",
                                    unless)))


def _matching(store: Store, nodes: Sequence[str], pattern: str, unless: str, *,
              batch: int = 500) -> Iterator[ox.Quad]:
    for start in range(0, len(nodes), batch):
        values = " ".join(f"<{iri}>" for iri in nodes[start:start + batch])
        rows = store.query(f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} "
                           f"GRAPH ?g {{ {pattern} }} {unless} }}")
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            subject, predicate, value = row["s"], row["p"], row["o"]
            assert isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode)
            if value is not None and not isinstance(value, ox.BlankNode):
                yield ox.Quad(subject, predicate, value)


# -- stage 5: the doors' commits ---------------------------------------------------------------

@dataclass
class Written:
    """What a commit wrote: each graph's size after it, the graphs it created."""

    graphs: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def read(store: Store, graph: str) -> list[ox.Triple]:
    """The triples ``graph`` holds (``DEFAULT_GRAPH``: the store's own default graph)."""
    result = store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[graph],
                         named_graphs=[])
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return list(result)


def holds_data(store: Store, graph: str) -> bool:
    if graph != DEFAULT_GRAPH:
        return graph in store.graphs()
    found = store.query("ASK { ?s ?p ?o }", default_graph=[DEFAULT_GRAPH], named_graphs=[])
    return bool(found)


def redescribe(store: Store, graph: str, provenance: Provenance, triples: int) -> list[ox.Triple]:
    """The description ``graph`` gets after a Graph Store write or an update: the public one
    kept (title, source, licence, access) with the last write (who, when), size and digest
    brought up to date; the default graph gets a full one when it has none; other graphs
    without a public description get none (they stay restricted until one is given)."""
    found = store.query(f"CONSTRUCT WHERE {{ <{graph}> ?p ?o }}", default_graph=[META_GRAPH],
                        named_graphs=[])
    assert not isinstance(found, (ox.QuerySolutions, ox.QueryBoolean))
    kept = list(found)
    if not kept:
        if graph != DEFAULT_GRAPH:
            return []
        return describe(graph, replace_fields(provenance, title=DEFAULT_TITLE), triples)
    fresh = {t.predicate.value: t for t in describe(graph, provenance, triples)}
    updated = (PROV + "generatedAtTime", CG + "importedBy", VOID + "triples", CG + "sha256")
    return [*(t for t in kept if t.predicate.value not in updated),
            *(fresh[p] for p in updated)]


def _data_block(triples: Iterable[ox.Triple]) -> str:
    return (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def _graph_block(graph: str, body: str) -> str:
    return body if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{\n{body}}}"


def _describing(graphs: Iterable[str], metadata: list[ox.Triple]) -> list[str]:
    operations = [f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{g}> ?p ?o }} }}" for g in graphs]
    if metadata:
        operations.append(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{_data_block(metadata)}}} }}")
    return operations


def _writable(graph: str) -> None:
    if graph in (META_GRAPH, RESTRICTED_META_GRAPH) or graph.startswith(STAGING_PREFIX):
        raise InputError(f"<{graph}> is written by civicgraph itself")


def replace(store: Store, contents: Mapping[str, Sequence[ox.Triple]],
            provenance: Provenance | Mapping[str, Provenance] | None, *, source: str,
            who: str = "civicgraph", validate: bool = True, public: Collection[str] | None = None,
            shapes: Path | Sequence[Path] | None = None,
            engine: validation.Engine = "auto") -> Written:
    """Replace each graph of ``contents`` with its triples, all in one transaction, after the
    checks. ``provenance`` (one for all, or one per graph) describes every graph anew; None
    keeps each description, the last write (by ``who``) brought up to date (the Graph Store).
    ``public``: the graphs checked as public (by default ``public_targets``)."""
    for graph in contents:
        _writable(graph)
    with WRITE_LOCK:
        started = time.perf_counter()
        warnings = check(store, contents, source=source, public=public, shapes=shapes,
                         engine=engine, shape_check=validate)
        checked = time.perf_counter() - started
        created = [g for g in contents if not holds_data(store, g)]
        metadata: list[ox.Triple] = []
        for graph, triples in contents.items():
            writer = provenance.get(graph) if isinstance(provenance, Mapping) else provenance
            writer = writer or Provenance(source="Graph Store", imported_by=who)
            sized = writer if writer.sha256 else writer.with_digest(digest(triples))
            metadata += describe(graph, sized, len(triples)) if provenance is not None \
                else redescribe(store, graph, sized, len(triples))
        started = time.perf_counter()
        if DEFAULT_GRAPH in contents:
            _replace_default(store, contents, metadata)
        else:
            store.replace_graphs(dict(contents), metadata=metadata)
        return Written({g: len(t) for g, t in contents.items()}, created, warnings,
                       {"validate": checked, "write": time.perf_counter() - started})


def _replace_default(store: Store, contents: Mapping[str, Sequence[ox.Triple]],
                     metadata: list[ox.Triple]) -> None:
    """One update replacing the default graph (and any named graph beside it)."""
    operations = []
    for graph, triples in contents.items():
        operations.append("DROP SILENT DEFAULT" if graph == DEFAULT_GRAPH
                          else f"DROP SILENT GRAPH <{graph}>")
        if triples:
            operations.append(f"INSERT DATA {{ {_graph_block(graph, _data_block(triples))} }}")
    store.update(" ;\n".join([*operations, *_describing(contents, metadata)]))


def add(store: Store, graph: str, triples: Sequence[ox.Triple], *, who: str,
        source: str) -> Written:
    """Add ``triples`` to ``graph`` (one update) once the graph as it would be passes the
    checks; its description keeps up."""
    _writable(graph)
    with WRITE_LOCK:
        existed = holds_data(store, graph)
        before = read(store, graph) if existed else []
        after = list(dict.fromkeys([*before, *triples]))
        focus = {_key(n) for t in triples for n in (t.subject, t.object)}
        warnings = check(store, {graph: after}, source=source, focus=focus,
                         added={graph: triples})
        moment = Provenance(source="Graph Store", imported_by=who)
        metadata = redescribe(store, graph, moment.with_digest(digest(after)), len(after))
        store.update(" ;\n".join([
            f"INSERT DATA {{ {_graph_block(graph, _data_block(triples))} }}",
            *_describing([graph], metadata)]))
        return Written({graph: len(after)}, [] if existed else [graph], warnings)


def drop(store: Store, graph: str, *, who: str) -> None:
    """Remove ``graph`` and its description (the default graph: its content, its description
    kept with the last write); ``NotFound`` for a named graph that holds nothing."""
    _writable(graph)
    with WRITE_LOCK:
        if graph != DEFAULT_GRAPH:
            if graph not in store.graphs():
                raise NotFound(f"graph <{graph}>")
            store.drop_graph(graph)
            return
        metadata = redescribe(store, graph, Provenance(source="Graph Store", imported_by=who,
                                                       sha256=digest([])), 0)
        store.update(" ;\n".join(["DROP SILENT DEFAULT", *_describing([graph], metadata)]))


def erase(store: Store, person: str, *, threshold: int) -> ForgetReport:
    """Erase every triple about ``person`` (``graph.privacy.persons.forget``: one update, the
    sizes in the meta graph brought up to date, then the public view of persons) as one write
    of the write path. The shapes are not asked: an erasure is owed to the person, whatever it
    leaves behind (the report lists the sources to clean)."""
    from graph.privacy.persons import forget

    with WRITE_LOCK:
        return forget(store, person, threshold=threshold)


# -- SPARQL Update -----------------------------------------------------------------------------

def apply_update(store: Store, text: str, *, who: str, source: str = "the update") -> Written:
    """Run the SPARQL update ``text`` through the write path: on a scratch copy of the graphs
    it may touch first, whose changed graphs are checked (the nodes it touched, as they would
    be), then on the store with the touched graphs' descriptions brought up to date, in one
    transaction. Raises ``ShapeViolation`` or ``UpdateFailed``; nothing is written then."""
    from graph.ingest.bounds import check_sparql
    from graph.sparql.update_guard import graphs_of, refuse_personal_updates

    check_sparql(text, update=True)
    with WRITE_LOCK:
        started = time.perf_counter()
        refuse_personal_updates(store, text)
        named, every = graphs_of(text)
        copied = store.graphs() if every else [g for g in store.graphs() if g in named]
        scratch, before = _scratch(store, [DEFAULT_GRAPH, *copied])
        try:
            scratch.update(text)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error.msg or error)) from None
        except (RuntimeError, OSError, ValueError) as error:
            raise UpdateFailed(str(error)) from None
        changes = _changes(scratch, before)
        touched = {g: after for g, (after, _, _) in changes.items()}
        added = {g: plus for g, (_, plus, _) in changes.items()}
        focus = {_key(n) for _, plus, minus in changes.values() for t in (*plus, *minus)
                 for n in (t.subject, t.object)}
        warnings = check(store, touched, source=source, focus=focus, added=added)
        checked = time.perf_counter() - started
        started = time.perf_counter()
        provenance = Provenance(source="SPARQL Update", imported_by=who)
        metadata: list[ox.Triple] = []
        described = []
        for graph, after in touched.items():
            found = redescribe(store, graph, provenance.with_digest(digest(after)), len(after))
            if found:
                described.append(graph)
                metadata += found
        try:
            store.update("\n;\n".join([text.strip().rstrip(";"),
                                        *_describing(described, metadata)])
                         if described else text)
        except RuntimeError as error:   # e.g. CREATE of a graph the copy did not hold
            raise UpdateFailed(str(error)) from None
        return Written({g: len(t) for g, t in touched.items()}, [], warnings,
                       {"validate": checked, "write": time.perf_counter() - started})


def _scratch(store: Store, graphs: Sequence[str]) -> tuple[ox.Store, dict[str, set[ox.Triple]]]:
    """A memory store holding ``graphs`` of ``store``, and their triples."""
    scratch = ox.Store()
    before: dict[str, set[ox.Triple]] = {}
    for graph in graphs:
        triples = read(store, graph)
        before[graph] = set(triples)
        name: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if graph == DEFAULT_GRAPH \
            else ox.NamedNode(graph)
        scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return scratch, before


def _changes(scratch: ox.Store, before: Mapping[str, set[ox.Triple]]
             ) -> dict[str, tuple[list[ox.Triple], list[ox.Triple], list[ox.Triple]]]:
    """Graph -> (its triples after, added, removed), for the graphs that changed."""
    names: list[Any] = [ox.DefaultGraph(), *scratch.named_graphs()]
    out = {}
    seen = set()
    for name in names:
        graph = DEFAULT_GRAPH if isinstance(name, ox.DefaultGraph) else _key(name)
        seen.add(graph)
        after = {q.triple for q in scratch.quads_for_pattern(None, None, None, name)}
        old = before.get(graph, set())
        if after != old:
            out[graph] = (list(after), list(after - old), list(old - after))
    for graph, old in before.items():
        if graph not in seen and old:
            out[graph] = ([], [], list(old))
    return out


__all__ = ["WRITE_LOCK", "UpdateFailed", "Written", "add", "apply_update", "bounds", "check",
           "context", "drop", "erase", "public_targets", "read", "redescribe", "replace"]
