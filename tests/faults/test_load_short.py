"""The load test in a short form (``bench/bench_http_load.py``): ~2,000 organisations, 4
clients for 10 s, while one client sends pathological queries and a curator imports a file.

What must hold whatever the machine's speed: no 5xx and no dropped connection in the normal
traffic, every pathological query stopped (503) within its time limit plus one second, the
imports stored, the server's process tree under ``CIVICGRAPH_MEMORY_LIMIT_MB``. The latency
target (p99 of resource pages under 500 ms) is reported by the full run, not asserted here:
it depends on the machine, and CI machines are shared.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

# bench/ holds scripts, not a package of the project: import it from the checkout
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.bench_http_load import Config, Report, build_store, markdown, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    folder = tmp_path_factory.mktemp("load")
    store = build_store(2000, folder / "data")
    config = Config(organisations=2000, clients=4, seconds=10, query_timeout=10,
                    import_every=4, memory_limit_mb=4096, baseline=1)
    # the load runs its own event loop (asyncio.run): give it a thread of its own, since an
    # earlier test (Playwright's sync API in tests/browser) may keep a loop running in this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run, store, config, folder).result()


def test_no_server_error_and_no_dropped_connection_under_load(report: Report) -> None:
    assert len(report.samples) >= 8, markdown(report, "short load test")
    errors = [(s.kind, s.what, s.status, s.error) for s in report.samples
              if s.status >= 500 or s.status == 0]
    assert not errors, markdown(report, "short load test")


def test_every_pathological_query_is_stopped_within_its_limit(report: Report) -> None:
    assert report.pathological, "no pathological query was sent"
    for sample in report.pathological:
        assert sample.status == 503, (sample.what, sample.status, sample.error)
        # WorkersBusy: not run, the other clients having the workers (graph.engine.workers, "Turns")
        assert sample.error in ("QueryTimeout", "QueryMemoryExceeded", "WorkersBusy"), \
            sample.error
        assert sample.seconds <= report.config.query_timeout + 1, (sample.what,
                                                                   sample.seconds)


def test_imports_are_stored_under_load(report: Report) -> None:
    assert len(report.imports) >= 2
    assert all(200 <= s.status < 300 for s in report.imports), report.imports


def test_memory_stays_under_its_bound(report: Report) -> None:
    assert 0 < report.peak_rss < report.config.memory_limit_mb * 2**20
