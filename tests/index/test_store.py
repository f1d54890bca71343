"""The Chroma store, for real (embedded PersistentClient), with a small fake embedder for speed:
these tests are about storage, not about answers."""

import os
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from index.errors import IndexMismatch, StoreUnavailable, UnknownDocument
from index.ingest import bundled_article, ingest
from index.loaders import article_from_text
from index.sentences import SPLITTER, split_sentences
from index.store import SentenceStore


class FakeEmbedder:
    name = "fake-embedding"

    def __init__(self) -> None:
        self._fake = DeterministicFakeEmbedding(size=16)
        self.calls = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return self._fake.embed_documents(texts)


def open_store(home: Path, model: str = "fake-embedding") -> SentenceStore:
    return SentenceStore.open(home=home, url=None, embedding_model=model, splitter=SPLITTER)


def test_offsets_of_every_stored_sentence(tmp_path: Path) -> None:
    store, article = open_store(tmp_path), bundled_article()
    ingest(article, store=store, embedder=FakeEmbedder())
    stored = store.sentences()
    assert len(stored) == 11
    text = store.document_text("deepseek")
    assert text == article.text
    for s in stored:
        assert text[s.start : s.end] == s.text
    assert [s.paragraph for s in stored] == [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5]


def test_ingesting_twice_adds_nothing(tmp_path: Path) -> None:
    store, embedder = open_store(tmp_path), FakeEmbedder()
    assert ingest(bundled_article(), store=store, embedder=embedder) is True
    assert ingest(bundled_article(), store=store, embedder=embedder) is False
    assert embedder.calls == 1
    assert len(store.sentences()) == 11
    assert len(store.documents()) == 1


def test_persists_across_opens(tmp_path: Path) -> None:
    ingest(bundled_article(), store=open_store(tmp_path), embedder=FakeEmbedder())
    again = open_store(tmp_path)
    assert [d.id for d in again.documents()] == ["deepseek"]
    assert len(again.sentences()) == 11


def test_changed_article_replaces_old_version(tmp_path: Path) -> None:
    store, embedder = open_store(tmp_path), FakeEmbedder()
    ingest(article_from_text("One. Two. Three.", doc_id="a"), store=store, embedder=embedder)
    ingest(article_from_text("Only one.", doc_id="a"), store=store, embedder=embedder)
    assert [s.text for s in store.sentences()] == ["Only one."]


def test_query_returns_nearest_with_similarity(tmp_path: Path) -> None:
    store, embedder = open_store(tmp_path), FakeEmbedder()
    ingest(bundled_article(), store=store, embedder=embedder)
    target = store.sentences()[3]
    matches = store.query(embedder.embed([target.text])[0], k=3)
    assert matches[0].sentence == target
    assert matches[0].similarity == pytest.approx(1.0, abs=1e-4)


def test_remove(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    ingest(bundled_article(), store=store, embedder=FakeEmbedder())
    store.remove("deepseek")
    assert store.documents() == [] and store.sentences() == []
    with pytest.raises(UnknownDocument, match="assistant list"):
        store.remove("deepseek")


def test_interrupted_add_is_invisible_and_swept(tmp_path: Path) -> None:
    """Sentences written without their manifest record (a crash mid-add) are never read."""
    store, embedder = open_store(tmp_path), FakeEmbedder()
    ingest(bundled_article(), store=store, embedder=embedder)
    orphan = article_from_text("Half written. Never finished.", doc_id="orphan")
    sentences = split_sentences(orphan.text)
    store._sentences.upsert(  # what add() writes before its manifest record
        ids=[f"orphan@{orphan.digest}:{s.number}" for s in sentences],
        embeddings=embedder.embed([s.text for s in sentences]),
        documents=[s.text for s in sentences],
        metadatas=[
            {
                "document": "orphan",
                "version": f"orphan@{orphan.digest}",
                "number": s.number,
                "paragraph": 1,
                "start": s.start,
                "end": s.end,
            }
            for s in sentences
        ],
    )
    assert {s.document for s in store.sentences()} == {"deepseek"}
    assert all(
        m.sentence.document == "deepseek"
        for m in store.query(embedder.embed(["Half written."])[0], k=5)
    )
    ingest(article_from_text("Another.", doc_id="b"), store=store, embedder=embedder)
    assert store._sentences.count() == 12  # the orphans were swept by the next write


def test_other_model_is_a_clear_error_and_rebuild_fixes_it(tmp_path: Path) -> None:
    ingest(bundled_article(), store=open_store(tmp_path), embedder=FakeEmbedder())
    with pytest.raises(IndexMismatch, match="assistant rebuild") as info:
        open_store(tmp_path, model="another-model")
    assert "fake-embedding" in str(info.value)

    class OtherEmbedder(FakeEmbedder):
        name = "another-model"

    other = OtherEmbedder()
    articles = SentenceStore.rebuild(
        home=tmp_path,
        url=None,
        embedding_model=other.name,
        splitter=SPLITTER,
        reindex=lambda store, arts: [ingest(a, store=store, embedder=other) for a in arts],
    )
    assert [a.id for a in articles] == ["deepseek"]
    rebuilt = open_store(tmp_path, model="another-model")
    assert len(rebuilt.sentences()) == 11
    assert rebuilt.document_text("deepseek") == bundled_article().text
    with pytest.raises(IndexMismatch):  # the old model no longer matches
        open_store(tmp_path)


def test_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "file"
    home.write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="is a file, not a directory"):
        open_store(home)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes any directory")
def test_unreadable_home(tmp_path: Path) -> None:
    home = tmp_path / "locked"
    home.mkdir(mode=0o000)
    try:
        with pytest.raises(StoreUnavailable, match="not readable and writable"):
            open_store(home)
    finally:
        home.chmod(0o700)


def test_uncreatable_home(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.write_text("a file where a directory should be")
    with pytest.raises(StoreUnavailable, match="cannot create ASSISTANT_HOME"):
        open_store(parent / "home")


def test_damaged_store_is_reported_not_overwritten(tmp_path: Path) -> None:
    ingest(bundled_article(), store=open_store(tmp_path), embedder=FakeEmbedder())
    database = tmp_path / "chroma" / "chroma.sqlite3"
    damaged = b"this is not a database" * 100
    database.write_bytes(damaged)
    with pytest.raises(StoreUnavailable, match="move it aside"):
        open_store(tmp_path)
    assert database.read_bytes() == damaged
