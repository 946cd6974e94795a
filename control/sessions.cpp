#include "control/sessions.hpp"

#include <vector>

#include "control/passwords.hpp"
#include "control/writer.hpp"
#include "messages/control.pb.h"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

std::string csrf_of(const std::string& token) {
  return digest_hex("csrf:" + token);
}

session from_record(const std::string& token, const wire::Session& r) {
  session s;
  s.token = token;
  s.csrf = csrf_of(token);
  s.user_id = r.user_id();
  s.account_id = r.account_id();
  s.must_change_password = r.must_change_password();
  s.last_seen_ms = r.last_seen_ms();
  s.epoch = r.epoch();
  return s;
}

}  // namespace

std::string session_key(const std::string& token) {
  return "session/" + digest_hex(token);
}

session_store::session_store(const storage::control_state& state, writer& out)
    : state_(&state), out_(&out) {}

caf::expected<session> session_store::create(const wire::User& u, bool must_change_password,
                                             const std::string& account_id, int64_t now_ms) {
  session s;
  s.token = random_hex(32);
  s.csrf = csrf_of(s.token);
  s.user_id = u.user_id();
  s.account_id = account_id;
  s.must_change_password = must_change_password;
  s.last_seen_ms = now_ms;
  s.epoch = u.session_epoch();
  wire::ControlRecord rec;
  auto& r = *rec.mutable_session();
  r.set_token_hash(digest_hex(s.token));
  r.set_user_id(s.user_id);
  r.set_account_id(account_id);
  r.set_must_change_password(must_change_password);
  r.set_created_at_ms(now_ms);
  r.set_last_seen_ms(now_ms);
  r.set_epoch(s.epoch);
  if (auto ok = out_->put(rec); !ok)
    return std::move(ok.error());
  return s;
}

caf::expected<std::optional<session>> session_store::touch(const std::string& token,
                                                           int64_t now_ms) {
  auto key = session_key(token);
  auto rec = state_->get(key);
  if (!rec)
    return std::move(rec.error());
  if (!*rec || !(*rec)->has_session())
    return std::optional<session>{};
  auto s = from_record(token, (*rec)->session());
  if (now_ms - s.last_seen_ms > idle_ms) {
    if (auto ok = erase(s); !ok)
      return std::move(ok.error());
    return std::optional<session>{};
  }
  if (now_ms - s.last_seen_ms >= touch_every_ms) {
    // Conditional: a concurrent logout or account choice is never undone by a touch.
    auto ok = out_->update(key, [&](std::optional<wire::ControlRecord>& cur) {
      if (!cur || !cur->has_session())
        return mutation_result::leave;
      cur->mutable_session()->set_last_seen_ms(now_ms);
      return mutation_result::write;
    });
    if (!ok)
      return std::move(ok.error());
    if (!*ok)
      return std::optional<session>{};  // ended meanwhile
    s.last_seen_ms = now_ms;
  }
  return std::optional<session>{std::move(s)};
}

caf::expected<void> session_store::update(const session& s) {
  auto ok = out_->update(session_key(s.token), [&](std::optional<wire::ControlRecord>& cur) {
    if (!cur || !cur->has_session())
      return mutation_result::leave;  // ended meanwhile: it stays ended
    auto& r = *cur->mutable_session();
    r.set_account_id(s.account_id);
    r.set_must_change_password(s.must_change_password);
    r.set_epoch(s.epoch);
    return mutation_result::write;
  });
  if (!ok)
    return std::move(ok.error());
  return {};
}

caf::expected<void> session_store::erase(const session& s) {
  return out_->write({change{session_key(s.token), std::nullopt}});
}

caf::expected<size_t> session_store::purge(int64_t now_ms) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (now_ms < next_purge_ms_)
      return size_t{0};
    next_purge_ms_ = now_ms + 10 * 60 * 1000;
  }
  std::vector<change> gone;
  auto ok = state_->scan("session/", [&](std::string_view key, const wire::ControlRecord& r) {
    if (now_ms - r.session().last_seen_ms() > idle_ms)
      gone.push_back(change{std::string{key}, std::nullopt});
    return true;
  });
  if (!ok)
    return std::move(ok.error());
  if (gone.empty())
    return size_t{0};
  if (auto w = out_->write(gone); !w)
    return std::move(w.error());
  return gone.size();
}

}  // namespace ivrcast::control
