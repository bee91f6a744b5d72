"""/docs and /redoc render in headless Chromium with the network off: every request that
leaves this server is refused and recorded, and the page must still draw the API.

ReDoc's sidebar always shows Redocly's logo from its CDN (hard-coded in the bundle, hidden when
it fails to load): the page's policy blocks it, so it is the one refusal expected."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Watch

pytestmark = pytest.mark.browser

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(("path", "drawn"), [
    ("/docs", "#swagger-ui .opblock-tag"),          # Swagger UI's operation groups
    ("/redoc", "li[data-item-id]"),                # ReDoc's menu of operations
])
def test_the_api_pages_render_offline(page: tuple[Any, Watch], tiny_server: Any, path: str,
                                      drawn: str) -> None:
    tab, watch = page
    outside: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(tiny_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    tab.route("**/*", only_this_server)
    tab.goto(f"{tiny_server.url}{path}")
    tab.wait_for_selector(drawn, timeout=30_000)
    assert tab.locator(drawn).count() > 2
    assert set(outside) <= {REDOC_LOGO}
    assert [p for p in watch.problems if REDOC_LOGO not in p] == []
