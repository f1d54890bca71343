"""Chat models from an `ASSISTANT_LLM` string: any LangChain `init_chat_model` provider, or
`llamacpp:PATH.gguf` for a local GGUF model run in-process by llama-cpp-python.

Provider packages are optional extras; a missing one is an AssistantError naming the extra.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.errors import AssistantError

__all__ = ["LlamaCppChat", "chat_model", "supports_structured_output"]

# Provider → the extra that installs its LangChain integration.
EXTRAS = {
    "openai": "openai",
    "azure_openai": "openai",
    "anthropic": "anthropic",
    "ollama": "ollama",
    "llamacpp": "llamacpp",
}
TIMEOUT_SECONDS = 60.0


def supports_structured_output(spec: str) -> bool:
    """Whether the provider fills a JSON schema by tool calling (else the [n] text format)."""
    return spec.partition(":")[0] in ("openai", "azure_openai", "anthropic", "ollama")


def chat_model(spec: str, *, timeout: float = TIMEOUT_SECONDS) -> BaseChatModel:
    """The chat model an `ASSISTANT_LLM` string names; `timeout` bounds each HTTP request."""
    provider, _, model = spec.partition(":")
    if not model:
        raise AssistantError(
            f"ASSISTANT_LLM={spec} is not PROVIDER:MODEL; "
            "use e.g. openai:gpt-4o-mini or llamacpp:/path/model.gguf."
        )
    if provider == "llamacpp":
        return LlamaCppChat(model_path=model)
    from langchain.chat_models import init_chat_model

    options: dict[str, Any] = {"temperature": 0}
    if provider in ("openai", "azure_openai"):
        options.update(timeout=timeout, max_retries=1)
    try:
        return init_chat_model(model, model_provider=provider, **options)
    except ImportError as exc:
        extra = EXTRAS.get(provider)
        fix = (
            f"pip install 'article-assistant[{extra}]'"
            if extra
            else f"install the LangChain package for {provider}"
        )
        raise AssistantError(
            f"ASSISTANT_LLM={spec} needs a package that is missing; run: {fix}"
        ) from exc
    except ValueError as exc:
        raise AssistantError(f"ASSISTANT_LLM={spec}: {exc}".splitlines()[0]) from exc


class LlamaCppChat(BaseChatModel):
    """A local GGUF model through llama-cpp-python, as a LangChain chat model (with streaming)."""

    model_path: str
    n_ctx: int = 2048
    max_tokens: int = 256
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with _lock_for(self.model_path):
            result = self._llama().create_chat_completion(
                messages=_openai_messages(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
            )
        text = result["choices"][0]["message"]["content"] or ""  # type: ignore[index]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with _lock_for(self.model_path):
            parts = self._llama().create_chat_completion(
                messages=_openai_messages(messages),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                stop=stop,
                stream=True,
            )
            for part in parts:
                delta = part["choices"][0]["delta"].get("content") or ""  # type: ignore[index,union-attr]
                if delta:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk

    def _llama(self) -> Any:
        return _load_llama(self.model_path, self.n_ctx)


_models: dict[tuple[str, int], Any] = {}
_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def _lock_for(path: str) -> threading.Lock:
    # llama.cpp contexts are not thread-safe: one generation at a time per model.
    with _registry_lock:
        return _locks.setdefault(path, threading.Lock())


def _load_llama(path: str, n_ctx: int) -> Any:
    with _registry_lock:
        key = (path, n_ctx)
        if key not in _models:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise AssistantError(
                    "llamacpp models need llama-cpp-python; run: "
                    "pip install 'article-assistant[llamacpp]'"
                ) from exc
            if not Path(path).is_file():
                raise AssistantError(f"no GGUF model at {path}; give the path of a .gguf file.")
            _models[key] = Llama(model_path=path, n_ctx=n_ctx, verbose=False, seed=0)
        return _models[key]


def _openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    return [{"role": roles.get(m.type, "user"), "content": str(m.content)} for m in messages]
