"""The retrieval chain that answers one question, built from langchain-core runnables.

{"question" (as typed), "asked" (a Question, parsed once), "documents"} → embed the query and
the texts the answerer will need, in one call → the hybrid retriever on the query's vector
(limited to `documents` when given) → the answerer on the same Question, the hits and those
vectors. The caller brings the index up to date first, as `Assistant.stream` does when it checks
that there are articles. Streamed, the last step yields the answer's text as a model writes it
and then the Answer; an answerer that does not stream yields the Answer alone.
Callbacks and tracing pass through every step, so a LangChain app can watch or wrap it like any
other chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant.answer import Answer
from assistant.answerers import StreamingAnswerer
from assistant.questions import Question

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from assistant.answerers import Answerer
    from assistant.retrieval import HybridRetriever

__all__ = ["answer_chain"]


def answer_chain(
    retriever: HybridRetriever, answerer: Answerer
) -> Runnable[dict[str, Any], str | Answer]:
    """Retrieve on the query, then answer from the hits: a langchain-core runnable to stream."""
    from langchain_core.runnables import RunnableConfig, RunnableGenerator, RunnableLambda

    from assistant.retrieval import hits_from_documents

    def embed(inputs: dict[str, Any]) -> dict[str, Any]:
        asked: Question = inputs["asked"]
        texts = answerer.texts_to_embed(asked)
        rows = retriever.index.embed([asked.query, *texts])
        return {**inputs, "vector": rows[0], "vectors": dict(zip(texts, rows[1:]))}

    # subtle: RunnablePassthrough.assign would run the retriever on a thread pool; calling it in
    # sequence with the same config keeps callbacks and tracing and saves ~5 ms an answer.
    def retrieve(inputs: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        found = retriever.invoke(
            inputs["asked"].query,
            config,
            vector=inputs["vector"],
            documents=inputs.get("documents"),
            refresh=False,
        )
        return {**inputs, "hits": found}

    def answer(chunks: Iterator[dict[str, Any]]) -> Iterator[str | Answer]:
        for inputs in chunks:  # the one dict the retrieval step made
            hits = hits_from_documents(inputs["hits"])
            question, asked = inputs["question"], inputs["asked"]
            if isinstance(answerer, StreamingAnswerer):
                yield from answerer.stream(question, hits, query=asked)
            else:
                yield answerer.answer(question, hits, query=asked, vectors=inputs["vectors"])

    return RunnableLambda(embed) | RunnableLambda(retrieve) | RunnableGenerator(answer)
