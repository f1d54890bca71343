"""Small talk: the words that are not questions about the articles, and what to say to them.

One vocabulary serves both sides: `is_small_talk` recognises a message made only of them (with
"there", "again" and trailing punctuation allowed), and `reply` answers it in kind.
"""

from __future__ import annotations

import re

__all__ = ["EXAMPLE", "is_small_talk", "reply"]

EXAMPLE = "How much did it cost to train DeepSeek's model?"

# Each kind: the phrases that make it, and the answer. Checked in this order.
_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("thanks", "thank you", "thank", "thx", "ty", "cheers"),
        "You're welcome. Ask me anything else about the article.",
    ),
    (("goodbye", "bye", "see you", "see ya"), "Goodbye!"),
    (
        ("okay", "ok", "cool", "great", "nice", "got it"),
        "Anything else you'd like to know about the article?",
    ),
    (
        (
            "hello", "hiya", "hi", "hey", "yo", "howdy", "greetings", "good morning",
            "good afternoon", "good evening", "good day", "how are you doing", "how are you",
            "what's up", "whats up", "sup",
        ),
        f"Hello! Ask me a question about the article, for example: “{EXAMPLE}”",
    ),
)  # fmt: skip
_PHRASES = sorted((p for phrases, _ in _KINDS for p in phrases), key=len, reverse=True)
_SMALL_TALK = re.compile(
    rf"^(?:{'|'.join(map(re.escape, _PHRASES))})(?: so much| a lot| very much)?"
    r"(?: there| again| assistant| bot)?[\s!.?,:)]*$",
    re.IGNORECASE,
)


def is_small_talk(message: str) -> bool:
    """Whether the message is only a greeting, thanks, an acknowledgement or a farewell."""
    return bool(_SMALL_TALK.match(message))


def reply(message: str) -> str:
    """The answer to a small-talk message."""
    lowered = message.lower()
    for phrases, answer in _KINDS:
        if lowered.startswith(phrases):
            return answer
    return _KINDS[-1][1]
