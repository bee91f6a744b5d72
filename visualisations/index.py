"""The scans of a set of fragments by subject: what the usage table is assembled from.

``Index.of(fragments)`` files every pair of every fragment by predicate and subject (and, for
the few predicates the table follows backwards, by object), every label by predicate, subject
and language, and the stored communities. The table (``visualisations.table.build``) asks it
for one subject's values at a time, so that after a write it can assemble again only the rows
the written graphs touch: ``Layered(base, delta)`` answers as one index over the fragments of
both, the big unchanged ``base`` indexed once and the small ``delta`` (the graphs written
since) indexed at each write.

Values are kept as sets: an index is a function of the *set* of pairs of its fragments, so
whatever the order of the graphs, the same data gives the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from graph.namespaces import CG, RDF
from visualisations.fragments import Fragment

#: predicates also filed by object (the table follows them from a usage backwards)
INVERSE = (CG + "onUsage", CG + "onExperience", CG + "concernsUsage")
_NONE: tuple[str, ...] = ()
#: one predicate's values of a subject
Getter = Callable[[str], Iterable[str]]


@dataclass
class Index:
    """Pairs by predicate -> subject -> values; labels by predicate -> subject -> language ->
    text (the smallest text of a language); ``types`` by class -> instances."""

    values: dict[str, dict[str, str | set[str]]] = field(default_factory=dict)
    inverse: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    communities: dict[str, str] = field(default_factory=dict)
    #: how many pairs were filed (to tell a small delta from a big one)
    size: int = 0

    @classmethod
    def of(cls, fragments: Iterable[Fragment]) -> Index:
        index = cls()
        for fragment in fragments:
            index.add(fragment)
        return index

    def add(self, fragment: Fragment) -> None:
        for predicate, pairs in fragment.pairs.items():
            if predicate == RDF + "type":
                for subject, kind in pairs:
                    self.types.setdefault(kind, set()).add(subject)
                continue
            by_subject = self.values.setdefault(predicate, {})
            for subject, value in pairs:
                found = by_subject.get(subject)
                if found is None:  # one value (most subjects): the string alone, no set
                    by_subject[subject] = value
                elif isinstance(found, str):
                    if found != value:
                        by_subject[subject] = {found, value}
                else:
                    found.add(value)
            if predicate in INVERSE:
                by_object = self.inverse.setdefault(predicate, {})
                for subject, value in pairs:
                    by_object.setdefault(value, set()).add(subject)
            self.size += len(pairs.subjects)
        for predicate, rows in fragment.labels.items():
            by_subject_lang = self.labels.setdefault(predicate, {})
            for subject, text, lang in rows:
                langs = by_subject_lang.setdefault(subject, {})
                if lang not in langs or text < langs[lang]:
                    langs[lang] = text
            self.size += len(rows)
        for node, community in fragment.communities:
            if node not in self.communities or community < self.communities[node]:
                self.communities[node] = community

    def get(self, predicate: str, subject: str) -> Iterable[str]:
        found = self.values.get(predicate, {}).get(subject)
        if found is None:
            return _NONE
        return (found,) if isinstance(found, str) else found

    def back(self, predicate: str, value: str) -> Iterable[str]:
        """The subjects of ``predicate`` whose value is ``value`` (``INVERSE`` only)."""
        return self.inverse.get(predicate, {}).get(value, _NONE)

    def column(self, predicate: str) -> Getter:
        """``lambda subject: self.get(predicate, subject)``, faster (the table's inner loop)."""
        by_subject = self.values.get(predicate, {})

        def get(subject: str) -> Iterable[str]:
            found = by_subject.get(subject)
            if found is None:
                return _NONE
            return (found,) if found.__class__ is str else found
        return get

    def column_back(self, predicate: str) -> Getter:
        by_value = self.inverse.get(predicate, {})
        return lambda value: by_value.get(value, _NONE)

    def subjects(self, predicate: str) -> Iterable[str]:
        return self.values.get(predicate, {}).keys()

    def instances(self, kind: str) -> Iterable[str]:
        return self.types.get(kind, ())

    def is_a(self, subject: str, kind: str) -> bool:
        return subject in self.types.get(kind, ())

    def label_langs(self, predicate: str, subject: str) -> dict[str, str]:
        return self.labels.get(predicate, {}).get(subject, {})

    def label_subjects(self) -> set[str]:
        return {s for by_subject in self.labels.values() for s in by_subject}

    def touched(self) -> set[str]:
        """Every subject of a pair, a type or a label (what a delta may change)."""
        found = {s for by_subject in self.values.values() for s in by_subject}
        found.update(*self.types.values())
        return found | self.label_subjects() | set(self.communities)

    def community(self, node: str) -> str | None:
        return self.communities.get(node)


def _union(getters: list[Getter]) -> Getter:
    if len(getters) == 1:
        return getters[0]
    if not getters:
        return lambda subject: _NONE

    def get(subject: str) -> Iterable[str]:
        found = [v for g in getters if (v := g(subject))]
        if len(found) <= 1:
            return found[0] if found else _NONE
        return set().union(*found)
    return get


class Layered:
    """Several indexes answering as one (the union of their pairs)."""

    def __init__(self, layers: Sequence[Index]) -> None:
        self.layers = [layer for layer in layers if layer.size or layer.types
                       or layer.communities]

    def get(self, predicate: str, subject: str) -> Iterable[str]:
        found = [v for layer in self.layers if (v := layer.get(predicate, subject))]
        if len(found) <= 1:
            return found[0] if found else _NONE
        return set().union(*found)

    def back(self, predicate: str, value: str) -> Iterable[str]:
        found = [v for layer in self.layers if (v := layer.back(predicate, value))]
        if len(found) <= 1:
            return found[0] if found else _NONE
        return set().union(*found)

    def column(self, predicate: str) -> Getter:
        return _union([layer.column(predicate) for layer in self.layers])

    def column_back(self, predicate: str) -> Getter:
        return _union([layer.column_back(predicate) for layer in self.layers])

    def subjects(self, predicate: str) -> Iterable[str]:
        if len(self.layers) == 1:
            return self.layers[0].subjects(predicate)
        return set().union(*(layer.subjects(predicate) for layer in self.layers))

    def instances(self, kind: str) -> Iterable[str]:
        if len(self.layers) == 1:
            return self.layers[0].instances(kind)
        return set().union(*(layer.instances(kind) for layer in self.layers))

    def is_a(self, subject: str, kind: str) -> bool:
        return any(layer.is_a(subject, kind) for layer in self.layers)

    def label_langs(self, predicate: str, subject: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        for layer in self.layers:
            for lang, text in layer.label_langs(predicate, subject).items():
                if lang not in merged or text < merged[lang]:
                    merged[lang] = text
        return merged

    def community(self, node: str) -> str | None:
        found = [c for layer in self.layers if (c := layer.community(node)) is not None]
        return min(found) if found else None

    def community_nodes(self) -> set[str]:
        return {n for layer in self.layers for n in layer.communities}
