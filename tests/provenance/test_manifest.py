"""The manifest model and loader: what it accepts, and how every problem is reported (YAML path, line, fix)."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from provenance.errors import ManifestError, ManifestIssue
from provenance.manifest import (
    LoadedManifest,
    ManifestYamlLoader,
    Source,
    is_known,
    load_manifest,
    manifest_json_schema,
)
from tests.conftest import SAMPLES

EXPECTED = json.loads((SAMPLES / "EXPECTED.json").read_text(encoding="utf-8"))

# Line numbers below refer to this text; every edit in the tables is checked to apply exactly once.
BASE = textwrap.dedent("""\
    dataset:
      name: test-corpus
      provider: Test Co.
      intended_use: commercial
    sources:
      - id: news
        name: News
        stage: pretraining
        paths: [news/*.jsonl]
        text_field: text
        encoding: utf-8
        origin: {jurisdiction: domestic, country: CN}
        acquisition:
          method: open_licence
          robots_respected: unknown
        personal_information: {consent_basis: public}
        annotation: {annotated_count: 3}
      - id: forum
        name: Forum
        stage: finetuning
        paths: [forum/posts.csv]
    """)
SOURCES_BLOCK = BASE[BASE.index("sources:"):]


def edit(*pairs: str) -> str:
    """BASE with each (old, new) replacement applied; each `old` must occur exactly once."""
    text = BASE
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert text.count(old) == 1, f"edit target {old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, content: str | bytes) -> Path:
    """The manifest goes one folder down, so that `..` leaves its folder but stays inside tmp_path."""
    path = tmp_path / "corpus" / "manifest.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def issues_of(path: Path, **kwargs: Any) -> list[ManifestIssue]:
    with pytest.raises(ManifestError) as info:
        load_manifest(path, **kwargs)
    assert info.value.issues, "a ManifestError must carry at least one issue"
    return info.value.issues


def issue_at(issues: list[ManifestIssue], path: str) -> ManifestIssue:
    found = [i for i in issues if i.path == path]
    assert len(found) == 1, f"expected one issue at {path!r}, got: {issues}"
    return found[0]


# -- manifests that load -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> LoadedManifest:
    return load_manifest(SAMPLES / "manifest.yaml")


@pytest.fixture(scope="module")
def example(corpora: Path) -> LoadedManifest:
    return load_manifest(corpora / "manifest.example.yaml")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return manifest_json_schema()


def test_base_manifest_loads(tmp_path: Path) -> None:
    # the table edits below start from a valid manifest, so each failure is caused by its edit alone
    loaded = load_manifest(write(tmp_path, BASE))
    assert [s.id for s in loaded.manifest.sources] == ["news", "forum"]


def _source(loaded: LoadedManifest, sid: str) -> Source:
    return loaded.manifest.source(sid)


SAMPLE_VALUES: list[tuple[str, Callable[[LoadedManifest], Any], Any]] = [
    # (what, accessor, expected): values that exercise each conversion the loader does
    ("dataset name", lambda m: m.manifest.dataset.name, "sample-assistant-corpus"),
    ("intended use", lambda m: m.manifest.dataset.intended_use, "commercial"),
    ("foundation model `unknown` kept as the word", lambda m: m.manifest.dataset.foundation_model.filing_reference,
     "unknown"),
    ("text_field string gives a one-item list", lambda m: _source(m, "zh-news").text_fields, ["text"]),
    ("nested field path kept verbatim", lambda m: _source(m, "zh-wiki").text_fields, ["data[].paragraphs[].context"]),
    ("no text_field gives no fields", lambda m: _source(m, "en-books").text_fields, []),
    ("archive members", lambda m: _source(m, "en-books").members, ["en_books/*.txt"]),
    ("collection_period interval string, start", lambda m: _source(m, "zh-news").acquisition.collection_period.start,
     "2024-01"),
    ("collection_period interval string, end", lambda m: _source(m, "zh-news").acquisition.collection_period.end,
     "2024-06"),
    ("robots_respected: yes (a YAML 1.1 boolean) is the word yes",
     lambda m: _source(m, "en-forum").acquisition.robots_respected, "yes"),
    ("robots_respected: not_applicable", lambda m: _source(m, "zh-news").acquisition.robots_respected,
     "not_applicable"),
    ("country upper-case stays", lambda m: _source(m, "en-books").origin.country, "GB"),
    ("language list", lambda m: _source(m, "qa-pairs").languages, ["zh", "en"]),
    ("licence declared", lambda m: _source(m, "en-tsv").license.declared, "MIT"),
    ("licence files", lambda m: _source(m, "zh-wiki").license.files, ["zh_wiki/LICENSE"]),
    ("no licence block: declared is None", lambda m: _source(m, "zh-chat").license.declared, None),
    ("annotated_count", lambda m: _source(m, "zh-wiki").annotation.annotated_count, 14),
    ("consent basis", lambda m: _source(m, "zh-chat").personal_information.consent_basis, "separate_consent"),
    ("default encoding is normalised utf-8", lambda m: _source(m, "zh-news").encoding, "utf-8"),
    ("format", lambda m: _source(m, "zh-chat").format, "text-lines"),
]


@pytest.mark.parametrize("what, get, expected", SAMPLE_VALUES, ids=[c[0] for c in SAMPLE_VALUES])
def test_sample_manifest_values(sample: LoadedManifest, what: str, get: Callable[[LoadedManifest], Any],
                                expected: Any) -> None:
    assert get(sample) == expected


def test_sample_manifest_identity() -> None:
    # the sources are the ones EXPECTED.json counts; path/sha256 identify the file a run audited
    path = SAMPLES / "manifest.yaml"
    loaded = load_manifest(path)
    assert sorted(s.id for s in loaded.manifest.sources) == sorted(EXPECTED["sources"])
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert loaded.path == path.resolve() and loaded.base_dir == SAMPLES.resolve()
    assert loaded.relative(SAMPLES / "zh_news" / "part-0001.jsonl") == "zh_news/part-0001.jsonl"
    assert loaded.resolve("zh_news/*.jsonl") == str(SAMPLES.resolve() / "zh_news" / "*.jsonl")


EXAMPLE_VALUES: list[tuple[str, Callable[[LoadedManifest], Any], Any]] = [
    ("eleven sources", lambda m: len(m.manifest.sources), 11),
    ("text_field list of alternatives", lambda m: _source(m, "cmrc-wiki").text_fields,
     ["context_text", "data[].paragraphs[].context"]),
    ("non-ASCII member globs", lambda m: _source(m, "tang-song-poetry").members[0],
     "chinese_poetry/全唐诗/poet.*.json"),
    ("flow-mapping annotation", lambda m: _source(m, "hotel-reviews").annotation.annotated_count, 7766),
    ("licence with spaces", lambda m: _source(m, "privacy-contest").license.declared, "research only"),
    ("evidence `unknown` is not known", lambda m: is_known(_source(m, "enron-mail").acquisition.evidence), False),
    ("omitted format defaults to auto", lambda m: _source(m, "shopping-reviews").format, "auto"),
    ("absent robots_respected defaults to unknown",
     lambda m: _source(m, "hotel-reviews").acquisition.robots_respected, "unknown"),
    ("country", lambda m: _source(m, "gutenberg").origin.country, "US"),
    ("foundation model licence", lambda m: m.manifest.dataset.foundation_model.license, "apache-2.0"),
]


@pytest.mark.parametrize("what, get, expected", EXAMPLE_VALUES, ids=[c[0] for c in EXAMPLE_VALUES])
def test_shared_example_manifest_loads_unchanged(example: LoadedManifest, what: str,
                                                 get: Callable[[LoadedManifest], Any], expected: Any) -> None:
    # written by a provider's team: the model must accept it exactly as it is
    assert get(example) == expected


ACCEPTED_FORMS: list[tuple[str, tuple[str, ...], Callable[[Source], Any], Any, bool]] = [
    # (reason, edits, accessor on source `news`, expected, valid under the JSON schema as YAML data)
    ("licence shorthand `license: MIT` means declared: MIT",
     ("    personal_information:", "    license: MIT\n    personal_information:"), lambda s: s.license.declared,
     "MIT", True),
    ("a single path may be written without a list", ("[news/*.jsonl]", "news/*.jsonl"), lambda s: s.paths,
     ["news/*.jsonl"], True),
    ("a single member glob may be written without a list", ("    text_field: text", "    members: a/*.txt"),
     lambda s: s.members, ["a/*.txt"], True),
    ("licence files may be one string", ("    personal_information:", "    license: {files: LICENSE}\n"
                                         "    personal_information:"), lambda s: s.license.files, ["LICENSE"], True),
    ("collection_period ISO interval", ("      robots_respected: unknown", "      collection_period: 2023-11/2024-02"),
     lambda s: (s.acquisition.collection_period.start, s.acquisition.collection_period.end), ("2023-11", "2024-02"),
     True),
    ("collection_period open end", ("      robots_respected: unknown", "      collection_period: 2023-11/"),
     lambda s: (s.acquisition.collection_period.start, s.acquisition.collection_period.end), ("2023-11", None), True),
    # YAML makes 2024-01-01 a date object (not JSON data, so no schema check); the model keeps the text
    ("collection_period with YAML dates", ("      robots_respected: unknown",
                                           "      collection_period: {start: 2024-01-01, end: 2024-06-30}"),
     lambda s: s.acquisition.collection_period.start, "2024-01-01", False),
    ("robots_respected: yes", ("robots_respected: unknown", "robots_respected: yes"),
     lambda s: s.acquisition.robots_respected, "yes", True),
    ("robots_respected: no", ("robots_respected: unknown", "robots_respected: no"),
     lambda s: s.acquisition.robots_respected, "no", True),
    ("robots_respected: true (a YAML boolean) means yes", ("robots_respected: unknown", "robots_respected: true"),
     lambda s: s.acquisition.robots_respected, "yes", True),
    ("robots_respected: false means no", ("robots_respected: unknown", "robots_respected: False"),
     lambda s: s.acquisition.robots_respected, "no", True),
    ("country is upper-cased", ("country: CN", "country: cn"), lambda s: s.origin.country, "CN", True),
    ("country NO is Norway, not the boolean false (YAML 1.1)", ("country: CN", "country: NO"),
     lambda s: s.origin.country, "NO", True),
    ("country may be unknown", ("country: CN", "country: unknown"), lambda s: s.origin.country, "unknown", True),
    ("language no is Norwegian, not false", ("    encoding: utf-8", "    language: no"), lambda s: s.languages,
     ["no"], True),
    ("text_field list", ("text_field: text", "text_field: [body, text]"), lambda s: s.text_fields, ["body", "text"],
     True),
    ("encoding name is normalised", ("encoding: utf-8", "encoding: GB18030"), lambda s: s.encoding, "gb18030", True),
    ("encoding alias is normalised", ("encoding: utf-8", "encoding: latin1"), lambda s: s.encoding, "iso8859-1",
     True),
    ("numeric licence is text", ("    personal_information:", "    license: {declared: 2.0}\n"
                                 "    personal_information:"), lambda s: s.license.declared, "2.0", True),
    ("annotated_count zero is allowed", ("annotated_count: 3", "annotated_count: 0"),
     lambda s: s.annotation.annotated_count, 0, True),
]


@pytest.mark.parametrize("reason, edits, get, expected, schema_ok", ACCEPTED_FORMS, ids=[c[0] for c in ACCEPTED_FORMS])
def test_accepted_forms(tmp_path: Path, schema: dict[str, Any], reason: str, edits: tuple[str, ...],
                        get: Callable[[Source], Any], expected: Any, schema_ok: bool) -> None:
    text = edit(*edits)
    loaded = load_manifest(write(tmp_path, text))
    assert get(loaded.manifest.source("news")) == expected
    if schema_ok:  # what the model accepts, an editor validating the YAML with our schema accepts too
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.Draft202012Validator(schema).validate(yaml.load(text, Loader=ManifestYamlLoader))


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    # Windows editors write a BOM; it is not part of the first key
    loaded = load_manifest(write(tmp_path, b"\xef\xbb\xbf" + BASE.encode()))
    assert loaded.manifest.dataset.name == "test-corpus"


# -- manifests with one problem ----------------------------------------------------------------------------------

# (case id, edits or full text, YAML path, line, message contains, fix contains: each a one-line reason)
BAD: list[tuple[str, tuple[str, ...] | str, str, int | None, list[str], list[str]]] = [
    # an unknown key at the top level is a typo of `dataset`
    ("typo-top-level", ("dataset:", "datset:"), "datset", 1,
     ["unknown key 'datset'"], ["did you mean 'dataset'?", "allowed keys here: dataset, sources"]),
    # a typo inside `dataset`
    ("typo-dataset", ("  provider: Test Co.", "  provder: Test Co."), "dataset.provder", 3,
     ["unknown key 'provder'"], ["did you mean 'provider'?", "allowed keys here: name, provider, intended_use"]),
    # a typo in a source
    ("typo-source", ("text_field: text", "text_feild: text"), "sources[0].text_feild", 10,
     ["unknown key 'text_feild'"], ["did you mean 'text_field'?", "members", "annotation"]),
    # a typo in a nested block mapping
    ("typo-nested-block", ("      method: open_licence", "      methd: open_licence"),
     "sources[0].acquisition.methd", 14,
     ["unknown key 'methd'"], ["did you mean 'method'?", "allowed keys here: method, evidence, collection_period"]),
    # a typo in a nested flow mapping
    ("typo-nested-flow", ("country: CN", "contry: CN"), "sources[0].origin.contry", 12,
     ["unknown key 'contry'"], ["did you mean 'country'?", "publisher", "jurisdiction"]),
    # British spelling of a key in the optional foundation_model section
    ("typo-foundation-model", ("  intended_use: commercial", "  intended_use: commercial\n"
                               "  foundation_model: {name: base, licence: mit}"),
     "dataset.foundation_model.licence", 5, ["unknown key 'licence'"], ["did you mean 'license'?"]),
    # nothing close: no suggestion, but the allowed keys
    ("unknown-key-no-suggestion", ("    encoding: utf-8", "    encoding: utf-8\n    zzz: 1"), "sources[0].zzz", 12,
     ["unknown key 'zzz'"], ["allowed keys here: id, name, stage"]),
    # enum: stage
    ("enum-stage", ("stage: pretraining", "stage: pre-training"), "sources[0].stage", 8,
     ["'pre-training' is not an allowed value"], ["'pretraining'", "'finetuning'"]),
    # enum: acquisition.method
    ("enum-acquisition-method", ("method: open_licence", "method: scraped"), "sources[0].acquisition.method", 14,
     ["'scraped' is not an allowed value"], ["'open_licence'", "'self_collected'", "'synthetic'", "'unknown'"]),
    # enum: consent_basis; `yes` is reported as the word written, not as True
    ("enum-consent-basis", ("consent_basis: public", "consent_basis: yes"),
     "sources[0].personal_information.consent_basis", 16,
     ["'yes' is not an allowed value"], ["'consent'", "'separate_consent'", "'not_applicable'"]),
    # enum: intended_use
    ("enum-intended-use", ("intended_use: commercial", "intended_use: both"), "dataset.intended_use", 4,
     ["'both' is not an allowed value"], ["'commercial'", "'research'"]),
    # enum: jurisdiction
    ("enum-jurisdiction", ("jurisdiction: domestic", "jurisdiction: abroad"), "sources[0].origin.jurisdiction", 12,
     ["'abroad' is not an allowed value"], ["'domestic'", "'foreign'", "'unknown'"]),
    # enum: robots_respected tri-state
    ("enum-robots", ("robots_respected: unknown", "robots_respected: maybe"),
     "sources[0].acquisition.robots_respected", 15, ["'maybe'"], ["'yes'", "'no'", "'not_applicable'"]),
    # the second use of an id is the error, and it names the first
    ("duplicate-source-id", ("- id: forum", "- id: news"), "sources[1].id", 18,
     ["duplicate source id 'news'", "sources[0]"], ["unique"]),
    # `..` leaves the manifest's folder
    ("path-dotdot", ("[news/*.jsonl]", "[../news/*.jsonl]"), "sources[0].paths[0]", 9,
     ["'../news/*.jsonl' escapes the manifest's folder"], ["--allow-outside"]),
    # `..` in the middle also counts, after normalisation
    ("path-dotdot-inner", ("[forum/posts.csv]", "[forum/../../posts.csv]"), "sources[1].paths[0]", 21,
     ["escapes"], ["--allow-outside"]),
    # an absolute path
    ("path-absolute", ("[forum/posts.csv]", "[/srv/data/posts.csv]"), "sources[1].paths[0]", 21,
     ["'/srv/data/posts.csv' is an absolute path"], ["relative to the manifest", "--allow-outside"]),
    # an absolute path given as a single string (no list index in the path)
    ("path-absolute-string", ("[forum/posts.csv]", "/srv/data/posts.csv"), "sources[1].paths", 21,
     ["absolute path"], ["--allow-outside"]),
    # required field in a source: the line is the source's
    ("missing-source-name", ("    name: News\n", ""), "sources[0].name", 6,
     ["required field is missing"], ["add `name:`"]),
    # required field in dataset: the line is the `dataset:` key's
    ("missing-dataset-provider", ("  provider: Test Co.\n", ""), "dataset.provider", 1,
     ["required field is missing"], ["add `provider:`"]),
    # required top-level section
    ("missing-sources", (SOURCES_BLOCK, ""), "sources", 1, ["required field is missing"], ["add `sources:`"]),
    # an empty list of sources
    ("empty-sources", (SOURCES_BLOCK, "sources: []\n"), "sources", 5, ["must not be empty"], ["at least one"]),
    # an empty list of paths
    ("empty-paths", ("[forum/posts.csv]", "[]"), "sources[1].paths", 21, ["must not be empty"], ["at least one"]),
    # paths: with no value
    ("null-paths", ("[forum/posts.csv]", ""), "sources[1].paths", 21, ["expected a list"], ["list"]),
    # source ids go into file names and doc ids
    ("invalid-source-id", ("- id: forum", "- id: Forum Posts"), "sources[1].id", 18,
     ["'Forum Posts' is not a valid source id"], ["lower-case letters"]),
    # a source id that YAML reads as a number
    ("source-id-number", ("- id: forum", "- id: 42"), "sources[1].id", 18, ["expected text"], ["quote"]),
    # a three-letter country code
    ("bad-country-code", ("country: CN", "country: CHN"), "sources[0].origin.country", 12,
     ["'CHN' is not a two-letter ISO 3166-1 country code"], ["CN, US or GB"]),
    # a codec Python does not have
    ("unknown-encoding", ("encoding: utf-8", "encoding: utf-9"), "sources[0].encoding", 11,
     ["'utf-9' is not an encoding Python knows"], ["utf-8", "gb18030"]),
    # counts are never negative
    ("negative-annotated-count", ("annotated_count: 3", "annotated_count: -3"), "sources[0].annotation.annotated_count",
     17, ["-3", "at least 0"], ["at least 0"]),
    # a count must be a number
    ("text-annotated-count", ("annotated_count: 3", "annotated_count: many"),
     "sources[0].annotation.annotated_count", 17, ["expected a whole number", "'many'"], ["whole number"]),
    # text_field as a mapping
    ("text-field-mapping", ("text_field: text", "text_field: {name: text}"), "sources[0].text_field", 10,
     ["is not a field path"], ["`data[].paragraphs[].context`", "a list of them"]),
    # text_field as a number
    ("text-field-number", ("text_field: text", "text_field: 5"), "sources[0].text_field", 10,
     ["'5' is not a field path"], ["a list of them"]),
    # a section that must be a mapping
    ("section-not-mapping", ("    acquisition:\n      method: open_licence\n      robots_respected: unknown\n",
                             "    acquisition: open licence\n"), "sources[0].acquisition", 13,
     ["expected a mapping of keys"], ["allowed keys here: method, evidence"]),
    # a source that is not a mapping
    ("source-not-mapping", (SOURCES_BLOCK, "sources:\n  - news\n"), "sources[0]", 6, ["expected a mapping of keys"],
     ["allowed keys here: id, name"]),
    # a key YAML reads as a number
    ("numeric-key", ("    encoding: utf-8", "    encoding: utf-8\n    5: five"), "sources[0].5", 12,
     ["key '5' is not a field name"], ["allowed keys here: id"]),
    # YAML itself would silently keep the second value
    ("yaml-duplicate-key", ("    name: Forum\n", "    name: Forum\n    name: Forum posts\n"), "sources[1].name", 20,
     ["key 'name' appears twice"], ["keep one"]),
    # a duplicate key in a nested flow mapping
    ("yaml-duplicate-key-flow", ("country: CN}", "country: CN, country: US}"), "sources[0].origin.country", 12,
     ["appears twice"], ["keep one"]),
    # YAML syntax: an unclosed flow list; the problem is seen at the end of the file, the list started on line 21
    ("yaml-syntax-unclosed", ("[forum/posts.csv]", "[forum/posts.csv"), "", 22,
     ["not valid YAML", "from line 21"], ["fix the YAML syntax"]),
    # YAML syntax: a tab used for indentation
    ("yaml-syntax-tab", ("    encoding: utf-8", "\tencoding: utf-8"), "", 11, ["not valid YAML", "'\\t'"],
     ["fix the YAML syntax"]),
    # YAML syntax: bad indentation of a mapping key
    ("yaml-syntax-indent", ("    name: Forum", "     name: Forum"), "", 19, ["not valid YAML"],
     ["fix the YAML syntax"]),
    # two documents in one file
    ("yaml-two-documents", ("sources:", "---\nsources:"), "", 5, ["not valid YAML", "single document"],
     ["fix the YAML syntax"]),
    # the top level is a list
    ("top-level-list", "- dataset: x\n- sources: []\n", "", None, ["must be a mapping with `dataset:` and `sources:`"],
     ["data_samples/manifest.yaml"]),
    # the top level is a plain string
    ("top-level-scalar", "just some text\n", "", None, ["must be a mapping"], ["data_samples/manifest.yaml"]),
    # an empty file
    ("empty-file", "", "", None, ["must be a mapping"], ["data_samples/manifest.yaml"]),
]


@pytest.mark.parametrize("case, change, path, line, message_has, fix_has", BAD, ids=[c[0] for c in BAD])
def test_bad_manifest_reports_path_line_and_fix(tmp_path: Path, case: str, change: tuple[str, ...] | str, path: str,
                                                line: int | None, message_has: list[str], fix_has: list[str]) -> None:
    text = change if isinstance(change, str) else edit(*change)
    issue = issue_at(issues_of(write(tmp_path, text)), path)
    assert issue.line == line, f"{case}: line {issue.line}, expected {line} ({issue})"
    for part in message_has:
        assert part in issue.message, f"{case}: {part!r} not in message {issue.message!r}"
    assert issue.fix, f"{case}: no fix given"
    for part in fix_has:
        assert part in issue.fix, f"{case}: {part!r} not in fix {issue.fix!r}"


def test_each_problem_reported_once(tmp_path: Path) -> None:
    # a union field (str | list[str]) reports each branch; the user sees one issue for `text_field`
    issues = issues_of(write(tmp_path, edit("text_field: text", "text_field: [text, 5]")))
    assert [i.path for i in issues] == ["sources[0].text_field"]


@pytest.mark.parametrize("change, pattern", [
    (("[news/*.jsonl]", "[../news/*.jsonl]"), "../news/*.jsonl"),       # `..` is allowed with the flag
    (("[forum/posts.csv]", "[/srv/data/posts.csv]"), "/srv/data/posts.csv"),  # so is an absolute path
])
def test_paths_outside_allowed_with_flag(tmp_path: Path, change: tuple[str, str], pattern: str) -> None:
    manifest = write(tmp_path, edit(*change))
    issues_of(manifest)  # refused by default
    loaded = load_manifest(manifest, allow_outside=True)
    assert loaded.allow_outside is True
    assert pattern in [p for s in loaded.manifest.sources for p in s.paths]


def test_dotdot_that_stays_inside_is_fine(tmp_path: Path) -> None:
    # `a/../news` normalises to a path inside the folder: not an escape
    loaded = load_manifest(write(tmp_path, edit("[news/*.jsonl]", "[a/../news/*.jsonl]")))
    assert loaded.manifest.source("news").paths == ["a/../news/*.jsonl"]


def test_many_problems_reported_at_once(tmp_path: Path) -> None:
    text = edit("intended_use: commercial", "intended_use: both",   # validation error in dataset
                "stage: pretraining", "stage: pretrain",            # enum in a source
                "country: CN", "country: CHN",                      # value error
                "[news/*.jsonl]", "[../news/*.jsonl]",              # path check (a separate pass)
                "- id: forum", "- id: news",                        # duplicate id (another pass)
                "    name: Forum\n", "    name: Forum\n    name: F\n")  # YAML duplicate key (another pass)
    manifest = write(tmp_path, text)
    with pytest.raises(ManifestError) as info:
        load_manifest(manifest)
    paths = {i.path for i in info.value.issues}
    assert paths == {"dataset.intended_use", "sources[0].stage", "sources[0].origin.country", "sources[0].paths[0]",
                     "sources[1].id", "sources[1].name"}
    assert all(i.line and i.fix for i in info.value.issues)
    rendered = info.value.render()
    assert f"{len(paths)} problem(s)" in rendered
    assert f"{manifest}:8: sources[0].stage" in rendered  # file:line: path, as editors and CI logs link it


def test_missing_file(tmp_path: Path) -> None:
    (issue,) = issues_of(tmp_path / "nope.yaml")
    assert "does not exist" in issue.message and issue.fix


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (issue,) = issues_of(tmp_path)
    assert "folder" in issue.message and issue.fix


def test_non_utf8_file(tmp_path: Path) -> None:
    # GBK-encoded text on line 7: the error names the line and says how to fix it
    data = BASE.replace("name: News", "name: 新闻").encode("gbk")
    (issue,) = issues_of(write(tmp_path, data))
    assert "not valid UTF-8" in issue.message
    assert issue.line == 7
    assert issue.fix and "UTF-8" in issue.fix


@pytest.mark.timeout(10)
def test_recursive_alias_does_not_crash(tmp_path: Path) -> None:
    # `&a [*a]` is a list that contains itself; it once recursed until RecursionError
    issue = issue_at(issues_of(write(tmp_path, BASE + "extra: &loop [*loop]\n")), "extra")
    assert "unknown key" in issue.message


@pytest.mark.timeout(10)
def test_alias_bomb_is_fast(tmp_path: Path) -> None:
    # nested aliases (10^8 nodes if expanded) under an unknown key once took about a minute to report
    bomb = "bomb:\n" + "".join(
        f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10 if i else ["x"] * 10) + "]\n" for i in range(9))
    issue = issue_at(issues_of(write(tmp_path, BASE + bomb)), "bomb")
    assert issue.line == 22


# -- JSON schema ---------------------------------------------------------------------------------------------------


def test_schema_top_level(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == {"dataset", "sources"}
    assert set(schema["required"]) == {"dataset", "sources"}
    json.dumps(schema)  # serialisable as printed by `provenance manifest schema`


def test_schema_is_valid_json_schema_and_matches_sample(schema: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.load((SAMPLES / "manifest.yaml").read_text(encoding="utf-8"), Loader=ManifestYamlLoader)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def test_schema_matches_shared_example(corpora: Path, schema: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = yaml.load((corpora / "manifest.example.yaml").read_text(encoding="utf-8"), Loader=ManifestYamlLoader)
    jsonschema.Draft202012Validator(schema).validate(data)


SCHEMA_REJECTS = [
    ("wrong stage enum", ("stage: pretraining", "stage: pretrain")),
    ("wrong acquisition.method enum", ("method: open_licence", "method: scraped")),
    ("unknown key in a source", ("text_field: text", "text_feild: text")),
    ("empty paths", ("[forum/posts.csv]", "[]")),
    ("invalid source id", ("- id: forum", "- id: Forum")),
    ("negative count", ("annotated_count: 3", "annotated_count: -1")),
    ("missing required name", ("    name: News\n", "")),
]


@pytest.mark.parametrize("reason, change", SCHEMA_REJECTS, ids=[c[0] for c in SCHEMA_REJECTS])
def test_schema_rejects_what_the_model_rejects(tmp_path: Path, schema: dict[str, Any], reason: str,
                                              change: tuple[str, str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    text = edit(*change)
    issues_of(write(tmp_path, text))  # the model rejects it ...
    data = yaml.load(text, Loader=ManifestYamlLoader)
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)  # ... and so does the schema


def test_licence_files_may_not_leave_the_manifest_folder(tmp_path) -> None:
    """license.files are read by the licence stage: the same rule as data paths applies."""
    manifest = tmp_path / "m.yaml"
    manifest.write_text("dataset: {name: d, provider: p, intended_use: research}\n"
                        "sources:\n  - {id: a, name: A, stage: pretraining, paths: [x.txt],\n"
                        "     license: {declared: MIT, files: [../LICENSE]}}\n", encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(manifest)
    [issue] = info.value.issues
    assert issue.path == "sources[0].license.files[0]" and "escapes" in issue.message and issue.line == 4
    assert load_manifest(manifest, allow_outside=True).manifest.sources[0].license.files == ["../LICENSE"]
