"""Answers as Slack messages: the answer with `[n]` markers and a "Sources" section of quotes.

Pure: builds the arguments of a chat.postMessage. Respects Slack's limits (3,000 characters a
block, 50 blocks a message); long quotes are shortened at a space, never the answer.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.answer import Answer

__all__ = [
    "FRIENDLY_ERROR",
    "RATE_LIMITED",
    "message",
    "plain_message",
    "question_text",
    "without_documents",
]

FRIENDLY_ERROR = "Sorry, something went wrong while I was answering. Please try again in a moment."
RATE_LIMITED = "You're asking faster than I can answer. Please wait a few seconds and ask again."
SECTION_LIMIT = 3000
QUOTE_LIMIT = 2900
FALLBACK_LIMIT = 3000
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
    """The keyword arguments of chat.postMessage for an answer: `text` and `blocks`.

    Words from an article (the answer quotes them too) go only into rich-text `text` elements
    and plain-text fields, which Slack shows literally: an article's `*`, `_`, backticks, URLs,
    `<@U…>` or line breaks cannot format, link, mention, or leave the quote. The `text` fallback
    for notifications is sent with markup off.
    """
    blocks = [
        _rich({"type": "rich_text_section", "elements": [_text(part)]})
        for part in _parts(answer.answer)
    ]
    if answer.citations:
        heading = "*Sources*" if answer.answered else "*Related sentences* (they do not answer it)"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": heading}]})
    room = (MAX_BLOCKS - len(blocks) - 1) // 2
    for c in answer.citations[:room]:
        number = {"type": "text", "text": f"[{c.n}]", "style": {"bold": True}}
        quote = {"type": "rich_text_quote", "elements": [_text(_shortened(c.text, QUOTE_LIMIT))]}
        blocks.append(_rich({"type": "rich_text_section", "elements": [number]}, quote))
        page = f"page {c.page}, " if c.page else ""
        place = f"{c.title or c.document}, {page}paragraph {c.paragraph}"
        blocks.append({"type": "context", "elements": [_plain(_shortened(place, 300))]})
    if answer.notices:
        notes = " ".join(answer.notices)
        blocks.append({"type": "context", "elements": [_plain(_shortened(notes, SECTION_LIMIT))]})
    return {
        "text": _escape(_shortened(answer.answer, FALLBACK_LIMIT)),
        "blocks": blocks,
        "mrkdwn": False,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def plain_message(text: str) -> dict[str, Any]:
    """chat.postMessage arguments for a short notice whose words may echo the user's."""
    return {"text": _escape(text), "mrkdwn": False, "unfurl_links": False, "unfurl_media": False}


def _rich(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text", "elements": list(elements)}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}


def _parts(text: str) -> list[str]:
    """The text in pieces that fit a block, cut at spaces."""
    parts = []
    while len(text) > SECTION_LIMIT:
        cut = text.rfind(" ", 0, SECTION_LIMIT) if " " in text[:SECTION_LIMIT] else SECTION_LIMIT
        parts.append(text[:cut])
        text = text[cut:].lstrip()
    return [*parts, text]


def _shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space when there is one, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def _escape(text: str) -> str:
    # The three characters Slack asks apps to escape in message text. Applied after any
    # shortening, so an escape is never cut in half.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
