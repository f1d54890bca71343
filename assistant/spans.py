"""Find short answers inside a sentence: amounts, counts, dates, people, places and names.

Rule-based and pure. Each finder returns spans of the sentence; the answerer picks the span
nearest the words the question and sentence share. Limits: English news conventions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.questions import AnswerType
from index.language import (
    CITY_NOUNS,
    COUNTRY_NOUNS,
    COUNTRY_OF,
    MONTH_NAMES,
    MONTHS,
    NOT_A_NAME,
    POSSESSIVE,
    REGIONS,
)
from index.text import stem

__all__ = [
    "Span",
    "country_of",
    "find_spans",
    "labelled_spans",
    "of_another_kind",
    "quantities",
    "where",
]


@dataclass(frozen=True)
class Span:
    """A candidate short answer: `text == sentence[start:end]`."""

    start: int
    end: int
    text: str
    country: str = ""  # the country a place span names or describes ("Chinese" → "China")
    describes: bool = False  # a country named to describe what follows ("US forces")
    located: str = ""  # "in", "at", "near" or "from": the place is where something is or was

    @property
    def answer(self) -> str:
        """The short answer this span gives."""
        return self.country or self.text


_SCALE = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|[mbk])\b)?"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Approximations are part of the answer ("nearly $600 billion"); "just"/"only" are emphasis.
_ABOUT = (
    r"(?:(?:nearly|about|around|roughly|almost|over|some|more than|less than|fewer than|"
    r"at least|up to)\s)?"
)
_MONEY = re.compile(
    _ABOUT
    + r"(?:(?:US|U\.S\.|A|C|HK|NZ)?[$€£¥]\s?(?:"
    + _NUMBER
    + ")"
    + _SCALE
    + r"|(?:"
    + _NUMBER
    + ")"
    + _SCALE
    + r"\s(?:dollars|euros|pounds|yuan|yen|rupees))"
    + r"|(?:"
    + _NUMBER
    + r")\s?(?:%|per ?cent\b)"
    + r"|\b(?:millions|billions|trillions)(?: of (?:dollars|euros|pounds|yuan))?\b"
)
# What "how much" asks of anything but money: a weight, a length, a volume, time, or a currency
# not written with a symbol ("6,800 kilograms", "some three tonnes", "a million hours").
_UNIT = (
    r"(?:(?:kilo|milli|centi)?(?:grams?|metres?|meters?|litres?|liters?)|kg|km|mm|cm|tonnes?|"
    r"tons?|miles?|hectares?|acres?|hours?|pesos|rupees|rupiah|baht|francs|ringgit|won)\b"
)
_QUANTITY = re.compile(
    _ABOUT
    + r"\b(?:(?:"
    + _NUMBER
    + ")"
    + _SCALE
    + r"|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)"
    + r"(?: (?:hundred|thousand|million|billion))?)[\s-]"
    + _UNIT,
    re.IGNORECASE,
)
_WORD_NUMBER = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundreds|thousands|millions|billions|dozens)"
)
# What a count counts comes with it ("six weeks", "26 people"): a lower-case word after the number
# that is no verb form or function word ("billions spent" counts nothing).
_NOT_COUNTED = (
    r"of|to|in|and|or|a|the|for|on|at|by|as|from|with|more|less|than|spent|said|says|say|"
    r"were|was|are|is|have|has|had|will|would|could|can|may|might|left|went|came|made|took|got"
)
_COUNTED = (
    r"(?:\s?(?:%|per ?cent\b)"
    r"|\s(?!(?:" + _NOT_COUNTED + r")\b)(?:[a-z]{3,}(?<!ed)(?<!ing)\b))?"
)
_COUNT = re.compile(
    _ABOUT
    # Not a number in a name ("B-52", "FA-18").
    + r"(?:(?<![$€£¥\d.,-])\b(?:"
    + _NUMBER
    + ")"
    + _SCALE
    + r"(?:\s(?:or more|or so))?|\b"
    + _WORD_NUMBER
    + r"\b)"
    + _COUNTED,
    re.IGNORECASE,
)
_WEEKDAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATE = re.compile(
    r"(?:mid-|early |late )?" + MONTHS + r"(?:\s\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s(?:1[89]|20)\d{2})?"
    r"|\b\d{1,2}\s" + MONTHS + r"(?:\s(?:1[89]|20)\d{2})?"
    r"|\b(?:early |late |mid-)?(?:1[89]|20)\d{2}s?\b"
    r"|\b(?:(?:last|next|this) )?(?:week|month|year|" + _WEEKDAYS + r")\b(?: (?:morning|"
    r"afternoon|evening|night))?"
    r"|\b(?:(?:later|earlier) )?(?:yesterday|today|tomorrow|tonight)\b"
    r"|\bthis (?:morning|afternoon|evening)\b"
    r"|\b(?:about |around )?\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b(?: [A-Z]{3,4}\b| local time)?"
    r"|\b(?:" + _NUMBER + r"|a|one|two|three|four|five|six|seven|eight|nine|ten|several|a few) "
    r"(?:days|weeks|months|years|hours|decades) ago\b"
    r"|\b(?:Christmas|Easter|New Year(?:'s)?(?: Day| Eve)?)\b"
)
_DURATION = re.compile(
    _ABOUT + r"\b(?:" + _NUMBER + r"|a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"several|a few)(?:\s|-)(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)"
    r"(?:-old| old)?\b|\baged \d+\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:1[89]|20)\d{2}")
_CURRENCY = re.compile(_ABOUT + r"(?:US|U\.S\.|A|C|HK|NZ)?[$€£¥]")
_TITLE = (
    r"(?:President|Prime Minister|Minister|Secretary|Senator|Sen\.|Rep\.|Gov\.|Governor|"
    r"CEO|Chief Executive|Chairman|Chairwoman|Dr\.|Mr\.|Mrs\.|Ms\.|Prof\.|Professor|"
    r"General|Gen\.|King|Queen|Pope|Judge|Justice)"
)
_CAPITALISED = r"[A-Z][\w’'-]*[a-z][\w’'-]*"
# A surname may start with a particle: "Marius duPlessis", "Osama bin Laden", "al-Rantissi".
_SURNAME = r"(?:(?:bin|al|de|van|von|da|du|le)\s|[a-z]{1,3}-?(?=[A-Z]))?" + _CAPITALISED
_PERSON = re.compile(
    r"\b(?:" + _TITLE + r"\s)?" + _CAPITALISED + r"(?:\s(?:[A-Z]\.\s)?" + _SURNAME + r"){1,4}"
    r"|\b" + _TITLE + r"\s" + _CAPITALISED
)
_NAME = re.compile(
    r"\b(?:[A-Z][\w-]*\d[\w-]*|[A-Z][a-z]*[A-Z][\w-]*|[A-Z]{2,}[\w-]*|"
    r"[A-Z][a-z]+(?:\s(?:(?:of|for|the) )*[A-Z][a-z]+)*)\b"
)
_COUNTRY = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(name) for name in sorted(COUNTRY_OF, key=len, reverse=True))
    + r")(?![\w-])"
)
# A capitalised name after "in", "at", "from" or "near" ("based in Hangzhou", "In Brussels, ...",
# "at the Adelaide Oval"), when it is no month or country.
_PLACE_AFTER = re.compile(
    r"\b([Ii]n|[Aa]t|[Ff]rom|[Nn]ear)\s(?:the\s|an?\s)?("
    + _CAPITALISED
    + r"(?:\s"
    + _CAPITALISED
    + r"){0,3})"
)
# A nationality that begins a name is part of it: "the Indian Ocean" is not India, though the
# "US Defence Secretary" is the US's.
_NAME_GOES_ON = re.compile(r"\s[A-Z][a-z]")

_FINDERS: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.AMOUNT: _MONEY,
    AnswerType.COUNT: _COUNT,
    AnswerType.DATE: _DATE,
    AnswerType.DURATION: _DURATION,
    AnswerType.PERSON: _PERSON,
    AnswerType.NAME: _NAME,
}


def find_spans(kind: AnswerType, sentence: str) -> list[Span]:
    """Spans of `sentence` that could answer a question of this kind (none for REASON/OTHER)."""
    if kind is AnswerType.PLACE:
        return _places(sentence)
    pattern = _FINDERS.get(kind)
    if pattern is None:
        return []
    spans = []
    for match in pattern.finditer(sentence):
        text = match.group()
        offset = 0
        if kind in (AnswerType.PERSON, AnswerType.NAME):
            text = POSSESSIVE.sub("", text)
            tokens = text.split(" ")
            # "OpenAI’s Sam Altman" names Sam Altman; "The company" names nobody
            while tokens and (
                tokens[0] in NOT_A_NAME or (len(tokens) > 1 and POSSESSIVE.search(tokens[0]))
            ):
                offset += len(tokens.pop(0)) + 1
            if not tokens or (kind is AnswerType.PERSON and len(tokens) < 2):
                continue
            text = " ".join(tokens)
        if kind is AnswerType.COUNT and (_CURRENCY.match(text) or _YEAR.fullmatch(text)):
            continue
        start = match.start() + offset
        spans.append(Span(start, start + len(text), text))
    return spans


def quantities(sentence: str) -> list[Span]:
    """Measured amounts in `sentence` that are not money."""
    return [Span(m.start(), m.end(), m.group()) for m in _QUANTITY.finditer(sentence)]


# After a country's name, a word it describes ("US Defence Secretary", "US forces"), not one
# that goes on the sentence ("the US and China", "in the US on Monday").
_DESCRIBED = re.compile(
    r"\s+(?!(?:and|or|but|in|on|at|to|for|by|with|as|is|was|are|were|has|had|have|will|would|"
    r"could|said|says|last|this|next)\b)[A-Za-z]"
)


def _places(sentence: str) -> list[Span]:
    found = {
        m.start(): Span(
            m.start(),
            m.end(),
            m.group(),
            COUNTRY_OF[m.group()],
            describes=COUNTRY_OF[m.group()].removeprefix("the ") != m.group()
            and bool(_DESCRIBED.match(sentence, m.end())),
        )
        for m in _COUNTRY.finditer(sentence)
        if COUNTRY_OF[m.group()].removeprefix("the ") == m.group()
        or m.group().replace(".", "").isupper()  # "US Defence Secretary" is of the US
        or not _NAME_GOES_ON.match(sentence, m.end())
    }
    for m in _PLACE_AFTER.finditer(sentence):
        name, at, preposition = m.group(2), m.start(2), m.group(1).lower()
        if at in found:
            found[at] = replace(found[at], located=preposition)
            continue
        # "in DeepSeek’s office" names an owner, not a place.
        owner = POSSESSIVE.search(name)
        if owner or name in NOT_A_NAME or name in MONTH_NAMES:
            continue
        found[at] = Span(at, m.end(2), name, located=preposition)
    return [found[start] for start in sorted(found)]


def where(spans: list[Span], asks_for_a_country: bool, whence: bool = False) -> list[Span]:
    """The place spans that can say where something is or happened: "US Defence Secretary
    Donald Rumsfeld ... in Brussels" happened in Brussels, unless a country is what is asked;
    a place something is in, at or near (or comes from, when that is asked) before one merely
    named."""
    if asks_for_a_country:
        return spans
    plain = [s for s in spans if not s.describes] or spans
    # "Ministers from Australia and Canada are meeting in London" meet in London; where they
    # are from (`whence`) is Australia and Canada.
    located = [s for s in plain if s.located and (s.located == "from") == whence]
    # "crashed in the Indian Ocean near Diego Garcia" crashed in the Indian Ocean.
    inside = [s for s in located if s.located in ("in", "at")]
    return inside or located or plain


# A name: capitalised words or words with digits ("Starshine 2", "FA-18"), joined by "of" or "the"
# ("Federal Bureau of Investigation").
_NAME_WORD = r"(?:[A-Z][\w’'.-]*|[\w-]*\d[\w-]*)"
_NAME_RUN = _NAME_WORD + r"(?:\s(?:(?:of|for|the|de|al)\s)*" + _NAME_WORD + r"){0,5}"
# "the town of Hill Top", "a satellite called Starshine 2", "agent Margaret Cronin".
_NAME_AFTER = re.compile(
    r"(?:\s+(?:of|called|named|known as|dubbed))?,?\s+(?:the\s+)?(" + _NAME_RUN + ")"
)
_TITLED = re.compile(r"(,?)\s(" + _NAME_RUN + ")")
# "FA-18 fighter jets", "a Toowoomba Anglican school": a name, and at most one word, before it.
_NAME_BEFORE = re.compile("(" + _NAME_RUN + r")(?:\s[a-z][\w-]*)?\s$")
_ENDS_NAME = re.compile("(" + _NAME_RUN + r")\s$")
_WORD = re.compile(r"[A-Za-z][\w-]*")
_REACH = 80  # characters before a noun searched for the name it follows


def labelled_spans(sentence: str, nouns: frozenset[str]) -> tuple[list[Span], list[Span]]:
    """Names the sentence labels with one of `nouns` (stems): the surer kind, then the other.

    The answer to "Which town ...?" is the name next to "town". Surer: after it ("the town of
    Hill Top"), or with the noun as its title or last word ("General Richard Myers", "the
    People's Alliance Party"). Less sure: before it ("FA-18 fighter jets").
    """
    after: list[Span] = []
    before: list[Span] = []
    for noun in _WORD.finditer(sentence):
        if stem(noun.group().lower()) not in nouns:
            continue
        start, end = noun.span()
        reach = max(0, start - _REACH)
        if noun.group()[0].isupper() and start > 0:
            titled = _TITLED.match(sentence, end)
            ending = _ENDS_NAME.search(sentence, reach, start)
            if titled:
                # "General Richard Myers" with its title; "the Defence Minister, Robert Hill" not.
                first = titled.start(2) if titled.group(1) else start
                after.append(_name(sentence, first, titled.end(2)))
            elif ending:
                after.append(_name(sentence, ending.start(1), end))
            continue
        following = _NAME_AFTER.match(sentence, end)
        if following:
            # Right after its noun a name starts where it starts: "the tune Tell Them Goodbye".
            after.append(_name(sentence, *following.span(1), leading=_ARTICLES))
        preceding = _NAME_BEFORE.search(sentence, reach, start)
        if preceding:
            before.append(_name(sentence, *preceding.span(1)))
    return [s for s in after if s.text], [s for s in before if s.text]


_ARTICLES = frozenset({"The", "A", "An"})


def _name(sentence: str, start: int, end: int, leading: frozenset[str] = NOT_A_NAME) -> Span:
    """The span of a name, without a sentence's "The" (or other `leading` word) before it, a
    possessive or a full stop after."""
    while end > start and sentence[end - 1] in ".,;:":
        end -= 1
    first = re.match(r"\S+\s*", sentence[start:end])
    while first and first.group().strip() in leading:
        start += first.end()
        first = re.match(r"\S+\s*", sentence[start:end])
    possessive = POSSESSIVE.search(sentence, start, end)
    end = possessive.start() if possessive else end
    return Span(start, end, sentence[start:end])


# Nouns that say what kind of thing a name names ("the DeepSeek-V3 framework").
_CLASS_NOUNS = frozenset(
    stem(w)
    for w in "framework model company firm startup chip chips platform system app technology "
    "product country city agency bank university group".split()
)
_COUNTRY_NOUNS = frozenset(stem(w) for w in COUNTRY_NOUNS)
_CITY_NOUNS = frozenset(stem(w) for w in CITY_NOUNS)
# What a place's name can name: "Which side won?" may be answered by "Australia", "Which
# cities ...?" by "Jerusalem and Haifa".
_PLACE_LIKE = (
    _COUNTRY_NOUNS
    | _CITY_NOUNS
    | frozenset(
        stem(w)
        for w in "team side squad government state nationality place capital suburb village "
        "region province area site venue location".split()
    )
)


def of_another_kind(kind: AnswerType, span: Span, sentence: str, focus: frozenset[str]) -> bool:
    """Whether the span names another kind of thing than the question asks for (`focus`, its
    stems): "the DeepSeek-V3 framework" is no answer to "which model", a country none to "which
    city" or "which company", nor a city to "which country"."""
    if kind is AnswerType.NAME:
        if not focus:
            return False
        if not focus & _PLACE_LIKE and (
            span.text in COUNTRY_OF
            or any(
                p.located in ("in", "at", "near") and p.text == span.text for p in _places(sentence)
            )
        ):
            # "Which TV network ...?" is not answered by "Afghanistan", nor "Which organisation
            # ...?" by the "Islamabad" it works in.
            return True
        following = re.match(r"\s+([a-z]+)", sentence[span.end :])
        if following is None:
            return False
        noun = stem(following.group(1))
        return noun in _CLASS_NOUNS and noun not in focus
    if kind is AnswerType.PERSON:
        # "Who made the video public?" is not answered by the "Kandahar" it was filmed in.
        return any(
            p.located in ("in", "at", "near") and p.text == span.text for p in _places(sentence)
        )
    if kind is AnswerType.PLACE:
        if focus & _CITY_NOUNS:
            # "Which town ...?" is answered by "Millbrook", not the "Queensland" it is in.
            return bool(span.country) or span.text in REGIONS
        if focus & _COUNTRY_NOUNS:
            return not span.country
    return False


def country_of(name: str) -> str:
    """The country a country name or nationality names ("Chinese" → "China"), or ""."""
    return COUNTRY_OF.get(name.strip(), "")
