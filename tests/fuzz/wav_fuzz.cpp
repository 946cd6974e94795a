// An uploaded guidance file as the control plane checks it (libsndfile reads it from memory).

#include "control/audio.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto problems = ivrcast::control::audio_problems(ivrcast::fuzz::as_text(data, size));
  for (const auto& p : problems)
    IVRCAST_FUZZ_CHECK(!p.code.empty() && !p.message.empty());
  return 0;
}
