"""Where the ontology files are, and the vocabulary graph parsed from them.

``ontology/`` is a namespace package shipped as package data (Turtle, JSON-LD, no Python), so it
is located through its import spec rather than ``importlib.resources.files``, which fails on
namespace packages in editable installs.

The *vocabulary graph* (loaded into ``…/graph/vocabulary`` and added to every validation) is:

- ``civicgraph.ttl``: the cg: terms and the ontology header;
- ``reused.ttl``: the axioms of reused vocabularies the shapes rely on (subclasses of
  ``org:Organization``, ``sioc:Container``, …) and FR/EN labels of reused terms;
- ``alignments.ttl``: SKOS mappings to PAIR, ESSGlobal and SOSA (published with the vocabulary so
  that linked-data clients find them at the namespace);
- ``schemes/*.ttl``: the SKOS concept schemes.

Shapes, the JSON-LD context and the examples are not part of it.

>>> ontology_dir().joinpath("civicgraph.ttl").is_file()
True
>>> shapes_path("core").name
'core.ttl'
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

__all__ = [
    "context_path",
    "examples",
    "ontology_dir",
    "shapes_path",
    "vocabulary_files",
    "vocabulary_triples",
]

_MARKER = "civicgraph.ttl"
_SHAPES: dict[str, str] = {"core": "core.ttl", "public": "public-profile.ttl", "meta": "meta.ttl"}


@cache
def ontology_dir() -> Path:
    """The directory of the ``ontology`` package (the first one that holds ``civicgraph.ttl``)."""
    spec = importlib.util.find_spec("ontology")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location)
        # editable installs add a placeholder entry that is not a directory
        if path.is_dir() and (path / _MARKER).is_file():
            return path
    raise FileNotFoundError(f"no ontology package directory holding {_MARKER} in {locations}")


def vocabulary_files() -> list[Path]:
    """The Turtle files of the vocabulary graph, in a stable order."""
    root = ontology_dir()
    fixed = [root / "civicgraph.ttl", root / "reused.ttl", root / "alignments.ttl"]
    return fixed + sorted((root / "schemes").glob("*.ttl"))


@cache
def _vocabulary_triples() -> tuple[ox.Triple, ...]:
    triples: list[ox.Triple] = []
    for path in vocabulary_files():
        triples.extend(quad.triple for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    return tuple(triples)


def vocabulary_triples() -> list[ox.Triple]:
    """Every triple of the vocabulary graph (parsed once, then cached; a fresh list each call)."""
    return list(_vocabulary_triples())


def shapes_path(profile: Literal["core", "public", "meta"]) -> Path:
    """The SHACL shapes file of ``profile``: ``core`` for all imported data, ``public`` for the
    public export, ``meta`` for the named-graph descriptions of the meta graph."""
    try:
        return ontology_dir() / "shapes" / _SHAPES[profile]
    except KeyError:
        known = ", ".join(_SHAPES)
        raise ValueError(f"unknown shapes profile {profile!r} (known: {known})") from None


def context_path() -> Path:
    """The JSON-LD 1.1 context of civicgraph data."""
    return ontology_dir() / "context.jsonld"


def examples(kind: Literal["valid", "invalid"]) -> list[Path]:
    """The example Turtle files of ``kind``, sorted by name."""
    if kind not in ("valid", "invalid"):
        raise ValueError(f"unknown example kind {kind!r} (known: valid, invalid)")
    return sorted((ontology_dir() / "examples" / kind).glob("*.ttl"))
