"""The usage table: the public usage observations and what the maps need to know about them,
read from the store in a few single-pattern scans.

Projections work on this table rather than on the store: at 10^5 organisations a join over
the usages takes seconds on the embedded store, so the table is read once per version of the
data (``api`` keeps it in a cache keyed by ``data_version``) and every map, filter and metric is
then computed from it in memory. Reading it is a pure function of the store's public graphs.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources

import pyoxigraph as ox

from graph.access import public_graphs
from graph.namespaces import CG, DEFAULT_BASE, META_GRAPH, ORG, PROV, SCHEMA
from graph.store import Store

#: the named graph where ``write_metrics`` stores the metrics of a projection
METRICS_GRAPH_PREFIX = "graph/metrics/"


def query_text(name: str) -> str:
    """The text of ``visualisations/queries/{name}.rq``."""
    return resources.files("visualisations").joinpath("queries", f"{name}.rq").read_text("utf-8")


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
    table = UsageTable(base=base)

    def rows(name: str, **substitutions: ox.NamedNode) -> ox.QuerySolutions:
        result = store.query(query_text(name), substitutions=substitutions or None,
                             default_graph=graphs)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def pairs(name: str, **substitutions: ox.NamedNode) -> list[tuple[str, str]]:
        return [(row[0].value, row[1].value) for row in rows(name, **substitutions)]

    roll_up = dict(pairs("software"))
    # Joins over the usages are slow on the embedded store (17 s for 85,000 usages): read
    # one property at a time, each a single-pattern scan, and join here.
    kinds = {row[0].value for row in rows("usages")}

    def scan(predicate: str) -> list[tuple[str, str]]:
        return pairs("usage_values", p=ox.NamedNode(predicate))

    org_of = {u: o for u, o in scan(CG + "organisation") if u in kinds}
    for usage, tool in scan(CG + "tool"):
        if usage in org_of:
            table.usages.append(Usage(usage, org_of[usage], tool, roll_up.get(tool, tool)))
    table.usages.sort(key=lambda u: u.iri)
    by_iri = {u.iri: u for u in table.usages}

    def column(predicate: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for usage, value in scan(predicate):
            if usage in by_iri:
                found[usage].append(value)
        return found

    for usage, values in column(CG + "practice").items():
        by_iri[usage].practices = tuple(sorted(set(values)))
    for attribute, predicate in (("status", CG + "status"), ("observed", CG + "observedOn"),
                                 ("start", SCHEMA + "startDate"), ("end", SCHEMA + "endDate")):
        for usage, values in column(predicate).items():
            setattr(by_iri[usage], attribute, min(values))
    wave_of = dict(pairs("usage_waves"))
    waves: dict[str, set[str]] = defaultdict(set)
    for usage, activities in column(PROV + "wasGeneratedBy").items():
        waves[usage].update(wave_of[a] for a in activities if a in wave_of)
    effects: dict[str, set[str]] = defaultdict(set)
    for usage, effect in pairs("usage_effects"):
        effects[usage].add(effect)
    for usage_iri, usage_waves in waves.items():
        if usage_iri in by_iri:
            by_iri[usage_iri].waves = tuple(sorted(usage_waves))
    for usage_iri, usage_effects in effects.items():
        if usage_iri in by_iri:
            by_iri[usage_iri].effects = tuple(sorted(usage_effects))

    orgs = table.organisations
    for attribute, predicate in (("org_fields", ORG + "purpose"),
                                 ("org_kinds", ORG + "classification")):
        found: dict[str, set[str]] = defaultdict(set)
        for org, value in pairs("usage_values", p=ox.NamedNode(predicate)):
            if org in orgs:
                found[org].add(value)
        setattr(table, attribute, {k: tuple(sorted(v)) for k, v in found.items()})
    table.org_departement = {org: dep for org, dep in pairs("departements") if org in orgs}
    software = table.software
    categories: dict[str, set[str]] = defaultdict(set)
    for sw, value in pairs("usage_values", p=ox.NamedNode(CG + "category")):
        if sw in software:
            categories[sw].add(value)
    table.software_categories = {k: tuple(sorted(v)) for k, v in categories.items()}

    broader: dict[str, set[str]] = defaultdict(set)
    for row in rows("concepts"):
        concept = row["concept"].value
        table.concept_scheme.setdefault(concept, row["scheme"].value)
        if row["broader"] is not None:
            broader[concept].add(row["broader"].value)
    table.broader = {k: tuple(sorted(v)) for k, v in broader.items()}

    wanted = orgs | software | set(table.concept_scheme) | {t for u in table.usages
                                                            for t in (u.tool, *u.waves)}
    for row in rows("labels"):
        subject, label = row[0], row[1]
        if subject.value in wanted and isinstance(label, ox.Literal):
            table.labels.setdefault(subject.value, {}).setdefault(label.language or "",
                                                                  label.value)

    metrics = f"{base}{METRICS_GRAPH_PREFIX}org-tool"
    if metrics in graphs:
        result = store.query(query_text("communities"), default_graph=[metrics])
        assert isinstance(result, ox.QuerySolutions)
        table.communities = {row[0].value: row[1].value for row in result
                             if row[0].value in orgs}
    return table


__all__ = ["Usage", "UsageTable", "data_version", "load_table", "query_text"]
