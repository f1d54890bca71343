"""The embedded store spoken to through Chroma's engine reads and writes what chromadb's own
client does: an index written either way reads the same the other way."""

import subprocess
import sys
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings

from index import chroma_engine
from index.chroma_engine import EngineClient
from index.ingest import bundled_article
from index.loaders import article_from_text
from index.store import DOCUMENTS, SENTENCES

from ..fakes import FakeEmbedder
from .test_store import add, open_corpus

QUERY = FakeEmbedder().embed(["Who founded DeepSeek?"])[0]


def chromadb_client(home: Path) -> chromadb.ClientAPI:
    return chromadb.PersistentClient(
        path=str(home / "chroma"), settings=Settings(anonymized_telemetry=False)
    )


def close_chromadb(client: chromadb.ClientAPI) -> None:
    client.close()
    SharedSystemClient.clear_system_cache()


def everything(collections: dict[str, object]) -> dict[str, object]:
    """Each collection's records, metadata and nearest sentences, in a comparable form."""
    seen: dict[str, object] = {}
    for name, collection in collections.items():
        records = collection.get(include=["embeddings", "metadatas", "documents"])  # type: ignore[attr-defined]
        order = np.argsort(records["ids"])
        seen[name] = {
            "metadata": collection.metadata,  # type: ignore[attr-defined]
            "ids": [records["ids"][i] for i in order],
            "metadatas": [records["metadatas"][i] for i in order],
            "documents": [records["documents"][i] for i in order],
            "embeddings": np.asarray(records["embeddings"], dtype=np.float32)[order].round(6),
        }
    nearest = collections[SENTENCES].query(  # type: ignore[attr-defined]
        query_embeddings=[QUERY], n_results=5, include=["distances"]
    )
    seen["nearest"] = (nearest["ids"][0], np.round(nearest["distances"][0], 5).tolist())
    return seen


def assert_same(a: dict[str, object], b: dict[str, object]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if key == "nearest":
            assert a[key] == b[key]
            continue
        left, right = a[key], b[key]
        assert isinstance(left, dict) and isinstance(right, dict)
        np.testing.assert_array_equal(left.pop("embeddings"), right.pop("embeddings"))
        assert left == right


def read_with_engine(home: Path) -> dict[str, object]:
    client = EngineClient(home / "chroma")
    try:
        return everything({n: client.get_collection(n) for n in (SENTENCES, DOCUMENTS)})
    finally:
        client.close()


def read_with_chromadb(home: Path) -> dict[str, object]:
    client = chromadb_client(home)
    try:
        return everything(
            {n: client.get_collection(n, embedding_function=None) for n in (SENTENCES, DOCUMENTS)}
        )
    finally:
        close_chromadb(client)


def test_an_index_written_through_the_engine_reads_the_same_through_chromadb(
    tmp_path: Path,
) -> None:
    corpus = open_corpus(tmp_path)
    add(corpus, bundled_article(), article_from_text("One. Two. Three.", doc_id="small"))
    corpus.remove("small")
    corpus.store.mark_seeded()
    corpus.store.reload()  # lets go of the engine
    corpus.store._client.close()

    ours = read_with_engine(tmp_path)
    theirs = read_with_chromadb(tmp_path)
    assert len(ours[SENTENCES]["ids"]) == 11  # type: ignore[index]
    assert ours[DOCUMENTS]["metadata"]["seeded"] is True  # type: ignore[index]
    assert_same(ours, theirs)


def test_an_index_written_through_chromadb_reads_the_same_through_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import store as store_module

    # The store as it was before it spoke to the engine: chromadb's own client throughout.
    monkeypatch.setattr(store_module, "_persistent_client", lambda home: chromadb_client(home))
    corpus = open_corpus(tmp_path)
    add(corpus, bundled_article(), article_from_text("One. Two. Three.", doc_id="small"))
    corpus.remove("small")
    close_chromadb(corpus.store._client)
    monkeypatch.undo()

    theirs = read_with_chromadb(tmp_path)
    ours = read_with_engine(tmp_path)
    assert_same(ours, theirs)
    reopened = open_corpus(tmp_path)  # and the store opens it through the engine
    assert [d.id for d in reopened.documents()] == ["deepseek"]
    assert len(reopened.sentences()) == 11


def test_clients_of_one_path_share_one_engine_until_the_last_closes(tmp_path: Path) -> None:
    open_corpus(tmp_path).store._client.close()
    path = str(tmp_path / "chroma")
    first, second = EngineClient(tmp_path / "chroma"), EngineClient(tmp_path / "chroma")
    assert chroma_engine._engines[path].users == 2
    first.close()
    first.close()  # closing twice lets go once
    assert len(second.list_collections()) == 2
    second.close()
    assert path not in chroma_engine._engines
    with pytest.raises(RuntimeError, match="was closed"):
        second.get_max_batch_size()


def test_engines_still_held_at_exit_are_released_before_teardown(tmp_path: Path) -> None:
    """The `assistant` command skips the interpreter's teardown: the engine closes its files at
    exit all the same, once however many engines came and went."""
    code = (
        "import atexit, sys\n"
        "from index import chroma_engine\n"
        "atexit.register(lambda: print('left open', sorted(chroma_engine._engines)))\n"
        "chroma_engine.EngineClient(sys.argv[1]).close()\n"
        "kept = chroma_engine.EngineClient(sys.argv[1])\n"
        "print('open', sorted(chroma_engine._engines) == [sys.argv[1]])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines() == ["open True", "left open []"]


@pytest.mark.parametrize("name", [SENTENCES, DOCUMENTS])
def test_the_schema_written_out_is_the_one_chromadb_s_own_schema_builds(name: str) -> None:
    from chromadb.api.types import (
        FtsIndexConfig,
        IntInvertedIndexConfig,
        Schema,
        StringInvertedIndexConfig,
        VectorIndexConfig,
    )

    from index.store import _FILTERED, _schema

    built = Schema()
    built.create_index(config=VectorIndexConfig(space="cosine", embedding_function=None))
    built.delete_index(config=FtsIndexConfig(), key="#document")
    unfiltered = {
        "number": IntInvertedIndexConfig(),
        "sentences": IntInvertedIndexConfig(),
        "title": StringInvertedIndexConfig(),
        "source": StringInvertedIndexConfig(),
        "digest": StringInvertedIndexConfig(),
    }
    for key, config in unfiltered.items():
        if key not in _FILTERED[name]:
            built.delete_index(config=config, key=key)
    assert _schema(_FILTERED[name]) == built.serialize_to_json()


def test_a_fresh_home_s_first_add_never_imports_chromadb_s_python_package(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from index.loaders import article_from_text\n"
        "from tests.index.test_store import add, open_corpus\n"
        "corpus = open_corpus(Path(sys.argv[1]))\n"
        "add(corpus, article_from_text('One. Two. Three.', doc_id='small'))\n"
        "assert [d.id for d in corpus.documents()] == ['small']\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'chromadb'))\n"
    )
    root = Path(__file__).parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr[-800:]
    assert result.stdout.strip() == "[]"
