"""Turn a follow-up question into a standalone one, from the conversation so far (rule-based).

"When was his company launched?" after "What did Liang Wenfeng say?" becomes "When was Liang
Wenfeng's company launched?". Pronouns are replaced by the person or thing the previous turn was
about: a person or name it asked about, else the short answer it got. A terse follow-up with no
pronoun ("and the cost?") carries the previous question along instead; a lead-in ("And how much
did American firms spend?") is dropped.

Limits: looks one turn back; resolves he/she/it/they, not "the former" or ellipsis across turns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer import Answer, Turn
from assistant.questions import AnswerType, Question, answer_type, focus_words, proper_names
from assistant.spans import find_spans
from index.text import content_words

__all__ = ["Turn", "standalone_question"]


_PERSON_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(it|its|they|them|their)\b", re.IGNORECASE)
_POSSESSIVES = {"his", "her", "hers", "its", "their"}
_LEAD_IN = re.compile(
    r"^(?:and|but|so|also|then|ok(?:ay)?|what about|how about)\b[\s,]*", re.IGNORECASE
)


def standalone_question(question: str, history: Sequence[Turn]) -> Question:
    """`question` rewritten to stand on its own, given the turns before it."""
    if not history:
        return Question(question)
    last = history[-1]
    previous = last.answer.query or last.question
    person = _first(AnswerType.PERSON, previous, last.answer)
    thing = _first(AnswerType.NAME, previous, last.answer, people=False)
    if answer_type(previous) is AnswerType.NAME and last.answer.short_answer:
        thing = _described(last.answer.short_answer, previous)
    rewritten = question
    if person:
        rewritten = _PERSON_PRONOUN.sub(lambda m: _replace(m, person), rewritten)
    pronoun = _THING_PRONOUN.search(rewritten)
    if thing and pronoun and not _has_name(rewritten[: pronoun.start()]):
        rewritten = _THING_PRONOUN.sub(lambda m: _replace(m, thing), rewritten, count=1)
    if rewritten != question:
        return Question(rewritten)
    stripped = _LEAD_IN.sub("", question)
    body = stripped[:1].upper() + stripped[1:] if stripped else question
    if len(content_words(stripped)) <= 2:  # "and the cost?": carry the last question along
        return Question(body, context=previous)
    return Question(body)


def _first(kind: AnswerType, previous: str, answer: Answer, *, people: bool = True) -> str | None:
    """The first `kind` name in the previous question, else the answer it got."""
    for span in find_spans(kind, previous):
        if people or not find_spans(AnswerType.PERSON, span.text):
            return span.text
    short = answer.short_answer
    if short and find_spans(kind, short):
        if people or not find_spans(AnswerType.PERSON, short):
            return short
    if answer.citations and answer.answered:
        # "Who is Liang Wenfeng?" then "When was it launched?": "it" is the company the answer
        # names beside him.
        spans = find_spans(kind, answer.citations[0].text)
        for span in spans:
            if people or not find_spans(AnswerType.PERSON, span.text):
                return span.text
    return None


def _described(name: str, question: str) -> str:
    """The answer to "Which model made DeepSeek famous?" as "DeepSeek's R1 model"."""
    focus = focus_words(question) or [""]
    owners = [n for n in proper_names(question) if n not in name]
    described = f"{name} {focus[-1]}".strip()
    return f"{owners[0]}'s {described}" if owners else described


def _replace(match: re.Match[str], name: str) -> str:
    return f"{name}'s" if match.group().lower() in _POSSESSIVES else name


def _has_name(text: str) -> bool:
    # A name earlier in the same question is the likelier antecedent ("will the U.S. keep its lead")
    words = text.split()[1:]
    return any(w[:1].isupper() for w in words)
