#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/writer.hpp"

namespace ivrcast::control {

/// The control records that store an audio file on control.state: chunks under the file's
/// BLAKE2b id, below every broker's message size. Appends them to `out`; returns the id.
std::string audio_records(std::string_view wav, std::vector<change>& out);

/// The id of a file `account` uploads: its BLAKE2b keyed by the account, so that each account's
/// uploads are its own to count and to sweep.
std::string upload_id(std::string_view account, std::string_view wav);

/// Appends the chunks that store `wav` as `id`.
void audio_chunks(const std::string& id, std::string_view wav, std::vector<change>& out);

/// Appends the tombstones of audio `id` of `bytes` bytes: its chunks and its public mark.
void audio_tombstones(const std::string& id, uint64_t bytes, std::vector<change>& out);

/// The control.state key of audio `id`'s public mark, and the prefix of `account`'s uploads
/// (AudioUse records).
std::string public_audio_key(std::string_view id);
std::string audio_uses_prefix(std::string_view account);

/// Appends the record that lets every node serve audio `id` without a session (a published
/// step's, or speech): unpublished uploads are heard only through the portal's session routes.
void public_audio_record(const std::string& id, std::vector<change>& out);

/// URL at which every node serves the audio file `id` (`<public_url>/v1/audio/<id>.wav`) once
/// it is public: a 256-bit digest of its bytes, so nobody finds it without having it or the URL.
std::string audio_url(const std::string& public_url, const std::string& id);

/// The audio id inside one of our audio URLs; empty if it is not one.
std::string audio_id_of(std::string_view url);

/// Text prompts as stored audio: the URL of `text` spoken (render_speech, as 音声確認 renders
/// it), with the records that store it and make it public appended to `out` (writing them
/// again is harmless: control.state is compacted by key). nullopt when TTS is unavailable.
std::optional<std::string> speech_url(std::string_view text, const std::string& public_url,
                                      std::vector<change>& out);

}  // namespace ivrcast::control
