"""Synthetic civic data of the example dataset's shape, at any size, for benchmarks.

``generate(n, seed)`` streams about 100 triples per organisation, deterministically: the same
``n`` and ``seed`` always give the same triples in the same order. Memory stays bounded: the
organisations are produced in blocks of ``BLOCK`` and nothing is kept across blocks.

The data is public-safe: organisations, tools, usages over two observation waves, needs,
experience reports, effects, co-design projects, shared spaces and seminars, all flagged
``cg:isFictional true``, and no person at all. The software, communes and waves are those of
the example dataset (same IRIs and triples), so both can be loaded side by side; every other
IRI has a slug starting with ``s-``. Every query of the catalogue has answers on it.
The generator is ``graph.samples.synthetic_generation`` (with its words in
``graph.samples.synthetic_vocabulary``); this module names the data's graph and writes it to files.

>>> triples = list(generate(20, seed=1))
>>> 1500 < len(triples) < 4000
True
>>> triples == list(generate(20, seed=1))
True
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

import pyoxigraph as ox

from graph.errors import UnknownFormat
from graph.namespaces import PREFIXES, graph_iri
from graph.samples.synthetic_generation import BLOCK, generate

__all__ = ["BLOCK", "SYNTHETIC_GRAPH", "format_for", "generate", "write"]

#: The named graph the quad formats (N-Quads, TriG) put the data in.
SYNTHETIC_GRAPH: Final = graph_iri("synthetic")


_EXTENSIONS: Final = ("ttl", "nt", "nq", "trig", "jsonld", "rdf")


def format_for(path: str | Path) -> ox.RdfFormat:
    """The RDF syntax a file name's extension names (``.ttl``, ``.nt``, ``.nq``, ``.trig``,
    ``.jsonld``, ``.rdf``); ``UnknownFormat`` otherwise.

    >>> format_for("data.nq").name
    'N-Quads'
    """
    extension = Path(path).suffix.lstrip(".").lower()
    found = ox.RdfFormat.from_extension(extension) if extension in _EXTENSIONS else None
    if found is None:
        raise UnknownFormat(extension or str(path), [f".{e}" for e in _EXTENSIONS])
    return found


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def triples(self, source: Iterator[ox.Triple]) -> Iterator[ox.Triple]:
        for triple in source:
            self.count += 1
            yield triple

    def quads(self, source: Iterator[ox.Triple], graph: ox.NamedNode) -> Iterator[ox.Quad]:
        for t in source:
            self.count += 1
            yield ox.Quad(t.subject, t.predicate, t.object, graph)


def write(organisations: int, output: str | Path | BinaryIO, *, seed: int = 0,
          format: ox.RdfFormat | None = None, graph: str = SYNTHETIC_GRAPH,
          start: int = 0) -> int:
    """Write ``generate(organisations, seed, start=start)`` to ``output`` and return the
    triple count.

    ``output`` is a path (its extension names the syntax unless ``format`` is given) or a
    binary stream (``format`` then defaults to N-Triples). Quad syntaxes put the triples in
    the named graph ``graph``."""
    if format is None:
        format = format_for(output) if isinstance(output, str | Path) else ox.RdfFormat.N_TRIPLES
    counter = _Counter()
    source = generate(organisations, seed, start=start)
    stream = (counter.quads(source, ox.NamedNode(graph)) if format.supports_datasets
              else counter.triples(source))
    prefixes = (None if format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
                else dict(PREFIXES))
    target = str(output) if isinstance(output, Path) else output
    ox.serialize(stream, target, format, prefixes=prefixes)
    return counter.count
