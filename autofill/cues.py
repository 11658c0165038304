"""Cue words for whole-call fields: appeal type, urgency, enterprise flag and topic.

Each table maps a label to words; :func:`find_cues` returns every occurrence as a :class:`Cue`
so the session can add up evidence from all of the call (see :mod:`autofill.decide`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from autofill.lexicon import words
from autofill.model import Cue

# (label, weight, words). Explicit statements of intent weigh most.
APPEAL_CUES: Final[tuple[tuple[str, float, tuple[str, ...]], ...]] = (
    ("投诉", 3.0, words("我要投诉 我想投诉 投诉一下 要投诉 我投诉 投诉他们 投诉你们 投诉")),
    ("举报", 3.0, words("我要举报 我想举报 举报一下 实名举报 要举报 举报")),
    (
        "咨询",
        3.0,
        words(
            "咨询一下 我想咨询 想咨询 咨询 我想问一下 问一下 想问问 想问 想了解 了解一下 请问一下"
        ),
    ),
    ("求助", 3.0, words("求助 帮帮忙 帮帮我 救救 请帮忙 帮忙解决 帮我们解决 帮我解决 给解决一下")),
    ("建议", 3.0, words("我建议 建议 提个建议 提个意见 提点建议 希望政府 希望相关部门 最好能")),
    ("表扬", 3.0, words("表扬 点赞 锦旗 感谢信 特别感谢 非常感谢 真心感谢 好人好事")),
    (
        "投诉",
        1.0,
        words(
            "态度差 态度恶劣 态度很差 不作为 乱收费 推诿 扰民 噪音 太吵 不给退 拖欠 欠薪 不处理 "
            "没人管 不管 骂人 刁难 不退 多收 乱罚款 不合理 太差 敷衍 踢皮球 投诉无门"
        ),
    ),
    (
        "举报",
        1.0,
        words(
            "违法 违规 偷排 违建 违章搭建 私搭乱建 非法 黑车 传销 无证经营 诈骗 卖假 假冒 偷税 "
            "赌博 黄赌毒 非法集资 偷倒 乱倒 超载 占用耕地 无照"
        ),
    ),
    (
        "求助",
        1.0,
        words(
            "停水 停电 停气 没暖气 没水 没电 漏水 困难 怎么办 被困 走失 没人管 找不到 "
            "急需 救助 帮助 帮忙 维修 修一下 堵了 坏了"
        ),
    ),
    (
        "咨询",
        1.0,
        words(
            "怎么办理 需要什么材料 在哪里办 在哪办 多少钱 政策 流程 手续 能不能办 可以吗 "
            "是不是 怎么申请 如何 什么时候 哪里可以 要带什么 条件 标准"
        ),
    ),
    ("建议", 1.0, words("希望 应该增加 能否 能不能增加 增设 建议增加 改进 完善")),
)

# Emergencies → the hotline to transfer to (联动). Negated mentions ("没有着火") do not count.
EMERGENCY_CUES: Final[Mapping[str, tuple[str, ...]]] = {
    "119": words(
        "着火 起火 失火 火灾 冒烟 烧起来 火很大 煤气泄漏 燃气泄漏 天然气泄漏 闻到煤气味 "
        "煤气味很大 燃气味 有人被困 困在电梯 爆炸"
    ),
    "110": words(
        "打架 持刀 拿刀 砍人 抢劫 杀人 绑架 家暴 打人 有人闹事 入室盗窃 小偷正在 跳楼 轻生 "
        "想不开 要自杀 自杀 跳河 被威胁 被拐 老人走失 孩子走失 走失了 走丢了 孩子丢了"
    ),
    "120": words(
        "晕倒 昏迷 不省人事 心脏病 大出血 呼吸困难 中毒 受伤了 快不行了 抽搐 割腕 吐血 "
        "摔倒起不来 没有呼吸 没气了"
    ),
    "122": words("车祸 撞车 交通事故 撞人 追尾 翻车"),
}
# 水电气热: basic-living outages with a 24-hour clock.
UTILITY_CUES: Final[Mapping[str, tuple[str, ...]]] = {
    "water": words(
        "停水 没水 断水 没有水 水停了 不来水 水压低 水压太低 水管爆了 爆管 自来水 水很小 来水"
    ),
    "power": words("停电 没电 断电 没有电 电停了 跳闸 供电"),
    "gas": words("停气 没气 断气 燃气停了 天然气停了 没有天然气 燃气 天然气 煤气"),
    "heating": words("没暖气 暖气不热 暖气不 暖气片不热 供暖 暖气 集中供热 室温太低 室温低"),
}
# Words that make a utility mention a real outage rather than, say, a bill question.
UTILITY_OUTAGE: Final = words(
    "停水 没水 断水 没有水 水停了 不来水 水压低 水压太低 水管爆了 爆管 停电 没电 断电 没有电 "
    "电停了 跳闸 停气 没气 断气 燃气停了 天然气停了 没有天然气 没暖气 暖气不热 暖气不 暖气片不热 "
    "室温太低 室温低 水很小"
)
ENTERPRISE_STRONG: Final = words(
    "营业执照 个体户 个体工商户 营商环境 企业开办 工商注册 工商登记 纳税人 我们公司 我们企业 "
    "我们厂 我的公司 本公司 我公司 我们单位 法人代表 企业主 我们店 我的店 我开的店 开了个店 "
    "商户 招投标 中小企业 民营企业 企业贷款 企业融资 拖欠货款 工程款 税务登记 我们门店"
)
ENTERPRISE_WEAK: Final = words("公司 企业 厂家 工厂 门店 店铺 经营 老板")
# A company the *citizen* complains about is not an enterprise appeal.
NOT_ENTERPRISE_BEFORE: Final = words(
    "物业 供暖 燃气 自来水 电力 快递 中介 房地产 开发商 外卖 出租车 公交 物流 装修"
)
TOPICS: Final = words(
    "停水 停电 停气 没暖气 暖气不热 漏水 噪音 扰民 占道经营 违章建筑 违建 垃圾 油烟 污水 路灯 "
    "井盖 拖欠工资 欠薪 物业 电梯 乱停车 停车 施工 渣土 异味 排污 社保 医保 公积金 户口 落户 "
    "入学 退费 房产证 拆迁 网约车 出租车 公交 燃气泄漏 着火 下水道 堵塞 积水 树木 绿化 养老金 "
    "低保 广场舞 装修 学校 医院 食品安全 假货 退款 押金 房租 供暖 水压 噪声 道路破损 坑 "
    "黑诊所 无证行医 非法行医 传销 诈骗 赌博 无证经营 违法建设 黑车 走失 社保卡 医保卡 "
    "工伤 劳动合同 加班费 违章停车 共享单车 流浪狗 宠物 扰民 停车费 物业费 取暖费"
)
NEGATIONS: Final = ("没有", "没", "不是", "不", "无", "未")


def _occurrences(text: str, word: str) -> Iterator[int]:
    start = text.find(word)
    while start != -1:
        yield start
        start = text.find(word, start + 1)


def _negated(text: str, start: int) -> bool:
    return text.endswith(NEGATIONS, max(0, start - 2), start)


def _claim(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Longest words are scanned first; a shorter word inside a longer hit is not counted."""
    if any(a <= start and end <= b for a, b in taken):
        return False
    taken.append((start, end))
    return True


def find_cues(text: str) -> list[Cue]:
    cues: list[Cue] = []
    taken: list[tuple[int, int]] = []
    for label, weight, cue_words in sorted(APPEAL_CUES, key=lambda row: -row[1]):
        for word in cue_words:
            for start in _occurrences(text, word):
                if _claim(taken, start, start + len(word)) and not _negated(text, start):
                    cues.append(Cue("appeal_type", label, weight, start, start + len(word), word))
    for hotline, cue_words in EMERGENCY_CUES.items():
        taken = []
        for word in cue_words:
            for start in _occurrences(text, word):
                if _claim(taken, start, start + len(word)) and not _negated(text, start):
                    cues.append(Cue("emergency", hotline, 1.0, start, start + len(word), word))
    for utility, cue_words in UTILITY_CUES.items():
        taken = []
        for word in cue_words:
            for start in _occurrences(text, word):
                if _claim(taken, start, start + len(word)):
                    outage = 1.0 if word in UTILITY_OUTAGE else 0.3
                    cues.append(Cue("utility", utility, outage, start, start + len(word), word))
    taken = []
    for weight, cue_words in ((1.0, ENTERPRISE_STRONG), (0.4, ENTERPRISE_WEAK)):
        for word in cue_words:
            for start in _occurrences(text, word):
                if not _claim(taken, start, start + len(word)):
                    continue
                if weight < 1.0 and text.endswith(NOT_ENTERPRISE_BEFORE, max(0, start - 4), start):
                    continue
                cues.append(Cue("enterprise", "涉企", weight, start, start + len(word), word))
    taken = []
    for word in TOPICS:
        for start in _occurrences(text, word):
            if _claim(taken, start, start + len(word)) and not _negated(text, start):
                cues.append(Cue("topic", word, 1.0, start, start + len(word), word))
    return cues
