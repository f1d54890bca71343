"""The short answer taken from the reranker's reading of a sentence (answerers/verdict.py).

The judgements here are written by hand, token by token, so that each test says exactly where the
model points; what the shipped model points at is tested in test_reranker.py.
"""

import re

from assistant.answer import Hit
from assistant.answerers.verdict import verdicts
from assistant.questions import Question
from assistant.reranker import Judgement
from index.lexical import StoredSentence


class _Vocabulary:
    def idf(self, term: str) -> float:
        return 1.0

    def mentions(self, term: str) -> bool:
        return True

    def document_mentions(self, document: str, term: str) -> bool:
        return True


def _judged(text: str, starts: dict[str, float], ends: dict[str, float]) -> Hit:
    """A hit on `text` whose judgement gives each listed word that start / end logit (else 0)."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\w+", text)]
    judgement = Judgement(
        relevance=3.0,
        starts=tuple((a, b, starts.get(word, 0.0)) for a, b, word in tokens),
        ends=tuple((a, b, ends.get(word, 0.0)) for a, b, word in tokens),
        no_answer=1.0,
    )
    sentence = StoredSentence("trial", 2, 1, 0, len(text), text)
    return Hit(sentence, "Trial ends", 1.0, 0.5, 1.0, judgement=judgement)


def _short(question: str, hit: Hit) -> str | None:
    (verdict,) = verdicts(Question(question), [hit], _Vocabulary())
    return verdict.span.answer if verdict.span else None


def test_a_title_before_a_name_does_not_count_against_it() -> None:
    # The model points at "Richard Curtis"; the name as found carries the title "Justice", whose
    # start logit is low. Scored from its first token, the name would lose to "Roy Whiting".
    text = "Roy Whiting was sentenced by Justice Richard Curtis at Lewes Crown Court."
    hit = _judged(text, starts={"Richard": 8.0, "Roy": 5.0}, ends={"Curtis": 6.0, "Whiting": 6.0})
    assert _short("Who presided over the trial?", hit) == "Justice Richard Curtis"


def test_a_country_question_is_not_answered_with_another_kind_of_name() -> None:
    text = "Taking over are Russian commander Yuri Onufrienko and US astronaut Carl Walz."
    hit = _judged(text, starts={"Carl": 9.0, "Russian": 4.0}, ends={"Walz": 9.0, "Russian": 4.0})
    assert _short("Which country is the commander from?", hit) == "Russia"


def test_a_which_question_is_answered_with_the_name_the_sentence_gives_that_noun() -> None:
    # The model points hardest at "Brisbane"; the sentence calls "Ridgeway" the town.
    text = "Crews from Brisbane were sent to the town of Ridgeway as the fire spread north."
    hit = _judged(
        text, starts={"Brisbane": 7.0, "Ridgeway": 4.0}, ends={"Brisbane": 7.0, "Ridgeway": 4.0}
    )
    assert _short("Which town did the fire threaten?", hit) == "Ridgeway"
    # A question asking for no kind of name keeps the model's choice.
    assert _short("Where were the crews from?", hit) == "Brisbane"


def test_the_margin_stays_the_models_when_a_labelled_name_is_chosen() -> None:
    text = "Crews from Brisbane were sent to the town of Ridgeway as the fire spread north."
    hit = _judged(
        text, starts={"Brisbane": 7.0, "Ridgeway": 4.0}, ends={"Brisbane": 7.0, "Ridgeway": 4.0}
    )
    (labelled,) = verdicts(Question("Which town did the fire threaten?"), [hit], _Vocabulary())
    (unlabelled,) = verdicts(Question("Which place did the fire threaten?"), [hit], _Vocabulary())
    assert labelled.span is not None and unlabelled.span is not None
    assert (labelled.span.text, unlabelled.span.text) == ("Ridgeway", "Brisbane")
    assert labelled.span_margin == unlabelled.span_margin == 7.0 + 7.0 - 1.0


def test_a_count_of_people_is_not_answered_with_hours_nor_with_a_models_number() -> None:
    text = "Bank staff struck for 24 hours, grounding B-52 crews."
    hit = _judged(text, starts={"24": 6.0, "52": 5.0}, ends={"hours": 6.0, "crews": 5.0})
    assert _short("How many staff are on strike?", hit) is None
    assert _short("For how many hours did staff strike?", hit) == "24 hours"


def test_a_named_officeholder_after_a_comma() -> None:
    text = "The Health Minister, Ana Ruiz, says Tom Berg will reopen the clinics."
    hit = _judged(text, starts={"Tom": 6.0, "Ana": 2.0}, ends={"Berg": 6.0, "Ruiz": 2.0})
    assert _short("Who is Spain's Health Minister?", hit) == "Ana Ruiz"


def test_how_much_of_a_measure_is_a_quantity_and_of_money_is_money() -> None:
    text = "The probe, which cost $40 million, weighed 3,200 kilograms at launch."
    # The model points at the weight; a question about money is still answered with money.
    hit = _judged(text, starts={"40": 5.0, "3": 6.0}, ends={"million": 5.0, "kilograms": 6.0})
    assert _short("How much did the probe weigh?", hit) == "3,200 kilograms"
    assert _short("How much did the probe cost?", hit) == "$40 million"


def test_a_country_is_no_answer_to_which_company_but_may_be_to_which_side() -> None:
    text = "Ruiz joined Orbit Labs after Australia beat Spain in the final."
    hit = _judged(
        text, starts={"Australia": 7.0, "Orbit": 4.0}, ends={"Australia": 7.0, "Labs": 4.0}
    )
    assert _short("Which company did Ruiz join?", hit) == "Orbit Labs"
    assert _short("Which side won the final?", hit) == "Australia"


def test_a_count_is_the_one_of_what_was_asked() -> None:
    text = "Police said 12 arrests were made after 3,000 fans rushed the ground."
    hit = _judged(text, starts={"12": 7.0, "3": 4.0}, ends={"arrests": 7.0, "fans": 4.0})
    assert _short("How many fans were there?", hit) == "3,000 fans"
    assert _short("How many arrests were made?", hit) == "12 arrests"


def test_where_is_the_city_the_sentence_calls_a_capital_not_the_country_describing_it() -> None:
    text = "She received the award in the Ghanaian capital, Accra, on Monday."
    hit = _judged(
        text, starts={"Ghanaian": 7.0, "Accra": 4.0}, ends={"Ghanaian": 7.0, "Accra": 4.0}
    )
    assert _short("Where did she receive the award?", hit) == "Accra"
    assert _short("Which country was the award given in?", hit) == "Ghana"


def test_several_names_when_several_are_asked_for() -> None:
    text = "The group suspended Fiji and Pakistan, and Ana Ruiz and Tom Berg chaired it."
    hit = _judged(text, starts={"Fiji": 6.0, "Ana": 6.0}, ends={"Fiji": 6.0, "Ruiz": 6.0})
    assert _short("Which countries were suspended?", hit) == "Fiji and Pakistan"
    assert _short("Which country was suspended first?", hit) == "Fiji"
    assert _short("Who chaired the group?", hit) == "Ana Ruiz and Tom Berg"
    assert _short("Who is the chair?", hit) == "Ana Ruiz"


def test_where_is_a_place_something_is_in_before_one_merely_named() -> None:
    text = "Ministers from Canada and Kenya are meeting in London to discuss the crisis."
    hit = _judged(text, starts={"Canada": 7.0, "London": 4.0}, ends={"Canada": 7.0, "London": 4.0})
    assert _short("Where are the ministers meeting?", hit) == "London"
    assert _short("Where are the ministers from?", hit) == "Canada"


def test_an_organisation_is_not_the_city_it_works_in_but_a_city_is_a_city() -> None:
    text = "Officials in Geneva said the Red Cross is visiting prisoners in Kabul and Herat."
    hit = _judged(text, starts={"Geneva": 7.0, "Red": 4.0}, ends={"Geneva": 7.0, "Cross": 4.0})
    assert _short("Which organisation is visiting the prisoners?", hit) == "Red Cross"
    assert _short("In which cities are prisoners being visited?", hit) == "Geneva"


def test_where_something_is_in_before_what_it_is_near_and_who_is_no_place() -> None:
    crash = "The jet crashed in the Coral Sea near Willis Island."
    hit = _judged(crash, starts={"Willis": 7.0, "Coral": 4.0}, ends={"Island": 7.0, "Sea": 4.0})
    assert _short("Where did the jet crash?", hit) == "Coral Sea"
    report = "Navy officials in Cairns said the jet was lost."
    hit = _judged(report, starts={"Cairns": 8.0, "Navy": 1.0}, ends={"Cairns": 8.0})
    assert _short("Who reported the crash?", hit) != "Cairns"


def test_the_name_given_a_word_the_news_uses_for_what_is_asked() -> None:
    text = "Ruiz told Channel Nine that Tom Berg would play."
    hit = _judged(text, starts={"Tom": 7.0, "Channel": 4.0}, ends={"Berg": 7.0, "Nine": 4.0})
    assert _short("Which TV network did Ruiz speak to?", hit) == "Channel Nine"


def test_a_song_s_name_keeps_its_first_word_and_a_state_is_no_town() -> None:
    text = "The crew woke to the tune Tell Them Goodbye, by the group Halo."
    hit = _judged(text, starts={"Them": 7.0, "Halo": 4.0}, ends={"Goodbye": 7.0, "Halo": 4.0})
    assert _short("Which song woke the crew?", hit) == "Tell Them Goodbye"
    fire = "As blazes burn in Queensland, crews were called to a new fire at Millbrook."
    hit = _judged(fire, starts={"Queensland": 7.0, "Millbrook": 4.0}, ends={"Queensland": 7.0})
    assert _short("Which town had a new fire?", hit) == "Millbrook"
    assert _short("Where are blazes burning?", hit) == "Queensland"
