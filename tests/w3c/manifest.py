"""The W3C SPARQL test manifests, read with rdflib into plain ``Case`` records.

The suites live in ``../shared/w3c/`` beside the checkout (W3C test-suite licence, see its
LICENSE files). Manifests name files by their W3C IRIs; ``Suite.local`` maps an IRI back to
the file here. Only the tests a manifest lists in ``mf:entries`` are read, withdrawn and
rejected ones left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

REPO_ROOT = Path(__file__).resolve().parents[2]
W3C_ROOT = REPO_ROOT.parent / "shared" / "w3c"


@dataclass(frozen=True)
class Suite:
    """One suite: its folder here, its W3C base IRI and its top manifests."""

    name: str
    base: str
    manifests: tuple[str, ...]

    @property
    def folder(self) -> Path:
        return W3C_ROOT / self.name

    def local(self, iri: str) -> Path:
        """The file here that the W3C IRI ``iri`` names."""
        if not iri.startswith(self.base):
            raise ValueError(f"{iri} is not under {self.base}")
        return self.folder / iri[len(self.base):].split("#")[0]

    def iri(self, path: Path) -> str:
        return self.base + path.relative_to(self.folder).as_posix()


SUITES = (
    Suite("sparql11", "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/",
          ("manifest-all.ttl",)),
    Suite("sparql10", "http://www.w3.org/2001/sw/DataAccess/tests/data-r2/",
          ("manifest-evaluation.ttl", "manifest-syntax.ttl")),
)


@dataclass(frozen=True)
class GraphFile:
    """A data file to load: into the default graph (``name`` None) or into graph ``name``."""

    iri: str
    name: str | None


@dataclass(frozen=True)
class Case:
    """One W3C test, as its manifest describes it."""

    iri: str
    kind: str  # the local name of its rdf:type, e.g. "QueryEvaluationTest"
    suite: Suite
    area: str  # the manifest's folder, e.g. "aggregates" (or "data-r2" folders for 1.0)
    name: str
    query: str | None = None  # IRI of the query or update file
    data: tuple[GraphFile, ...] = ()
    result: str | None = None  # IRI of the expected results (query tests)
    result_data: tuple[GraphFile, ...] = ()  # the expected dataset (update tests)
    lax: bool = False  # mf:resultCardinality mf:LaxCardinality (REDUCED)
    entailment: bool = False
    exchange: Node | None = field(default=None, compare=False)  # ht:Connection of protocol tests
    graph: rdflib.Graph | None = field(default=None, compare=False, repr=False)

    @property
    def id(self) -> str:
        """A short stable name: ``sparql11/aggregates/agg01``."""
        local = self.iri[len(self.suite.base):]
        folder, _, rest = local.partition("/manifest")
        anchor = rest.split("#", 1)[1] if "#" in rest else rest
        return f"{self.suite.name}/{folder}/{anchor}"

    def local(self, iri: str) -> Path:
        return self.suite.local(iri)


def _graph_files(graph: rdflib.Graph, node: Node, ns: Namespace) -> list[GraphFile]:
    files = [GraphFile(str(data), None) for data in graph.objects(node, ns.data)]
    for item in graph.objects(node, ns.graphData):
        if isinstance(item, rdflib.BNode):  # [ ut:graph <file> ; rdfs:label "name" ]
            source = graph.value(item, UT.graph) or graph.value(item, QT.graph)
            label = graph.value(item, RDFS.label)
            files.append(GraphFile(str(source), str(label) if label else str(source)))
        else:
            files.append(GraphFile(str(item), str(item)))
    return files


def _case(graph: rdflib.Graph, node: Node, suite: Suite, area: str) -> Case | None:
    approval = graph.value(node, DAWGT.approval)
    if approval in (DAWGT.Withdrawn, DAWGT.Rejected):
        return None
    kind = str(graph.value(node, RDF.type)).rsplit("#", 1)[-1]
    name = str(graph.value(node, MF.name) or node)
    action = graph.value(node, MF.action)
    result = graph.value(node, MF.result)
    common: dict[str, Any] = {"iri": str(node), "kind": kind, "suite": suite, "area": area,
                              "name": name}
    if kind in ("ProtocolTest", "GraphStoreProtocolTest"):
        return Case(**common, data=tuple(_graph_files(graph, node, UT)), exchange=action,
                    graph=graph)
    if action is None:
        return Case(**common)
    if isinstance(action, rdflib.URIRef):  # syntax tests name their query directly
        return Case(**common, query=str(action))
    if kind == "UpdateEvaluationTest":
        expected = _graph_files(graph, result, UT) if result is not None else []
        return Case(**common, query=str(graph.value(action, UT.request)),
                    data=tuple(_graph_files(graph, action, UT) + _graph_files(graph, action, QT)),
                    result_data=tuple(expected))
    query = graph.value(action, QT.query) or graph.value(action, UT.request)
    return Case(**common, query=str(query) if query else None,
                data=tuple(_graph_files(graph, action, QT)),
                result=str(result) if result is not None else None,
                lax=(node, MF.resultCardinality, MF.LaxCardinality) in graph,
                entailment=graph.value(action, SD.entailmentRegime) is not None)


def _manifest(suite: Suite, path: Path) -> Iterator[Case]:
    graph = rdflib.Graph().parse(path, format="turtle", publicID=suite.iri(path))
    area = path.parent.name if path.parent != suite.folder else suite.name
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        for included in graph.objects(manifest, MF.include):
            for item in Collection(graph, included):
                yield from _manifest(suite, suite.local(str(item)))
        for entries in graph.objects(manifest, MF.entries):
            for node in Collection(graph, entries):
                case = _case(graph, node, suite, area)
                if case is not None:
                    yield case


@cache
def all_cases() -> tuple[Case, ...]:
    """Every test of every suite, in manifest order (an empty tuple when the suites are absent)."""
    cases: dict[str, Case] = {}
    for suite in SUITES:
        if not suite.folder.is_dir():
            continue
        for top in suite.manifests:
            for case in _manifest(suite, suite.folder / top):
                cases.setdefault(case.iri, case)
    return tuple(cases.values())
