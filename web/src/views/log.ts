// Delivery log (guide §5.1): search by send-scheduled time, destination and filters, page through
// any number of rows newest first, download the same search as CSV.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t, type TextKey } from "../i18n.js";
import { jstDate } from "../time.js";
import type { LogPage, LogRow } from "../types.js";
import { busy, field, heading, notice, searchForm, showProblems } from "../ui.js";

const pageSizes = [50, 100, 500, 1000];
const statuses = ["preparing", "sent", "awaiting", "delivered", "failed", "internal_error", "carrier_error", "partially_failed", "undetermined", "retry"] as const;

function choice(label: string, options: [string, string][]): HTMLSelectElement {
  return h("select", { "aria-label": label }, options.map(([value, text]) => h("option", { value }, text)));
}

export function logScreen(ctx: Ctx): void {
  const from = field("from", t("range_from", t("scheduled_range")), h("input", { type: "datetime-local", value: jstDate(0) + "T00:00", min: jstDate(-92) + "T00:00" }), {
    required: true,
  });
  const to = field("to", t("range_to", t("scheduled_range")), h("input", { type: "datetime-local", value: jstDate(1) + "T00:00" }), { required: true });
  const destination = field("destination", `${t("destination")}（${t("optional")}）`, h("input", { type: "tel", placeholder: "+8190… / 090…", autocomplete: "off" }));
  const incoming = field("incoming_number", `${t("incoming_filter")}（${t("optional")}）`, h("input", { type: "tel", placeholder: "+8150… / 050…", autocomplete: "off" }));
  const campaign = field("campaign", `${t("campaign_filter")}（${t("optional")}）`, h("input", { type: "text", autocomplete: "off" }));
  const status = field("status", t("col_status"), choice(t("col_status"), [["", t("any")], ...statuses.map((s): [string, string] => [s, t(("st_" + s) as TextKey)])]));
  const arrival = field(
    "arrival",
    t("arrival_filter"),
    choice(t("arrival_filter"), [
      ["", t("any")],
      ["delivered", t("arrival_delivered")],
      ["undelivered", t("arrival_undelivered")],
      ["pending", t("arrival_pending")],
    ]),
  );
  const size = choice(
    t("page_size"),
    pageSizes.map((n): [string, string] => [String(n), String(n)]),
  );
  size.value = "100";
  const encoding = choice(t("encoding"), [
    ["utf-8", "UTF-8 (BOM)"],
    ["shift_jis", "Shift_JIS"],
  ]);
  const note = notice();
  const results = h("div", { class: "results", "aria-live": "polite" });
  const fields = [from, to, destination, incoming, campaign, status, arrival];
  // The token of each page shown so far: tokens[i] fetches page i+1 ("" the first).
  let tokens: string[] = [""];
  let page = 0;

  const query = () => {
    const q = new URLSearchParams({ from: from.input.value, to: to.input.value });
    for (const f of [destination, incoming, campaign, status, arrival]) {
      const v = f.input.value.trim();
      if (v) q.set(f.name, v);
    }
    return q;
  };

  const show = async (n: number) => {
    note.clear();
    for (const f of fields) f.setError("");
    try {
      const q = query();
      q.set("limit", size.value);
      if (tokens[n]) q.set("next", tokens[n]);
      const r = await call<LogPage>("GET", "/v1/delivery-log?" + q.toString());
      page = n;
      tokens = tokens.slice(0, n + 1);
      if (r.next) tokens.push(r.next);
      render(r.rows);
    } catch (err) {
      fill(results);
      showProblems(err, fields, note);
    }
  };

  const render = (rows: LogRow[]) => {
    if (rows.length === 0 && page === 0) {
      fill(results, h("p", {}, t("no_results")));
      return;
    }
    const cols: [keyof LogRow, TextKey][] = [
      ["kind", "col_kind"],
      ["scheduled_at", "col_scheduled"],
      ["sent_at", "col_sent"],
      ["incoming_number", "col_incoming"],
      ["destination", "col_destination"],
      ["carrier", "col_carrier"],
      ["channel", "col_channel"],
      ["campaign", "col_campaign"],
      ["status", "col_status"],
    ];
    const prev = h("button", { type: "button", class: "secondary", disabled: page === 0 }, t("page_prev"));
    const next = h("button", { type: "button", class: "secondary", disabled: tokens.length <= page + 1 }, t("page_next"));
    prev.addEventListener("click", () => void busy(prev, () => show(page - 1)));
    next.addEventListener("click", () => void busy(next, () => show(page + 1)));
    fill(
      results,
      h("p", { class: "count" }, t("page_of", page + 1, rows.length)),
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
      h("nav", { class: "actions left pager", "aria-label": t("page_of", page + 1, rows.length) }, prev, next),
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
    [destination, incoming, campaign, status, arrival],
    () => {
      tokens = [""];
      return show(0);
    },
    [downloadButton, encoding, size],
  );

  fill(ctx.main, heading("log_title"), h("p", { class: "help" }, t("log_note")), note.el, form, results);
}
