"""Split news text into sentences with character offsets into the original text.

A rule-based splitter written for news prose. A boundary candidate is a run of `.`, `!`, `?` or
`…`, optionally followed by closing quotes or brackets, then white space. It is a boundary unless
the next word starts in lower case, or the word before the period is an abbreviation:

- titles (`Mr.`, `Dr.`, `Sen.`) and short forms that need a continuation (`e.g.`, `No.`, `Jan.`)
  never end a sentence;
- acronyms and company suffixes (`U.S.`, `Inc.`, `Corp.`) and initials (`J.`) end one only when
  the next word is a typical sentence opener (`The`, `He`, `But`, ...): "U.S. President" goes on,
  "in the U.S. The company" stops.

Line breaks end a paragraph, except inside a hard-wrapped sentence: a line that goes on in lower
case or after a comma or dash continues the paragraph.

Limits: English only; a sentence that ends in an abbreviation followed by a proper name
("... at Apple Inc. Google said") stays joined.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["SPLITTER", "Sentence", "iter_sentences", "split_sentences"]

# Recorded in the index so that a store built by another version of the rules is rebuilt.
SPLITTER = "article-assistant-rules/1"


@dataclass(frozen=True)
class Sentence:
    """One sentence: 1-based number and paragraph, and `text == source[start:end]`."""

    number: int
    paragraph: int
    start: int
    end: int
    text: str


_TITLES = frozenset(
    "mr mrs ms messrs dr prof sen rep gov gen col lt sgt capt cmdr adm maj rev hon pres "
    "st mt ft supt det insp amb atty".split()
)
# Short forms that always need a following word.
_CONTINUATIONS = frozenset(
    "e.g i.e cf vs viz al approx dept est fig no nos vol pp ch art sec "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Acronyms and suffixes that can end a sentence, but usually do not.
_AMBIGUOUS = frozenset(
    "inc corp co ltd llc plc bros jr sr etc a.m p.m u.s u.k u.n e.u u.s.a d.c".split()
)
_OPENERS = frozenset(
    "a an the he she it its they we i you this that these those there here his her their our "
    "but and so yet however meanwhile still then now in on at for after before when while if "
    "as since although though despite many some most other others one two three what why how "
    "who where analysts officials shares".split()
)

_BOUNDARY = re.compile(r"(?:[.!?]+|…|\.\.\.)[\"'”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_NEXT_WORD = re.compile(r"\s*[\"'“‘(\[]*([^\s\"'“‘(\[]*)")


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of `text` in order, numbered from 1, with their paragraph."""
    return list(iter_sentences(text))


def iter_sentences(text: str) -> Iterator[Sentence]:
    """The sentences of `text` one at a time: memory stays flat however long the text is."""
    number = 0
    for paragraph, (para_start, para_end) in enumerate(_paragraphs(text), 1):
        for start, end in _sentence_spans(text, para_start, para_end):
            number += 1
            yield Sentence(number, paragraph, start, end, text[start:end])


_NEXT_VISIBLE = re.compile(r"\s*(\S?)")


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Spans of paragraphs, split at line breaks that do not fall inside a sentence."""
    start = 0
    for match in re.finditer(r"\n", text):
        last = match.start() - 1  # the last visible character before the line break
        while last >= start and text[last].isspace():
            last -= 1
        if last < start:
            start = match.end()
            continue
        after = _NEXT_VISIBLE.match(text, match.end()).group(1)  # type: ignore[union-attr]
        # subtle: a hard-wrapped sentence goes on in lower case or after a comma or dash
        wrapped = bool(after) and (after.islower() or text[last] in (",", ";", "-", "–", "("))
        if not wrapped:
            yield _strip(text, start, match.start())
            start = match.end()
    if text[start:].strip():
        yield _strip(text, start, len(text))


def _sentence_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    sentence_start = start
    for match in _BOUNDARY.finditer(text, start, end):
        if _is_boundary(text, match.start(), match.end(), end):
            yield _strip(text, sentence_start, match.end())
            sentence_start = match.end()
    if text[sentence_start:end].strip():
        yield _strip(text, sentence_start, end)


def _is_boundary(text: str, mark_start: int, mark_end: int, limit: int) -> bool:
    following = _NEXT_WORD.match(text, mark_end, limit)
    next_word = following.group(1) if following else ""
    if not next_word:
        return True
    if next_word[0].islower() or next_word[0] in ",;:–—-":
        return False
    if text[mark_start] != "." or text[mark_start:mark_end].startswith(".."):
        return True  # `!`, `?` and ellipses before a capital end the sentence
    before = _WORD_BEFORE.search(text, max(0, mark_start - 20), mark_start + 1)
    if before is None or before.end() != mark_start + 1:
        return True
    word = before.group(1).lower()
    if word in _TITLES or word in _CONTINUATIONS:
        return False
    opener = next_word.strip(".,;:!?\"'”’").lower() in _OPENERS
    is_initial = len(word) == 1 and before.group(1).isupper()
    if word in _AMBIGUOUS or is_initial or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return opener
    return True


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
