"""The one catalogue of user-facing Chinese text, keyed by stable error code.

``message_for(code, details)`` fills ``{placeholders}`` from the error's details; a missing
placeholder is left visible instead of failing. Labels for statuses, actions and enums used in
UIs and reports live here too, so wording changes in one place.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from core.work_order_model import (
    AppealType,
    OutOfScopeReason,
    WorkOrderStatus,
)
from core.work_order_rules import Action, Role

MESSAGES: Mapping[str, str] = {
    # generic (core.errors base classes)
    "domain.error": "操作未能完成。",
    "not_found": "未找到相应记录。",
    "transcript.not_found": "未找到该通话的转写记录。",
    "ws.role_has_no_topics": "您的角色没有可订阅的实时消息。",
    "conflict": "操作与当前状态冲突，请刷新后重试。",
    "validation.invalid": "提交的内容不符合要求：{message}",
    "auth.forbidden": "您没有执行该操作的权限。",
    "auth.unauthenticated": "请先登录。",
    "auth.unit_required": "承办单位用户必须关联所属单位。",
    "external.unavailable": "外部服务暂时不可用，请稍后重试。",
    # work orders
    "work_order.not_found": "未找到该工单。",
    "work_order.invalid_transition": "工单当前状态为“{status}”，不能执行“{action}”。",
    "work_order.forbidden": "您的角色不能对该工单执行“{action}”。",
    "work_order.not_lead_unit": "只有主办单位可以执行该操作。",
    "work_order.reply_without_contact": "答复前须先与诉求人联系并登记联系记录，否则视为虚假答复。",
    "work_order.answer_requires_consultation": "只有咨询类诉求可以当场答复办结。",
    "work_order.field_required": "请填写必填项：{fields}",
    "work_order.extension_pending": "已有延期申请待审批。",
    "work_order.no_extension": "没有待审批的延期申请。",
    "work_order.extension_limit": "延期天数超出规定（累计不超过 {max} 个工作日）。",
    "work_order.merge_self": "工单不能并入自身。",
    "work_order.unknown_command": "不支持的工单操作。",
    # units and dispatch
    "unit.not_found": "未找到承办单位（{code}）。",
    "unit.duplicate": "承办单位编码重复（{code}）。",
    "unit.kind_invalid": "承办单位类型有误（{code}）。",
    "unit.utility_not_found": "未找到对应的水电气热服务单位。",
    "category.not_found": "未找到诉求分类（{code}）。",
    "dispatch.lead_required": "派单须指定一个主办单位。",
    "dispatch.territory_invalid": "属地单位必须是街道（镇）或区县政府（{code}）。",
    # calendar and SLA
    "calendar.error": "工作日历出错：{message}",
    "calendar.year_unsupported": "缺少 {year} 年的法定节假日数据，无法计算办理时限。",
    "calendar.override_invalid": "工作日历调整文件 {file} 第 {line} 行有误：{problem}",
    "calendar.override_unreadable": "无法读取工作日历调整文件 {file}。",
    "calendar.no_working_day": "工作日历数据异常：长时间没有工作日。",
    "calendar.working_hours_invalid": "工作时间配置有误。",
    "sla.policy_invalid": "办理时限配置有误：{message}",
    # escalation and KPIs
    "escalation.config_invalid": "督办预警配置有误：{message}",
    "kpi.period_invalid": "统计周期有误：开始时间须早于结束时间。",
    "kpi.weights_invalid": "三率权重须为非负数且合计为 1。",
    # places (gazetteer) and auto-fill
    "divisions.unknown_city": "没有“{city}”的行政区划数据，请先生成该城市的地名库。",
    "divisions.unreadable": "无法读取行政区划数据文件：{message}",
    "divisions.bad_row": "行政区划数据文件格式有误：{message}",
    "divisions.bad_level": "行政区划层级不正确：{message}",
    "divisions.duplicate_code": "行政区划代码重复：{message}",
    "divisions.missing_parent": "行政区划缺少上级区划：{message}",
    "autofill.unknown_field": "工单中没有“{field}”这一栏。",
    # work orders (storage / API)
    "work_order.stale": "工单已被他人修改，请刷新后重试。",
    "work_order.merge_target_closed": "目标工单已办结，不能并案。",
    "work_order.not_editable": "工单已派出，不能再修改受理信息。",
    "idempotency.key_reused": "该幂等键已用于另一份不同的请求。",
    "idempotency.duplicate": "重复提交：该请求已处理。",
    "audit.forbidden": "无权查看审计记录。",
    "database.not_migrated": "数据库尚未升级到最新结构，请先运行 python -m hotline migrate。",
    # authentication
    "auth.bad_credentials": "用户名或密码错误。",
    "auth.invalid_token": "登录凭证无效，请重新登录。",
    "auth.token_expired": "登录已过期，请重新登录。",
    # reference data (categories, units, 权责清单)
    "reference.bad_header": "参考数据文件表头有误：{message}",
    "reference.category_not_found": "未找到诉求分类：{message}",
    "reference.invalid_row": "参考数据文件中有错误的行：{message}",
    "reference.missing_file": "缺少参考数据文件：{message}",
    "reference.unit_not_found": "未找到承办单位：{message}",
    "reference.unknown_district": "未知的行政区：{message}",
    # classifier
    "classifier.artifact_hash_mismatch": "分类模型文件校验失败（可能已损坏或被改动）：{message}",
    "classifier.artifact_invalid": "分类模型文件无效：{message}",
    "classifier.artifact_missing": "找不到分类模型，请先运行 python -m hotline train：{message}",
    "classifier.artifact_version_mismatch": "分类模型与当前软件版本不符，请重新训练：{message}",
    "classifier.class_too_small": "某个类别的样本太少，无法训练：{message}",
    "classifier.data_column_missing": "训练数据缺少指定的列：{message}",
    "classifier.data_empty": "训练数据为空：{message}",
    "classifier.data_encoding": "训练数据文件编码无法识别：{message}",
    "classifier.data_missing": "找不到训练数据文件：{message}",
    "classifier.feedback_invalid": "坐席反馈数据格式有误：{message}",
    "classifier.feedback_missing": "找不到坐席反馈数据：{message}",
    "classifier.labels_disjoint": "评估数据的类别与模型的类别没有交集：{message}",
    "classifier.too_few_classes": "训练数据至少需要两个类别：{message}",
    # IVR
    "ivr.callback_number": "来电号码无效，无法登记回拨。",
    "ivr.flow_invalid": "IVR 流程文件有误：{message}",
    "ivr.mailbox": "语音信箱格式应为 信箱号@上下文（例如 12345@hotline）：{message}",
    "ivr.sms_number": "来电号码不是手机号，无法发送网上渠道短信。",
    "ivr.spool": "找不到语音信箱目录：{message}",
    "ivr.voicemail": "语音留言处理失败：{message}",
    "ivr.voicemail_path": "语音留言录音文件路径无效：{message}",
    "voicemail.duplicate": "该语音留言已登记。",
    "voicemail.not_found": "未找到该语音留言。",
    "call.forbidden": "您没有查看通话记录的权限。",
    "call.not_found": "未找到该通话记录。",
    "call.bad_query": "通话记录查询条件无效：{message}",
    "callback.not_found": "未找到该回电任务。",
    "callback.forbidden": "您没有处理回电任务的权限。",
    "callback.closed": "该回电任务已处理。",
    "callback.endpoint": "请填写坐席分机。",
    "callback.no_pbx": "本进程未连接交换机，无法发起回电：{message}",
    "transcription.not_found": "未找到该转写任务。",
    "sms.refused": "短信网关拒绝发送：{message}",
    # external services
    "external.redis_unavailable": "Redis 无法连接：{message}",
    # telephony (Asterisk AMI)
    "telephony.action_refused": "Asterisk 拒绝了该操作：{message}",
    "telephony.action_timeout": "Asterisk 未在规定时间内响应。",
    "telephony.authentication_failed": "Asterisk 管理接口登录失败，请检查用户名和密码。",
    "telephony.channel_not_found": "通话通道不存在（可能已挂断）。",
    "telephony.interface_already_in_queue": "该坐席已在队列中。",
    "telephony.interface_not_found": "找不到该坐席分机。",
    "telephony.interface_not_in_queue": "该坐席不在队列中。",
    "telephony.not_connected": "与 Asterisk 的连接已断开，正在重连。",
    "telephony.originate_failed": "外呼失败：{message}",
}

STATUS_LABELS: Mapping[WorkOrderStatus, str] = {
    WorkOrderStatus.DRAFT: "草稿",
    WorkOrderStatus.ACCEPTED: "已受理",
    WorkOrderStatus.DISPATCHED: "已派单",
    WorkOrderStatus.SIGNED: "已签收",
    WorkOrderStatus.IN_PROGRESS: "办理中",
    WorkOrderStatus.RETURNED: "已退单",
    WorkOrderStatus.REPLIED: "已答复",
    WorkOrderStatus.VISITED: "已回访",
    WorkOrderStatus.DISSATISFIED: "回访不满意",
    WorkOrderStatus.EXCLUSION_REQUESTED: "核减待审",
    WorkOrderStatus.CLOSED: "已办结",
    WorkOrderStatus.MERGED: "已并案",
    WorkOrderStatus.HANDED_OVER: "已转联动",
    WorkOrderStatus.REFUSED: "不予受理",
}

ACTION_LABELS: Mapping[Action, str] = {
    Action.ACCEPT: "受理",
    Action.ANSWER_AT_INTAKE: "直接答复",
    Action.HAND_OVER: "转联动",
    Action.REFUSE: "不予受理",
    Action.DISPATCH: "派单",
    Action.SIGN: "签收",
    Action.RETURN: "退单",
    Action.DISPUTE_RETURN: "退单驳回",
    Action.RECORD_CONTACT: "联系诉求人",
    Action.REPLY: "答复",
    Action.RETURN_VISIT: "回访",
    Action.CLOSE: "办结",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "批准延期",
    Action.REJECT_EXTENSION: "驳回延期",
    Action.URGE: "催办",
    Action.MERGE: "并案",
    Action.RE_HANDLE: "重办",
    Action.REQUEST_EXCLUSION: "申请核减",
    Action.APPROVE_EXCLUSION: "批准核减",
    Action.REJECT_EXCLUSION: "驳回核减",
}

ROLE_LABELS: Mapping[Role, str] = {
    Role.AGENT: "话务员",
    Role.DISPATCHER: "派单员",
    Role.SUPERVISOR: "班长（督办）",
    Role.TRAINER: "质检培训",
    Role.UNIT_USER: "承办单位",
    Role.ADMIN: "管理员",
}

OUT_OF_SCOPE_LABELS: Mapping[OutOfScopeReason, str] = {
    OutOfScopeReason.LITIGATION: "应通过诉讼程序解决的事项",
    OutOfScopeReason.ARBITRATION: "应通过仲裁解决的事项",
    OutOfScopeReason.DISCIPLINE_INSPECTION: "属于纪检监察机关受理的事项",
    OutOfScopeReason.ADMINISTRATIVE_RECONSIDERATION: "应通过行政复议解决的事项",
    OutOfScopeReason.INFORMATION_DISCLOSURE: "政府信息公开申请",
    OutOfScopeReason.PETITION: "已进入信访程序的事项",
    OutOfScopeReason.SECRETS: "涉及国家秘密、商业秘密的事项",
    OutOfScopeReason.PERSONAL_PRIVACY: "涉及个人隐私的事项",
    OutOfScopeReason.AGAINST_PUBLIC_ORDER: "违背社会公序良俗的诉求",
}

APPEAL_TYPE_LABELS: Mapping[AppealType, str] = {t: t.value for t in AppealType}


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message_for(code: str, details: Mapping[str, Any] | None = None, message: str = "") -> str:
    """Chinese text for ``code``; the most specific known prefix wins (``a.b.c`` → ``a.b``)."""
    template = None
    parts = code.split(".")
    while parts and template is None:
        template = MESSAGES.get(".".join(parts))
        parts.pop()
    if template is None:
        template = MESSAGES["domain.error"]
    values = _Keep({k: _text(v) for k, v in (details or {}).items()})
    values.setdefault("message", message)
    if "action" in values:
        values["action"] = _label(values["action"], Action, ACTION_LABELS)
    if "status" in values:
        values["status"] = _label(values["status"], WorkOrderStatus, STATUS_LABELS)
    return string.Formatter().vformat(template, (), values)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def _label(value: str, enum: Any, labels: Mapping[Any, str]) -> str:
    try:
        return labels[enum(value)]
    except (ValueError, KeyError):
        return value
