"""The disclosure's findings list: long runs of one code in one source are summarised, nothing is lost."""

from __future__ import annotations

from provenance.disclosure import FINDINGS_LISTED, _listed_findings


def _finding(source: str, code: str, i: int, count: int = 1) -> dict:
    return {"code": code, "severity": "low", "stage": "scan", "source_id": source, "path": f"f{i}", "member": None,
            "line": i + 1, "count": count, "message": f"m{i}", "clause": "c", "fix": "x"}


def test_findings_beyond_the_limit_become_one_summary_row_with_their_count() -> None:
    findings = [_finding("a", "SCAN_INVALID_ENCODING", i, count=2) for i in range(FINDINGS_LISTED + 5)]
    findings += [_finding("b", "SCAN_INVALID_ENCODING", i) for i in range(3)]
    listed = _listed_findings(findings)
    a = [f for f in listed if f["source"] == "a"]
    assert len(a) == FINDINGS_LISTED + 1
    assert [f["path"] for f in a[:FINDINGS_LISTED]] == [f"f{i}" for i in range(FINDINGS_LISTED)]
    summary = a[-1]
    assert summary["path"] is None and summary["count"] == 10 and "5 more files" in summary["message"]
    assert "--source a --code SCAN_INVALID_ENCODING" in summary["message"]
    assert sum(f["count"] for f in listed) == sum(f["count"] for f in findings), "no count is lost"
    assert len([f for f in listed if f["source"] == "b"]) == 3


def test_order_of_first_appearance_is_kept() -> None:
    findings = [_finding("z", "SCAN_NO_FILES", 0), _finding("a", "SCAN_EMPTY_TEXT", 1)]
    assert [f["source"] for f in _listed_findings(findings)] == ["z", "a"]
