"""Every setting is documented in the README, and the environment reaches it."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    variable = f"CIVICGRAPH_{name.upper()}"
    rows = [line for line in README.read_text(encoding="utf-8").splitlines()
            if line.startswith("|") and f"`{variable}`" in line]
    assert rows, f"{variable} is missing from the README's settings table"


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
