"""Index articles: split into sentences, embed, store. The bundled article lives here too."""

from __future__ import annotations

from importlib import resources

from index.embedders import Embedder
from index.loaders import Article, article_from_text
from index.sentences import split_sentences
from index.store import SentenceStore

__all__ = ["BUNDLED_ID", "bundled_article", "ingest"]

BUNDLED_ID = "deepseek"
_BUNDLED_TITLE = "DeepSeek's R1 shakes up the AI industry"


def bundled_article() -> Article:
    """The article shipped with the package."""
    text = resources.files("index").joinpath("data", "deepseek.txt").read_text(encoding="utf-8")
    return article_from_text(
        text, doc_id=BUNDLED_ID, title=_BUNDLED_TITLE, source="bundled:deepseek.txt"
    )


def ingest(article: Article, *, store: SentenceStore, embedder: Embedder) -> bool:
    """Index `article` unless this exact text is already indexed; True if it was (re)indexed."""
    if store.contains(article):
        return False
    sentences = split_sentences(article.text)
    store.add(article, sentences, embedder.embed([s.text for s in sentences]))
    return True
