// Monthly usage for billing (product.md §7): per month and carrier, messages, billed segments
// (文字分割数) and accepted parts; the CSV downloads by navigation.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { jstMonth } from "../time.js";
import type { Usage } from "../types.js";
import { field, heading, notice, searchForm, showProblems } from "../ui.js";

export function usageScreen(ctx: Ctx): void {
  const from = field("from", t("range_from", t("usage_month")), h("input", { type: "month", value: jstMonth(-2), max: jstMonth() }), { required: true });
  const to = field("to", t("range_to", t("usage_month")), h("input", { type: "month", value: jstMonth(), max: jstMonth() }), { required: true });
  const note = notice();
  const results = h("div", { class: "results", "aria-live": "polite" });
  const fields = [from, to];
  const query = () => new URLSearchParams({ from: from.input.value, to: to.input.value }).toString();
  const csvLink = h("a", { class: "button secondary", href: "/v1/usage.csv?" + query(), download: "" }, t("usage_download"));
  const sync = () => csvLink.setAttribute("href", "/v1/usage.csv?" + query());
  from.input.addEventListener("change", sync);
  to.input.addEventListener("change", sync);

  const search = async () => {
    note.clear();
    try {
      const u = await call<Usage>("GET", "/v1/usage?" + query());
      const num = (n: number) => n.toLocaleString();
      fill(
        results,
        u.rows.length === 0
          ? h("p", { class: "count" }, t("usage_none"))
          : h(
              "table",
              { class: "list usage" },
              h(
                "thead",
                {},
                h("tr", {}, [t("usage_month"), t("col_carrier"), t("usage_messages"), t("usage_segments"), t("usage_parts")].map((c) => h("th", { scope: "col" }, c))),
              ),
              h(
                "tbody",
                {},
                u.rows.map((r) =>
                  h(
                    "tr",
                    { "data-month": r.month, "data-carrier": r.carrier },
                    h("th", { scope: "row" }, r.month.replace("-", "/")),
                    h("td", {}, r.carrier_name),
                    h("td", { class: "num" }, num(r.messages)),
                    h("td", { class: "num" }, num(r.segments)),
                    h("td", { class: "num" }, num(r.parts)),
                  ),
                ),
              ),
              h(
                "tfoot",
                {},
                h(
                  "tr",
                  { class: "totals" },
                  h("th", { scope: "row", colspan: "2" }, t("usage_total")),
                  h("td", { class: "num" }, num(u.totals.messages)),
                  h("td", { class: "num" }, num(u.totals.segments)),
                  h("td", { class: "num" }, num(u.totals.parts)),
                ),
              ),
            ),
      );
    } catch (err) {
      fill(results);
      showProblems(err, fields, note);
    }
  };

  const form = searchForm([from, to], [], search, [csvLink]);
  fill(ctx.main, heading("usage_title"), h("p", { class: "help" }, t("usage_note")), note.el, form, results);
  void search();
}
