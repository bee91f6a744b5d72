"""Where a spreadsheet import goes: one source, one pair of named graphs, never another's.

A source is first normalised (``values.normal_source``: Unicode NFC, surrounding whitespace
stripped, inner runs of whitespace made one space), so "enquête 2026" typed on macOS
(decomposed) and " enquête  2026" are one source; the normalised text is what the meta graph
records (``dcterms:source``). A source's public rows go to ``…/graph/contrib/{slug}``, its
restricted rows to ``…/graph/restricted/contrib/{slug}``, and its observations name the activity
``…/id/activity/{slug}``.

**The rule.** A slug drops case, accents, punctuation and everything past 60 characters, so
many sources share one ("Survey 2026!", "survey-2026", "SURVEY 2026"). The source that reads as
its slug with spaces ("survey 2026") gets the bare slug, unless that slug ends with a hyphen and
twelve hexadecimal digits; every other source gets the first twelve hexadecimal digits of the
SHA-256 of its normalised text after its slug (``survey-2026-7d03a1e7df4b``). Two sources never
get the same slug by the rule: a bare slug is its source with hyphens, and never ends as every
digest form ends; two digest forms are equal only if their digests are.

**In a store** (``target_in``), a source's graphs are those the meta graphs describe with its
source (once normalised) at a slug an import of it may have made: its slug (as every import did
before the rule), alone or followed by twelve hexadecimal digits (the rule's digest, or, before
sources were normalised, the digest of the text as typed). A source that has such graphs, held
by no other source, keeps them (the rule's slug among them first, else the first in order); one
that has none gets the rule's slug, or the digest form when a graph is described there already
(a store written before the rule: another source's import). Its other graphs (a store written
before sources were normalised: "survey 2026" and "survey 2026 " apart) are emptied and dropped
by the import. So the target is a function of the normalised source and of the meta graphs, a
source never leaves its graphs once it has some, and after an import no graph but its target's
holds that source's earlier data.

>>> Target.for_source("survey 2026 wave 2", "https://w3id.org/civicgraph/").public
'https://w3id.org/civicgraph/graph/contrib/survey-2026-wave-2'
>>> Target.for_source("Survey 2026!", "https://w3id.org/civicgraph/").public
'https://w3id.org/civicgraph/graph/contrib/survey-2026-7d03a1e7df4b'
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from graph.errors import InputError
from graph.ingest.provenance import Access
from graph.ingest.spreadsheets.values import digest, normal_source, quoted, slugify
from graph.namespaces import DCTERMS, META_GRAPH, graph_iri, iri_for
from graph.privacy.access import RESTRICTED_META_GRAPH
from graph.store import Store

_PUBLIC = "contrib/"
_RESTRICTED = "restricted/contrib/"
#: how every digest form ends, and so no bare slug
_DIGESTED = re.compile(r"-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Target:
    """Where an import goes: its graphs and the import activity of its observations; ``stale``
    the source's other graphs (and their access), which the import empties."""

    public: str
    restricted: str
    activity: str
    stale: tuple[tuple[str, Access], ...] = ()

    @classmethod
    def for_slug(cls, slug: str, base: str) -> Target:
        return cls(graph_iri(_PUBLIC + slug, base), graph_iri(_RESTRICTED + slug, base),
                   iri_for("activity", slug, base))

    @classmethod
    def for_source(cls, source: str, base: str) -> Target:
        """The target of ``source`` (normalised) by the rule alone (see the module)."""
        return cls.for_slug(_ruled(normal_source(source)), base)


def _ruled(source: str) -> str:
    slug = slugify(source)
    if slug.replace("-", " ") == source and not _DIGESTED.search(slug):
        return slug
    return _digested(source)


def _digested(source: str) -> str:
    return f"{slugify(source)}-{digest(source)}"


def _stem(source: str) -> str | None:
    """The slug of every spelling of ``source`` (normalised), or None for a source of which
    nothing is left: its slug is then the digest of its text as typed."""
    slug = slugify(source)
    return None if slug == "h-" + digest(source) else slug


def _import_slug(stem: str | None) -> re.Pattern[str]:
    """The slugs an import of a source of slug ``stem`` may have named, by this rule or one
    before it, however the source was typed then: its slug (every import before the rule),
    alone or followed by a digest (of the text as typed, before sources were normalised)."""
    return re.compile(f"{'h-[0-9a-f]{12}' if stem is None else re.escape(stem)}"
                      "(?:-[0-9a-f]{12})?")


def target_in(store: Store, source: str, base: str) -> Target:
    """The target of ``source`` in ``store`` (see the module). Raises ``InputError`` in the
    unheard-of case where the rule's slug and the digest form both hold another source."""
    source = normal_source(source)
    stem = _stem(source)
    made = _import_slug(stem)
    holders: dict[str, set[str]] = defaultdict(set)   # slug: the sources described there
    mine: dict[str, tuple[str, Access]] = {}          # graph of the source: slug, access
    # every slug read below (the rule's, the digest form, the source's own) starts with this
    for graph, slug, access, recorded in _described(store, base, stem or "h-"):
        holders[slug].add(normal_source(recorded))
        if normal_source(recorded) == source and made.fullmatch(slug):
            mine[graph] = (slug, access)
    own = {slug for slug, _ in mine.values() if holders[slug] == {source}}
    ruled = _ruled(source)
    if own:
        slug = ruled if ruled in own else min(own)
    else:
        free = [s for s in (ruled, _digested(source)) if holders.get(s, set()) <= {source}]
        if not free:
            other = min(holders[_digested(source)] - {source})
            raise InputError(
                f"the graphs of source {quoted(source)} (…/graph/{_PUBLIC}{ruled} and "
                f"…/graph/{_PUBLIC}{_digested(source)}) hold the import of another source, "
                f"{quoted(other)}: give another source")
        slug = free[0]
    target = Target.for_slug(slug, base)
    stale = tuple(sorted((graph, access) for graph, (_, access) in mine.items()
                         if graph not in (target.public, target.restricted)))
    return Target(target.public, target.restricted, target.activity, stale)


def _described(store: Store, base: str, start: str) -> list[tuple[str, str, Access, str]]:
    """(graph, slug, access, recorded source) of every graph under ``contrib/`` or
    ``restricted/contrib/`` whose slug starts with ``start``, described in the meta graphs
    (every description says its ``dcterms:source``)."""
    prefixes: tuple[tuple[str, Access], ...] = (
        (graph_iri(_PUBLIC, base), "public"), (graph_iri(_RESTRICTED, base), "restricted"))
    result = store.query(
        f"""SELECT DISTINCT ?graph ?source WHERE {{
              GRAPH ?meta {{ ?graph <{DCTERMS}source> ?source }}
              FILTER(STRSTARTS(STR(?graph), ?public) || STRSTARTS(STR(?graph), ?restricted))
              VALUES ?meta {{ <{META_GRAPH}> <{RESTRICTED_META_GRAPH}> }} }}""",
        substitutions={"public": ox.Literal(prefixes[0][0] + start),
                       "restricted": ox.Literal(prefixes[1][0] + start)})
    assert isinstance(result, ox.QuerySolutions)
    found = []
    for row in result:
        graph, recorded = row["graph"].value, row["source"].value
        for prefix, access in prefixes:
            slug = graph.removeprefix(prefix)
            if slug != graph and slug and "/" not in slug:
                found.append((graph, slug, access, recorded))
    return found
