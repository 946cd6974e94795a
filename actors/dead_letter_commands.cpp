#include "actors/dead_letter_commands.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/producer.hpp"
#include "messages/clock.hpp"
#include "messages/deadletter.pb.h"
#include "messages/errc.hpp"
#include "messages/topics.hpp"

namespace ivrcast::actors {
namespace {

namespace kafka = connectors::kafka;

struct letter {
  int32_t partition = 0;
  int64_t offset = 0;
  wire::DeadLetter dl;
};

/// Reads the whole dead-letter topic as it stands.
struct reader final : kafka::partition_reader::handler {
  int64_t start_offset(int32_t) override { return 0; }
  void records(int32_t p, std::span<const kafka::record> batch) override {
    std::lock_guard<std::mutex> guard{mtx};
    for (const auto& r : batch) {
      letter l{p, r.offset, {}};
      if (l.dl.ParseFromArray(r.value.data(), static_cast<int>(r.value.size())))
        all.push_back(std::move(l));
    }
  }
  void caught_up() override {
    std::lock_guard<std::mutex> guard{mtx};
    done = true;
    cv.notify_all();
  }
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<letter> all;
  bool done = false;
};

caf::expected<std::vector<letter>> read_all(const kafka::bus& b, const std::string& topic) {
  reader r;
  auto pr = kafka::partition_reader::open(
      b, b.topic(topics::dead_letters), "ivrcast-deadletters-" + std::to_string(unix_now_ms()), r);
  if (!pr)
    return std::move(pr.error());
  (*pr)->start();
  bool done = false;
  {
    std::unique_lock<std::mutex> guard{r.mtx};
    done = r.cv.wait_for(guard, std::chrono::seconds{60}, [&] { return r.done; });
  }
  (*pr)->stop();
  if (!done)
    return caf::make_error(errc::timeout, "deadletters", "the topic was not read within 60 s");
  std::vector<letter> out;
  auto wanted = topic.empty() ? std::string{} : b.settings().topic_prefix + topic;
  for (auto& l : r.all)
    if (wanted.empty() || l.dl.source_topic() == wanted)
      out.push_back(std::move(l));
  return out;
}

std::string json_line(const letter& l) {
  nlohmann::json j{{"dead_letter", std::to_string(l.partition) + ":" + std::to_string(l.offset)},
                   {"source_topic", l.dl.source_topic()},
                   {"source_partition", l.dl.partition()},
                   {"source_offset", l.dl.offset()},
                   {"key", l.dl.key()},
                   {"reason", l.dl.reason()},
                   {"failed_at_ms", l.dl.failed_at_ms()},
                   {"node", l.dl.node_id()},
                   {"payload_bytes", l.dl.payload().size()}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

int list_dead_letters(const kafka::bus& b, const std::string& topic, size_t limit) {
  auto letters = read_all(b, topic);
  if (!letters) {
    std::fprintf(stderr, "deadletters list: %s\n", describe(letters.error()).c_str());
    return 1;
  }
  size_t skip = limit > 0 && letters->size() > limit ? letters->size() - limit : 0;
  for (size_t i = skip; i < letters->size(); ++i)
    std::printf("%s\n", json_line((*letters)[i]).c_str());
  return 0;
}

int replay_dead_letters(const kafka::bus& b, const std::vector<std::string>& positions, bool all,
                        const std::string& topic) {
  auto letters = read_all(b, topic);
  if (!letters) {
    std::fprintf(stderr, "deadletters replay: %s\n", describe(letters.error()).c_str());
    return 1;
  }
  std::map<std::string, const letter*> by_position;
  for (const auto& l : *letters)
    by_position[std::to_string(l.partition) + ":" + std::to_string(l.offset)] = &l;
  std::vector<const letter*> chosen;
  int rc = 0;
  if (all)
    for (const auto& l : *letters)
      chosen.push_back(&l);
  for (const auto& p : positions) {
    auto it = by_position.find(p);
    if (it == by_position.end()) {
      std::fprintf(stderr, "deadletters replay: no dead letter at %s%s\n", p.c_str(),
                   topic.empty() ? "" : (" from " + topic).c_str());
      rc = 1;
      continue;
    }
    chosen.push_back(it->second);
  }
  std::atomic<int> failed{0};
  auto prod = kafka::producer::open(b, "ivrcast-deadletters-replay",
                                    [&](uint64_t, bool ok) { failed += ok ? 0 : 1; });
  if (!prod) {
    std::fprintf(stderr, "deadletters replay: %s\n", describe(prod.error()).c_str());
    return 1;
  }
  std::map<std::string, kafka::producer::topic_ref> refs;
  for (const auto& t : topics::all)
    refs[b.topic(t)] = (*prod)->topic(b.topic(t));
  for (const auto* l : chosen) {
    auto ref = refs.find(l->dl.source_topic());
    if (ref == refs.end() || l->dl.source_topic() == b.topic(topics::dead_letters)) {
      std::fprintf(stderr, "deadletters replay: %d:%lld came from %s, not an ivrcast topic\n",
                   l->partition, static_cast<long long>(l->offset), l->dl.source_topic().c_str());
      rc = 1;
      continue;
    }
    if (!(*prod)->produce(ref->second, l->dl.key(), l->dl.payload(), 1)) {
      std::fprintf(stderr, "deadletters replay: the producer refused %d:%lld\n", l->partition,
                   static_cast<long long>(l->offset));
      rc = 1;
      continue;
    }
    std::printf("%s\n", json_line(*l).c_str());
  }
  if (auto ok = (*prod)->flush(std::chrono::seconds{30}); !ok || failed > 0) {
    std::fprintf(stderr, "deadletters replay: %d records not confirmed by the broker\n",
                 failed.load());
    return 1;
  }
  return rc;
}

}  // namespace ivrcast::actors
