#pragma once

#include <algorithm>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "messages/ids.hpp"

namespace ivrcast::messages {

/// The guidance of one editable step: TTS text or an audio file URL; a published text step
/// also has `speech_url`, its text rendered to audio at publish.
struct guidance {
  std::string text;
  std::string audio_url;
  std::string speech_url;
};

/// 案件名 of a published version: `IVRCampaign_<案件ID>` (product.md §4), the one name the
/// delivery log screen, its CSV and the published flow show.
inline constexpr std::string_view campaign_prefix = "IVRCampaign_";
inline std::string campaign_name(std::string_view version_id) {
  std::string out{campaign_prefix};
  out += version_id;
  return out;
}

/// One immutable published version of a flow. Calls hold it by shared_ptr for their lifetime.
struct published_flow {
  std::string incoming_number;  // national form
  account_id account;
  flow_version_id version;  // 案件ID
  std::string name;         // 案件名
  int64_t published_at_ms = 0;
  guidance step1;
  guidance step2;
  guidance step4;
  guidance step5;
  std::string sender_id;
  std::string sms_body;
  bool short_urls = false;
};

enum class account_state : uint8_t { active = 1, terminated };

/// What the call path needs to know about an account.
struct account_info {
  account_id id;
  account_state state = account_state::active;
  std::vector<std::string> numbers;  // its incoming numbers now

  /// A number moved to another account takes none of this account's flows with it.
  bool owns(std::string_view number) const {
    return std::find(numbers.begin(), numbers.end(), number) != numbers.end();
  }
};

/// Everything the IVR consults at call start; immutable once shared.
struct flow_table {
  std::unordered_map<std::string, std::shared_ptr<const published_flow>> flows;  // by number
  std::unordered_map<account_id, account_info> accounts;
  std::unordered_map<std::string, account_id> owners;  // incoming number → its account now

  /// The account `number` belongs to now; empty if none.
  std::string owner_of(std::string_view number) const {
    auto it = owners.find(std::string{number});
    return it == owners.end() ? std::string{} : it->second.value;
  }
};

using flow_table_ptr = std::shared_ptr<const flow_table>;

/// The latest flow table, swapped whole when the control view changes and read at every call
/// start. Thread-safe; readers get a snapshot they keep as long as they like.
class flow_source {
 public:
  flow_source() : current_(std::make_shared<const flow_table>()) {}
  flow_table_ptr current() const { return current_.load(); }

  /// Publishes a copy of the current table changed by `change(flow_table&)`. Writers (one per
  /// control topic) are serialised, so no change is lost to a concurrent one.
  template <class Change>
  void update(Change&& change) {
    std::lock_guard<std::mutex> guard{writers_};
    auto next = std::make_shared<flow_table>(*current_.load());
    change(*next);
    current_.store(std::move(next));
  }

 private:
  std::atomic<flow_table_ptr> current_;
  std::mutex writers_;
};

}  // namespace ivrcast::messages
