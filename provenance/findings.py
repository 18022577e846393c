"""Finding codes: stable names, a severity, the clause each answers, and what to do next.

Codes are like a linter's: users filter on them, suppress them with a reason, and gate CI on severity.
Later stages add their codes here, next to the scan's, so every code is defined in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Code:
    code: str
    stage: str
    severity: str
    clause: str
    title: str
    fix: str


# Clause references by number only; wording is in docs (REGULATION.md asks for that until texts are verified).
_SOURCE = "Final Art. 19; Draft Art. 17; TC260-003 5.1 c"
_QUALITY = "Final Art. 7(4); Draft Art. 7(4)"
_IP = "Final Art. 7(2); Draft Art. 7(2); TC260-003 5.2 b"
_EVIDENCE = "Final Art. 7(1); TC260-003 5.1 c"
_MODEL = "Final Art. 7(1); TC260-003 §6"
_PI = "Final Art. 7(3); Draft Art. 7(3); TC260-003 5.2 c"
_TYPE = "Final Art. 19; Draft Art. 17 (data type); TC260-003 5.1 b"
_DIVERSITY = "TC260-003 5.1 b; Final Art. 7(4); Draft Art. 4(2)"
_ANNOTATION = "Final Art. 8; TC260-003 5.3"

CODES: dict[str, Code] = {c.code: c for c in [
    Code("SCAN_NO_FILES", "scan", "high", _SOURCE, "a declared path matches no files",
         "correct the glob in the manifest, or add the missing files"),
    Code("SCAN_UNREADABLE_FILE", "scan", "high", _SOURCE, "a file cannot be opened",
         "check the file's permissions and that it still exists"),
    Code("SCAN_WRITE_FAILED", "scan", "high", _SOURCE,
         "a file's results could not be written to temporary space (disk full, quota, file size limit)",
         "free space on the disk that holds the audit's --out folder, then audit again: only this file is read"),
    Code("SCAN_TRUNCATED_FILE", "scan", "high", _SOURCE, "a compressed file or archive ends early",
         "copy or download the file again; the records before the break were kept"),
    Code("SCAN_CORRUPT_FILE", "scan", "high", _SOURCE, "compressed data or an archive is corrupt",
         "copy or download the file again"),
    Code("SCAN_MALFORMED_FILE", "scan", "high", _QUALITY, "a whole file cannot be parsed in its format",
         "fix the file, or set the source's `format:` to the one it really has"),
    Code("SCAN_UNKNOWN_FORMAT", "scan", "high", _SOURCE, "the format of a file cannot be told",
         "set `format:` on the source, or narrow its `paths`/`members` globs"),
    Code("SCAN_FILE_TOO_LARGE", "scan", "high", _QUALITY, "a file is too large for its format's reader",
         "convert it to JSONL or Parquet, which are read as streams"),
    Code("SCAN_NO_TEXT_FIELD", "scan", "high", _QUALITY, "no record of a file has the declared text field",
         "set `text_field:` on the source to the field or column that holds the text"),
    Code("SCAN_EMPTY_FILE", "scan", "low", _QUALITY, "a file is empty or holds only blank lines",
         "remove it from the source, or find out why it is empty"),
    Code("SCAN_MALFORMED_RECORD", "scan", "medium", _QUALITY, "records that cannot be parsed were rejected",
         "fix the lines named; the other records were read"),
    Code("SCAN_RAGGED_ROW", "scan", "medium", _QUALITY, "CSV/TSV rows with the wrong number of fields were rejected",
         "quote fields that contain the delimiter, or fix the rows named"),
    Code("SCAN_MISSING_TEXT", "scan", "medium", _QUALITY, "records without the text field were rejected",
         "check `text_field:`, or accept that these records hold no text"),
    Code("SCAN_EMPTY_TEXT", "scan", "low", _QUALITY, "records with empty text were rejected",
         "nothing to do unless empty records are unexpected"),
    Code("SCAN_RECORD_TOO_LARGE", "scan", "medium", _QUALITY, "records over the per-record size limit were rejected",
         "raise --max-record-mb if such records are legitimate"),
    Code("SCAN_INVALID_ENCODING", "scan", "low", _QUALITY,
         "records with bytes invalid in the declared encoding were kept with U+FFFD replacements",
         "set `encoding:` on the source if the file is not UTF-8, or repair the bytes"),
    # licence and IP (stage `license`)
    Code("LIC_CONFLICT", "license", "high", _IP, "the declared licence and the licence found in the data disagree",
         "find out which licence applies and correct the manifest's `license.declared`"),
    Code("LIC_UNKNOWN", "license", "high", _IP, "the licence cannot be resolved to a known licence",
         "write the licence as an SPDX id or its full name, or have the terms reviewed"),
    Code("LIC_UNSPECIFIED", "license", "high", _IP, "no licence is declared or found: the source is not cleared",
         "obtain the licence or the terms under which the data may be used, and declare it"),
    Code("LIC_NOT_COMMERCIAL", "license", "critical", _IP,
         "a non-commercial or research-only source in a corpus for commercial use",
         "remove the source, obtain a commercial licence, or change the dataset's intended use"),
    Code("LIC_NO_DERIVATIVES", "license", "high", _IP, "a no-derivatives licence: training on it is a legal risk",
         "obtain permission from the rights holder or remove the source"),
    Code("LIC_SHARE_ALIKE", "license", "medium", _IP, "share-alike obligations flow to what is derived from the source",
         "check that the model and its outputs can meet the share-alike terms"),
    Code("LIC_ATTRIBUTION", "license", "info", _IP, "the licence requires attribution",
         "publish ATTRIBUTION.md (written with the report) where the model is distributed"),
    Code("LIC_USE_RESTRICTIONS", "license", "medium", _IP, "the licence carries use restrictions that flow down",
         "pass the restrictions on to the model's terms of use"),
    Code("LIC_TOS_RESTRICTED", "license", "high", _IP, "the data is under terms of service that may forbid training",
         "have the terms reviewed before the data is used"),
    Code("LIC_NOTICES_IN_PUBLIC_DOMAIN", "license", "high", _IP,
         "copyright notices found in a source declared public domain or CC0",
         "check the documents named; remove them or correct the declared licence"),
    Code("LIC_COPYRIGHT_NOTICES", "license", "medium", _IP, "documents carry copyright or licence notices",
         "check that the source's licence covers these documents (TC260-003 5.2 b asks to identify IP risks)"),
    Code("EVID_NO_LICENCE", "license", "high", _EVIDENCE, "an open-licence source without a licence",
         "declare the licence (`license.declared`) and point `license.files` at its text"),
    Code("EVID_NO_COLLECTION_RECORDS", "license", "high", _EVIDENCE, "a self-collected source without collection records",
         "set `acquisition.evidence` to the collection log or records"),
    Code("EVID_ROBOTS_NOT_RESPECTED", "license", "critical", _EVIDENCE,
         "self-collected data gathered without respecting robots.txt or other opt-outs",
         "remove what was collected against opt-outs, or document why none applied"),
    Code("EVID_ROBOTS_UNKNOWN", "license", "high", _EVIDENCE,
         "self-collected data with no statement that robots.txt and opt-outs were respected",
         "set `acquisition.robots_respected` from the crawler's records"),
    Code("EVID_NO_CONTRACT", "license", "high", _EVIDENCE, "a commercially acquired source without a contract reference",
         "set `acquisition.evidence` to the contract and the seller's proof of source"),
    Code("EVID_NO_AUTHORISATION", "license", "high", _EVIDENCE, "user data without an authorisation record",
         "set `acquisition.evidence` to the users' authorisation records"),
    Code("EVID_NO_GENERATOR", "license", "medium", _EVIDENCE, "synthetic data without the model that generated it",
         "set `acquisition.generator_model` (and check that model's terms)"),
    Code("EVID_NO_EVIDENCE", "license", "medium", _EVIDENCE, "the acquisition method or its evidence is not stated",
         "set `acquisition.method` and `acquisition.evidence`"),
    Code("MODEL_LICENSE_MISSING", "license", "medium", _MODEL, "the foundation model's licence is not declared",
         "set `dataset.foundation_model.license`"),
    Code("MODEL_FILING_MISSING", "license", "medium", _MODEL, "the foundation model's filing reference is not declared",
         "set `dataset.foundation_model.filing_reference` (TC260-003 §6: a model used must itself be filed)"),
    Code("PII_NO_CONSENT", "pii", "high", _PI,
         "personal information found in a source whose consent basis is none or unknown",
         "obtain consent or record another legal basis in `personal_information.consent_basis` with evidence, "
         "or remove/anonymise the personal information before training"),
    Code("PII_SENSITIVE_NO_SEPARATE_CONSENT", "pii", "high", _PI,
         "sensitive personal information (ID numbers, bank cards, passports) without separate consent",
         "obtain separate consent (`consent_basis: separate_consent` with evidence) or remove these identifiers"),
    Code("PII_IN_ANONYMISED", "pii", "high", _PI,
         "personal information found in a source declared anonymised or free of personal information",
         "fix the anonymisation (see the masked examples in the report) or correct `consent_basis`"),
    # duplicates and diversity (stages `duplicates`, `diversity`)
    Code("DUP_HIGH_RATE", "duplicates", "medium", _QUALITY,
         "a large share of a source is exact or near duplicates of its other documents",
         "deduplicate the source (`provenance clusters --keep-list` gives one document per cluster) and state the "
         "deduplicated scale"),
    Code("DUP_SOURCE_OVERLAP", "duplicates", "medium", _QUALITY,
         "a large share of one source is also in another: the corpus scale counts it twice",
         "drop the copies from one of the sources, or declare the overlap in the data description"),
    Code("DUP_ALREADY_PRESENT", "duplicates", "medium", _QUALITY,
         "most of a new dataset is already in the audited corpus",
         "add only the documents the corpus lacks (see the overlap report), or skip the dataset"),
    Code("LANG_MISMATCH", "diversity", "medium", _TYPE,
         "the languages found in a source differ from the languages declared",
         "correct `language:` in the manifest, or find out why the content is not what was declared"),
    Code("DIV_SINGLE_SOURCE", "diversity", "medium", _DIVERSITY,
         "a language and modality of the corpus comes from a single source",
         "add a second source for it (TC260-003 5.1 b asks for several sources per language and modality), "
         "or state why one suffices"),
    Code("PII_FOUND", "pii", "info", _PI, "personal information found; the declared basis covers it",
         "keep the consent evidence with the dataset; consider removing identifiers the model does not need"),
    # annotation quality checks (run with the licence stage; provenance/annotation_stage.py)
    Code("ANN_CHECK_UNREADABLE", "annotation", "high", _ANNOTATION,
         "an annotation check file cannot be read or holds no usable row",
         "fix the file or `annotation.checks[].file` in the manifest; the columns must match `item_field`, "
         "`label_field` and `check_field`, and labels must be class names, not free text"),
    Code("ANN_LOW_AGREEMENT", "annotation", "medium", _ANNOTATION,
         "annotation checks show low accuracy: the checkers disagree with too many labels",
         "review the annotation rules and the disputed items, correct the labels and check a new sample"),
    Code("ANN_NO_CHECKS", "annotation", "low", _ANNOTATION,
         "a source declares annotation but no results of checking it",
         "check a sample of the labels and declare the results under `annotation.checks`"),
    # onboarding review (`provenance onboard`)
    Code("ONB_NO_DOCUMENTS", "onboarding", "high", _SOURCE, "a candidate source yielded no document to review",
         "check the source's paths, `format:` and `text_field:` (`provenance manifest validate`), then review again"),
]}


@dataclass
class Finding:
    stage: str
    code: str
    message: str
    source_id: str | None = None
    path: str | None = None
    member: str | None = None
    line: int | None = None
    doc_id: str | None = None
    count: int = 1
    severity: str | None = None  # defaults to the code's

    def row(self, run_id: str) -> tuple:
        spec = CODES[self.code]
        return (run_id, self.stage, self.code, self.severity or spec.severity, self.source_id, self.path, self.member,
                self.line, self.doc_id, self.count, self.message, spec.clause, spec.fix)
