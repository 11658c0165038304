"""Generate the seed corpus ``seed_appeals.csv`` and the jieba user dictionary.

    python -m classifier.corpus.generate [--divisions ../shared/data/admin_divisions]

Everything is written here: hand-written phrase banks per second-level category
(``phrases_*.py``), openings and closings per appeal type and register (call-centre summary,
spoken caller, web message, terse title), and places from the NBS gazetteer. The output is
deterministic (seeded) and committed, so training at setup needs no shared data.

Columns: ``text, category`` (first-level name, same convention as the tipdm data),
``subcategory`` (second-level code), ``appeal_type``, ``unit`` (lead unit code from the
responsibility list; ``@street``/``@district`` = the territorial unit of the place),
``lead_unit`` (that unit resolved for the place), ``district``, ``street``, ``register``,
``group`` (phrase id: grouped CV never sees the same phrase on both sides).
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable
from pathlib import Path

from classifier.corpus import phrases_public, phrases_services, phrases_urban
from classifier.corpus.keywords import KEYWORDS, TEMPLATES
from classifier.corpus.places import ROADS, XianPlaces, load_xian_places
from classifier.corpus.spec import Bank
from core.reference import ReferenceData, load_reference

HERE = Path(__file__).resolve().parent
DEFAULT_DIVISIONS = HERE.parents[2] / "shared" / "data" / "admin_divisions"
CORPUS = HERE / "seed_appeals.csv"
USERDICT = HERE.parent / "resources" / "userdict.txt"
ROWS_PER_CATEGORY = 72
KEYWORD_SHARE = 0.3
# Emergencies keep their vivid phrases: "着火的事情请帮忙协调一下" is not how anyone talks.
NO_GENERIC = frozenset({"police.emergency", "utilities.gas_leak"})
SEED = 12345

BANKS: dict[str, Bank] = {**phrases_urban.BANKS, **phrases_services.BANKS, **phrases_public.BANKS}

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
DURATIONS = [
    "好几天了",
    "一个多星期了",
    "半个月了",
    "一个多月了",
    "三四天了",
    "两个月了",
    "快半年了",
]
TIMES = ["晚上十点以后", "每天早上六点", "凌晨两三点", "中午午休的时候", "从昨天下午", "今天早上"]
MONEY = ["八百元", "三千多元", "五千块", "一万二", "两万多元", "六百块钱", "四千五百元"]
PRICES = ["一块二", "一块五", "一块八"]
COMPANY_WORDS = ["华兴", "鑫源", "恒达", "博远", "瑞丰", "秦川", "宏图", "长隆", "丰泽", "汉唐"]
INDUSTRIES = ["建筑劳务", "物流", "餐饮管理", "电子科技", "家政服务", "装饰工程", "商贸"]
ESTATE_SUFFIXES = ["小区", "家园", "花园", "苑", "家属院", "新村", "公寓"]
EXTRAS = [
    "已经打过好几次电话了",
    "之前也反映过，一直没解决",
    "家里有老人和小孩",
    "周围邻居意见都很大",
    "找过物业和社区，都说不归他们管",
    "",
    "",
    "",
]

TYPE_WEIGHTS = {"投诉": 34, "求助": 18, "咨询": 22, "举报": 9, "建议": 10, "表扬": 7}

OPENINGS: dict[str, list[str]] = {
    "summary": [
        "市民来电反映：",
        "来电人反映，",
        "市民来电称，",
        "来电人称其居住在{district}，",
        "市民{surname}先生来电：",
        "市民{surname}女士来电反映，",
        "来电人（{district}居民）反映：",
    ],
    "spoken": [
        "喂，你好，",
        "您好，我想问一下，",
        "你好，想咨询个事，",
        "那个，我想反映个事儿，",
        "你好，我是{xq}的住户，",
        "嗯，就是，",
        "你好啊，我跟你说一下，",
        "喂喂，能听到吗，",
    ],
    "web": [
        "尊敬的领导：您好！",
        "领导好，",
        "我是{district}的一名市民，",
        "反映问题：",
        "尊敬的12345：",
    ],
    "title": [""],
}

CLOSINGS: dict[str, list[str]] = {
    "投诉": [
        "希望有关部门尽快处理。",
        "要求相关部门核实处理。",
        "请给个说法。",
        "反映多次都没人管，太不像话了。",
        "盼复！",
        "来电人情绪激动，要求尽快解决。",
    ],
    "求助": [
        "请帮忙协调解决，谢谢！",
        "实在没办法了，希望你们帮帮忙。",
        "请尽快派人来看看。",
        "麻烦你们帮我问问，谢谢啊。",
        "来电人请求帮助。",
    ],
    "咨询": ["麻烦给解答一下。", "请告知。", "谢谢。", "", "来电人咨询此事，请相关部门解答。"],
    "举报": [
        "请相关部门依法查处。",
        "来电人要求保密。",
        "请执法部门尽快到现场核查。",
        "希望严肃处理。",
    ],
    "建议": ["希望能采纳。", "供领导参考。", "谢谢！", "来电人建议如上。"],
    "表扬": ["特此表扬！", "希望对他们提出表扬。", "真心感谢！", "来电人表示非常满意。"],
}

PRAISE = [
    "前几天我反映{issue}，{staff}很快就来处理好了，{how}。",
    "我之前打电话说{issue}，{staff}当天就给解决了，{how}。",
    "{staff}{how}，上次{issue}的事情办得特别好。",
]
PRAISE_HOW = ["态度特别好", "半夜还上门帮忙", "耐心细致地给解释", "工作认真负责", "办事效率很高"]


class Generator:
    def __init__(self, places: XianPlaces, reference: ReferenceData, seed: int = SEED) -> None:
        self.places = places
        self.ref = reference
        self.rng = random.Random(seed)

    def slots(self, district: str) -> dict[str, str]:
        rng = self.rng
        streets = [s for s in self.places.streets_of(district) if s.communities]
        street = rng.choice(streets)
        community = rng.choice(street.communities)
        core = community.removesuffix("社区")
        roads = ROADS[district]
        road, road2 = rng.sample(roads, 2) if len(roads) > 1 else (roads[0], roads[0])
        if community.endswith("社区") and 2 <= len(core) <= 4:
            estate = core + rng.choice(ESTATE_SUFFIXES)
        else:  # villages have no housing estates: an address-style compound instead
            estate = f"{road}{rng.randint(1, 399)}号院"
        place = rng.choice(
            [
                f"{district}{street.name}{community}",
                f"{street.name}{community}",
                community,
                f"{district}{street.name}",
            ]
        )
        return {
            "district": district,
            "street": street.name,
            "community": community,
            "place": place,
            "xq": estate,
            "road": road,
            "road2": road2,
            "dur": rng.choice(DURATIONS),
            "time": rng.choice(TIMES),
            "money": rng.choice(MONEY),
            "price": rng.choice(PRICES),
            "n": str(rng.randint(2, 36)),
            "surname": rng.choice(SURNAMES),
            "company": f"西安{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司",
            "school": rng.choice([f"{core}小学", f"{district}第{rng.randint(1, 9)}中学"]),
            "hospital": rng.choice(
                [f"{district}人民医院", f"{street.name}社区卫生服务中心", "市里一家三甲医院"]
            ),
        }

    def body(self, code: str, bank: Bank, appeal_type: str) -> tuple[str, str]:
        """(body template, group id) for the appeal type; falls back to issues."""
        rng = self.rng
        words = KEYWORDS.get(code, [])
        if len(words) >= 2 and code not in NO_GENERIC and rng.random() < KEYWORD_SHARE:
            kw, kw2 = rng.sample(words, 2)
            template = rng.choice(TEMPLATES[appeal_type])
            template = template.replace("{kw}", kw).replace("{kw2}", kw2)
            return template.replace("{staff}", bank.staff), f"kw:{kw}"
        choices: dict[str, list[str]] = {
            "咨询": bank.asks,
            "举报": bank.reports,
            "建议": bank.suggests,
        }
        pool = choices.get(appeal_type) or bank.issues
        index = rng.randrange(len(pool))
        kind = appeal_type if choices.get(appeal_type) else "issue"
        template = pool[index]
        if appeal_type == "表扬":
            template = rng.choice(PRAISE).format(
                issue=template, staff=bank.staff, how=rng.choice(PRAISE_HOW)
            )
        elif appeal_type == "投诉" and rng.random() < 0.3:
            template = "投诉" + template
        elif appeal_type == "求助" and rng.random() < 0.3:
            template = "求助：" + template
        return template, f"{kind}{index}"

    def row(self, code: str, bank: Bank) -> dict[str, str]:
        rng = self.rng
        appeal_type = self.pick_type(bank)
        district = rng.choice(self.places.districts)
        slots = self.slots(district)
        template, group = self.body(code, bank, appeal_type)
        register = rng.choices(["summary", "spoken", "web", "title"], [40, 30, 20, 10])[0]
        fill: Callable[[str], str] = lambda s: s.format(**slots)  # noqa: E731
        body = fill(fill(template))  # staff names may carry slots themselves
        if register == "title":
            truncate = appeal_type in ("投诉", "求助", "举报") and len(body) >= 40
            text = body.split("，")[0] if truncate else body
        else:
            extra = rng.choice(EXTRAS)
            openings = [
                o
                for o in OPENINGS[register]
                if appeal_type == "咨询" or not ("问" in o or "咨询" in o)
            ]
            parts = [fill(rng.choice(openings)), body]
            if appeal_type in ("投诉", "求助") and register != "spoken" and rng.random() < 0.25:
                second = rng.choice(bank.issues)
                if second != template:
                    parts.append("。另外，" + fill(fill(second)))
            if extra and appeal_type in ("投诉", "求助"):
                parts.append("，" + extra)
            closing = rng.choice(CLOSINGS[appeal_type])
            parts.append("。" + closing if closing else "。")
            text = "".join(parts).replace("。。", "。").replace("，。", "。")
        text = text.replace("了了", "了")
        unit_code, lead = self.lead_unit(code, district, slots["street"])
        category = self.ref.top_level(code)
        return {
            "text": text,
            "category": category.name,
            "subcategory": code,
            "appeal_type": appeal_type,
            "unit": unit_code,
            "lead_unit": lead,
            "district": district,
            "street": slots["street"],
            "register": register,
            "group": f"{code}/{group}",
        }

    def pick_type(self, bank: Bank) -> str:
        weights = dict(TYPE_WEIGHTS)
        if not bank.reports:
            weights["举报"] = 0
        if not bank.suggests:
            weights["建议"] = 0
        if not bank.asks:
            weights["咨询"] = 0
        if bank.staff == "消防救援人员":  # emergencies are never praise
            weights = {"求助": 1}
        types = list(weights)
        return self.rng.choices(types, [weights[t] for t in types])[0]

    def lead_unit(self, code: str, district: str, street: str) -> tuple[str, str]:
        rows = [r for r in self.ref.responsibilities_for(code, district) if r.role == "lead"]
        unit = self.ref.resolve_unit(rows[0].unit_code, district, street)
        code_ = rows[0].unit_code
        # The unit head learns *which kind* of unit; the place picks the concrete one.
        if code_ in self.ref.units and self.ref.units[code_].kind == "district_gov":
            code_ = "@district"
        elif code_ in self.ref.units and self.ref.units[code_].kind == "street":
            code_ = "@street"
        return code_, unit.code if unit else ""


def user_words(places: XianPlaces, reference: ReferenceData) -> list[str]:
    words: set[str] = set()
    for district in places.districts:
        words.add(district)
        words.add(district[:-1])  # 雁塔区 → 雁塔
    for street in places.streets:
        words.add(street.name)
        for suffix in ("街道", "镇", "乡"):
            if street.name.endswith(suffix) and len(street.name) - len(suffix) >= 2:
                words.add(street.name[: -len(suffix)])
        words.update(c for c in street.communities if len(c) >= 3)
    for roads in ROADS.values():
        words.update(roads)
    words.update(u.name for u in reference.units.values())
    words.update(DOMAIN_TERMS)
    return sorted(w for w in words if len(w) >= 2)


DOMAIN_TERMS = [
    "12345",
    "110",
    "119",
    "120",
    "物业费",
    "物业公司",
    "业委会",
    "业主委员会",
    "维修基金",
    "网签",
    "备案",
    "城改",
    "棚改",
    "征收",
    "安置房",
    "过渡费",
    "加装电梯",
    "老旧小区",
    "违建",
    "违法建设",
    "私搭乱建",
    "占道经营",
    "井盖",
    "路灯",
    "渣土车",
    "扬尘",
    "油烟",
    "噪音",
    "广场舞",
    "供暖",
    "暖气",
    "取暖费",
    "热力公司",
    "停水",
    "停电",
    "停气",
    "停暖",
    "水压",
    "燃气",
    "燃气泄漏",
    "燃气表",
    "二次供水",
    "低保",
    "高龄补贴",
    "医保",
    "社保",
    "养老金",
    "欠薪",
    "拖欠工资",
    "农民工",
    "劳动合同",
    "劳动仲裁",
    "工伤认定",
    "失业金",
    "营业执照",
    "预付卡",
    "会员卡",
    "跑路",
    "缺斤短两",
    "过期食品",
    "食品安全",
    "入学",
    "学区",
    "摇号",
    "课后服务",
    "校外培训",
    "宅基地",
    "承包地",
    "惠农补贴",
    "村务公开",
    "户口",
    "身份证",
    "居住证",
    "违停",
    "闯红灯",
    "网约车",
    "出租车",
    "拒载",
    "绕路",
    "公交车",
    "地铁",
    "停车位",
    "充电桩",
    "飞线充电",
    "危房",
    "消防通道",
    "涉企",
    "营商环境",
    "稳岗补贴",
    "工程款",
]


def write_corpus(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def generate(divisions: Path, per_category: int = ROWS_PER_CATEGORY) -> list[dict[str, str]]:
    reference = load_reference()
    places = load_xian_places(divisions)
    reference = reference.with_streets((s.code, s.name, s.district) for s in places.streets)
    gen = Generator(places, reference)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for code, bank in BANKS.items():
        reference.category(code)  # every bank names a real category
        made = attempts = 0
        while made < per_category and attempts < per_category * 20:
            attempts += 1
            row = gen.row(code, bank)
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            rows.append(row)
            made += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--divisions", type=Path, default=DEFAULT_DIVISIONS)
    parser.add_argument("--per-category", type=int, default=ROWS_PER_CATEGORY)
    args = parser.parse_args()
    rows = generate(args.divisions, args.per_category)
    write_corpus(rows, CORPUS)
    places = load_xian_places(args.divisions)
    words = user_words(places, load_reference())
    USERDICT.parent.mkdir(parents=True, exist_ok=True)
    USERDICT.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} appeals to {CORPUS} and {len(words)} words to {USERDICT}")


if __name__ == "__main__":
    main()
