"""Surface rules on single mentions: titles and honorifics, edge junk, acronyms."""

from __future__ import annotations

import pytest

from pipeline.entities.surface import acronym_of, clean_surface, is_junk, strip_titles


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Russian Foreign Minister Sergei Lavrov", "Sergei Lavrov"),
        ("Senior General Min Aung Hlaing", "Min Aung Hlaing"),
        ("Daw Aung San Suu Kyi", "Aung San Suu Kyi"),
        ("U Win Myint", "Win Myint"),
        ("U Thant", "U Thant"),  # one word would remain: the honorific is part of how he is named
        ("Mr. John Smith", "John Smith"),
        ("Mrs Jane Doe", "Jane Doe"),
        ("Dr. Sasa", "Sasa"),
        ("Gen. Soe Win", "Soe Win"),
        ("Lt. Gen. Soe Win", "Soe Win"),
        ("President Jose Ramos-Horta", "Jose Ramos-Horta"),
        ("Prime Minister Anwar Ibrahim", "Anwar Ibrahim"),
        ("spokeswoman Maria Zakharova", "Maria Zakharova"),
        ("Kremlin spokesman Dmitry Peskov", "Dmitry Peskov"),
        ("UN Secretary-General Antonio Guterres", "Antonio Guterres"),
        ("Apple's Tim Cook", "Tim Cook"),
        ("Ko Aung Min", "Aung Min"),
        ("Vladimir Putin", "Vladimir Putin"),
        ("President", "President"),
    ],
)
def test_strip_titles(raw: str, expected: str) -> None:
    assert strip_titles(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lavrov's", "Lavrov"),
        ("Lavrov’s", "Lavrov"),
        ("Swiftʼs", "Swift"),
        ("the United Nations", "United Nations"),
        ("The Kremlin", "Kremlin"),
        ('"Sagaing"', "Sagaing"),
        ("Federal Assembly of the", "Federal Assembly"),
        ("Public Health Emergency (PHEIC", "Public Health Emergency"),
        ("Moscow\n\nThe", "Moscow"),
        ("U.S.", "U.S."),
        ("Ferdinand Marcos Jr.", "Ferdinand Marcos Jr."),
    ],
)
def test_clean_surface(raw: str, expected: str) -> None:
    cleaned, start, end = clean_surface(raw)
    assert cleaned == expected and raw[start:end] == expected


@pytest.mark.parametrize("text", ["a", "12", "2024-25", "said", "President", "the", "Aly Song/File Photo"])
def test_junk(text: str) -> None:
    assert is_junk(text)


@pytest.mark.parametrize("text", ["UN", "Naypyidaw", "de Gaulle", "Ta'ang National Liberation Army"])
def test_not_junk(text: str) -> None:
    assert not is_junk(text)


def test_acronym_of() -> None:
    assert "KIA" in acronym_of("Kachin Independence Army")
    assert "OHCHR" in acronym_of("Office of the High Commissioner for Human Rights")
    assert "PDF" in acronym_of("People's Defence Force")
    assert acronym_of("Myanmar") == set()
