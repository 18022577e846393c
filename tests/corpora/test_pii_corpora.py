"""The PII engine on real corpora: parity of the fast path with presidio, and recall/precision against gold spans.

Corpora (../shared/corpora, skipped with a reason when absent): BDCI 2020 (Chinese, gold spans), presidio-research
synth_dataset_v2 (English, gold spans) and Enron e-mails (English, no labels); for parity on typical pre-training
text, CMRC 2018 (Chinese Wikipedia) and Gutenberg novels. BDCI and Enron hold real personal data: assertion messages
carry counts only, never a value. Loading and scoring are shared with benchmarks/pii_bench.py
(benchmarks/pii_corpora.py), whose Markdown section lists the causes of every miss.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import corpora_or_skip

pytestmark = pytest.mark.corpora


@pytest.fixture(scope="module")
def pc():
    corpora_or_skip()
    from benchmarks import pii_corpora

    if not pii_corpora.available():
        pytest.skip(f"PII corpora (BDCI 2020, presidio-research, Enron) not found under {pii_corpora.CORPORA}")
    return pii_corpora


@pytest.fixture(scope="module")
def engine():
    from detectors.pii.detector import engine_for

    return engine_for((), 0.4, 64)


@pytest.fixture(scope="module")
def bdci_scores(pc, engine):
    docs = pc.bdci_train()
    pred = [pc.spans(engine.analyze(d.text, "zh")) for d in docs]
    strict = pc.score(((d.gold, p) for d, p in zip(docs, pred)), pc.BDCI_STRUCTURED)
    mainland = pc.score(((pc.mainland_mobile_gold(d), p) for d, p in zip(docs, pred)), ["CN_MOBILE_PHONE"])
    # the whole "mobile" label against every phone-number prediction (mobile, landline, libphonenumber)
    any_phone = pc.score(((pc.as_any_phone(d.gold), pc.as_any_phone(p)) for d, p in zip(docs, pred)), ["ANY_PHONE"])
    # ... restricted to the values libphonenumber's matcher recognises as phone numbers (pii_corpora)
    any_valid = pc.score(((pc.matcher_valid_any_phone_gold(d), pc.as_any_phone(p)) for d, p in zip(docs, pred)),
                         ["ANY_PHONE"])
    return strict, mainland, any_phone, any_valid


@pytest.fixture(scope="module")
def synth_scores(pc, engine):
    docs = pc.presidio_research()
    pred = [pc.spans(engine.analyze(d.text, "en")) for d in docs]
    full = pc.score(((d.gold, p) for d, p in zip(docs, pred)), pc.PRESIDIO_MAP.values())
    # PHONE_NUMBER restricted to the gold numbers libphonenumber calls valid (rule in pii_corpora.phone_valid)
    valid_phone = pc.score(((pc.valid_phone_gold(d), p) for d, p in zip(docs, pred)), ["PHONE_NUMBER"])
    # ... and to those libphonenumber's matcher recognises standing alone (pii_corpora.phone_matcher_valid)
    matcher_phone = pc.score(((pc.matcher_valid_phone_gold(d), p) for d, p in zip(docs, pred)), ["PHONE_NUMBER"])
    return full, valid_phone, matcher_phone


def _counts(s) -> str:
    return (f"gold {s.gold}, predicted {s.predicted}, gold hit {s.gold_hit}, predictions hitting {s.pred_hit}, "
            f"exact {s.tp_exact}")


def _parity(engine, docs, lang) -> tuple[int, int, int, Counter]:
    """presidio findings, fast-path findings, both, and the presidio-only findings counted by entity type."""
    ref = found = both = 0
    missing: Counter = Counter()
    for d in docs:
        p = {(r.entity_type, r.start, r.end) for r in engine.analyze_presidio(d.text, lang)}
        f = {(r.entity_type, r.start, r.end) for r in engine.analyze(d.text, lang)}
        ref += len(p)
        found += len(f)
        both += len(p & f)
        missing.update(t for t, _, _ in p - f)
    return ref, found, both, missing


# -- parity: the fast path finds what presidio's AnalyzerEngine finds on the whole document ------------------------


def test_parity_with_presidio_on_bdci(pc, engine) -> None:
    docs = (pc.bdci_train() + pc.bdci_test())[::21][:300]  # spread over train and test
    ref, found, both, missing = _parity(engine, docs, "zh")
    assert ref > 0, "presidio found nothing on the BDCI sample: the sample or the engine is broken"
    assert both / ref >= 0.99, (f"parity {both}/{ref} (fast path found {found}) on {len(docs)} BDCI documents; "
                                f"presidio-only by type: {dict(missing)}")


def test_parity_with_presidio_on_enron(pc, engine) -> None:
    # every 10th e-mail up to 50,000 characters (presidio's whole-document pass runs at ~0.1 MB/s: ~0.4 MB here);
    # the benchmark compares the two on 3 MB including the long e-mails
    docs = [d for d in pc.enron() if len(d.text) <= 50_000][::10][:150]
    ref, found, both, missing = _parity(engine, docs, "en")
    assert ref > 0, "presidio found nothing on the Enron sample: the sample or the engine is broken"
    assert both / ref >= 0.99, (f"parity {both}/{ref} (fast path found {found}) on {len(docs)} Enron e-mails; "
                                f"presidio-only by type: {dict(missing)}")


# -- accuracy against gold spans (overlap matching: same type, overlapping offsets) ---------------------------------


def test_bdci_email_recall_and_precision(bdci_scores) -> None:
    # measured 2026-11-28: recall 251/259 = 0.969, precision 251/254 = 0.988 (every miss is a gold value that is not
    # an address or the second of two glued addresses; every false positive an unlabelled real address); the
    # brief's bars are kept
    s = bdci_scores[0]["EMAIL_ADDRESS"]
    assert s.r_overlap >= 0.95, _counts(s)
    assert s.p_overlap >= 0.90, _counts(s)


def test_bdci_mainland_mobile_recall(bdci_scores) -> None:
    # BDCI's "mobile" label covers every phone number: 120 of its 277 gold values are Taiwan, Hong Kong/Macau,
    # other foreign, landline or malformed numbers, which CN_MOBILE_PHONE does not target (see the benchmark's cause
    # list, and the xfail test below for the whole label). Here the gold is restricted to mainland mobile numbers by
    # the value's digits alone (pii_corpora.is_mainland_mobile, independent of the recognizer). Measured 2026-11-28:
    # recall 154/157 = 0.981 (two misses are 11 digits inside a longer digit run, one a number followed by '@'
    # with no address after it). The 0.95 bar of the brief is kept. Precision is checked against
    # the whole label (next test): against the restricted gold, correct numbers inside multi-number gold spans
    # would count as false positives.
    s = bdci_scores[1]["CN_MOBILE_PHONE"]
    assert s.r_overlap >= 0.95, _counts(s)


def test_bdci_mobile_precision_against_the_whole_label(bdci_scores) -> None:
    # every prediction against the full "mobile" label: measured 159/169 = 0.941 (false positives: unlabelled real
    # mobile numbers, numbers the gold calls QQ or WeChat). The 0.90 bar of the brief is kept.
    s = bdci_scores[0]["CN_MOBILE_PHONE"]
    assert s.p_overlap >= 0.90, _counts(s)


@pytest.mark.xfail(strict=True, reason=(
    "BDCI labels every phone number 'mobile': recall of the whole label against any phone-number prediction "
    "(CN_MOBILE_PHONE, CN_LANDLINE_PHONE or PHONE_NUMBER) measured 244/277 = 0.881 (precision 246/262 = 0.939) "
    "on 2026-11-29. 24 of the 277 values are no phone number for libphonenumber's matcher in CN, HK, MO or TW "
    "(next test); the rest are explained there. Reported, bar not lowered."))
def test_bdci_mobile_recall_against_the_whole_label(bdci_scores) -> None:
    s = bdci_scores[2]["ANY_PHONE"]
    assert s.r_overlap >= 0.95, _counts(s)


@pytest.mark.xfail(strict=True, reason=(
    "Any-phone recall on the 253 BDCI 'mobile' values that libphonenumber's matcher recognises standing alone in "
    "CN, HK, MO or TW (pii_corpora.phone_matcher_valid) measured 237/253 = 0.937 on 2026-11-29. The 16 misses: "
    "6 glued to the local part of an e-mail address (one token with the '@', which the phone recognizers leave "
    "to the address); 3 eight-digit Hong Kong/Macau numbers with no context word near (scored 0.3 < 0.4 by design: "
    "in Chinese prose an 8-digit run is as often a figure or a year span); 2 inside a longer digit run; 2 in "
    "number pairs written with a fullwidth slash; 3 others (a 14-digit run, an extension after a hyphen, a number "
    "glued to a word on both sides). Reported, bar not lowered."))
def test_bdci_phone_recall_on_numbers_libphonenumber_recognises(bdci_scores) -> None:
    s = bdci_scores[3]["ANY_PHONE"]
    assert s.r_overlap >= 0.95, _counts(s)


def test_presidio_research_email_recall(synth_scores) -> None:
    # measured 2026-11-28: 49/49
    s = synth_scores[0]["EMAIL_ADDRESS"]
    assert s.r_overlap >= 0.95, _counts(s)


def test_presidio_research_card_recall(synth_scores) -> None:
    # PaymentCardRecognizer (12-19 digits, Luhn, issuer ranges), measured 2026-11-28: 130/136 = 0.956, precision
    # 130/134. The 6 misses are Faker cards outside today's issuer ranges: 5 fifteen-digit JCB with the retired
    # 2131 / 1800 prefixes and 1 twelve-digit Maestro starting 0604. (presidio's own pattern, 13-17 digits starting
    # 1/3/4/5/6, found 105/136.)
    s = synth_scores[0]["CREDIT_CARD"]
    assert s.r_overlap >= 0.95, _counts(s)


@pytest.mark.xfail(strict=True, reason=(
    "PHONE_NUMBER recall on the 82 of 92 Faker gold numbers that libphonenumber's parser calls valid (a '+' number "
    "valid with region None, else valid with one of US, GB, IN, AU, CA, DE, FR) measured 50/82 = 0.610 on "
    "2026-11-29. Nearly all 32 misses are 'valid only in DE' without the trunk prefix 0 ('123 4567'): Germany's "
    "plan accepts most 7-11 digit strings when parsed, but libphonenumber's own matcher does not take such a run "
    "for a phone number in text, and neither does this engine. The next test scores the numbers the matcher "
    "recognises. Reported, bar not lowered."))
def test_presidio_research_valid_phone_recall(synth_scores) -> None:
    s = synth_scores[1]["PHONE_NUMBER"]
    assert s.r_overlap >= 0.95, _counts(s)


def test_presidio_research_phone_recall_on_numbers_libphonenumber_recognises(synth_scores) -> None:
    # the 50 of 92 Faker numbers that libphonenumber's PhoneNumberMatcher (leniency VALID) finds standing alone in
    # US, GB, IN, AU, CA, DE or FR; measured 2026-11-29: 50/50. Before DE and FR national formats were tried after
    # a trunk 0 (recognizers_en.TRUNK_REGIONS): 44/50.
    s = synth_scores[2]["PHONE_NUMBER"]
    assert s.r_overlap >= 0.95, _counts(s)


def test_presidio_research_phone_precision(synth_scores) -> None:
    # every PHONE_NUMBER prediction against the whole label; measured 2026-11-29: 53/55 = 0.964 (was 45/52 before
    # IPv4 addresses and the SSN 3-2-4 layout were excluded: recognizers_en.not_a_phone_layout)
    s = synth_scores[0]["PHONE_NUMBER"]
    assert s.p_overlap >= 0.95, _counts(s)


# -- typical pre-training text (CMRC 2018 Wikipedia, Gutenberg novels): few entities, the fast path's common case --


@pytest.fixture(scope="module")
def typical(pc):
    if not pc.typical_available():
        pytest.skip(f"CMRC 2018 or Gutenberg not found under {pc.CORPORA}")
    return pc.cmrc2018(), pc.gutenberg_chunks()


def test_typical_text_loaders(pc, typical) -> None:
    wiki, books = typical
    assert len({d.text for d in wiki}) == len(wiki) > 1000, f"{len(wiki)} CMRC paragraphs"
    sizes = [len(d.text.encode("utf-8")) for d in books]
    assert max(sizes) <= pc.CHUNK_MAX, f"largest Gutenberg chunk {max(sizes)} bytes"
    in_range = sum(2048 <= n for n in sizes)
    assert in_range >= 0.95 * len(sizes), f"{in_range} of {len(sizes)} chunks hold 2-4 KB"
    text = "Para one.\r\n\r\n" + "word " * 2000 + "\n\n" + "x" * 9000 + "\n\nend"
    cuts = pc.chunk_paragraphs(text)
    assert "".join(text[a:b] for a, b in cuts) == text and all(b - a <= pc.CHUNK_MAX for a, b in cuts)


def test_warm_up_text_for_the_benchmark_is_other_text(pc, typical) -> None:
    # pii_bench's long warm-up: SophonPlus's Chinese text, shuffled, and "other documents" never from the set itself
    other = pc.other_chinese()
    if not other:
        pytest.skip(f"SophonPlus datasets not found under {pc.SOPHONPLUS}")
    kinds = Counter(d.doc_id.split("/")[0].rsplit(".", 1)[-1] for d in other[:2000])
    assert kinds["jsonl"] > 100 and kinds["csv"] > 100, f"the first 2,000 mix the sources: {dict(kinds)}"
    wiki, _ = typical
    chosen = pc.other_documents(list(wiki[:50]) + list(other), wiki[:50], 200_000)
    assert not {d.doc_id for d in chosen} & {d.doc_id for d in wiki[:50]}
    assert 200_000 <= pc.utf8_bytes(chosen) < 200_000 + max(len(d.text.encode("utf-8")) for d in chosen)


def test_parity_with_presidio_on_typical_text(pc, engine, typical) -> None:
    wiki, books = typical
    for name, docs, lang in (("CMRC 2018", wiki[::5], "zh"), ("Gutenberg", pc.spread_subset(books, 300_000), "en")):
        ref, found, both, missing = _parity(engine, docs, lang)
        assert both >= 0.99 * ref and found - both <= max(1, ref // 100), (
            f"{name}: parity {both}/{ref}, fast path found {found}, on {len(docs)} documents; presidio-only by type: "
            f"{dict(missing)}")
