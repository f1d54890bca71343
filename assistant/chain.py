"""The retrieval chain that answers one question, built from langchain-core runnables.

{"question", "query", "documents"} → the hybrid retriever on the query (limited to `documents`
when given) → the answerer on its hits → Answer. Callbacks and tracing pass through both steps,
so a LangChain app can watch or wrap it like any other chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.answer import Answer

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from assistant.answerers import Answerer
    from assistant.retrieval import HybridRetriever

__all__ = ["answer_chain"]


def answer_chain(
    retriever: HybridRetriever, answerer: Answerer
) -> Runnable[dict[str, Any], Answer]:
    """Retrieve on the query, then answer from the hits: a langchain-core runnable."""
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
