"""The whole REST surface fuzzed from its own OpenAPI description (schemathesis): generated
requests, valid and invalid, on every operation of a server over the example dataset on
loopback; no answer is a 5xx, and every answer matches what the description declares (status
code, content type, headers, JSON schema). The number of examples is bounded
(``EXAMPLES`` per operation and mode) so the run stays within a couple of minutes on two
cores; the writes run without the curator token (401), and the store is compared before and
after.

(schemathesis's own pytest plugin does not run under pytest 9, so the operations are driven
here with Hypothesis directly; every failure is reported, not only the first.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from schemathesis import checks
from schemathesis.generation import GenerationMode

from tests.support.hostile import snapshot
from tests.support.live import Live, running
from tests.support.stores import example_store

EXAMPLES = 10
#: a schema-valid string is not always a valid SPARQL query, search text or IRI: refusing
#: one with 400 is right (every other check runs, negative data rejection included)
EXCLUDED = [checks.positive_data_acceptance]


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Live]:
    with running(example_store(), query_timeout=5.0, max_body_bytes=256 * 1024) as live:
        live.app.state.maps.table()
        yield live


def _fuzz(live: Live, operation: Any, mode: GenerationMode) -> str | None:
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                         database=None, suppress_health_check=list(hypothesis.HealthCheck),
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(base_url=live.url, timeout=30, excluded_checks=EXCLUDED)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:  # nothing to make invalid (no parameters)
        return None
    except (Exception, BaseExceptionGroup) as error:  # every failure goes in the report
        return f"{operation.label} ({mode.value}): {error}"
    return None


@pytest.mark.slow
def test_no_server_error_and_every_answer_as_described(fuzzed: Live) -> None:
    before = snapshot(fuzzed.store)
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    started = time.monotonic()
    failures = [problem for operation in operations
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
                if (problem := _fuzz(fuzzed, operation, mode)) is not None]
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
    assert snapshot(fuzzed.store) == before
    assert time.monotonic() - started < 240
