"""A map filter value or a catalogue parameter's IRI that names nothing is a 400 naming
the parameter and the value (with the values allowed, or the closest, for a closed
vocabulary), not an empty or wrong answer; ``lang`` is matched case-insensitively and
looked up as RFC 4647 says (``fr-CA`` gives ``fr``), an unsupported one a 400 naming the
supported ones (pages fall back)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.live import Live

MAP = "/maps/organisations-tools"
JSON = {"Accept": "application/json"}


def _refused(live: Live, path: str, parameter: str, value: str, **params: str) -> str:
    response = httpx.get(f"{live.url}{path}", params={parameter: value, **params},
                         headers=JSON, timeout=60)
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["parameter"] == parameter
    assert value in body["message"]
    return str(body["message"])


@pytest.mark.parametrize("parameter",
                         ["field", "wave", "dep", "status", "kind", "practice", "category"])
@pytest.mark.parametrize("path", [MAP, f"{MAP}/embed", f"{MAP}/export.nodes.csv",
                                  "/maps/geography"])
def test_an_unknown_map_filter_value_is_refused(live: Live, path: str,
                                                parameter: str) -> None:
    _refused(live, path, parameter, "nonsense")


@pytest.mark.parametrize(("parameter", "value", "allowed"), [
    ("field", "healt", "health"), ("status", "nonsense", "active"), ("wave", "2023", "2024")])
def test_a_closed_vocabulary_names_what_it_takes(live: Live, parameter: str, value: str,
                                                 allowed: str) -> None:
    assert allowed in _refused(live, MAP, parameter, value)


def test_known_map_filter_values_still_work(live: Live) -> None:
    for params in ({"field": "health"}, {"status": "active"}, {"wave": "2024"},
                   {"field": "health,climate"}, {"dep": "75"}):
        response = httpx.get(f"{live.url}{MAP}", params=params, timeout=60)
        assert response.status_code == 200, (params, response.text[:300])


def test_an_unknown_filter_on_the_waves_page_is_refused(live: Live) -> None:
    _refused(live, "/maps/waves", "practice", "nonsense")


def test_a_closed_vocabulary_names_the_closest_value(live: Live) -> None:
    message = _refused(live, "/queries/tools_by_practice", "practice", "votin")
    assert "did you mean 'voting'?" in message


@pytest.mark.parametrize(("query", "parameter", "value"), [
    ("wave_changes", "wave1", "yes"), ("tool_usages", "tool", "yes"),
    ("tools_by_practice", "practice", "1e308"), ("tool_usages", "tool", "id:software/yes")])
def test_an_iri_parameter_naming_nothing_is_refused(live: Live, query: str, parameter: str,
                                                   value: str) -> None:
    _refused(live, f"/queries/{query}", parameter, value)


def test_a_wave_parameter_names_the_waves(live: Live) -> None:
    assert "2024" in _refused(live, "/queries/wave_changes", "wave1", "yes")


def test_the_html_page_refuses_it_too(live: Live) -> None:
    response = httpx.get(f"{live.url}/queries/wave_changes", params={"wave1": "yes"},
                         headers={"Accept": "text/html"})
    assert response.status_code == 400 and "wave1" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_known_iri_parameters_still_work(live: Live) -> None:
    for query, params in (("wave_changes", {"wave1": "2024", "wave2": "2025"}),
                          ("tools_by_practice", {"practice": "voting"}),
                          ("tool_usages", {"tool": "loomio"})):
        response = httpx.get(f"{live.url}/queries/{query}", params=params, timeout=60)
        assert response.status_code == 200, response.text[:300]
        assert response.json()["results"]["bindings"]


def _bindings(live: Live, lang: str) -> list[object]:
    response = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": lang}, timeout=60)
    assert response.status_code == 200, response.text[:300]
    return list(response.json()["results"]["bindings"])


def test_lang_is_case_insensitive_and_looked_up(live: Live) -> None:
    french = _bindings(live, "fr")
    assert _bindings(live, "FR") == french
    assert _bindings(live, "fr-CA") == french
    assert _bindings(live, "EN-gb") == _bindings(live, "en")
    assert french != _bindings(live, "en")


def test_an_unsupported_lang_is_refused_naming_the_supported_ones(live: Live) -> None:
    message = _refused(live, "/queries/tool_usages", "lang", "xx")
    assert "fr" in message and "en" in message


@pytest.mark.parametrize("path", ["/queries/tool_usages?format=html", "/queries", "/query",
                                  "/maps", MAP])
def test_pages_read_lang_case_insensitively(live: Live, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    for asked, given in (("FR", "fr"), ("fr-CA", "fr"), ("En", "en")):
        response = httpx.get(f"{live.url}{path}{joiner}lang={asked}",
                             headers={"Accept": "text/html", "Accept-Language": "de"},
                             timeout=60)
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-language"] == given


def test_pages_stay_lenient_for_an_unknown_lang(live: Live) -> None:
    response = httpx.get(f"{live.url}/queries/tool_usages", params={"lang": "xx",
                         "format": "html"}, headers={"Accept-Language": "fr"}, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-language"] == "fr"
