"""Words for lexical matching: one tokenizer shared by BM25, key-term coverage and answer spans.

Lower-cased, possessives dropped, numbers kept ("$6.5 million" → "6.5", "million"), stop words
removed, Snowball-stemmed so "founded" meets "founder" halfway ("found"). Pure and cheap.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.language import INTERCHANGEABLE, POSSESSIVE

__all__ = ["POSSESSIVE", "STOP_WORDS", "clean_line", "content_words", "stem", "terms", "words"]

STOP_WORDS = frozenset(
    """
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can could did didn't do does doesn't doing don't down during each
few for from further had has have having he her here hers herself him himself his how however i if
in into is isn't it its itself just let like ll me might more most much must my myself no nor not
now of off on once only or other ought our ours ourselves out over own per re really s said same
say says she should so some such t than that the their theirs them themselves then there these they
this those through to too under until up upon us ve very was wasn't we were what whatever when where
whether which while who whom whose why will with would yet you your yours yourself yourselves
according tell told give gave know get got going go make made many thing things way ever
""".split()
)

# C0 and C1 controls, and the invisible marks that reorder or hide text.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def clean_line(text: str, limit: int = 200) -> str:
    """Text fit for one line of a listing: no controls or line breaks, spaces collapsed, capped."""
    line = " ".join(_CONTROLS.sub(" ", text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


_WORD = re.compile(r"\$?\d+(?:[.,]\d+)*%?(?![^\W_])|[^\W_]+(?:['’][^\W\d_]+)*")
_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")


def _acronym(match: re.Match[str]) -> str:
    letters = match.group().replace(".", "").lower()
    return "usa" if letters == "us" else letters


def words(text: str) -> list[str]:
    """Lower-case words and numbers of `text`, possessives dropped, `$`/`%` stripped."""
    text = re.sub(r"\bUS\b", "USA", _ACRONYM.sub(_acronym, text))  # U.S. = US, not "us"
    found = []
    for token in _WORD.findall(text.lower()):
        token = POSSESSIVE.sub("", token).strip("$%").replace(",", "")
        token = INTERCHANGEABLE.get(token, token)
        if token:
            found.append(token)
    return found


def content_words(text: str) -> list[str]:
    """`words` without stop words."""
    return [w for w in words(text) if w not in STOP_WORDS]


def terms(text: str) -> list[str]:
    """Stemmed content words: the unit of lexical matching."""
    return [stem(w) for w in content_words(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case word; numbers unchanged."""
    if not word[:1].isalpha():
        return word
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english")
