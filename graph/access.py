"""Which named graphs the public may read.

A named graph is public only when the meta graph says ``cg:access cg:Public`` about it and
its IRI is not under ``…/graph/restricted/``. A graph with no description is not public:
an import that forgot its access level must not leak.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.namespaces import CG, META_GRAPH, RESTRICTED_PREFIX, STAGING_PREFIX
from graph.store import Store

_PUBLIC_GRAPHS = f"""
SELECT ?g WHERE {{
  GRAPH <{META_GRAPH}> {{ ?g <{CG}access> <{CG}Public> }}
}} ORDER BY ?g
"""


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


def is_public(store: Store, graph: str) -> bool:
    """Whether ``graph`` may be read anonymously."""
    return graph in public_graphs(store)
