// 录音转写质检: search transcripts, open a call (timeline + transcript by speaker, raw beside
// ITN), score it.
import { $, el, api, requireLogin, showUser, fmtMs, fmtTime } from "./common.js";

const SPEAKERS = { caller: "来电人", agent: "坐席", voicemail: "留言" };
const EVENTS = {
  CallOffered: "呼入", IvrEntered: "进入语音导航", IvrLeft: "离开语音导航", CallQueued: "进入队列",
  AgentRinging: "坐席振铃", AgentRingNoAnswer: "坐席未接", CallAnswered: "接通", CallAbandoned: "排队放弃",
  CallExitedQueue: "离开队列", CallDiverted: "分流", CallCompleted: "通话结束", CallEnded: "挂机",
  CallTransferred: "转接", VoicemailLeft: "留言",
};
let currentCall = null;
let scoreItems = {};

function highlight(text, q) {
  const i = text.indexOf(q);
  if (!q || i < 0) return [text];
  return [text.slice(0, i), el("mark", {}, q), text.slice(i + q.length)];
}

async function search(ev) {
  ev.preventDefault();
  const q = $("#q").value.trim();
  if (!q) return;
  $("#search-status").textContent = "搜索中…";
  try {
    const hits = await api(`/transcripts/search?q=${encodeURIComponent(q)}`);
    $("#search-status").textContent = hits.length ? `找到 ${hits.length} 通电话` : "没有找到包含该关键词的转写";
    $("#results").replaceChildren(...hits.map((h) => el("li", {},
      el("button", { type: "button", "data-call": h.call_id, onclick: () => openCall(h.call_id) },
        el("b", {}, h.call_id), el("br"),
        ...h.matches.map((m) => el("span", { class: "muted", style: "display:block;font-size:.88rem" },
          `${SPEAKERS[m.speaker] || m.speaker}：`, ...highlight(m.text_normalised || m.text, q)))))));
  } catch (e) {
    $("#search-status").textContent = `搜索失败：${e.message}`;
  }
}

function renderScores(scores) {
  $("#scores").replaceChildren(...(scores.length ? scores.map((s) => el("li", {},
    el("b", {}, `${s.total} 分`), ` · ${s.reviewer} · ${fmtTime(s.created_at)}`,
    s.comment ? el("div", { class: "muted" }, s.comment) : "")) : [el("li", { class: "empty" }, "尚无评分")]));
}

function buildScoreForm(items) {
  scoreItems = items;
  $("#score-items").replaceChildren(...Object.entries(items).map(([k, it]) => el("div", {},
    el("label", { for: `s-${k}` }, `${it.label}（0–${it.max}）`),
    el("input", { id: `s-${k}`, name: k, type: "number", min: 0, max: it.max, step: 1, value: it.max, required: true }))));
  updateTotal();
}

function updateTotal() {
  const f = $("#score").elements;
  $("#score-total").textContent = String(Object.keys(scoreItems).reduce((a, k) => a + (Number(f.namedItem(k).value) || 0), 0));
}

async function openCall(callId) {
  for (const b of document.querySelectorAll("#results button")) b.setAttribute("aria-current", String(b.dataset.call === callId));
  const data = await api(`/transcripts/${encodeURIComponent(callId)}`);
  currentCall = callId;
  $("#call-empty").hidden = true;
  $("#call").hidden = false;
  $("#score-msg").hidden = true;
  $("#c-id").textContent = `通话 ${data.call_id}`;
  $("#c-caller").textContent = data.caller_number ? `来电号码 ${data.caller_number}` : "";
  $("#timeline").replaceChildren(...(data.timeline.length ? data.timeline.map((t) => el("li", {},
    `${new Date(t.at).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false })} ${EVENTS[t.event] || t.event}`,
    t.wait_s !== undefined ? `（等待 ${t.wait_s} 秒）` : "", t.talk_s !== undefined ? `（通话 ${t.talk_s} 秒）` : ""))
    : [el("li", {}, "无通话事件记录")]));
  $("#segments").replaceChildren(...data.segments.map((s) => el("tr", { "data-speaker": s.speaker },
    el("td", {}, `${fmtMs(s.start_ms)}–${fmtMs(s.end_ms)}`),
    el("td", {}, SPEAKERS[s.speaker] || s.speaker),
    el("td", {}, s.gap ? "（识别中断）" : s.text),
    el("td", {}, s.text_normalised && s.text_normalised !== s.text ? s.text_normalised : el("span", { class: "muted" }, "同左")),
    el("td", {}, s.gap ? "—" : `${Math.round(s.confidence * 100)}%`))));
  buildScoreForm(data.score_items);
  $("#comment").value = "";
  renderScores(data.scores);
}

async function saveScore(ev) {
  ev.preventDefault();
  const f = $("#score").elements;
  const items = Object.fromEntries(Object.keys(scoreItems).map((k) => [k, Number(f.namedItem(k).value)]));
  const msg = $("#score-msg");
  try {
    const saved = await api(`/transcripts/${encodeURIComponent(currentCall)}/scores`, { method: "POST", body: { items, comment: $("#comment").value } });
    msg.className = "banner ok";
    msg.textContent = `已保存：${saved.total} 分`;
    const data = await api(`/transcripts/${encodeURIComponent(currentCall)}`);
    renderScores(data.scores);
  } catch (e) {
    msg.className = "banner error";
    msg.textContent = `保存失败：${e.message}`;
  }
  msg.hidden = false;
}

async function main() {
  const s = await requireLogin(["trainer", "supervisor", "admin"], "录音转写质检");
  showUser(s, null);
  $("#search").addEventListener("submit", search);
  $("#score").addEventListener("submit", saveScore);
  $("#score").addEventListener("input", updateTotal);
  const q = new URLSearchParams(location.search).get("call");
  if (q) openCall(q).catch(() => {});
  document.body.dataset.ready = "true";
}

main();
