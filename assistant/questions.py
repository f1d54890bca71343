"""What a question is: valid or not, small talk or a question, and what kind of answer it wants.

Pure functions over the question text; no model, no index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from assistant.errors import BadQuestion
from assistant.smalltalk import is_small_talk
from index.language import COUNTRY_NOUNS, NOT_NAMES, POSSESSIVE
from index.text import STOP_WORDS, content_words, stem, terms, words

__all__ = [
    "AnswerType",
    "Intent",
    "Question",
    "answer_type",
    "check_question",
    "focus_words",
    "intent",
    "proper_names",
]

MAX_QUESTION_CHARS = 2000


class Intent(Enum):
    """What the user is doing."""

    QUESTION = "question"
    SMALL_TALK = "small_talk"
    ABOUT_ASSISTANT = "about_assistant"
    NOT_A_QUESTION = "not_a_question"  # punctuation, symbols
    OTHER_LANGUAGE = "other_language"


class AnswerType(Enum):
    """The kind of short answer a question asks for."""

    AMOUNT = "amount"  # how much, what cost/value
    COUNT = "count"  # how many
    PERSON = "person"  # who
    DATE = "date"  # when, what year
    DURATION = "duration"  # how long, how old
    PLACE = "place"  # where, which country or city
    NAME = "name"  # which model/company: a proper name
    REASON = "reason"  # why, how come: one or more sentences, no short answer
    OTHER = "other"


def check_question(question: str) -> str:
    """The question with outer white space removed; BadQuestion if it cannot be asked."""
    if any("\ud800" <= c <= "\udfff" for c in question):
        # Bytes that were not UTF-8 (Python keeps them as lone surrogates): not a question.
        raise BadQuestion(
            "the question is not valid UTF-8 text; type it again or set your terminal to UTF-8."
        )
    if len(question) > MAX_QUESTION_CHARS:
        raise BadQuestion(
            f"the question is {len(question):,} characters long; "
            f"ask it in under {MAX_QUESTION_CHARS:,}."
        )
    controls = sorted({c for c in question if unicodedata.category(c) == "Cc" and c not in "\t\n"})
    if controls:
        shown = ", ".join(ascii(c)[1:-1] for c in controls[:3])
        raise BadQuestion(
            f"the question contains control characters ({shown}); remove them and ask again."
        )
    question = " ".join(question.split())
    if not question:
        raise BadQuestion("the question is empty; type a question about the article.")
    return question


_ABOUT_ASSISTANT = re.compile(
    r"^(?:what (?:can|do) you do|what are you|who are you|what is this|help|how do(?:es)? "
    r"(?:this|it|you) work|what (?:can|should) i ask(?: you)?|what do you know|"
    r"what (?:are|is) you(?:r)? (?:for|purpose))[\s?!.]*$",
    re.IGNORECASE,
)
# Frequent function words of other languages that English does not use as words.
_FOREIGN_WORDS = frozenset(
    "el los las una del por que qué cómo cuánto cuándo quién dónde es está fue para con "
    "le les des est une qui quoi comment combien quand où avec pour dans "
    "der die das und ist wer wie was wann wo warum nicht ein eine mit für von "
    "il gli che chi quanto quando dove perché è sono "
    "o os um uma quem quanto onde não é".split()
)


def intent(question: str) -> Intent:
    """Classify a checked question."""
    if is_small_talk(question):
        return Intent.SMALL_TALK
    if _ABOUT_ASSISTANT.match(question):
        return Intent.ABOUT_ASSISTANT
    letters = [c for c in question if c.isalnum()]
    if not letters:
        return Intent.NOT_A_QUESTION
    if _looks_foreign(question, letters):
        return Intent.OTHER_LANGUAGE
    return Intent.QUESTION


def _looks_foreign(question: str, letters: list[str]) -> bool:
    non_latin = sum(1 for c in letters if c.isalpha() and not _is_latin(c))
    if non_latin > len(letters) / 2:
        return True
    tokens = words(question)
    foreign = sum(1 for t in tokens if t in _FOREIGN_WORDS and t not in STOP_WORDS)
    english = sum(1 for t in tokens if t in STOP_WORDS)
    return len(tokens) >= 3 and foreign >= 2 and foreign > english


def _is_latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "") or char.isdigit()


_TYPE_PATTERNS: list[tuple[AnswerType, re.Pattern[str]]] = [
    (
        AnswerType.REASON,
        re.compile(
            r"^(?:why|how come|for what reason|what (?:made|caused|"
            r"explains?)|how (?:could|can|might|would|will|did|does|do) "
            r"(?:this|that|it|the|its|they)\b)",
            re.I,
        ),
    ),
    (
        AnswerType.PERSON,
        re.compile(
            r"^(?:(?:to|for|with|by|from|of) )?(?:who|whom|whose)\b|"
            r"^(?:which|what) (?:[\w-]+ )?(?:person|"
            r"people|executive|ceo|billionaire|entrepreneur|president|"
            r"leader|general|minister|official|spokesman|spokeswoman|spokesperson|captain|"
            r"coach|player|senator|judge|prosecutor|officer|chairman|premier|secretary|"
            r"bowler|batsman|scientist|professor|doctor|man|woman)\b",
            re.I,
        ),
    ),
    (
        AnswerType.COUNT,
        re.compile(
            r"\bhow (?:many|few)\b|\bnumber of\b|"
            r"^what (?:\w+ )?(?:share|percentage|proportion|per ?cent|percent)\b",
            re.I,
        ),
    ),
    (
        AnswerType.DURATION,
        re.compile(
            r"\bhow (?:long(?! ago\b)|old)\b|\bfor how many (?:days|weeks|months|"
            r"years)\b",
            re.I,
        ),
    ),
    (
        AnswerType.AMOUNT,
        re.compile(
            r"\bhow (?:much|big|large|steep|severe|expensive)\b|"
            r"^(?:what|which) (?:was|is|were|are) (?:the|its|their|[\w.-]+['’]s) "
            r"(?:\w+ ){0,2}(?:cost|price|amount|value|loss|budget|"
            r"revenue|valuation|bill)s?\b|"
            r"^what (?:did|does|do|will|would|could) .+ (?:cost|spend|pay|earn|raise|charge)\b",
            re.I,
        ),
    ),
    (
        AnswerType.DATE,
        re.compile(
            r"^when\b|\bhow long ago\b|\b(?:what|which) (?:year|month|date|day|holiday|season)\b|"
            # "At what local time ...?", "What time did it land?"
            r"\b(?:what|which) (?:\w+ )?time\b|"
            r"\bsince when\b|\bin what year\b",
            re.I,
        ),
    ),
    (
        AnswerType.PLACE,
        re.compile(
            r"^where\b|^(?:in |from )?(?:which|what) (?:country|countries|nation|city|town|"
            r"state|region|province|continent)\b|\bheadquartered\b",
            re.I,
        ),
    ),
    (
        AnswerType.NAME,
        re.compile(
            r"^(?:which|what) (?:\w+ )?(?:name|model|company|firm|"
            r"framework|technology|platform|system|architecture|"
            r"chips?|product|startup|competitor|rival|organi[sz]ation)s?\b|"
            r"\bcalled\b|\bwhat(?: is| was|['’]s) (?:the )?name\b|"
            # "Which TV network ...", "Which party ...": which one, by name.
            r"^(?:in |on |at |from |to |by )?which\b",
            re.I,
        ),
    ),
    (
        # "Do you know who runs Qantas?"; last, since a "who" further in may only say whom the
        # question is about: "How old is the American who was captured?"
        AnswerType.PERSON,
        re.compile(r"\bwho (?:is|was|are|were|founded|started|runs|leads)\b", re.I),
    ),
]


def answer_type(question: str) -> AnswerType:
    """The kind of short answer `question` asks for."""
    asked = without_lead_in(question)
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(asked):
            return kind
    return AnswerType.OTHER


_LEAD_IN = re.compile(
    # "And roughly when was it filmed?"
    r"^(?:and|but|so|then|also|roughly|approximately|exactly)\b,?\s+"
    # "Before this death, when ...", "According to Trounson, which body ..."
    r"|^[^,?]{3,60},\s+(?=(?:who|whom|whose|what|which|when|where|why|how|in|on|at|from|to|by)\b)",
    re.I,
)


def without_lead_in(question: str) -> str:
    """The question from its question word: "And roughly when was it filmed?" → "when was ..."."""
    while True:
        shorter = _LEAD_IN.sub("", question, count=1)
        if shorter == question:
            return question
        question = shorter


_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should|might)"
_FOCUS_PATTERNS = [
    re.compile(r"\bname of (?:the |an? )?(?:[\w.’'-]+['’]s )?([\w-]+(?: [\w-]+)?)", re.I),
    # "What was the satellite released from the payload bay called?"
    re.compile(r"^what " + _AUX + r" (?:the |an? )?([\w-]+)\b.*\bcalled\W*$", re.I),
    re.compile(r"^how (?:many|much) ((?:[\w-]+ ){1,2}?)" + _AUX + r"\b", re.I),
    re.compile(r"^what " + _AUX + r" (?:the |an? )?([\w-]+(?: [\w-]+)?) (?:of|for|behind)\b", re.I),
    re.compile(r"^what " + _AUX + r" [\w.’'-]+['’]s ([\w-]+(?: [\w-]+)?)\W*$", re.I),
    re.compile(r"^(?:which|what) ((?:[\w-]+ ){1,2}?)" + _AUX + r"\b", re.I),
    re.compile(r"^who " + _AUX + r" (?:the |an? )?([\w-]+(?: [\w-]+)?) (?:of|at|behind)\b", re.I),
    # "Who is Australia's Defence Minister?"
    re.compile(r"^who " + _AUX + r" [\w.’'-]+['’]s ([\w-]+(?: [\w-]+)?)\W*$", re.I),
    # "Which FBI agent gave ...": an acronym before the noun says which kind of it.
    re.compile(r"^(?i:which|what) ([A-Z]{2,}[\w-]* [a-z][\w-]*)\b"),
    re.compile(r"^which ([\w-]+)\b", re.I),
]
# "In which city ...", "From what country ...": the preposition is not part of what is asked.
_FOCUS_PREPOSITION = re.compile(
    r"^(?:in|on|at|from|to|by|for|with|into) (?=(?:which|what)\b)", re.I
)
_FRAME = frozenset("name kind sort type part".split())


def focus_words(question: str) -> list[str]:
    """The words naming what is asked for: "How many *employees* does ...", "What is X's *ticker*".

    Empty when the question has no such head noun ("Why ...", "How much did it cost ...").
    """
    asked = _FOCUS_PREPOSITION.sub("", without_lead_in(question))
    for pattern in _FOCUS_PATTERNS:
        match = pattern.search(asked)
        if match:
            found = [w for w in words(match.group(1)) if w not in STOP_WORDS and w not in _FRAME]
            if found:
                return found
    return []


_NAME_WORD = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w’'.-]*[\w])")


def proper_names(question: str) -> list[str]:
    """Capitalised words after the first: names the answer must mention ("Microsoft", "H100")."""
    found = [m.group(1) for m in _NAME_WORD.finditer(question.strip())]
    return [w for w in found if w.lower() not in STOP_WORDS and w.lower() not in NOT_NAMES]


def _without_names(text: str) -> str:
    """`text` with every proper name it uses (and its possessive) taken out."""
    for name in proper_names(text):
        name = POSSESSIVE.sub("", name)
        text = re.sub(rf"\b{re.escape(name)}(?:['’]s)?\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split()) or text


# Words that frame a question rather than say what it is about.
_FRAME_WORDS = frozenset(
    "article story report piece mention mentioned mentions quoted quote happen happened "
    "according said say says think thinks explain explains describe described".split()
)
_FOLLOWING = " (following: "


def _key_terms(text: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for word in content_words(text):
        if word not in _FRAME_WORDS and len(word) > 1:
            found.setdefault(stem(word), word)
    return tuple(found.items())


@dataclass(frozen=True)
class Question:
    """A question as the answer path reads it, parsed once.

    `asked` is the question itself, standing alone (a follow-up's pronouns resolved). A terse
    follow-up ("and the cost?") also carries the question before it as `context`. Retrieval
    (`query`), `key_terms_with_context`, `said` and `unnamed` read both; what kind of answer is
    wanted, about what and whom (`kind`, `focus`, `names`, `key_terms`) comes from `asked` alone.
    """

    asked: str
    context: str = ""

    @property
    def _with_context(self) -> str:
        return f"{self.asked} {self.context}" if self.context else self.asked

    @property
    def query(self) -> str:
        """The text to search with; also what an Answer shows as its `query`."""
        return f"{self.asked}{_FOLLOWING}{self.context})" if self.context else self.asked

    @cached_property
    def kind(self) -> AnswerType:
        """The kind of short answer asked for."""
        return answer_type(self.asked)

    @cached_property
    def focus(self) -> tuple[str, ...]:
        """The words naming what is asked about."""
        return tuple(focus_words(self.asked))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The proper names the question itself uses."""
        return tuple(proper_names(self.asked))

    @cached_property
    def focus_terms(self) -> frozenset[str]:
        """The stems of `focus`."""
        return frozenset(stem(w) for w in self.focus)

    @cached_property
    def asks_for_a_country(self) -> bool:
        """Whether a country is what is asked for ("Which country ...?")."""
        return bool(self.focus_terms & {stem(w) for w in COUNTRY_NOUNS})

    @cached_property
    def name_terms(self) -> frozenset[str]:
        """The stemmed words of the question's own names: what an answer must be about."""
        return frozenset(t for name in self.names for t in terms(name))

    @cached_property
    def key_terms(self) -> tuple[tuple[str, str], ...]:
        """(stem, word) of the words that say what the question itself asks about, once per
        stem: not the words that frame a question ("according", "article"), nor single letters.
        How much each counts (its idf) is the index's to say."""
        return _key_terms(self.asked)

    @cached_property
    def key_terms_with_context(self) -> tuple[tuple[str, str], ...]:
        """`key_terms` of the question and its context: what a terse follow-up is about."""
        return _key_terms(self._with_context)

    @cached_property
    def said(self) -> frozenset[str]:
        """The stems of every content word of the question and its context: an answer that says
        nothing else is no answer ("Who runs Apple?" is not "Apple")."""
        return frozenset(terms(self._with_context))

    @cached_property
    def unnamed(self) -> str:
        """The question and its context with their names taken out: what is asked, of anyone."""
        return " ".join(_without_names(part) for part in (self.asked, self.context) if part)

    @classmethod
    def of(cls, query: str | Question) -> Question:
        """The Question a query text stands for (as `query` writes it), or the Question given."""
        if isinstance(query, Question):
            return query
        asked, following, context = query.partition(_FOLLOWING)
        return cls(asked, context.removesuffix(")") if following else "")
