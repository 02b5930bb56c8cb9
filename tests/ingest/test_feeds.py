"""The feeds config: the shipped feeds.yaml, validation errors naming the key, docs covering every setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.core.config import REPO_ROOT, ConfigError
from pipeline.ingest.feeds import FeedConfig, FeedsFile, FetchDefaults, load_feeds

TOPICS = ("myanmar", "asean", "russian_diplomacy")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_feeds_file_is_valid_and_curated():
    feeds = load_feeds()
    assert len(feeds.enabled()) >= 25
    names = [f.name for f in feeds.feeds]
    assert len(names) == len(set(names))
    assert all(f.url.startswith(("http://", "https://")) for f in feeds.feeds)
    for topic in TOPICS:
        tagged = [f for f in feeds.enabled() if topic in f.tags]
        assert len(tagged) >= 5, topic
        assert any("news.google.com/rss/search" in f.url for f in tagged), f"no Google News feed for {topic}"
    hosts = {f.url.split("/")[2] for f in feeds.feeds}
    for expected in ("www.irrawaddy.com", "myanmar-now.org", "www.frontiermyanmar.net", "eng.mizzima.com",
                     "english.dvb.no", "tass.com", "www.rt.com", "mid.ru", "asean.org", "thediplomat.com"):  # fmt: skip
        assert expected in hosts
    assert feeds.defaults.user_agent == "newsmon/0.1 (+https://github.com/newsmon)"
    assert feeds.defaults.max_bytes == 5 * 1024 * 1024


def test_defaults_and_optional_fields(tmp_path: Path):
    feeds = load_feeds(write(tmp_path, "feeds:\n  - name: A\n    url: https://a.example/feed\n"))
    (feed,) = feeds.feeds
    assert feed.interval_minutes == 10 and feed.enabled is True and feed.tags == [] and feed.language is None
    assert feeds.defaults == FetchDefaults()
    assert feeds.by_name("A") is feed
    with pytest.raises(KeyError):
        feeds.by_name("B")


def test_empty_file_means_no_feeds(tmp_path: Path):
    assert load_feeds(write(tmp_path, "")).feeds == []


def test_duplicate_names_are_reported_with_the_key(tmp_path: Path):
    path = write(tmp_path, """
feeds:
  - {name: TASS, url: "https://tass.com/rss/v2.xml"}
  - {name: RT, url: "https://www.rt.com/rss/news/"}
  - {name: " TASS ", url: "https://tass.com/other.xml"}
""")  # fmt: skip
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    assert str(err.value) == f"{path}: feeds[2].name: duplicate feed name 'TASS' (first used at feeds[0])"
    with pytest.raises(ValidationError, match="duplicate feed name"):
        FeedsFile(
            feeds=[FeedConfig(name="x", url="https://a.example/"), FeedConfig(name="x", url="https://b.example/")]
        )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('{name: A, url: "ftp://a.example/feed"}', "feeds[0].url: Value error, URL must use http or https"),
        ('{name: A, url: "https:///feed"}', "feeds[0].url: Value error, URL has no host"),
        ('{name: A, url: "https://a.example/", interval_minutes: 0}', "feeds[0].interval_minutes"),
        ('{name: A, url: "https://a.example/", enabled: maybe}', "feeds[0].enabled"),
        ('{name: A, url: "https://a.example/", tag: [x]}', "feeds[0].tag: Extra inputs are not permitted"),
        ('{url: "https://a.example/"}', "feeds[0].name: Field required"),
        ('{name: "  ", url: "https://a.example/"}', "feeds[0].name"),
    ],
)
def test_invalid_entries_name_the_key(tmp_path: Path, entry: str, expected: str):
    path = write(tmp_path, f"feeds:\n  - {entry}\n")
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    assert expected in str(err.value)
    assert str(err.value).startswith(str(path))


def test_invalid_defaults_name_the_key(tmp_path: Path):
    path = write(tmp_path, "defaults:\n  max_bytes: -1\n  retires: 3\nfeeds: []\n")
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    assert "defaults.max_bytes" in str(err.value) and "defaults.retires: Extra inputs" in str(err.value)


def test_missing_file_and_bad_yaml(tmp_path: Path):
    with pytest.raises(ConfigError, match="file not found"):
        load_feeds(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match=r"line \d+, column \d+: invalid YAML"):
        load_feeds(write(tmp_path, "feeds:\n  - name: [unclosed\n"))


def test_env_config_dir_is_the_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    write(tmp_path, "feeds:\n  - {name: Only, url: 'https://only.example/feed'}\n")
    monkeypatch.setenv("NEWSMON_CONFIG_DIR", str(tmp_path))
    assert [f.name for f in load_feeds().feeds] == ["Only"]


def test_docs_describe_every_setting():
    docs = (REPO_ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    for model in (FeedConfig, FetchDefaults):
        for name in model.model_fields:
            assert f"`{name}`" in docs, f"docs/ingest.md does not describe {model.__name__}.{name}"
