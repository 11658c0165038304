// Shared by the pages: login (token in sessionStorage), API calls, the /ws connection.
const TOKEN_KEY = "hotline.token";
const USER_KEY = "hotline.user";
export const API = "/api/v1";

export const ROLE_LABELS = {
  agent: "话务员", dispatcher: "派单员", supervisor: "值班长", trainer: "质检员",
  unit_user: "承办单位", admin: "管理员",
};

export function $(sel, root = document) { return root.querySelector(sel); }

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function session() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const user = JSON.parse(sessionStorage.getItem(USER_KEY) || "null");
  return token && user ? { token, user } : null;
}

export function logout(ws) {
  if (ws) ws.logout();
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  location.reload();
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `请求失败（${status}）`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, { method = "GET", body, headers = {}, raw = false } = {}) {
  const s = session();
  const h = { ...headers };
  if (s) h.Authorization = `Bearer ${s.token}`;
  if (body !== undefined) h["Content-Type"] = "application/json";
  const r = await fetch(API + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 401) { logout(); throw new ApiError(401, null); }
  if (raw) return r;
  const data = r.headers.get("content-type")?.includes("json") ? await r.json() : null;
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

/** Show the login form until the user is signed in with one of `roles`; resolve the session. */
export function requireLogin(roles, title) {
  const s = session();
  if (s && roles.includes(s.user.role)) return Promise.resolve(s);
  const app = $("#app");
  if (!$("#login")) app.insertAdjacentHTML("beforebegin", LOGIN_HTML); // one form for every page
  const box = $("#login");
  app.hidden = true;
  box.hidden = false;
  $("h2", box).textContent = `${title} · 登录`;
  const form = $("form", box);
  const err = $(".banner", box);
  return new Promise((resolve) => {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      const fd = new FormData(form);
      try {
        const r = await fetch(`${API}/auth/login`, {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ username: fd.get("username"), password: fd.get("password") }),
        });
        const data = await r.json();
        if (!r.ok) throw new Error(data.message || "登录失败");
        if (!roles.includes(data.role)) throw new Error(`该页面需要以下角色：${roles.map((x) => ROLE_LABELS[x]).join("、")}`);
        sessionStorage.setItem(TOKEN_KEY, data.access_token);
        sessionStorage.setItem(USER_KEY, JSON.stringify({ username: data.username, role: data.role }));
        box.hidden = true;
        app.hidden = false;
        resolve(session());
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  });
}

export function showUser(s, ws) {
  $("#who").textContent = `${s.user.username}（${ROLE_LABELS[s.user.role] || s.user.role}）`;
  $("#logout").addEventListener("click", () => logout(ws));
}

/**
 * The /ws connection: authenticates with the first frame, reconnects with backoff, and calls
 * `onResync` after a reconnect or a {"type":"resync"} frame so the page refetches its state.
 */
export class Live {
  constructor({ onEvent, onResync, onStatus }) {
    this.onEvent = onEvent;
    this.onResync = onResync;
    this.onStatus = onStatus || (() => {});
    this.delay = 500;
    this.closedByUs = false;
    this.connect();
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/ws`);
    this.ws = ws;
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "auth", token: session()?.token })));
    ws.addEventListener("message", (m) => {
      const frame = JSON.parse(m.data);
      if (frame.type === "hello") { this.delay = 500; this.onStatus("open"); this.onResync("connected"); }
      else if (frame.type === "event") this.onEvent(frame.topic, frame.payload);
      else if (frame.type === "resync") this.onResync(frame.reason);
      else if (frame.type === "expired") { this.closedByUs = true; logout(); }
      else if (frame.type === "error") { this.closedByUs = true; this.onStatus("closed", frame.message); }
    });
    ws.addEventListener("close", () => {
      this.onStatus("closed");
      if (this.closedByUs) return;
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 15000);
    });
  }

  logout() {
    this.closedByUs = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "logout" }));
  }
}

export function setConn(state, text) {
  const c = $("#conn");
  c.dataset.state = state;
  c.textContent = text || (state === "open" ? "实时连接正常" : "实时连接中断，正在重连…");
}

export function fmtDuration(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return "—";
  s = Math.max(0, Math.round(s));
  const m = Math.floor(s / 60);
  return m ? `${m}分${String(s % 60).padStart(2, "0")}秒` : `${s}秒`;
}

export function fmtPct(v) { return v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`; }

export function fmtTime(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

export function fmtMs(ms) {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}.${String(Math.floor((ms % 1000) / 100))}`;
}

export const LOGIN_HTML = `
<section id="login" class="panel login" hidden aria-labelledby="login-title">
  <h2 id="login-title">登录</h2>
  <div class="banner error" role="alert" hidden></div>
  <form>
    <div><label for="username">用户名</label><input id="username" name="username" autocomplete="username" required></div>
    <div><label for="password">密码</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
    <button class="primary" type="submit">登录</button>
  </form>
</section>`;
