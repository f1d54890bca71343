"""The retrieval chain that answers one question, built from langchain-core runnables.

{"question", "query", "documents"} → embed the query and the texts the answerer will need, in
one call → the hybrid retriever on the query's vector (limited to `documents` when given) → the
answerer on its hits and those vectors → Answer. Callbacks and tracing pass through every step,
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

    def embed(inputs: dict[str, Any]) -> dict[str, Any]:
        texts = answerer.texts_to_embed(inputs["query"])
        rows = retriever.index.embed([inputs["query"], *texts])
        return {**inputs, "vector": rows[0], "vectors": dict(zip(texts, rows[1:]))}

    # subtle: RunnablePassthrough.assign would run the retriever on a thread pool; calling it in
    # sequence with the same config keeps callbacks and tracing and saves ~5 ms an answer.
    def retrieve(inputs: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        found = retriever.invoke(
            inputs["query"], config, vector=inputs["vector"], documents=inputs.get("documents")
        )
        return {**inputs, "hits": found}

    def answer(inputs: dict[str, Any]) -> Answer:
        hits = hits_from_documents(inputs["hits"])
        return answerer.answer(
            inputs["question"], hits, query=inputs["query"], vectors=inputs["vectors"]
        )

    return RunnableLambda(embed) | RunnableLambda(retrieve) | RunnableLambda(answer)
