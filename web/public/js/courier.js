// The courier's app: go online, share the position (the phone's GPS, or a
// simulated ride along straight lines when there is none), answer offers
// before their countdown ends, then the trip: at the kitchen, picked up,
// and each delivery confirmed with the PIN the customer shows.

import { api, feed } from "./api.js";
import { logOutButton, signIn } from "./auth.js";
import { clock, esc, metresBetween, statusLabel } from "./format.js";
import { createMap, dot, fit, glide } from "./map.js";

const ROLE = "courier";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
/** A bike's pace, metres a second; `?speed=N` multiplies it (demos, tests). */
const RIDE_SPEED = 4.5 * Math.max(1, Math.min(100, Number(params.get("speed")) || 1));
const SEND_EVERY_MS = 2000;

const app = {
  status: "offline",
  position: null,
  marker: null,
  map: null,
  socket: null,
  offer: null,
  trip: { stops: [] },
  tripLayer: null,
  watch: null,
  ride: null,
  lastSent: 0,
  arrivalSent: false,
  rejoining: false,
};

signIn($("auth"), ROLE, start, { title: "Courier app" });

async function start(account) {
  logOutButton($("account"), ROLE, account);
  $("shift").hidden = false;
  const source = params.get("source") || (navigator.geolocation ? "gps" : "simulated");
  $("source").value = source;
  const { map, centre } = await createMap($("map"), { zoom: 14 });
  app.map = map;
  app.tripLayer = L.layerGroup().addTo(map);
  // Before the first fix, a simulated ride starts a little off the centre.
  app.position = JSON.parse(localStorage.getItem("foodiefast.courier.position") || "null")
    || { lat: centre.lat + 0.004, lng: centre.lng - 0.004 };
  app.marker = dot(app.position, { kind: "courier", label: "C", title: "You" }).addTo(map);
  $("online").addEventListener("click", goOnline);
  $("offline").addEventListener("click", goOffline);
  $("accept").addEventListener("click", () => answer("accept"));
  $("decline").addEventListener("click", () => answer("decline"));
  $("arrived").addEventListener("click", () => command({ type: "arrived" }));
  $("picked-up").addEventListener("click", () => command({ type: "picked_up" }));
  const now = await api(ROLE, "GET", "/couriers/me").catch(() => null);
  if (now && now.status !== "offline") connected(now.status);
  setInterval(tick, 1000);
}

async function goOnline() {
  $("shift-error").hidden = true;
  try {
    if ($("source").value === "gps") await firstFix();
    const now = await api(ROLE, "POST", "/couriers/me/online", { position: rounded(app.position) });
    connected(now.status);
  } catch (err) {
    shiftError(err.message);
  }
}

function firstFix() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error("This phone cannot share its location: choose a simulated ride.")); return; }
    navigator.geolocation.getCurrentPosition((p) => {
      moveTo({ lat: p.coords.latitude, lng: p.coords.longitude });
      resolve();
    }, () => reject(new Error("Location refused: allow it, or choose a simulated ride.")), { timeout: 15_000, enableHighAccuracy: true });
  });
}

function connected(status) {
  setStatus(status);
  $("online").hidden = true;
  $("offline").hidden = false;
  $("source").disabled = true;
  if ($("source").value === "gps" && navigator.geolocation) {
    app.watch = navigator.geolocation.watchPosition((p) => moveTo({ lat: p.coords.latitude, lng: p.coords.longitude }),
      () => {}, { enableHighAccuracy: true, maximumAge: 5000 });
  }
  app.socket?.close();
  app.socket = feed(ROLE, () => "/ws/courier", {
    onMessage,
    onState: (s) => { $("connection").textContent = s === "open" ? "live" : s === "ended" ? "" : "reconnecting…"; },
  });
}

// Goes online again where the courier is, keeping the connection: the
// server answers with the trip it kept (couriers carrying orders are
// restored with them).
async function rejoin() {
  if (app.rejoining) return;
  app.rejoining = true;
  try {
    const now = await api(ROLE, "POST", "/couriers/me/online", { position: rounded(app.position) });
    setStatus(now.status);
  } catch (err) {
    tripError(err.message);
  } finally {
    app.rejoining = false;
    loadTrip();
  }
}

async function goOffline() {
  try {
    const now = await api(ROLE, "POST", "/couriers/me/offline");
    app.socket?.close();
    app.socket = null;
    if (app.watch !== null) navigator.geolocation.clearWatch(app.watch);
    app.watch = null;
    setStatus(now.status);
    app.trip = { stops: [] };
    renderTrip();
    $("online").hidden = false;
    $("offline").hidden = true;
    $("source").disabled = false;
  } catch (err) {
    shiftError(err.message);
  }
}

function onMessage(m) {
  switch (m.type) {
    case "courier_state":
      // Still on shift here, offline there: the shift's zone moved to
      // another server without it (a failover). Go online again.
      if (m.status === "offline" && app.status !== "offline") { rejoin(); break; }
      setStatus(m.status);
      loadTrip();
      break;
    case "offer":
      app.offer = m;
      $("offer").hidden = false;
      $("offer-text").innerHTML = `${m.order_ids.length} order${m.order_ids.length > 1 ? "s" : ""} to fetch${m.pickup
        ? `, ${Math.round(metresBetween(app.position, m.pickup))} m from you` : ""}.`;
      showCountdown();
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
      break;
    case "offer_ended":
      if (app.offer?.offer_id === m.offer_id) { app.offer = null; $("offer").hidden = true; }
      break;
    case "assigned":
    case "order_cancelled":
    case "released":
      loadTrip();
      break;
    case "ack":
      setStatus(m.status);
      loadTrip();
      break;
    case "error":
      if (m.code === "not_online" && app.status !== "offline") { rejoin(); break; }
      tripError(m.message);
      break;
    default:
      break;
  }
}

function answer(choice) {
  if (!app.offer) return;
  app.socket?.send({ type: "answer", offer_id: app.offer.offer_id, answer: choice });
  $("offer").hidden = true;
}

function command(message) {
  $("trip-error").hidden = true;
  if (!app.socket?.send(message)) tripError("Not connected: try again in a moment.");
}

async function loadTrip() {
  try { app.trip = await api(ROLE, "GET", "/couriers/me/trip"); } catch { return; }
  setStatus(app.trip.status);
  renderTrip();
}

function renderTrip() {
  const stops = app.trip.stops;
  $("trip").hidden = stops.length === 0;
  const list = $("stops");
  list.innerHTML = "";
  app.tripLayer.clearLayers();
  const delivering = app.status === "delivering";
  for (const s of stops) {
    const li = document.createElement("li");
    li.dataset.order = s.order_id;
    li.innerHTML = `<div class="row"><strong class="grow">Order #${s.order_id} · ${esc(s.kitchen_name)}</strong>
      <span class="pill">${statusLabel(s.status)}</span></div>
      ${s.ready_at ? `<span class="muted">Food ready about ${clock(s.ready_at)}</span>` : ""}
      ${delivering ? `<form class="row pin-form"><input name="pin" inputmode="numeric" pattern="[0-9]{4}" maxlength="4"
        placeholder="Customer's PIN" aria-label="Delivery PIN for order ${s.order_id}" required class="grow">
        <button type="submit" class="ok">Delivered</button></form>` : ""}`;
    li.querySelector(".pin-form")?.addEventListener("submit", (e) => {
      e.preventDefault();
      command({ type: "delivered", order_id: s.order_id, pin: e.target.pin.value.trim() });
    });
    list.appendChild(li);
    if (s.pickup) dot(s.pickup, { kind: "kitchen", label: "K", title: s.kitchen_name }).addTo(app.tripLayer);
    if (s.drop_off) dot(s.drop_off, { kind: "home", label: "⌂", title: `Order #${s.order_id}` }).addTo(app.tripLayer);
  }
  $("arrived").hidden = app.status !== "heading_to_pickup";
  $("picked-up").hidden = !["heading_to_pickup", "waiting_at_restaurant"].includes(app.status);
  if (stops.length) fit(app.map, [app.position, ...stops.flatMap((s) => [s.pickup, s.drop_off])]);
}

/** Where a simulated ride heads now: the kitchen, then each drop-off. */
function target() {
  const stops = app.trip.stops;
  if (!stops.length) return null;
  if (app.status === "heading_to_pickup") return stops[0].pickup;
  if (app.status === "delivering") return stops[0].drop_off;
  return null;
}

function showCountdown() {
  if (!app.offer) return;
  const left = Math.max(0, Math.round(app.offer.deadline - Date.now() / 1000));
  $("countdown").textContent = `${left} s to answer`;
  if (left === 0) { app.offer = null; $("offer").hidden = true; }
}

function tick() {
  showCountdown();
  if (app.status === "offline") return;
  if ($("source").value === "simulated") {
    const goal = target();
    if (goal) {
      const d = metresBetween(app.position, goal);
      const f = d <= RIDE_SPEED ? 1 : RIDE_SPEED / d;
      moveTo({ lat: app.position.lat + (goal.lat - app.position.lat) * f, lng: app.position.lng + (goal.lng - app.position.lng) * f });
      // A simulated rider says it has arrived, as a rider would tap it.
      if (f === 1 && app.status === "heading_to_pickup" && !app.arrivalSent) {
        app.arrivalSent = true;
        command({ type: "arrived" });
      }
    }
  }
  if (Date.now() - app.lastSent >= SEND_EVERY_MS && app.socket?.send({ type: "position", position: rounded(app.position) })) {
    app.lastSent = Date.now();
  }
}

function moveTo(position) {
  app.position = position;
  localStorage.setItem("foodiefast.courier.position", JSON.stringify(position));
  glide(app.marker, position, 800);
  $("position").textContent = `You are at ${position.lat.toFixed(5)}, ${position.lng.toFixed(5)}`;
}

function setStatus(status) {
  if (status !== app.status) app.arrivalSent = false;
  app.status = status;
  $("status").textContent = statusLabel(status);
}

function rounded(p) {
  return { lat: +p.lat.toFixed(6), lng: +p.lng.toFixed(6) };
}

function shiftError(text) {
  $("shift-error").textContent = text;
  $("shift-error").hidden = false;
}

function tripError(text) {
  $("trip-error").textContent = text;
  $("trip-error").hidden = false;
}
