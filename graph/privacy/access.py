"""Which named graphs the public may read, and where restricted graphs are described.

A named graph is public only when the meta graph says ``cg:access cg:Public`` about it and
its IRI is not under ``…/graph/restricted/``. A graph with no description is not public:
an import that forgot its access level must not leak.

The meta graph is public, so it describes public graphs only. Writers (imports, loads, the
Graph Store) first describe every graph there; ``seclude_descriptions`` then moves the
description of each graph that is not public (its title, source, importer, size, digest and
dates: even its existence) to ``RESTRICTED_META_GRAPH``, which only curators read. The public
view of persons is derived after every write of restricted data
(``graph.privacy.persons.refresh_public_view``) and calls it, so a restricted description stays
public only for the moment between the write's transaction and that refresh (or, after a
crash there, until the server starts again: ``civicgraph serve`` refreshes the view).
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import CG, META_GRAPH, RESTRICTED_PREFIX, STAGING_PREFIX, VOID, XSD
from graph.store import DEFAULT_GRAPH, Store

#: the descriptions of the graphs that are not public (curators only)
RESTRICTED_META_GRAPH = RESTRICTED_PREFIX + "meta"

_PUBLIC_GRAPHS = f"""
SELECT ?g WHERE {{
  GRAPH <{META_GRAPH}> {{ ?g <{CG}access> <{CG}Public> }}
}} ORDER BY ?g
"""
_DESCRIBED = "SELECT DISTINCT ?g WHERE { GRAPH ?m { ?g ?p ?o } FILTER(isIRI(?g)) }"


def public_graphs(store: Store) -> list[str]:
    """The IRIs of the public named graphs, the meta graph included, sorted."""
    result = store.query(_PUBLIC_GRAPHS, default_graph=[META_GRAPH])
    assert isinstance(result, ox.QuerySolutions)
    found = {
        row["g"].value for row in result
        if isinstance(row["g"], ox.NamedNode)
        and not row["g"].value.startswith((RESTRICTED_PREFIX, STAGING_PREFIX))
    }
    found.add(META_GRAPH)
    return sorted(found)


def default_graph_is_public(store: Store) -> bool:
    """Whether the store's own default graph (``DEFAULT_GRAPH``) may be read anonymously: it
    is public unless a description in the meta graphs makes it ``cg:Restricted``."""
    restricted = store.query(
        f"ASK {{ GRAPH ?m {{ <{DEFAULT_GRAPH}> <{CG}access> <{CG}Restricted> }} }}",
        default_graph=[], named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH])
    return not bool(restricted)


def new_access(graph: str, default_access: str = "public") -> str:
    """The access level a write gives ``graph`` when it finds no description of it: the
    deployment's ``default_access`` (``public`` or ``restricted``), restricted anyway under
    ``…/graph/restricted/`` and for staging graphs.

    >>> new_access("https://e.org/g"), new_access("https://e.org/g", "restricted")
    ('public', 'restricted')
    """
    if graph.startswith((RESTRICTED_PREFIX, STAGING_PREFIX)):
        return "restricted"
    return default_access


def is_described(store: Store, graph: str) -> bool:
    """Whether either meta graph describes ``graph``."""
    return bool(store.query(f"ASK {{ GRAPH ?m {{ <{graph}> ?p ?o }} }}", default_graph=[],
                            named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH]))


def is_public(store: Store, graph: str) -> bool:
    """Whether ``graph`` may be read anonymously."""
    return graph in public_graphs(store)


def described_in(store: Store, meta: str) -> list[str]:
    """The graphs (IRIs) that ``meta`` describes, sorted."""
    result = store.query(_DESCRIBED, default_graph=[], named_graphs=[meta])
    assert isinstance(result, ox.QuerySolutions)
    return sorted(row["g"].value for row in result)


def seclude_descriptions(store: Store) -> list[str]:
    """Move the descriptions of the graphs that are not public from the meta graph to
    ``RESTRICTED_META_GRAPH`` (a newer one replaces the one found there), drop from it those
    of graphs now public or gone, and bring the sizes (``void:triples``) it records up to
    date; one update. Returns the graphs it describes afterwards. Staging graphs are left
    alone: their writer removes their descriptions."""
    public = set(public_graphs(store))
    existing = {*store.graphs(), DEFAULT_GRAPH}   # the default graph is always there
    moving = [g for g in described_in(store, META_GRAPH)
              if g not in public and not g.startswith(STAGING_PREFIX)]
    held = described_in(store, RESTRICTED_META_GRAPH)
    dropped = [g for g in held if g in public or g not in existing]
    kept = sorted((set(held) - set(dropped)) | set(moving))
    meta, secluded = f"<{META_GRAPH}>", f"<{RESTRICTED_META_GRAPH}>"
    operations = [f"DELETE WHERE {{ GRAPH {secluded} {{ <{g}> ?p ?o }} }}"
                  for g in (*moving, *dropped)]
    for g in moving:
        operations += [
            f"INSERT {{ GRAPH {secluded} {{ <{g}> ?p ?o }} }} "
            f"WHERE {{ GRAPH {meta} {{ <{g}> ?p ?o }} }}",
            f"DELETE WHERE {{ GRAPH {meta} {{ <{g}> ?p ?o }} }}",
        ]
    recorded = _sizes(store) if kept else {}
    for g in kept:
        size = store.count(g) if g in existing and g != DEFAULT_GRAPH else None
        if size is not None and g in recorded and recorded[g] != size:
            operations.append(
                f"DELETE {{ GRAPH {secluded} {{ <{g}> <{VOID}triples> ?n }} }} "
                f"INSERT {{ GRAPH {secluded} {{ <{g}> <{VOID}triples> {_integer(size)} }} }} "
                f"WHERE {{ GRAPH {secluded} {{ <{g}> <{VOID}triples> ?n }} }}")
    if operations:
        store.update(" ;\n".join(operations))
    return kept


def _sizes(store: Store) -> dict[str, int | None]:
    """The sizes ``RESTRICTED_META_GRAPH`` records (None: not a number)."""
    result = store.query(f"SELECT ?g ?n WHERE {{ GRAPH <{RESTRICTED_META_GRAPH}> "
                         f"{{ ?g <{VOID}triples> ?n }} }}",
                         default_graph=[], named_graphs=[RESTRICTED_META_GRAPH])
    assert isinstance(result, ox.QuerySolutions)
    return {row["g"].value: int(row["n"].value) if row["n"].value.isdigit() else None
            for row in result}


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
