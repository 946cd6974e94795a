// Incoming numbers (guide §4.1): flow state, last publish time and the per-number menu.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import type { NumberRow } from "../types.js";
import { actionMenu, confirmDialog, heading, international, notice, showProblems } from "../ui.js";

export async function numbersScreen(ctx: Ctx): Promise<void> {
  const note = notice();
  const { numbers } = await call<{ numbers: NumberRow[] }>("GET", "/v1/numbers");

  const register = async (n: string) => {
    const next = h("button", { type: "button", class: "primary" }, t("next"));
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-label": t("register") },
      h("h2", {}, t("register")),
      h("dl", {}, h("dt", {}, t("phone_number")), h("dd", {}, international(n))),
      h("p", { class: "help" }, t("register_intro")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("cancel")),
        next,
      ),
    );
    dialog.addEventListener("close", () => dialog.remove());
    next.addEventListener("click", async () => {
      next.disabled = true;
      try {
        await call("POST", "/v1/flows/" + n);
        dialog.close();
        ctx.go("#/flows/" + n);
      } catch (err) {
        dialog.close();
        showProblems(err, [], note);
      }
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    next.focus();
  };

  const remove = async (n: string) => {
    if (!(await confirmDialog(t("delete_flow_confirm", international(n)), t("delete"), true))) return;
    try {
      await call("DELETE", "/v1/flows/" + n);
      ctx.flash("ok", t("flow_deleted"));
      ctx.go("#/numbers");
    } catch (err) {
      showProblems(err, [], note);
    }
  };

  const rows = numbers.map((r) => {
    const items =
      r.state === "unregistered"
        ? [{ label: t("register"), run: () => void register(r.incoming_number) }]
        : [
            ...(r.published ? [{ label: t("view_published"), run: () => ctx.go("#/published/" + r.incoming_number) }] : []),
            { label: t("edit"), run: () => ctx.go("#/flows/" + r.incoming_number) },
            { label: t("delete_flow"), run: () => void remove(r.incoming_number), danger: true },
          ];
    return h(
      "tr",
      { "data-number": r.incoming_number },
      h("th", { scope: "row" }, international(r.incoming_number)),
      h("td", {}, h("span", { class: "badge state-" + r.state }, t(("state_" + r.state) as "state_draft"))),
      h("td", {}, r.published_at || "—"),
      h("td", { class: "menu-cell" }, actionMenu(t("menu"), items)),
    );
  });

  fill(
    ctx.main,
    heading("numbers_title"),
    note.el,
    numbers.length === 0
      ? h("p", {}, t("no_numbers"))
      : h(
          "table",
          { class: "list" },
          h(
            "thead",
            {},
            h("tr", {}, h("th", {}, t("phone_number")), h("th", {}, t("flow")), h("th", {}, t("published_at")), h("th", {}, h("span", { class: "sr" }, t("menu")))),
          ),
          h("tbody", {}, rows),
        ),
  );
}
