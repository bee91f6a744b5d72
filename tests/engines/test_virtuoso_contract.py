"""The store contract (``tests/graph/store/test_store_contract.py``) on Virtuoso, test for test.

Every contract test that takes the ``store`` or ``filled`` fixture runs here unchanged, with
``store`` an empty ``VirtuosoStore`` (``conftest.py``); the backend-specific ones (on-disk
crash recovery, the Oxigraph server's transport) stay in the contract module.
"""

from __future__ import annotations

import inspect

from tests.graph.store import test_store_contract as contract

filled = contract.filled

CONTRACT = sorted(
    name for name, function in vars(contract).items()
    if name.startswith("test_") and callable(function)
    and {"store", "filled"} & set(inspect.signature(function).parameters)
)
globals().update({name: getattr(contract, name) for name in CONTRACT})


def test_the_contract_is_all_here() -> None:
    # a guard against an empty selection (a renamed fixture would silently drop every test)
    assert len(CONTRACT) >= 15
    assert "test_a_reader_sees_old_or_new_never_a_mix" in CONTRACT
