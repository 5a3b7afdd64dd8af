// The gateway's REST API and WebSocket feeds, as the pages use them: one
// token per role (kept in localStorage), JSON errors as ApiError, feeds that
// reconnect by themselves. See docs/protocol.md.

const tokenKey = (role) => `foodiefast.token.${role}`;

/** A refused request: the server's stable `code` and its message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

/** The saved session of `role`, or null once expired. */
export function session(role) {
  try {
    const saved = JSON.parse(localStorage.getItem(tokenKey(role)) || "null");
    if (saved && saved.expires_at * 1000 > Date.now() + 30_000) return saved;
  } catch { /* an unreadable entry is no session */ }
  return null;
}

export function saveSession(role, auth) {
  localStorage.setItem(tokenKey(role), JSON.stringify(auth));
}

export function forget(role) {
  localStorage.removeItem(tokenKey(role));
}

/** Calls the REST API as `role` (or anonymously when role is null). */
export async function api(role, method, path, body, headers = {}) {
  const auth = role && session(role);
  const init = { method, headers: { ...headers } };
  if (auth) init.headers.Authorization = `Bearer ${auth.token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "offline", "The server cannot be reached; check the connection and retry.");
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    if (response.status === 401 && role) forget(role);
    throw new ApiError(response.status, data?.code || "http_" + response.status,
      data?.message || `The server answered ${response.status}.`);
  }
  return data;
}

/** Signs up (when `name` is given) or logs in; keeps the token for `role`. */
export async function authenticate(role, { email, password, name }) {
  const auth = name
    ? await api(null, "POST", "/auth/signup", { email, password, name, role })
    : await api(null, "POST", "/auth/login", { email, password });
  if (auth.account.role !== role) {
    throw new ApiError(403, "forbidden", `This is a ${auth.account.role} account, not a ${role} account.`);
  }
  saveSession(role, auth);
  return auth;
}

/**
 * A WebSocket feed that reconnects with back-off. `url()` builds the URL
 * for each attempt (so a tracker can resume with its last event id);
 * `onMessage` gets each parsed message, `onState` "open"/"closed"/"ended".
 */
export function feed(role, url, { onMessage, onState = () => {} }) {
  let socket = null;
  let stopped = false;
  let delay = 500;
  let pinger = null;
  const connect = () => {
    const auth = session(role);
    if (!auth || stopped) { onState("ended"); return; }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const path = url();
    const sep = path.includes("?") ? "&" : "?";
    socket = new WebSocket(`${scheme}//${location.host}${path}${sep}token=${encodeURIComponent(auth.token)}`);
    socket.onopen = () => {
      delay = 500;
      onState("open");
      pinger = setInterval(() => send({ type: "ping" }), 15_000);
    };
    socket.onmessage = (event) => {
      try { onMessage(JSON.parse(event.data)); } catch (err) { console.error("bad message", err); }
    };
    socket.onclose = (event) => {
      clearInterval(pinger);
      // 1000: the tracked order finished; nothing more will come.
      if (stopped || event.code === 1000) { onState("ended"); return; }
      onState("closed");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  const send = (message) => {
    if (socket?.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ v: 1, ...message }));
      return true;
    }
    return false;
  };
  connect();
  return { send, close() { stopped = true; socket?.close(); } };
}

/** A fresh idempotency key for one placement. */
export function idempotencyKey() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
