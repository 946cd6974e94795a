#include "storage/control_state.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "messages/errc.hpp"
#include "storage/database.hpp"
#include "storage/status.hpp"
#include "storage/stored_bytes.hpp"

namespace ivrcast::storage {
namespace {

constexpr std::string_view email_index = "idx/email/";

std::string email_key(std::string_view email) {
  std::string k{email_index};
  k += email;
  return k;
}

std::string id_of(const wire::ControlRecord& r) {
  switch (r.kind_case()) {
    case wire::ControlRecord::kEnterprise:
      return r.enterprise().enterprise_id();
    case wire::ControlRecord::kAccount:
      return r.account().account_id();
    case wire::ControlRecord::kUser:
      return r.user().user_id();
    case wire::ControlRecord::kDraft:
      return r.draft().incoming_number();
    case wire::ControlRecord::kFlow:
      return r.flow().incoming_number();
    case wire::ControlRecord::kAudio:
      return r.audio().audio_id();
    case wire::ControlRecord::kSession:
      return r.session().token_hash();
    case wire::ControlRecord::kCarrierTable:
      return r.carrier_table().name();
    case wire::ControlRecord::kNotice:
      return r.notice().notice_id();
    case wire::ControlRecord::kNoticeMail:
      return r.notice_mail().mail_id();
    case wire::ControlRecord::kPublicAudio:
      return r.public_audio().audio_id();
    case wire::ControlRecord::kAudioUse:
      return r.audio_use().account_id().empty() || r.audio_use().audio_id().empty()
                 ? std::string{}
                 : r.audio_use().account_id() + "/" + r.audio_use().audio_id();
    default:
      return {};
  }
}

}  // namespace

std::string control_state::key_of(const wire::ControlRecord& r) {
  static constexpr const char* kinds[] = {
      "",         "enterprise/", "account/", "user/", "draft/",        "flow/",     "audio/",
      "session/", "carriers/",   "notice/",  "mail/", "public_audio/", "audio_use/"};
  auto kind = static_cast<size_t>(r.kind_case());
  if (kind == 0 || kind >= std::size(kinds))
    return {};
  std::string k = kinds[kind];
  k += id_of(r);
  if (r.has_audio() || r.has_carrier_table()) {
    char idx[8];
    std::snprintf(idx, sizeof idx, "/%05u",
                  r.has_audio() ? r.audio().index() : r.carrier_table().index());
    k += idx;
  }
  return k;
}

control_state::control_state(std::shared_ptr<database> db)
    : db_(db), checkpoints_(std::move(db), "control") {
  if (auto cp = checkpoints_.load(0))
    applied_ = *cp;
}

caf::expected<std::vector<control_change>> control_state::apply(int64_t last_offset,
                                                                std::span<const control_input> recs,
                                                                std::vector<std::string>& refused) {
  std::vector<control_change> changes;
  auto stored = applied_.load();
  if (last_offset <= stored)
    return changes;
  rocksdb::WriteBatch wb;
  std::string value;
  // What this batch did to a key so far: a later record of the batch must see it, not the
  // database (revision -1: deleted).
  struct staged {
    int64_t revision = -1;
    std::string email;
  };
  std::unordered_map<std::string, staged> batch;
  std::vector<int64_t> conflicts;
  auto current = [&](const std::string& key) -> caf::expected<std::optional<staged>> {
    if (auto it = batch.find(key); it != batch.end())
      return it->second.revision < 0 ? std::optional<staged>{} : it->second;
    value.clear();
    auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->control(), key, &value);
    if (st.IsNotFound())
      return std::optional<staged>{};
    if (auto ok = check(st, "control_state.apply"); !ok)
      return std::move(ok.error());
    wire::ControlRecord old;
    if (!old.ParseFromString(value))
      return caf::make_error(errc::storage_corrupt, "control_state.apply", key);
    return std::optional<staged>{staged{old.revision(), old.user().email()}};
  };
  for (const auto& in : recs) {
    if (in.offset <= stored)
      continue;
    std::string key{in.key};
    if (key.empty() || key.starts_with(email_index)) {
      refused.push_back("offset " + std::to_string(in.offset) + ": key '" + key +
                        "' is not <kind>/<id>");
      continue;
    }
    std::optional<wire::ControlRecord> rec;
    if (!in.value.empty()) {
      rec.emplace();
      if (!rec->ParseFromArray(in.value.data(), static_cast<int>(in.value.size())) ||
          key_of(*rec) != key || id_of(*rec).empty()) {
        refused.push_back("offset " + std::to_string(in.offset) + ": key '" + key +
                          "' does not match a ControlRecord of that kind and id");
        continue;
      }
    }
    bool is_user = key.starts_with("user/");
    std::optional<staged> before;
    if (is_user || (rec && rec->has_expect_revision())) {
      auto cur = current(key);
      if (!cur)
        return std::move(cur.error());
      before = std::move(*cur);
    }
    // A conditional write: every node compares it with the same stored revision, so every
    // node takes or refuses it alike.
    if (rec && rec->has_expect_revision() &&
        rec->expect_revision() != (before ? before->revision : -1)) {
      conflicts.push_back(in.offset);
      continue;
    }
    if (is_user) {
      // The email index follows the user: drop the old address, add the new one.
      if (before && (!rec || before->email != rec->user().email()))
        (void)wb.Delete(db_->control(), email_key(before->email));  // ignored: tiny key
      if (rec)
        (void)wb.Put(db_->control(), email_key(rec->user().email()), rec->user().user_id());
    }
    if (rec) {
      rec->set_revision(in.offset);
      rec->clear_expect_revision();
      value.clear();
      rec->SerializeToString(&value);
      (void)wb.Put(db_->control(), key, value);  // ignored: only fails on oversized keys
      batch[key] = staged{in.offset, rec->user().email()};
    } else {
      (void)wb.Delete(db_->control(), key);
      batch[key] = staged{};
    }
    changes.push_back({std::move(key), std::move(rec)});
  }
  checkpoints_.stage(wb, 0, last_offset);
  rocksdb::WriteOptions wo;
  if (auto ok = check(db_->db().Write(wo, &wb), "control_state.apply"); !ok)
    return std::move(ok.error());
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto o : conflicts) {
      conflicts_.push_back(o);
      if (conflicts_.size() > max_conflicts_kept)
        conflicts_.pop_front();
    }
    applied_ = last_offset;
  }
  cv_.notify_all();
  return changes;
}

bool control_state::refused_as_stale(int64_t offset) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return std::find(conflicts_.rbegin(), conflicts_.rend(), offset) != conflicts_.rend();
}

bool control_state::wait_applied(int64_t offset, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> guard{mtx_};
  return cv_.wait_for(guard, timeout, [&] { return applied_.load() >= offset; });
}

caf::expected<std::optional<wire::ControlRecord>> control_state::get(std::string_view key) const {
  std::string value;
  auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->control(), key, &value);
  if (st.IsNotFound())
    return std::optional<wire::ControlRecord>{};
  if (auto ok = check(st, "control_state.get"); !ok)
    return std::move(ok.error());
  wire::ControlRecord r;
  if (!r.ParseFromString(value))
    return caf::make_error(errc::storage_corrupt, "control_state.get", std::string{key});
  return std::optional<wire::ControlRecord>{std::move(r)};
}

caf::expected<void> control_state::scan(
    std::string_view prefix,
    const std::function<bool(std::string_view, const wire::ControlRecord&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it{
      db_->db().NewIterator(rocksdb::ReadOptions{}, db_->control())};
  wire::ControlRecord r;
  for (it->Seek(rocksdb::Slice{prefix.data(), prefix.size()}); it->Valid(); it->Next()) {
    auto k = it->key();
    std::string_view key{k.data(), k.size()};
    if (!key.starts_with(prefix))
      break;
    if (!parse_stored(it->value(), r))
      return caf::make_error(errc::storage_corrupt, "control_state.scan", std::string{key});
    if (!fn(key, r))
      break;
  }
  return check(it->status(), "control_state.scan");
}

caf::expected<std::optional<std::string>> control_state::user_by_email(
    std::string_view email) const {
  std::string value;
  auto st = db_->db().Get(rocksdb::ReadOptions{}, db_->control(), email_key(email), &value);
  if (st.IsNotFound())
    return std::optional<std::string>{};
  if (auto ok = check(st, "control_state.user_by_email"); !ok)
    return std::move(ok.error());
  return std::optional<std::string>{std::move(value)};
}

caf::expected<std::optional<std::string>> control_state::audio(std::string_view audio_id) const {
  std::string out;
  uint32_t expected = 0, seen = 0;
  std::string prefix = "audio/" + std::string{audio_id} + "/";
  auto ok = scan(prefix, [&](std::string_view, const wire::ControlRecord& r) {
    if (r.audio().index() != seen)
      return false;
    expected = r.audio().count();
    out += r.audio().data();
    ++seen;
    return true;
  });
  if (!ok)
    return std::move(ok.error());
  if (seen == 0 || seen != expected)
    return std::optional<std::string>{};
  return std::optional<std::string>{std::move(out)};
}

}  // namespace ivrcast::storage
