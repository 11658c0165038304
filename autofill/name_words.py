"""Word lists for finding people named in text (:mod:`autofill.person_mentions`).

Domain data, not logic: titles and verbs around names, the characters of transliterated
foreign names, and words jieba's dictionary wrongly tags as names.
"""

from __future__ import annotations

import re
from typing import Final

from autofill.lexicon import words

# Characters that are never part of a given name, even one jieba recognised.
FUNCTION_CHARS: Final = frozenset("的了在是我你他她它们这那吗呢吧啊呀嘛哦和与及或说称等某总")
# Characters that do not occur in a Chinese given name (function words, verbs of speech…).
NOT_GIVEN: Final = frozenset(
    "的了在是我你他她它们这那个吗呢吧啊呀嘛哦和与及或跟同说道称认为表示指出也还就都又才将被把"
    "对向从到给让使等中上下里外前后内年月日时分号人们们之其此该每各有没不无很最更再已曾"
    "第一二三四五六七八九十百千万亿两几多少某总帅"
    "省市州县区镇乡村寺宫岛湾港卡馆楼街路杯"  # the end of a place or thing, not of a name
)
# Surname characters that are far more often a function word glued to a name ("和韦德").
FUNCTION_SURNAMES: Final = frozenset("和与过")
# A measure word after a number is not a surname ("200米左右", "3张").
MEASURES: Final = frozenset("米张条元万千台路号楼层期届")
# What follows a place, a firm or a product, not a person ("李家坝村", "华晟期货").
THING_AFTER: Final = words(
    "村 区 县 镇 乡 岛 街 路 寺 湖 河 桥 公司 集团 银行 期货 证券 基金 地产 卡 杯 牌 号 店 馆 "
    "家具 品牌 股份 有限 网 农合 体 式 型 版 系列 文化 风格"
)
# Characters typical of transliterated foreign names (Xinhua's 译音表, the common part).
TRANSLIT: Final = frozenset(
    "阿埃艾爱安昂奥巴拜班邦贝本比彼毕宾波伯博布查达戴丹道德登迪蒂丁杜多厄恩尔法范菲费芬"
    "丰弗福富盖甘冈戈格贡古瓜哈海汉豪赫亨洪胡华霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎"
    "拉莱赖兰朗劳勒雷蕾里利莉丽连列林琳隆卢鲁伦罗洛马玛迈麦曼芒梅门蒙米密缪莫姆穆纳娜"
    "奈内尼妮涅纽努诺欧帕潘庞佩彭皮珀普奇齐契乔切琴丘萨塞桑瑟森沙莎尚舍什施斯松苏索"
    "塔泰坦汤唐陶特提图托瓦万威韦维温翁沃乌西希锡谢辛休雅亚扬耶伊因英尤约泽扎詹"
    "保翰迭戈兹莎汀娅薇琪丝黛妮芙蕾露茜茨夫科"
)
DOT: Final = "·•・-－"
# A title or position just before a name ("副总裁周立新", "记者吴亚楠", "法定代表人为陆文静").
TITLES_BEFORE: Final = words(
    "记者 编辑 通讯员 实习生 摄影 主席 总统 总理 首相 国王 女王 王子 公主 教练 主教练 主帅 董事长 "
    "总经理 经理 主任 局长 市长 省长 县长 区长 书记 部长 厅长 处长 科长 院长 校长 社长 站长 会长 "
    "行长 司长 署长 秘书长 理事长 总监 总裁 老师 教授 博士 医生 律师 导演 演员 歌手 球员 队长 "
    "创始人 主持人 作者 作家 画家 书法家 艺术家 收藏家 设计师 建筑师 分析师 工程师 研究员 专家 "
    "委员 代表 首席 法官 检察官 警官 民警 队员 选手 前锋 后卫 中场 门将 国脚 球星 明星 老板 "
    "董事 股东 发言人 负责人 代表人 法人 主管 顾问 合伙人 投资人 投资客 嘉宾 评论员 解说 "
    "妻子 丈夫 儿子 女儿 父亲 母亲 哥哥 姐姐 弟弟 妹妹 网友 市民 村民 居民 彩民 老将 新秀 "
    "大师 名将 影星 歌星 影后 影帝 男主角 女主角 主角 搭档 助手 对手 同事 朋友 前妻 先生 "
    "为 是 由 叫 名叫 请 让 据 向 和 与 及 同 跟"
)
# Last characters of nouns that name a role or trade.
ROLE_ENDINGS: Final = frozenset("长员师家手帅星锋卫官令者总裁席监授任委匠生")
NOT_ROLES: Final = frozenset(
    words("国家 大家 人家 老家 全家 回家 在家 东家 厂家 商家 学生 先生 医生")
)
# Of those, the weak ones: a name after them needs another sign (jieba's tag, a verb after).
WEAK_BEFORE: Final = frozenset(words("为 是 由 叫 请 让 据 向 和 与 及 同 跟 先生"))
# Words that follow a person doing or saying something.
VERBS_AFTER: Final = words(
    "表示 说 认为 称 指出 介绍 透露 坦言 强调 回忆 解释 告诉 补充 承认 提到 说道 笑称 表态 "
    "透露说 直言 感叹 分析 建议 预计 相信 希望 担心 宣布 发现 回应 否认 证实 坦承 点评 评价 "
    "执导 导演 主演 出演 饰演 扮演 领衔 创作 编剧 监制 担任 出任 当选 获得 荣获 入选 率领 "
    "带领 率队 回答 提问 发言 报道 摄 文 撰文 发自 主持 解说 看来 生前 曾经 曾 此前 随后 "
    "本人 自己 等人 等 先生 女士 小姐 教授 博士 老师 同志 书记 主任 院士 大师 夫妇 一家"
)
# Verbs that need a clause start as well ("，张三在…" but not "把张三在").
CLAUSE_VERBS: Final = words("： : 在 也 还 则 已 已经 就 便 又 才 都 将 被 把 对 向 是 的")
# A team, not a person, plays at home, away, against someone ("做客维罗纳", "维罗纳主场").
TEAM_BEFORE: Final = words("vs VS 做客 作客 迎战 对阵 战胜 击败 负于 输给 不敌 力克 主队 客队 对手")
TEAM_AFTER: Final = words(
    "vs VS 主场 客场 做客 作客 队 俱乐部 近况 近期 本赛季 上赛季 上轮 本轮 首回合 次回合 "
    "连胜 连败 不胜 战胜 击败 取胜 赢球 输球 进球 失球 让球 让半 受让 盘 战绩 排名 积分"
)
# "Linda", "JohnConnor": capitalised like a name (all capitals is more often a brand: BBC).
CAPITALISED: Final = re.compile(r"(?:[A-Z][a-z]+){1,3}")
LIST_SEPARATORS: Final = frozenset(("、", "和", "与", "及", "以及", "或", "或者"))
# Words starting with a surname character that are never a name, even when jieba says so.
NOT_NAMES: Final = frozenset(
    words(
        "应该 尤其 何况 何时 文章 文化 常年 常务 于是 关于 方面 方法 方式 高度 高级 高兴 时候 "
        "时间 全部 全面 任何 任务 马上 黄金 金融 金额 万一 明显 明天 程度 安全 安排 和平 成为 "
        "成功 成本 向来 华人 国家 解释 连续 陆续 周末 谢谢 白天 石油 包括 包含 路上 车上 师生 "
        "季度 夏天 秋天 冷静 温度 严重 严格 董事 商业 管理 曾经 庞大 齐全 司法 简单 游戏 范围 "
        "陆军 海军 空军 白领 明星 连胜 金牌 银牌 史上 龙头 高达 张开 关键 夏季 武器 云南 甘肃 "
        "贾府 孔子 孙子 杨柳 柳树 梅花 江湖 江山 山水 黎明 易经 石头 本赛季 上赛季 下赛季 "
        "银行卡 信用卡 欧冠 英超 西甲 德甲 意甲 法甲"
    )
)
NAME_FLAGS: Final = frozenset(("nr", "nrfg", "nrt"))
# jieba's tags for ordinary words: a span it knows with one of these is not a name.
WORD_FLAGS: Final = frozenset(
    (
        "n",
        "v",
        "vn",
        "a",
        "ad",
        "an",
        "b",
        "d",
        "t",
        "f",
        "m",
        "q",
        "r",
        "p",
        "c",
        "u",
        "l",
        "i",
        "s",
    )
)
