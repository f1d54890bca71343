"""The local half of the index, in SQLite: each live sentence's text and place, BM25 over its
stemmed terms (an FTS5 table), and each article's live version and title.

It mirrors the Chroma store (index.store) and is persisted beside it: `lexical.sqlite3` under
ASSISTANT_HOME, or, for a Chroma server, one file per server URL, so each client keeps its own.
It is updated incrementally: an article written by this process is added in the same pass that
writes its vectors, and `Corpus.sync` applies the manifest changes other processes made since the
mirror last looked (the manifest's `seq`). Nothing is rebuilt at start-up, and no process holds
the corpus in memory: SQLite pages in what a query touches.

Scores are FTS5's BM25 (k1 = 1.2, b = 0.75) over the terms of index.text (stemmed, stop words
out), so a name or figure the question shares with a sentence finds it whatever its vector says.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.errors import StoreUnavailable
from index.sentences import Sentence
from index.text import terms

__all__ = ["DocumentWriter", "LexicalIndex", "StoredSentence"]

_SCHEMA = "3"
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, version TEXT NOT NULL, title TEXT NOT NULL, sentences INTEGER NOT NULL,
    pages TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY, document TEXT NOT NULL, number INTEGER NOT NULL,
    paragraph INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    UNIQUE (document, number)
);
CREATE VIRTUAL TABLE IF NOT EXISTS sentence_terms USING fts5(
    terms, tokenize = "unicode61 remove_diacritics 0 tokenchars '.''’'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS term_counts USING fts5vocab(sentence_terms, row);
"""


@dataclass(frozen=True)
class StoredSentence:
    """A sentence as indexed: `text == document_text[start:end]`."""

    document: str
    number: int
    paragraph: int
    start: int
    end: int
    text: str

    @property
    def key(self) -> tuple[str, int]:
        """Identifies the sentence across the index."""
        return (self.document, self.number)


class LexicalIndex:
    """Sentences, titles and BM25 in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.executescript(_TABLES)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(
                f"cannot open the lexical index {path} ({exc}); delete it (it is rebuilt from "
                "the store) or point ASSISTANT_HOME elsewhere."
            ) from exc
        self._lock = threading.RLock()
        self._sentence_count: int | None = None

    def close(self) -> None:
        """Release the database file."""
        self._db.close()

    # --- keeping in step with the store ---------------------------------------------------------

    def follow(self, identity: str) -> None:
        """Mirror the store with this identity; a mirror of another store (or schema) is cleared."""
        if self._meta("identity") == identity and self._meta("schema") == _SCHEMA:
            return
        with self._transaction():
            if self._meta("schema") != _SCHEMA:  # an older layout: made anew, then re-synced
                for table in ("term_counts", "sentence_terms", "sentences", "documents"):
                    self._db.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _TABLES.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
            for table in ("documents", "sentences", "sentence_terms", "meta"):
                self._db.execute(f"DELETE FROM {table}")
            self._set_meta("identity", identity)
            self._set_meta("schema", _SCHEMA)
            self._set_meta("seq", "0")

    @property
    def seq(self) -> int:
        """The newest manifest change applied, with every older one (microseconds)."""
        return int(self._meta("seq") or 0)

    def advance(self, seq: int) -> None:
        """Record that every manifest change up to `seq` is applied."""
        if seq > self.seq:
            with self._transaction():
                self._set_meta("seq", str(seq))

    def version(self, document: str) -> str | None:
        """The live version (`id@digest`) of an article, or None."""
        row = self._db.execute("SELECT version FROM documents WHERE id = ?", (document,)).fetchone()
        return str(row[0]) if row else None

    def replace(self, document: str) -> DocumentWriter:
        """Start replacing an article's sentences: `put` batches, then `commit` (or `abort`).

        Holds the database's write lock until then; readers in other processes see the old
        sentences until the commit.
        """
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._delete(document)
        except BaseException:
            self._release(commit=False)
            raise
        return DocumentWriter(self, document)

    def _release(self, *, commit: bool) -> None:
        try:
            self._db.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            self._sentence_count = None
            self._lock.release()

    def remove(self, document: str) -> None:
        """Drop an article and its sentences."""
        with self._transaction():
            self._delete(document)

    # --- reading ------------------------------------------------------------------------------

    def titles(self, documents: Iterable[str] | None = None) -> dict[str, str]:
        """The title of each live article (of these ones, if given), by id."""
        if documents is None:
            return dict(self._db.execute("SELECT id, title FROM documents ORDER BY id").fetchall())
        ids = list(dict.fromkeys(documents))
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT id, title FROM documents WHERE id IN ({marks})",
            ids,
        )
        return dict(rows.fetchall())

    def pages(self, documents: Iterable[str]) -> dict[str, tuple[int, ...]]:
        """Where each page starts, for those of these articles that have pages (PDFs)."""
        ids = list(dict.fromkeys(documents))
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT id, pages FROM documents WHERE pages != '' AND id IN ({marks})", ids
        ).fetchall()
        return {doc: tuple(int(n) for n in pages.split(",")) for doc, pages in rows}

    def versions(self, documents: Iterable[str]) -> dict[str, str]:
        """The live version of each of these articles that is indexed."""
        ids = list(dict.fromkeys(documents))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT id, version FROM documents WHERE id IN ({marks})",
            ids,
        )
        return dict(rows.fetchall())

    def sentences(self, keys: Sequence[tuple[str, int]] | None = None) -> list[StoredSentence]:
        """The live sentences with these keys (all of them when None), by document and number."""
        columns = 'document, number, paragraph, start, "end", text'
        if keys is None:
            rows = self._db.execute(
                f"SELECT {columns} FROM sentences ORDER BY document, number"
            ).fetchall()
        else:
            rows = []
            for chunk in _chunks(list(dict.fromkeys(keys)), 400):
                marks = ",".join("(?, ?)" for _ in chunk)
                rows += self._db.execute(
                    f"SELECT {columns} FROM sentences WHERE (document, number) IN (VALUES {marks})",
                    [value for key in chunk for value in key],
                ).fetchall()
            rows.sort(key=lambda row: (row[0], row[1]))
        return [StoredSentence(*row) for row in rows]

    def search(
        self, query_terms: Sequence[str], k: int, documents: Sequence[str] | None = None
    ) -> list[tuple[StoredSentence, float]]:
        """The `k` sentences with the best BM25 score for these terms (in these articles, if
        given), best first."""
        match = _match(query_terms)
        if not match or k <= 0:
            return []
        only = ""
        if documents is not None:
            only = f"AND s.document IN ({','.join('?' * len(documents))}) "
        rows = self._db.execute(
            'SELECT s.document, s.number, s.paragraph, s.start, s."end", s.text, '
            "-bm25(sentence_terms) FROM sentence_terms JOIN sentences s "
            f"ON s.id = sentence_terms.rowid WHERE sentence_terms MATCH ? {only}"
            "ORDER BY bm25(sentence_terms) LIMIT ?",
            (match, *(documents or ()), k),
        ).fetchall()
        return [(StoredSentence(*row[:6]), float(row[6])) for row in rows]

    def scores(
        self, query_terms: Sequence[str], keys: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], float]:
        """BM25 of these sentences for the terms; sentences sharing no term are left out."""
        match = _match(query_terms)
        if not match or not keys:
            return {}
        found: dict[tuple[str, int], float] = {}
        for chunk in _chunks(list(dict.fromkeys(keys)), 400):
            marks = ",".join("(?, ?)" for _ in chunk)
            rows = self._db.execute(
                "SELECT s.document, s.number, -bm25(sentence_terms) FROM sentence_terms "
                "JOIN sentences s ON s.id = sentence_terms.rowid WHERE sentence_terms MATCH ? "
                f"AND (s.document, s.number) IN (VALUES {marks})",
                [match, *(value for key in chunk for value in key)],
            ).fetchall()
            found.update({(str(d), int(n)): float(score) for d, n, score in rows})
        return found

    def mentions(self, term: str) -> bool:
        """Whether any live sentence has the stemmed term."""
        return self._frequency(term) > 0

    def document_mentions(self, document: str, term: str) -> bool:
        """Whether the article has the stemmed term in any of its sentences."""
        row = self._db.execute(
            "SELECT 1 FROM sentence_terms JOIN sentences s ON s.id = sentence_terms.rowid "
            "WHERE sentence_terms MATCH ? AND s.document = ? LIMIT 1",
            (_match([term]), document),
        ).fetchone()
        return row is not None

    def idf(self, term: str) -> float:
        """Inverse sentence frequency of a stemmed term; unseen terms weigh the most."""
        import math

        n = self.sentence_count() or 1
        return math.log(1 + n / (1 + self._frequency(term)))

    def is_empty(self) -> bool:
        """Whether no article is indexed."""
        return self._db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def sentence_count(self) -> int:
        """How many live sentences there are."""
        if self._sentence_count is None:
            row = self._db.execute("SELECT COALESCE(SUM(sentences), 0) FROM documents").fetchone()
            self._sentence_count = int(row[0])
        return self._sentence_count

    # --- helpers ------------------------------------------------------------------------------

    def _frequency(self, term: str) -> int:
        row = self._db.execute("SELECT doc FROM term_counts WHERE term = ?", (term,)).fetchone()
        return int(row[0]) if row else 0

    def _delete(self, document: str) -> None:
        self._db.execute(
            "DELETE FROM sentence_terms WHERE rowid IN "
            "(SELECT id FROM sentences WHERE document = ?)",
            (document,),
        )
        self._db.execute("DELETE FROM sentences WHERE document = ?", (document,))
        self._db.execute("DELETE FROM documents WHERE id = ?", (document,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._sentence_count = None

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


class DocumentWriter:
    """Replaces one article's sentences, from `LexicalIndex.replace` to `commit` or `abort`."""

    def __init__(self, index: LexicalIndex, document: str) -> None:
        self._index = index
        self._db = index._db
        self._document = document
        self.count = 0
        self._open = True

    def put(self, sentences: Sequence[Sentence]) -> None:
        """Add a batch of the article's sentences."""
        for s in sentences:
            cursor = self._db.execute(
                'INSERT INTO sentences (document, number, paragraph, start, "end", text) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                (self._document, s.number, s.paragraph, s.start, s.end, s.text),
            )
            self._db.execute(
                "INSERT INTO sentence_terms (rowid, terms) VALUES (?, ?)",
                (cursor.lastrowid, " ".join(terms(s.text))),
            )
        self.count += len(sentences)

    def commit(self, version: str, title: str, pages: Sequence[int] = ()) -> None:
        """Make the sentences put so far the article's live ones."""
        self._db.execute(
            "INSERT INTO documents (id, version, title, sentences, pages) VALUES (?, ?, ?, ?, ?)",
            (self._document, version, title, self.count, ",".join(map(str, pages))),
        )
        self._open = False
        self._index._release(commit=True)

    def abort(self) -> None:
        """Keep the article as it was (nothing, once committed or aborted)."""
        if self._open:
            self._open = False
            self._index._release(commit=False)


def _match(query_terms: Sequence[str]) -> str:
    """An FTS5 query matching any of the terms, each quoted so no term reads as syntax."""
    unique = dict.fromkeys(t for t in query_terms if t)
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in unique)


def _chunks(items: list[tuple[str, int]], size: int) -> Iterator[list[tuple[str, int]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
