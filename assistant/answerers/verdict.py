"""What the reranker's reading of a candidate sentence adds up to: the features that decide whether
it answers, and the short answer it holds.

The reranker (assistant/reranker.py) says how likely each sentence is to answer, and where in it
the answer stands. Around that, checks the model cannot be trusted to make on articles it never
saw:
- an answer about X must rest on a sentence about X: the share of the question's names found in
  the sentence, around it (the sentence before, the title), and anywhere in its article;
- a question asking for a figure (an amount, a count, a date, a duration) needs a figure in the
  sentence, and the figure given is the one the model points at, not the first one met; a count
  of hours is no count of people, and "how much" of a weight takes a measure, not money;
- a person, place or name is the name the sentence gives the noun asked about ("the town of Hill
  Top" for "Which town ...?"), else the typed span the model points at most, or its own span;
  never a name of another kind than asked; all the names listed together when several are asked
  for ("Fiji and Pakistan"); and for "where", a place something is in or at before one merely
  named.

Pure functions over hits already judged; no model is called here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.answer import Hit
from assistant.questions import AnswerType, Question
from assistant.spans import (
    Span,
    find_spans,
    labelled_spans,
    of_another_kind,
    quantities,
    where,
)
from index.text import stem, terms

__all__ = ["FIGURES", "VERDICT_FEATURES", "ArticleVocabulary", "Verdict", "verdicts"]

# The reranker's reading of a candidate, by name, in the order the fitted decision takes it.
VERDICT_FEATURES = (
    "relevance",
    "lead",
    "similarity",
    "coverage",
    "names_here",
    "names_around",
    "names_in_article",
    "known_names",
    "has_span",
    "span_margin",
    "headline",
)

FIGURES = {AnswerType.AMOUNT, AnswerType.COUNT, AnswerType.DATE, AnswerType.DURATION}
_NAMED = {AnswerType.PERSON, AnswerType.PLACE, AnswerType.NAME}
_FREE_SPAN_WORDS = 8  # a longer span is a clause, not a short answer
_DIGIT = re.compile(r"\d")
_MONEY_TERMS = frozenset(
    stem(w)
    for w in "cost costs spend spent pay paid price worth money budget fund funding dollars "
    "earn earned raise raised value revenue loss lost salary wage wages fine bill invest "
    "invested expensive cheap afford charge fee fees compensation profit sales deal".split()
)
# Words the news uses for what a question asks about: "Which TV network ...?" is answered by
# "Channel Ten", "Which song ...?" by "the tune Please Come Home for Christmas".
_SAME_THING = {
    stem(asked): frozenset(stem(w) for w in said.split())
    for asked, said in {
        "song": "tune track single",
        "network": "channel station",
        "broadcaster": "network channel station",
        "company": "firm group",
        "firm": "company group",
        "organisation": "group body agency",
        "organization": "group body agency",
        "vessel": "ship boat",
        "ship": "vessel boat",
        "city": "capital",
    }.items()
}
_PLACE_NOUNS = frozenset(stem(w) for w in "capital city town suburb village".split())
_TIME_UNITS = frozenset(
    stem(w) for w in "second minute hour day week month year decade century".split()
)


class ArticleVocabulary(Protocol):
    """What the indexed articles say about a stemmed term."""

    def idf(self, term: str) -> float: ...

    def mentions(self, term: str) -> bool: ...

    def document_mentions(self, document: str, term: str) -> bool: ...


@dataclass(frozen=True)
class Verdict:
    """One judged candidate, with what the decision and the short answer need."""

    hit: Hit
    relevance: float  # the reranker's log-odds
    lead: float  # relevance above the next candidate's
    similarity: float  # bi-encoder cosine
    coverage: float  # idf-weighted share of the question's key terms in the sentence
    names_here: float  # share of the question's names in the sentence (1 if it names none)
    names_around: float  # ... in the sentence, the one before it or the title
    names_in_article: float  # ... anywhere in the sentence's article
    known_names: float  # ... anywhere in the index
    typed: bool  # the question asks for a typed short answer
    span: Span | None  # the short answer
    span_margin: float  # how far the model prefers that span to no answer at all
    figure_missing: bool  # a figure is asked for and the sentence has none

    def features(self) -> list[float]:
        """The inputs of the fitted decision, in the order of VERDICT_FEATURES."""
        named = {
            "relevance": self.relevance,
            "lead": self.lead,
            "similarity": self.similarity,
            "coverage": self.coverage,
            "names_here": self.names_here,
            "names_around": self.names_around,
            "names_in_article": self.names_in_article,
            "known_names": self.known_names,
            "has_span": 1.0 if not self.typed or self.span is not None else 0.0,
            "span_margin": max(-20.0, min(20.0, self.span_margin)),
            "headline": 1.0 if self.hit.headline else 0.0,
        }
        return [named[name] for name in VERDICT_FEATURES]


def verdicts(asked: Question, hits: Sequence[Hit], vocabulary: ArticleVocabulary) -> list[Verdict]:
    """A verdict on each judged hit, in the reranker's order."""
    judged = [h for h in hits if h.judgement is not None]
    if not judged:
        return []
    kind = asked.kind
    name_terms = asked.name_terms
    known = _share(name_terms, vocabulary.mentions)
    weights = {t: vocabulary.idf(t) for t, _ in asked.key_terms}
    found = []
    for i, hit in enumerate(judged):
        relevance = hit.judgement.relevance  # type: ignore[union-attr]
        following = judged[i + 1].judgement.relevance if i + 1 < len(judged) else relevance - 5  # type: ignore[union-attr]
        here = set(terms(hit.sentence.text))
        around = here | set(terms(hit.before)) | set(terms(hit.title))
        document = hit.sentence.document
        span, margin = _short_span(asked, hit)
        found.append(
            Verdict(
                hit=hit,
                relevance=relevance,
                lead=relevance - following,
                similarity=hit.similarity,
                coverage=sum(w for t, w in weights.items() if t in here)
                / (sum(weights.values()) or 1),
                names_here=_share(name_terms, here.__contains__),
                names_around=_share(name_terms, around.__contains__),
                names_in_article=_share(
                    name_terms,
                    lambda t, near=around, doc=document: (  # type: ignore[misc]
                        t in near or vocabulary.document_mentions(doc, t)
                    ),
                ),
                known_names=known,
                typed=kind in FIGURES or kind in _NAMED,
                span=span,
                span_margin=margin,
                figure_missing=kind in FIGURES and span is None,
            )
        )
    return found


def _share(name_terms: frozenset[str], present: Callable[[str], bool]) -> float:
    if not name_terms:
        return 1.0
    return sum(1 for t in name_terms if present(t)) / len(name_terms)


def _short_span(asked: Question, hit: Hit) -> tuple[Span | None, float]:
    """The short answer in the hit's sentence and the model's margin for it over no answer."""
    judgement = hit.judgement
    assert judgement is not None
    kind, text = asked.kind, hit.sentence.text
    # "Which town ...?" is answered by the name the sentence calls a town ("the town of Hill
    # Top"), which the finders may miss and the model may not point at most.
    labelled = _labelled(asked, text) if kind in _NAMED else []
    spans = _typed_spans(asked, text) or list(labelled)
    if kind not in FIGURES and not (kind in _NAMED and spans):
        # The model's own span, where no span of the asked type is found.
        own = judgement.best_span()
        if own is not None:
            start, end = _whole_words(text, own[0], own[1])
            free = Span(start, end, text[start:end])
            if (
                0 < len(free.text.split()) <= _FREE_SPAN_WORDS
                and not set(terms(free.text)) <= asked.said
                and not of_another_kind(kind, free, text, asked.focus_terms)
            ):
                spans.append(free)
    # A name is scored from the token in it the model most points at as a start: a title before
    # it ("Justice Richard Curtis") does not count against it.
    score = judgement.name_score if kind in _NAMED else judgement.span_score
    if not spans:
        return None, 0.0
    best = max(spans, key=lambda s: score(s.start, s.end))
    if kind in _NAMED:
        # The model may point at part of a name ("Musharraf"): give the whole name it is part of.
        typed = [s for s in spans if s.start <= best.start and best.end <= s.end]
        best = max(typed, key=lambda s: (s.end - s.start, s.text == best.text), default=best)
    margin = judgement.span_score(best.start, best.end) - judgement.no_answer
    if kind not in FIGURES and kind not in _NAMED and margin <= 0:
        return None, margin  # "why" and "what" answers are the sentence itself
    # The margin stays the model's (how sure it is of any answer); the answer given is the
    # labelled name, or the count of what was asked ("How many fans ...?"), where there is one.
    preferred = labelled
    if kind is AnswerType.COUNT:
        preferred = [s for s in spans if _last_term(s.text) in asked.focus_terms]
    if preferred:
        best = max(preferred, key=lambda s: score(s.start, s.end))
    if kind in _NAMED and _asks_for_several(asked):
        best = _with_conjoined(best, spans, text)
    return best, margin


_WHENCE = re.compile(r"\bfrom\b", re.I)
_SINGULAR_WHO = re.compile(r"^who(?:['’]s| is| was| has| does)\b", re.I)
_CONJUNCTION = re.compile(r",\s|\s(?:and|or)\s|,\s(?:and|or)\s")


def _asks_for_several(asked: Question) -> bool:
    """ "Which countries ...?", "Who played ...?": not "Which country ...?", "Who is ...?"."""
    if asked.kind is AnswerType.PERSON:
        return not _SINGULAR_WHO.match(asked.asked.strip())
    return any(w.endswith("s") and stem(w) != w for w in asked.focus)


def _with_conjoined(best: Span, spans: list[Span], text: str) -> Span:
    """The span with the names the sentence lists with it: "Fiji and Pakistan"."""
    ordered = sorted({(s.start, s.end) for s in spans} | {(best.start, best.end)})
    at = ordered.index((best.start, best.end))
    first, last = at, at
    while first > 0 and _CONJUNCTION.fullmatch(text[ordered[first - 1][1] : ordered[first][0]]):
        first -= 1
    while last + 1 < len(ordered) and _CONJUNCTION.fullmatch(
        text[ordered[last][1] : ordered[last + 1][0]]
    ):
        last += 1
    if first == last:
        return best
    start, end = ordered[first][0], ordered[last][1]
    return Span(start, end, text[start:end])


def _typed_spans(asked: Question, text: str) -> list[Span]:
    """The spans of the sentence of the asked type that could answer: not what the question
    says, nor a name of another kind; a figure where the sentence has one."""
    kind = asked.kind
    spans = [
        s
        for s in find_spans(kind, text)
        # An answer is not what the question already says ("Who runs Apple?" is not "Apple").
        if not set(terms(s.text)) <= asked.said
        and not (kind is AnswerType.PERSON and set(terms(s.text)) & asked.name_terms)
        and not of_another_kind(kind, s, text, asked.focus_terms)
    ]
    if kind is AnswerType.PLACE:
        if not asked.asks_for_a_country:
            # "in the Norwegian capital, Oslo": the city, beside the country that describes it.
            spans += _labelled(asked, text, _PLACE_NOUNS)
        spans = where(spans, asked.asks_for_a_country, whence=bool(_WHENCE.search(asked.asked)))
    if kind is AnswerType.AMOUNT and not asked.said & _MONEY_TERMS:
        # "How much did it weigh?" asks for a measure, not money.
        spans += [q for q in quantities(text) if not set(terms(q.text)) <= asked.said]
    if kind is AnswerType.COUNT and asked.focus_terms and not asked.focus_terms & _TIME_UNITS:
        # "How many employees ...?" is not answered by "24 hours".
        spans = [s for s in spans if _last_term(s.text) not in _TIME_UNITS]
    if kind in FIGURES and any(_DIGIT.search(s.text) for s in spans):
        # A figure ("$6 million") answers better than a vague amount ("billions").
        spans = [s for s in spans if _DIGIT.search(s.text)]
    return spans


def _last_term(text: str) -> str:
    found = terms(text)
    return found[-1] if found else ""


def _labelled(asked: Question, text: str, nouns: frozenset[str] | None = None) -> list[Span]:
    """The names the sentence labels with the question's asked noun or a word news uses for it
    (or with `nouns`), other than its own."""
    if nouns is None:
        nouns = asked.focus_terms.union(*(_SAME_THING.get(t, ()) for t in asked.focus_terms))
    for kind in labelled_spans(text, nouns):
        found = [s for s in kind if terms(s.text) and not set(terms(s.text)) <= asked.said]
        if found:
            return found
    return []


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words, and drop punctuation at its edges."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-’'$"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in "-%"):
        end += 1
    while end > start and text[end - 1] in ',.;:!?"”)':
        end -= 1
    while start < end and text[start] in '"“(':
        start += 1
    return start, end
