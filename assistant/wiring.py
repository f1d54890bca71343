"""Building the parts from Settings: the one place that knows which concrete class plays each role.

`parts` gives the Assistant its index, and a way to build its retriever, answerer and rewriter
when it first answers: adding or removing articles never imports LangChain. `encoder` and
`open_corpus` are shared with `rebuild_index`, so the store and the embedder are made one way.
Nothing heavy is loaded here unless `preload` asks for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer import Turn
from assistant.config import Settings
from assistant.questions import Question

if TYPE_CHECKING:
    from assistant.answerers import Answerer
    from assistant.reranker import Reranker
    from assistant.retrieval import HybridRetriever
    from assistant.sentence_index import SentenceIndex
    from index.corpus import Corpus
    from index.embedders import OnnxEmbedder

__all__ = ["Answering", "Parts", "Rewrite", "encoder", "open_corpus", "parts"]

# (question, earlier turns) → the question as it stands alone
Rewrite = Callable[[str, Sequence[Turn]], Question]


@dataclass(frozen=True)
class Answering:
    """What answers questions over the index."""

    retriever: HybridRetriever
    answerer: Answerer
    rewrite: Rewrite


@dataclass(frozen=True)
class Parts:
    """What an Assistant is made of: its index, and how to build what answers."""

    index: SentenceIndex
    answering: Callable[[], Answering]


def parts(settings: Settings, *, notify: Callable[[str], None], preload: bool) -> Parts:
    """The parts for these settings; with `preload`, the models start loading on a thread now."""
    from assistant.reranker import Reranker
    from assistant.sentence_index import SentenceIndex

    query_encoder = encoder(settings, notify)
    reranker = Reranker()
    if preload:
        # onnxruntime builds its sessions in C++ while this thread imports Chroma and
        # LangChain, which takes as long. subtle: both sides import numpy, and a module imported
        # from two threads at once can be seen half-initialised: it is imported here first.
        import numpy  # noqa: F401

        threading.Thread(target=_warm_models, args=(query_encoder, reranker), daemon=True).start()

    corpus = open_corpus(settings)
    _record_encoder(corpus, query_encoder.path)
    index = SentenceIndex(corpus, query_encoder)
    return Parts(index, lambda: _answering(settings, index, reranker))


def _answering(settings: Settings, index: SentenceIndex, reranker: Reranker) -> Answering:
    from assistant.answerers.extractive import ExtractiveAnswerer
    from assistant.followups import standalone_question
    from assistant.retrieval import HybridRetriever

    extractive = ExtractiveAnswerer(embed=index.embed, vocabulary=index)
    retriever = HybridRetriever(index=index, k=6, reranker=reranker)
    if not settings.llm:
        return Answering(retriever, extractive, standalone_question)
    from assistant.answerers.llm import LLMAnswerer
    from assistant.llm import chat_model, supports_structured_output

    writer = LLMAnswerer(
        model=chat_model(settings.llm, timeout=settings.llm_timeout),
        name=settings.llm,
        structured=supports_structured_output(settings.llm),
        fallback=extractive,
    )
    return Answering(retriever, writer, writer.standalone)


def encoder(settings: Settings, notify: Callable[[str], None]) -> OnnxEmbedder:
    """The sentence encoder on onnxruntime, exported first if it is not there yet."""
    from index.embedders import OnnxEmbedder
    from index.encoder import model_files

    path = settings.encoder
    if not all(part.exists() for part in model_files(path)):
        from index.export import export_encoder

        notify(f"Exporting the sentence encoder to {path} (first run only)...")
        export_encoder(path)
        clear_superseded_encoder(path)
    return OnnxEmbedder(path)


def clear_superseded_encoder(path: Path) -> None:
    """Delete the export of the format before beside `path`, its word table inside the graph:
    90 MB nothing reads."""
    from index.encoder import model_files

    superseded = path.with_name("all-MiniLM-L6-v2.onnx")
    for part in [*model_files(superseded), superseded.with_name(superseded.name + ".sha256")]:
        part.unlink(missing_ok=True)


def open_corpus(settings: Settings) -> Corpus:
    """The index these settings name: embedded under ASSISTANT_HOME, or on the Chroma server."""
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
