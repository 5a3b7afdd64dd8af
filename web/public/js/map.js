// Maps with Leaflet (vendored, loaded as the global `L` by each page). The
// tile server comes from the gateway (`MAP_TILE_URL`); with none, or when
// tiles fail to load, the map draws on a plain grid and says so: markers,
// routes and clicks work the same.

let configPromise = null;

/** The gateway's map settings (`GET /web/config`). */
export function mapConfig() {
  configPromise ??= fetch("/web/config").then((r) => r.json()).catch(() => ({ tile_url: null, centre: null }));
  return configPromise;
}

/** Creates a map in `element`; resolves to { map, config, centre }. */
export async function createMap(element, { zoom = 14 } = {}) {
  const config = await mapConfig();
  const centre = config.centre || { lat: 52.52, lng: 13.405 };
  element.classList.add("map");
  const map = L.map(element, { zoomControl: true, attributionControl: true }).setView([centre.lat, centre.lng], zoom);
  const note = document.createElement("div");
  note.className = "map-note";
  element.appendChild(note);
  const plain = (why) => {
    element.classList.add("no-tiles");
    note.textContent = why;
  };
  if (config.tile_url) {
    let failures = 0;
    L.tileLayer(config.tile_url, { maxZoom: 19, attribution: config.tile_attribution || "" })
      .on("tileerror", () => { if (++failures === 3) plain("Map tiles unavailable: positions shown on a plain grid."); })
      .on("tileload", () => { failures = 0; })
      .addTo(map);
  } else {
    plain("No map tiles configured: positions shown on a plain grid.");
  }
  return { map, config, centre };
}

/** A round marker with a one-letter label, coloured by CSS class. */
export function dot(position, { label = "", kind = "courier", title = "" } = {}) {
  const icon = L.divIcon({
    className: `dot dot-${kind}`,
    html: `<span>${label}</span>`,
    iconSize: [26, 26],
    iconAnchor: [13, 13],
  });
  return L.marker([position.lat, position.lng], { icon, title, keyboard: false });
}

/** Moves `marker` to `position` smoothly over `ms` (positions arrive every few seconds). */
export function glide(marker, position, ms = 900) {
  const from = marker.getLatLng();
  const start = performance.now();
  const step = (now) => {
    const t = Math.min(1, (now - start) / ms);
    marker.setLatLng([from.lat + (position.lat - from.lat) * t, from.lng + (position.lng - from.lng) * t]);
    if (t < 1) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}

/** Fits the map to the given positions (ignoring missing ones). */
export function fit(map, positions, maxZoom = 16) {
  const points = positions.filter(Boolean).map((p) => [p.lat, p.lng]);
  if (points.length === 1) map.setView(points[0], Math.min(maxZoom, 15));
  else if (points.length > 1) map.fitBounds(points, { padding: [30, 30], maxZoom });
}
