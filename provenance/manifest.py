"""The dataset manifest: what a provider declares about each training-data source.

Loaded from YAML into pydantic v2 models. Every validation problem is reported with its YAML path
(`sources[2].acquisition.method`), its line, the allowed values, and for unknown keys a did-you-mean.
Values a team does not know are written `unknown` (or left out) and reported as "not evidenced".
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import types
import typing
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from provenance.errors import ManifestError, ManifestIssue

UNKNOWN = "unknown"

Stage = Literal["pretraining", "finetuning"]
Modality = Literal["text", "image", "audio", "video", "code", "multimodal"]
Format = Literal["auto", "jsonl", "json", "csv", "tsv", "parquet", "text", "text-lines"]
IntendedUse = Literal["commercial", "research"]
Jurisdiction = Literal["domestic", "foreign", "unknown"]
AcquisitionMethod = Literal[
    "open_licence", "commercial_contract", "self_collected", "user_data", "synthetic", "other", "unknown"
]
ConsentBasis = Literal[
    "consent", "separate_consent", "contract", "public", "anonymised", "none", "unknown", "not_applicable"
]
TriState = Literal["yes", "no", "unknown", "not_applicable"]

SOURCE_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"


def is_known(value: Any) -> bool:
    """True when a declared value is present and not the literal `unknown`."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in ("", UNKNOWN)
    return True


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _tri_state(value: Any) -> Any:
    # YAML reads yes/no/true/false as booleans; the manifest means a tri-state answer.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


class FoundationModel(_Model):
    name: str
    license: str | None = None
    filing_reference: str | None = Field(None, description="the base model's filing number, where it has one")

    @field_validator("license", "filing_reference", mode="before", json_schema_input_type=str | int | float | None)
    @classmethod
    def _stringify(cls, v: Any) -> Any:
        return None if v is None else str(v)


class Dataset(_Model):
    name: str
    provider: str
    intended_use: IntendedUse
    description: str | None = None
    foundation_model: FoundationModel | None = None
    algorithm_mechanism: str | None = Field(
        None, description="narrative for the Art. 17/19 'basic algorithm and technical system' field"
    )


class Origin(_Model):
    publisher: str | None = None
    url: str | None = None
    jurisdiction: Jurisdiction = "unknown"
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code, e.g. CN, US")

    @field_validator("country")
    @classmethod
    def _country_code(cls, v: str | None) -> str | None:
        if v is None or v.lower() == UNKNOWN:
            return v
        if not re.fullmatch(r"[A-Za-z]{2}", v):
            raise ValueError(f"'{v}' is not a two-letter ISO 3166-1 country code (e.g. CN, US, GB)")
        return v.upper()


class CollectionPeriod(_Model):
    start: str | None = None
    end: str | None = None

    @field_validator("start", "end", mode="before", json_schema_input_type=str | int | date | None)
    @classmethod
    def _stringify(cls, v: Any) -> Any:
        return None if v is None else str(v)  # YAML turns 2023-01-01 into a date


class Acquisition(_Model):
    method: AcquisitionMethod = "unknown"
    evidence: str | None = Field(None, description="contract id, licence file, collection log, authorisation record")
    collection_period: CollectionPeriod | None = None
    robots_respected: TriState = "unknown"
    crawler: str | None = None
    generator_model: str | None = Field(None, description="for synthetic data: the model that generated it")

    _tri = field_validator("robots_respected", mode="before", json_schema_input_type=TriState | bool)(
        classmethod(lambda cls, v: _tri_state(v)))

    # the schema admits the shorthand forms the model accepts, so an editor validating the YAML agrees with us
    @field_validator("collection_period", mode="before", json_schema_input_type=CollectionPeriod | str | None)
    @classmethod
    def _period(cls, v: Any) -> Any:
        # "2013-11/2014-12" is the ISO 8601 interval form people write.
        if isinstance(v, str):
            start, _, end = v.partition("/")
            return {"start": start.strip() or None, "end": end.strip() or None}
        return v


class License(_Model):
    declared: str | None = None
    url: str | None = None
    files: list[str] = Field(default_factory=list, description="licence files, relative to the manifest")

    @field_validator("declared", mode="before", json_schema_input_type=str | int | float | None)
    @classmethod
    def _stringify(cls, v: Any) -> Any:
        return None if v is None else str(v)

    _files = field_validator("files", mode="before", json_schema_input_type=list[str] | str)(
        classmethod(lambda cls, v: _as_list(v)))


class PersonalInformation(_Model):
    consent_basis: ConsentBasis = "unknown"
    evidence: str | None = None


CheckKind = Literal["spot_check", "double_annotation"]
CHECK_FILE_SUFFIXES = (".csv", ".tsv", ".tab", ".jsonl", ".ndjson")


class AnnotationCheck(_Model):
    """A file of annotation checks (Art. 8 sampling checks): one row per item, the annotator's label and the
    checker's label, and optionally a second annotator's label. Read by provenance/annotation_stage.py."""

    file: str = Field(description="CSV, TSV or JSONL file of the check, one row per item, relative to the manifest")
    item_field: str = Field("item", min_length=1, description="column or key of the item id")
    label_field: str = Field("label", min_length=1, description="the annotator's label")
    check_field: str = Field("check_label", min_length=1,
                             description="the checker's label (for a double annotation: the adjudicated label)")
    kind: CheckKind = "spot_check"
    second_label_field: str | None = Field(
        None, min_length=1, validate_default=True,
        description="a second annotator's label of the same item, for inter-annotator agreement "
        "(required with kind double_annotation)")

    @field_validator("file")
    @classmethod
    def _check_file_format(cls, v: str) -> str:
        # the stage reads rows of fields; a Parquet or JSON document would need a reader it does not have
        if not v.lower().endswith(CHECK_FILE_SUFFIXES):
            raise ValueError(f"'{v}' is not a CSV, TSV or JSONL file (it must end in {', '.join(CHECK_FILE_SUFFIXES)})")
        return v

    @field_validator("check_field", "second_label_field")
    @classmethod
    def _distinct_fields(cls, v: str | None, info: ValidationInfo) -> str | None:
        # comparing a column with itself would report a perfect agreement that checks nothing
        if v is not None and v == info.data.get("label_field"):
            raise ValueError(f"'{v}' is also the `label_field`: the labels would be compared with themselves")
        if v is None and info.field_name == "second_label_field" and info.data.get("kind") == "double_annotation":
            raise ValueError("a double annotation needs the second annotator's label column")
        return v


class Annotation(_Model):
    type: str | None = None
    rules_document: str | None = None
    annotated_count: int | None = Field(None, ge=0)
    vendor: str | None = None
    checks: list[AnnotationCheck] = Field(default_factory=list,
                                          description="annotation check files (a list, or one mapping)")

    @field_validator("checks", mode="before",
                     json_schema_input_type=list[AnnotationCheck] | AnnotationCheck | None)
    @classmethod
    def _one_check(cls, v: Any) -> Any:
        # one check file is usually written as a mapping; an empty `checks:` means none
        if v is None:
            return []
        return [v] if isinstance(v, dict) else v


class Source(_Model):
    id: Annotated[str, Field(pattern=SOURCE_ID_PATTERN)]
    name: str
    stage: Stage
    modality: Modality = "text"
    description: str | None = None
    paths: list[str] = Field(min_length=1, description="globs relative to the manifest; ** crosses folders")
    members: list[str] | None = Field(None, description="globs for the files to read inside tar/zip archives")
    format: Format = "auto"
    text_field: str | list[str] | None = Field(
        None,
        description="field path of the text: `text`, `a.b`, `data[].paragraphs[].context`; "
        "a list gives alternatives, the first that a file or record has is used",
    )
    encoding: str = "utf-8"
    language: str | list[str] | None = Field(None, description="declared language(s), e.g. zh, en")
    content_domains: list[str] = Field(
        default_factory=list,
        description="subject areas of the content, as declared (the report's data type): e.g. news, encyclopedia, "
        "customer service, literature, law, medicine")
    origin: Origin = Field(default_factory=Origin)
    acquisition: Acquisition = Field(default_factory=Acquisition)
    license: License = Field(default_factory=License)
    personal_information: PersonalInformation = Field(default_factory=PersonalInformation)
    annotation: Annotation | None = None

    _paths = field_validator("paths", mode="before",
                             json_schema_input_type=Annotated[list[str], Field(min_length=1)] | str)(
        classmethod(lambda cls, v: _as_list(v)))
    _members = field_validator("members", mode="before", json_schema_input_type=list[str] | str | None)(
        classmethod(lambda cls, v: _as_list(v)))
    _content_domains = field_validator("content_domains", mode="before", json_schema_input_type=list[str] | str)(
        classmethod(lambda cls, v: _as_list(v) if v is not None else []))

    @field_validator("license", mode="before", json_schema_input_type=License | str)
    @classmethod
    def _license_shorthand(cls, v: Any) -> Any:
        return {"declared": v} if isinstance(v, str) else v

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, v: str) -> str:
        import codecs

        try:
            return codecs.lookup(v).name
        except LookupError:
            raise ValueError(f"'{v}' is not an encoding Python knows (e.g. utf-8, gb18030, big5)") from None

    @property
    def text_fields(self) -> list[str]:
        if self.text_field is None:
            return []
        return [self.text_field] if isinstance(self.text_field, str) else list(self.text_field)

    @property
    def languages(self) -> list[str]:
        if self.language is None:
            return []
        return [self.language] if isinstance(self.language, str) else list(self.language)


class Manifest(_Model):
    dataset: Dataset
    sources: list[Source] = Field(min_length=1)

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)


class LoadedManifest(BaseModel):
    """A validated manifest with where it came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    manifest: Manifest
    path: Path
    base_dir: Path
    sha256: str
    allow_outside: bool = False

    def resolve(self, pattern: str) -> str:
        """The absolute glob pattern for a manifest-relative path."""
        return os.path.normpath(os.path.join(self.base_dir, pattern))

    def relative(self, path: str | Path) -> str:
        """How a file is named in the catalog and reports: relative to the manifest, with `/`."""
        rel = os.path.relpath(path, self.base_dir)
        return PurePosixPath(*Path(rel).parts).as_posix()

    def with_intended_use(self, intended_use: str) -> "LoadedManifest":
        """The same manifest judged for another intended use (onboarding judges a candidate for the corpus's)."""
        dataset = self.manifest.dataset.model_copy(update={"intended_use": intended_use})
        return self.model_copy(update={"manifest": self.manifest.model_copy(update={"dataset": dataset})})


# ---------------------------------------------------------------------------------------------
# loading and error reporting


class ManifestYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false are booleans.

    YAML 1.1 also reads yes/no/on/off (any case) as booleans, which turns `country: NO` (Norway) and `language: no`
    (Norwegian) into False and shows `consent_basis: yes` as 'True' in errors. Tri-state fields take the words.
    """


ManifestYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ManifestYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_manifest(path: str | Path, *, allow_outside: bool = False, base_dir: str | Path | None = None
                  ) -> LoadedManifest:
    """Read, parse and validate a manifest file; raise ManifestError listing every problem.

    Paths are relative to the manifest's folder, or to `base_dir` when given (a manifest written elsewhere for data
    in another folder, as `provenance onboard` does for a single data file).
    """
    path = Path(path)
    shown = str(path)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(shown, [ManifestIssue("", "the manifest file does not exist",
                                                   "check the path, or create one from data_samples/manifest.yaml")])
    except IsADirectoryError:
        raise ManifestError(shown, [ManifestIssue("", "the manifest path is a folder, not a file",
                                                   "pass the manifest's YAML file, e.g. data_samples/manifest.yaml")])
    except OSError as e:
        raise ManifestError(shown, [ManifestIssue("", f"cannot read the manifest: {e.strerror or e}",
                                                   "check that the file exists and that you may read it")])
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start + (3 if raw_bytes.startswith(b"\xef\xbb\xbf") else 0)
        line = raw_bytes[:start].count(b"\n") + 1
        raise ManifestError(shown, [ManifestIssue("", f"not valid UTF-8 at byte {start} (line {line})",
                                                   "save the file as UTF-8", line)])
    try:
        node = yaml.compose(text, Loader=ManifestYamlLoader)
        data = yaml.load(text, Loader=ManifestYamlLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(e, "problem", None) or str(e)
        context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context:
            started = f" (from line {context_mark.line + 1})" if context_mark and context_mark.line + 1 != line else ""
            problem = f"{context}{started}: {problem}"
        raise ManifestError(shown, [ManifestIssue("", f"not valid YAML: {problem}",
                                                   "fix the YAML syntax at that line", line)])
    lines = _LineIndex(node)
    issues = list(lines.duplicate_keys)
    if not isinstance(data, dict):
        issues.append(ManifestIssue("", "the manifest must be a mapping with `dataset:` and `sources:`",
                                    "start from data_samples/manifest.yaml"))
        raise ManifestError(shown, issues)
    manifest = None
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as e:
        issues += _issues_from_validation(e, data, lines)
    raw_sources = data.get("sources") if isinstance(data.get("sources"), list) else []
    issues += _duplicate_id_issues(raw_sources, lines)
    base = Path(base_dir).resolve() if base_dir is not None else path.parent.resolve()
    issues += _path_issues(raw_sources, base, allow_outside, lines)
    if issues:
        raise ManifestError(shown, issues)
    assert manifest is not None
    return LoadedManifest(
        manifest=manifest,
        path=path.resolve(),
        base_dir=base,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        allow_outside=allow_outside,
    )


def manifest_json_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Training-data provenance manifest"
    return schema


def format_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_VALUE_FIXES = {
    "country": "use a two-letter code such as CN, US or GB, or write `unknown`",
    "encoding": "use a codec name such as utf-8, gb18030, big5 or latin-1",
    "file": "point it at the check's .csv, .tsv or .jsonl file, relative to the manifest",
    "check_field": "name the column that holds the checker's label, e.g. check_label",
    "second_label_field": "name the column that holds the second annotator's label (required with "
                          "`kind: double_annotation`; it must differ from `label_field`)",
}
_TYPE_NAMES = {"string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
               "int_from_float": "a whole number", "list_type": "a list", "dict_type": "a mapping of keys",
               "model_type": "a mapping of keys", "model_attributes_type": "a mapping of keys"}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"'{value}'"


def _issues_from_validation(error: ValidationError, data: Any, lines: "_LineIndex") -> list[ManifestIssue]:
    issues: dict[str, ManifestIssue] = {}
    for err in error.errors():
        loc = _data_loc(err["loc"], data)
        path = format_path(loc)
        if any(path.startswith(done) and path[len(done):][:1] in ("[", ".") for done in issues if done):
            continue  # a union reports each branch: `text_field[1]` after `text_field` says nothing new
        ctx = err.get("ctx") or {}
        kind = err["type"]
        fix = None
        if kind == "extra_forbidden":
            key = loc[-1] if loc else ""
            allowed = _allowed_keys(loc[:-1])
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            message = f"unknown key '{key}'"
            fix = (f"did you mean '{close[0]}'? " if close else "") + f"allowed keys here: {', '.join(allowed)}"
        elif kind == "literal_error":
            message = f"'{err.get('input')}' is not an allowed value"
            fix = f"use one of: {ctx.get('expected', '')}"
        elif kind == "missing":
            message = "required field is missing"
            fix = f"add `{loc[-1]}:`" if loc else None
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "id":
            message = f"'{err.get('input')}' is not a valid source id"
            fix = "use lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (max 64)"
        elif loc and loc[-1] == "text_field":
            message = f"'{err.get('input')}' is not a field path"
            fix = "give a string such as `text` or `data[].paragraphs[].context`, or a list of them"
        elif kind == "too_short":
            message = "must not be empty"
            fix = "give at least one entry"
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
            fix = _VALUE_FIXES.get(str(loc[-1]) if loc else "", "see `provenance manifest schema` for this field")
        elif kind in ("greater_than_equal", "greater_than"):
            bound = ctx.get("ge", ctx.get("gt"))
            relation = "at least" if "ge" in ctx else "more than"
            message = f"{_describe(err.get('input'))} is too small: it must be {relation} {bound}"
            fix = f"give a whole number of at least {bound}, or leave the field out"
        elif kind == "invalid_key":
            message = f"key {_describe(loc[-1] if loc else None)} is not a field name"
            allowed = _allowed_keys(loc[:-1])
            fix = f"allowed keys here: {', '.join(allowed)}" if allowed else "remove the key"
        elif kind in _TYPE_NAMES:
            wanted = _TYPE_NAMES[kind]
            message = f"expected {wanted}, got {_describe(err.get('input'))}"
            if wanted == "a mapping of keys":
                allowed = _allowed_keys(loc)
                fix = "write `key: value` pairs" + (f"; allowed keys here: {', '.join(allowed)}" if allowed else "")
            elif wanted == "a list":
                fix = "write a list such as `[a, b]`, or one entry per `- ` line"
            elif wanted == "text":
                fix = "write a text value; quote it if YAML reads it as something else, e.g. \"1.0\""
            else:
                fix = "write a whole number such as 120, without quotes or units"
        else:
            message = err["msg"].removeprefix("Value error, ")
            fix = "see `provenance manifest schema` for what this field accepts"
        if path not in issues:  # a union reports each branch; the first message is enough
            issues[path] = ManifestIssue(path, message, fix, lines.line_of(loc))
    return list(issues.values())


def _data_loc(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop pydantic's union-branch names (`str`, `list[str]`, validator names) from an error location."""
    out: list[Any] = []
    cur = data
    for part in loc:
        if isinstance(part, int) and isinstance(cur, list):
            out.append(part)
            cur = cur[part] if part < len(cur) else None
        elif isinstance(cur, dict) and part in cur:
            out.append(part if isinstance(part, str) else str(part))  # `5:` is a key, not a list index
            cur = cur[part]
        elif isinstance(part, str) and (cur is None or isinstance(cur, dict)) and not _is_branch_name(part):
            out.append(part)  # a missing key
            cur = None
    return tuple(out)


def _is_branch_name(part: str) -> bool:
    return any(c in part for c in "[]()") or part in ("str", "int", "list", "dict", "function-before",
                                                        "function-after")


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Manifest
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return []
        model = _inner_model(fields[part].annotation)
    return list(getattr(model, "model_fields", {}).keys())


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list, Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _duplicate_id_issues(sources: list[Any], lines: "_LineIndex") -> list[ManifestIssue]:
    issues, seen = [], {}
    for i, source in enumerate(sources):
        sid = source.get("id") if isinstance(source, dict) else None
        if not isinstance(sid, str):
            continue
        if sid in seen:
            loc = ("sources", i, "id")
            issues.append(ManifestIssue(format_path(loc), f"duplicate source id '{sid}' (first used by "
                                        f"sources[{seen[sid]}])", "give every source a unique id", lines.line_of(loc)))
        else:
            seen[sid] = i
    return issues


def _path_issues(sources: list[Any], base_dir: Path, allow_outside: bool, lines: "_LineIndex") -> list[ManifestIssue]:
    """Paths are globs relative to the manifest; leaving its folder needs an explicit flag."""
    issues: list[ManifestIssue] = []
    if allow_outside:
        return issues
    for i, source in enumerate(sources):
        if not isinstance(source, dict):
            continue
        license_block = source.get("license")
        for key, paths in (("paths", source.get("paths")),
                           ("license.files", license_block.get("files") if isinstance(license_block, dict) else None)):
            issues += _escaping(("sources", i, *key.split(".")), paths, base_dir, lines)
        annotation = source.get("annotation")
        checks = annotation.get("checks") if isinstance(annotation, dict) else None
        for where, check in ([(("checks",), checks)] if isinstance(checks, dict) else
                             [(("checks", j), c) for j, c in enumerate(checks)] if isinstance(checks, list) else []):
            if isinstance(check, dict):
                issues += _escaping(("sources", i, "annotation", *where, "file"), check.get("file"), base_dir, lines)
    return issues


def _escaping(where: tuple[Any, ...], paths: Any, base_dir: Path, lines: "_LineIndex") -> list[ManifestIssue]:
    """Files the manifest points at (data globs, licence files) must stay in its folder."""
    issues: list[ManifestIssue] = []
    for j, pattern in enumerate(_as_list(paths) if isinstance(paths, (str, list)) else []):
        if not isinstance(pattern, str):
            continue
        loc = (*where, j) if isinstance(paths, list) else where
        if os.path.isabs(pattern):
            issues.append(ManifestIssue(format_path(loc), f"'{pattern}' is an absolute path",
                                        "write paths relative to the manifest's folder, or pass "
                                        "--allow-outside to read files outside it", lines.line_of(loc)))
            continue
        resolved = os.path.normpath(os.path.join(base_dir, pattern))
        if os.path.commonpath([resolved, str(base_dir)]) != str(base_dir):
            issues.append(ManifestIssue(format_path(loc), f"'{pattern}' escapes the manifest's folder via '..'",
                                        "move the manifest up, or pass --allow-outside to read files outside "
                                        "its folder", lines.line_of(loc)))
    return issues


class _LineIndex:
    """Line numbers of YAML nodes by path, and duplicate keys (which PyYAML silently overwrites)."""

    def __init__(self, node: yaml.Node | None):
        self.root = node
        self.duplicate_keys: list[ManifestIssue] = []
        self._visited: set[int] = set()
        self._find_duplicates(node, ())

    def _find_duplicates(self, node: yaml.Node | None, loc: tuple[Any, ...]) -> None:
        # an alias is the same node object again: visit it once, or `&a [*a]` recurses forever and nested aliases
        # (a "billion laughs" file) take exponential time
        if node is None or id(node) in self._visited:
            return
        self._visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                k = key.value
                if k in seen:
                    self.duplicate_keys.append(ManifestIssue(
                        format_path(loc + (k,)), f"key '{k}' appears twice; the second would silently win",
                        "keep one of them", key.start_mark.line + 1))
                seen.add(k)
                self._find_duplicates(value, loc + (k,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._find_duplicates(item, loc + (i,))

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == part:
                        child, line = value, key.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is None:
                return line
            node = child
        return line
