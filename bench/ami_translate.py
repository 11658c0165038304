"""Throughput of the pure AMI path on the recorded 20-call trace (prints figures, asserts nothing).

    /work/main/.venv/bin/python -m bench.ami_translate [--repeat N]

Compares, in one process on the same bytes: panoramisk's own message parsing
(``Message.from_line`` on the EOL-split stream, what its protocol does), our ``AmiStreamParser``,
and our parser + ``Translator`` + ``LiveReducer``. Ratios are against panoramisk.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from panoramisk import utils
from panoramisk.message import Message

from core.live import LiveReducer
from telephony.ami_codec import AmiStreamParser
from telephony.trace_replay import load_trace
from telephony.translate import Translator

TRACES = Path(__file__).resolve().parents[2] / "shared" / "ami-traces"
NAME = "06-concurrent-20-calls"


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--repeat", type=int, default=5)
    repeat = args.parse_args().repeat
    trace = load_trace(TRACES, NAME)
    raw = trace.raw
    times = [at for at, _ in trace.messages]

    def panoramisk_parse() -> int:
        text = raw.decode("ascii", "ignore")
        return sum(
            1 for block in text.split(utils.EOL + utils.EOL) if Message.from_line(block.strip())
        )

    def our_parse() -> int:
        parser = AmiStreamParser()
        return sum(len(parser.feed(raw[i : i + 4096])) for i in range(0, len(raw), 4096))

    def our_full_path() -> int:
        parser, translator, live = AmiStreamParser(), Translator(), LiveReducer({"hotline": 3})
        n = 0
        for i in range(0, len(raw), 4096):
            for msg in parser.feed(raw[i : i + 4096]):
                for event in translator.feed(msg, times[n]):
                    live.apply(event)
                n += 1
        return n

    def best(fn: Callable[[], int]) -> tuple[int, float]:
        runs = []
        count = 0
        for _ in range(repeat):
            start = time.perf_counter()
            count = fn()
            runs.append(time.perf_counter() - start)
        return count, min(runs)

    base_n, base_s = best(panoramisk_parse)
    print(f"trace {NAME}: {len(raw):,} bytes, {len(times):,} messages; best of {repeat}")
    for label, fn in (
        ("panoramisk Message.from_line", panoramisk_parse),
        ("AmiStreamParser (4 KiB chunks)", our_parse),
        ("parser + Translator + LiveReducer", our_full_path),
    ):
        n, seconds = best(fn)
        print(
            f"{label:36s} {n:6d} msgs  {n / seconds:10,.0f} msg/s  "
            f"ratio vs panoramisk {(n / seconds) / (base_n / base_s):.2f}"
        )


if __name__ == "__main__":
    main()
