"""Search in every desk language against the real node (test distribution: `standard` only): articles built by
`documents.article_doc` from normalised articles whose language is identified from their text, then found by a word
of that language, filtered and faceted by `--lang`. Every sentence is written for this test."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipeline.core.records import Article
from pipeline.index import store
from pipeline.index.documents import Enriched, article_doc
from pipeline.ingest.langid import identify
from pipeline.search.query import SearchRequest
from pipeline.search.service import search

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

# lang -> (title, text, a word of that language inside the text, as a reader would type it)
ARTICLES: dict[str, tuple[str, str, str]] = {
    "ru": ("Министр прибыл в Джакарту", "Глава МИД встретился с коллегами из стран АСЕАН и обсудил помощь Мьянме.",
           "Мьянме"),
    "zh": ("外长抵达雅加达", "外交部长会见东盟各国同行，讨论向缅甸提供援助。", "缅甸"),
    "ja": ("外相がジャカルタ到着", "外務大臣は東南アジア諸国の外相と会談し、ミャンマーへの支援を協議した。",
           "ミャンマー"),
    "th": ("รัฐมนตรีเดินทางถึงจาการ์ตา", "รัฐมนตรีต่างประเทศหารือกับอาเซียนเรื่องความช่วยเหลือแก่เมียนมา", "เมียนมา"),
    "my": ("ဝန်ကြီး ဂျကာတာသို့ရောက်ရှိ", "နိုင်ငံခြားရေးဝန်ကြီးသည် အာဆီယံဝန်ကြီးများနှင့်တွေ့ဆုံပြီး မြန်မာနိုင်ငံအကူအညီကိုဆွေးနွေးသည်။",
           "မြန်မာ"),
    "id": ("Menteri tiba di Jakarta", "Menteri Luar Negeri bertemu rekan-rekan ASEAN karena pemerintah ingin "
           "membahas bantuan untuk Myanmar.", "bantuan"),
    "vi": ("Bộ trưởng đến Jakarta", "Bộ trưởng Ngoại giao gặp các đồng nghiệp ASEAN để thảo luận viện trợ cho "
           "Myanmar.", "viện trợ"),
    "fr": ("Le ministre arrive à Jakarta", "Le ministre des Affaires étrangères a rencontré ses homologues de "
           "l'ASEAN pour discuter de l'aide au Myanmar.", "homologues"),
    "ar": ("الوزير يصل إلى جاكرتا", "التقى وزير الخارجية نظراءه في رابطة آسيان لبحث المساعدات إلى ميانمار.",
           "ميانمار"),
}  # fmt: skip


def make_article(lang: str, title: str, text: str) -> Article:
    guess = identify(f"{title}\n{text}")
    return Article(id=f"ml-{lang}", url=f"https://{lang}.example.org/a", title=title, text=text,
                   published_at=NOW, fetched_at=NOW, source_name=f"{lang} desk", source_domain=f"{lang}.example.org",
                   feed_name=f"{lang} desk", language=guess.code)  # fmt: skip


@pytest.fixture(scope="module")
def ml_index(es: Elasticsearch) -> Any:
    names = store.IndexNames("test-ml-search")
    store.delete_indices(es, names)
    store.ensure_indices(es, names)
    docs = [article_doc(Enriched(make_article(lang, t, x), story_id=f"s-{lang}"), ingested_at=NOW)
            for lang, (t, x, _) in ARTICLES.items()]  # fmt: skip
    outcome = store.bulk(es, store.upsert_actions(names.articles_write, docs), refresh=True)
    assert outcome.count("created") == len(docs), outcome.errors
    yield names.articles
    store.delete_indices(es, names)


def ids(es: Elasticsearch, index: str, **kw: Any) -> set[str]:
    result = search(es, index, SearchRequest(size=50, **kw), NOW)
    return {h.id for h in result.hits}


def test_language_is_identified_and_stored(es: Elasticsearch, ml_index: str) -> None:
    result = search(es, ml_index, SearchRequest(size=50, facet_size=50), NOW)
    assert {h.id: h.language for h in result.hits} == {f"ml-{lang}": lang for lang in ARTICLES}
    assert dict(result.facets["languages"]) == {lang: 1 for lang in ARTICLES}


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_a_word_of_each_language_finds_its_article(es: Elasticsearch, ml_index: str, lang: str) -> None:
    word = ARTICLES[lang][2]
    assert f"ml-{lang}" in ids(es, ml_index, query=word)


@pytest.mark.parametrize("lang", ["th", "my"])
def test_words_inside_unspaced_runs_are_found(es: Elasticsearch, ml_index: str, lang: str) -> None:
    """The word is in the middle of a run that `standard` keeps as one token: found through `search_text`."""
    word = ARTICLES[lang][2]
    text = ARTICLES[lang][1]
    run = next(tok for tok in text.split() if word in tok)
    assert run != word  # really inside a longer run
    assert ids(es, ml_index, query=word) == {f"ml-{lang}"}
    assert ids(es, ml_index, query=f'"{word}"') == {f"ml-{lang}"}  # typed as a phrase
    assert ids(es, ml_index, query=f"{word} -zzz") == {f"ml-{lang}"}  # with operators


def test_a_word_not_in_the_text_finds_nothing(es: Elasticsearch, ml_index: str) -> None:
    assert ids(es, ml_index, query="ลาว") == set()  # Laos (Thai): not in any article
    assert ids(es, ml_index, query="ထိုင်း") == set()  # Thailand (Burmese)


def test_lang_filters_and_facets(es: Elasticsearch, ml_index: str) -> None:
    assert ids(es, ml_index, query="Myanmar", languages=["fr"]) == {"ml-fr"}
    assert ids(es, ml_index, query="Myanmar") == {"ml-id", "ml-vi", "ml-fr"}
    assert ids(es, ml_index, languages=["ru", "zh"]) == {"ml-ru", "ml-zh"}
    result = search(es, ml_index, SearchRequest(query="Jakarta", languages=["id", "vi", "FR"], facet_size=50), NOW)
    assert dict(result.facets["languages"]) == {"id": 1, "vi": 1, "fr": 1}
