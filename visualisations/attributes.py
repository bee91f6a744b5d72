"""What a map can colour its nodes by: one value per organisation *and* per software.

An organisation has a field and a kind of its own; a software has a category and a licence.
So that colouring by any attribute tells tools apart too, each side also gets the other's
attributes, summarised from the usages that link them: a software's field is the field most
of its users work in; an organisation's category is the tool category it uses most, and it
counts as "free" when most of the software it uses is free. Status is that of most of the
node's usages; wave, the first wave the node was observed in (what arrived later stands
out). Ties are broken by IRI, so the values are deterministic.

>>> from visualisations.table import Usage, UsageTable
>>> t = UsageTable(usages=[Usage("u1", "o1", "s1", "s1", status="active"),
...                        Usage("u2", "o2", "s1", "s1", status="trial")],
...                org_fields={"o1": ("health",), "o2": ("health",)},
...                software_free={"s1": True})
>>> a = attributes(t)
>>> a.value("s1", "field"), a.value("s1", "free"), a.value("o1", "free")
('health', 'free', 'free')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visualisations.columns import IntArray, columns
from visualisations.table import UsageTable

#: attributes a map may colour by (besides the computed ``community``)
ATTRIBUTES: tuple[str, ...] = ("field", "kind", "free", "category", "status", "wave")
FREE, PROPRIETARY = "free", "proprietary"


@dataclass
class NodeAttributes:
    """``values[attribute][node]``: the value that colours ``node`` (an IRI, ``free`` or
    ``proprietary``), absent when unknown."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: a software's users, an organisation's software (distinct)
    reach: dict[str, int] = field(default_factory=dict)

    def value(self, node: str, attribute: str) -> str | None:
        return self.values.get(attribute, {}).get(node)


def _mode(node: IntArray, value: IntArray, n_values: int) -> dict[int, int]:
    """For each node number, the value number it has most often (the smallest on a tie)."""
    if not node.size:
        return {}
    keys, counts = np.unique(node * n_values + value, return_counts=True)
    order = np.lexsort((keys % n_values, -counts, keys // n_values))
    ranked = keys[order]
    owners, first = np.unique(ranked // n_values, return_index=True)
    return dict(zip(owners.tolist(), (ranked[first] % n_values).tolist(), strict=True))


def attributes(table: UsageTable) -> NodeAttributes:
    """The colouring attributes of every organisation and software of ``table`` (computed
    once per table, vectorised over its usages: it never changes after it is read)."""
    cached = table.__dict__.get("_node_attributes")
    if isinstance(cached, NodeAttributes):
        return cached
    cols = columns(table)
    orgs, software = cols.orgs, cols.software
    out: dict[str, dict[str, str]] = {a: {} for a in ATTRIBUTES}
    top_field = {o: table.top(f[0]) for o, f in table.org_fields.items() if f}
    top_kind = {o: table.top(k[0]) for o, k in table.org_kinds.items() if k}
    top_category = {s: table.top(c[0]) for s, c in table.software_categories.items() if c}
    free = {s: FREE if v else PROPRIETARY for s, v in table.software_free.items()}

    def numbered(names: list[str], of: dict[str, str]) -> tuple[list[str], IntArray]:
        values = sorted(set(of.values()))
        index = {v: i for i, v in enumerate(values)}
        return values, np.fromiter((index.get(of.get(n, ""), -1) for n in names), np.int64,
                                   len(names))

    def put(attribute: str, names: list[str], values: list[str], node: IntArray,
            value: IntArray) -> None:
        ok = value >= 0
        for n, v in _mode(node[ok], value[ok], max(1, len(values))).items():
            out[attribute][names[n]] = values[v]

    known = cols.status >= 0
    for names, node in ((orgs, cols.org), (software, cols.sw)):
        put("status", names, cols.statuses, node[known], cols.status[known])
        bits = cols.wave_bits
        lowest = np.where(bits > 0, np.log2(np.maximum(bits & -bits, 1)).astype(np.int64), -1)
        first = np.full(len(names), np.iinfo(np.int64).max)
        seen = lowest >= 0
        np.minimum.at(first, node[seen], lowest[seen])
        for i in np.flatnonzero(first != np.iinfo(np.int64).max).tolist():
            out["wave"][names[i]] = cols.waves[int(first[i])]
    n_sw = max(1, len(software))
    pairs = np.unique(cols.org * n_sw + cols.sw)
    pair_org, pair_sw = pairs // n_sw, pairs % n_sw
    for attribute, of in (("field", top_field), ("kind", top_kind)):
        values, per_org = numbered(orgs, of)
        put(attribute, software, values, pair_sw, per_org[pair_org])
    for attribute, of in (("category", top_category), ("free", free)):
        values, per_sw = numbered(software, of)
        put(attribute, orgs, values, pair_org, per_sw[pair_sw])
    # a node's own attribute wins over the one summarised from its neighbours
    out["field"].update(top_field)
    out["kind"].update(top_kind)
    out["category"].update(top_category)
    out["free"].update(free)
    reach = dict(zip(orgs, np.bincount(pair_org, minlength=len(orgs)).tolist(), strict=True))
    reach.update(zip(software, np.bincount(pair_sw, minlength=len(software)).tolist(),
                     strict=True))
    result = NodeAttributes(out, reach)
    table.__dict__["_node_attributes"] = result
    return result
