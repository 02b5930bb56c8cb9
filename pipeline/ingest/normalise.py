"""Normalise parsed feed items into `Article`s: canonical URL, stable id, clean text, UTC dates, language.

Pure functions: no clock (the fetch time is an argument), no I/O.

- `canonical_url`: lowercase scheme and host, no default port, no fragment, no tracking parameters
  (compared by name, case-insensitively), remaining parameters sorted, path kept byte for byte.
- `article_id`: the first 32 hex digits (128 bits) of sha256 over the canonical URL (UTF-8). The same
  URL always gives the same id, so re-ingesting never duplicates.
- `clean_text`: HTML to plain text with a real HTML parser (selectolax/lexbor).
- the language: `pipeline.ingest.langid.identify` (script first, then py3langid; the feed's declared language when
  consistent with the text); legacy Zawgyi Burmese is converted to Unicode and flagged.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from pipeline.core.records import Article, FeedItem
from pipeline.ingest import langid
from pipeline.ingest.feeds import FeedConfig

# Query parameters that only track the reader; compared lowercased. Prefixes cover families.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
        "ocid", "cmpid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url",
        "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "at_link_id",
        "at_link_origin", "at_format", "at_ptr_name", "at_bbc_team", "spm", "smid", "sr_share", "wt.mc_id",
        "cmp", "icid", "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
        "oly_enc_id", "oly_anon_id", "xtor",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}
FUTURE_TOLERANCE = timedelta(days=1)
ID_HEX_CHARS = 32

BLOCK_TAGS = (
    "address, article, aside, blockquote, caption, dd, details, dialog, div, dl, dt, fieldset, figcaption, "
    "figure, footer, form, h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section, summary, "
    "table, tbody, thead, tfoot, tr, td, th, ul"
)
DROP_TAGS = "script, style, noscript, template, iframe, object, embed, svg, math, head, title, link, meta"
_SPACES = re.compile(r"[^\S\n]+")  # whitespace other than newline (includes NBSP and other Unicode spaces)
_NEWLINES = re.compile(r"\s*\n\s*")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")  # zero-width chars and soft hyphen
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class NormaliseError(ValueError):
    """An item that cannot become an Article (e.g. no usable link); the message says why."""


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter name (raw, possibly percent-encoded) is a tracking parameter."""
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical form of an http(s) URL (see module doc). Raises ValueError if it is not one.

    Parameters are kept in their original (percent-)encoding and only reordered, so the result is
    idempotent and never alters a parameter value, the host (beyond case) or the path.
    """
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"URL has no host: {url[:200]!r}")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"URL has an invalid port: {url[:200]!r}") from None
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = parts.path or "/"
    pairs = [p for p in parts.query.split("&") if p and not is_tracking_param(p.split("=", 1)[0])]
    query = "&".join(sorted(pairs))
    return urlunsplit((scheme, netloc, path, query, ""))


def article_id(canonical: str) -> str:
    """Stable article id: first 32 hex chars (128 bits) of sha256 of the canonical URL."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:ID_HEX_CHARS]


def _normalise_whitespace(text: str) -> str:
    text = _ZERO_WIDTH.sub("", _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")))
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def clean_text(html: str) -> str:
    """Plain text from an HTML fragment: scripts/styles dropped, entities decoded, blocks on their own
    lines, runs of spaces collapsed, blank lines removed."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _normalise_whitespace(html)
    # Parse as body content: a leading <noscript> would otherwise open in <head> and spill its text.
    tree = LexborHTMLParser("<body>" + html)
    for node in tree.css(DROP_TAGS):
        node.decompose()
    for node in tree.css("br"):
        node.replace_with("\n")
    for node in tree.css(BLOCK_TAGS):
        node.insert_before("\n")
        node.insert_after("\n")
    root = tree.body
    if root is None:
        return ""
    return _normalise_whitespace(root.text(deep=True, separator=""))


def clean_title(html: str) -> str:
    """A title as one line of plain text."""
    return " ".join(clean_text(html).split())


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language from the text alone (`langid.identify`), or None when the text is
    too short or the guess too weak."""
    guess = langid.identify(text)
    if guess.source == "detector" and guess.confidence < langid.MIN_CONFIDENCE:
        return None
    return guess.code


def _primary_language(tag: str | None) -> str | None:
    """'en-US' -> 'en'; None for empty tags."""
    return langid.primary_code(tag)


def _is_http_url(value: str | None) -> bool:
    return bool(value) and urlsplit(value.strip()).scheme.lower() in DEFAULT_PORTS  # type: ignore[union-attr]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise(item: FeedItem, *, fetched_at: datetime, feed: FeedConfig) -> Article:
    """Turn one parsed item into an Article. Raises NormaliseError if the item has no usable http(s) link."""
    fetched_at = _as_utc(fetched_at)
    flags: list[str] = []
    link = item.link
    if not _is_http_url(link) and item.guid_is_permalink and _is_http_url(item.guid):
        link = item.guid
        flags.append("link_from_guid")
    if not link:
        raise NormaliseError(f"item {item.title[:80]!r} has no link and no permalink guid")
    try:
        url = canonical_url(link, base=item.feed_url)
    except ValueError as exc:
        raise NormaliseError(f"item {item.title[:80]!r}: {exc}") from None

    title = clean_title(item.title)
    if not title:
        flags.append("title_missing")
    summary = clean_text(item.summary_html)
    content = clean_text(item.content_html)
    text = content if len(content) > len(summary) else summary

    if item.published is not None:
        published = _as_utc(item.published)
    elif item.updated is not None:
        published = _as_utc(item.updated)
        flags.append("date_from_updated")
    else:
        published = fetched_at
        flags.append("date_missing")
    if published > fetched_at + FUTURE_TOLERANCE:
        published = fetched_at
        flags.append("date_future_clamped")

    guess = langid.identify(f"{title}\n{text}", declared=feed.language or item.language)
    if guess.text is not None:  # legacy Zawgyi Burmese: title and text re-encoded as Unicode
        title, text = langid.zawgyi_to_unicode(title), langid.zawgyi_to_unicode(text)
    flags.extend(guess.flags)
    language = guess.code
    host = urlsplit(url).hostname or ""
    return Article(
        id=article_id(url),
        url=url,
        title=title,
        text=text,
        published_at=published,
        fetched_at=fetched_at,
        source_name=feed.name,
        source_domain=host.removeprefix("www."),
        feed_name=item.feed_name or feed.name,
        original_url=link.strip(),
        language=language,
        guid=item.guid,
        flags=tuple(flags),
    )


def normalise_all(
    items: Iterable[FeedItem], *, fetched_at: datetime, feed: FeedConfig
) -> tuple[list[Article], list[str]]:
    """Normalise many items; items that cannot be normalised are skipped and described in the problems."""
    articles: list[Article] = []
    problems: list[str] = []
    for item in items:
        try:
            articles.append(normalise(item, fetched_at=fetched_at, feed=feed))
        except NormaliseError as exc:
            problems.append(str(exc))
    return articles, problems


def dedupe(articles: Iterable[Article]) -> list[Article]:
    """Keep the first article per id (duplicates within one feed and across feeds), in order."""
    seen: set[str] = set()
    out: list[Article] = []
    for article in articles:
        if article.id not in seen:
            seen.add(article.id)
            out.append(article)
    return out
