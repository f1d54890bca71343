"""The same store on a real Chroma server (`chroma run`, started here on loopback)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from index.corpus import Corpus
from index.errors import StoreUnavailable
from index.ingest import bundled_article
from index.sentences import SPLITTER
from index.store import SentenceStore

from ..servers import free_port, running
from .test_store import FakeEmbedder, add


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    command = [
        str(chroma),
        "run",
        "--path",
        str(tmp_path_factory.mktemp("chroma")),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    url = f"http://127.0.0.1:{port}"
    with running(command, f"{url}/api/v2/heartbeat", env={"ANONYMIZED_TELEMETRY": "False"}):
        yield url


def client_store_reset(url: str) -> None:
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]))
    for collection in client.list_collections():
        client.delete_collection(collection.name)


def test_two_clients_share_the_server(chroma_url: str, tmp_path: Path) -> None:
    """Each client keeps its own lexical mirror; Chroma does the vector search on the server."""

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
    assert not (tmp_path / "first" / "chroma").exists()  # no local store beside the mirror


def test_cli_answers_from_the_server(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_url)
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    client_store_reset(chroma_url)  # the test above left a store built with a fake model
    result = CliRunner().invoke(cli, ["ask", "Who founded DeepSeek?", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["short_answer"] == "Liang Wenfeng"
    assert not (tmp_path / "home" / "chroma").exists()  # nothing stored locally


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="start it with `chroma run`"):
        SentenceStore.open(
            home=None, url="http://127.0.0.1:1", embedding_model="m", splitter=SPLITTER
        )
