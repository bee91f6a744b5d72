"""SIGKILL during an import into the embedded on-disk store: on restart every graph is whole.

``civicgraph load`` replaces a graph that holds data (through a staging graph and one
``MOVE`` update) or fills an empty one in place (behind a marker); ``civicgraph import``
replaces a spreadsheet source's graph. Each run copies a store holding the old content, starts
the real command on it and kills it with SIGKILL at a moment chosen by a trigger:

- ``bulk``: the bulk loader's table files appeared (the staging writes started), plus a
  random delay;
- ``commit``: the write-ahead log grew by megabytes (RocksDB is writing the commit);
- ``printed``: the command printed that the graph was loaded (committed, not yet closed);
- ``random``: a random moment within the length of an uninterrupted run.

Then the store is opened as a restart opens it. Each named graph must hold its old content or
its new content, whole; no staging graph may be left; the meta graph must describe the
content each graph holds (its SHA-256 and triple count); the table files of a killed bulk
load must be gone (they would take the disk space of a whole import).
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.ingest.loading import import_source, load_vocabulary
from graph.namespaces import CG, META_GRAPH, VOCABULARY_GRAPH, VOID
from graph.samples.example import ensure_example
from graph.samples.synthetic import write
from graph.store.embedded import OxigraphStore
from tests.support.faults import (
    CIVICGRAPH,
    G,
    Lines,
    StoreWatch,
    assert_whole,
    civicgraph_env,
    copy_store,
    graph_contents,
    kill,
    run_civicgraph,
    triples_of,
)

pytestmark = pytest.mark.slow

TARGET = G + "target"      # holds the old data: replaced through a staging graph
FRESH = G + "fresh"        # absent: filled in place
KEPT = G + "kept"          # never touched by the runs
ORGANISATIONS = 150        # about 16,000 triples a file
MIB = 1 << 20


@dataclass(frozen=True)
class Files:
    old: Path
    new: Path
    pristine: Path          # a closed store: vocabulary, TARGET and KEPT hold ``old``
    old_triples: frozenset[str]
    new_triples: frozenset[str]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    root = tmp_path_factory.mktemp("killed-imports")
    old, new = root / "old.nt", root / "new.nt"
    write(ORGANISATIONS, old, seed=1)
    write(ORGANISATIONS, new, seed=2)
    pristine = root / "pristine"
    store = OxigraphStore(pristine)
    try:
        load_vocabulary(store, imported_by="test")
        for graph in (TARGET, KEPT):
            import_source(store, old, graph=graph, imported_by="test", validate=False)
    finally:
        store.close()
    return Files(old, new, pristine, triples_of(old), triples_of(new))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def description(meta: frozenset[str], graph: str) -> dict[str, str]:
    """The values of ``graph``'s description in the meta graph, by predicate."""
    found: dict[str, str] = {}
    for line in meta:
        triple = next(iter(ox.parse(line + " .", ox.RdfFormat.N_TRIPLES)))
        if triple.subject == ox.NamedNode(graph):
            found[triple.predicate.value] = triple.object.value
    return found


def assert_described(after: dict[str, frozenset[str]], graph: str,
                     hashes: dict[frozenset[str], str]) -> None:
    """The meta graph describes the content ``graph`` holds (or nothing, when it is absent)."""
    described = description(after.get(META_GRAPH, frozenset()), graph)
    content = after.get(graph)
    if content is None:
        assert described == {}, f"{graph} is absent but described: {described}"
        return
    assert described.get(CG + "sha256") == hashes[content], f"{graph}: stale description"
    assert described.get(VOID + "triples") == str(len(content))


Trigger = Callable[[StoreWatch, Lines, float], bool]

TRIGGERS: dict[str, Trigger] = {
    "bulk": lambda watch, out, elapsed: watch.bulk_loading(),
    "commit": lambda watch, out, elapsed: watch.log_growth() > 4 * MIB,
}


def kill_during(command: list[str], store: Path, trigger: Trigger, delay: float,
                limit: float = 120) -> tuple[bool, str]:
    """Run ``command`` on ``store``; SIGKILL it ``delay`` seconds after ``trigger`` fires.
    Whether it was killed (rather than done first), and its output."""
    watch = StoreWatch(store)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=civicgraph_env())
    out = Lines(process.stdout)
    started = time.monotonic()
    fired: float | None = None
    killed = False
    try:
        while process.poll() is None and time.monotonic() - started < limit:
            now = time.monotonic()
            if fired is None and trigger(watch, out, now - started):
                fired = now
            if fired is not None and now - fired >= delay:
                kill(process)
                killed = process.returncode == -9
                break
            time.sleep(0.005)
    finally:
        kill(process)
    return killed, out.text()


def at(seconds: float) -> Trigger:
    return lambda watch, out, elapsed: elapsed >= seconds


def printed(text: str) -> Trigger:
    return lambda watch, out, elapsed: out.seen(text)


def load_command(source: Path, graph: str, store: Path) -> list[str]:
    return [CIVICGRAPH, "load", str(source), "--graph", graph, "--store", str(store),
            "--no-validate", "--quiet", "--by", "test"]


def test_a_killed_load_leaves_every_graph_old_or_new(files: Files, tmp_path: Path) -> None:
    before = graph_contents(copy_store(files.pristine, tmp_path / "before"))
    assert before[TARGET] == before[KEPT] == files.old_triples != files.new_triples
    hashes = {files.old_triples: sha256(files.old), files.new_triples: sha256(files.new)}

    # an uninterrupted run: how long it takes, and what it leaves
    calibration = copy_store(files.pristine, tmp_path / "calibration")
    started = time.monotonic()
    done = subprocess.run(load_command(files.new, TARGET, calibration), capture_output=True,
                          text=True, env=civicgraph_env(), timeout=300, check=False)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    whole = graph_contents(calibration)
    assert whole[TARGET] == files.new_triples and whole[KEPT] == files.old_triples

    chance = random.Random()
    runs: list[tuple[str, str, Trigger, float]] = [
        ("bulk", TARGET, TRIGGERS["bulk"], chance.uniform(0, 0.2)),
        ("commit", TARGET, TRIGGERS["commit"], 0.0),
        ("printed", TARGET, printed("loaded "), 0.0),
        ("random", TARGET, at(chance.uniform(0.3, duration)), 0.0),
        ("bulk", FRESH, TRIGGERS["bulk"], chance.uniform(0, 0.05)),
        ("random", FRESH, at(chance.uniform(0.3, duration * 0.6)), 0.0),
    ]
    outcomes: list[tuple[str, str, bool, str]] = []
    for number, (name, graph, trigger, delay) in enumerate(runs):
        # on a fast machine the load may finish within the delay after its trigger (a fresh
        # graph's bulk files live ~0.1 s, and no MOVE follows them): such a run is tried
        # again with half the delay, three times at most
        for attempt in range(3 if name != "random" else 1):
            store = copy_store(files.pristine, tmp_path / f"run-{number}-{attempt}")
            killed, output = kill_during(load_command(files.new, graph, store), store,
                                         trigger, delay / 2 ** attempt)
            if killed:
                break
        after = graph_contents(store)
        leftovers = sorted(p.name for p in store.glob("bulk-*"))
        assert not leftovers, f"run {number} ({name}): bulk files kept after a restart"
        allowed = {VOCABULARY_GRAPH: [before[VOCABULARY_GRAPH]], KEPT: [files.old_triples],
                   TARGET: [files.old_triples], META_GRAPH: [after.get(META_GRAPH)]}
        if graph == TARGET:
            allowed[TARGET] = [files.old_triples, files.new_triples]
        else:
            allowed[FRESH] = [None, files.new_triples]
        context = f"run {number} ({name}, {graph}, delay {delay:.2f} s): {output[-500:]}"
        try:
            found = assert_whole(after, allowed)
            for described in (TARGET, FRESH, KEPT):
                assert_described(after, described, hashes)
        except AssertionError as error:
            raise AssertionError(f"{context}\n{error}") from None
        outcome = "new" if found[graph] == 1 else "old"
        outcomes.append((name, graph, killed, outcome))
        # the store works after the restart: the same load completes
        if number == 0:
            again = run_civicgraph(*load_command(files.new, graph, store)[1:])
            assert again.returncode == 0, again.stderr
            assert graph_contents(store)[graph] == files.new_triples

    hooks = [o for o in outcomes if o[0] != "random"]
    assert all(killed for _, _, killed, _ in hooks), f"a trigger never fired: {outcomes}"
    # killed while staging: nothing committed; killed after the report: all committed
    assert all(o[3] == "old" for o in hooks if o[0] == "bulk"), outcomes
    assert all(o[3] == "new" for o in hooks if o[0] == "printed"), outcomes


# -- spreadsheet imports ------------------------------------------------------------------

ORGS = ["VECAM", "AITEC", "Fonda"]
TOOLS = ["Loomio", "Framapad", "Mastodon", "Signal", "Nextcloud", "jitsi"]
PRACTICES = ["voting", "minutes-taking", "newsletter", "instant-messaging"]
STATUSES = ["active", "trial", "abandoned"]


def usage_sheet(rows: int, offset: int) -> bytes:
    """A CSV sheet of tool usages by the example dataset's organisations."""
    out = io.StringIO()
    sheet = csv.writer(out, lineterminator="\n")
    sheet.writerow(["id", "organisation", "tool", "practices", "status", "observed on"])
    for i in range(offset, offset + rows):
        sheet.writerow([f"u{i}", ORGS[i % 3], TOOLS[i % 6], PRACTICES[i % 4], STATUSES[i % 3],
                        f"2026-0{1 + i % 9}-{10 + i % 18}"])
    return out.getvalue().encode()


def without_dates(triples: frozenset[str]) -> frozenset[str]:
    """The triples minus those stamped with the moment of the import."""
    return frozenset(t for t in triples if "#dateTime>" not in t)


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The old sheet, the new one, and a store holding the example dataset and the old
    sheet's import."""
    root = tmp_path_factory.mktemp("killed-spreadsheets")
    old, new = root / "old.csv", root / "new.csv"
    old.write_bytes(usage_sheet(1000, 0))
    new.write_bytes(usage_sheet(4000, 5000))
    store = root / "pristine"
    opened = OxigraphStore(store)
    try:
        ensure_example(opened, imported_by="test")
    finally:
        opened.close()
    result = run_civicgraph("import", str(old), "--source", "survey", "--store", str(store))
    assert result.returncode == 0, result.stderr
    return old, new, store


def test_a_killed_spreadsheet_import_leaves_every_graph_old_or_new(
        sheets: tuple[Path, Path, Path], tmp_path: Path) -> None:
    old, new, pristine = sheets
    before = graph_contents(copy_store(pristine, tmp_path / "before"))
    source = G + "contrib/survey"
    assert source in before

    def command(store: Path) -> list[str]:
        return [CIVICGRAPH, "import", str(new), "--source", "survey", "--store", str(store)]

    calibration = copy_store(pristine, tmp_path / "calibration")
    started = time.monotonic()
    done = subprocess.run(command(calibration), capture_output=True, text=True,
                          env=civicgraph_env(), timeout=300, check=False)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    whole = graph_contents(calibration)
    old_content, new_content = without_dates(before[source]), without_dates(whole[source])
    assert old_content != new_content
    hashes = {old_content: hashlib.sha256(old.read_bytes()).hexdigest(),
              new_content: hashlib.sha256(new.read_bytes()).hexdigest()}

    chance = random.Random()
    runs = [("bulk", TRIGGERS["bulk"], chance.uniform(0, 0.1)),
            ("random", at(chance.uniform(0.5, duration)), 0.0)]
    outcomes = []
    for number, (name, trigger, delay) in enumerate(runs):
        store = copy_store(pristine, tmp_path / f"run-{number}")
        killed, output = kill_during(command(store), store, trigger, delay)
        after = graph_contents(store)
        allowed = {g: [content] for g, content in before.items() if g not in (source,
                                                                               META_GRAPH)}
        allowed[META_GRAPH] = [after.get(META_GRAPH)]
        allowed[source] = [after.get(source)]
        context = f"run {number} ({name}, delay {delay:.2f} s): {output[-500:]}"
        try:
            assert_whole(after, allowed)
            content = without_dates(after[source])
            assert content in hashes, f"{source} holds a mix ({len(content)} triples)"
            assert description(after[META_GRAPH], source)[CG + "sha256"] == hashes[content]
        except AssertionError as error:
            raise AssertionError(f"{context}\n{error}") from None
        outcomes.append((name, killed, "new" if content == new_content else "old"))
    assert outcomes[0][1] and outcomes[0][2] == "old", outcomes
