#!/usr/bin/env python3
"""Deterministic generator for the sample corpus in data_samples/.

Writes, next to this script:

    zh_news/part-0001.jsonl        zh_news/part-0002.jsonl.gz
    en_forum/posts.csv             zh_wiki/squad.json     zh_wiki/LICENSE
    en_books.tar.gz                qa_pairs.parquet       zh_chat/chat.txt
    en_tsv/reviews.tsv             EXPECTED.json

manifest.yaml and README.md are written by hand and are not touched here.

Everything is invented. Every value that looks like personal data (ID numbers, phones, e-mails,
card numbers, credit codes, QQ/WeChat ids) is fabricated for detector tests; check digits are
computed below so the values pass format validation.

Determinism: fixed seed, no timestamps (gzip and tar mtime=0, no file name in gzip headers, tar
members in sorted order with uid/gid 0), JSON written with a fixed key order. Re-running gives
byte-identical files for the same Python (zlib) and pyarrow versions.

Only the standard library and pyarrow are used:

    .venv/bin/python data_samples/generate.py
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OUT = Path(__file__).resolve().parent
SEED = 20240517

# Planted items, filled in while writing files; copied into EXPECTED.json["planted"].
PLANTED: list[dict] = []



def mask(value: str) -> str:
    """Planted values are described masked: test expectations never hold a whole identifier."""
    keep = 2 if len(value) > 6 else 1
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]

def plant(file: str, what: str, **where) -> None:
    PLANTED.append({"file": file, **where, "what": what})


# ---------------------------------------------------------------------------------------------
# check digits for the fabricated identifiers


def cn_resident_id(first17: str) -> str:
    """GB 11643-1999 citizen ID: ISO 7064 MOD 11-2 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters, no I O S V Z


def org_code(first8: str) -> str:
    """GB 11714-1997 organisation code: MOD 11 check character."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    value = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    total = sum(value[c] * w for c, w in zip(first8, weights))
    check = 11 - total % 11
    return first8 + {10: "X", 11: "0"}.get(check, str(check))


def uscc(first17: str) -> str:
    """GB 32100-2015 unified social credit code: MOD 31 check character."""
    weights = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, weights))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def luhn(partial: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return partial + str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Fabricated values (region code 110105, birth date 1990-03-07; bank BIN-like prefix 6222).
FAKE_CN_ID = cn_resident_id("11010519900307241")
FAKE_CN_MOBILE = "13812345678"
FAKE_CN_MOBILE_FW = "13987654321".translate(FULLWIDTH)
FAKE_CN_EMAIL = "liming.demo@example.com"
FAKE_USCC = uscc("91110105" + org_code("MA01H3K8"))
FAKE_CN_CARD = luhn("622202123456789012")
FAKE_QQ = "3141592653"
FAKE_WECHAT = "demo_wx_2024"
FAKE_US_EMAIL = "marigold.fan@example.org"
FAKE_US_PHONE_1 = "(312) 555-0147"
FAKE_US_PHONE_2 = "415-555-0188"
FAKE_US_CARD = "4111 1111 1111 1111"  # the well-known Visa test number
FAKE_US_SSN = "078-05-1120"  # the well-known, long-invalidated specimen SSN

assert luhn_ok(FAKE_CN_CARD) and luhn_ok(FAKE_US_CARD) and len(FAKE_CN_CARD) == 19
assert len(FAKE_USCC) == 18 and len(FAKE_CN_ID) == 18


# ---------------------------------------------------------------------------------------------
# deterministic writers


def write_bytes(rel: str, data: bytes) -> None:
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def tar_gz_bytes(members: dict[str, bytes], directories: list[str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        entries = [(d, None) for d in directories] + list(members.items())
        for name, data in sorted(entries, key=lambda e: e[0]):
            info = tarfile.TarInfo(name)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return gzip_bytes(buf.getvalue())


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


# ---------------------------------------------------------------------------------------------
# 1. zh_news: Chinese JSONL, two parts

ZH_TIMES = ["近日，", "本周一，", "昨天上午，", "今年以来，", "上月底，", "日前，", "本周末，", "入夏以来，",
            "截至目前，", "春节前夕，", "国庆假期期间，", "今年第一季度，"]
ZH_SUBJECTS = ["市图书馆", "滨江新区管委会", "青禾镇政府", "市气象台", "区文化馆", "县农业农村局", "市交通运输局",
               "社区志愿者服务队", "市第二中学", "一家本地物流企业", "南湖公园管理处", "市消防救援支队",
               "城东街道办事处", "市科技馆", "县融媒体中心", "市自然资源局"]
ZH_ACTIONS = ["启动了", "完成了", "发布了", "举办了", "推进了", "开展了", "公布了", "试点了", "验收了", "部署了"]
ZH_OBJECTS = ["老旧小区改造项目", "夏季防汛演练", "全民阅读季活动", "公交线路优化方案", "农产品直播销售培训",
              "校园安全宣传周", "垃圾分类积分计划", "夜间经济示范街区建设", "便民服务站点升级", "湿地生态修复工程",
              "青少年科普讲座", "智慧停车平台", "冬季供暖保障预案", "非遗手工艺展览", "社区食堂试运营",
              "山区道路安全整治"]
ZH_DETAILS = ["，参与群众超过两千人次。", "，预计年底前全部完工。", "，相关负责人表示将持续跟进。",
              "，首批共有十二个社区参与。", "，现场气氛热烈。", "，市民可通过官方渠道报名。",
              "，项目总投资约三千万元。", "，受到附近居民的普遍欢迎。", "，下一步将在全市范围内推广。",
              "，活动将持续到下月中旬。", "，有关部门提醒市民注意出行安全。", "。",
              "，不少家长带着孩子前来体验。", "，工作人员逐户上门发放了说明材料。"]
ZH_TITLE_TAILS = ["取得新进展", "正式启动", "情况通报", "引发关注", "顺利完成", "进入收尾阶段", "受到好评",
                  "再添新举措"]


class ZhSentences:
    """Sentences assembled from the pools above; no sentence is used twice, so records share none."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.titles: set[str] = set()

    def one(self) -> str:
        while True:
            r = self.rng
            s = r.choice(ZH_TIMES) + r.choice(ZH_SUBJECTS) + r.choice(ZH_ACTIONS) + r.choice(ZH_OBJECTS) + \
                r.choice(ZH_DETAILS)
            if s not in self.used:
                self.used.add(s)
                return s

    def text(self, n: int) -> str:
        return "".join(self.one() for _ in range(n))

    def title(self) -> str:
        while True:
            t = self.rng.choice(ZH_SUBJECTS) + self.rng.choice(ZH_OBJECTS) + self.rng.choice(ZH_TITLE_TAILS)
            if t not in self.titles:
                self.titles.add(t)
                return t


ZH_PII = {
    "cn_resident_id": f"城东街道一位市民在办理社保卡时报错了身份证号{FAKE_CN_ID}，窗口工作人员当场帮助其核对并更正。",
    "cn_mobile": f"活动报名请联系社区工作人员王女士，手机：{FAKE_CN_MOBILE}，工作日九点至十七点均可接听。",
    "cn_email": f"对本次方案有意见建议的市民，可在月底前发送邮件至邮箱 {FAKE_CN_EMAIL} 反馈。",
    "cn_uscc": f"中标单位为青禾智联科技有限公司，统一社会信用代码{FAKE_USCC}，注册地位于滨江新区。",
    "cn_mobile_fullwidth": f"如在出行中遇到问题，可拨打线路专班联系电话{FAKE_CN_MOBILE_FW}咨询。",
    "cn_bank_card": f"爱心捐款可汇至青禾镇慈善协会银行卡号{FAKE_CN_CARD}，开户行为县城支行。",
}


def mutate_zh(text: str, rng: random.Random, n: int) -> str:
    """Change n CJK characters (not punctuation) to other CJK characters."""
    chars = list(text)
    positions = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for i in sorted(rng.sample(positions, n)):
        chars[i] = next(c for c in "东西南北春夏秋冬" if c != chars[i])
    return "".join(chars)


def gen_zh_news(rng: random.Random) -> None:
    sent = ZhSentences(rng)
    f1, f2 = "zh_news/part-0001.jsonl", "zh_news/part-0002.jsonl.gz"
    counter = iter(range(1, 1000))

    def rec(text: str, title: str | None = None) -> dict:
        return {"id": f"zh-news-{next(counter):04d}", "title": title or sent.title(), "text": text}

    def normal() -> str:
        return dumps(rec(sent.text(rng.randint(1, 8))))

    def with_pii(key: str) -> str:
        return dumps(rec(sent.text(rng.randint(0, 2)) + ZH_PII[key] + sent.text(rng.randint(1, 2))))

    # part-0001: 20 physical lines (line 13 blank)
    lines1: list[str] = []
    dup_line = near_text = near_title = None
    for ln in range(1, 21):
        if ln == 3:
            dup_line = normal()
            lines1.append(dup_line)
            plant(f1, "exact duplicate record (byte-identical line, same id) of zh_news/part-0002.jsonl.gz line 5",
                  line=ln, id=json.loads(dup_line)["id"])
        elif ln == 5:
            lines1.append(with_pii("cn_resident_id"))
            plant(f1, f"fake PII cn_resident_id {mask(FAKE_CN_ID)} (context 身份证号, valid MOD 11-2 check)", line=ln)
        elif ln == 7:
            full = normal()
            lines1.append(full[: len(full) // 2])  # truncated object: invalid JSON
            plant(f1, "malformed JSON (truncated object)", line=ln)
        elif ln == 9:
            near_text, near_title = sent.text(9), sent.title()
            lines1.append(dumps(rec(near_text, near_title)))
            plant(f1, "near-duplicate A (original) of line 17", line=ln)
        elif ln == 10:
            lines1.append(with_pii("cn_mobile"))
            plant(f1, f"fake PII cn_mobile {mask(FAKE_CN_MOBILE)} (context 手机)", line=ln)
        elif ln == 12:
            lines1.append(with_pii("cn_email"))
            plant(f1, f"fake PII email {mask(FAKE_CN_EMAIL)} (context 邮箱)", line=ln)
        elif ln == 13:
            lines1.append("")
            plant(f1, "blank line (not a record)", line=ln)
        elif ln == 15:
            lines1.append(with_pii("cn_uscc"))
            plant(f1, f"fake PII cn_uscc {mask(FAKE_USCC)} (context 统一社会信用代码, valid GB 32100 check)", line=ln)
        elif ln == 17:
            lines1.append(dumps(rec(mutate_zh(near_text, rng, 4), near_title)))
            plant(f1, "near-duplicate B of line 9 (same title, same text with 4 characters changed, new id)",
                  line=ln)
        else:
            lines1.append(normal())
    write_bytes(f1, ("\n".join(lines1) + "\n").encode("utf-8"))

    # part-0002 (gzip): 20 lines
    lines2: list[str] = []
    for ln in range(1, 21):
        if ln == 3:
            lines2.append(with_pii("cn_mobile_fullwidth"))
            plant(f2, f"fake PII cn_mobile in fullwidth digits {mask(FAKE_CN_MOBILE_FW)} (context 联系电话)", line=ln)
        elif ln == 5:
            lines2.append(dup_line)
            plant(f2, "exact duplicate record (byte-identical line, same id) of zh_news/part-0001.jsonl line 3",
                  line=ln, id=json.loads(dup_line)["id"])
        elif ln == 7:
            lines2.append(dumps(rec("")))
            plant(f2, "record with empty text", line=ln)
        elif ln == 11:
            lines2.append(with_pii("cn_bank_card"))
            plant(f2, f"fake PII cn_bank_card {mask(FAKE_CN_CARD)} (context 银行卡号, Luhn-valid, starts 62)", line=ln)
        else:
            lines2.append(normal())
    write_bytes(f2, gzip_bytes(("\n".join(lines2) + "\n").encode("utf-8")))


# ---------------------------------------------------------------------------------------------
# 2. en_forum/posts.csv

EN_POSTS = [
    ("fern_and_fig", "My tomato seedlings finally sprouted after ten days on the windowsill. I used a heat mat this "
                     "year, which seems to have made the difference."),
    ("gearhead_42", "The rear derailleur on my commuter keeps skipping under load, mostly in the middle of the "
                    "cassette. Cable tension looks fine. Ideas?"),
    ("slowpour", "Switched from a blade grinder to a cheap burr grinder and the morning cup is so much less bitter. "
                 "Should have done this years ago."),
    ("attic_oak", "Rebuilt the old oak bookshelf from my grandmother's attic this weekend. The back panel had "
                  "warped, so I replaced it with birch plywood, glued the loose joints with hide glue, and "
                  "finished everything with two thin coats of shellac. It wobbles a little on our uneven floor, "
                  "but it holds every cookbook we own, and the grain came up beautifully once the old wax was off."),
    ("quietclicks", "New switches arrived. They are much quieter than I expected, though the spacebar still "
                    "rattles."),
    ("rainbarrel_rita", "Our community garden plot got a second rain barrel, so watering during the dry spell "
                        "should be easier."),
    ("sourdough_sam", "My revived sourdough starter smells like nail polish remover. Is it hungry, or is it "
                      "dead?"),
    ("trailmix", "Did the ridge loop clockwise for once. Steeper climb, gentler descent, and far fewer people."),
    ("balcony_basil", "Balcony herbs keep bolting in the heat. Would shade cloth help, or should I just move them "
                      "indoors for July?"),
    ("chainlube", "Replaced the chain and cassette at the same time, as everyone recommended. Shifting is crisp "
                  "again."),
    ("night_owl_knits", "Finished the cable-knit scarf at two in the morning. Blocking it tomorrow, fingers "
                        "crossed."),
    ("pixel_potter", "First attempt at throwing a bowl on the wheel: it leaned like a tired tent, but it is a "
                     "bowl."),
    ("lanternfish", "Anyone know why my aquarium glass gets a white film on the outside? Hard water, maybe?"),
    ("compost_carl", "Turned the compost pile today, and it was steaming. The shredded leaves made a huge "
                     "difference."),
    ("ferry_fan", "The evening ferry has a new timetable, which means one fewer crossing after eight."),
    ("sketchbook_sol", "Daily sketch challenge, day forty. Hands are still hard, but feet are getting better."),
    ("granola_gus", "Tried baking granola at a lower temperature for longer. Crunchier, and nothing burnt."),
    ("moth_watcher", "Left the porch light on with a white sheet and counted eleven kinds of moths before "
                     "midnight."),
    ("tidy_toolbox", "Pegboard wall is done. Every tool has an outline now, so I know what is missing."),
    ("loaf_lover", "Rye loaf came out dense again. Is 80 percent hydration too low for dark rye?"),
    ("stargazer_em", "Clear sky last night, and the binoculars were enough to see the moons of the big planet."),
    ("brass_and_wood", "Restored a brass door knob with vinegar and salt. Rinse it well afterwards, trust me."),
    ("puddle_jumper", "Waterproof boots from last winter split at the flex point. Not buying that brand again."),
    ("seedswap_sue", "Seed swap at the library on Saturday, bring envelopes and labels."),
    ("kettle_bell_kim", "Three months of morning swings, and my back feels better than it has in years."),
    ("woodsmoke", "Stacked the firewood bark-side up this year. Supposedly it dries faster, we will see."),
    ("map_and_compass", "Orienteering club meets by the north gate at nine. Beginners get paired with someone "
                        "who has done it before."),
    ("jam_jar_jo", "Gooseberry jam set on the first try. The cold saucer test never lies."),
    ("drift_wood", "Beachcombing after the storm turned up a glass float, a rope fender and far too much plastic."),
    ("quill_and_ink", "Does anyone else rotate through three fountain pens, or is that just me being indecisive?"),
]
EN_SPAM = "Great tips, everyone! Check out my profile for more ideas, link in bio."


def gen_en_forum(rng: random.Random) -> None:
    f = "en_forum/posts.csv"
    rows: list[list[str] | str] = []  # str = a raw line written as is
    pid = iter(range(1, 1000))
    posts = list(EN_POSTS)
    planted: list[tuple[int, str]] = []  # (row index, what)

    def add(handle: str, body: str, what: str | None = None) -> None:
        if what:
            planted.append((len(rows), what))
        rows.append([f"p{next(pid):04d}", handle, body, str(rng.randint(-3, 120))])

    quoted = posts[3]
    for i, (handle, body) in enumerate(posts):
        add(handle, body, "near-duplicate A (original) of the quoting reply" if (handle, body) == quoted else None)
        if i == 5:
            add("marigold_grower", f"Happy to share marigold seeds with anyone nearby. Send me a note at "
                                   f"{FAKE_US_EMAIL} and I'll mail a packet.", f"fake PII email {mask(FAKE_US_EMAIL)}")
        if i == 8:
            add("promo_bot_77", EN_SPAM, "exact duplicate body A (same body as a later row)")
        if i == 10:
            add("bike_shop_fan", f"The co-op repair shop moved. Their new number is {FAKE_US_PHONE_1}, or text the "
                                 f"volunteer line at {FAKE_US_PHONE_2}.",
                f"fake PII US phone numbers {mask(FAKE_US_PHONE_1)} and {mask(FAKE_US_PHONE_2)}")
        if i == 12:
            add("woodsmoke", f"Quoting @{quoted[0]}:\n\"{quoted[1]}\"\nSame thing happened to my shelf, thanks "
                             f"for writing it up.",
                "near-duplicate B: reply quoting the original; contains the only newline inside a quoted field")
        if i == 14:
            add("oops_account", f"Public service announcement: do not paste your card number like I almost did, "
                                f"{FAKE_US_CARD}, into a forum reply. Luckily it was the test card.",
                f"fake PII credit card {mask(FAKE_US_CARD)} (Luhn-valid test number)")
        if i == 16:
            rows.append(f"p{next(pid):04d},kettle_rider,Tried the new route today, lovely views all the way,7")
            planted.append((len(rows) - 1, "ragged row: 5 fields instead of 4 (unquoted comma in body)"))
        if i == 18:
            add("tax_season_tom", f"A wallet I bought came with a sample card printed with the SSN {FAKE_US_SSN}. "
                                  f"Apparently thousands of people once used that number as their own.",
                f"fake PII US SSN {mask(FAKE_US_SSN)} (well-known specimen value)")
        if i == 20:
            add("quiet_reader", "", "row with empty body")
        if i == 22:
            add("promo_bot_77", EN_SPAM, "exact duplicate body B (same body as the earlier row)")

    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["post_id", "author_handle", "body", "score"])
    row_lines: list[int] = []
    for row in rows:
        row_lines.append(buf.getvalue().count("\n") + 1)
        if isinstance(row, str):
            buf.write(row + "\n")
        else:
            writer.writerow(row)
    for idx, what in planted:
        r = rows[idx]
        post_id = r.split(",")[0] if isinstance(r, str) else r[0]
        plant(f, what, line=row_lines[idx], row=idx + 1, post_id=post_id)
    write_bytes(f, buf.getvalue().encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# 3. zh_wiki: SQuAD-layout JSON plus a licence notice

ZH_WIKI = [
    ("青石镇", [
        ("青石镇是一座虚构的江南小镇，位于云岭山脉东侧的河谷之中。镇上的老街用青灰色石板铺成，全长约八百米，"
         "两侧多为两层木结构民居。小镇因石板颜色得名，当地人也称它为“石板街”。",
         [("青石镇的老街全长约多少？", "八百米"), ("青石镇因什么得名？", "石板颜色")]),
        ("青石镇每年秋季举办灯会，持续七天。灯会期间，居民会在河边放置纸灯，并用竹竿搭起长廊。"
         "灯会最早起源于镇上纸伞作坊的学徒聚会，后来逐渐演变为全镇的节日。",
         [("青石镇的灯会持续几天？", "七天")]),
        ("镇东头有一座单孔石拱桥，名为望月桥。桥身两侧刻有水纹图案，桥下河水常年清澈。"
         "当地流传的说法是，满月之夜站在桥中央可以同时看到水中和天上的月亮。",
         [("镇东头的石拱桥叫什么名字？", "望月桥")]),
    ]),
    ("云岭湖", [
        ("云岭湖是云岭山脉中的一个高山湖泊，湖面海拔约两千一百米，面积约四平方公里。湖水主要来自融雪和山间溪流，"
         "冬季湖面会结一层薄冰。",
         [("云岭湖的湖面海拔约多少？", "两千一百米"), ("云岭湖的湖水主要来自哪里？", "融雪和山间溪流")]),
        ("湖的北岸有一片芦苇湿地，是多种候鸟迁徙途中的停歇地。每年春季，观鸟爱好者会在湿地边缘的木栈道上记录鸟群数量。",
         [("候鸟在云岭湖的哪一岸停歇？", "北岸")]),
        ("   ", []),
    ]),
    ("星河纸伞", [
        ("星河纸伞是青石镇的传统手工艺品，以竹为骨、以棉纸为面。制作一把纸伞需要经过削骨、穿线、裱纸、"
         "上油等二十余道工序，熟练的匠人大约需要五天完成。",
         [("星河纸伞以什么为骨？", "竹"), ("熟练匠人制作一把纸伞大约需要几天？", "五天")]),
        ("纸伞伞面上常绘有星空和河流的图案，这也是“星河”之名的由来。伞面涂刷的桐油能防水，"
         "也让伞面在阳光下呈现出半透明的琥珀色。",
         [("伞面涂刷的是什么油？", "桐油")]),
        ("近年来，镇上的纸伞作坊开设了体验课程，游客可以在匠人指导下完成一把小型纸伞。"
         "作坊还与本地学校合作，把纸伞制作引入了手工课。",
         [("纸伞作坊与谁合作开设手工课？", "本地学校")]),
    ]),
    ("北坡天文台", [
        ("北坡天文台建在云岭山脉北坡的一处山脊上，是一座面向公众开放的小型观测站。台内有一架口径六十厘米的反射望远镜，"
         "以及一间可容纳四十人的球幕放映厅。",
         [("北坡天文台望远镜的口径是多少？", "六十厘米")]),
        ("由于周边光污染较少，天文台每月会在新月前后举办夜间观星活动。活动需要提前预约，"
         "参与者需自备保暖衣物，因为山脊上的夜间气温即使在夏季也可能低于十度。",
         [("观星活动在什么时候举办？", "新月前后")]),
        ("天文台的志愿者团队由附近村镇的教师和学生组成，他们负责讲解星图、维护设备和整理观测记录。",
         [("志愿者团队由哪些人组成？", "附近村镇的教师和学生")]),
    ]),
]

CC_BY_SA_NOTICE = """\
Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)
https://creativecommons.org/licenses/by-sa/4.0/

The texts in zh_wiki/squad.json are made available under the Creative Commons
Attribution-ShareAlike 4.0 International licence. In short: you may copy,
redistribute, adapt and build on the material for any purpose, including
commercially, provided that you credit the source, link to the licence, say
whether you made changes, and release any adapted material under the same
licence. You may not add legal or technical restrictions that stop others from
doing what the licence allows. This summary is not the licence; the full legal
text is at the address above.

(Sample data: the articles are invented for testing the provenance auditor.)
"""


def gen_zh_wiki() -> None:
    f = "zh_wiki/squad.json"
    data = []
    qid = iter(range(1, 1000))
    n_para = 0
    for title, paragraphs in ZH_WIKI:
        paras = []
        for context, qas in paragraphs:
            n_para += 1
            items = []
            for question, answer in qas:
                start = context.find(answer)
                assert start >= 0, answer
                items.append({"id": f"zh-wiki-q{next(qid):03d}", "question": question,
                              "answers": [{"text": answer, "answer_start": start}]})
            paras.append({"context": context, "qas": items})
            if not context.strip():
                plant(f, "whitespace-only context (empty paragraph)", context_index=n_para,
                      json_path=f"data[{len(data)}].paragraphs[{len(paras) - 1}].context")
        data.append({"title": title, "paragraphs": paras})
    doc = {"version": "v1", "data": data}
    write_bytes(f, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    write_bytes("zh_wiki/LICENSE", CC_BY_SA_NOTICE.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# 4. en_books.tar.gz

BOOK_01 = """\
The Lighthouse Keeper's Ledger

Chapter One

Every evening at a quarter past six, Ansel Varrow climbed the one hundred and twelve steps of the
Harrow Point light and wrote three lines in a green ledger: the wind, the sea, and one thing he had
noticed that day. The lines were never long. "North-east, moderate. Swell from the west. A heron
standing on the slipway as if it owned it."

He had kept the ledger for eleven years when the letter arrived from the harbour board. The light
was to be automated in the spring. A small grey box would do what he did, and it would not need a
kettle, a wireless, or a ledger.

Ansel read the letter twice, folded it into quarters, and used it as a bookmark. Then he went up
the stairs, because it was a quarter past six, and wrote: "South, fresh. Sea slight. The gulls were
quiet all afternoon, which they never are."

Chapter Two

The engineer who came to fit the grey box was a young woman called Petra Lind, who had never seen a
working lighthouse lamp up close. Ansel showed her the brass, the clockwork, and the small burn on
the lens housing from the winter the storm broke the east window. She asked good questions and wrote
the answers down in a notebook of her own, and on the third day she asked whether she might read the
green ledger.
"""

BOOK_04 = """\
The Lighthouse Keeper's Ledger
Second Edition, revised

Chapter One

Every evening at a quarter past six, Ansel Varrow climbed the one hundred and twelve steps of the
Harrow Point light and wrote three lines in a green ledger: the wind, the sea, and one thing he had
noticed that day. The lines were never long. "North-east, moderate. Swell from the west. A grey heron
standing on the slipway as if it owned it."

He had kept the ledger for twelve years when the letter arrived from the harbour board. The light
was to be automated in the spring. A small grey box would do what he did, and it would not need a
kettle, a radio, or a ledger.

Ansel read the letter twice, folded it into quarters, and used it as a bookmark. Then he went up
the stairs, because it was a quarter past six, and wrote: "South, fresh. Sea slight. The gulls were
quiet all afternoon, which they never are."

Chapter Two

The engineer who came to fit the grey box was a young woman called Petra Lind, who had never seen a
working lighthouse lamp up close. Ansel showed her the brass, the clockwork, and the small scorch on
the lens housing from the winter the storm broke the east window. She asked good questions and wrote
the answers down in a notebook of her own, and on the third day she asked whether she might read the
green ledger.
"""

BOOK_02 = """\
The Cartographer of Small Rivers

Mirela drew maps of rivers that nobody else thought worth drawing: drainage ditches, mill races,
the brook behind the school that vanished every August and came back every October. She used a
mapping pen, a bottle of sepia ink, and a length of string knotted every ten paces.

Her uncle, who sold seed potatoes from a cart, told her that maps were for roads and borders. She
told him that roads went where people wanted to go, but water went where the land wanted it to go,
and that was the more honest thing to draw.

By the time she was fifteen she had filled four notebooks. The fifth began with a question written
across the top of the first page in careful capitals: WHERE DOES THE MILL RACE GO WHEN THE MILL IS
GONE? She spent the whole of one summer answering it, and the answer surprised everyone but her.
"""

BOOK_03 = """\
Notes from a Winter Orchard

Copyright (c) 2019 Example Press Ltd. All rights reserved. No part of this publication may be
reproduced without the prior written permission of the publisher.

In January the orchard is mostly sound: the creak of branches, the crunch of frost on the long
grass, the small complaint of a blackbird turned out of a hedge. The trees look dead to anyone who
does not know them. They are not dead. They are counting.

Each variety counts differently. The old russets want a long, hard cold before they will consider
blossoming; the early cookers are impatient and wake at the first mild week, which is how they lose
their flowers to the March frosts more years than not. Pruning is the one conversation a grower
gets to have with them, and it has to happen now, while they are listening.

I prune with a pair of secateurs that belonged to the woman who planted the orchard. The handles
are worn pale where her thumbs rested. Mine rest there too.
"""

BOOKS_README = """\
# en_books

Four sample books (invented prose) for the provenance auditor's tests.

- book_01.txt: The Lighthouse Keeper's Ledger
- book_02.txt: The Cartographer of Small Rivers
- book_03.txt: Notes from a Winter Orchard
- book_04.txt: The Lighthouse Keeper's Ledger, second edition

Released by the (fictional) Example Press Ltd under CC BY-NC 4.0, except where a book states otherwise.
This README is not a book; the manifest's `members: ["en_books/*.txt"]` leaves it out.
"""


def gen_en_books() -> None:
    arc = "en_books.tar.gz"
    members = {
        "en_books/README.md": BOOKS_README.encode("utf-8"),
        "en_books/book_01.txt": BOOK_01.encode("utf-8"),
        "en_books/book_02.txt": b"\xef\xbb\xbf" + BOOK_02.encode("utf-8"),
        "en_books/book_03.txt": BOOK_03.encode("utf-8"),
        "en_books/book_04.txt": BOOK_04.encode("utf-8"),
    }
    write_bytes(arc, tar_gz_bytes(members, ["en_books/"]))
    copyright_line = next(i for i, ln in enumerate(BOOK_03.split("\n"), 1) if "All rights reserved" in ln)
    plant(f"{arc}!en_books/book_01.txt", "near-duplicate A (first edition) of book_04.txt")
    plant(f"{arc}!en_books/book_02.txt", "starts with a UTF-8 BOM (EF BB BF)")
    plant(f"{arc}!en_books/book_03.txt", "copyright notice 'All rights reserved' (conflicts with cc-by-nc-4.0)",
          line=copyright_line)
    plant(f"{arc}!en_books/book_04.txt", "near-duplicate B (second edition, a few words changed) of book_01.txt")
    plant(f"{arc}!en_books/README.md", "non-book member, excluded by members: [\"en_books/*.txt\"]")
    plant(f"{arc}!en_books", "directory entry (stored as en_books/), not a file")


# ---------------------------------------------------------------------------------------------
# 5. qa_pairs.parquet

QA = [
    ("zh", "如何重置忘记的登录密码？", "在登录页点击“忘记密码”，按提示验证绑定的手机或邮箱后即可设置新密码。"),
    ("en", "How do I reset a forgotten password?", "Click 'Forgot password' on the sign-in page, confirm the "
                                                     "code sent to your registered e-mail, then choose a new password."),
    ("zh", "发票开具后多久可以收到？", "电子发票一般在开具后一个工作日内发送到您填写的邮箱。"),
    ("en", "Can I change my delivery address after ordering?", "Yes, as long as the parcel has not been handed "
                                                                 "to the courier; edit it from the order page."),
    ("zh", "会员积分会过期吗？", "积分自获得之日起两年内有效，过期部分将在每年一月统一清零。"),
    ("en", "What does the amber light on the router mean?", "It means the router is on but has no internet "
                                                              "connection yet; wait two minutes, then restart it."),
    ("zh", "退货运费由谁承担？", "因质量问题退货由商家承担运费，非质量问题退货需由买家自行承担。"),
    ("en", "Why is my tea bitter?", "Water that is too hot or a steep that is too long pulls out tannins; try "
                                    "cooler water and a shorter steep."),
    ("zh", "怎样给绿萝浇水比较合适？", "表层土壤干燥后再浇透，冬季适当减少浇水次数，避免盆底积水。"),
    ("en", "How often should a bicycle chain be lubricated?", "Roughly every few hundred kilometres, or sooner "
                                                                "after riding in rain; wipe off the excess."),
    ("zh", "如何判断米饭是否煮熟？", "米粒饱满透亮、没有硬芯，用筷子插入底部不粘连，就说明已经煮熟。"),
    ("en", "Is it safe to refreeze thawed bread?", "Yes, bread can be refrozen, although each thaw dries it "
                                                     "out a little more."),
    ("zh", "手机提示存储空间不足怎么办？", "可以清理应用缓存、删除不用的安装包，并把照片视频备份到电脑后再删除。"),
    ("en", "What is a good first houseplant?", "A snake plant or a pothos: both tolerate low light and the "
                                                 "occasional forgotten watering."),
    ("zh", "跑步后膝盖不适应该怎么处理？", None),
    ("en", "How do I stop a sticky drawer?", "Rub a little candle wax or bar soap along the runners."),
    ("zh", "孩子第一次学游泳要注意什么？", "选择有救生员的泳池，佩戴合适的浮具，全程有成人陪同。"),
    ("en", "How long do cooked leftovers keep in the fridge?", "Usually three to four days in a sealed "
                                                                 "container; when in doubt, throw it out."),
    ("zh", "怎样写一封得体的请假邮件？", "写明请假原因、起止时间和工作交接安排，语气简洁礼貌即可。"),
    ("en", "What is the difference between a virus scan and a full scan?", "A quick scan checks common "
                                                                             "locations; a full scan checks "
                                                                             "every file and takes longer."),
    ("zh", "冬天室内湿度多少比较舒适？", "一般保持在百分之四十到六十之间，人体感觉较为舒适。"),
    ("en", "Why does my bread not rise?", "The yeast may be old, the water too hot, or the room too cold; "
                                          "test the yeast in warm sugar water first."),
    ("zh", "公交卡余额可以退吗？", "可携带卡片到指定服务网点办理退卡，余额和押金会一并退还。"),
    ("en", "How can I make a long meeting shorter?", "Share an agenda in advance, set a timer for each item, "
                                                       "and end with agreed next steps."),
    ("zh", "如何去除衣服上的油渍？", "先用洗洁精涂抹油渍处静置十分钟，再按常规方式清洗。"),
    ("en", "What should I pack for a day hike?", "Water, a snack, a map, a light rain jacket, sun protection "
                                                  "and a charged phone."),
    ("zh", "电动自行车电池怎样保养？", "避免长时间满电存放或完全耗尽，在阴凉处充电，并使用原装充电器。"),
    ("en", "How do I clean a cast-iron pan?", "Rinse with hot water, scrub with salt if needed, dry on the "
                                               "stove and wipe on a thin film of oil."),
    ("zh", "怎么安排一周的备餐？", "周末列好菜单并集中采购，提前处理好蔬菜和肉类，分装冷藏方便取用。"),
    ("en", "Why do my houseplant leaves turn yellow?", "Overwatering is the usual cause; let the soil dry out "
                                                        "between waterings and check the drainage holes."),
]


def gen_qa_pairs() -> None:
    f = "qa_pairs.parquet"
    table = pa.table({
        "question": pa.array([q for _, q, _ in QA], pa.string()),
        "answer": pa.array([a for _, _, a in QA], pa.string()),
        "lang": pa.array([lang for lang, _, _ in QA], pa.string()),
    })
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy", row_group_size=1000)
    write_bytes(f, buf.getvalue())
    for i, (_, _, a) in enumerate(QA):
        if a is None:
            plant(f, "null answer", row=i + 1, row_index=i)


# ---------------------------------------------------------------------------------------------
# 6. zh_chat/chat.txt (text-lines)

ZH_CHAT = [
    "客服：您好，欢迎咨询，请问有什么可以帮您？",
    "用户：我上周买的台灯到现在还没发货。",
    "客服：麻烦您提供一下订单尾号，我帮您查询物流。",
    "用户：尾号是零七三一，下单时选的是普通快递。",
    "客服：查到了，仓库今天下午已经打包，预计明天发出。",
    "用户：好的，那大概几天能到？",
    "客服：正常情况下两到三天送达，偏远地区会稍慢一些。",
    "用户：能不能帮我改成顺路的自提点？",
    "客服：可以的，我已经帮您备注，出库前会更新为自提。",
    "用户：谢谢，另外灯罩有没有别的颜色？",
    "客服：目前有米白、浅灰和墨绿三种，墨绿色库存比较紧张。",
    "用户：那我先不换了，米白挺好。",
    "客服：好的，还有其他问题吗？",
    "用户：没有了，辛苦你。",
    "用户：在吗？周末的读书会改到几点了？",
    "群主：改到周六下午三点，地点还是社区活动室。",
    "用户：这次读哪本书？我还没来得及买。",
    "群主：读《青石镇笔记》第三章，没有书的可以到活动室借阅。",
    "用户：我可能会晚到半小时，需要提前说一声吗？",
    "群主：不用特别请假，到了直接进来就行。",
    "用户：我把讨论提纲整理好了，稍后发到群文件里。",
    "群主：太好了，大家看完可以先在群里提问。",
    "用户：下次能不能安排一次户外读书会？",
    "群主：可以考虑，天气暖和以后我们去南湖公园。",
    "用户：南湖公园的草坪周末人多吗？",
    "群主：上午人少一些，我们可以早点过去占个树荫。",
    "用户：好的，我到时候带几块野餐垫。",
]
ZH_CHAT_PII = f"用户：以后有事直接加我QQ号{FAKE_QQ}，或者微信{FAKE_WECHAT}，群里消息我经常看不到。"
ZH_CHAT_BAD = ("用户：我刚才发的图片好像".encode("utf-8") + b"\xe5\x9b" + b"\xff"
               + "乱码了，你那边能看到吗？".encode("utf-8"))


def gen_zh_chat() -> None:
    f = "zh_chat/chat.txt"
    lines: list[bytes] = []
    for i, text in enumerate(ZH_CHAT):
        lines.append(text.encode("utf-8"))
        if i == 7:
            lines.append(ZH_CHAT_BAD)
            plant(f, "invalid UTF-8 mid-line: truncated 3-byte sequence E5 9B then a lone FF byte", line=len(lines),
                  byte_offset_in_line=ZH_CHAT_BAD.index(b"\xe5\x9b\xff"))
        if i == 13:
            lines.append(b"")
            plant(f, "blank line (not a record)", line=len(lines))
        if i == 17:
            lines.append(ZH_CHAT_PII.encode("utf-8"))
            plant(f, f"fake PII QQ number {mask(FAKE_QQ)} (context QQ号) and WeChat id {mask(FAKE_WECHAT)} (context 微信)",
                  line=len(lines))
    write_bytes(f, b"\n".join(lines) + b"\n")


# ---------------------------------------------------------------------------------------------
# 7. en_tsv/reviews.tsv

EN_REVIEWS = [
    ("pos", "Arrived a day early and the kettle boils quickly and quietly."),
    ("neg", "The lid hinge snapped within a week; customer service never replied."),
    ("pos", "Comfortable headphones, I wore them through a whole flight without sore ears."),
    ("neg", "Colours on the box look nothing like the actual mug."),
    ("pos", "Sturdy tent, went up in ten minutes and stayed dry through a stormy night."),
    ("neg", "Battery barely lasts an afternoon, which makes the smart watch pointless."),
    ("pos", "The notebook paper takes fountain pen ink with no bleed at all."),
    ("neg", "Instructions were missing two steps and a screw was the wrong size."),
    ("pos", "Great value backpack with lots of pockets and a padded laptop sleeve."),
    ("neg", "The blender is so loud that the neighbours asked about it."),
    ("pos", "Lovely soft blanket that survived the washing machine without pilling."),
    ("neg", "", ),
    ("pos", "Easy to set up, and the app actually remembers my settings."),
    ("neg", "Shoes squeak on every step, returned them the next day."),
    ("pos", "My kids finished the puzzle in a weekend and immediately asked for another."),
    ("neg", "The desk lamp flickers at the lowest brightness setting."),
    ("pos", "Knife holds an edge well and the handle does not get slippery."),
    ("neg", "Delivery box was crushed and two of the glasses were cracked."),
    ("pos", "Plant pots drain well and the saucers actually fit."),
    ("neg", "Too small for the listed size, and the zip jams halfway."),
]


def gen_en_tsv() -> None:
    f = "en_tsv/reviews.tsv"
    lines = ["label\treview"]
    for label, review in EN_REVIEWS:
        assert "\t" not in review and '"' not in review and "\n" not in review
        lines.append(f"{label}\t{review}")
        if not review:
            plant(f, "row with empty review", line=len(lines), row=len(lines) - 1)
    write_bytes(f, ("\n".join(lines) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# EXPECTED.json: counts recomputed by reading the written files back under the stated rules


def _text_ok(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def check_jsonl(data: bytes, field: str) -> dict:
    records, rejected = 0, []
    for n, line in enumerate(data.decode("utf-8").split("\n"), 1):
        if not line.strip():
            continue
        records += 1
        try:
            obj = json.loads(line)
        except ValueError:
            rejected.append({"line": n, "reason": "invalid_json"})
            continue
        if not isinstance(obj, dict):
            rejected.append({"line": n, "reason": "not_an_object"})
        elif field not in obj:
            rejected.append({"line": n, "reason": "missing_text_field"})
        elif not _text_ok(obj[field]):
            rejected.append({"line": n, "reason": "empty_text"})
    return {"records": records, "rejected_at": rejected}


def check_delimited(data: bytes, field: str, delimiter: str) -> dict:
    text = data.decode("utf-8")
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    header = next(reader)
    col = header.index(field)
    records, rejected = 0, []
    prev_end = reader.line_num
    for row in reader:
        start, prev_end = prev_end + 1, reader.line_num
        if not row:
            continue
        records += 1
        if len(row) != len(header):
            rejected.append({"line": start, "row": records, "reason": "field_count"})
        elif not _text_ok(row[col]):
            rejected.append({"line": start, "row": records, "reason": "empty_text"})
    return {"records": records, "rejected_at": rejected}


def check_nested_json(data: bytes, path: str) -> dict:
    values: list = [json.loads(data.decode("utf-8"))]
    for part in path.split("."):
        key, is_list = (part[:-2], True) if part.endswith("[]") else (part, False)
        nxt = []
        for v in values:
            if isinstance(v, dict) and key in v:
                if is_list and isinstance(v[key], list):
                    nxt.extend(v[key])
                elif not is_list:
                    nxt.append(v[key])
        values = nxt
    rejected = [{"index": i + 1, "reason": "empty_text"} for i, v in enumerate(values) if not _text_ok(v)]
    return {"records": len(values), "rejected_at": rejected}


def check_text(data: bytes) -> dict:
    ok = _text_ok(data.decode("utf-8-sig"))
    return {"records": 1, "rejected_at": [] if ok else [{"reason": "empty_text"}]}


def check_text_lines(data: bytes) -> dict:
    records = sum(1 for line in data.split(b"\n") if line.decode("utf-8", errors="replace").strip())
    return {"records": records, "rejected_at": []}


def check_parquet(path: Path, field: str) -> dict:
    column = pq.read_table(path, columns=[field]).column(field).to_pylist()
    rejected = [{"row": i + 1, "reason": "null_or_empty_text"} for i, v in enumerate(column) if not _text_ok(v)]
    return {"records": len(column), "rejected_at": rejected}


def build_expected() -> dict:
    files: dict[str, dict] = {}

    def put(key: str, source: str, fmt: str, result: dict) -> None:
        n_rej = len(result["rejected_at"])
        files[key] = {"source": source, "format": fmt, "records": result["records"],
                      "accepted": result["records"] - n_rej, "rejected": n_rej,
                      "rejected_at": result["rejected_at"]}

    put("zh_news/part-0001.jsonl", "zh-news", "jsonl",
        check_jsonl((OUT / "zh_news/part-0001.jsonl").read_bytes(), "text"))
    put("zh_news/part-0002.jsonl.gz", "zh-news", "jsonl",
        check_jsonl(gzip.decompress((OUT / "zh_news/part-0002.jsonl.gz").read_bytes()), "text"))
    put("en_forum/posts.csv", "en-forum", "csv",
        check_delimited((OUT / "en_forum/posts.csv").read_bytes(), "body", ","))
    put("zh_wiki/squad.json", "zh-wiki", "json",
        check_nested_json((OUT / "zh_wiki/squad.json").read_bytes(), "data[].paragraphs[].context"))
    excluded = []
    with tarfile.open(OUT / "en_books.tar.gz", "r:gz") as tar:
        for m in tar.getmembers():
            name = f"en_books.tar.gz!{m.name}"
            if m.isfile() and m.name.startswith("en_books/") and m.name.endswith(".txt") \
                    and "/" not in m.name[len("en_books/"):]:
                put(name, "en-books", "text", check_text(tar.extractfile(m).read()))
            else:
                excluded.append(name)
    put("qa_pairs.parquet", "qa-pairs", "parquet", check_parquet(OUT / "qa_pairs.parquet", "answer"))
    put("zh_chat/chat.txt", "zh-chat", "text-lines", check_text_lines((OUT / "zh_chat/chat.txt").read_bytes()))
    put("en_tsv/reviews.tsv", "en-tsv", "tsv", check_delimited((OUT / "en_tsv/reviews.tsv").read_bytes(),
                                                              "review", "\t"))
    sources: dict[str, dict] = {}
    for entry in files.values():
        s = sources.setdefault(entry["source"], {"files": 0, "records": 0, "accepted": 0, "rejected": 0})
        s["files"] += 1
        for k in ("records", "accepted", "rejected"):
            s[k] += entry[k]
    total = {k: sum(s[k] for s in sources.values()) for k in ("files", "records", "accepted", "rejected")}
    return {
        "comment": "Generated by data_samples/generate.py from the files it wrote; do not edit by hand. "
                   "Lines and rows are 1-based; CSV/TSV 'line' is the physical line where the row starts "
                   "(header is line 1) and 'row' the data-row number.",
        "rules": {
            "jsonl": "one record per non-blank line; invalid JSON, not an object, missing or empty/whitespace "
                     "text field -> rejected",
            "csv/tsv": "one record per data row (header excluded); field count != header's, or empty text "
                       "-> rejected",
            "json": "one record per value found at the text_field path; empty/whitespace -> rejected",
            "text": "one record per file (UTF-8 BOM stripped)",
            "text-lines": "one record per non-blank line; invalid UTF-8 decoded with replacement and accepted",
            "parquet": "one record per row; null or empty text -> rejected",
        },
        "files": files,
        "excluded_archive_members": excluded,
        "sources": dict(sorted(sources.items())),
        "total": total,
        "planted": PLANTED,
    }


# ---------------------------------------------------------------------------------------------
# self-checks: only the planted pairs may be near-duplicates


def _shingles(text: str, k: int = 5) -> set[str]:
    text = "".join(text.split())
    return {text[i:i + k] for i in range(max(1, len(text) - k + 1))}


def _similar_pairs(texts: dict[str, str], threshold: float = 0.5) -> set[frozenset]:
    keys = sorted(texts)
    sh = {k: _shingles(texts[k]) for k in keys}
    out = set()
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if texts[a].strip() and texts[b].strip():
                j = len(sh[a] & sh[b]) / len(sh[a] | sh[b])
                if j >= threshold:
                    out.add(frozenset((a, b)))
    return out


def self_check() -> None:
    news: dict[str, str] = {}
    for rel, data in [("p1", (OUT / "zh_news/part-0001.jsonl").read_bytes()),
                      ("p2", gzip.decompress((OUT / "zh_news/part-0002.jsonl.gz").read_bytes()))]:
        for n, line in enumerate(data.decode("utf-8").split("\n"), 1):
            try:
                news[f"{rel}:{n}"] = json.loads(line)["text"]
            except ValueError:
                pass
    assert _similar_pairs(news) == {frozenset(("p1:3", "p2:5")), frozenset(("p1:9", "p1:17"))}, \
        _similar_pairs(news)

    with open(OUT / "en_forum/posts.csv", newline="", encoding="utf-8") as fh:
        posts = {row[0]: row[2] for row in csv.reader(fh) if len(row) == 4 and row[0] != "post_id"}
    pairs = _similar_pairs(posts)
    assert len(pairs) == 2, pairs

    with tarfile.open(OUT / "en_books.tar.gz", "r:gz") as tar:
        books = {m.name: tar.extractfile(m).read().decode("utf-8-sig") for m in tar.getmembers()
                 if m.name.endswith(".txt")}
    assert _similar_pairs(books) == {frozenset(("en_books/book_01.txt", "en_books/book_04.txt"))}

    chat = {str(i): ln.decode("utf-8", "replace") for i, ln in
            enumerate((OUT / "zh_chat/chat.txt").read_bytes().split(b"\n"))}
    qa = {str(i): a or "" for i, (_, _, a) in enumerate(QA)}
    reviews = {str(i): r for i, (_, r) in enumerate(EN_REVIEWS)}
    for texts in (chat, qa, reviews):
        assert not _similar_pairs(texts), _similar_pairs(texts)


def main() -> None:
    PLANTED.clear()
    rng = random.Random(SEED)
    gen_zh_news(rng)
    gen_en_forum(rng)
    gen_zh_wiki()
    gen_en_books()
    gen_qa_pairs()
    gen_zh_chat()
    gen_en_tsv()
    self_check()
    expected = build_expected()
    write_bytes("EXPECTED.json", (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    t = expected["total"]
    print(f"wrote {t['files']} files/members: {t['records']} records, {t['accepted']} accepted, "
          f"{t['rejected']} rejected")


if __name__ == "__main__":
    main()
