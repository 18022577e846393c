"""The diversity stage inside a real audit: language check against the manifest, exact type-token ratio and
entropy, source-mix indices, sources per language and modality, and the findings."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from flows.audit import run_audit
from provenance.diversity_stage import language_family, mix_indices

pytestmark = pytest.mark.usefixtures("prefect_api")

EN = ["The harbour was quiet in the early morning, and the fishing boats waited for the tide to turn.",
      "A committee of teachers reviewed the reading list and added three novels by local authors.",
      "Visit https://www.example.co.uk/news for the timetable of the autumn lectures at the library."]
ZH = ["清晨的港口很安静，渔船都停在岸边，等待潮水转向以后再出海捕鱼。", "教师委员会审阅了阅读书目，并增加了三部本地作家的小说。",
      "秋季讲座的时间表已经公布，欢迎大家前往图书馆参加。"]

MANIFEST = """
dataset: {{name: div-test, provider: Test Co., intended_use: research}}
sources:
  - {{id: en-a, name: A, stage: pretraining, modality: text, paths: [a.jsonl], format: jsonl, text_field: text,
     language: en, license: {{declared: CC0-1.0}}, personal_information: {{consent_basis: not_applicable}},
     acquisition: {{method: open_licence, evidence: https://example.org/a}}}}
  - {{id: en-b, name: B, stage: pretraining, modality: text, paths: [b.jsonl], format: jsonl, text_field: text,
     language: en, license: {{declared: CC0-1.0}}, personal_information: {{consent_basis: not_applicable}},
     acquisition: {{method: open_licence, evidence: https://example.org/b}}}}
  - {{id: mislabelled, name: C, stage: pretraining, modality: text, paths: [c.jsonl], format: jsonl,
     text_field: text, language: {lang}, license: {{declared: CC0-1.0}},
     personal_information: {{consent_basis: not_applicable}},
     acquisition: {{method: open_licence, evidence: https://example.org/c}}}}
"""


def _write(path: Path, texts: list[str]) -> None:
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("div")
    _write(root / "a.jsonl", EN)
    _write(root / "b.jsonl", EN[:1] * 2)
    _write(root / "c.jsonl", ZH)  # Chinese text declared as French
    (root / "manifest.yaml").write_text(MANIFEST.format(lang="fr"), encoding="utf-8")
    result = run_audit(root / "manifest.yaml", out=root / "out", stages=["scan", "diversity"])
    return json.loads(result.disclosure.read_text(encoding="utf-8"))


def _block(doc: dict, source_id: str) -> dict:
    return next(s for s in doc["sources"] if s["id"] == source_id)["diversity"]


def test_language_check_and_findings(audited) -> None:
    mis = _block(audited, "mislabelled")
    assert set(mis["languages"]) == {"zh"} and mis["languages"]["zh"]["documents"] == 3
    assert mis["language_check"]["status"] == "mismatch"
    assert mis["language_check"]["declared_but_rare"] == ["fr"]
    assert mis["language_check"]["undeclared_but_common"] == ["zh"]
    assert _block(audited, "en-a")["language_check"]["status"] == "match"
    codes = {(f["code"], f["source"]) for f in audited["findings"]}
    assert ("LANG_MISMATCH", "mislabelled") in codes and ("LANG_MISMATCH", "en-a") not in codes
    # fr has one (declared) source; en has two
    assert ("DIV_SINGLE_SOURCE", "mislabelled") in codes
    assert not any(c == "DIV_SINGLE_SOURCE" and s.startswith("en-") for c, s in codes)
    assert audited["corpus"]["diversity"]["sources_by_language_and_modality"]["en"] == {"text": ["en-a", "en-b"]}


def test_exact_token_statistics(audited) -> None:
    b = _block(audited, "en-b")  # the same sentence twice: every type twice
    words = EN[0].lower().replace(",", "").replace(".", "").split()
    counts = {w: 2 * words.count(w) for w in set(words)}
    total = sum(counts.values())
    assert b["tokens"] == total and b["types"] == len(counts)
    assert b["type_token_ratio"] == round(len(counts) / total, 4)
    assert b["entropy"] == round(-sum(c / total * math.log2(c / total) for c in counts.values()), 4)
    pairs = 2 * (len(words) - 1)
    # a HyperLogLog estimate: within one or two of the true count of distinct pairs
    assert b["distinct_2"] == pytest.approx(len(set(zip(words, words[1:]))) / pairs, abs=2.01 / pairs)
    zh = _block(audited, "mislabelled")
    assert zh["tokens"] == sum(sum(ch.isalnum() for ch in t) for t in ZH)  # characters are the tokens
    assert zh["scripts"]["Han"]["share"] == 1.0
    assert _block(audited, "en-a")["domains"] == {"example.co.uk": 1}
    assert _block(audited, "en-a")["length"]["max"] == max(len(t) for t in EN)


def test_source_mix(audited) -> None:
    mix = audited["corpus"]["diversity"]["source_mix"]["documents"]
    assert mix == mix_indices([3, 2, 3])
    p = [3 / 8, 2 / 8, 3 / 8]
    assert mix["gini_simpson"] == round(1 - sum(x * x for x in p), 4)
    assert mix["shannon"] == round(-sum(x * math.log2(x) for x in p), 4)
    assert mix_indices([5]) == {"sources": 1, "shannon": 0.0, "evenness": None, "gini_simpson": 0.0}


def test_language_family() -> None:
    assert language_family("zh-CN") == language_family("yue") == language_family("wuu") == "zh"
    assert language_family("EN_us") == "en"
