// The apps in a real browser (Debian's chromium driven by playwright-core):
// a chef opens a kitchen, a courier goes online on a simulated ride, a
// customer on a phone orders and pays, the chef hears the alert and
// accepts, the courier takes the offer and the customer watches it move,
// the courier delivers with the customer's PIN (a wrong one is refused),
// and operations sees why the courier got the order. Screenshots go to
// web/artefacts/ (kept by CI, ignored by git).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { OPS, startServer } from "./server.mjs";

const artefacts = join(dirname(fileURLToPath(import.meta.url)), "..", "artefacts");
const PHONE = { width: 390, height: 844 };
const TABLET = { width: 1024, height: 768 };
const WAIT = { timeout: 30_000 };

let server;
let browser;
let profile;
/** Uncaught errors of any page: each test ends by asserting there were none. */
const pageErrors = [];

before(async () => {
  mkdirSync(artefacts, { recursive: true });
  server = await startServer();
  profile = mkdtempSync(join(tmpdir(), "foodiefast-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
      "--autoplay-policy=no-user-gesture-required"],
    baseURL: server.url,
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function page(path, viewport) {
  const p = await browser.newPage();
  await p.setViewportSize(viewport);
  p.on("pageerror", (err) => pageErrors.push(`${path}: ${err.message}`));
  await p.goto(path);
  return p;
}

async function signUp(p, name, email) {
  const form = p.locator("form.auth");
  await form.getByRole("button", { name: "Create account" }).first().click();
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill("correct horse battery");
  await form.locator("button[type=submit]").click();
  await form.waitFor({ state: "detached", ...WAIT });
}

async function shot(p, name) {
  await p.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
}

/** Fails when the page is wider than its viewport (a phone would scroll sideways). */
async function fitsWidth(p) {
  const { scroll, width } = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
  assert.ok(scroll <= width, `page is ${scroll}px wide in a ${width}px viewport`);
}

test("landing page links the four apps and works on a phone", async () => {
  const p = await page("/", PHONE);
  for (const app of ["/customer", "/chef", "/courier", "/ops"]) {
    assert.equal(await p.locator(`a[href="${app}"]`).count(), 1, app);
  }
  await fitsWidth(p);
  await shot(p, "00-landing-phone");
  await p.close();
  assert.deepEqual(pageErrors, []);
});

test("a customer orders, the chef accepts, the courier delivers with the PIN", async () => {
  // The chef opens a kitchen at the city centre with one dish.
  const chef = await page("/chef", TABLET);
  await signUp(chef, "Chef Ada", "chef@example.com");
  await chef.getByLabel("Name").fill("Test Kitchen");
  await chef.getByLabel("Usual preparation time (minutes)").fill("1");
  await chef.getByRole("button", { name: "Save kitchen" }).click();
  await chef.locator("#item-form input[name=name]").fill("Dumplings");
  await chef.locator("#item-form input[name=price]").fill("12.50");
  await chef.getByRole("button", { name: "Add dish" }).click();
  await chef.locator("#menu-list", { hasText: "Dumplings" }).waitFor(WAIT);
  await chef.getByRole("button", { name: "Turn sound on" }).click();
  await chef.locator("#connection", { hasText: "live" }).waitFor(WAIT);

  // A courier goes online on a simulated ride (fast, so the test is short).
  const courier = await page("/courier?source=simulated&speed=8", PHONE);
  await signUp(courier, "Bo Courier", "courier@example.com");
  await courier.getByRole("button", { name: "Go online" }).click();
  await courier.getByTestId("courier-status").filter({ hasText: "Waiting for offers" }).waitFor(WAIT);
  await courier.locator("#connection", { hasText: "live" }).waitFor(WAIT);

  // The customer, on a phone, finds the kitchen, orders and pays.
  const customer = await page("/customer", PHONE);
  await signUp(customer, "Cy Customer", "customer@example.com");
  // Home is a little north-east of the kitchen: a tap on the map sets it.
  await customer.locator("#map").click({ position: { x: 300, y: 60 } });
  await customer.locator("#kitchen-list li", { hasText: "Test Kitchen" }).click(WAIT);
  await customer.getByRole("button", { name: "Add one Dumplings" }).click();
  await customer.locator("#total", { hasText: "12.50" }).waitFor(WAIT);
  const card = customer.getByTestId("payment-method");
  if (await card.count()) await card.selectOption("pm_card_visa");
  await fitsWidth(customer);
  await shot(customer, "01-customer-cart-phone");
  await customer.getByRole("button", { name: "Place order" }).click();
  await customer.getByTestId("order-status").filter({ hasText: "Waiting for the kitchen" }).waitFor(WAIT);
  const pin = (await customer.getByTestId("delivery-pin").textContent()).trim();
  assert.match(pin, /^\d{4}$/);
  const orderId = Number(new URL(customer.url()).searchParams.get("order"));
  assert.ok(orderId > 0);

  // The chef's tablet flashes (and chimes) until the order is answered.
  const alert = chef.getByTestId("new-order-alert");
  await alert.waitFor({ state: "visible", ...WAIT });
  await shot(chef, "02-chef-new-order-alert");
  await chef.locator(`[data-order="${orderId}"] button`, { hasText: "Accept" }).click();
  await alert.waitFor({ state: "hidden", ...WAIT });
  // Accepting starts the cooking at once: the customer sees it being prepared.
  await customer.getByTestId("order-status").filter({ hasText: /Accepted|Being prepared/ }).waitFor(WAIT);

  // The courier is offered the order, with a countdown, and accepts.
  const offer = courier.getByTestId("offer");
  await offer.waitFor({ state: "visible", ...WAIT });
  assert.match(await courier.locator("#countdown").textContent(), /\d+ s to answer/);
  await shot(courier, "03-courier-offer-phone");
  await courier.getByRole("button", { name: "Accept" }).click();
  await courier.getByTestId("courier-status").filter({ hasText: /Heading to the kitchen|At the kitchen/ }).waitFor(WAIT);

  // The customer watches the courier move on the map, with an ETA.
  const position = customer.getByTestId("courier-position");
  await position.filter({ hasText: "Courier at" }).waitFor(WAIT);
  const first = await position.textContent();
  await customer.waitForFunction((was) => {
    const now = document.querySelector("[data-testid=courier-position]").textContent;
    return now && now !== was;
  }, first, WAIT);
  assert.equal(await customer.locator(".dot-courier").count(), 1, "the courier is on the customer's map");
  await fitsWidth(customer);
  await shot(customer, "04-customer-courier-moving-phone");

  // The chef sees the courier due, and marks the food ready.
  await chef.locator(`[data-order="${orderId}"] [data-testid=courier-eta]`).waitFor(WAIT);
  await chef.locator(`[data-order="${orderId}"] button`, { hasText: "Mark ready" }).click();
  await customer.getByTestId("order-status").filter({ hasText: "Ready for pickup" }).waitFor(WAIT);

  // The simulated ride reaches the kitchen by itself; the courier picks up.
  await courier.getByTestId("courier-status").filter({ hasText: "At the kitchen" }).waitFor(WAIT);
  await courier.getByRole("button", { name: "Picked up" }).click();
  await courier.getByTestId("courier-status").filter({ hasText: "Delivering" }).waitFor(WAIT);
  await customer.getByTestId("order-status").filter({ hasText: "On its way" }).waitFor(WAIT);

  // Operations sees the order and why this courier got it.
  const ops = await page(`/ops?order=${orderId}`, TABLET);
  const login = ops.locator("form.auth");
  await login.getByLabel("Email").fill(OPS.email);
  await login.getByLabel("Password").fill(OPS.password);
  await login.locator("button[type=submit]").click();
  await ops.getByTestId("decision-why").filter({ hasText: "only candidate" }).waitFor(WAIT);
  assert.equal(await ops.locator("tr.chosen").count(), 1);
  await ops.getByTestId("ops-totals").filter({ hasText: "1 courier online" }).waitFor(WAIT);
  await shot(ops, "05-ops-decision");
  await ops.close();

  // A wrong PIN is refused and changes nothing; the customer's PIN delivers.
  const pinInput = courier.getByLabel(`Delivery PIN for order ${orderId}`);
  await pinInput.fill(pin === "0000" ? "1111" : "0000");
  await courier.getByRole("button", { name: "Delivered" }).click();
  await courier.locator("#trip-error", { hasText: "not this order's delivery PIN" }).waitFor(WAIT);
  assert.match(await customer.getByTestId("order-status").textContent(), /On its way/);
  await pinInput.fill(pin);
  await courier.getByRole("button", { name: "Delivered" }).click();
  await courier.getByTestId("courier-status").filter({ hasText: "Waiting for offers" }).waitFor(WAIT);
  await customer.getByTestId("order-status").filter({ hasText: "Delivered" }).waitFor(WAIT);
  await fitsWidth(courier);
  await shot(courier, "06-courier-delivered-phone");
  await shot(customer, "07-customer-delivered-phone");
  assert.deepEqual(pageErrors, []);
});

test("the map stays usable without tiles and says so", async () => {
  const p = await page("/customer", PHONE);
  await p.evaluate(() => localStorage.clear());
  await p.reload();
  await signUp(p, "Map Tester", "map@example.com");
  await p.locator(".map.no-tiles").first().waitFor(WAIT);
  assert.match(await p.locator(".map-note").first().textContent(), /No map tiles configured/);
  await p.close();
  assert.deepEqual(pageErrors, []);
});
