"""Per-document content statistics: script mix, tokens, unigram entropy, compressibility, URL domains.

Definitions (each a pure function of one document, below; `batch_stats` computes the same for a batch at once):

- Script mix: letters (str.isalpha) counted per script: Han, Latin, Cyrillic, Arabic, Kana (hiragana and katakana),
  Hangul, Other (every other script's letters). Digits, punctuation, symbols, spaces and combining marks are not
  counted. A letter's script is read from its Unicode name (CJK UNIFIED/COMPATIBILITY IDEOGRAPH and the
  IDEOGRAPHIC iteration mark are Han, FULLWIDTH LATIN … is Latin, HALFWIDTH KATAKANA … is Kana, …). The dominant
  script is the one with the most letters (ties: the earlier in SCRIPTS), None when there are no letters.
- Tokens: the lower-cased text (str.lower) split into Han, kana and hangul characters, one token each, and words,
  maximal runs of the other str.isalnum characters. So "Hello, 世界!" is ["hello", "世", "界"]. Combining marks are
  not alphanumeric: a decomposed (NFD) "é" splits a word, as it would with \\w+.
- Unigram entropy: -Σ p log2 p over the document's token frequencies, in bits ("a a b b" is 1 bit).
- Token hash: a 64-bit polynomial of the token's code points (base 0x100000001B3), finished by splitmix64, as a
  signed 64-bit integer (a DuckDB BIGINT). Stable across processes and machines, unlike Python's hash(); a chance
  collision between two of a million distinct tokens has probability ~3·10⁻⁸ (a polynomial mod 2**64 can be made to
  collide on purpose, with Thue-Morse strings of 2048+ characters: no concern for counting). A bigram's hash is
  splitmix64 of (h1 · 0x9E3779B97F4A7C15 + h2) over the two tokens' unsigned hashes.
- Compressed size: zlib level 6 of the UTF-8 text; compression ratio = UTF-8 bytes / compressed bytes.
- URL domains: hosts of http://, https://, ftp:// URLs and of bare www. hosts, lower-cased, reduced to the registered
  domain (public suffix + one label: www.example.co.uk → example.co.uk) with tldextract's bundled public suffix list
  (never fetched). Hosts are ASCII (punycode xn-- labels included); a host with no public suffix (an IP address,
  localhost) is skipped.

Scripts and tokens are read from the lower-cased text (str.lower keeps a letter's script).

Speed: `batch_stats` joins a batch's lower-cased texts (NUL-separated), classifies every code point through one
lookup table, finds token boundaries and hashes tokens with numpy (a polynomial hash needs no Python loop per
character), numbers the distinct hashes with Arrow's hash kernel and counts (document, term) pairs by one sort of
int64 keys. Memory stays bounded by working on chunks of 256K characters (~15 MB of arrays); a longer document is
cut between tokens and its pieces' counts are merged. ~15 MB/s per core on English or Chinese text.

This module imports neither `provenance` nor `flows`.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.textcode import M64 as _M64, P as _P, isalnum_table, mix64, mix64_np, powers as _powers

__all__ = ["SCRIPTS", "BatchStats", "DocumentStats", "GroupTerms", "batch_stats", "bigram_hash", "compressed_size",
           "document_stats", "dominant_script", "registered_domain", "script_counts", "sum_by_term", "token_hash",
           "tokens", "unigram_entropy", "url_domains"]

SCRIPTS = ("Han", "Latin", "Cyrillic", "Arabic", "Kana", "Hangul", "Other")  # ids 1..7 in the code point table
_HAN, _KANA, _HANGUL = 1, 5, 6
_SCRIPT_MASK = 7   # low 3 bits of a table entry: script id of a letter, 0 for anything else
_WORD = 8          # str.isalnum
_CJK = 16          # a token by itself: a Han, kana or hangul letter

_Q = 0x9E3779B97F4A7C15     # bigram combination
CHUNK_CHARS = 1 << 18       # characters tokenised at once by batch_stats (~60 bytes of numpy arrays each)


# -- the code point table --------------------------------------------------------------------------------------------

def _letter_script(ch: str) -> int:
    name = unicodedata.name(ch, "")
    if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "IDEOGRAPHIC")):
        return _HAN
    if "HIRAGANA" in name or "KATAKANA" in name:
        return _KANA
    if "HANGUL" in name:
        return _HANGUL
    for sid, word in ((3, "CYRILLIC"), (4, "ARABIC"), (2, "LATIN")):
        if word in name:
            return sid
    return 7


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """uint8 per code point: script id | _WORD | _CJK. Built once per process (~0.3 s)."""
    table = np.zeros(0x110000, dtype=np.uint8)
    for cp in np.flatnonzero(isalnum_table()).tolist():
        ch = chr(cp)
        value = _WORD
        if ch.isalpha():
            sid = _letter_script(ch)
            value |= sid | (_CJK if sid in (_HAN, _KANA, _HANGUL) else 0)
        table[cp] = value
    return table


def _ranges(mask: np.ndarray) -> str:
    """A regex character class body for the code points where `mask` is true."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return "".join(re.escape(chr(lo)) + ("-" + re.escape(chr(hi - 1)) if hi - lo > 1 else "")
                   for lo, hi in zip(edges[::2], edges[1::2]))


@lru_cache(maxsize=1)
def _token_re() -> re.Pattern[str]:
    cjk = _ranges((_table() & _CJK) != 0)
    return re.compile(f"[{cjk}]|[^\\W_{cjk}]+")


@lru_cache(maxsize=1)
def _word_run_re() -> re.Pattern[str]:
    return re.compile(f"[^\\W_{_ranges((_table() & _CJK) != 0)}]+")


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


# -- one document: the reference definitions ------------------------------------------------------------------------

def script_counts(text: str) -> dict[str, int]:
    """Letters per script, only the scripts present, in SCRIPTS order."""
    counts = np.bincount(_table()[_codepoints(text.lower())] & _SCRIPT_MASK, minlength=8)
    return {name: int(counts[i + 1]) for i, name in enumerate(SCRIPTS) if counts[i + 1]}


def dominant_script(counts: dict[str, int]) -> str | None:
    """The script with the most letters (ties: the earlier in SCRIPTS); None without letters."""
    best = max(SCRIPTS, key=lambda s: (counts.get(s, 0), -SCRIPTS.index(s)))
    return best if counts.get(best, 0) > 0 else None


def tokens(text: str) -> list[str]:
    """Han, kana and hangul characters one by one, other words as runs of alphanumerics; lower-cased."""
    return _token_re().findall(text.lower())


def _unsigned_token_hash(token: str) -> int:
    h, p = 0, 1
    for c in token:
        h = (h + ord(c) * p) & _M64
        p = (p * _P) & _M64
    return mix64(h)


def _signed(h: int) -> int:
    return h - (1 << 64) if h >= 1 << 63 else h


def token_hash(token: str) -> int:
    """The token's stable 64-bit hash as a signed integer (the `term` of diversity_terms)."""
    return _signed(_unsigned_token_hash(token))


def bigram_hash(first: str, second: str) -> int:
    """The stable 64-bit hash (unsigned) of a pair of adjacent tokens, as fed to the bigram sketch."""
    return mix64((_unsigned_token_hash(first) * _Q + _unsigned_token_hash(second)) & _M64)


def unigram_entropy(counts: Iterable[int]) -> float:
    """Shannon entropy in bits of a frequency distribution given by its counts."""
    c = np.fromiter(counts, dtype=np.float64)
    c = c[c > 0]
    if c.size == 0:
        return 0.0
    n = c.sum()
    return max(0.0, float(np.log2(n) - (c * np.log2(c)).sum() / n))


def compressed_size(text: str) -> int:
    """Bytes of zlib level 6 of the UTF-8 text."""
    return len(zlib.compress(text.encode("utf-8", "surrogatepass"), 6))


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_AFTER_SCHEME_RE = re.compile(rf"://(?:[^\s/?#@]*@)?({_LABEL}(?:\.{_LABEL})+)")  # optional user:password@
_SCHEMES = frozenset({"http", "https", "ftp"})
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@-")


def _url_hosts(text: str) -> list[tuple[int, str]]:
    """(position, lower-cased host) of every URL: found by str.find of "://" and "www." (memory speed) and
    checked where they occur, rather than by a regex tried at every position of the text."""
    found = []
    i = text.find("://")
    while i >= 0:
        j = i
        while j > max(0, i - 6) and text[j - 1] in _HOST_CHARS and text[j - 1].isalpha():
            j -= 1
        # the scheme must not be the tail of a longer word ("xhttp://"); CJK text may run right up to it
        if text[j:i].lower() in _SCHEMES and (j == 0 or text[j - 1] not in _HOST_CHARS):
            m = _AFTER_SCHEME_RE.match(text, i)
            if m:
                found.append((j, m.group(1).lower()))
        i = text.find("://", i + 3)
    for needle in ("www.", "WWW."):
        i = text.find(needle)
        while i >= 0:
            if i == 0 or text[i - 1] not in _HOST_CHARS:  # not inside a longer host or an e-mail address
                m = _HOST_RE.match(text, i)
                if m:
                    found.append((i, m.group(0).lower()))
            i = text.find(needle, i + 4)
    found.sort()
    return found


@lru_cache(maxsize=1)
def _suffix_extractor():
    import tldextract

    # suffix_list_urls=() and cache_dir=None: the public suffix snapshot bundled with tldextract, never the network
    # nor a cache directory (the module-level tldextract.extract downloads the list on first use)
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=65536)
def registered_domain(host: str) -> str | None:
    """The public suffix of `host` with the label before it (www.example.co.uk → example.co.uk); None without one."""
    return _suffix_extractor()(host).top_domain_under_public_suffix or None


def url_domains(text: str, limit: int | None = None) -> list[str]:
    """Registered domains of the URLs in `text`, distinct, in order of first appearance, at most `limit`."""
    out: list[str] = []
    for _, host in _url_hosts(text):
        domain = registered_domain(host)
        if domain and domain not in out:
            out.append(domain)
            if limit is not None and len(out) >= limit:
                break
    return out


@dataclass(frozen=True)
class DocumentStats:
    scripts: dict[str, int]
    script: str | None
    tokens: int
    types: int
    entropy: float
    compressed_bytes: int
    domains: list[str]


def document_stats(text: str, max_domains: int | None = None) -> DocumentStats:
    """Every statistic of one document (the reference `batch_stats` is held equal to)."""
    scripts = script_counts(text)
    counts = Counter(tokens(text))
    return DocumentStats(scripts=scripts, script=dominant_script(scripts), tokens=sum(counts.values()),
                         types=len(counts), entropy=unigram_entropy(counts.values()),
                         compressed_bytes=compressed_size(text), domains=url_domains(text, max_domains))


# -- a batch of documents: numpy -------------------------------------------------------------------------------------

@dataclass
class GroupTerms:
    """The exact term counts and the bigram hashes of the documents of one group (a file) in a batch."""

    terms: np.ndarray    # uint64, distinct, sorted
    counts: np.ndarray   # int64, occurrences of each term
    bigrams: np.ndarray  # uint64 hashes of adjacent token pairs within a document (repeats kept)


@dataclass
class BatchStats:
    scripts: np.ndarray   # (documents, len(SCRIPTS)) int64: letters per script
    tokens: np.ndarray    # int64 per document
    types: np.ndarray     # int64 per document: distinct tokens
    entropy: np.ndarray   # float64 per document: unigram entropy in bits
    groups: dict[int, GroupTerms] = field(default_factory=dict)

    def script(self, i: int) -> str | None:
        row = self.scripts[i]
        return SCRIPTS[int(np.argmax(row))] if row.any() else None


def _cut(text: str, at: int) -> int:
    """`at`, or the end of the word (run of non-CJK alphanumerics) that spans it: no token is cut in two."""
    table = _table()
    if at >= len(text) or (table[ord(text[at - 1])] & (_WORD | _CJK)) != _WORD \
            or (table[ord(text[at])] & (_WORD | _CJK)) != _WORD:
        return at
    return _word_run_re().match(text, at).end()


def _pieces(lowered: Sequence[str], limit: int) -> Iterable[tuple[int, str]]:
    """(document index, text) pieces of at most `limit` characters plus the rest of a word spanning the limit."""
    for i, text in enumerate(lowered):
        start = 0
        while len(text) - start > limit:
            cut = _cut(text, start + limit)
            yield i, text[start:cut]
            start = cut
        if start < len(text) or not text:
            yield i, text[start:]


def _chunks(lowered: Sequence[str], limit: int) -> Iterable[tuple[list[int], list[str]]]:
    docs: list[int] = []
    texts: list[str] = []
    size = 0
    for i, piece in _pieces(lowered, limit):
        if texts and size + len(piece) > limit:
            yield docs, texts
            docs, texts, size = [], [], 0
        docs.append(i)
        texts.append(piece)
        size += len(piece) + 1
    if texts:
        yield docs, texts


def _tokenize(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Letters per script of each text (len(texts), 8), the token hashes (uint64, in text order) and the text
    each token is in."""
    table = _table()
    cp = _codepoints("\0".join(texts) + "\0")  # NUL is no token character: tokens never cross texts
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    text_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    cls = table[cp]
    scripts = np.bincount(text_of * 8 + (cls & _SCRIPT_MASK), minlength=len(texts) * 8).reshape(len(texts), 8)

    # words: runs of non-CJK alphanumerics, hashed as a polynomial of their code points
    word = (cls & (_WORD | _CJK)) == _WORD
    edges = np.diff(word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    word_start = np.flatnonzero(edges == 1)
    word_len = np.flatnonzero(edges == -1) - word_start
    if word_start.size:
        first = np.concatenate(([0], np.cumsum(word_len)[:-1]))      # each word's first character in `chars`
        chars = np.flatnonzero(word)
        offset = np.arange(chars.size) - np.repeat(first, word_len)  # a character's place in its word
        powers = _powers(_P, 1 << int(word_len.max() - 1).bit_length())
        word_h = mix64_np(np.add.reduceat(cp[chars].astype(np.uint64) * powers[offset], first))
    else:
        word_h = np.zeros(0, np.uint64)
    # Han, kana, hangul: one character a token, the polynomial of one character is its code point
    cjk_pos = np.flatnonzero(cls & _CJK)
    cjk_h = mix64_np(cp[cjk_pos].astype(np.uint64))

    if not cjk_pos.size:
        start, h = word_start, word_h
    elif not word_start.size:
        start, h = cjk_pos, cjk_h
    else:  # two sorted runs: a stable sort merges them in linear time
        start = np.concatenate((word_start, cjk_pos))
        order = np.argsort(start, kind="stable")
        start, h = start[order], np.concatenate((word_h, cjk_h))[order]
    return scripts, h, text_of[start]


def sum_by_term(terms: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct terms (sorted) with their summed counts."""
    if terms.size == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    order = np.argsort(terms)
    t = terms[order]
    starts = np.flatnonzero(np.concatenate(([True], t[1:] != t[:-1])))
    return t[starts], np.add.reduceat(counts[order], starts)


def batch_stats(texts: Sequence[str], groups: Sequence[int] | np.ndarray | None = None,
                chunk_chars: int = CHUNK_CHARS) -> BatchStats:
    """Script counts, tokens, types and entropy of every text, and per group (e.g. the file each text came from,
    default one group 0) its exact term counts and bigram hashes. Equal to the one-document functions."""
    n = len(texts)
    group_of = np.zeros(n, np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    if group_of.shape != (n,):
        raise ValueError(f"groups has {group_of.size} entries for {n} texts")
    if chunk_chars < 4096:
        raise ValueError(f"chunk_chars must be at least 4096, got {chunk_chars}")
    lowered = [t.lower() for t in texts]
    scripts = np.zeros((n, 8), np.int64)
    n_tokens = np.zeros(n, np.int64)
    types = np.zeros(n, np.int64)
    clog = np.zeros(n, np.float64)  # Σ c·log2(c) over a document's term counts
    split_docs = {i for i, t in enumerate(lowered) if len(t) > chunk_chars}
    split_terms: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {i: [] for i in split_docs}
    group_terms: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    group_bigrams: dict[int, list[np.ndarray]] = {}
    carry_h = np.zeros(0, np.uint64)   # the last token of the previous chunk: a bigram may cross a cut
    carry_d = np.zeros(0, np.int64)

    for chunk_docs, chunk_texts in _chunks(lowered, chunk_chars):
        piece_doc = np.asarray(chunk_docs, dtype=np.int64)
        piece_scripts, h, tok_piece = _tokenize(chunk_texts)
        np.add.at(scripts, piece_doc, piece_scripts)
        if h.size == 0:
            continue
        doc = piece_doc[tok_piece]
        n_tokens += np.bincount(doc, minlength=n)

        # dense term ids of the chunk (Arrow's hash kernel: no sort of 64-bit hashes), then the (document, term)
        # counts from one sort of document * terms + id
        encoded = pc.dictionary_encode(pa.array(h))
        uniq = encoded.dictionary.to_numpy()
        ids = encoded.indices.to_numpy().astype(np.int64)
        key = np.sort(doc * uniq.size + ids)
        run_start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        pair_key = key[run_start]
        pair_n = np.diff(np.append(run_start, key.size))
        pair_doc = pair_key // uniq.size
        types += np.bincount(pair_doc, minlength=n)
        clog += np.bincount(pair_doc, weights=pair_n * np.log2(pair_n), minlength=n)
        for i in split_docs.intersection(chunk_docs):
            mask = pair_doc == i
            split_terms[i].append((uniq[pair_key[mask] % uniq.size], pair_n[mask]))

        # adjacent tokens of one document
        hh, dd = np.concatenate((carry_h, h)), np.concatenate((carry_d, doc))
        same = dd[1:] == dd[:-1]
        bigrams = mix64_np(hh[:-1][same] * np.uint64(_Q) + hh[1:][same])
        carry_h, carry_d = h[-1:], doc[-1:]

        chunk_groups = np.unique(group_of[piece_doc])
        if chunk_groups.size == 1:
            g = int(chunk_groups[0])
            counts = np.bincount(ids, minlength=uniq.size)
            group_terms.setdefault(g, []).append((uniq, counts))
            group_bigrams.setdefault(g, []).append(bigrams)
            continue
        tok_group = group_of[doc]
        bigram_group = group_of[dd[1:][same]]
        for g in chunk_groups.tolist():
            mask = tok_group == g
            counts = np.bincount(ids[mask], minlength=uniq.size)
            present = np.flatnonzero(counts)
            group_terms.setdefault(g, []).append((uniq[present], counts[present]))
            group_bigrams.setdefault(g, []).append(bigrams[bigram_group == g])

    for i, parts in split_terms.items():  # a document in several chunks: its term counts merged
        if not parts:
            continue
        _, counts = sum_by_term(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
        types[i] = counts.size
        clog[i] = float((counts * np.log2(counts)).sum())

    entropy = np.zeros(n, np.float64)
    has = n_tokens > 0
    entropy[has] = np.maximum(0.0, np.log2(n_tokens[has]) - clog[has] / n_tokens[has])
    out = BatchStats(scripts=scripts[:, 1:], tokens=n_tokens, types=types, entropy=entropy)
    for g, parts in group_terms.items():
        if len(parts) == 1:
            terms, counts = parts[0]
            order = np.argsort(terms)
            terms, counts = terms[order], counts[order].astype(np.int64)
        else:
            terms, counts = sum_by_term(np.concatenate([p[0] for p in parts]),
                                         np.concatenate([p[1] for p in parts]).astype(np.int64))
        out.groups[g] = GroupTerms(terms, counts, np.concatenate(group_bigrams[g]))
    for g in np.unique(group_of).tolist():  # a group without tokens still has its (empty) entry
        out.groups.setdefault(g, GroupTerms(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.uint64)))
    return out
