// Forgotten password (guide §3.2), reset by code, and password change (§3.3; forced on expiry).

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { errorText, t } from "../i18n.js";
import type { Session } from "../types.js";
import { busy, field, heading, notice, passwordProblems, showProblems, type Field } from "../ui.js";

// The password just typed at login, kept in memory only for the forced change that follows, so
// the user is not asked for it twice.
let loginPassword = "";
export function rememberLoginPassword(pw: string): void {
  loginPassword = pw;
}

function newPasswordFields(): { pw: Field; again: Field; check(): boolean } {
  const pw = field(
    "new_password",
    t("new_password"),
    h("input", { type: "password", autocomplete: "new-password", placeholder: t("new_password_placeholder") }),
    { required: true, help: t("password_rule") },
  );
  const again = field(
    "new_password_confirm",
    t("new_password_confirm"),
    h("input", { type: "password", autocomplete: "new-password", placeholder: t("new_password_confirm_placeholder") }),
    { required: true },
  );
  const check = (): boolean => {
    const problems = passwordProblems(pw.input.value);
    pw.setError(problems.length ? errorText(problems[0], "") : "");
    again.setError(again.input.value && again.input.value !== pw.input.value ? t("passwords_differ") : "");
    return problems.length === 0 && again.input.value === pw.input.value;
  };
  pw.input.addEventListener("input", () => {
    if (pw.input.getAttribute("aria-invalid") === "true") check();
  });
  again.input.addEventListener("input", () => {
    if (again.input.getAttribute("aria-invalid") === "true") check();
  });
  pw.input.addEventListener("blur", check);
  again.input.addEventListener("blur", () => again.input.value && check());
  return { pw, again, check };
}

export function forgotScreen(ctx: Ctx): void {
  const email = field("email", t("email"), h("input", { type: "email", autocomplete: "username", placeholder: t("email_placeholder") }), {
    required: true,
  });
  const note = notice();
  const submit = h("button", { type: "submit", class: "primary wide" }, t("send"));
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    heading("reset_title"),
    h("p", {}, t("reset_intro")),
    note.el,
    email.row,
    submit,
    h("p", { class: "center" }, h("a", { href: "#/login" }, t("back_to_login"))),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(submit, async () => {
      try {
        await call("POST", "/v1/password-resets", { email: email.input.value.trim() });
        ctx.flash("ok", t("reset_sent"));
        ctx.go("#/reset?email=" + encodeURIComponent(email.input.value.trim()));
      } catch (err) {
        showProblems(err, [email], note);
      }
    });
  });
  fill(ctx.main, form);
}

export function resetScreen(ctx: Ctx): void {
  const email = field("email", t("email"), h("input", { type: "email", autocomplete: "username", value: ctx.query.get("email") ?? "" }), {
    required: true,
  });
  const code = field("code", t("reset_code"), h("input", { type: "text", autocomplete: "one-time-code", value: ctx.query.get("code") ?? "" }), {
    required: true,
  });
  const { pw, again, check } = newPasswordFields();
  const note = notice();
  const submit = h("button", { type: "submit", class: "primary wide" }, t("set"));
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    heading("reset_confirm_title"),
    note.el,
    email.row,
    code.row,
    pw.row,
    again.row,
    h("p", { class: "help" }, t("required_note")),
    submit,
    h("p", { class: "center" }, h("a", { href: "#/login" }, t("back_to_login"))),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!check()) return;
    void busy(submit, async () => {
      try {
        await call("POST", "/v1/password-resets/confirm", {
          email: email.input.value.trim(),
          code: code.input.value.trim(),
          new_password: pw.input.value,
        });
        ctx.flash("ok", t("reset_done"));
        ctx.go("#/login");
      } catch (err) {
        showProblems(err, [email, code, pw], note);
      }
    });
  });
  fill(ctx.main, form);
}

export function changePasswordScreen(ctx: Ctx): void {
  const s = ctx.session as Session;
  const forced = s.password_change_required;
  const askCurrent = !(forced && loginPassword);
  const current = field(
    "current_password",
    t("current_password"),
    h("input", { type: "password", autocomplete: "current-password", placeholder: t("current_password_placeholder") }),
    { required: true },
  );
  const { pw, again, check } = newPasswordFields();
  const note = notice();
  if (forced) note.show("info", t("change_forced"));
  const submit = h("button", { type: "submit", class: "primary" }, t("set"));
  const cancel = h("button", { type: "button", class: "secondary", onclick: () => history.back() }, t("cancel"));
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    heading("change_title"),
    note.el,
    askCurrent ? current.row : null,
    pw.row,
    again.row,
    h("p", { class: "help" }, t("required_note")),
    h("div", { class: "actions" }, forced ? null : cancel, submit),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!check()) return;
    void busy(submit, async () => {
      try {
        await call("POST", "/v1/session/password", {
          current_password: askCurrent ? current.input.value : loginPassword,
          new_password: pw.input.value,
        });
        loginPassword = "";
        const fresh = await call<Session>("GET", "/v1/session");
        ctx.flash("ok", t("password_changed"));
        ctx.setSession(fresh);
        ctx.go(fresh.account_id ? "#/numbers" : "#/accounts");
      } catch (err) {
        showProblems(err, [current, pw], note);
      }
    });
  });
  fill(ctx.main, form);
}
