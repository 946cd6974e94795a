#include "gateway/wav.hpp"

#include <string>

#include "messages/errc.hpp"

namespace ivrcast::gateway {
namespace {

uint32_t le32(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24);
}

uint16_t le16(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint16_t>(static_cast<unsigned char>(s[at + i])); };
  return static_cast<uint16_t>(b(0) | (b(1) << 8));
}

caf::error bad(std::string what) {
  return caf::make_error(errc::bad_input, "audio: " + std::move(what));
}

}  // namespace

caf::expected<std::vector<uint8_t>> mulaw_samples(std::string_view f) {
  if (f.size() < 12 || f.substr(0, 4) != "RIFF" || f.substr(8, 4) != "WAVE")
    return bad("not a RIFF/WAVE file");
  bool have_fmt = false;
  size_t at = 12;
  while (at + 8 <= f.size()) {
    auto id = f.substr(at, 4);
    uint64_t size = le32(f, at + 4);
    size_t body = at + 8;
    if (id == "fmt ") {
      if (size < 16 || body + size > f.size())
        return bad("fmt chunk shorter than 16 bytes");
      uint16_t tag = le16(f, body);
      if (tag == 0xFFFE) {
        if (size < 40)
          return bad("WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes");
        tag = le16(f, body + 24);  // first two bytes of the sub-format GUID
      }
      if (tag != 7)
        return bad("not G.711 mu-law (format " + std::to_string(tag) + ")");
      if (le16(f, body + 2) != 1)
        return bad("not mono (" + std::to_string(le16(f, body + 2)) + " channels)");
      if (le32(f, body + 4) != 8000)
        return bad("not 8000 Hz (" + std::to_string(le32(f, body + 4)) + " Hz)");
      if (le16(f, body + 14) != 8)
        return bad("mu-law samples must be 8 bits");
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt)
        return bad("data chunk before the fmt chunk");
      if (body + size > f.size())
        return bad("data chunk runs past the end of the file");
      if (size == 0)
        return bad("no samples");
      auto* p = reinterpret_cast<const uint8_t*>(f.data() + body);
      return std::vector<uint8_t>(p, p + size);
    }
    at = body + size + (size & 1);  // chunks are padded to an even size
  }
  return bad(have_fmt ? "no data chunk" : "no fmt chunk");
}

}  // namespace ivrcast::gateway
