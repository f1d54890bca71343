"""The Assistant: the composition root, and the retrieval chain that answers one question.

`Assistant.open()` builds the concrete parts from Settings (store, embedder, retriever,
answerer); nothing is loaded until the first question. The chain is made of langchain-core
runnables: standalone question → hybrid retriever → answerer → Answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import smalltalk
from assistant.answer import Answer, Turn
from assistant.answerers import StreamingAnswerer
from assistant.config import Settings
from assistant.followups import standalone_question
from assistant.questions import Intent, check_question, intent
from assistant.smalltalk import EXAMPLE

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from assistant.answer import Hit
    from assistant.answerers import Answerer
    from assistant.retrieval import HybridRetriever, SentenceIndex
    from index.corpus import Corpus
    from index.ingest import Progress
    from index.library import Outcome
    from index.loaders import Article
    from index.store import DocumentInfo

__all__ = ["Assistant", "Turn", "check_home", "indexed_titles", "library", "rebuild_index"]

Rewrite = Callable[[str, Sequence[Turn]], str]

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
        retriever: HybridRetriever,
        answerer: Answerer,
        rewrite: Rewrite = standalone_question,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.retriever = retriever
        self.answerer = answerer
        self._rewrite = rewrite
        self._notify = notify or log.info
        self._ready = False
        self._ready_lock = threading.Lock()
        self._chain: Runnable[dict[str, Any], Answer] = _chain(retriever, answerer)

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
        from assistant.reranker import Reranker
        from index.embedders import OnnxEmbedder

        settings = Settings.from_env(home, llm)
        encoder = OnnxEmbedder(_exported_encoder(settings, notify or log.info))
        reranker = Reranker()
        if preload:
            # onnxruntime builds its sessions in C++ while this thread imports Chroma and
            # LangChain, which takes as long.
            threading.Thread(target=_warm_models, args=(encoder, reranker), daemon=True).start()

        from assistant.answerers.extractive import ExtractiveAnswerer
        from assistant.retrieval import HybridRetriever, SentenceIndex

        corpus = _open_corpus(settings)
        _record_encoder(corpus, encoder.path)
        index = SentenceIndex(corpus, encoder)
        extractive = ExtractiveAnswerer(embed=index.embed_texts, vocabulary=index)
        retriever = HybridRetriever(
            index=index, k=6, companions=extractive.question_texts, reranker=reranker
        )
        if not settings.llm:
            return cls(
                settings=settings,
                index=index,
                retriever=retriever,
                answerer=extractive,
                notify=notify,
            )
        from assistant.answerers.llm import LLMAnswerer
        from assistant.llm import chat_model, supports_structured_output

        writer = LLMAnswerer(
            model=chat_model(settings.llm, timeout=settings.llm_timeout),
            name=settings.llm,
            structured=supports_structured_output(settings.llm),
            fallback=extractive,
        )
        return cls(
            settings=settings,
            index=index,
            retriever=retriever,
            answerer=writer,
            rewrite=writer.standalone,
            notify=notify,
        )

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
        (ids) limits the answer to those articles."""
        question = check_question(question)
        kind = intent(question)
        if kind is not Intent.QUESTION:
            return self._reply(question, kind)
        if self._no_articles():
            return self._answer_without_search(question, NO_ARTICLES, "no_articles")
        only = self._only(documents)
        query = self._rewrite(question, _turns(history))
        return self._chain.invoke({"question": question, "query": query, "documents": only})

    def stream(
        self,
        question: str,
        history: Sequence[Turn | tuple[str, Answer]] = (),
        documents: Sequence[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Like `ask`, but first yields the answer's text as a model writes it."""
        question = check_question(question)
        kind = intent(question)
        writer = self.answerer
        if (
            kind is not Intent.QUESTION
            or not isinstance(writer, StreamingAnswerer)
            or self._no_articles()
        ):
            yield self.ask(question, history, documents)
            return
        query, hits = self.retrieve(question, history, documents)
        yield from writer.stream(question, hits, query=query)

    def retrieve(
        self,
        question: str,
        history: Sequence[Turn | tuple[str, Answer]] = (),
        documents: Sequence[str] | None = None,
    ) -> tuple[str, list[Hit]]:
        """The standalone query for `question` and the sentences retrieved for it."""
        self.ensure_index()
        only = self._only(documents)
        query = self._rewrite(check_question(question), _turns(history))
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
            text = smalltalk.reply(question)
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
    from index.embedders import OnnxEmbedder

    settings = Settings.from_env(home)
    say = notify or log.info
    embedder = OnnxEmbedder(_exported_encoder(settings, say))
    with _write_lock(settings, say):
        articles = _rebuild(settings, embedder, say)
    _open_corpus(settings).sync()
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
    corpus = _open_corpus(settings)
    if corpus.store.seeded:
        return listing(corpus.documents())
    assistant = Assistant.open(home, notify=notify)  # a new index: the bundled article goes in
    assistant.ensure_index()
    return listing(assistant.documents())


def _open_corpus(settings: Settings) -> Corpus:
    from index.corpus import Corpus
    from index.embedders import DEFAULT_MODEL
    from index.sentences import SPLITTER

    return Corpus.open(
        home=settings.home,
        url=settings.chroma_url,
        embedding_model=DEFAULT_MODEL,
        splitter=SPLITTER,
        timeout=settings.chroma_timeout,
    )


def _record_encoder(corpus: Corpus, path: Path) -> None:
    """Note the encoder's place and hash in the index's metadata."""
    digest_file = path.with_name(path.name + ".sha256")
    digest = digest_file.read_text().strip() if digest_file.exists() else ""
    corpus.store.record_encoder(str(path), digest)


def _warm_models(*models: Any) -> None:
    for model in models:
        model.warm_up()


def _exported_encoder(settings: Settings, notify: Callable[[str], None]) -> Path:
    path = settings.encoder
    if not path.exists() or not path.with_name(path.name + ".data").exists():
        from index.export import export_encoder

        notify(f"Exporting the sentence encoder to {path} (first run only)...")
        export_encoder(path)
    return path


def _chain(retriever: HybridRetriever, answerer: Answerer) -> Runnable[dict[str, Any], Answer]:
    """{"question", "query"} → retrieve on the query → answer: a langchain-core runnable."""
    from langchain_core.runnables import RunnableConfig, RunnableLambda

    from assistant.retrieval import hits_from_documents

    # subtle: RunnablePassthrough.assign would run the retriever on a thread pool; calling it in
    # sequence with the same config keeps callbacks and tracing and saves ~5 ms an answer.
    def retrieve(inputs: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        found = retriever.invoke(inputs["query"], config, documents=inputs.get("documents"))
        return {**inputs, "hits": found}

    def answer(inputs: dict[str, Any]) -> Answer:
        hits = hits_from_documents(inputs["hits"])
        return answerer.answer(inputs["question"], hits, query=inputs["query"])

    return RunnableLambda(retrieve) | RunnableLambda(answer)
