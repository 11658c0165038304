"""Excel exports of the KPI reports (openpyxl). Blocking: call in a thread."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

BOLD = Font(bold=True)
GAP_FILL = PatternFill("solid", fgColor="FFF2CC")

CALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("queued", "进队"),
    ("answered", "接通"),
    ("abandoned", "放弃"),
    ("short_abandons", "短时放弃"),
    ("answer_rate", "接通率"),
    ("service_level", "15秒接通率"),
    ("abandon_rate", "放弃率"),
)


def _rate_cells(kpis: dict[str, Any], key: str) -> list[Any]:
    v = kpis[key]
    if isinstance(v, dict):
        return [v["value"], v["numerator"], v["denominator"]]
    return [v]


def _header(ws: Any, cells: list[str]) -> None:
    ws.append(cells)
    for cell in ws[ws.max_row]:
        cell.font = BOLD


def _gap_sheet(wb: Workbook, gaps: list[dict[str, Any]]) -> None:
    ws = wb.create_sheet("数据缺口")
    _header(ws, ["开始", "结束", "已补录通话", "原因"])
    for g in gaps:
        ws.append([g["start"], g["end"], g["calls_reconciled"], g["reason"]])
    if not gaps:
        ws.append(["统计期内无数据缺口"])


def _workbook(title: str) -> tuple[Workbook, Any]:
    """A new workbook and its first sheet, titled."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    return wb, ws


def _xlsx(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def call_kpis_xlsx_blocking(report: dict[str, Any]) -> bytes:
    wb, ws = _workbook("话务指标")
    ws.append([f"统计期 {report['from']} 至 {report['to']}，粒度 {report['interval']}"])
    if report["gaps"]:
        ws.append([f"注意：统计期内有 {len(report['gaps'])} 段数据缺口，见“数据缺口”表"])
        ws.cell(ws.max_row, 1).fill = GAP_FILL
    head = ["时段"]
    for key, label in CALL_COLUMNS:
        if isinstance(report["total"][key], dict):
            head += [label, f"{label}分子", f"{label}分母"]
        else:
            head.append(label)
    head += ["平均应答时长(秒)", "最长等待(秒)"]
    _header(ws, head)

    def row(name: str, k: dict[str, Any]) -> list[Any]:
        cells: list[Any] = [name]
        for key, _ in CALL_COLUMNS:
            cells += _rate_cells(k, key)
        return [*cells, k["asa"]["mean"], k["longest_wait"]["value"]]

    for item in report["intervals"]:
        ws.append(row(item["start"], item["kpis"]))
    ws.append(row("合计", report["total"]))
    calls = wb.create_sheet("通话明细")
    _header(
        calls, ["linkedid", "主叫", "队列", "坐席", "进队/呼入时间", "结果", "等待(秒)", "通话(秒)"]
    )
    for c in report["calls"]:
        calls.append(
            [
                c["linkedid"],
                c["caller_number"],
                c["queue"],
                c["agent"],
                c["anchor"],
                c["outcome"],
                c["wait_s"],
                c["talk_s"],
            ]
        )
    formulas = wb.create_sheet("公式")
    _header(formulas, ["指标", "版本", "公式"])
    for f in report["formulas"].values():
        formulas.append([f["name"], f["version"], f["text"]])
    _gap_sheet(wb, report["gaps"])
    return _xlsx(wb)


def order_kpis_xlsx_blocking(report: dict[str, Any]) -> bytes:
    wb, ws = _workbook("工单指标")
    ws.append([f"统计期 {report['from']} 至 {report['to']}"])
    labels: dict[str, str] = report["labels"]
    _header(ws, ["承办单位", "指标", "值", "分子", "分母", "公式", "版本"])
    for unit in report["units"]:
        for key, v in unit["kpis"].items():
            ws.append(
                [
                    unit["unit"],
                    labels.get(key, key),
                    v["value"],
                    v["numerator"],
                    v["denominator"],
                    v["formula"]["name"],
                    v["formula"]["version"],
                ]
            )
    return _xlsx(wb)
