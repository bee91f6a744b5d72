"""SHACL validation of data (with the vocabulary) against civicgraph's shapes.

``validate(data, shapes)`` returns every validation result as a ``Violation`` (focus node,
path, constraint component, shape, message, value, severity), sorted; an empty list means the
data conforms. The vocabulary graph (``graph.vocabulary``) is added to the data, so that
``sh:class`` sees the subclass axioms and ``sh:node`` the concept schemes.

Three engines:

- ``sparql``: the shapes compiled into one SPARQL query per constraint
  (``graph.ingest.shape_queries``, compiled once per process), run by Oxigraph over the data
  with the vocabulary lent in a graph of its own; only violations come back. 1.9 s for 10^5
  triples with the core shapes where pyrudof takes 17 s, and no memory beyond the store;
- ``pyrudof`` (rudof, in Rust), on N-Triples: about 10 KB of memory per triple (10.5 GiB
  at 10^6);
- ``pyshacl`` over an Oxigraph-backed rdflib graph (oxrdflib): about 10x slower than pyrudof,
  about 1 KB per triple.

``engine="auto"`` (the default) uses ``sparql``; when the shapes use a feature the compiler
does not translate (``shape_queries.Unsupported``), it falls back to pyrudof, on the whole data
up to ``PART_TRIPLES`` and above that on parts of the data (``graph.ingest.partitioning``: a
part's subjects with their neighbours, results kept for the part's own focus nodes), two parts
at a time; to pyshacl when the shapes use paths that parts cannot answer (inverse or sequence
paths). The engines agree on every example of ``ontology/examples`` and on generated data with
faults of every kind the core shapes check (tested); messages may differ, as ``sparql`` always
reports the shape's ``sh:message`` where rudof sometimes generates its own.

No engine is ever given a URL or told to follow ``owl:imports``: the data and shapes are
handed over as stores or files, so nothing is fetched.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final, Literal

import pyoxigraph as ox

from graph.errors import Violation
from graph.ingest import shape_queries
from graph.ingest.partitioning import Part, partitionable, parts
from graph.namespaces import SH

Engine = Literal["auto", "sparql", "pyrudof", "pyshacl"]
#: above this many triples (data + vocabulary), ``auto`` without ``sparql`` validates in parts
PART_TRIPLES: Final = 40_000
#: parts validated at once (pyrudof releases the GIL while it works)
PART_WORKERS: Final = max(1, min(2, os.cpu_count() or 1))

Data = ox.Store | ox.Dataset | Iterable[ox.Triple | ox.Quad]
_LITERAL: Final = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+))?')


def validate(data: Data, shapes: Path | Sequence[Path], *,
             vocabulary: Iterable[ox.Triple] | None = None,
             engine: Engine = "auto") -> list[Violation]:
    """The SHACL results of ``data`` (all its graphs, merged) plus ``vocabulary`` (by
    default the vocabulary graph of ``graph.vocabulary``) against ``shapes`` (Turtle files).
    Results of every severity are returned; ``Violation.severity`` tells them apart."""
    if vocabulary is None:
        from graph.vocabulary import vocabulary_triples
        vocabulary = vocabulary_triples()
    files = [shapes] if isinstance(shapes, Path) else list(shapes)
    if engine in ("auto", "sparql"):
        try:
            checks = shape_queries.compile_shapes(files)
        except shape_queries.Unsupported:
            if engine == "sparql":
                raise
        else:
            return _sorted(_with_sparql(data, checks, vocabulary))
    if engine == "auto" and isinstance(data, ox.Store) and len(data) > PART_TRIPLES \
            and partitionable(files):
        return _sorted(_in_parts(data, files, list(vocabulary)))
    with tempfile.TemporaryDirectory(prefix="civicgraph-shacl-") as tmp:
        data_path = Path(tmp) / "data.nt"
        with data_path.open("wb") as out:
            size = _write_triples(data, out) + _write_triples(vocabulary, out)
        shapes_path = Path(tmp) / "shapes.ttl"
        shapes_path.write_bytes(_merged_turtle(files))
        chosen = engine if engine != "auto" else (
            "pyrudof" if size <= PART_TRIPLES or partitionable(files) else "pyshacl")
        if chosen == "pyrudof":
            results = _with_rudof(data_path, shapes_path)
        elif chosen == "pyshacl":
            results = _with_pyshacl(data_path, shapes_path)
        else:
            raise ValueError(f"unknown SHACL engine {engine!r}")
    return _sorted(results)


def _sorted(results: Iterable[Violation]) -> list[Violation]:
    return sorted(set(results), key=lambda v: (v.focus_node, v.path or "", v.constraint,
                                               v.value or "", v.message))


def _in_parts(data: ox.Store, files: Sequence[Path],
              vocabulary: list[ox.Triple]) -> list[Violation]:
    """pyrudof on each part of ``data`` (``graph.ingest.partitioning``),
    results of its own nodes."""
    with tempfile.TemporaryDirectory(prefix="civicgraph-shacl-") as tmp:
        shapes_path = Path(tmp) / "shapes.nt"
        shapes_path.write_bytes(_merged_turtle(files))

        def check(numbered: tuple[int, Part]) -> list[Violation]:
            number, part = numbered
            data_path = Path(tmp) / f"part-{number}.nt"
            with data_path.open("wb") as out:
                _write_triples(part.triples, out)
                _write_triples(vocabulary, out)
            part.triples.clear()
            try:
                return [v for v in _with_rudof(data_path, shapes_path)
                        if v.focus_node in part.owned]
            finally:
                data_path.unlink()

        with ThreadPoolExecutor(PART_WORKERS) as pool:
            found: list[Violation] = []
            # map() would read every part ahead; keep at most PART_WORKERS parts in memory
            pending = []
            for numbered in enumerate(parts(data, PART_TRIPLES)):
                pending.append(pool.submit(check, numbered))
                if len(pending) >= PART_WORKERS:
                    found.extend(pending.pop(0).result())
            for future in pending:
                found.extend(future.result())
    return found


def _with_sparql(data: Data, checks: Sequence[shape_queries.Check],
                 vocabulary: Iterable[ox.Triple]) -> list[Violation]:
    """The compiled shapes run by Oxigraph over ``data`` with ``vocabulary``. A store given
    is lent the vocabulary for the time of the queries: in its default graph when it has no
    named graph (queries over one graph are faster than over the union), the triples it did
    not hold taken back after."""
    if isinstance(data, ox.Store):
        store = data
    else:
        store = ox.Store()
        store.bulk_extend(ox.Quad(item.subject, item.predicate, item.object)
                          for item in data)
    union = next(iter(store.named_graphs()), None) is not None
    lent = ox.NamedNode(f"urn:civicgraph:validation:{uuid.uuid4()}") if union \
        else ox.DefaultGraph()
    added = [quad for quad in (ox.Quad(t.subject, t.predicate, t.object, lent)
                               for t in vocabulary) if quad not in store]
    store.bulk_extend(added)
    try:
        return shape_queries.run(checks, store, workers=PART_WORKERS, union=union)
    finally:
        if store is data:
            for quad in added:
                store.remove(quad)


def errors(results: Iterable[Violation]) -> list[Violation]:
    """The results of severity ``Violation`` (those that refuse an import)."""
    return [r for r in results if r.severity == "Violation"]


def _write_triples(data: Data | Iterable[ox.Triple], out: object) -> int:
    """Write the triples of ``data`` to ``out`` as N-Triples; how many were written."""
    if isinstance(data, ox.Store):
        quads: Iterable[ox.Triple | ox.Quad] = data.quads_for_pattern(None, None, None, None)
    else:
        quads = data
    count = 0
    batch: list[ox.Triple] = []
    for item in quads:
        batch.append(item if isinstance(item, ox.Triple) else item.triple)
        if len(batch) >= 100_000:
            ox.serialize(batch, out, ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
            count += len(batch)
            batch = []
    if batch:
        ox.serialize(batch, out, ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        count += len(batch)
    return count


def _merged_turtle(files: Sequence[Path]) -> bytes:
    """The shapes files as one Turtle document (through N-Triples: no prefix clashes)."""
    triples: list[ox.Triple] = []
    for path in files:
        triples.extend(q.triple for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]


def _short(iri: str | None) -> str | None:
    """``sh:X`` for the SHACL namespace, the IRI otherwise."""
    if iri is None:
        return None
    iri = iri.strip("<>")
    return "sh:" + iri[len(SH):] if iri.startswith(SH) else iri


def _message(raw: str, fallback: str) -> str:
    """The English ``sh:message`` among rudof's quoted messages, else the last, else raw."""
    found = _LITERAL.findall(raw or "")
    if not found:
        return raw or fallback
    english = [text for text, lang in found if lang == "en"]
    text: str = english[0] if english else found[-1][0]
    return text.replace('\\"', '"').replace("\\\\", "\\")


def _lexical(value: object) -> str | None:
    """A value as text: the lexical form of a literal, the IRI of a node."""
    if value is None:
        return None
    text = str(value)
    found = _LITERAL.match(text)
    return found[1] if found else text


def _with_rudof(data: Path, shapes: Path) -> list[Violation]:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data, format=pyrudof.RDFFormat.NTriples,
                    reader_mode=pyrudof.ReaderMode.Strict)
    rudof.read_shacl(shapes, format=pyrudof.ShaclFormat.NTriples)
    report = rudof.validate_shacl()
    results = []
    for entry in report:
        constraint = _short(entry.constraint_component) or "unknown"
        severity = str(entry.severity)
        results.append(Violation(
            focus_node=str(entry.focus_node), path=entry.path or None, constraint=constraint,
            shape=entry.source_shape or None,
            message=_message(entry.message, f"{constraint} not satisfied"),
            value=_lexical(entry.value),
            severity=(_short(severity) or "sh:Violation").removeprefix("sh:"),
        ))
    return results


def _node(term: object) -> str | None:
    """An rdflib node as text, blank nodes as ``_:id``."""
    import rdflib

    if term is None:
        return None
    return f"_:{term}" if isinstance(term, rdflib.BNode) else str(term)


def _with_pyshacl(data: Path, shapes: Path) -> list[Violation]:
    import pyshacl
    import rdflib
    from rdflib.namespace import RDF

    sh = rdflib.Namespace(SH)
    graph = rdflib.Graph(store="Oxigraph")
    graph.parse(data, format="ox-nt")
    shapes_graph = rdflib.Graph().parse(shapes, format="nt")
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none",
                                    advanced=True, allow_warnings=True, do_owl_imports=False)
    assert isinstance(report, rdflib.Graph)
    results = []
    # top-level results only: those of sh:node / sh:or details hang below them (sh:detail)
    tops = [r for report_node in report.subjects(RDF.type, sh.ValidationReport)
            for r in report.objects(report_node, sh.result)]
    for node in tops:
        def one(predicate: rdflib.URIRef, node: rdflib.term.Node = node) -> str | None:
            value = report.value(node, predicate)
            return None if value is None else str(value)

        messages = [str(m) for m in report.objects(node, sh.resultMessage)
                    if getattr(m, "language", None) in ("en", None)]
        english = [str(m) for m in report.objects(node, sh.resultMessage)
                   if getattr(m, "language", None) == "en"]
        constraint = _short(one(sh.sourceConstraintComponent)) or "unknown"
        focus = report.value(node, sh.focusNode)
        results.append(Violation(
            focus_node=_node(focus) or "",
            path=one(sh.resultPath), constraint=constraint, shape=_node(report.value(
                node, sh.sourceShape)),
            message=(english or messages or [f"{constraint} not satisfied"])[0],
            value=one(sh.value),
            severity=(_short(one(sh.resultSeverity)) or "sh:Violation").removeprefix("sh:"),
        ))
    return results
