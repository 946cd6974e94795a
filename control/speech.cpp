#include "control/speech.hpp"

#include "control/audio.hpp"
#include "control/passwords.hpp"
#include "storage/control_state.hpp"

namespace ivrcast::control {
namespace {

constexpr size_t audio_chunk_bytes = 256 * 1024;  // below every broker's message size limit

}  // namespace

void audio_chunks(const std::string& id, std::string_view wav, std::vector<change>& out) {
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
}

std::string audio_records(std::string_view wav, std::vector<change>& out) {
  auto id = digest_hex(wav);
  audio_chunks(id, wav, out);
  return id;
}

std::string upload_id(std::string_view account, std::string_view wav) {
  return keyed_digest_hex(wav, account);
}

void audio_tombstones(const std::string& id, uint64_t bytes, std::vector<change>& out) {
  auto count = (bytes + audio_chunk_bytes - 1) / audio_chunk_bytes;
  wire::ControlRecord chunk;
  chunk.mutable_audio()->set_audio_id(id);
  for (uint64_t i = 0; i < count; ++i) {
    chunk.mutable_audio()->set_index(static_cast<uint32_t>(i));
    out.push_back({storage::control_state::key_of(chunk), std::nullopt});
  }
  out.push_back({public_audio_key(id), std::nullopt});
}

std::string public_audio_key(std::string_view id) {
  return "public_audio/" + std::string{id};
}

std::string audio_uses_prefix(std::string_view account) {
  return "audio_use/" + std::string{account} + "/";
}

void public_audio_record(const std::string& id, std::vector<change>& out) {
  wire::ControlRecord mark;
  mark.mutable_public_audio()->set_audio_id(id);
  out.push_back({storage::control_state::key_of(mark), std::move(mark)});
}

std::string audio_url(const std::string& public_url, const std::string& id) {
  return public_url + "/v1/audio/" + id + ".wav";
}

std::string audio_id_of(std::string_view url) {
  auto slash = url.rfind('/');
  auto dot = url.rfind(".wav");
  if (slash == std::string_view::npos || dot == std::string_view::npos || dot < slash)
    return {};
  return std::string{url.substr(slash + 1, dot - slash - 1)};
}

std::optional<std::string> speech_url(std::string_view text, const std::string& public_url,
                                      std::vector<change>& out) {
  auto wav = render_speech(text);
  if (!wav)
    return std::nullopt;
  // The records go out every time: the cost is a few records per publish, and a node never
  // has to know whether this cluster's control.state already holds them.
  auto id = audio_records(*wav, out);
  public_audio_record(id, out);
  return audio_url(public_url, id);
}

}  // namespace ivrcast::control
