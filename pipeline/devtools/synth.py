"""Synthetic news for `newsmon bench`: an English generator and one per desk language, plus the language mix.

- `synth_item(rng, i, topical_rate)`: one English item, exactly as the bench has always generated it (the same
  output for a seed, so English figures stay comparable across versions).
- `synth_lang_item(code, rng, i, topical_rate)`: one item in another desk language (ru zh ja my th id ms vi fr
  ar): topical items carry sentences naming the desk's actors and places in that language and script (Russian in
  case forms), the rest is filler of function words and pseudo-words built from that script's syllables; the
  unspaced scripts (zh, ja, th, my) get filler without spaces between words.
- `generate(items, topical_rate, seed, langs=None)`: the corpus. Without a mix every item is English and the
  items are unchanged dicts `{"title", "text", "link"}`; with a mix each item's language is drawn from its own
  random stream by the shares and the item carries `"lang"`. The first n items are the same for any corpus
  length (the bench's naive baseline reruns a prefix).
- `parse_langs("en=0.5,ru=0.1,...")` or `parse_langs("desk")` (`DESK_MIX`): shares normalised to sum 1;
  `LangsError` names the part that is wrong. `allocate_feeds` gives each language its own feeds.

Every phrase below is written for this generator (none comes from a real article).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

# ------------------------------------------------------------------ English (unchanged output for a seed)

_PEOPLE = ["Sergei Lavrov", "Maria Zakharova", "Min Aung Hlaing", "Aung San Suu Kyi", "Dmitry Peskov",
           "Vladimir Putin", "Anwar Ibrahim", "Prabowo Subianto", "Kao Kim Hourn", "Vassily Nebenzia"]
_PLACES = ["Naypyidaw", "Yangon", "Mandalay", "Moscow", "Jakarta", "Kuala Lumpur", "Vientiane", "Manila",
           "Sagaing", "Rakhine State", "Bangkok", "Hanoi"]
_TOPICAL = {
    "myanmar": ["Myanmar's military government", "the junta in Naypyidaw", "the Arakan Army",
                "resistance forces in Sagaing", "the National Unity Government", "Rohingya repatriation",
                "airstrikes in Myanmar", "Myanmar's election plan"],
    "asean": ["ASEAN foreign ministers", "the ASEAN summit", "the ASEAN chair", "the five-point consensus",
              "an ASEAN joint communique", "the ASEAN Secretariat", "ASEAN leaders"],
    "russian_diplomacy": ["Russian Foreign Minister Sergei Lavrov", "the Russian Foreign Ministry",
                          "Kremlin spokesman Dmitry Peskov", "Russia's ambassador", "talks in Moscow",
                          "Zakharova told a briefing", "the UN Security Council"],
}
_ACTS = ["held talks with", "met", "signed an agreement with", "discussed cooperation with", "issued a statement on",
         "called for dialogue with", "reviewed relations with", "hosted a delegation from"]
_FUNCTION = ("the a of to in and on for with that said by as at from was were is are has have will would "
             "after before over under new more than about but not also its their").split()
_SYLLABLES = ("ka ri to na me lo su pa de vi ro an el mo ta ne si ru ba le ko mi da ze po ga".split())
_OFFTOPIC_TITLES = ["Stocks edge higher as investors weigh earnings", "Storm brings heavy rain to coastal towns",
                    "City council approves new transit budget", "Local team wins championship final",
                    "New museum exhibition opens to the public", "Central bank keeps rates unchanged"]


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Pseudo-words standing in for the long tail of news vocabulary (real articles rarely share sentences)."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


_VOCAB = _vocabulary(random.Random(12345))


NAMED_SENTENCE_RATE = 0.8  # share of filler sentences naming someone or something (real news: ~3 in 4)


def _sentence(rng: random.Random, n: int) -> str:
    """A filler sentence: capitalised, and like most news sentences it usually names a person, place or body
    (capitalised pseudo-words), so NER cannot skip it."""
    words = [rng.choice(_FUNCTION) if rng.random() < 0.45 else rng.choice(_VOCAB) for _ in range(n)]
    if rng.random() < NAMED_SENTENCE_RATE:
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(1, n)] = rng.choice(_VOCAB).capitalize()
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _filler(rng: random.Random) -> str:
    """2-5 lowercase words of the story's own (function and long-tail) vocabulary."""
    return " ".join(rng.choice(_FUNCTION) if rng.random() < 0.45 else rng.choice(_VOCAB)
                    for _ in range(rng.randint(2, 5)))


def synth_item(rng: random.Random, i: int, topical_rate: float) -> dict[str, str]:
    """One synthetic news item: title, summary of lognormal length (median ~150 words), link.

    Topical items carry 2-4 sentences with the desk's actors, places and diplomatic acts; the rest of every
    item is drawn from a large vocabulary so that different items do not look like copies of each other.
    """
    words = max(40, int(rng.lognormvariate(5.0, 0.35)))  # median e^5 ~ 148 words
    topical = rng.random() < topical_rate
    parts: list[str] = []
    if topical:
        topic = rng.choice(list(_TOPICAL))
        phrase = rng.choice(_TOPICAL[topic])
        title = f"{phrase[0].upper()}{phrase[1:]} {_filler(rng)} {rng.choice(_PLACES)}"
        for _ in range(rng.randint(2, 4)):
            actor = rng.choice(_TOPICAL[topic])
            # the desk's names and acts, with the story's own words around them (as in real reports)
            parts.append(f"{actor[0].upper()}{actor[1:]} {_filler(rng)} {rng.choice(_ACTS)} {rng.choice(_PEOPLE)} "
                         f"{_filler(rng)} in {rng.choice(_PLACES)} {_filler(rng)}.")
    else:
        title = rng.choice(_OFFTOPIC_TITLES)
    while sum(len(p.split()) for p in parts) < words:
        parts.insert(rng.randint(0, len(parts)), _sentence(rng, rng.randint(8, 22)))
    text = " ".join(" ".join(parts).split()[:words])
    return {"title": f"{title} #{i}", "text": text, "link": f"https://bench.example/{i // 1000}/story-{i}.html"}


# ------------------------------------------------------------------ other desk languages


@dataclass(frozen=True)
class Kit:
    """One language's generator data. `template` builds a topical sentence from {actor} (a topical phrase),
    {act}, {person}, {place} and filler {f1} {f2} {f3}; people and places are in the form the template's slot
    needs (Russian: instrumental after "с", prepositional after "в")."""

    code: str
    topical: Mapping[str, tuple[str, ...]]
    people: tuple[str, ...]
    places: tuple[str, ...]
    acts: tuple[str, ...]
    template: str
    offtopic: tuple[str, ...]
    function: tuple[str, ...]
    syllables: tuple[str, ...]
    spaced: bool = True  # words separated by spaces
    joiner: str = " "  # between sentences (and title parts)
    end: str = "."
    chars_per_word: float = 1.0  # unspaced scripts: characters of text standing for one English word
    word_syllables: tuple[int, int] = (2, 4)


def _t(s: str) -> tuple[str, ...]:
    """A tuple from a |-separated string (keeps the tables below compact)."""
    return tuple(p.strip() for p in s.split("|"))


KITS: dict[str, Kit] = {k.code: k for k in (
    Kit(
        code="ru",
        topical={
            "myanmar": _t("военные власти Мьянмы | хунта в Нейпьидо | армия Мьянмы | вооружённая оппозиция Мьянмы "
                          "| правительство национального единства Мьянмы | возвращение беженцев рохинджа в Мьянму "
                          "| авиаудары по северу Мьянмы | выборы в Мьянме"),
            "asean": _t("министры иностранных дел стран АСЕАН | саммит АСЕАН | председательство в АСЕАН "
                        "| консенсус АСЕАН из пяти пунктов | совместное заявление АСЕАН | секретариат АСЕАН "
                        "| лидеры государств АСЕАН"),
            "russian_diplomacy": _t("министр иностранных дел России Сергей Лавров | МИД России "
                                    "| официальный представитель МИД РФ Мария Захарова | российские дипломаты "
                                    "| глава МИД Лавров | Захарова на брифинге | посольство России"),
        },
        people=_t("Сергеем Лавровым | Марией Захаровой | Мин Аун Хлайном | Аун Сан Су Чжи | Дмитрием Песковым "
                  "| Владимиром Путиным | Анваром Ибрагимом | Прабово Субианто"),
        places=_t("Нейпьидо | Янгоне | Мандалае | Москве | Джакарте | Куала-Лумпуре | Вьентьяне | Маниле "
                  "| Бангкоке | Ханое"),
        acts=_t("провёл переговоры с | встретился с | подписал соглашение с | обсудил сотрудничество с "
                "| провёл консультации с"),
        template="{actor} {f1} {act} {person} {f2} в {place} {f3}.",
        offtopic=_t("Биржевые индексы немного выросли | Ливни затопили прибрежные посёлки "
                    "| Городской совет утвердил бюджет на транспорт | Местная команда выиграла финал "
                    "| В музее открылась новая выставка | Центробанк сохранил ключевую ставку"),
        function=_t("и | в | на | с | по | о | что | не | к | из | за | от | для | как | это | его | при | был "
                    "| были | будет | также | после | до | более | чем | но | уже | который | этот"),
        syllables=_t("ка | ри | то | на | ме | ло | су | па | де | ви | ро | ан | ел | мо | та | не | си | ру | ба "
                     "| ле | ко | ми | да | зе | по | га | ст | ов | ск | ну"),
    ),
    Kit(
        code="zh",
        topical={
            "myanmar": _t("缅甸军政府 | 内比都军方 | 缅甸军队 | 缅甸民地武 | 缅甸民族团结政府 | 罗兴亚难民返回缅甸 "
                          "| 缅甸北部空袭 | 缅甸大选"),
            "asean": _t("东盟外长 | 东盟峰会 | 东盟轮值主席国 | 东盟五点共识 | 东盟联合声明 | 东盟秘书处 | 东盟领导人"),
            "russian_diplomacy": _t("俄罗斯外长拉夫罗夫 | 俄罗斯外交部 | 俄外交部发言人扎哈罗娃 | 俄罗斯外交官 "
                                    "| 拉夫罗夫 | 扎哈罗娃 | 俄罗斯驻华大使"),
        },
        people=_t("拉夫罗夫 | 扎哈罗娃 | 敏昂莱 | 昂山素季 | 佩斯科夫 | 普京 | 安瓦尔 | 普拉博沃"),
        places=_t("内比都 | 仰光 | 曼德勒 | 莫斯科 | 雅加达 | 吉隆坡 | 万象 | 马尼拉 | 曼谷 | 河内"),
        acts=_t("举行会谈 | 会面 | 签署协议 | 讨论合作 | 举行磋商"),
        template="{actor}{f1}在{place}与{person}{act}{f2}{f3}。",
        offtopic=_t("股市小幅上涨 | 暴雨袭击沿海城镇 | 市议会通过交通预算 | 本地球队夺得冠军 | 博物馆新展览开幕 "
                    "| 央行维持利率不变"),
        function=_t("的 | 了 | 在 | 和 | 是 | 对 | 将 | 也 | 并 | 就 | 于 | 这 | 为 | 有 | 中 | 上 | 等"),
        syllables=_t("新 | 年 | 市 | 场 | 发 | 展 | 经 | 济 | 工 | 作 | 报 | 道 | 人 | 民 | 生 | 活 | 技 | 术 | 城 "
                     "| 公 | 司 | 价 | 格 | 水 | 电 | 路 | 学 | 校 | 医 | 院 | 天 | 气 | 车 | 站 | 文 | 化 | 农 | 业 "
                     "| 产 | 品 | 服 | 务 | 山 | 河 | 图 | 书 | 春 | 秋 | 花 | 草 | 晚 | 早 | 田 | 林"),
        spaced=False, joiner="", end="。", chars_per_word=1.7, word_syllables=(1, 2),
    ),
    Kit(
        code="ja",
        topical={
            "myanmar": _t("ミャンマー軍事政権 | ネピドーの国軍 | ミャンマー国軍 | ミャンマーの民主派勢力 "
                          "| ミャンマー国民統一政府 | ロヒンギャ難民のミャンマー帰還 | ミャンマー北部の空爆 "
                          "| ミャンマーの総選挙"),
            "asean": _t("東南アジア諸国連合の外相 | アセアン首脳会議 | アセアン議長国 | アセアンの５項目合意 "
                        "| アセアン共同声明 | アセアン事務局 | アセアン首脳"),
            "russian_diplomacy": _t("ロシアのラブロフ外相 | ロシア外務省 | ロシア外務省のザハロワ報道官 "
                                    "| ロシア外交 | ラブロフ外相 | ザハロワ報道官 | ロシア外務次官"),
        },
        people=_t("ラブロフ外相 | ザハロワ報道官 | ミンアウンフライン総司令官 | アウンサンスーチー氏 "
                  "| ペスコフ大統領報道官 | プーチン大統領 | アンワル首相 | プラボウォ大統領"),
        places=_t("ネピドー | ヤンゴン | マンダレー | モスクワ | ジャカルタ | クアラルンプール | ビエンチャン "
                  "| マニラ | バンコク | ハノイ"),
        acts=_t("と会談した | と会った | と協定に署名した | と協力について話し合った | と協議した"),
        template="{actor}は{f1}{place}で{person}{act}{f2}{f3}。",
        offtopic=_t("株価が小幅に上昇 | 大雨が沿岸の町を襲う | 市議会が交通予算を可決 | 地元チームが決勝で優勝 "
                    "| 博物館で新しい展示が始まる | 中央銀行が金利を据え置き"),
        function=_t("の | は | が | を | に | で | と | も | た | し | て | い | る | から | まで | より | など"),
        syllables=_t("か | き | く | こ | さ | す | そ | た | ち | つ | な | ぬ | ま | み | む | ら | り | れ | ろ "
                     "| 新 | 市 | 場 | 年 | 生 | 活 | 電 | 気 | 学 | 校 | 経 | 済 | 文 | 化 | 山 | 川 | 春 | 秋"),
        spaced=False, joiner="", end="。", chars_per_word=2.0, word_syllables=(1, 3),
    ),
    Kit(
        code="th",
        topical={
            "myanmar": _t("รัฐบาลทหารเมียนมา | กองทัพเมียนมาในเนปิดอว์ | กองทัพเมียนมา | กองกำลังต่อต้านในเมียนมา "
                          "| รัฐบาลเอกภาพแห่งชาติเมียนมา | การส่งชาวโรฮีนจากลับเมียนมา | การโจมตีทางอากาศในเมียนมา "
                          "| การเลือกตั้งของเมียนมา"),
            "asean": _t("รัฐมนตรีต่างประเทศอาเซียน | การประชุมสุดยอดอาเซียน | ประธานอาเซียน "
                        "| ฉันทามติห้าข้อของอาเซียน | แถลงการณ์ร่วมอาเซียน | สำนักเลขาธิการอาเซียน | ผู้นำอาเซียน"),
            "russian_diplomacy": _t("นายลาฟรอฟ รัฐมนตรีต่างประเทศรัสเซีย | กระทรวงการต่างประเทศรัสเซีย "
                                    "| นางซาคาโรวา โฆษกกระทรวงการต่างประเทศรัสเซีย | การทูตรัสเซีย | นายลาฟรอฟ "
                                    "| นางซาคาโรวา | รัฐมนตรีต่างประเทศรัสเซีย"),
        },
        people=_t("นายลาฟรอฟ | นางซาคาโรวา | พลเอกอาวุโสมิน อ่อง หล่าย | นางอองซานซูจี | นายเปสคอฟ | นายปูติน "
                  "| นายอันวาร์ | นายปราโบโว"),
        places=_t("เนปิดอว์ | ย่างกุ้ง | มัณฑะเลย์ | มอสโก | จาการ์ตา | กัวลาลัมเปอร์ | เวียงจันทน์ | มะนิลา "
                  "| กรุงเทพฯ | ฮานอย"),
        acts=_t("หารือกับ | พบกับ | ลงนามข้อตกลงกับ | หารือความร่วมมือกับ | ปรึกษากับ"),
        template="{actor}{f1}{act}{person}{f2}ที่{place}{f3}",
        offtopic=_t("หุ้นปรับตัวขึ้นเล็กน้อย | ฝนตกหนักในเมืองชายฝั่ง | สภาเมืองอนุมัติงบขนส่ง "
                    "| ทีมท้องถิ่นคว้าแชมป์ | พิพิธภัณฑ์เปิดนิทรรศการใหม่ | ธนาคารกลางคงอัตราดอกเบี้ย"),
        function=_t("ที่ | และ | ของ | ใน | ได้ | ว่า | จะ | เป็น | มี | การ | ไป | มา | ให้ | กับ | แล้ว | นี้"),
        syllables=_t("กา | ริ | โต | นา | เม | โล | สุ | ปา | เด | วิ | โร | อัน | มอ | ตา | เน | สิ | รุ | บา "
                     "| เล | โค | มิ | ดา | ทอง | แสง | ฟ้า | ดิน | ลม | ไฟ"),
        spaced=False, joiner=" ", end="", chars_per_word=4.5, word_syllables=(1, 3),
    ),
    Kit(
        code="my",
        topical={
            "myanmar": _t("မြန်မာ စစ်ကောင်စီ | နေပြည်တော် စစ်အစိုးရ | မြန်မာ တပ်မတော် | မြန်မာ အမျိုးသားညီညွတ်ရေးအစိုးရ "
                          "| မြန်မာ ရွေးကောက်ပွဲ | မြန်မာ ဒုက္ခသည်များ | မြန်မာ လေကြောင်းတိုက်ခိုက်မှု"),
            "asean": _t("အာဆီယံ နိုင်ငံခြားရေးဝန်ကြီးများ | အာဆီယံ ထိပ်သီးအစည်းအဝေး | အာဆီယံ ဥက္ကဋ္ဌ "
                        "| အာဆီယံ ခေါင်းဆောင်များ | အာဆီယံ အစည်းအဝေး"),
            "russian_diplomacy": _t("ရုရှားနိုင်ငံခြားရေးဝန်ကြီး လာဗရော့ဗ် | ရုရှားနိုင်ငံခြားရေး ဝန်ကြီးဌာန "
                                    "| ရုရှားနိုင်ငံခြားရေး ပြောခွင့်ရသူ ဇာခါရိုဗာ | လာဗရော့ဗ် | ဇာခါရိုဗာ"),
        },
        people=_t("လာဗရော့ဗ် | ဇာခါရိုဗာ | မင်းအောင်လှိုင် | ဒေါ်အောင်ဆန်းစုကြည် | ပူတင် | အန်ဝါ"),
        places=_t("နေပြည်တော် | ရန်ကုန် | မန္တလေး | မော်စကို | ဂျကာတာ | ကွာလာလမ်ပူ | ဗီယင်ကျန်း | မနီလာ "
                  "| ဘန်ကောက် | ဟနွိုင်း"),
        acts=_t("နှင့် တွေ့ဆုံခဲ့သည် | နှင့် ဆွေးနွေးခဲ့သည် | နှင့် သဘောတူစာချုပ် လက်မှတ်ရေးထိုးခဲ့သည် "
                "| နှင့် ပူးပေါင်းဆောင်ရွက်ရေး ဆွေးနွေးခဲ့သည်"),
        template="{actor} {f1} {place}တွင် {person}{act} {f2}{f3}။",
        offtopic=_t("စတော့ဈေးကွက် အနည်းငယ် တက် | ကမ်းရိုးတန်း မြို့များတွင် မိုးသည်းထန် "
                    "| မြို့တော်ကောင်စီ သယ်ယူပို့ဆောင်ရေး ဘတ်ဂျက် အတည်ပြု | ဒေသခံအသင်း ဗိုလ်စွဲ "
                    "| ပြတိုက်တွင် ပြပွဲသစ် ဖွင့်"),
        function=_t("သည် | ကို | ၏ | နှင့် | တွင် | မှ | များ | က | ရန် | လည်း"),
        syllables=_t("ကာ | ရီ | တို | နာ | မေ | လို | စု | ပါ | ဒေ | ဝီ | ရို | ဆန် | မို | တာ | နေ | စီ | ဘာ "
                     "| လေ | ကို | မီ | ဒါ | သူ | ခင် | ပင်"),
        spaced=False, joiner=" ", end="။", chars_per_word=4.0, word_syllables=(1, 3),
    ),
    Kit(
        code="id",
        topical={
            "myanmar": _t("junta militer Myanmar | pemerintah militer di Naypyidaw | militer Myanmar "
                          "| kelompok perlawanan Myanmar | Pemerintah Persatuan Nasional Myanmar "
                          "| pemulangan pengungsi Rohingya ke Myanmar | serangan udara di Myanmar | pemilu Myanmar"),
            "asean": _t("para menteri luar negeri ASEAN | KTT ASEAN | keketuaan ASEAN | konsensus lima poin ASEAN "
                        "| pernyataan bersama ASEAN | Sekretariat ASEAN | para pemimpin negara anggota ASEAN"),
            "russian_diplomacy": _t("Menteri Luar Negeri Rusia Sergei Lavrov | Kementerian Luar Negeri Rusia "
                                    "| juru bicara Kemlu Rusia Maria Zakharova | diplomat Rusia | Lavrov "
                                    "| Zakharova | diplomasi Rusia"),
        },
        people=_t("Sergei Lavrov | Maria Zakharova | Min Aung Hlaing | Aung San Suu Kyi | Dmitry Peskov "
                  "| Vladimir Putin | Anwar Ibrahim | Prabowo Subianto"),
        places=_t("Naypyidaw | Yangon | Mandalay | Moskow | Jakarta | Kuala Lumpur | Vientiane | Manila | Bangkok "
                  "| Hanoi"),
        acts=_t("mengadakan pembicaraan dengan | bertemu | menandatangani perjanjian dengan "
                "| membahas kerja sama dengan | berunding dengan"),
        template="{actor} {f1} {act} {person} {f2} di {place} {f3}.",
        offtopic=_t("Harga saham naik tipis | Hujan deras melanda kota pesisir "
                    "| Dewan kota setujui anggaran transportasi | Tim lokal juara final | Museum buka pameran baru "
                    "| Bank sentral tahan suku bunga"),
        function=_t("yang | dan | di | ke | dari | untuk | dengan | pada | ini | itu | dalam | tidak | akan | oleh "
                    "| juga | adalah | karena | pemerintah | mengatakan | bisa | harus | sejumlah | usai | saja"),
        syllables=_t("ka | ri | to | na | me | lo | su | pa | de | wi | ro | an | mo | ta | ne | si | ru | ba | le "
                     "| ko | mi | da | se | po | ga | ng | ber | kan"),
    ),
    Kit(
        code="ms",
        topical={
            "myanmar": _t("junta tentera Myanmar | kerajaan tentera di Naypyidaw | tentera Myanmar "
                          "| kumpulan penentang Myanmar | Kerajaan Perpaduan Nasional Myanmar "
                          "| penghantaran pulang pelarian Rohingya ke Myanmar | serangan udara di Myanmar "
                          "| pilihan raya Myanmar"),
            "asean": _t("menteri-menteri luar ASEAN | Sidang Kemuncak ASEAN | pengerusi ASEAN "
                        "| konsensus lima perkara ASEAN | kenyataan bersama ASEAN | Sekretariat ASEAN "
                        "| pemimpin negara anggota ASEAN"),
            "russian_diplomacy": _t("Menteri Luar Rusia Sergei Lavrov | Kementerian Luar Rusia "
                                    "| jurucakap Kementerian Luar Rusia Maria Zakharova | diplomat Rusia | Lavrov "
                                    "| Zakharova | diplomasi Rusia"),
        },
        people=_t("Sergei Lavrov | Maria Zakharova | Min Aung Hlaing | Aung San Suu Kyi | Dmitry Peskov "
                  "| Vladimir Putin | Anwar Ibrahim | Prabowo Subianto"),
        places=_t("Naypyidaw | Yangon | Mandalay | Moscow | Jakarta | Kuala Lumpur | Vientiane | Manila | Bangkok "
                  "| Hanoi"),
        acts=_t("mengadakan rundingan dengan | bertemu | menandatangani perjanjian dengan "
                "| membincangkan kerjasama dengan | berunding dengan"),
        template="{actor} {f1} {act} {person} {f2} di {place} {f3}.",
        offtopic=_t("Harga saham naik sedikit | Hujan lebat landa bandar pantai "
                    "| Majlis bandar lulus bajet pengangkutan | Pasukan tempatan juara final "
                    "| Muzium buka pameran baharu "
                    "| Bank pusat kekal kadar faedah"),
        function=_t("yang | dan | di | ke | untuk | dengan | pada | ini | itu | dalam | tidak | akan | oleh | juga "
                    "| kerana | kerajaan | berkata | beliau | daripada | ialah | selepas | boleh | sahaja"),
        syllables=_t("ka | ri | to | na | me | lo | su | pa | de | wi | ro | an | mo | ta | ne | si | ru | ba | le "
                     "| ko | mi | da | se | po | ga | ng | ber | kan"),
    ),
    Kit(
        code="vi",
        topical={
            "myanmar": _t("chính quyền quân sự Myanmar | quân đội Myanmar ở Naypyidaw | quân đội Myanmar "
                          "| lực lượng kháng chiến Myanmar | Chính phủ Thống nhất Dân tộc Myanmar "
                          "| người tị nạn Rohingya hồi hương về Myanmar | các cuộc không kích ở Myanmar "
                          "| cuộc bầu cử ở Myanmar"),
            "asean": _t("các ngoại trưởng ASEAN | Hội nghị Cấp cao ASEAN | Chủ tịch ASEAN "
                        "| đồng thuận 5 điểm của ASEAN | tuyên bố chung ASEAN | Ban Thư ký ASEAN "
                        "| lãnh đạo các nước ASEAN"),
            "russian_diplomacy": _t("Ngoại trưởng Nga Sergei Lavrov | Bộ Ngoại giao Nga "
                                    "| người phát ngôn Bộ Ngoại giao Nga Maria Zakharova | ngoại giao Nga "
                                    "| Ngoại trưởng Lavrov | bà Zakharova | Bộ trưởng Ngoại giao Nga"),
        },
        people=_t("Sergei Lavrov | Maria Zakharova | Min Aung Hlaing | Aung San Suu Kyi | Dmitry Peskov "
                  "| Vladimir Putin | Anwar Ibrahim | Prabowo Subianto"),
        places=_t("Naypyidaw | Yangon | Mandalay | Moskva | Jakarta | Kuala Lumpur | Viêng Chăn | Manila | Bangkok "
                  "| Hà Nội"),
        acts=_t("đã hội đàm với | đã gặp | đã ký thỏa thuận với | đã thảo luận hợp tác với | đã tham vấn với"),
        template="{actor} {f1} {act} {person} {f2} tại {place} {f3}.",
        offtopic=_t("Chứng khoán tăng nhẹ | Mưa lớn tại các thị trấn ven biển "
                    "| Hội đồng thành phố duyệt ngân sách | Đội bóng địa phương vô địch "
                    "| Bảo tàng mở cuộc triển lãm mới | Ngân hàng trung ương giữ lãi suất"),
        function=_t("của | và | các | là | có | được | trong | cho | những | với | người | này | đã | một | không "
                    "| khi | cũng | sẽ | về | để"),
        syllables=_t("ngày | mới | năm | hàng | nhà | đường | phố | sông | núi | lúa | chợ | trường | bếp | sách "
                     "| xanh | đỏ | tươi | lâm | khuê | vườn | biển | mưa | nắng | gạo | thuyền | cầu | làng"),
        word_syllables=(1, 1),
    ),
    Kit(
        code="fr",
        topical={
            "myanmar": _t("la junte birmane | les militaires au pouvoir à Naypyidaw | l'armée birmane "
                          "| la résistance birmane | le gouvernement d'unité nationale birman "
                          "| le rapatriement des Rohingyas en Birmanie | les frappes aériennes en Birmanie "
                          "| les élections en Birmanie"),
            "asean": _t("les ministres des Affaires étrangères de l'Asean | le sommet de l'Asean "
                        "| la présidence de l'Asean | le consensus en cinq points de l'Asean "
                        "| une déclaration commune de l'Asean | le secrétariat de l'Asean | les dirigeants de l'Asean"),
            "russian_diplomacy": _t("le ministre russe des Affaires étrangères Sergueï Lavrov "
                                    "| le ministère russe des Affaires étrangères | la diplomatie russe "
                                    "| la porte-parole Maria Zakharova | Lavrov | un diplomate russe "
                                    "| les diplomates russes"),
        },
        people=_t("Sergueï Lavrov | Maria Zakharova | Min Aung Hlaing | Aung San Suu Kyi | Dmitri Peskov "
                  "| Vladimir Poutine | Anwar Ibrahim | Prabowo Subianto"),
        places=_t("Naypyidaw | Rangoun | Mandalay | Moscou | Jakarta | Kuala Lumpur | Vientiane | Manille | Bangkok "
                  "| Hanoï"),
        acts=_t("s'est entretenu avec | a rencontré | a signé un accord avec | a discuté de coopération avec "
                "| a consulté"),
        template="{actor} {f1} {act} {person} {f2} à {place} {f3}.",
        offtopic=_t("La Bourse termine en légère hausse | De fortes pluies sur les villes côtières "
                    "| Le conseil municipal adopte le budget des transports | L'équipe locale remporte la finale "
                    "| Le musée ouvre une nouvelle exposition | La banque centrale maintient ses taux"),
        function=_t("le | la | les | de | des | du | et | en | un | une | est | que | qui | dans | pour | sur | au "
                    "| avec | par | pas | plus | ce | il | elle | a | été | sont | ont | mais | aussi"),
        syllables=_t("ri | to | na | me | lo | pa | de | vi | ro | an | el | mo | ta | ne | si | ba | le | mi | da "
                     "| po | eau | oi | ette | ou | eu | ai | qu | ch | tion | ment | eur | oir | ais | ent | ière"),
    ),
    Kit(
        code="ar",
        topical={
            "myanmar": _t("المجلس العسكري في ميانمار | الحكومة العسكرية في نايبيداو | جيش ميانمار "
                          "| قوات المقاومة في ميانمار | حكومة الوحدة الوطنية في ميانمار "
                          "| عودة لاجئي الروهينغا إلى ميانمار | غارات جوية في ميانمار | الانتخابات في ميانمار"),
            "asean": _t("وزراء خارجية دول آسيان | قمة آسيان | رئاسة رابطة آسيان | توافق النقاط الخمس في آسيان "
                        "| بيان مشترك صادر عن آسيان | الأمانة العامة لرابطة دول جنوب شرق آسيا | قادة دول آسيان"),
            "russian_diplomacy": _t("وزير الخارجية الروسي سيرغي لافروف | وزارة الخارجية الروسية "
                                    "| المتحدثة باسم الخارجية الروسية ماريا زاخاروفا | الدبلوماسية الروسية "
                                    "| لافروف | زاخاروفا | وزير خارجية روسيا"),
        },
        people=_t("سيرغي لافروف | ماريا زاخاروفا | مين أونغ هلاينغ | أونغ سان سو تشي | دميتري بيسكوف "
                  "| فلاديمير بوتين | أنور إبراهيم | برابوو سوبيانتو"),
        places=_t("نايبيداو | يانغون | ماندالاي | موسكو | جاكرتا | كوالالمبور | فيينتيان | مانيلا | بانكوك | هانوي"),
        acts=_t("أجرى محادثات مع | التقى | وقع اتفاقا مع | بحث التعاون مع | تشاور مع"),
        template="{actor} {f1} {act} {person} {f2} في {place} {f3}.",
        offtopic=_t("ارتفاع طفيف في أسعار الأسهم | أمطار غزيرة على المدن الساحلية | مجلس المدينة يقر ميزانية النقل "
                    "| الفريق المحلي يفوز بالنهائي | المتحف يفتتح معرضا جديدا | البنك المركزي يبقي أسعار الفائدة"),
        function=_t("في | من | على | إلى | أن | عن | مع | هذا | التي | الذي | قال | كان | وقد | بين | بعد | قبل "
                    "| كما | أو | هذه | ذلك"),
        syllables=_t("كا | ري | تو | نا | مي | لو | سو | با | دي | في | رو | ان | مو | تا | ني | سي | بو | لي "
                     "| كو | دا | سا | حا | عم | ور"),
    ),
)}


@cache
def _kit_vocab(code: str, size: int = 3000) -> tuple[str, ...]:
    """Pseudo-words of `code`'s script (its own seed: the same words in every run and process)."""
    kit = KITS[code]
    rng = random.Random(f"vocab-{code}")
    lo, hi = kit.word_syllables
    words: set[str] = set()
    target = min(size, len(kit.syllables) ** hi // 2)
    while len(words) < target:
        words.add("".join(rng.choice(kit.syllables) for _ in range(rng.randint(lo, hi))))
    return tuple(sorted(words))


def _kit_words(kit: Kit, rng: random.Random, n: int) -> list[str]:
    vocab = _kit_vocab(kit.code)
    return [rng.choice(kit.function) if rng.random() < 0.45 else rng.choice(vocab) for _ in range(n)]


def _kit_join(kit: Kit, words: list[str]) -> str:
    return " ".join(words) if kit.spaced else "".join(words)


def _kit_sentence(kit: Kit, rng: random.Random, n: int) -> str:
    """A filler sentence; in cased scripts most name someone (capitalised pseudo-words), as in English."""
    words = _kit_words(kit, rng, n)
    if kit.spaced and rng.random() < NAMED_SENTENCE_RATE:
        vocab = _kit_vocab(kit.code)
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(1, n)] = rng.choice(vocab).capitalize()
    words[0] = words[0][:1].upper() + words[0][1:]
    return _kit_join(kit, words) + kit.end


def _size(kit: Kit, text: str) -> float:
    """Length in English-word equivalents."""
    return len(text.split()) if kit.spaced else len(text) / kit.chars_per_word


def synth_lang_item(code: str, rng: random.Random, i: int, topical_rate: float) -> dict[str, str]:
    """One synthetic item in desk language `code` (not "en": that is `synth_item`), the same shape and length
    distribution as the English items, plus `"lang"`."""
    kit = KITS[code]
    words = max(40, int(rng.lognormvariate(5.0, 0.35)))

    def filler() -> str:
        return _kit_join(kit, _kit_words(kit, rng, rng.randint(2, 5)))

    topical = rng.random() < topical_rate
    parts: list[str] = []
    if topical:
        phrases = kit.topical[rng.choice(sorted(kit.topical))]
        phrase = rng.choice(phrases)
        title = kit.joiner.join((phrase[:1].upper() + phrase[1:], filler(), rng.choice(kit.places)))
        for _ in range(rng.randint(2, 4)):
            actor = rng.choice(phrases)
            parts.append(kit.template.format(
                actor=actor[:1].upper() + actor[1:], act=rng.choice(kit.acts), person=rng.choice(kit.people),
                place=rng.choice(kit.places), f1=filler(), f2=filler(), f3=filler()))
    else:
        title = rng.choice(kit.offtopic)
    while sum(_size(kit, p) for p in parts) < words:
        parts.insert(rng.randint(0, len(parts)), _kit_sentence(kit, rng, rng.randint(8, 22)))
    return {"title": f"{title} #{i}", "text": kit.joiner.join(parts),
            "link": f"https://bench.example/{i // 1000}/story-{i}.html", "lang": code}


# ------------------------------------------------------------------ the corpus and the language mix

LANGUAGES: tuple[str, ...] = ("en", *KITS)  # the desk's languages, English first
DESK_MIX: dict[str, float] = {"en": 0.5, "ru": 0.1, "zh": 0.08, "ja": 0.05, "my": 0.05, "th": 0.05, "id": 0.04,
                              "ms": 0.03, "vi": 0.04, "fr": 0.03, "ar": 0.03}  # fmt: skip


class LangsError(ValueError):
    """A language mix that does not parse; the message names the bad part."""


def parse_langs(text: str) -> dict[str, float]:
    """`"en=0.5,ru=0.1,..."` -> shares normalised to sum 1 (in the given order); `"desk"` -> `DESK_MIX`."""
    spec = text.strip()
    if spec.lower() == "desk":
        return dict(DESK_MIX)
    known = " ".join(sorted(LANGUAGES))
    raw: dict[str, float] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            raise LangsError(f"empty part in language mix {text!r} (expected code=share, e.g. en=0.5,ru=0.1)")
        code, eq, share_text = part.partition("=")
        code = code.strip().lower()
        if not eq:
            raise LangsError(f"language mix part {part!r} has no '=' (expected code=share, e.g. ru=0.1)")
        if code not in LANGUAGES:
            raise LangsError(f"unknown language {code!r} in language mix part {part!r} (known: {known})")
        if code in raw:
            raise LangsError(f"language {code!r} appears twice in language mix {text!r}")
        try:
            share = float(share_text)
        except ValueError:
            raise LangsError(f"share {share_text.strip()!r} in language mix part {part!r} is not a number") from None
        if not math.isfinite(share) or share < 0:
            raise LangsError(f"share in language mix part {part!r} must be a finite number >= 0")
        raw[code] = share
    total = sum(raw.values())
    if total <= 0:
        raise LangsError(f"language mix {text!r} has no positive share")
    return {code: share / total for code, share in raw.items() if share > 0}


def format_langs(langs: Mapping[str, float]) -> str:
    """`en=0.5,ru=0.1,...` (the form `parse_langs` reads)."""
    return ",".join(f"{code}={share:.3g}" for code, share in langs.items())


def generate(items: int, topical_rate: float, seed: int,
             langs: Mapping[str, float] | None = None) -> list[dict[str, str]]:
    """The benchmark corpus: the same items for the same (items, topical_rate, seed, langs), and the first n
    items for any longer corpus. Without `langs`, English items exactly as before the mix existed."""
    rng = random.Random(seed)
    if not langs:
        return [synth_item(rng, i, topical_rate) for i in range(items)]
    codes = list(langs)
    weights = [langs[c] for c in codes]
    pick = random.Random(f"langs-{seed}")  # a stream of its own: the items' own draws do not shift it
    out: list[dict[str, str]] = []
    for i in range(items):
        code = pick.choices(codes, weights)[0]
        out.append({**synth_item(rng, i, topical_rate), "lang": "en"} if code == "en"
                   else synth_lang_item(code, rng, i, topical_rate))
    return out


def allocate_feeds(langs: Mapping[str, float], feeds: int) -> list[str]:
    """The language of each of `feeds` feeds: at least one per language of the mix, the rest by share (largest
    remainder), languages interleaved so that feed order does not process one language after another."""
    codes = [c for c, s in langs.items() if s > 0]
    if feeds < len(codes):
        raise LangsError(f"{feeds} feeds cannot carry the {len(codes)} languages of the mix (one feed per "
                         "language at least): raise --feeds or drop languages")
    spare = feeds - len(codes)
    quota = {c: langs[c] * spare for c in codes}
    count = {c: 1 + int(quota[c]) for c in codes}
    for c in sorted(codes, key=lambda c: (int(quota[c]) - quota[c], codes.index(c)))[:feeds - sum(count.values())]:
        count[c] += 1
    order: list[str] = []
    while len(order) < feeds:
        for c in codes:
            if count[c] > 0:
                order.append(c)
                count[c] -= 1
    return order


def language_counts(items: list[dict[str, str]]) -> dict[str, int]:
    """Items per language of a generated corpus ("en" for items without a language)."""
    counts: dict[str, int] = {}
    for it in items:
        code = it.get("lang", "en")
        counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


__all__ = ["DESK_MIX", "KITS", "LANGUAGES", "Kit", "LangsError", "allocate_feeds", "format_langs", "generate",
           "language_counts", "parse_langs", "synth_item", "synth_lang_item"]
