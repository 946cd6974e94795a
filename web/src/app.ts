// What a screen gets: where to draw, the session, and how to move on.

import type { Permissions, Session } from "./types.js";

export interface Ctx {
  /** The screen's area. */
  main: HTMLElement;
  /** The current session (null on the public screens). */
  session: Session | null;
  /** Route parameters (the parts of the hash path after the screen's name). */
  params: string[];
  /** Query parameters of the hash (#/reset?email=…&code=…). */
  query: URLSearchParams;
  /** Goes to another screen ("#/numbers"). */
  go(hash: string): void;
  /** Sets the session after login, account choice or password change (then `go`). */
  setSession(s: Session | null): void;
  /** A message to show on the next screen (after a redirect). */
  flash(kind: "ok" | "info" | "error", text: string): void;
}

export type Screen = (ctx: Ctx) => void | Promise<void>;

export interface Route {
  screen: Screen;
  /** Shown without a session (login, reset). */
  public?: boolean;
  /** Needs this permission on the chosen account; the menu hides it otherwise. */
  needs?: keyof Permissions;
  /** Allowed before the account is chosen / while a password change is forced. */
  beforeAccount?: boolean;
}
