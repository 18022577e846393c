"""Cheap validators for Chinese personal identifiers: pure functions, no presidio import.

Every validator takes the text a recognizer matched (halfwidth, see `to_halfwidth`) and answers True/False; none
raises on odd input. Reference data is bundled with installed packages and loaded once, lazily, on first use:
region codes from python-stdnum (`stdnum/cn/loc.dat`), area codes from libphonenumber's metadata (the
`phonenumbers` package, a presidio dependency), public suffixes from tldextract's bundled snapshot. Nothing here
touches the network.
"""

from __future__ import annotations

import datetime
import functools
import re
from pathlib import Path

# ---------------------------------------------------------------------------------------------------------------
# fullwidth → halfwidth

# U+FF01..U+FF5E are the fullwidth forms of ASCII 0x21..0x7E (same order, offset 0xFEE0); U+3000 is the ideographic
# space. Chinese text often writes digits, @, ., -, +, (, ), : this way (１３８…, ＠, （０１０）), so recognizers
# written for ASCII would miss them. Every mapping is one code point to one code point, so offsets do not move.
HALFWIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
HALFWIDTH_TABLE[0x3000] = 0x20
HALFWIDTH_TABLE[0xFE63] = 0x2D  # small hyphen-minus, seen in phone numbers (010﹣62345678)
_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000\ufe63]")


def to_halfwidth(text: str) -> str:
    """Fullwidth ASCII forms (U+FF01..U+FF5E) and the ideographic space (U+3000) → ASCII; same length as `text`.

    The common case (no such character) costs one regex scan and returns `text` itself.
    """
    if _HAS_FULLWIDTH.search(text) is None:
        return text
    return text.translate(HALFWIDTH_TABLE)


# ---------------------------------------------------------------------------------------------------------------
# shared helpers

PHONE_RUN_CHARS = frozenset("0123456789 \t\n().-/+")  # digits and the punctuation phone numbers are written with


def grow(text: str, start: int, end: int, chars: frozenset[str], reach: int) -> tuple[int, int]:
    """text[start:end] widened on both sides over characters in `chars`, at most `reach` characters each way."""
    run = _run_of(chars)
    return run_start(text, start, run, reach), run_end(text, end, run, reach)


def run_start(text: str, pos: int, run: re.Pattern, reach: int) -> int:
    """Where the run that ends at `pos` starts, at most `reach` characters back; `run` matches a run of one
    character class ("[...]*"). One regex match on the reversed text in front of `pos` (a search for a run ending
    at `pos` would try every position before it, quadratic in the reach; a loop would be a step per character)."""
    return pos - run.match(text[max(0, pos - reach):pos][::-1]).end()


def run_end(text: str, pos: int, run: re.Pattern, reach: int) -> int:
    """Where the run that starts at `pos` ends, at most `reach` characters on."""
    return run.match(text, pos, pos + reach).end()


@functools.lru_cache(maxsize=16)
def _run_of(chars: frozenset[str]) -> re.Pattern:
    """A run of `chars`, for run_start/run_end (the engine grows a window over an e-mail's local part and a phone
    number's digits for almost every candidate in contact-dense text)."""
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]*")


def phone_run(text: str, start: int, end: int, reach: int = 40) -> str:
    """The run of digits and phone punctuation around text[start:end] (the most a phone number there can span)."""
    a, b = grow(text, start, end, PHONE_RUN_CHARS, reach)
    return text[a:b]


_SEPARATORS = str.maketrans("", "", " -")


def _strip_separators(s: str) -> str:
    return s.translate(_SEPARATORS)


def _is_ascii_digits(s: str) -> bool:
    # str.isdigit() is True for ² and Arabic-Indic digits too; int() would then accept them. Only 0-9 count here.
    return s.isascii() and s.isdigit()


# ---------------------------------------------------------------------------------------------------------------
# resident identity card number (GB 11643-1999)

# Province-level codes of GB/T 2260 (first two digits of every region code): 11-15 north, 21-23 north-east, 31-37
# east, 41-46 central-south, 50-54 south-west, 61-65 north-west, 71 Taiwan, 81 Hong Kong, 82 Macau; 83 is used by
# residence permits for Taiwan residents (港澳台居民居住证, address code 830000, same number format and checksum).
PROVINCE_CODES = frozenset(
    [str(c) for c in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
                      *range(61, 66), 71, 81, 82, 83)]
)
# Residence permits for Hong Kong, Macau and Taiwan residents carry these address codes; 830000 is not in loc.dat.
_PERMIT_REGION_CODES = frozenset({"810000", "820000", "830000"})
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # GB 11643: W_i = 2^(i-1) mod 11, from the right


@functools.lru_cache(maxsize=1)
def region_codes() -> frozenset[str]:
    """Every 6-digit region code that python-stdnum's `cn/loc.dat` lists, in ANY year.

    stdnum's own `cn.ric` check additionally requires the code to have existed in the birth year; codes are
    renumbered when districts merge, and people keep their numbers, so that rejects real IDs. We only ask "was this
    ever a region code". The file: an unindented line starts a 2-digit province prefix, indented lines give the
    remaining 4 digits.
    """
    import stdnum

    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    codes = set(_PERMIT_REGION_CODES)
    prefix = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        key = line.split(None, 1)[0]
        if not line[0].isspace():
            prefix = key
        elif len(prefix) + len(key) == 6 and _is_ascii_digits(prefix + key):
            codes.add(prefix + key)
    return frozenset(codes)


def _region_valid(code: str) -> bool:
    return code[:2] in PROVINCE_CODES and code in region_codes()


def _date_valid(year: int, month: int, day: int) -> bool:
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= born <= datetime.date.today()


def cn_id_check_char(first17: str) -> str:
    """GB 11643 MOD 11-2 check character for the first 17 digits ('0'-'9' or 'X')."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def cn_resident_id_valid(s: str) -> bool:
    """Resident identity card number: 18 characters (GB 11643) or the legacy 15-digit form.

    18: region code (province prefix + a code python-stdnum lists in any year), birth date YYYYMMDD between
    1900-01-01 and today, 3-digit sequence, MOD 11-2 check character (X or x for 10).
    15 (issued until 1999): region code, birth date YYMMDD read as 19YY, 3-digit sequence; there is no check
    digit, so this form is much weaker evidence. Spaces and hyphens between groups are ignored.
    """
    s = _strip_separators(s)
    if len(s) == 18:
        body, check = s[:17], s[17].upper()
        if not _is_ascii_digits(body) or not (check == "X" or _is_ascii_digits(check)):
            return False
        if not _date_valid(int(s[6:10]), int(s[10:12]), int(s[12:14])):
            return False
        return cn_id_check_char(body) == check and _region_valid(s[:6])
    if len(s) == 15 and _is_ascii_digits(s):
        return _date_valid(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12])) and _region_valid(s[:6])
    return False


# ---------------------------------------------------------------------------------------------------------------
# bank cards


def luhn_valid(digits: str) -> bool:
    """Luhn (ISO/IEC 7812 mod 10) check over a string of ASCII digits; False for anything else or empty."""
    if not digits or not _is_ascii_digits(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def cn_bank_card_valid(digits: str) -> bool:
    """Bank card number: 16-19 digits (spaces/hyphens between groups ignored) passing the Luhn check.

    Chinese debit cards are 16-19 digits, credit cards 16; every issuer (UnionPay rules included) uses Luhn.
    """
    digits = _strip_separators(digits)
    return 16 <= len(digits) <= 19 and luhn_valid(digits)


def is_unionpay(digits: str) -> bool:
    """True for a UnionPay BIN (IIN prefix 62): most mainland debit cards, so stronger evidence than Luhn alone."""
    return _strip_separators(digits).startswith("62")


# ---------------------------------------------------------------------------------------------------------------
# phone numbers

# Mainland mobile number blocks allocated by MIIT (工业和信息化部) for public mobile service, as summarised in
# libphonenumber's CN metadata (phonenumbers 9.x, "mobile" pattern) and the zh.wikipedia page 中国内地移动终端通讯号段:
#   130-139; 145 (Unicom data), 147 (Mobile data), 149 (Telecom data; listed by MIIT in 2013, not in libphonenumber);
#   150-153, 155-159 (154 never allocated); 162 (Telecom MVNO), 165 (Mobile MVNO), 166 (Unicom), 167 (Unicom MVNO);
#   170, 171 (MVNO), 172 (Mobile), 173 (Telecom), 175, 176 (Unicom), 177 (Telecom), 178 (Mobile);
#   174 only as 1740[0-5] (Telecom satellite); 179 not allocated; 180-189;
#   190 (Telecom), 191, 193, 199 (Telecom), 192 (China Broadnet), 195, 197, 198 (Mobile), 196 (Unicom); 194 is not
#   allocated for public mobile service.
# 140-144/146/148 are IoT blocks with 13-digit numbers, not personal phones.
_MOBILE_RE = re.compile(
    r"1(?:3[0-9]|4[579]|5[0-35-9]|6[2567]|7[0-35-8]|8[0-9]|9[0-35-9])[0-9]{8}|1740[0-5][0-9]{6}"
)
_PHONE_NOISE = str.maketrans("", "", " -()")


def cn_mobile_valid(digits: str) -> bool:
    """Mainland mobile number: 11 digits in an allocated block, after removing +86 / 0086 / 86 and separators.

    Spaces, hyphens and parentheses are ignored (so "+86 139-1234-5678" and "(+86)13912345678" are fine).
    """
    s = digits.strip().translate(_PHONE_NOISE)
    if s.startswith("+"):
        s = s[1:]
        if not s.startswith("86"):
            return False
    if s.startswith("0086"):
        s = s[4:]
    elif s.startswith("86") and len(s) == 13:
        s = s[2:]
    return len(s) == 11 and _MOBILE_RE.fullmatch(s) is not None


# Landline: optional country code; area code 010, 02X or 0[3-9]XX (the 0 may be dropped after +86); local number of
# 7-8 digits not starting with 0 or 1 (0 is the trunk prefix, 1 starts mobile and service numbers), optionally in two
# groups; optional extension after a separator, 转, 分机, ext or #. The alternation of area codes is unambiguous
# (the first digit decides its length), so "02162345678" can only be 021 + 62345678.
_LANDLINE_RE = re.compile(
    r"""(?P<cc>(?:\+|00)86[ -]?)?
        (?P<open>\()?(?P<trunk>0)?(?P<area>10|2[0-9]|[3-9][0-9]{2})(?(open)\))[ -]?
        (?P<local1>[2-9][0-9]{2,3})[ -]?(?P<local2>[0-9]{4})
        (?:(?:\s?(?:转|分机|ext\.?|[xX\#])\s?|[ -])[0-9]{1,6})?""",
    re.VERBOSE | re.IGNORECASE,
)


@functools.lru_cache(maxsize=1)
def area_codes() -> frozenset[str]:
    """Mainland area codes (without the trunk 0) that libphonenumber's CN fixed-line pattern accepts (~320).

    Derived once by probing the pattern with each structurally possible code (10, 2X, 3XX..9XX) and a few local
    numbers; empty if phonenumbers is not importable, in which case only the structure is checked.
    """
    try:
        from phonenumbers import PhoneMetadata
    except ImportError:  # pragma: no cover - phonenumbers is a presidio dependency
        return frozenset()
    pattern = re.compile(PhoneMetadata.metadata_for_region("CN").fixed_line.national_number_pattern)
    codes = set()
    for code in ["10", *(f"2{i}" for i in range(10)), *(str(i) for i in range(300, 1000))]:
        if any(pattern.fullmatch(code + first + local) for first in "23456789" for local in ("2345678", "234567")):
            codes.add(code)
    return frozenset(codes)


def cn_landline_valid(s: str) -> bool:
    """Mainland fixed-line number with area code, e.g. 010-62345678, (0755)2345678, +86 21 62345678, ext. allowed.

    Structure: area code 010 / 02X (then an 8-digit local number) or 0[3-9]XX (7 or 8 digits); the leading 0 is
    required unless +86/0086 precedes; the local number does not start with 0 or 1. The area code must also be one
    libphonenumber knows (this rejects e.g. 026 and 0300, which are not assigned).
    """
    m = _LANDLINE_RE.fullmatch(s.strip())
    if m is None:
        return False
    if m["trunk"] is None and m["cc"] is None:
        return False
    area, local = m["area"], m["local1"] + m["local2"]
    if len(area) == 2 and len(local) != 8:
        return False
    known = area_codes()
    return not known or area in known


# ---------------------------------------------------------------------------------------------------------------
# unified social credit code (GB 32100-2015)

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_RE = re.compile(r"[1-9ANY][1-9][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def cn_uscc_valid(s: str) -> bool:
    """Unified social credit code: 18 characters, GB 32100 check character (stdnum.cn.uscc), plus format checks.

    Beyond stdnum's checksum: character 1 is a registering authority (1-9, A, N, Y), character 2 an entity category
    (1-9), characters 3-8 an administrative region code whose province part exists (or 10 for central organs;
    the full 6-digit code is not required: development zones use codes outside GB/T 2260). Upper case only, as
    printed on licences.
    """
    if len(s) != 18 or _USCC_RE.fullmatch(s) is None:
        return False
    if s[2:4] not in PROVINCE_CODES and s[2:4] != "10":
        return False
    from stdnum.cn import uscc

    return uscc.is_valid(s)


def cn_org_code_valid(code: str) -> bool:
    """Organization code (GB 11714): 8 digits/upper-case letters + check character (0-9 or X)."""
    if len(code) != 9 or not code.isascii() or not code[:8].isalnum() or code[:8] != code[:8].upper():
        return False
    total = sum(int(c, 36) * w for c, w in zip(code[:8], _ORG_WEIGHTS))
    value = 11 - total % 11
    return code[8] == ("X" if value == 10 else "0" if value == 11 else str(value))


def cn_uscc_strong(s: str) -> bool:
    """A valid USCC whose embedded organization code (characters 9-17) also passes GB 11714: two independent checks.

    Codes issued by converting an existing organization code keep it there; a chance string passes both checks with
    probability ~1/341, so this is what lets a recognizer be certain.
    """
    return cn_uscc_valid(s) and cn_org_code_valid(s[8:17])


# ---------------------------------------------------------------------------------------------------------------
# licence plates (GA 36-2018)

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SUFFIXES = "挂学警港澳领试超"
_PLATE_LETTER = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0
_PLATE_RE = re.compile(
    rf"[{PLATE_PROVINCES}][A-HJ-NP-Z]"
    r"(?P<serial>"
    # new energy, small vehicles: D (battery electric) / F (other) + letter-or-digit + 4 digits; since 2021 MPS also
    # issues A, B, C, E (electric) and G, H, J, K (other) in the first position
    r"[A-HJK][A-HJ-NP-Z0-9][0-9]{4}"
    # new energy, large vehicles: 5 digits + D/F
    r"|[0-9]{5}[DF]"
    # ordinary: 5 letters/digits, at most two letters (checked below)
    r"|[A-HJ-NP-Z0-9]{5}"
    # special-use: 4 letters/digits + 挂 (trailer), 学 (learner), 警 (police), 港/澳 (cross-border), 领 (consular), …
    rf"|[A-HJ-NP-Z0-9]{{4}}[{PLATE_SUFFIXES}])"
)
_PLATE_SEPARATORS = str.maketrans("", "", " ·•・.-")


def cn_plate_valid(s: str) -> bool:
    """Motor vehicle plate: province abbreviation + issuing-office letter (not I/O) + serial, separators ignored.

    Serial: 5 characters from digits and letters without I/O, at most 2 of them letters (GA 36-2018); or the 6-character
    new-energy forms (letter D/F/A-K then 5, or 5 digits then D/F); or 4 + a special-use suffix character.
    """
    s = s.translate(_PLATE_SEPARATORS)
    m = _PLATE_RE.fullmatch(s)
    if m is None:
        return False
    serial = m["serial"]
    if len(serial) == 5 and serial[-1] not in PLATE_SUFFIXES:
        return sum(c.isalpha() for c in serial) <= 2
    return True


# ---------------------------------------------------------------------------------------------------------------
# internet identifiers

_QQ_RE = re.compile(r"[1-9][0-9]{4,10}")
_WECHAT_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")


def cn_qq_valid(s: str) -> bool:
    """QQ number: 5-11 ASCII digits, no leading zero (numbers are assigned from 10000 upward)."""
    return _QQ_RE.fullmatch(s) is not None


def cn_wechat_id_valid(s: str) -> bool:
    """WeChat id: a letter then 5-19 letters/digits/_/- (WeChat's own rule), or a mobile number or legacy QQ number
    (both can serve as the id people share)."""
    return _WECHAT_RE.fullmatch(s) is not None or cn_mobile_valid(s) or cn_qq_valid(s)


_LOCAL_RE = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*")
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@functools.lru_cache(maxsize=1)
def _suffix_extractor():
    import tldextract

    # suffix_list_urls=() and cache_dir=None: use the public-suffix snapshot bundled with the package, never the
    # network or a cache directory. (The module-level tldextract.extract downloads the list on first use.)
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def email_valid(s: str) -> bool:
    """E-mail address: dot-atom local part (≤64), host labels (≤63 each, ≤253 in all) under a known public suffix.

    The suffix is checked offline against tldextract's bundled public suffix list, and a registrable name must sit
    in front of it ("a@com", "a@b.invalidtld" fail).
    """
    if not s.isascii() or s.count("@") != 1:
        return False
    local, host = s.split("@")
    if not 0 < len(local) <= 64 or _LOCAL_RE.fullmatch(local) is None:
        return False
    if len(host) > 253:
        return False
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return False
    return _registrable(host.lower())


@functools.lru_cache(maxsize=65536)
def _registrable(host: str) -> bool:
    """A registrable name under a known public suffix. Cached: a corpus names the same few hosts over and over
    (an e-mail archive's own domain in every header), and the suffix lookup is most of an address's check."""
    parts = _suffix_extractor()(host)
    return bool(parts.suffix) and bool(parts.domain)


# Top-level labels common enough that "abc@example.comqq" can be read as "abc@example.com" + "qq"; for any other
# cut inside the last label we need a change of case ("abc@example.comTel"), or "abc@example.invalidtld" would
# become "abc@example.in".
_COMMON_TLDS = frozenset({"com", "cn", "net", "org", "edu", "gov", "info", "biz", "hk", "tw", "mo", "io", "me"})


def email_trim(s: str) -> str | None:
    """The longest valid e-mail address that `s` starts with, cut inside or before its last host label, or None.

    For scraped text that glues the next word to an address: "abc@example.comTel" → "abc@example.com",
    "abc@example.comqq" → "abc@example.com", "abc@example.com.Thanks" → "abc@example.com". A cut inside the last
    label needs a case change there or a common top-level label in front of it. Only the end moves.
    """
    if "@" not in s:
        return None
    at = s.rindex("@")
    for _ in range(2):
        dot = s.rfind(".", at)
        if dot < 0:
            return None
        label = s[dot + 1:]
        for cut in range(len(label) - 1, 1, -1):
            head, rest = label[:cut], label[cut:]
            case_change = (head.islower() and rest[0].isupper()) or (head.isupper() and rest[0].islower())
            if (case_change or head.lower() in _COMMON_TLDS) and email_valid(s[:dot + 1 + cut]):
                return s[:dot + 1 + cut]
        s = s[:dot]
        if email_valid(s):
            return s
    return None
