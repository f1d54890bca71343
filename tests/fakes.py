"""Fakes at the project's own seams: an embedder (index.embedders.Embedder) and chat models
(what `init_chat_model` returns). Tests about storage or about the LLM answerer use them where the
real model would only cost time; tests about answers use the real thing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from pydantic import Field

__all__ = ["FakeEmbedder", "Structured", "replying"]


class FakeEmbedder:
    name = "fake-embedding"

    def __init__(self, fail_on_call: int = 0) -> None:
        self._fake = DeterministicFakeEmbedding(size=16)
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise KeyboardInterrupt  # the user gives up half way
        vectors = np.asarray(self._fake.embed_documents(texts), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def replying(*replies: str) -> GenericFakeChatModel:
    """A chat model that answers each call with the next of `replies`."""
    return GenericFakeChatModel(messages=iter(AIMessage(r) for r in replies))


class Structured(GenericFakeChatModel):
    """A fake model that fills the answer schema, streaming partial objects as tool calling does."""

    partials: list[dict[str, Any]] = Field(default_factory=list)
    refuse_with: int | None = None

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        from langchain_core.runnables import RunnableGenerator

        assert schema["title"] == "cited_answer" and kwargs == {"method": "function_calling"}
        partials, status = self.partials, self.refuse_with

        def fill(_: Iterator[Any]) -> Iterator[dict[str, Any]]:
            if status:
                error = RuntimeError("tools are not supported")
                error.status_code = status  # type: ignore[attr-defined]
                raise error
            yield from partials

        return RunnableGenerator(fill)
