"""The index for real (embedded Chroma and the SQLite mirror), with a small fake embedder for
speed: these tests are about storage, not about answers."""

import os
import threading
from pathlib import Path
from time import monotonic

import numpy as np
import pytest

from index import corpus as corpus_module
from index import ingest as ingest_module
from index import store as store_module
from index.corpus import LOCAL_CLOCK_SKEW, Corpus
from index.errors import IndexMismatch, StoreUnavailable, UnknownDocument
from index.ingest import bundled_article, ingest
from index.lexical import LexicalIndex
from index.loaders import Article, article_from_text
from index.sentences import SPLITTER, split_sentences
from index.store import Finished, SentenceStore

from ..fakes import FakeEmbedder


def open_corpus(home: Path, model: str = "fake-embedding") -> Corpus:
    return Corpus.open(home=home, url=None, embedding_model=model, splitter=SPLITTER)


def add(corpus: Corpus, *articles: Article, embedder: FakeEmbedder | None = None) -> list[bool]:
    done = ingest(
        articles, store=corpus.store, lexical=corpus.lexical, embedder=embedder or FakeEmbedder()
    )
    return [indexed for _, indexed in done]


def stored_ids(corpus: Corpus) -> list[str]:
    return sorted(corpus.store._sentences.get(include=[])["ids"])


def test_offsets_of_every_stored_sentence(tmp_path: Path) -> None:
    corpus, article = open_corpus(tmp_path), bundled_article()
    add(corpus, article)
    stored = corpus.sentences()
    assert len(stored) == 11
    text = corpus.store.document_text("deepseek")
    assert text == article.text
    for s in stored:
        assert text[s.start : s.end] == s.text
    assert [s.paragraph for s in stored] == [1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5]


def test_sentence_records_in_chroma_carry_no_text(tmp_path: Path) -> None:
    corpus = open_corpus(tmp_path)
    add(corpus, bundled_article())
    records = corpus.store._sentences.get(include=["documents", "metadatas"])
    assert len(records["ids"]) == 11
    assert set(records["documents"] or []) == {None}  # the mirror and the manifest hold it
    assert corpus.sentences()[0].text.startswith("The rise of the Chinese company DeepSeek")


def test_ingesting_twice_adds_nothing(tmp_path: Path) -> None:
    corpus, embedder = open_corpus(tmp_path), FakeEmbedder()
    assert add(corpus, bundled_article(), embedder=embedder) == [True]
    assert add(corpus, bundled_article(), embedder=embedder) == [False]
    assert embedder.calls == 1
    assert len(corpus.sentences()) == 11 and len(stored_ids(corpus)) == 11
    assert len(corpus.documents()) == 1


def test_persists_across_opens(tmp_path: Path) -> None:
    add(open_corpus(tmp_path), bundled_article())
    again = open_corpus(tmp_path)
    assert [d.id for d in again.documents()] == ["deepseek"]
    assert len(again.sentences()) == 11


def test_changed_article_replaces_old_version(tmp_path: Path) -> None:
    corpus = open_corpus(tmp_path)
    add(corpus, article_from_text("One. Two. Three.", doc_id="a"))
    add(corpus, article_from_text("Only one.", doc_id="a"))
    assert [s.text for s in corpus.sentences()] == ["Only one."]
    assert len(stored_ids(corpus)) == 1  # the old version's vectors are gone too


def test_nearest_returns_live_sentences_with_similarity(tmp_path: Path) -> None:
    corpus, embedder = open_corpus(tmp_path), FakeEmbedder()
    add(corpus, bundled_article(), embedder=embedder)
    target = corpus.sentences()[3]
    matches = corpus.nearest(embedder.embed([target.text])[0], k=3)
    assert matches[0][0] == target
    assert matches[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(matches) == 3


def test_lexical_search_and_vocabulary(tmp_path: Path) -> None:
    corpus = open_corpus(tmp_path)
    add(corpus, bundled_article())
    found = corpus.lexical.search(["liang", "wenfeng"], k=3)
    assert [s.number for s, _ in found] == [8] and found[0][1] > 0
    assert corpus.lexical.mentions("nvidia") and not corpus.lexical.mentions("qantas")
    assert corpus.lexical.idf("qantas") > corpus.lexical.idf("nvidia")
    assert corpus.lexical.search(["6"], k=1)[0][0].number == 4  # figures are terms too


def test_remove(tmp_path: Path) -> None:
    corpus = open_corpus(tmp_path)
    add(corpus, bundled_article())
    corpus.remove("deepseek")
    assert corpus.documents() == [] and corpus.sentences() == [] and stored_ids(corpus) == []
    with pytest.raises(UnknownDocument, match="assistant list"):
        corpus.remove("deepseek")


def test_another_machine_sees_adds_and_removals(tmp_path: Path) -> None:
    """Two clients of one store, each with its own mirror (as with a Chroma server)."""
    writer = open_corpus(tmp_path)
    reader = Corpus(writer.store, LexicalIndex(tmp_path / "elsewhere" / "lexical.sqlite3"))
    add(writer, bundled_article(), article_from_text("Qantas flies. Pilots fly.", doc_id="q"))
    assert reader.sentences() == []  # until it looks
    reader.sync()
    assert {s.document for s in reader.sentences()} == {"deepseek", "q"}
    writer.remove("q")
    reader.sync()
    assert {s.document for s in reader.sentences()} == {"deepseek"}
    assert reader.titles() == {"deepseek": "DeepSeek's R1 shakes up the AI industry"}


def test_batches_run_across_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "BATCH", 4)
    corpus, embedder = open_corpus(tmp_path), FakeEmbedder()
    articles = [
        article_from_text(" ".join(f"Sentence {i} of {name}." for i in range(n)), doc_id=name)
        for name, n in [("a", 3), ("b", 6), ("c", 1), ("d", 2)]
    ]
    assert add(corpus, *articles, embedder=embedder) == [True] * 4
    assert embedder.calls == 3  # 12 sentences, 4 a batch
    counts = {d.id: d.sentences for d in corpus.documents()}
    assert counts == {"a": 3, "b": 6, "c": 1, "d": 2}
    assert len(corpus.sentences()) == 12 and len(stored_ids(corpus)) == 12


def test_articles_finished_in_one_batch_land_in_one_manifest_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = open_corpus(tmp_path)
    writes: list[list[str]] = []
    commit = corpus.store.commit
    monkeypatch.setattr(
        corpus.store,
        "commit",
        lambda done: writes.append([f.article.id for f in done]) or commit(done),
    )
    articles = [article_from_text(f"{name} rose. {name} fell.", doc_id=name) for name in "abc"]
    assert add(corpus, *articles) == [True] * 3
    assert writes == [["a", "b", "c"]]
    changes = corpus.store.changes_since(0)
    assert [c.document.id for c in changes] == ["a", "b", "c"]
    assert len({c.seq for c in changes}) == 3  # each article's change has its own seq


def test_the_same_article_twice_in_one_ingest_keeps_the_later_text(tmp_path: Path) -> None:
    corpus = open_corpus(tmp_path)
    first = article_from_text("Old one. Old two.", doc_id="a")
    second = article_from_text("New one. New two. New three.", doc_id="a")
    assert add(corpus, first, second) == [True, True]
    assert corpus.store.document_text("a") == second.text
    assert [s.text for s in corpus.sentences()] == ["New one.", "New two.", "New three."]
    assert len(stored_ids(corpus)) == 3


def test_interrupted_ingest_leaves_finished_articles_and_hides_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "BATCH", 4)
    corpus = open_corpus(tmp_path)
    first = article_from_text("One. Two. Three.", doc_id="first")
    second = article_from_text(" ".join(f"Part {i}." for i in range(10)), doc_id="second")
    with pytest.raises(KeyboardInterrupt):
        add(corpus, first, second, embedder=FakeEmbedder(fail_on_call=3))
    assert [d.id for d in corpus.documents()] == ["first"]
    assert {s.document for s in corpus.sentences()} == {"first"}
    half = corpus.nearest(FakeEmbedder().embed(["Part 1."])[0], k=10)
    assert {s.document for s, _ in half} == {"first"}  # written vectors of `second` stay hidden
    assert add(corpus, second) == [True]  # and the retry replaces them
    assert len(stored_ids(corpus)) == 13


def test_a_failed_write_lets_go_of_the_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "BATCH", 4)
    corpus = open_corpus(tmp_path)
    long = article_from_text(" ".join(f"Part {i}." for i in range(6)), doc_id="long")
    short = article_from_text("One. Two.", doc_id="short")
    commit = corpus.store.commit

    def fail(finished: list[Finished]) -> list[int]:
        if finished:
            raise RuntimeError("the store went away")
        return []

    # `long` has a mirror transaction open when the batch that finishes it fails to commit.
    monkeypatch.setattr(corpus.store, "commit", fail)
    with pytest.raises(RuntimeError):
        add(corpus, long, short)
    monkeypatch.setattr(corpus.store, "commit", commit)
    retry = threading.Thread(target=add, args=(corpus, long, short), daemon=True)
    retry.start()
    retry.join(timeout=30)
    assert not retry.is_alive()  # a writer left open would hold the mirror's lock forever
    assert {d.id for d in corpus.documents()} == {"long", "short"}


def test_mirror_catches_up_after_a_crash_between_store_and_mirror(tmp_path: Path) -> None:
    corpus, embedder = open_corpus(tmp_path), FakeEmbedder()
    article = bundled_article()
    sentences = split_sentences(article.text)
    vectors = embedder.embed([s.text for s in sentences])
    corpus.store.write([(article, s) for s in sentences], vectors)
    corpus.store.commit([Finished(article, len(sentences), np.ones(16, dtype=np.float32) / 4)])
    reopened = open_corpus(tmp_path)  # the mirror never heard of it
    reopened.sync()
    assert len(reopened.sentences()) == 11


def test_a_sync_looks_back_a_second_now_and_then_and_otherwise_asks_only_for_newer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = open_corpus(tmp_path)
    add(corpus, bundled_article())
    asked: list[int] = []
    changes_since = corpus.store.changes_since
    monkeypatch.setattr(
        corpus.store, "changes_since", lambda seq: asked.append(seq) or changes_since(seq)
    )
    corpus.sync()  # the first look goes back, here to the start
    corpus.sync()
    newest = corpus.lexical.seq
    assert asked == [0, newest]
    later = monotonic() + corpus_module.LOOK_BACK_EVERY
    monkeypatch.setattr(corpus_module, "monotonic", lambda: later)
    corpus.sync()  # due again
    corpus.sync()
    assert asked[2:] == [newest - LOCAL_CLOCK_SKEW, newest]


def test_other_model_is_a_clear_error_and_rebuild_fixes_it(tmp_path: Path) -> None:
    add(open_corpus(tmp_path), bundled_article())
    with pytest.raises(IndexMismatch, match="assistant rebuild") as info:
        open_corpus(tmp_path, model="another-model")
    assert "fake-embedding" in str(info.value)

    articles = SentenceStore.rebuild(
        home=tmp_path,
        url=None,
        embedding_model="another-model",
        splitter=SPLITTER,
        reindex=lambda store, arts: ingest(
            arts, store=store, lexical=None, embedder=FakeEmbedder()
        ),
    )
    assert [a.id for a in articles] == ["deepseek"]
    rebuilt = open_corpus(tmp_path, model="another-model")
    rebuilt.sync()  # a rebuilt store is new to the mirror: it follows from scratch
    assert len(rebuilt.sentences()) == 11
    assert rebuilt.store.document_text("deepseek") == bundled_article().text
    with pytest.raises(IndexMismatch):  # the old model no longer matches
        open_corpus(tmp_path)


def test_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "file"
    home.write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="is a file, not a directory"):
        open_corpus(home)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes any directory")
def test_unreadable_home(tmp_path: Path) -> None:
    home = tmp_path / "locked"
    home.mkdir(mode=0o000)
    try:
        with pytest.raises(StoreUnavailable, match="not readable and writable"):
            open_corpus(home)
    finally:
        home.chmod(0o700)


def test_uncreatable_home(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.write_text("a file where a directory should be")
    with pytest.raises(StoreUnavailable, match="cannot create ASSISTANT_HOME"):
        open_corpus(parent / "home")


def test_damaged_store_is_reported_not_overwritten(tmp_path: Path) -> None:
    add(open_corpus(tmp_path), bundled_article())
    database = tmp_path / "chroma" / "chroma.sqlite3"
    damaged = b"this is not a database" * 100
    database.write_bytes(damaged)
    with pytest.raises(StoreUnavailable, match="move it aside"):
        open_corpus(tmp_path)
    assert database.read_bytes() == damaged


def test_damaged_mirror_is_reported_not_overwritten(tmp_path: Path) -> None:
    add(open_corpus(tmp_path), bundled_article())
    mirror = tmp_path / "lexical.sqlite3"
    for extra in tmp_path.glob("lexical.sqlite3-*"):
        extra.unlink()
    mirror.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreUnavailable, match="delete it"):
        open_corpus(tmp_path)
    assert mirror.read_bytes() == b"garbage" * 1000


def text_parts(corpus: Corpus) -> dict[str, str]:
    records = corpus.store._documents.get(where={"part": {"$gte": 1}}, include=["metadatas"])
    return {id_: str(meta["version"]) for id_, meta in zip(records["ids"], records["metadatas"])}


def test_a_long_text_of_record_is_written_in_parts_and_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma holds many times a document's size while it writes it: a long text goes in parts,
    one request each, and every reader sees it whole."""
    monkeypatch.setattr(store_module, "TEXT_PART", 40)
    corpus = open_corpus(tmp_path)
    long = article_from_text(
        " ".join(f"Sentence {i} says a little." for i in range(12)), doc_id="long"
    )
    assert add(corpus, long, bundled_article()) == [True, True]
    assert corpus.store.document_text("long") == long.text
    assert corpus.store.document_text("deepseek") == bundled_article().text
    assert sorted(d.id for d in corpus.documents()) == ["deepseek", "long"]  # parts are no articles
    reader = Corpus(corpus.store, LexicalIndex(tmp_path / "elsewhere" / "lexical.sqlite3"))
    reader.sync()
    assert [s.text for s in reader.sentences() if s.document == "long"][-1] == (
        "Sentence 11 says a little."
    )

    # A write cut short leaves parts of a version no manifest names; the next write clears them.
    orphan = article_from_text(long.text + " And more.", doc_id="long")
    corpus.store._documents.upsert(
        ids=[f"{orphan.version}#1"],
        embeddings=FakeEmbedder().embed(["half a text"]),
        documents=["half a text"],
        metadatas=[{"document": "long", "version": orphan.version, "part": 1}],
    )
    changed = article_from_text(long.text + " It ends here.", doc_id="long")
    assert add(corpus, changed) == [True]
    assert corpus.store.document_text("long") == changed.text
    assert set(text_parts(corpus).values()) - {bundled_article().version} == {changed.version}

    articles = SentenceStore.rebuild(
        home=tmp_path,
        url=None,
        embedding_model="fake-embedding",
        splitter=SPLITTER,
        reindex=lambda store, arts: ingest(
            arts, store=store, lexical=None, embedder=FakeEmbedder()
        ),
    )
    assert {a.id: a.text for a in articles} == {
        "deepseek": bundled_article().text,
        "long": changed.text,
    }
    rebuilt = open_corpus(tmp_path)
    assert rebuilt.store.document_text("long") == changed.text
    rebuilt.remove("long")
    assert set(text_parts(rebuilt).values()) == {bundled_article().version}


def test_a_text_missing_a_part_is_a_clear_error_and_a_rebuild_drops_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "TEXT_PART", 40)
    corpus = open_corpus(tmp_path)
    add(corpus, bundled_article(), article_from_text("Short and whole.", doc_id="short"))
    corpus.store._documents.delete(ids=[f"{bundled_article().version}#2"])
    with pytest.raises(StoreUnavailable, match=r"assistant remove deepseek` and add"):
        corpus.store.document_text("deepseek")
    with pytest.raises(StoreUnavailable, match=r"assistant remove deepseek` first"):
        SentenceStore.rebuild(
            home=tmp_path,
            url=None,
            embedding_model="fake-embedding",
            splitter=SPLITTER,
            reindex=lambda store, arts: None,
        )
    reopened = open_corpus(tmp_path)
    assert sorted(d.id for d in reopened.documents()) == ["deepseek", "short"]
    assert reopened.store.document_text("short") == "Short and whole."
    reopened.remove("deepseek")  # the way out the error names
    assert [a.id for a in store_module._stored_articles(reopened.store._client)] == ["short"]
