"""Property paths in a query's algebra (rdflib's), for ``graph.queries.footprint``: the
anchors of a path's ends, whether it matches zero-length paths, whether it is a choice of
plain predicates."""

from __future__ import annotations

from typing import Any

#: what a subject (or an object) certainly is: a kind and its value (see
#: ``graph.queries.footprint``)
Anchor = tuple[str, Any]
#: the anchors a value satisfies one of at least (a choice: see ``either``)
Anchors = tuple[Anchor, ...]


def ends(path: Any) -> tuple[Anchors, Anchors] | None:
    """The anchors of the first and of the last term of a path of at least one step matched
    by ``path`` (a predicate or a path); None for a negated property set."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.term import URIRef

    if isinstance(path, URIRef):
        return (("subject-of", str(path)),), (("object-of", str(path)),)
    if isinstance(path, InvPath):
        found = ends(path.arg)
        return None if found is None else (found[1], found[0])
    if isinstance(path, MulPath):
        return ends(path.path)
    if isinstance(path, (AlternativePath, SequencePath)):
        parts = [ends(step) for step in path.args]
        if any(part is None for part in parts):
            return None
        if isinstance(path, AlternativePath):
            return either(*(p[0] for p in parts)), either(*(p[1] for p in parts))  # type: ignore[index]

        def first(steps: list[Any], ends: list[Any], side: int) -> Anchors:
            # the first step that matches a triple, all those before it matching none
            found: list[Anchors] = []
            for step, end in zip(steps, ends, strict=True):
                found.append(end[side])
                if not nullable(step):
                    break
            return either(*found)

        return (first(path.args, parts, 0),
                first(path.args[::-1], parts[::-1], 1))
    return None


def either(*choices: Anchors) -> Anchors:
    """The anchors of a value that satisfies one of ``choices``' (the classes of all in one,
    the terms of all in one)."""
    classes: set[Any] = set()
    terms: set[Any] = set()
    others: list[Anchor] = []
    for choice in choices:
        for kind, value in choice:
            if kind == "type":
                classes |= value
            elif kind == "value":
                terms |= value
            elif (kind, value) not in others:
                others.append((kind, value))
    return ((("type", frozenset(classes)),) if classes else ()) + \
        ((("value", frozenset(terms)),) if terms else ()) + tuple(others)


def choice(path: Any) -> bool:
    """Whether ``path`` is a choice of plain predicates (``p|q``)."""
    from rdflib.paths import AlternativePath
    from rdflib.term import URIRef

    return isinstance(path, AlternativePath) and \
        all(isinstance(step, URIRef) for step in path.args)


def nullable(path: Any) -> bool:
    """Whether ``path`` matches zero-length paths (``p?``, ``p*``, ...)."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    if isinstance(path, MulPath):
        return path.mod in ("?", "*") or nullable(path.path)
    if isinstance(path, SequencePath):
        return all(nullable(step) for step in path.args)
    if isinstance(path, AlternativePath):
        return any(nullable(step) for step in path.args)
    if isinstance(path, InvPath):
        return nullable(path.arg)
    return False


__all__ = ["Anchor", "Anchors", "choice", "either", "ends", "nullable"]
