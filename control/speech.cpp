#include "control/speech.hpp"

#include "control/audio.hpp"
#include "control/passwords.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

constexpr size_t audio_chunk_bytes = 256 * 1024;  // below every broker's message size limit

}  // namespace

std::string audio_records(std::string_view wav, std::vector<change>& out) {
  auto id = digest_hex(wav);
  auto count = static_cast<uint32_t>((wav.size() + audio_chunk_bytes - 1) / audio_chunk_bytes);
  for (uint32_t i = 0; i < count; ++i) {
    wire::ControlRecord chunk;
    auto* a = chunk.mutable_audio();
    a->set_audio_id(id);
    a->set_index(i);
    a->set_count(count);
    a->set_data(std::string{wav.substr(i * audio_chunk_bytes, audio_chunk_bytes)});
    out.push_back({storage::control_state::key_of(chunk), std::move(chunk)});
  }
  return id;
}

std::string audio_url(const std::string& public_url, const std::string& id) {
  return public_url + "/v1/audio/" + id + ".wav";
}

std::optional<std::string> speech_url(std::string_view text, const std::string& public_url,
                                      std::vector<change>& out) {
  auto wav = render_speech(text);
  if (!wav)
    return std::nullopt;
  // The records go out every time: the cost is a few records per publish, and a node never
  // has to know whether this cluster's control.state already holds them.
  auto id = audio_records(*wav, out);
  return audio_url(public_url, id);
}

}  // namespace ivrcast::control
