"""The documentation of the civicgraph vocabulary, read from the ontology files: the
ontology header, every class, property, datatype and individual of ``cg:``, and every SKOS
concept scheme with its concept tree — each in French and English.

>>> docs = documentation()
>>> docs.term("ToolUsage").label("fr")
"Usage d'outil"
>>> any(s.iri.endswith("/scheme/practice") for s in docs.schemes)
True
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import pyoxigraph as ox

from graph.namespaces import CG, DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SCHEMA, SKOS, VANN
from graph.publishing.describe import best_label, short_name
from graph.vocabulary import vocabulary_triples

Texts = Mapping[str, str]

#: The sections of the documentation, by the rdf:type that puts a term in it.
SECTIONS: Final = (
    ("classes", (OWL + "Class", RDFS + "Class")),
    ("object-properties", (OWL + "ObjectProperty",)),
    ("datatype-properties", (OWL + "DatatypeProperty",)),
    ("annotation-properties", (OWL + "AnnotationProperty", RDF + "Property")),
    ("datatypes", (RDFS + "Datatype",)),
    ("individuals", (OWL + "NamedIndividual",)),
)
SECTION_TITLES: Final = {
    "classes": {"en": "Classes", "fr": "Classes"},
    "object-properties": {"en": "Object properties", "fr": "Propriétés d'objet"},
    "datatype-properties": {"en": "Datatype properties", "fr": "Propriétés de données"},
    "annotation-properties": {"en": "Other properties", "fr": "Autres propriétés"},
    "datatypes": {"en": "Datatypes", "fr": "Types de données"},
    "individuals": {"en": "Individuals", "fr": "Individus"},
}


def _texts(pairs: Iterable[ox.Literal]) -> Texts:
    found: dict[str, str] = {}
    for literal in pairs:
        found.setdefault((literal.language or "").split("-")[0], literal.value)
    return MappingProxyType(found)


@dataclass(frozen=True)
class Term:
    """A ``cg:`` term: its name, labels and definitions by language, and what it relates to."""

    iri: str
    section: str
    labels: Texts
    definitions: Texts
    #: (relation short name, IRI) pairs: subclass of, domain, range, ...
    relations: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.iri[len(CG):] if self.iri.startswith(CG) else short_name(self.iri)

    def label(self, lang: str) -> str:
        return best_label(self.labels, lang) or self.name

    def definition(self, lang: str) -> str | None:
        return best_label(self.definitions, lang)


@dataclass(frozen=True)
class Concept:
    """A SKOS concept and its narrower concepts."""

    iri: str
    labels: Texts
    definitions: Texts
    narrower: tuple[Concept, ...] = ()

    @property
    def slug(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    def label(self, lang: str) -> str:
        return best_label(self.labels, lang) or self.slug

    def definition(self, lang: str) -> str | None:
        return best_label(self.definitions, lang)


@dataclass(frozen=True)
class Scheme:
    """A SKOS concept scheme and its tree of concepts (top concepts first)."""

    iri: str
    titles: Texts
    descriptions: Texts
    top: tuple[Concept, ...]
    size: int

    @property
    def kind(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    def title(self, lang: str) -> str:
        return best_label(self.titles, lang) or self.kind

    def description(self, lang: str) -> str | None:
        return best_label(self.descriptions, lang)


@dataclass(frozen=True)
class Documentation:
    """The whole vocabulary, ready to be shown."""

    titles: Texts
    descriptions: Texts
    version: str | None
    version_iri: str | None
    licence: str | None
    prefix: str | None
    terms: tuple[Term, ...]
    schemes: tuple[Scheme, ...]
    _by_name: Mapping[str, Term] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return best_label(self.titles, lang) or "civicgraph"

    def description(self, lang: str) -> str | None:
        return best_label(self.descriptions, lang)

    def section(self, name: str) -> list[Term]:
        return [t for t in self.terms if t.section == name]

    def term(self, name: str) -> Term:
        """The ``cg:`` term called ``name``; ``KeyError`` if there is none."""
        return self._by_name[name]


_RELATIONS: Final = (
    ("rdfs:subClassOf", RDFS + "subClassOf"), ("rdfs:subPropertyOf", RDFS + "subPropertyOf"),
    ("rdfs:domain", RDFS + "domain"), ("rdfs:range", RDFS + "range"),
    ("schema:domainIncludes", SCHEMA + "domainIncludes"),
    ("schema:rangeIncludes", SCHEMA + "rangeIncludes"),
    ("owl:inverseOf", OWL + "inverseOf"), ("owl:equivalentClass", OWL + "equivalentClass"),
    ("skos:closeMatch", SKOS + "closeMatch"), ("skos:exactMatch", SKOS + "exactMatch"),
)


class _Index:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.by_subject: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
        for t in triples:
            if isinstance(t.subject, ox.NamedNode) and not isinstance(t.object, ox.Triple):
                self.by_subject.setdefault(t.subject.value, {}).setdefault(
                    t.predicate.value, []).append(t.object)

    def objects(self, subject: str, predicate: str) -> list[ox.NamedNode | ox.BlankNode |
                                                           ox.Literal]:
        return self.by_subject.get(subject, {}).get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return sorted(o.value for o in self.objects(subject, predicate)
                      if isinstance(o, ox.NamedNode))

    def texts(self, subject: str, *predicates: str) -> Texts:
        return _texts(o for p in predicates for o in self.objects(subject, p)
                      if isinstance(o, ox.Literal))

    def first(self, subject: str, predicate: str) -> str | None:
        values = self.objects(subject, predicate)
        return values[0].value if values else None

    def typed(self, kind: str) -> list[str]:
        return sorted(s for s, props in self.by_subject.items()
                      if any(o.value == kind for o in props.get(RDF + "type", [])))


def _concept(index: _Index, iri: str, narrower: Mapping[str, list[str]],
             seen: frozenset[str]) -> Concept:
    below = tuple(_concept(index, n, narrower, seen | {iri})
                  for n in narrower.get(iri, []) if n not in seen)
    return Concept(iri, index.texts(iri, SKOS + "prefLabel"),
                   index.texts(iri, SKOS + "definition"), below)


def _schemes(index: _Index) -> list[Scheme]:
    schemes = []
    for scheme in index.typed(SKOS + "ConceptScheme"):
        members = [c for c in index.typed(SKOS + "Concept")
                   if scheme in index.iris(c, SKOS + "inScheme")]
        narrower: dict[str, list[str]] = {}
        for concept in members:
            for parent in index.iris(concept, SKOS + "broader"):
                narrower.setdefault(parent, []).append(concept)
        tops = [c for c in members if not index.iris(c, SKOS + "broader")
                or scheme in index.iris(c, SKOS + "topConceptOf")]
        schemes.append(Scheme(
            scheme, index.texts(scheme, DCTERMS + "title", SKOS + "prefLabel"),
            index.texts(scheme, DCTERMS + "description", SKOS + "definition"),
            tuple(_concept(index, t, narrower, frozenset()) for t in sorted(tops)),
            len(members)))
    return schemes


@functools.cache
def documentation() -> Documentation:
    """The documentation of the vocabulary (read once from the ontology files)."""
    index = _Index(vocabulary_triples())
    terms: list[Term] = []
    placed: set[str] = set()
    for section, kinds in SECTIONS:
        for kind in kinds:
            for iri in index.typed(kind):
                if not iri.startswith(CG) or iri in placed:
                    continue
                placed.add(iri)
                relations = tuple((name, target) for name, prop in _RELATIONS
                                  for target in index.iris(iri, prop))
                terms.append(Term(iri, section, index.texts(iri, RDFS + "label"),
                                  index.texts(iri, SKOS + "definition"), relations))
    by_name = {t.name: t for t in terms}
    return Documentation(
        titles=index.texts(ONTOLOGY_IRI, DCTERMS + "title"),
        descriptions=index.texts(ONTOLOGY_IRI, DCTERMS + "description"),
        version=index.first(ONTOLOGY_IRI, OWL + "versionInfo"),
        version_iri=index.first(ONTOLOGY_IRI, OWL + "versionIRI"),
        licence=index.first(ONTOLOGY_IRI, DCTERMS + "license"),
        prefix=index.first(ONTOLOGY_IRI, VANN + "preferredNamespacePrefix"),
        terms=tuple(terms), schemes=tuple(_schemes(index)),
        _by_name=MappingProxyType(by_name),
    )


def ontology_triples() -> list[ox.Triple]:
    """The triples published at the namespace: the vocabulary, the reused axioms, the
    alignments and the concept schemes."""
    return vocabulary_triples()
