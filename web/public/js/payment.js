// The checkout's payment step, kept on its own: the sandbox test cards. The
// placement carries `payment_method` only when the server's OpenAPI
// document lists that field, so the page works with servers with and
// without the payment service.

const cards = [
  ["pm_card_visa", "Visa ending 4242 (test card, approved)"],
  ["pm_card_mastercard", "Mastercard ending 4444 (test card, approved)"],
  ["pm_card_chargeDeclined", "Card ending 0002 (test card, declined)"],
];

let supported = null;

/** Whether `POST /orders` takes a `payment_method` (from /openapi.json). */
async function serverTakesPaymentMethod() {
  supported ??= fetch("/openapi.json")
    .then((r) => r.json())
    .then((doc) => Boolean(doc?.components?.schemas?.PlaceOrder?.properties?.payment_method))
    .catch(() => false);
  return supported;
}

/**
 * Renders the payment choice into `container`; resolves to an object whose
 * `fields()` gives what to add to the placement body.
 */
export async function paymentStep(container) {
  const takesCard = await serverTakesPaymentMethod();
  if (!takesCard) {
    container.innerHTML = `<p class="muted" data-testid="payment-note">Payment is authorised when you place the order.</p>`;
    return { fields: () => ({}) };
  }
  container.innerHTML = `
    <label>Pay with (sandbox)
      <select name="payment_method" data-testid="payment-method">
        ${cards.map(([id, label]) => `<option value="${id}">${label}</option>`).join("")}
      </select>
    </label>`;
  const select = container.querySelector("select");
  return { fields: () => ({ payment_method: select.value }) };
}
