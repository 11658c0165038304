// 监控大屏: today's call KPIs (from the stored event log) + live queues/agents (live state),
// refreshed on /ws events; data-gap banner; targets coloured.
import { $, el, api, requireLogin, showUser, Live, setConn, fmtDuration, fmtPct, fmtTime } from "./common.js";

const STATES = [
  ["available", "空闲"], ["ringing", "振铃"], ["on_call", "通话中"], ["wrapup", "话后整理"],
  ["paused", "示忙"], ["unavailable", "不可用"], ["logged_out", "未签入"],
];
const STATE_LABEL = Object.fromEntries(STATES);
const params = new URLSearchParams(location.search);
let live = null;
let fetchedAt = Date.now();
let kpis = null;

function period() {
  // ?date=YYYY-MM-DD (Asia/Shanghai) for a past day; default today.
  const day = params.get("date") || new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  const from = new Date(`${day}T00:00:00+08:00`);
  const to = new Date(from.getTime() + 86400000);
  return { day, from: from.toISOString(), to: to.toISOString(), interval: params.get("interval") || "hour" };
}

function tile(id, text, target) {
  const t = $(`#${id}`);
  $(".value", t).textContent = text;
  if (target === undefined) delete t.dataset.target; else t.dataset.target = target ? "met" : "missed";
}

function rateSub(r) { return r && r.denominator ? `${r.numerator} / ${r.denominator}` : "暂无数据"; }

function renderKpis() {
  if (!kpis) return;
  const t = kpis.total;
  const ar = t.answer_rate, sl = t.service_level, ab = t.abandon_rate;
  tile("t-answer", fmtPct(ar.value), ar.value === null ? undefined : ar.value >= 0.95);
  $("#t-answer .sub").textContent = `目标 ≥ 95% · ${rateSub(ar)}`;
  tile("t-sl", fmtPct(sl.value), sl.value === null ? undefined : sl.value >= 0.8);
  $("#t-sl .sub").textContent = `目标 ≥ 80% · ${rateSub(sl)}`;
  tile("t-abandon", fmtPct(ab.value), ab.value === null ? undefined : ab.value <= 0.05);
  $("#t-abandon .sub").textContent = `目标 ≤ 5% · ${rateSub(ab)}`;
  tile("t-asa", t.asa.mean === null ? "—" : fmtDuration(t.asa.mean));
  $("#t-asa .sub").textContent = `${t.asa.count} 通已接来电`;
  renderChart(kpis.intervals);
  renderGap();
  renderQueues();
}

function renderGap() {
  const gaps = [...(kpis?.gaps || [])];
  const g = live?.gap;
  if (g && !gaps.some((x) => x.start === g.start)) gaps.push(g);
  const banner = $("#gap");
  banner.hidden = gaps.length === 0;
  banner.textContent = gaps.map((x) =>
    `数据缺口：${fmtTime(x.start)} 至 ${fmtTime(x.end)}（${x.reason || "采集中断"}），已补录 ${x.calls_reconciled} 通来电，期间指标可能不完整`).join("；");
}

function renderChart(intervals) {
  const box = $("#chart");
  if (!intervals.length) { box.replaceChildren(el("p", { class: "muted" }, "今日暂无来电")); return; }
  const W = 640, H = 220, L = 34, B = 24, T = 12, R = 44;
  const max = Math.max(1, ...intervals.map((i) => i.kpis.queued));
  const bw = (W - L - R) / intervals.length;
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const ns = "http://www.w3.org/2000/svg";
  const s = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "分时段进队与接通数量、接通率" });
  svg.append(s("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#3a4d6b" }));
  svg.append(s("text", { x: 2, y: T + 8 }, String(max)), s("text", { x: 2, y: H - B }, "0"));
  svg.append(s("text", { x: W - R + 4, y: T + 8 }, "100%"));
  const pts = [];
  intervals.forEach((it, i) => {
    const x = L + i * bw;
    const k = it.kpis;
    const wide = Math.min(bw * 0.7, 56), narrow = wide * 0.55; // bars stay bars with few intervals
    const q = s("rect", { x: x + (bw - wide) / 2, y: y(k.queued), width: wide, height: H - B - y(k.queued), fill: "#2f4b73" });
    svg.append(q);
    svg.append(s("rect", { x: x + (bw - narrow) / 2, y: y(k.answered), width: narrow, height: H - B - y(k.answered), fill: "#5aa9ff" }));
    const label = new Date(it.start).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
    svg.append(s("text", { x: x + bw / 2, y: H - 6, "text-anchor": "middle" }, label));
    const v = k.answer_rate.value;
    if (v !== null) pts.push([x + bw / 2, T + (H - T - B) * (1 - v)]);
    q.append(s("title", {}, `${label} 进队 ${k.queued}，接通 ${k.answered}，接通率 ${fmtPct(v)}`));
  });
  if (pts.length) {
    svg.append(s("polyline", { points: pts.map((p) => p.join(",")).join(" "), fill: "none", stroke: "#5fd38d", "stroke-width": 2 }));
    for (const [px, py] of pts) svg.append(s("circle", { cx: px, cy: py, r: 3, fill: "#5fd38d" }));
  }
  const legend = el("p", { class: "muted", style: "margin:6px 0 0;font-size:.8rem" },
    "深蓝：进队　浅蓝：接通　绿线：接通率（右轴）");
  box.replaceChildren(svg, legend);
}

function renderLive() {
  if (!live) return;
  const sum = live.summary;
  tile("t-waiting", String(sum.waiting_count));
  $("#t-waiting .sub").textContent = `${sum.calls_in_progress} 通进行中`;
  tile("t-longest", fmtDuration(sum.longest_wait_s), sum.longest_wait_s <= 15);
  $("#states").replaceChildren(...STATES.map(([k, label]) =>
    el("div", { "data-state": k }, el("b", {}, String(sum.agents_by_state[k] || 0)), el("span", { class: "dot " + k }), label)));
  const now = Date.parse(live.as_of) + (Date.now() - fetchedAt);
  const rows = live.agents.map((a) => el("tr", { "data-interface": a.interface },
    el("td", {}, a.member_name || a.interface),
    el("td", {}, el("span", { class: "dot " + a.state }), STATE_LABEL[a.state] || a.state),
    el("td", {}, a.paused_reason || ""),
    el("td", {}, a.since ? fmtDuration((now - Date.parse(a.since)) / 1000) : "—")));
  $("#agents").replaceChildren(...(rows.length ? rows : [emptyRow(4, "暂无坐席签入记录")]));
  renderQueues();
  renderGap();
}

function emptyRow(cols, text) {
  return el("tr", {}, el("td", { colspan: cols, class: "muted" }, text));
}

function renderQueues() {
  if (!live) return;
  if (!live.queues.length) { $("#queues").replaceChildren(emptyRow(7, "暂无队列数据")); return; }
  $("#queues").replaceChildren(...live.queues.map((q) => {
    const k = kpis?.by_queue?.[q.queue];
    return el("tr", {},
      el("th", { scope: "row" }, q.queue), el("td", {}, String(q.waiting_count)),
      el("td", {}, fmtDuration(q.longest_wait_s)), el("td", {}, String(q.counts.available)),
      el("td", {}, String(q.counts.on_call)), el("td", {}, k ? fmtPct(k.answer_rate.value) : "—"),
      el("td", {}, k ? fmtPct(k.service_level.value) : "—"));
  }));
}

async function loadLive() {
  live = await api("/live/summary");
  fetchedAt = Date.now();
  renderLive();
}

async function loadKpis() {
  const p = period();
  $("#period").textContent = `统计日 ${p.day}`;
  kpis = await api(`/kpi/calls?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}&interval=${p.interval}`);
  renderKpis();
}

function debounce(fn, ms) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

async function main() {
  const s = await requireLogin(["supervisor", "admin"], "监控大屏");
  const liveSoon = debounce(() => loadLive().catch(() => {}), 300);
  const kpisSoon = debounce(() => loadKpis().catch(() => {}), 2000);
  const ws = new Live({
    onEvent: (topic) => {
      if (topic.startsWith("call.") || topic.startsWith("agent.")) liveSoon();
      if (["call.completed", "call.abandoned", "call.exited_queue", "call.data_gap"].includes(topic)) kpisSoon();
    },
    onResync: () => { liveSoon(); kpisSoon(); },
    onStatus: setConn,
  });
  showUser(s, ws);
  await Promise.all([loadLive(), loadKpis()]);
  setInterval(renderLive, 1000);
  setInterval(() => loadKpis().catch(() => {}), 60000);
  document.body.dataset.ready = "true";
}

main();
