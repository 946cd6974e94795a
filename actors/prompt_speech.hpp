#pragma once

#include <string>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}
namespace ivrcast::connectors::control {
struct flow_file;
}

namespace ivrcast::actors {

/// Renders the fixed prompts (ivr.reject_text, ivr.step6_text) to audio stored on
/// control.state and fills `ivr.reject_speech_url` / `ivr.step6_speech_url`, so that gateways
/// get an audio_url for every prompt. Without TTS on this machine it logs a warning and leaves
/// them empty (commands then carry the text alone). Called once at start, before the node.
[[nodiscard]] caf::expected<void> render_fixed_prompts(const connectors::kafka::bus& b,
                                                       config::settings& s);

/// Loads a flow file, renders its text steps to stored audio (their speech_url, as the
/// portal's publish does) and publishes it; returns what it published.
[[nodiscard]] caf::expected<connectors::control::flow_file> publish_flow_file(
    const std::string& path, const connectors::kafka::bus& b, const config::settings& s);

}  // namespace ivrcast::actors
