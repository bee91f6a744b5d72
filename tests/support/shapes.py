"""SHACL runs of the ontology tests: their outcome (``Report``) and what an invalid example
expects (its ``# expect: sh:Component on <focus>`` lines)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Namespace

SH = Namespace("http://www.w3.org/ns/shacl#")
EXPECT = re.compile(r"^# expect: (\S+) on <([^>]+)>\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Report:
    """The outcome of one pyshacl run: conformance, top-level (component, focus) pairs, text."""

    conforms: bool
    results: frozenset[tuple[str, str]]
    text: str


def expectations(path: Path) -> frozenset[tuple[str, str]]:
    """The ``# expect: sh:Component on <focus>`` lines of an invalid example."""
    return frozenset(EXPECT.findall(path.read_text(encoding="utf-8")))
