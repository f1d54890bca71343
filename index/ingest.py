"""Index articles as a stream: split, embed in batches across articles, write, commit each article.

Sentences flow from one article into the next in batches of `BATCH` (the model is fastest on full
batches of similar length). A batch is embedded on a thread while the batch before it goes to
Chroma and the lexical mirror. An article becomes visible when its last sentence is written: its
manifest record lands (one write for all the articles a batch finishes), its older versions are
deleted, and its mirror transaction commits. Memory holds two batches, however long the article.
The bundled article lives here too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from index.embedders import Embedder
from index.loaders import Article, article_from_text
from index.sentences import Sentence, iter_sentences
from index.store import Finished

if TYPE_CHECKING:
    import numpy as np

    from index.lexical import DocumentWriter, LexicalIndex
    from index.store import Store

__all__ = ["BUNDLED_ID", "Progress", "bundled_article", "ingest"]

BUNDLED_ID = "deepseek"
_BUNDLED_TITLE = "DeepSeek's R1 shakes up the AI industry"
BATCH = 256


@dataclass(frozen=True)
class Progress:
    """How far an ingest has come."""

    articles: int  # finished (indexed or already there)
    sentences: int  # embedded and written
    seconds: float
    files: int = 0  # how many there are to read, when the caller knows

    @property
    def rate(self) -> float:
        """Sentences a second so far."""
        return self.sentences / self.seconds if self.seconds > 0 else 0.0


def bundled_article() -> Article:
    """The article shipped with the package."""
    text = resources.files("index").joinpath("data", "deepseek.txt").read_text(encoding="utf-8")
    return article_from_text(
        text, doc_id=BUNDLED_ID, title=_BUNDLED_TITLE, source="bundled:deepseek.txt"
    )


def ingest(
    articles: Iterable[Article],
    *,
    store: Store,
    lexical: LexicalIndex | None,
    embedder: Embedder,
    progress: Callable[[Progress], None] | None = None,
) -> list[tuple[Article, bool]]:
    """Index each article unless this exact text is already indexed; True where it was."""
    run = _Run(store, lexical, embedder, progress)
    try:
        for position, article in enumerate(articles):
            if store.contains(article):
                run.results.append((position, article, False))
                run.report()
                continue
            run.start(position, article)
            for sentence in iter_sentences(article.text):
                run.queue(sentence)
            run.end()
        run.drain()
    except BaseException:
        run.abort()
        raise
    finally:
        run.close()
    return [(article, indexed) for _, article, indexed in sorted(run.results, key=lambda r: r[0])]


class _Run:
    """One ingest: the batch being filled, and the articles whose sentences are in flight."""

    def __init__(
        self,
        store: Store,
        lexical: LexicalIndex | None,
        embedder: Embedder,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.progress = progress
        self.results: list[tuple[int, Article, bool]] = []
        self.batch: list[tuple[_Open, Sentence]] = []
        # The last full batch, embedded on a thread while this one writes the batch before it.
        self.embedding: tuple[list[tuple[_Open, Sentence]], Future[np.ndarray]] | None = None
        self.writing: list[tuple[_Open, Sentence]] = []  # the batch being written, if any
        self.current: _Open | None = None
        self._embedder_thread = ThreadPoolExecutor(1, thread_name_prefix="ingest")
        self.written = 0
        self.started = time.perf_counter()

    def start(self, position: int, article: Article) -> None:
        if any(part.article.id == article.id for part, _ in self._unwritten()):
            self.drain()  # the same article again: its first text is committed before
        self.current = _Open(position, article)

    def queue(self, sentence: Sentence) -> None:
        assert self.current is not None
        self.batch.append((self.current, sentence))
        if len(self.batch) >= BATCH:
            self.flush()

    def end(self) -> None:
        assert self.current is not None
        self.current.complete = True
        if all(part is not self.current for part, _ in self._unwritten()):
            self._publish([self.current])  # all its sentences are written already
            self._mirror(self.current, [])
        self.current = None

    def flush(self) -> None:
        """Hand the batch to the embedder, and write the batch before it meanwhile."""
        if not self.batch:
            return
        texts = [s.text for _, s in self.batch]
        ahead = self._embedder_thread.submit(self.embedder.embed, texts)
        previous, self.embedding, self.batch = self.embedding, (self.batch, ahead), []
        if previous is not None:
            self._write(*previous)

    def drain(self) -> None:
        """Embed and write everything queued."""
        self.flush()
        if self.embedding is not None:
            previous, self.embedding = self.embedding, None
            self._write(*previous)

    def close(self) -> None:
        self._embedder_thread.shutdown(wait=False, cancel_futures=True)

    def _unwritten(self) -> list[tuple[_Open, Sentence]]:
        return (self.embedding[0] if self.embedding else []) + self.batch

    def _write(self, batch: list[tuple[_Open, Sentence]], embedded: Future[np.ndarray]) -> None:
        """Write an embedded batch, then commit the articles it finishes."""
        self.writing = batch
        vectors = embedded.result()
        self.store.write([(part.article, s) for part, s in batch], vectors)
        runs = list(_by_article(batch, vectors))
        for part, sentences, rows in runs:
            part.add(rows)
            self.written += len(sentences)
        waiting = {id(part) for part, _ in self._unwritten()}
        self._publish([p for p, _, _ in runs if p.complete and id(p) not in waiting])
        # The mirror follows the store: a crash in between leaves it behind, and it catches up.
        for part, sentences, _ in runs:
            self._mirror(part, sentences)
        self.writing = []
        self.report()

    def _publish(self, parts: list[_Open]) -> None:
        """Land the manifest records of finished articles: one write for all of them."""
        self.store.commit([Finished(p.article, p.count, p.centroid()) for p in parts])
        for part in parts:
            part.published = True
            self.results.append((part.position, part.article, True))

    def _mirror(self, part: _Open, sentences: list[Sentence]) -> None:
        """Put an article's sentences in the lexical mirror; commit them once it is published."""
        if self.lexical is None:
            return
        if part.writer is None:
            part.writer = self.lexical.replace(part.article.id)
        part.writer.put(sentences)
        if part.published:
            part.writer.commit(part.article.version, part.article.title, part.article.pages)
            part.writer = None

    def report(self) -> None:
        if self.progress is not None:
            self.progress(
                Progress(len(self.results), self.written, time.perf_counter() - self.started)
            )

    def abort(self) -> None:
        pending = self.writing + self._unwritten()
        parts = [p for p, _ in pending] + ([self.current] if self.current else [])
        for part in parts:
            if part.writer is not None:
                part.writer.abort()


class _Open:
    """An article being indexed: its sentence count and the running sum of its vectors."""

    def __init__(self, position: int, article: Article) -> None:
        self.position = position
        self.article = article
        self.count = 0
        self.total: np.ndarray | None = None
        self.writer: DocumentWriter | None = None
        self.complete = False  # all its sentences are queued
        self.published = False  # and written, and its manifest record has landed

    def add(self, rows: np.ndarray) -> None:
        self.count += len(rows)
        summed = rows.sum(axis=0)
        self.total = summed if self.total is None else self.total + summed

    def centroid(self) -> np.ndarray:
        """The unit mean of its sentence vectors: the manifest record's own vector."""
        import numpy as np

        if self.total is None:
            return np.zeros(384, dtype=np.float32)
        norm = float(np.linalg.norm(self.total)) or 1.0
        return (self.total / norm).astype(np.float32)


def _by_article(
    batch: list[tuple[_Open, Sentence]], vectors: np.ndarray
) -> Iterator[tuple[_Open, list[Sentence], np.ndarray]]:
    """The batch cut into runs of one article each, in order."""
    start = 0
    for i in range(1, len(batch) + 1):
        if i == len(batch) or batch[i][0] is not batch[start][0]:
            yield batch[start][0], [s for _, s in batch[start:i]], vectors[start:i]
            start = i
