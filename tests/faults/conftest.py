"""Fixtures of the fault tests; their helpers are in ``tests/support/faults.py``.

- ``small_disk("10m", limit)``: a tiny file system of its own for one test;
- ``serving``: a list of started ``civicgraph serve`` processes, stopped afterwards.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.faults import Disk, Serve, mount_tmpfs


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str, int], Disk]]:
    """``small_disk("10m", limit)``: a tmpfs of that size (unmounted afterwards), or a
    directory whose writers may not write files past ``limit`` bytes where mounting is not
    allowed (not root, or no CAP_SYS_ADMIN in a container)."""
    mounted: list[Path] = []

    def make(size: str, limit: int) -> Disk:
        path = tmp_path / f"disk-{len(mounted)}"
        path.mkdir()
        if mount_tmpfs(path, size):
            mounted.append(path)
            return Disk(path)
        return Disk(path, limit)

    try:
        yield make
    finally:
        for path in mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@pytest.fixture
def serving() -> Iterator[list[Serve]]:
    """A list to put started servers in; every one still running is stopped afterwards."""
    started: list[Serve] = []
    try:
        yield started
    finally:
        for server in started:
            server.stop()
