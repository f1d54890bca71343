"""Fluent answers from a chat model, kept only where the article supports them.

The model sees the retrieved sentences numbered and returns sentences that cite them (`[n]`).
Every claim is then checked in code (assistant.citations): unknown numbers are dropped, and a claim
whose numbers, names or content words are not in its cited sentences is removed. When nothing
supported is left, or the model fails, the extractive answer is returned with a notice. The quoted
text shown is always the stored sentence, never the model's.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.answer import Answer, Hit, Turn
from assistant.answerers import Answerer
from assistant.citations import Claim, Verdict, parse_claims, renumber, verify
from assistant.followups import standalone_question
from assistant.questions import Question
from index.text import terms
from prompts import load

__all__ = ["LLMAnswerer"]

log = logging.getLogger(__name__)

NOT_IN_ARTICLE = "NOT IN ARTICLE"
MAX_SOURCES = 4  # small models wander when shown more
# What a model that supports structured output (tool calling) fills in.
ANSWER_SCHEMA: dict[str, Any] = {
    "title": "cited_answer",
    "description": "The answer, as sentences that each cite the numbered article sentences "
    "supporting them.",
    "type": "object",
    "properties": {
        "in_article": {
            "type": "boolean",
            "description": "false when the numbered sentences do not answer the question",
        },
        "sentences": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "citations": {"type": "array", "items": {"type": "integer"}},
                },
                "required": ["text", "citations"],
            },
        },
    },
    "required": ["in_article", "sentences"],
}
_UNVERIFIED = "The model's answer could not be checked against the article; showing its sentences."


class LLMAnswerer:
    """Answers with a chat model; every sentence it keeps is verified against its citations."""

    def __init__(
        self, *, model: BaseChatModel, name: str, fallback: Answerer, structured: bool = False
    ) -> None:
        self.name = name
        self.structured = structured  # ask for ANSWER_SCHEMA by tool calling, else [n] text
        self._model = model
        self._fallback = fallback

    def texts_to_embed(self, query: str | Question) -> list[str]:
        """Nothing: the model reads text."""
        return []

    def answer(
        self,
        question: str,
        hits: Sequence[Hit],
        *,
        query: str | Question = "",
        vectors: Mapping[str, Any] | None = None,
    ) -> Answer:
        """The verified answer (the last item of `stream`). `vectors` go unused: the model reads
        text, and the rare fallback embeds what it needs itself."""
        final = None
        for item in self.stream(question, hits, query=query):
            final = item
        assert isinstance(final, Answer)
        return final

    def stream(
        self, question: str, hits: Sequence[Hit], *, query: str | Question = ""
    ) -> Iterator[str | Answer]:
        """The model's text as it is generated, then the verified Answer."""
        query = Question.of(query or question).query
        sources = {i + 1: hit for i, hit in enumerate(hits[:MAX_SOURCES])}
        numbered = "\n".join(f"[{n}] {hit.sentence.text}" for n, hit in sources.items())
        messages = [
            SystemMessage(load("answer_system")),
            HumanMessage(load("answer_user").format(sentences=numbered, question=query)),
        ]
        try:
            claims = yield from self._generate(messages)
        except Exception as exc:  # timeouts, refused connections, rate limits, bad replies
            log.warning("language model failed: %r", exc)
            notice = f"The model failed ({type(exc).__name__}); answering from the article."
            yield self._fall_back(question, hits, query, notice, ())
            return
        yield self._verified(question, query, claims, sources, hits)

    def _generate(self, messages: list[BaseMessage]) -> Generator[str, None, list[Claim] | None]:
        """Stream the model's answer as text; return its claims (None: not in the article)."""
        if self.structured:
            try:
                return (yield from self._stream_structured(messages))
            except Exception as exc:
                if getattr(exc, "status_code", None) not in (400, 404, 422):
                    raise
                # subtle: an endpoint without tool calling says so with a 4xx; ask again in text.
                log.info("structured output refused (%r); asking for [n] text", exc)
        return (yield from self._stream_text(messages))

    def _stream_text(self, messages: list[BaseMessage]) -> Generator[str, None, list[Claim] | None]:
        parts: list[str] = []
        for chunk in self._model.stream(messages):
            text = chunk.content if isinstance(chunk.content, str) else ""
            if text:
                parts.append(text)
                yield text
        text = "".join(parts)
        return None if NOT_IN_ARTICLE in text.upper() else parse_claims(text)

    def _stream_structured(
        self, messages: list[BaseMessage]
    ) -> Generator[str, None, list[Claim] | None]:
        runnable = self._model.with_structured_output(ANSWER_SCHEMA, method="function_calling")
        shown, latest = "", dict[str, Any]()
        for partial in runnable.stream(messages):
            latest = partial if isinstance(partial, dict) else latest
            rendered = _rendered(latest.get("sentences") or [])
            if rendered.startswith(shown) and len(rendered) > len(shown):
                yield rendered[len(shown) :]
                shown = rendered
        if not latest:
            # subtle: some servers (llama.cpp's among them) fill tool calls but do not stream
            # them; ask once more without streaming.
            answered = runnable.invoke(messages)
            latest = answered if isinstance(answered, dict) else {}
            if _rendered(latest.get("sentences") or []):
                yield _rendered(latest.get("sentences") or [])
        if latest.get("in_article") is False:
            return None
        return [
            Claim(str(s["text"]).strip(), _numbers(s.get("citations")))
            for s in latest.get("sentences") or []
            if isinstance(s, dict) and str(s.get("text", "")).strip()
        ]

    def standalone(self, question: str, history: Sequence[Turn]) -> Question:
        """The follow-up rewritten by the model; the rule-based rewrite if the model fails."""
        if not history:
            return Question(question)
        conversation = "\n".join(f"Q: {t.question}\nA: {t.answer.answer}" for t in history[-3:])
        prompt = load("standalone").format(conversation=conversation, question=question)
        try:
            reply = self._model.invoke([HumanMessage(prompt)]).content
        except Exception as exc:
            log.warning("language model failed to rewrite the question: %r", exc)
            reply = ""
        lines = [line.strip().strip('"“”') for line in str(reply).splitlines() if line.strip()]
        rewritten = lines[0] if lines else ""
        if not rewritten or len(rewritten) > 3 * len(question) + 100:
            return standalone_question(question, history)
        return Question(rewritten)

    def _verified(
        self,
        question: str,
        query: str,
        claims: list[Claim] | None,
        sources: dict[int, Hit],
        hits: Sequence[Hit],
    ) -> Answer:
        if claims is None:  # the model says the article does not answer it
            return self._fall_back(question, hits, query, "", ())
        texts = {n: hit.sentence.text for n, hit in sources.items()}
        asked = set(terms(query))
        verdicts = [_on_topic(verify(claim, texts), asked) for claim in claims]
        kept = [v.claim for v in verdicts if v.supported]
        dropped = tuple(v.claim.text for v in verdicts if not v.supported)
        for verdict in verdicts:
            if not verdict.supported:
                log.info("dropped %r: %s", verdict.claim.text, verdict.reason)
        if not kept:
            return self._fall_back(question, hits, query, _UNVERIFIED, dropped)
        answer_text, order = renumber(kept, texts)
        citations = tuple(sources[n].cite(i + 1) for i, n in enumerate(order))
        return Answer(
            question=question,
            answer=answer_text,
            answered=True,
            citations=citations,
            answerer=self.name,
            query=query,
            unsupported=dropped,
        )

    def _fall_back(
        self, question: str, hits: Sequence[Hit], query: str, notice: str, dropped: tuple[str, ...]
    ) -> Answer:
        answer = self._fallback.answer(question, hits, query=query)
        notices = (*answer.notices, notice) if notice else answer.notices
        return replace(answer, notices=notices, unsupported=dropped)


def _on_topic(verdict: Verdict, asked: set[str]) -> Verdict:
    """A supported claim must also speak to the question: share one of its terms.

    subtle: this is what keeps instructions planted in an article out of answers. A planted
    sentence supports a claim that repeats it, but that claim is not about the question.
    """
    if verdict.supported and asked and not asked & set(terms(verdict.claim.text)):
        return replace(verdict, supported=False, reason="does not address the question")
    return verdict


def _rendered(sentences: list[Any]) -> str:
    """Structured sentences as the [n] text a reader sees while they stream in."""
    parts = []
    for s in sentences:
        if isinstance(s, dict) and s.get("text"):
            marks = "".join(f"[{n}]" for n in _numbers(s.get("citations")))
            parts.append(f"{s['text']} {marks}".rstrip())
    return " ".join(parts)


def _numbers(values: Any) -> tuple[int, ...]:
    return tuple(v for v in values or () if isinstance(v, int))
