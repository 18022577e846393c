"""presidio's predefined recognizers kept for English text, each with the trigger the engine's candidate pass uses.

Kept: identifiers that are personal information and that a pattern plus a validator (checksum, phone-number
metadata) recognise reliably.

Left out on purpose, because on training corpora they report what is not personal information:
- DATE_TIME: every article has dates; a date alone identifies no one.
- URL: web text is full of links; a URL is not a person (domains are counted by the diversity stage).
- US_DRIVER_LICENSE, US_BANK_NUMBER, MEDICAL_LICENSE: their patterns match ordinary words and any 8-17 digit
  number, so nearly every hit is noise without a model to decide.
- UK_NHS: its 3-3-4 pattern is the North-American phone layout; one in eleven US phone numbers passes its checksum.
- PERSON, LOCATION, NRP: need a named-entity model; used when the user installs one (see OfflineNlpEngine).

A trigger is an RE2 pattern (no lookaround): every span the recognizer returns contains the start of a trigger
match. The engine runs one alternation of all triggers over the text and presidio only on windows around hits.
"""

from __future__ import annotations

import re

import phonenumbers
import rphonenumbers
from presidio_analyzer import EntityRecognizer, Pattern, RecognizerResult

from detectors.pii.presidio_steps import remove_duplicates
from detectors.pii.validators import PHONE_RUN_CHARS, grow, phone_run
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    CryptoRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UsItinRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)

__all__ = ["english_recognizers", "in_address_token", "PhoneNumberRecognizer", "TRIGGERS", "SENSITIVE", "DESCRIPTIONS", "PHONE_REGIONS"]

# Regions whose national formats libphonenumber tries (numbers written with +country code are found whatever the
# region). presidio's default is US, GB, DE, FR, IL, IN, CA, BR; each region is a full pass of the matcher, the
# costliest step of the engine, so: CA is dropped (the US pass finds North-American numbers), IL/BR national
# formats are dropped, and AU is added. DE and FR (TRUNK_REGIONS) are tried only where a digit run starts with 0:
# their national formats need the trunk prefix 0 (libphonenumber's VALID leniency checks it), so without one those
# two passes cannot find anything a US/GB/IN/AU pass does not.
PHONE_REGIONS = ("US", "GB", "IN", "AU")
TRUNK_REGIONS = ("DE", "FR")
# where a number kept from those passes can be (see _trunk_number): a 0 starting a run of 7+ digits with phone
# punctuation between them; anywhere else ("-0700" in a mail header) the two passes are not run at all
_TRUNK_RUN = re.compile(r"(?<![0-9])0(?:[\s().\-/]{0,4}[0-9]){6}")
_TRUNK_START = re.compile(r"\(?0[1-9]")


def _trunk_number(value: str) -> bool:
    """A German or French national number as written: trunk 0, then the area code, 7 digits or more in all."""
    return _TRUNK_START.match(value) is not None and sum(ch.isdigit() for ch in value) >= 7

TRIGGERS = {
    # 12-19 digits with single spaces or hyphens between them (PaymentCardRecognizer's pattern without lookaround)
    "CREDIT_CARD": r"[1-6][0-9](?:[- ]?[0-9]){10,17}",
    # base58/bech32 wallet addresses: 26+ letters and digits after '1', '3' or 'bc1'
    "CRYPTO": r"(?i:bc1|[13])(?i:[a-z0-9]){25}",
    "IBAN_CODE": r"[A-Z]{2}[0-9]{2}[ -]?[A-Z0-9]{4}",
    # IPv4 dotted quad; an IPv6 address presidio reports holds '::' ('h::' or '::h'; a bare '::' scores below the
    # threshold) or at least six groups, so it starts 'h:h:h:h:'. Not 'h:h:', which every time of day in an e-mail
    # header has ('16:39:'): that sent a window through the recognizer for each header line
    "IP_ADDRESS": r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|(?i:(?:[0-9a-f]{1,4}:){4}|[0-9a-f]{1,4}::|::[0-9a-f])",
    # phonenumbers finds numbers of 7+ digits with separators between them. '/' is left out: a number written
    # 212/555-0188 still has a 7-digit run inside it, and slash dates with times (10/24/2000 11:05), which fill
    # e-mail headers, then trigger nothing (libphonenumber rejects them anyway, at a cost)
    "PHONE_NUMBER": r"(?:\d[\s().\-]{0,3}){6,}\d",
    "US_SSN": r"\d{3}[- .]?\d{2}[- .]?\d{4}|\d{5}-\d{4}|\d{3}-\d{6}",
    "US_ITIN": r"9\d{2}[- ]?\d{2}[- ]?\d{4}",
    "US_PASSPORT": r"(?i:[a-z0-9])\d{8}",
}

SENSITIVE = {"CREDIT_CARD": True, "CRYPTO": False, "IBAN_CODE": True, "IP_ADDRESS": False, "PHONE_NUMBER": False,
             "US_SSN": True, "US_ITIN": True, "US_PASSPORT": True}

DESCRIPTIONS = {
    "CREDIT_CARD": "presidio's recognizer, wider pattern: 12-19 digits, Luhn checksum, issuer prefix and length",
    "CRYPTO": "presidio: bitcoin address, base58check / bech32 checksum",
    "IBAN_CODE": "presidio: country code, check digits and country length, ISO 13616 mod-97",
    "IP_ADDRESS": "presidio: IPv4 / IPv6 address, parsed by the ipaddress module",
    "PHONE_NUMBER": "presidio: libphonenumber match and validation (national formats of US/CA, GB, IN, AU; DE/FR after "
                    "a trunk 0; any +country); not inside e-mail addresses or message ids",
    "US_SSN": "presidio: 9 digits in SSN layout, invalid area/group/serial rejected; bare digits need context",
    "US_ITIN": "presidio: 9 digits starting with 9 and an ITIN group; needs context words unless formatted",
    "US_PASSPORT": "presidio: 9 digits or a letter and 8 digits; found only with context words (passport…)",
}


_SSN_RUN = frozenset("0123456789 .-")
_SSN_MEDIUM = re.compile(r"[0-9]{3}[- .][0-9]{2}[- .][0-9]{4}")  # presidio's "SSN5 (medium)" layout, 0.5


class SsnRecognizer(UsSsnRecognizer):
    """presidio's US SSN recognizer, telling the engine which hits cannot be reported without a context word."""

    @staticmethod
    def needs_context_for(text: str, start: int, end: int) -> bool:
        """True when no digit run around the hit has the 3-2-4 layout with separators: presidio's other SSN
        patterns score 0.05, under the threshold unless a context word (social, security, ssn…) is near. Any
        9-digit number triggers this recognizer (phone numbers, ids in e-mail headers)."""
        a, b = grow(text, start, end, _SSN_RUN, 12)
        return _SSN_MEDIUM.search(text, a, b) is None


class PassportRecognizer(UsPassportRecognizer):
    """presidio's US passport recognizer, telling the engine that no hit is reported without a context word."""

    @staticmethod
    def needs_context_for(text: str, start: int, end: int) -> bool:
        """Always: presidio's two patterns (9 digits; a letter and 8 digits) score 0.05 and 0.1 and nothing
        validates them, so only a context word (passport, travel, document, us…) lifts a hit over the threshold.
        Any run of nine digits triggers this recognizer."""
        return True


class PaymentCardRecognizer(CreditCardRecognizer):
    """presidio's credit-card recognizer (Luhn check, context words) with a pattern for all of today's cards.

    presidio's pattern takes 13-17 digits starting 1/3/4/5/6, so it misses 19-digit cards (UnionPay, Visa,
    Maestro), 12-digit Maestro and the 2-series Mastercard range (2221-2720): 31 of the 136 cards of
    presidio-research's own test set. Here: 12-19 digits, single spaces or hyphens between them, and after the Luhn
    check a valid issuer prefix and length.
    """

    PATTERNS = [Pattern("payment card (12-19 digits)", r"(?<![0-9-])[1-6][0-9](?:[- ]?[0-9]){10,17}(?![0-9])", 0.3)]

    def __init__(self, supported_language: str = "en"):
        super().__init__(patterns=self.PATTERNS, supported_language=supported_language,
                         name="PaymentCardRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        digits = "".join(ch for ch in pattern_text if ch.isdigit())
        if not (12 <= len(digits) <= 19 and _issuer_ok(digits)):
            return False
        return super().validate_result(pattern_text)


def _issuer_ok(digits: str) -> bool:
    """Issuer ranges (ISO/IEC 7812 IINs in use): Mir 2200-2204, Mastercard 2221-2720 and 51-55, Maestro 50 and
    56-58, Visa 4, Amex/Diners/JCB 3x, Discover/UnionPay/Maestro 6x, UATP 1 with 15 digits."""
    first = digits[0]
    if first in "346":
        return True
    if first == "5":
        return digits[1] in "012345678"
    if first == "2":
        p4 = int(digits[:4])
        return 2200 <= p4 <= 2204 or 2221 <= p4 <= 2720
    return first == "1" and len(digits) == 15


_ADDRESS_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+%@$!#&'*/=?^`{|}~")


_ADDRESS_REACH = 80


def in_address_token(text: str, start: int, end: int, reach: int = _ADDRESS_REACH) -> bool:
    """True when text[start:end] lies in a run of e-mail address characters holding '@': an e-mail address or a
    message id (<1993Apr15.123456.12345@host>, <1234567890.AA12345@host>), whose digits are no phone number.
    The run stops at spaces, brackets, punctuation and CJK characters (Chinese text has no spaces)."""
    a, b = grow(text, start, end, _ADDRESS_CHARS, reach)
    return "@" in text[a:b]


_DIGIT = re.compile("[0-9]")


def _has_digit(text: str, a: int, b: int) -> bool:
    return a < b and _DIGIT.search(text, a, b) is not None


_DOTTED_QUAD = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
_SSN_LAYOUT = re.compile(r"\d{3}-\d{2}-\d{4}")


def not_a_phone_layout(value: str) -> bool:
    """Values libphonenumber accepts whose layout says they are something else: an IPv4 address (four dot-separated
    groups, each at most 255; IP_ADDRESS reports it) or the US social security layout 3-2-4 (no national plan the
    recognizer tries groups a number so; US_SSN decides, with its own checks)."""
    quad = _DOTTED_QUAD.fullmatch(value)
    if quad is not None and all(int(group) <= 255 for group in quad.groups()):
        return True
    return _SSN_LAYOUT.fullmatch(value) is not None


class PhoneNumberRecognizer(PhoneRecognizer):
    """presidio's libphonenumber recognizer, minus numbers inside e-mail addresses and message ids.

    E-mail and Usenet headers are full of message ids whose digit runs libphonenumber accepts as valid numbers
    (`<1234567890.AA12345@host>`); they are not personal information, and the engine skips them before calling
    libphonenumber (its costliest step), so the rule lives here for the whole-document path too.
    """

    # national numbers of the US, GB, IN and AU plans; AU's 6-digit "13 xx xx" service numbers are left out on
    # purpose: in e-mail headers they are a timestamp's seconds and time zone ("12:34:13 -0700"), which presidio's
    # whole-document run reports (Enron: its only findings the fast path lacks, 6 in 3 MB)
    MIN_DIGITS = 9
    TRUNK_REGIONS: tuple[str, ...] = ()  # tried too where a digit run starts with the trunk prefix 0

    def __init__(self, *args, reference: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # the libphonenumber port: rphonenumbers (the matcher compiled, 4-13x faster on our windows and documents),
        # or, for the reference run (presidio on whole documents), phonenumbers, the port presidio ships with; the
        # parity test between the two runs then also checks that the ports agree
        self.phonelib = phonenumbers if reference else rphonenumbers

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list:
        return [r for r in self._match(self.matcher_text(text), nlp_artifacts)
                if not in_address_token(text, r.start, r.end) and not not_a_phone_layout(text[r.start:r.end])]

    def matcher_text(self, text: str) -> str:
        """What libphonenumber's matcher is given: the text, or a same-length variant of it (offsets must hold)."""
        return text

    def _match(self, text: str, nlp_artifacts=None) -> list[RecognizerResult]:
        """presidio's PhoneRecognizer.analyze (one matcher pass per region, results kept the same way), with the
        trunk-prefix regions added only when the text has a digit run starting with 0."""
        regions = tuple(self.supported_regions)
        if self.TRUNK_REGIONS and _TRUNK_RUN.search(text):
            regions += self.TRUNK_REGIONS
        results = []
        for region in regions:
            for match in self._numbers(text, region):
                if region in self.TRUNK_REGIONS and not _trunk_number(match.raw_string):
                    # a national number of these plans starts with its trunk 0 and has 7+ digits; what else their
                    # matcher takes is noise ("12:34:56 -0700" in a mail header gives "56 -0700", "05 -0700"),
                    # and a +/00 number is found by the other passes
                    continue
                # the region goes into the explanation; the matcher has parsed the number already (presidio parses
                # the matched text again, without a region, which fails for every national number)
                found_in = self.phonelib.region_code_for_number(match.number) or region
                results.append(self._get_recognizer_result(match, text, found_in, nlp_artifacts))
        return remove_duplicates(results)

    def _numbers(self, text: str, region: str) -> list:
        """libphonenumber's PhoneNumberMatcher over `text` with national formats of `region`."""
        try:
            return list(self.phonelib.PhoneNumberMatcher(text, region, leniency=self.leniency))
        except UnicodeEncodeError:
            # a lone surrogate (a text decoded with surrogatepass): a Rust string cannot hold one, the Python port
            # matches around it (rphonenumbers' functions take its PhoneNumber objects too)
            return list(phonenumbers.PhoneNumberMatcher(text, region, leniency=self.leniency))

    @staticmethod
    def widen_window(text: str, a: int, b: int) -> tuple[int, int]:
        """The engine's window [a, b] for this recognizer, its edges moved out of what the matcher and the address
        check must see whole (the engine snaps windows to word edges, and a hyphen, a space or an '@' is one):

        1. an edge inside a number: a neighbour's window could start at "2345-6789" inside "139-2345-6789" (a
           mainland mobile, whose own hit the HK/MO/TW recognizer skips), and the matcher read a Hong Kong number
           there that it does not find in the whole number. An edge with a digit beyond it, in the run of digits and
           phone punctuation, moves to the run's end;
        2. an edge inside a run of address characters moves to the run's end where the part added holds an '@': a
           number glued to an address ("…-1234abc|@host") is dropped only if `in_address_token` sees the '@' (and
           without one, the part added changes nothing and the matcher would read it for nothing).
        """
        ra, rb = grow(text, a, b, PHONE_RUN_CHARS, _ADDRESS_REACH)
        a, b = (ra if _has_digit(text, ra, a) else a), (rb if _has_digit(text, b, rb) else b)
        wa, wb = grow(text, a, b, _ADDRESS_CHARS, _ADDRESS_REACH)
        return (wa if "@" in text[wa:a] else a), (wb if "@" in text[b:wb] else b)

    def candidate(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The engine's check of a trigger hit before calling libphonenumber, its costliest step: None when no
        number this recognizer reports can be there. VALID leniency needs a whole national number (MIN_DIGITS) or
        a +country-code number, and the digit run around the hit has fewer; or the hit is in an address token."""
        run = phone_run(text, start, end)
        digits = sum(ch.isdigit() for ch in run)
        trunk = bool(self.TRUNK_REGIONS) and _TRUNK_RUN.search(run) is not None
        if digits < self.MIN_DIGITS and not (("+" in run or trunk) and digits >= 7):
            return None
        if in_address_token(text, start, end):
            return None
        return (start, end)


class EnglishPhoneRecognizer(PhoneNumberRecognizer):
    """PhoneNumberRecognizer for English text: US, GB, IN, AU national formats, and DE/FR ones after a trunk 0."""

    TRUNK_REGIONS = TRUNK_REGIONS


def english_recognizers(language: str = "en", reference: bool = False) -> list[EntityRecognizer]:
    """presidio's recognizers kept for English; `reference`: the phone recognizer uses phonenumbers (see
    PhoneNumberRecognizer)."""
    return [
        PaymentCardRecognizer(supported_language=language),
        CryptoRecognizer(supported_language=language),
        IbanRecognizer(supported_language=language),
        IpRecognizer(supported_language=language),
        EnglishPhoneRecognizer(supported_language=language, supported_regions=PHONE_REGIONS,
                               name="PhoneNumberRecognizer", reference=reference),
        SsnRecognizer(supported_language=language, name="UsSsnRecognizer"),
        UsItinRecognizer(supported_language=language),
        PassportRecognizer(supported_language=language, name="UsPassportRecognizer"),
    ]
