// The chef's tablet: the kitchen's live order board (`/ws/chef`). A new
// order flashes and chimes until it is answered; the chef accepts it with a
// preparation time or rejects it, marks it ready, and sees when the courier
// is due. The feed has no replay, so the tablet remembers its open orders
// and re-reads them whenever the feed (re)connects.

import { api, feed } from "./api.js";
import { logOutButton, signIn } from "./auth.js";
import { clock, esc, fromNow, money, statusLabel } from "./format.js";
import { createMap, dot } from "./map.js";

const ROLE = "chef";
const $ = (id) => document.getElementById(id);
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DONE = new Set(["picked_up", "delivered", "rejected", "cancelled"]);
const openKey = "foodiefast.chef.open-orders";

const orders = new Map();
let kitchen = null;
let menu = [];
let audio = null;
let chime = null;

signIn($("auth"), ROLE, start, { title: "Kitchen tablet" });

async function start(account) {
  logOutButton($("account"), ROLE, account);
  try {
    kitchen = await api(ROLE, "GET", "/kitchens/mine");
  } catch (err) {
    if (err.status !== 404) throw err;
  }
  $("edit").addEventListener("click", () => { $("setup").hidden = !$("setup").hidden; $("menu").hidden = $("setup").hidden; });
  $("sound").addEventListener("click", enableSound);
  $("item-form").addEventListener("submit", addDish);
  await setupForm();
  if (kitchen) openBoard(); else { $("setup").hidden = false; }
}

async function setupForm() {
  const form = $("kitchen-form");
  const { map, centre } = await createMap($("kitchen-map"));
  let position = kitchen?.position || centre;
  const marker = dot(position, { kind: "kitchen", label: "K" }).addTo(map);
  map.setView([position.lat, position.lng], 15);
  map.on("click", (e) => {
    position = { lat: +e.latlng.lat.toFixed(6), lng: +e.latlng.lng.toFixed(6) };
    marker.setLatLng(e.latlng);
  });
  if (kitchen) {
    form.name.value = kitchen.name;
    form.prep_minutes.value = kitchen.prep_minutes;
    form.accepting.checked = kitchen.accepting;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".error");
    error.hidden = true;
    const body = {
      name: form.name.value.trim(),
      position,
      prep_minutes: Number(form.prep_minutes.value),
      accepting: form.accepting.checked,
      hours: kitchen?.hours?.length ? kitchen.hours : DAYS.map((day) => ({ day, opens: "00:00", closes: "24:00" })),
    };
    try {
      const first = !kitchen;
      kitchen = await api(ROLE, "PUT", "/kitchens/mine", body);
      $("kitchen-name").textContent = kitchen.name;
      if (first) openBoard();
      $("setup").hidden = true;
      $("menu").hidden = false;
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });
}

async function loadMenu() {
  try { menu = await api(ROLE, "GET", `/kitchens/${kitchen.id}/menu`); } catch { return; }
  const list = $("menu-list");
  list.innerHTML = menu.length ? "" : `<li class="muted">No dishes yet: add the first below.</li>`;
  for (const item of menu) {
    const li = document.createElement("li");
    li.className = "row";
    li.innerHTML = `<span class="grow">${esc(item.name)} · ${money(item.price_minor, item.currency)}</span>
      <label class="row" style="margin:0"><input type="checkbox" ${item.available ? "checked" : ""} style="width:auto"> available</label>`;
    li.querySelector("input").addEventListener("change", async (e) => {
      try {
        await api(ROLE, "PUT", `/kitchens/mine/menu/${item.id}`, {
          name: item.name, price_minor: item.price_minor, currency: item.currency,
          available: e.target.checked, prep_minutes: item.prep_minutes,
        });
        item.available = e.target.checked;
      } catch (err) { e.target.checked = item.available; showMenuError(err); }
    });
    list.appendChild(li);
  }
}

async function addDish(event) {
  event.preventDefault();
  const form = event.target;
  try {
    await api(ROLE, "POST", "/kitchens/mine/menu", {
      name: form.name.value.trim(),
      price_minor: Math.round(Number(form.price.value) * 100),
      currency: "EUR",
      available: true,
      prep_minutes: Number(form.prep_minutes.value) || 10,
    });
    form.reset();
    $("menu-error").hidden = true;
    loadMenu();
  } catch (err) { showMenuError(err); }
}

function showMenuError(err) {
  $("menu-error").textContent = err.message;
  $("menu-error").hidden = false;
}

function openBoard() {
  $("board").hidden = false;
  $("kitchen-name").textContent = kitchen.name;
  if (!menu.length) { $("menu").hidden = false; }
  loadMenu();
  feed(ROLE, () => "/ws/chef", {
    onMessage,
    onState: (s) => {
      $("connection").textContent = s === "open" ? "live" : "reconnecting…";
      if (s === "open") rereadOpenOrders();
    },
  });
}

/** The feed has no replay: after a (re)connection, read the open orders again. */
async function rereadOpenOrders() {
  const ids = JSON.parse(localStorage.getItem(openKey) || "[]");
  for (const id of ids) {
    try {
      const o = await api(ROLE, "GET", `/orders/${id}`);
      update(id, { status: o.status, total_minor: o.total_minor, ready_at: o.ready_at, pickup_eta: o.pickup_eta, at: o.placed_at });
    } catch { orders.delete(id); }
  }
  remember();
}

function remember() {
  const open = [...orders.values()].filter((o) => !DONE.has(o.status)).map((o) => o.id);
  localStorage.setItem(openKey, JSON.stringify(open));
}

function onMessage(m) {
  if (m.type === "status") {
    const patch = { status: m.status ?? orders.get(m.order_id)?.status };
    if (m.event === "placed") Object.assign(patch, { lines: m.lines, total_minor: m.total_minor, at: m.at });
    if (m.ready_at) patch.ready_at = m.ready_at;
    if (m.event === "courier_assigned") patch.pickup_eta = m.pickup_eta;
    if (m.event === "courier_unassigned") patch.pickup_eta = null;
    if (m.event === "cancelled") patch.note = "Cancelled by the customer";
    update(m.order_id, patch);
  } else if (m.type === "courier" && m.eta) {
    update(m.order_id, { courier_eta: m.eta });
  }
}

function update(id, patch) {
  const order = { id, lines: [], ...orders.get(id), ...patch };
  orders.set(id, order);
  remember();
  render(order);
  alertIfWaiting();
}

function render(order) {
  $("no-orders")?.remove();
  let li = document.querySelector(`[data-order="${order.id}"]`);
  if (!li) {
    li = document.createElement("li");
    li.dataset.order = order.id;
    li.className = "order-card";
    $("orders").prepend(li);
  }
  const waiting = order.status === "sent_to_chef";
  li.classList.toggle("new", waiting);
  const lines = order.lines.map((l) => {
    const item = menu.find((m) => String(m.id) === String(l.item_id));
    return `<li>${l.quantity} × ${esc(item ? item.name : `dish ${l.item_id}`)}</li>`;
  }).join("");
  const courier = order.courier_eta || order.pickup_eta;
  li.innerHTML = `
    <div class="row"><strong class="grow">Order #${order.id}</strong><span class="pill">${statusLabel(order.status)}</span></div>
    <ul>${lines}</ul>
    ${order.total_minor ? `<p class="muted">${money(order.total_minor)}${order.at ? ` · placed ${clock(order.at)}` : ""}</p>` : ""}
    ${order.ready_at && !DONE.has(order.status) ? `<p>Ready by ${clock(order.ready_at)}</p>` : ""}
    ${courier && !DONE.has(order.status) ? `<p data-testid="courier-eta">Courier due ${fromNow(courier)} (${clock(courier)})</p>` : ""}
    ${order.note ? `<p class="error">${esc(order.note)}</p>` : ""}
    <div class="row actions"></div>
    <p class="error" role="alert" hidden></p>`;
  const actions = li.querySelector(".actions");
  if (waiting) {
    actions.innerHTML = `
      <label class="row" style="margin:0">Ready in <input type="number" min="1" max="240" value="${kitchen.prep_minutes}" style="width:5rem"> min</label>
      <button type="button" class="ok" data-act="accept">Accept</button>
      <button type="button" class="bad" data-act="reject">Reject</button>`;
  } else if (order.status === "accepted" || order.status === "preparing") {
    actions.innerHTML = `<button type="button" class="ok" data-act="ready">Mark ready</button>`;
  }
  actions.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => act(order, b.dataset.act, li)));
}

async function act(order, action, li) {
  const error = li.querySelector(".error");
  let body;
  if (action === "accept") body = { prep_minutes: Number(li.querySelector("input").value) };
  if (action === "reject") {
    const note = prompt("Why can't you take this order? (the customer sees this)", "Sorry, we are too busy right now");
    if (note === null) return;
    body = { note: note.slice(0, 500) };
  }
  li.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    const o = await api(ROLE, "POST", `/orders/${order.id}/${action}`, body ?? {});
    update(order.id, { status: o.status, ready_at: o.ready_at, pickup_eta: o.pickup_eta });
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
    li.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

function alertIfWaiting() {
  const waiting = [...orders.values()].filter((o) => o.status === "sent_to_chef").length;
  $("alert").hidden = waiting === 0;
  $("alert").textContent = waiting === 1 ? "New order! Accept or reject it." : `${waiting} new orders waiting for an answer!`;
  document.title = waiting ? `(${waiting}) New order · FoodieFast` : "FoodieFast: kitchen";
  if (waiting && !chime) { beep(); chime = setInterval(beep, 2500); }
  if (!waiting && chime) { clearInterval(chime); chime = null; }
}

/** Browsers start sound only after a tap: this button is that tap. */
function enableSound() {
  audio ??= new AudioContext();
  audio.resume();
  $("sound").textContent = "Sound on";
  $("sound").disabled = true;
  beep();
}

function beep() {
  if (!audio || audio.state !== "running") return;
  const now = audio.currentTime;
  for (const [offset, freq] of [[0, 880], [0.18, 1320]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.3, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.001, now + offset + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.17);
  }
  if (navigator.vibrate) navigator.vibrate(200);
}
