// The customer's app: where to deliver, kitchens near there, a menu and a
// cart, payment, then the order followed live: its status, the delivery
// PIN, the courier on the map with an ETA (`/ws/orders/{id}/track`).

import { api, feed, idempotencyKey } from "./api.js";
import { logOutButton, signIn } from "./auth.js";
import { clock, distance, esc, fromNow, money, statusLabel } from "./format.js";
import { createMap, dot, fit, glide } from "./map.js";
import { paymentStep } from "./payment.js";

const ROLE = "customer";
const $ = (id) => document.getElementById(id);
const FINISHED = new Set(["delivered", "rejected", "cancelled"]);
const CANCELLABLE = new Set(["placed", "payment_authorised", "sent_to_chef", "accepted", "preparing", "ready"]);

const state = {
  dropOff: JSON.parse(localStorage.getItem("foodiefast.dropoff") || "null"),
  kitchens: [],
  kitchen: null,
  menu: [],
  cart: new Map(),
  placementKey: null,
  payment: null,
  tracker: null,
};

signIn($("auth"), ROLE, start, { title: "Order food" });

async function start(account) {
  logOutButton($("account"), ROLE, account);
  $("shop").hidden = false;
  const { map, centre } = await createMap($("map"));
  state.dropOff ??= centre;
  const home = dot(state.dropOff, { kind: "home", label: "⌂", title: "Deliver here" }).addTo(map);
  map.setView([state.dropOff.lat, state.dropOff.lng], 14);
  const setDropOff = (position) => {
    state.dropOff = { lat: +position.lat.toFixed(6), lng: +position.lng.toFixed(6) };
    localStorage.setItem("foodiefast.dropoff", JSON.stringify(state.dropOff));
    home.setLatLng([state.dropOff.lat, state.dropOff.lng]);
    $("where").textContent = `${state.dropOff.lat}, ${state.dropOff.lng}`;
    loadKitchens();
  };
  map.on("click", (e) => setDropOff(e.latlng));
  $("locate").addEventListener("click", () => {
    if (!navigator.geolocation) { $("where").textContent = "This browser cannot tell your location."; return; }
    navigator.geolocation.getCurrentPosition(
      (p) => { setDropOff({ lat: p.coords.latitude, lng: p.coords.longitude }); map.setView([p.coords.latitude, p.coords.longitude]); },
      () => { $("where").textContent = "Location not available: tap the map instead."; },
      { timeout: 10_000 });
  });
  $("back").addEventListener("click", () => { $("menu").hidden = true; $("kitchens").hidden = false; });
  $("new-order").addEventListener("click", () => { stopTracking(); showShop(); });
  $("place").addEventListener("click", placeOrder);
  $("cancel").addEventListener("click", cancelOrder);
  setDropOff(state.dropOff);
  loadHistory();
  const resume = new URLSearchParams(location.search).get("order");
  if (resume) track(Number(resume));
}

function showShop() {
  $("tracking").hidden = true;
  $("shop").hidden = false;
  $("kitchens").hidden = false;
  $("menu").hidden = true;
  history.replaceState(null, "", "/customer");
  loadHistory();
}

async function loadKitchens() {
  const { lat, lng } = state.dropOff;
  const list = $("kitchen-list");
  try {
    state.kitchens = await api(ROLE, "GET", `/kitchens?lat=${lat}&lng=${lng}&radius_m=10000`);
  } catch (err) {
    list.innerHTML = `<li class="error">${esc(err.message)}</li>`;
    return;
  }
  if ($("tracking").hidden) $("kitchens").hidden = false;
  list.innerHTML = state.kitchens.length ? "" : `<li class="muted">No kitchen delivers here yet.</li>`;
  for (const k of state.kitchens) {
    const li = document.createElement("li");
    li.className = "clickable";
    li.dataset.kitchen = k.id;
    li.innerHTML = `<div class="row"><strong class="grow">${esc(k.name)}</strong>
      <span class="pill ${k.open_now ? "open" : "closed"}">${k.open_now ? "Open" : "Closed"}</span></div>
      <span class="muted">${distance(k.distance_m ?? 0)} · about ${k.prep_minutes} min to cook</span>`;
    li.addEventListener("click", () => openMenu(k));
    list.appendChild(li);
  }
}

async function openMenu(kitchen) {
  state.kitchen = kitchen;
  state.cart.clear();
  state.placementKey = null;
  $("menu-title").textContent = kitchen.name;
  $("kitchens").hidden = true;
  $("menu").hidden = false;
  const list = $("menu-list");
  list.innerHTML = `<li class="muted">Loading…</li>`;
  try {
    state.menu = await api(ROLE, "GET", `/kitchens/${kitchen.id}/menu`);
  } catch (err) {
    list.innerHTML = `<li class="error">${esc(err.message)}</li>`;
    return;
  }
  list.innerHTML = state.menu.length ? "" : `<li class="muted">This kitchen has no dishes yet.</li>`;
  for (const item of state.menu) {
    const li = document.createElement("li");
    li.innerHTML = `<div class="row"><div class="grow"><strong>${esc(item.name)}</strong><br>
      <span class="muted">${money(item.price_minor, item.currency)}${item.available ? "" : " · sold out"}</span></div>
      <button type="button" aria-label="Remove one ${esc(item.name)}" data-step="-1">−</button>
      <span class="qty" data-item="${item.id}">0</span>
      <button type="button" aria-label="Add one ${esc(item.name)}" data-step="1" ${item.available && kitchen.open_now ? "" : "disabled"}>+</button></div>`;
    li.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => changeQuantity(item, Number(b.dataset.step))));
    list.appendChild(li);
  }
  if (!kitchen.open_now) list.insertAdjacentHTML("afterbegin", `<li class="banner">This kitchen is closed now.</li>`);
  state.payment = await paymentStep($("payment"));
  renderCart();
}

function changeQuantity(item, step) {
  const now = Math.max(0, Math.min(99, (state.cart.get(item.id) || 0) + step));
  if (now) state.cart.set(item.id, now); else state.cart.delete(item.id);
  // Another cart is another placement: a fresh idempotency key.
  state.placementKey = null;
  document.querySelector(`.qty[data-item="${item.id}"]`).textContent = now;
  renderCart();
}

function renderCart() {
  const lines = [...state.cart].map(([id, qty]) => ({ item: state.menu.find((m) => m.id === id), qty }));
  $("checkout").hidden = lines.length === 0;
  $("cart").innerHTML = lines.map(({ item, qty }) =>
    `<li class="row"><span class="grow">${qty} × ${esc(item.name)}</span><span>${money(item.price_minor * qty, item.currency)}</span></li>`).join("");
  const total = lines.reduce((sum, { item, qty }) => sum + item.price_minor * qty, 0);
  $("total").textContent = `Total ${money(total, lines[0]?.item.currency)}`;
}

async function placeOrder() {
  const error = $("order-error");
  error.hidden = true;
  const button = $("place");
  button.disabled = true;
  // The key survives retries of the same cart: a retry after a lost answer
  // returns the same order instead of placing a second one.
  state.placementKey ??= idempotencyKey();
  const body = {
    kitchen_id: state.kitchen.id,
    items: [...state.cart].map(([item_id, quantity]) => ({ item_id, quantity })),
    drop_off: state.dropOff,
    ...state.payment.fields(),
  };
  try {
    const order = await api(ROLE, "POST", "/orders", body, { "Idempotency-Key": state.placementKey });
    state.cart.clear();
    state.placementKey = null;
    track(order.id, order);
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function stopTracking() {
  state.tracker?.feed.close();
  state.tracker?.map?.remove();
  state.tracker = null;
}

async function track(id, known) {
  stopTracking();
  history.replaceState(null, "", `/customer?order=${id}`);
  $("shop").hidden = true;
  $("kitchens").hidden = true;
  $("menu").hidden = true;
  $("history").hidden = true;
  $("tracking").hidden = false;
  $("track-title").textContent = `Order #${id}`;
  $("timeline").innerHTML = "";
  $("eta").textContent = "";
  $("courier-position").textContent = "";
  $("track-error").hidden = true;
  let order;
  try {
    order = known || await api(ROLE, "GET", `/orders/${id}`);
  } catch (err) {
    $("track-error").textContent = err.message;
    $("track-error").hidden = false;
    return;
  }
  const tracker = { id, order, lastEventId: 0, courier: null, map: null, feed: null };
  state.tracker = tracker;
  showOrder(order);
  const mapBox = $("track-map");
  mapBox.innerHTML = "";
  const { map } = await createMap(mapBox, { zoom: 14 });
  tracker.map = map;
  const home = JSON.parse(localStorage.getItem(`foodiefast.order.${id}.dropoff`) || "null") || state.dropOff;
  localStorage.setItem(`foodiefast.order.${id}.dropoff`, JSON.stringify(home));
  const kitchen = state.kitchens.find((k) => k.id === order.kitchen_id)
    || (await api(ROLE, "GET", `/kitchens?lat=${home.lat}&lng=${home.lng}&radius_m=50000`).catch(() => []))
      .find((k) => k.id === order.kitchen_id);
  if (kitchen?.position) dot(kitchen.position, { kind: "kitchen", label: "K", title: kitchen.name }).addTo(map);
  dot(home, { kind: "home", label: "⌂", title: "You" }).addTo(map);
  fit(map, [kitchen?.position, home]);
  tracker.feed = feed(ROLE, () => `/ws/orders/${id}/track${tracker.lastEventId ? `?last_event_id=${tracker.lastEventId}` : ""}`, {
    onMessage: (m) => onTrack(tracker, m),
    onState: (s) => {
      if (s === "ended") api(ROLE, "GET", `/orders/${id}`).then(showOrder).catch(() => {});
    },
  });
}

function onTrack(tracker, message) {
  if (state.tracker !== tracker) return;
  if (message.type === "snapshot") {
    tracker.lastEventId = message.event_id;
    tracker.order = { ...tracker.order, status: message.status, courier_assigned: message.courier_assigned };
    showOrder(tracker.order);
  } else if (message.type === "status") {
    tracker.lastEventId = message.event_id;
    const li = document.createElement("li");
    li.textContent = `${clock(message.at)} · ${eventLabel(message)}`;
    $("timeline").appendChild(li);
    if (message.status) tracker.order.status = message.status;
    if (message.pickup_eta) tracker.order.pickup_eta = message.pickup_eta;
    if (message.ready_at) tracker.order.ready_at = message.ready_at;
    if (message.event === "courier_unassigned" || FINISHED.has(message.status)) removeCourier(tracker);
    showOrder(tracker.order);
  } else if (message.type === "courier") {
    const position = message.position;
    if (!tracker.courier) {
      tracker.courier = dot(position, { kind: "courier", label: "C", title: "Your courier" }).addTo(tracker.map);
    } else {
      glide(tracker.courier, position);
    }
    $("courier-position").textContent = `Courier at ${position.lat.toFixed(5)}, ${position.lng.toFixed(5)}`;
    if (message.eta) $("eta").textContent = `Courier arrives ${fromNow(message.eta)} (${clock(message.eta)})`;
  }
}

function removeCourier(tracker) {
  tracker.courier?.remove();
  tracker.courier = null;
  $("eta").textContent = "";
}

function eventLabel(m) {
  switch (m.event) {
    case "accepted": return `Accepted: ready about ${clock(m.ready_at)}`;
    case "courier_assigned": return `A courier is on the way to the kitchen (pickup about ${clock(m.pickup_eta)})`;
    case "courier_unassigned": return "Looking for another courier";
    case "rejected": return `The kitchen could not take it${m.reason ? ` (${m.reason})` : ""}`;
    case "cancelled": return `Cancelled${m.reason ? ` (${m.reason.replaceAll("_", " ")})` : ""}`;
    default: return statusLabel(m.event);
  }
}

function showOrder(order) {
  $("track-status").textContent = statusLabel(order.status);
  const pin = order.delivery_pin || state.tracker?.order.delivery_pin;
  $("pin-box").hidden = !pin || FINISHED.has(order.status);
  $("pin").textContent = pin || "";
  $("cancel").hidden = !CANCELLABLE.has(order.status);
  if (!FINISHED.has(order.status) && !$("eta").textContent && order.ready_at) {
    $("eta").textContent = `Food ready about ${clock(order.ready_at)}`;
  }
}

async function cancelOrder() {
  const tracker = state.tracker;
  if (!tracker || !confirm("Cancel this order?")) return;
  try {
    showOrder(await api(ROLE, "POST", `/orders/${tracker.id}/cancel`));
  } catch (err) {
    $("track-error").textContent = err.message;
    $("track-error").hidden = false;
  }
}

async function loadHistory() {
  let orders = [];
  try { orders = await api(ROLE, "GET", "/orders"); } catch { return; }
  $("history").hidden = orders.length === 0 || !$("tracking").hidden;
  const list = $("history-list");
  list.innerHTML = "";
  for (const o of orders.slice(0, 10)) {
    const li = document.createElement("li");
    li.className = "clickable";
    li.innerHTML = `<div class="row"><strong class="grow">#${o.id}</strong><span>${money(o.total_minor)}</span></div>
      <span class="muted">${clock(o.placed_at)} · ${statusLabel(o.status)}</span>`;
    li.addEventListener("click", () => track(o.id));
    list.appendChild(li);
  }
}
