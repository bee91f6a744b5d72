"""Waiting for something to happen, with a deadline: the tests' alternative to ``sleep``."""

from __future__ import annotations

import time
from collections.abc import Callable


def until(condition: Callable[[], object], within: float = 10.0, *, what: str = "") -> None:
    """Return as soon as ``condition()`` is true; fail once ``within`` seconds have passed."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"not within {within:g} s: {what or condition}"
        time.sleep(0.01)
