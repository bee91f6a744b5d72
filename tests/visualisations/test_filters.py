"""Filters and their URL form."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import ParameterError
from visualisations.filters import Filters

ID = "https://w3id.org/civicgraph/id/"


def test_from_query_reads_every_parameter() -> None:
    f = Filters.from_query([("field", "health,housing"), ("practice", "voting"),
                            ("category", "chat"), ("kind", "union"), ("wave", "2025"),
                            ("status", "active"), ("dep", "93"), ("community", "3"),
                            ("from", "2024-01-01"), ("to", "2024-12-31"), ("min_weight", "2"),
                            ("lang", "fr"), ("unknown", "x")])
    assert f.fields == (ID + "field/health", ID + "field/housing")
    assert f.practices == (ID + "practice/voting",)
    assert f.categories == (ID + "tool-category/chat",)
    assert f.kinds == (ID + "org-kind/union",)
    assert f.waves == (ID + "wave/2025",)
    assert f.statuses == (ID + "status/active",)
    assert f.departements == ("93",) and f.communities == ("3",)
    assert (f.since, f.until) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert f.min_weight == 2.0


def test_full_iris_are_accepted_and_empty_values_ignored() -> None:
    f = Filters.from_query({"field": [ID + "field/health", ""], "to": [""]})
    assert f.fields == (ID + "field/health",) and f.until is None
    assert Filters.from_query({}).is_empty()


@pytest.mark.parametrize(("key", "value"), [
    ("field", "bad slug"), ("field", "santé"), ("from", "2024-13-01"), ("to", "soon"),
    ("min_weight", "heavy"), ("min_weight", "-1"), ("dep", "93;drop"),
])
def test_malformed_values_are_refused(key: str, value: str) -> None:
    with pytest.raises(ParameterError) as caught:
        Filters.from_query({key: [value]})
    assert caught.value.parameter == key


slugs = st.lists(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8})?", fullmatch=True),
                 max_size=3, unique=True)


@given(fields=slugs, practices=slugs, deps=st.lists(st.from_regex(r"[0-9]{2}", fullmatch=True),
                                                       max_size=2, unique=True),
       since=st.none() | st.dates(), weight=st.integers(0, 20))
def test_url_round_trip(fields: list[str], practices: list[str], deps: list[str],
                        since: dt.date | None, weight: int) -> None:
    f = Filters(fields=tuple(ID + "field/" + s for s in fields),
                practices=tuple(ID + "practice/" + s for s in practices),
                departements=tuple(deps), since=since, min_weight=float(weight))
    assert Filters.from_query(f.to_query()) == f
