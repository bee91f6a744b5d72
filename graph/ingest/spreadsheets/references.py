"""Finding what a cell refers to: organisations, tools, persons, concepts, events.

A reference may be written as an IRI, its path (``software/framadate``), an identifier (the
slug of the IRI, an RNA or SIREN number, a Framalibre id), a Wikidata id, or a name or label
in French or English; names are matched without case, accents or punctuation (``norm``).
A name that is the label (or alternative name) of one resource names it, even when it is also
the slug of another (``Framadate``: the software, not the Framasoft instance whose slug is
``framadate``). A reference that names nothing, or several things, is refused with the three
closest candidates. The index holds what the store already knows, what the curated tool table
knows, and what the file being imported defines.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from graph.ingest.spreadsheets.values import _WIKIDATA, clip, lower_scheme, norm, quoted
from graph.namespaces import CG, FOAF, ID, ORG, OWL, RDFS, SCHEMA, SKOS, WD
from graph.store import Store
from graph.vocabulary import ontology_dir

#: longest text whose closest names are suggested
_NEAR_MAX = 500

#: rdf:type of each kind of resource a reference may name (no inference in the store)
CLASSES: dict[str, tuple[str, ...]] = {
    "org": (ORG + "Organization", ORG + "FormalOrganization",
            ORG + "OrganizationalCollaboration", ORG + "OrganizationalUnit"),
    "software": (SCHEMA + "SoftwareApplication",),
    "instance": (CG + "HostedInstance",),
    "space": (CG + "SharedSpace",),
    "usage": (CG + "ToolUsage",),
    "need": (CG + "Need",),
    "experience": (CG + "ExperienceReport",),
    "event": (SCHEMA + "Event", CG + "Seminar", CG + "PublicDay", CG + "Workshop"),
    "activity": (CG + "ObservationActivity", CG + "Survey", CG + "Interview", CG + "Seminar"),
    "wave": (CG + "ObservationWave",),
    "programme": (CG + "Programme",),
    "person": (FOAF + "Person",),
}

_LABELS = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", FOAF + "name",
           FOAF + "mbox", ORG + "identifier", CG + "framalibreId")

_SCHEMES_DIR = "schemes"
_CONCEPTS = f"""
    SELECT ?x ?scheme ?label WHERE {{
      ?x <{SKOS}inScheme> ?scheme .
      OPTIONAL {{ VALUES ?p {{ <{SKOS}prefLabel> <{SKOS}altLabel> <{SKOS}notation> }}
                 ?x ?p ?label }}
    }}"""


class ReferenceProblem(ValueError):
    """A reference that matches nothing, or more than one thing."""


class Index:
    """Keys (IRIs, normalised names and identifiers, Wikidata ids) to IRIs, per kind."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        # the keys that are names (labels, identifiers), not slugs
        self._named: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._iris: dict[str, set[str]] = defaultdict(set)
        # answers per kinds looked up; adding a resource forgets the answers about its kind
        self._cache: dict[tuple[str, ...], dict[str, str | ReferenceProblem]] = {}

    def add(self, kind: str, iri: str, names: Iterable[str] = (),
            wikidata: Iterable[str] = ()) -> None:
        """Record that ``iri`` is a ``kind``, known by ``names`` and ``wikidata`` ids."""
        for looked_up in [k for k in self._cache if kind in k]:
            del self._cache[looked_up]
        self._iris[kind].add(iri)
        keys = self._keys[kind]
        keys[norm(iri.rsplit("/", 1)[-1])].add(iri)
        keys["path:" + norm("/".join(iri.rsplit("/", 2)[-2:]))].add(iri)
        for name in names:
            key = norm(name.removeprefix("mailto:"))
            if key:
                keys[key].add(iri)
                self._named[kind][key].add(iri)
        for qid in wikidata:
            keys["wd:" + qid.upper()].add(iri)

    def known(self, iri: str) -> bool:
        """Whether ``iri`` is a resource of any kind in the index."""
        return any(iri in iris for iris in self._iris.values())

    def resolve(self, kinds: tuple[str, ...], text: str) -> str:
        """The one IRI of a ``kinds`` resource that ``text`` names."""
        answers = self._cache.setdefault(kinds, {})
        if text not in answers:
            try:
                answers[text] = self._resolve(kinds, text)
            except ReferenceProblem as problem:
                answers[text] = problem
        found = answers[text]
        if isinstance(found, ReferenceProblem):
            raise found
        return found

    def _resolve(self, kinds: tuple[str, ...], text: str) -> str:
        found: set[str] = set()
        text = lower_scheme(text)
        if text.startswith(("http://", "https://")) and not _WIKIDATA.match(text):
            found = {text for kind in kinds if text in self._iris[kind]}
            if not found:
                raise ReferenceProblem(f"no {_what(kinds)} has the IRI <{clip(text)}>")
            return text
        wikidata = _WIKIDATA.match(text)
        key = "wd:" + wikidata[1].upper() if wikidata else norm(text)
        if "/" in text and not wikidata:
            key = "path:" + key
        for kind in kinds:
            found |= self._keys[kind].get(key, set())
        if len(found) > 1:   # a name that labels one of them names it
            named = {iri for kind in kinds for iri in self._named[kind].get(key, set())}
            found = named if len(named) == 1 else found
        if not found:
            raise ReferenceProblem(f"unknown {_what(kinds)} {quoted(text)}"
                                   + self._closest(kinds, key, set()))
        if len(found) > 1:
            raise ReferenceProblem(f"{quoted(text)} matches several {_what(kinds)}s"
                                   + self._closest(kinds, key, found)
                                   + "; write the identifier instead")
        return found.pop()

    def _closest(self, kinds: tuple[str, ...], key: str, among: set[str]) -> str:
        """``; closest: a <iri>, b <iri>, c <iri>``: the three resources (of ``among`` if
        given) whose names are nearest ``key``, or nothing when none is near."""
        if len(key) > _NEAR_MAX:   # no name is near it, and difflib would index every character
            return ""
        names: dict[str, str] = {}
        for kind in kinds:
            for name, iris in self._keys[kind].items():
                for iri in iris:
                    if (not among or iri in among) and not name.startswith(("wd:", "path:")):
                        names.setdefault(iri, name)
        by_name: dict[str, list[str]] = defaultdict(list)
        for iri, name in names.items():
            by_name[name].append(iri)
        nearest = difflib.get_close_matches(key.removeprefix("path:"), list(by_name), n=3,
                                            cutoff=0.0 if among else 0.5)
        chosen = [(name, iri) for name in nearest for iri in sorted(by_name[name])][:3]
        if not chosen:
            return ""
        return "; closest: " + ", ".join(f"{quoted(name)} <{iri}>" for name, iri in chosen)

    def find(self, kinds: tuple[str, ...], names: Iterable[str]) -> str | None:
        """The one existing IRI that one of ``names`` matches, else None (no error)."""
        for name in names:
            try:
                return self.resolve(kinds, name)
            except ReferenceProblem:
                continue
        return None


def _what(kinds: tuple[str, ...]) -> str:
    if set(kinds) == {"software", "instance", "space"}:
        return "tool"
    names = {"org": "organisation", "effect-observation": "effect observation"}
    return " or ".join(names.get(k, k.removeprefix("concept:")) for k in kinds)


def index_store(index: Index, store: Store, kinds: Iterable[str] | None = None) -> None:
    """Add to ``index`` every resource of ``kinds`` (default: every known kind) in ``store``
    (all graphs). An import asks only for the kinds its sheets may name: at 10^6 triples
    the usages alone are 85,000 resources that a sheet of usages never refers to.

    Three scans joined here rather than one query with two OPTIONALs: an engine that looks the
    names up resource by resource (Oxigraph over a union of graphs) took 7.9 s for 110,000
    organisations at 10^7 triples where the scans take 2.8 s, and every SPARQL engine answers
    a plain scan alike."""
    wanted = set(CLASSES) if kinds is None else set(kinds)
    by_class = {cls: kind for kind, classes in CLASSES.items() if kind in wanted
                for cls in classes}
    if not by_class:
        return
    values = " ".join(f"<{c}>" for c in by_class)
    labels = " ".join(f"<{p}>" for p in _LABELS)
    found: dict[str, list[str]] = {}   # resource: its kinds
    for x, c in _pairs(store, f"SELECT ?x ?c WHERE {{ VALUES ?c {{ {values} }} ?x a ?c }}",
                       "x", "c"):
        found.setdefault(x.value, []).append(by_class[c.value])
    names: dict[str, list[str]] = defaultdict(list)
    for x, name in _pairs(store, f"SELECT ?x ?name WHERE {{ VALUES ?p {{ {labels} }} "
                                 "?x ?p ?name }", "x", "name"):
        if x.value in found:
            names[x.value].append(name.value)
    wikidata: dict[str, list[str]] = defaultdict(list)
    for x, same in _pairs(store, f"SELECT ?x ?same WHERE {{ ?x <{OWL}sameAs> ?same "
                                 f'FILTER(STRSTARTS(STR(?same), "{WD}")) }}', "x", "same"):
        if x.value in found:
            wikidata[x.value].append(same.value.removeprefix(WD))
    for iri, kinds_of in found.items():
        for kind in dict.fromkeys(kinds_of):
            index.add(kind, iri, names.get(iri, ()), wikidata.get(iri, ()))


def _pairs(store: Store, query: str, first: str, second: str
           ) -> Iterable[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]:
    """The rows of ``query`` whose ``first`` is an IRI and ``second`` an IRI or a literal."""
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        x, y = row[first], row[second]
        if isinstance(x, ox.NamedNode) and isinstance(y, (ox.NamedNode, ox.Literal)):
            yield x, y


def index_concepts(index: Index, store: Store) -> None:
    """Add the SKOS concepts of the store's schemes; a scheme the store lacks is read from
    the ontology's own files, so that imports work on an empty store."""
    query = _CONCEPTS
    index_concept_files(index, skip=_add_concepts(index, store.query(query)))


def index_concept_files(index: Index, skip: frozenset[str] | set[str] = frozenset()) -> None:
    """Add the SKOS concepts of the ontology's scheme files, except the schemes in ``skip``."""
    for path in _scheme_files():
        if path.stem in skip:
            continue
        local = ox.Store()
        local.load(path.read_bytes(), ox.RdfFormat.TURTLE)
        _add_concepts(index, local.query(_CONCEPTS))


def _add_concepts(index: Index, result: object) -> set[str]:
    assert isinstance(result, ox.QuerySolutions)
    seen: set[str] = set()
    prefix = ID + "scheme/"
    for row in result:
        concept, scheme = row["x"], row["scheme"]
        if not isinstance(concept, ox.NamedNode) or not isinstance(scheme, ox.NamedNode):
            continue
        if not scheme.value.startswith(prefix):
            continue
        kind = scheme.value.removeprefix(prefix)
        seen.add(kind)
        label = row["label"]
        names = [label.value] if label is not None else []
        if label is not None and " ou " in label.value:
            # "Trésorier ou trésorière": either form names the concept
            names += [part.strip() for part in label.value.split(" ou ")]
        index.add("concept:" + kind, concept.value, names)
    return seen


def _scheme_files() -> list[Path]:
    return sorted((ontology_dir() / _SCHEMES_DIR).glob("*.ttl"))
