// User management (guide §7): list, create with account roles, edit, delete, password reset.

import { call } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h } from "../dom.js";
import { t, type TextKey } from "../i18n.js";
import type { Role, Session, User } from "../types.js";
import { actionMenu, busy, confirmDialog, field, heading, notice, showProblems } from "../ui.js";

const assignable: Role[] = ["senior_admin", "admin", "member"];

function roleText(r: string): string {
  return t(("role_" + r) as TextKey);
}

export async function usersScreen(ctx: Ctx): Promise<void> {
  const s = ctx.session as Session;
  const note = notice();
  const { users } = await call<{ users: User[] }>("GET", "/v1/users");
  const accountName = (id: string) => s.accounts.find((a) => a.account_id === id)?.name ?? id;

  const rows = users.map((u) => {
    const items = [
      { label: t("edit_user"), desc: t("edit_user_desc"), run: () => ctx.go("#/user/" + u.user_id) },
      {
        label: t("delete"),
        desc: t("delete_user_desc"),
        danger: true,
        run: async () => {
          if (!(await confirmDialog(t("delete_user_confirm", u.email), t("delete"), true))) return;
          try {
            await call("DELETE", "/v1/users/" + u.user_id);
            ctx.flash("ok", t("user_deleted"));
            ctx.go("#/users");
          } catch (err) {
            showProblems(err, [], note);
          }
        },
      },
      {
        label: t("reset_user"),
        desc: t("reset_user_desc"),
        run: async () => {
          try {
            await call("POST", `/v1/users/${u.user_id}/password-reset`);
            note.show("ok", t("user_reset"));
          } catch (err) {
            showProblems(err, [], note);
          }
        },
      },
    ];
    return h(
      "tr",
      { "data-user": u.email },
      h("th", { scope: "row" }, u.name, !u.active ? h("span", { class: "badge muted" }, t("inactive")) : null),
      h("td", {}, u.email),
      h("td", {}, h("code", {}, u.user_id)),
      h("td", {}, h("ul", { class: "roles" }, u.roles.map((r) => h("li", {}, `${accountName(r.account_id)}: ${roleText(r.role)}`)))),
      h("td", { class: "menu-cell" }, actionMenu(t("menu"), items)),
    );
  });

  fill(
    ctx.main,
    heading("users_title"),
    note.el,
    h("div", { class: "actions left" }, h("a", { href: "#/user/new", class: "button primary" }, "+ ", t("new_user"))),
    h("p", { class: "count" }, t("results", users.length)),
    h(
      "table",
      { class: "list users" },
      h(
        "thead",
        {},
        h("tr", {}, h("th", {}, t("user_name")), h("th", {}, t("email")), h("th", {}, t("user_id")), h("th", {}, t("role")), h("th", {}, h("span", { class: "sr" }, t("menu")))),
      ),
      h("tbody", {}, rows),
    ),
  );
}

export async function userEditScreen(ctx: Ctx): Promise<void> {
  const s = ctx.session as Session;
  const id = ctx.params[0] ?? "new";
  const creating = id === "new";
  const user: User | null = creating ? null : await call<User>("GET", "/v1/users/" + id);
  const note = notice();

  const email = field("email", t("email"), h("input", { type: "email", value: user?.email ?? "", autocomplete: "off", readonly: !creating }), { required: true });
  const name = field("name", t("user_name"), h("input", { type: "text", value: user?.name ?? "", maxlength: 100 }), { required: true });
  const status = field(
    "active",
    t("status"),
    h("select", {}, h("option", { value: "true", selected: user?.active !== false }, t("active")), h("option", { value: "false", selected: user?.active === false }, t("inactive"))),
    { required: true },
  );
  const accounts = s.accounts.filter((a) => !a.terminated);
  const roleRows = h("ul", { class: "role-rows" });
  const rolesError = h("p", { class: "field-error", role: "alert", hidden: true });
  const rolesField = {
    name: "roles",
    row: h("div"),
    input: h("select") as HTMLSelectElement,
    setError(m: string) {
      rolesError.textContent = m;
      rolesError.hidden = m === "";
    },
  };

  const addRole = (accountId = accounts[0]?.account_id ?? "", role: Role = "member") => {
    const acc = h("select", { "aria-label": t("account"), class: "role-account" }, accounts.map((a) => h("option", { value: a.account_id, selected: a.account_id === accountId }, a.name)));
    const choices: Role[] = role === "enterprise_admin" ? ["enterprise_admin", ...assignable] : assignable;
    const r = h("select", { "aria-label": t("role"), class: "role-role" }, choices.map((c) => h("option", { value: c, selected: c === role }, roleText(c))));
    const li = h("li", {}, acc, r, h("button", { type: "button", class: "secondary", onclick: () => li.remove() }, t("remove")));
    roleRows.appendChild(li);
    r.focus();
  };
  for (const r of user?.roles ?? []) addRole(r.account_id, r.role);
  if (creating) addRole();

  const save = h("button", { type: "submit", class: "primary" }, creating ? t("new_user") : t("save"));
  const form = h(
    "form",
    { class: "card", novalidate: true },
    heading(creating ? "new_user_title" : "edit_user_title"),
    note.el,
    email.row,
    name.row,
    h(
      "fieldset",
      { class: "roles" },
      h("legend", {}, t("role"), h("span", { class: "req" }, "*")),
      h("p", { class: "help" }, t("roles_help")),
      roleRows,
      rolesError,
      h("button", { type: "button", class: "secondary", onclick: () => addRole() }, "+ ", t("add_role")),
    ),
    status.row,
    creating ? h("p", { class: "help" }, t("create_note")) : null,
    h("p", { class: "help" }, t("required_note")),
    h("div", { class: "actions" }, h("a", { href: "#/users", class: "button secondary" }, t("cancel")), save),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const roles = [...roleRows.querySelectorAll("li")].map((li) => ({
      account_id: (li.querySelector(".role-account") as HTMLSelectElement).value,
      role: (li.querySelector(".role-role") as HTMLSelectElement).value,
    }));
    const body: Record<string, unknown> = { name: name.input.value.trim(), roles, active: status.input.value === "true" };
    if (creating) body.email = email.input.value.trim();
    void busy(save, async () => {
      try {
        await call(creating ? "POST" : "PUT", creating ? "/v1/users" : "/v1/users/" + id, body);
        ctx.flash("ok", creating ? t("user_created") : t("user_saved"));
        ctx.go("#/users");
      } catch (err) {
        showProblems(err, [email, name, status, rolesField], note);
      }
    });
  });
  fill(ctx.main, form);
}
