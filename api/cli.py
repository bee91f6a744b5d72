"""The ``civicgraph`` command line: the group of ``api.commands.base`` with every command.

Exit codes: 0 on success, 1 when data fails validation (syntax or shapes) or the store fails,
2 on a usage error (bad option, unknown query, bad parameter, malformed SPARQL). Errors go to
stderr as one sentence; a shape report follows it, one violation per line.

Every store command works beside a running ``civicgraph serve`` on the same store: it then
talks to that server (``api.commands.connection``).
"""

from __future__ import annotations

import sys

# Each concern keeps its commands in its own module; they attach themselves to ``main``.
from api.commands import contrib, data, maps, query, serve  # noqa: F401
from api.commands.base import main

__all__ = ["main"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
