"""Caller's name and honorific ("我姓张，弓长张", "我叫李建国", "王阿姨").

The form wants the *caller*: only self-introductions and forms of address fill ``name``.
Other people named in text (news-style "李明华认为") are found by
:mod:`autofill.person_mentions`, never for the caller's name.
"""

from __future__ import annotations

import re
from typing import Final

from autofill.lexicon import words
from autofill.model import Candidate

SURNAMES: Final = frozenset(
    words(
        "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
        "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 "
        "石 廖 贾 夏 韦 付 傅 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 阎 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 "
        "龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 "
        "聂 章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 "
        "单 季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 "
        "解 牟 艾 尤 阳 时 穆 农 司 卓 古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 "
        "晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 "
        "郎 甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝 封 鞠 蔺 门 矫 芮 权 练 秋 揭 过 井 肇 "
        "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 令狐 夏侯 轩辕 端木 宇文 司徒 申屠"
    )
)
# Single characters that are surnames but far more often ordinary words before 先生/女士.
_WORDLIKE_SURNAMES: Final = frozenset("和过时全门路明应成连向单查解常商文农车师")
# "弓长张" style spellings of a surname.
SURNAME_SPELLINGS: Final = {
    "弓长张": "张",
    "立早章": "章",
    "木子李": "李",
    "耳东陈": "陈",
    "口天吴": "吴",
    "双木林": "林",
    "古月胡": "胡",
    "三横王": "王",
    "草头黄": "黄",
    "言午许": "许",
    "关耳郑": "郑",
    "人可何": "何",
    "双口吕": "吕",
    "禾口程": "程",
    "子小孙": "孙",
    "走肖赵": "赵",
    "文刀刘": "刘",
    "三点水的江": "江",
    "草头萧": "萧",
    "耳朵陈": "陈",
    "木易杨": "杨",
    "口天周": "周",
    "双人徐": "徐",
}
HONORIFICS: Final = words(
    "先生 女士 小姐 阿姨 大爷 大妈 大娘 师傅 老师 大姐 大哥 奶奶 爷爷 老太太 老先生 叔叔 姐 哥 老汉"
)
_FEMALE: Final = frozenset(words("女士 小姐 阿姨 大妈 大娘 大姐 奶奶 老太太 姐"))
_NOT_GIVEN = set(
    "的了在是我你他她们住电话号码家就也还说想要有没不和跟这那个吗呢吧啊呀嘛哦嗯呃喂，。！？、 "
    "反映投诉举报咨询今天昨天现在从到给打"
)
_THIRD_PARTY_BEFORE: Final = words(
    "的 表扬 感谢 谢谢 找 找了 找过 叫了 问了 告诉 那个 一个 有个 他们 物业 城管 社区 师傅说"
)
_SELF = re.compile(
    r"(?:我叫|我的名字叫|我名字叫|名字叫|名叫|我是|本人是|本人)\s*"
    r"(?P<name>[\u4e00-\u9fff]{2,4})"
)
_SURNAME_ONLY = re.compile(r"(?:免贵姓|我姓|本人姓|我们姓|姓)\s*(?P<surname>[\u4e00-\u9fff]{1,5})")
_ADDRESS = re.compile(rf"(?P<surname>[\u4e00-\u9fff]{{1,2}}?)(?P<title>{'|'.join(HONORIFICS)})")


def _split_name(chunk: str) -> str | None:
    """Longest plausible "surname + 1–2 given characters" at the start of ``chunk``."""
    for size in (2, 1):
        surname = chunk[:size]
        if surname not in SURNAMES:
            continue
        given = ""
        for k in range(size, len(chunk)):
            if chunk[k] in _NOT_GIVEN or len(given) == 2 or chunk.startswith(HONORIFICS, k):
                break
            given += chunk[k]
        return surname + given if given else None
    return None


def _surname_in(chunk: str) -> tuple[str, int] | None:
    for spelled, surname in SURNAME_SPELLINGS.items():
        if spelled in chunk[:8]:
            return surname, chunk.index(spelled) + len(spelled)
    for size in (2, 1):
        if len(chunk) >= size and chunk[:size] in SURNAMES:
            return chunk[:size], size
    return None


def extract_names(text: str) -> list[Candidate]:
    """The caller's name as said in ``text``; the session keeps the latest."""
    found: list[Candidate] = []
    honorific_of: dict[str, tuple[str, int, int]] = {}
    for match in _ADDRESS.finditer(text):
        surname, title = match.group("surname"), match.group("title")
        if surname[-1] in SURNAMES and surname[-1] not in _WORDLIKE_SURNAMES:
            surname = surname[-1] if surname not in SURNAMES else surname
        elif surname not in SURNAMES or surname in _WORDLIKE_SURNAMES:
            continue
        start = match.end() - len(title) - len(surname)
        before = text[max(0, start - 4) : start]
        confidence = 0.85 if before.endswith(("我是", "是")) else 0.75
        if before.endswith(_THIRD_PARTY_BEFORE):
            confidence = 0.4  # "城管的刘师傅", "感谢王老师": someone else, not the caller
        gender = "female" if title in _FEMALE else "male"
        honorific_of[surname] = (title, start, match.end())
        found.append(
            Candidate(
                "name",
                surname + title,
                confidence,
                start,
                match.end(),
                {"surname": surname, "honorific": title, "gender": gender},
            )
        )
    for match in _SELF.finditer(text):
        name = _split_name(match.group("name"))
        if name is None or any(name.endswith(h) for h in HONORIFICS):
            continue
        start = match.start("name")
        confidence = 0.9 if not match.group().startswith(("我是", "本人")) else 0.7
        found.append(
            Candidate("name", name, confidence, start, start + len(name), {"surname": name[0]})
        )
    for match in _SURNAME_ONLY.finditer(text):
        hit = _surname_in(match.group("surname"))
        if hit is None:
            continue
        surname, length = hit
        start = match.start("surname")
        title = honorific_of.get(surname)
        value = surname + title[0] if title else surname
        detail = {"surname": surname}
        if title:
            detail["honorific"] = title[0]
        found.append(Candidate("name", value, 0.85, start, start + length, detail))
    found.sort(key=lambda c: (c.start, c.end))
    return found
