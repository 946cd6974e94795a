#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/passwords.hpp"

namespace ivrcast::control {

/// Largest guidance file and longest guidance (product.md §2.1: under 50 MB, under 5 minutes).
inline constexpr size_t max_audio_bytes = 50u * 1000 * 1000;
inline constexpr double max_audio_seconds = 300.0;

/// Every rule an uploaded guidance file breaks (WAV, μ-law, 8 kHz, mono, size, length), each
/// with its own code and message; empty: acceptable. Reads the file with libsndfile.
std::vector<rule_break> audio_problems(std::string_view wav);

/// Renders Japanese text to an 8 kHz μ-law mono WAV for the 音声確認 button: kakasi turns
/// kanji into kana (espeak-ng's `ja` voice reads kana only), espeak-ng speaks, sox converts.
/// nullopt (and a log line) if a tool is missing or fails.
std::optional<std::string> render_speech(std::string_view text);

/// Runs a tool (`argv`, found on PATH) with `input` on its stdin, collecting its stdout into
/// `output` (if given); true if it exited 0 within `timeout_ms`, after which it is killed.
bool run_tool(std::vector<std::string> argv, std::string_view input, std::string* output,
              int timeout_ms);

}  // namespace ivrcast::control
