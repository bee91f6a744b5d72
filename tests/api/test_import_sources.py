"""``POST /imports`` and its ``source``: a control character in it is a 400 naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.live import CURATOR_TOKEN
from tests.support.stores import load_example, memory_store, quads

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}


@pytest.mark.parametrize("source", ["survey\r2026", "survey\x00"])
def test_a_source_with_a_control_character_is_a_400_naming_source(
        serve: Callable[..., Any], source: str) -> None:
    store = load_example(memory_store())
    before = quads(store)
    with serve(store) as live, httpx.Client(base_url=live.url, timeout=60) as http:
        response = http.post("/imports", headers=AUTH, data={"source": source}, files={
            "file": ("orgs.csv", b"id,name,kind\nsrc-1,Org,association\n")})
    assert response.status_code == 400
    assert "source" in response.text and "control character" in response.text
    assert quads(store) == before
