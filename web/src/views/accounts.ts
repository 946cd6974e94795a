// Account selection (guide §3.1): the enterprise and account to work in.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t, type TextKey } from "../i18n.js";
import type { Session } from "../types.js";
import { busy, heading, notice, showProblems } from "../ui.js";

export function accountsScreen(ctx: Ctx): void {
  const s = ctx.session as Session;
  const note = notice();
  const choose = async (account_id: string) => {
    try {
      const fresh = await call<Session>("POST", "/v1/session/account", { account_id });
      ctx.setSession(fresh);
      ctx.go("#/numbers");
    } catch (err) {
      showProblems(err, [], note);
    }
  };
  // A single usable account needs no choosing (as at login when no password change came first).
  const usable = s.accounts.filter((a) => !a.terminated);
  if (!s.account_id && usable.length === 1) void choose(usable[0].account_id);
  const rows = s.accounts.map((a) => {
    const button = h("button", { type: "button", class: "primary", disabled: a.terminated }, t("choose"));
    button.addEventListener("click", () => void busy(button, () => choose(a.account_id)));
    return h(
      "tr",
      { "data-account": a.account_id },
      h("td", {}, a.enterprise_id),
      h("th", { scope: "row" }, a.name, a.terminated ? h("span", { class: "badge muted" }, t("terminated")) : null),
      h("td", {}, t(("role_" + a.role) as TextKey)),
      h("td", {}, button),
    );
  });
  fill(
    ctx.main,
    h(
      "section",
      { class: "card" },
      heading("accounts_title"),
      h("p", {}, t("accounts_intro")),
      note.el,
      h(
        "table",
        { class: "list" },
        h("thead", {}, h("tr", {}, h("th", {}, t("enterprise")), h("th", {}, t("account")), h("th", {}, t("role")), h("th", {}, ""))),
        h("tbody", {}, rows),
      ),
    ),
  );
}
