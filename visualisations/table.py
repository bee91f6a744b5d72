"""The usage table: the public usage observations and what the maps need to know about them,
assembled from single-predicate scans of each public graph (``visualisations.fragments``).

Projections work on this table rather than on the store: at 10^5 organisations a join over
the usages takes seconds on the embedded store, so the table is read once per version of the
data (``visualisations.service`` keeps it, re-reading only the graphs an import replaced) and
every map, filter and metric is then computed from it in memory. Reading it is a pure function
of the store's public graphs.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from graph.namespaces import CG, DEFAULT_BASE, META_GRAPH, ORG, PROV, RDF, SCHEMA, SKOS
from graph.privacy.access import public_graphs
from graph.store import Store
from visualisations.fragments import (
    INSEE_CODE,
    LABELS,
    METRICS_GRAPH_PREFIX,
    Fragment,
    query_text,
    read_fragment,
)


@dataclass(slots=True)
class Usage:
    """One ``cg:ToolUsage``, its tool rolled up to the software."""

    iri: str
    org: str
    tool: str
    software: str
    practices: tuple[str, ...] = ()
    status: str | None = None
    observed: str | None = None    # ISO date
    start: str | None = None       # ISO date
    end: str | None = None         # ISO date
    waves: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()


@dataclass
class UsageTable:
    """The usages and the attributes of what they link (organisations, software, concepts)."""

    usages: list[Usage] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    org_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    org_kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    org_departement: dict[str, str] = field(default_factory=dict)
    org_commune: dict[str, str] = field(default_factory=dict)      # INSEE code
    software_free: dict[str, bool] = field(default_factory=dict)   # cg:isFreeSoftware
    software_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    concept_scheme: dict[str, str] = field(default_factory=dict)
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)
    communities: dict[str, str] = field(default_factory=dict)
    base: str = DEFAULT_BASE

    def label(self, iri: str, lang: str = "en") -> str:
        """The label of ``iri`` in ``lang``, else in the other language, else its last segment."""
        found = self.labels.get(iri)
        if found:
            for tag in (lang, "", "en", "fr"):
                if tag in found:
                    return found[tag]
            return next(iter(found.values()))
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def narrower_closure(self, concepts: Iterable[str]) -> frozenset[str]:
        """``concepts`` and every concept below them."""
        below: dict[str, list[str]] = defaultdict(list)
        for concept, parents in self.broader.items():
            for parent in parents:
                below[parent].append(concept)
        seen: set[str] = set()
        todo = list(concepts)
        while todo:
            concept = todo.pop()
            if concept not in seen:
                seen.add(concept)
                todo.extend(below.get(concept, ()))
        return frozenset(seen)

    def top(self, concept: str) -> str:
        """The top concept above ``concept`` (following the first broader link)."""
        seen = {concept}
        while self.broader.get(concept):
            concept = self.broader[concept][0]
            if concept in seen:
                break
            seen.add(concept)
        return concept

    def concepts_in(self, scheme_kind: str) -> list[str]:
        """The concepts of the scheme ``id:scheme/{scheme_kind}``, sorted by IRI."""
        scheme = f"{self.base}id/scheme/{scheme_kind}"
        return sorted(c for c, s in self.concept_scheme.items() if s == scheme)

    @cached_property
    def organisations(self) -> frozenset[str]:
        """The organisations with at least one usage (computed once: the table is not
        changed after it is read)."""
        return frozenset(u.org for u in self.usages)

    @cached_property
    def software(self) -> frozenset[str]:
        """The software of at least one usage."""
        return frozenset(u.software for u in self.usages)


def data_version(store: Store, graphs: Sequence[str] | None = None) -> str:
    """A short fingerprint of the public data: the public graphs and their import dates and
    sizes as the meta graph records them. It changes whenever an import replaces a graph."""
    graphs = list(graphs) if graphs is not None else public_graphs(store)
    result = store.query(
        f"SELECT ?g ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?g ?p ?o "
        f"FILTER(?p IN (<{PROV}generatedAtTime>, <http://rdfs.org/ns/void#triples>, "
        f"<{CG}sha256>)) }} }}",
        default_graph=[META_GRAPH],
    )
    assert isinstance(result, ox.QuerySolutions)
    wanted = set(graphs)
    parts = sorted(
        f"{row['g'].value} {row['p'].value} {row['o'].value}" for row in result
        if row["g"].value in wanted
    )
    digest = hashlib.sha256("\n".join([*sorted(wanted), *parts]).encode()).hexdigest()
    return digest[:16]


def load_table(store: Store, graphs: Sequence[str] | None = None,
               base: str = DEFAULT_BASE) -> UsageTable:
    """Read the usage table from ``graphs`` (default: the public graphs of ``store``)."""
    graphs = list(graphs) if graphs is not None else public_graphs(store)
    return assemble([read_fragment(store, g, base) for g in graphs], base=base)


def assemble(fragments: Sequence[Fragment], base: str = DEFAULT_BASE) -> UsageTable:
    """The usage table of the union of ``fragments`` (the joins the scans leave out)."""
    table = UsageTable(base=base)

    def pairs(predicate: str) -> Iterator[tuple[str, str]]:
        for fragment in fragments:
            yield from fragment.get(predicate)

    typed: dict[str, set[str]] = defaultdict(set)
    for subject, cls in pairs(RDF + "type"):
        typed[cls].add(subject)
    software_iris = typed[SCHEMA + "SoftwareApplication"]
    roll_up = {sw: sw for sw in software_iris}
    for tool, sw in pairs(CG + "software"):
        if sw in software_iris:
            roll_up[tool] = sw
    kinds = typed[CG + "ToolUsage"]
    org_of = {u: o for u, o in pairs(CG + "organisation") if u in kinds}
    for usage, tool in dict.fromkeys(pairs(CG + "tool")):
        if usage in org_of:
            table.usages.append(Usage(usage, org_of[usage], tool, roll_up.get(tool, tool)))
    table.usages.sort(key=lambda u: u.iri)
    by_iri = {u.iri: u for u in table.usages}

    def column(predicate: str, of: Callable[[str], str | None] = lambda v: v
               ) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for usage, value in pairs(predicate):
            if usage in by_iri and (mapped := of(value)) is not None:
                found[usage].add(mapped)
        return found

    for usage, values in column(CG + "practice").items():
        by_iri[usage].practices = tuple(sorted(values))
    for attribute, predicate in (("status", CG + "status"), ("observed", CG + "observedOn"),
                                 ("start", SCHEMA + "startDate"), ("end", SCHEMA + "endDate")):
        least: dict[str, str] = {}  # the smallest value of each usage (no list per usage)
        for usage, value in pairs(predicate):
            if usage in by_iri and (usage not in least or value < least[usage]):
                least[usage] = value
        for usage, value in least.items():
            setattr(by_iri[usage], attribute, value)
    wave_of = dict(pairs(CG + "wave"))
    for usage, usage_waves in column(PROV + "wasGeneratedBy", wave_of.get).items():
        by_iri[usage].waves = tuple(sorted(usage_waves))
    for usage, usage_effects in _effects(pairs).items():
        if usage in by_iri:
            by_iri[usage].effects = tuple(sorted(usage_effects))

    orgs = table.organisations
    for attribute, predicate in (("org_fields", ORG + "purpose"),
                                 ("org_kinds", ORG + "classification")):
        found: dict[str, set[str]] = defaultdict(set)
        for org, value in pairs(predicate):
            if org in orgs:
                found[org].add(value)
        setattr(table, attribute, {k: tuple(sorted(v)) for k, v in found.items()})
    departement_of = dict(pairs(CG + "departement"))
    table.org_departement = {org: departement_of[commune]
                             for org, commune in pairs(SCHEMA + "location")
                             if org in orgs and commune in departement_of}
    code_of = dict(pairs(INSEE_CODE))
    table.org_commune = {org: code_of[commune] for org, commune in pairs(SCHEMA + "location")
                         if org in orgs and commune in code_of}
    software = table.software
    table.software_free = {sw: value in ("true", "1") for sw, value in
                           pairs(CG + "isFreeSoftware") if sw in software}
    categories: dict[str, set[str]] = defaultdict(set)
    for sw, value in pairs(CG + "category"):
        if sw in software:
            categories[sw].add(value)
    table.software_categories = {k: tuple(sorted(v)) for k, v in categories.items()}

    for concept, scheme in pairs(SKOS + "inScheme"):
        table.concept_scheme.setdefault(concept, scheme)
    broader: dict[str, set[str]] = defaultdict(set)
    for concept, parent in pairs(SKOS + "broader"):
        if concept in table.concept_scheme:
            broader[concept].add(parent)
    table.broader = {k: tuple(sorted(v)) for k, v in broader.items()}

    wanted = orgs | software | set(table.concept_scheme) | {t for u in table.usages
                                                            for t in (u.tool, *u.waves)}
    for predicate in LABELS:  # skos:prefLabel first: it wins over rdfs:label
        for fragment in fragments:
            for subject, text, lang in fragment.labels.get(predicate, ()):
                if subject in wanted:
                    table.labels.setdefault(subject, {}).setdefault(lang, text)

    table.communities = {node: community for fragment in fragments
                         for node, community in fragment.communities if node in orgs}
    return table


def _effects(pairs: Callable[[str], Iterable[tuple[str, str]]]) -> dict[str, set[str]]:
    """The effects observed on each usage: directly, or on an experience report about it."""
    effects_of: dict[str, list[str]] = defaultdict(list)
    for observation, effect in pairs(CG + "effect"):
        effects_of[observation].append(effect)
    usages_of: dict[str, list[str]] = defaultdict(list)
    for experience, usage in pairs(CG + "concernsUsage"):
        usages_of[experience].append(usage)
    found: dict[str, set[str]] = defaultdict(set)
    for observation, usage in pairs(CG + "onUsage"):
        found[usage].update(effects_of.get(observation, ()))
    for observation, experience in pairs(CG + "onExperience"):
        for usage in usages_of.get(experience, ()):
            found[usage].update(effects_of.get(observation, ()))
    return {u: e for u, e in found.items() if e}


__all__ = ["METRICS_GRAPH_PREFIX", "Usage", "UsageTable", "assemble", "data_version",
           "load_table", "query_text"]
