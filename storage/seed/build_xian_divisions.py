"""Regenerate ``xian_divisions.csv`` (西安市 districts, streets/towns, communities/villages) from
the NBS division tables in ``../shared/data/admin_divisions`` (2023 edition; see its README).

Run: ``python -m storage.seed.build_xian_divisions [--shared PATH]``. Place names and codes are
public statistics; only Xi'an (city code 6101) is kept.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

XIAN = "6101"
HERE = Path(__file__).resolve().parent
OUT = HERE / "xian_divisions.csv"
DEFAULT_SHARED = HERE.parents[2] / "shared"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_blocking(shared: Path) -> list[tuple[str, str, str, str]]:
    base = shared / "data" / "admin_divisions"
    rows: list[tuple[str, str, str, str]] = []
    for r in _read(base / "areas.csv"):
        if r["city_code"] == XIAN:
            rows.append((r["code"], r["name"], "district", ""))
    for r in _read(base / "streets.csv"):
        if r["city_code"] == XIAN:
            rows.append((r["code"], r["name"], "street", r["parent_code"]))
    for r in _read(base / "villages_xian.csv"):
        if r["city_code"] == XIAN:
            rows.append((r["code"], r["name"], "community", r["parent_code"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    rows = build_blocking(args.shared)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent_code"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
