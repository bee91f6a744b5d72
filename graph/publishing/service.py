"""What civicgraph publishes about itself: the SPARQL service description, the VoID
description, and the gzipped dumps of the public data.

Every function reads through a ``Store`` that already shows only what the reader may see
(``graph.engine.execution.StoreView`` for the public), so nothing restricted can slip in.

The store's own default graph is part of the data like a named graph, under the name
``DEFAULT_GRAPH`` in the lists of graphs, whenever the view shows it (the public sees it unless
it is described as restricted: ``graph.privacy.access.default_graph_is_public``) and it holds
triples: the dumps hold it (triples without a graph name) and the sizes count it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from graph.engine.execution import StoreView
from graph.namespaces import (
    CG,
    DCTERMS,
    FOAF,
    META_GRAPH,
    ONTOLOGY_IRI,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    VOID,
    XSD,
)
from graph.sparql.results import GRAPH_FORMATS, SOLUTION_FORMATS
from graph.store import DEFAULT_GRAPH, Store, named_only

SD: Final = "http://www.w3.org/ns/sparql-service-description#"
FORMATS: Final = "http://www.w3.org/ns/formats/"
CC_BY_4: Final = "https://creativecommons.org/licenses/by/4.0/"

#: w3.org/ns/formats IRIs of the result formats (``graph.sparql.results`` names)
_FORMAT_IRIS: Final = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples",
    "nquads": "N-Quads", "trig": "TriG", "jsonld": "JSON-LD", "rdfxml": "RDF_XML",
}


@dataclass(frozen=True)
class Dump:
    """A downloadable dump of the public data."""

    name: str           # file name, e.g. "civicgraph.nq.gz"
    format: ox.RdfFormat
    media_type: str     # of the uncompressed content


DUMPS: Final = (
    Dump("civicgraph.nq.gz", ox.RdfFormat.N_QUADS, "application/n-quads"),
    Dump("civicgraph.trig.gz", ox.RdfFormat.TRIG, "application/trig"),
)


def dump_named(name: str) -> Dump | None:
    """The dump whose file name is ``name``."""
    return next((d for d in DUMPS if d.name == name), None)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


_GRAPH_FACTS = f"""
SELECT ?g ?triples ?title ?source ?date ?licence WHERE {{
  GRAPH <{META_GRAPH}> {{
    ?g <{CG}access> <{CG}Public> .
    OPTIONAL {{ ?g <{VOID}triples> ?triples }}
    OPTIONAL {{ ?g <{DCTERMS}title> ?title }}
    OPTIONAL {{ ?g <{DCTERMS}source> ?source }}
    OPTIONAL {{ ?g <{PROV}generatedAtTime> ?date }}
    OPTIONAL {{ ?g <{DCTERMS}license> ?licence }}
  }}
}} ORDER BY ?g
"""


@dataclass(frozen=True)
class GraphFacts:
    """What the meta graph says of one named graph a reader can see."""

    iri: str
    triples: int
    title: ox.Literal | None = None
    source: ox.NamedNode | ox.Literal | None = None
    generated: ox.Literal | None = None
    licence: ox.NamedNode | None = None


def graph_facts(store: Store) -> list[GraphFacts]:
    """The visible named graphs with their sizes and provenance (sizes from the meta graph's
    ``void:triples``, counted when missing), and ``DEFAULT_GRAPH`` when ``store`` shows the
    store's own default graph and it holds triples (its size counted)."""
    visible = set(named_only(store.graphs()))
    own = _default_graph_size(store)
    if own:
        visible.add(DEFAULT_GRAPH)
    found: dict[str, GraphFacts] = {}
    result = store.query(_GRAPH_FACTS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        graph = row["g"]
        if not isinstance(graph, ox.NamedNode) or graph.value not in visible \
                or graph.value in found:
            continue
        triples = row["triples"]
        licence = row["licence"]
        found[graph.value] = GraphFacts(
            graph.value,
            own if graph.value == DEFAULT_GRAPH
            else int(triples.value) if isinstance(triples, ox.Literal)
            and triples.value.isdigit() else store.count(graph.value),
            title=row["title"] if isinstance(row["title"], ox.Literal) else None,
            source=row["source"] if isinstance(row["source"], (ox.NamedNode, ox.Literal))
            else None,
            generated=row["date"] if isinstance(row["date"], ox.Literal) else None,
            licence=licence if isinstance(licence, ox.NamedNode) else None,
        )
    for iri in sorted(visible - set(found)):
        found[iri] = GraphFacts(iri, own if iri == DEFAULT_GRAPH else store.count(iri))
    return sorted(found.values(), key=lambda f: f.iri)


def service_description(store: Store, *, endpoint: str, void_url: str, timeout: float,
                        result_limit: int, union_default_graph: bool = True,
                        ) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``; its default
    graph is the union of the graphs ``store`` shows (``sd:UnionDefaultGraph``) when
    ``union_default_graph``, else the store's own default graph."""
    service = _n(endpoint)
    triples = [
        ox.Triple(service, _n(RDF + "type"), _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), service),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Update")),
        ox.Triple(service, _n(SD + "defaultEntailmentRegime"),
                  _n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, _n(DCTERMS + "title"), _lit("civicgraph SPARQL endpoint", "en")),
        ox.Triple(service, _n(DCTERMS + "title"), _lit("Point d'accès SPARQL de civicgraph", "fr")),
        ox.Triple(service, _n(RDFS + "seeAlso"), _n(void_url)),
    ]
    if union_default_graph:
        triples.append(ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")))
    for lang, text in _service_texts(timeout, result_limit, union_default_graph).items():
        triples.append(ox.Triple(service, _n(DCTERMS + "description"), _lit(text, lang)))
    for fmt in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
        triples.append(ox.Triple(service, _n(SD + "resultFormat"),
                                 _n(FORMATS + _FORMAT_IRIS[fmt.name])))
    dataset, default = ox.BlankNode(), ox.BlankNode()
    facts = [f for f in graph_facts(store) if f.iri != DEFAULT_GRAPH]
    own = _default_graph_size(store)
    triples += [
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, _n(RDF + "type"), _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default),
        ox.Triple(default, _n(RDF + "type"), _n(SD + "Graph")),
        ox.Triple(default, _n(VOID + "triples"),
                  _int(own + sum(f.triples for f in facts) if union_default_graph else own)),
        ox.Triple(default, _n(RDFS + "comment"), _lit(
            "The union of the store's own default graph and the named graphs below."
            if union_default_graph else "The store's own default graph.", "en")),
    ]
    for fact in facts:
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, _n(RDF + "type"), _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), _n(fact.iri)),
            ox.Triple(named, _n(SD + "graph"), graph),
            ox.Triple(graph, _n(RDF + "type"), _n(SD + "Graph")),
            ox.Triple(graph, _n(VOID + "triples"), _int(fact.triples)),
        ]
    return triples


def _default_graph_size(store: Store) -> int:
    """Triples in the store's own default graph (0 when ``store`` does not show it)."""
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                         default_graph=[DEFAULT_GRAPH], named_graphs=[])
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))["n"]
    return int(value.value) if isinstance(value, ox.Literal) else 0


def _service_texts(timeout: float, result_limit: int, union: bool) -> dict[str, str]:
    if union:
        default_en = ("The default graph is the union of the store's own default graph and "
                      "the public named graphs")
        default_fr = ("Le graphe par défaut est l'union du graphe par défaut du dépôt et des "
                      "graphes nommés publics")
    else:
        default_en = ("The default graph is the store's own default graph (standard SPARQL "
                      "dataset); GRAPH reaches the public named graphs")
        default_fr = ("Le graphe par défaut est celui du dépôt (jeu de données SPARQL "
                      "standard) ; GRAPH atteint les graphes nommés publics")
    return {
        "en": (
            f"{default_en}, which are also the "
            "only named graphs an anonymous query can reach (a curator's bearer token reaches "
            "them all). default-graph-uri and named-graph-uri, then FROM and FROM NAMED, "
            "narrow it. Queries are stopped after "
            f"{timeout:g} s and may return at most {result_limit} results (503 past either "
            "limit). SERVICE and LOAD are refused. Updates need 'Authorization: Bearer "
            "<token>'."
        ),
        "fr": (
            f"{default_fr}, qui sont aussi les "
            "seuls graphes nommés qu'une requête anonyme atteint (le jeton d'un curateur les "
            "atteint tous). default-graph-uri et named-graph-uri, puis FROM et FROM NAMED, le "
            f"restreignent. Les requêtes sont arrêtées après {timeout:g} s et renvoient au "
            f"plus {result_limit} résultats (503 au-delà). SERVICE et LOAD sont refusés. Les "
            "mises à jour demandent « Authorization: Bearer <jeton> »."
        ),
    }


_EXAMPLE_CLASSES: Final = (
    ORG + "Organization", SCHEMA + "SoftwareApplication", CG + "ToolUsage", SKOS + "Concept",
    SCHEMA + "Event",
)


def example_resources(store: Store, per_class: int = 2) -> list[str]:
    """A few resources of the main classes, for VoID's ``void:exampleResource``."""
    values = " ".join(f"<{c}>" for c in _EXAMPLE_CLASSES)
    result = store.query(
        f"SELECT DISTINCT ?class ?s WHERE {{ VALUES ?class {{ {values} }} ?s a ?class . "
        "FILTER(isIRI(?s)) } ORDER BY ?class ?s"
    )
    assert isinstance(result, ox.QuerySolutions)
    taken: dict[str, list[str]] = {}
    for row in result:
        bucket = taken.setdefault(row["class"].value, [])
        if len(bucket) < per_class:
            bucket.append(row["s"].value)
    return [iri for c in _EXAMPLE_CLASSES for iri in taken.get(c, [])]


def void_description(store: Store, *, dataset: str, endpoint: str, dumps_url: str,
                     base_iri: str) -> list[ox.Triple]:
    """The VoID description of the public data: the dataset, its named graphs as subsets with
    their sizes and provenance, the endpoint, the dumps and a few example resources."""
    subject = _n(dataset)
    facts = graph_facts(store)
    triples = [
        ox.Triple(subject, _n(RDF + "type"), _n(VOID + "Dataset")),
        ox.Triple(subject, _n(DCTERMS + "title"), _lit("civicgraph", "en")),
        ox.Triple(subject, _n(DCTERMS + "description"), _lit(
            "Civic organisations, the digital cooperation tools they use and the practices "
            "observed around them (public data).", "en")),
        ox.Triple(subject, _n(DCTERMS + "description"), _lit(
            "Organisations civiques, outils numériques de coopération qu'elles utilisent et "
            "pratiques observées autour de ces outils (données publiques).", "fr")),
        ox.Triple(subject, _n(DCTERMS + "license"), _n(CC_BY_4)),
        ox.Triple(subject, _n(VOID + "sparqlEndpoint"), _n(endpoint)),
        ox.Triple(subject, _n(VOID + "uriSpace"), _lit(f"{base_iri}id/")),
        ox.Triple(subject, _n(VOID + "triples"), _int(sum(f.triples for f in facts))),
    ]
    for dump in DUMPS:
        triples.append(ox.Triple(subject, _n(VOID + "dataDump"), _n(dumps_url + dump.name)))
    for vocabulary in (ONTOLOGY_IRI, ORG, FOAF, SKOS, PROV, SCHEMA, DCTERMS):
        triples.append(ox.Triple(subject, _n(VOID + "vocabulary"), _n(vocabulary)))
    for iri in example_resources(store):
        triples.append(ox.Triple(subject, _n(VOID + "exampleResource"), _n(iri)))
    for fact in facts:
        graph = _n(fact.iri)
        triples += [
            ox.Triple(subject, _n(VOID + "subset"), graph),
            ox.Triple(graph, _n(RDF + "type"), _n(VOID + "Dataset")),
            ox.Triple(graph, _n(VOID + "triples"), _int(fact.triples)),
        ]
        if fact.title is not None:
            triples.append(ox.Triple(graph, _n(DCTERMS + "title"), fact.title))
        if fact.source is not None:
            triples.append(ox.Triple(graph, _n(DCTERMS + "source"), fact.source))
        if fact.generated is not None:
            triples.append(ox.Triple(graph, _n(PROV + "generatedAtTime"), fact.generated))
        if fact.licence is not None:
            triples.append(ox.Triple(graph, _n(DCTERMS + "license"), fact.licence))
    return triples


def default_graph_triples(store: Store) -> Iterator[ox.Triple]:
    """The triples of the store's own default graph when ``store`` shows it (none when it
    does not), read whole by the store itself as ``Store.dump`` reads the named graphs: never
    under the query engine's result cap or timeout (a view's visibility decides whether, the
    store behind it reads them: its pyoxigraph store when embedded, else its own CONSTRUCT)."""
    shown = store.query("ASK { ?s ?p ?o }", default_graph=[DEFAULT_GRAPH], named_graphs=[])
    if not shown:
        return iter(())
    whole = store.engine.store if isinstance(store, StoreView) else store
    native = whole.native
    if native is not None:
        return (q.triple for q in native.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    result = whole.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[DEFAULT_GRAPH],
                         named_graphs=[])
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return result


def write_dump(store: Store, dump: Dump, path: Path, graphs: Sequence[str] | None = None,
               ) -> None:
    """Write the gzipped ``dump`` of ``graphs`` (every graph ``store`` shows, the store's own
    default graph included: ``DEFAULT_GRAPH``) to ``path``, atomically: the file is complete
    or absent. The default graph's triples come last, without a graph name (in TriG, outside
    any graph block, with full IRIs: the named graphs' prefixes are not declared again)."""
    wanted = store.graphs() if graphs is None else list(graphs)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb",
                                                           mtime=0) as out:
            store.dump(out, dump.format,  # type: ignore[arg-type]  # GzipFile is binary I/O
                       named_only(wanted))
            if graphs is None or DEFAULT_GRAPH in wanted:
                ox.serialize((ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                              for t in default_graph_triples(store)),
                             out, dump.format)  # type: ignore[arg-type]
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class DumpFile:
    """A dump as written: its file, the SHA-256 of its bytes (hex) and when its content last
    changed (seconds since the epoch), fixed when the content is first seen so that one
    content has one date (``DumpCache.file``). ``superseded``: the whole second of the
    content before it when the two could not be dated apart (a date of that second, sent
    back, may be either's)."""

    path: Path
    sha256: str
    modified: float
    superseded: int | None = None


class DumpCache:
    """Dumps of the public data, written once per version of the store, in a temporary
    directory (made with the first dump, removed by ``close``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        #: the latest file of each dump (by name), as ``file`` described it
        self._files: dict[str, DumpFile] = {}

    @property
    def directory(self) -> Path:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="civicgraph-dumps-"))
        return self._directory

    def close(self) -> None:
        """Remove every dump written."""
        with self._lock:
            if self._directory is not None:
                shutil.rmtree(self._directory, ignore_errors=True)
                self._directory = None
            self._files.clear()

    def get(self, store: Store, dump: Dump, version: int | None) -> Path:
        """The file of ``dump`` for ``version`` of the store (None: always written anew)."""
        with self._lock:
            return self._get(store, dump, version)[0]

    def file(self, store: Store, dump: Dump, version: int | None, *,
             not_after: float | None = None) -> DumpFile:
        """``get``'s file with its digest and the time its content last changed, fixed when
        that content is first seen: a dump written again with the same bytes (a new version
        of the store that changed nothing it holds, or a remote store's dump, written for
        each download) keeps the time of the first, so that its validators stay the same. A
        new content is dated at its file's time, but never after ``not_after``, and a
        second later than the content before it where that is still no later."""
        with self._lock:
            path, written = self._get(store, dump, version)
            known = self._files.get(dump.name)
            if known is not None and known.path == path and not written:
                return known
            with path.open("rb") as read:
                digest = hashlib.file_digest(read, "sha256").hexdigest()
            if known is not None and known.sha256 == digest:
                self._files[dump.name] = replace(known, path=path)
                return self._files[dump.name]
            modified = path.stat().st_mtime
            if not_after is not None:
                modified = min(modified, not_after)
            superseded = None
            if known is not None and int(modified) <= int(known.modified):
                later = int(known.modified) + 1
                if not_after is None or later <= not_after:
                    modified = later
                else:
                    superseded = int(known.modified)
            self._files[dump.name] = DumpFile(path, digest, modified, superseded)
            return self._files[dump.name]

    def _get(self, store: Store, dump: Dump, version: int | None) -> tuple[Path, bool]:
        """The file of ``dump`` for ``version``, and whether it was written now."""
        tag = "latest" if version is None else f"v{version}"
        path = self.directory / tag / dump.name
        if version is not None and path.exists():
            return path, False
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self._others(tag):
            for file in old.iterdir():
                file.unlink(missing_ok=True)
            old.rmdir()
        write_dump(store, dump, path)
        return path, True

    def _others(self, tag: str) -> Iterator[Path]:
        return (p for p in self.directory.iterdir() if p.is_dir() and p.name != tag)
