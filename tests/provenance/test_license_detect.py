"""Licence identification from the text of licence files, notices and dataset cards (provenance.licenses.detect).

The always-run cases are short snippets written for these tests: the standard one-line notices and headers (CC,
Apache, GPL, MPL, SPDX), the operative clauses of MIT/BSD, and first lines/paragraphs in our own words. Real
licence files from ../shared/corpora are identified in the tests marked `corpora` (skipped when absent).
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from provenance.licenses.detect import (
    LicenseTextMatch,
    identify_license_text,
    is_dataset_card_name,
    is_license_file_name,
    license_candidates,
    license_from_dataset_card,
)
from tests.conftest import corpora_or_skip

PG = "LicenseRef-Project-Gutenberg"
PD = "LicenseRef-Public-Domain"

MIT_CLAUSES = (
    "Copyright (c) 2021 Example Maintainers\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated\n"
    "documentation files (the \"Software\"), to deal in the Software without restriction, subject to the following\n"
    "conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or\n"
    "substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND."
)
BSD_HEAD = (
    "Copyright (c) 2020, Example Org\nAll rights reserved.\n\n"
    "Redistribution and use in source and binary forms, with or without modification, are permitted provided that\n"
    "the following conditions are met:\n\n1. Redistributions of source code must retain the above copyright notice.\n"
    "2. Redistributions in binary form must reproduce the above copyright notice in the documentation.\n"
)
BSD3_CLAUSE = ("3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse\n"
               "   or promote products derived from this software without specific prior written permission.\n")
BSD_TAIL = "\nTHIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\".\n"
# the shape of the GPL text: title, version line, body that mentions the LGPL, and the "How to Apply" appendix
# whose sample notice always says "or (at your option) any later version"
GPL3_TEXT = (
    "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n\n"
    " Copyright (C) 2007 Free Software Foundation, Inc.\n\n                            Preamble\n\n"
    "  (a few pages of terms, in the test's own words) ...\n\n"
    "                     END OF TERMS AND CONDITIONS\n\n            How to Apply These Terms to Your New Programs\n\n"
    "    This program is free software: you can redistribute it and/or modify it under the terms of the GNU General\n"
    "    Public License as published by the Free Software Foundation, either version 3 of the License, or\n"
    "    (at your option) any later version.\n\n"
    "If your program is a subroutine library, you may prefer to use the GNU Lesser General Public License instead.\n"
)
CC_LEGAL_CODE_SHAPE = (
    "Attribution-NonCommercial-NoDerivatives 4.0 International\n\n"
    "=======================================================================\n\n"
    "Creative Commons Corporation (\"Creative Commons\") is not a law firm (the disclaimer, in our words).\n\n"
    "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International Public License\n\n"
    "(sections 1 to 8, in our words)\n\n"
    "Creative Commons is not a party to its public licenses. The text of the Creative Commons public licenses is\n"
    "dedicated to the public domain under the CC0 Public Domain Dedication.\n"
)

IDENTIFY_CASES = [
    # Creative Commons 4.0, English: notices, names, abbreviations, URLs
    ("This work is licensed under a Creative Commons Attribution 4.0 International License.", "CC-BY-4.0",
     "the CC BY short notice"),
    ("This work is licensed under a Creative Commons Attribution-NonCommercial 4.0 International License.",
     "CC-BY-NC-4.0", "the CC BY-NC short notice: NC must not be read as CC BY"),
    ("This work is licensed under a Creative Commons Attribution-ShareAlike 4.0 International License.",
     "CC-BY-SA-4.0", "the CC BY-SA short notice"),
    ("Licensed under Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International.", "CC-BY-NC-SA-4.0",
     "NC and SA together"),
    ("Attribution-NoDerivatives 4.0 International\n\n=====\n\nCreative Commons Corporation ...", "CC-BY-ND-4.0",
     "the legal code's first line: ND, not SA"),
    (CC_LEGAL_CODE_SHAPE, "CC-BY-NC-ND-4.0",
     "legal code shape: the title wins over the footer that says the text itself is under CC0"),
    ("Images: CC BY-NC-ND 4.0", "CC-BY-NC-ND-4.0", "the abbreviation with both NC and ND"),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0", "a Hugging Face style id on its own"),
    ("See https://creativecommons.org/licenses/by-nc/4.0/legalcode for the terms.", "CC-BY-NC-4.0",
     "only a licence URL"),
    # Creative Commons, Chinese names
    ("本作品采用知识共享署名 4.0 国际许可协议进行许可。", "CC-BY-4.0", "the Chinese CC BY notice"),
    ("本作品采用知识共享署名-非商业性使用-相同方式共享 4.0 国际许可协议进行许可。", "CC-BY-NC-SA-4.0",
     "the Chinese CC BY-NC-SA notice"),
    ("本数据集遵循 知识共享 署名-禁止演绎 4.0 国际 许可协议。", "CC-BY-ND-4.0", "禁止演绎 is ND"),
    ("许可：署名-非商业性使用-禁止演绎 4.0 国际", "CC-BY-NC-ND-4.0", "the Chinese name without 知识共享"),
    ("本資料採用創用CC 姓名標示-相同方式分享 4.0 國際 授權條款。", "CC-BY-SA-4.0", "the Traditional Chinese (Taiwan) name"),
    # Creative Commons 3.0, CC0
    ("Text is available under the Creative Commons Attribution 3.0 Unported License.", "CC-BY-3.0", "CC BY 3.0"),
    ("Content licensed under CC BY-SA 3.0 with attribution required.", "CC-BY-SA-3.0", "CC BY-SA 3.0 abbreviation"),
    ("CC0 1.0 Universal\n\nStatement of Purpose\n\nThe laws of most jurisdictions ...", "CC0-1.0", "the CC0 title"),
    (("To the extent possible under law, the authors waived all rights: "
     "https://creativecommons.org/publicdomain/zero/1.0/"), "CC0-1.0", "the CC0 URL"),
    # data licences
    ("This database is made available under the Open Database License: http://opendatacommons.org/licenses/odbl/1.0/",
     "ODbL-1.0", "ODbL notice"),
    ("Open Data Commons Attribution License (ODC-By) v1.0\n\nPreamble ...", "ODC-By-1.0", "ODC-By title"),
    ("This data is released under the Open Data Commons Public Domain Dedication and License (PDDL).", "PDDL-1.0",
     "PDDL notice: not the plain public-domain ref"),
    ("Community Data License Agreement - Permissive - Version 2.0\n\nThis is the CDLA-Permissive ...",
     "CDLA-Permissive-2.0", "CDLA permissive title"),
    ("The corpus is shared under CDLA-Sharing-1.0.", "CDLA-Sharing-1.0", "CDLA sharing id"),
    # software licences
    (("                                 Apache License\n                           Version 2.0, January 2004\n"
     "                        http://www.apache.org/licenses/\n"), "Apache-2.0", "the Apache licence title"),
    (("Licensed under the Apache License, Version 2.0 (the \"License\"); you may not use this file except in\n"
     "compliance with the License."), "Apache-2.0", "the Apache short header"),
    (MIT_CLAUSES, "MIT", "MIT by its grant and notice clauses, after a copyright line"),
    ("MIT License\n\nCopyright (c) 2022 Someone\n\nPermission is hereby granted, free of charge, to any person ...",
     "MIT", "MIT title"),
    (("Permission is hereby granted, free of charge, to any person obtaining a copy of this software, to deal in the\n"
     "Software without restriction. THE SOFTWARE IS PROVIDED \"AS IS\"."), "MIT-0",
     "near-miss: the MIT grant without the notice condition is MIT-0"),
    (BSD_HEAD + BSD_TAIL, "BSD-2-Clause", "BSD without the name clause is 2-clause (and not MIT)"),
    (BSD_HEAD + BSD3_CLAUSE + BSD_TAIL, "BSD-3-Clause", "'Neither the name of' makes it 3-clause"),
    ("SPDX-License-Identifier: BSD-3-Clause", "BSD-3-Clause", "an SPDX identifier line"),
    (("This program is free software: you can redistribute it and/or modify it under the terms of the GNU General\n"
     "Public License as published by the Free Software Foundation, either version 3 of the License, or (at your\n"
     "option) any later version."), "GPL-3.0-or-later", "the GPLv3 notice with 'or any later version'"),
    (("This program is free software; you can redistribute it and/or modify it under the terms of the GNU General\n"
     "Public License version 2 as published by the Free Software Foundation."), "GPL-2.0-only",
     "GPLv2 notice without 'or later'"),
    (GPL3_TEXT, "GPL-3.0-only",
     "the GPL text itself: the appendix's sample notice and the LGPL mention do not count"),
    (("This library is free software; you can redistribute it and/or modify it under the terms of the GNU Lesser\n"
     "General Public License as published by the Free Software Foundation; either version 2.1 of the License, or\n"
     "(at your option) any later version."), "LGPL-2.1-or-later", "LGPL notice: not GPL"),
    (("                   GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n\n"
     "This version of the GNU Lesser General Public License incorporates the terms of version 3 of the GNU General\n"
     "Public License."), "LGPL-3.0-only", "LGPL text title, which mentions the GPL in its first sentence"),
    (("This program is free software: you can redistribute it and/or modify it under the terms of the GNU Affero\n"
     "General Public License as published by the Free Software Foundation, either version 3 of the License, or\n"
     "(at your option) any later version."), "AGPL-3.0-or-later", "AGPL notice: not GPL"),
    ("License: GPLv2+", "GPL-2.0-or-later", "abbreviation with +"),
    (("This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. If a copy of the MPL was\n"
     "not distributed with this file, You can obtain one at http://mozilla.org/MPL/2.0/."), "MPL-2.0",
     "the MPL 2.0 header"),
    ("This is free and unencumbered software released into the public domain.", "Unlicense",
     "the Unlicense, not the plain public-domain ref"),
    # Project Gutenberg and public domain
    (("The Project Gutenberg EBook of An Invented Novel, by Nobody\n\nThis eBook is for the use of anyone anywhere\n"
     "at no cost and with almost no restrictions whatsoever. You may copy it, give it away or re-use it under the\n"
     "terms of the Project Gutenberg License included with this eBook"), PG, "the small PG header"),
    (("...the end of the story.\n\n*** END OF THIS PROJECT GUTENBERG EBOOK ***\n\n*** START: FULL LICENSE ***\n\n"
     "THE FULL PROJECT GUTENBERG LICENSE\nPLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK\n"
     "... works in the public domain in the United States ..."), PG,
     "the PG licence boilerplate outranks the public-domain wording inside it"),
    ("The texts in this folder are in the public domain; the transcriptions were dedicated to the public domain.",
     PD, "a plain public-domain statement"),
    ("这些古籍作品均已进入公有领域。", PD, "a Chinese public-domain statement"),
    # near-misses and garbage
    ("", None, "empty"),
    ("   \n\t ", None, "whitespace"),
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", None, "filler text"),
    ("床前明月光，疑是地上霜。举头望明月，低头思故乡。", None, "a Chinese poem"),
    ("She studied at MIT. Her driver's license expired last year.", None, "MIT and 'license' in prose"),
    ("Apache helicopters flew over the GNU project offices.", None, "Apache and GNU in prose"),
    ("Copyright law protects original works of authorship; all rights reserved by the author.", None,
     "a copyright notice names no licence"),
    ("Creative Commons is a nonprofit organization that helps sharing.", None, "Creative Commons as an organisation"),
    ("署名作者：李白；编者按：本文有删节。", None, "署名 as an ordinary word"),
    ("The attribution of this painting is disputed; it was not placed in any archive.", None,
     "attribution as an ordinary word"),
    ("This book is not in the public domain.", None, "negated public-domain statement"),
    ("please cc by email to the list", None, "lower-case 'cc by' in prose"),
    ("\x00\x01\x02 binary garbage \ufffd\ufffd 0x7f", None, "binary garbage"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), IDENTIFY_CASES, ids=[c[2] for c in IDENTIFY_CASES])
def test_identify_license_text(text: str, expected: str | None, reason: str) -> None:
    found = identify_license_text(text)
    if expected is None:
        assert found is None, reason
    else:
        assert found is not None and found.spdx == expected, f"{reason}: {found}"
        assert 0 < found.confidence <= 1 and found.matched and len(found.matched) <= 200


@pytest.mark.parametrize(("text", "method", "reason"), [
    ("Attribution-ShareAlike 4.0 International\n\n=====", "title", "the legal code's first line"),
    ("This work is licensed under a Creative Commons Attribution 4.0 International License.", "key-phrases",
     "a notice sentence is not a title"),
    ("Terms: https://creativecommons.org/licenses/by-sa/4.0/", "url", "a URL alone"),
    (MIT_CLAUSES, "key-phrases", "MIT recognised by its clauses"),
])
def test_method_says_how_it_was_found(text: str, method: str, reason: str) -> None:
    found = identify_license_text(text)
    assert found is not None and found.method == method, f"{reason}: {found}"


@pytest.mark.parametrize(("text", "reason"), [
    ("Creative Commons Attribution-NonCommercial License", "CC BY-NC without a version"),
    ("Released under a BSD license.", "BSD without a clause count"),
    ("Distributed under the GNU General Public License.", "GPL without a version"),
])
def test_versionless_names_are_returned_without_an_id(text: str, reason: str) -> None:
    found = identify_license_text(text)
    assert found is not None and found.spdx is None and found.confidence <= 0.5, f"{reason}: {found}"
    assert found.matched  # the caller normalises this


def test_license_candidates_lists_every_licence_named() -> None:
    text = "Code: MIT License.\nData: licensed under CC BY-NC 4.0 (https://creativecommons.org/licenses/by-nc/4.0/)."
    ids = [c.spdx for c in license_candidates(text)]
    assert "MIT" in ids and "CC-BY-NC-4.0" in ids
    assert ids.count("CC-BY-NC-4.0") == 1


def test_match_is_a_frozen_validated_dataclass() -> None:
    m = LicenseTextMatch("MIT", 0.9, "MIT License", "title")
    with pytest.raises(AttributeError):
        m.spdx = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        LicenseTextMatch("MIT", 1.5, "x", "title")
    with pytest.raises(ValueError):
        LicenseTextMatch("MIT", 0.5, "x", "guess")


# -- dataset cards -----------------------------------------------------------------------------------------------------
CARD_CASES = [
    ("---\nlicense: cc-by-nc-4.0\nlanguage: [zh]\n---\n# Data\n", "CC-BY-NC-4.0", "cc-by-nc-4.0",
     "front matter id string"),
    ("---\nlicense:\n- mit\n- cc-by-4.0\n---\n", None, "mit, cc-by-4.0", "front matter list: AND or OR is not said"),
    ("---\nlicense: other\nlicense_name: sample-research-only\n---\n", None, "sample-research-only",
     "license: other with a license_name"),
    ("---\nlicense: other\n---\n# Card\n\n## License\n\nThis dataset is released under CC BY-SA 4.0.\n",
     "CC-BY-SA-4.0", "This dataset is released under CC BY-SA 4.0.", "'other' in the field, the section names it"),
    ("# My corpus\n\nSome text.\n\n## Licence\n\nResearch use only. Contact us for commercial use.\n\n## Citation\n",
     None, "Research use only. Contact us for commercial use.", "a section naming the terms in words"),
    ("# 数据集\n\n## 许可协议\n\n本数据集采用 [CC BY-NC 4.0](https://creativecommons.org/licenses/by-nc/4.0/) 协议发布。\n",
     "CC-BY-NC-4.0", "本数据集采用 CC BY-NC 4.0 协议发布。", "a Chinese 许可 section with a markdown link"),
    ("---\nlicense: [unclosed\n---\n", None, "[unclosed", "front matter that is not YAML: the line is read"),
]


@pytest.mark.parametrize(("card", "spdx", "matched", "reason"), CARD_CASES, ids=[c[3] for c in CARD_CASES])
def test_license_from_dataset_card(card: str, spdx: str | None, matched: str, reason: str) -> None:
    found = license_from_dataset_card(card)
    assert found is not None, reason
    assert (found.spdx, found.matched, found.method) == (spdx, matched, "card-field"), reason


@pytest.mark.parametrize(("card", "reason"), [
    ("", "empty"),
    ("# Data\n\nJust a description of the data.\n", "no front matter, no licence section"),
    ("# Card\n\n### Licensing Information\n\n[More Information Needed]\n\n### Citation\n", "the HF placeholder"),
    ("# Card\n\n```python\n# License\nprint('x')\n```\n", "a '# License' comment inside a code block"),
])
def test_cards_without_a_declared_licence(card: str, reason: str) -> None:
    assert license_from_dataset_card(card) is None, reason


@pytest.mark.parametrize(("name", "expected"), [
    ("LICENSE", True), ("license.txt", True), ("LICENCE.md", True), ("License-MIT", True), ("COPYING", True),
    ("COPYING.LESSER", True), ("UNLICENSE", True), ("data.csv.license", True), ("许可证.txt", True),
    ("许可协议.md", True), ("LICENSES/MIT.txt", True), ("corpus/LICENSE", True),
    ("license_plates.csv", False), ("licenses.json", False), ("licensed_data.txt", False), ("README.md", False),
    ("data.txt", False), ("", False),
])
def test_is_license_file_name(name: str, expected: bool) -> None:
    assert is_license_file_name(name) is expected


@pytest.mark.parametrize(("name", "expected"), [
    ("README.md", True), ("readme.md", True), ("README", True), ("README_zh.md", True), ("README.zh-CN.md", True),
    ("data/README.md", True), ("dataset_card.md", True), ("LICENSE", False), ("READMEFIRST.doc", False),
    ("notes.md", False),
])
def test_is_dataset_card_name(name: str, expected: bool) -> None:
    assert is_dataset_card_name(name) is expected


# -- real licence files (../shared/corpora) --------------------------------------------------------------------------
@pytest.mark.corpora
def test_cmrc2018_licence_is_cc_by_sa_4() -> None:
    text = (corpora_or_skip() / "cmrc2018_zh_wiki" / "LICENCE").read_text(encoding="utf-8")
    found = identify_license_text(text)
    assert found == LicenseTextMatch("CC-BY-SA-4.0", found.confidence, found.matched, "title")
    assert "ShareAlike" in found.matched and "NonCommercial" not in text


@pytest.mark.corpora
def test_chinese_poetry_licence_and_card_are_mit() -> None:
    with tarfile.open(corpora_or_skip() / "chinese_poetry.tar.gz") as tf:
        licence = tf.extractfile("chinese_poetry/LICENSE").read().decode("utf-8")  # type: ignore[union-attr]
        card = tf.extractfile("chinese_poetry/README.md").read().decode("utf-8")  # type: ignore[union-attr]
    found = identify_license_text(licence)
    assert found is not None and found.spdx == "MIT"
    from_card = license_from_dataset_card(card)
    assert from_card is not None and from_card.spdx == "MIT" and "MIT" in from_card.matched


@pytest.fixture(scope="module")
def gutenberg_texts() -> dict[str, str]:
    out = {}
    with tarfile.open(corpora_or_skip() / "gutenberg_novels.tar.gz") as tf:
        for member in tf:
            if member.isfile() and member.name.endswith(".txt"):
                out[member.name] = tf.extractfile(member).read().decode("utf-8", "replace")  # type: ignore[union-attr]
    return out


@pytest.mark.corpora
def test_gutenberg_books_carry_the_project_gutenberg_licence(gutenberg_texts: dict[str, str]) -> None:
    books = {n: t for n, t in gutenberg_texts.items() if "/denten_test_corpus/" in n}
    assert len(books) >= 60
    wrong = {n: identify_license_text(t) for n, t in books.items()}
    wrong = {n: m for n, m in wrong.items() if m is None or m.spdx != "LicenseRef-Project-Gutenberg"}
    assert not wrong


@pytest.mark.corpora
def test_gutenberg_mirror_licence_is_public_domain_and_bare_book_has_none(gutenberg_texts: dict[str, str]) -> None:
    licence = gutenberg_texts["gutenberg_novels/gutenbergbooks_1342/LICENSE.txt"]
    found = identify_license_text(licence)
    assert found is not None and found.spdx == PD
    # the 2024 transcription has no PG header or licence: nothing to find, "licence" only as a word in the novel
    assert identify_license_text(gutenberg_texts["gutenberg_novels/gutenbergbooks_1342/1342-0.txt"]) is None


def test_sample_corpus_licence_file_is_cc_by_sa() -> None:
    from tests.conftest import SAMPLES

    found = identify_license_text((Path(SAMPLES) / "zh_wiki" / "LICENSE").read_text(encoding="utf-8"))
    assert found is not None and found.spdx == "CC-BY-SA-4.0"
