"""The PII engine: offline, context words that work, offsets through fullwidth text, parity with presidio,
masking and keyed hashes, and the detector's sample. All values are invented (example.com, 555 numbers,
computed check digits)."""

from __future__ import annotations

import gc
import random
import re
import socket

import pyarrow as pa
import pytest

from detectors.pii.detector import PiiConfig, PiiDetector, engine_for, priority
from detectors.pii.engine import PiiEngine, _snap_left, _snap_right, detect_language, fold
from detectors.pii.masking import keyed_hash, masked_excerpt
from detectors.pii.validators import to_halfwidth
from tests.detectors.pii_results import explained


def _id_check(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights)) % 11]


def _luhn_complete(body: str) -> str:
    total = 0
    for i, d in enumerate(reversed(body + "0")):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return body + str((10 - total % 10) % 10)


FAKE_ID = "11010519850615123" + _id_check("11010519850615123")
FAKE_CARD = _luhn_complete("621700123456789012")
FAKE_MOBILE = "13912345678"


@pytest.fixture(scope="module")
def engine() -> PiiEngine:
    return engine_for((), 0.4, 64)


def _found(results, text):
    return {(r.entity_type, text[r.start:r.end]) for r in results}


def test_engine_builds_and_runs_without_network(monkeypatch) -> None:
    """presidio's default engine downloads a spaCy model and tldextract a suffix list: ours must not try."""
    def refuse(*_a, **_k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fresh = PiiEngine()
    text = "Write to jane.doe@example.com or 张三的邮箱zhangsan@example.cn谢谢"
    assert ("EMAIL_ADDRESS", "jane.doe@example.com") in _found(fresh.analyze(text, "en"), text)
    assert ("EMAIL_ADDRESS", "zhangsan@example.cn") in _found(fresh.analyze(text, "zh"), text)


def test_english_context_words_work_with_a_blank_pipeline(engine) -> None:
    # a US passport number scores 0.05-0.1 on its own and passes 0.4 only when a context word is found:
    # with a blank pipeline's empty lemmas presidio would never find one
    bare = "The reference 912803456 was filed."
    with_context = "My passport number is 912803456 and it expires soon."
    assert not [r for r in engine.analyze(bare, "en") if r.entity_type == "US_PASSPORT"]
    assert ("US_PASSPORT", "912803456") in _found(engine.analyze(with_context, "en"), with_context)


def test_chinese_context_words_match_inside_cjk_runs(engine) -> None:
    from detectors.pii.nlp import RunTokenizer
    import spacy

    doc = RunTokenizer(spacy.blank("zh").vocab)("请拨打联系电话13912345678，谢谢")
    assert [t.text for t in doc] == ["请拨打联系电话", "13912345678", "，", "谢谢"]
    artifacts = engine.nlp.tokenize("请拨打联系电话13912345678", "zh")
    assert artifacts.lemmas[0] == "请拨打联系电话"  # lemma falls back to the text, so "电话" is a substring


def test_fullwidth_digits_keep_original_offsets(engine) -> None:
    wide = FAKE_MOBILE.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    text = f"联系手机：{wide}，欢迎来电"
    found = [r for r in engine.analyze(text, "zh") if r.entity_type == "CN_MOBILE_PHONE"]
    assert len(found) == 1
    assert text[found[0].start:found[0].end] == wide
    assert to_halfwidth(text[found[0].start:found[0].end]) == FAKE_MOBILE


def test_structured_identifiers_in_chinese_text(engine) -> None:
    text = (f"客户张三，身份证号{FAKE_ID}，手机{FAKE_MOBILE}，银行卡号{FAKE_CARD}，"
            f"邮箱zhang.san@example.com。订单号20240101123456789012已发货。")
    found = _found(engine.analyze(text, "zh"), text)
    assert ("CN_RESIDENT_ID", FAKE_ID) in found
    assert ("CN_MOBILE_PHONE", FAKE_MOBILE) in found
    assert ("CN_BANK_CARD", FAKE_CARD) in found
    assert ("EMAIL_ADDRESS", "zhang.san@example.com") in found
    assert not any("20240101123456789012" in v or v in "20240101123456789012" for t, v in found
                   if t in ("CN_RESIDENT_ID", "CN_BANK_CARD", "CN_MOBILE_PHONE"))


def test_phone_numbers_glued_to_latin_words_in_chinese_text(engine) -> None:
    # scraped Chinese text glues words to numbers; libphonenumber's matcher alone drops a number touching a letter
    text = "香港办事处电话+85291234567Email:hk@example.com，台湾TEL0912345678联系"
    found = _found(engine.analyze(text, "zh"), text)
    assert ("PHONE_NUMBER", "+85291234567") in found and ("PHONE_NUMBER", "0912345678") in found
    assert ("EMAIL_ADDRESS", "hk@example.com") in found
    # a number that is the start of an e-mail's local part stays part of the address, not a phone number
    glued = "邮箱85291234567abc@example.com"
    assert ("PHONE_NUMBER", "85291234567") not in _found(engine.analyze(glued, "zh"), glued)


def test_german_and_french_national_numbers_need_their_trunk_prefix(engine) -> None:
    text = "Call the Berlin office on 030 23125 678 or Paris on 01 42 68 53 00; order 23125678 shipped."
    found = _found(engine.analyze(text, "en"), text)
    assert ("PHONE_NUMBER", "030 23125 678") in found and ("PHONE_NUMBER", "01 42 68 53 00") in found
    assert not any(v == "23125678" for t, v in found if t == "PHONE_NUMBER")
    assert _found(engine.analyze_presidio(text, "en"), text) == found


def test_ip_addresses_and_ssn_layouts_are_not_phone_numbers(engine) -> None:
    text = "The gateway 73.214.83.112 answered; SSN 536-22-1234 on file; call 415-555-0188 after 5."
    found = _found(engine.analyze(text, "en"), text)
    assert ("IP_ADDRESS", "73.214.83.112") in found and ("PHONE_NUMBER", "415-555-0188") in found
    assert {v for t, v in found if t == "PHONE_NUMBER"} == {"415-555-0188"}


def test_language_detection() -> None:
    assert detect_language("今天天气很好，我们去公园散步吧。") == "zh"
    assert detect_language("The weather is fine today; let us walk in the park.") == "en"
    assert detect_language("Python 是一种广泛使用的解释型、高级编程语言。") == "zh"
    assert detect_language("") == "en"


def _detect_by_regex(text: str, sample: int = 2000) -> str:
    """The rule detect_language implements, spelled with regexes: the reference it is checked against."""
    head = text[:sample]
    cjk = len(re.findall("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", head))
    latin = len(re.findall("[A-Za-z]", head))
    return "en" if not cjk else ("zh" if cjk >= 0.3 * (cjk + latin / 5) else "en")


def test_language_detection_counts_what_the_rule_says() -> None:
    # the counts come from a table lookup over UTF-16 code units: astral characters (two units), lone surrogates,
    # fullwidth letters and the edges of the CJK blocks must count as the regex rule counts them
    pieces = ["中", "文", "\u3400", "\u4dbf", "\u4dc0", "\u9fff", "\ua000", "\uf900", "\ufaff", "\ufb00", "a", "Z",
              "Ａ", "é", "😀", "\U00020000", "\ud800", " ", "1", "，"]
    rng = random.Random(11)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        assert detect_language(text) == _detect_by_regex(text), [hex(ord(c)) for c in text]
    long = "中" * 1990 + "a" * 3000  # only the first 2000 characters count
    assert detect_language(long) == _detect_by_regex(long) == "zh"


def test_fold_converts_identifier_characters_only_and_keeps_offsets() -> None:
    text = "电话：（０１０）６２３４５６７８，邮箱ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ，价格：１２％。😀"
    folded = fold(text)
    assert folded == "电话：(010)62345678，邮箱abc@example.com，价格：12%。😀"
    assert len(folded) == len(text)
    assert fold("没有全角数字（只有括号）。") == "没有全角数字（只有括号）。"  # nothing next to a digit: unchanged
    # two lone surrogates that would make a pair in UTF-16 stay two characters
    odd = "\ud83d\ude00１２（3"
    assert fold(odd) == "\ud83d\ude0012(3" and len(fold(odd)) == len(odd)


def test_window_edges_move_out_of_words_as_far_as_the_limit() -> None:
    # windows are widened so they do not cut a word (at most 24 characters): checked against the plain rule, one
    # character at a time, on random text of letters, CJK, digits of other scripts, underscores and punctuation
    def joined(t: str, i: int) -> bool:
        return t[i - 1].isalnum() and t[i].isalnum()

    def left(t: str, a: int) -> int:
        stop = max(0, a - 24)
        while a > stop and joined(t, a):
            a -= 1
        return a

    def right(t: str, b: int) -> int:
        stop = min(len(t), b + 24)
        while b < stop and joined(t, b):
            b += 1
        return b

    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice("ab1中文_ ，.-é٣Ⅻ😀") for _ in range(rng.randint(1, 70)))
        for i in range(len(text)):
            assert _snap_left(text, i) == left(text, i), (text, i)
            assert _snap_right(text, i + 1) == right(text, i + 1), (text, i + 1)


def _filler(rng: random.Random, lang: str, n: int) -> str:
    if lang == "zh":
        words = ["今天", "我们", "讨论", "项目", "进展", "，", "会议", "安排", "在", "下午", "。", "请", "大家", "准时"]
        return "".join(rng.choice(words) for _ in range(n))
    words = ["the", "meeting", "moved", "to", "Tuesday", "and", "we", "will", "call", "you", "about", "project",
             "2019", "number", "3", "plans", "."]
    return " ".join(rng.choice(words) for _ in range(n))


def _synthetic_docs(seed: int = 7, count: int = 120) -> list[tuple[str, str]]:
    """Documents with identifiers at random places, including the very start and end and near each other."""
    rng = random.Random(seed)
    zh_items = [f"手机{FAKE_MOBILE}", f"身份证{FAKE_ID}", f"卡号{FAKE_CARD}", "邮箱li.si@example.cn",
                "QQ号：31415926", "微信：demo_wx_2024", "电话010-62345678", "护照号E12345678",
                "收货人：李四", "地址：北京市海淀区中关村大街27号", "IP 192.168.10.20", "电话+85291234567Email:",
                "联系TEL0912345678谢谢"]
    en_items = ["call 415-555-0188", "mail bob.smith@example.org", "card 4111 1111 1111 1111",
                "passport 912803456", "SSN 536-22-1234", "ip 10.0.0.12", "IBAN GB82 WEST 1234 5698 7654 32",
                "Berlin office 030 23125 678", "Paris: 01 42 68 53 00", "host 10.20.30.40"]
    docs = []
    for i in range(count):
        lang = "zh" if i % 2 else "en"
        items = zh_items if lang == "zh" else en_items
        parts = []
        for _ in range(rng.randint(1, 4)):
            parts.append(_filler(rng, lang, rng.randint(0, 60)))
            parts.append(rng.choice(items))
        parts.append(_filler(rng, lang, rng.randint(0, 5)))
        docs.append((lang, ("" if lang == "zh" else " ").join(parts)))
    return docs


def test_fast_path_matches_presidio_on_whole_documents(engine) -> None:
    """Parity: the candidate pass and windows find what AnalyzerEngine finds on the whole document."""
    ref_total = both = extra = 0
    for lang, text in _synthetic_docs():
        ref = {(r.entity_type, r.start, r.end) for r in engine.analyze_presidio(text, lang)}
        fast = {(r.entity_type, r.start, r.end) for r in engine.analyze(text, lang)}
        ref_total += len(ref)
        both += len(ref & fast)
        extra += len(fast - ref)
    assert ref_total > 150  # the documents do hold identifiers presidio finds
    assert both / ref_total >= 0.99
    assert extra <= 0.01 * ref_total


def test_a_batch_gives_what_each_document_gives_alone(engine) -> None:
    # analyze_many joins a batch's texts for one candidate pass; identifiers at the very start or end of a text sit
    # next to the join (a trigger starting "(?:^|[^0-9])" then matches the separator, not "^")
    texts = [f"{FAKE_MOBILE}是我的手机", f"身份证{FAKE_ID}", f"{FAKE_ID}", "没有联系方式。", f"{FAKE_CARD}",
             "mail bob.smith@example.org", f"{FAKE_MOBILE}", "call 415-555-0188", ""] + [
             text for _, text in _synthetic_docs(seed=3, count=40)]
    for language in ("zh", "en", "auto"):
        alone = [engine.analyze(t, language) for t in texts]
        assert engine.analyze_many(texts, language) == alone
        assert engine.analyze_many(texts[::-1], language) == alone[::-1]
    assert ("CN_MOBILE_PHONE", FAKE_MOBILE) in _found(engine.analyze_many(texts, "zh")[0], texts[0])


def test_masked_excerpt_hides_values_and_keeps_context_words() -> None:
    text = f"王女士的手机：{FAKE_MOBILE}，邮箱wang@example.com。"
    start = text.index(FAKE_MOBILE)
    others = [(text.index("wang@"), text.index("。"), "EMAIL_ADDRESS")]
    ex = masked_excerpt(text, start, start + len(FAKE_MOBILE), "CN_MOBILE_PHONE", ["手机"], others, width=12)
    assert FAKE_MOBILE not in ex and "wang" not in ex and "王" not in ex
    assert "<CN_MOBILE_PHONE>" in ex and "手机" in ex and "<EMAIL_ADDRESS>" in ex


def test_masked_excerpt_covers_the_whole_of_overlapping_values() -> None:
    # a shorter result inside the start of a longer one (a phone number that is also an e-mail's local part):
    # the longer value's tail must not go through the character mask, which keeps context words readable
    value = "13912345678.phone@example.com"
    text = f"联系：{value} 谢谢"
    s = text.index(value)
    shorter = (s, s + 11, "CN_MOBILE_PHONE")
    longer = (s, s + len(value), "EMAIL_ADDRESS")
    ex = masked_excerpt(text, *shorter, ["phone"], [longer], width=40)
    assert "phone" not in ex and "example" not in ex and "com" not in ex
    assert ex.count("<") == 1 and "<CN_MOBILE_PHONE>" in ex

def test_keyed_hash_normalises_and_depends_on_the_key() -> None:
    a = keyed_hash(b"k1" * 16, "CN_MOBILE_PHONE", "+86 139-1234-5678")
    b = keyed_hash(b"k1" * 16, "CN_MOBILE_PHONE", "１３９１２３４５６７８")
    c = keyed_hash(b"k2" * 16, "CN_MOBILE_PHONE", "13912345678")
    assert a == b != c
    assert FAKE_MOBILE not in a
    assert keyed_hash(b"k1" * 16, "EMAIL_ADDRESS", "Bob@Example.com") == keyed_hash(b"k1" * 16, "EMAIL_ADDRESS",
                                                                                    "bob@example.com")


def test_detector_rows_and_seeded_sample() -> None:
    ids = [f"s:f.jsonl#{i}" for i in range(50)]
    texts = [f"第{i}条：请联系手机{FAKE_MOBILE}" if i % 5 == 0 else f"第{i}条消息，没有联系方式。" for i in range(50)]
    batch = pa.record_batch({"doc_id": ids, "text": texts})

    full = PiiDetector(PiiConfig(key=b"x" * 32))
    table = full.process(batch)
    assert table.num_rows == 50
    with_pii = [r for r in table.to_pylist() if r["entities"]]
    assert len(with_pii) == 10
    ent = with_pii[0]["entities"][0]
    assert ent["entity_type"] == "CN_MOBILE_PHONE" and FAKE_MOBILE not in ent["excerpt"]
    assert ent["value_hash"] == keyed_hash(b"x" * 32, "CN_MOBILE_PHONE", FAKE_MOBILE)

    sampled = PiiDetector(PiiConfig(key=b"x" * 32, sample=7, seed=3))
    assert sampled.process(batch) is None  # held back until the file is done
    kept = sampled.finish().to_pylist()
    expected = sorted(ids, key=lambda d: priority(3, d))[:7]
    assert sorted(r["doc_id"] for r in kept) == sorted(expected)
    assert PiiDetector(PiiConfig(key=b"x" * 32, sample=7, seed=4)).config_hash() != sampled.config_hash()
    assert PiiDetector(PiiConfig(key=b"y" * 32)).config_hash() != full.config_hash()


PHONE_TEXTS = [  # (language, text): national and international numbers of the regions the recognizers try
    ("en", "Call 415-555-0188 or (212) 555-0142 ext. 12; London 020 7946 0018; Mumbai +91 98200 12345."),
    ("en", "Sydney office: (02) 9374 4000, mobile 0412 345 678; Berlin 030 23125 678; Paris 01 42 68 53 00."),
    ("en", "Not numbers: 10/24/2000 11:05, 12:34:56 -0700, order 2023-11-28, IP 73.214.83.112."),
    ("zh", "香港电话：2345 6789，澳门：2833 1234，台湾：(02) 2345-6789 或 0912-345-678，国际+1 650-253-0000。"),
    ("zh", "联系TEL0912345678谢谢，Fax+85223456789Email:hk@example.com，手机13912345678。"),
]


def test_phone_recognizers_agree_with_presidios_libphonenumber_port(engine) -> None:
    # the fast path's phone recognizers use rphonenumbers (libphonenumber's matcher compiled), the reference run
    # phonenumbers (the port presidio ships with): the same numbers must come out of both
    fast = {lang: next(r for r in engine.plans[lang].recognizers if r.supported_entities == ["PHONE_NUMBER"])
            for lang in ("en", "zh")}
    assert all(r.phonelib.__name__ == "rphonenumbers" for r in fast.values())
    reference = [r for r in engine.analyzer.registry.recognizers if r.supported_entities == ["PHONE_NUMBER"]]
    assert reference and all(r.phonelib.__name__ == "phonenumbers" for r in reference)
    found = 0
    for lang, text in PHONE_TEXTS:
        ref = next(r for r in reference if r.supported_language == lang)
        ours = {(r.start, r.end) for r in fast[lang].analyze(text, ["PHONE_NUMBER"])}
        assert ours == {(r.start, r.end) for r in ref.analyze(text, ["PHONE_NUMBER"])}, text
        found += len(ours)
    assert found >= 12  # the texts do hold numbers both find


def test_a_lone_surrogate_stops_neither_phone_matching_nor_context_words(engine) -> None:
    # a JSON "\ud800" escape reads as a lone surrogate, which neither the compiled phone matcher nor spaCy's
    # tokenizer (context words) can take: the phone recognizer then matches with the Python port, the tokenizer
    # sees U+FFFD in its place, and offsets still point into the original text
    text = "bad byte \ud800 here; call 415-555-0188 today; SSN \ud800 536221234 on file"
    found = _found(engine.analyze(text, "en"), text)
    assert ("PHONE_NUMBER", "415-555-0188") in found
    assert ("US_SSN", "536221234") in found  # bare digits: reported only through the context word "SSN"
    assert found == _found(engine.analyze_presidio(text, "en"), text)


def test_ipv6_forms_are_found_and_times_of_day_send_no_window(engine) -> None:
    import re2

    from detectors.pii.recognizers_en import TRIGGERS

    addresses = ["2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80::1", "2001:db8::", "::ffff:192.0.2.128",
                 "64:ff9b:0:0:0:0:192.0.2.33", "2001:db8:0:0:1::1"]
    text = "Hosts: " + ", ".join(addresses) + "; sent Mon, 14 May 2001 16:39:00 -0700 (PDT)."
    found = _found(engine.analyze(text, "en"), text)
    assert {v for t, v in found if t == "IP_ADDRESS"} == set(addresses)
    assert found == _found(engine.analyze_presidio(text, "en"), text)
    # the IPv6 part of the trigger wants '::' or four groups: a time of day ('16:39:00') is neither
    assert re2.compile(TRIGGERS["IP_ADDRESS"]).search("Date: Mon, 14 May 2001 16:39:00 -0700") is None


def test_ssn_hits_without_the_formatted_layout_need_a_context_word(engine) -> None:
    # presidio scores a bare or 5-4 / 3-6 SSN 0.05 (reported only with a context word), the 3-2-4 layout with
    # separators 0.5; the engine skips the first kind when no context word is near, with the same findings
    text = ("Invoice 536221234 paid. Ref 53622-1234. SSN 536221234 on file. Her number: 536-22-1234. "
            "Phone 415 555 0188.")
    results = engine.analyze(text, "en")
    starts = sorted(r.start for r in results if r.entity_type == "US_SSN")
    # the one after "SSN" and the formatted one; not the invoice number or the reference
    assert starts == [text.index("SSN 536221234") + 4, text.index("536-22-1234")]
    spans = {(r.entity_type, r.start, r.end) for r in results}
    assert spans == {(r.entity_type, r.start, r.end) for r in engine.analyze_presidio(text, "en")}
    recognizer = next(r for r in engine.plans["en"].recognizers if r.name == "UsSsnRecognizer")
    at = text.index("536221234")
    assert recognizer.needs_context_for(text, at, at + 9)
    at = text.index("536-22-1234")
    assert not recognizer.needs_context_for(text, at, at + 11)


def test_e_mail_addresses_are_found_on_whole_documents_not_windows(engine) -> None:
    # the e-mail recognizer finds its matches around each '@' of the whole document (analyze_whole): it sends no
    # window, and no other recognizer's window runs it. Lotus Notes addresses ("Smith/HOU/ECT@ECT") and message ids
    # ("<123.JavaMail.user@host>") fill e-mail headers and are no addresses; an Exchange address runs to 100+
    # characters before its '@' and is no address either (the local part has at most 64), nor is its tail
    exchange = "/O=ENRON/OU=NA/CN=RECIPIENTS/CN=" + "JSMITH3" * 12
    text = ("To: John Smith/HOU/ECT@ECT, jane.doe@example.com\nMessage-ID: <12.JavaMail.user@host>\n"
            f"cc: bob@mail.example.org, {exchange}@ENRON.com\nCall 415-555-0188 or mail \"c.d\"@example.net "
            "ann@example.comTel")
    for plan in engine.plans.values():
        assert [r.name for r in plan.whole] == ["EmailRecognizer"]
        assert "EmailRecognizer" not in {gate.recognizer.name for gate in plan.gates}
    found = _found(engine.analyze(text, "en"), text)
    # (a quoted local part is not in the pattern; "comTel" is trimmed to "com")
    assert {v for t, v in found if t == "EMAIL_ADDRESS"} == {"jane.doe@example.com", "bob@mail.example.org",
                                                             "ann@example.com"}
    assert found == _found(engine.analyze_presidio(text, "en"), text)
    assert ("PHONE_NUMBER", "415-555-0188") in found


def test_a_number_glued_to_an_e_mail_address_is_dropped_whatever_the_window_edge(engine) -> None:
    # the phone recognizers drop a number inside a run of address characters that holds an '@' (in_address_token);
    # a window whose word edge stops just before the '@' hid it, and the number was reported where presidio, on the
    # whole document, drops it. The engine now moves phone windows' edges to the end of such a run
    differed = []
    for n in range(12):
        for m in range(1, 9):
            text = ("abcdefg@host1234.com.cn）Tel:+886223456789" + "联" * n + "：+85291234567-1234"
                    + "abc123456"[:m] + "@example.com，谢谢")
            fast = {(r.entity_type, r.start, r.end) for r in engine.analyze(text, "zh")}
            if fast != {(r.entity_type, r.start, r.end) for r in engine.analyze_presidio(text, "zh")}:
                differed.append((n, m))
            assert ("PHONE_NUMBER", "+886223456789") in _found(engine.analyze(text, "zh"), text)
    assert differed == []  # (16 of these 96 texts differed before)


def test_a_neighbours_window_does_not_cut_a_number_at_a_hyphen_or_space(engine) -> None:
    # windows snap to word edges, and a hyphen or a space is one: a Hong Kong number's window could start at
    # "2345-6789" inside the mainland mobile "139-2345-6789" (whose own hit the HK/MO/TW recognizer skips), and the
    # matcher read a Hong Kong number there. presidio, on the whole document, sees the whole number and finds none
    differed = []
    for n in range(30):
        for number in ("139-2345-6789", "139 2345 6789", "0755-2345-6789"):
            for text in ("电话：" + number + "联" * n + "香港电话：+852 2876 5432，谢谢",
                         "香港电话：+852 2876 5432" + "联" * n + "手机：" + number + "，谢谢"):
                found = _found(engine.analyze(text, "zh"), text)
                if found != _found(engine.analyze_presidio(text, "zh"), text):
                    differed.append(text)
                assert ("PHONE_NUMBER", "+852 2876 5432") in found
    assert differed == []  # (10 of these 180 texts differed before)


def test_passport_hits_are_reported_only_next_to_a_context_word(engine) -> None:
    # presidio's US passport patterns score 0.05 and 0.1: a context word decides, so the engine skips hits with none
    text = ("Order 912803456 shipped on time. Ref A12345678 closed. " + "Nothing more to add here. " * 6
            + "Her passport 912803457 expires soon.")
    results = engine.analyze(text, "en")
    assert [text[r.start:r.end] for r in results if r.entity_type == "US_PASSPORT"] == ["912803457"]
    spans = {(r.entity_type, r.start, r.end) for r in results}
    assert spans == {(r.entity_type, r.start, r.end) for r in engine.analyze_presidio(text, "en")}
    recognizer = next(r for r in engine.plans["en"].recognizers if r.name == "UsPassportRecognizer")
    assert recognizer.needs_context_for(text, 6, 15)


def test_lean_pattern_loop_gives_presidios_results_for_every_recognizer_it_applies_to(engine) -> None:
    # the windows call pattern_pass.analyze where a recognizer's analyze is presidio's pattern loop (the reference
    # run keeps presidio's own): same results, scores and explanations, whole documents and windows cut anywhere
    from detectors.pii import pattern_pass

    rng = random.Random(2)
    docs = [text for _, text in _synthetic_docs(seed=9, count=60)]
    texts = docs + [t[a:b] for t in docs for a, b in [sorted(rng.sample(range(len(t) + 1), 2)) for _ in range(4)]]
    lean = {r.name: r for plan in engine.plans.values() for r in plan.recognizers if pattern_pass.applies_to(r)}
    assert {"PaymentCardRecognizer", "UsSsnRecognizer", "IpRecognizer", "CnMobilePhoneRecognizer"} <= set(lean)
    assert not {"IbanRecognizer", "PhoneNumberRecognizer", "EmailRecognizer"} & set(lean)  # their own analyze
    found = 0
    for rec in lean.values():
        for text in texts:
            ours = pattern_pass.analyze(rec, text)
            assert explained(ours) == explained(rec.analyze(text, rec.supported_entities)), (rec.name, text)
            found += len(ours)
    assert found > 150  # the texts do hold what the recognizers look for (216)


def test_duplicate_removal_shortcut_gives_presidios_results() -> None:
    # presidio_steps.remove_duplicates skips presidio's set, sorts and groupby where no two results overlap: on
    # random result lists (overlapping, nested, equal, empty and zero-score ones among them) it must give
    # presidio's EntityRecognizer.remove_duplicates, in the same order
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    from detectors.pii.presidio_steps import remove_duplicates

    rng = random.Random(8)
    shortcut = 0
    for _ in range(20000):
        results = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randint(0, 40)
            results.append(RecognizerResult(rng.choice(["EMAIL_ADDRESS", "PHONE_NUMBER"]), start,
                                            start + rng.choice([0, 1, 3, 5, 8, 12]), rng.choice([0, 0.3, 0.5, 1.0])))
        theirs = [(r.entity_type, r.start, r.end, r.score) for r in EntityRecognizer.remove_duplicates(list(results))]
        ours = [(r.entity_type, r.start, r.end, r.score) for r in remove_duplicates(list(results))]
        assert ours == theirs, results
        spans = sorted((r.start, r.end) for r in results)
        shortcut += len(results) > 1 and all(s < e for s, e in spans) and all(r.score for r in results) \
            and all(b[0] >= a[1] for a, b in zip(spans, spans[1:]))
    assert shortcut > 1000  # the shortcut itself was exercised, not only the fallback



def test_every_pattern_is_compiled_when_the_engine_is_built() -> None:
    # presidio compiles a recognizer's patterns on its first call; the engine compiles them up front, with the
    # flags presidio would use, so the first documents of an audit do not pay for them
    fresh = PiiEngine()
    recognizers = [r for plan in fresh.plans.values() for r in plan.recognizers] + fresh.analyzer.registry.recognizers
    patterns = [(r, p) for r in recognizers for p in getattr(r, "patterns", None) or ()]
    assert len(patterns) > 30
    assert all(p.compiled_regex is not None and p.compiled_with_flags == r.global_regex_flags for r, p in patterns)


def test_the_benchmarks_time_split_accounts_for_a_pass_and_puts_everything_back(engine) -> None:
    # pii_bench.time_split wraps the engine's functions to time each part of a pass: the parts must add up to the
    # pass, the parts the text exercises must have time, and afterwards the engine must be as it was
    from types import SimpleNamespace

    from benchmarks import pii_bench
    from detectors.pii import engine as engine_module, pattern_pass

    texts = ["联系人：张三，手机13912345678，邮箱zhang.san@example.com，QQ号：123456789，香港电话：+852 2345 6789。",
             "身份证号码110101199003070012，座机010-62345678，微信：abc_12345。" + "普通的句子，没有个人信息。" * 5]
    docs = [SimpleNamespace(text=t) for t in texts * 40]
    before = [engine.analyze(d.text, "zh") for d in docs]
    originals = (engine_module._candidates, engine_module._merge, pattern_pass.analyze)
    gates = engine.plans["zh"].gates
    callbacks, thresholds = list(gc.callbacks), gc.get_threshold()
    gc.set_threshold(50)  # young collections every 50 allocations: the plain passes must see the collector run
    try:
        plain, total, parts, (collector_share, full_collections) = pii_bench.time_split(engine, docs, "zh")
    finally:
        gc.set_threshold(*thresholds)
    assert gc.callbacks == callbacks
    assert 0 < collector_share < 1 and full_collections >= 0
    assert list(parts) == list(pii_bench.SPLIT_PARTS)
    assert plain > 0 and abs(sum(parts.values()) - total) < 1e-9
    cand, email, phone, pattern, checks, windows, *_ = pii_bench.SPLIT_PARTS
    assert all(parts[p] > 0 for p in (cand, email, phone, pattern, checks, windows)), parts
    assert (engine_module._candidates, engine_module._merge, pattern_pass.analyze) == originals
    plan = engine.plans["zh"]
    assert plan.gates is gates
    assert not any("analyze" in vars(r) or "analyze_whole" in vars(r) for r in plan.recognizers)
    assert not {"_finish", "_context_near"} & set(vars(engine))
    assert [engine.analyze(d.text, "zh") for d in docs] == before
