"""The curator token against hostile input: placeholder or short tokens are refused, a bad
token changes nothing, the token is compared in constant time and never echoed or logged.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from api.settings import PLACEHOLDER_TOKENS, Settings
from graph.namespaces import graph_iri
from tests.support.hostile import AUTH, NOTE, SPARQL_UPDATE, TURTLE, hostile_store, snapshot
from tests.support.live import CURATOR_TOKEN, Live

# --- the curator token ---------------------------------------------------------------------

@pytest.mark.parametrize("token", [*sorted(PLACEHOLDER_TOKENS - {""}), " change-me ",
                                   "CHANGE-ME", "Secret", "short-token"])
def test_placeholder_or_short_tokens_are_refused_when_the_settings_are_read(token: str) -> None:
    with pytest.raises(ValueError, match=r"placeholder|shorter") as info:
        Settings(curator_token=token)
    assert token.strip() not in str(info.value) or token.strip().lower() in PLACEHOLDER_TOKENS


def test_the_cli_refuses_to_start_with_a_placeholder_token(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRAPH_CURATOR_TOKEN", "change-me")
    result = CliRunner().invoke(main, ["serve", "--store", "memory", "--empty"])
    assert result.exit_code == 2
    assert "CIVICGRAPH_CURATOR_TOKEN" in result.output and "placeholder" in result.output
    assert "Traceback" not in result.output


def test_a_short_token_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRAPH_CURATOR_TOKEN", "hunter2-hunter")
    result = CliRunner().invoke(main, ["stats", "--store", "memory"])
    assert result.exit_code == 2 and "shorter than 16" in result.output
    assert "hunter2" not in result.output


def test_tokens_are_compared_in_constant_time(server: Live,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    for token in (CURATOR_TOKEN, CURATOR_TOKEN[:-1] + "X", "x"):
        httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=30,
                  headers={"Authorization": f"Bearer {token}"})
    assert [a for a, _ in calls] == [t.encode() for t in
                                     (CURATOR_TOKEN, CURATOR_TOKEN[:-1] + "X", "x")]


WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/sparql", {"data": {"update": f"INSERT DATA {{ GRAPH <{NOTE}> {{ <a:b> <a:c> 1 }} }}",
                                  }}),
    ("POST", "/sparql", {"content": f"DROP GRAPH <{graph_iri('tiny')}>", "headers": SPARQL_UPDATE}),
    ("PUT", f"/store?graph={NOTE}", {"content": "<a:b> <a:c> 1 .", "headers": TURTLE}),
    ("POST", f"/store?graph={NOTE}", {"content": "<a:b> <a:c> 1 .", "headers": TURTLE}),
    ("POST", "/store", {"content": "<a:b> <a:c> 1 .", "headers": TURTLE}),
    ("DELETE", f"/store?graph={graph_iri('tiny')}", {}),
    ("POST", "/imports", {"files": {"file": ("o.csv", b"name\nA\n", "text/csv")},
                          "data": {"source": "s"}}),
]
BAD_TOKENS = [None, "Bearer wrong-token-0123456789", "Bearer", "Basic dXNlcjpwYXNz",
              CURATOR_TOKEN, "Bearer " + CURATOR_TOKEN + "x", b"Bearer \xff\xfe"]


@pytest.mark.parametrize(("method", "path", "kwargs"), WRITES)
@pytest.mark.parametrize("authorization", BAD_TOKENS)
def test_writes_without_a_valid_token_change_nothing(
        server: Live, unchanged: None, method: str, path: str, kwargs: dict[str, Any],
        authorization: str | bytes | None) -> None:
    headers = dict(kwargs.get("headers", {}))
    if authorization is not None:
        headers["Authorization"] = authorization  # type: ignore[assignment]
    response = httpx.request(method, server.url + path, timeout=30,
                             **{**kwargs, "headers": headers})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert CURATOR_TOKEN not in response.text


def test_with_writes_disabled_every_write_is_403(serve: Any) -> None:
    store = hostile_store()
    before = snapshot(store)
    with serve(store, curator_token="") as live:
        for method, path, kwargs in WRITES:
            response = httpx.request(method, live.url + path, timeout=30,
                                     **{**kwargs, "headers": {**kwargs.get("headers", {}),
                                                              **AUTH}})
            assert response.status_code == 403, (path, response.text)
    assert snapshot(store) == before


def test_the_token_is_never_logged(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    with serve(hostile_store(), log_level="debug") as live:
        for token in (CURATOR_TOKEN, "wrong-" + CURATOR_TOKEN):
            headers = {"Authorization": f"Bearer {token}"}
            httpx.get(f"{live.url}/sparql", params={"query": "ASK {}"}, headers=headers)
            httpx.post(f"{live.url}/sparql", data={"update": "INSERT DATA { <a:b> }"},
                       headers=headers)
    text = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "civicgraph.access" in {r.name for r in caplog.records}
    assert CURATOR_TOKEN not in text
