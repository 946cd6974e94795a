// The flow editor (guide §4.3): six guidance steps, SMS settings, save draft, publish; and the
// read-only published flow.

import { ApiError, call, fetchBlob, upload } from "../api.js";
import type { Ctx } from "../app.js";
import { fill, h, uid } from "../dom.js";
import { errorText, t, type TextKey } from "../i18n.js";
import type { Draft, PublishedFlow, Session, SmsPreview, SmsSettings, Step } from "../types.js";
import { busy, confirmDialog, field, heading, international, notice, showProblems } from "../ui.js";

const stepMarks = ["", "①", "②", "③", "④", "⑤", "⑥"];
const editable = [1, 2, 4, 5];
const maxStepChars = 100;
const maxBodyChars = 660;

/** 音声確認: fetches the step's audio (TTS for text) and plays it in an <audio> element. */
function listenButton(path: string, slot: HTMLElement): HTMLButtonElement {
  const button = h("button", { type: "button", class: "secondary listen" }, "▶ ", t("listen"));
  button.addEventListener("click", () =>
    void busy(button, async () => {
      fill(slot, h("span", { class: "help" }, t("loading_audio")));
      try {
        const blob = await fetchBlob(path);
        const audio = h("audio", { controls: true, src: URL.createObjectURL(blob) });
        fill(slot, audio);
        await audio.play().catch(() => undefined);  // autoplay may be refused; the controls stay
      } catch (err) {
        fill(slot, h("span", { class: "field-error", role: "alert" }, err instanceof ApiError ? errorText(err.code, err.message) : String(err)));
      }
    }),
  );
  return button;
}

function stepSummary(s: Step): HTMLElement {
  if (s.kind === "text") return h("p", { class: "step-text" }, s.text);
  if (s.kind === "audio") {
    const id = (s.audio_url.split("/").pop() ?? "").replace(/\.wav$/, "");
    return h("p", { class: "step-text" }, t("kind_audio"), " ", h("code", { title: id }, id.slice(0, 12)));
  }
  return h("p", { class: "step-text muted" }, t("kind_empty"));
}

/** ③ and ⑥ are the system's own; ⑥ speaks (the configured closing text), ③ only listens. */
function fixedStep(step: number, audioBase: string): HTMLElement {
  const player = h("div", { class: "player" });
  return h(
    "li",
    { class: "step fixed", "data-step": step },
    h("h3", {}, stepMarks[step], " ", t(("step_" + step) as TextKey)),
    h("p", { class: "help" }, h("span", { class: "badge muted" }, t("fixed")), " ", t("fixed_step")),
    step === 6 ? h("div", { class: "actions left" }, listenButton(`${audioBase}/steps/${step}/audio`, player)) : null,
    player,
  );
}

/**
 * The draft's saves still on their way. Publishing waits for them: the server publishes the
 * draft it has, and a save answered after a refused publish would overwrite the refusal's
 * message with "draft saved".
 */
class Saves {
  private readonly pending = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = () => this.pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  settled(): Promise<unknown> {
    return Promise.allSettled([...this.pending]);
  }
}

interface StepCtx {
  number: string;
  note: ReturnType<typeof notice>;
  saves: Saves;
  reload(): Promise<unknown>;
}

function editableStep(step: number, current: Step, sc: StepCtx): HTMLElement {
  const item = h("li", { class: "step", "data-step": step });
  const base = `/v1/flows/${sc.number}/draft/steps/${step}`;
  const player = h("div", { class: "player" });

  const view = () => {
    const edit = h("button", { type: "button", class: "secondary", onclick: () => editor() }, t("edit_step"));
    const del = h("button", { type: "button", class: "secondary danger-text" }, t("delete_step"));
    del.addEventListener("click", () =>
      void busy(del, async () => {
        try {
          await sc.saves.track(call("DELETE", base));
          await sc.reload();
        } catch (err) {
          showProblems(err, [], sc.note);
        }
      }),
    );
    fill(
      item,
      h("h3", {}, stepMarks[step], " ", t(("step_" + step) as TextKey)),
      stepSummary(current),
      h("div", { class: "actions left" }, edit, current.kind !== "empty" ? del : null, current.kind !== "empty" ? listenButton(base + "/audio", player) : null),
      player,
    );
  };

  const editor = () => {
    const kindName = uid("kind");
    const locked = current.kind !== "empty";  // switching kind needs a delete first (guide §4.3)
    const kindText = h("input", { type: "radio", name: kindName, value: "text", checked: current.kind !== "audio", disabled: locked && current.kind === "audio" });
    const kindAudio = h("input", { type: "radio", name: kindName, value: "audio", checked: current.kind === "audio", disabled: locked && current.kind === "text" });
    const textInput = h("input", { type: "text", value: current.kind === "text" ? current.text : "", maxlength: 200 });
    const counter = h("span", { class: "counter", "aria-live": "polite" });
    const text = field(`steps.${step}.text`, t("kind_text"), textInput, { required: true });
    text.row.appendChild(counter);
    const fileInput = h("input", { type: "file", accept: ".wav,audio/wav,audio/x-wav" });
    const file = field("file", t("kind_audio"), fileInput, { required: true, help: t("audio_rules") });
    const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": t("uploading") });
    file.row.appendChild(progress);
    const localNote = notice();
    const count = () => {
      const n = [...textInput.value].length;
      counter.textContent = t("chars", n, maxStepChars);
      counter.classList.toggle("over", n > maxStepChars);
      text.setError(n > maxStepChars ? errorText("text_too_long", "") : "");
    };
    textInput.addEventListener("input", count);
    count();
    const showKind = () => {
      text.row.hidden = !kindText.checked;
      file.row.hidden = !kindAudio.checked;
    };
    kindText.addEventListener("change", showKind);
    kindAudio.addEventListener("change", showKind);
    const save = h("button", { type: "submit", class: "primary" }, t("save_draft"));
    const form = h(
      "form",
      { class: "step-editor", novalidate: true },
      h(
        "fieldset",
        { class: "kinds" },
        h("legend", {}, t("guidance_kind"), h("span", { class: "req" }, "*")),
        h("label", {}, kindText, " ", t("kind_text")),
        h("label", {}, kindAudio, " ", t("kind_audio")),
        locked ? h("p", { class: "help" }, t("switch_kind_hint")) : null,
      ),
      localNote.el,
      text.row,
      file.row,
      h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => view() }, t("cancel")), save),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void busy(save, async () => {
        try {
          if (kindText.checked) {
            await sc.saves.track(call("PUT", base, { text: textInput.value }));
          } else {
            const f = fileInput.files?.[0];
            if (!f) {
              file.setError(errorText("required", ""));
              return;
            }
            progress.hidden = false;
            await sc.saves.track(upload("PUT", base + "/audio", f, (sent, total) => (progress.value = total ? Math.round((100 * sent) / total) : 0)));
          }
          sc.note.show("ok", t("draft_saved"));
          await sc.reload();
        } catch (err) {
          progress.hidden = true;
          showProblems(err, [text, file], localNote);
        }
      });
    });
    fill(item, h("h3", {}, stepMarks[step], " ", t(("step_" + step) as TextKey)), form);
    showKind();
    (kindText.checked ? textInput : fileInput).focus();
  };

  view();
  return item;
}

function segmentsTable(p: SmsPreview | null): HTMLElement {
  const carriers: ["au" | "docomo" | "softbank" | "rakuten", TextKey][] = [
    ["au", "carrier_au"],
    ["docomo", "carrier_docomo"],
    ["softbank", "carrier_softbank"],
    ["rakuten", "carrier_rakuten"],
  ];
  return h(
    "table",
    { class: "segments" },
    h("caption", {}, t("segments")),
    h("thead", {}, h("tr", {}, carriers.map(([, k]) => h("th", { scope: "col" }, t(k))))),
    h(
      "tbody",
      {},
      h(
        "tr",
        {},
        carriers.map(([c]) => {
          const n = p?.segments[c];
          return h("td", { "data-carrier": c, class: n === null ? "over" : "" }, p ? (n === null || n === undefined ? t("over_limit") : String(n)) : "—");
        }),
      ),
    ),
  );
}

function smsEditor(d: Draft, number: string, note: ReturnType<typeof notice>, saves: Saves): HTMLElement {
  const saved: SmsSettings = { ...d.sms };
  const sender = h("select", {}, d.sender_ids.map((s) => h("option", { value: s, selected: s === d.sms.sender_id }, s)));
  const senderField = field("sms.sender_id", t("sender_id"), sender, { required: true, help: t("sender_id_help") });
  const body = h("textarea", { rows: 6 });
  body.value = d.sms.body;
  const bodyField = field("sms.body", t("body"), body, { required: true, help: t("body_help") });
  const counter = h("p", { class: "counter", "aria-live": "polite" });
  const differ = h("p", { class: "help warn" });
  const segs = h("div", { class: "segments-wrap" }, segmentsTable(null));
  bodyField.row.append(counter, differ, segs);
  const shortUrls = h("input", { type: "checkbox", role: "switch", checked: d.sms.short_urls });
  const shortField = field("sms.short_urls", t("short_urls"), shortUrls, { help: t("short_urls_help") });
  shortField.row.classList.add("switch");
  const localNote = notice();

  let seq = 0;
  let timer = 0;
  const preview = async () => {
    const mine = ++seq;
    try {
      const p = await call<SmsPreview>("POST", "/v1/sms/preview", {
        body: body.value,
        short_urls: shortUrls.checked,
        sender_id: sender.value,
      });
      if (mine !== seq) return;  // a newer keystroke's answer is on its way
      fill(segs, segmentsTable(p));
      differ.textContent = p.length_may_differ ? t("length_may_differ") + " " + t("sent_length", p.sent_length) : "";
      const bodyProblem = p.problems.find((x) => x.field === "sms.body" || x.field === "body");
      bodyField.setError(bodyProblem && bodyProblem.code !== "required" ? errorText(bodyProblem.code, bodyProblem.message) : "");
    } catch {
      // the counter still shows the local length; saving reports any refusal
    }
  };
  const update = () => {
    const n = body.value.length;  // UTF-16 code units, as the carriers count (product.md §3)
    counter.textContent = t("chars", n, maxBodyChars);
    counter.classList.toggle("over", n > maxBodyChars);
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void preview(), 150);
  };
  body.addEventListener("input", update);
  shortUrls.addEventListener("change", update);
  update();

  const save = h("button", { type: "submit", class: "primary" }, t("save_draft"));
  const cancel = h("button", { type: "button", class: "secondary" }, t("cancel"));
  cancel.addEventListener("click", () => {
    sender.value = saved.sender_id;
    body.value = saved.body;
    shortUrls.checked = saved.short_urls;
    for (const f of [senderField, bodyField]) f.setError("");
    update();
  });
  const form = h(
    "form",
    { class: "card sms", novalidate: true },
    h("h2", {}, t("sms_settings")),
    localNote.el,
    senderField.row,
    bodyField.row,
    shortField.row,
    h("div", { class: "actions" }, cancel, save),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(save, async () => {
      try {
        const sms = { sender_id: sender.value, body: body.value, short_urls: shortUrls.checked };
        await saves.track(call("PUT", `/v1/flows/${number}/draft/sms`, sms));
        Object.assign(saved, sms);
        localNote.clear();
        for (const f of [senderField, bodyField]) f.setError("");
        note.show("ok", t("draft_saved"));
        note.el.scrollIntoView({ block: "nearest" });
      } catch (err) {
        showProblems(err, [senderField, bodyField, shortField], localNote);
      }
    });
  });
  return form;
}

export async function flowScreen(ctx: Ctx): Promise<void> {
  const number = ctx.params[0] ?? "";
  const s = ctx.session as Session;
  const note = notice();
  const saves = new Saves();
  const stepsList = h("ol", { class: "steps" });
  const draftState = h("p", { class: "help" });

  const reload = async () => {
    const d = await call<Draft>("GET", `/v1/flows/${number}/draft`);
    draftState.textContent = d.updated_at ? `${t("state_draft")}: ${d.updated_at}` : "";
    fill(
      stepsList,
      [1, 2, 3, 4, 5, 6].map((n) => (editable.includes(n) ? editableStep(n, d.steps[String(n)] ?? { kind: "empty" }, { number, note, saves, reload }) : fixedStep(n, `/v1/flows/${number}/draft`))),
    );
    return d;
  };
  const d = await reload();

  const publish = h("button", { type: "button", class: "primary big" }, t("publish"));
  publish.addEventListener("click", async () => {
    if (!(await confirmDialog(t("publish_confirm"), t("publish")))) return;
    await busy(publish, async () => {
      await saves.settled();
      try {
        await call("POST", `/v1/flows/${number}/publish`);
        ctx.flash("ok", t("published_ok"));
        ctx.go("#/published/" + number);
      } catch (err) {
        showProblems(err, [], note);
        note.el.scrollIntoView({ block: "nearest" });
      }
    });
  });

  fill(
    ctx.main,
    h("p", {}, h("a", { href: "#/numbers" }, "← ", t("back"))),
    heading("editor_title", international(number)),
    draftState,
    note.el,
    h("section", { class: "card" }, h("h2", {}, t("guidance")), h("p", { class: "help" }, t("guidance_intro")), stepsList),
    smsEditor(d, number, note, saves),
    s.permissions.flows_publish ? h("div", { class: "actions publish-bar" }, publish) : null,
  );
}

export async function publishedScreen(ctx: Ctx): Promise<void> {
  const number = ctx.params[0] ?? "";
  let f: PublishedFlow;
  try {
    f = await call<PublishedFlow>("GET", `/v1/flows/${number}/published`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      fill(ctx.main, heading("published_title"), h("p", {}, t("not_published_yet")));
      return;
    }
    throw err;
  }
  const steps = [1, 2, 3, 4, 5, 6].map((n) => {
    if (!editable.includes(n)) return fixedStep(n, `/v1/flows/${number}/published`);
    const player = h("div", { class: "player" });
    const st = f.steps[String(n)] ?? { kind: "empty" };
    return h(
      "li",
      { class: "step", "data-step": n },
      h("h3", {}, stepMarks[n], " ", t(("step_" + n) as TextKey)),
      stepSummary(st),
      st.kind !== "empty" ? h("div", { class: "actions left" }, listenButton(`/v1/flows/${number}/published/steps/${n}/audio`, player)) : null,
      player,
    );
  });
  fill(
    ctx.main,
    h("p", {}, h("a", { href: "#/numbers" }, "← ", t("back"))),
    heading("published_title", international(number)),
    h("dl", { class: "facts" }, h("dt", {}, t("published_at")), h("dd", {}, f.published_at), h("dt", {}, "ID"), h("dd", {}, h("code", {}, f.version_id))),
    h("section", { class: "card" }, h("h2", {}, t("guidance")), h("ol", { class: "steps" }, steps)),
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("sms_settings")),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("sender_id")),
        h("dd", {}, f.sms.sender_id),
        h("dt", {}, t("body")),
        h("dd", { class: "sms-body" }, f.sms.body),
        h("dt", {}, t("short_urls")),
        h("dd", {}, f.sms.short_urls ? "ON" : "OFF"),
      ),
    ),
    h("p", {}, h("a", { href: "#/flows/" + number, class: "button secondary" }, t("edit"))),
  );
}
