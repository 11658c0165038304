"""Word lists for finding whole address mentions in text (:mod:`autofill.address_mentions`).

Domain data, not logic: what is said before and after a location, how place names end, and
what makes a place name part of something else (an organisation, a team, a nationality).
"""

from __future__ import annotations

import re
from typing import Final

from autofill.lexicon import words

# Said just before a location ("在|喀山", "位于|芝加哥", "新华社|东京").
BEFORE: Final = words(
    "在 位于 地处 坐落于 坐落在 地点 地址 住在 家住 居住在 生活在 落户 来到 来自 前往 赶赴 赴 抵达 "
    "飞往 飞抵 到达 到 去 回到 从 于 至 途经 经过 进入 走进 驻 发自 身处 远赴 返回 迁往 搬到 "
    "出生于 出生在 定居 位於 前去 转机 直达 地址是 地点是 设在 建在 落在"
)
# Said just after a location ("广州|报道", "杜塞尔多夫|举行", "渭河|附近").
AFTER: Final = words(
    "报道 举行 举办 召开 开幕 开业 落幕 出发 附近 周边 周围 一带 境内 当地 各地 全境 上空 "
    "海域 沿岸 市区 城区 郊区 街头"
)
# A dateline: "新华社东京5月3日电".
DATELINE: Final = re.compile(r"(?:\d{1,2}月)?\d{1,2}日电")
# The home country is the frame of Chinese news, hardly ever a location in it; and words
# jieba tags as places that name leagues or common things.
NOT_PLACES: Final = frozenset(
    words(
        "中国 我国 本国 国内 全国 英超 德甲 西甲 意甲 法甲 中超 欧冠 亚冠 英雄 城市 嘉宾 东西 上市"
    )
)
# Characters of words jieba's guesser glues to the front of a name ("的金桥广场", "距南门口").
FUNCTION_CHARS: Final = frozenset("的了在是从到距拿把被让给向对和与")
# Common nouns for kinds of places: "二线城市", "二手车市场" name no place.
GENERIC: Final = words("城市 市场 城镇 乡村 农村 地方 国家 社会 世界")
# After a person's name, not a place's ("在王守义生前").
PERSON_AFTER: Final = words("生前 看来 眼中 心中 手中 手里 身上 身边 名下 笔下 家中 去世")
# Nouns a place name qualifies rather than locates ("日本媒体", "欧洲市场", "维罗纳主场").
QUALIFIED: Final = words(
    "人 籍 族 队 国家队 球队 俱乐部 主场 客场 vs VS 媒体 方面 方 政府 当局 军 海军 空军 陆军 "
    "军队 警方 官员 总统 总理 首相 市长 主任 代表 选手 球员 国脚 市场 经济 企业 公司 银行 分行 "
    "支行 房地产 住房 地产 楼市 股市 时间 版 文化 艺术 足球 电影 风格 特色 口音 菜 菜系 料理 "
    "货币 政策 德比 卫视 电视台 日报 晚报 盘 赔率 彩民"
)
# Last characters or words of a place name: where a noun phrase may end as a place.
PLACE_ENDINGS: Final = frozenset(
    "路街道巷弄号楼层室村镇乡区县市省州岛湾港山湖河江海峰谷园场馆站城宫寺庙塔桥门口苑府院厦洲"
)
PLACE_WORDS: Final = words(
    "中心 基地 广场 机场 公园 酒店 宾馆 餐厅 小区 花园 家园 大厦 大楼 写字楼 教学楼 商场 驿站 "
    "码头 车站 客站 地铁站 投注站 校区 社区 景区 园区 工业区 度假区 核心区 开发区 商务区 市区 "
    "城区 地区 半岛 群岛 大道 大街 步行街 道路 公路 国道 高速 路口 大门 县城 老城 古城 名城 "
    "球场 体育场 体育馆 博物馆 美术馆 会馆 医院 大使馆 领事馆 寺 牧场 滑雪场 军区 "
    "东部 西部 南部 北部 中部 东侧 西侧 南侧 北侧 东北部 西北部 东南部 西南部 一层 二层 底层"
)
# Localisers after 在… that make it a time or an abstract setting ("在会议上", "在此期间").
ABSTRACT_AFTER: Final = words("上 中 里 下 内 期间 时 时候 之际 以来 方面 过程")
# Heads of organisation names a few nouns after a place ("浙江|信托", "山西|焦煤|集团").
ORG_HEADS: Final = words(
    "公司 分公司 集团 银行 信托 事务所 协会 学会 委员会 研究院 研究所 大学 学院 中学 小学 "
    "医院 法院 检察院 政府 总部 分部 机构 基金会 俱乐部 联合会 商会 报社 杂志社 出版社 电视台 "
    "日报 晚报"
)
# Single characters that end an organisation's name when they end a noun ("央行", "房管局",
# "派出所", "发改委", "信用社"), except in these common nouns.
ORG_HEAD_CHARS: Final = frozenset("厂局厅署部处办委队所社行会")
NOT_ORGS: Final = frozenset(
    words(
        "机会 社会 平局 格局 布局 出局 全部 内部 部署 尾部 餐厅 大厅 客厅 展厅 门厅 到处 好处 用处"
    )
)
# An organisation's name, however it starts ("日本政府", "杭州中院", "德国海德堡大学").
ORG_ENDINGS: Final = words(
    "政府 法院 中院 高院 检察院 大学 学院 银行 公司 集团 委员会 研究院 研究所 协会 局 厅"
)
LIST_SEPARATORS: Final = frozenset(("、", "和", "与", "及", "或", "或者", "以及"))
