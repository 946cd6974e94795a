// Support (guide §8.1): faults and maintenance of the account, FAQ and how to reach the operator.

import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { accountNotices, noticeTable } from "../notices.js";
import { heading } from "../ui.js";

export async function supportScreen(ctx: Ctx): Promise<void> {
  const faq: ["faq_1q" | "faq_2q" | "faq_3q", "faq_1a" | "faq_2a" | "faq_3a"][] = [
    ["faq_1q", "faq_1a"],
    ["faq_2q", "faq_2a"],
    ["faq_3q", "faq_3a"],
  ];
  const notices = ctx.session?.account_id ? await accountNotices() : { current: [], history: [] };
  fill(
    ctx.main,
    heading("support_title"),
    h("p", {}, t("support_intro")),
    h(
      "section",
      { class: "card", "aria-labelledby": "notices-now" },
      h("h2", { id: "notices-now" }, t("support_maintenance")),
      h("p", {}, t("support_maintenance_text")),
      h("h3", {}, t("notices_current")),
      noticeTable(notices.current),
      h("h3", {}, t("notices_history")),
      noticeTable(notices.history),
    ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("support_faq")),
      faq.map(([q, a]) => h("details", { class: "faq" }, h("summary", {}, t(q)), h("p", {}, t(a)))),
    ),
    h("section", { class: "card" }, h("h2", {}, t("support_contact")), h("p", {}, t("support_contact_text"))),
  );
}
