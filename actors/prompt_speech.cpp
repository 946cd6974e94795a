#include "actors/prompt_speech.hpp"

#include <map>

#include "actors/log.hpp"
#include "connectors/control/flow_file.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/producer.hpp"
#include "control/speech.hpp"
#include "messages/errc.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::actors {
namespace {

namespace kafka = connectors::kafka;

/// Queues `records` on control.state (one partition); the caller flushes.
caf::expected<void> produce(kafka::producer& p, const kafka::bus& b,
                            const std::vector<control::change>& records) {
  auto topic = p.topic(b.topic(topics::control_state));
  std::string buf;
  for (const auto& r : records) {
    r.record->SerializeToString(&buf);
    if (!p.produce_to(topic, 0, r.key, buf, 0))
      return caf::make_error(errc::kafka_failure, "prompt_speech", r.key);
  }
  return {};
}

/// Writes `records` with a producer of its own named `client_id` and waits for their delivery.
caf::expected<void> publish(const kafka::bus& b, const char* client_id,
                            const std::vector<control::change>& records) {
  auto p = kafka::producer::open(b, client_id, {});
  if (!p)
    return std::move(p.error());
  if (auto ok = produce(**p, b, records); !ok)
    return ok;
  return (*p)->flush(std::chrono::seconds{30});
}

}  // namespace

caf::expected<void> render_fixed_prompts(const kafka::bus& b, config::settings& s) {
  std::vector<control::change> records;
  auto reject = control::speech_url(s.ivr.reject_text, s.http.public_url, records);
  auto step6 = control::speech_url(s.ivr.step6_text, s.http.public_url, records);
  if (!reject || !step6) {
    logger().warn("event=fixed_prompts_without_audio reason=tts_unavailable");
    return {};
  }
  if (auto ok = publish(b, "ivrcast-prompt-speech", records); !ok)
    return ok;
  s.ivr.reject_speech_url = *reject;
  s.ivr.step6_speech_url = *step6;
  return {};
}

caf::expected<void> mark_published_audio(const kafka::bus& b, const storage::control_state& state) {
  std::vector<control::change> records;
  caf::error failed;
  auto mark = [&](const std::string& url) {
    auto id = control::audio_id_of(url);
    if (id.empty())
      return;
    auto have = state.get(control::public_audio_key(id));
    if (!have)
      failed = std::move(have.error());
    else if (!*have)
      control::public_audio_record(id, records);
  };
  auto scanned = state.scan("flow/", [&](std::string_view, const wire::ControlRecord& r) {
    for (const auto& g : r.flow().steps()) {
      if (g.has_audio_url())
        mark(g.audio_url());
      if (!g.speech_url().empty())
        mark(g.speech_url());
    }
    return !failed;
  });
  if (!scanned)
    return scanned;
  if (failed)
    return failed;
  if (records.empty())
    return {};
  logger().info("event=published_audio_marked count={}", records.size());
  return publish(b, "ivrcast-audio-marks", records);
}

caf::expected<connectors::control::flow_file> publish_flow_file(const std::string& path,
                                                                const kafka::bus& b,
                                                                const config::settings& s) {
  auto f = connectors::control::load_flow_file(path);
  if (!f)
    return std::move(f.error());
  std::vector<control::change> records;
  std::map<std::string, std::string> url_of;  // flows share texts: each is rendered once
  for (auto& fl : f->flows)
    for (auto& g : *fl.mutable_steps()) {
      if (g.has_audio_url())
        control::public_audio_record(control::audio_id_of(g.audio_url()), records);
      if (g.has_text() && g.speech_url().empty()) {
        auto known = url_of.find(g.text());
        if (known == url_of.end()) {
          auto url = control::speech_url(g.text(), s.http.public_url, records);
          if (!url) {
            logger().warn("event=flow_file_without_speech file={} reason=tts_unavailable", path);
            break;
          }
          known = url_of.emplace(g.text(), *url).first;
        }
        g.set_speech_url(known->second);
      }
    }
  auto p = kafka::producer::open(b, "ivrcast-publisher", {});
  if (!p)
    return std::move(p.error());
  // The audio first: a node that sees a flow can already serve its prompts.
  if (auto ok = produce(**p, b, records); !ok)
    return std::move(ok.error());
  if (auto ok = connectors::control::publish(*f, b, **p); !ok)
    return std::move(ok.error());
  logger().info("event=flows_published file={} accounts={} flows={}", path, f->accounts.size(),
                f->flows.size());
  return f;
}

}  // namespace ivrcast::actors
