// Call counts (guide §6.1): whole days up to yesterday, optionally one incoming number.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { jstDate } from "../time.js";
import type { CallCounts, NumberRow } from "../types.js";
import { field, heading, international, notice, searchForm, showProblems } from "../ui.js";

export async function countsScreen(ctx: Ctx): Promise<void> {
  const { numbers } = await call<{ numbers: NumberRow[] }>("GET", "/v1/numbers");
  const yesterday = jstDate(-1);
  const oldest = jstDate(-92);
  const from = field("from", t("range_from", t("call_date")), h("input", { type: "date", value: jstDate(-7), min: oldest, max: yesterday }), { required: true });
  const to = field("to", t("range_to", t("call_date")), h("input", { type: "date", value: yesterday, min: oldest, max: yesterday }), { required: true });
  const number = field(
    "number",
    `${t("col_incoming")}（${t("optional")}）`,
    h("select", {}, h("option", { value: "" }, t("all_numbers")), numbers.map((n) => h("option", { value: n.incoming_number }, international(n.incoming_number)))),
  );
  const note = notice();
  const results = h("div", { class: "results", "aria-live": "polite" });
  const fields = [from, to, number];

  const search = async () => {
    note.clear();
    for (const f of fields) f.setError("");
    const q = new URLSearchParams({ from: from.input.value, to: to.input.value });
    if (number.input.value) q.set("number", number.input.value);
    try {
      const r = await call<CallCounts>("GET", "/v1/call-counts?" + q.toString());
      const selected = number.input.value ? international(number.input.value) : "";
      fill(
        results,
        h("p", { class: "count" }, t("counts_criteria", r.from.replaceAll("-", "/"), r.to.replaceAll("-", "/"), selected)),
        h(
          "table",
          { class: "list counts" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("col_incoming")), h("th", { scope: "col" }, t("count")), h("th", { scope: "col" }, t("per_day")))),
          h(
            "tbody",
            {},
            r.rows.map((row) =>
              h(
                "tr",
                { "data-number": row.incoming_number },
                h("th", { scope: "row" }, row.incoming_number),
                h("td", { class: "num" }, String(row.count)),
                h(
                  "td",
                  {},
                  h(
                    "details",
                    {},
                    h("summary", {}, t("per_day")),
                    h("ul", { class: "days" }, row.days.filter((d) => d.count > 0).map((d) => h("li", {}, `${d.date.replaceAll("-", "/")}: ${d.count}`))),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      fill(results);
      showProblems(err, fields, note);
    }
  };

  const form = searchForm([from, to], [number], search);
  fill(ctx.main, heading("counts_title"), h("p", { class: "help" }, t("counts_note")), note.el, form, results);
}
