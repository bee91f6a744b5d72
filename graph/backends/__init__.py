"""The store backends behind ``graph.store.Store``.

- ``embedded``: ``MemoryStore`` and ``OxigraphStore`` (pyoxigraph in memory or on disk);
- ``remote``: ``RemoteStore`` (SPARQL 1.1 Protocol, Update and Graph Store Protocol over httpx);
- ``staging``: the staging-graph IRIs and the one SPARQL update that commits a replacement;
- ``binding``: substitutions as a ``VALUES`` block, for servers without SEP-0007.

Use ``graph.store.open_store`` rather than these classes directly.
"""

from __future__ import annotations
