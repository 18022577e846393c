"""Corpora with a known near-duplicate ground truth, for the near-duplicate accuracy benchmark and its corpus test
(benchmarks/dup_accuracy.py, tests/corpora/test_dup_accuracy.py). Everything is read in place from the shared
corpora (../shared/corpora, or $PROVENANCE_CORPORA, or the `corpora` argument); archives are read member by member
with `tarfile`, never extracted.

Two kinds of corpus, each a `Corpus` of one language:

1. **Perturbation corpus** (`perturbation_corpus(lang, ...)`, seeded): base texts drawn from real sources, and for
   each base a few variants with a known edit at a graded strength. A group is a base and its variants; the
   candidate truth pairs are every pair inside a group (their exact Jaccard decides which are duplicates).
   - zh bases, a third from each: CMRC 2018 paragraph contexts (squad-style-data), SophonPlus reviews of >= 100
     characters (ChnSentiCorp_htl_all, waimai_10k, online_shopping_10_cats without its 酒店 category, whose rows
     repeat ChnSentiCorp_htl_all) and MSRA news sentences joined in file order to 100-400 characters, and Tang poems
     (全唐诗/poet.tang.*.json bodies of >= 60 word characters).
   - en bases, half from each: Gutenberg novels (text between the "*** START OF"/"*** END OF" lines, consecutive
     paragraphs joined to 100-400 words; 106.txt and gutenbergbooks_1342 are left out as copies of 105.txt and
     1342-0.txt) and Stack Exchange posts (beer, coffee) of 100-400 words.
   Bases are sampled without two equal normalised texts.
   Variants (`VARIANTS` per base): the first changes presentation only (whitespace, punctuation, letter case,
   fullwidth forms: normalisation and shingling must erase it, so its Jaccard with the base is 1); each other is
   one edit (unit substitutions, insertions or deletions; swaps of adjacent sentences; truncation of the head or
   tail) whose strength is drawn so that the Jaccard with the base spreads over ~0.4-1.0, and half of them also get
   a presentation change. Units are characters for Chinese and whitespace-separated tokens for English.

2. **Natural duplicates**, each with explicit candidate truth pairs:
   - `newsgroup_crossposts`: every file of twenty_newsgroups_19997.tar.gz (text = the whole file as stored, UTF-8,
     else Latin-1); a pair is two files whose headers carry the same Message-ID (a cross-post stored once per group).
   - `hotel_review_copies`: every review of ChnSentiCorp_htl_all.csv and online_shopping_10_cats.part*.csv; a pair is
     a ChnSentiCorp row and an online_shopping row that are equal after `normalize` (rule "normalized"), or equal
     once only word characters (str.isalnum) are kept, i.e. they differ in whitespace/punctuation only (rule
     "word-chars"), or share their first 30 word characters (rule "prefix-30", copies edited after the start).
   - `tang_editions`: every poem of 全唐诗/poet.tang.*.json and 御定全唐詩/json/*.json (text = the poem body, lines
     joined by newlines; titles and authors are written differently between the editions); a pair is a poem of each
     edition with the same (author, title) after NFKC and removing whitespace, where that key occurs exactly once in
     each edition (a repeated key cannot be paired 1:1 and is left out, counted).

The natural sets hold real personal data (20 Newsgroups: names, addresses in headers and signatures): nothing here
prints, logs or writes a text or a header value; `Corpus.stats` holds counts only.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import tarfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from detectors.dedup.normalize import normalize

__all__ = ["Document", "Corpus", "VARIANTS", "BASES_PER_LANGUAGE", "default_corpora", "available",
           "perturbation_corpus", "newsgroup_crossposts", "hotel_review_copies", "tang_editions", "natural_corpora"]

VARIANTS = 4               # variants per base text: a group is 1 + VARIANTS documents
BASES_PER_LANGUAGE = 800   # at scale 1: 4,000 documents per language
PREFIX_CHARS = 30          # hotel reviews: the "prefix-30" pairing rule


def default_corpora() -> Path:
    env = os.environ.get("PROVENANCE_CORPORA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpora"


def available(corpora: Path | None = None) -> bool:
    return ((corpora or default_corpora()) / "INDEX.md").exists()


@dataclass(frozen=True)
class Document:
    id: str
    lang: str           # "zh" | "en"
    text: str
    group: str          # perturbation: the base's id; natural: the pairing key, or the document's own id if unpaired
    perturbation: str = ""  # perturbation corpus: "base", or the edit applied (kind and strength)


@dataclass
class Corpus:
    name: str
    lang: str
    docs: list[Document]
    pairs: list[tuple[int, int]] | None = None  # natural sets: candidate truth pairs (i < j); None: within groups
    stats: dict[str, int] = field(default_factory=dict)  # how the ground truth was identified, counts only
    rule: str = ""  # one line: how the candidate truth pairs were identified

    def candidate_pairs(self) -> list[tuple[int, int]]:
        """The pairs whose exact Jaccard decides the ground truth: the natural pairs, or every within-group pair."""
        if self.pairs is not None:
            return self.pairs
        groups: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.docs):
            groups[d.group].append(i)
        return [p for members in groups.values() for p in combinations(members, 2)]


# -- base-text pools ----------------------------------------------------------------------------------------------

def _sample_distinct(pool: tuple[tuple[str, str], ...], k: int, rng: random.Random) -> list[tuple[str, str]]:
    """k items of the pool in random order, skipping any whose normalised text was already taken (so no two bases
    are exact duplicates of each other); fewer if the pool runs out."""
    order = list(range(len(pool)))
    rng.shuffle(order)
    seen, out = set(), []
    for i in order:
        if len(out) == k:
            break
        n = normalize(pool[i][1])
        if n and n not in seen:
            seen.add(n)
            out.append(pool[i])
    return out


@lru_cache(maxsize=2)
def _cmrc_contexts(root: Path) -> tuple[tuple[str, str], ...]:
    out = []
    for path in sorted((root / "cmrc2018_zh_wiki" / "squad-style-data").glob("*.json")):
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for k, para in enumerate(article["paragraphs"]):
                out.append((f"cmrc/{path.stem}/{article.get('id', '')}/{k}", para["context"]))
    return tuple(out)


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=2)
def _sophonplus_texts(root: Path) -> tuple[tuple[str, str], ...]:
    base = root / "chinese_nlp_corpus_sophonplus" / "datasets"
    out = []
    for r, row in enumerate(_csv_rows(base / "ChnSentiCorp_htl_all" / "ChnSentiCorp_htl_all.csv")):
        out.append((f"htl/{r}", row["review"] or ""))
    for r, row in enumerate(_csv_rows(base / "waimai_10k" / "waimai_10k.csv")):
        out.append((f"waimai/{r}", row["review"] or ""))
    for path in sorted((base / "online_shopping_10_cats").glob("*.csv")):
        for r, row in enumerate(_csv_rows(path)):
            if row["cat"] != "酒店":  # those repeat ChnSentiCorp_htl_all
                out.append((f"shop/{path.stem.rsplit('.', 1)[-1]}/{r}", row["review"] or ""))
    out = [(k, t) for k, t in out if len(t.strip()) >= 100]
    # MSRA news: consecutive sentences joined into passages of 100-400 characters
    for path in sorted((base / "dh_msra").glob("*.jsonl")):
        cur: list[str] = []
        start = 0
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f):
                text = json.loads(line)["text"]
                if not cur:
                    start = n
                cur.append(text)
                size = sum(map(len, cur))
                if size >= 100:
                    if size <= 400:
                        out.append((f"msra/{path.stem.rsplit('.', 1)[-1]}/{start}", "".join(cur)))
                    cur = []
    return tuple(out)


@lru_cache(maxsize=2)
def _poetry(root: Path) -> dict[str, tuple[tuple[str, dict], ...]]:
    """The poems of both Tang editions: "tang" (全唐诗/poet.tang.*.json) and "yuding" (御定全唐詩/json/*.json), each a
    tuple of (member-relative id, record) in member-name order."""
    tang, yuding = [], []
    with tarfile.open(root / "chinese_poetry.tar.gz") as tar:
        for m in tar:
            if not m.isfile() or not m.name.endswith(".json"):
                continue
            if re.search(r"/全唐诗/poet\.tang\.\d+\.json$", m.name):
                dest, tag = tang, "tang/" + m.name.rsplit("/", 1)[-1]
            elif "/御定全唐詩/json/" in m.name:
                dest, tag = yuding, "yuding/" + m.name.rsplit("/", 1)[-1]
            else:
                continue
            dest += [(tag, rec) for rec in json.load(tar.extractfile(m))]
    # sorted by member name (stable: a member's records keep their order), whatever the archive's member order
    return {"tang": tuple(sorted(tang, key=lambda item: item[0])),
            "yuding": tuple(sorted(yuding, key=lambda item: item[0]))}


def _poem_body(rec: dict) -> str:
    return "\n".join(p for p in (rec.get("paragraphs") or []) if isinstance(p, str))


@lru_cache(maxsize=2)
def _tang_poems(root: Path) -> tuple[tuple[str, str], ...]:
    counter: Counter = Counter()
    out = []
    for tag, rec in _poetry(root)["tang"]:
        counter[tag] += 1
        body = _poem_body(rec)
        if sum(c.isalnum() for c in body) >= 60:
            out.append((f"poetry/{tag}#{counter[tag] - 1}", body))
    return tuple(out)


_PG_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE | re.IGNORECASE)
_PG_END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE | re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\r?\n(?:[ \t]*\r?\n)+")  # newline first: the engine jumps between newlines


def _chunks_of_words(body: str, low: int = 100, close: int = 150, high: int = 400) -> list[str]:
    """Consecutive paragraphs joined into chunks of `low`-`high` words: a chunk is closed once it reaches `close`
    words, or before a paragraph would take it past `high`; a paragraph longer than `high` is skipped rather than cut
    mid-sentence."""
    chunks: list[str] = []
    cur: list[str] = []
    words = 0
    for para in [*_PARAGRAPH_BREAK.split(body), None]:  # None: the end, flushes the last chunk
        n = len(para.split()) if para is not None else 0
        if para is not None and not n:
            continue
        if para is not None and words + n <= high:
            cur.append(para.strip("\r\n"))
            words += n
            if words >= close:
                chunks.append("\n\n".join(cur))
                cur, words = [], 0
            continue
        if words >= low:  # the end, or a paragraph that would overflow: close what we have
            chunks.append("\n\n".join(cur))
        cur, words = [], 0
        if para is not None and n <= high:  # the overflowing paragraph starts the next chunk
            cur, words = [para.strip("\r\n")], n
            if words >= close:
                chunks.append(cur[0])
                cur, words = [], 0
    return chunks


@lru_cache(maxsize=2)
def _gutenberg_chunks(root: Path) -> tuple[tuple[str, str], ...]:
    books = []
    with tarfile.open(root / "gutenberg_novels.tar.gz") as tar:
        for m in tar:
            name = m.name.rsplit("/", 1)[-1]
            if (m.isfile() and "/denten_test_corpus/" in m.name and name.endswith(".txt") and name != "106.txt"
                    and (name[0].isdigit() or name.startswith("pg"))):
                books.append((name, tar.extractfile(m).read().decode("utf-8-sig", "replace")))
    out = []
    for name, text in sorted(books):
        start, end = _PG_START.search(text), _PG_END.search(text)
        body = text[start.end() if start else 0:end.start() if end else len(text)]
        out += [(f"gutenberg/{name}/{k}", chunk) for k, chunk in enumerate(_chunks_of_words(body))]
    return tuple(out)


@lru_cache(maxsize=2)
def _stackexchange_posts(root: Path) -> tuple[tuple[str, str], ...]:
    out = []
    for path in sorted((root / "stackexchange_beer_coffee").glob("*/posts.derived.jsonl")):
        site = path.parent.name.split(".", 1)[0]
        with open(path, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                text = rec.get("text") or ""
                if 100 <= len(text.split()) <= 400:
                    out.append((f"stackexchange/{site}/{rec['Id']}", text))
    return tuple(out)


# -- perturbations ------------------------------------------------------------------------------------------------

_ZH_PUNCT = {"，": ",", "。": ".", "！": "!", "？": "?", "：": ":", "；": ";", "“": '"', "”": '"', "、": ",",
             "（": "(", "）": ")", "《": "<", "》": ">", ",": "，", ".": "。", "!": "！", "?": "？"}
_EN_PUNCT = {",": ";", ".": "!", "'": "\u2019", '"': "\u201c", "-": "\u2014", "!": ".", "?": "!", ";": ",",
             ":": " -", "(": "[", ")": "]"}
_WHITESPACE = (" ", "  ", "\n", "\t", " \n", "\u3000", "\u00a0", "\r\n")
_ZH_SENTENCE = re.compile(r"(?<=[。！？!?])")
_EN_SENTENCE = re.compile(r"(?<=[.!?])(\s+)")


def _fullwidth(c: str) -> str:
    if "!" <= c <= "~":
        return chr(ord(c) + 0xFEE0)
    return "\u3000" if c == " " else c


def presentation_change(text: str, lang: str, rng: random.Random) -> tuple[str, str]:
    """1-3 of whitespace, punctuation, case and fullwidth changes that `normalize` + shingling must erase (a
    whitespace change is added when the others found nothing to change)."""
    original = text
    kinds = rng.sample(["whitespace", "punctuation", "case", "fullwidth"], rng.randint(1, 3))
    for kind in ("punctuation", "case", "whitespace", "fullwidth"):  # fixed order: fullwidth last
        if kind not in kinds:
            continue
        if kind == "whitespace":
            if lang == "zh":  # CJK shingles ignore whitespace: insert it anywhere
                text = "".join(c + (rng.choice(_WHITESPACE) if rng.random() < 0.05 else "") for c in text)
            else:  # English words are split at whitespace: only change the whitespace that is there
                text = re.sub(r"\s+", lambda m: rng.choice(_WHITESPACE) if rng.random() < 0.3 else m.group(),
                              text)
            text = rng.choice(_WHITESPACE) + text + rng.choice(_WHITESPACE)
        elif kind == "punctuation":
            table = _ZH_PUNCT if lang == "zh" else _EN_PUNCT
            out = []
            for c in text:
                if c in table and rng.random() < 0.5:
                    # Chinese: drop some punctuation outright (it is never part of a character shingle)
                    out.append("" if lang == "zh" and rng.random() < 0.3 else table[c])
                else:
                    out.append(c)
            text = "".join(out)
        elif kind == "case":
            text = re.sub(r"[^\W\d_]+", lambda m: rng.choice((str.upper, str.lower, str.capitalize, str.swapcase))(
                m.group()) if rng.random() < 0.3 else m.group(), text)
        else:
            rate = rng.choice((0.3, 1.0))
            text = "".join(_fullwidth(c) if rng.random() < rate else c for c in text)
    if text == original:  # e.g. a case change of a text without letters that have case
        kinds.append("whitespace")
        text = rng.choice(_WHITESPACE) + text + rng.choice(_WHITESPACE)
    return text, "presentation(" + "+".join(sorted(kinds)) + ")"


def _target_rate(target_j: float) -> float:
    """Fraction of units to edit so that the Jaccard of N-gram sets is about target_j: each edit touches ~N
    shingles, so a share q = (1 - p)^N of them survives and J = q / (2 - q)."""
    q = 2 * target_j / (1 + target_j)
    return 1 - q ** (1 / 5)


def _units_edit(text: str, lang: str, kind: str, rate: float, rng: random.Random, vocab: list[str]) -> str:
    if lang == "zh":
        tokens = list(text)
        positions = [i for i, c in enumerate(tokens) if c.isalnum()]
        sep = ""
    else:
        tokens = re.split(r"(\s+)", text)
        positions = [i for i in range(0, len(tokens), 2) if tokens[i]]
        sep = " "
    k = max(1, round(rate * len(positions)))
    chosen = set(rng.sample(positions, min(k, len(positions))))
    out = []
    for i, tok in enumerate(tokens):
        if i not in chosen:
            out.append(tok)
        elif kind == "substitute":
            new = rng.choice(vocab)
            while new == tok and len(vocab) > 1:
                new = rng.choice(vocab)
            out.append(new)
        elif kind == "insert":
            out.append(rng.choice(vocab) + sep + tok)
        elif kind == "delete":
            if lang == "en" and i + 1 < len(tokens):
                tokens[i + 1] = ""  # and the whitespace after the deleted word
            continue
    return "".join(out)


def _swap_sentences(text: str, lang: str, rng: random.Random) -> tuple[str, int] | None:
    if lang == "zh":
        parts = [p for p in _ZH_SENTENCE.split(text) if p]
        seps = [""] * len(parts)
    else:
        pieces = _EN_SENTENCE.split(text)
        parts, seps = pieces[0::2], pieces[1::2] + [""]
    if len(parts) < 2:
        return None
    n = rng.randint(1, min(3, len(parts) // 2))
    starts = rng.sample(range(len(parts) - 1), min(n, len(parts) - 1))
    for s in sorted(starts):
        parts[s], parts[s + 1] = parts[s + 1], parts[s]
    return "".join(p + s for p, s in zip(parts, seps)), len(starts)


def _truncate(text: str, lang: str, head: bool, fraction: float) -> str:
    if lang == "zh":
        cut = round(fraction * len(text))
        return text[cut:] if head else text[:len(text) - cut]
    tokens = re.split(r"(\s+)", text)
    cut = 2 * round(fraction * len(tokens) / 2)
    return "".join(tokens[cut:] if head else tokens[:len(tokens) - cut])


EDITS = ("substitute", "insert", "delete", "swap_sentences", "truncate_head", "truncate_tail")


def edit(text: str, lang: str, rng: random.Random, vocab: list[str]) -> tuple[str, str]:
    """One random edit at a random strength; returns the new text and a label (kind and strength)."""
    kind = rng.choice(EDITS)
    target = rng.uniform(0.4, 1.0)
    if kind == "swap_sentences":
        swapped = _swap_sentences(text, lang, rng)
        if swapped is not None:
            return swapped[0], f"swap_sentences(n={swapped[1]})"
        kind = "substitute"
    if kind.startswith("truncate"):
        fraction = max(0.01, 1 - target)
        return _truncate(text, lang, kind == "truncate_head", fraction), f"{kind}(f={fraction:.2f})"
    rate = _target_rate(target)
    return _units_edit(text, lang, kind, rate, rng, vocab), f"{kind}(p={rate:.3f})"


def _bases(root: Path, lang: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    if lang == "zh":
        return [("cmrc", _cmrc_contexts(root)), ("sophonplus", _sophonplus_texts(root)), ("poetry", _tang_poems(root))]
    if lang == "en":
        return [("gutenberg", _gutenberg_chunks(root)), ("stackexchange", _stackexchange_posts(root))]
    raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")


def perturbation_corpus(lang: str, corpora: Path | None = None, seed: int = 0, scale: float = 1.0,
                        variants: int = VARIANTS) -> Corpus:
    """Base texts and their perturbed variants, groups = base + variants; see the module docstring."""
    root = corpora or default_corpora()
    rng = random.Random(seed)
    pools = _bases(root, lang)
    n_base = max(1, round(BASES_PER_LANGUAGE * scale))
    chosen: list[tuple[str, str]] = []
    stats: dict[str, int] = {}
    for k, (name, pool) in enumerate(pools):
        want = n_base // len(pools) + (1 if k < n_base % len(pools) else 0)
        picked = _sample_distinct(pool, want, rng)
        stats[f"bases from {name} (pool {len(pool):,})"] = len(picked)
        chosen += picked
    if lang == "zh":
        vocab = sorted({c for _, t in chosen for c in t if c.isalnum() and ord(c) >= 0x3400})
    else:
        vocab = sorted({w for _, t in chosen for w in re.findall(r"[A-Za-z]+", t)})
    docs: list[Document] = []
    for base_id, text in chosen:
        docs.append(Document(base_id, lang, text, base_id, "base"))
        for v in range(variants):
            if v == 0:
                new, label = presentation_change(text, lang, rng)
            else:
                new, label = edit(text, lang, rng, vocab)
                if rng.random() < 0.5:
                    new, extra = presentation_change(new, lang, rng)
                    label += "+" + extra
            docs.append(Document(f"{base_id}~{v}", lang, new, base_id, label))
    stats["documents"] = len(docs)
    return Corpus(f"perturbation ({lang})", lang, docs, None, stats,
                  f"{len(chosen):,} base texts × (1 + {variants} variants), seed {seed}; truth candidates = every "
                  "within-group pair")


# -- natural duplicates -------------------------------------------------------------------------------------------

_MESSAGE_ID = re.compile(rb"(?im)^message-id:[ \t]*(\S+)")


def newsgroup_crossposts(corpora: Path | None = None) -> Corpus:
    """20 Newsgroups: every stored article; pairs = files with the same Message-ID header (cross-posts)."""
    root = corpora or default_corpora()
    files: list[tuple[str, bytes]] = []
    with tarfile.open(root / "twenty_newsgroups_19997.tar.gz") as tar:
        for m in tar:
            if m.isfile() and "/data/" in m.name:
                files.append((m.name.split("/data/", 1)[1], tar.extractfile(m).read()))
    files.sort()
    by_id: dict[bytes, list[int]] = defaultdict(list)
    latin1 = no_id = 0
    texts = []
    for i, (_, raw) in enumerate(files):
        header = raw.split(b"\n\n", 1)[0]
        found = _MESSAGE_ID.search(header)
        if found:
            by_id[found.group(1)].append(i)
        else:
            no_id += 1
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("latin-1"))
            latin1 += 1
    group = {i: f"message-id:{k}" for k, members in enumerate(v for v in by_id.values() if len(v) > 1)
             for i in members}
    docs = [Document(f"20ng/{name}", "en", texts[i], group.get(i, f"20ng/{name}")) for i, (name, _) in
            enumerate(files)]
    multi = [v for v in by_id.values() if len(v) > 1]
    pairs = sorted(p for v in multi for p in combinations(sorted(v), 2))
    stats = {"files": len(files), "files decoded as Latin-1": latin1, "files without Message-ID": no_id,
             "Message-IDs in > 1 file": len(multi), "extra copies": sum(len(v) - 1 for v in multi),
             "pairs": len(pairs)}
    return Corpus("20 Newsgroups cross-posts", "en", docs, pairs, stats,
                  "same Message-ID header in two files (headers read only to pair them)")


def hotel_review_copies(corpora: Path | None = None, shopping_categories: Collection[str] | None = None,
                        hotel_rows: int | None = None) -> Corpus:
    """ChnSentiCorp_htl_all (its first `hotel_rows` rows, or all) and online_shopping_10_cats (all categories unless
    `shopping_categories`); pairs = a ChnSentiCorp review and an online_shopping review by the rules of the module
    docstring."""
    root = corpora or default_corpora()
    base = root / "chinese_nlp_corpus_sophonplus" / "datasets"
    docs: list[Document] = []
    for r, row in enumerate(_csv_rows(base / "ChnSentiCorp_htl_all" / "ChnSentiCorp_htl_all.csv")[:hotel_rows]):
        docs.append(Document(f"htl/{r}", "zh", row["review"] or "", f"htl/{r}"))
    n_htl = len(docs)
    for path in sorted((base / "online_shopping_10_cats").glob("*.csv")):
        for r, row in enumerate(_csv_rows(path)):
            if shopping_categories is None or row["cat"] in shopping_categories:
                doc_id = f"shop/{path.stem.rsplit('.', 1)[-1]}/{r}"
                docs.append(Document(doc_id, "zh", row["review"] or "", doc_id))
    norm = [normalize(d.text) for d in docs]
    words = ["".join(c for c in n if c.isalnum()) for n in norm]
    index: dict[str, dict[str, list[int]]] = {"normalized": defaultdict(list), "word-chars": defaultdict(list),
                                               "prefix-30": defaultdict(list)}

    def keys(i: int) -> dict[str, str | None]:
        return {"normalized": norm[i] or None, "word-chars": words[i] or None,
                "prefix-30": words[i][:PREFIX_CHARS] if len(words[i]) >= PREFIX_CHARS else None}

    for i in range(n_htl):
        for rule, key in keys(i).items():
            if key:
                index[rule][key].append(i)
    rule_of: dict[tuple[int, int], str] = {}
    for j in range(n_htl, len(docs)):
        for rule, key in keys(j).items():  # first matching rule wins: normalized, word-chars, prefix-30
            for i in index[rule].get(key, ()) if key else ():
                rule_of.setdefault((i, j), rule)
    pairs = sorted(rule_of)
    group: dict[int, str] = {}
    for i, j in pairs:  # the ChnSentiCorp row's id names the pairing
        group.setdefault(i, docs[i].id)
        group.setdefault(j, docs[i].id)
    docs = [Document(d.id, d.lang, d.text, group.get(k, d.group)) for k, d in enumerate(docs)]
    by_rule = Counter(rule_of.values())
    stats = {"ChnSentiCorp_htl_all rows": n_htl, "online_shopping_10_cats rows": len(docs) - n_htl,
             "pairs": len(pairs), **{f"pairs by rule {r}": by_rule[r] for r in ("normalized", "word-chars",
                                                                                 "prefix-30")}}
    return Corpus("hotel reviews, ChnSentiCorp × online_shopping", "zh", docs, pairs, stats,
                  "ChnSentiCorp row = online_shopping row after normalize, or same word characters, or same first "
                  f"{PREFIX_CHARS} word characters")


def _poem_key(rec: dict) -> tuple[str, str]:
    return tuple("".join(unicodedata.normalize("NFKC", rec.get(k) or "").split()) for k in ("author", "title"))


def tang_editions(corpora: Path | None = None) -> Corpus:
    """全唐诗 (poet.tang) and 御定全唐詩: every poem body; pairs = the same (author, title), unique in each edition."""
    root = corpora or default_corpora()
    poetry = _poetry(root)
    docs: list[Document] = []
    keys: dict[str, list[tuple[str, str]]] = {}
    for edition in ("tang", "yuding"):
        counter: Counter = Counter()
        keys[edition] = []
        for tag, rec in poetry[edition]:
            counter[tag] += 1
            doc_id = f"{tag}#{counter[tag] - 1}"
            docs.append(Document(doc_id, "zh", _poem_body(rec), doc_id))
            keys[edition].append(_poem_key(rec))
    n_tang = len(keys["tang"])
    count = {e: Counter(k) for e, k in keys.items()}
    where = {k: i for i, k in enumerate(keys["tang"]) if count["tang"][k] == 1}
    pairs = []
    for j, k in enumerate(keys["yuding"]):
        if count["yuding"][k] == 1 and k in where:
            pairs.append((where[k], n_tang + j))
    pairs.sort()
    for n, (i, j) in enumerate(pairs):
        docs[i] = Document(docs[i].id, "zh", docs[i].text, f"poem:{n}")
        docs[j] = Document(docs[j].id, "zh", docs[j].text, f"poem:{n}")
    common = set(count["tang"]) & set(count["yuding"])
    stats = {"poems in 全唐诗/poet.tang": n_tang, "poems in 御定全唐詩": len(keys["yuding"]),
             "(author, title) keys in both": len(common),
             "keys in both left out (repeated in an edition)": len(common) - len(pairs), "pairs": len(pairs)}
    return Corpus("Tang poems, 全唐诗 × 御定全唐詩", "zh", docs, pairs, stats,
                  "same (author, title) after NFKC and whitespace removal, the key unique in each edition")


def natural_corpora(corpora: Path | None = None) -> list[Corpus]:
    return [hotel_review_copies(corpora), tang_editions(corpora), newsgroup_crossposts(corpora)]
