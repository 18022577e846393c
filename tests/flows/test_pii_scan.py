"""`provenance pii scan`: documents analysed in batches give the rows one document at a time gives, in the file's
order with the rejected records where they were; the progress display goes to stderr only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import flows.pii_scan as pii_scan
from detectors.pii.detector import engine_for
from flows.cli import cli

# invented values only (an ID number with a valid MOD 11-2 check, reserved e-mail domains)
DOCS = ["联系人：王先生，手机 13912345678，邮箱 wang@example.com",
        "身份证号码 440304198512010035，请核对。",
        "Call me at (212) 555-0123 or write to jane.doe@example.org.",
        "普通的一句话，没有个人信息。",
        "微信：abc_12345，QQ号：12345678",
        "电话：１３９１２３４５６７８（全角）"]


def _file(tmp_path: Path) -> tuple[Path, list[str]]:
    """A JSON-lines file of documents with broken records between them (a bad line, a record without text)."""
    lines = []
    for i in range(30):
        if i % 7 == 3:
            lines.append('{"text": "unterminated')
        elif i % 11 == 5:
            lines.append(json.dumps({"body": "no text field"}))
        else:
            lines.append(json.dumps({"text": DOCS[i % len(DOCS)] + f" #{i}"}, ensure_ascii=False))
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


def test_batches_give_the_rows_of_one_document_at_a_time_in_file_order(tmp_path: Path, monkeypatch) -> None:
    path, lines = _file(tmp_path)
    whole = list(pii_scan.scan_file(path))
    monkeypatch.setattr(pii_scan, "TEXT_BATCH_DOCS", 4)  # batches of 4 records, broken ones included
    calls: list[tuple[int, int]] = []
    small = list(pii_scan.scan_file(path, on_batch=lambda records, size: calls.append((records, size))))
    assert small == whole
    assert [row["line"] for row in whole] == list(range(1, len(lines) + 1))  # every record, in order
    rejected = [row for row in whole if "rejected" in row]
    assert [row["line"] for row in rejected] == [i + 1 for i in range(30) if i % 7 == 3 or i % 11 == 5]
    # the progress callback saw every record once, and the UTF-8 bytes of every text
    texts = [json.loads(line)["text"] for line in lines if line.startswith('{"text": "') and line.endswith('"}')]
    assert sum(r for r, _ in calls) == len(lines) and sum(s for _, s in calls) == sum(len(t.encode()) for t in texts)
    assert len(calls) > len(lines) // 4
    # and each document's findings are what the engine finds in it alone
    engine = engine_for((), 0.4, 64)
    for row, text in zip((r for r in whole if "findings" in r), texts):
        assert [(f["entity_type"], f["start"], f["end"]) for f in row["findings"]] == [
            (r.entity_type, r.start, r.end) for r in engine.analyze(text)]
    assert sum(bool(row.get("findings")) for row in whole) >= 20


def test_a_rejection_before_any_document_is_yielded_at_once(tmp_path: Path, monkeypatch) -> None:
    # a file whose records all lack the text field (a wrong --text-field) shows it from its first line, without
    # waiting for a batch to fill
    path = tmp_path / "no_text.jsonl"
    path.write_text("".join(json.dumps({"body": f"record {i}"}) + "\n" for i in range(5_000)), encoding="utf-8")
    read = []
    reader = pii_scan.read_file_records

    def counted(*args):
        for rec in reader(*args):
            read.append(rec.line)
            yield rec
    monkeypatch.setattr(pii_scan, "read_file_records", counted)
    rows = pii_scan.scan_file(path)
    first = next(rows)
    assert first["line"] == 1 and first["rejected"] == "SCAN_MISSING_TEXT"
    assert read == [1]
    rows.close()


@pytest.mark.parametrize("flag", ["--progress", "--no-progress"])
def test_cli_progress_goes_to_stderr_only(tmp_path: Path, flag: str) -> None:
    path, lines = _file(tmp_path)
    res = CliRunner().invoke(cli, ["pii", "scan", str(path), flag])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows == list(pii_scan.scan_file(path))
    assert ("pii scan: 30 records" in res.stderr) == (flag == "--progress")
    assert res.stderr.rstrip().splitlines()[-1].startswith("30 records: ")  # the summary comes after the display
