// Faults and maintenance affecting the account (product.md §7): the banner every screen shows,
// and the support screen's list.

import { call } from "./api.js";
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";
import type { AccountNotices, Notice } from "./types.js";

/** The banner's text of one notice. */
export function noticeText(n: Notice): string {
  if (n.kind === "fault") return t("banner_fault", n.starts_at, n.impact);
  return t(n.phase === "ongoing" ? "banner_maintenance_now" : "banner_maintenance", n.starts_at, n.ends_at, n.impact);
}

/** The account's notices; none when they cannot be read (the banner is not worth an error). */
export async function accountNotices(): Promise<AccountNotices> {
  try {
    return await call<AccountNotices>("GET", "/v1/notices");
  } catch {
    return { current: [], history: [] };
  }
}

/** The banner: current faults and upcoming or ongoing maintenance; hidden when there are none. */
export function banner(): { el: HTMLElement; refresh(): Promise<void> } {
  const el = h("div", { class: "banners", role: "region", "aria-label": t("banner_label"), hidden: true });
  return {
    el,
    async refresh() {
      const { current } = await accountNotices();
      fill(
        el,
        current.map((n) =>
          h("p", { class: "banner banner-" + n.kind, "data-notice": n.notice_id, role: n.kind === "fault" ? "alert" : "status" }, noticeText(n)),
        ),
      );
      el.hidden = current.length === 0;
    },
  };
}

/** The history table of the support screen. */
export function noticeTable(list: Notice[]): HTMLElement {
  if (list.length === 0) return h("p", {}, t("notices_none"));
  return h(
    "table",
    { class: "list notices" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [t("notice_kind"), t("notice_from"), t("notice_to"), t("notice_impact"), t("notice_state")].map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    h(
      "tbody",
      {},
      list.map((n) =>
        h(
          "tr",
          { "data-notice": n.notice_id },
          h("td", {}, t(n.kind === "fault" ? "notice_fault" : "notice_maintenance")),
          h("td", {}, n.starts_at),
          h("td", {}, n.ends_at || t("notice_continuing")),
          h("td", {}, n.recovery_impact || n.impact),
          h("td", {}, t(("phase_" + n.phase) as "phase_over")),
        ),
      ),
    ),
  );
}
