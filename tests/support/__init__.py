"""What the tests share, in one place (datasette's ``tests/fixtures.py`` is the model).

Plain helpers live here; ``conftest.py`` files hold fixtures only, and a test module never
imports another folder's ``conftest.py`` (``tests/test_house.py`` checks both).

- ``stores``: stores holding the example dataset; ``quads`` to compare states;
- ``graphs``: the small hand-made graph of the map tests, and the example as the maps read it;
- ``live``: the application over a store, on a loopback socket (``running``) or in process
  (``app_client``), and the curator token they use;
- ``hostile``: hostile data and documents (script injections, entity expansion, deep nesting);
- ``engines``: empty stores on a real Oxigraph server or Virtuoso;
- ``faults``: real ``civicgraph`` processes to kill, and the store they leave;
- ``shapes``: SHACL runs of the ontology tests and what invalid examples expect;
- ``waiting``: ``until(condition)``, polling with a deadline, where a test would sleep.

The engines and processes themselves (an Oxigraph server, Virtuoso, ``civicgraph serve``
replicas, the memory of a process tree) are started by ``bench/servers.py``, which the
benchmarks share: ``bench/`` imports nothing from ``tests/``.
"""
