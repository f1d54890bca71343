"""Answers as Slack messages: mrkdwn text with `[n]` markers and a "Sources" section of quotes.

Pure: builds the `text` and `blocks` of a chat.postMessage. Respects Slack's limits (3,000
characters a section block, 50 blocks a message); long quotes are shortened, never the answer.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.answer import Answer

__all__ = ["FRIENDLY_ERROR", "RATE_LIMITED", "message", "question_text", "without_documents"]

FRIENDLY_ERROR = "Sorry, something went wrong while I was answering. Please try again in a moment."
RATE_LIMITED = "You're asking faster than I can answer. Please wait a few seconds and ask again."
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_DOCUMENT = re.compile(r"(?<!\S)doc:(\S+)")


def question_text(text: str) -> str:
    """The question in a Slack message: mentions removed, Slack's escapes undone."""
    text = _MENTION.sub(" ", text)
    text = re.sub(r"<(https?://[^|>]+)(?:\|([^>]+))?>", lambda m: m.group(2) or m.group(1), text)
    return " ".join(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split())


def without_documents(question: str) -> tuple[str, list[str]]:
    """The question without its `doc:ID` words, and those ids: answers come from them only."""
    documents = _DOCUMENT.findall(question)
    return " ".join(_DOCUMENT.sub(" ", question).split()), documents


def message(answer: Answer) -> dict[str, Any]:
    """`text` (the notification fallback) and `blocks` for chat.postMessage."""
    blocks: list[dict[str, Any]] = [_section(part) for part in _parts(_escape(answer.answer))]
    if answer.citations:
        heading = "*Sources*" if answer.answered else "*Related sentences* (they do not answer it)"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": heading}]})
    for c in answer.citations[: MAX_BLOCKS - len(blocks) - 1]:
        title = _escape(c.title or c.document)
        quote = _escape(c.text)
        room = SECTION_LIMIT - len(title) - 40
        if len(quote) > room:
            quote = quote[: room - 1].rstrip() + "…"
        blocks.append(_section(f"[{c.n}]\n>{quote}\n_{title}, paragraph {c.paragraph}_"))
    if answer.notices:
        notes = " ".join(_escape(n) for n in answer.notices)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": notes}]})
    return {"text": _escape(answer.answer), "blocks": blocks}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _parts(text: str) -> list[str]:
    """The text in pieces that fit a section block, cut at spaces."""
    parts = []
    while len(text) > SECTION_LIMIT:
        cut = text.rfind(" ", 0, SECTION_LIMIT) if " " in text[:SECTION_LIMIT] else SECTION_LIMIT
        parts.append(text[:cut])
        text = text[cut:].lstrip()
    return [*parts, text]


def _escape(text: str) -> str:
    # The three characters Slack asks apps to escape in message text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
