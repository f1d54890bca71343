"""The English and news knowledge the other modules share, each piece in one place.

Countries and the adjectives news uses for them, states, month names, the possessive ending,
names the news uses interchangeably, and capitalised words that are not names. Plain data and
one pattern: nothing here decides anything.
"""

from __future__ import annotations

import re

__all__ = [
    "CITY_NOUNS",
    "COUNTRY_NOUNS",
    "COUNTRY_OF",
    "INTERCHANGEABLE",
    "MONTHS",
    "MONTH_NAMES",
    "NOT_A_NAME",
    "NOT_NAMES",
    "POSSESSIVE",
    "REGIONS",
]

# A possessive ending ("DeepSeek’s").
POSSESSIVE = re.compile(r"['’]s$")

# Names the news uses interchangeably.
INTERCHANGEABLE = {"america": "usa", "american": "usa", "americans": "usa", "chinese": "china"}

# The countries news names most, with the adjectives it uses for them: enough to tell a country
# from a city, not a gazetteer.
COUNTRY_OF = {
    "Chinese": "China", "American": "the United States", "U.S.": "the United States",
    "US": "the United States", "USA": "the United States", "America": "the United States",
    "United States": "the United States", "British": "the United Kingdom",
    "UK": "the United Kingdom", "U.K.": "the United Kingdom", "Britain": "the United Kingdom",
    "United Kingdom": "the United Kingdom", "French": "France", "German": "Germany",
    "Japanese": "Japan", "Indian": "India", "Russian": "Russia", "South Korean": "South Korea",
    "Korean": "Korea", "Taiwanese": "Taiwan", "Canadian": "Canada", "Australian": "Australia",
    "Italian": "Italy", "Spanish": "Spain", "Dutch": "the Netherlands", "Swiss": "Switzerland",
    "Swedish": "Sweden", "Israeli": "Israel", "Iranian": "Iran", "Brazilian": "Brazil",
    "Mexican": "Mexico", "Saudi": "Saudi Arabia", "Turkish": "Turkey", "Ukrainian": "Ukraine",
    "Polish": "Poland", "Irish": "Ireland", "Singaporean": "Singapore",
    "Afghan": "Afghanistan", "Pakistani": "Pakistan", "Palestinian": "the Palestinian territories",
    "Iraqi": "Iraq", "Syrian": "Syria", "Lebanese": "Lebanon", "Egyptian": "Egypt",
    "Libyan": "Libya", "Sudanese": "Sudan", "Somali": "Somalia", "Ethiopian": "Ethiopia",
    "Kenyan": "Kenya", "Nigerian": "Nigeria", "South African": "South Africa",
    "Zimbabwean": "Zimbabwe", "Ghanaian": "Ghana", "Indonesian": "Indonesia",
    "Malaysian": "Malaysia", "Thai": "Thailand", "Vietnamese": "Vietnam",
    "Filipino": "the Philippines", "Cambodian": "Cambodia", "Burmese": "Burma",
    "Bangladeshi": "Bangladesh", "Sri Lankan": "Sri Lanka", "Nepalese": "Nepal",
    "New Zealand": "New Zealand", "Fijian": "Fiji", "Papua New Guinean": "Papua New Guinea",
    "Solomon Islands": "the Solomon Islands", "East Timorese": "East Timor",
    "North Korean": "North Korea", "Argentine": "Argentina", "Argentinian": "Argentina",
    "Chilean": "Chile", "Peruvian": "Peru", "Colombian": "Colombia", "Venezuelan": "Venezuela",
    "Cuban": "Cuba", "Greek": "Greece", "Portuguese": "Portugal", "Belgian": "Belgium",
    "Austrian": "Austria", "Norwegian": "Norway", "Danish": "Denmark", "Finnish": "Finland",
    "Czech": "the Czech Republic", "Hungarian": "Hungary", "Romanian": "Romania",
    "Serbian": "Serbia", "Croatian": "Croatia", "Bosnian": "Bosnia", "Algerian": "Algeria",
    "Moroccan": "Morocco", "Kuwaiti": "Kuwait", "Yemeni": "Yemen", "Uzbek": "Uzbekistan",
    "Tajik": "Tajikistan", "Yugoslav": "Yugoslavia", "Barbadian": "Barbados",
    "Botswanan": "Botswana",
}  # fmt: skip
COUNTRY_OF |= {country.removeprefix("the "): country for country in COUNTRY_OF.values()}
COUNTRY_OF |= {c: c for c in ("Korea", "Netherlands", "Hong Kong", "Philippines")}

# States and territories: places, but no answer to "Which town ...?". Not those that name a city
# too (New York, Washington) or a country (Georgia).
REGIONS = frozenset(
    (
        "New South Wales|Victoria|Queensland|Tasmania|South Australia|Western Australia|"
        "Northern Territory|Australian Capital Territory|NSW|ACT|"
        "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|"
        "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
        "Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
        "New Hampshire|New Jersey|New Mexico|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|"
        "Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|"
        "Virginia|West Virginia|Wisconsin|Wyoming"
    ).split("|")
)

# Nouns that ask for a country or a city ("Which country...").
COUNTRY_NOUNS = ("country", "countries", "nation", "nations")
CITY_NOUNS = ("city", "cities", "town", "towns")

MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
MONTH_NAMES = frozenset(re.sub(r"[()?:\\.]", " ", MONTHS).replace("|", " ").split())

# Capitalised words that start sentences or name groups rather than people.
NOT_A_NAME = frozenset(
    "The A An This That These Those It Its He She They We In On At For But And Or As Despite "
    "However Overall While When After Before Although Many Some Other Others Chinese American "
    "AI US U.S. Inc Corp Ltd Co Which What Who Whom Whose How Why Where Did Does Do Is Are Was "
    "Were Has Have Had Can Could Will Would Should Tell Please".split()
)

# Capitalised, but adjectives or acronyms an article may well paraphrase.
NOT_NAMES = frozenset(
    "i ai ceo american americans chinese british french german japanese indian "
    "russian korean western eastern".split()
)
