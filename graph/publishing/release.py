"""Versioned, citable releases of the public data, and the changelog between them.

A release is what the public dumps hold at one moment: the public named graphs, each with
its size and content digest (``cg:sha256`` in the meta graph, else its size and import
date). Its version is derived from that content — the date of the newest import, then the
first hex digits of a digest of the graph list (the digest alone for undated data) — so the
same data gives the same version on any server, and any change of the data a new one. Its
version IRI is the release's page under the dumps (``{public}/dumps/releases/{version}``).

A ``ReleaseLog`` remembers the releases published (in a JSON-lines file beside an embedded
store, else in memory), so that the data page tells what changed since the one before:
graphs added, replaced (same IRI, other content) and removed, with their triple counts.

>>> old = Release.of([Entry("https://ex/g/a", 10, "a1", "2025-01-02"),
...                   Entry("https://ex/g/b", 5, "b1", "2025-01-02")])
>>> new = Release.of([Entry("https://ex/g/a", 12, "a2", "2025-03-04"),
...                   Entry("https://ex/g/c", 7, "c1", "2025-03-04")])
>>> new.version.startswith("2025.03.04-")
True
>>> for c in changelog(old, new):
...     print(c.change, c.iri, c.before, c.after)
added https://ex/g/c 0 7
replaced https://ex/g/a 10 12
removed https://ex/g/b 5 0
>>> citation(new, "https://example.org/dumps/releases/" + new.version, "en")[:60]
'civicgraph contributors (2025). civicgraph public data, rele'
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from graph.namespaces import CG, META_GRAPH
from graph.publishing.service import graph_facts
from graph.store import Store

#: Releases kept in the log (the oldest are forgotten).
KEPT: Final = 100
#: The order of changes in a changelog.
CHANGES: Final = ("added", "replaced", "removed")


@dataclass(frozen=True)
class Entry:
    """One public named graph of a release."""

    iri: str
    triples: int
    #: its content digest (``cg:sha256``), or its size and import date for want of one
    digest: str
    #: the date it was imported (``YYYY-MM-DD``), if known
    imported: str | None = None


@dataclass(frozen=True)
class Release:
    """The public data as published at one moment."""

    version: str
    date: str
    graphs: tuple[Entry, ...]

    @classmethod
    def of(cls, graphs: Iterable[Entry]) -> Release:
        """The release holding ``graphs``, its version derived from them."""
        entries = tuple(sorted(graphs, key=lambda e: e.iri))
        manifest = "\n".join(f"{e.iri} {e.triples} {e.digest}" for e in entries)
        date = max((e.imported for e in entries if e.imported), default="")
        digest = hashlib.sha256(manifest.encode()).hexdigest()[:8]
        # undated data (no import date in the meta graph): the digest alone
        return cls(f"{date.replace('-', '.')}-{digest}" if date else digest, date, entries)

    @property
    def triples(self) -> int:
        return sum(e.triples for e in self.graphs)

    def to_json(self) -> dict[str, object]:
        return {"version": self.version, "date": self.date,
                "graphs": [asdict(e) for e in self.graphs]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Release:
        graphs = data.get("graphs")
        assert isinstance(graphs, list)
        return cls(str(data["version"]), str(data["date"]),
                   tuple(Entry(**g) for g in graphs))


@dataclass(frozen=True)
class Change:
    """A graph added, replaced or removed between two releases, with its sizes."""

    change: str
    iri: str
    before: int
    after: int


def current_release(store: Store) -> Release:
    """The release of what ``store`` (a public view) shows now."""
    digests: dict[str, str] = {}
    result = store.query(f"SELECT ?g ?sha WHERE {{ GRAPH <{META_GRAPH}> "
                         f"{{ ?g <{CG}sha256> ?sha }} }}")
    if isinstance(result, ox.QuerySolutions):
        for row in result:
            digests.setdefault(row["g"].value, row["sha"].value)
    entries = []
    for facts in graph_facts(store):
        imported = facts.generated.value[:10] if facts.generated is not None else None
        entries.append(Entry(facts.iri, facts.triples,
                             digests.get(facts.iri) or f"{facts.triples}@{imported}", imported))
    return Release.of(entries)


def changelog(previous: Release | None, current: Release) -> list[Change]:
    """What changed from ``previous`` to ``current`` (everything added when there is none),
    added first, then replaced, then removed; by graph IRI within each."""
    before = {e.iri: e for e in (previous.graphs if previous else ())}
    after = {e.iri: e for e in current.graphs}
    changes = [Change("added", iri, 0, e.triples) for iri, e in after.items()
               if iri not in before]
    changes += [Change("replaced", iri, before[iri].triples, e.triples)
                for iri, e in after.items() if iri in before and before[iri].digest != e.digest]
    changes += [Change("removed", iri, e.triples, 0) for iri, e in before.items()
                if iri not in after]
    return sorted(changes, key=lambda c: (CHANGES.index(c.change), c.iri))


class ReleaseLog:
    """The releases published, oldest first: in a JSON-lines file when given one (kept
    across restarts), else in memory."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._releases: list[Release] = []
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    self._releases.append(Release.from_json(json.loads(line)))
        self._releases = self._releases[-KEPT:]

    def publish(self, release: Release) -> list[Release]:
        """Record ``release`` unless it is the latest already; the releases, oldest first."""
        with self._lock:
            if not self._releases or self._releases[-1].version != release.version:
                others = [r for r in self._releases if r.version != release.version]
                self._releases = [*others[-(KEPT - 1):], release]
                if self._path is not None:
                    self._path.write_text("".join(json.dumps(r.to_json()) + "\n"
                                                  for r in self._releases), encoding="utf-8")
            return list(self._releases)

    def find(self, version: str) -> Release | None:
        """The release ``version``, if it was published."""
        with self._lock:
            return next((r for r in self._releases if r.version == version), None)


def previous_of(releases: Sequence[Release], release: Release) -> Release | None:
    """The release published before ``release`` in ``releases``."""
    versions = [r.version for r in releases]
    at = versions.index(release.version) if release.version in versions else len(releases)
    return releases[at - 1] if at > 0 else None


def citation(release: Release, version_iri: str, lang: str = "en") -> str:
    """The suggested citation of ``release``, whose version IRI is ``version_iri``."""
    year = release.date[:4] or ("s. d." if lang == "fr" else "n.d.")
    if lang == "fr":
        return (f"Contributeurs et contributrices de civicgraph ({year}). Données publiques "
                f"civicgraph, version {release.version} [jeu de données]. {version_iri}. "
                "Licence CC BY 4.0.")
    return (f"civicgraph contributors ({year}). civicgraph public data, release "
            f"{release.version} [Data set]. {version_iri}. Licensed under CC BY 4.0.")
