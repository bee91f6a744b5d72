"""Where the browser tests save their screenshots.

A test run leaves the checkout as it found it: screenshots go to a temporary folder. The
README's pictures (``api/static/screenshots/``) are taken again on purpose, by running the
browser tests with ``CIVICGRAPH_UPDATE_SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: the README's pictures
PUBLISHED = Path(__file__).resolve().parents[2] / "api" / "static" / "screenshots"


def screenshot(name: str) -> str:
    """The path to save the screenshot ``name`` (e.g. ``"waves.png"``) to."""
    if os.environ.get("CIVICGRAPH_UPDATE_SCREENSHOTS") == "1":
        folder = PUBLISHED
    else:
        folder = Path(tempfile.gettempdir()) / "civicgraph-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)
