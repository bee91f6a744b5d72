"""Every W3C SPARQL test, one case each, against a real civicgraph server over HTTP.

A test Oxigraph server fails too is an engine limitation: ``failures.toml`` lists it with its
reason and the pytest case is ``xfail(strict=True)``, so that a fix shows as an unexpected
pass. A test whose data civicgraph refuses by design (its core shapes) is listed in
``refused.toml`` and must be refused with the message given there. civicgraph's own failures
are not marked (README.md, FAILURES.md).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.w3c.evaluation import PASS, SKIP, grouped, run_case, skip_reason
from tests.w3c.manifest import Case, all_cases
from tests.w3c.servers import Target

KNOWN: dict[str, Any] = tomllib.loads(
    (Path(__file__).parent / "failures.toml").read_text(encoding="utf-8"))
REFUSED: dict[str, Any] = tomllib.loads(
    (Path(__file__).parent / "refused.toml").read_text(encoding="utf-8"))


def _param(case: Case) -> Any:
    marks: list[Any] = []
    reason = skip_reason(case)
    if reason is not None:
        marks.append(pytest.mark.skip(reason=reason))
    elif case.id in KNOWN:
        known = KNOWN[case.id]
        marks.append(pytest.mark.xfail(
            strict=True, reason=f"{known['reason']} (Oxigraph server: {known['oxigraph']})"))
    return pytest.param(case, id=case.id, marks=marks)


def test_the_known_failures_name_existing_tests() -> None:
    ids = {case.id for case in all_cases()}
    if not ids:
        # CI lays shared/ beside the checkout: there, a missing suite is a failure, not a skip
        if os.environ.get("CI"):
            pytest.fail("the W3C suites are not beside the checkout (../shared/w3c)")
        pytest.skip("the W3C suites are not beside the checkout (../shared/w3c)")
    assert sorted(set(KNOWN) - ids) == []
    assert sorted(set(REFUSED) - ids) == []
    assert sorted(set(REFUSED) & set(KNOWN)) == []


@pytest.mark.parametrize("case", [_param(case) for case in grouped(all_cases())])
def test_w3c(civicgraph: Target, case: Case) -> None:
    outcome = run_case(civicgraph, case)
    assert outcome.status != SKIP, outcome.detail
    if case.id in REFUSED:   # refused by design, with that refusal
        assert outcome.status != PASS, "refused.toml lists a test that now passes"
        assert REFUSED[case.id]["refusal"] in outcome.detail, outcome.detail
        return
    assert outcome.status == PASS, outcome.detail
