"""What the index needs of any store, run over the real one (embedded Chroma) and the fake."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import ingest as ingest_module
from index.corpus import Corpus
from index.errors import UnknownDocument
from index.lexical import LexicalIndex
from index.loaders import article_from_text

from ..fakes import FakeEmbedder, MemoryStore
from .test_store import add, open_corpus


@pytest.fixture(params=["chroma", "memory"])
def corpus(request: pytest.FixtureRequest, tmp_path: Path) -> Corpus:
    if request.param == "chroma":
        return open_corpus(tmp_path)
    return Corpus(MemoryStore(), LexicalIndex(tmp_path / "lexical.sqlite3"))


def nearest_documents(corpus: Corpus, text: str) -> set[str]:
    return {s.document for s, _ in corpus.nearest(FakeEmbedder().embed([text])[0], k=20)}


def test_a_changed_article_replaces_its_old_version(corpus: Corpus) -> None:
    old = article_from_text("One. Two. Three.", doc_id="a")
    add(corpus, old)
    add(corpus, article_from_text("Only one.", doc_id="a"))
    assert [s.text for s in corpus.sentences()] == ["Only one."]
    assert corpus.store.vectors([(f"a@{old.digest}", n) for n in (1, 2, 3)]) == {}


def test_remove_leaves_nothing_and_twice_is_an_error(corpus: Corpus) -> None:
    add(corpus, article_from_text("Qantas flies. Pilots fly.", doc_id="q"))
    corpus.remove("q")
    assert corpus.documents() == [] and corpus.sentences() == []
    assert nearest_documents(corpus, "Qantas flies.") == set()
    with pytest.raises(UnknownDocument, match="assistant list"):
        corpus.remove("q")


def test_an_interrupted_ingest_hides_what_it_half_wrote(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "BATCH", 4)
    first = article_from_text("One. Two. Three.", doc_id="first")
    second = article_from_text(" ".join(f"Part {i}." for i in range(10)), doc_id="second")
    with pytest.raises(KeyboardInterrupt):
        add(corpus, first, second, embedder=FakeEmbedder(fail_on_call=3))
    assert [d.id for d in corpus.documents()] == ["first"]
    assert nearest_documents(corpus, "Part 1.") == {"first"}
    assert add(corpus, second) == [True]
    assert nearest_documents(corpus, "Part 1.") == {"first", "second"}


def test_another_client_sees_adds_and_removals(corpus: Corpus, tmp_path: Path) -> None:
    reader = Corpus(corpus.store, LexicalIndex(tmp_path / "elsewhere" / "lexical.sqlite3"))
    add(corpus, article_from_text("Qantas flies. Pilots fly.", doc_id="q"))
    add(corpus, article_from_text("Trains run late.", doc_id="t"))
    reader.sync()
    assert {s.document for s in reader.sentences()} == {"q", "t"}
    corpus.remove("q")
    reader.sync()
    assert {s.document for s in reader.sentences()} == {"t"}
