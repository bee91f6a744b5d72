"""Browser fixtures: Debian's headless Chromium driven by Playwright, and servers to visit.

Chromium comes from the ``chromium`` Debian package (``.ci/setup --system`` installs it);
Playwright only drives it (never ``playwright install``). In CI a missing browser fails the
run; elsewhere the browser tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CIVICGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"no Chromium at {CHROMIUM}: run .ci/setup --system"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watch:
    """Everything that went wrong while a page was open."""

    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def opened(browser: Any, **options: Any) -> Iterator[Any]:
    """A tab in a browser context of its own (``options``: Playwright's ``new_context``
    ones), closed with the context afterwards; its actions wait 30 s at most."""
    context = browser.new_context(**options)
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    with opened(browser, viewport={"width": 1280, "height": 860}) as tab:
        yield tab, _watched(tab)


def _watched(tab: Any) -> Watch:
    """What goes wrong in ``tab`` from now on: console errors and warnings, page errors,
    failed requests, 4xx/5xx answers, dialogs (dismissed)."""
    watch = Watch()
    tab.on("console", lambda m: watch.problems.append(f"console {m.type}: {m.text}")
           if m.type in ("error", "warning") else None)
    tab.on("pageerror", lambda e: watch.problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: watch.problems.append(f"failed: {r.url}"))
    tab.on("response", lambda r: watch.problems.append(f"HTTP {r.status}: {r.url}")
           if r.status >= 400 else None)

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    return watch


@pytest.fixture(scope="module")
def example_server() -> Iterator[Any]:
    from tests.support.graphs import example_store
    from tests.support.live import running

    with running(example_store()) as live:
        live.app.state.maps.table()  # read before the first page: timings are the page's own
        yield live


@pytest.fixture(scope="module")
def tiny_server() -> Iterator[Any]:
    from tests.support.graphs import tiny_store
    from tests.support.live import running

    with running(tiny_store()) as live:
        yield live
