"""The one provenance builder: how every write describes the graphs it wrote.

Each named graph (and the store's default graph, named ``DEFAULT_GRAPH`` there) is described in
the meta graph (``docs/MODEL.md``, "Metadata about named graphs") by ``describe``: its title,
source, licence, access level, who wrote it and when, its size and the SHA-256 of what was
written. Loads, spreadsheet imports, Graph Store writes and SPARQL updates all use it.

>>> import datetime as dt
>>> p = Provenance(source="survey 2026", imported_by="curator",
...                moment=dt.datetime(2026, 1, 2, tzinfo=dt.UTC), sha256="ab")
>>> import re
>>> [re.split("[#/]", t.predicate.value)[-1] for t in describe("https://e.org/g", p, 3)][-3:]
['triples', 'sha256', 'license']
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import pyoxigraph as ox

from graph.namespaces import CG, DCTERMS, PROV, RDF, VOID, XSD

Access = Literal["public", "restricted"]
CC_BY: Final = "https://creativecommons.org/licenses/by/4.0/"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Provenance:
    """Who wrote what, from where, under which licence, when (``title`` defaults to the
    source; ``sha256`` is the digest of the bytes or triples written; ``activity`` the IRI of
    the import activity, when there is one)."""

    source: str
    imported_by: str
    title: str | None = None
    licence: str | None = CC_BY
    access: Access = "public"
    sha256: str = ""
    activity: str | None = None
    moment: dt.datetime = field(default_factory=_now)
    #: titles in several languages, said instead of ``title`` when given
    titles: tuple[ox.Literal, ...] = ()

    def with_digest(self, sha256: str) -> Provenance:
        return replace(self, sha256=sha256)


def digest(data: bytes | Iterable[ox.Triple]) -> str:
    """The SHA-256 of ``data``: of the bytes, or of the sorted N-Triples lines of triples."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    lines = sorted(str(t) for t in data)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def stamp(moment: dt.datetime) -> ox.Literal:
    """``moment`` as an ``xsd:dateTime`` in UTC, to the second."""
    text = moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "dateTime"))


def describe(graph: str, provenance: Provenance, triples: int) -> list[ox.Triple]:
    """The description of ``graph`` holding ``triples`` triples in the meta graph;
    ``dcterms:source`` and the licence are IRIs when they are absolute IRIs."""
    node = ox.NamedNode(graph)
    p = provenance

    def t(predicate: str, value: ox.NamedNode | ox.Literal) -> ox.Triple:
        return ox.Triple(node, ox.NamedNode(predicate), value)

    out = [
        t(RDF + "type", ox.NamedNode(VOID + "Dataset")),
        t(RDF + "type", ox.NamedNode(PROV + "Entity")),
        *(t(DCTERMS + "title", title) for title in p.titles or (ox.Literal(p.title or p.source),)),
        t(DCTERMS + "source", iri_or_text(p.source)),
        t(PROV + "generatedAtTime", stamp(p.moment)),
        t(CG + "importedBy", ox.Literal(p.imported_by)),
        t(CG + "access", ox.NamedNode(CG + ("Public" if p.access == "public" else "Restricted"))),
        t(VOID + "triples", ox.Literal(str(triples), datatype=ox.NamedNode(XSD + "integer"))),
        t(CG + "sha256", ox.Literal(p.sha256)),
    ]
    if p.licence:
        out.append(t(DCTERMS + "license", iri_or_text(p.licence)))
    if p.activity:
        out.append(t(PROV + "wasGeneratedBy", ox.NamedNode(p.activity)))
    return out


def iri_or_text(value: str) -> ox.NamedNode | ox.Literal:
    """An IRI for an absolute http(s) or urn IRI, else a plain literal."""
    if value.startswith(("http://", "https://", "urn:")):
        try:
            return ox.NamedNode(value)
        except ValueError:
            pass
    return ox.Literal(value)
