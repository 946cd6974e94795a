// Flows: incoming numbers, drafts, guidance steps (text or audio), SMS settings, publish
// (product.md §2).

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "control/api_internal.hpp"
#include "control/audio.hpp"
#include "control/audio_quota.hpp"
#include "control/speech.hpp"
#include "messages/flows.hpp"
#include "messages/phone.hpp"
#include "sms/carrier.hpp"
#include "sms/segment_rules.hpp"
#include "sms/short_links.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

constexpr uint32_t editable_steps[] = {1, 2, 4, 5};
constexpr int max_text_chars = 100;
constexpr int max_body_chars = 660;

const char* sample_text(uint32_t step) {
  switch (step) {
    case 1:
      return "お電話ありがとうございます。こちらは、携帯電話にショートメッセージでご案内をお送りす"
             "るサービスです。";
    case 2:
      return "ショートメッセージを受け取る携帯電話の番号を入力し、最後にシャープを押してください。";
    case 4:
      return "ショートメッセージを送信しました。ご確認ください。お電話ありがとうございました。";
    default:
      return "番号を確認できませんでした。もう一度、携帯電話の番号を入力してください。";
  }
}

bool editable(uint32_t step) {
  return std::find(std::begin(editable_steps), std::end(editable_steps), step) !=
         std::end(editable_steps);
}

/// Code points of valid UTF-8; -1 if invalid.
long chars_of(std::string_view s) {
  long n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size())
      return -1;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return -1;
    i += len;
  }
  return n;
}

std::string audio_url(const api_context& c, const std::string& id) {
  return control::audio_url(c.settings().http.public_url, id);
}

json steps_json(const google::protobuf::RepeatedPtrField<wire::Guidance>& steps) {
  json out = json::object();
  for (auto n : editable_steps)
    out[std::to_string(n)] = {{"kind", "empty"}};
  for (const auto& g : steps) {
    if (g.has_text())
      out[std::to_string(g.step())] = {{"kind", "text"}, {"text", g.text()}};
    else if (g.has_audio_url())
      out[std::to_string(g.step())] = {{"kind", "audio"}, {"audio_url", g.audio_url()}};
  }
  return out;
}

json sms_json(const wire::SmsSettings& s) {
  return {{"sender_id", s.sender_id()}, {"body", s.body()}, {"short_urls", s.short_urls()}};
}

json draft_json(const wire::FlowDraft& d) {
  return {{"incoming_number", d.incoming_number()},
          {"account_id", d.account_id()},
          {"steps", steps_json(d.steps())},
          {"sms", sms_json(d.sms())},
          {"updated_at", jst(d.updated_at_ms())},
          {"changed_since_publish", d.changed_since_publish()}};
}

json flow_json(const wire::PublishedFlow& f) {
  return {{"incoming_number", f.incoming_number()},
          {"account_id", f.account_id()},
          {"version_id", f.version_id()},
          {"name", f.name()},
          {"published_at", jst(f.published_at_ms())},
          {"steps", steps_json(f.steps())},
          {"sms", sms_json(f.sms())}};
}

/// The flow's number if it is one of the account's, else nullopt.
std::optional<std::string> own_number(const call& k) {
  auto n = messages::normalise_number(k.req.param("number"));
  for (const auto& own : k.account.incoming_numbers())
    if (!n.empty() && own == n)
      return n;
  return std::nullopt;
}

/// Whether a draft or published flow was made by `account` (a number moved from another
/// account leaves that account's records behind, unseen).
bool of_account(const wire::ControlRecord& r, const std::string& account) {
  const auto& owner = r.has_draft() ? r.draft().account_id() : r.flow().account_id();
  return owner == account;
}

http::response unknown_number(const call& k) {
  return http::error(404, "unknown_number",
                     "'" + k.req.param("number") + "' is not an incoming number of this account");
}

/// Loads the draft or the published flow of the request's number into `out`; an answer if the
/// number is not the account's or has none.
std::optional<http::response> flow_record(const api_context& c, const call& k, bool published,
                                          wire::ControlRecord& out) {
  auto n = own_number(k);
  if (!n)
    return unknown_number(k);
  auto r = load(c, (published ? "flow/" : "draft/") + *n);
  if (!r)
    return internal(r.error());
  if (*r && !of_account(**r, k.account.account_id()))
    r->reset();  // the number's previous account's: not this one's to see or change
  if (!*r)
    return published ? http::error(404, "not_published", "no published flow for " + *n)
                     : http::error(404, "flow_not_registered", "no flow is registered for " + *n);
  out = std::move(**r);
  return std::nullopt;
}

std::optional<http::response> draft_of(const api_context& c, const call& k,
                                       wire::ControlRecord& out) {
  return flow_record(c, k, false, out);
}

/// The account's uploads not swept yet.
caf::expected<std::vector<wire::AudioUse>> audio_ledger(const api_context& c,
                                                        const std::string& account) {
  std::vector<wire::AudioUse> out;
  auto scanned = c.deps.state->scan(audio_uses_prefix(account),
                                    [&](std::string_view, const wire::ControlRecord& r) {
                                      out.push_back(r.audio_use());
                                      return true;
                                    });
  if (!scanned)
    return std::move(scanned.error());
  return out;
}

/// The uploads the account's drafts and published flows play.
caf::expected<std::set<std::string>> audio_in_use(const api_context& c, const wire::Account& a) {
  std::set<std::string> out;
  for (const auto& n : a.incoming_numbers())
    for (const char* kind : {"draft/", "flow/"}) {
      auto r = load(c, kind + n);
      if (!r)
        return std::move(r.error());
      if (!*r || !of_account(**r, a.account_id()))
        continue;
      const auto& steps = (*r)->has_draft() ? (*r)->draft().steps() : (*r)->flow().steps();
      for (const auto& g : steps)
        if (g.has_audio_url())
          out.insert(audio_id_of(g.audio_url()));
    }
  return out;
}

/// After a change of the account's drafts or flows: releases the uploads nothing plays any
/// more, takes back those played again and sweeps those released longer than a call lasts.
/// A failure is logged and left for the account's next change to settle.
void settle_audio(api_context& c, const wire::Account& a) {
  auto ledger = audio_ledger(c, a.account_id());
  auto used = ledger ? audio_in_use(c, a) : caf::expected<std::set<std::string>>{ledger.error()};
  if (!used) {
    spdlog::warn("event=audio_not_settled account={} error=\"{}\"", a.account_id(),
                 describe(used.error()));
    return;
  }
  auto plan = plan_audio(*ledger, *used, c.now());
  std::vector<change> changes;
  for (auto* updated : {&plan.release, &plan.reuse})
    for (auto& u : *updated) {
      wire::ControlRecord r;
      *r.mutable_audio_use() = std::move(u);
      changes.push_back({storage::control_state::key_of(r), std::move(r)});
    }
  for (const auto& u : plan.sweep) {
    audio_tombstones(u.audio_id(), u.bytes(), changes);
    changes.push_back({audio_uses_prefix(u.account_id()) + u.audio_id(), std::nullopt});
  }
  if (changes.empty())
    return;
  if (auto ok = c.out->write(changes); !ok)
    spdlog::warn("event=audio_not_settled account={} error=\"{}\"", a.account_id(),
                 describe(ok.error()));
  else if (!plan.sweep.empty())
    spdlog::info("event=audio_swept account={} files={}", a.account_id(), plan.sweep.size());
}

/// "1" … "6" as a step number; anything else is 0, which no rule accepts.
uint32_t step_number(std::string_view key) {
  return key.size() == 1 && key[0] >= '1' && key[0] <= '6' ? static_cast<uint32_t>(key[0] - '0')
                                                           : 0;
}

wire::Guidance* step_of(wire::FlowDraft& d, uint32_t step) {
  for (auto& g : *d.mutable_steps())
    if (g.step() == step)
      return &g;
  return nullptr;
}

/// A body measured as the carrier will see it.
struct body_measure {
  size_t urls = 0;
  caf::expected<int> typed = 0;  // UTF-16 units as typed
  caf::expected<int> sent = 0;   // after short-link expansion (when on and within max_urls)
};

body_measure measure(const api_context& c, const wire::SmsSettings& s) {
  body_measure m;
  m.urls = sms::find_urls(s.body()).size();
  m.typed = sms::utf16_length(s.body());
  m.sent = m.typed;
  if (s.short_urls() && m.urls > 0 && m.urls <= sms::max_urls)
    if (auto rw = sms::rewrite_urls(s.body(), c.settings().sms.short_domain, "preview"))
      m.sent = sms::utf16_length(rw->text);
  return m;
}

/// Problems of SMS settings (sender ID, 660 characters after short-link expansion, 5 URLs).
void check_sms(const wire::Account& a, const wire::SmsSettings& s, const body_measure& m,
               problems& p, bool for_publish) {
  if (s.sender_id().empty()) {
    if (for_publish)
      p.add("sms.sender_id", "required", "choose a sender ID");
  } else if (std::find(a.sender_ids().begin(), a.sender_ids().end(), s.sender_id()) ==
             a.sender_ids().end()) {
    p.add("sms.sender_id", "unknown_sender_id",
          "'" + s.sender_id() + "' is not a sender ID of this account");
  }
  if (s.body().empty() && for_publish)
    p.add("sms.body", "required", "the SMS body is empty");
  if (s.short_urls() && m.urls > sms::max_urls)
    p.add("sms.body", "too_many_urls",
          "at most 5 URLs (this body has " + std::to_string(m.urls) + ")");
  if (!m.sent)
    p.add("sms.body", "bad_text", "the body is not valid UTF-8");
  else if (*m.sent > max_body_chars)
    p.add("sms.body", "body_too_long",
          "at most 660 characters" +
              std::string{s.short_urls() ? " after short-link expansion" : ""} +
              " (this body has " + std::to_string(*m.sent) + ")");
}

void check_sms(const api_context& c, const wire::Account& a, const wire::SmsSettings& s,
               problems& p, bool for_publish) {
  check_sms(a, s, measure(c, s), p, for_publish);
}

/// Reads SMS settings from JSON into `out`.
void read_sms(const json& j, wire::SmsSettings& out, problems& p) {
  if (!j.is_object()) {
    p.add("sms", "not_an_object", "must be an object");
    return;
  }
  if (auto v = string_field(j, "sender_id", p, false))
    out.set_sender_id(*v);
  if (auto v = string_field(j, "body", p, false))
    out.set_body(*v);
  if (auto it = j.find("short_urls"); it != j.end()) {
    if (it->is_boolean())
      out.set_short_urls(it->get<bool>());
    else
      p.add("sms.short_urls", "not_a_boolean", "must be true or false");
  }
}

/// Validates step text and puts it into `d`.
void set_text(wire::FlowDraft& d, uint32_t step, const std::string& text, problems& p) {
  auto field = "steps." + std::to_string(step) + ".text";
  auto n = chars_of(text);
  if (n < 0)
    p.add(field, "bad_text", "is not valid UTF-8");
  else if (n == 0)
    p.add(field, "required", "must not be empty (delete the step instead)");
  else if (n > max_text_chars)
    p.add(field, "text_too_long",
          "at most 100 characters (this text has " + std::to_string(n) + ")");
  if (!p.empty())
    return;
  auto* g = step_of(d, step);
  if (!g) {
    g = d.add_steps();
    g->set_step(step);
  }
  g->set_text(text);
}

/// Stores a changed draft, then settles the account's uploads (a step's audio may have gone).
http::response save(api_context& c, const call& k, wire::ControlRecord& rec) {
  rec.mutable_draft()->set_updated_at_ms(c.now());
  rec.mutable_draft()->set_changed_since_publish(true);
  if (auto ok = c.out->put(rec); !ok)
    return internal(ok.error());
  settle_audio(c, k.account);
  return json_response(200, draft_json(rec.draft()));
}

// -- handlers -------------------------------------------------------------------------------

http::response numbers(api_context& c, call& k) {
  json out = json::array();
  for (const auto& n : k.account.incoming_numbers()) {
    auto d = load(c, "draft/" + n);
    auto f = load(c, "flow/" + n);
    if (!d || !f)
      return internal(!d ? d.error() : f.error());
    for (auto* r : {&*d, &*f})
      if (*r && !of_account(**r, k.account.account_id()))
        r->reset();
    std::string state = !*d                                            ? "unregistered"
                        : (*d)->draft().changed_since_publish() || !*f ? "draft"
                                                                       : "published";
    out.push_back({{"incoming_number", n},
                   {"state", state},
                   {"published", static_cast<bool>(*f)},
                   {"published_at", *f ? jst((*f)->flow().published_at_ms()) : ""},
                   {"version_id", *f ? (*f)->flow().version_id() : ""}});
  }
  return json_response(200, {{"numbers", out}});
}

http::response register_flow(api_context& c, call& k) {
  auto n = own_number(k);
  if (!n)
    return unknown_number(k);
  auto existing = load(c, "draft/" + *n);
  if (!existing)
    return internal(existing.error());
  // A draft the number's previous account left is replaced, never shown.
  if (*existing && of_account(**existing, k.account.account_id()))
    return http::error(409, "flow_exists", "a flow is already registered for " + *n);
  wire::ControlRecord rec;
  auto* d = rec.mutable_draft();
  d->set_incoming_number(*n);
  d->set_account_id(k.account.account_id());
  for (auto step : editable_steps) {
    auto* g = d->add_steps();
    g->set_step(step);
    g->set_text(sample_text(step));
  }
  if (k.account.sender_ids_size() > 0)
    d->mutable_sms()->set_sender_id(k.account.sender_ids(0));
  auto out = save(c, k, rec);
  if (out.status == 200) {
    out.status = 201;
    audit(c, k, "flow_registered", *n);
  }
  return out;
}

http::response get_draft(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = draft_of(c, k, rec))
    return *no;
  auto out = draft_json(rec.draft());
  out["sender_ids"] = k.account.sender_ids();  // the editor's choices
  return json_response(200, out);
}

http::response get_published(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = flow_record(c, k, true, rec))
    return *no;
  return json_response(200, flow_json(rec.flow()));
}

http::response save_draft(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = draft_of(c, k, rec))
    return *no;
  const auto& body = k.body;
  problems p;
  auto& draft = *rec.mutable_draft();
  if (auto it = body.find("steps"); it != body.end()) {
    if (!it->is_object())
      p.add("steps", "not_an_object", "must be an object of step number → {\"text\": …}");
    else
      for (const auto& [key, v] : it->items()) {
        auto step = step_number(key);
        if (!editable(step)) {
          p.add("steps." + key, "step_not_editable", "only steps 1, 2, 4 and 5 can be edited");
          continue;
        }
        problems local;
        auto text = v.is_object() ? string_field(v, "text", local, true) : std::nullopt;
        if (!v.is_object() || !text) {
          p.add("steps." + key + ".text", "required",
                "give the step's text (audio is uploaded separately)");
          continue;
        }
        auto* g = step_of(draft, step);
        if (g && g->has_audio_url()) {
          p.add("steps." + key, "delete_step_first",
                "the step holds audio: delete it before switching to text");
          continue;
        }
        set_text(draft, step, *text, p);
      }
  }
  if (auto it = body.find("sms"); it != body.end())
    read_sms(*it, *draft.mutable_sms(), p);
  if (p.empty())
    check_sms(c, k.account, draft.sms(), p, false);
  if (!p.empty())
    return p.response();
  return save(c, k, rec);
}

uint32_t step_param(const call& k) {
  return step_number(k.req.param("step"));
}

/// The path's editable step and its draft, or the answer refusing them.
std::optional<http::response> step_draft(const api_context& c, const call& k, uint32_t& step,
                                         wire::ControlRecord& rec) {
  step = step_param(k);
  if (!editable(step))
    return http::error(400, "step_not_editable", "only steps 1, 2, 4 and 5 can be edited");
  return draft_of(c, k, rec);
}

http::response put_step_text(api_context& c, call& k) {
  uint32_t step = 0;
  wire::ControlRecord rec;
  if (auto no = step_draft(c, k, step, rec))
    return *no;
  const auto& body = k.body;
  problems p;
  auto text = string_field(body, "text", p, true);
  if (!p.empty())
    return p.response();
  if (auto* g = step_of(*rec.mutable_draft(), step); g && g->has_audio_url())
    return http::error(409, "delete_step_first",
                       "the step holds audio: delete it before switching to text");
  set_text(*rec.mutable_draft(), step, *text, p);
  if (!p.empty())
    return p.response();
  return save(c, k, rec);
}

http::response put_step_audio(api_context& c, call& k) {
  uint32_t step = 0;
  wire::ControlRecord rec;
  if (auto no = step_draft(c, k, step, rec))
    return *no;
  if (auto* g = step_of(*rec.mutable_draft(), step); g && g->has_text())
    return http::error(409, "delete_step_first",
                       "the step holds text: delete it before uploading audio");
  problems p;
  for (const auto& r : audio_problems(k.req.body))
    p.add("file", r.code, r.message);
  if (!p.empty())
    return p.response();
  const auto& account = k.account.account_id();
  auto ledger = audio_ledger(c, account);
  if (!ledger)
    return internal(ledger.error());
  auto id = upload_id(account, k.req.body);
  auto quota_mb = static_cast<uint64_t>(c.settings().security.audio_quota_mb);
  if (!fits_quota(*ledger, id, k.req.body.size(), quota_mb * 1000 * 1000))
    return http::error(413, "audio_quota_exceeded",
                       "this account stores " + std::to_string(stored_bytes(*ledger) / 1000000) +
                           " MB of guidance audio, at most " + std::to_string(quota_mb) +
                           " MB: delete steps it no longer needs (their files are freed an hour "
                           "after their last use)");
  std::vector<change> changes;
  if (!stores(*ledger, id)) {
    audio_chunks(id, k.req.body, changes);
    wire::ControlRecord use;
    auto* u = use.mutable_audio_use();
    u->set_account_id(account);
    u->set_audio_id(id);
    u->set_bytes(k.req.body.size());
    u->set_stored_at_ms(c.now());
    changes.push_back({storage::control_state::key_of(use), std::move(use)});
    if (auto ok = c.out->write(changes); !ok)
      return internal(ok.error());
  }
  auto* steps = rec.mutable_draft()->mutable_steps();
  steps->erase(std::remove_if(steps->begin(), steps->end(),
                              [&](const wire::Guidance& g) { return g.step() == step; }),
               steps->end());
  auto* g = rec.mutable_draft()->add_steps();
  g->set_step(step);
  g->set_audio_url(audio_url(c, id));
  return save(c, k, rec);
}

http::response delete_step(api_context& c, call& k) {
  uint32_t step = 0;
  wire::ControlRecord rec;
  if (auto no = step_draft(c, k, step, rec))
    return *no;
  auto* steps = rec.mutable_draft()->mutable_steps();
  auto it = std::find_if(steps->begin(), steps->end(),
                         [&](const wire::Guidance& g) { return g.step() == step; });
  if (it == steps->end())
    return http::error(404, "step_empty", "step " + std::to_string(step) + " is already empty");
  steps->erase(it);
  return save(c, k, rec);
}

http::response put_sms(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = draft_of(c, k, rec))
    return *no;
  const auto& body = k.body;
  problems p;
  wire::SmsSettings s;
  read_sms(body, s, p);
  if (p.empty())
    check_sms(c, k.account, s, p, false);
  if (!p.empty())
    return p.response();
  *rec.mutable_draft()->mutable_sms() = s;
  return save(c, k, rec);
}

http::response sms_preview(api_context& c, call& k) {
  const auto& body = k.body;
  problems p;
  wire::SmsSettings s;
  read_sms(body, s, p);
  if (!p.empty())
    return p.response();
  auto m = measure(c, s);
  problems rules;
  check_sms(k.account, s, m, rules, false);
  json segments = json::object();
  for (auto carrier : sms::all_carriers) {
    auto n = m.sent ? sms::billed_segments(carrier, *m.sent) : std::nullopt;
    segments[std::string{sms::key(carrier)}] = n ? json(*n) : json(nullptr);
  }
  return json_response(200, {{"length", m.typed ? *m.typed : 0},
                             {"sent_length", m.sent ? *m.sent : 0},
                             {"url_count", m.urls},
                             {"length_may_differ", s.short_urls() && m.urls > 0},
                             {"segments", segments},
                             {"problems", rules.list}});
}

http::response publish(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = draft_of(c, k, rec))
    return *no;
  auto& draft = *rec.mutable_draft();
  problems p;
  for (auto step : editable_steps)
    if (!step_of(draft, step))
      p.add("steps." + std::to_string(step), "step_missing",
            "step " + std::to_string(step) + " has neither text nor audio");
  check_sms(c, k.account, draft.sms(), p, true);
  if (!p.empty())
    return p.response();
  // A new immutable version: 案件ID (uuid form) and 案件名 IVRCampaign_<uuid>.
  auto hex = random_hex(16);
  auto uuid = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
              hex.substr(16, 4) + "-" + hex.substr(20);
  wire::ControlRecord flow;
  auto* f = flow.mutable_flow();
  f->set_incoming_number(draft.incoming_number());
  f->set_account_id(draft.account_id());
  f->set_version_id(uuid);
  f->set_name(messages::campaign_name(uuid));
  f->set_published_at_ms(c.now());
  *f->mutable_steps() = draft.steps();
  *f->mutable_sms() = draft.sms();
  draft.set_changed_since_publish(false);
  // Callers hear text steps as the 音声確認 button plays them: rendered here, once.
  std::vector<change> changes;
  for (auto& g : *f->mutable_steps()) {
    if (g.has_audio_url())
      public_audio_record(audio_id_of(g.audio_url()), changes);
    if (g.has_text()) {
      auto url = speech_url(g.text(), c.settings().http.public_url, changes);
      if (!url)
        return http::error(
            503, "tts_unavailable",
            "step " + std::to_string(g.step()) + ": speech could not be rendered on this node");
      g.set_speech_url(*url);
    }
  }
  changes.push_back({"flow/" + draft.incoming_number(), flow});
  changes.push_back({"draft/" + draft.incoming_number(), rec});
  if (auto ok = c.out->write(changes); !ok)
    return internal(ok.error());
  audit(c, k, "flow_published", draft.incoming_number() + " " + uuid);
  settle_audio(c, k.account);
  return json_response(200, flow_json(*f));
}

http::response delete_flow(api_context& c, call& k) {
  wire::ControlRecord rec;
  if (auto no = draft_of(c, k, rec))
    return *no;
  auto n = rec.draft().incoming_number();
  if (auto ok = c.out->write({{"flow/" + n, std::nullopt}, {"draft/" + n, std::nullopt}}); !ok)
    return internal(ok.error());
  audit(c, k, "flow_deleted", n);
  settle_audio(c, k.account);
  return no_content();
}

http::response wav(std::string bytes) {
  http::response r;
  r.content_type = "audio/wav";
  r.body = std::move(bytes);
  return r;
}

/// 音声確認: a step as callers would hear it (text rendered by TTS, or the uploaded file).
http::response step_audio(api_context& c, call& k, bool published) {
  auto step = step_param(k);
  if (step < 1 || step > 6)
    return http::error(400, "bad_step", "steps are numbered 1 to 6");
  wire::ControlRecord rec;
  if (auto no = flow_record(c, k, published, rec))
    return *no;
  const auto& steps = published ? rec.flow().steps() : rec.draft().steps();
  std::string text = step == 6 ? c.settings().ivr.step6_text : "";
  if (step == 3)
    return http::error(404, "step_silent", "step 3 waits for digits and plays nothing");
  for (const auto& g : steps)
    if (g.step() == step) {
      if (g.has_audio_url()) {
        auto bytes = c.deps.state->audio(audio_id_of(g.audio_url()));
        if (!bytes)
          return internal(bytes.error());
        if (!*bytes)
          return http::error(404, "audio_missing", "the step's audio file is not stored");
        return wav(std::move(**bytes));
      }
      // A published text step: the file rendered at publish, the very audio callers hear.
      if (!g.speech_url().empty())
        if (auto bytes = c.deps.state->audio(audio_id_of(g.speech_url())); bytes && *bytes)
          return wav(std::move(**bytes));
      text = g.text();
    }
  if (text.empty())
    return http::error(404, "step_empty", "step " + std::to_string(step) + " is empty");
  auto speech = render_speech(text);
  if (!speech)
    return http::error(503, "tts_unavailable", "speech could not be rendered on this node");
  return wav(std::move(*speech));
}

http::response audio_file(api_context& c, call& k) {
  auto name = k.req.param("file");
  if (!name.ends_with(".wav") || name.size() != 64 + 4)
    return http::error(404, "audio_missing", "no such audio file");
  auto id = name.substr(0, 64);
  // An unpublished upload answers as a missing file: its URL alone is no way in.
  auto mark = load(c, public_audio_key(id));
  if (!mark)
    return internal(mark.error());
  if (!*mark)
    return http::error(404, "audio_missing", "no such audio file");
  auto bytes = c.deps.state->audio(id);
  if (!bytes)
    return internal(bytes.error());
  if (!*bytes)
    return http::error(404, "audio_missing", "no such audio file");
  auto out = wav(std::move(**bytes));
  out.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  return out;
}

}  // namespace

void add_flow_routes(std::vector<api_route>& out) {
  using a = access;
  out.push_back({{"GET", "/v1/numbers", a::account}, numbers});
  out.push_back({{"POST", "/v1/flows/{number}", a::flows_edit}, register_flow});
  out.push_back({{"DELETE", "/v1/flows/{number}", a::flows_edit}, delete_flow});
  out.push_back({{"GET", "/v1/flows/{number}/draft", a::flows_edit}, get_draft});
  out.push_back({{"PUT",
                  "/v1/flows/{number}/draft",
                  a::flows_edit,
                  body_kind::json,
                  {"steps.*.text", "sms.sender_id", "sms.body", "sms.short_urls"}},
                 save_draft});
  out.push_back(
      {{"PUT", "/v1/flows/{number}/draft/steps/{step}", a::flows_edit, body_kind::json, {"text"}},
       put_step_text});
  out.push_back(
      {{"PUT", "/v1/flows/{number}/draft/steps/{step}/audio", a::flows_edit, body_kind::wav},
       put_step_audio});
  out.push_back({{"DELETE", "/v1/flows/{number}/draft/steps/{step}", a::flows_edit}, delete_step});
  out.push_back({{"GET", "/v1/flows/{number}/draft/steps/{step}/audio", a::flows_edit},
                 [](api_context& c, call& k) { return step_audio(c, k, false); }});
  const std::vector<std::string> sms_fields{"sender_id", "body", "short_urls"};
  out.push_back(
      {{"PUT", "/v1/flows/{number}/draft/sms", a::flows_edit, body_kind::json, sms_fields},
       put_sms});
  out.push_back({{"GET", "/v1/flows/{number}/published", a::account}, get_published});
  out.push_back({{"GET", "/v1/flows/{number}/published/steps/{step}/audio", a::account},
                 [](api_context& c, call& k) { return step_audio(c, k, true); }});
  out.push_back({{"POST", "/v1/flows/{number}/publish", a::flows_publish}, publish});
  out.push_back(
      {{"POST", "/v1/sms/preview", a::flows_edit, body_kind::json, sms_fields}, sms_preview});
  out.push_back({{"GET", "/v1/audio/{file}", a::anyone}, audio_file});
}

}  // namespace ivrcast::control
