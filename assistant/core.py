"""The Assistant: the facade front ends and library users call.

`Assistant.open()` gets its parts from `assistant.wiring`: nothing is loaded until the first
question, and what answers is built only then. `stream` checks a question once, makes it a
standalone `Question`, and answers it through `assistant.chain` (embed → hybrid retriever →
answerer); `ask` is its last item. It also owns the index's life: the bundled article, adding,
removing, the write lock, and rebuilding.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer import Answer, Turn
from assistant.config import Settings
from assistant.questions import Intent, check_question, intent
from assistant.smalltalk import EXAMPLE, reply
from assistant.wiring import open_corpus

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from assistant.answer import Hit
    from assistant.answerers import Answerer
    from assistant.retrieval import HybridRetriever
    from assistant.sentence_index import SentenceIndex
    from assistant.wiring import Answering
    from index.ingest import Progress
    from index.library import Outcome
    from index.loaders import Article
    from index.store import DocumentInfo

__all__ = ["Assistant", "Turn", "check_home", "indexed_titles", "library", "rebuild_index"]

log = logging.getLogger(__name__)

NO_ARTICLES = "No articles are indexed yet; add one with `assistant add PATH|DIR|URL`."
_REPLIES = {
    Intent.NOT_A_QUESTION: "That doesn't look like a question. Ask me about the article, "
    f"for example: “{EXAMPLE}”",
    Intent.OTHER_LANGUAGE: "I can only answer questions in English. Please ask in English.",
}


class Assistant:
    """Answers questions about the indexed articles with cited sentences."""

    def __init__(
        self,
        *,
        settings: Settings,
        index: SentenceIndex,
        answering: Callable[[], Answering],
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self._notify = notify or log.info
        self._ready = False
        self._ready_lock = threading.Lock()
        self._build_answering = answering
        self._answering: tuple[Answering, Runnable[dict[str, Any], str | Answer]] | None = None
        self._answering_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        home: Path | str | None = None,
        *,
        llm: str | None = None,
        notify: Callable[[str], None] | None = None,
        preload: bool = False,
    ) -> Assistant:
        """An Assistant over the index at `home` (default: ASSISTANT_HOME or the user data dir).

        `llm` (default: ASSISTANT_LLM) names a chat model to write answers; without one the
        offline extractive answerer answers. With `preload`, the models start loading on a
        background thread at once, for a process that is about to answer.
        """
        from assistant.wiring import parts

        settings = Settings.from_env(home, llm)
        built = parts(settings, notify=notify or log.info, preload=preload)
        assistant = cls(
            settings=settings, index=built.index, answering=built.answering, notify=notify
        )
        if preload:
            assistant._answering_parts()  # its imports overlap the models' loading
        return assistant

    @property
    def retriever(self) -> HybridRetriever:
        """Finds the sentences a question is answered from."""
        return self._answering_parts()[0].retriever

    @property
    def answerer(self) -> Answerer:
        """Writes the answer from the retrieved sentences."""
        return self._answering_parts()[0].answerer

    def _answering_parts(self) -> tuple[Answering, Runnable[dict[str, Any], str | Answer]]:
        # Built on first use: a process that only adds or removes articles never imports them.
        with self._answering_lock:
            if self._answering is None:
                from assistant.chain import answer_chain

                built = self._build_answering()
                self._answering = (built, answer_chain(built.retriever, built.answerer))
            return self._answering

    def warm_up(self) -> None:
        """Load the index and the models now, so the first answer is as fast as the rest."""
        self.ensure_index()
        self.index.refresh()
        self.retriever.search("warm up")
        warm = getattr(self.answerer, "warm_up", None)
        if warm is not None:
            warm()

    # --- answering ------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: Sequence[Turn | tuple[str, Answer]] = (),
        documents: Sequence[str] | None = None,
    ) -> Answer:
        """Answer one question; `history` holds the conversation's earlier turns, `documents`
        (ids) limits the answer to those articles. The last item of `stream`."""
        *_, final = self.stream(question, history, documents)
        assert isinstance(final, Answer)
        return final

    def stream(
        self,
        question: str,
        history: Sequence[Turn | tuple[str, Answer]] = (),
        documents: Sequence[str] | None = None,
    ) -> Iterator[str | Answer]:
        """The answer to one question: its text as a model writes it (when one writes it), then
        the Answer. The question is checked once; every answer comes through the chain."""
        question = check_question(question)
        kind = intent(question)
        if kind is not Intent.QUESTION:
            yield self._reply(question, kind)
            return
        if self._no_articles():
            yield self._answer_without_search(question, NO_ARTICLES, "no_articles")
            return
        only = self._only(documents)
        answering, chain = self._answering_parts()
        asked = answering.rewrite(question, _turns(history))
        yield from chain.stream({"question": question, "asked": asked, "documents": only})

    def retrieve(
        self,
        question: str,
        history: Sequence[Turn | tuple[str, Answer]] = (),
        documents: Sequence[str] | None = None,
    ) -> tuple[str, list[Hit]]:
        """The standalone query for `question` and the sentences retrieved for it."""
        self.ensure_index()
        only = self._only(documents)
        rewrite = self._answering_parts()[0].rewrite
        query = rewrite(check_question(question), _turns(history)).query
        return query, self.retriever.search(query, documents=only)

    def _only(self, documents: Sequence[str] | None) -> list[str] | None:
        """The article ids to answer from (None: all), each checked to be indexed."""
        if not documents:
            return None
        from index.errors import UnknownDocument

        self.index.refresh()
        wanted = list(dict.fromkeys(documents))
        known = self.index.corpus.titles(wanted)
        for doc_id in wanted:
            if doc_id not in known:
                raise UnknownDocument(f"no article '{doc_id}' in the index; see `assistant list`.")
        return wanted

    def _no_articles(self) -> bool:
        """Whether the index holds no article (the bundled one was removed, say)."""
        self.ensure_index()
        self.index.refresh()
        return self.index.corpus.lexical.is_empty()

    def _reply(self, question: str, kind: Intent) -> Answer:
        if kind is Intent.SMALL_TALK:
            text = reply(question)
        elif kind is Intent.ABOUT_ASSISTANT:
            text = self._about()
        else:
            text = _REPLIES[kind]
        return self._answer_without_search(question, text, kind.value)

    def _answer_without_search(self, question: str, text: str, kind: str) -> Answer:
        return Answer(
            question=question,
            answer=text,
            answered=False,
            citations=(),
            answerer=self.answerer.name,
            query=question,
            kind=kind,
        )

    def _about(self) -> str:
        self.ensure_index()
        titles = ", ".join(f"“{d.title}”" for d in self.documents()) or "none yet"
        return (
            "I answer questions about the articles in my index and quote the sentences each "
            f"answer rests on; when the articles don't say, I tell you. Articles: {titles}. "
            f"Try: “{EXAMPLE}”"
        )

    # --- the index ------------------------------------------------------------------------------

    def ensure_index(self) -> None:
        """Index the bundled article into a new index (checked once per process)."""
        if self._ready:
            return
        with self._ready_lock:
            store = self.index.store
            if not self._ready and not store.seeded:
                from index.ingest import bundled_article

                with self.writing():
                    if not store.seeded and not store.documents():
                        self._notify(
                            f"Indexing the bundled article into {store.location} "
                            "(first run only)..."
                        )
                        self._ingest([bundled_article()])
                    store.mark_seeded()
            self._ready = True

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock (embedded store: one writing process at a time)."""
        with _write_lock(self.settings, self._notify):
            # subtle: the store may have changed while we waited; writing from a stale copy of
            # its vector index would drop what the last writer added.
            self.index.corpus.store.reload()
            self.index.refresh()
            yield

    def add(
        self, articles: Iterable[Article], progress: Callable[[Progress], None] | None = None
    ) -> list[tuple[Article, bool]]:
        """Index articles; each with True if it was (re)indexed, False if already there."""
        self.ensure_index()
        with self.writing():
            return self._ingest(articles, progress)

    def add_sources(
        self,
        targets: Sequence[str],
        *,
        glob: str | None = None,
        doc_id: str | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> list[Outcome]:
        """Index files, folders and links, one Outcome each: one that fails is skipped.

        Ids are handed out under the write lock, so two processes never pick the same one.
        """
        from dataclasses import replace

        from index.library import IdBook, Source, expand, load_all, settle

        sources = list(expand(targets, glob))
        files = sum(isinstance(s, Source) for s in sources)
        report = None if progress is None else (lambda p: progress(replace(p, files=files)))
        self.ensure_index()
        outcomes: list[Outcome] = []
        with self.writing():
            articles = load_all(sources, IdBook(self.documents()), outcomes, explicit_id=doc_id)
            done = self.add(articles, progress=report)
        return settle(outcomes, done)

    def remove(self, doc_id: str) -> None:
        """Remove an article from the index; the bundled one stays removed."""
        self.ensure_index()
        with self.writing():
            self.index.corpus.remove(doc_id)

    def documents(self) -> list[DocumentInfo]:
        """The indexed articles."""
        return self.index.corpus.documents()

    def _ingest(
        self, articles: Iterable[Article], progress: Callable[[Progress], None] | None = None
    ) -> list[tuple[Article, bool]]:
        from index.ingest import ingest

        corpus = self.index.corpus
        return ingest(
            articles,
            store=corpus.store,
            lexical=corpus.lexical,
            embedder=self.index.embedder,
            progress=progress,
        )


def _turns(history: Sequence[Turn | tuple[str, Answer]]) -> list[Turn]:
    return [turn if isinstance(turn, Turn) else Turn(*turn) for turn in history]


def rebuild_index(
    home: Path | str | None = None, *, notify: Callable[[str], None] | None = None
) -> list[Article]:
    """Re-index every stored article with the current model and splitter."""
    from assistant.wiring import encoder

    settings = Settings.from_env(home)
    say = notify or log.info
    embedder = encoder(settings, say)
    with _write_lock(settings, say):
        articles = _rebuild(settings, embedder, say)
    open_corpus(settings).sync()
    return articles


def _write_lock(settings: Settings, notify: Callable[[str], None]) -> AbstractContextManager[None]:
    """The embedded index's write lock; a Chroma server orders its writers itself."""
    if settings.chroma_url:
        return nullcontext()
    from index.writelock import writing

    return writing(settings.home, notify=notify, timeout=settings.lock_timeout)


def _rebuild(settings: Settings, embedder: Any, say: Callable[[str], None]) -> list[Article]:
    from index.embedders import DEFAULT_MODEL
    from index.ingest import ingest
    from index.sentences import SPLITTER
    from index.store import SentenceStore

    def reindex(store: SentenceStore, articles: list[Article]) -> None:
        say(f"re-indexing {len(articles)} article(s)")
        # The lexical mirror follows the new collections on the next open.
        ingest(articles, store=store, lexical=None, embedder=embedder)

    return SentenceStore.rebuild(
        home=settings.home,
        url=settings.chroma_url,
        embedding_model=DEFAULT_MODEL,
        splitter=SPLITTER,
        reindex=reindex,
        timeout=settings.chroma_timeout,
    )


def check_home(settings: Settings) -> None:
    """Raise the store's one-line error now if ASSISTANT_HOME cannot be used."""
    from index.store import check_home as check

    check(settings.home)


def indexed_titles(settings: Settings, documents: Sequence[str] = ()) -> list[str]:
    """The titles (of these articles, if given) in the local lexical mirror, read without
    opening the store (may be stale)."""
    from index.corpus import mirror_path
    from index.lexical import LexicalIndex

    path = mirror_path(settings.home, settings.chroma_url)
    if not path.exists():
        return []
    mirror = LexicalIndex(path)
    try:
        return list(mirror.titles(documents or None).values())
    finally:
        mirror.close()


def library(
    home: Path | str | None = None, *, notify: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """The indexed articles as `list --json` shows them, read without loading any model."""
    from index.library import listing

    settings = Settings.from_env(home)
    corpus = open_corpus(settings)
    if corpus.store.seeded:
        return listing(corpus.documents())
    assistant = Assistant.open(home, notify=notify)  # a new index: the bundled article goes in
    assistant.ensure_index()
    return listing(assistant.documents())
