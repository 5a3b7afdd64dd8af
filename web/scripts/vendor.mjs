// Copies the map library's distribution from node_modules into the served
// assets (web/public/vendor/), so that the engine serves it with no npm step.
// Run after changing the Leaflet version in package.json: `npm ci && npm run vendor`.
// `--check` fails when the committed copy differs from node_modules (CI).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(web, "node_modules", "leaflet", "dist");
const target = join(web, "public", "vendor", "leaflet");
const files = ["leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
  "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png"];

if (!existsSync(source)) {
  console.error("node_modules/leaflet is missing: run `npm ci` in web/ first");
  process.exit(1);
}
if (process.argv.includes("--check")) {
  const stale = files.filter((f) => !existsSync(join(target, f))
    || !readFileSync(join(source, f)).equals(readFileSync(join(target, f))));
  const extra = readdirSync(target, { recursive: true })
    .filter((f) => !f.endsWith("images") && !files.includes(f.replaceAll("\\", "/")));
  if (stale.length || extra.length) {
    console.error(`web/public/vendor/leaflet is not node_modules' copy: ${[...stale, ...extra].join(", ")}; run npm run vendor`);
    process.exit(1);
  }
  console.log(`web/public/vendor/leaflet matches leaflet ${JSON.parse(readFileSync(join(web, "node_modules", "leaflet", "package.json"))).version}`);
} else {
  rmSync(target, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(target, f)), { recursive: true });
    cpSync(join(source, f), join(target, f));
  }
  console.log(`copied ${files.length} files to web/public/vendor/leaflet`);
}
