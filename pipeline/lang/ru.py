"""Russian (Cyrillic; inflected: names and places change their endings by case, so topic terms and aliases
need their case forms or stemming). Words are space-separated.

Lexical data read by `entities/` and `detect/` (see `pipeline/lang/base.py`): titles and honorifics, demonyms,
company suffixes, stop words, calendar words, list separators and sentence breaks. Written for this project.
"""

from __future__ import annotations

import re

from pipeline.lang.base import LanguageData

STOP_WORDS = frozenset(
    """
    а без более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот впрочем все
    всегда всего всех всю вы где да даже два для до другой его ее ей ему если есть еще ж же за зачем
    здесь и из или им иногда их к как какая какой когда конечно кто куда ли лучше между меня мне много
    может можно мой моя мы на над надо наконец нас не него нее ней нельзя нет ни нибудь никогда ним них
    ничего но ну о об один он она они опять от перед по под после потом потому почти при про раз разве с
    сам свою себе себя сейчас со совсем так такой там тебя тем теперь то тогда того тоже только том тот
    три тут ты у уж уже хорошо хоть чего чем через что чтоб чтобы чуть эти этого этой этом этот эту я
    """.split()
)

DATA = LanguageData(
    code="ru",
    name="Russian",
    spacy_models=("ru_core_news_sm",),
    spacy_install="`ru_core_news_sm` (not bundled: English NER runs, the gazetteer finds known names)",
    title_phrases=(
        "господин",
        "госпожа",
        "министр",
        "министр иностранных дел",
        "глава",
        "глава мид",
        "президент",
        "премьер-министр",
        "премьер",
        "посол",
        "спикер",
        "пресс-секретарь",
        "генерал",
        "генсек",
        "генеральный секретарь",
        "замминистра",
        "заместитель",
        "председатель",
        "официальный представитель",
        "советник",
        "лидер",
    ),
    short_honorifics=frozenset([]),
    title_qualifier=re.compile("^(?:[А-ЯЁ][а-яё]+(?:ский|ская|ского|ской)|[А-ЯЁ]{2,6})$"),
    title_qualifier_words=frozenset(["китая", "мьянмы", "россии"]),
    title_words_kept=frozenset(["асеан", "кремль", "мид", "оон"]),
    function_words=frozenset(
        ["а", "в", "во", "для", "до", "за", "и", "из", "к", "на", "о", "об", "от", "по", "с", "со", "у"]
    ),
    demonyms=frozenset(
        [
            "американец",
            "американцы",
            "вьетнамец",
            "вьетнамцы",
            "индонезиец",
            "индонезийцы",
            "китаец",
            "китайцы",
            "мьянманец",
            "мьянманцы",
            "россияне",
            "россиянин",
            "русские",
            "русский",
            "таец",
            "тайцы",
        ]
    ),
    corporate_suffix=re.compile(",?\\s+(?:ООО|ОАО|ПАО|АО|ЗАО)\\.?$"),
    acronym_stop_words=frozenset(["в", "для", "и", "на", "по"]),
    calendar_words=frozenset(
        [
            "август",
            "августа",
            "апрель",
            "апреля",
            "воскресенье",
            "вторник",
            "декабрь",
            "декабря",
            "июль",
            "июля",
            "июнь",
            "июня",
            "май",
            "март",
            "марта",
            "мая",
            "ноябрь",
            "ноября",
            "октябрь",
            "октября",
            "понедельник",
            "пятница",
            "сентябрь",
            "сентября",
            "среда",
            "суббота",
            "февраль",
            "февраля",
            "четверг",
            "январь",
            "января",
        ]
    ),
    stop_words=STOP_WORDS,
    sentence_end=frozenset(["!", ".", ";", "?", "…"]),
    list_separator=re.compile("\\s*(?:[,;/]\\s*)?(?:(?:и|или|а также)\\s+)?", re.IGNORECASE),
    sentence_break=re.compile("[.!?…][\\\"'»”’)\\]]*\\s+(?=[A-ZА-ЯЁ\\\"«“‘'(])|\\n"),
    snowball="russian",
    statistical_ner=False,
    # noun and adjective case endings (names: Лавров-а/-у/-ым, Мьянм-ы/-е/-у/-ой, Джакарт-е/-у, Росси-и/-ю/-ей)
    case_endings=frozenset(
        "а я о е и ы у ю ь й ой ей ом ем ою ею ам ям ах ях ами ями ов ев ым им ых их ого его ому ему ую юю ая яя ое ее "
        "ые ие ий ый".split()
    ),
    lemma_endings=frozenset("а я о е и ы й ь ий ый ой ая яя ое ее ые ие".split()),
)
