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
namespace ivrcast::storage {
class control_state;
}

namespace ivrcast::actors {

/// Renders the fixed prompts (ivr.reject_text, ivr.step6_text) to audio stored on
/// control.state and fills `ivr.reject_speech_url` / `ivr.step6_speech_url`, so that gateways
/// get an audio_url for every prompt. Without TTS on this machine it logs a warning and leaves
/// them empty (commands then carry the text alone). Called once at start, before the node.
[[nodiscard]] caf::expected<void> render_fixed_prompts(const connectors::kafka::bus& b,
                                                       config::settings& s);

/// Marks public the audio of every published flow that has no mark yet (flows published before
/// marks existed, control::public_audio_record): their gateways keep getting the prompts.
/// Called at start, once the control view is read; writes nothing when every mark is there.
[[nodiscard]] caf::expected<void> mark_published_audio(const connectors::kafka::bus& b,
                                                       const storage::control_state& state);

/// Loads a flow file, renders its text steps to stored audio (their speech_url, as the
/// portal's publish does) and publishes it; returns what it published.
[[nodiscard]] caf::expected<connectors::control::flow_file> publish_flow_file(
    const std::string& path, const connectors::kafka::bus& b, const config::settings& s);

}  // namespace ivrcast::actors
