"""Chinese presidio recognizers (detectors/pii/recognizers_zh.py): spans found and not found, and the TRIGGER contract.

Recognizers run the way the engine runs them: on `to_halfwidth` text, `analyze(text, entities=[ENTITY],
nlp_artifacts=None)`, with 0.4 as the reporting threshold (context enhancement is the engine's job, so patterns
whose base score is below 0.4 are tested for score > 0 and listed in `test_which_recognizers_need_context`).

All identifiers are synthetic: check digits are computed by the helpers below; names are 张三/李四-style inventions;
e-mail domains are example.com / example.cn.
"""

from __future__ import annotations

import random
import re

import pytest
import re2
import regex

from detectors.pii import validators as v
from detectors.pii.recognizers_zh import (
    CONTRACT_MAX_LOOKBACK,
    CONTRACT_MAX_TRIGGER_LEN,
    NEUTRAL,
    RECOGNIZER_CLASSES,
    chinese_recognizers,
)
from tests.detectors.pii_results import explained

# ------------------------------------------------------------------------------------------------------------
# synthetic identifiers (independent check-digit implementations)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(region: str, birth: str, seq: str = "123") -> str:
    body = region + birth + seq
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]


def luhn_ok(digits: str) -> bool:
    nums = [int(c) for c in digits][::-1]
    return sum(x if i % 2 == 0 else (x * 2 if x * 2 < 10 else x * 2 - 9) for i, x in enumerate(nums)) % 10 == 0


def luhn_complete(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def wrong_last(s: str) -> str:
    return s[:-1] + ("0" if s[-1] != "0" else "1")


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code(body8: str) -> str:
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body8]
    c9 = 11 - sum(x * w for x, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return body8 + {10: "X", 11: "0"}.get(c9, str(c9))


def make_uscc(first17: str) -> str:
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, weights))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def grouped(digits: str, sep: str = " ") -> str:
    return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4))


ID18 = make_id("110105", "19900307")
ID18_X = next(x for x in (make_id("310104", "19851111", f"{s:03d}") for s in range(1000)) if x.endswith("X"))
ID15 = "110105900307123"
CARD_UP = luhn_complete("622202" + "123456789012")  # 19 digits, UnionPay
CARD_UP16 = luhn_complete("6217" + "12345678901")   # 16 digits, UnionPay
CARD_VISA = luhn_complete("4" + "12345678901234")   # 16 digits, not UnionPay
# a valid resident ID from Gansu (62…) that also passes Luhn: must not be reported as a bank card
ID_GANSU_LUHN = next(x for x in (make_id("620102", "19880808", f"{s:03d}") for s in range(1000))
                     if luhn_ok(x) and x[-1] != "X")
USCC_STRONG = make_uscc("91110108" + org_code("MA01B2C3"))
USCC_PLAIN = make_uscc("92440300" + "L12345678")  # organization code part does not check
USCC_DIGITS_STRONG = next(u for u in (make_uscc("91310115" + org_code(f"{n:08d}")) for n in range(10000000, 10001000))
                          if u.isdigit())
USCC_DIGITS_PLAIN = next(u for u in (make_uscc("91310115" + f"{n:09d}") for n in range(100000000, 100001000))
                         if u.isdigit() and not v.cn_org_code_valid(u[8:17]))

RECS = {r.ENTITY: r for r in chinese_recognizers()}


def run(entity: str, text: str, min_score: float = 0.4):
    """[(span text, entity, score)] for one recognizer on halfwidth text, spans taken from the ORIGINAL text."""
    rec = RECS[entity]
    half = v.to_halfwidth(text)
    assert len(half) == len(text)
    results = rec.analyze(half, entities=[rec.ENTITY], nlp_artifacts=None)
    return sorted(((text[r.start:r.end], r.entity_type, r.score) for r in results if r.score >= min_score),
                  key=lambda t: text.index(t[0]))


# ------------------------------------------------------------------------------------------------------------
# what each recognizer must find: (entity, text, expected span)

POSITIVE = [
    # resident ID
    ("CN_RESIDENT_ID", f"身份证号{ID18}，请核对", ID18),
    ("CN_RESIDENT_ID", f"身份证号码：{ID18_X}。", ID18_X),
    ("CN_RESIDENT_ID", f"ID:{ID18_X[:-1]}x", ID18_X[:-1] + "x"),
    ("CN_RESIDENT_ID", f"证件号 {ID18[:6]} {ID18[6:14]} {ID18[14:]} 已登记", f"{ID18[:6]} {ID18[6:14]} {ID18[14:]}"),
    ("CN_RESIDENT_ID", f"身份证：{fullwidth(ID18)}", fullwidth(ID18)),
    ("CN_RESIDENT_ID", f"申请人{make_id('110103', '20150601')}", make_id("110103", "20150601")),  # abolished region
    # mobile
    ("CN_MOBILE_PHONE", "电话13912345678联系", "13912345678"),
    ("CN_MOBILE_PHONE", "手机：+86 139-1234-5678。", "+86 139-1234-5678"),
    ("CN_MOBILE_PHONE", "tel:008613912345678", "008613912345678"),
    ("CN_MOBILE_PHONE", "请拨打(+86)15012345678咨询", "(+86)15012345678"),
    ("CN_MOBILE_PHONE", "call 8618612345678 now", "8618612345678"),
    ("CN_MOBILE_PHONE", "联系方式139 1234 5678，张三", "139 1234 5678"),
    ("CN_MOBILE_PHONE", "手机1391-2345-678", "1391-2345-678"),
    ("CN_MOBILE_PHONE", "手机号：１３９１２３４５６７８", "１３９１２３４５６７８"),
    ("CN_MOBILE_PHONE", "号码是１９９－１２３４－５６７８吗", "１９９－１２３４－５６７８"),
    ("CN_MOBILE_PHONE", "a13912345678", "13912345678"),
    # landline
    ("CN_LANDLINE_PHONE", "电话：010-62345678", "010-62345678"),
    ("CN_LANDLINE_PHONE", "座机(0755)23456789。", "(0755)23456789"),
    ("CN_LANDLINE_PHONE", "电话01062345678谢谢", "01062345678"),
    ("CN_LANDLINE_PHONE", "Tel: +86 21 5234 5678", "+86 21 5234 5678"),
    ("CN_LANDLINE_PHONE", "总机010-62345678转123，", "010-62345678转123"),
    ("CN_LANDLINE_PHONE", "传真：０５７１－８７６５４３２１", "０５７１－８７６５４３２１"),
    ("CN_LANDLINE_PHONE", "（０２０）８３４５６７８９", "（０２０）８３４５６７８９"),
    # bank card
    ("CN_BANK_CARD", f"银行卡号：{CARD_UP}，开户行：某银行", CARD_UP),
    ("CN_BANK_CARD", f"卡号{grouped(CARD_UP)}", grouped(CARD_UP)),
    ("CN_BANK_CARD", f"账号 {grouped(CARD_UP16, '-')} 户名张三", grouped(CARD_UP16, "-")),
    ("CN_BANK_CARD", f"卡号{fullwidth(CARD_UP16)}", fullwidth(CARD_UP16)),
    # unified social credit code
    ("CN_USCC", f"统一社会信用代码：{USCC_STRONG}", USCC_STRONG),
    ("CN_USCC", f"统一社会信用代码{USCC_DIGITS_STRONG}，", USCC_DIGITS_STRONG),
    ("CN_USCC", f"税号{USCC_PLAIN}。", USCC_PLAIN),
    # passport
    ("CN_PASSPORT", "护照号码：E12345678", "E12345678"),
    ("CN_PASSPORT", "护照号EA1234567，", "EA1234567"),
    ("CN_PASSPORT", "passport no. G12345678", "G12345678"),
    ("CN_PASSPORT", "护照（Ｅ１２３４５６７８）", "Ｅ１２３４５６７８"),
    # travel permits
    ("CN_TRAVEL_PERMIT", "港澳通行证：C12345678", "C12345678"),
    ("CN_TRAVEL_PERMIT", "往来港澳通行证号码CA1234567。", "CA1234567"),
    ("CN_TRAVEL_PERMIT", "台胞证号码12345678", "12345678"),
    ("CN_TRAVEL_PERMIT", "台湾居民来往大陆通行证 T12345678", "T12345678"),
    ("CN_TRAVEL_PERMIT", "回乡证H1234567801，", "H1234567801"),
    # plates
    ("CN_LICENSE_PLATE", "车牌号：京A·12345，", "京A·12345"),
    ("CN_LICENSE_PLATE", "一辆粤BD12345的车", "粤BD12345"),
    ("CN_LICENSE_PLATE", "大巴浙A12345D进站", "浙A12345D"),
    ("CN_LICENSE_PLATE", "车牌苏E1234挂", "苏E1234挂"),
    ("CN_LICENSE_PLATE", "沪Ａ１２３４５", "沪Ａ１２３４５"),
    # QQ
    ("CN_QQ", "QQ：123456789", "123456789"),
    ("CN_QQ", "qq号码是 12345678，", "12345678"),
    ("CN_QQ", "扣扣 12345", "12345"),
    ("CN_QQ", "QQ交流群：123456789", "123456789"),
    ("CN_QQ", "有事加Q123456789", "123456789"),
    ("CN_QQ", "联系QQ１２３４５６７８９", "１２３４５６７８９"),
    # WeChat
    ("CN_WECHAT", "微信：zhangsan_88", "zhangsan_88"),
    ("CN_WECHAT", "加我微信abc12345谢谢", "abc12345"),
    ("CN_WECHAT", "微信号 13912345678", "13912345678"),
    ("CN_WECHAT", "wx: li-si-2020，", "li-si-2020"),
    ("CN_WECHAT", "加vx abc123 送资料", "abc123"),
    ("CN_WECHAT", "WeChat ID: zhangsan88", "zhangsan88"),
    ("CN_WECHAT", "V信：zs_2020a", "zs_2020a"),
    # e-mail
    ("EMAIL_ADDRESS", "邮箱abc@example.com谢谢", "abc@example.com"),
    ("EMAIL_ADDRESS", "Email:zhang.san@mail.example.cn。", "zhang.san@mail.example.cn"),
    ("EMAIL_ADDRESS", "邮箱：ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
    ("EMAIL_ADDRESS", "联系-abc@example.com", "abc@example.com"),
    ("EMAIL_ADDRESS", "li_si@example.comTel:010-62345678", "li_si@example.com"),
    ("EMAIL_ADDRESS", "12345@example.com1234", "12345@example.com"),
    ("EMAIL_ADDRESS", "write to a.b+tag@example.co.uk.", "a.b+tag@example.co.uk"),
    # names
    ("CN_PERSON_NAME", "姓名：张三，性别：男", "张三"),
    ("CN_PERSON_NAME", "收货人：欧阳娜娜，电话13912345678", "欧阳娜娜"),
    ("CN_PERSON_NAME", "联系人李四电话13912345678", "李四"),
    ("CN_PERSON_NAME", "患者王某某，男，45岁", "王某某"),
    ("CN_PERSON_NAME", "法定代表人：阿依古丽·买买提。", "阿依古丽·买买提"),
    ("CN_PERSON_NAME", "姓名张三丰电话", "张三丰"),
    ("CN_PERSON_NAME", "寄件人 赵六", "赵六"),
    # addresses
    ("CN_ADDRESS", "地址：北京市海淀区中关村大街1号，电话010-62345678", "北京市海淀区中关村大街1号"),
    ("CN_ADDRESS", "收货地址：广东省深圳市南山区科技园路1号 收货人", "广东省深圳市南山区科技园路1号"),
    ("CN_ADDRESS", "家住上海市浦东新区张江路88号。", "上海市浦东新区张江路88号"),
    ("CN_ADDRESS", "住址浙江省杭州市西湖区文三路100号3单元501室电话", "浙江省杭州市西湖区文三路100号3单元501室"),
]

# found, but below the 0.4 threshold on their own: the engine reports them only with a context word
NEEDS_CONTEXT = [
    ("CN_RESIDENT_ID", f"旧证号{ID15}。", ID15),
    ("CN_BANK_CARD", f"信用卡{CARD_VISA}", CARD_VISA),
    ("CN_USCC", f"代码{USCC_DIGITS_PLAIN}", USCC_DIGITS_PLAIN),
]

# texts where the recognizer must report nothing at all (score > 0)
NEGATIVE = [
    ("CN_RESIDENT_ID", f"订单号{wrong_last(ID18)}"),                   # check digit wrong
    ("CN_RESIDENT_ID", f"流水号{make_id('110105', '19990230')}"),      # 30 February
    ("CN_RESIDENT_ID", f"编号{make_id('119900', '19900307')}"),        # region code never existed
    ("CN_RESIDENT_ID", f"编号1{ID18}2"),                                # inside a longer digit run
    ("CN_RESIDENT_ID", "2020年12月31日，价格1999元"),
    ("CN_MOBILE_PHONE", "订单号2013912345678901"),                     # inside a longer digit run
    ("CN_MOBILE_PHONE", "号码15412345678"),                             # 154 never allocated
    ("CN_MOBILE_PHONE", "号码19412345678"),                             # 194 not allocated
    ("CN_MOBILE_PHONE", "139123456789"),                                # 12 digits
    ("CN_MOBILE_PHONE", "比例0.13912345678"),                           # decimal fraction
    ("CN_MOBILE_PHONE", "2020年12月，价格1399元"),
    ("CN_MOBILE_PHONE", "138 2 4 6 8 10 12"),                           # a table of small numbers
    ("CN_MOBILE_PHONE", "QQ123456789"),
    ("CN_MOBILE_PHONE", "邮箱13912345678@example.com"),                 # an e-mail address's local part
    ("CN_LANDLINE_PHONE", "电话026-62345678"),                          # unassigned area code
    ("CN_LANDLINE_PHONE", "电话010-12345678"),                          # local number starting with 1
    ("CN_LANDLINE_PHONE", "编号010123456789012"),                       # longer digit run
    ("CN_LANDLINE_PHONE", "13912345678"),
    ("CN_LANDLINE_PHONE", "2020-12-31 价格100.00元"),
    ("CN_BANK_CARD", f"卡号{wrong_last(CARD_UP)}"),                    # Luhn off by one
    ("CN_BANK_CARD", f"身份证{ID_GANSU_LUHN}"),                         # a valid ID that happens to pass Luhn
    ("CN_BANK_CARD", f"单号1{CARD_UP}"),                                # 20 digits
    ("CN_USCC", f"代码{wrong_last(USCC_STRONG)}"),
    ("CN_USCC", f"代码ABC{USCC_STRONG}"),                               # glued to letters
    ("CN_USCC", f"身份证{ID18}"),                                       # an ID number is no credit code
    ("CN_PASSPORT", "证件E12345678"),                                   # no keyword
    ("CN_PASSPORT", "护照办理需要10个工作日"),
    ("CN_PASSPORT", "护照E1234567"),                                    # 7 digits
    ("CN_PASSPORT", "护照EI1234567"),                                   # I is not used
    ("CN_TRAVEL_PERMIT", "证件C12345678"),
    ("CN_TRAVEL_PERMIT", "通行证有效期至20250101"),
    ("CN_LICENSE_PLATE", "型号京AABC12"),                               # three letters
    ("CN_LICENSE_PLATE", "京I12345"),
    ("CN_LICENSE_PLATE", "京A123456"),                                  # six digits
    ("CN_LICENSE_PLATE", "XJ京A12345"),                                 # glued to letters
    ("CN_QQ", "123456789"),                                             # no keyword
    ("CN_QQ", "QQ用户超过800000000"),
    ("CN_QQ", "QQ:012345"),                                             # leading zero
    ("CN_QQ", "Q: 12345678"),                                           # a question, not QQ
    ("CN_QQ", "QQ号1234"),                                              # too short
    ("CN_WECHAT", "wxWidgets toolkit"),
    ("CN_WECHAT", "WeChat groups are popular"),
    ("CN_WECHAT", "WeChat account settings"),
    ("CN_WECHAT", "微信支付100元"),
    ("CN_WECHAT", "微信：abc"),
    ("CN_WECHAT", "微信：abc123@example.com"),
    ("EMAIL_ADDRESS", "abc@example"),
    ("EMAIL_ADDRESS", "abc@example.invalidtld"),
    ("EMAIL_ADDRESS", "@张三 你好"),
    ("EMAIL_ADDRESS", "user@localhost"),
    ("EMAIL_ADDRESS", "a" * 70 + "@example.com"),                     # local part too long: no match from its middle
    ("CN_PERSON_NAME", "姓名：不详"),
    ("CN_PERSON_NAME", "联系人：未知"),
    ("CN_PERSON_NAME", "患者出现发热症状"),
    ("CN_PERSON_NAME", "负责人表示将尽快处理"),
    ("CN_PERSON_NAME", "联系人电话：13912345678"),
    ("CN_PERSON_NAME", "联系人：王先生"),
    ("CN_ADDRESS", "住在一起很开心。"),
    ("CN_ADDRESS", "我住在一个小区里，"),
    ("CN_ADDRESS", "地址：见附件。"),
    ("CN_ADDRESS", "地址不详"),
    ("CN_ADDRESS", "IP地址：192.168.1.1"),
    ("CN_ADDRESS", "地址变更为北京市海淀区中关村大街1号"),
]


@pytest.mark.parametrize("entity,text,expected", POSITIVE)
def test_finds_exactly_the_expected_span(entity, text, expected):
    assert [(span, ent) for span, ent, _ in run(entity, text)] == [(expected, entity)]


@pytest.mark.parametrize("entity,text,expected", NEEDS_CONTEXT)
def test_weak_matches_are_found_below_the_threshold(entity, text, expected):
    results = run(entity, text, min_score=0.01)
    assert [(span, ent) for span, ent, _ in results] == [(expected, entity)]
    assert 0 < results[0][2] < 0.4


@pytest.mark.parametrize("entity,text", NEGATIVE)
def test_finds_nothing(entity, text):
    assert run(entity, text, min_score=0.01) == []


def test_score_levels():
    assert run("CN_RESIDENT_ID", f"身份证{ID18}")[0][2] == 1.0                     # all checks: certain
    assert run("CN_USCC", f"代码{USCC_STRONG}")[0][2] == 1.0                        # two checks: certain
    assert run("CN_USCC", f"代码{USCC_PLAIN}")[0][2] == 0.5
    assert run("EMAIL_ADDRESS", "abc@example.com")[0][2] == 1.0
    assert run("CN_BANK_CARD", CARD_UP)[0][2] > run("CN_BANK_CARD", CARD_VISA, 0.01)[0][2]  # UnionPay higher
    bare = run("CN_LANDLINE_PHONE", "01062345678")[0][2]
    assert 0.4 <= bare <= 0.5 < run("CN_LANDLINE_PHONE", "(010)62345678")[0][2]
    assert run("CN_MOBILE_PHONE", "+8613912345678")[0][2] > run("CN_MOBILE_PHONE", "13912345678")[0][2]


def test_several_values_in_one_text():
    text = "张三13912345678，李四+86 150 1234 5678；王五18612345678"
    assert [s for s, _, _ in run("CN_MOBILE_PHONE", text)] == ["13912345678", "+86 150 1234 5678", "18612345678"]
    text = "邮箱abc@example.com、def@example.cn和ghi@example.com.cn"
    assert [s for s, _, _ in run("EMAIL_ADDRESS", text)] == ["abc@example.com", "def@example.cn", "ghi@example.com.cn"]


def test_results_are_the_same_with_presidio_default_flags():
    """presidio's own default adds IGNORECASE; the engine may pass it. Results must not change."""
    flags = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE
    texts = [t for _, t, _ in POSITIVE + NEEDS_CONTEXT] + [t for _, t in NEGATIVE] + [
        "京a12345", "护照e12345678", f"代码{USCC_STRONG.lower()}", "港澳通行证c12345678"]
    for text in texts:
        half = v.to_halfwidth(text)
        for rec in RECS.values():
            plain = [(r.start, r.end, r.score) for r in rec.analyze(half, [rec.ENTITY], None)]
            folded = [(r.start, r.end, r.score) for r in rec.analyze(half, [rec.ENTITY], None, regex_flags=flags)]
            assert sorted(plain) == sorted(folded), (rec.ENTITY, text)


# ------------------------------------------------------------------------------------------------------------
# TRIGGER contract


def contract_violations(text: str) -> list[str]:
    """Results (score > 0) of every recognizer on `text` that no TRIGGER match covers, and over-long matches."""
    problems = []
    half = v.to_halfwidth(text)
    for rec in RECS.values():
        matches = list(re2.compile(rec.TRIGGER).finditer(half))
        problems += [f"{rec.ENTITY}: trigger match of {m.end() - m.start()} chars"
                     for m in matches if m.end() - m.start() > CONTRACT_MAX_TRIGGER_LEN]
        for r in rec.analyze(half, [rec.ENTITY], None):
            if not any(r.start - CONTRACT_MAX_LOOKBACK <= m.start() < r.end for m in matches):
                problems.append(f"{rec.ENTITY}: span {r.start}-{r.end} in {text!r} has no trigger")
    return problems


@pytest.mark.parametrize("cls", RECOGNIZER_CLASSES, ids=lambda c: c.ENTITY)
def test_trigger_is_re2_without_groups_or_lookaround(cls):
    compiled = re2.compile(cls.TRIGGER)
    assert compiled.groups == 0  # the engine wraps each trigger in a named group
    for construct in ("(?=", "(?!", "(?<=", "(?<!", "(?P<", "(?>"):
        assert construct not in cls.TRIGGER


@pytest.mark.parametrize("cls", RECOGNIZER_CLASSES, ids=lambda c: c.ENTITY)
def test_trigger_means_the_same_to_python_re(cls):
    """The engine gates windows with Python's re (cheaper per window than a call into RE2): same matches needed."""
    texts = [t for _, t, _ in POSITIVE + NEEDS_CONTEXT] + [t for _, t in NEGATIVE]
    rng = random.Random(7)
    texts += [_random_text(rng) for _ in range(300)]
    py, r2 = re.compile(cls.TRIGGER), re2.compile(cls.TRIGGER)
    for text in map(v.to_halfwidth, texts):
        assert [m.span() for m in py.finditer(text)] == [m.span() for m in r2.finditer(text)], text


@pytest.mark.parametrize("entity,text,expected", POSITIVE + NEEDS_CONTEXT)
def test_trigger_fires_for_every_positive_example(entity, text, expected):
    half = v.to_halfwidth(text)
    start = text.index(expected)
    end = start + len(expected)
    starts = [m.start() for m in re2.compile(RECS[entity].TRIGGER).finditer(half)]
    assert any(start - CONTRACT_MAX_LOOKBACK <= s < end for s in starts)


def test_contract_holds_on_all_table_texts():
    texts = [t for _, t, _ in POSITIVE + NEEDS_CONTEXT] + [t for _, t in NEGATIVE]
    assert [p for t in texts for p in contract_violations(t)] == []


def _random_text(rng: random.Random) -> str:
    values = [ID18, ID18_X, ID15, CARD_UP, grouped(CARD_UP16), CARD_VISA, USCC_STRONG, USCC_DIGITS_PLAIN,
              "13912345678", "+86 139-1234-5678", "(+86)15012345678", "010-62345678", "(0755)23456789",
              "075523456789", "E12345678", "CA1234567", "12345678", "京A·12345", "粤BD12345", "abc@example.com",
              "zhangsan_88", "张三", "欧阳娜娜", "北京市海淀区中关村大街1号", "123456789"]
    keywords = ["身份证", "手机", "电话", "座机", "卡号", "护照", "passport", "通行证", "台胞证", "回乡证", "车牌",
                "QQ", "qq群", "加Q", "扣扣", "微信", "wx", "vx", "WeChat", "V信", "邮箱", "姓名", "联系人", "患者",
                "法人", "地址", "住在", "家住", "统一社会信用代码"]
    fillers = ["：", ":", " ", "，", "。", "-", "+", "(", ")", "（", "）", "号", "号码", "是", "@", ".", "·", "转",
               "x", "群", "\n", "的", "和", "市", "区", "路", "号"]
    parts = []
    for _ in range(rng.randint(3, 14)):
        kind = rng.random()
        if kind < 0.3:
            parts.append(rng.choice(values))
        elif kind < 0.5:
            parts.append(rng.choice(keywords))
        elif kind < 0.7:
            parts.append(rng.choice(fillers))
        elif kind < 0.85:
            parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20))))
        elif kind < 0.93:
            parts.append("".join(rng.choice("abcXYZ_-") for _ in range(rng.randint(1, 8))))
        else:
            parts.append("".join(rng.choice("张李王中国人民大学上海") for _ in range(rng.randint(1, 6))))
    text = "".join(parts)
    return fullwidth(text) if rng.random() < 0.15 else text


def test_contract_holds_on_random_texts():
    rng = random.Random(20240611)
    problems = []
    for _ in range(1500):
        problems += contract_violations(_random_text(rng))
    assert problems == []


def test_contract_checker_catches_a_missing_trigger(monkeypatch):
    """The contract checks above can fail: with a trigger that never fires, every result is a violation."""
    rec = RECS["CN_MOBILE_PHONE"]
    monkeypatch.setattr(rec, "TRIGGER", "NEVER-MATCHES")
    assert contract_violations("电话13912345678")


# ------------------------------------------------------------------------------------------------------------
# the module's interface for the engine


def test_one_recognizer_per_entity_with_the_agreed_names():
    recs = chinese_recognizers()
    assert [r.ENTITY for r in recs] == [c.ENTITY for c in RECOGNIZER_CLASSES]
    assert {r.ENTITY for r in recs} == {
        "CN_RESIDENT_ID", "CN_MOBILE_PHONE", "CN_LANDLINE_PHONE", "CN_BANK_CARD", "CN_USCC", "CN_PASSPORT",
        "CN_TRAVEL_PERMIT", "CN_LICENSE_PLATE", "CN_QQ", "CN_WECHAT", "EMAIL_ADDRESS", "CN_PERSON_NAME",
        "CN_ADDRESS"}
    for r in recs:
        assert r.supported_entities == [r.ENTITY]
        assert r.supported_language == "zh"
        assert r.DESCRIPTION and "\n" not in r.DESCRIPTION
        assert r.CONTEXT and all(w == w.lower() for w in r.CONTEXT)  # latin context words in lower case


def test_language_can_be_chosen_for_neutral_recognizers():
    en = [r for r in chinese_recognizers("en") if r.ENTITY in NEUTRAL]
    assert NEUTRAL == {"EMAIL_ADDRESS"}
    assert [r.supported_language for r in en] == ["en"]
    assert run("EMAIL_ADDRESS", "Contact: john.doe@example.com.") == [("john.doe@example.com", "EMAIL_ADDRESS", 1.0)]


def test_sensitive_entities():
    assert {c.ENTITY for c in RECOGNIZER_CLASSES if c.SENSITIVE} == {
        "CN_RESIDENT_ID", "CN_BANK_CARD", "CN_PASSPORT", "CN_TRAVEL_PERMIT"}


def test_which_recognizers_need_context():
    """Documented for the engine author: these have patterns scored below 0.4."""
    assert {c.ENTITY for c in RECOGNIZER_CLASSES if c.needs_context()} == {"CN_RESIDENT_ID", "CN_BANK_CARD", "CN_USCC"}



def test_the_engines_lean_pattern_loop_gives_presidios_results():
    # the engine's windows call pattern_pass.analyze instead of presidio's loop (PatternRecognizer.analyze), which
    # the reference run keeps: every result, score and explanation must be the same, on every table text and on
    # slices of them (windows cut anywhere)
    from detectors.pii import pattern_pass

    rng = random.Random(11)
    texts = [v.to_halfwidth(text) for _, text, *_ in POSITIVE + NEEDS_CONTEXT + NEGATIVE]
    texts += [t[a:b] for t in texts for a, b in [sorted(rng.sample(range(len(t) + 1), 2)) for _ in range(3)]]
    texts.append("".join(texts))
    compared = found = 0
    for rec in chinese_recognizers():
        if not pattern_pass.applies_to(rec):
            assert rec.ENTITY in NEUTRAL  # the e-mail recognizer has an analyze of its own
            continue
        compared += 1
        for text in texts:
            lean = pattern_pass.analyze(rec, text)
            assert explained(lean) == explained(rec.analyze(text, [rec.ENTITY])), (rec.name, text)
            found += len(lean)
    assert compared == len(RECOGNIZER_CLASSES) - 1
    assert found > 120  # the texts do hold what the recognizers look for (193)


def _email_text(rng: random.Random) -> str:
    """Text made of the pieces the e-mail pattern's rules turn on: local-part characters and runs longer than 64,
    '@', host labels, hyphens, dots, public and unknown suffixes, glued words, CJK characters, line breaks."""
    pieces = ["a", "Z", "9", "_", "%", ".", "+", "-", "'", "@", "@@", " ", "\n", "中", "，", "/", "<", ">",
              "example.com", "mail.example.cn", "example.invalidtld", "ex-ample.co.uk", "-bad.com", "x.y", "com",
              "Tel", "qq", "abc", "john.doe", "a" * 70, "b" * 63, ".." , "@example.com", "@ECT", "1234"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 24)))


def test_e_mail_matches_found_from_each_at_sign_are_finditers():
    # the engine runs EmailRecognizer.analyze_whole on whole documents: its `find` looks only around each '@' and
    # must give exactly the spans of the pattern's finditer over the text, and analyze_whole exactly analyze's
    # results (scores, trims and explanations included)
    (rec,) = [r for r in chinese_recognizers() if r.ENTITY == "EMAIL_ADDRESS"]
    rng = random.Random(5)
    texts = [v.to_halfwidth(text) for _, text, *_ in POSITIVE + NEEDS_CONTEXT + NEGATIVE]
    texts += [_email_text(rng) for _ in range(20000)]
    texts += ["a@b.com" * 3, "x" * 64 + "@example.com", "x" * 65 + "@example.com", ".a@example.com",
              "a.+b@example.com", "é.a@example.com", "a@example.com@example.com", "To: Smith/HOU/ECT@ECT, a@b.org"]
    compiled = regex.compile(rec.patterns[0].regex, flags=rec.global_regex_flags)
    found = trimmed = 0
    for text in texts:
        spans = [m.span() for m in compiled.finditer(text)]
        assert rec.find(text) == spans, text
        whole = rec.analyze_whole(text)
        assert explained(whole) == explained(rec.analyze(text, [rec.ENTITY])), text
        found += len(spans)
        trimmed += sum((r.start, r.end) not in spans for r in whole)
    assert found > 4000 and trimmed > 500  # the texts do hold matches, and matches that are trimmed
