"""Shared fixtures: a real index of the bundled article, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant

from .servers import chroma_server

DATA = Path(__file__).parent / "data"
# Fixtures that load the real models or start a real server: a test using one is `integration`.
_INTEGRATION_FIXTURES = {
    "bundled_home",
    "assistant",
    "home_env",
    "chroma_url",
    "hostile_home",
    "library_home",
    "bot_for",
    "bot",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the real model or a server; `scripts/check --fast` skips them."""
    for item in items:
        if _INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def bundled_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ASSISTANT_HOME holding the bundled article, indexed with the real model."""
    home = tmp_path_factory.mktemp("home")
    Assistant.open(home).ensure_index()
    return home


@pytest.fixture(scope="session")
def assistant(bundled_home: Path) -> Assistant:
    """The real assistant over the bundled article (real model, real Chroma)."""
    return Assistant.open(bundled_home)


@pytest.fixture
def home_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh, empty ASSISTANT_HOME for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    monkeypatch.delenv("ASSISTANT_CHROMA_URL", raising=False)
    yield home


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` on loopback, shared by the tests of server mode."""
    with chroma_server(str(tmp_path_factory.mktemp("chroma"))) as url:
        yield url
