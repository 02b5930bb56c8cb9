"""Story signatures: the MinHash/LSH fingerprint of an article's text and the similarity of two of them.

* Each article gets a `Signature`: a MinHash (datasketch, 256 permutations, fixed seed, scheme ``affine32``) of its
  word 3-shingles (title and text shingled separately; NFKC, lower-cased, apostrophes dropped, other punctuation
  treated as a word break), the number of distinct shingles, and 128 LSH band keys (2 MinHash rows per band).
  Hashing is stable across processes and machines (CRC-32 of each token, mixed in numpy; never Python's `hash()`).
* Two signatures are *similar* when their estimated Jaccard resemblance is high, or when the smaller text is
  (almost) contained in the larger one: a feed teaser carrying only the lead paragraph of a wire story.
* `signature_fields` / `signature_from_stored` are the stored form (`cluster_keys`, `cluster_minhash`);
  `bucket_pairs` and `pair_similarities` are the vectorised forms reconciliation uses on a whole run.

Pure: no I/O. Details and measured figures in docs/clustering.md.
"""

from __future__ import annotations

import base64
import re
import unicodedata
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from datasketch import MinHash

__all__ = [
    "BANDS",
    "CONTAINMENT_WEIGHT",
    "KEY_PREFIX",
    "MAX_BUCKET",
    "MIN_CONTAINMENT_SHINGLES",
    "NUM_PERM",
    "ROWS",
    "SEED",
    "SHINGLE_SIZE",
    "Signature",
    "bucket_pairs",
    "pair_similarities",
    "signature",
    "signature_fields",
    "signature_from_stored",
    "similarity",
    "tokens",
]

# --- parameters (changing any of them changes signatures: bump KEY_PREFIX so old and new keys never collide) ---
SHINGLE_SIZE = 3  # words per shingle
NUM_PERM = 256  # MinHash permutations
ROWS = 2  # MinHash values per LSH band
BANDS = NUM_PERM // ROWS  # 128 band keys per article
SEED = 20240601  # MinHash permutation seed (fixed: signatures must be comparable across runs and workers)
KEY_PREFIX = "m1"  # version tag of the band keys stored in `cluster_keys`
CONTAINMENT_WEIGHT = 0.4  # containment counts at 0.4x: a teaser fully contained in a story scores 0.4
MIN_CONTAINMENT_SHINGLES = 20  # containment is only trusted when the smaller text has this many shingles
# `bucket_pairs` skips band buckets shared by more signatures than this (boilerplate); a candidate lookup keeps
# as many (lookup.LOOKUP_SIZE), so reconciliation never compares more than a lookup would have seen
MAX_BUCKET = 50

_MASK32 = np.uint64(0xFFFFFFFF)
# Odd 64-bit multipliers giving each position of a shingle its own weight (order matters: "a b c" != "c b a").
_POS_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], np.uint64)
_TOKEN_RE = re.compile(r"\w+")
_APOSTROPHES = str.maketrans("", "", "'’ʼ`´")


def _identity(value: Any) -> Any:
    return value


# One set of permutations for every signature (generating them per MinHash would dominate the cost).
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


class Signature:
    """MinHash of an article's shingles, its LSH band keys and its number of distinct shingles.

    `values` are the 32-bit MinHash values (length `NUM_PERM`; also as the uint32 `array`), `keys` the band keys
    stored in `cluster_keys` (computed from the values unless given; empty = comparable with nothing), `size`
    the shingle count (0 = empty text, never similar to anything; -1 = unknown, Jaccard only). Immutable; keys
    and in-memory bucket ids are computed on first use, so candidates read back from Elasticsearch cost little.
    """

    __slots__ = ("_buckets", "_keys", "array", "size")

    def __init__(self, values: Sequence[int] | np.ndarray, keys: Sequence[str] | None = None, size: int = -1):
        arr = np.array(values, dtype=np.uint32)  # a private copy: signatures never change
        arr.flags.writeable = False
        self.array: np.ndarray = arr
        self.size = int(size)
        self._keys: tuple[str, ...] | None = tuple(keys) if keys is not None else (() if size == 0 else None)
        self._buckets: tuple[int, ...] | None = None

    @property
    def values(self) -> tuple[int, ...]:
        """The MinHash values as Python ints."""
        return tuple(self.array.tolist())

    @property
    def keys(self) -> tuple[str, ...]:
        """The LSH band keys stored in `cluster_keys` (`<prefix>.<band>.<hex of the band's rows>`)."""
        if self._keys is None:
            self._keys = _band_keys(self.array)
        return self._keys

    @property
    def comparable(self) -> bool:
        """Whether this signature can be similar to anything (non-empty text, keys not withheld); cheap."""
        return self.size != 0 and (self._keys is None or bool(self._keys))

    @property
    def buckets(self) -> tuple[int, ...]:
        """In-memory LSH buckets: one int per band, equal when that band's rows are equal (like `keys`, but
        cheap to compute; used to find candidates within a batch). Empty when `keys` is empty."""
        if self._buckets is None:
            self._buckets = _band_buckets(self.array) if self.comparable else ()
        return self._buckets

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        return self.size == other.size and self.keys == other.keys and bool(np.array_equal(self.array, other.array))

    def __hash__(self) -> int:
        return hash((self.size, self.array.tobytes()))

    def __repr__(self) -> str:
        return f"Signature(size={self.size}, values={self.values[:3]}..., keys={len(self.keys)})"


# ------------------------------------------------------------------------------------------------ signatures


def tokens(text: str) -> list[str]:
    """Normalised words: NFKC, lower case, apostrophes removed (Russia's -> russias), other punctuation a break."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES))


_TOKEN_CACHE: dict[str, int] = {}
_TOKEN_CACHE_MAX = 200_000


def _token_hash(word: str) -> int:
    value = zlib.crc32(word.encode("utf-8"))
    if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
        _TOKEN_CACHE.clear()
    _TOKEN_CACHE[word] = value
    return value


def _token_hashes(words: list[str]) -> np.ndarray:
    """CRC-32 of each word (stable everywhere), memoised: news vocabulary repeats a lot."""
    cache = _TOKEN_CACHE
    return np.fromiter((cache[w] if w in cache else _token_hash(w) for w in words), dtype=np.uint64, count=len(words))


def _shingle_hashes(words: list[str]) -> np.ndarray:
    """Stable 32-bit hashes of the word k-shingles of one field (a text shorter than k is one shingle)."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    h = _token_hashes(words)
    k = min(SHINGLE_SIZE, len(h))
    n = len(h) - k + 1
    acc = np.full(n, np.uint64(k), dtype=np.uint64)
    for i in range(k):
        acc = acc + h[i : i + n] * _POS_MULT[i]  # uint64 arithmetic wraps: intended
    acc ^= acc >> np.uint64(29)
    acc *= _POS_MULT[3]
    return (acc >> np.uint64(32)) & _MASK32


_KEY_WIDTH = 8 * ROWS
_KEY_SLOTS = tuple((f"{KEY_PREFIX}.{band:02x}.", band * _KEY_WIDTH) for band in range(BANDS))


def _band_keys(values: np.ndarray) -> tuple[str, ...]:
    """`<prefix>.<band>.<hex of the band's ROWS values>`: equal keys <=> equal rows in that band."""
    hexed = values.astype(">u4").tobytes().hex()
    return tuple(prefix + hexed[start : start + _KEY_WIDTH] for prefix, start in _KEY_SLOTS)


_BAND_SALT = (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)


def _band_bucket_array(values: np.ndarray) -> np.ndarray:
    """One 64-bit int per band, mixing the band's ROWS values with the band number (equal rows -> equal int)."""
    rows = values.reshape(BANDS, ROWS).astype(np.uint64)
    acc = _BAND_SALT.copy()
    for r in range(ROWS):
        acc = (acc ^ rows[:, r]) * _POS_MULT[3]  # uint64 arithmetic wraps: intended
        acc ^= acc >> np.uint64(31)
    return acc


def _band_buckets(values: np.ndarray) -> tuple[int, ...]:
    return tuple(_band_bucket_array(values).tolist())


def bucket_pairs(
    sigs: Sequence[Signature], is_root: Sequence[bool], max_bucket: int = MAX_BUCKET
) -> set[tuple[int, int]]:
    """Index pairs (root, other) of signatures sharing at least one LSH band bucket, for every `is_root` one.

    Vectorised per band (sort, then runs of equal buckets) so that comparing a whole run's articles needs
    one n x BANDS array rather than a dict holding every bucket of every article. Buckets shared by more than
    `max_bucket` signatures are boilerplate (stock phrases, datelines) and are skipped: real copies share many
    buckets, and pairing every member of a boilerplate bucket with every other is quadratic (in a 50,000-item
    benchmark the cap took the main process's peak from 710 to 371 MB). Signatures without keys pair with nothing.
    """
    rows = [i for i, sig in enumerate(sigs) if sig.comparable]
    if len(rows) < 2:
        return set()
    matrix = np.stack([_band_bucket_array(sigs[i].array) for i in rows])
    index = np.asarray(rows)
    root = np.asarray([bool(is_root[i]) for i in rows])
    pairs: set[tuple[int, int]] = set()
    n = len(rows)
    for band in range(matrix.shape[1]):
        col = matrix[:, band]
        order = np.argsort(col, kind="stable")
        ordered = col[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, n])
        keep = (sizes > 1) & (sizes <= max_bucket)
        for start, size in zip(starts[keep].tolist(), sizes[keep].tolist(), strict=True):
            members = order[start : start + size]
            for r in members[root[members]].tolist():
                pairs.update((int(index[r]), int(index[m])) for m in members.tolist() if m != r)
    return pairs


def _from_hashes(hashes: np.ndarray) -> Signature:
    uniq = np.unique(hashes)
    if uniq.size == 0:
        return Signature(np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32), keys=(), size=0)
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_identity, permutations=_PERMUTATIONS, scheme="affine32")
    mh.update_batch(uniq.tolist())  # plain ints: datasketch hashes them one by one through `_identity`
    return Signature(mh.hashvalues, size=int(uniq.size))


def signature(title: str, text: str) -> Signature:
    """The clustering signature of an article (title and text shingled separately, so no shingle spans both)."""
    hashes = np.concatenate([_shingle_hashes(tokens(title or "")), _shingle_hashes(tokens(text or ""))])
    return _from_hashes(hashes)


_STORED_DTYPE = np.dtype("<u4")
_STORED_BYTES = 4 * (NUM_PERM + 1)


def signature_fields(sig: Signature) -> dict[str, Any]:
    """The fields to store with an article: `cluster_keys` (band keys, indexed) and `cluster_minhash`
    (base64 of little-endian int32 size + NUM_PERM uint32 values; a `binary` field with doc values, so
    candidate lookups read it without parsing `_source`)."""
    raw = np.empty(NUM_PERM + 1, dtype=_STORED_DTYPE)
    raw[0] = sig.size & 0xFFFFFFFF
    raw[1:] = sig.array
    return {"cluster_keys": list(sig.keys), "cluster_minhash": base64.b64encode(raw.tobytes()).decode("ascii")}


def signature_from_stored(value: Any) -> Signature | None:
    """Rebuild a Signature from a stored `cluster_minhash` (base64, see `signature_fields`); None when missing
    or malformed."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        value = value[0]  # docvalue_fields come as one-element lists
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    if len(raw) != _STORED_BYTES:
        return None
    size = int(np.frombuffer(raw, dtype="<i4", count=1)[0])
    arr = np.frombuffer(raw, dtype=_STORED_DTYPE, offset=4)
    return Signature(arr, size=size) if size else Signature(arr, keys=(), size=0)


# ------------------------------------------------------------------------------------------------ similarity


def similarity(a: Signature, b: Signature) -> float:
    """Similarity in [0, 1]: estimated Jaccard resemblance of the shingle sets, or, when the smaller text has
    at least MIN_CONTAINMENT_SHINGLES shingles, its estimated containment in the larger times CONTAINMENT_WEIGHT,
    whichever is higher. Empty texts are similar to nothing."""
    if not a.comparable or not b.comparable:
        return 0.0
    jac = float(np.count_nonzero(a.array == b.array)) / NUM_PERM
    smaller = min(a.size, b.size)
    if smaller < MIN_CONTAINMENT_SHINGLES or jac >= 1.0:  # also: a size unknown (-1)
        return jac
    # |A n B| = J / (1 + J) * (|A| + |B|); containment of the smaller set in the larger one.
    containment = min(1.0, jac / (1.0 + jac) * (a.size + b.size) / smaller)
    return max(jac, CONTAINMENT_WEIGHT * containment)


def pair_similarities(sigs: Sequence[Signature], pairs: np.ndarray) -> np.ndarray:
    """`similarity(sigs[i], sigs[j])` for every row (i, j) of `pairs` (k x 2), vectorised in chunks."""
    out = np.zeros(len(pairs), dtype=np.float64)
    if not len(pairs):
        return out
    matrix = np.stack([sig.array for sig in sigs])
    sizes = np.asarray([sig.size for sig in sigs], dtype=np.float64)
    ok = np.asarray([sig.comparable for sig in sigs])
    for start in range(0, len(pairs), 20000):
        a, b = pairs[start : start + 20000, 0], pairs[start : start + 20000, 1]
        jac = np.count_nonzero(matrix[a] == matrix[b], axis=1) / NUM_PERM
        sa, sb = sizes[a], sizes[b]
        smaller = np.minimum(sa, sb)
        with np.errstate(divide="ignore", invalid="ignore"):
            containment = np.minimum(1.0, jac / (1.0 + jac) * (sa + sb) / smaller)
        use = (smaller >= MIN_CONTAINMENT_SHINGLES) & (jac < 1.0)
        score = np.where(use, np.maximum(jac, CONTAINMENT_WEIGHT * containment), jac)
        out[start : start + 20000] = np.where(ok[a] & ok[b], score, 0.0)
    return out
