"""`Mention`: the working record of one entity mention while a document is normalised (shared by `linking.py`
and `resolve.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.entities.institutions import Institution


@dataclass(slots=True)
class Mention:
    """Working record for one mention while the document is normalised."""

    text: str
    label: str
    canonical: str
    start: int
    end: int
    from_gazetteer: bool
    key: str = ""
    inst: Institution | None = None  # set when the institution rules found it (kind, country, portfolio)
