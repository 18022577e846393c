"""Presidio recognizers for Chinese personal information, each with a cheap validator and a candidate TRIGGER.

How the engine uses them (detectors/pii/engine.py): text is first converted with `validators.to_halfwidth` (same
length), one combined google-re2 pattern of every recognizer's TRIGGER finds candidates, and each recognizer runs on a
window around a candidate, followed by presidio's context enhancer and a 0.4 score threshold. So:

* patterns are written for halfwidth text, in the `regex` module's syntax. A keyword in front of a value (护照, QQ,
  微信, 姓名, 地址 …) is matched and then dropped from the span with `\\K` (keep-out: the span is only the value,
  exactly as a variable-length lookbehind would give). Measured on a 120-character window, a leading lookbehind
  made `regex` try it at every CJK position (40-120 µs per pattern); matching the keyword literally first and
  cutting it off with `\\K` costs 5-15 µs;
* digit boundaries are `(?<![0-9])` / `(?![0-9])`, never `\\b`, which does not fire between a Chinese character and a
  digit; classes are spelled `[0-9]`, not `\\d`, which would also match other scripts' digits that RE2's `[0-9]`
  (and the validators) do not;
* TRIGGER contract: every span a recognizer returns contains the start of a TRIGGER match, or a TRIGGER match starts
  at most 48 characters before it (keyword-introduced values); a TRIGGER match is at most 64 characters long; a
  TRIGGER is RE2 syntax (no lookaround, backreferences or possessive quantifiers) and has no capturing groups, so
  it can be wrapped in a named group of the combined pattern;
* patterns give the same results with or without IGNORECASE (presidio's default flags include it; these
  recognizers default to DOTALL|MULTILINE only): case-sensitive parts are checked again by the validators, and
  case-insensitive keywords use scoped `(?i:...)` groups, which RE2 understands too.

Scores: `validate_result` returns False for a failed check (presidio then drops the match), True only where the check
is strong enough to be certain (ID checksum + birth date + region; a USCC whose embedded organization code also
checks; a well-formed e-mail under a known public suffix), and None otherwise, which keeps the pattern's own score.
Patterns scored below 0.4 need a context word to be reported (see `needs_context`).
"""

from __future__ import annotations

import re
from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult

from detectors.pii import validators as v
from detectors.pii.presidio_steps import compiled_regex, remove_duplicates
from detectors.pii.recognizers_en import PhoneNumberRecognizer

FLAGS = regex.DOTALL | regex.MULTILINE
HAN = r"\p{Han}"
CONTRACT_MAX_LOOKBACK = 48  # the engine's window reaches this far in front of a trigger-free span
CONTRACT_MAX_TRIGGER_LEN = 64

# Province-level prefixes (first two digits of a region code), for triggers.
_PROV = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])"
# Allocated mobile blocks (see validators._MOBILE_RE), for the mobile trigger; 174 kept whole (the validator narrows).
_MOBILE_BLOCKS = r"1(?:3[0-9]|4[579]|5[0-35-9]|6[2567]|7[0-8]|8[0-9]|9[0-35-9])"
# 3-4-4 is the usual grouping; 4-4-3 and 3-3-5 occur too. Separators only between groups of 3+ digits: a table of
# small numbers ("138 2 4 6 8 10 12") must not read as a phone number.
_MOBILE_GROUPS = r"(?:[ -]?[0-9]{4}[ -]?[0-9]{4}|[0-9][ -]?[0-9]{4}[ -]?[0-9]{3}|[ -]?[0-9]{3}[ -]?[0-9]{5})"
_MOBILE_CORE = rf"1[3-9][0-9]{_MOBILE_GROUPS}"
# Punctuation and filler allowed between a keyword and the value it introduces ("QQ号码：", "护照号是 ", "微信(").
_FILL = r"(?:[:：#\s\-(\[【\"“'「]|是|为)"


class ChineseRecognizer(PatternRecognizer):
    """Base class: a PatternRecognizer configured from class attributes.

    ENTITY, PATTERNS, CONTEXT, TRIGGER, SENSITIVE and DESCRIPTION describe the recognizer for the engine and for
    `provenance pii entities`; `keep(pattern_name, matched)` lets a subclass apply a check that depends on which
    pattern matched (presidio's `validate_result` only sees the matched text).
    """

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[Pattern, ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    TRIGGER: ClassVar[str]
    SENSITIVE: ClassVar[bool] = False
    DESCRIPTION: ClassVar[str] = ""
    TRIGGER_PRECEDES_VALUE: ClassVar[bool] = False  # the trigger is a keyword before the value (QQ号, 姓名…)
    COUNTRY_CODE = "cn"

    def __init__(self, supported_language: str = "zh", **kwargs):
        kwargs.setdefault("supported_entity", self.ENTITY)
        kwargs.setdefault("name", type(self).__name__)
        kwargs.setdefault("patterns", list(self.PATTERNS))
        kwargs.setdefault("context", list(self.CONTEXT))
        kwargs.setdefault("global_regex_flags", FLAGS)
        super().__init__(supported_language=supported_language, **kwargs)

    @classmethod
    def needs_context(cls) -> bool:
        """True when some pattern's base score is below 0.4, so those matches are reported only with context."""
        return any(p.score < 0.4 for p in cls.PATTERNS)

    def keep(self, pattern_name: str, matched: str) -> bool:
        """Pattern-specific check after presidio's own; default keeps everything."""
        return True

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        """presidio's pattern analysis, then `keep` for each result."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [
            r for r in results
            if self.keep(r.analysis_explanation.pattern_name if r.analysis_explanation else "", text[r.start:r.end])
        ]


def _check(ok: bool) -> bool | None:
    """Validator outcome for a weak check: failing rejects the match, passing keeps the pattern's score."""
    return None if ok else False


# ---------------------------------------------------------------------------------------------------------------
# identity documents


class CnResidentIdRecognizer(ChineseRecognizer):
    """居民身份证号码: 18 characters (GB 11643) or the legacy 15 digits."""

    ENTITY = "CN_RESIDENT_ID"
    _DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    PATTERNS = (
        # groups may be separated once by a space or hyphen: 6 (region) 8 (birth date) 4 (sequence + check)
        Pattern("cn_resident_id_18",
                rf"(?<![0-9])[1-8][0-9]{{5}}[ -]?(?:19|20)[0-9]{{2}}{_DATE}[ -]?[0-9]{{3}}[0-9Xx](?![0-9])", 0.5),
        # legacy, no check digit: weak on its own
        Pattern("cn_resident_id_15", rf"(?<![0-9])[1-8][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}}(?![0-9])", 0.3),
    )
    # not "id": the engine matches context words as substrings, and "id" is inside too many words
    CONTEXT = ("身份证", "身份号码", "证件号", "公民身份", "idcard", "identity")
    TRIGGER = (rf"(?:^|[^0-9]){_PROV}[0-9]{{4}}[ -]?(?:(?:19|20)[0-9]{{2}}|[0-9]{{2}})[01][0-9][0-3][0-9]")
    SENSITIVE = True
    DESCRIPTION = ("18-character number: region code known to python-stdnum (any year), real birth date, GB 11643 "
                   "MOD 11-2 check; 15-digit legacy form: region + date only (needs context)")

    def validate_result(self, pattern_text: str) -> bool | None:
        """18 characters: certain when region, date and check digit agree. 15 digits: plausible at best."""
        ok = v.cn_resident_id_valid(pattern_text)
        if len(pattern_text.replace(" ", "").replace("-", "")) == 18:
            return ok
        return _check(ok)


class CnPassportRecognizer(ChineseRecognizer):
    """中华人民共和国护照 number, only right after the keyword 护照 / passport."""

    ENTITY = "CN_PASSPORT"
    TRIGGER_PRECEDES_VALUE = True
    _VALUE = r"(?:[EGDSP][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[DSP]E[0-9]{7})"
    _KEYWORD = rf"(?:护照|(?i:passport))\s?(?:号码|号|编号|(?i:no\.?|number))?{_FILL}{{0,4}}"
    PATTERNS = (Pattern("cn_passport", rf"{_KEYWORD}\K{_VALUE}(?![0-9A-Za-z])", 0.7),)
    CONTEXT = ("护照", "passport")
    TRIGGER = r"护照|(?i:passport)"
    SENSITIVE = True
    DESCRIPTION = ("after 护照/passport: E/G + 8 digits, E + letter (not I/O) + 7 digits, D/S/P(E) + 7-8 digits "
                   "(ordinary, diplomatic, service, public-affairs passports)")
    _FORMAT = regex.compile(_VALUE)

    def validate_result(self, pattern_text: str) -> bool | None:
        """Upper case only (the pattern may run case-insensitively)."""
        return _check(self._FORMAT.fullmatch(pattern_text) is not None)


class CnTravelPermitRecognizer(ChineseRecognizer):
    """Travel permits: 往来港澳通行证, 港澳居民来往内地通行证 (回乡证), 台湾居民来往大陆通行证 (台胞证), 往来台湾通行证."""

    ENTITY = "CN_TRAVEL_PERMIT"
    TRIGGER_PRECEDES_VALUE = True
    _KEYWORD = rf"(?:通行证|台胞证|回乡证)\s?(?:号码|号|编号|(?i:no\.?))?{_FILL}{{0,4}}"
    _LETTERED = (r"(?:C[0-9]{8}|C[A-HJ-NP-Z][0-9]{7}|W[0-9]{8}"  # mainland residents to HK/Macau (card, booklet)
                 r"|[HM][0-9]{8}(?:[0-9]{2})?"                   # HK (H) / Macau (M) residents to the mainland
                 r"|[LT][0-9]{8})")                               # mainland residents to Taiwan; T-prefixed Taiwan
    PATTERNS = (
        Pattern("cn_travel_permit", rf"{_KEYWORD}\K{_LETTERED}(?![0-9A-Za-z])", 0.7),
        # Taiwan residents' card-type permit (since 2015): 8 digits
        Pattern("cn_travel_permit_tw", rf"{_KEYWORD}\K[0-9]{{8}}(?![0-9A-Za-z])", 0.5),
    )
    CONTEXT = ("通行证", "台胞证", "回乡证", "港澳", "permit")
    TRIGGER = r"通行证|台胞证|回乡证"
    SENSITIVE = True
    DESCRIPTION = ("after 通行证/台胞证/回乡证: C/W + 8 digits, C + letter + 7 digits, H/M + 8 or 10 digits, "
                   "L/T + 8 digits, or 8 digits (Taiwan compatriot permit)")
    _FORMAT = regex.compile(rf"{_LETTERED}|[0-9]{{8}}")

    def validate_result(self, pattern_text: str) -> bool | None:
        """Upper-case letter prefixes only."""
        return _check(self._FORMAT.fullmatch(pattern_text) is not None)


# ---------------------------------------------------------------------------------------------------------------
# numbers


class CnMobilePhoneRecognizer(ChineseRecognizer):
    """Mainland mobile numbers, with or without +86 / 0086 / 86 and 3-4-4 grouping."""

    ENTITY = "CN_MOBILE_PHONE"
    _START = r"(?<![0-9])(?<![0-9]\.)"  # not inside a digit run, not the fraction of a decimal number
    _END = r"(?![0-9@])"  # "13912345678@example.com" is the local part of an e-mail address, reported as that
    PATTERNS = (
        Pattern("cn_mobile_intl", rf"{_START}(?:(?:\+|00)86|\(\+?86\)|\+\(86\))[ -]?{_MOBILE_CORE}{_END}", 0.7),
        # not below cn_mobile's score: presidio drops a contained result only when it does not score higher
        Pattern("cn_mobile_86", rf"{_START}86[ -]?{_MOBILE_CORE}{_END}", 0.6),
        Pattern("cn_mobile", rf"{_START}{_MOBILE_CORE}{_END}", 0.6),
    )
    CONTEXT = ("手机", "电话", "联系方式", "致电", "拨打", "短信", "号码", "tel", "phone", "mobile", "cell")
    TRIGGER = (rf"(?:^|[^0-9])(?:(?:\+|00)86|\(\+?86\)|\+\(86\)|86)?[ -]?"
               rf"{_MOBILE_BLOCKS}{_MOBILE_GROUPS}")
    DESCRIPTION = "11 digits in an MIIT-allocated mobile block (13x-19x), optional +86/0086/86, digit boundaries"

    def validate_result(self, pattern_text: str) -> bool | None:
        """Allocated block check; an 11-digit number is plausible, never certain."""
        return _check(v.cn_mobile_valid(pattern_text))


class CnLandlinePhoneRecognizer(ChineseRecognizer):
    """Mainland fixed-line numbers with area code: 010-62345678, (0755)2345678, +86 21 6234 5678, ext. 转123."""

    ENTITY = "CN_LANDLINE_PHONE"
    _LOCAL8 = r"[2-9][0-9]{3}[ -]?[0-9]{4}"
    _LOCAL78 = r"[2-9][0-9]{2,3}[ -]?[0-9]{4}"
    _EXT = r"(?: ?(?:转|分机|(?i:ext)\.?|[xX#]) ?[0-9]{1,6}|-[0-9]{1,6})?"
    _END = r"(?![0-9])"
    PATTERNS = (
        Pattern("cn_landline_intl",
                rf"(?<![0-9])(?:(?:\+|00)86|\(\+?86\))[ -]?"
                rf"(?:\(0?(?:10|2[0-9])\)[ -]?{_LOCAL8}|0?(?:10|2[0-9])[ -]?{_LOCAL8}"
                rf"|\(0?[3-9][0-9]{{2}}\)[ -]?{_LOCAL78}|0?[3-9][0-9]{{2}}[ -]?{_LOCAL78}){_EXT}{_END}", 0.6),
        Pattern("cn_landline_paren",
                rf"(?<![0-9])\((?:0(?:10|2[0-9])\)[ -]?{_LOCAL8}|0[3-9][0-9]{{2}}\)[ -]?{_LOCAL78}){_EXT}{_END}",
                0.55),
        Pattern("cn_landline_sep",
                rf"(?<![0-9])(?<![0-9]\.)(?:0(?:10|2[0-9])[ -]{_LOCAL8}|0[3-9][0-9]{{2}}[ -]{_LOCAL78}){_EXT}{_END}",
                0.5),
        # 11-12 bare digits starting with 0: plausible only; context words make it certain
        Pattern("cn_landline_bare",
                r"(?<![0-9])(?<![0-9]\.)(?:0(?:10|2[0-9])[2-9][0-9]{7}|0[3-9][0-9]{2}[2-9][0-9]{6,7})(?![0-9])", 0.4),
    )
    CONTEXT = ("电话", "座机", "固话", "传真", "总机", "热线", "分机", "tel", "fax", "phone")
    TRIGGER = (r"(?:^|[^0-9])(?:(?:(?:\+|00)86|\(\+?86\))[ -]?\(?0?|\(?0)"
               r"(?:10|2[0-9]|[3-9][0-9]{2})\)?[ -]?[2-9][0-9]{2}")
    DESCRIPTION = ("area code 010/02X/0XXX known to libphonenumber + 7-8 digit local number not starting with 0/1, "
                   "optional +86, parentheses, separators, extension")

    def validate_result(self, pattern_text: str) -> bool | None:
        """Area code and local-number length; never certain on its own."""
        return _check(v.cn_landline_valid(pattern_text))


class CnBankCardRecognizer(ChineseRecognizer):
    """Bank card numbers: 16-19 digits, optionally in groups of 4, Luhn-valid; UnionPay (62) scores higher."""

    ENTITY = "CN_BANK_CARD"
    _BODY = r"(?:[0-9]{14,17}|[0-9]{2}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?)"
    PATTERNS = (
        Pattern("cn_bank_card_unionpay", rf"(?<![0-9])62{_BODY}(?![0-9])", 0.6),
        # Visa/Mastercard/JCB/old 9558 cards: Luhn passes for 1 in 10 random numbers, so this needs context
        Pattern("cn_bank_card", rf"(?<![0-9])(?:[3-59][0-9]|6[013-9]){_BODY}(?![0-9])", 0.3),
    )
    CONTEXT = ("银行卡", "卡号", "账号", "帐号", "开户行", "开户", "储蓄卡", "信用卡", "借记卡", "银行", "card",
               "account")
    TRIGGER = r"(?:^|[^0-9])[3-69][0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}"
    SENSITIVE = True
    DESCRIPTION = ("16-19 digits (4-4-4-4(-3) grouping allowed), Luhn check; UnionPay 62-prefix scores 0.6, others "
                   "0.3 (need context); a valid resident ID number is not a card")

    def validate_result(self, pattern_text: str) -> bool | None:
        """Luhn is required; passing it only keeps the pattern score (1 in 10 random numbers pass)."""
        return _check(v.cn_bank_card_valid(pattern_text))

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """An 18-digit number that is a valid resident ID is an ID, not a card."""
        return len(pattern_text) == 18 and v.cn_resident_id_valid(pattern_text)


class CnUsccRecognizer(ChineseRecognizer):
    """统一社会信用代码 (unified social credit code, GB 32100)."""

    ENTITY = "CN_USCC"
    _CH = r"[0-9A-HJ-NP-RTUW-Y]"
    PATTERNS = (
        # with at least one letter: a chance digit string cannot be it
        Pattern("cn_uscc", rf"(?<![0-9A-Za-z])(?=[0-9]{{0,17}}[A-Z])[1-9ANY][1-9][0-9]{{6}}{_CH}{{10}}(?![0-9A-Za-z])",
                0.5),
        # all digits: the checksum alone passes 1 in 31 random numbers, so this needs context unless the embedded
        # organization code checks too (validate_result then makes it certain)
        Pattern("cn_uscc_digits", r"(?<![0-9A-Za-z])[1-9][1-9][0-9]{16}(?![0-9A-Za-z])", 0.2),
    )
    CONTEXT = ("统一社会信用代码", "信用代码", "社会信用", "税号", "纳税人识别号", "营业执照", "uscc")
    TRIGGER = rf"(?:^|[^0-9A-Za-z])[1-9ANY][1-9]{_PROV}[0-9]{{4}}{_CH}{{10}}"
    DESCRIPTION = ("18 characters: authority/category codes, province part of the region code, GB 32100 check "
                   "character; certain when the embedded GB 11714 organization code also checks")

    def validate_result(self, pattern_text: str) -> bool | None:
        """Two independent checks → certain; the GB 32100 check alone → pattern score; else rejected."""
        if v.cn_uscc_strong(pattern_text):
            return True
        return _check(v.cn_uscc_valid(pattern_text))

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """A valid resident ID number (18 digits) is an ID, not a USCC."""
        return v.cn_resident_id_valid(pattern_text)


class CnLicensePlateRecognizer(ChineseRecognizer):
    """机动车号牌: ordinary and new-energy plates (GA 36-2018), optional middle dot or space."""

    ENTITY = "CN_LICENSE_PLATE"
    _SEP = r"[ .·•・-]?"
    PATTERNS = (
        Pattern("cn_license_plate",
                rf"(?<![A-Za-z0-9])[{v.PLATE_PROVINCES}][A-HJ-NP-Z]{_SEP}"
                rf"(?:[A-HJK][A-HJ-NP-Z0-9][0-9]{{4}}|[0-9]{{5}}[DF]|[A-HJ-NP-Z0-9]{{4}}[{v.PLATE_SUFFIXES}]"
                rf"|[A-HJ-NP-Z0-9]{{5}})(?![A-Za-z0-9])", 0.5),
    )
    CONTEXT = ("车牌", "牌照", "号牌", "车辆", "车号", "plate")
    TRIGGER = rf"[{v.PLATE_PROVINCES}][A-HJ-NP-Z][ .·•・-]?[0-9A-HJ-NP-Z]{{4}}"
    DESCRIPTION = ("province abbreviation + letter (not I/O) + 5 characters with at most 2 letters, new-energy "
                   "6-character forms (D/F...), special-use suffixes (挂/学/警/港/澳...)")

    def validate_result(self, pattern_text: str) -> bool | None:
        """Serial structure (upper case, letter count, new-energy forms)."""
        return _check(v.cn_plate_valid(pattern_text))


# ---------------------------------------------------------------------------------------------------------------
# internet identifiers


class CnQqRecognizer(ChineseRecognizer):
    """QQ numbers, only after QQ / 扣扣 / 企鹅号 (a bare 5-11 digit number is anything)."""

    ENTITY = "CN_QQ"
    TRIGGER_PRECEDES_VALUE = True
    # "qq" hardly occurs inside other words, so no boundary in front ("...comQQ:12345" is glued scraped text);
    # a single Q only in 加Q / Q号 / Q群, never "Q:" (a question)
    _KEYWORD = (rf"(?:(?i:qq)|扣扣|企鹅号?|加[Qq]|[Qq](?=号|群))"
                rf"(?:{HAN}{{0,4}}群(?:号码|号)?|号码|号|账号|帐号)?(?:[/、]微信号?)?{_FILL}{{0,4}}")
    PATTERNS = (Pattern("cn_qq", rf"{_KEYWORD}\K[1-9][0-9]{{4,10}}(?![0-9])", 0.6),)
    CONTEXT = ("qq", "扣扣", "企鹅", "qq号", "qq群")
    TRIGGER = r"(?i:qq)|扣扣|企鹅|加[Qq]|[Qq]号|[Qq]群"
    DESCRIPTION = "5-11 digits without leading zero right after QQ/扣扣/企鹅号 (号码, 群, ：, 是 … in between)"

    def validate_result(self, pattern_text: str) -> bool | None:
        """Digits and length only: the keyword is the evidence."""
        return _check(v.cn_qq_valid(pattern_text))


class CnWechatRecognizer(ChineseRecognizer):
    """WeChat ids after 微信 / 微信号 / V信 / vx / wx / weixin / wechat."""

    ENTITY = "CN_WECHAT"
    TRIGGER_PRECEDES_VALUE = True
    _ID = (rf"(?:[A-Za-z][A-Za-z0-9_-]{{5,19}}|(?:\+?86[ -]?)?{_MOBILE_CORE}|[1-9][0-9]{{4,10}})"
           r"(?![A-Za-z0-9_@-])(?!\.[A-Za-z0-9])")
    # CJK keywords may touch the id ("微信abc123"); latin ones need a label ("wx: abc123", "wechat号 …")
    _CJK_KEYWORD = rf"(?:微信|(?i:v)信|威信|薇信)(?:{HAN}{{0,3}}号(?:码)?|账号|帐号|(?i:id))?{_FILL}{{0,4}}"
    _LATIN_KEYWORD = r"(?<![A-Za-z])(?i:wechat|weixin|vx|wx)(?:号|账号|帐号|\s{0,2}(?i:id))?"
    PATTERNS = (
        Pattern("cn_wechat", rf"(?:{_CJK_KEYWORD}|{_LATIN_KEYWORD}\s{{0,2}}[:：是为]{_FILL}{{0,3}})\K{_ID}", 0.6),
        # "vx abc123" with only spaces: the id must contain a digit, so English prose ("WeChat groups") is no id
        Pattern("cn_wechat_loose", rf"{_LATIN_KEYWORD}\s{{1,3}}\K(?=[A-Za-z_-]*[0-9]){_ID}", 0.5),
    )
    CONTEXT = ("微信", "wechat", "weixin", "vx", "wx", "v信")
    TRIGGER = r"微信|[Vv]信|威信|薇信|(?i:wechat|weixin|vx|wx)"
    DESCRIPTION = ("right after 微信/V信/vx/wx/weixin/wechat: a letter + 5-19 letters/digits/_/-, a mobile number, "
                   "or a QQ-style number")
    _NOT_IDS = frozenset({"wechat", "weixin", "account", "official", "number", "contact", "payment", "moments",
                          "groups", "channel", "channels", "public", "mini-program", "miniprogram", "http", "https"})

    def validate_result(self, pattern_text: str) -> bool | None:
        """WeChat's id rule, or a valid mobile / QQ-style number."""
        return _check(v.cn_wechat_id_valid(pattern_text))

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """Common English words after "WeChat" are not ids."""
        return pattern_text.lower() in self._NOT_IDS


class EmailRecognizer(ChineseRecognizer):
    """E-mail addresses with boundaries that work next to CJK text ("邮箱abc@example.com谢谢").

    Scraped text often glues the next word to the address ("abc@example.comTel:", "abc@example.com1234"): the
    pattern stops the top-level label at the first non-letter, and a match whose last label is not a known suffix
    is trimmed back to the longest valid address (see `validators.email_trim`) instead of being dropped.
    """

    ENTITY = "EMAIL_ADDRESS"
    COUNTRY_CODE = None  # language-neutral: the engine registers it for "en" as well
    PATTERNS = (
        Pattern("email",
                # not inside a longer address-like token; a lone ".", "+" or "-" in front (after a CJK character or
                # punctuation) is not part of the local part, which starts with a letter, digit, _ or %
                r"(?<![A-Za-z0-9_%])(?<![A-Za-z0-9_%][.+-])[A-Za-z0-9_%][A-Za-z0-9._%+-]{0,63}@"
                r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}", 0.5),
    )
    CONTEXT = ("邮箱", "邮件", "电邮", "信箱", "email", "e-mail", "mail")
    TRIGGER = r"[A-Za-z0-9._%+-]@[A-Za-z0-9]"  # (the engine runs analyze_whole instead: see there)
    MARK = "@"  # every match holds one: the engine calls analyze_whole on the texts that hold it
    DESCRIPTION = ("local@domain with CJK-safe boundaries; public suffix checked offline (tldextract bundled list); "
                   "a glued trailing word is trimmed off")
    # what the pattern needs after the '@' (its host part), and the run of local-part characters before it (ASCII
    # classes only: Python's re, cheaper per call than the regex module, means the same by them)
    _HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
    _LOCAL_RUN = re.compile(r"[A-Za-z0-9._%+-]{1,64}\Z")

    def validate_result(self, pattern_text: str) -> bool | None:
        """Well-formed and under a known public suffix → certain."""
        return v.email_valid(pattern_text)

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None,
                regex_flags: int | None = None) -> list[RecognizerResult]:
        """Like presidio's pattern analysis, but a failed match is trimmed to its longest valid prefix."""
        flags = regex_flags or self.global_regex_flags
        results = []
        for pattern in self.patterns:
            results += self._results(text, [m.span() for m in compiled_regex(pattern, flags).finditer(text)], pattern,
                                     flags)
        return remove_duplicates(results)

    def analyze_whole(self, text: str) -> list[RecognizerResult]:
        """`analyze(text, ...)` with the default flags: the same results, found from each '@' (`find`).

        The engine calls this on whole documents instead of running the recognizer on windows: an e-mail result
        never needs a context word (every one scores 1.0), and in e-mail headers, where addresses come by the
        dozen, the e-mail recognizer on windows took 60% of a pass over Enron (this way, a third of a pass 1.3x
        shorter)."""
        spans = self.find(text)
        if not spans:
            return []
        return remove_duplicates(self._results(text, spans, self.patterns[0], self.global_regex_flags))

    def find(self, text: str) -> list[tuple[int, int]]:
        """The spans of `finditer` of the pattern (compiled) over `text`, looked for only around '@'.

        `finditer` tries the pattern at every position of the text: in Python's regex module that is ~30 MB/s.
        Every match holds exactly one '@', the first after its start (the local part has none), with at most 64
        local-part characters before it. So for each '@' in turn: when the host part cannot follow it, no match
        uses it; else the match is the pattern's `match` at the leftmost start that works, tried from the start
        of the run of local-part characters in front of the '@' (and not before the end of the previous match,
        as finditer goes on from there). The pattern itself decides at each start, lookbehinds included (they
        see the text before the start), so the spans are finditer's.
        """
        at = text.find("@")
        if at < 0:
            return []
        (pattern,) = self.patterns
        compiled = compiled_regex(pattern, self.global_regex_flags)
        out: list[tuple[int, int]] = []
        pos = 0
        while at >= 0:
            if self._HOST.match(text, at + 1) is not None:
                run = self._LOCAL_RUN.search(text, max(pos, at - 64), at)
                for start in range(run.start(), at) if run is not None else ():
                    match = compiled.match(text, start)
                    if match is not None:
                        out.append(match.span())
                        pos = match.end()
                        break
            at = text.find("@", at + 1)
        return out

    def _results(self, text: str, spans: list[tuple[int, int]], pattern: Pattern,
                 flags: int) -> list[RecognizerResult]:
        """The results of the pattern's matches at `spans`: validated, or trimmed to a valid address."""
        results = []
        for start, end in spans:
            value = text[start:end]
            if not self.validate_result(value):
                trimmed = v.email_trim(value)
                if trimmed is None:
                    continue
                end = start + len(trimmed)
            explanation = self.build_regex_explanation(
                self.name, pattern.name, pattern.regex, pattern.score, True, flags)
            explanation.score = self.MAX_SCORE
            results.append(RecognizerResult(
                entity_type=self.ENTITY, start=start, end=end, score=self.MAX_SCORE,
                analysis_explanation=explanation,
                recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                      RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
            ))
        return results


# ---------------------------------------------------------------------------------------------------------------
# names and addresses (keyword-introduced)

# Common surnames (single-character ones that are mostly ordinary words, e.g. 由, 时, 全, 应, are left out: after
# 患者/负责人 without a colon the next word is as likely a verb as a name).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛"
    "曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席"
    "卫米柏宗瞿桂佟臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘闻厉伊仝郜阚权帅屠豆朴廉禹井祖漆巴丰卿狄宣晁芮扈鹿邸雍辜羊乌裘亓邰赫杭况"
    "逯隆茹诸慕亢嵇哈湛宾戎勾茅於呼揭尉冶斯束檀昝"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
                     "司徒", "夏侯", "端木", "轩辕", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "申屠",
                     "太史", "钟离", "闻人", "赫连", "万俟", "濮阳", "单于")


class CnPersonNameRecognizer(ChineseRecognizer):
    """Chinese names right after a label such as 姓名 / 联系人 / 收货人 / 法定代表人 / 患者."""

    ENTITY = "CN_PERSON_NAME"
    TRIGGER_PRECEDES_VALUE = True
    _KEYWORDS = "姓名|联系人|收货人|收件人|寄件人|负责人|户名|法定代表人|法人代表|法人|患者"
    # a name ends at a non-CJK character or before a word that commonly follows one in forms and prose
    _END = (rf"(?=[^{HAN}·•・]|$|先生|女士|小姐|同志|老师|医生|师傅|电话|手机|联系|地址|住址|性别|年龄|身份|籍贯|民族"
            r"|邮箱|微信|职务|职位|单位|出生|男|女|的|等|和|与|及|说|称|表示)")
    _MINORITY = rf"{HAN}{{1,8}}[·•・]{HAN}{{1,8}}(?:[·•・]{HAN}{{1,8}})?"
    _SURNAMED = rf"(?:(?:{'|'.join(COMPOUND_SURNAMES)}){HAN}{{1,2}}?|[{SURNAMES}]{HAN}{{1,3}}?)"
    PATTERNS = (
        # labelled: "姓名：张三", "收货人 李四"
        Pattern("cn_name_labelled",
                rf"(?:{_KEYWORDS})(?:\s{{0,2}}[:：]\s{{0,2}}|\s{{1,2}})\K(?:{_MINORITY}|{HAN}{{2,4}}?){_END}", 0.6),
        # inline: "患者王某某", "联系人张三" — only names that start with a known surname
        Pattern("cn_name_inline", rf"(?:{_KEYWORDS})\K{_SURNAMED}{_END}", 0.5),
    )
    CONTEXT = ("姓名", "联系人", "收货人", "收件人", "寄件人", "负责人", "户名", "法定代表人", "法人", "患者")
    TRIGGER = "姓名|联系人|收货人|收件人|寄件人|负责人|户名|法定代表人|法人|患者"
    DESCRIPTION = ("2-4 CJK characters (or a ·-joined minority name) right after 姓名/联系人/收货人/…; without a "
                   "colon only surname-initial words; placeholders such as 不详/未知 rejected")
    _NOT_NAMES = ("不详", "未知", "保密", "匿名", "本人", "如下", "信息", "姓名", "待定", "暂无", "暂缺", "空白", "某某",
                  "同上", "见附", "电话", "手机", "地址", "联系", "方式", "签字", "签名", "盖章", "代表", "填写", "必填",
                  "请填", "无", "其他", "其它", "家属", "自述", "自诉", "出现", "表示", "介绍", "称", "是", "为", "在",
                  "已", "因", "及", "与", "需", "应", "要", "可", "将", "由", "对", "到", "入院", "主诉")
    _TITLE_ENDINGS = ("先生", "女士", "小姐", "同志", "老师", "师傅")

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """Placeholders, field labels, verbs and surname + title forms are not names."""
        return pattern_text.startswith(self._NOT_NAMES) or pattern_text.endswith(self._TITLE_ENDINGS)


class CnAddressRecognizer(ChineseRecognizer):
    """Addresses after 地址 / 住址 / 户籍地 (labelled) or 家住 / 住在 / 现住 (inline)."""

    ENTITY = "CN_ADDRESS"
    TRIGGER_PRECEDES_VALUE = True
    _BODY = rf"[{HAN}0-9A-Za-z#\-]{{6,40}}?"
    _END = (rf"(?=[^{HAN}0-9A-Za-z#\-]|$|电话|手机|联系|邮编|邮政|姓名|收货人|收件人|座机|传真|邮箱|微信|(?i:qq)|身份证"
            r"|电子|电邮|网址|官网|主页|营业|时间|的|附近|旁边|一带)")
    PATTERNS = (
        Pattern("cn_address_labelled", rf"(?:地址|住址|户籍地)(?:\s{{0,2}}[:：]\s{{0,2}}|是|为|在|\s)?\K{_BODY}{_END}",
                0.6),
        Pattern("cn_address_inline", rf"(?:家住|住在|现住)(?:在|于)?\K{_BODY}{_END}", 0.45),
    )
    CONTEXT = ("地址", "住址", "户籍", "收货", "通讯", "居住")
    TRIGGER = "地址|住址|户籍地|家住|住在|现住"
    DESCRIPTION = ("6-40 CJK/digits after 地址/住址/户籍地/家住/住在/现住 up to punctuation or the next field, with an "
                   "address unit (省/市/区/县/路/街/号/村/镇; two after the inline verbs)")
    _UNITS = frozenset("省市区县路街号村镇乡道巷弄栋室楼")
    _CORE_UNITS = frozenset("省市区县路街号村镇")
    _NOT_ADDRESSES = ("变更", "修改", "更改", "填写", "请", "如下", "不详", "未知", "同上", "见", "一起", "这里", "那里",
                      "哪里", "一个", "附近", "隔壁", "对面", "楼上", "楼下")

    def validate_result(self, pattern_text: str) -> bool | None:
        """At least one address unit character."""
        return _check(any(c in self._CORE_UNITS for c in pattern_text))

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """Form instructions and pronoun-like places ("住在一起", "地址变更为…") are not addresses."""
        return pattern_text.startswith(self._NOT_ADDRESSES)

    def keep(self, pattern_name: str, matched: str) -> bool:
        """After a verb (住在 …) ask for two unit characters: "住在一个小区里" has one."""
        if pattern_name == "cn_address_inline":
            return sum(c in self._UNITS for c in matched) >= 2
        return True


# ---------------------------------------------------------------------------------------------------------------

RECOGNIZER_CLASSES: tuple[type[ChineseRecognizer], ...] = (
    CnResidentIdRecognizer,
    CnMobilePhoneRecognizer,
    CnLandlinePhoneRecognizer,
    CnBankCardRecognizer,
    CnUsccRecognizer,
    CnPassportRecognizer,
    CnTravelPermitRecognizer,
    CnLicensePlateRecognizer,
    CnQqRecognizer,
    CnWechatRecognizer,
    EmailRecognizer,
    CnPersonNameRecognizer,
    CnAddressRecognizer,
)

# Entities whose recognizers also apply to English text (the engine registers them for "en" too).
NEUTRAL = {"EMAIL_ADDRESS"}


NATIONAL_SCORE = 0.3
_MOBILE_RUN = regex.compile(r"\+?[0-9]+(?:[ -][0-9]+){0,3}")
# a word of two or more Latin letters glued to a number ("+886912345678Email:", "TEL0912345678"): Chinese text has no
# spaces, and libphonenumber's matcher drops a number touching a Latin letter. A single letter is left alone: it
# may be an extension mark ("x12") or part of a code.
_GLUED_WORD = regex.compile(r"(?<=[0-9])[A-Za-z]{2,}|[A-Za-z]{2,}(?=\+?[0-9])")


def unglue(text: str) -> str:
    """`text` with Latin words glued to a number turned into spaces: same length, so offsets do not move."""
    return _GLUED_WORD.sub(lambda m: " " * len(m.group()), text)


class GreaterChinaPhoneRecognizer(PhoneNumberRecognizer):
    """Phone numbers of Hong Kong, Macau and Taiwan, and any number written with a +country code, in Chinese text.

    libphonenumber (presidio's PhoneRecognizer) does the matching and validation. Mainland numbers are left to the
    mobile and landline recognizers above (their checks are stricter), so a +86 number is not reported twice.
    Service numbers (400/800) are not personal information and are not reported.
    """

    ENTITY = "PHONE_NUMBER"
    CONTEXT = ("电话", "手机", "联系", "致电", "热线", "tel", "phone", "mobile", "whatsapp")
    SENSITIVE = False
    MIN_DIGITS = 8  # Hong Kong and Macau numbers have 8 digits
    DESCRIPTION = ("libphonenumber match and validation for HK, MO, TW national formats and any +country number; "
                   "mainland numbers are left to CN_MOBILE_PHONE / CN_LANDLINE_PHONE")

    def __init__(self, supported_language: str = "zh", reference: bool = False):
        super().__init__(context=list(self.CONTEXT), supported_language=supported_language,
                         supported_regions=("HK", "MO", "TW"), name=type(self).__name__, reference=reference)

    def candidate(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        span = super().candidate(text, start, end)
        return None if span is None or self.never_matches(text, start, end) else span

    @staticmethod
    def never_matches(text: str, start: int, end: int) -> bool:
        """True for a mainland mobile layout: 11 digits starting with 1, optionally after +86/0086/86, written
        whole or grouped with spaces or hyphens. No Hong Kong, Macau or Taiwan number has that form (the +86 ones
        are mainland numbers, which this recognizer leaves out), and libphonenumber's inner matches split at
        space-hyphen or fullwidth dashes only, leaving groups too short to be numbers: nothing to report."""
        run = v.phone_run(text, start, end).strip()
        if not _MOBILE_RUN.fullmatch(run):
            return False
        digits = "".join(ch for ch in run if ch.isdigit())
        for prefix in ("0086", "86"):
            if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
                digits = digits[len(prefix):]
        return len(digits) == 11 and digits[0] == "1"

    @staticmethod
    def needs_context_for(text: str, start: int, end: int) -> bool:
        """True when every number around this trigger hit can only score NATIONAL_SCORE: the run of digits and
        phone punctuation around it has no '+' and fewer than 10 digits. The engine then skips the hit unless a
        context word is near (without one the result would fall under the threshold anyway)."""
        run = v.phone_run(text, start, end)
        return "+" not in run and sum(ch.isdigit() for ch in run) < 10

    def matcher_text(self, text: str) -> str:
        """The matcher sees the text with glued words spaced out (the address check sees the text itself)."""
        return unglue(text)

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        kept = []
        for result in super().analyze(text, entities, nlp_artifacts):
            try:
                region = self.phonelib.region_code_for_number(self.phonelib.parse(text[result.start:result.end], "HK"))
            except self.phonelib.NumberParseException:
                region = None
            if region == "CN":
                continue
            value = text[result.start:result.end]
            if not value.lstrip("(（ ").startswith(("+", "00")) and sum(ch.isdigit() for ch in value) < 10:
                # an 8-9 digit national number (Hong Kong, Macau) is as likely a figure, a year span or a train
                # number in Chinese prose ("（2700-1700万年前）"): below the threshold unless a context word (电话,
                # 热线…) is near. Taiwan's 10-digit numbers (09xx-xxx-xxx, 0x-xxxx-xxxx) are distinctive enough.
                result.score = NATIONAL_SCORE
            kept.append(result)
        return kept


def chinese_recognizers(language: str = "zh") -> list[ChineseRecognizer]:
    """One instance of each recognizer, registered for `language`."""
    return [cls(supported_language=language) for cls in RECOGNIZER_CLASSES]
