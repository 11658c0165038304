// 坐席工作台: the ringing/active call from /ws, live transcript, auto-filled order form with
// agent locks, unit suggestions, caller history, submit → create + dispatch.
import { $, el, api, requireLogin, showUser, Live, setConn, fmtDuration, fmtTime } from "./common.js";

const IFACE_KEY = "hotline.interface";
const SPEAKERS = { caller: "来电人", agent: "坐席", voicemail: "留言" };
// auto-fill field → form control; the address is composed from its parts.
const FIELD_MAP = { phone: "phone", name: "name", district: "district", town: "town",
  appeal_type: "appeal_type", category: "category", title: "title", summary: "content" };
const ADDRESS_PARTS = ["community", "road", "road_no", "poi", "house_no"];

const calls = new Map(); // linkedid → {caller_number, queue, queued_at}
let current = null; // {linkedid, caller_number, queue, state, waitBase, since}
const lines = new Map(); // key → {speaker, start_ms, text, final, gap}
let categories = [];
let statusLabels = {};
let submitted = false;

const form = () => $("#order");
const control = (name) => form().elements.namedItem(name);

function myInterface() { return $("#iface").value.trim(); }

function conf(c) { return c >= 0.8 ? "high" : c >= 0.5 ? "mid" : "low"; }

function renderCall() {
  const card = $("#call");
  card.dataset.state = current ? current.state : "idle";
  $("#call-empty").hidden = !!current;
  $("#call-body").hidden = !current;
  if (!current) return;
  $("#call-state").dataset.state = current.state;
  $("#call-state").textContent = { ringing: "振铃中", talking: "通话中", ended: "已挂机" }[current.state] || current.state;
  $("#call-number").textContent = current.caller_number || "号码未知";
  $("#call-queue").textContent = current.queue || "—";
  $("#call-id").textContent = current.linkedid;
  renderWait();
}

function renderWait() {
  if (!current) return;
  let wait = current.waitBase;
  if (current.state === "ringing" && wait !== null) wait += (Date.now() - current.since) / 1000;
  $("#call-wait").textContent = fmtDuration(wait);
}

function renderTranscript() {
  const list = $("#transcript");
  const items = [...lines.values()].sort((a, b) => a.start_ms - b.start_ms || (a.final === b.final ? 0 : a.final ? -1 : 1));
  list.replaceChildren(...items.map((l) => l.gap
    ? el("li", { class: "gap", "data-speaker": l.speaker }, "（语音识别中断，此段无转写）")
    : el("li", { "data-speaker": l.speaker, "data-final": String(l.final) },
        el("span", { class: "who" }, `${SPEAKERS[l.speaker] || l.speaker}${l.final ? "" : " · 识别中"}`),
        l.text_normalised || l.text)));
  $("#tr-empty").hidden = items.length > 0;
  list.scrollTop = list.scrollHeight;
}

function resetCallView() {
  lines.clear();
  renderTranscript();
  form().reset();
  for (const c of form().elements) { delete c.dataset.conf; delete c.dataset.locked; c.title = ""; }
  $("#suggestions").replaceChildren(el("li", { class: "empty" }, "等待自动分析…"));
  $("#form-msg").hidden = true;
  submitted = false;
  $("#submit").disabled = false;
}

async function startCall(linkedid, state, payload) {
  const known = calls.get(linkedid) || {};
  const queuedAt = known.queued_at ? Date.parse(known.queued_at) : null;
  const at = Date.parse(payload.occurred_at);
  current = {
    linkedid, state, caller_number: known.caller_number || "", queue: payload.queue || known.queue || "",
    waitBase: queuedAt !== null && !Number.isNaN(at) ? Math.max(0, (at - queuedAt) / 1000) : null,
    since: Date.now(),
  };
  resetCallView();
  renderCall();
  if (!current.caller_number) {
    try {
      const live = (await api("/live/calls")).find((c) => c.linkedid === linkedid);
      if (live && current && current.linkedid === linkedid) { current.caller_number = live.caller_number; renderCall(); }
    } catch { /* live state unavailable: the number stays unknown */ }
  }
  if (current && current.caller_number) {
    fillField("phone", { value: current.caller_number, confidence: 0.6 });
    loadHistory(current.caller_number);
  }
}

async function loadHistory(phone) {
  const list = $("#history");
  list.replaceChildren(el("li", { class: "empty" }, "查询中…"));
  try {
    const page = await api(`/work-orders?phone=${encodeURIComponent(phone)}&limit=10`);
    if (!page.items.length) { list.replaceChildren(el("li", { class: "empty" }, "该号码无历史工单")); return; }
    list.replaceChildren(...page.items.map((o) => el("li", {},
      el("b", {}, o.number), " ", el("span", { class: "muted" }, fmtTime(o.created_at)), el("br"),
      o.title, " · ", el("span", { class: "state-pill" }, statusLabels[o.status] || o.status))));
  } catch (e) {
    list.replaceChildren(el("li", { class: "empty" }, `历史工单查询失败：${e.message}`));
  }
}

function fillField(name, fv) {
  const c = control(name);
  if (!c || c.dataset.locked === "true" || fv === null || fv === undefined) return;
  let value = fv.value ?? "";
  if (name === "category") {
    const hit = categories.find((x) => x.code === value || x.name === value);
    if (!hit) return;
    value = hit.code;
  }
  c.value = value;
  c.dataset.conf = conf(Number(fv.confidence ?? 0));
  c.title = `自动填写，置信度 ${Math.round(Number(fv.confidence ?? 0) * 100)}%`;
}

function applyAutofill(payload) {
  const fields = payload.fields || {};
  for (const [src, dst] of Object.entries(FIELD_MAP)) if (src in fields) fillField(dst, fields[src]);
  const parts = ADDRESS_PARTS.map((p) => fields[p]).filter((x) => x && x.value);
  if (parts.length) {
    fillField("address", { value: parts.map((p) => p.value).join(""), confidence: Math.min(...parts.map((p) => Number(p.confidence ?? 0))) });
  }
  if (Array.isArray(payload.suggestions)) renderSuggestions(payload.suggestions);
}

function renderSuggestions(items) {
  const list = $("#suggestions");
  const chosen = form().elements.namedItem("lead_unit")?.value;
  if (!items.length) { list.replaceChildren(el("li", { class: "empty" }, "暂无建议，可在派单时选择")); return; }
  list.replaceChildren(...items.slice(0, 3).map((s, i) => {
    const code = s.unit_code || s.unit_id || s.unit || "";
    const name = s.unit_name || s.name || code;
    const p = s.probability ?? s.score;
    return el("li", {}, el("label", {},
      el("input", { type: "radio", name: "lead_unit", value: code, checked: chosen ? chosen === code : i === 0 }),
      el("span", {}, `${name}`, p !== undefined ? el("span", { class: "muted" }, ` ${Math.round(p * 100)}%`) : "",
        el("span", { class: "reason" }, s.reason || s.basis || ""))));
  }));
}

function lockOnEdit(ev) {
  const c = ev.target;
  if (!c.name || c.name === "lead_unit") return;
  c.dataset.locked = "true";
  delete c.dataset.conf;
  c.title = "已人工修改，自动填写不会覆盖";
}

function onSegment(p) {
  if (!current || p.call_id !== current.linkedid) return;
  if (p.final || p.gap) {
    lines.delete(`${p.speaker}:partial`);
    lines.set(`${p.speaker}:${p.start_ms}`, { ...p, final: true });
  } else {
    lines.set(`${p.speaker}:partial`, p);
  }
  renderTranscript();
}

function onEvent(topic, p) {
  const mine = !myInterface() || p.interface === myInterface();
  if (topic === "call.offered") calls.set(p.linkedid, { ...(calls.get(p.linkedid) || {}), caller_number: p.caller_number });
  else if (topic === "call.queued") calls.set(p.linkedid, { ...(calls.get(p.linkedid) || {}), queue: p.queue, queued_at: p.occurred_at });
  else if (topic === "call.agent_ringing" && mine) {
    if (!current || current.linkedid !== p.linkedid) startCall(p.linkedid, "ringing", p);
  } else if (topic === "call.answered" && mine) {
    if (!current || current.linkedid !== p.linkedid) startCall(p.linkedid, "talking", p);
    current.state = "talking";
    current.waitBase = p.wait_s;
    renderCall();
  } else if ((topic === "call.ring_no_answer" || topic === "call.agent_ring_no_answer") && current?.linkedid === p.linkedid && current.state === "ringing") {
    current = null; renderCall();
  } else if ((topic === "call.completed" || topic === "call.ended") && current?.linkedid === p.linkedid) {
    if (current.state !== "ringing") { current.state = "ended"; renderCall(); } else { current = null; renderCall(); }
  } else if (topic === "asr.segment") onSegment(p);
  else if (topic === "autofill.updated" && current && p.call_id === current.linkedid) applyAutofill(p);
}

async function onResync() {
  // Missed events: re-read the live calls for the caller number and state of the current call.
  if (!current) return;
  try {
    const live = (await api("/live/calls")).find((c) => c.linkedid === current.linkedid);
    if (!live) { if (current.state === "ringing") current = null; else current.state = "ended"; }
    else { current.caller_number = current.caller_number || live.caller_number; current.state = live.state === "talking" ? "talking" : current.state; }
    renderCall();
  } catch { /* keep the view; the next event corrects it */ }
}

function message(kind, text) {
  const m = $("#form-msg");
  m.className = `banner ${kind}`;
  m.textContent = text;
  m.hidden = false;
}

async function submit() {
  if (submitted) return;
  const f = form().elements;
  const v = (n) => (f.namedItem(n)?.value || "").trim();
  const content = v("content");
  const body = {
    title: v("title") || content.slice(0, 30), content, appeal_type: v("appeal_type"),
    category_code: v("category"), address: v("address"), district: v("district"), town: v("town"),
    appellant: { name: v("name"), phone: v("phone") },
  };
  if (current) body.call_id = current.linkedid;
  if (!body.content) { message("error", "请填写诉求内容"); f.namedItem("content").focus(); return; }
  const key = current ? `desk-${current.linkedid}` : `desk-${crypto.randomUUID()}`;
  $("#submit").disabled = true;
  try {
    const order = await api("/work-orders", { method: "POST", body, headers: { "Idempotency-Key": key } });
    const lead = f.namedItem("lead_unit") ? v("lead_unit") : "";
    let text = `已创建工单 ${order.number}`;
    if (lead) {
      await api(`/work-orders/${order.id}/dispatch`, { method: "POST", body: { lead_unit: lead } });
      text += `，已派至 ${lead}`;
    }
    submitted = true;
    message("ok", text);
    if (current?.caller_number) loadHistory(current.caller_number);
  } catch (e) {
    message("error", `提交失败：${e.message}`);
    $("#submit").disabled = false;
  }
}

async function main() {
  const s = await requireLogin(["agent", "supervisor", "admin"], "坐席工作台");
  $("#iface").value = localStorage.getItem(IFACE_KEY) || "";
  $("#iface").addEventListener("change", () => localStorage.setItem(IFACE_KEY, myInterface()));
  form().addEventListener("input", lockOnEdit);
  $("#submit").addEventListener("click", submit);
  $("#reset").addEventListener("click", resetCallView);
  try {
    categories = await api("/categories");
    const sel = control("category");
    for (const c of categories) sel.append(el("option", { value: c.code }, c.name));
  } catch { /* categories unavailable: the select stays empty */ }
  try { statusLabels = (await api("/labels")).status; } catch { /* raw status codes then */ }
  const live = new Live({ onEvent, onResync, onStatus: setConn });
  showUser(s, live);
  setInterval(renderWait, 1000);
  document.body.dataset.ready = "true";
}

main();
