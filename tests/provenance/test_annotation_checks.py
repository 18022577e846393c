"""Annotation quality checks (Art. 8; TC260-003 5.3): kappa and agreement against hand-computed tables, the Wilson
interval, how check files are read (rejected rows with their lines, rows read = items + rejected, unreadable files),
the manifest's `annotation.checks` validation, and an audit of a copy of data_samples with real Prefect and DuckDB:
catalog table, findings, report model, checklist, Markdown."""

from __future__ import annotations

import csv
import json
import math
import shutil
import textwrap
from pathlib import Path

import duckdb
import jsonschema
import pytest
import yaml

from provenance.annotation_stage import (
    LOW_AGREEMENT_UPPER,
    MAX_LABEL_CHARS,
    agreement,
    check_findings,
    cohen_kappa,
    evaluate_check,
    read_check_file,
    run_annotation_checks,
)
from provenance.catalog import Catalog
from provenance.errors import ManifestError
from provenance.manifest import AnnotationCheck, load_manifest
from provenance.pii_stage import wilson_interval
from provenance.report_layout import Fmt
from provenance.report_model import build_report, load_schema
from tests.conftest import SAMPLES
from tests.report_tables import markdown_rows


def pairs_from_table(table: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """A contingency table {(label, check label): items} as the list of pairs it counts."""
    return [pair for pair, n in table.items() for _ in range(n)]


# -- kappa and agreement -----------------------------------------------------------------------------------------

def test_kappa_of_a_two_by_two_table() -> None:
    # 50 items: both yes 20, yes/no 5, no/yes 10, both no 15
    pairs = pairs_from_table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    p_o = (20 + 15) / 50                                   # 0.7
    p_e = (25 / 50) * (30 / 50) + (25 / 50) * (20 / 50)    # first says yes 25 times, second 30: 0.5
    assert agreement(pairs) == (35, 50)
    assert cohen_kappa(pairs) == pytest.approx((p_o - p_e) / (1 - p_e)) == pytest.approx(0.4)


def test_kappa_of_a_three_label_table() -> None:
    table = {("a", "a"): 8, ("a", "b"): 1, ("b", "b"): 6, ("b", "c"): 2, ("c", "c"): 3, ("c", "a"): 1}
    n = 21
    first = {"a": 9, "b": 8, "c": 4}
    second = {"a": 9, "b": 7, "c": 5}
    p_o = (8 + 6 + 3) / n
    p_e = sum(first[k] * second[k] for k in first) / n ** 2
    assert cohen_kappa(pairs_from_table(table)) == pytest.approx((p_o - p_e) / (1 - p_e), abs=1e-6)


def test_kappa_perfect_opposite_and_undefined() -> None:
    perfect = [("x", "x"), ("y", "y"), ("x", "x"), ("z", "z")]
    assert agreement(perfect) == (4, 4) and cohen_kappa(perfect) == 1.0
    assert cohen_kappa([("x", "y"), ("y", "x")]) == -1.0  # p_o 0, p_e 0.5
    # every item carries one and the same label on both sides: p_e = 1, chance explains everything
    assert cohen_kappa([("x", "x")] * 5) is None
    assert cohen_kappa([]) is None


def test_wilson_interval_by_hand() -> None:
    k, n, z = 12, 14, 1.96
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(centre - half, abs=1e-6) and high == pytest.approx(centre + half, abs=1e-6)
    assert wilson_interval(40, 40)[1] == 1.0 and wilson_interval(40, 40)[0] < 1.0
    assert wilson_interval(0, 10)[0] == 0.0


# -- reading check files -----------------------------------------------------------------------------------------

CHECK = AnnotationCheck(file="c.csv")


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_csv_rows_rejected_with_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", textwrap.dedent("""\
        item,label,check_label
        i1,pos,pos
        i2,pos,
        i3,neg,neg,extra

        i4,neg,pos
        i1,pos,pos
        "i5",neg,"neg"
        """))
    read = read_check_file(path, CHECK)
    assert read.rejected == [(3, "`check_label` is missing or empty"), (4, "4 fields, the header has 3"),
                             (7, "item repeated (first at line 2)")]
    assert read.pairs == [("pos", "pos"), ("neg", "pos"), ("neg", "neg")]
    assert read.rows_read == 6 == len(read.pairs) + len(read.rejected)  # the blank line 5 is not a row
    result = evaluate_check("s", "c.csv", path, CHECK)
    assert (result.rows_read, result.rows_rejected, result.items, result.agreed) == (6, 3, 3, 2)
    assert result.first_rejected_line == 3 and result.error is None
    assert result.agreement == round(2 / 3, 6)
    assert [x["label"] for x in result.labels] == ["neg", "pos"]
    assert result.labels[0] == {"label": "neg", "annotated": 2, "checked": 1, "agreed": 1}


def test_jsonl_with_second_annotator(tmp_path: Path) -> None:
    rows = ['{"id": 1, "a": "q", "b": "q", "gold": "q"}', "{not json", "[1, 2]", '{"id": 2, "a": "q", "gold": "r"}',
            '{"id": 3, "a": "r", "b": "r", "gold": "r"}', '{"id": 4, "a": "q", "b": "r", "gold": "q"}',
            '{"id": 5, "a": {"x": 1}, "b": "r", "gold": "r"}']
    path = write(tmp_path, "c.jsonl", "\n".join(rows) + "\n")
    check = AnnotationCheck(file="c.jsonl", item_field="id", label_field="a", check_field="gold",
                            second_label_field="b", kind="double_annotation")
    result = evaluate_check("s", "c.jsonl", path, check)
    assert result.rows_read == 7 == result.items + result.rows_rejected
    assert (result.items, result.rows_rejected, result.first_rejected_line) == (3, 4, 2)
    assert result.agreed == 3 and result.agreement == 1.0
    # label vs second label: q/q, r/r, q/r → 2 of 3; kappa: p_o 2/3, p_e (2·1 + 1·2) / 9 = 4/9 → 0.4
    assert result.second_agreement == round(2 / 3, 6)
    assert result.second_kappa == pytest.approx(((2 / 3) - (4 / 9)) / (1 - 4 / 9), abs=1e-6)
    reasons = dict(read_check_file(path, check).rejected)
    assert reasons[2].startswith("not JSON") and reasons[3] == "not a JSON object"
    assert reasons[4] == "`b` is missing or empty" and reasons[7] == "`a` is not a single value"


def test_free_text_in_a_label_column_rejects_the_file(tmp_path: Path) -> None:
    long = "x" * (MAX_LABEL_CHARS + 1)
    path = write(tmp_path, "c.tsv", f"item\tlabel\tcheck_label\ni1\tpos\tpos\ni2\t{long}\tpos\ni3\tneg\tneg\n")
    result = evaluate_check("s", "c.tsv", path, AnnotationCheck(file="c.tsv"))
    assert (result.rows_read, result.rows_rejected, result.items) == (3, 3, 0)
    assert result.labels == [] and result.agreement is None and result.first_rejected_line == 2
    assert "line 3" in result.error and "not a file of class labels" in result.error and long not in result.error
    assert [f.code for f in check_findings([result], [])] == ["ANN_CHECK_UNREADABLE"]


@pytest.mark.parametrize("name, content, expected", [
    ("missing.csv", None, "file not found"),
    ("c.csv", "item,label,verdict\ni1,a,a\n", "the header lacks column(s) check_label"),
    ("c.csv", b"\xff\xff\xff\n", "neither UTF-8 nor GB 18030"),
    ("c.csv", "", "empty: no header row"),
    ("c.csv", "item,label,check_label\n,a,a\n", "no usable row: 1 rows read, all rejected (first at line 2"),
])
def test_unreadable_file_gives_a_finding(tmp_path: Path, name: str, content: str | bytes | None,
                                         expected: str) -> None:
    path = tmp_path / name if content is None else write(tmp_path, name, content)
    result = evaluate_check("src", name, path, AnnotationCheck(file=name))
    assert expected in result.error and result.error.startswith(name)
    assert result.rows_read == result.items + result.rows_rejected
    (finding,) = check_findings([result], [])
    assert (finding.code, finding.source_id, finding.path) == ("ANN_CHECK_UNREADABLE", "src", name)
    assert finding.row("r")[3] == "high" and finding.row("r")[11] == "Final Art. 8; TC260-003 5.3"


def test_low_agreement_and_no_checks_findings(tmp_path: Path) -> None:
    lines = ["item,label,check_label"] + [f"i{i},a,{'a' if i < 30 else 'b'}" for i in range(40)]
    path = write(tmp_path, "c.csv", "\n".join(lines) + "\n")
    result = evaluate_check("src", "c.csv", path, CHECK)
    assert (result.items, result.agreed) == (40, 30)
    assert (result.ci_low, result.ci_high) == wilson_interval(30, 40) and result.ci_high < LOW_AGREEMENT_UPPER
    findings = check_findings([result], ["other"])
    assert [(f.code, f.row("r")[3], f.count) for f in findings] == [("ANN_LOW_AGREEMENT", "medium", 10),
                                                                   ("ANN_NO_CHECKS", "low", 1)]
    assert "30 of 40" in findings[0].message and findings[1].source_id == "other"


def test_stage_stores_results_and_flags_sources_without_checks(tmp_path: Path) -> None:
    write(tmp_path, "ok.csv", "item,label,check_label\ni1,a,a\ni2,b,b\n")
    manifest = {"dataset": {"name": "t", "provider": "p", "intended_use": "research"},
                "sources": [{"id": "checked", "name": "c", "stage": "finetuning", "paths": ["x/*.jsonl"],
                             "annotation": {"type": "labels", "checks": {"file": "ok.csv"}}},
                            {"id": "unchecked", "name": "u", "stage": "finetuning", "paths": ["y/*.jsonl"],
                             "annotation": {"type": "labels"}},
                            {"id": "plain", "name": "p", "stage": "pretraining", "paths": ["z/*.jsonl"]}]}
    write(tmp_path, "m.yaml", yaml.safe_dump(manifest))
    loaded = load_manifest(tmp_path / "m.yaml")
    with Catalog.open(tmp_path / "c.duckdb") as catalog:
        run_id = catalog.start_run(loaded, ["scan", "license"], {})
        findings = run_annotation_checks(catalog, loaded, run_id)
        rows = catalog.query("SELECT * FROM annotation_checks WHERE run_id = ?", [run_id])
    assert [(f.code, f.source_id) for f in findings] == [("ANN_NO_CHECKS", "unchecked")]
    assert len(rows) == 1 and rows[0]["source_id"] == "checked" and rows[0]["file"] == "ok.csv"
    assert (rows[0]["items"], rows[0]["agreed"], rows[0]["kappa"]) == (2, 2, 1.0)


# -- the manifest --------------------------------------------------------------------------------------------------

MANIFEST = textwrap.dedent("""\
    dataset: {name: t, provider: p, intended_use: commercial}
    sources:
      - id: qa
        name: QA
        stage: finetuning
        paths: [qa/*.jsonl]
        annotation:
          type: answer type
          checks:
            - file: checks/qa.csv
              kind: spot_check
    """)


def issues_of(tmp_path: Path, text: str) -> list:
    path = write(tmp_path, "manifest.yaml", text)
    with pytest.raises(ManifestError) as e:
        load_manifest(path)
    return e.value.issues


def test_manifest_accepts_a_list_or_one_mapping(tmp_path: Path) -> None:
    listed = load_manifest(write(tmp_path, "a.yaml", MANIFEST)).manifest.sources[0].annotation
    assert listed.checks[0].file == "checks/qa.csv" and listed.checks[0].check_field == "check_label"
    listed_form = "      checks:\n        - file: checks/qa.csv\n          kind: spot_check\n"
    assert MANIFEST.count(listed_form) == 1
    one = MANIFEST.replace(listed_form, "      checks: {file: checks/qa.jsonl, label_field: a, second_label_field: b, "
                                        "kind: double_annotation}\n")
    single = load_manifest(write(tmp_path, "b.yaml", one)).manifest.sources[0].annotation
    assert [(c.file, c.label_field, c.second_label_field, c.kind) for c in single.checks] == \
        [("checks/qa.jsonl", "a", "b", "double_annotation")]


@pytest.mark.parametrize("old, new, path, message, fix", [
    ("- file: checks/qa.csv\n", "- item_field: id\n", "sources[0].annotation.checks[0].file",
     "required field is missing", "add `file:`"),
    ("kind: spot_check", "kind: triple_check", "sources[0].annotation.checks[0].kind",
     "'triple_check' is not an allowed value", "spot_check"),
    ("kind: spot_check", "kind: double_annotation", "sources[0].annotation.checks[0].second_label_field",
     "needs the second annotator's label", "double_annotation"),
    ("file: checks/qa.csv", "file: ../elsewhere/qa.csv", "sources[0].annotation.checks[0].file",
     "escapes the manifest's folder", "--allow-outside"),
    ("file: checks/qa.csv", "file: checks/qa.parquet", "sources[0].annotation.checks[0].file",
     "is not a CSV, TSV or JSONL file", ".jsonl"),
    ("kind: spot_check", "check_field: label", "sources[0].annotation.checks[0].check_field",
     "also the `label_field`", "checker's label"),
    ("kind: spot_check", "chek_field: x", "sources[0].annotation.checks[0].chek_field",
     "unknown key 'chek_field'", "did you mean 'check_field'?"),
])
def test_manifest_errors_name_the_field_and_the_fix(tmp_path: Path, old: str, new: str, path: str, message: str,
                                                    fix: str) -> None:
    assert MANIFEST.count(old) == 1
    issues = issues_of(tmp_path, MANIFEST.replace(old, new))
    assert [i.path for i in issues] == [path]
    assert message in issues[0].message and fix in issues[0].fix and issues[0].line is not None


def test_manifest_schema_describes_checks() -> None:
    from provenance.manifest import manifest_json_schema

    schema = manifest_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["$defs"]["AnnotationCheck"]["properties"]
    assert {"file", "item_field", "label_field", "check_field", "second_label_field", "kind"} <= set(props)
    data = yaml.safe_load(MANIFEST)
    jsonschema.Draft202012Validator(schema).validate(data)
    data["sources"][0]["annotation"]["checks"] = {"file": "checks/qa.csv"}  # one mapping validates too
    jsonschema.Draft202012Validator(schema).validate(data)


# -- an audit of data_samples ------------------------------------------------------------------------------------

def sample_pairs(path: Path, label: str, check: str) -> list[tuple[str, str]]:
    """The sample check file's (label, check label) pairs, read here independently of the stage."""
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as f:
            return [(r[label], r[check]) for r in csv.DictReader(f)]
    return [(r[label], r[check]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def kappa_by_confusion_matrix(pairs: list[tuple[str, str]]) -> float:
    labels = sorted({x for p in pairs for x in p})
    n = len(pairs)
    matrix = [[sum(1 for p in pairs if p == (a, b)) for b in labels] for a in labels]
    p_o = sum(matrix[i][i] for i in range(len(labels))) / n
    p_e = sum(sum(matrix[i]) * sum(row[i] for row in matrix) for i in range(len(labels))) / n ** 2
    return (p_o - p_e) / (1 - p_e)


def _status(model: dict, item: str) -> dict:
    return next(c for c in model["checklist"] if c["id"] == item)


@pytest.fixture(scope="module")
def audited(tmp_path_factory, prefect_api) -> dict:
    from flows.audit import run_audit

    tmp = tmp_path_factory.mktemp("annotation")
    samples = tmp / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    first = run_audit(samples / "manifest.yaml", out=tmp / "out", stages=["scan", "license"])
    model = json.loads(first.disclosure.read_text(encoding="utf-8"))
    md = {lang: (tmp / "out" / f"disclosure.{lang}.md").read_text(encoding="utf-8") for lang in ("en", "zh")}
    # the checker now rejects most of zh-wiki's labels: 14 items, 5 agreed
    wiki = samples / "annotation" / "zh-wiki-answer-types.csv"
    rows = list(csv.DictReader(wiki.open(encoding="utf-8", newline="")))
    for i, r in enumerate(rows):
        r["check_label"] = r["label"] if i < 5 else "other"
    with open(wiki, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["item", "label", "check_label"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    second = run_audit(samples / "manifest.yaml", out=tmp / "out2", db=first.db, stages=["scan", "license"])
    return {"samples": samples, "first": first, "model": model, "md": md, "second": second,
            "model2": json.loads(second.disclosure.read_text(encoding="utf-8"))}


def test_audit_stores_each_check_file_in_the_catalog(audited) -> None:
    con = duckdb.connect(str(audited["first"].db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM annotation_checks WHERE run_id = ? ORDER BY source_id",
                          [audited["first"].run_id])
        names = [d[0] for d in cur.description]
        rows = {r["source_id"]: r for r in (dict(zip(names, row)) for row in cur.fetchall())}
    finally:
        con.close()
    assert set(rows) == {"zh-chat", "zh-wiki"}
    samples = SAMPLES  # the copy's zh-wiki file was rewritten for the second run
    for sid, file, label, check in (("zh-wiki", "annotation/zh-wiki-answer-types.csv", "label", "check_label"),
                                    ("zh-chat", "annotation/zh-chat-intents.jsonl", "intent", "adjudicated")):
        pairs = sample_pairs(samples / file, label, check)
        agreed = sum(a == b for a, b in pairs)
        r = rows[sid]
        assert r["file"] == file and r["error"] is None
        assert r["rows_read"] == r["items"] + r["rows_rejected"] == len(pairs) and r["rows_rejected"] == 0
        assert r["agreed"] == agreed and r["agreement"] == pytest.approx(agreed / len(pairs), abs=1e-6)
        assert (r["ci_low"], r["ci_high"]) == wilson_interval(agreed, len(pairs))
        assert r["kappa"] == pytest.approx(kappa_by_confusion_matrix(pairs), abs=1e-6)
        assert 0 < len(pairs) - agreed <= 3  # the sample plants a few disagreements
    assert rows["zh-wiki"]["kind"] == "spot_check" and rows["zh-wiki"]["second_agreement"] is None
    chat = sample_pairs(samples / "annotation/zh-chat-intents.jsonl", "intent", "intent_b")
    assert rows["zh-chat"]["kind"] == "double_annotation"
    assert rows["zh-chat"]["second_agreement"] == pytest.approx(sum(a == b for a, b in chat) / len(chat), abs=1e-6)
    assert rows["zh-chat"]["second_kappa"] == pytest.approx(kappa_by_confusion_matrix(chat), abs=1e-6)
    labels = json.loads(rows["zh-wiki"]["labels"])
    assert labels[0] == {"label": "quantity", "annotated": 5, "checked": 5, "agreed": 5}


def test_report_model_and_checklist_on_the_samples(audited) -> None:
    m = audited["model"]
    errors = [f"{e.json_path}: {e.message}" for e in jsonschema.Draft202012Validator(load_schema()).iter_errors(m)]
    assert not errors, errors[:5]
    assert not [f for f in m["findings"] if f["code"].startswith("ANN_")]
    a = m["annotation"]
    by_source = {r["source"]: r for r in a["sources"]}
    assert [c["file"] for c in by_source["zh-wiki"]["checks"]] == ["annotation/zh-wiki-answer-types.csv"]
    acc = a["accuracy_checks"]
    files = [c for r in a["sources"] for c in r["checks"]]
    assert acc["status"] == "evidenced" and acc["files"] == 2 and acc["sources_without_checks"] == []
    assert acc["items"] == sum(c["items"] for c in files) == 26
    assert acc["agreed"] == sum(c["agreed"] for c in files)
    assert acc["agreement"] == round(acc["agreed"] / acc["items"], 6)
    assert acc["ci95"] == list(wilson_interval(acc["agreed"], acc["items"]))
    assert acc["min_kappa"] == min(c["kappa"] for c in files)
    item = _status(m, "annotation_checks")
    assert item["status"] == "met"
    assert f"{acc['agreement']:.1%}" in item["evidence"]["en"] and "26 items" in item["evidence"]["en"]
    assert f"一致率 {acc['agreement']:.1%}" in item["evidence"]["zh"] and "26 条" in item["evidence"]["zh"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_shows_the_checks_table(audited, lang) -> None:
    f = Fmt(lang)
    rows = markdown_rows(audited["md"][lang], "annotation-checks")
    wiki = next(c for r in audited["model"]["annotation"]["sources"] if r["source"] == "zh-wiki" for c in r["checks"])
    cells = rows["zh-wiki"]
    assert cells[1] == wiki["file"] and cells[3] == f.n(wiki["items"])
    assert cells[5] == f"{f.pct(wiki['agreement'])} ({f.pct(wiki['ci95'][0])}–{f.pct(wiki['ci95'][1])})"
    assert cells[6] == f.num(wiki["kappa"])
    assert ("标注质量抽检" if lang == "zh" else "Annotation quality checks") in audited["md"][lang]


def test_low_agreement_turns_the_checklist_to_not_met(audited) -> None:
    m = audited["model2"]
    wiki = next(c for r in m["annotation"]["sources"] if r["source"] == "zh-wiki" for c in r["checks"])
    assert (wiki["items"], wiki["agreed"]) == (14, 5) and wiki["ci95"][1] < LOW_AGREEMENT_UPPER
    low = [f for f in m["findings"] if f["code"] == "ANN_LOW_AGREEMENT"]
    assert [(f["source"], f["path"], f["severity"], f["count"]) for f in low] == \
        [("zh-wiki", "annotation/zh-wiki-answer-types.csv", "medium", 9)]
    item = _status(m, "annotation_checks")
    assert item["status"] == "not_met"
    assert "zh-wiki (annotation/zh-wiki-answer-types.csv)" in item["evidence"]["en"]
    assert "zh-wiki" in item["evidence"]["zh"]
    # the first run's figures stay with the first run: its report rebuilt from the catalog still says met
    with Catalog.open(audited["first"].db, read_only=True) as catalog:
        again = build_report(catalog, audited["first"].run_id)
    assert again["annotation"] == audited["model"]["annotation"]
    assert _status(again, "annotation_checks")["status"] == "met"
