"""Importers: turn published dataset metadata into a draft manifest `sources:` entry.

Two inputs are understood:

* a Hugging Face dataset card (`README.md` with YAML front matter), and
* a Croissant 1.0 JSON-LD file, including the Responsible-AI (`rai:`) vocabulary.

Metadata rarely answers every provenance question, so an import is a *draft*: whatever the input
does not state is written as the literal `unknown` (or the enum's `unknown`) and its YAML path is
listed in `ImportResult.unknown_fields`, so the user sees what is left to fill in. Nothing is
guessed that the metadata does not say; where a default is needed (stage) a note says so.
"""

from __future__ import annotations

import json
import posixpath
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from provenance.errors import InputError
from provenance.manifest import SOURCE_ID_PATTERN, UNKNOWN, is_known

TODO_PATH = "TODO: path to the files, relative to the manifest"
FALLBACK_ID = "imported-source"

# Marker for `_Draft.put`: leave a missing value out of the source instead of writing `unknown`
# (used where `unknown` would be read as a real value, e.g. a text field literally named "unknown").
_OMIT = object()


@dataclass
class ImportResult:
    """A draft source entry and what the user still has to check.

    `source` is plain data (manifest field names) that `Source.model_validate` accepts;
    `unknown_fields` are YAML paths inside the source (e.g. `origin.publisher`) the input did not state;
    `notes` explain defaults and choices the importer made.
    """

    source: dict[str, Any]
    unknown_fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    imported_from: str | None = None


class _Draft:
    """Builds the source dict in manifest order while recording which fields are unknown."""

    def __init__(self) -> None:
        self.source: dict[str, Any] = {}
        self.unknown: list[str] = []
        self.notes: list[str] = []

    def put(self, path: str, value: Any, unknown_value: Any = UNKNOWN) -> None:
        """Set a dotted path; a missing or `unknown` value is replaced by `unknown_value` and listed."""
        if _is_missing(value):
            self.unknown.append(path)
            if unknown_value is _OMIT:
                return
            value = unknown_value
        target = self.source
        *parents, last = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def result(self, imported_from: Path) -> ImportResult:
        return ImportResult(dict(self.source), list(self.unknown), list(self.notes), str(imported_from))


def _is_missing(value: Any) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return not is_known(value)


# ---------------------------------------------------------------------------------------------
# Hugging Face dataset cards


def source_from_hf_card(path: str | Path) -> ImportResult:
    """Draft a source entry from a Hugging Face dataset card (README.md with YAML front matter).

    `path` is the README.md, or the dataset folder that contains it. Raises InputError when the
    file is missing, has no front matter, or the front matter is not valid YAML.
    """
    card = Path(path)
    if card.is_dir():
        card = card / "README.md"
    meta = _read_front_matter(card)
    folder = card.resolve().parent.name
    d = _Draft()

    pretty_name = _scalar_text(meta.get("pretty_name"))
    _put_id(d, [pretty_name, folder])
    if pretty_name:
        d.put("name", pretty_name)
    elif folder:
        d.put("name", folder)
        d.note(f"the card has no `pretty_name`; `name` is the folder name '{folder}'")
    else:
        d.put("name", None)
    _put_default_stage(d)
    d.put("description", _hf_description(meta))

    paths, configs = _hf_data_files(meta)
    _put_paths(d, paths)
    if paths:
        d.note(f"paths come from the card's `configs` and are relative to the card's folder ('{folder}'); "
               "if the manifest lives elsewhere, prefix them with that folder's path from the manifest")
    if len(configs) > 1:
        d.note(f"the card defines {len(configs)} configs ({', '.join(configs)}); their files are merged into one "
               "source here, split them into several sources if they differ in origin or licence")
    d.put("format", _common_format(paths) or "auto")
    d.put("text_field", _hf_text_field(meta), unknown_value=_OMIT)
    d.put("language", _hf_languages(meta.get("language")))

    # The card schema has no publisher or homepage key; some cards add them, so take them if present.
    d.put("origin.publisher", _scalar_text(meta.get("publisher")))
    d.put("origin.url", _scalar_text(meta.get("homepage")) or _scalar_text(meta.get("url")))
    d.put("origin.jurisdiction", None)
    d.put("origin.country", None)

    # `source_datasets: [original]` only says the data was not derived from another HF dataset;
    # it does not say how it was obtained (crawled, licensed, user data...), so the method stays unknown.
    d.put("acquisition.method", None)
    d.put("acquisition.evidence", None)
    d.put("acquisition.collection_period", None, unknown_value={"start": UNKNOWN, "end": UNKNOWN})

    _hf_license(d, meta)
    _put_personal_information(d, None)
    _hf_annotation(d, meta.get("annotations_creators"))
    return d.result(card)


def _read_front_matter(card: Path) -> dict[str, Any]:
    text = _read_text(card)
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise InputError("the dataset card has no YAML front matter (it must start with a `---` line)", str(card),
                         "add the metadata block between `---` lines at the top of the card, or import a "
                         "Croissant file instead")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise InputError("the YAML front matter is not closed by a `---` line", f"{card}:1",
                         "add a `---` line after the metadata block")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        # +2: the front matter starts on the line after the opening `---`, and marks count from 0.
        where = f"{card}:{mark.line + 2}" if mark else str(card)
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(f"the front matter is not valid YAML: {problem}", where,
                         "fix the YAML syntax at that line") from None
    if not isinstance(meta, dict) or not meta:
        raise InputError("the front matter is empty or not a mapping of metadata keys", f"{card}:2",
                         "write the card metadata as `key: value` lines (license, language, configs, ...)")
    return meta


def _hf_description(meta: dict[str, Any]) -> str:
    parts = []
    for key, label in (
        ("task_categories", "task categories"),
        ("task_ids", "task ids"),
        ("size_categories", "size"),
        ("multilinguality", "multilinguality"),
        ("language_creators", "language creators"),
        ("source_datasets", "source datasets"),
    ):
        values = _texts(meta.get(key))
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    head = "Imported from a Hugging Face dataset card"
    return f"{head} ({'; '.join(parts)})." if parts else f"{head}."


def _hf_data_files(meta: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Paths from `configs[].data_files`: a string, a list of strings, or a list of {split, path}."""
    configs = meta.get("configs")
    if not isinstance(configs, list):
        return [], []
    paths: list[str] = []
    names: list[str] = []
    for config in configs:
        if not isinstance(config, dict):
            continue
        names.append(str(config.get("config_name", "default")))
        data_files = config.get("data_files")
        entries = data_files if isinstance(data_files, list) else [data_files]
        for entry in entries:
            if isinstance(entry, dict) and "path" in entry:
                found = _texts(entry["path"])
            elif isinstance(entry, dict):  # older form: {train: ..., test: ...}
                found = [p for value in entry.values() for p in _texts(value)]
            else:
                found = _texts(entry)
            for p in found:
                if p not in paths:
                    paths.append(p)
    return paths, names


# Feature names that name the running text of a record, in order of preference.
_TEXT_NAMES = ("text", "content", "document", "article", "body", "passage", "sentence")


def _hf_text_field(meta: dict[str, Any]) -> str | None:
    """A string feature from `dataset_info.features` that is clearly the text (by name, or the only one)."""
    infos = meta.get("dataset_info")
    infos = infos if isinstance(infos, list) else [infos]
    strings: list[str] = []
    for info in infos:
        features = info.get("features") if isinstance(info, dict) else None
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, dict) and feature.get("dtype") in ("string", "large_string"):
                name = str(feature.get("name", ""))
                if name and name not in strings:
                    strings.append(name)
    return _pick_text_field(strings)


def _pick_text_field(candidates: list[str]) -> str | None:
    for preferred in _TEXT_NAMES:
        for candidate in candidates:
            if candidate.lower() == preferred or candidate.lower().rsplit(".", 1)[-1] == preferred:
                return candidate
    return candidates[0] if len(candidates) == 1 else None


def _hf_languages(value: Any) -> str | list[str] | None:
    items = value if isinstance(value, list) else [value]
    # YAML 1.1 reads the Norwegian code `no` as the boolean false; the card meant the language.
    langs = ["no" if item is False else str(item) for item in items if item is not None and item is not True]
    langs = [lang for lang in langs if is_known(lang)]
    if not langs:
        return None
    return langs[0] if len(langs) == 1 else langs


def _hf_license(d: _Draft, meta: dict[str, Any]) -> None:
    licenses = [lic for lic in _texts(meta.get("license")) if is_known(lic)]
    link = _scalar_text(meta.get("license_link"))
    if "other" in licenses:
        # `other` only says "not in the Hub's list"; the real name is in `license_name`.
        name = _scalar_text(meta.get("license_name"))
        if name:
            licenses = [name if lic == "other" else lic for lic in licenses]
        else:
            licenses = [lic for lic in licenses if lic != "other"]
            d.note("the card says `license: other` without a `license_name`; read the card's licence text "
                   "and write its name in `license.declared`")
    d.put("license.declared", _join_licenses(d, licenses))
    if link and _is_url(link):
        d.put("license.url", link)
    else:
        d.put("license.url", None)
    if link and not _is_url(link):
        # A relative license_link names a file in the dataset repository, i.e. next to the card.
        d.put("license.files", [link])
        d.note(f"`license.files` ('{link}') is relative to the card's folder; adjust it to the manifest's folder")


def _join_licenses(d: _Draft, licenses: list[str]) -> str | None:
    if not licenses:
        return None
    if len(licenses) > 1:
        # Several licences on one dataset usually cover different parts of it (e.g. text vs. annotations),
        # so all of them apply together. "AND" is the cautious reading; if the publisher actually offers a
        # choice, the user should change it to "OR".
        d.note(f"several licences are declared ({', '.join(licenses)}); written as 'A AND B' (all apply) - "
               "change to 'OR' if the publisher offers a choice")
    return " AND ".join(licenses)


def _hf_annotation(d: _Draft, value: Any) -> None:
    creators = [c for c in _texts(value) if is_known(c)]
    if creators == ["no-annotation"]:
        d.note("the card says `annotations_creators: no-annotation`, so no `annotation` block is written")
        return
    creators = [c for c in creators if c != "no-annotation"]
    d.put("annotation.type", ", ".join(creators))
    if creators:
        d.put("annotation.rules_document", None)
        d.put("annotation.vendor", None)


# ---------------------------------------------------------------------------------------------
# Croissant


def source_from_croissant(path: str | Path) -> ImportResult:
    """Draft a source entry from a Croissant 1.0 JSON-LD file, using its `rai:` fields where present.

    Keys may be written with or without the `sc:`/`cr:`/`rai:` prefixes or as full IRIs. Raises
    InputError when the file is missing, not JSON, or not a Croissant dataset (no sc:Dataset, no name).
    """
    path = Path(path)
    dataset = _read_croissant(path)
    d = _Draft()

    name = _first_text(dataset.get("name"))
    _put_id(d, [name, path.stem])
    d.put("name", name)
    _put_default_stage(d)
    d.put("description", _croissant_description(dataset))

    files = _croissant_files(d, dataset.get("distribution"))
    _put_paths(d, files.paths)
    if files.members:
        d.put("members", files.members)
    d.put("format", files.format or "auto")
    d.put("text_field", _croissant_text_field(d, dataset.get("recordSet")), unknown_value=_OMIT)
    languages = _texts(dataset.get("inLanguage"))
    d.put("language", languages[0] if len(languages) == 1 else languages)

    publishers = _names(dataset.get("publisher"))
    if not publishers and _names(dataset.get("creator")):
        publishers = _names(dataset.get("creator"))
        d.note("the file names no `publisher`; `origin.publisher` is taken from `creator`")
    d.put("origin.publisher", "; ".join(publishers))
    url = _first_text(dataset.get("url")) or (files.downloads[0] if files.downloads else None)
    d.put("origin.url", url)
    if files.downloads:
        d.note("the data is published at " + ", ".join(files.downloads) + "; download it and make `paths` "
               "point at the local files, relative to the manifest")
    d.put("origin.jurisdiction", None)
    d.put("origin.country", None)

    method = _collection_method(d, _texts(dataset.get("dataCollectionType")))
    d.put("acquisition.method", method)
    d.put("acquisition.evidence", None)
    d.put("acquisition.collection_period",
          _collection_period(dataset.get("dataCollectionTimeframe")),
          unknown_value={"start": UNKNOWN, "end": UNKNOWN})
    if method == "self_collected":
        d.put("acquisition.robots_respected", None)
    if method == "synthetic":
        d.put("acquisition.generator_model", None)

    _croissant_license(d, dataset.get("license"))
    _put_personal_information(d, "; ".join(_texts(dataset.get("personalSensitiveInformation"))))
    _croissant_annotation(d, dataset)
    return d.result(path)


# Prefixes (compact and expanded) stripped from keys and type names; longest first so the RAI
# namespace is not cut at the Croissant one.
_PREFIXES = (
    "http://mlcommons.org/croissant/RAI/",
    "http://mlcommons.org/croissant/",
    "https://schema.org/",
    "http://schema.org/",
    "rai:",
    "cr:",
    "sc:",
    "schema:",
    "dct:",
)


def _strip_prefix(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _normalise(node: Any) -> Any:
    """Strip known namespace prefixes from every key, so `rai:dataBiases` and `dataBiases` read the same."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            short = key if key.startswith("@") else _strip_prefix(key)
            if short not in out:  # the first spelling wins if a file writes both
                out[short] = _normalise(value)
        return out
    if isinstance(node, list):
        return [_normalise(item) for item in node]
    return node


def _types(node: dict[str, Any]) -> list[str]:
    return [_strip_prefix(t) for t in _texts(node.get("@type"))]


def _read_croissant(path: Path) -> dict[str, Any]:
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON: {e.msg}", f"{path}:{e.lineno}",
                         "fix the JSON syntax at that line (a Croissant file is JSON-LD)") from None
    data = _normalise(data)
    if isinstance(data, dict) and isinstance(data.get("@graph"), list):
        data = next((n for n in data["@graph"] if isinstance(n, dict) and "Dataset" in _types(n)), data)
    if isinstance(data, list):  # expanded JSON-LD can be a top-level list of nodes
        data = next((n for n in data if isinstance(n, dict) and "Dataset" in _types(n)), None)
    if not isinstance(data, dict) or "Dataset" not in _types(data):
        raise InputError("not a Croissant dataset: no node has `@type: sc:Dataset`", str(path),
                         "give the Croissant JSON-LD of the dataset (e.g. the file a dataset page offers as "
                         "'Croissant'), not another JSON file")
    if not _first_text(data.get("name")):
        raise InputError("the Croissant dataset has no `name`", str(path),
                         "add a `name` to the dataset node; Croissant requires one")
    return data


def _croissant_description(dataset: dict[str, Any]) -> str | None:
    parts = []
    base = _first_text(dataset.get("description"))
    if base:
        parts.append(base.strip().rstrip(".") + ".")
    for key, label in (
        ("datePublished", "Published"),
        ("dataCollection", "Data collection"),
        ("dataCollectionType", "Collection type"),
        ("dataUseCases", "Use cases"),
        ("dataLimitations", "Limitations"),
        ("dataBiases", "Biases"),
        ("dataSocialImpact", "Social impact"),
        ("annotationsPerItem", "Annotations per item"),
        ("annotatorDemographics", "Annotator demographics"),
    ):
        values = _texts(dataset.get(key))
        if values:
            parts.append(f"{label}: {'; '.join(v.strip().rstrip('.') for v in values)}.")
    return " ".join(parts) or None


@dataclass
class _Files:
    paths: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    format: str | None = None


_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst")
_ARCHIVE_TYPES = ("application/zip", "application/x-zip-compressed", "application/x-tar")


def _croissant_files(d: _Draft, distribution: Any) -> _Files:
    """Local paths, archive members and download URLs from `distribution`.

    A FileSet's `includes` globs and a FileObject's `contentUrl` are relative to the object that
    contains them (`containedIn`): inside an archive they become `members`, inside a local folder they
    are joined to it. URLs cannot be audited in place, so they are collected as downloads instead.
    """
    nodes = [n for n in _as_list(distribution) if isinstance(n, dict)]
    by_ref = {}
    for node in nodes:
        for ref in (_first_text(node.get("@id")), _first_text(node.get("name"))):
            if ref:
                by_ref.setdefault(ref, node)
    containers = {id(by_ref[r]) for n in nodes for r in _refs(n.get("containedIn")) if r in by_ref}
    files = _Files()
    formats: set[str] = set()

    def add(target: list[str], value: str) -> None:
        if value not in target:
            target.append(value)

    for node in nodes:
        url = _first_text(node.get("contentUrl"))
        parents = [by_ref[r] for r in _refs(node.get("containedIn")) if r in by_ref]
        if id(node) in containers and not parents:
            # A container (archive, git repository, folder): its own URL is where to get it; a local
            # archive is read in place with members.
            if url and (_is_url(url) or url.startswith("/")):
                add(files.downloads, url)
            elif url and _is_archive(node):
                add(files.paths, url)
            continue
        patterns = _texts(node.get("includes")) if "FileSet" in _types(node) else ([url] if url else [])
        if _texts(node.get("excludes")):
            d.note(f"'{_first_text(node.get('name')) or url}' excludes {', '.join(_texts(node.get('excludes')))}; "
                   "a manifest path cannot exclude files, so check the globs do not match too much")
        in_archive = any(_is_archive(p) for p in parents)
        folder = next((_first_text(p.get("contentUrl")) for p in parents if not _is_archive(p)), None)
        for pattern in patterns:
            if _is_url(pattern):
                add(files.downloads, pattern)
                continue
            if pattern.startswith("/"):
                d.note(f"'{pattern}' is an absolute path; write it relative to the manifest in `paths`")
                continue
            if in_archive:
                add(files.members, pattern)
            elif folder and not _is_url(folder):
                add(files.paths, posixpath.join(folder, pattern))
            else:
                add(files.paths, pattern)
                if folder:
                    d.note(f"paths from {folder} are relative to its root; prefix them with the folder you "
                           "download it to")
            fmt = _format_of(pattern) or _MIME_FORMATS.get(_first_text(node.get("encodingFormat")) or "")
            if fmt:
                formats.add(fmt)
    files.format = formats.pop() if len(formats) == 1 else None
    return files


def _refs(value: Any) -> list[str]:
    """`containedIn` references: {"@id": x}, a plain string, or a list of either."""
    out = []
    for item in _as_list(value):
        if isinstance(item, dict):
            ref = _first_text(item.get("@id"))
        else:
            ref = _first_text(item)
        if ref:
            out.append(ref)
    return out


def _is_archive(node: dict[str, Any]) -> bool:
    for value in (_first_text(node.get("contentUrl")), _first_text(node.get("name"))):
        if value and value.lower().endswith(_ARCHIVE_SUFFIXES):
            return True
    return (_first_text(node.get("encodingFormat")) or "").lower() in _ARCHIVE_TYPES


def _croissant_text_field(d: _Draft, record_sets: Any) -> str | None:
    """The column / JSON path of a field typed sc:Text or named like the text (`text`, `content`, ...)."""
    typed: list[str] = []
    named: list[str] = []
    for record_set in _as_list(record_sets):
        if not isinstance(record_set, dict):
            continue
        stack = [f for f in _as_list(record_set.get("field")) if isinstance(f, dict)]
        while stack:
            fld = stack.pop(0)
            stack += [f for f in _as_list(fld.get("subField")) if isinstance(f, dict)]
            source = fld.get("source") if isinstance(fld.get("source"), dict) else {}
            extract = source.get("extract") if isinstance(source.get("extract"), dict) else {}
            column = _first_text(extract.get("column"))
            json_path = _first_text(extract.get("jsonPath"))
            locator = column or (_json_path_to_field(json_path) if json_path else None)
            if not locator:
                continue
            data_types = [_strip_prefix(t) for t in _texts(fld.get("dataType"))]
            if "Text" in data_types and locator not in typed:
                typed.append(locator)
            short = (_first_text(fld.get("name")) or "").rsplit("/", 1)[-1].lower()
            if short in _TEXT_NAMES or locator.lower() in _TEXT_NAMES:
                named.append(locator)
    chosen = _pick_text_field(typed) or (named[0] if named else None)
    if chosen is None and len(typed) > 1:
        d.note(f"several text fields are declared ({', '.join(typed)}); set `text_field` to the one to audit")
    return chosen


def _json_path_to_field(json_path: str) -> str:
    """`$.data[*].context` → `data[].context`, the manifest's field-path form."""
    path = json_path.strip()
    path = re.sub(r"^\$\.?", "", path)
    return path.replace("[*]", "[]")


def _collection_method(d: _Draft, collection_types: list[str]) -> str | None:
    """Map `rai:dataCollectionType` to an acquisition method; only a few types say it clearly."""
    found: dict[str, list[str]] = {}
    for value in collection_types:
        low = value.lower()
        if "scrap" in low or "crawl" in low:
            method = "self_collected"
        elif "user-generated" in low or "user generated" in low or "user data" in low:
            method = "user_data"
        elif "synthetic" in low:
            method = "synthetic"
        else:
            continue
        found.setdefault(method, []).append(value)
    if len(found) > 1:
        d.note("the collection types (" + ", ".join(collection_types) + ") point to different acquisition "
               "methods; a source has one method, so split it into several sources or choose one")
        return None
    if found:
        method, values = next(iter(found.items()))
        others = [v for v in collection_types if v not in values]
        d.note(f"`acquisition.method: {method}` comes from the collection type {', '.join(values)}"
               + (f" (also declared: {', '.join(others)}); confirm it" if others else "; confirm it"))
        return method
    if collection_types:
        d.note(f"the collection type ({', '.join(collection_types)}) does not say how the data was acquired; "
               "`acquisition.method` is left unknown")
    return None


def _collection_period(value: Any) -> dict[str, str] | None:
    """`rai:dataCollectionTimeframe`: [start, end], {start/startDate, end/endDate}, or 'start/end'."""
    if isinstance(value, dict) and "@value" not in value:
        start = _first_text(value.get("startDate")) or _first_text(value.get("start"))
        end = _first_text(value.get("endDate")) or _first_text(value.get("end"))
    else:
        values = _texts(value)
        if len(values) == 1 and "/" in values[0]:
            values = [v.strip() for v in values[0].split("/", 1)]
        # ISO 8601 dates sort as text, so the earliest and latest bound the period.
        values = sorted(v for v in values if v)
        start = values[0] if values else None
        end = values[-1] if len(values) > 1 else None
    if not start and not end:
        return None
    return {"start": start or UNKNOWN, "end": end or UNKNOWN}


def _croissant_license(d: _Draft, value: Any) -> None:
    declared: list[str] = []
    urls: list[str] = []
    for item in _as_list(value):
        if isinstance(item, dict) and "@value" not in item:
            url = _first_text(item.get("url")) or _first_text(item.get("@id"))
            name = _first_text(item.get("name")) or (_spdx_from_url(url) if url else None) or url
        else:
            text = _first_text(item)
            url = text if text and _is_url(text) else None
            name = (_spdx_from_url(text) or text) if text else None
        if url and _is_url(url) and url not in urls:
            urls.append(url)
        if name and name not in declared:
            declared.append(name)
    d.put("license.declared", _join_licenses(d, declared))
    d.put("license.url", urls[0] if urls else None)
    if len(urls) > 1:
        d.note(f"`license.url` holds the first of several licence URLs; the others are {', '.join(urls[1:])}")


_CC_URL = re.compile(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)", re.I)


def _spdx_from_url(url: str) -> str | None:
    """The SPDX id for the licence URLs that name one unambiguously; None otherwise."""
    match = _CC_URL.search(url)
    if match:
        return f"CC-{match.group(1).upper()}-{match.group(2)}"
    if re.search(r"creativecommons\.org/publicdomain/zero/1\.0", url, re.I):
        return "CC0-1.0"
    if re.search(r"apache\.org/licenses/LICENSE-2\.0", url, re.I):
        return "Apache-2.0"
    match = re.search(r"spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html|\.json)?/?$", url)
    if match:
        return match.group(1)
    match = re.search(r"opensource\.org/licenses?/(MIT|BSD-[23]-Clause|Apache-2\.0)\b", url, re.I)
    if match:
        return match.group(1)
    return None


def _croissant_annotation(d: _Draft, dataset: dict[str, Any]) -> None:
    protocol = "; ".join(_texts(dataset.get("dataAnnotationProtocol")))
    platforms = "; ".join(_texts(dataset.get("dataAnnotationPlatform")))
    annotated = protocol or platforms or _texts(dataset.get("annotationsPerItem")) or \
        _texts(dataset.get("annotatorDemographics"))
    # Croissant has no field for who annotated (crowd, experts, model), so the type stays unknown.
    d.put("annotation.type", None)
    if annotated:
        d.put("annotation.rules_document", protocol)
        d.put("annotation.vendor", platforms)


# ---------------------------------------------------------------------------------------------
# shared pieces


def _put_id(d: _Draft, candidates: list[str | None]) -> None:
    for candidate in candidates:
        slug = _slug(candidate or "")
        if slug:
            d.put("id", slug)
            return
    d.put("id", FALLBACK_ID)
    d.unknown.append("id")
    d.note(f"no usable name for the id; '{FALLBACK_ID}' is a placeholder, give the source a unique id")


def _slug(text: str) -> str:
    """A Source id: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.strip().lower())
    slug = re.sub(r"-{2,}", "-", slug).lstrip("._-")[:64].rstrip("._-")
    return slug if re.fullmatch(SOURCE_ID_PATTERN, slug) else ""


def _put_default_stage(d: _Draft) -> None:
    d.put("stage", "pretraining")
    d.note("`stage` defaults to pretraining; confirm it, or change it to finetuning")


def _put_paths(d: _Draft, paths: list[str]) -> None:
    # A placeholder keeps the snippet valid (paths needs one entry) while the TODO stays visible.
    d.put("paths", paths, unknown_value=[TODO_PATH])


def _put_personal_information(d: _Draft, evidence: str | None) -> None:
    d.put("personal_information.consent_basis", None)
    d.put("personal_information.evidence", evidence)
    if is_known(evidence):
        d.note("`personal_information.evidence` is the publisher's description of personal data; it does not "
               "establish a legal basis, so `consent_basis` stays unknown until you have one")


_FORMAT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
                    ".parquet": "parquet"}
_COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd", ".bz2", ".xz")
_MIME_FORMATS = {
    "application/jsonlines": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-ndjson": "jsonl",
    "application/ndjson": "jsonl",
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/x-parquet": "parquet",
    "application/vnd.apache.parquet": "parquet",
    "application/parquet": "parquet",
}


def _format_of(path: str) -> str | None:
    """The manifest format a file name's extension states; None for `.txt` (text or text-lines?) and globs."""
    name = path.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return _FORMAT_SUFFIXES.get(posixpath.splitext(name)[1])


def _common_format(paths: list[str]) -> str | None:
    formats = {_format_of(p) for p in paths}
    return formats.pop() if len(formats) == 1 else None  # None when mixed or any is unclear


def _is_url(text: str) -> bool:
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) is not None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("the file does not exist", str(path), "check the path") from None
    except IsADirectoryError:
        raise InputError("this is a folder, not a file", str(path), "give the metadata file itself") from None
    except UnicodeDecodeError as e:
        raise InputError(f"not valid UTF-8 at byte {e.start}", str(path), "save the file as UTF-8") from None
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror}", str(path), "check the file's permissions") from None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _texts(value: Any) -> list[str]:
    """Text values from a JSON-LD / YAML value: a string, number, {"@value": ...}, or a list of those."""
    out: list[str] = []
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("@value", item.get("@list"))
            out += _texts(item) if isinstance(item, list) else ([str(item)] if item is not None else [])
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            text = str(item).strip()
            if text:
                out.append(text)
        elif item is not None and not isinstance(item, (list, bool)):
            out.append(str(item))  # e.g. a date YAML parsed
    return out


def _first_text(value: Any) -> str | None:
    texts = _texts(value)
    return texts[0] if texts else None


def _scalar_text(value: Any) -> str | None:
    return _first_text(value) if not isinstance(value, (list, dict)) else None


def _names(value: Any) -> list[str]:
    """Names of creator/publisher: an object with `name`, a string, or a list of either."""
    out = []
    for item in _as_list(value):
        name = _first_text(item.get("name")) if isinstance(item, dict) and "@value" not in item else _first_text(item)
        if name and name not in out:
            out.append(name)
    return out


# ---------------------------------------------------------------------------------------------
# output


def render_yaml(result: ImportResult) -> str:
    """A `sources:` snippet to paste into a manifest, headed by comments listing unknowns and notes."""
    header = ["# Draft source entry" + (f" imported from {result.imported_from}" if result.imported_from else "")
              + "; review it before use."]
    if result.unknown_fields:
        header.append("# Not stated in the metadata (fill in, or leave `unknown` to report them as not evidenced):")
        header += [f"#   - {name}" for name in result.unknown_fields]
    if result.notes:
        header.append("# Notes:")
        for note in result.notes:
            wrapped = textwrap.wrap(" ".join(note.split()), width=94) or [""]
            header.append(f"#   - {wrapped[0]}")
            header += [f"#     {line}" for line in wrapped[1:]]
    # safe_dump writes a top-level list flush left; indent it under `sources:` as manifests are written.
    body = yaml.safe_dump([result.source], allow_unicode=True, sort_keys=False, width=100)
    indented = "\n".join(f"  {line}" if line else line for line in body.splitlines())
    return "\n".join(header) + "\nsources:\n" + indented + "\n"
