"""The same store on a real Chroma server (`chroma run`, started here on loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from index import store as store_module
from index.corpus import Corpus
from index.errors import StoreUnavailable
from index.ingest import bundled_article
from index.sentences import SPLITTER
from index.store import SentenceStore

from ..fakes import FakeEmbedder
from ..servers import reset_chroma_server
from .test_store import add

pytestmark = pytest.mark.integration  # the real model or a real server


def test_two_clients_share_the_server(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each client keeps its own lexical mirror; Chroma does the vector search on the server.
    The article's text of record goes in parts (as a long one would) and is read whole."""
    reset_chroma_server(chroma_url)  # another test may have left a store built otherwise
    monkeypatch.setattr(store_module, "TEXT_PART", 200)

    def client(name: str) -> Corpus:
        return Corpus.open(
            home=tmp_path / name,
            url=chroma_url,
            embedding_model="fake-embedding",
            splitter=SPLITTER,
        )

    first, second = client("first"), client("second")
    embedder = FakeEmbedder()
    assert add(first, bundled_article(), embedder=embedder) == [True]
    assert add(second, bundled_article(), embedder=embedder) == [False]  # already on the server
    second.sync()
    stored = second.sentences()
    assert len(stored) == 11
    target = stored[7]
    assert second.nearest(embedder.embed([target.text])[0], k=1)[0][0] == target
    second.remove("deepseek")
    first.sync()
    assert first.documents() == [] and first.sentences() == []
    assert first.store._documents.get(where={"part": {"$gte": 1}})["ids"] == []  # nor its parts
    assert not (tmp_path / "first" / "chroma").exists()  # no local store beside the mirror


def test_cli_answers_from_the_server(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_url)
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    reset_chroma_server(chroma_url)  # the test above left a store built with a fake model
    result = CliRunner().invoke(cli, ["ask", "Who founded DeepSeek?", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["short_answer"] == "Liang Wenfeng"
    assert not (tmp_path / "home" / "chroma").exists()  # nothing stored locally


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="start it with `chroma run`"):
        SentenceStore.open(
            home=None, url="http://127.0.0.1:1", embedding_model="m", splitter=SPLITTER
        )
