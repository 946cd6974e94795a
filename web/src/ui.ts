// Pieces every screen uses: labelled fields with inline errors, notices, confirmation dialogs.

import { ApiError } from "./api.js";
import { fill, h, uid } from "./dom.js";
import { errorText, t, type TextKey } from "./i18n.js";

/** A labelled input whose inline error can be set by field name (the API's `details[].field`). */
export interface Field {
  name: string;
  row: HTMLElement;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  setError(message: string): void;
}

export function field(
  name: string,
  label: string,
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  opts: { required?: boolean; help?: string } = {},
): Field {
  input.id ||= uid(name.replace(/[^a-z0-9]/gi, "-"));
  input.name ||= name;
  const error = h("p", { class: "field-error", id: input.id + "-error", role: "alert", hidden: true });
  const help = opts.help ? h("p", { class: "help", id: input.id + "-help" }, opts.help) : null;
  input.setAttribute("aria-describedby", [help?.id, error.id].filter(Boolean).join(" "));
  if (opts.required) input.required = true;
  const row = h(
    "div",
    { class: "field" },
    h("label", { for: input.id }, label, opts.required ? h("span", { class: "req" }, "*") : null),
    input,
    help,
    error,
  );
  return {
    name,
    row,
    input,
    setError(message: string) {
      error.textContent = message;
      error.hidden = message === "";
      input.setAttribute("aria-invalid", message === "" ? "false" : "true");
    },
  };
}

/** A notice area at the top of a form or screen. */
export function notice(): { el: HTMLElement; show(kind: "error" | "ok" | "info", text: string): void; clear(): void } {
  const el = h("div", { class: "notice", role: "status", "aria-live": "polite", hidden: true });
  return {
    el,
    show(kind, text) {
      el.className = "notice notice-" + kind;
      el.setAttribute("role", kind === "error" ? "alert" : "status");
      el.textContent = text;
      el.hidden = false;
    },
    clear() {
      el.hidden = true;
      el.textContent = "";
    },
  };
}

/**
 * Shows an API refusal: each detail next to its field (matched by name, or by the name before
 * `[` or `.`), in the notice when no field takes it.
 */
export function showProblems(
  err: unknown,
  fields: Field[],
  note: ReturnType<typeof notice>,
): void {
  for (const f of fields) f.setError("");
  if (!(err instanceof ApiError)) {
    note.show("error", t("error_generic", String(err)));
    return;
  }
  let placed = false;
  for (const d of err.details) {
    const f =
      fields.find((x) => x.name === d.field) ??
      fields.find((x) => d.field.startsWith(x.name + "[") || d.field.startsWith(x.name + "."));
    if (f) {
      f.setError(errorText(d.code, d.message));
      placed = true;
    }
  }
  if (placed) {
    const first = fields.find((f) => f.input.getAttribute("aria-invalid") === "true");
    first?.input.focus();
    note.clear();
  } else {
    note.show("error", errorText(err.code, err.message));
  }
}

/** A modal confirmation (native <dialog>: focus trap and Escape come with it). */
export function confirmDialog(message: string, confirmLabel: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-label": message });
    const done = (v: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(v);
    };
    fill(
      dialog,
      h("p", {}, message),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => done(false) }, t("cancel")),
        h(
          "button",
          { type: "button", class: danger ? "danger" : "primary", onclick: () => done(true) },
          confirmLabel,
        ),
      ),
    );
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (dialog.querySelector("button.secondary") as HTMLButtonElement).focus();
  });
}

/** A button that shows it is busy while `work` runs (and cannot be pressed twice). */
export function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  return work().finally(() => {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  });
}

/**
 * A search card of the report screens: `from 〜 to` and the other criteria in one row, the search
 * button and `actions` under it, `extra` below; submitting runs `run` with the button busy.
 */
export function searchForm(
  range: [Field, Field],
  criteria: Field[],
  run: () => Promise<void>,
  actions: HTMLElement[] = [],
  extra: HTMLElement | null = null,
): HTMLFormElement {
  const searchButton = h("button", { type: "submit", class: "primary" }, t("search"));
  const form = h(
    "form",
    { class: "card search", novalidate: true },
    h("div", { class: "row" }, range[0].row, h("span", { class: "tilde" }, "〜"), range[1].row, criteria.map((f) => f.row)),
    h("div", { class: "actions left" }, searchButton, actions),
    extra,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(searchButton, run);
  });
  return form;
}

/** A screen heading that takes focus when the screen opens (keyboard and screen-reader users). */
export function heading(key: TextKey, extra?: string): HTMLHeadingElement {
  return h("h1", { tabindex: -1 }, t(key), extra ? " " + extra : "");
}

/** A dropdown menu of actions (a disclosure button; Escape closes it). */
export function actionMenu(label: string, items: { label: string; desc?: string; run: () => void; danger?: boolean }[]): HTMLElement {
  const list = h("ul", { class: "menu-list", role: "menu", hidden: true });
  const toggle = h("button", { type: "button", class: "menu-button", "aria-haspopup": "menu", "aria-expanded": "false" }, label, " ▼");
  const wrap = h("div", { class: "menu" }, toggle, list);
  const close = () => {
    list.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
  };
  toggle.addEventListener("click", () => {
    const open = list.hidden;
    document.querySelectorAll(".menu-list").forEach((m) => ((m as HTMLElement).hidden = true));
    list.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) (list.querySelector("button") as HTMLButtonElement | null)?.focus();
  });
  wrap.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      close();
      toggle.focus();
    }
  });
  for (const item of items) {
    list.appendChild(
      h(
        "li",
        { role: "none" },
        h(
          "button",
          {
            type: "button",
            role: "menuitem",
            class: item.danger ? "danger-text" : "",
            title: item.desc ?? null,
            onclick: () => {
              close();
              item.run();
            },
          },
          item.label,
        ),
      ),
    );
  }
  return wrap;
}

document.addEventListener("click", (e) => {
  if (!(e.target as Element).closest(".menu"))
    document.querySelectorAll(".menu-list").forEach((m) => {
      (m as HTMLElement).hidden = true;
      m.previousElementSibling?.setAttribute("aria-expanded", "false");
    });
});

/** +8150… as the list shows it (the API already gives international form for log rows). */
export function international(national: string): string {
  const digits = national.replace(/[^0-9+]/g, "");
  return digits.startsWith("0") ? "+81" + digits.slice(1) : digits;
}

/** The password rules of product.md §6, with the API's codes (checked again by the API). */
export function passwordProblems(pw: string): string[] {
  const out: string[] = [];
  if (pw.length < 10) out.push("password_too_short");
  if (/\s/.test(pw)) out.push("password_has_whitespace");
  if (!/[A-Z]/.test(pw)) out.push("password_needs_upper");
  if (!/[a-z]/.test(pw)) out.push("password_needs_lower");
  if (!/[0-9]/.test(pw)) out.push("password_needs_digit");
  if (!/[^A-Za-z0-9\s]/.test(pw)) out.push("password_needs_symbol");
  return out;
}
