"""What changed between two observation waves: which organisations kept, adopted, abandoned
or switched tools. Pure: the usage table and filters in, flows out.

A usage belongs to the wave of the activity that generated it; a tool is *in use* by an
organisation in a wave when a usage of that wave does not have the status "abandoned".
Only organisations observed in both waves are compared (one seen only in the later wave
may have used its tools long before). For each such organisation, a tool in use in the
first wave and not in the second is *abandoned*, one in use in the second only is
*adopted*, and an abandoned tool and an adopted one that served a practice in common form a
*switch* (each tool in at most one switch: the pair sharing most practices first).

>>> from visualisations.table import Usage, UsageTable
>>> W = "https://w3id.org/civicgraph/id/wave/"
>>> t = UsageTable(usages=[
...     Usage("u1", "o1", "doodle", "doodle", ("vote",), waves=(W + "2024",)),
...     Usage("u2", "o1", "framadate", "framadate", ("vote",), waves=(W + "2025",))])
>>> [(f.change, f.source, f.target) for f in compare(t, W + "2024", W + "2025").flows]
[('switched', 'doodle', 'framadate')]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graph.errors import ParameterError
from visualisations.columns import columns
from visualisations.filters import Filters
from visualisations.projection import select
from visualisations.table import UsageTable

#: the kinds of change, in the order tables list them
CHANGES: tuple[str, ...] = ("switched", "adopted", "abandoned", "kept")


@dataclass(frozen=True)
class Flow:
    """The organisations that made one change: ``source`` (a software in the first wave;
    ``None`` for an adoption) to ``target`` (in the second; ``None`` for an abandonment)."""

    change: str
    source: str | None
    target: str | None
    organisations: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.organisations)


@dataclass
class Comparison:
    """The flows between ``first`` and ``second`` wave, biggest first within each change."""

    first: str
    second: str
    flows: list[Flow] = field(default_factory=list)
    compared: int = 0          # organisations observed in both waves
    only_first: int = 0        # observed in the first wave only
    only_second: int = 0       # observed in the second wave only

    def total(self, change: str) -> int:
        """How many (organisation, tool) changes of kind ``change``."""
        return sum(f.size for f in self.flows if f.change == change)


def waves(table: UsageTable) -> list[str]:
    """The waves of the table's usages, in order (their IRIs sort by year)."""
    return list(columns(table).waves)


def wave_iri(parameter: str, value: str, base: str) -> str:
    """The wave IRI a URL parameter names by its slug (``2024``) or its IRI."""
    prefix = f"{base}id/wave/"
    slug = value[len(prefix):] if value.startswith(prefix) else value
    if not slug or len(slug) > 40 or not all(c.isascii() and (c.isalnum() or c == "-")
                                             for c in slug):
        raise ParameterError(parameter, f"the slug of an observation wave, not {value!r}")
    return prefix + slug.lower()


def default_pair(table: UsageTable) -> tuple[str, str] | None:
    """The first and the last wave, when there are two."""
    found = waves(table)
    return (found[0], found[-1]) if len(found) >= 2 else None


def compare(table: UsageTable, first: str, second: str, filters: Filters | None = None
            ) -> Comparison:
    """The flows between waves ``first`` and ``second`` for the usages that pass
    ``filters`` (their wave and status filters are ignored: the comparison sets them)."""
    if first == second:
        raise ParameterError("wave2", "a wave other than wave1")
    known = set(waves(table))
    for name, wave in (("wave1", first), ("wave2", second)):
        if wave not in known:
            raise ParameterError(name, f"an observation wave of the data, not {wave!r}")
    f = (filters or Filters()).with_(waves=(), statuses=())
    abandoned = f"{table.base}id/status/abandoned"
    observed: dict[str, set[int]] = defaultdict(set)
    in_use: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for usage, kept in select(table, f):
        for side, wave in enumerate((first, second)):
            if wave not in usage.waves:
                continue
            observed[usage.org].add(side)
            if usage.status != abandoned:
                in_use[(usage.org, side)][usage.software].update(kept)
    flows: dict[tuple[str, str | None, str | None], list[str]] = defaultdict(list)
    result = Comparison(first, second)
    for org in sorted(observed):
        sides = observed[org]
        if sides != {0, 1}:
            result.only_first += sides == {0}
            result.only_second += sides == {1}
            continue
        result.compared += 1
        before, after = in_use.get((org, 0), {}), in_use.get((org, 1), {})
        for tool in sorted(set(before) & set(after)):
            flows[("kept", tool, tool)].append(org)
        lost = sorted(set(before) - set(after))
        gained = sorted(set(after) - set(before))
        pairs = sorted(((len(before[x] & after[y]), x, y) for x in lost for y in gained
                        if before[x] & after[y]), key=lambda p: (-p[0], p[1], p[2]))
        for _, x, y in pairs:
            if x in lost and y in gained:
                flows[("switched", x, y)].append(org)
                lost.remove(x)
                gained.remove(y)
        for x in lost:
            flows[("abandoned", x, None)].append(org)
        for y in gained:
            flows[("adopted", None, y)].append(org)
    result.flows = sorted(
        (Flow(change, source, target, tuple(orgs))
         for (change, source, target), orgs in flows.items()),
        key=lambda fl: (CHANGES.index(fl.change), -fl.size, fl.source or "", fl.target or ""))
    return result
