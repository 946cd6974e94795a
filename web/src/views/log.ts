// Delivery log (guide §5.1): search by send-scheduled time and destination, list, CSV download.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { jstDate } from "../time.js";
import type { LogRow } from "../types.js";
import { busy, field, heading, notice, searchForm, showProblems } from "../ui.js";

const pageSize = 100;
const maxRows = 1000;

export function logScreen(ctx: Ctx): void {
  const from = field("from", t("range_from", t("scheduled_range")), h("input", { type: "datetime-local", value: jstDate(0) + "T00:00", min: jstDate(-92) + "T00:00" }), {
    required: true,
  });
  const to = field("to", t("range_to", t("scheduled_range")), h("input", { type: "datetime-local", value: jstDate(1) + "T00:00" }), { required: true });
  const destination = field("destination", `${t("destination")}（${t("optional")}）`, h("input", { type: "tel", placeholder: "+8190… / 090…", autocomplete: "off" }));
  const encoding = h(
    "select",
    { "aria-label": t("encoding") },
    h("option", { value: "utf-8" }, "UTF-8 (BOM)"),
    h("option", { value: "shift_jis" }, "Shift_JIS"),
  );
  const note = notice();
  const results = h("div", { class: "results", "aria-live": "polite" });
  const fields = [from, to, destination];
  let limit = pageSize;

  const query = () => {
    const q = new URLSearchParams({ from: from.input.value, to: to.input.value });
    if (destination.input.value.trim()) q.set("destination", destination.input.value.trim());
    return q;
  };

  const search = async () => {
    note.clear();
    for (const f of fields) f.setError("");
    try {
      const q = query();
      q.set("limit", String(limit));
      const r = await call<{ rows: LogRow[]; more: boolean }>("GET", "/v1/delivery-log?" + q.toString());
      render(r.rows, r.more);
    } catch (err) {
      fill(results);
      showProblems(err, fields, note);
    }
  };

  const render = (rows: LogRow[], more: boolean) => {
    if (rows.length === 0) {
      fill(results, h("p", {}, t("no_results")));
      return;
    }
    const cols: [keyof LogRow, Parameters<typeof t>[0]][] = [
      ["kind", "col_kind"],
      ["scheduled_at", "col_scheduled"],
      ["sent_at", "col_sent"],
      ["incoming_number", "col_incoming"],
      ["destination", "col_destination"],
      ["carrier", "col_carrier"],
      ["channel", "col_channel"],
      ["campaign", "col_campaign"],
    ];
    const moreButton = h("button", { type: "button", class: "secondary" }, t("show_more"));
    moreButton.addEventListener("click", () => {
      limit = Math.min(maxRows, limit + pageSize);
      void busy(moreButton, search);
    });
    fill(
      results,
      h("p", { class: "count" }, more ? t("results_more", rows.length) : t("results", rows.length)),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "list log" },
          h("thead", {}, h("tr", {}, cols.map(([, k]) => h("th", { scope: "col" }, t(k))))),
          h("tbody", {}, rows.map((r) => h("tr", { "data-message": r.message_id }, cols.map(([c]) => h("td", {}, r[c] || ""))))),
        ),
      ),
      more && limit < maxRows ? moreButton : null,
    );
  };

  const downloadButton = h("button", { type: "button", class: "secondary" }, t("download"));
  downloadButton.addEventListener("click", () =>
    void busy(downloadButton, async () => {
      note.clear();
      for (const f of fields) f.setError("");
      const q = query();
      try {
        // The download's own checks, answered here: a bad date shows on its field, not as a file.
        await call("GET", "/v1/delivery-log?" + q.toString() + "&limit=1");
      } catch (err) {
        showProblems(err, fields, note);
        return;
      }
      q.set("encoding", encoding.value);
      // The browser saves it straight to disk as it streams, whatever its size; a transfer the
      // server breaks off shows there as a failed download, never as a short file.
      const a = h("a", { href: "/v1/delivery-log.csv?" + q.toString(), download: "", hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      note.show("ok", t("download_started"));
    }),
  );

  const form = searchForm(
    [from, to],
    [destination],
    () => {
      limit = pageSize;
      return search();
    },
    [downloadButton, encoding],
  );

  fill(ctx.main, heading("log_title"), h("p", { class: "help" }, t("log_note")), note.el, form, results);
}
