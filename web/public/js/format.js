// How the pages write money, times, distances and statuses.

export function money(minor, currency = "EUR") {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
}

export function clock(unixSeconds) {
  if (!unixSeconds) return "–";
  return new Date(unixSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** "in 7 min", "now", "2 min ago" from a Unix time. */
export function fromNow(unixSeconds) {
  if (!unixSeconds) return "–";
  const minutes = Math.round((unixSeconds * 1000 - Date.now()) / 60_000);
  if (minutes === 0) return "now";
  return minutes > 0 ? `in ${minutes} min` : `${-minutes} min ago`;
}

export function distance(metres) {
  return metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(1)} km`;
}

const statusWords = {
  placed: "Placed",
  payment_authorised: "Payment authorised",
  sent_to_chef: "Waiting for the kitchen",
  accepted: "Accepted by the kitchen",
  preparing: "Being prepared",
  ready: "Ready for pickup",
  picked_up: "On its way",
  delivered: "Delivered",
  rejected: "Rejected by the kitchen",
  cancelled: "Cancelled",
  idle: "Waiting for offers",
  offline: "Offline",
  offered: "Offer pending",
  heading_to_pickup: "Heading to the kitchen",
  waiting_at_restaurant: "At the kitchen",
  delivering: "Delivering",
  // Events of the order's log that are not statuses of their own.
  preparation_started: "The kitchen started cooking",
  payment_requested: "Payment requested",
  payment_captured: "Payment taken",
  payment_voided: "Payment hold released",
  refund_requested: "Refund requested",
  payment_refunded: "Refunded",
  payment_failed: "Payment problem: our team will settle it",
};

export function statusLabel(status) {
  return statusWords[status] || status;
}

/** Great-circle distance in metres between two {lat,lng}. */
export function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/** Escapes text for HTML. */
export function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
