// The portal's shell: session, hash routing, header, side menu, language toggle.

import { call, whenLoggedOut } from "./api.js";
import type { Ctx, Route } from "./app.js";
import { fill, h } from "./dom.js";
import { lang, setLang, t, type TextKey } from "./i18n.js";
import type { Session } from "./types.js";
import { actionMenu, heading, notice } from "./ui.js";
import { accountsScreen } from "./views/accounts.js";
import { countsScreen } from "./views/counts.js";
import { flowScreen, publishedScreen } from "./views/flow.js";
import { loginScreen } from "./views/login.js";
import { logScreen } from "./views/log.js";
import { numbersScreen } from "./views/numbers.js";
import { changePasswordScreen, forgotScreen, resetScreen } from "./views/password.js";
import { banner } from "./notices.js";
import { auditScreen } from "./views/audit.js";
import { supportScreen } from "./views/support.js";
import { usageScreen } from "./views/usage.js";
import { userEditScreen, usersScreen } from "./views/users.js";

const routes: Record<string, Route> = {
  login: { screen: loginScreen, public: true },
  forgot: { screen: forgotScreen, public: true },
  reset: { screen: resetScreen, public: true },
  password: { screen: changePasswordScreen, beforeAccount: true },
  accounts: { screen: accountsScreen, beforeAccount: true },
  numbers: { screen: numbersScreen, needs: "flows_edit" },
  flows: { screen: flowScreen, needs: "flows_edit" },
  published: { screen: publishedScreen, needs: "flows_edit" },
  log: { screen: logScreen, needs: "logs_view" },
  counts: { screen: countsScreen, needs: "logs_view" },
  usage: { screen: usageScreen, needs: "logs_view" },
  audit: { screen: auditScreen, needs: "users_manage" },
  users: { screen: usersScreen, needs: "users_manage" },
  user: { screen: userEditScreen, needs: "users_manage" },
  support: { screen: supportScreen },
};

const nav: { route: string; label: TextKey; needs?: Route["needs"] }[] = [
  { route: "numbers", label: "nav_numbers", needs: "flows_edit" },
  { route: "log", label: "nav_log", needs: "logs_view" },
  { route: "counts", label: "nav_counts", needs: "logs_view" },
  { route: "usage", label: "nav_usage", needs: "logs_view" },
  { route: "users", label: "nav_users", needs: "users_manage" },
  { route: "audit", label: "nav_audit", needs: "users_manage" },
  { route: "support", label: "nav_support" },
];

// Screens reached from a menu entry, highlighted under it.
const menuOf: Record<string, string> = { flows: "numbers", published: "numbers", user: "users" };

let session: Session | null = null;
let currentBanner: ReturnType<typeof banner> | null = null;
// A banner appears and goes without a reload: the screen's notices are read again each minute.
window.setInterval(() => void currentBanner?.refresh(), 60000);
let pending: { kind: "ok" | "info" | "error"; text: string } | null = null;
const root = document.getElementById("app") as HTMLElement;

function go(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function parseHash(): { name: string; params: string[]; query: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, q = ""] = raw.split("?", 2);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] ?? "", params: parts.slice(1), query: new URLSearchParams(q) };
}

/** Where a session may be right now, whatever was asked for. */
function allowed(name: string): string {
  const r = routes[name];
  if (!session) return r?.public ? name : "login";
  if (session.password_change_required) return "password";
  if (r?.public || !r) return session.account_id ? "numbers" : "accounts";
  if (!session.account_id && !r.beforeAccount) return "accounts";
  return name;
}

function header(): HTMLElement {
  const langButton = h(
    "button",
    {
      type: "button",
      class: "lang",
      "aria-label": t("language_label"),
      onclick: () => {
        setLang(lang() === "ja" ? "en" : "ja");
        void render();
      },
    },
    t("language"),
  );
  const items: HTMLElement[] = [langButton];
  if (session) {
    const roleKey = ("role_" + session.role) as TextKey;
    const account = session.accounts.find((a) => a.account_id === session?.account_id);
    const entries = [
      { label: t("change_title"), run: () => go("#/password") },
      { label: t("logout"), run: () => void logout() },
    ];
    if (session.accounts.length > 1 && !session.password_change_required)
      entries.unshift({ label: t("switch_account"), run: () => go("#/accounts") });
    if (account) items.unshift(h("span", { class: "who" }, account.name, " ", h("small", {}, session.user.name)));
    items.push(actionMenu(session.account_id ? t(roleKey) : session.user.name, entries));
  }
  return h(
    "header",
    { class: "top" },
    h("a", { class: "brand", href: session?.account_id ? "#/numbers" : "#/login" }, t("product")),
    h("div", { class: "top-right" }, items),
  );
}

function sideMenu(current: string): HTMLElement {
  const p = session?.permissions;
  return h(
    "nav",
    { class: "side", "aria-label": t("menu") },
    h(
      "ul",
      {},
      nav
        .filter((n) => !n.needs || (p && p[n.needs]))
        .map((n) =>
          h(
            "li",
            {},
            h(
              "a",
              {
                href: "#/" + n.route,
                "data-route": n.route,
                "aria-current": (menuOf[current] ?? current) === n.route ? "page" : null,
              },
              t(n.label),
            ),
          ),
        ),
    ),
  );
}

async function logout(): Promise<void> {
  try {
    await call("DELETE", "/v1/session");
  } catch {
    // gone already: the same outcome
  }
  session = null;
  go("#/login");
}

async function render(): Promise<void> {
  const { name, params, query } = parseHash();
  const target = allowed(name);
  if (target !== name) {
    location.replace("#/" + target);
    return;
  }
  const route = routes[target];
  const main = h("main", { id: "main" });
  const flash = notice();
  if (pending) {
    flash.show(pending.kind, pending.text);
    pending = null;
  }
  const withMenu = session && session.account_id && !session.password_change_required && !route.public;
  // Faults and maintenance of the account, on every screen once an account is chosen.
  const notices = banner();
  currentBanner = withMenu ? notices : null;
  fill(
    root,
    h("button", { type: "button", class: "skip", onclick: () => main.focus() }, t("skip")),
    header(),
    withMenu
      ? h("div", { class: "layout" }, sideMenu(target), h("div", { class: "content" }, notices.el, flash.el, main))
      : h("div", { class: "single" }, flash.el, main),
  );
  if (withMenu) void notices.refresh();
  main.tabIndex = -1;
  const ctx: Ctx = {
    main,
    session,
    params,
    query,
    go,
    setSession(s) {
      session = s;
    },
    flash(kind, text) {
      pending = { kind, text };
    },
  };
  if (route.needs && !session?.permissions[route.needs]) {
    fill(main, heading("forbidden_screen"));
    return;
  }
  document.title = t("product");
  try {
    await route.screen(ctx);
  } catch (err) {
    fill(main, h("p", { class: "notice notice-error", role: "alert" }, t("error_generic", String(err))));
  }
  (main.querySelector("h1") as HTMLElement | null)?.focus();
  const h1 = main.querySelector("h1")?.textContent;
  if (h1) document.title = h1 + " | " + t("product");
}

whenLoggedOut(() => {
  if (!session) return;
  session = null;
  pending = { kind: "info", text: t("logged_out_idle") };
  go("#/login");
});

window.addEventListener("hashchange", () => void render());

async function start(): Promise<void> {
  try {
    session = await call<Session>("GET", "/v1/session");
  } catch {
    session = null;
  }
  await render();
}

void start();
