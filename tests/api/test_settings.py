"""The environment reaches every setting; options override it. (That each one is documented
in docs/settings.md is checked by tests/test_docs.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRAPH_STORE", "memory")
    monkeypatch.setenv("CIVICGRAPH_QUERY_TIMEOUT", "2.5")
    settings = Settings()
    assert settings.store == "memory"
    assert settings.query_timeout == 2.5


def test_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRAPH_PORT", "9000")
    assert Settings(port=8123).port == 8123


def test_default_store_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CIVICGRAPH_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Settings().store == str(tmp_path / "civicgraph" / "store")
