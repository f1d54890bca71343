"""The hybrid retriever: LangChain's standard retriever suite, and what fusion adds."""

from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant import Assistant
from assistant.retrieval import HybridRetriever, hits_from_documents
from assistant.sentence_index import SentenceIndex


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    """langchain-tests' own suite, against the real model and a real Chroma index."""

    _index: SentenceIndex

    @pytest.fixture(autouse=True)
    def _real_index(self, assistant: Assistant) -> None:
        type(self)._index = assistant.index

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"index": self._index, "k": 4}

    @property
    def retriever_query_example(self) -> str:
        return "How much did it cost to train the model?"


@pytest.fixture
def retriever(assistant: Assistant) -> HybridRetriever:
    return HybridRetriever(index=assistant.index, k=3)


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("Elon Musk", 9),
        ("16,000", 5),
        ("Sam Altman", 11),
        ("Liang Wenfeng", 8),
        ("DeepSeek-V3", 4),
        ("$600 billion", 3),
        ("2023", 8),
    ],
)
def test_names_and_numbers_rank_first(
    retriever: HybridRetriever, query: str, sentence: int
) -> None:
    assert retriever.search(query)[0].sentence.number == sentence


def test_hits_carry_neighbours_and_survive_documents(retriever: HybridRetriever) -> None:
    hits = retriever.search("Who founded DeepSeek?")
    top = hits[0]
    assert top.sentence.number == 8
    assert top.before.startswith("In response to the development")  # sentence 7
    assert top.after.startswith("Despite DeepSeek")  # sentence 9
    documents = retriever.invoke("Who founded DeepSeek?")
    assert hits_from_documents(documents) == hits


def test_empty_query_terms_still_retrieve(retriever: HybridRetriever) -> None:
    assert len(retriever.search("???")) == 3  # dense search alone


def test_a_question_looks_for_changes_to_the_index_once(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = assistant.index.corpus.store
    looked: list[int] = []
    original = store.changes_since

    def counted(seq: int) -> Any:
        looked.append(seq)
        return original(seq)

    monkeypatch.setattr(store, "changes_since", counted)
    answer = assistant.ask("Who founded DeepSeek?")
    assert answer.answered
    assert len(looked) == 1
    # The retriever on its own still looks for itself.
    assistant.retriever.search("Who founded DeepSeek?")
    assert len(looked) == 2
