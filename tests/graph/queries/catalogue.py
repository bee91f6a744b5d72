"""Shared pieces of the catalogue tests (tests/graph/queries/test_catalogue_*.py): the example
dataset read as rows (``answer``) and as plain Python (``Raw``).

Expected answers come from the dataset's designed facts (graph/samples/data/example_*.py,
asserted by tests/graph/samples/test_example_data.py); where the facts are silent, from a
plain-Python reading of the raw triples (``Raw``), never from the query's own output. The
fixtures ``example_store`` and ``raw`` are in tests/graph/conftest.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

import networkx as nx
import pyoxigraph as ox

from graph.namespaces import VOCABULARY_GRAPH
from graph.queries.catalogue import list_queries, run
from graph.samples.example import EXAMPLE_GRAPHS, example_path
from graph.store import Store
from graph.vocabulary import vocabulary_triples

XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/civicgraph/id/"
INJECTION = '"> } ; DROP ALL #'

CG = "https://w3id.org/civicgraph/ns#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ABANDONED = ID + "status/abandoned"

#: every query of the catalogue
CATALOGUE = list_queries()

#: What an anonymous reader sees (``graph.privacy.access.public_graphs`` adds the meta graph).
PUBLIC = [VOCABULARY_GRAPH, EXAMPLE_GRAPHS[0].iri]


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> object:
    """A cell as a plain value: ``id:`` and ``cg:`` IRIs shortened, integers as int."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.datatype.value == XSD + "integer":
            return int(term.value)
        if term.datatype.value == XSD + "decimal":
            return Decimal(term.value)
        return term.value
    for prefix in (ID, CG):
        if term.value.startswith(prefix):
            return term.value[len(prefix):]
    return term.value


def answer(store: Store, name: str, columns: str, params: Mapping[str, str] | None = None,
           ) -> list[tuple[object, ...]]:
    """The rows of catalogue query ``name`` over the public graphs, as tuples of ``columns``."""
    result = run(store, name, params or {}, default_graph=PUBLIC)
    assert isinstance(result, ox.QuerySolutions)
    wanted = columns.split()
    assert set(wanted) <= {v.value for v in result.variables}
    return [tuple(short(row[c]) for c in wanted) for row in result]


class Raw:
    """The public example graph and the vocabulary as plain Python dictionaries."""

    def __init__(self) -> None:
        triples = [*vocabulary_triples(), *(q.triple for q in ox.parse(
            example_path(EXAMPLE_GRAPHS[0]).read_bytes(), format=ox.RdfFormat.TURTLE))]
        self.out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.broader = nx.DiGraph()
        for t in triples:
            s, p, o = t.subject.value, t.predicate.value, t.object.value
            self.out[s][p].add(o)
            self.into[o][p].add(s)
            if p == SKOS + "broader":
                self.broader.add_edge(s, o)

    def objects(self, subject: str, predicate: str) -> set[str]:
        return self.out[subject][predicate] if subject in self.out else set()

    def one(self, subject: str, predicate: str) -> str | None:
        values = self.objects(subject, predicate)
        assert len(values) <= 1, (subject, predicate, values)
        return next(iter(values), None)

    def subjects(self, predicate: str, obj: str) -> set[str]:
        return self.into[obj][predicate] if obj in self.into else set()

    def up(self, concept: str) -> set[str]:
        """``concept`` and everything broader."""
        found = nx.descendants(self.broader, concept) if concept in self.broader else set()
        return {concept, *found}

    def software(self, tool: str) -> str:
        if SCHEMA + "SoftwareApplication" in self.objects(tool, RDF_TYPE):
            return tool
        found = self.one(tool, CG + "software")
        assert found is not None, tool
        return found

    def usages(self) -> list[str]:
        return sorted(self.subjects(RDF_TYPE, CG + "ToolUsage"))

    def in_use(self, usage: str) -> bool:
        return self.one(usage, CG + "status") != ABANDONED

    def top_fields(self, organisation: str) -> set[str]:
        tops = self.subjects(SKOS + "topConceptOf", ID + "scheme/field")
        return {f for p in self.objects(organisation, ORG + "purpose") for f in self.up(p)} & tops


def cut(iri: str | None) -> str | None:
    return None if iri is None else iri.removeprefix(ID).removeprefix(CG)
