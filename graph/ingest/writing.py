"""The one write path: every door that changes the store goes through these stages.

1. **bounds** on the raw input before any parse (``bounds``, ``graph.ingest.bounds``: depth
   and length on tokens; the doors keep their size limits);
2. **parse** (``graph.ingest.loading.parse``, ``graph.ingest.graphstore.parse_triples``,
   ``graph.ingest.tabular``), run by the API outside the event loop (plain ``def`` routes);
3. **validate** the graphs as they would be after the write against the core shapes, and
   public graphs also against the public-profile shapes, keeping the results of the nodes the
   write touched and refusing for the violations it brings (``graph.ingest.checking``);
4. the **privacy guard** (``graph.ingest.checking``): no person, membership or consent
   record, nor a personal property, in a public graph (the public view of persons excepted);
5. **commit** all or nothing (``replace``, ``add``, ``drop``, ``apply_update``, ``erase``),
   each graph described by the one provenance builder (``graph.ingest.provenance``). A
   replacement hands its checks (stages 3 and 4) to the store, which may run them while it
   writes the new content where no reader sees it (the embedded stores load it on another
   thread; an import's own bytes, parsed for the checks meanwhile: ``graph.store.content``);
   nothing is committed unless they pass;
6. the caller refreshes the public view of persons when a restricted graph changed; snapshots
   and caches follow every write of the store (``graph.engine.snapshots``).

A write refused at stage 3 or 4 raises ``ShapeViolation`` (422 over HTTP) and changes nothing.
A SPARQL update is first run on a scratch copy of the graphs it may touch (``apply_update``),
validated there, then run on the store; one write at a time goes through this module.
The store's own default graph is named ``DEFAULT_GRAPH`` here and in the meta graph; it is
public unless its description says otherwise.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as replace_fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.errors import (
    InputError,
    NotFound,
    QuerySyntaxError,
    UpdateFailed,
    Violation,
)
from graph.ingest import validation
from graph.ingest.checking import check, key, public_targets
from graph.ingest.nondeterministic import commit_operations, empty_graphs, nondeterministic
from graph.ingest.provenance import Access, Provenance, describe, digest
from graph.namespaces import (
    CG,
    META_GRAPH,
    PROV,
    STAGING_PREFIX,
    VOID,
)
from graph.privacy.access import RESTRICTED_META_GRAPH, described_in, is_described, new_access
from graph.privacy.persons import PUBLIC_PERSONS_GRAPH
from graph.store import Store
from graph.store.base import DEFAULT_GRAPH

if TYPE_CHECKING:
    from graph.privacy.persons import ForgetReport

#: one write through the path at a time in this process: an update's scratch run and its
#: commit see the same store
WRITE_LOCK = threading.RLock()
#: graphs civicgraph writes itself, never checked against the data shapes
DEFAULT_TITLE = "The store's default graph"


# -- stage 1 -----------------------------------------------------------------------------------

def bounds(data: bytes, syntax: str, *, source: str) -> None:
    """Refuse ``data`` (RDF in ``syntax``) whose nesting is beyond what the parsers are
    trusted with (``graph.ingest.bounds``: ``BoundExceeded``, a 400); the doors keep their own
    size limits (request bodies, uploads)."""
    from graph.ingest import bounds as checks

    checks.check(data, syntax, source=source)


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


def redescribe(store: Store, graph: str, provenance: Provenance, triples: int, *,
               default_access: Access = "public") -> list[ox.Triple]:
    """The description ``graph`` gets after a Graph Store write or an update: the one found
    in either meta graph kept (title, source, licence, access) with the last write (who,
    when), size and digest brought up to date; a graph without one (the default graph, or a
    graph the write creates) gets a full one, at the access level
    ``graph.privacy.access.new_access`` gives it (``default_access`` unless restricted by its
    IRI)."""
    found = store.query(f"CONSTRUCT {{ <{graph}> ?p ?o }} "
                        f"WHERE {{ GRAPH ?m {{ <{graph}> ?p ?o }} }}", default_graph=[],
                        named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH])
    assert not isinstance(found, (ox.QuerySolutions, ox.QueryBoolean))
    kept = list(found)
    if not kept:
        title = DEFAULT_TITLE if graph == DEFAULT_GRAPH else provenance.title or f"<{graph}>"
        access: Access = "restricted" if new_access(graph, default_access) == "restricted" \
            else "public"
        return describe(graph, replace_fields(provenance, title=title, access=access), triples)
    fresh = {t.predicate.value: t for t in describe(graph, provenance, triples)}
    updated = (PROV + "generatedAtTime", CG + "importedBy", VOID + "triples", CG + "sha256")
    return [*(t for t in kept if t.predicate.value not in updated),
            *(fresh[p] for p in updated)]


def _data_block(triples: Iterable[ox.Triple]) -> str:
    return (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def _graph_block(graph: str, body: str) -> str:
    return body if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{\n{body}}}"


def _describing(graphs: Iterable[str], metadata: list[ox.Triple]) -> list[str]:
    """The operations replacing the descriptions of ``graphs`` with ``metadata``: those of
    graphs that are not public go straight to ``RESTRICTED_META_GRAPH`` (curators only)."""
    operations = [f"DELETE WHERE {{ GRAPH <{meta}> {{ <{g}> ?p ?o }} }}"
                  for g in graphs for meta in (META_GRAPH, RESTRICTED_META_GRAPH)]
    restricted = {t.subject for t in metadata
                  if t.predicate.value == CG + "access"
                  and not (isinstance(t.object, ox.NamedNode) and t.object.value == CG + "Public")}
    restricted |= {t.subject for t in metadata if isinstance(t.subject, ox.NamedNode)
                   and new_access(t.subject.value) == "restricted"}
    for meta, part in ((META_GRAPH, [t for t in metadata if t.subject not in restricted]),
                       (RESTRICTED_META_GRAPH, [t for t in metadata if t.subject in restricted])):
        if part:
            operations.append(f"INSERT DATA {{ GRAPH <{meta}> {{\n{_data_block(part)}}} }}")
    return operations


#: the graphs that hold each graph's description (size, digest, moment, provenance, access):
#: written by this module only, never by a client's update or Graph Store write
MAINTAINED = (META_GRAPH, RESTRICTED_META_GRAPH)


def _maintained(graph: str, how: str = "") -> InputError:
    return InputError(f"<{graph}> is maintained by civicgraph (each graph's description: "
                      f"size, digest, provenance, access level){how}: it is written by "
                      "civicgraph itself, through its write path, never by a client")


def _derived() -> InputError:
    return InputError(f"<{PUBLIC_PERSONS_GRAPH}> is derived by civicgraph (the public view of "
                      "persons, from the consent records and memberships of the restricted "
                      "graphs) and written anew after each write: write those records instead")


def _writable(graph: str) -> None:
    if graph in MAINTAINED:
        raise _maintained(graph)
    if graph == PUBLIC_PERSONS_GRAPH:
        raise _derived()
    if graph.startswith(STAGING_PREFIX):
        raise InputError(f"<{graph}> is written by civicgraph itself")


def replace(store: Store, contents: Mapping[str, Sequence[ox.Triple]],
            provenance: Provenance | Mapping[str, Provenance] | None, *, source: str,
            who: str = "civicgraph", validate: bool = True, public: Collection[str] | None = None,
            shapes: Path | Sequence[Path] | None = None,
            engine: validation.Engine = "auto", default_access: Access = "public") -> Written:
    """Replace each graph of ``contents`` with its triples, all in one transaction, after the
    checks. ``provenance`` (one for all, or one per graph) describes every graph anew; None
    keeps each description, the last write (by ``who``) brought up to date (the Graph Store).
    ``public``: the graphs checked as public (by default ``public_targets``);
    ``default_access``: the level of a graph described for the first time (``redescribe``)."""
    for graph in contents:
        _writable(graph)
    with WRITE_LOCK:
        started = time.perf_counter()
        created = [g for g in contents if not holds_data(store, g)]

        def described() -> Iterator[ox.Triple]:
            # read by the store once the checks are done: the size of an import parsed
            # alongside the write is known then (``graph.store.content``)
            for graph, triples in contents.items():
                writer = provenance.get(graph) if isinstance(provenance, Mapping) \
                    else provenance
                writer = writer or Provenance(source="Graph Store", imported_by=who)
                sized = writer if writer.sha256 else writer.with_digest(digest(triples))
                yield from describe(graph, sized, len(triples)) if provenance is not None \
                    else redescribe(store, graph, sized, len(triples),
                                    default_access=default_access)

        metadata = _Later(described)
        warnings: list[Violation] = []
        checked = 0.0

        def checks() -> None:
            nonlocal checked
            begun = time.perf_counter()
            warnings.extend(check(store, contents, source=source, public=public, shapes=shapes,
                                  engine=engine, shape_check=validate,
                                  default_access=default_access))
            for triples in contents.values():
                len(triples)   # an import not parsed by the checks is parsed (and counted) here
            checked = time.perf_counter() - begun

        if DEFAULT_GRAPH in contents:
            checks()
            _replace_default(store, contents, list(metadata))
        else:
            # the store may write the new content, hidden, while the checks run
            store.replace_graphs(dict(contents), metadata=metadata, checking=checks)
        # "write": the time the write took beyond the checks it ran alongside
        return Written({g: len(t) for g, t in contents.items()}, created, warnings,
                       {"validate": checked,
                        "write": time.perf_counter() - started - checked})


class _Later(Iterable[ox.Triple]):
    """The triples ``make`` gives, made when first read (then kept)."""

    def __init__(self, make: Callable[[], Iterable[ox.Triple]]) -> None:
        self._make = make
        self._made: list[ox.Triple] | None = None

    def __iter__(self) -> Iterator[ox.Triple]:
        if self._made is None:
            self._made = list(self._make())
        return iter(self._made)


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
        source: str, default_access: Access = "public") -> Written:
    """Add ``triples`` to ``graph`` (one update) once the graph as it would be passes the
    checks; its description keeps up (``redescribe``)."""
    _writable(graph)
    with WRITE_LOCK:
        existed = holds_data(store, graph)
        before = read(store, graph) if existed else []
        after = list(dict.fromkeys([*before, *triples]))
        focus = {key(n) for t in triples for n in (t.subject, t.object)}
        warnings = check(store, {graph: after}, source=source, focus=focus,
                         added={graph: triples}, default_access=default_access)
        moment = Provenance(source="Graph Store", imported_by=who)
        metadata = redescribe(store, graph, moment.with_digest(digest(after)), len(after),
                              default_access=default_access)
        store.update(" ;\n".join([
            f"INSERT DATA {{ {_graph_block(graph, _data_block(triples))} }}",
            *_describing([graph], metadata)]))
        return Written({graph: len(after)}, [] if existed else [graph], warnings)


def drop(store: Store, graph: str, *, who: str, default_access: Access = "public") -> None:
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
                                                       sha256=digest([])), 0,
                                  default_access=default_access)
        store.update(" ;\n".join(["DROP SILENT DEFAULT", *_describing([graph], metadata)]))


def describe_default(store: Store, access: Access) -> bool:
    """Describe the store's default graph at ``access`` when no description names it yet (a
    server started with a restricted default), so that readers find it restricted before the
    first write; whether it wrote."""
    with WRITE_LOCK:
        if is_described(store, DEFAULT_GRAPH):
            return False
        size = len(read(store, DEFAULT_GRAPH))
        provenance = Provenance(source="civicgraph", imported_by="civicgraph", title=DEFAULT_TITLE,
                                access=access, sha256=digest(read(store, DEFAULT_GRAPH)))
        store.update(" ;\n".join(_describing([DEFAULT_GRAPH],
                                              describe(DEFAULT_GRAPH, provenance, size))))
        return True


def erase(store: Store, person: str, *, threshold: int) -> ForgetReport:
    """Erase every triple about ``person`` (``graph.privacy.persons.forget``: one update, the
    sizes in the meta graph brought up to date, then the public view of persons) as one write
    of the write path. The shapes are not asked: an erasure is owed to the person, whatever it
    leaves behind (the report lists the sources to clean)."""
    from graph.privacy.persons import forget

    with WRITE_LOCK:
        return forget(store, person, threshold=threshold)


# -- SPARQL Update -----------------------------------------------------------------------------

def apply_update(store: Store, text: str, *, who: str, source: str = "the update",
                 default_access: Access = "public", using: Sequence[str] = (),
                 using_named: Sequence[str] = ()) -> Written:
    """Run the SPARQL update ``text`` through the write path: read first in a parser process
    (``graph.engine.parsing``: ``using``/``using_named``, the protocol's ``using-graph-uri``
    and ``using-named-graph-uri``, written in; bounds; SERVICE and LOAD refused; the privacy
    guard's reading), then run on a scratch copy of the graphs it may touch, whose changed
    graphs are checked (the nodes it touched, as they would be), then on the store with the
    touched graphs' descriptions brought up to date, in one transaction. Every graph it changes
    or creates is described (``redescribe``: a new one at ``default_access``). An update that
    would write a ``MAINTAINED`` graph is an ``InputError`` naming it: one that spells a write
    to it (``INSERT DATA``/``DELETE DATA`` into it), or whose scratch run changes it (by name,
    through ``GRAPH ?g``, ``MOVE``/``COPY``/``ADD``: the scratch copy holds every graph the
    update may touch, these included). ``CLEAR``/``DROP`` ``ALL`` or ``NAMED`` (SPARQL 1.1
    Update's, which the W3C tests require) empty them with the rest, and every graph
    described before is described anew in the same transaction, its access level kept: the
    graphs emptied with size 0, those left as they were (the default graph, by ``NAMED``)
    as they are. An update calling ``RAND()``, ``NOW()``, ``UUID()``, ``STRUUID()`` or
    ``BNODE()`` is not run again on the store: its checked run's changes are written
    (``graph.ingest.nondeterministic``). Raises
    ``QuerySyntaxError``, ``ForbiddenOperation``, ``BoundExceeded``, ``ShapeViolation``,
    ``InputError`` or ``UpdateFailed``; nothing is written then."""
    from graph.engine.parsing import parsers
    from graph.errors import ShapeViolation
    from graph.sparql.update_guard import clears_every_graph

    reader = parsers()
    prepared = reader.prepare_update(text, using, using_named)
    text = prepared.text
    if prepared.data_only:
        for graph in sorted(prepared.named & set(MAINTAINED)):
            raise _maintained(graph, " (named by INSERT DATA or DELETE DATA)")
        if PUBLIC_PERSONS_GRAPH in prepared.named:
            raise _derived()
    named, every = set(prepared.named), prepared.every

    def guarded(public: frozenset[str]) -> None:
        personal = reader.update_findings(text, public)
        if personal:
            raise ShapeViolation(personal, source="the update")

    read: frozenset[str] | None = None
    if not prepared.data_only:
        # the privacy guard's reading (rdflib: tens of seconds for a large VALUES block) is
        # made before the write lock, other writes going on meanwhile; made again within it
        # if the public graphs changed since. The graphs the update names that it would
        # create public are public to the guard already
        read = frozenset(public_targets(store, default_access=default_access,
                                        written=sorted(named)))
        guarded(read)
    with WRITE_LOCK:
        started = time.perf_counter()
        if read is not None:
            public = frozenset(public_targets(store, default_access=default_access,
                                              written=sorted(named)))
            if public != read:
                guarded(public)
        copied = store.graphs() if every else [g for g in store.graphs() if g in named]
        scratch, before = _scratch(store, [DEFAULT_GRAPH, *copied])
        existed = empty_graphs(store, scratch, None if every else named)
        before.update({graph: set() for graph in existed})
        try:
            scratch.update(text)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error.msg or error)) from None
        except (RuntimeError, OSError, ValueError) as error:
            raise UpdateFailed(str(error)) from None
        if ox.NamedNode(DEFAULT_GRAPH) in scratch.named_graphs():
            raise InputError(f"<{DEFAULT_GRAPH}> is the name civicgraph gives the store's "
                             "default graph in its descriptions, not a named graph: write the "
                             "default graph without GRAPH, or name another graph")
        changes = _changes(scratch, before)
        wiped = every and clears_every_graph(text)   # CLEAR/DROP ALL or NAMED
        emptied = False   # the meta graphs by such a wipe: every description written anew
        for graph in MAINTAINED:
            if graph in changes:
                if wiped:
                    emptied = True
                    continue
                raise _maintained(graph)
        if PUBLIC_PERSONS_GRAPH in changes and not wiped:
            raise _derived()
        changes = {g: change for g, change in changes.items() if g not in MAINTAINED}
        touched = {g: after for g, (after, _, _) in changes.items()}
        added = {g: plus for g, (_, plus, _) in changes.items()}
        focus = {key(n) for _, plus, minus in changes.values() for t in (*plus, *minus)
                 for n in (t.subject, t.object)}
        warnings = check(store, touched, source=source, focus=focus, added=added,
                         default_access=default_access)
        # graphs the update creates empty (CREATE) are described too
        created = [key(g) for g in scratch.named_graphs() if key(g) not in before]
        touched_or_created = {**{g: [] for g in created}, **touched}
        if emptied:   # the graphs it left as they were keep their descriptions (access)
            for graph in {*described_in(store, META_GRAPH),
                          *described_in(store, RESTRICTED_META_GRAPH)} - set(MAINTAINED):
                if graph not in touched_or_created and graph in before:
                    touched_or_created[graph] = list(before[graph])
        checked = time.perf_counter() - started
        started = time.perf_counter()
        provenance = Provenance(source="SPARQL Update", imported_by=who)
        metadata: list[ox.Triple] = []
        described = []
        for graph, after in touched_or_created.items():
            if graph.startswith(STAGING_PREFIX) or graph in MAINTAINED:
                continue
            if not after and graph != DEFAULT_GRAPH and graph not in created \
                    and not is_described(store, graph):
                continue   # emptied (DROP, CLEAR) and never described: nothing to say
            found = redescribe(store, graph, provenance.with_digest(digest(after)), len(after),
                               default_access=default_access)
            if found:
                described.append(graph)
                metadata += found
        if nondeterministic(text):   # its second run may differ: the checked one is written
            unread = [g for g in changes if g not in before and holds_data(store, g)]
            if unread:   # the copy lacked a graph the run wrote: its changes are not whole
                raise InputError(f"this update writes <{unread[0]}> in a way civicgraph could "
                                 "not foresee from its text (a relative IRI?): name the graph "
                                 "with its full IRI")
            operations = commit_operations(
                changes, created, map(key, scratch.named_graphs()),
                [g for g in MAINTAINED if emptied], existed=[*existed, *copied],
                held=(t for triples in before.values() for t in triples))
        else:
            operations = [text.strip().rstrip(";")]
        operations += _describing(described, metadata) if described else []
        if not operations:
            return Written({}, [], warnings, {"validate": checked, "write": 0.0})
        try:
            store.update("\n;\n".join(operations))
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
        graph = DEFAULT_GRAPH if isinstance(name, ox.DefaultGraph) else key(name)
        seen.add(graph)
        after = {q.triple for q in scratch.quads_for_pattern(None, None, None, name)}
        old = before.get(graph, set())
        if after != old:
            out[graph] = (list(after), list(after - old), list(old - after))
    for graph, old in before.items():
        if graph not in seen and old:
            out[graph] = ([], [], list(old))
    return out


__all__ = ["WRITE_LOCK", "UpdateFailed", "Written", "add", "apply_update", "bounds",
           "describe_default", "drop", "erase", "read", "redescribe", "replace"]
