"""How ``DumpCache`` dates a dump's content: once, when first seen, never after the
``not_after`` given then, a second after the content before where that allows, else marked
as sharing its second; a file whose clock is ahead is dated no later than ``not_after``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from graph.publishing.service import DUMPS, DumpCache
from graph.store import Store, open_store

DUMP = DUMPS[0]


def _store(text: str) -> Store:
    store = open_store("memory")
    store.update(f'INSERT DATA {{ <http://example.org/s> <http://example.org/p> "{text}" }}')
    return store


def _found(directory: Path, version: int, content: bytes, mtime: float) -> None:
    """A dump file of ``version`` already written, at ``mtime``."""
    path = directory / f"v{version}" / DUMP.name
    path.parent.mkdir()
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))


def test_each_content_is_dated_once(tmp_path: Path) -> None:
    cache = DumpCache(tmp_path)
    first = cache.file(_store("a"), DUMP, 1, not_after=1000.0)
    assert (first.modified, first.superseded) == (1000.0, None)
    # the same content, later: the same date
    assert cache.file(_store("a"), DUMP, 2, not_after=5000.0).modified == 1000.0
    # another content within the second, no later date allowed: it shares the second
    second = cache.file(_store("b"), DUMP, 3, not_after=1000.5)
    assert (second.modified, second.superseded) == (1000.5, 1000)
    # files written within one second, a later date allowed: a second after the one before
    _found(tmp_path, 4, b"c", 2000.3)
    _found(tmp_path, 5, b"d", 2000.7)
    assert cache.file(_store("c"), DUMP, 4, not_after=5000.0).modified == pytest.approx(2000.3)
    fifth = cache.file(_store("d"), DUMP, 5, not_after=5000.0)
    assert (fifth.modified, fifth.superseded) == (2001, None)
    assert cache.file(_store("d"), DUMP, 5, not_after=9000.0) == fifth
    cache.close()


def test_a_file_whose_clock_is_ahead_is_dated_no_later_than_asked(tmp_path: Path) -> None:
    """A dump file found with a time an hour ahead (written under another clock)."""
    _found(tmp_path, 7, b"", time.time() + 3600)
    now = time.time()
    found = DumpCache(tmp_path).file(_store("a"), DUMP, 7, not_after=now)
    assert found.modified == now
