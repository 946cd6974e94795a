#include "connectors/control/carrier_tables.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/producer.hpp"
#include "connectors/log.hpp"
#include "messages/errc.hpp"
#include "messages/hash.hpp"
#include "messages/topics.hpp"
#include "sms/carrier_directory.hpp"

namespace ivrcast::connectors::control {
namespace {

/// The version of a pair of tables: a hash of both texts.
std::string version_of(std::string_view ranges, std::string_view ported) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx",
                static_cast<unsigned long long>(fnv1a(ported, fnv1a("\n--\n", fnv1a(ranges)))));
  return out;
}

caf::expected<std::string> read_text(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(errc::bad_input, "cannot read '" + path + "'");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void add_chunks(std::vector<wire::ControlRecord>& out, const std::string& name,
                std::string_view text, const std::string& version, size_t chunk_bytes) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    auto n = std::min(text.size(), chunk_bytes);
    if (n < text.size())
      if (auto nl = text.rfind('\n', n - 1); nl != std::string_view::npos)
        n = nl + 1;  // whole lines; a single line longer than a chunk is cut where it must be
    parts.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  if (parts.empty())
    parts.emplace_back();  // an empty table is one empty chunk
  for (size_t i = 0; i < parts.size(); ++i) {
    wire::ControlRecord r;
    auto& c = *r.mutable_carrier_table();
    c.set_name(name);
    c.set_version(version);
    c.set_index(static_cast<uint32_t>(i));
    c.set_count(static_cast<uint32_t>(parts.size()));
    c.set_csv(std::string{parts[i]});
    out.push_back(std::move(r));
  }
}

}  // namespace

std::string carrier_table_key(const wire::CarrierTableChunk& c) {
  char idx[8];
  std::snprintf(idx, sizeof idx, "/%05u", c.index());
  return "carriers/" + c.name() + idx;
}

caf::expected<std::vector<wire::ControlRecord>> carrier_table_records(const carrier_tables& t,
                                                                      size_t chunk_bytes) {
  if (auto ok = sms::carrier_directory::parse(t.ranges, t.ported, "number_ranges", "ported"); !ok)
    return std::move(ok.error());
  auto version = version_of(t.ranges, t.ported);
  std::vector<wire::ControlRecord> out;
  add_chunks(out, "number_ranges", t.ranges, version, std::max<size_t>(chunk_bytes, 1));
  add_chunks(out, "ported", t.ported, version, std::max<size_t>(chunk_bytes, 1));
  return out;
}

caf::expected<std::string> publish_carrier_tables(const std::string& ranges_path,
                                                  const std::string& ported_path,
                                                  const kafka::bus& b) {
  carrier_tables t;
  auto ranges = read_text(ranges_path);
  if (!ranges)
    return std::move(ranges.error());
  auto ported = read_text(ported_path);
  if (!ported)
    return std::move(ported.error());
  t.ranges = std::move(*ranges);
  t.ported = std::move(*ported);
  auto recs = carrier_table_records(t);
  if (!recs)
    return std::move(recs.error());
  auto p = kafka::producer::open(b, "ivrcast-carriers-publisher", {});
  if (!p)
    return std::move(p.error());
  auto topic = (*p)->topic(b.topic(topics::control_state));
  std::string buf;
  for (const auto& r : *recs) {
    r.SerializeToString(&buf);
    auto key = carrier_table_key(r.carrier_table());
    if (!(*p)->produce(topic, key, buf, 0))
      return caf::make_error(errc::kafka_failure, "publish_carrier_tables", key);
  }
  if (auto ok = (*p)->flush(std::chrono::seconds{30}); !ok)
    return std::move(ok.error());
  auto version = recs->front().carrier_table().version();
  logger().info("event=carriers_published version={} chunks={}", version, recs->size());
  return version;
}

std::string assemble_table(const std::vector<wire::CarrierTableChunk>& chunks,
                           std::string& version) {
  version.clear();
  if (chunks.empty())
    return {};
  auto count = chunks.front().count();
  std::vector<const wire::CarrierTableChunk*> by_index(count, nullptr);
  for (const auto& c : chunks)
    if (c.count() == count && c.version() == chunks.front().version() && c.index() < count)
      by_index[c.index()] = &c;
  std::string out;
  for (const auto* c : by_index) {
    if (!c)
      return {};  // a version being replaced: not whole yet
    out += c->csv();
  }
  version = chunks.front().version();
  return out;
}

}  // namespace ivrcast::connectors::control
