"""Index and alias names for one prefix (`NEWSMON_INDEX_PREFIX`), so parallel runs and tests never share indices."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IndexNames:
    """All index and alias names for one prefix."""

    prefix: str

    @property
    def articles(self) -> str:
        """Read alias over the articles index (search, Kibana)."""
        return f"{self.prefix}-articles"

    @property
    def articles_write(self) -> str:
        return f"{self.prefix}-articles-write"

    @property
    def articles_concrete(self) -> str:
        return f"{self.prefix}-articles-000001"

    @property
    def items(self) -> str:
        return f"{self.prefix}-items"

    @property
    def feed_state(self) -> str:
        return f"{self.prefix}-feed-state"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}-alerts"

    @property
    def alert_cursors(self) -> str:
        return f"{self.prefix}-alert-cursors"

    def plain_indices(self) -> dict[str, str]:
        """Mapping file name -> index name of every index that is not behind an alias."""
        return {"items": self.items, "feed_state": self.feed_state, "alerts": self.alerts,
                "alert_cursors": self.alert_cursors}

    def template_names(self) -> list[str]:
        """Every index template of the prefix (one per mapping file)."""
        return [self.articles, *self.plain_indices().values()]

    def required(self) -> list[str]:
        """What must exist before a task runs (`newsmon es setup` creates it)."""
        return [self.articles, self.articles_write, *self.plain_indices().values()]

    def all_patterns(self) -> list[str]:
        return [f"{self.prefix}-{name}*" for name in ("articles", "items", "feed-state", "alert")]
