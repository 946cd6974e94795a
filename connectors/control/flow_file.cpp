#include "connectors/control/flow_file.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/producer.hpp"
#include "connectors/log.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "messages/flows.hpp"
#include "messages/hash.hpp"
#include "messages/phone.hpp"

namespace ivrcast::connectors::control {
namespace {

using json = nlohmann::json;

constexpr long max_guidance_chars = 100;  // product.md §2.1
constexpr long max_body_chars = 660;      // product.md §2.3

struct problems {
  std::vector<std::string> list;
  void add(const std::string& path, const std::string& rule) { list.push_back(path + ": " + rule); }
};

std::string str(const json& obj, const char* key, const std::string& path, problems& p,
                bool required = true) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required)
      p.add(path + "." + key, "is required");
    return {};
  }
  if (!it->is_string()) {
    p.add(path + "." + key, "must be a string");
    return {};
  }
  return it->get<std::string>();
}

/// `obj[key]` when it is of the wanted kind; absent: an empty one; of another kind: a problem
/// and an empty one (a file of the wrong shape is refused by name, never thrown at).
const json& member(const json& obj, const char* key, json::value_t kind, const std::string& path,
                   problems& p) {
  static const json empty_array = json::array();
  static const json empty_object = json::object();
  const auto& empty = kind == json::value_t::array ? empty_array : empty_object;
  auto it = obj.find(key);
  if (it == obj.end())
    return empty;
  if (it->type() != kind) {
    p.add(path + key, kind == json::value_t::array ? "must be an array" : "must be an object");
    return empty;
  }
  return *it;
}

const json& array_member(const json& obj, const char* key, const std::string& path, problems& p) {
  return member(obj, key, json::value_t::array, path, p);
}

const json& object_member(const json& obj, const char* key, const std::string& path, problems& p) {
  return member(obj, key, json::value_t::object, path, p);
}

/// Whether `v` is an object; if not, says so for `path`.
bool is_object(const json& v, const std::string& path, problems& p) {
  if (v.is_object())
    return true;
  p.add(path, "must be an object");
  return false;
}

std::string derived_version(const json& flow) {
  // Over the canonical dump: stable across runs and machines.
  char buf[32];
  std::snprintf(buf, sizeof buf, "fv-%016llx", static_cast<unsigned long long>(fnv1a(flow.dump())));
  return buf;
}

}  // namespace

long utf8_length(const std::string& s) {
  long n = 0;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size())
      return -1;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2)
        return -1;
    i += len;
    ++n;
  }
  return n;
}

caf::expected<flow_file> parse_flow_file(const std::string& json_text) {
  json doc = json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return caf::make_error(errc::bad_input, "flow file is not a JSON object");
  problems p;
  flow_file out;
  std::map<std::string, std::set<std::string>> sender_ids;  // account -> sender ids
  std::map<std::string, std::set<std::string>> numbers;     // account -> incoming numbers
  std::set<std::string> enterprises;
  const auto& ents = array_member(doc, "enterprises", "", p);
  for (size_t i = 0; i < ents.size(); ++i) {
    auto path = "enterprises[" + std::to_string(i) + "]";
    if (!is_object(ents[i], path, p))
      continue;
    wire::Enterprise e;
    e.set_enterprise_id(str(ents[i], "enterprise_id", path, p));
    e.set_name(str(ents[i], "name", path, p));
    if (!enterprises.insert(e.enterprise_id()).second)
      p.add(path + ".enterprise_id", "is listed twice");
    out.enterprises.push_back(std::move(e));
  }
  const auto& accounts = array_member(doc, "accounts", "", p);
  for (size_t i = 0; i < accounts.size(); ++i) {
    auto path = "accounts[" + std::to_string(i) + "]";
    const auto& a = accounts[i];
    if (!is_object(a, path, p))
      continue;
    wire::Account acc;
    acc.set_account_id(str(a, "account_id", path, p));
    acc.set_enterprise_id(str(a, "enterprise_id", path, p, false));
    if (!acc.enterprise_id().empty() && !enterprises.contains(acc.enterprise_id()))
      p.add(path + ".enterprise_id", "names no enterprise of this file's \"enterprises\"");
    acc.set_name(str(a, "name", path, p, false));
    auto state = str(a, "state", path, p);
    if (state == "active")
      acc.set_state(wire::ACCOUNT_STATE_ACTIVE);
    else if (state == "terminated")
      acc.set_state(wire::ACCOUNT_STATE_TERMINATED);
    else
      p.add(path + ".state", "must be 'active' or 'terminated'");
    for (const auto& n : array_member(a, "incoming_numbers", path + ".", p)) {
      auto norm = n.is_string() ? messages::normalise_number(n.get<std::string>()) : std::string{};
      if (norm.empty())
        p.add(path + ".incoming_numbers", "each must be a Japanese phone number");
      acc.add_incoming_numbers(norm);
      numbers[acc.account_id()].insert(norm);
    }
    for (const auto& n : array_member(a, "sender_ids", path + ".", p)) {
      auto s = n.is_string() ? n.get<std::string>() : std::string{};
      if (s.size() < 10 || s.size() > 11 || s.find_first_not_of("0123456789") != std::string::npos)
        p.add(path + ".sender_ids", "each must be a 10-11 digit number");
      acc.add_sender_ids(s);
      sender_ids[acc.account_id()].insert(s);
    }
    out.accounts.push_back(std::move(acc));
  }
  const auto& flows = array_member(doc, "flows", "", p);
  auto parsed_at_ms = unix_now_ms();
  for (size_t i = 0; i < flows.size(); ++i) {
    auto path = "flows[" + std::to_string(i) + "]";
    const auto& f = flows[i];
    if (!is_object(f, path, p))
      continue;
    wire::PublishedFlow pf;
    auto number = messages::normalise_number(str(f, "incoming_number", path, p));
    if (number.empty())
      p.add(path + ".incoming_number", "must be a Japanese phone number");
    pf.set_incoming_number(number);
    pf.set_account_id(str(f, "account_id", path, p));
    if (!numbers.contains(pf.account_id()))
      p.add(path + ".account_id", "names no account in this file");
    else if (!numbers[pf.account_id()].contains(number))
      p.add(path + ".incoming_number", "is not one of the account's incoming numbers");
    auto version = str(f, "version_id", path, p, false);
    pf.set_version_id(version.empty() ? derived_version(f) : version);
    if (f.contains("name"))
      p.add(path + ".name",
            "案件名 is always IVRCampaign_<version_id> (product.md §4): remove the field");
    pf.set_name(messages::campaign_name(pf.version_id()));
    const auto& steps = object_member(f, "steps", path + ".", p);
    for (int step : {1, 2, 4, 5}) {
      auto spath = path + ".steps." + std::to_string(step);
      auto it = steps.find(std::to_string(step));
      if (it == steps.end()) {
        p.add(spath, "is required (steps 1, 2, 4 and 5 are editable and must be set)");
        continue;
      }
      auto* g = pf.add_steps();
      g->set_step(static_cast<uint32_t>(step));
      auto text = str(*it, "text", spath, p, false);
      auto audio = str(*it, "audio_url", spath, p, false);
      if (text.empty() == audio.empty())
        p.add(spath, "needs exactly one of text and audio_url");
      else if (!text.empty() && (utf8_length(text) < 0 || utf8_length(text) > max_guidance_chars))
        p.add(spath + ".text", "at most 100 characters of UTF-8 text");
      if (!audio.empty())
        g->set_audio_url(audio);
      else
        g->set_text(text);
    }
    const auto& sms = object_member(f, "sms", path + ".", p);
    auto* s = pf.mutable_sms();
    s->set_sender_id(str(sms, "sender_id", path + ".sms", p));
    if (!sender_ids[pf.account_id()].contains(s->sender_id()))
      p.add(path + ".sms.sender_id", "must be one of the account's sender_ids");
    s->set_body(str(sms, "body", path + ".sms", p));
    auto body_len = utf8_length(s->body());
    if (body_len < 1 || body_len > max_body_chars)
      p.add(path + ".sms.body", "1 to 660 characters of UTF-8 text");
    if (auto it = sms.find("short_urls"); it != sms.end()) {
      if (!it->is_boolean())
        p.add(path + ".sms.short_urls", "must be true or false");
      else
        s->set_short_urls(it->get<bool>());
    }
    pf.set_published_at_ms(parsed_at_ms);
    out.flows.push_back(std::move(pf));
  }
  if (!p.list.empty()) {
    std::string all;
    for (const auto& x : p.list)
      all += (all.empty() ? "" : "; ") + x;
    return caf::make_error(errc::bad_input, all);
  }
  return out;
}

caf::expected<flow_file> load_flow_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return caf::make_error(errc::io_failure, "cannot read flow file '" + path + "'");
  std::stringstream buf;
  buf << in.rdbuf();
  auto out = parse_flow_file(buf.str());
  if (!out)
    return caf::make_error(errc::bad_input, path + ": " + describe(out.error()));
  return out;
}

caf::expected<void> publish(const flow_file& f, const kafka::bus& b, kafka::producer& p) {
  auto topic = p.topic(b.topic(topics::control_state));
  std::string buf;
  auto put = [&](std::string key, const wire::ControlRecord& r) -> caf::expected<void> {
    r.SerializeToString(&buf);
    if (!p.produce(topic, key, buf, 0))
      return caf::make_error(errc::kafka_failure, "publish", key);
    return {};
  };
  wire::ControlRecord r;
  for (const auto& e : f.enterprises) {
    *r.mutable_enterprise() = e;
    if (auto ok = put("enterprise/" + e.enterprise_id(), r); !ok)
      return ok;
  }
  for (const auto& a : f.accounts) {
    *r.mutable_account() = a;
    if (auto ok = put("account/" + a.account_id(), r); !ok)
      return ok;
  }
  for (const auto& fl : f.flows) {
    // The draft mirrors the published version, so the portal shows the flow as 公開.
    auto* d = r.mutable_draft();
    d->set_incoming_number(fl.incoming_number());
    d->set_account_id(fl.account_id());
    *d->mutable_steps() = fl.steps();
    *d->mutable_sms() = fl.sms();
    d->set_updated_at_ms(fl.published_at_ms());
    d->set_changed_since_publish(false);
    if (auto ok = put("draft/" + fl.incoming_number(), r); !ok)
      return ok;
    *r.mutable_flow() = fl;
    if (auto ok = put("flow/" + fl.incoming_number(), r); !ok)
      return ok;
  }
  return p.flush(std::chrono::seconds{30});
}

caf::expected<flow_file> publish_file(const std::string& path, const kafka::bus& b) {
  auto f = load_flow_file(path);
  if (!f)
    return std::move(f.error());
  auto p = kafka::producer::open(b, "ivrcast-publisher", {});
  if (!p)
    return std::move(p.error());
  if (auto ok = publish(*f, b, **p); !ok)
    return std::move(ok.error());
  logger().info("event=flows_published file={} accounts={} flows={}", path, f->accounts.size(),
                f->flows.size());
  return f;
}

}  // namespace ivrcast::connectors::control
