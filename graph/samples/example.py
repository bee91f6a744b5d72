"""The bundled example dataset: which file goes into which named graph, with what access.

>>> [g.name for g in EXAMPLE_GRAPHS]
['example', 'example-members', 'example-consent']
>>> example_path(EXAMPLE_GRAPHS[0]).name
'example.ttl'
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Final

from graph.namespaces import CG, ID, graph_iri
from graph.store import Store

CC_BY_4: Final = "https://creativecommons.org/licenses/by/4.0/"
PUBLIC: Final = CG + "Public"
RESTRICTED: Final = CG + "Restricted"


@dataclass(frozen=True)
class ExampleGraph:
    """One file of the example dataset and the named graph it is loaded into."""

    name: str           # the graph name: its IRI is graph_iri(name)
    file: str           # file name in graph/samples/data/example/
    access: str         # PUBLIC or RESTRICTED (cg:Public / cg:Restricted)
    title: str
    source: str         # the source label recorded in the meta graph
    licence: str = CC_BY_4

    @property
    def iri(self) -> str:
        return graph_iri(self.name)

    @property
    def public(self) -> bool:
        return self.access == PUBLIC


EXAMPLE_GRAPHS: Final[tuple[ExampleGraph, ...]] = (
    ExampleGraph("example", "example.ttl", PUBLIC,
                 "civicgraph example dataset (public part)",
                 "civicgraph example dataset: graph/samples/data/example/example.ttl"),
    ExampleGraph("example-members", "members.ttl", RESTRICTED,
                 "civicgraph example dataset: fictional members",
                 "civicgraph example dataset: graph/samples/data/example/members.ttl"),
    ExampleGraph("example-consent", "consent.ttl", RESTRICTED,
                 "civicgraph example dataset: consent records",
                 "civicgraph example dataset: graph/samples/data/example/consent.ttl"),
)


def example_path(graph: ExampleGraph) -> Traversable:
    """The bundled Turtle file of ``graph`` (works from a wheel as from a checkout)."""
    return files("graph.samples.data").joinpath("example", graph.file)


def ensure_example(store: Store, *, imported_by: str, threshold: int = 5,
                   force: bool = False) -> bool:
    """Load the vocabulary and the example dataset into ``store`` when it holds no graph
    yet (or always, with ``force``), then derive the public view of consented persons.
    Returns whether anything was loaded. Each file is validated against the core shapes and
    replaces its own named graph, so loading twice changes nothing."""
    from graph.ingest.loading import import_source, load_vocabulary
    from graph.privacy.persons import refresh_public_view

    if store.graphs() and not force:
        return False
    load_vocabulary(store, imported_by=imported_by)
    for entry in EXAMPLE_GRAPHS:
        import_source(
            store, example_path(entry).read_bytes(), graph=entry.iri, format="turtle",
            source_label=entry.source, title=entry.title, licence=entry.licence,
            imported_by=imported_by, access="public" if entry.public else "restricted",
            base_iri=ID,
        )
    refresh_public_view(store, threshold=threshold)
    return True
