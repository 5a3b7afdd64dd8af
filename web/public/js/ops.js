// The operations view: every few seconds, the live map of couriers (free
// or busy) and orders (kitchen to drop-off, per zone's load), and for any
// order its dispatch decision explained: each candidate courier, its cost
// and timings, and why the chosen one won.

import { api } from "./api.js";
import { logOutButton, signIn } from "./auth.js";
import { clock, esc, statusLabel } from "./format.js";
import { createMap, dot, glide } from "./map.js";

const ROLE = "admin";
const $ = (id) => document.getElementById(id);
const REFRESH_MS = 2000;

const couriers = new Map();
let orderLayer = null;
let map = null;
let fitted = false;

signIn($("auth"), ROLE, start, { title: "Operations (admin log-in)" });

async function start(account) {
  logOutButton($("account"), ROLE, account);
  $("live").hidden = false;
  ({ map } = await createMap($("map"), { zoom: 13 }));
  orderLayer = L.layerGroup().addTo(map);
  $("close-decision").addEventListener("click", () => { $("decision").hidden = true; });
  const shown = new URLSearchParams(location.search).get("order");
  if (shown) explain(Number(shown));
  refresh();
  setInterval(refresh, REFRESH_MS);
}

async function refresh() {
  let live;
  try {
    live = await api(ROLE, "GET", "/admin/live");
  } catch (err) {
    $("updated").textContent = err.message;
    return;
  }
  $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  drawCouriers(live.couriers);
  drawOrders(live.orders);
  $("zones").innerHTML = live.zones.map((z) => `<tr><td>${esc(z.zone)}</td><td>${z.pending_orders}</td>
    <td>${z.available_couriers}</td><td>${z.open_offers}</td></tr>`).join("")
    || `<tr><td colspan="4" class="muted">No zone has had an order or a courier yet.</td></tr>`;
  const n = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
  $("totals").textContent = `${n(live.couriers.length, "courier")} online · ${n(live.orders.length, "live order")}`;
  if (!fitted && (live.couriers.length || live.orders.length)) {
    const points = [...live.couriers.map((c) => c.position), ...live.orders.map((o) => o.pickup)].filter(Boolean);
    if (points.length > 1) { map.fitBounds(points.map((p) => [p.lat, p.lng]), { padding: [30, 30], maxZoom: 15 }); fitted = true; }
  }
}

function drawCouriers(list) {
  const seen = new Set();
  for (const c of list) {
    if (!c.position) continue;
    seen.add(c.id);
    const kind = c.status === "idle" ? "idle" : "busy";
    const title = `Courier ${c.id}: ${statusLabel(c.status)}${c.order_ids.length ? ` (orders ${c.order_ids.join(", ")})` : ""}`;
    const known = couriers.get(c.id);
    if (known && known.kind === kind) {
      glide(known.marker, c.position, 1500);
      known.marker.options.title = title;
    } else {
      known?.marker.remove();
      const marker = dot(c.position, { kind, label: "C", title }).bindTooltip(title).addTo(map);
      couriers.set(c.id, { marker, kind });
    }
  }
  for (const [id, c] of couriers) if (!seen.has(id)) { c.marker.remove(); couriers.delete(id); }
}

function drawOrders(list) {
  orderLayer.clearLayers();
  const kitchens = new Map();
  for (const o of list) {
    if (o.pickup) kitchens.set(`${o.pickup.lat},${o.pickup.lng}`, o.pickup);
    if (o.drop_off) {
      dot(o.drop_off, { kind: "order", label: "", title: `Order ${o.id}` })
        .bindTooltip(`Order ${o.id}: ${statusLabel(o.status)}`)
        .on("click", () => explain(o.id)).addTo(orderLayer);
      if (o.pickup) L.polyline([[o.pickup.lat, o.pickup.lng], [o.drop_off.lat, o.drop_off.lng]],
        { color: o.courier_id ? "#7b3fe4" : "#d98e04", weight: 2, dashArray: o.courier_id ? null : "4 6" }).addTo(orderLayer);
    }
  }
  for (const k of kitchens.values()) dot(k, { kind: "kitchen", label: "K" }).addTo(orderLayer);
  $("orders").innerHTML = list.slice(0, 100).map((o) => `<tr><td>#${o.id}</td><td>${statusLabel(o.status)}</td>
    <td>${o.kitchen_id}</td><td>${o.courier_id ?? "–"}</td>
    <td><button type="button" class="link" data-explain="${o.id}">Why this courier?</button></td></tr>`).join("")
    || `<tr><td colspan="5" class="muted">No live orders.</td></tr>`;
  $("orders").querySelectorAll("[data-explain]").forEach((b) => b.addEventListener("click", () => explain(Number(b.dataset.explain))));
}

async function explain(id) {
  $("decision").hidden = false;
  $("decision-title").textContent = `Order #${id}: dispatch decision`;
  const body = $("decision-body");
  body.innerHTML = `<p class="muted">Loading…</p>`;
  let d;
  try {
    d = await api(ROLE, "GET", `/admin/orders/${id}/dispatch`);
  } catch (err) {
    body.innerHTML = `<p class="muted">${err.status === 404 ? "No courier has been offered this order yet." : esc(err.message)}</p>`;
    return;
  }
  const minutes = (s) => `${(s / 60).toFixed(1)} min`;
  body.innerHTML = `
    <p class="big" data-testid="decision-why">${esc(d.why)}</p>
    <p class="muted">Round at ${clock(d.at)} · offer ${d.offer_id} · bundle ${d.order_ids.map((o) => `#${o}`).join(", ")}</p>
    <table><thead><tr><th>Courier</th><th>Cost</th><th>To kitchen</th><th>Arrives</th><th>Pickup</th><th>Waits</th><th>Click-to-door</th></tr></thead>
    <tbody>${d.candidates.map((c) => `<tr class="${c.courier_id === d.chosen.courier_id ? "chosen" : ""}">
      <td>${c.courier_id}${c.courier_id === d.chosen.courier_id ? " ✓" : ""}</td><td>${c.cost}</td><td>${minutes(c.approach_seconds)}</td>
      <td>${clock(c.arrive_at)}</td><td>${clock(c.pickup_at)}</td><td>${minutes(c.wait_seconds)}</td>
      <td>${minutes(c.total_click_to_door_seconds)}</td></tr>`).join("")}</tbody></table>`;
  $("decision").scrollIntoView({ behavior: "smooth" });
}
