"""Escalation scan cost: orders scanned per second, with and without difflib prefilters.

Synthetic appeals (generated here, no shared data): N orders in a few categories over 30 days,
a share of them repeats of the same issue. Prints the figures; asserts nothing about time.
Run: python bench/repeat_scan.py [N ...]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta

from core.clock import SHANGHAI
from core.repeat import AppealRecord, DifflibMatcher, find_repeats

NOW = datetime(2026, 3, 31, 12, tzinfo=SHANGHAI)
STREETS = ["小寨东路", "长安南路", "含光路", "朱雀大街", "电子正街", "科技路", "太白南路"]
ISSUES = ["路灯不亮", "井盖缺失", "垃圾清运不及时", "噪音扰民", "停车收费不合理", "供暖不热"]


def records(n: int, seed: int = 7) -> list[AppealRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        street, issue = rng.choice(STREETS), rng.choice(ISSUES)
        number = rng.randint(1, 300)
        text = f"{street}{number}号附近{issue}，已经{rng.randint(2, 30)}天了，请尽快处理"
        out.append(
            AppealRecord(
                order_id=f"o{i}",
                phone=f"138{rng.randint(0, 99_999_999):08d}",
                address=f"陕西省西安市雁塔区{street}{number}号",
                category_code=f"C{ISSUES.index(issue) % 3}",
                text=text,
                at=NOW - timedelta(minutes=rng.randint(0, 30 * 24 * 60)),
            )
        )
    return out


def timed(n: int, prefilter: bool) -> tuple[float, int]:
    data = records(n)
    start = time.perf_counter()
    groups = find_repeats(data, NOW, DifflibMatcher(prefilter=prefilter))
    return time.perf_counter() - start, len(groups)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [300, 600]
    print("orders  prefilter_s  plain_s  speed-up  groups(same both ways)")
    for n in sizes:
        fast, groups_fast = timed(n, True)
        slow, groups_slow = timed(n, False)
        same = "yes" if groups_fast == groups_slow else "NO"
        print(f"{n:6d}  {fast:11.3f}  {slow:7.3f}  {slow / fast:7.1f}x  {groups_fast} ({same})")


if __name__ == "__main__":
    main()
