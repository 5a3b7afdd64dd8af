// The log-in / sign-up form every app starts with, for one role.

import { authenticate, forget, session } from "./api.js";
import { esc } from "./format.js";

/**
 * Shows the form in `container` until the user is signed in as `role`,
 * then calls `onReady(account)`. A saved, unexpired session skips the form.
 */
export function signIn(container, role, onReady, { title = "Sign in" } = {}) {
  const saved = session(role);
  if (saved) { onReady(saved.account); return; }
  container.innerHTML = `
    <form class="card auth" novalidate>
      <h2>${esc(title)}</h2>
      <div class="tabs" role="tablist">
        <button type="button" class="tab active" data-mode="login">Log in</button>
        <button type="button" class="tab" data-mode="signup">Create account</button>
      </div>
      <label class="signup-only" hidden>Name <input name="name" autocomplete="name" maxlength="100"></label>
      <label>Email <input name="email" type="email" autocomplete="email" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required minlength="8"></label>
      <p class="error" role="alert" hidden></p>
      <button type="submit" class="primary">Log in</button>
    </form>`;
  const form = container.querySelector("form");
  const error = form.querySelector(".error");
  const submit = form.querySelector("[type=submit]");
  let mode = "login";
  form.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => {
    mode = tab.dataset.mode;
    form.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
    form.querySelector(".signup-only").hidden = mode !== "signup";
    submit.textContent = mode === "signup" ? "Create account" : "Log in";
  }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    error.hidden = true;
    if (mode === "signup" && !data.name.trim()) {
      error.textContent = "Please give your name.";
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      const auth = await authenticate(role, {
        email: data.email.trim(),
        password: data.password,
        name: mode === "signup" ? data.name.trim() : undefined,
      });
      container.innerHTML = "";
      onReady(auth.account);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
}

/** A "log out" button in `slot` that forgets the session and reloads. */
export function logOutButton(slot, role, account) {
  slot.innerHTML = `<span class="who">${esc(account.name)}</span> <button type="button" class="link">Log out</button>`;
  slot.querySelector("button").addEventListener("click", () => { forget(role); location.reload(); });
}
