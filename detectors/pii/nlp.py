"""An offline NLP engine for presidio: blank spaCy pipelines built locally, or a model the user installed.

presidio's default engine downloads `en_core_web_lg` at run time (there is no internet here, and a 500 MB model is
not what a regex recognizer needs). `OfflineNlpEngine` builds `spacy.blank(lang)` for each language instead, and
loads an installed spaCy package only when the user names one (`--pii-ner-model en=en_core_web_sm`); a named model
that is not installed is an error, never a download.

Two fixes make presidio's context words work with blank pipelines (both are measured pitfalls):
- A blank pipeline has no lemmatizer, so every lemma is "" and `LemmaContextAwareEnhancer` never matches a context
  word. Lemmas fall back to the lower-cased token text.
- spaCy's blank Chinese tokenizer cuts every character apart (`电话` → `电`, `话`), so a two-character context word
  is never a substring of one token. Chinese text is tokenized by `RunTokenizer` instead: a run of CJK characters, a
  run of Latin letters, a run of digits and each other non-space character are tokens. A CJK run holds the words
  before an identifier ("联系电话", "请加微信") and presidio's substring matching finds the context word in it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import spacy
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from spacy.tokens import Doc

__all__ = ["OfflineNlpEngine", "RunTokenizer", "NlpModelMissing"]

VOCAB_LIMIT = 500_000  # strings in a blank pipeline's store before it is rebuilt
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z]+|\d+|\S")


class NlpModelMissing(RuntimeError):
    """A spaCy model the user asked for is not installed (we never download one)."""


class RunTokenizer:
    """Tokenizer for Chinese: CJK runs, Latin-letter runs, digit runs, single other characters."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for m in _TOKEN.finditer(text):
            end = m.end()
            words.append(m.group())
            spaces.append(end < len(text) and text[end].isspace())
        doc = Doc(self.vocab, words=words, spaces=spaces)
        return doc

    # spaCy calls these when it serialises a pipeline; a tokenizer without state has nothing to write
    def to_bytes(self, **_kw) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_kw) -> "RunTokenizer":
        return self


class OfflineNlpEngine(SpacyNlpEngine):
    """presidio NlpEngine over blank spaCy pipelines (or installed models), never downloading anything.

    `models` maps a language code to an installed spaCy package name, or to None for a blank pipeline.
    """

    def __init__(self, models: dict[str, str | None]):
        super().__init__(models=[{"lang_code": lang, "model_name": name or f"blank:{lang}"}
                                 for lang, name in models.items()])
        self.model_names = dict(models)

    def load(self) -> None:
        self.nlp = {}
        for lang, name in self.model_names.items():
            if name:
                if not (spacy.util.is_package(name) or Path(name).exists()):
                    raise NlpModelMissing(
                        f"spaCy model {name!r} for {lang!r} is not installed; install it into this environment "
                        f"(e.g. pip install {name}) or leave it out to use the blank pipeline")
                self.nlp[lang] = spacy.load(name)
            else:
                self.nlp[lang] = self._blank(lang)
        self._stop_words = {lang: frozenset(nlp.Defaults.stop_words) for lang, nlp in self.nlp.items()}

    def has_ner(self, language: str) -> bool:
        return bool(self.model_names.get(language)) and "ner" in self.nlp[language].pipe_names

    def tokenize(self, text: str, language: str) -> NlpArtifacts:
        """NLP artifacts from the tokenizer alone: what context enhancement needs, without running a model.

        Chinese (RunTokenizer) is tokenized by the same regex without building a spaCy Doc: presidio's enhancer
        only needs the token strings, their offsets and lemmas, and a Doc would add every CJK run to the vocab.
        """
        if isinstance(self.nlp[language].tokenizer, RunTokenizer):
            matches = list(_TOKEN.finditer(text))
            tokens = [m.group() for m in matches]
            return NlpArtifacts(entities=[], tokens=tokens, tokens_indices=[m.start() for m in matches],
                                lemmas=[t.lower() for t in tokens], nlp_engine=self, language=language, scores=[])
        doc = self._make_doc(text, language)
        return NlpArtifacts(entities=[], tokens=doc, tokens_indices=[t.idx for t in doc],
                            lemmas=[t.lemma_ or t.lower_ for t in doc], nlp_engine=self, language=language,
                            scores=[])

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        self._bound_vocab(language)
        return super().process_text(spacy_safe(text), language)

    def _make_doc(self, text: str, language: str) -> Doc:
        self._bound_vocab(language)
        return self.nlp[language].make_doc(spacy_safe(text))

    def _bound_vocab(self, language: str) -> None:
        """spaCy keeps every string it has seen; over a corpus of millions of documents that is gigabytes.
        A blank pipeline has no state worth keeping, so it is rebuilt when its string store gets large."""
        if not self.model_names.get(language) and len(self.nlp[language].vocab.strings) > VOCAB_LIMIT:
            self.nlp[language] = self._blank(language)

    @staticmethod
    def _blank(language: str):
        nlp = spacy.blank(language)
        if language == "zh":
            nlp.tokenizer = RunTokenizer(nlp.vocab)
        return nlp

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        # blank pipelines have no lemmatizer: use the lower-cased text so context words can match
        if any(not lemma for lemma in artifacts.lemmas):
            artifacts.lemmas = [lemma or tok.lower_ for lemma, tok in zip(artifacts.lemmas, doc)]
            artifacts.keywords = artifacts.set_keywords(self, artifacts.lemmas, language)
        return artifacts

    # presidio asks these for every lemma of every text. They are the lexical attributes spaCy itself computes
    # (stop-word list of the language, all-punctuation), computed here without a vocab lookup, which would store
    # every string seen.
    def is_stopword(self, word: str, language: str) -> bool:
        return word.lower() in self._stop_words[language]

    def is_punct(self, word: str, language: str) -> bool:
        return _is_punct(word)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def spacy_safe(text: str) -> str:
    """`text` with each lone surrogate (a JSON "\\ud800" escape reads as one) replaced by U+FFFD: spaCy encodes
    every string as UTF-8 and fails on one. One code point for one, so token offsets do not move."""
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


def _is_punct(text: str) -> bool:
    return all(unicodedata.category(ch).startswith("P") for ch in text)
