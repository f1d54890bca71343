"""The offline answerer: answers with the article's own sentences, and says when it cannot.

For each retrieved sentence it measures how well the sentence covers the question's key terms
(exactly, by stem, or by a near-synonym whose word vector is close), whether it names what the
question asks about ("ticker" in "What is Nvidia's stock ticker?") and the names the question
uses, whether it holds an answer of the asked type (an amount, a person, a place, a date, ...),
its similarity to the question, the similarity of its best ten-word window to the question with
the question's names taken out, and how far it leads the next sentence: the evidence.

By default ("combined") the candidates are the reranker's best six; boosted trees over each
one's verdict (assistant/answerers/verdict.py) and its evidence give the probability that it
answers, and the most probable is cited when it clears the threshold
(`calibration_reranked.json`). Without the reranker ("features"), trees over the evidence alone
decide (`calibration.json`), and close runners-up are cited beside the best sentence.
`scripts/calibrate.py` fits both on calibration questions (never the held-out or test ones).

Limits: English; one short answer per question; a question whose answer needs reasoning across
sentences gets the sentences, not a synthesis.
"""

from __future__ import annotations

import json
import math
import re
import threading
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, Protocol

from assistant.answer import Answer, Hit
from assistant.answerers.verdict import VERDICT_FEATURES, Verdict, verdicts
from assistant.errors import AssistantError
from assistant.questions import AnswerType, Question
from assistant.spans import Span, find_spans, of_another_kind, where
from index.text import content_words, stem, terms

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "EVIDENCE_FEATURES",
    "NOT_FOUND",
    "STACKED_FEATURES",
    "Evidence",
    "ExtractiveAnswerer",
    "Mode",
    "boosted_score",
]

Mode = Literal["features", "model", "combined"]

NOT_FOUND = "The article does not say."
_TYPED = {
    AnswerType.AMOUNT,
    AnswerType.COUNT,
    AnswerType.PERSON,
    AnswerType.DATE,
    AnswerType.DURATION,
    AnswerType.PLACE,
    AnswerType.NAME,
}
_FIGURES = {AnswerType.AMOUNT, AnswerType.COUNT, AnswerType.DATE, AnswerType.DURATION}
_CANDIDATES = 6
# The inputs of the fitted decisions, by name: a calibration file lists the ones it was fitted on.
EVIDENCE_FEATURES = (
    "similarity",
    "coverage",
    "weakest",
    "has_type",
    "focus",
    "names",
    "known_names",
    "relevance",
    "lead",
    "predicate",
)
STACKED_FEATURES = tuple(f"verdict.{n}" for n in VERDICT_FEATURES) + tuple(
    f"evidence.{n}" for n in EVIDENCE_FEATURES
)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_NEAR_SYNONYM_FLOOR = 0.40  # word-vector cosine below which two words are unrelated
_NEAR_SYNONYM_FULL = 0.80  # ... and from which they count as the same word
# Sentences are compared with the question a window of words at a time, so that a long sentence
# whose one clause answers is not diluted by the rest.
_WINDOW_WORDS = 10
_WINDOW_STRIDE = 3
_CACHE_LIMIT = 50_000  # vectors kept for words and windows; cleared when full


@dataclass(frozen=True)
class Evidence:
    """How well one sentence answers the question: the features of the calibrated score."""

    hit: Hit
    similarity: float
    coverage: float  # idf-weighted share of key terms matched (soft)
    weakest: float  # match of the least-covered rare key term
    focus: float  # match of the words naming what is asked for ("stock ticker"); 1 if none
    names: float  # share of the question's proper names the sentence contains; 1 if none
    known_names: float  # share of them the indexed articles mention at all; 1 if none
    typed: bool  # the question asks for a typed answer...
    has_type: bool  # ... and the sentence holds one not already in the question
    figure_missing: bool  # it asks for a figure (an amount, a count, a date) the sentence lacks
    span: Span | None
    span_closeness: float  # how near the span stands to the matched key terms, 0..1
    lead: float = 0.0  # relevance above the next candidate's: one sentence clearly answers
    predicate: float = 0.0  # similarity to the question with its names removed (best window)

    @property
    def relevance(self) -> float:
        """Ranks candidate sentences for one question."""
        return (
            self.similarity
            + 0.6 * self.coverage
            + 0.2 * self.weakest
            + 0.2 * self.focus
            + 0.2 * self.names
            + 0.3 * self.span_closeness
        )

    def features(self) -> list[float]:
        """The calibrated score's inputs, in the order of EVIDENCE_FEATURES."""
        named = {
            "similarity": self.similarity,
            "coverage": self.coverage,
            "weakest": self.weakest,
            "has_type": 1.0 if not self.typed or self.has_type else 0.0,
            "focus": self.focus,
            "names": self.names,
            "known_names": self.known_names,
            "relevance": self.relevance,
            "lead": self.lead,
            "predicate": self.predicate,
        }
        return [named[name] for name in EVIDENCE_FEATURES]


class Vocabulary(Protocol):
    """What the indexed articles say about a stemmed term."""

    def idf(self, term: str) -> float: ...

    def mentions(self, term: str) -> bool: ...

    def document_mentions(self, document: str, term: str) -> bool: ...


class ExtractiveAnswerer:
    """Answers with cited article sentences; abstains when the evidence is too weak.

    `mode` says what decides, for the ablation of benchmarks/news.py: "features" (the evidence
    features alone, on hits in fused order), "model" (the reranker's judgement alone) or
    "combined" (trees over the reranker's verdict and the evidence of each candidate, the
    default).
    """

    name = "extractive"

    def __init__(
        self,
        *,
        embed: Callable[[list[str]], np.ndarray],
        vocabulary: Vocabulary,
        threshold: float | None = None,
        mode: Mode = "combined",
    ) -> None:
        self._embed = embed
        self._vocabulary = vocabulary
        self._text_vectors: dict[str, np.ndarray] = {}  # words and windows
        self._lock = threading.Lock()
        self._threshold = threshold
        self.mode = mode

    @cached_property
    def _calibration(self) -> dict[str, Any]:
        """The evidence-only decision (`calibration.json`)."""
        return _load_calibration("calibration.json", EVIDENCE_FEATURES)

    @cached_property
    def _reranked_calibration(self) -> dict[str, Any]:
        """The decision over the reranker's verdict and the evidence together."""
        return _load_calibration("calibration_reranked.json", STACKED_FEATURES)

    def confidence(self, evidence: Evidence) -> float:
        """Probability, by the evidence-only model, that the sentence answers the question."""
        if evidence.figure_missing:
            # Spans of figures are found reliably, unlike names: none means no answer.
            return 0.0
        return 1.0 / (1.0 + math.exp(-boosted_score(self._calibration, evidence.features())))

    @property
    def threshold(self) -> float:
        """Confidence below which the evidence-only answerer abstains."""
        if self._threshold is not None:
            return self._threshold
        return float(self._calibration["threshold"])

    def texts_to_embed(self, query: str | Question) -> list[str]:
        """The texts of `query` that `evidence` embeds and has not cached."""
        if self.mode == "model":
            return []
        asked = Question.of(query)
        missing = [w for _, w in asked.key_terms_with_context if w not in self._text_vectors]
        return [asked.unnamed, *missing]

    def evidence(self, query: str | Question, hits: Sequence[Hit]) -> list[Evidence]:
        """Evidence for each candidate sentence, most relevant first."""
        asked = Question.of(query)
        key = [(t, w, self._vocabulary.idf(t)) for t, w in asked.key_terms_with_context]
        names = asked.name_terms
        known = sum(1 for t in names if self._vocabulary.mentions(t)) / len(names) if names else 1.0
        candidates = hits[:_CANDIDATES]
        unnamed = asked.unnamed
        windows = [_windows(h.sentence.text) for h in candidates]
        # One call for whatever is not cached yet: a call to the model costs more than a text in
        # it. The question's own texts usually came with the query's (`texts_to_embed`).
        vectors = self._vectors(
            [word for _, word, _ in key]
            + [word for h in candidates for _, word in _sentence_words(h.sentence.text)]
            + [unnamed]
            + [w for ws in windows for w in ws]
        )
        # "Who is DeepSeek's chief technology officer?" is close to any sentence about DeepSeek;
        # without the name, only to one about an officer. The sentence's best window counts.
        found = [
            replace(
                self._evidence(asked, key, hit),
                known_names=known,
                predicate=max(float(vectors[unnamed] @ vectors[w]) for w in ws),
            )
            for hit, ws in zip(candidates, windows)
        ]
        ranked = sorted(found, key=lambda e: -e.relevance)
        following = [e.relevance for e in ranked[1:]] + [0.0]
        return [replace(e, lead=e.relevance - after) for e, after in zip(ranked, following)]

    def answer(
        self,
        question: str,
        hits: Sequence[Hit],
        *,
        query: str | Question = "",
        vectors: Mapping[str, Any] | None = None,
    ) -> Answer:
        """Answer `query` (the standalone form of `question`) from `hits`; `vectors` are those
        of `texts_to_embed(query)`, if the caller embedded them."""
        asked = Question.of(query or question)
        if vectors:
            with self._lock:
                self._text_vectors.update(vectors)
        if self.mode != "features" and any(h.judgement for h in hits):
            return self._judged_answer(question, asked, hits)
        ranked = self.evidence(asked, hits)
        if not ranked or self.confidence(ranked[0]) < self.threshold:
            return self._not_found(question, asked.query, [e.hit for e in ranked])
        chosen = self._choose(asked.kind, ranked)
        short = chosen[0].span.answer if chosen[0].span else None
        return self._answered(question, asked.query, [e.hit for e in chosen], short)

    def judged(self, query: str | Question, hits: Sequence[Hit]) -> list[tuple[Verdict, float]]:
        """Each reranked candidate's verdict with the probability that it answers, best first.

        "combined" decides with trees over both readings of each candidate: the reranker's
        verdict and the evidence features. Neither alone holds on every article: the model reads
        paraphrase and other articles' facts, the evidence reads figures and names precisely.
        """
        if self.mode == "model":
            found = verdicts(Question.of(query), hits, self._vocabulary)[:_CANDIDATES]
            return [(v, _sigmoid(v.relevance)) for v in found]
        calibration = self._reranked_calibration
        scored = [
            (
                v,
                0.0
                if v.figure_missing
                else _sigmoid(boosted_score(calibration, self.stacked(v, e))),
            )
            for v, e in self.readings(query, hits)
        ]
        return sorted(scored, key=lambda pair: -pair[1])

    def readings(
        self, query: str | Question, hits: Sequence[Hit]
    ) -> list[tuple[Verdict, Evidence]]:
        """Each reranked candidate read both ways, in the reranker's order."""
        asked = Question.of(query)
        found = verdicts(asked, hits, self._vocabulary)[:_CANDIDATES]
        evidence = {_key(e.hit): e for e in self.evidence(asked, [v.hit for v in found])}
        if asked.kind in _FIGURES:
            # Which figure: the one nearest what was asked, not the model's pick.
            found = [_with_span(v, evidence[_key(v.hit)].span) for v in found]
        return [(v, evidence[_key(v.hit)]) for v in found]

    @staticmethod
    def stacked(verdict: Verdict, evidence: Evidence) -> list[float]:
        """The combined decision's inputs for one candidate."""
        return verdict.features() + evidence.features()

    def _judged_answer(self, question: str, asked: Question, hits: Sequence[Hit]) -> Answer:
        query = asked.query
        judged = self.judged(asked, hits)
        key = "model_threshold" if self.mode == "model" else "threshold"
        calibration = self._reranked_calibration
        threshold = self._threshold if self._threshold is not None else calibration[key]
        if not judged or judged[0][1] < threshold:
            return self._not_found(question, query, [v.hit for v, _ in judged] or list(hits))
        best = judged[0][0]
        chosen = [best.hit]
        if best.span is None:
            # An explanation may take two sentences: the next best, from the same article, when
            # the model is nearly as sure of it.
            for verdict, p in judged[1:2]:
                same = verdict.hit.sentence.document == best.hit.sentence.document
                if same and p >= threshold and verdict.relevance >= best.relevance - _RUNNER_UP:
                    chosen.append(verdict.hit)
        chosen.sort(key=lambda h: h.sentence.number)
        short = best.span.answer if best.span else None
        named = bool(asked.names)
        other = _disagreeing(best, judged[1:], threshold, named)
        if other is not None and other.span is not None:
            # Two articles give different figures for it: the answer shows both, each cited.
            answer = self._answered(question, query, [best.hit, other.hit], short)
            first, second = answer.citations
            text = (
                f"{short} — {first.text} [1] “{second.title or second.document}” gives "
                f"{other.span.answer}: {second.text} [2]"
            )
            return replace(answer, answer=text)
        return self._answered(question, query, chosen, short)

    def _not_found(self, question: str, query: str, hits: Sequence[Hit]) -> Answer:
        return Answer(
            question=question,
            answer=NOT_FOUND,
            answered=False,
            citations=tuple(h.cite(i + 1, "related") for i, h in enumerate(hits[:2])),
            answerer=self.name,
            query=query,
            kind="not_found",
        )

    def _answered(
        self, question: str, query: str, chosen: Sequence[Hit], short: str | None
    ) -> Answer:
        citations = tuple(h.cite(i + 1) for i, h in enumerate(chosen))
        body = " ".join(f"{c.text} [{c.n}]" for c in citations)
        return Answer(
            question=question,
            answer=f"{short} — {body}" if short else body,
            answered=True,
            citations=citations,
            answerer=self.name,
            query=query,
            short_answer=short,
        )

    # --- evidence ------------------------------------------------------------------------------

    def _evidence(self, asked: Question, key: list[tuple[str, str, float]], hit: Hit) -> Evidence:
        """`key`: the question's key terms, each with its weight."""
        kind, focus_terms, names = asked.kind, asked.focus_terms, asked.name_terms
        text = hit.sentence.text
        sentence_words = _sentence_words(text)
        by_stem: dict[str, list[int]] = {}
        for offset, w in sentence_words:
            by_stem.setdefault(stem(w), []).append(offset)
        matches: list[float] = []
        matched_at: list[tuple[tuple[int, ...], float]] = []
        absent = [word for term, word, _ in key if term not in by_stem]
        soft = self._near_synonyms(absent, [w for _, w in sentence_words])
        for term, word, _ in key:
            if term in by_stem:
                matches.append(1.0)
                at: tuple[tuple[int, ...], float] = (tuple(by_stem[term]), 1.0)
            else:
                strength, partner = soft.get(word, (0.0, ""))
                matches.append(strength)
                at = (tuple(o for o, w in sentence_words if w == partner), strength)
            # "country" in "Which country is DeepSeek from?" is near any country the sentence
            # names; whose country it is shows by where DeepSeek stands.
            if at[1] > 0 and not (kind is AnswerType.PLACE and term in focus_terms):
                matched_at.append(at)
        focus_matches = [m for (term, _, _), m in zip(key, matches) if term in focus_terms]
        focus = sum(focus_matches) / len(focus_matches) if focus_matches else 1.0
        weights = [w for _, _, w in key]
        total = sum(weights) or 1.0
        coverage = sum(w * m for w, m in zip(weights, matches)) / total
        rare = [m for (_, _, w), m in zip(key, matches) if w >= 0.5 * max(weights, default=0)]
        weakest = min(rare, default=0.0)
        typed = kind in _TYPED
        span = _best_span(asked, text, matched_at) if typed else None
        closeness = _closeness(span, matched_at) if span else 0.0
        if kind in (AnswerType.NAME, AnswerType.PLACE) and span is not None:
            focus = 1.0  # the span is of the asked class (see spans.of_another_kind)
        named = len(names & by_stem.keys()) / len(names) if names else 1.0
        return Evidence(
            hit=hit,
            similarity=hit.similarity,
            coverage=coverage,
            weakest=weakest,
            focus=focus,
            names=named,
            known_names=1.0,
            typed=typed,
            has_type=span is not None,
            figure_missing=kind in _FIGURES and span is None,
            span=span,
            span_closeness=closeness,
        )

    def _near_synonyms(
        self, words: list[str], sentence_words: list[str]
    ) -> dict[str, tuple[float, str]]:
        """For each word, its closest sentence word and a 0..1 strength by word vectors."""
        if not words or not sentence_words:
            return {}
        vectors = self._vectors(list(dict.fromkeys(words + sentence_words)))
        found = {}
        for word in words:
            best, partner = max(
                (float(vectors[word] @ vectors[other]), other) for other in sentence_words
            )
            strength = (best - _NEAR_SYNONYM_FLOOR) / (_NEAR_SYNONYM_FULL - _NEAR_SYNONYM_FLOOR)
            found[word] = (min(1.0, max(0.0, strength)), partner)
        return found

    def _vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        import numpy as np

        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._text_vectors))
            if len(self._text_vectors) + len(missing) > _CACHE_LIMIT:
                self._text_vectors.clear()
                missing = list(dict.fromkeys(texts))
            if missing:
                for text, vector in zip(missing, self._embed(missing)):
                    self._text_vectors[text] = np.asarray(vector, dtype=np.float32)
            return {t: self._text_vectors[t] for t in texts}

    # --- choosing ------------------------------------------------------------------------------

    def _choose(self, kind: AnswerType, ranked: list[Evidence]) -> list[Evidence]:
        """The best sentence, plus close runners-up when the question wants an explanation."""
        best = ranked[0]
        if kind in _TYPED and best.span is not None:
            return [best]
        chosen = [best]
        margin = 0.12 if kind in (AnswerType.REASON, AnswerType.OTHER) else 0.05
        for other in ranked[1:3]:
            # One article's answer is not pieced out with another's sentences.
            same_article = other.hit.sentence.document == best.hit.sentence.document
            close = same_article and other.relevance >= best.relevance - margin
            if close and self.confidence(other) >= self.threshold and other.coverage > 0:
                chosen.append(other)
        return sorted(chosen, key=lambda e: (e.hit.sentence.document, e.hit.sentence.number))


# How far below the best sentence (log-odds) a second one may be and still be cited beside it.
_RUNNER_UP = 1.0


def _load_calibration(name: str, features: tuple[str, ...]) -> dict[str, Any]:
    """A shipped decision, checked to be fitted on the features this code computes."""
    data: dict[str, Any] = json.loads(
        resources.files("assistant.answerers").joinpath(name).read_text()
    )
    if tuple(data.get("features", ())) != features:
        raise AssistantError(
            f"{name} was fitted on other features than this version computes; "
            "refit it with scripts/calibrate.py."
        )
    return data


def _with_span(verdict: Verdict, span: Span | None) -> Verdict:
    if span is None or verdict.span is None:
        return verdict
    return replace(verdict, span=span)


def _disagreeing(
    best: Verdict, others: Sequence[tuple[Verdict, float]], threshold: float, named: bool
) -> Verdict | None:
    """A likely answer from another article whose figure differs from the best one's.

    Only for a question that names what it asks about, and a sentence that names all of it too
    (in itself, the sentence before or its title): another company's figure is not a second
    opinion.
    """
    if best.span is None or not _DIGITS.search(best.span.answer) or not named:
        return None
    for verdict, probability in others:
        span = verdict.span
        if (
            probability >= threshold
            and span is not None
            and verdict.names_around >= 1.0
            and verdict.hit.sentence.document != best.hit.sentence.document
            and _DIGITS.search(span.answer)
            and _DIGITS.findall(span.answer) != _DIGITS.findall(best.span.answer)
        ):
            return verdict
    return None


def _key(hit: Hit) -> tuple[str, int]:
    return (hit.sentence.document, hit.sentence.number)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def boosted_score(model: dict[str, Any], features: list[float]) -> float:
    """The log-odds that calibrated boosted trees give these features.

    Each tree node is [feature, threshold, left, right, value]; a leaf has no feature (< 0).
    Features are rounded to 32-bit floats first, as the trees were fitted on them.
    """
    x = array("f", features)
    score = float(model["base"])
    for nodes in model["trees"]:
        i = 0
        while nodes[i][0] >= 0:
            feature, threshold, left, right, _ = nodes[i]
            i = left if x[feature] <= threshold else right
        score += model["rate"] * nodes[i][4]
    return score


@lru_cache(maxsize=4096)
def _sentence_words(text: str) -> tuple[tuple[int, str], ...]:
    """The content words of a sentence, each with its offset."""
    tokens = [(m.start(), m.group()) for m in re.finditer(r"[\w$][\w.,$%’'-]*", text)]
    return tuple((offset, w) for offset, token in tokens for w in content_words(token))


def _windows(text: str) -> list[str]:
    """Overlapping runs of `_WINDOW_WORDS` words covering `text`."""
    tokens = text.split()
    if len(tokens) <= _WINDOW_WORDS:
        return [text]
    last = len(tokens) - _WINDOW_WORDS
    starts = [*range(0, last, _WINDOW_STRIDE), last]
    return [" ".join(tokens[i : i + _WINDOW_WORDS]) for i in starts]


def _best_span(
    asked: Question, text: str, matched_at: list[tuple[tuple[int, ...], float]]
) -> Span | None:
    """The typed span nearest the sentence's matched key terms, not already in the question."""
    kind, focus_terms = asked.kind, asked.focus_terms
    spans = [
        s
        for s in find_spans(kind, text)
        if not set(terms(s.text)) <= asked.said
        # "Apple Music" is no one who runs Apple: a person is not named after the question's names.
        and not (kind is AnswerType.PERSON and set(terms(s.text)) & asked.name_terms)
        and not of_another_kind(kind, s, text, focus_terms)
    ]
    if kind is AnswerType.PLACE:
        spans = where(spans, asked.asks_for_a_country)
    if not spans:
        return None
    # A figure ("$6 million") answers better than a vague amount ("billions").
    return max(
        spans,
        key=lambda span: (
            _closeness(span, matched_at, total=True) * (1.0 if re.search(r"\d", span.text) else 0.6)
        ),
    )


def _closeness(
    span: Span, matched_at: Sequence[tuple[tuple[int, ...], float]], *, total: bool = False
) -> float:
    """Nearness of matched key terms to the span: their sum (to rank spans) or the nearest."""
    near = [
        strength / (1.0 + min(_distance(span, offset) for offset in offsets) / 20)
        for offsets, strength in matched_at
    ]
    return (sum(near) if total else max(near)) if near else 0.0


def _distance(span: Span, offset: int) -> int:
    if span.start <= offset < span.end:
        return 0
    return min(abs(offset - span.start), abs(offset - span.end))
