"""The same examples through rudof (pyrudof), the Rust SHACL engine the store may use for speed:
the shapes are SHACL Core, so both engines must agree. Skipped where pyrudof is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.vocabulary import examples, shapes_path, vocabulary_files
from tests.support.shapes import expectations

pyrudof = pytest.importorskip("pyrudof")

SH = "http://www.w3.org/ns/shacl#"


def rudof_results(path: Path | None, profile: str) -> tuple[bool, set[tuple[str, str]]]:
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    files = [*vocabulary_files(), *([path] if path else [])]
    for i, file in enumerate(files):
        rudof.read_data(str(file), format=pyrudof.RDFFormat.Turtle,
                        reader_mode=pyrudof.ReaderMode.Strict, merge=i > 0)
    rudof.read_shacl(str(shapes_path(profile)))  # type: ignore[arg-type]
    report = rudof.validate_shacl()
    results = {
        (str(e.constraint_component).replace(SH, "sh:"), str(e.focus_node).strip("<>"))
        for e in report
    }
    return bool(report.conforms), results


def profile_of(path: Path) -> str:
    return "public" if path.name.startswith("public") else "core"


def test_vocabulary_alone_conforms() -> None:
    assert rudof_results(None, "core") == (True, set())


@pytest.mark.parametrize("path", examples("valid"), ids=lambda p: p.stem)
def test_valid_example_conforms(path: Path) -> None:
    assert rudof_results(path, profile_of(path)) == (True, set())


@pytest.mark.parametrize("path", examples("invalid"), ids=lambda p: p.stem)
def test_invalid_example_fails_exactly_as_expected(path: Path) -> None:
    conforms, results = rudof_results(path, profile_of(path))
    assert not conforms
    assert results == expectations(path)
