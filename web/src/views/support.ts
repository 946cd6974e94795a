// Support (guide §8.1): maintenance notices, FAQ and how to reach the operator.

import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t } from "../i18n.js";
import { heading } from "../ui.js";

export function supportScreen(ctx: Ctx): void {
  const faq: ["faq_1q" | "faq_2q" | "faq_3q", "faq_1a" | "faq_2a" | "faq_3a"][] = [
    ["faq_1q", "faq_1a"],
    ["faq_2q", "faq_2a"],
    ["faq_3q", "faq_3a"],
  ];
  fill(
    ctx.main,
    heading("support_title"),
    h("p", {}, t("support_intro")),
    h("section", { class: "card" }, h("h2", {}, t("support_maintenance")), h("p", {}, t("support_maintenance_text"))),
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("support_faq")),
      faq.map(([q, a]) => h("details", { class: "faq" }, h("summary", {}, t(q)), h("p", {}, t(a)))),
    ),
    h("section", { class: "card" }, h("h2", {}, t("support_contact")), h("p", {}, t("support_contact_text"))),
  );
}
