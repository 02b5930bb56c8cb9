"""Parse feed bytes into `FeedItem`s with feedparser (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, any encoding).

`parse_feed` never raises for bad content: what went wrong is named in `ParseResult.problems` and as many
items as possible are returned (feedparser's lenient parser takes over from the strict one on broken XML).

Hardening done here before feedparser sees the bytes:
- UTF-16/32 bodies (with a BOM, or recognised from the zero bytes around the first ASCII characters) are
  transcoded to UTF-8 so the checks below see ASCII-compatible bytes;
- every `<!ENTITY>` declaration and the DOCTYPE internal subset are removed, so entity expansion attacks
  (billion laughs, quadratic blow-up, external/parameter entities) cannot cost memory or time;
- the media type is normalised (RFC 7303: text/xml without charset follows the XML declaration, not ASCII;
  a missing Content-Type means UTF-8 unless the document declares otherwise).
"""

from __future__ import annotations

import calendar
import codecs
import html
import io
import re
import time
import xml.sax
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from pipeline.core.records import FeedItem, Problem, ProblemKind

NOT_A_FEED = ProblemKind.NOT_A_FEED
ENCODING = ProblemKind.ENCODING

_ENTITY_DECL = re.compile(rb"<!ENTITY\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(
    rb"<!DOCTYPE(?:[^\[>\"']|\"[^\"]*\"|'[^']*')*\[(?:[^\]\"']|\"[^\"]*\"|'[^']*')*\]\s*>", re.IGNORECASE
)
_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?\?>")
_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_FEED_ALTERNATE = re.compile(
    rb"<link[^>]+type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.IGNORECASE | re.DOTALL
)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_MEDIA = ("application/xml", "text/xml")


@dataclass(slots=True)
class ParseResult:
    """Items parsed from one feed body, with every problem named (bozo and others)."""

    items: list[FeedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    feed_title: str | None = None
    feed_language: str | None = None
    version: str = ""  # feedparser's format name: rss20, rss10, rss091u, atom10, atom03, ... ("" = unknown)
    encoding: str | None = None  # the encoding the body was decoded with


def _split_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    media, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def _wide_without_bom(head: bytes) -> str | None:
    """UTF-32/UTF-16 without a BOM, from the zero bytes around the first ASCII characters (`<?xml`, `<rss`,
    leading whitespace): XML 1.0 Appendix F, generalised beyond `<?`, since a feed may start at its root."""
    if len(head) < 8:
        return None
    quads = [head[i : i + 4] for i in range(0, 16 if len(head) >= 16 else 8, 4)]
    if all(q[0] and q[1:] == b"\x00\x00\x00" for q in quads):
        return "utf-32-le"
    if all(q[:3] == b"\x00\x00\x00" and q[3] for q in quads):
        return "utf-32-be"
    pairs = [head[i : i + 2] for i in range(0, 8, 2)]
    if all(p[0] and p[1] == 0 for p in pairs):
        return "utf-16-le"
    if all(p[0] == 0 and p[1] for p in pairs):
        return "utf-16-be"
    return None


def _transcode_wide(body: bytes) -> tuple[bytes, str | None]:
    """UTF-16/32 (with BOM, or recognisable without one) -> UTF-8 with the declaration fixed."""
    encoding = None
    for bom, name in _BOMS:
        if body.startswith(bom):
            encoding, body = name, body[len(bom) :]
            break
    else:
        encoding = _wide_without_bom(body[:16])
    if encoding is None:
        return body, None
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return body, None
    data = text.encode("utf-8")
    data = _XML_DECL.sub(b"<?xml version='1.0' encoding='utf-8'?>", data, count=1)
    return data, encoding


def _strip_entity_declarations(body: bytes) -> tuple[bytes, int]:
    """Remove every ENTITY declaration and any DOCTYPE internal subset; return (bytes, entities removed)."""
    if b"<!" not in body:
        return body, 0
    body, count = _ENTITY_DECL.subn(b"", body)
    body = _DOCTYPE_SUBSET.sub(b"", body)
    return body, count


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# encodings that feedparser (like browsers, per WHATWG) decodes as their superset: not a mismatch
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}


def _codec_name(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _same_encoding(declared: str | None, actual: str | None) -> bool:
    """Whether decoding with `actual` honours `declared` (the same codec, or a superset of it)."""
    a, b = _codec_name(declared), _codec_name(actual)
    return a == b or (a is not None and _SUPERSETS.get(a) == b)


def _sniff_not_a_feed(head: bytes, media: str) -> Problem | None:
    """A problem string when the (start of the) body is obviously not XML at all."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return Problem(NOT_A_FEED, "not a feed: empty body")
    if stripped.startswith(b"\x1f\x8b"):
        return Problem(NOT_A_FEED, "not a feed: body is gzip-compressed data (server sent it without Content-Encoding)")
    if stripped[:1] in (b"{", b"[") or media == "application/json" or media.endswith("+json"):
        return Problem(NOT_A_FEED, "not a feed: got JSON")
    sample = stripped[:512]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 10:
        return Problem(NOT_A_FEED, "not a feed: binary data")
    if not stripped.startswith(b"<"):
        return Problem(NOT_A_FEED, "not a feed: body is not XML (does not start with '<')")
    return None


def _looks_like_html(head: bytes, media: str) -> bool:
    lower = head[:2048].lower()
    if media in ("text/html", "application/xhtml+xml"):
        return True
    return lower.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<!doctype html") or bool(re.search(rb"<html[\s>]", lower))


def _html_problem(body: bytes, feed_url: str) -> Problem:
    problem = "not a feed: got an HTML page"
    match = _FEED_ALTERNATE.search(body[:200_000])
    if match:
        href = _HREF.search(match.group(0))
        if href:
            url = urljoin(feed_url, html.unescape(href.group(1).decode("utf-8", "replace")))
            problem += f" (it advertises a feed at {url})"
    return Problem(NOT_A_FEED, problem)


def _struct_to_utc(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time | tuple):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(tuple(value)), tz=UTC)  # type: ignore[arg-type]
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def _parse_date_fallback(raw: str) -> datetime | None:
    raw = raw.strip()
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _entry_date(entry: Any, key: str, index: int, problems: list[Problem]) -> datetime | None:
    raw = entry.get(key)
    parsed = _struct_to_utc(entry.get(f"{key}_parsed"))
    if parsed is None and isinstance(raw, str) and raw.strip():
        parsed = _parse_date_fallback(raw)
        if parsed is None and not (key == "updated" and raw == entry.get("published")):
            problems.append(Problem(ProblemKind.ITEM, f"item {index}: unparseable {key} date {raw.strip()[:60]!r}"))
    return parsed


def _as_html(detail: Any, value: str) -> str:
    """feedparser gives text/plain constructs unescaped; FeedItem carries HTML, so escape those."""
    kind = (detail or {}).get("type", "text/html") if isinstance(detail, dict) else "text/html"
    return html.escape(value, quote=False) if kind == "text/plain" else value


def _absolute_http(link: str | None, base: str) -> tuple[str | None, str | None]:
    """(absolute http(s) link or None, problem or None)."""
    if not link or not link.strip():
        return None, None
    absolute = urljoin(base, link.strip())
    if urlsplit(absolute).scheme.lower() not in ("http", "https"):
        return None, f"link with unsupported scheme dropped: {link.strip()[:80]!r}"
    return absolute, None


def _entry_to_item(entry: Any, index: int, feed_name: str, feed_url: str, feed_lang: str | None,
                   problems: list[Problem]) -> FeedItem:  # fmt: skip
    title = _as_html(entry.get("title_detail"), entry.get("title", "") or "")
    guid = entry.get("id") or None
    guid_is_permalink = bool(entry.get("guidislink"))
    # feedparser may flag an Atom <id> that precedes <link> as the permalink; a real link always wins
    raw_link = entry.get("link")
    if guid_is_permalink and raw_link == entry.get("id"):
        raw_link = None
    link, link_problem = _absolute_http(raw_link, feed_url)
    if link_problem and not guid_is_permalink:
        problems.append(Problem(ProblemKind.ITEM, f"item {index}: {link_problem}"))
    if link is not None:
        guid_is_permalink = guid_is_permalink and link == guid
    if guid_is_permalink and guid:
        guid_abs, _ = _absolute_http(guid, feed_url)
        if guid_abs:
            guid = guid_abs
        else:
            guid_is_permalink = False
    if link is None and not guid_is_permalink:
        label = entry.get("title", "") or guid or ""
        problems.append(Problem(ProblemKind.ITEM, f"item {index}: no link ({label[:60]!r})"))
    summary = _as_html(entry.get("summary_detail"), entry.get("summary", "") or "")
    contents = entry.get("content") or []
    content = "\n".join(_as_html(c, c.get("value", "") or "") for c in contents if isinstance(c, dict))
    language = None
    for detail in (entry.get("summary_detail"), entry.get("title_detail"), *contents):
        if isinstance(detail, dict) and detail.get("language"):
            language = detail["language"]
            break
    author = entry.get("author") or None
    return FeedItem(
        feed_name=feed_name,
        feed_url=feed_url,
        title=title,
        link=link,
        guid=guid,
        guid_is_permalink=guid_is_permalink,
        summary_html=summary,
        content_html=content if content != summary else "",
        published=_entry_date(entry, "published", index, problems),
        updated=_entry_date(entry, "updated", index, problems),
        author=author,
        language=language or feed_lang,
    )


def _bozo_problem(exc: BaseException | None) -> str | None:
    if exc is None:
        return None
    if isinstance(exc, xml.sax.SAXParseException):
        return (
            f"malformed XML at line {exc.getLineNumber()}, column {exc.getColumnNumber()}: "
            f"{exc.getMessage()} (parsed leniently)"
        )
    if isinstance(exc, feedparser.CharacterEncodingOverride | feedparser.CharacterEncodingUnknown):
        return None  # reported from our own comparison, which names where the declaration came from
    if isinstance(exc, feedparser.NonXMLContentType):
        return None  # reported from the media type check
    if isinstance(exc, feedparser.UndeclaredNamespace):
        return f"undeclared XML namespace: {exc}"
    return f"{type(exc).__name__}: {exc}"


def parse_feed(body: bytes, *, feed_name: str, feed_url: str, content_type: str | None = None) -> ParseResult:
    """Parse one feed body. Never raises for bad content; problems are listed on the result."""
    result = ParseResult()
    media, http_charset = _split_content_type(content_type)

    body, wide = _transcode_wide(body)
    if wide and (http_charset is None or http_charset.startswith(("utf-16", "utf-32", "ucs"))):
        http_charset = "utf-8"  # the bytes are UTF-8 now; a charset naming another encoding stays (and mismatches)
    early = _sniff_not_a_feed(body[:4096], media)
    if early:
        result.problems.append(early)
        return result

    body, removed = _strip_entity_declarations(body)
    if removed:
        result.problems.append(
            Problem(
                ProblemKind.HOSTILE,
                f"DOCTYPE entity declarations removed ({removed}): entity expansion is not allowed in feeds",
            )
        )

    is_xml_media = not media or media in _XML_MEDIA or media.endswith("+xml")
    if media and not is_xml_media and media != "text/html":
        result.problems.append(Problem(ProblemKind.MEDIA_TYPE, f"served as {media}, not an XML media type"))
    fp_media = media if media.startswith("application/") and media.endswith("+xml") else "application/xml"
    if media == "text/html":
        fp_media = media
    fp_content_type = fp_media + (f"; charset={http_charset}" if http_charset else "")
    decl = _XML_DECL_ENCODING.match(body[:1024])
    xml_charset = decl.group(1).decode("ascii").lower() if decl else None
    if http_charset and xml_charset and _codec_name(http_charset) != _codec_name(xml_charset):
        # RFC 7303 lets HTTP win, but a body that is valid UTF-8 with one side saying UTF-8 is UTF-8.
        utf8_side = "utf-8" in (_codec_name(http_charset), _codec_name(xml_charset))
        chosen = "utf-8" if utf8_side and _is_utf8(body) else http_charset
        result.problems.append(
            Problem(
                ENCODING,
                f"character encoding mismatch: HTTP charset {http_charset} but XML declaration says "
                f"{xml_charset}; decoding as {chosen}",
            )
        )
        http_charset = chosen
        fp_content_type = fp_media + f"; charset={chosen}"

    try:
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers={"content-type": fp_content_type, "content-location": feed_url},
            # we never render feed HTML (normalise strips it to text), so skip feedparser's slow
            # sanitiser and in-content URI rewriting; entry links are still resolved against the feed URL
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser should never raise; if it does, the feed is at fault
        result.problems.append(Problem(ProblemKind.PARSER, f"parser failure: {type(exc).__name__}: {exc}"))
        return result

    result.version = parsed.get("version", "") or ""
    actual = parsed.get("encoding") or None
    result.encoding = actual
    declared, source = (
        (http_charset, "HTTP charset") if http_charset
        else (xml_charset, "XML declaration") if xml_charset
        else ("utf-8", "default")
    )  # fmt: skip
    already = any(p.kind is ENCODING for p in result.problems)
    if not actual:
        result.problems.append(
            Problem(ENCODING, f"character encoding unknown: {declared} ({source}) and fallbacks all failed")
        )
    elif not _same_encoding(declared, actual) and not already:
        if _codec_name(declared) is None:
            result.problems.append(
                Problem(
                    ENCODING,
                    f"character encoding mismatch: declared {declared!r} ({source}) is not a known encoding; "
                    f"decoded as {actual}",
                )
            )
        else:
            result.problems.append(
                Problem(
                    ENCODING,
                    f"character encoding mismatch: declared {declared} ({source}) but the bytes are not valid "
                    f"{declared}; decoded as {actual}",
                )
            )

    bozo = _bozo_problem(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    entries = parsed.get("entries") or []
    if not result.version and not entries:
        if _looks_like_html(body, media):
            result.problems.append(_html_problem(body, feed_url))
        else:
            root = None
            for match in _ROOT_TAG.finditer(body[:8192]):
                root = match.group(1).decode("ascii", "replace")
                break
            result.problems.append(
                Problem(
                    NOT_A_FEED,
                    "not a feed: no RSS or Atom root element" + (f" (root element <{root}>)" if root else ""),
                )
            )
        return result
    if bozo:
        result.problems.append(Problem(ProblemKind.MALFORMED, bozo))

    feed = parsed.get("feed") or {}
    result.feed_title = feed.get("title") or None
    result.feed_language = feed.get("language") or None
    if not entries:
        result.problems.append(Problem(ProblemKind.EMPTY, "feed has no items"))
    for index, entry in enumerate(entries):
        result.items.append(_entry_to_item(entry, index, feed_name, feed_url, result.feed_language, result.problems))
    return result
