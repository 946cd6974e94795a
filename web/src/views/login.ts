// Login (guide §3.1): email and password, then the account choice or a forced password change.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import type { Session } from "../types.js";
import { busy, field, heading, notice, showProblems } from "../ui.js";
import { rememberLoginPassword } from "./password.js";

export function loginScreen(ctx: Ctx): void {
  const email = field("email", t("email"), h("input", { type: "email", autocomplete: "username", placeholder: t("email_placeholder") }));
  const password = field(
    "password",
    t("password"),
    h("input", { type: "password", autocomplete: "current-password", placeholder: t("password_placeholder") }),
  );
  const note = notice();
  const submit = h("button", { type: "submit", class: "primary wide" }, t("login"));
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    heading("login"),
    note.el,
    email.row,
    password.row,
    submit,
    h("p", { class: "center" }, h("a", { href: "#/forgot" }, t("forgot"))),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(submit, async () => {
      note.clear();
      try {
        const s = await call<Session>("POST", "/v1/session", {
          email: email.input.value.trim(),
          password: password.input.value,
        });
        rememberLoginPassword(s.password_change_required ? password.input.value : "");
        ctx.setSession(s);
        ctx.go(s.password_change_required ? "#/password" : s.account_id ? "#/numbers" : "#/accounts");
      } catch (err) {
        showProblems(err, [email, password], note);
        password.input.value = "";
      }
    });
  });
  fill(ctx.main, form);
}
