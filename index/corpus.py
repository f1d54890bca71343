"""The index as one thing: Chroma's vectors and articles of record, and the local lexical mirror.

`Corpus.open` opens both and `sync` keeps the mirror in step with the store, applying only the
manifest changes made since it last looked. Everything read through here is live: a vector match
counts only if the mirror names its article version, so sentences an interrupted write left in
Chroma never surface.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING

from index.lexical import LexicalIndex, StoredSentence
from index.loaders import Article
from index.sentences import iter_sentences
from index.store import (
    SERVER_TIMEOUT,
    DocumentInfo,
    SentenceStore,
    Store,
    check_home,
    make_private,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Corpus", "StoredSentence"]

# Manifest changes are re-read this far back (microseconds), for a change stamped earlier than the
# newest one seen. A server's writers are other machines, whose clocks may lag ours. An embedded
# store's writers share this machine's clock and take turns (index.writelock), so a second covers
# the clock being set back a little.
SERVER_CLOCK_SKEW = 30_000_000
LOCAL_CLOCK_SKEW = 1_000_000
# Seconds between those look-backs. In between, a sync asks only for changes newer than the newest
# seen: looking back at every question would re-read every article of a bulk add, each time.
LOOK_BACK_EVERY = 10.0
_SYNC_BATCH = 512


class Corpus:
    """The sentences of the indexed articles, searchable by vector (Chroma) and by term (SQLite)."""

    def __init__(
        self, store: Store, lexical: LexicalIndex, clock_skew: int = SERVER_CLOCK_SKEW
    ) -> None:
        self.store = store
        self.lexical = lexical
        self._clock_skew = clock_skew
        self._look_back_at = 0.0  # when the next sync looks back
        self._sync_lock = threading.Lock()
        lexical.follow(store.identity)

    @classmethod
    def open(
        cls,
        *,
        home: Path,
        url: str | None,
        embedding_model: str,
        splitter: str,
        timeout: float = SERVER_TIMEOUT,
    ) -> Corpus:
        """The index under `home`, or on the Chroma server at `url` with its mirror under `home`."""
        store = SentenceStore.open(
            home=None if url else home,
            url=url,
            embedding_model=embedding_model,
            splitter=splitter,
            timeout=timeout,
        )
        check_home(home)  # for the mirror too, in server mode: made private
        skew = SERVER_CLOCK_SKEW if url else LOCAL_CLOCK_SKEW
        corpus = cls(store, LexicalIndex(mirror_path(home, url)), skew)
        make_private(home)  # the mirror's files, just made
        return corpus

    @property
    def location(self) -> str:
        """Where the store lives: a directory or a server URL."""
        return self.store.location

    # --- keeping the mirror in step -------------------------------------------------------------

    def sync(self) -> None:
        """Apply the store's manifest changes since the mirror last looked."""
        with self._sync_lock:
            newest = self.lexical.seq
            now = monotonic()
            look_back = now >= self._look_back_at
            if look_back:
                self._look_back_at = now + LOOK_BACK_EVERY
            since = max(0, newest - self._clock_skew) if look_back else newest
            foreign = False
            for change in self.store.changes_since(since):
                self._apply(change.document, removed=change.removed)
                foreign |= self.store.changed_elsewhere(change)
                newest = max(newest, change.seq)
            if foreign:
                self.store.reload()  # another process wrote: read its vectors too
            self.lexical.advance(newest)

    def _apply(self, info: DocumentInfo, *, removed: bool) -> None:
        current = self.lexical.version(info.id)
        if removed:
            if current is not None:
                self.lexical.remove(info.id)
            return
        if current == info.version:
            return
        text = self.store.document_text(info.id)
        article = Article(
            id=info.id, title=info.title, text=text, source=info.source, pages=info.pages
        )
        if article.digest != info.digest:
            return  # changed again since: that newer change is applied in its turn
        writer = self.lexical.replace(info.id)
        try:
            batch = []
            for sentence in iter_sentences(text):
                batch.append(sentence)
                if len(batch) == _SYNC_BATCH:
                    writer.put(batch)
                    batch = []
            writer.put(batch)
        except BaseException:
            writer.abort()
            raise
        writer.commit(info.version, info.title, info.pages)

    # --- reading ------------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """The indexed articles, as the store records them."""
        return self.store.documents()

    def titles(self, documents: Sequence[str] | None = None) -> dict[str, str]:
        """Each article's title (of these ones, if given), by id, from the mirror."""
        return self.lexical.titles(documents)

    def sentences(self) -> list[StoredSentence]:
        """Every live sentence, by document and number (for tests and small tools)."""
        return self.lexical.sentences()

    def contains(self, article: Article) -> bool:
        """Whether this exact article (same id and text) is already indexed."""
        return self.store.contains(article)

    def nearest(
        self, vector: np.ndarray, k: int, documents: Sequence[str] | None = None
    ) -> list[tuple[StoredSentence, float]]:
        """The `k` live sentences nearest to `vector` by cosine similarity (in these articles, if
        given), best first."""
        asked = k
        while True:
            matches = self.store.nearest(vector, asked, documents)
            versions = self.lexical.versions(m.document for m in matches)
            live = [m for m in matches if versions.get(m.document) == m.version]
            # subtle: stale records (an interrupted write) may crowd the top; ask for more then.
            if len(live) >= k or len(matches) < asked:
                break
            asked *= 2
        found = {s.key: s for s in self.lexical.sentences([(m.document, m.number) for m in live])}
        return [
            (found[(m.document, m.number)], m.similarity)
            for m in live[:k]
            if (m.document, m.number) in found
        ]

    def vectors(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        """The stored vectors of these live sentences, by (document, number)."""
        versions = self.lexical.versions(document for document, _ in keys)
        wanted = [(versions[d], n) for d, n in keys if d in versions]
        found = self.store.vectors(wanted)
        return {(version.rsplit("@", 1)[0], n): v for (version, n), v in found.items()}

    def neighbours(
        self, sentences: Sequence[StoredSentence]
    ) -> dict[tuple[str, int], tuple[str, str]]:
        """The text just before and after each sentence, in its own article."""
        around = [(s.document, s.number + step) for s in sentences for step in (-1, 1)]
        text = {s.key: s.text for s in self.lexical.sentences(around)}
        return {
            s.key: (
                text.get((s.document, s.number - 1), ""),
                text.get((s.document, s.number + 1), ""),
            )
            for s in sentences
        }

    def problems(self) -> list[str]:
        """What is wrong with the live index, if anything: an article not whole or duplicated.

        Each live article's sentences in the mirror must be exactly the splitter's sentences of
        its stored text, as many as its manifest record says, each with one vector in Chroma.
        """
        self.sync()
        found: list[str] = []
        mirrored: dict[str, list[tuple[int, int, int, str]]] = {}
        for s in self.sentences():
            mirrored.setdefault(s.document, []).append((s.number, s.start, s.end, s.text))
        documents = self.documents()
        differ = set(mirrored) ^ {d.id for d in documents}
        if differ:
            found.append(f"the mirror and the manifest disagree on {sorted(differ)}")
        sources = [d.source for d in documents if d.source]
        if len(set(sources)) != len(sources):
            found.append("two articles have the same source")
        for d in documents:
            text = self.store.document_text(d.id)
            expected = [(s.number, s.start, s.end, s.text) for s in iter_sentences(text)]
            if mirrored.get(d.id) != expected or d.sentences != len(expected):
                found.append(f"{d.id}: its sentences are not those of its stored text")
            vectors = self.store.vectors([(d.version, n) for n in range(1, len(expected) + 1)])
            if len(vectors) != len(expected):
                found.append(f"{d.id}: {len(vectors)} vectors for {len(expected)} sentences")
            elif vectors:
                # The search index must hold them too: a sentence's own vector finds it.
                (key, vector), *_ = vectors.items()
                nearest = {(m.version, m.number) for m in self.store.nearest(vector, 5)}
                if key not in nearest:
                    found.append(f"{d.id}: its sentences are missing from the search index")
        return found

    # --- writing ------------------------------------------------------------------------------

    def remove(self, doc_id: str) -> None:
        """Drop an article from the store, then from the mirror."""
        self.store.remove(doc_id)
        self.lexical.remove(doc_id)


def mirror_path(home: Path, url: str | None) -> Path:
    """Where the lexical mirror lives: beside the embedded store, or one file per server."""
    if not url:
        return home / "lexical.sqlite3"
    name = hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16]
    return home / "servers" / name / "lexical.sqlite3"
