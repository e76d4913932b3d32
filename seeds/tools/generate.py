#!/usr/bin/env python3
"""Generate the demo seed data for 洞头慈善共富 (the Dongtou charity programme API).

Run from anywhere:

    python3 seeds/tools/generate.py

It rewrites every CSV under seeds/ byte-identically (standard library only, fixed
random seed, and only ``Random.random()`` is used so the stream does not depend on the
Python version), then reads the files back and asserts that every cross-reference
resolves. The loader (``api seed``) reads these files; see seeds/README.md.

Conventions of the files:
  * UTF-8 without BOM, comma separated, header row in English, RFC 4180 quoting
    (a field is quoted only when it holds a comma, a quote or a line break), LF line ends.
  * Booleans are ``true`` / ``false``; dates ``YYYY-MM-DD``; instants ``YYYY-MM-DD HH:MM``
    in local Beijing time (Asia/Shanghai); money in yuan with two decimals (generated from
    integer fen, never from floats); an empty field means "none".
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import sys

SEED = 20261122
SEEDS_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# The demo "today" the data is built around: donations end the day before, the future
# activities start after 2026-11-25.
DONATIONS_FROM = dt.date(2024, 11, 23)
DONATIONS_TO = dt.date(2026, 11, 21)
TODAY = dt.date(2026, 11, 22)
FUTURE_AFTER = dt.date(2026, 11, 25)

DEMO_RESIDENT_PHONE = "13800000001"
DEMO_ENTERPRISE = "洞头海霞渔业有限公司"
DEMO_PASSWORD = "Demo@2026"
N_RESIDENTS = 200
N_DONATIONS = 2000

R = random.Random(SEED)


# --------------------------------------------------------------------------------------
# Random helpers built only on R.random() (whose sequence Python guarantees across versions)
# --------------------------------------------------------------------------------------

def rint(a: int, b: int) -> int:
    """Uniform integer in [a, b]."""
    return a + int(R.random() * (b - a + 1))


def pick(seq):
    return seq[int(R.random() * len(seq))]


def chance(p: float) -> bool:
    return R.random() < p


def wpick(items, weights):
    """Weighted choice with integer weights."""
    total = sum(weights)
    x = R.random() * total
    acc = 0
    for item, w in zip(items, weights):
        acc += w
        if x < acc:
            return item
    return items[-1]


def sample(seq, k):
    pool = list(seq)
    out = []
    for _ in range(k):
        out.append(pool.pop(int(R.random() * len(pool))))
    return out


def yuan(fen: int) -> str:
    assert fen > 0
    return f"{fen // 100}.{fen % 100:02d}"


def fmt_dt(x: dt.datetime) -> str:
    return x.strftime("%Y-%m-%d %H:%M")


def b(x: bool) -> str:
    return "true" if x else "false"


# --------------------------------------------------------------------------------------
# Check characters
# --------------------------------------------------------------------------------------

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 居民身份证号 (GB 11643-1999)."""
    s = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    c = (12 - s % 11) % 11
    return "X" if c == 10 else str(c)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORGCODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character of a 统一社会信用代码."""
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARS[(31 - s % 31) % 31]


def orgcode_check_char(body8: str) -> str:
    """GB 11714-1997 check character of the 9-character organisation code inside a USCC."""
    s = sum(int(c, 36) * w for c, w in zip(body8, ORGCODE_WEIGHTS))
    c = 11 - s % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))


def make_uscc(authority_and_type: str, area: str = "330305") -> str:
    """authority_and_type: 91 企业, 93 农民专业合作社, 11 机关, 12 事业单位."""
    body = str(rint(1, 9)) + "".join(str(rint(0, 9)) for _ in range(7))
    orgcode = body + orgcode_check_char(body)
    first17 = authority_and_type + area + orgcode
    return first17 + uscc_check_char(first17)


# --------------------------------------------------------------------------------------
# 1. Towns
# --------------------------------------------------------------------------------------

TOWNS = [
    ("BEIAO", "北岙街道"),
    ("DONGPING", "东屏街道"),
    ("YUANJUE", "元觉街道"),
    ("NIYU", "霓屿街道"),
    ("DAMEN", "大门镇"),
    ("LUXI", "鹿西乡"),
]
TOWN_CODES = [c for c, _ in TOWNS]
TOWN_NAME = dict(TOWNS)
# Rough population weights (北岙 is the district seat, 大门 the largest island town).
TOWN_WEIGHTS = [36, 15, 10, 10, 18, 11]

# --------------------------------------------------------------------------------------
# 2. Charity organisations
# --------------------------------------------------------------------------------------

FED = "洞头区慈善总会"
RED = "洞头区红十字会"
LXC = "兰小草爱心公益服务基地"
HXMM = "洞头区海霞妈妈公益服务中心"
LANHAI = "洞头区蓝海应急救援队"

BRANCH_NOTES = {
    "BEIAO": "北岙街道是区政府所在地，人口最多，分会重点联系辖区机关、学校和沿街商户，组织慈善一日捐和困难家庭走访。",
    "DONGPING": "东屏街道拥有半屏山、仙叠岩等景区，分会联合民宿、渔家乐经营户开展旅游共富帮扶。",
    "YUANJUE": "元觉街道临近状元岙港区，分会联系港航、船舶修造企业，关爱外来务工人员和困难船员家庭。",
    "NIYU": "霓屿街道是“中国紫菜之乡”，分会联合紫菜专业合作社开展助农帮扶和留守老人关爱。",
    "DAMEN": "大门镇是洞头面积最大的海岛镇，分会设有村级慈善工作站，重点开展助老助餐和大病帮扶。",
    "LUXI": "鹿西乡远离本岛，渔民和老年人口比例高，分会围绕渔嫂互助、羊栖菜产业帮扶开展工作。",
}

ORGS = [
    # name, kind, town_code, recognised, runs_supermarket, description
    (FED, "FEDERATION", "", True, True,
     "依法登记并认定的区级慈善组织，统筹全区慈善募捐、慈善一日捐和“9·5中华慈善日”活动，"
     "开展助学、助医、助困、救灾等慈善项目，运营洞头区慈善超市（积分兑换点），"
     "指导各街道（乡镇）慈善分会开展工作。"),
    (RED, "RED_CROSS", "", True, False,
     "依法开展应急救护培训、人道救助、无偿献血和造血干细胞捐献宣传，"
     "参与台风等自然灾害的应急救援和救灾物资接收发放。"),
    (LXC, "BASE", "BEIAO", True, True,
     "传承温州“兰小草”匿名行善精神的公益服务基地，组织志愿者为海岛独居、高龄老人提供助养、"
     "助餐、义剪和上门探访服务，设有面向积分兑换的爱心慈善超市。"),
] + [
    (f"{TOWN_NAME[code]}慈善分会", "BRANCH", code, False, False,
     f"洞头区慈善总会在{TOWN_NAME[code]}设立的分支机构，负责辖区慈善一日捐组织、"
     f"困难群众走访慰问和志愿服务活动。{BRANCH_NOTES[code]}")
    for code in TOWN_CODES
] + [
    (HXMM, "OTHER", "BEIAO", True, False,
     "以“海霞”精神为旗帜、由海岛妈妈志愿者组成的公益服务机构，关注留守儿童、困境儿童和单亲家庭，"
     "开展课业辅导、心理陪伴和亲子阅读活动。"),
    (LANHAI, "OTHER", "DONGPING", True, False,
     "由渔民、退役军人和户外爱好者组成的民间应急救援志愿队伍，参与台风、海上遇险等应急救援，"
     "常年开展防溺水和渔港安全宣传。"),
]
ORG_NAMES = [o[0] for o in ORGS]
SUPERMARKET_ORGS = [o[0] for o in ORGS if o[4]]
LUXI_BRANCH = "鹿西乡慈善分会"

# Receipt number prefixes, per org that receives donations.
RECEIPT_PREFIX = {
    FED: "CSZH",
    RED: "HSZH",
    LXC: "LXCJD",
    HXMM: "HXMM",
    LUXI_BRANCH: "LXFH",
}

# --------------------------------------------------------------------------------------
# 3. Projects
# --------------------------------------------------------------------------------------

PROJECTS = [
    # org, name, description, town_code
    (LXC, "兰小草银龄助养",
     "为全区80周岁以上独居、空巢及困难老人结对助养，每月上门探访、送餐和代购生活用品，"
     "重阳、春节发放慰问金和慰问品。", ""),
    (FED, "海岛学子助学",
     "资助本区低保、低边及因病因灾致困家庭的高中生、大学生，按学年发放助学金，"
     "对考入大学的海岛学子给予一次性圆梦助学。", ""),
    (FED, "大病医疗救助",
     "对医保报销后个人自付费用仍较高的大病患者给予慈善救助，与区人民医院合作开展“一站式”结算。", ""),
    (FED, "困难家庭慈善超市",
     "接收社会捐赠的米、油、衣被等物资，困难家庭凭救助卡、居民凭慈善共富积分到慈善超市领取或兑换。", ""),
    (RED, "应急救灾",
     "储备台风、风暴潮等灾害的救灾物资，灾后第一时间向受灾群众发放生活物资和临时救助金。", ""),
    (RED, "红十字应急救护培训",
     "面向渔民、船员、学校师生和景区从业人员开展心肺复苏、AED使用和海上落水自救互救培训。", ""),
    (HXMM, "海岛留守儿童关爱",
     "为父母外出务工或出海的留守儿童提供课后托管、学业辅导、心理陪伴和节日关爱包。", ""),
    (LUXI_BRANCH, "鹿西渔村共富帮扶",
     "帮扶鹿西乡困难渔民家庭和渔嫂就业，支持羊栖菜养殖加工技能培训，改善海岛老人居住条件。", "LUXI"),
]
PROJECTS_BY_ORG: dict[str, list[str]] = {}
for _org, _name, _d, _t in PROJECTS:
    PROJECTS_BY_ORG.setdefault(_org, []).append(_name)

# --------------------------------------------------------------------------------------
# 4. Campaigns
# --------------------------------------------------------------------------------------

CAMPAIGNS = [
    ("ONE_DAY_DONATION", "慈善一日捐", dt.date(2026, 6, 1), dt.date(2026, 6, 30),
     "倡议全区机关、企事业单位职工和居民奉献一天收入，所募善款用于助学、助医、助老和助困，"
     "可通过线上平台、单位统一组织或现场捐赠。"),
    ("CHARITY_DAY", "9·5中华慈善日", dt.date(2026, 9, 1), dt.date(2026, 9, 10),
     "围绕9月5日“中华慈善日”开展慈善募捐、义卖、志愿服务和慈善文化宣传，"
     "期间捐赠可获得慈善共富积分。"),
]
CAMPAIGN_WINDOW = {c[0]: (c[2], c[3]) for c in CAMPAIGNS}


def campaign_of_day(d: dt.date) -> str:
    for code, (a, z) in CAMPAIGN_WINDOW.items():
        if a <= d <= z:
            return code
    return ""


# --------------------------------------------------------------------------------------
# 5./6. Credit rules and tiers
# --------------------------------------------------------------------------------------

CREDIT_RULES = [
    ("DONATION_RESIDENT", 1, 1000, "2024-01-01"),
    ("DONATION_RESIDENT", 1, 500, "2026-01-01"),
    ("DONATION_ENTERPRISE", 1, 10000, "2024-01-01"),
    ("VOLUNTEER_HOUR", 10, 60, "2024-01-01"),
]

# 洞头慈善榜 ranking rules: government matching funds and transfers between charity orgs are
# not giving by the donor, so they do not count; branches count for their parent group; every
# donor with a positive total appears.
RANKING_RULES = [
    ("2024-01-01", True, True, True, "0.00"),
]

CREDIT_TIERS = [
    ("RESIDENT", 1, "爱心之星", 100, [
        ("PARKING", "区内公共停车场每月免费停车2次"),
        ("OTHER", "洞头区图书馆借阅册数翻倍"),
    ]),
    ("RESIDENT", 2, "善行之星", 1000, [
        ("PARKING", "区内公共停车场每月免费停车4次"),
        ("HEALTHCARE", "区人民医院就医绿色通道（优先挂号、检查）"),
        ("OTHER", "望海楼景区免费游览"),
    ]),
    ("RESIDENT", 3, "慈善之星", 5000, [
        ("PARKING", "区内公共停车场每月免费停车8次"),
        ("HEALTHCARE", "区人民医院每年免费健康体检一次"),
        ("ELDERLY_CARE", "家中老人优先享受居家养老上门服务"),
        ("EDUCATION", "子女参加区青少年宫公益课程学费减半"),
    ]),
    ("RESIDENT", 4, "共富之星", 20000, [
        ("PARKING", "区内公共停车场全年免费停车"),
        ("HEALTHCARE", "区人民医院专家门诊优先预约及年度体检"),
        ("ELDERLY_CARE", "家中老人优先入住区社会福利中心"),
        ("EDUCATION", "子女参加区青少年宫公益课程免费"),
        ("HONOUR", "推荐参评“洞头慈善奖”爱心个人"),
    ]),
    ("ENTERPRISE", 1, "爱心单位", 10000, [
        ("HONOUR", "授予“洞头区爱心单位”铭牌"),
        ("OTHER", "区行政审批服务中心企业服务绿色通道"),
    ]),
    ("ENTERPRISE", 2, "慈善单位", 100000, [
        ("HONOUR", "推荐参评“温州慈善奖”"),
        ("HONOUR", "洞头慈善榜年度榜单展示并发放荣誉证书"),
        ("OTHER", "洞头农商银行企业贷款利率优惠"),
    ]),
    ("ENTERPRISE", 3, "共富先锋单位", 500000, [
        ("HONOUR", "推荐参评“浙江慈善奖”"),
        ("HONOUR", "优先推荐参加各级优秀企业家、劳动模范评选"),
        ("PARKING", "企业员工享受区内公共停车场优惠停车"),
        ("OTHER", "洞头农商银行企业贷款利率优惠并提供专属客户经理"),
    ]),
]
BENEFIT_CATEGORIES = ["PARKING", "HEALTHCARE", "ELDERLY_CARE", "EDUCATION", "HONOUR", "OTHER"]

# --------------------------------------------------------------------------------------
# 7. Residents
# --------------------------------------------------------------------------------------

SURNAMES = ["陈", "林", "王", "张", "李", "黄", "周", "吴", "郑", "叶", "潘", "金", "蔡", "徐",
            "杨", "胡", "朱", "谢", "洪", "施", "刘", "邱", "钟", "余", "薛", "董", "汤", "邵"]
SURNAME_WEIGHTS = [18, 14, 10, 8, 7, 6, 5, 5, 5, 5, 4, 4, 4, 4,
                   3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1]
MALE_CHARS = list("伟强军杰斌海波涛明辉建国华勇峰磊洋鹏宇浩晨俊志文东平刚成荣德胜锋超龙新光忠永亮帆")
FEMALE_CHARS = list("丽芳燕娟霞红敏静婷琴萍玲慧雪颖佳洁素秀美莉蓉晓月春云青珍娜琳")

FIXED_RESIDENTS = [
    # name, phone, town, male, name_consent, name_style, id_number wanted
    ("陈晓明", DEMO_RESIDENT_PHONE, "BEIAO", True, True, "MASKED", True),
    ("林小红", "13800000002", "BEIAO", False, False, "MASKED", False),
]

PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "139", "150", "151",
                  "152", "153", "155", "157", "158", "159", "170", "173", "177", "180",
                  "181", "182", "183", "186", "187", "188", "189", "191", "198", "199"]

ACCOUNT_PHONES = ["13900000000", "13900000001", "13900000002", "13900000003",
                  DEMO_RESIDENT_PHONE, "13900000005"]


def make_name(male: bool, taken: set) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    while True:
        s = wpick(SURNAMES, SURNAME_WEIGHTS)
        if chance(0.35):
            name = s + pick(chars)
        else:
            a = pick(chars)
            c = pick(chars)
            if a == c:
                continue
            name = s + a + c
        if name not in taken:
            taken.add(name)
            return name


def make_phone(taken: set) -> str:
    while True:
        p = pick(PHONE_PREFIXES) + "".join(str(rint(0, 9)) for _ in range(8))
        if p in taken or p.startswith("1380000") or p.startswith("1390000"):
            continue
        taken.add(p)
        return p


def make_id_number(male: bool, taken: set, birth: dt.date | None = None) -> str:
    while True:
        if birth is None:
            bd = dt.date(rint(1945, 2004), rint(1, 12), rint(1, 28))
        else:
            bd = birth
        seq = f"{rint(0, 99):02d}"
        g = rint(0, 4) * 2 + (1 if male else 0)
        first17 = "330322" + bd.strftime("%Y%m%d") + seq + str(g)
        idn = first17 + id_check_char(first17)
        if idn not in taken:
            taken.add(idn)
            return idn


def build_residents():
    names_taken = {r[0] for r in FIXED_RESIDENTS}
    phones_taken = {r[1] for r in FIXED_RESIDENTS} | set(ACCOUNT_PHONES)
    ids_taken: set = set()
    rows = []
    for name, phone, town, male, consent, style, want_id in FIXED_RESIDENTS:
        idn = make_id_number(male, ids_taken, dt.date(1985, 3, 12)) if want_id else ""
        rows.append({"name": name, "phone": phone, "town_code": town, "id_number": idn,
                     "name_consent": b(consent), "name_style": style})
    while len(rows) < N_RESIDENTS:
        male = chance(0.5)
        name = make_name(male, names_taken)
        phone = make_phone(phones_taken)
        town = wpick(TOWN_CODES, TOWN_WEIGHTS)
        idn = make_id_number(male, ids_taken) if chance(0.2) else ""
        consent = chance(0.6)
        if consent:
            style = "NAMED" if chance(0.5) else "MASKED"
        else:
            style = "MASKED" if chance(0.8) else "NAMED"
        rows.append({"name": name, "phone": phone, "town_code": town, "id_number": idn,
                     "name_consent": b(consent), "name_style": style})
    return rows


# --------------------------------------------------------------------------------------
# 8. Enterprises
# --------------------------------------------------------------------------------------

ENTERPRISES = [
    # name, kind, uscc type ("" = no code on file), town, parent
    (DEMO_ENTERPRISE, "ENTERPRISE", "91", "BEIAO", ""),
    ("浙江洞头海洋渔业集团有限公司", "ENTERPRISE", "91", "BEIAO", ""),
    ("浙江洞头海洋渔业集团有限公司鹿西分公司", "ENTERPRISE", "91", "LUXI", "浙江洞头海洋渔业集团有限公司"),
    ("浙江洞头海洋渔业集团有限公司大门分公司", "ENTERPRISE", "91", "DAMEN", "浙江洞头海洋渔业集团有限公司"),
    ("温州洞头百岛旅游发展有限公司", "ENTERPRISE", "91", "DONGPING", ""),
    ("温州洞头百岛旅游发展有限公司仙叠岩景区分公司", "ENTERPRISE", "91", "DONGPING", "温州洞头百岛旅游发展有限公司"),
    ("洞头鹿西岛羊栖菜食品有限公司", "ENTERPRISE", "91", "LUXI", ""),
    ("洞头霓屿紫菜专业合作社", "ENTERPRISE", "93", "NIYU", ""),
    ("温州元觉船舶修造有限公司", "ENTERPRISE", "91", "YUANJUE", ""),
    ("洞头大门海洋开发建设有限公司", "ENTERPRISE", "91", "DAMEN", ""),
    ("温州洞头港务有限公司", "ENTERPRISE", "91", "YUANJUE", ""),
    ("洞头东海水产冷链物流有限公司", "ENTERPRISE", "91", "BEIAO", ""),
    ("洞头望海楼文化传媒有限公司", "ENTERPRISE", "91", "BEIAO", ""),
    ("温州半屏山海产品有限公司", "ENTERPRISE", "91", "DONGPING", ""),
    ("洞头渔家乐民宿管理有限公司", "ENTERPRISE", "", "DONGPING", ""),
    ("洞头兴海建设工程有限公司", "ENTERPRISE", "91", "BEIAO", ""),
    ("洞头蓝色海湾生态科技有限公司", "ENTERPRISE", "91", "YUANJUE", ""),
    ("温州洞头海运有限公司", "ENTERPRISE", "91", "BEIAO", ""),
    ("洞头百岛供水有限公司", "ENTERPRISE", "91", "BEIAO", ""),
    ("洞头霓屿石材有限公司", "ENTERPRISE", "91", "NIYU", ""),
    ("洞头大门镇海产养殖有限公司", "ENTERPRISE", "", "DAMEN", ""),
    ("洞头东屏超市连锁有限公司", "ENTERPRISE", "91", "DONGPING", ""),
    ("洞头东屏超市连锁有限公司北岙分店", "ENTERPRISE", "91", "BEIAO", "洞头东屏超市连锁有限公司"),
    ("洞头区人民医院", "UNIT", "12", "BEIAO", ""),
    ("温州市洞头区第一中学", "UNIT", "12", "BEIAO", ""),
    ("洞头区实验小学", "UNIT", "12", "BEIAO", ""),
    ("洞头区教育局", "UNIT", "11", "BEIAO", ""),
    ("洞头区卫生健康局", "UNIT", "11", "BEIAO", ""),
    ("洞头区北岙街道社区卫生服务中心", "UNIT", "12", "BEIAO", ""),
    ("洞头区大门镇中心小学", "UNIT", "", "DAMEN", ""),
]


def build_enterprises():
    rows = []
    taken = set()
    for name, kind, utype, town, parent in ENTERPRISES:
        code = ""
        if utype:
            while True:
                code = make_uscc(utype)
                if code not in taken:
                    taken.add(code)
                    break
        rows.append({"name": name, "kind": kind, "credit_code": code,
                     "town_code": town, "parent": parent})
    return rows


# --------------------------------------------------------------------------------------
# 9. Donations
# --------------------------------------------------------------------------------------

GOODS_BY_PROJECT = {
    # project: [(description, appraised fen per unit, min qty, max qty)]
    "困难家庭慈善超市": [("大米 10kg/袋", 5000, 5, 200), ("食用油 5L/桶", 7000, 5, 100),
                  ("洗衣液 2kg/瓶", 3000, 10, 100), ("面条 2kg/箱", 2500, 10, 80),
                  ("棉被", 15000, 5, 50), ("牛奶 整箱", 6000, 5, 60)],
    "应急救灾": [("矿泉水 整箱", 3000, 20, 300), ("方便面 整箱", 4500, 20, 200),
             ("救生衣", 12000, 10, 100), ("应急手电筒", 3500, 10, 100), ("雨衣雨靴套装", 8000, 10, 80)],
    "兰小草银龄助养": [("老年助行拐杖", 8000, 2, 30), ("保暖羽绒背心", 12000, 5, 50),
                ("营养麦片 1kg/袋", 4000, 5, 60), ("轮椅", 60000, 1, 10)],
    "海岛留守儿童关爱": [("学生书包", 8000, 5, 60), ("儿童图书", 3000, 10, 200), ("文具套装", 2500, 10, 150)],
    "海岛学子助学": [("笔记本电脑", 350000, 1, 10), ("台灯", 9000, 5, 50), ("学生书包", 8000, 10, 100)],
    "鹿西渔村共富帮扶": [("大米 10kg/袋", 5000, 5, 60), ("食用油 5L/桶", 7000, 5, 40)],
    "大病医疗救助": [("医用口罩 50只/盒", 2500, 20, 200), ("家用制氧机", 180000, 1, 5)],
    "红十字应急救护培训": [("急救包", 9000, 10, 60), ("心肺复苏训练模拟人", 300000, 1, 3)],
}

ORG_WEIGHTS_RESIDENT = {FED: 50, LXC: 17, RED: 14, HXMM: 11, LUXI_BRANCH: 8}
ORG_WEIGHTS_ENTERPRISE = {FED: 55, RED: 15, LXC: 15, HXMM: 7, LUXI_BRANCH: 8}
ORG_WEIGHTS_WALKIN = {FED: 55, LXC: 20, RED: 12, HXMM: 8, LUXI_BRANCH: 5}

COMMON_RESIDENT_YUAN = [10, 10, 20, 20, 30, 50, 50, 50, 66, 88, 100, 100, 100, 100, 120,
                        168, 200, 200, 200, 300, 500, 500, 520, 666, 1000, 1000, 2000]
COMMON_ENTERPRISE_YUAN = [1000, 2000, 3000, 5000, 5000, 8000, 10000, 10000, 20000,
                          30000, 50000, 50000, 100000, 200000]
WALKIN_PEOPLE = ["王先生", "陈女士", "林阿姨", "一位老渔民", "张先生", "黄女士", "郑大伯",
                 "一名小学生", "周先生", "叶女士", "爱心人士", "施先生", "匿名老党员"]


def day_weight(d: dt.date) -> int:
    w = 10
    if dt.date(2026, 6, 1) <= d <= dt.date(2026, 6, 30):
        w = 55                                   # 慈善一日捐 2026
    elif dt.date(2026, 9, 1) <= d <= dt.date(2026, 9, 10):
        w = 250 if d.day == 5 else 90            # 9·5中华慈善日 2026
    elif dt.date(2025, 6, 1) <= d <= dt.date(2025, 6, 30):
        w = 22                                   # the 2025 drive (no campaign row for it)
    elif dt.date(2025, 9, 1) <= d <= dt.date(2025, 9, 10):
        w = 35 if d.day != 5 else 90
    elif (d.month == 1 and d.day >= 10) or (d.month == 2 and d.day <= 10):
        w = 16                                   # 春节送温暖
    return w


ALL_DAYS = [DONATIONS_FROM + dt.timedelta(days=i)
            for i in range((DONATIONS_TO - DONATIONS_FROM).days + 1)]
ALL_DAY_WEIGHTS = [day_weight(d) for d in ALL_DAYS]


def random_instant(business_hours: bool = False) -> dt.datetime:
    d = wpick(ALL_DAYS, ALL_DAY_WEIGHTS)
    if business_hours:
        h = rint(9, 16)
    else:
        h = wpick(list(range(7, 23)), [2, 5, 8, 9, 8, 6, 6, 7, 7, 6, 5, 6, 8, 9, 7, 3])
    return dt.datetime(d.year, d.month, d.day, h, rint(0, 59))


def resident_amount_fen(one_day: bool) -> int:
    if one_day:
        return pick([100, 100, 200, 200, 200, 300, 300, 500, 500, 1000]) * 100
    x = R.random()
    if x < 0.70:
        return pick(COMMON_RESIDENT_YUAN) * 100
    if x < 0.92:
        cents = pick([0, 0, 0, 50, rint(1, 99)])
        return (rint(10, 500) if chance(0.7) else rint(500, 2000)) * 100 + cents
    if x < 0.985:
        return rint(20, 100) * 10000         # 2,000 .. 10,000 yuan
    return rint(10, 50) * 100000             # long tail: 10,000 .. 50,000 yuan


def enterprise_amount_fen() -> int:
    if chance(0.8):
        return pick(COMMON_ENTERPRISE_YUAN) * 100
    return rint(10, 2000) * 10000            # 1,000 .. 200,000 yuan in hundreds


def walkin_amount_fen() -> int:
    if chance(0.8):
        return pick([5, 10, 10, 20, 50, 50, 100, 100, 200, 500]) * 100
    return rint(5, 1000) * 100 + pick([0, 0, 50])


def goods_for(project: str, small: bool):
    desc, unit, lo, hi = pick(GOODS_BY_PROJECT[project])
    if small:
        hi = max(lo, min(hi, lo * 2))
        lo = 1
    qty = rint(lo, hi)
    return desc, qty, unit * qty


def donation(org, project, when, donor_type, kind, amount_fen, channel, campaign,
             funding, visibility, phone="", enterprise="", walk_in="", goods=("", "")):
    return {
        "receipt_no": "", "org": org, "donor_type": donor_type, "donor_phone": phone,
        "donor_enterprise": enterprise, "walk_in_name": walk_in, "kind": kind,
        "amount_yuan": yuan(amount_fen), "goods_description": goods[0],
        "goods_quantity": str(goods[1]) if goods[1] != "" else "",
        "project": project, "campaign": campaign, "channel": channel,
        "funding_source": funding, "donated_at": fmt_dt(when), "visibility": visibility,
    }


def fixed_donations():
    """Hand-written rows for the demo logins (and one no-consent resident)."""
    D = dt.datetime
    rows = []
    me = DEMO_RESIDENT_PHONE
    # 陈晓明: 10 donations, 1,500.00 yuan in all (738.88 before 2026-01-01, 761.12 after).
    for when, org, proj, fen, ch, camp, vis, goods in [
        (D(2024, 12, 15, 10, 32), FED, "大病医疗救助", 10000, "ONLINE", "", "MASKED", None),
        (D(2025, 1, 20, 9, 15), LXC, "兰小草银龄助养", 20000, "OFFLINE", "", "MASKED", None),
        (D(2025, 3, 8, 14, 20), HXMM, "海岛留守儿童关爱", 5000, "ONLINE", "", "ANONYMOUS", None),
        (D(2025, 6, 12, 19, 5), FED, "海岛学子助学", 15000, "ONLINE", "", "MASKED", None),
        (D(2025, 9, 5, 11, 40), FED, "困难家庭慈善超市", 8888, "ONLINE", "", "MASKED", None),
        (D(2025, 11, 18, 20, 10), RED, "应急救灾", 15000, "ONLINE", "", "MASKED", None),
        (D(2026, 3, 15, 16, 45), LXC, "兰小草银龄助养", 20000, "OFFLINE", "", "MASKED", None),
        (D(2026, 6, 10, 8, 30), FED, "海岛学子助学", 30000, "ONE_DAY_DONATION",
         "ONE_DAY_DONATION", "MASKED", None),
        (D(2026, 9, 5, 10, 0), FED, "大病医疗救助", 12112, "ONLINE", "CHARITY_DAY", "MASKED", None),
        (D(2026, 10, 20, 15, 25), FED, "困难家庭慈善超市", 14000, "OFFLINE", "", "MASKED",
         ("食用油 5L/桶", 2)),
    ]:
        kind = "GOODS" if goods else "MONEY"
        rows.append(donation(org, proj, when, "RESIDENT", kind, fen, ch, camp, "PUBLIC", vis,
                             phone=me, goods=goods or ("", "")))
    # 林小红: no name consent, so she appears as 爱心人士 although she ticked NAMED.
    for when, org, proj, fen, ch, camp in [
        (D(2025, 5, 1, 9, 0), FED, "大病医疗救助", 500000, "BANK_TRANSFER", ""),
        (D(2026, 6, 15, 12, 0), FED, "海岛学子助学", 100000, "ONE_DAY_DONATION", "ONE_DAY_DONATION"),
        (D(2026, 9, 5, 9, 30), LXC, "兰小草银龄助养", 50000, "ONLINE", "CHARITY_DAY"),
    ]:
        rows.append(donation(org, proj, when, "RESIDENT", "MONEY", fen, ch, camp, "PUBLIC",
                             "NAMED", phone="13800000002"))
    # 洞头海霞渔业有限公司: 6 donations, 128,000.00 yuan (tier 2 慈善单位).
    for when, org, proj, fen, ch, camp, goods in [
        (D(2025, 1, 15, 10, 0), FED, "困难家庭慈善超市", 1000000, "OFFLINE", "", ("大米 10kg/袋", 200)),
        (D(2025, 6, 18, 14, 30), FED, "海岛学子助学", 2000000, "BANK_TRANSFER", "", None),
        (D(2025, 9, 5, 9, 45), RED, "应急救灾", 1000000, "BANK_TRANSFER", "", None),
        (D(2026, 6, 5, 10, 20), FED, "大病医疗救助", 5000000, "ONE_DAY_DONATION", "ONE_DAY_DONATION", None),
        (D(2026, 9, 5, 15, 0), LXC, "兰小草银龄助养", 3000000, "BANK_TRANSFER", "CHARITY_DAY", None),
        (D(2026, 10, 12, 11, 10), LUXI_BRANCH, "鹿西渔村共富帮扶", 800000, "BANK_TRANSFER", "", None),
    ]:
        kind = "GOODS" if goods else "MONEY"
        rows.append(donation(org, proj, when, "ENTERPRISE", kind, fen, ch, camp, "PUBLIC", "NAMED",
                             enterprise=DEMO_ENTERPRISE, goods=goods or ("", "")))
    # Government matching funds and transfers from other charities (excluded from rankings
    # when the ranking rules say so).
    for when, org, proj, fen, camp in [
        (D(2025, 6, 30, 16, 0), FED, "海岛学子助学", 20000000, ""),
        (D(2025, 9, 10, 15, 30), FED, "大病医疗救助", 10000000, ""),
        (D(2026, 6, 30, 16, 10), FED, "海岛学子助学", 30000000, "ONE_DAY_DONATION"),
        (D(2026, 9, 10, 15, 0), FED, "大病医疗救助", 15000000, "CHARITY_DAY"),
        (D(2026, 9, 8, 10, 0), LXC, "兰小草银龄助养", 5000000, "CHARITY_DAY"),
    ]:
        rows.append(donation(org, proj, when, "WALK_IN", "MONEY", fen, "BANK_TRANSFER", camp,
                             "GOVERNMENT_MATCHING", "NAMED", walk_in="洞头区财政局（政府配比资金）"))
    for when, org, proj, fen, who in [
        (D(2025, 2, 20, 10, 0), FED, "大病医疗救助", 8000000, "温州市慈善总会"),
        (D(2025, 8, 2, 9, 30), RED, "应急救灾", 3000000, "温州市红十字会"),
        (D(2025, 12, 16, 14, 0), FED, "海岛学子助学", 5000000, "浙江省慈善联合总会"),
        (D(2026, 7, 28, 11, 0), RED, "应急救灾", 2000000, "温州市红十字会"),
    ]:
        rows.append(donation(org, proj, when, "WALK_IN", "MONEY", fen, "BANK_TRANSFER", "",
                             "CHARITY_TRANSFER", "NAMED", walk_in=who))
    # A named fund (冠名基金) held by the fishery group, transferred to the federation.
    rows.append(donation(FED, "困难家庭慈善超市", D(2026, 1, 22, 10, 30), "ENTERPRISE", "MONEY",
                         6000000, "BANK_TRANSFER", "", "CHARITY_TRANSFER", "NAMED",
                         enterprise="浙江洞头海洋渔业集团有限公司"))
    return rows


def random_donation(residents, enterprises):
    when = None
    donor_type = wpick(["RESIDENT", "ENTERPRISE", "WALK_IN"], [68, 14, 18])
    if donor_type == "ENTERPRISE":
        when = random_instant(business_hours=True)
    else:
        when = random_instant()
    day = when.date()
    window = campaign_of_day(day)

    if donor_type == "RESIDENT":
        res = pick(residents)
        weights = dict(ORG_WEIGHTS_RESIDENT)
        if res["town_code"] == "LUXI":
            weights[LUXI_BRANCH] = 40
        org = wpick(list(weights), list(weights.values()))
    elif donor_type == "ENTERPRISE":
        ent = pick(enterprises)
        weights = dict(ORG_WEIGHTS_ENTERPRISE)
        if ent["town_code"] == "LUXI":
            weights[LUXI_BRANCH] = 40
        org = wpick(list(weights), list(weights.values()))
    else:
        org = wpick(list(ORG_WEIGHTS_WALKIN), list(ORG_WEIGHTS_WALKIN.values()))
    project = pick(PROJECTS_BY_ORG[org])

    goods_p = {"RESIDENT": 0.07, "ENTERPRISE": 0.18, "WALK_IN": 0.15}[donor_type]
    kind = "GOODS" if chance(goods_p) else "MONEY"

    # channel and campaign
    campaign = ""
    if kind == "GOODS":
        channel = "OFFLINE"
        if window and chance(0.6):
            campaign = window
    else:
        if window == "ONE_DAY_DONATION" and donor_type != "WALK_IN" and chance(0.75):
            channel, campaign = "ONE_DAY_DONATION", "ONE_DAY_DONATION"
        else:
            if donor_type == "RESIDENT":
                channel = wpick(["ONLINE", "OFFLINE", "BANK_TRANSFER", "OTHER"], [55, 35, 5, 5])
            elif donor_type == "ENTERPRISE":
                channel = wpick(["BANK_TRANSFER", "OFFLINE", "ONLINE", "OTHER"], [70, 15, 10, 5])
            else:
                channel = wpick(["OFFLINE", "ONLINE", "OTHER"], [80, 12, 8])
            if window and chance(0.7):
                campaign = window

    one_day = channel == "ONE_DAY_DONATION"
    goods = ("", "")
    if kind == "GOODS":
        desc, qty, fen = goods_for(project, small=(donor_type != "ENTERPRISE"))
        goods = (desc, qty)
    elif donor_type == "RESIDENT":
        fen = resident_amount_fen(one_day)
    elif donor_type == "ENTERPRISE":
        fen = enterprise_amount_fen()
    else:
        fen = walkin_amount_fen()

    if donor_type == "RESIDENT":
        vis = "ANONYMOUS" if chance(0.07) else res["name_style"]
        return donation(org, project, when, "RESIDENT", kind, fen, channel, campaign, "PUBLIC",
                        vis, phone=res["phone"], goods=goods)
    if donor_type == "ENTERPRISE":
        vis = "ANONYMOUS" if chance(0.06) else "NAMED"
        return donation(org, project, when, "ENTERPRISE", kind, fen, channel, campaign, "PUBLIC",
                        vis, enterprise=ent["name"], goods=goods)
    name = "" if chance(0.25) else pick(WALKIN_PEOPLE)
    vis = "ANONYMOUS" if (not name or name == "爱心人士") else "MASKED"
    return donation(org, project, when, "WALK_IN", kind, fen, channel, campaign, "PUBLIC", vis,
                    walk_in=name, goods=goods)


def build_donations(residents, enterprises):
    rows = fixed_donations()
    others = [r for r in residents if r["phone"] not in (DEMO_RESIDENT_PHONE, "13800000002")]
    ents = [e for e in enterprises if e["name"] != DEMO_ENTERPRISE]
    while len(rows) < N_DONATIONS:
        rows.append(random_donation(others, ents))
    # chronological order; receipt numbers run per org and per year
    indexed = sorted(enumerate(rows), key=lambda p: (p[1]["donated_at"], p[0]))
    rows = [r for _, r in indexed]
    counters: dict = {}
    for r in rows:
        year = r["donated_at"][:4]
        key = (r["org"], year)
        counters[key] = counters.get(key, 0) + 1
        r["receipt_no"] = f"{RECEIPT_PREFIX[r['org']]}-{year}-{counters[key]:06d}"
    return rows


# --------------------------------------------------------------------------------------
# 10.-12. Perk partners, perks, rewards
# --------------------------------------------------------------------------------------

PERK_PARTNERS = [
    ("洞头农商银行", "BANK", "BEIAO"),
    ("洞头区城市停车公司", "PARKING", "BEIAO"),
    ("洞头区图书馆", "LIBRARY", "BEIAO"),
    ("洞头区人民医院", "HOSPITAL", "BEIAO"),
    ("洞头区行政审批服务中心", "APPROVAL", "BEIAO"),
    ("东屏街道社区卫生服务中心", "HOSPITAL", "DONGPING"),
    ("望海楼景区", "OTHER", "DONGPING"),
]

PERKS = [
    # partner, title, description, min_baijiaxin_level, min_tier_level, monthly_quota, valid minutes
    ("洞头农商银行", "共富信用贷利率优惠",
     "百家信等级达标的居民申请“共富信用贷”，贷款年利率在基准利率上优惠0.5个百分点。", 2, "", 50, 30),
    ("洞头农商银行", "借记卡免年费及小额账户管理费",
     "凭礼遇券在任一网点办理，免收借记卡年费和小额账户管理费。", 1, "", 200, 15),
    ("洞头区城市停车公司", "公共停车场免费停车",
     "在区内任一公共停车场出场时出示礼遇券，免收本次停车费（限4小时）。", "", 1, 500, 10),
    ("洞头区城市停车公司", "景区停车场半价",
     "半屏山、仙叠岩、望海楼景区停车场停车费减半。", 2, "", 300, 10),
    ("洞头区图书馆", "免押金借阅并借阅册数翻倍",
     "凭礼遇券在总馆或任一分馆开通免押金借阅，借阅册数由10册提高至20册。", 1, "", 300, 15),
    ("洞头区人民医院", "就医绿色通道",
     "门诊优先挂号、优先检查，由志愿者陪同就医。", 3, 2, 100, 30),
    ("洞头区人民医院", "年度免费健康体检",
     "每年一次常规健康体检（含血常规、心电图、B超）。", "", 3, 20, 30),
    ("东屏街道社区卫生服务中心", "家庭医生优先签约",
     "优先签约家庭医生，为家中65岁以上老人提供上门随访。", 2, "", 60, 30),
    ("洞头区行政审批服务中心", "容缺受理与专窗办理",
     "办理个人或个体工商户事项时，在专窗优先办理，非关键材料可容缺受理。", 2, "", 100, 30),
    ("望海楼景区", "景区免费游览",
     "本人凭礼遇券免费游览望海楼景区一次。", 1, "", 200, 20),
]

REWARDS = [
    # org, name, description, credit_price, stock, per_person_limit
    (FED, "东北大米 5kg", "五常产区粳米，真空包装，慈善超市现场领取。", 60, 200, 2),
    (FED, "食用油 5L", "非转基因压榨花生油一桶。", 80, 120, 1),
    (FED, "洗衣液 2kg", "家庭装低泡洗衣液一瓶。", 30, 150, 2),
    (FED, "文具套装", "书包、笔袋、笔记本和水彩笔组成的学生文具套装。", 25, 100, 2),
    (FED, "毛巾两条装", "纯棉毛巾两条。", 15, 300, 3),
    (FED, "保温杯", "304不锈钢保温杯（500ml），印有“洞头慈善共富”标识。", 50, 80, 1),
    (LXC, "挂面 2kg", "家庭装挂面一袋。", 20, 200, 3),
    (LXC, "牙膏牙刷套装", "牙膏一支、牙刷两支。", 15, 200, 3),
    (LXC, "老年助行拐杖", "四脚防滑助行拐杖，适合行动不便的老人。", 40, 30, 1),
    (LXC, "冬季暖心棉拖鞋", "加厚防滑棉拖鞋一双。", 20, 100, 2),
]

# --------------------------------------------------------------------------------------
# 13./14. Activities and attendance
# --------------------------------------------------------------------------------------

ACTIVITIES = [
    # key, org, title, description, town, place, start, minutes, capacity, demo resident joins
    ("beach-clean-2025-04", HXMM, "大沙岙海滩清洁",
     "清理沙滩和礁石间的塑料垃圾、废弃渔网，倡导“无废海岛”。", "DONGPING", "大沙岙沙滩",
     dt.datetime(2025, 4, 19, 8, 30), 180, 30, True),
    ("elder-visit-2025-05", LXC, "敬老院探访",
     "为敬老院老人理发、读报、陪伴聊天，帮助整理房间。", "BEIAO", "洞头区社会福利中心",
     dt.datetime(2025, 5, 11, 14, 0), 150, 20, False),
    ("first-aid-2025-06", RED, "应急救护培训进社区",
     "学习心肺复苏和AED使用，协助培训师组织学员分组练习。", "DONGPING", "东屏街道新城社区文化礼堂",
     dt.datetime(2025, 6, 14, 9, 0), 180, 25, False),
    ("fishport-safety-2025-09", LUXI_BRANCH, "渔港安全宣传",
     "开渔前走访渔船，发放安全生产和防溺水宣传资料，检查救生衣配备。", "LUXI", "鹿西渔港码头",
     dt.datetime(2025, 9, 12, 8, 0), 240, 15, False),
    ("typhoon-cleanup-2025-09", LANHAI, "台风过后清障帮扶",
     "协助清理倒伏树木和路面杂物，为受灾独居老人检查门窗和用电安全。", "DAMEN", "大门镇观音礁村",
     dt.datetime(2025, 9, 21, 7, 30), 270, 30, False),
    ("library-service-2025-10", "北岙街道慈善分会", "图书馆志愿服务",
     "在洞头区图书馆整理书架、引导读者、协助开展少儿绘本阅读。", "BEIAO", "洞头区图书馆",
     dt.datetime(2025, 10, 18, 9, 0), 210, 12, True),
    ("laver-harvest-2025-12", "霓屿街道慈善分会", "紫菜采收助农",
     "帮助年迈菜农采收和晾晒紫菜，了解紫菜产业共富故事。", "NIYU", "霓屿街道下社村紫菜基地",
     dt.datetime(2025, 12, 6, 7, 0), 240, 20, False),
    ("elder-meal-2026-01", "大门镇慈善分会", "老年食堂助餐",
     "在村老年食堂帮厨、分餐，为行动不便老人送餐上门。", "DAMEN", "大门镇沙岙村老年食堂",
     dt.datetime(2026, 1, 17, 10, 0), 150, 15, False),
    ("island-clean-2026-03", "元觉街道慈善分会", "海岛垃圾清理",
     "清理岸线和山道垃圾，开展垃圾分类入户宣传。", "YUANJUE", "元觉街道状元岙岸线",
     dt.datetime(2026, 3, 21, 8, 30), 180, 25, True),
    ("lanxiaocao-haircut-2026-04", LXC, "兰小草银龄义剪",
     "为高龄、独居老人上门义剪，登记老人的生活需求。", "BEIAO", "北岙街道城中社区",
     dt.datetime(2026, 4, 12, 14, 0), 180, 12, False),
    ("children-tutoring-2026-05", HXMM, "留守儿童课业辅导",
     "为留守儿童辅导作业、开展亲子阅读和心理陪伴。", "BEIAO", "海霞妈妈公益服务中心活动室",
     dt.datetime(2026, 5, 23, 14, 0), 120, 15, False),
    ("one-day-donation-promo-2026-06", FED, "慈善一日捐宣传",
     "在社区、商圈设点宣传慈善一日捐，协助居民线上捐赠和开具捐赠票据。", "BEIAO", "洞头区中心街",
     dt.datetime(2026, 6, 6, 9, 0), 240, 20, True),
    ("charity-day-fair-2026-09", FED, "9·5慈善日义卖",
     "组织义卖摊位、协助收款登记，义卖所得用于海岛学子助学。", "BEIAO", "洞头区文化广场",
     dt.datetime(2026, 9, 5, 9, 0), 240, 30, True),
    ("blood-donation-2026-10", RED, "无偿献血服务",
     "引导献血者填表、测量血压，为献血者提供茶歇服务。", "BEIAO", "洞头区人民医院门口献血车",
     dt.datetime(2026, 10, 24, 8, 30), 210, 10, False),
    # finished, its hours not yet certified (the organiser's bulk certification is still to do)
    ("coast-planting-2026-11", FED, "北岙海岸植树护绿",
     "在北岙海岸线补种防风林苗木，清理林带垃圾。", "BEIAO", "北岙街道海岸防护林带",
     dt.datetime(2026, 11, 14, 9, 0), 180, 20, True),
    # future, open for signup
    ("beach-clean-2026-11", HXMM, "冬季海滩清洁",
     "清理冬季风浪冲上岸的垃圾和废弃渔具。", "DONGPING", "半屏山沙滩",
     dt.datetime(2026, 11, 28, 8, 30), 180, 30, False),
    ("library-weekend-2026-12", "北岙街道慈善分会", "图书馆周末志愿服务",
     "在洞头区图书馆整理图书、引导读者、协助少儿阅读活动。", "BEIAO", "洞头区图书馆",
     dt.datetime(2026, 12, 5, 9, 0), 210, 12, False),
    ("fishport-safety-2026-12", LANHAI, "冬季渔港安全宣传",
     "走访渔船宣传冬季防风、防火和防溺水知识。", "YUANJUE", "元觉渔港码头",
     dt.datetime(2026, 12, 12, 8, 30), 180, 15, False),
    ("winter-solstice-visit-2026-12", LXC, "冬至敬老院探访",
     "冬至为敬老院老人包汤圆、送温暖。", "BEIAO", "洞头区社会福利中心",
     dt.datetime(2026, 12, 21, 14, 0), 150, 20, False),
    ("new-year-supermarket-2026-12", FED, "元旦慈善超市志愿服务",
     "协助慈善超市整理物资、为兑换积分的居民登记发放。", "BEIAO", "洞头区慈善超市",
     dt.datetime(2026, 12, 30, 9, 0), 240, 8, False),
]

# Finished activities whose attendance is recorded but whose hours the organiser has not yet
# certified: the demo staff certifies them in the app.
AWAITING_CERTIFICATION = {"coast-planting-2026-11"}


def build_activities():
    rows = []
    for key, org, title, desc, town, place, start, minutes, cap, _demo in ACTIVITIES:
        end = start + dt.timedelta(minutes=minutes)
        status = "FINISHED" if end.date() < TODAY else "PUBLISHED"
        rows.append({"key": key, "org": org, "title": title, "description": desc,
                     "town_code": town, "place": place, "starts_at": fmt_dt(start),
                     "ends_at": fmt_dt(end), "capacity": str(cap), "status": status})
    return rows


def build_attendance(residents):
    rows = []
    others = [r for r in residents if r["phone"] != DEMO_RESIDENT_PHONE]
    for key, org, title, desc, town, place, start, minutes, cap, demo in ACTIVITIES:
        end = start + dt.timedelta(minutes=minutes)
        if end.date() >= TODAY:
            continue
        n = rint(5, min(15, cap))
        local = [r for r in others if r["town_code"] == town]
        far = [r for r in others if r["town_code"] != town]
        n_local = min(len(local), (n * 2) // 3)
        people = sample(local, n_local) + sample(far, n - n_local)
        if demo:
            people[0] = residents[0]          # the demo resident, in place of a local
        no_shows = rint(0, 2)
        for i, res in enumerate(people):
            if i >= len(people) - no_shows and res["phone"] != DEMO_RESIDENT_PHONE:
                rows.append({"activity_key": key, "resident_phone": res["phone"],
                             "checked_in_at": "", "checked_out_at": "", "certified_minutes": ""})
                continue
            cin = start + dt.timedelta(minutes=rint(0, 15))
            cout = end - dt.timedelta(minutes=rint(0, 20))
            if chance(0.1):                   # left early
                cout = cin + dt.timedelta(minutes=rint(45, max(45, minutes // 2)))
            attended = int((cout - cin).total_seconds() // 60)
            certified = attended // 30 * 30
            if chance(0.08) and certified >= 60:
                certified -= 30               # organiser trimmed it (e.g. a long break)
            rows.append({"activity_key": key, "resident_phone": res["phone"],
                         "checked_in_at": fmt_dt(cin), "checked_out_at": fmt_dt(cout),
                         "certified_minutes": "" if key in AWAITING_CERTIFICATION else str(certified)})
    return rows


# --------------------------------------------------------------------------------------
# 15. Accounts
# --------------------------------------------------------------------------------------

ACCOUNTS = [
    # phone, role, org, partner, donor_phone, donor_enterprise, display_name
    ("13900000000", "ADMIN", "", "", "", "", "区民政局管理员"),
    ("13900000001", "ORG_STAFF", FED, "", "", "", "慈善总会工作人员"),
    ("13900000002", "ORG_STAFF", LXC, "", "", "", "兰小草基地工作人员"),
    ("13900000003", "PARTNER_STAFF", "", "洞头农商银行", "", "", "农商银行柜员"),
    (DEMO_RESIDENT_PHONE, "RESIDENT", "", "", DEMO_RESIDENT_PHONE, "", "陈晓明"),
    ("13900000005", "ENTERPRISE", "", "", "", DEMO_ENTERPRISE, "洞头海霞渔业有限公司"),
]

# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

HEADERS = {
    "towns.csv": ["code", "name", "sort_order"],
    "charity_orgs.csv": ["name", "kind", "town_code", "recognised", "runs_supermarket", "description"],
    "charity_projects.csv": ["org", "name", "description", "town_code"],
    "campaigns.csv": ["code", "name", "starts_on", "ends_on", "description"],
    "credit_rules.csv": ["kind", "credits", "per_units", "effective_from"],
    "credit_tiers.csv": ["donor_kind", "level", "name", "threshold_yuan", "benefits"],
    "ranking_rules.csv": ["effective_from", "exclude_government_matching",
                          "exclude_charity_transfers", "roll_up_branches", "min_amount_yuan"],
    "residents.csv": ["name", "phone", "town_code", "id_number", "name_consent", "name_style"],
    "enterprises.csv": ["name", "kind", "credit_code", "town_code", "parent"],
    "donations.csv": ["receipt_no", "org", "donor_type", "donor_phone", "donor_enterprise",
                      "walk_in_name", "kind", "amount_yuan", "goods_description", "goods_quantity",
                      "project", "campaign", "channel", "funding_source", "donated_at", "visibility"],
    "perk_partners.csv": ["name", "kind", "town_code"],
    "perks.csv": ["partner", "title", "description", "min_baijiaxin_level", "min_tier_level",
                  "monthly_quota", "voucher_valid_minutes"],
    "rewards.csv": ["org", "name", "description", "credit_price", "stock", "per_person_limit"],
    "activities.csv": ["key", "org", "title", "description", "town_code", "place", "starts_at",
                       "ends_at", "capacity", "status"],
    "attendance.csv": ["activity_key", "resident_phone", "checked_in_at", "checked_out_at",
                       "certified_minutes"],
    "accounts.csv": ["phone", "password", "role", "org", "partner", "donor_phone",
                     "donor_enterprise", "display_name"],
}


def write_csv(name: str, rows) -> None:
    header = HEADERS[name]
    path = os.path.join(SEEDS_DIR, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for r in rows:
            if isinstance(r, dict):
                assert list(r) == header, (name, list(r))
                w.writerow([r[h] for h in header])
            else:
                assert len(r) == len(header), (name, r)
                w.writerow(["" if v is None else str(v) for v in r])


def generate() -> None:
    write_csv("towns.csv", [(c, n, i + 1) for i, (c, n) in enumerate(TOWNS)])
    write_csv("charity_orgs.csv", [(n, k, t, b(rec), b(sm), d) for n, k, t, rec, sm, d in ORGS])
    write_csv("charity_projects.csv", PROJECTS)
    write_csv("campaigns.csv", [(c, n, a.isoformat(), z.isoformat(), d) for c, n, a, z, d in CAMPAIGNS])
    write_csv("credit_rules.csv", CREDIT_RULES)
    write_csv("ranking_rules.csv", [(d, b(gm), b(ct), b(ru), m) for d, gm, ct, ru, m in RANKING_RULES])
    write_csv("credit_tiers.csv", [(k, lv, n, th, "|".join(f"{c}:{d}" for c, d in bs))
                                   for k, lv, n, th, bs in CREDIT_TIERS])
    # The random stream is consumed in this order; do not reorder without expecting new data.
    residents = build_residents()
    enterprises = build_enterprises()
    donations = build_donations(residents, enterprises)
    attendance = build_attendance(residents)
    write_csv("residents.csv", residents)
    write_csv("enterprises.csv", enterprises)
    write_csv("donations.csv", donations)
    write_csv("perk_partners.csv", PERK_PARTNERS)
    write_csv("perks.csv", PERKS)
    write_csv("rewards.csv", REWARDS)
    write_csv("activities.csv", build_activities())
    write_csv("attendance.csv", attendance)
    write_csv("accounts.csv", [(p, DEMO_PASSWORD, role, org, partner, dp, de, dn)
                               for p, role, org, partner, dp, de, dn in ACCOUNTS])


# --------------------------------------------------------------------------------------
# Self-check: read the files back from disk and assert the invariants the loader relies on
# --------------------------------------------------------------------------------------

def read(name: str):
    with open(os.path.join(SEEDS_DIR, name), encoding="utf-8", newline="") as f:
        raw = f.read()
    assert not raw.startswith("\ufeff"), f"{name}: BOM"
    reader = csv.reader(raw.splitlines(keepends=True))
    header = next(reader)
    assert header == HEADERS[name], f"{name}: header {header}"
    rows = [dict(zip(header, r)) for r in reader]
    for r in rows:
        assert len(r) == len(header), f"{name}: ragged row {r}"
    return rows


def parse_dt(s: str) -> dt.datetime:
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M")


def parse_fen(s: str) -> int:
    whole, frac = s.split(".")
    assert whole.isdigit() and len(frac) == 2 and frac.isdigit(), s
    return int(whole) * 100 + int(frac)


def unique(values, what):
    seen = set()
    for v in values:
        assert v not in seen, f"duplicate {what}: {v}"
        seen.add(v)
    return seen


def self_check() -> dict:
    counts = {}
    t = read("towns.csv")
    assert [(r["code"], r["name"]) for r in t] == TOWNS
    towns = {r["code"] for r in t}
    opt_town = towns | {""}

    orgs = read("charity_orgs.csv")
    org_names = unique([r["name"] for r in orgs], "org")
    for r in orgs:
        assert r["kind"] in ("FEDERATION", "RED_CROSS", "BASE", "BRANCH", "OTHER")
        assert r["town_code"] in opt_town and r["description"]
        assert r["recognised"] in ("true", "false") and r["runs_supermarket"] in ("true", "false")
    supermarket = {r["name"] for r in orgs if r["runs_supermarket"] == "true"}
    assert {r["name"] for r in orgs if r["kind"] == "BRANCH"} == {f"{n}慈善分会" for _, n in TOWNS}
    assert {FED, RED, LXC} <= org_names and {FED, LXC} <= supermarket

    projects = read("charity_projects.csv")
    assert 6 <= len(projects) <= 8
    unique([(r["org"], r["name"]) for r in projects], "project")
    project_org = {}
    for r in projects:
        assert r["org"] in org_names and r["town_code"] in opt_town
        assert r["name"] not in project_org, "project names are unique across orgs too"
        project_org[r["name"]] = r["org"]
    assert project_org["兰小草银龄助养"] == LXC

    camps = read("campaigns.csv")
    assert [r["code"] for r in camps] == ["ONE_DAY_DONATION", "CHARITY_DAY"]
    windows = {}
    for r in camps:
        a, z = dt.date.fromisoformat(r["starts_on"]), dt.date.fromisoformat(r["ends_on"])
        assert a <= z
        windows[r["code"]] = (a, z)

    rules = read("credit_rules.csv")
    unique([(r["kind"], r["effective_from"]) for r in rules], "credit rule")
    for r in rules:
        assert r["kind"] in ("DONATION_RESIDENT", "DONATION_ENTERPRISE", "VOLUNTEER_HOUR")
        assert int(r["credits"]) >= 0 and int(r["per_units"]) > 0
        dt.date.fromisoformat(r["effective_from"])

    tiers = read("credit_tiers.csv")
    unique([(r["donor_kind"], r["level"]) for r in tiers], "tier level")
    unique([(r["donor_kind"], r["threshold_yuan"]) for r in tiers], "tier threshold")
    tier_levels = {"RESIDENT": set(), "ENTERPRISE": set()}
    for kind in tier_levels:
        th = [int(r["threshold_yuan"]) for r in tiers if r["donor_kind"] == kind]
        assert th == sorted(th), "thresholds rise with the level"
    for r in tiers:
        tier_levels[r["donor_kind"]].add(int(r["level"]))
        for item in r["benefits"].split("|"):
            cat, _, desc = item.partition(":")
            assert cat in BENEFIT_CATEGORIES and desc and ":" not in desc, item
        if r["donor_kind"] == "ENTERPRISE":
            assert "HONOUR:" in r["benefits"]
    assert tier_levels == {"RESIDENT": {1, 2, 3, 4}, "ENTERPRISE": {1, 2, 3}}

    residents = read("residents.csv")
    assert len(residents) == N_RESIDENTS
    phones = unique([r["phone"] for r in residents], "resident phone")
    unique([r["id_number"] for r in residents if r["id_number"]], "id_number")
    assert residents[0] == {"name": "陈晓明", "phone": "13800000001", "town_code": "BEIAO",
                            "id_number": residents[0]["id_number"], "name_consent": "true",
                            "name_style": "MASKED"}
    assert (residents[1]["name"], residents[1]["phone"], residents[1]["name_consent"]) == \
        ("林小红", "13800000002", "false")
    for r in residents:
        p = r["phone"]
        assert len(p) == 11 and p.isdigit() and p[:2] in ("13", "15", "17", "18", "19"), p
        assert r["town_code"] in towns and 2 <= len(r["name"]) <= 3
        assert r["name_consent"] in ("true", "false") and r["name_style"] in ("NAMED", "MASKED")
        idn = r["id_number"]
        if idn:
            assert len(idn) == 18 and idn[:6] == "330322" and idn[:17].isdigit()
            dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
            assert idn[17] == id_check_char(idn[:17]), idn
    by_phone = {r["phone"]: r for r in residents}

    ents = read("enterprises.csv")
    assert len(ents) == 30 and ents[0]["name"] == DEMO_ENTERPRISE
    unique([r["name"] for r in ents], "enterprise")
    unique([r["credit_code"] for r in ents if r["credit_code"]], "credit_code")
    above = set()
    n_branches = 0
    for r in ents:
        assert r["kind"] in ("ENTERPRISE", "UNIT") and r["town_code"] in opt_town
        if r["parent"]:
            assert r["parent"] in above, f"parent of {r['name']} must be listed above it"
            n_branches += 1
        cc = r["credit_code"]
        if cc:
            assert len(cc) == 18 and all(c in USCC_CHARS for c in cc), cc
            assert cc[17] == uscc_check_char(cc[:17]), cc
            assert cc[16] == orgcode_check_char(cc[8:16]), cc
        above.add(r["name"])
    assert 3 <= n_branches <= 4
    ent_names = above

    dons = read("donations.csv")
    assert 1900 <= len(dons) <= 2100
    unique([(r["org"], r["receipt_no"]) for r in dons], "receipt per org")
    for r in dons:
        org = r["org"]
        assert org in org_names
        assert r["receipt_no"].startswith(RECEIPT_PREFIX[org] + "-" + r["donated_at"][:4] + "-")
        assert project_org.get(r["project"]) == org, f"project {r['project']} is not run by {org}"
        when = parse_dt(r["donated_at"])
        assert DONATIONS_FROM <= when.date() <= DONATIONS_TO
        fen = parse_fen(r["amount_yuan"])
        assert fen > 0
        dtp = r["donor_type"]
        if dtp == "RESIDENT":
            assert r["donor_phone"] in phones and not r["donor_enterprise"] and not r["walk_in_name"]
        elif dtp == "ENTERPRISE":
            assert r["donor_enterprise"] in ent_names and not r["donor_phone"] and not r["walk_in_name"]
        else:
            assert dtp == "WALK_IN" and not r["donor_phone"] and not r["donor_enterprise"]
        if r["kind"] == "MONEY":
            assert not r["goods_description"] and not r["goods_quantity"]
        else:
            assert r["kind"] == "GOODS" and r["goods_description"]
            assert r["goods_quantity"].isdigit() and int(r["goods_quantity"]) > 0
        c = r["campaign"]
        if c:
            a, z = windows[c]
            assert a <= when.date() <= z, f"{r['receipt_no']} outside campaign {c}"
        assert r["channel"] in ("ONLINE", "OFFLINE", "ONE_DAY_DONATION", "BANK_TRANSFER", "OTHER")
        if r["channel"] == "ONE_DAY_DONATION":
            assert c == "ONE_DAY_DONATION", r["receipt_no"]
        assert r["funding_source"] in ("PUBLIC", "GOVERNMENT_MATCHING", "CHARITY_TRANSFER")
        if r["funding_source"] == "CHARITY_TRANSFER":
            assert dtp in ("ENTERPRISE", "WALK_IN")
        assert r["visibility"] in ("NAMED", "MASKED", "ANONYMOUS")
    demo = [r for r in dons if r["donor_phone"] == DEMO_RESIDENT_PHONE]
    assert len(demo) == 10 and sum(parse_fen(r["amount_yuan"]) for r in demo) == 150000
    assert len([r for r in dons if r["donor_enterprise"] == DEMO_ENTERPRISE]) >= 4
    anon = sum(r["visibility"] == "ANONYMOUS" for r in dons) / len(dons)
    assert 0.06 <= anon <= 0.14, anon

    partners = read("perk_partners.csv")
    partner_names = unique([r["name"] for r in partners], "partner")
    for r in partners:
        assert r["kind"] in ("BANK", "PARKING", "LIBRARY", "HOSPITAL", "APPROVAL", "OTHER")
        assert r["town_code"] in opt_town
    perks = read("perks.csv")
    assert 8 <= len(perks) <= 10
    for r in perks:
        assert r["partner"] in partner_names
        for col in ("min_baijiaxin_level", "min_tier_level"):
            assert r[col] == "" or 1 <= int(r[col]) <= 3
        if r["min_tier_level"]:
            assert int(r["min_tier_level"]) in tier_levels["RESIDENT"]
        assert 20 <= int(r["monthly_quota"]) <= 500 and 10 <= int(r["voucher_valid_minutes"]) <= 30

    rewards = read("rewards.csv")
    assert 8 <= len(rewards) <= 10
    unique([(r["org"], r["name"]) for r in rewards], "reward")
    for r in rewards:
        assert r["org"] in supermarket
        assert int(r["credit_price"]) > 0 and int(r["stock"]) >= 0 and int(r["per_person_limit"]) > 0

    acts = read("activities.csv")
    assert 15 <= len(acts) <= 20
    unique([r["key"] for r in acts], "activity key")
    act = {}
    for r in acts:
        assert r["org"] in org_names and r["town_code"] in towns
        s, e = parse_dt(r["starts_at"]), parse_dt(r["ends_at"])
        assert e > s and int(r["capacity"]) > 0
        if r["status"] == "FINISHED":
            assert e.date() < TODAY
        else:
            assert r["status"] == "PUBLISHED" and s.date() > FUTURE_AFTER
        act[r["key"]] = (s, e, int(r["capacity"]), r["status"])
    assert 4 <= sum(v[3] == "PUBLISHED" for v in act.values()) <= 5

    att = read("attendance.csv")
    unique([(r["activity_key"], r["resident_phone"]) for r in att], "signup")
    per_act: dict = {}
    for r in att:
        assert r["activity_key"] in act and r["resident_phone"] in by_phone
        s, e, cap, status = act[r["activity_key"]]
        assert status == "FINISHED"
        per_act[r["activity_key"]] = per_act.get(r["activity_key"], 0) + 1
        if not r["checked_in_at"]:
            assert not r["checked_out_at"] and not r["certified_minutes"], "no-show rows are empty"
            continue
        cin, cout = parse_dt(r["checked_in_at"]), parse_dt(r["checked_out_at"])
        assert s <= cin < cout <= e, r
        if r["activity_key"] in AWAITING_CERTIFICATION:
            assert not r["certified_minutes"], "hours awaiting certification are not certified"
            continue
        m = int(r["certified_minutes"])
        assert 0 <= m <= (e - s).total_seconds() // 60, r
        assert m <= (cout - cin).total_seconds() // 60, r
    for key, (s, e, cap, status) in act.items():
        if status == "FINISHED":
            assert 5 <= per_act.get(key, 0) <= min(15, cap), key
    demo_acts = [r for r in att if r["resident_phone"] == DEMO_RESIDENT_PHONE and r["certified_minutes"]]
    assert len(demo_acts) >= 3

    accs = read("accounts.csv")
    unique([r["phone"] for r in accs], "account phone")
    assert {r["role"] for r in accs} == {"ADMIN", "ORG_STAFF", "PARTNER_STAFF", "RESIDENT", "ENTERPRISE"}
    for r in accs:
        assert r["password"] == DEMO_PASSWORD
        role = r["role"]
        assert (role == "ORG_STAFF") == bool(r["org"]) and (not r["org"] or r["org"] in org_names)
        assert (role == "PARTNER_STAFF") == bool(r["partner"])
        assert not r["partner"] or r["partner"] in partner_names
        assert (role == "RESIDENT") == bool(r["donor_phone"])
        assert not r["donor_phone"] or r["donor_phone"] in by_phone
        assert (role == "ENTERPRISE") == bool(r["donor_enterprise"])
        assert not r["donor_enterprise"] or r["donor_enterprise"] in ent_names
        if role != "RESIDENT":
            assert r["phone"] not in phones, "staff logins do not reuse a resident's phone"

    for name in HEADERS:
        counts[name] = len(read(name))
    return counts


def main() -> int:
    generate()
    counts = self_check()
    for name, n in counts.items():
        print(f"{name:22} {n:5d} rows")
    print("self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
