"""Validators for Chinese identifiers (detectors/pii/validators.py).

Every identifier here is synthetic: ID numbers, bank cards and credit codes are built from made-up bases, with check
characters computed by the small independent implementations below (not by the code under test).
"""

from __future__ import annotations

import datetime

import pytest

from detectors.pii import validators as v

# ------------------------------------------------------------------------------------------------------------
# independent check-character implementations (from the standards' tables, written separately from validators.py)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643 table
ID_CHECK = "10X98765432"  # check character for sum % 11 = 0..10


def make_id(region: str, birth: str, seq: str = "123") -> str:
    body = region + birth + seq
    assert len(body) == 17
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


def wrong_check(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def luhn_complete(prefix: str) -> str:
    """prefix + the digit that makes the whole Luhn-valid."""
    for d in "0123456789":
        digits = [int(c) for c in prefix + d][::-1]
        total = sum(x if i % 2 == 0 else (x * 2 if x * 2 < 10 else x * 2 - 9) for i, x in enumerate(digits))
        if total % 10 == 0:
            return prefix + d
    raise AssertionError("unreachable")


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def org_code(body8: str) -> str:
    """GB 11714 organization code: 8 characters + check (weights 3 7 9 10 5 8 4 2)."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body8]
    c9 = 11 - sum(x * w for x, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return body8 + {10: "X", 11: "0"}.get(c9, str(c9))


def make_uscc(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


ID_OK = make_id("110105", "19900307")  # Beijing Chaoyang, synthetic birth date and sequence
ID_X = next(make_id("310104", "19851111", f"{s:03d}") for s in range(1000)
            if make_id("310104", "19851111", f"{s:03d}").endswith("X"))
CARD_UNIONPAY_19 = luhn_complete("622202" + "123456789012")
CARD_VISA_16 = luhn_complete("4" + "12345678901234")
USCC_STRONG = make_uscc("91110108" + org_code("MA01B2C3"))  # both checks pass
USCC_PLAIN = make_uscc("92440300" + "L12345678")  # GB 32100 passes; "L12345678" is not a valid organization code


# ------------------------------------------------------------------------------------------------------------
# to_halfwidth


def test_halfwidth_maps_fullwidth_forms_and_keeps_length():
    text = "电话：１３９１２３４５６７８　邮箱ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ（０１０）－６２３４５６７８＋８６"
    out = v.to_halfwidth(text)
    assert len(out) == len(text)
    assert out == "电话:13912345678 邮箱abc@example.com(010)-62345678+86"


def test_halfwidth_every_code_point_of_the_range():
    full = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
    assert v.to_halfwidth(full) == "".join(chr(c) for c in range(0x21, 0x7F)) + " "


def test_halfwidth_returns_plain_text_unchanged_and_untouched():
    text = "普通文本 with ASCII 123，中文标点。"  # ， and 。 are not fullwidth ASCII forms (U+FF0C is; U+3002 is not)
    assert v.to_halfwidth(text) == "普通文本 with ASCII 123,中文标点。"
    plain = "没有全角字符 abc 123"
    assert v.to_halfwidth(plain) is plain


# ------------------------------------------------------------------------------------------------------------
# resident ID


@pytest.mark.parametrize("number", [
    ID_OK,
    ID_X,
    ID_X[:-1] + "x",                       # lower-case check character
    ID_OK[:6] + " " + ID_OK[6:14] + " " + ID_OK[14:],  # 6-8-4 grouping
    make_id("440305", "20000229"),         # leap day
    make_id("650102", "19000101"),         # earliest accepted date
    make_id("810000", "19800101"),         # Hong Kong residence permit address code
    make_id("830000", "19800101"),         # Taiwan residence permit address code (not in loc.dat)
    "110105900307123",                     # 15-digit legacy: region + YYMMDD (1990-03-07) + sequence
])
def test_resident_id_valid(number):
    assert v.cn_resident_id_valid(number)


def test_resident_id_region_abolished_before_birth_is_still_accepted():
    # 110103 (崇文区) was merged away in 2010; stdnum.cn.ric rejects a person born there later, we do not
    from stdnum.cn import ric

    number = make_id("110103", "20150601")
    assert not ric.is_valid(number)
    assert v.cn_resident_id_valid(number)


def test_resident_id_unknown_region_is_rejected():
    assert "119900" not in v.region_codes()
    assert not v.cn_resident_id_valid(make_id("119900", "19900307"))


@pytest.mark.parametrize("number", [
    wrong_check(ID_OK),                          # check digit off
    make_id("110105", "19990230"),               # 30 February
    make_id("110105", "19901301"),               # month 13
    make_id("110105", "18991231"),               # before 1900
    make_id("110105", (datetime.date.today() + datetime.timedelta(days=2)).strftime("%Y%m%d")),  # future
    make_id("991234", "19900307"),               # 99 is no province
    make_id("100000", "19900307"),               # 10 is no province
    ID_OK[:-1],                                  # 17 characters
    ID_OK + "1",                                 # 19 characters
    ID_OK[:5] + "A" + ID_OK[6:],                 # letter in the body
    "１" + ID_OK[1:],                            # fullwidth digit (validators expect halfwidth text)
    "110105990230123",                           # 15-digit with 1999-02-30
    "119900900307123",                           # 15-digit, unknown region
    "",
])
def test_resident_id_invalid(number):
    assert not v.cn_resident_id_valid(number)


def test_region_codes_loaded_from_stdnum():
    codes = v.region_codes()
    assert len(codes) > 3000
    assert {"110105", "440305", "810000", "820000", "830000"} <= codes
    assert all(len(c) == 6 and c.isdigit() for c in codes)


# ------------------------------------------------------------------------------------------------------------
# Luhn and bank cards


@pytest.mark.parametrize("digits,ok", [
    ("79927398713", True),       # the textbook example
    ("79927398714", False),      # last digit off by one
    ("79927398703", False),      # another digit off by one
    ("0", True),
    ("", False),
    ("7992739871a", False),
    ("７９９２７３９８７１３", False),  # fullwidth digits are not ASCII digits
])
def test_luhn(digits, ok):
    assert v.luhn_valid(digits) is ok


@pytest.mark.parametrize("digits", [
    CARD_UNIONPAY_19,
    CARD_VISA_16,
    luhn_complete("62" + "1234567890123"),  # 16 digits
    " ".join(CARD_VISA_16[i:i + 4] for i in range(0, 16, 4)),
    "-".join([CARD_UNIONPAY_19[:4], CARD_UNIONPAY_19[4:8], CARD_UNIONPAY_19[8:12], CARD_UNIONPAY_19[12:16],
              CARD_UNIONPAY_19[16:]]),
])
def test_bank_card_valid(digits):
    assert v.cn_bank_card_valid(digits)


@pytest.mark.parametrize("digits", [
    wrong_check(CARD_UNIONPAY_19),
    luhn_complete("62" + "123456789012"),          # 15 digits: too short
    luhn_complete("62" + "12345678901234567"),     # 20 digits: too long
    "",
])
def test_bank_card_invalid(digits):
    assert not v.cn_bank_card_valid(digits)


def test_unionpay_prefix():
    assert v.is_unionpay(CARD_UNIONPAY_19)
    assert v.is_unionpay("6222 0000 0000 0000")
    assert not v.is_unionpay(CARD_VISA_16)


# ------------------------------------------------------------------------------------------------------------
# phone numbers


@pytest.mark.parametrize("number", [
    "13912345678", "13012345678", "14512345678", "14712345678", "14912345678", "15012345678", "15512345678",
    "16212345678", "16612345678", "17012345678", "17312345678", "17812345678", "17400123456", "18012345678",
    "19012345678", "19212345678", "19912345678",
    "+8613912345678", "+86 139 1234 5678", "+86-139-1234-5678", "008613912345678", "8613912345678",
    "86 13912345678", "(+86)13912345678", "139-1234-5678",
])
def test_mobile_valid(number):
    assert v.cn_mobile_valid(number)


@pytest.mark.parametrize("number", [
    "15412345678",    # 154 never allocated
    "19412345678",    # 194 not allocated for public mobile service
    "17912345678",    # 179 not allocated
    "17412345678",    # 174 only as 1740[0-5] (satellite)
    "14012345678",    # IoT block
    "12012345678",    # no 12x mobile block
    "23912345678",    # not starting with 1
    "1391234567",     # 10 digits
    "139123456789",   # 12 digits
    "+113912345678",  # another country code
    "+8513912345678",
    "1391234567a",
    "",
])
def test_mobile_invalid(number):
    assert not v.cn_mobile_valid(number)


@pytest.mark.parametrize("number", [
    "010-62345678", "01062345678", "(010)62345678", "010 6234 5678", "021-52345678", "020-83456789",
    "0755-23456789", "0755-2345678", "075523456789", "(0571)87654321", "0571-8765-4321",
    "+86 10 62345678", "+86-755-23456789", "0086(10)62345678", "+86 (21) 52345678", "+86 010 62345678",
    "010-62345678-123", "010-62345678转123", "0755-23456789 ext.8", "010-62345678#12",
])
def test_landline_valid(number):
    assert v.cn_landline_valid(number)


@pytest.mark.parametrize("number", [
    "026-62345678",    # 026 is not an assigned area code
    "0300-2345678",    # neither is 0300
    "010-12345678",    # local number starting with 1
    "010-02345678",    # local number starting with 0
    "010-6234567",     # 7 digits after a 3-digit area code
    "0755-234567",     # 6-digit local number
    "62345678",        # no area code
    "10-62345678",     # area code without trunk 0 and without +86
    "(010-62345678",   # unbalanced parenthesis
    "13912345678",     # a mobile number
    "",
])
def test_landline_invalid(number):
    assert not v.cn_landline_valid(number)


def test_area_codes_come_from_libphonenumber():
    codes = v.area_codes()
    assert 250 < len(codes) < 400
    assert {"10", "20", "21", "755", "571"} <= codes
    assert "26" not in codes and "300" not in codes


# ------------------------------------------------------------------------------------------------------------
# unified social credit code


def test_uscc_builders_are_consistent_with_stdnum():
    from stdnum.cn import uscc

    assert uscc.is_valid(USCC_STRONG) and uscc.is_valid(USCC_PLAIN)


@pytest.mark.parametrize("code", [USCC_STRONG, USCC_PLAIN, make_uscc("12100000" + org_code("40000711"))])
def test_uscc_valid(code):
    assert v.cn_uscc_valid(code)


def test_uscc_strong_needs_the_organization_code_too():
    assert v.cn_uscc_strong(USCC_STRONG)
    assert not v.cn_uscc_strong(USCC_PLAIN)
    assert v.cn_org_code_valid(org_code("MA01B2C3"))
    assert not v.cn_org_code_valid(wrong_check(org_code("MA01B2C3")))


@pytest.mark.parametrize("code", [
    wrong_check(USCC_STRONG),
    USCC_STRONG.lower(),                               # printed in upper case
    USCC_STRONG[:-1],                                  # 17 characters
    make_uscc("91990108" + org_code("MA01B2C3")),      # region 99....: no province
    make_uscc("01110108" + org_code("MA01B2C3")),      # authority 0 does not exist
    make_uscc("90110108" + org_code("MA01B2C3")),      # category 0 does not exist
    USCC_STRONG[:9] + "I" + USCC_STRONG[10:],           # I is not in the alphabet
    "",
])
def test_uscc_invalid(code):
    assert not v.cn_uscc_valid(code)


# ------------------------------------------------------------------------------------------------------------
# plates


@pytest.mark.parametrize("plate", [
    "京A12345", "京A·12345", "京A 12345", "沪B1234X", "粤BAB123", "川A5G38K",
    "粤BD12345", "沪AF12345", "京ADE1234",  # small new-energy: D/F + letter or digit + 4 digits
    "浙A12345D",                            # large new-energy vehicle
    "鲁B1234学", "苏E1234挂",
])
def test_plate_valid(plate):
    assert v.cn_plate_valid(plate)


@pytest.mark.parametrize("plate", [
    "京I12345",     # I is not an issuing-office letter
    "京O12345",
    "京AIB123",     # I in the serial
    "京AABC12",     # three letters in an ordinary serial
    "京a12345",     # lower case
    "美A12345",     # no such province abbreviation
    "京A1234",      # too short
    "京A1234567",   # too long
    "浙A1234D5",     # D inside a large new-energy serial
    "京AD1E234",     # letter among the last four of a small new-energy serial
])
def test_plate_invalid(plate):
    assert not v.cn_plate_valid(plate)


# ------------------------------------------------------------------------------------------------------------
# internet identifiers


@pytest.mark.parametrize("s,ok", [
    ("12345", True), ("123456789", True), ("12345678901", True),
    ("1234", False), ("123456789012", False), ("012345", False), ("12345a", False),
])
def test_qq(s, ok):
    assert v.cn_qq_valid(s) is ok


@pytest.mark.parametrize("s,ok", [
    ("zhangsan_88", True), ("abc-123", True), ("a12345", True), ("a" * 20, True),
    ("13912345678", True),        # a mobile number as WeChat id
    ("12345678", True),           # a QQ-number style id
    ("abcde", False),             # too short
    ("a" * 21, False),            # too long
    ("1abcdef", False),           # must start with a letter
    ("abc.def", False),
    ("张三abcdef", False),
])
def test_wechat_id(s, ok):
    assert v.cn_wechat_id_valid(s) is ok


@pytest.mark.parametrize("s", [
    "abc@example.com", "zhang.san@mail.example.cn", "li_si+tag@example.com.cn", "12345@example.com",
    "a-b@sub-domain.example.org",
])
def test_email_valid(s):
    assert v.email_valid(s)


@pytest.mark.parametrize("s", [
    "abc@example",            # no suffix
    "abc@com",                # a suffix alone
    "abc@example.invalidtld",
    "a..b@example.com", ".ab@example.com", "ab.@example.com",
    "abc@-example.com", "abc@example-.com",
    "ab@c@example.com",
    "张三@example.com",
    "a" * 65 + "@example.com",
])
def test_email_invalid(s):
    assert not v.email_valid(s)


@pytest.mark.parametrize("s,trimmed", [
    ("abc@example.comTel", "abc@example.com"),
    ("abc@example.com.cnQQ", "abc@example.com.cn"),
    ("abc@example.comqq", "abc@example.com"),
    ("abc@example.com.Thanks", "abc@example.com"),
    ("abc@example.invalidtld", None),   # not "abc@example.in": no case change, "in" is no common label
    ("abc", None),
])
def test_email_trim(s, trimmed):
    assert v.email_trim(s) == trimmed


def test_validators_module_does_not_import_presidio():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(v.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.startswith("presidio") for name in imported)


def test_grow_widens_over_the_given_characters_as_far_as_the_reach() -> None:
    # one regex call per side; checked against the rule spelled as a loop, on random text holding regex
    # metacharacters, tabs, newlines and CJK, for each character set the recognizers use
    import random

    from detectors.pii.recognizers_en import _ADDRESS_CHARS

    local_part = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-'^]\\")  # with regex metacharacters

    def loop(text, start, end, chars, reach):
        a, b = start, end
        while a > 0 and start - a < reach and text[a - 1] in chars:
            a -= 1
        while b < len(text) and b - end < reach and text[b] in chars:
            b += 1
        return a, b

    rng = random.Random(2)
    for _ in range(5000):
        text = "".join(rng.choice("0123456789 \t\n().-/+a@_%中]^\\[x") for _ in range(rng.randint(1, 50)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        reach = rng.choice([0, 1, 3, 40, 256])
        for chars in (v.PHONE_RUN_CHARS, _ADDRESS_CHARS, local_part):
            assert v.grow(text, start, end, chars, reach) == loop(text, start, end, chars, reach)
