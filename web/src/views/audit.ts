// The audit trail of the enterprise (企業管理者): logins, lockouts, IP refusals, downloads,
// publishes and user changes, newest first, with filters.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { jstDate } from "../time.js";
import type { AuditTrail } from "../types.js";
import { busy, field, heading, notice, searchForm, showProblems } from "../ui.js";

const events = ["login", "login_failed", "locked", "ip_refused", "password", "log_downloaded", "usage_downloaded", "flow", "user"];

export function auditScreen(ctx: Ctx): void {
  const from = field("from", t("range_from", t("audit_date")), h("input", { type: "date", value: jstDate(-7), max: jstDate() }));
  const to = field("to", t("range_to", t("audit_date")), h("input", { type: "date", value: jstDate(), max: jstDate() }));
  const event = field(
    "event",
    `${t("audit_event")}（${t("optional")}）`,
    h("select", {}, h("option", { value: "" }, t("audit_all_events")), events.map((e) => h("option", { value: e }, e))),
  );
  const email = field("email", `${t("email")}（${t("optional")}）`, h("input", { type: "email" }));
  const note = notice();
  const results = h("div", { class: "results", "aria-live": "polite" });
  const fields = [from, to, event, email];
  let limit = 100;

  const search = async () => {
    note.clear();
    const q = new URLSearchParams({ limit: String(limit) });
    if (from.input.value) q.set("from", from.input.value);
    if (to.input.value) {
      // The whole last day.
      const next = new Date(to.input.value + "T00:00:00Z");
      next.setUTCDate(next.getUTCDate() + 1);
      q.set("to", next.toISOString().slice(0, 10));
    }
    if (event.input.value) q.set("event", event.input.value);
    if (email.input.value) q.set("email", email.input.value);
    try {
      const r = await call<AuditTrail>("GET", "/v1/audit?" + q.toString());
      const moreButton = h("button", { type: "button", class: "secondary" }, t("show_more"));
      moreButton.addEventListener("click", () => {
        limit = Math.min(500, limit + 100);
        void busy(moreButton, search);
      });
      fill(
        results,
        h("p", { class: "count" }, r.more ? t("results_more", r.rows.length) : t("results", r.rows.length)),
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "list audit" },
            h("thead", {}, h("tr", {}, [t("audit_at"), t("audit_event"), t("email"), t("audit_ip"), t("audit_detail")].map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              {},
              r.rows.map((row) =>
                h("tr", { "data-event": row.event }, h("td", {}, row.at), h("td", {}, row.event), h("td", {}, row.email), h("td", {}, row.ip), h("td", {}, row.detail)),
              ),
            ),
          ),
        ),
        r.more && limit < 500 ? moreButton : null,
      );
    } catch (err) {
      fill(results);
      showProblems(err, fields, note);
    }
  };

  const form = searchForm([from, to], [event, email], () => {
    limit = 100;
    return search();
  });
  fill(ctx.main, heading("audit_title"), h("p", { class: "help" }, t("audit_note")), note.el, form, results);
  void search();
}
