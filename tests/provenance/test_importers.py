"""Importers from Hugging Face dataset cards and Croissant JSON-LD into draft manifest sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from provenance.errors import InputError
from provenance.importers import (
    TODO_PATH,
    ImportResult,
    render_yaml,
    source_from_croissant,
    source_from_hf_card,
)
from provenance.manifest import Source

FIXTURES = Path(__file__).parents[1] / "fixtures" / "importers"
HF_NEWS = FIXTURES / "bilingual_news" / "README.md"
HF_OTHER = FIXTURES / "hf_other_license" / "README.md"
HF_NO_FRONT_MATTER = FIXTURES / "hf_no_front_matter" / "README.md"
CROISSANT_RAI = FIXTURES / "forum_posts_rai.json"
CROISSANT_MINIMAL = FIXTURES / "minimal_croissant.json"


def _card(tmp_path: Path, front_matter: str, folder: str = "my_data") -> Path:
    card = tmp_path / folder / "README.md"
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text(f"---\n{front_matter}---\n\n# Card\n", encoding="utf-8")
    return card


def _croissant(tmp_path: Path, extra: dict, name: str = "ds.json") -> Path:
    doc = {"@type": "sc:Dataset", "name": "test-ds", **extra}
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Hugging Face cards


def test_hf_card_fills_what_the_card_states():
    result = source_from_hf_card(HF_NEWS)
    source = Source.model_validate(result.source)

    assert source.id == "bilingual-news-summaries-v2"
    assert source.name == "Bilingual News Summaries (v2)"
    assert source.stage == "pretraining"
    assert source.paths == ["data/train-*.jsonl", "data/validation.jsonl", "zh/*.jsonl.gz"]
    assert source.format == "jsonl"
    assert source.text_field == "article"
    assert source.language == ["en", "zh"]
    assert source.license.declared == "cc-by-nc-4.0"
    assert source.annotation is not None and source.annotation.type == "crowdsourced, expert-generated"
    for fact in ("summarization", "10K<n<100K", "multilingual"):
        assert fact in source.description


def test_hf_card_lists_what_it_does_not_state():
    result = source_from_hf_card(HF_NEWS)

    # `source_datasets: [original]` is not evidence of how the data was acquired.
    assert result.source["acquisition"]["method"] == "unknown"
    assert result.source["origin"]["publisher"] == "unknown"
    for path in ("origin.publisher", "acquisition.method", "license.url", "personal_information.consent_basis",
                 "annotation.rules_document"):
        assert path in result.unknown_fields
    for path in ("paths", "license.declared", "language", "text_field", "annotation.type"):
        assert path not in result.unknown_fields
    assert any("pretraining" in note for note in result.notes)
    assert any("2 configs" in note for note in result.notes)


def test_hf_card_accepts_the_dataset_folder():
    assert source_from_hf_card(HF_NEWS.parent).source == source_from_hf_card(HF_NEWS).source


def test_hf_card_other_license_and_missing_paths():
    result = source_from_hf_card(HF_OTHER)
    source = Source.model_validate(result.source)

    assert source.id == "hf_other_license"  # no pretty_name: the folder name
    assert source.license.declared == "nordic-archive-terms-1.0"
    assert source.license.files == ["LICENSE.md"]
    assert source.language == "no"  # Norwegian, which YAML would read as the boolean false
    assert source.paths == [TODO_PATH]
    assert "paths" in result.unknown_fields
    assert "text_field" in result.unknown_fields and "text_field" not in result.source
    assert "annotation" not in result.source  # annotations_creators: no-annotation


def test_hf_card_several_licenses_are_joined_with_and(tmp_path):
    card = _card(tmp_path, "license:\n- mit\n- cc-by-4.0\nlicense_link: https://example.org/terms\n")
    result = source_from_hf_card(card)

    assert result.source["license"]["declared"] == "mit AND cc-by-4.0"
    assert result.source["license"]["url"] == "https://example.org/terms"
    assert any("OR" in note for note in result.notes)


def test_hf_card_other_without_name_stays_unknown(tmp_path):
    result = source_from_hf_card(_card(tmp_path, "license: other\n"))

    assert result.source["license"]["declared"] == "unknown"
    assert "license.declared" in result.unknown_fields
    assert any("license_name" in note for note in result.notes)


@pytest.mark.parametrize(
    "data_files, expected_paths, expected_format",
    [
        ('"data/*.csv"', ["data/*.csv"], "csv"),
        ("\n  - a.parquet\n  - b.parquet", ["a.parquet", "b.parquet"], "parquet"),
        ("\n  - split: train\n    path:\n    - t1.jsonl\n    - t2.json", ["t1.jsonl", "t2.json"], "auto"),
        ("\n  - split: train\n    path: data/train/*", ["data/train/*"], "auto"),
    ],
)
def test_hf_card_data_files_forms(tmp_path, data_files, expected_paths, expected_format):
    card = _card(tmp_path, f"configs:\n- config_name: default\n  data_files: {data_files}\n")
    source = Source.model_validate(source_from_hf_card(card).source)

    assert source.paths == expected_paths
    assert source.format == expected_format


def test_hf_card_unusable_name_gets_a_slug_from_the_folder(tmp_path):
    card = _card(tmp_path, "pretty_name: 中文新闻\n", folder="News.Corpus")
    result = source_from_hf_card(card)

    assert result.source["id"] == "news.corpus"
    assert result.source["name"] == "中文新闻"


def test_hf_card_without_front_matter_is_an_input_error():
    with pytest.raises(InputError) as err:
        source_from_hf_card(HF_NO_FRONT_MATTER)
    assert "hf_no_front_matter" in str(err.value) and "README.md" in str(err.value)
    assert "front matter" in err.value.what


def test_hf_card_invalid_yaml_names_the_line(tmp_path):
    card = _card(tmp_path, "license: mit\nlanguage:\n- en\n  - zh: [\n")
    with pytest.raises(InputError) as err:
        source_from_hf_card(card)
    assert err.value.where is not None and err.value.where.startswith(str(card) + ":")
    line = int(err.value.where.rsplit(":", 1)[1])
    assert 2 <= line <= 6  # inside the front matter, counted in file lines
    assert "not valid YAML" in err.value.what


def test_hf_card_unclosed_front_matter(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n# no closing line\n", encoding="utf-8")
    with pytest.raises(InputError, match="not closed"):
        source_from_hf_card(card)


def test_hf_card_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        source_from_hf_card(tmp_path / "nowhere" / "README.md")
    assert "nowhere" in str(err.value) and "does not exist" in str(err.value)


# ---------------------------------------------------------------------------------------------
# Croissant


def test_croissant_rai_fields_are_mapped():
    result = source_from_croissant(CROISSANT_RAI)
    source = Source.model_validate(result.source)

    assert source.id == "forum-posts-2019-2022"
    assert source.paths == ["data/train/*.jsonl", "data/dev/*.jsonl"]
    assert source.format == "jsonl"
    assert source.text_field == "message.body"  # sc:Text field named `body`, jsonPath $.message.body
    assert source.language == ["en", "de"]
    assert source.origin.publisher == "Example Data Lab"
    assert source.origin.url == "https://example.org/datasets/forum-posts"
    assert source.acquisition.method == "self_collected"
    assert source.acquisition.collection_period is not None
    assert (source.acquisition.collection_period.start, source.acquisition.collection_period.end) == (
        "2019-01-01", "2022-06-30")
    assert source.license.declared == "CC-BY-SA-4.0"
    assert source.license.url == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert source.personal_information.evidence == "User names and free-text mentions of locations; Age (self-reported)"
    assert source.personal_information.consent_basis == "unknown"
    assert source.annotation is not None
    assert source.annotation.rules_document == "docs/annotation-guidelines.pdf"
    assert source.annotation.vendor == "Label Studio; Acme Annotation Ltd."
    for fact in ("Toxicity research", "Male-dominated", "Graduate students"):
        assert fact in source.description


def test_croissant_rai_unknowns_and_notes():
    result = source_from_croissant(CROISSANT_RAI)

    for path in ("personal_information.consent_basis", "annotation.type", "acquisition.robots_respected",
                 "origin.country"):
        assert path in result.unknown_fields
    for path in ("acquisition.method", "paths", "personal_information.evidence", "license.declared"):
        assert path not in result.unknown_fields
    assert any("legal basis" in note for note in result.notes)
    assert any("https://example.org/git/forum-posts.git" in note and "download" in note for note in result.notes)


def test_croissant_minimal_without_rai():
    result = source_from_croissant(CROISSANT_MINIMAL)
    source = Source.model_validate(result.source)

    assert source.id == "tiny_corpus"
    assert source.paths == ["corpus.csv"]
    assert source.format == "csv"
    assert source.text_field == "text"  # found through cr:-prefixed keys
    assert source.license.declared == "CC-BY-4.0"
    assert source.acquisition.method == "unknown"
    for path in ("acquisition.method", "acquisition.collection_period", "personal_information.evidence",
                 "language", "origin.publisher"):
        assert path in result.unknown_fields
    assert "rules_document" not in result.source["annotation"]
    assert not any("legal basis" in note for note in result.notes)


@pytest.mark.parametrize(
    "collection_type, method",
    [
        ("Web Scraping", "self_collected"),
        (["web crawl"], "self_collected"),
        ("User-generated content data", "user_data"),
        ("Synthetic", "synthetic"),
        ("Surveys", "unknown"),
        (["Web Scraping", "Synthetic"], "unknown"),  # conflicting: the user must split or choose
    ],
)
def test_croissant_collection_type_mapping(tmp_path, collection_type, method):
    path = _croissant(tmp_path, {"rai:dataCollectionType": collection_type})
    result = source_from_croissant(path)

    assert result.source["acquisition"]["method"] == method
    assert ("acquisition.method" in result.unknown_fields) == (method == "unknown")


@pytest.mark.parametrize(
    "timeframe, expected",
    [
        (["2022-06-30", "2021-01-01"], {"start": "2021-01-01", "end": "2022-06-30"}),
        ({"startDate": "2020-01", "endDate": "2020-12"}, {"start": "2020-01", "end": "2020-12"}),
        ("2013-11/2014-12", {"start": "2013-11", "end": "2014-12"}),
        ("2019-05-01", {"start": "2019-05-01", "end": "unknown"}),
    ],
)
def test_croissant_timeframe_forms(tmp_path, timeframe, expected):
    path = _croissant(tmp_path, {"rai:dataCollectionTimeframe": timeframe})
    source = source_from_croissant(path).source

    assert source["acquisition"]["collection_period"] == expected
    Source.model_validate(source)


def test_croissant_expanded_keys_and_remote_files(tmp_path):
    doc = {
        "@type": ["https://schema.org/Dataset"],
        "https://schema.org/name": [{"@value": "Remote Set"}],
        "http://mlcommons.org/croissant/RAI/dataCollectionType": [{"@value": "Web Scraping"}],
        "https://schema.org/distribution": [{
            "@type": ["http://mlcommons.org/croissant/FileObject"],
            "https://schema.org/contentUrl": [{"@value": "https://example.org/remote/all.jsonl"}],
        }],
    }
    path = tmp_path / "expanded.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = source_from_croissant(path)
    source = Source.model_validate(result.source)

    assert source.id == "remote-set"
    assert source.acquisition.method == "self_collected"
    assert source.paths == [TODO_PATH] and "paths" in result.unknown_fields
    assert source.origin.url == "https://example.org/remote/all.jsonl"
    assert any("download" in note for note in result.notes)


def test_croissant_fileset_inside_local_archive_becomes_members(tmp_path):
    path = _croissant(tmp_path, {"distribution": [
        {"@type": "cr:FileObject", "@id": "archive", "contentUrl": "raw/corpus.zip",
         "encodingFormat": "application/zip"},
        {"@type": "cr:FileSet", "@id": "docs", "containedIn": {"@id": "archive"}, "includes": "docs/*.jsonl"},
    ]})
    source = Source.model_validate(source_from_croissant(path).source)

    assert source.paths == ["raw/corpus.zip"]
    assert source.members == ["docs/*.jsonl"]
    assert source.format == "jsonl"


@pytest.mark.parametrize(
    "fields, expected",
    [
        # only the dataType says which field is text
        ([{"name": "r/review", "dataType": "sc:Text", "source": {"extract": {"column": "review"}}},
          {"name": "r/stars", "dataType": "sc:Integer", "source": {"extract": {"column": "stars"}}}], "review"),
        # only the name says it
        ([{"name": "r/content", "source": {"extract": {"jsonPath": "$.doc[*].content"}}}], "doc[].content"),
        # two text fields and neither is named like the text: the user must choose
        ([{"name": "r/a", "dataType": "sc:Text", "source": {"extract": {"column": "a"}}},
          {"name": "r/b", "dataType": "sc:Text", "source": {"extract": {"column": "b"}}}], None),
    ],
)
def test_croissant_text_field_choice(tmp_path, fields, expected):
    path = _croissant(tmp_path, {"recordSet": [{"@type": "cr:RecordSet", "name": "r", "field": fields}]})
    result = source_from_croissant(path)

    assert result.source.get("text_field") == expected
    assert ("text_field" in result.unknown_fields) == (expected is None)


def test_croissant_license_list_and_object(tmp_path):
    path = _croissant(tmp_path, {"license": [
        {"name": "ODC-By-1.0", "url": "https://opendatacommons.org/licenses/by/1-0/"},
        "https://www.apache.org/licenses/LICENSE-2.0",
    ]})
    result = source_from_croissant(path)

    assert result.source["license"]["declared"] == "ODC-By-1.0 AND Apache-2.0"
    assert result.source["license"]["url"] == "https://opendatacommons.org/licenses/by/1-0/"


def test_croissant_invalid_json_names_file_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "@type": "sc:Dataset",\n  "name": "x",,\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        source_from_croissant(path)
    assert err.value.where == f"{path}:3"
    assert "broken.json" in str(err.value)


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"name": "no type"}, "not a Croissant dataset"),
        ({"@type": "sc:Person", "name": "Ada"}, "not a Croissant dataset"),
        (["just", "a", "list"], "not a Croissant dataset"),
        ({"@type": "sc:Dataset", "description": "nameless"}, "no `name`"),
    ],
)
def test_croissant_non_dataset_json_is_an_input_error(tmp_path, doc, message):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        source_from_croissant(path)
    assert "other.json" in str(err.value)


def test_croissant_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        source_from_croissant(tmp_path / "absent.json")
    assert "absent.json" in str(err.value)


# ---------------------------------------------------------------------------------------------
# render_yaml


@pytest.mark.parametrize(
    "load",
    [
        lambda: source_from_hf_card(HF_NEWS),
        lambda: source_from_hf_card(HF_OTHER),
        lambda: source_from_croissant(CROISSANT_RAI),
        lambda: source_from_croissant(CROISSANT_MINIMAL),
    ],
    ids=["hf-news", "hf-other", "croissant-rai", "croissant-minimal"],
)
def test_render_yaml_round_trips(load):
    result = load()
    text = render_yaml(result)

    parsed = yaml.safe_load(text)
    assert list(parsed) == ["sources"] and len(parsed["sources"]) == 1
    assert parsed["sources"][0] == result.source
    Source.model_validate(parsed["sources"][0])
    assert "\nsources:\n  - id: " in text


def test_render_yaml_header_lists_unknowns_and_notes():
    result = source_from_hf_card(HF_OTHER)
    text = render_yaml(result)
    header, _, _ = text.partition("\nsources:\n")

    assert all(line.startswith("#") for line in header.splitlines())
    for path in result.unknown_fields:
        assert f"#   - {path}\n" in header + "\n"
    assert "pretraining" in header
    assert TODO_PATH in text


def test_render_yaml_keeps_unicode_and_comments_multiline_notes():
    result = ImportResult(
        source={"id": "x", "name": "新闻语料", "stage": "pretraining", "paths": ["a.jsonl"]},
        unknown_fields=[],
        notes=["first line\nsecond line " + "long " * 40],
    )
    text = render_yaml(result)
    header, _, _ = text.partition("\nsources:\n")

    assert "新闻语料" in text
    assert all(line.startswith("#") for line in header.splitlines())
    assert yaml.safe_load(text)["sources"][0]["name"] == "新闻语料"
