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

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from visualisations.table import UsageTable

#: attributes a map may colour by (besides the computed ``community``)
ATTRIBUTES: tuple[str, ...] = ("field", "kind", "free", "category", "status", "wave")
FREE, PROPRIETARY = "free", "proprietary"


def _most(counter: Counter[str]) -> str | None:
    if not counter:
        return None
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@dataclass
class NodeAttributes:
    """``values[attribute][node]``: the value that colours ``node`` (an IRI, ``free`` or
    ``proprietary``), absent when unknown."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: a software's users, an organisation's software (distinct)
    reach: dict[str, int] = field(default_factory=dict)

    def value(self, node: str, attribute: str) -> str | None:
        return self.values.get(attribute, {}).get(node)


def attributes(table: UsageTable) -> NodeAttributes:
    """The colouring attributes of every organisation and software of ``table`` (computed
    once per table: it never changes after it is read)."""
    cached = table.__dict__.get("_node_attributes")
    if isinstance(cached, NodeAttributes):
        return cached
    out: dict[str, dict[str, str]] = {a: {} for a in ATTRIBUTES}
    counts: dict[str, dict[str, Counter[str]]] = {a: defaultdict(Counter) for a in ATTRIBUTES}
    top_field = {o: table.top(f[0]) for o, f in table.org_fields.items() if f}
    top_kind = {o: table.top(k[0]) for o, k in table.org_kinds.items() if k}
    top_category = {s: table.top(c[0]) for s, c in table.software_categories.items() if c}
    seen: set[tuple[str, str]] = set()
    for usage in table.usages:
        org, sw = usage.org, usage.software
        for node in (org, sw):
            if usage.status:
                counts["status"][node][usage.status] += 1
            for wave in usage.waves:
                counts["wave"][node][wave] += 1
        if (org, sw) in seen:
            continue
        seen.add((org, sw))
        if org in top_field:
            counts["field"][sw][top_field[org]] += 1
        if org in top_kind:
            counts["kind"][sw][top_kind[org]] += 1
        if sw in top_category:
            counts["category"][org][top_category[sw]] += 1
        if sw in table.software_free:
            counts["free"][org][FREE if table.software_free[sw] else PROPRIETARY] += 1
    for attribute, by_node in counts.items():
        for node, counter in by_node.items():
            if attribute == "wave":  # the first wave it was observed in (IRIs sort by year)
                out[attribute][node] = min(counter)
            elif (value := _most(counter)) is not None:
                out[attribute][node] = value
    # a node's own attribute wins over the one summarised from its neighbours
    out["field"].update(top_field)
    out["kind"].update(top_kind)
    out["category"].update(top_category)
    out["free"].update({s: FREE if free else PROPRIETARY
                        for s, free in table.software_free.items()})
    reach: dict[str, int] = defaultdict(int)
    for org, sw in seen:
        reach[org] += 1
        reach[sw] += 1
    result = NodeAttributes(out, dict(reach))
    table.__dict__["_node_attributes"] = result
    return result
