"""A small writer of readable Turtle: one block per resource, sections with comments.

Terms are passed as Turtle text, built with the helpers below, so the tables that describe
the example dataset read almost like the Turtle they produce.

>>> doc = TurtleDocument({"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}, base="https://ex.org/")
>>> doc.resource(ref("org", "a"), [("a", "rdfs:Resource"), ("rdfs:label", fr("Une « org »"))])
>>> print(doc.text().splitlines()[-1])
    rdfs:label "Une « org »"@fr .
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: An object (or list of objects) in a predicate-object pair; ``None`` and ``[]`` are skipped.
Objects = str | Sequence[str] | None


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def ref(kind: str, slug: str) -> str:
    """A civicgraph instance or concept, relative to the ``id/`` base: ``<org/vecam>``."""
    return f"<{kind}/{slug}>"


def iri(value: str) -> str:
    """An absolute IRI."""
    return f"<{value}>"


def fr(text: str) -> str:
    """A French literal."""
    return _quote(text) + "@fr"


def en(text: str) -> str:
    """An English literal."""
    return _quote(text) + "@en"


def plain(text: str) -> str:
    """A plain string literal."""
    return _quote(text)


def date(value: str) -> str:
    """An ``xsd:date`` literal (``YYYY-MM-DD``)."""
    return _quote(value) + "^^xsd:date"


def typed(value: str, datatype: str) -> str:
    """A literal of ``datatype`` (a prefixed name)."""
    return _quote(value) + "^^" + datatype


def boolean(value: bool) -> str:
    return "true" if value else "false"


def integer(value: int) -> str:
    return str(value)


class TurtleDocument:
    """Turtle text built resource by resource, in the order the author chose."""

    def __init__(self, prefixes: dict[str, str], *, base: str | None = None,
                 header: Iterable[str] = ()) -> None:
        lines = [f"# {line}".rstrip() for line in header]
        if lines:
            lines.append("")
        if base:
            lines.append(f"@base <{base}> .")
        lines.extend(f"@prefix {p}: <{ns}> ." for p, ns in prefixes.items())
        self._parts: list[str] = ["\n".join(lines) + "\n"]

    def section(self, title: str, *notes: str) -> None:
        """A visible section heading, with optional comment lines under it."""
        bar = "#" * 100
        body = "\n".join(f"# {note}".rstrip() for note in notes)
        self._parts.append(f"\n{bar}\n# {title}\n" + (body + "\n" if body else "") + f"{bar}\n")

    def comment(self, text: str) -> None:
        self._parts.append(f"\n# {text}")

    def resource(self, subject: str, pairs: Iterable[tuple[str, Objects]]) -> None:
        """One block: ``subject p1 o1, o1b ; p2 o2 .`` skipping empty objects."""
        rendered: list[str] = []
        for predicate, objects in pairs:
            values = [objects] if isinstance(objects, str) else list(objects or [])
            if not values:
                continue
            joined = ", ".join(values)
            if len(values) > 1 and len(predicate) + len(joined) > 90:
                joined = ",\n        ".join(values)   # one long value per line
            rendered.append(f"{predicate} {joined}")
        if not rendered:
            return
        body = " ;\n    ".join(rendered)
        self._parts.append(f"\n{subject}\n    {body} .\n")

    def text(self) -> str:
        return "".join(self._parts)
