// Starts `foodiefast serve` for the browser tests: a free port, a fresh
// SQLite store in a temporary directory, fast dispatch, and an operator
// account made with `foodiefast admin create`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const OPS = { email: "ops@example.com", password: "an operator password" };

/** The binary: FOODIEFAST_BIN, else the debug build, else the release build. */
function binary() {
  const candidates = [process.env.FOODIEFAST_BIN, join(root, "target", "debug", "foodiefast"),
    join(root, "target", "release", "foodiefast")].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no foodiefast binary (tried ${candidates.join(", ")}): run cargo build first`);
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the engine; resolves to { url, stop() } once it is ready. */
export async function startServer() {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), "foodiefast-web-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    BIND_ADDR: "127.0.0.1",
    FOODIEFAST_DB_PATH: join(dir, "web-tests.db"),
    JWT_SECRET: "a-browser-test-secret-of-at-least-32-bytes",
    ALLOWED_ORIGINS: url,
    CITY_CENTRE: "52.52,13.405",
    DISPATCH_PERIOD_SECONDS: "1",
    DISPATCH_COMMIT_HORIZON_SECONDS: "86400",
    RUST_LOG: "warn",
  };
  delete env.DATABASE_URL;
  delete env.MAP_TILE_URL;
  const admin = spawnSync(bin, ["admin", "create", "--email", OPS.email, "--name", "Ops"],
    { env, input: `${OPS.password}\n`, encoding: "utf8" });
  if (admin.status !== 0) throw new Error(`admin create failed: ${admin.stderr}`);
  const child = spawn(bin, ["serve"], { env, stdio: ["ignore", "inherit", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`foodiefast serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill("SIGKILL"); throw new Error("foodiefast serve did not get ready in 60 s"); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
