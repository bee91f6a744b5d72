"""Reading RDF files and importing them into the store, all or nothing.

``import_source(store, path_or_bytes, graph=..., ...)`` is the import pipeline the CLI and the
API call:

1. **read** the bytes and their SHA-256; the format comes from ``format`` (a name, a file
   extension or a media type) or the file's extension (``rdf_format``);
2. **parse** with pyoxigraph into a scratch in-memory dataset (``parse``): a syntax error is an
   ``RdfSyntaxError`` naming the source, line and column. JSON-LD never fetches a remote
   context: civicgraph's own context IRIs (``CONTEXT_IRIS``) are replaced by the local
   ``ontology/context.jsonld``, any other remote context is refused;
3. unless the same bytes were already imported into the same graphs with the same
   description (then nothing changes at all), the write path (``graph.ingest.writing``):
   the graphs are **validated** with the vocabulary against the core SHACL shapes (any result
   of severity ``sh:Violation`` refuses the import with a ``ShapeViolation`` listing them;
   warnings are returned in the report), a public import is refused if it holds personal
   data, then every target graph is **replaced** and its provenance
   (``graph.ingest.provenance``) written to the meta graph in one transaction.

Nothing is written before the commit, so bad input leaves the store exactly as it was.

Quads files (TriG, N-Quads): the triples of the file's default graph go to ``graph``; each
named graph of the file is imported as that named graph. All of them are replaced in the same
transaction (all or nothing), and each gets the same provenance (source, date, licence,
SHA-256 of the whole file) with its own ``void:triples``. Staging graphs and the meta graph
cannot be targets.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox

from graph.errors import ParameterError, RdfSyntaxError, UnknownFormat
from graph.ingest import checking, validation, writing
from graph.ingest.provenance import CC_BY, Access, Provenance, digest
from graph.ingest.provenance import describe as provenance_of
from graph.ingest.rdfxml import check_entities
from graph.ingest.report import ImportReport
from graph.namespaces import (
    CG,
    DCTERMS,
    META_GRAPH,
    STAGING_PREFIX,
    VOCABULARY_GRAPH,
    VOID,
)
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import Store
from graph.store.content import Serialized

#: ``(stage, done, total)``: stage is "parse" (bytes read), "validate" (0 then 1) or "write"
#: (triples written); ``total`` is None when unknown
Progress = Callable[[str, int, int | None], None]

#: the formats civicgraph reads, by name, file extension and media type
FORMATS: Final[dict[str, ox.RdfFormat]] = {
    "turtle": ox.RdfFormat.TURTLE, "ttl": ox.RdfFormat.TURTLE,
    "text/turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG, "application/trig": ox.RdfFormat.TRIG,
    "n-triples": ox.RdfFormat.N_TRIPLES, "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "n-quads": ox.RdfFormat.N_QUADS, "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS, "application/n-quads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD, "jsonld": ox.RdfFormat.JSON_LD,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "rdf/xml": ox.RdfFormat.RDF_XML, "rdfxml": ox.RdfFormat.RDF_XML,
    "rdf": ox.RdfFormat.RDF_XML, "owl": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: the IRIs under which civicgraph's JSON-LD context may be named; read from the package
CONTEXT_IRIS: Final = (
    "https://w3id.org/civicgraph/context.jsonld",
    "https://w3id.org/civicgraph/ns/context.jsonld",
    "https://w3id.org/civicgraph/ns/context",
)


def rdf_format(hint: str | ox.RdfFormat | Path) -> ox.RdfFormat:
    """The format named by ``hint``: an ``RdfFormat``, a name (``turtle``), a file extension
    (``ttl``, ``.nq``), a media type (``text/turtle; charset=utf-8``) or a file path.

    >>> rdf_format("data/example.ttl").name, rdf_format("application/ld+json").name
    ('Turtle', 'JSON-LD')
    """
    if isinstance(hint, ox.RdfFormat):
        return hint
    text = str(hint).split(";")[0].strip().lower()
    if text in FORMATS:
        return FORMATS[text]
    suffix = text[1:] if text.startswith(".") else Path(text).suffix.lstrip(".")
    if suffix == "gz":
        raise UnknownFormat(text, known=sorted({k for k in FORMATS if "/" not in k}))
    if suffix in FORMATS:
        return FORMATS[suffix]
    raise UnknownFormat(str(hint), known=sorted(k for k in FORMATS if "/" not in k))


class _Reader(io.RawIOBase):
    """``data`` as a file that reports how many bytes were read."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        self._view = memoryview(data)
        self._at = 0
        self._progress = progress
        self._reported = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), len(self._view) - self._at)
        buffer[:size] = self._view[self._at:self._at + size]
        self._at += size
        if self._progress is not None and (self._at - self._reported >= 1 << 20 or size == 0):
            self._reported = self._at
            self._progress("parse", self._at, len(self._view))
        return size


def parse(data: bytes, format: ox.RdfFormat, *, source: str = "input",
          base_iri: str | None = None, progress: Progress | None = None) -> ox.Store:
    """``data`` parsed into a fresh in-memory dataset (triples in its default graph).
    Raises ``RdfSyntaxError`` with the line and column of the first error."""
    if format == ox.RdfFormat.JSON_LD:
        data = _local_contexts(data, source)
    elif format == ox.RdfFormat.RDF_XML:
        check_entities(data, source=source)
    elif format not in set(FORMATS.values()):
        raise UnknownFormat(format.name)
    scratch = ox.Store()
    try:
        # bytes are read by Oxigraph without the GIL; the reader reports progress
        reader: Any = data if progress is None else _Reader(data, progress)
        scratch.bulk_load(reader, format, base_iri=base_iri)
    except SyntaxError as error:
        message = str(error.msg or error)
        if "LoadDocumentCallback" in message:
            message = "remote JSON-LD contexts are never fetched; inline the context"
        raise RdfSyntaxError(message, source=source, line=error.lineno,
                             column=error.offset) from None
    except (ValueError, OSError) as error:
        raise RdfSyntaxError(str(error), source=source) from None
    return scratch


def _local_contexts(data: bytes, source: str) -> bytes:
    """JSON-LD ``data`` with civicgraph's context IRIs replaced by the packaged context."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise RdfSyntaxError(error.msg, source=source, line=error.lineno,
                             column=error.colno) from None
    except RecursionError:
        raise RdfSyntaxError("the JSON is nested too deeply", source=source) from None
    except UnicodeDecodeError as error:
        raise RdfSyntaxError(f"the JSON is not UTF-8 (byte {error.start})",
                             source=source) from None
    local: object = None

    def context() -> object:
        nonlocal local
        if local is None:
            from graph.vocabulary import context_path
            local = json.loads(context_path().read_bytes())["@context"]
        return local

    def visit(node: object) -> object:
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "@context":
                value = _swap(value, context)
            out[key] = visit(value) if key != "@context" else value
        return out

    try:
        return json.dumps(visit(document)).encode()
    except RecursionError:
        raise RdfSyntaxError("the JSON is nested too deeply", source=source) from None


def _swap(value: object, context: Callable[[], object]) -> object:
    if isinstance(value, str) and value in CONTEXT_IRIS:
        return context()
    if isinstance(value, list):
        return [_swap(item, context) for item in value]
    return value


def import_source(
    store: Store,
    source: Path | bytes,
    *,
    graph: str | None,
    format: str | ox.RdfFormat | None = None,
    source_label: str | None = None,
    title: str | None = None,
    licence: str | None = CC_BY,
    imported_by: str,
    access: Access = "public",
    validate: bool = True,
    shapes: Path | Sequence[Path] | None = None,
    engine: validation.Engine = "auto",
    base_iri: str | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``source`` (a file, or bytes with ``format``) into ``graph`` (see the module).

    ``source_label`` is what ``dcterms:source`` says (an IRI or free text; by default the file
    name), ``title`` the graph's ``dcterms:title`` (by default the label). ``shapes`` defaults
    to the core shapes. Raises ``UnknownFormat``, ``RdfSyntaxError``, ``ShapeViolation``
    (store unchanged) or ``StoreError``."""
    seconds: dict[str, float] = {}
    if isinstance(source, Path):
        data = source.read_bytes()
        label = source_label or source.name
        fmt = rdf_format(format if format is not None else source)
    else:
        data = bytes(source)
        label = source_label or "bytes"
        if format is None:
            raise UnknownFormat("(none given)", known=sorted(k for k in FORMATS if "/" not in k))
        fmt = rdf_format(format)
    writing.bounds(data, fmt.name, source=label)
    sha256 = digest(data)
    contents = _contents(data, fmt, graph, label, base_iri, progress, seconds)
    del data
    report = ImportReport(source=label, filename=label, format=fmt.name, sha256=sha256,
                          graphs={}, seconds=seconds)
    provenance = Provenance(source=label, imported_by=imported_by, title=title or label,
                            licence=licence, access=access, sha256=sha256,
                            moment=now or dt.datetime.now(dt.UTC))
    description = {"title": provenance.title, "source": label, "licence": licence,
                   "access": access, "sha256": sha256}
    if all(_unchanged(store, target, triples, description)
           for target, triples in contents.items()):
        report.graphs = {target: len(triples) for target, triples in contents.items()}
        report.unchanged = True
        return report
    # restricted graphs may hold persons: the privacy guard reads public graphs only
    public = {*checking.public_targets(store), *contents} if access == "public" else set()
    written = writing.replace(store, contents, provenance, source=label, validate=validate,
                              shapes=shapes, engine=engine, public=public)
    report.graphs = dict(written.graphs)
    # the parse ran within the checks, alongside the write: the checks' time is theirs
    seconds["validate"] = max(0.0, written.seconds["validate"] - seconds.pop("lazy", 0.0))
    if progress is not None:
        progress("write", sum(report.graphs.values()), sum(report.graphs.values()))
    seconds["write"] = written.seconds["write"]
    report.refuse(written.warnings)
    report.created = written.created
    report.stored = True
    return report


#: formats without named graphs whose documents Oxigraph reads again as they are
_TRIPLE_FORMATS: Final = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)


def _contents(data: bytes, fmt: ox.RdfFormat, graph: str | None, label: str,
              base_iri: str | None, progress: Progress | None,
              seconds: dict[str, float]) -> dict[str, Serialized]:
    """The triples of each target, left to Oxigraph (``graph.store.content``). A document
    that cannot hold named graphs has one target, known before the parse: it is kept as it
    came and parsed when the checks first need it, so that the write can load it meanwhile;
    the graphs of a quads document (or of JSON-LD) are parsed now and written out of the
    parse one by one. ``seconds["parse"]`` gets the time of the parse."""
    if fmt in _TRIPLE_FORMATS:
        targets = _targets(ox.Store(), graph)
        (target,) = targets
        if fmt == ox.RdfFormat.RDF_XML:
            # before anything reads the document: the write starts before the parse
            check_entities(data, source=label)

        def parsed() -> ox.Store:
            begun = time.perf_counter()
            store = parse(data, fmt, source=label, base_iri=base_iri, progress=progress)
            seconds["parse"] = seconds["lazy"] = time.perf_counter() - begun
            if progress is not None:
                progress("validate", 0, 1)
            return store

        return {target: Serialized(data, format=fmt, base_iri=base_iri, parser=parsed)}
    begun = time.perf_counter()
    scratch = parse(data, fmt, source=label, base_iri=base_iri, progress=progress)
    targets = _targets(scratch, graph)
    seconds["parse"] = time.perf_counter() - begun
    if progress is not None:
        progress("validate", 0, 1)
    return {target: Serialized.dumped(scratch, name) for target, name in targets.items()}


def _targets(parsed: ox.Store, graph: str | None) -> dict[str, ox.NamedNode | ox.DefaultGraph]:
    """Target graph IRI -> the graph of ``parsed`` that holds its triples."""
    targets: dict[str, ox.NamedNode | ox.DefaultGraph] = {}
    has_default = next(iter(parsed.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                       None) is not None
    has_named = any(True for _ in parsed.named_graphs())
    if graph is not None and (has_default or not has_named):
        targets[graph] = ox.DefaultGraph()
    elif graph is None and (has_default or not has_named):
        raise ParameterError("graph", "name the graph to import the triples into")
    for name in parsed.named_graphs():
        if not isinstance(name, ox.NamedNode):
            raise RdfSyntaxError("a named graph of the file is a blank node; name it with an IRI")
        if name.value in targets:
            raise ParameterError("graph", f"{graph} is also a named graph of the file")
        targets[name.value] = name
    for target in targets:
        if target == META_GRAPH or target.startswith(STAGING_PREFIX):
            raise ParameterError("graph", f"{target} is managed by civicgraph itself")
        try:
            ox.NamedNode(target)
        except ValueError as error:
            raise ParameterError("graph", f"{target!r} is not an IRI ({error})") from None
    return targets


def describe(graph: str, *, title: str, source: str, licence: str | None, imported_by: str,
             access: Access, triples: int, sha256: str,
             moment: dt.datetime) -> list[ox.Triple]:
    """The description of ``graph`` in the meta graph (``graph.ingest.provenance``)."""
    return provenance_of(graph, Provenance(
        source=source, imported_by=imported_by, title=title, licence=licence, access=access,
        sha256=sha256, moment=moment), triples)


#: restricted graphs are described in a graph of their own once the public view is derived
_DESCRIPTION: Final = """SELECT ?p ?o WHERE { GRAPH ?meta { ?g ?p ?o } }"""


def _unchanged(store: Store, graph: str, content: Sequence[ox.Triple],
               description: Mapping[str, str | None]) -> bool:
    """Whether ``graph`` already holds these bytes (``content``) with this description;
    the content is counted (parsed) only when the rest of the description is the same. The
    digest recorded is the file's (a load here) or that of the triples written (a server
    describes what it wrote: ``graph.ingest.described``); the triples' is computed only
    when all the rest, their number included, is the same."""
    rows = store.query(_DESCRIPTION, substitutions={"g": ox.NamedNode(graph)},
                       default_graph=[], named_graphs=[META_GRAPH, RESTRICTED_META_GRAPH])
    stored: dict[str, set[str]] = {}
    for row in rows:  # type: ignore[union-attr]
        stored.setdefault(row["p"].value, set()).add(row["o"].value)
    access = CG + ("Public" if description["access"] == "public" else "Restricted")
    licence = description["licence"]
    expected = {
        DCTERMS + "title": {description["title"]},
        DCTERMS + "source": {description["source"]},
        CG + "access": {access},
        DCTERMS + "license": {licence} if licence else set(),
    }
    if any(stored.get(p, set()) != v for p, v in expected.items()):
        return False
    triples = len(content)
    if stored.get(VOID + "triples", set()) != {str(triples)} or store.count(graph) != triples:
        return False
    recorded = stored.get(CG + "sha256", set())
    return recorded == {description["sha256"]} or recorded == {digest(content)}


def load_vocabulary(store: Store, *, imported_by: str = "civicgraph",
                    now: dt.datetime | None = None,
                    progress: Progress | None = None) -> ImportReport:
    """Load the ontology and the concept schemes (``graph.vocabulary.vocabulary_files``) into
    the vocabulary graph, with its provenance; unchanged files change nothing."""
    from graph.vocabulary import vocabulary_files

    # the files have no blank node labels and no @base, so they concatenate into one valid
    # Turtle document, and the hash of the bytes changes exactly when a file does
    data = b"\n".join(path.read_bytes() for path in vocabulary_files())
    return import_source(store, data, graph=VOCABULARY_GRAPH, format=ox.RdfFormat.TURTLE,
                         source_label="ontology/ (civicgraph vocabulary)",
                         title="civicgraph vocabulary and concept schemes", licence=CC_BY,
                         imported_by=imported_by, access="public", validate=False,
                         now=now, progress=progress)
