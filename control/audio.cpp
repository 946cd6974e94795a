#include "control/audio.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sndfile.h>
#include <spdlog/spdlog.h>

namespace ivrcast::control {
namespace {

/// libsndfile's virtual I/O over a string in memory.
struct memory_file {
  std::string_view data;
  sf_count_t pos = 0;

  static sf_count_t size(void* self) {
    return static_cast<sf_count_t>(static_cast<memory_file*>(self)->data.size());
  }
  static sf_count_t seek(sf_count_t offset, int whence, void* self) {
    auto* m = static_cast<memory_file*>(self);
    sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : size(self);
    m->pos = std::clamp<sf_count_t>(base + offset, 0, size(self));
    return m->pos;
  }
  static sf_count_t read(void* ptr, sf_count_t count, void* self) {
    auto* m = static_cast<memory_file*>(self);
    auto n = std::min(count, size(self) - m->pos);
    std::memcpy(ptr, m->data.data() + m->pos, static_cast<size_t>(n));
    m->pos += n;
    return n;
  }
  static sf_count_t write(const void*, sf_count_t, void*) { return 0; }
  static sf_count_t tell(void* self) { return static_cast<memory_file*>(self)->pos; }
};

}  // namespace

bool run_tool(std::vector<std::string> argv, std::string_view input, std::string* output,
              int timeout_ms) {
  int in[2], out[2];
  if (pipe(in) != 0)
    return false;
  if (pipe(out) != 0) {
    close(in[0]);
    close(in[1]);
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  for (int fd : {in[0], in[1], out[0], out[1]})
    posix_spawn_file_actions_addclose(&fa, fd);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    return false;
  }
  // Inputs are at most a few hundred bytes: one write cannot fill the pipe and deadlock.
  auto written = ::write(in[1], input.data(), input.size());
  close(in[1]);
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{timeout_ms};
  bool timed_out = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd pf{out[0], POLLIN, 0};
    if (left <= 0 || ::poll(&pf, 1, static_cast<int>(left)) == 0) {
      timed_out = true;  // a tool that hangs must not hold a request, nor a thread, for ever
      break;
    }
    auto n = ::read(out[0], buf, sizeof buf);
    if (n <= 0)
      break;
    if (output)
      output->append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  if (timed_out)
    ::kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return !timed_out && written == static_cast<ssize_t>(input.size()) && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

namespace {
/// Each step of speech rendering (kakasi, espeak-ng, sox) takes well under a second.
constexpr int tts_step_timeout_ms = 10000;
}  // namespace

std::vector<rule_break> audio_problems(std::string_view wav) {
  std::vector<rule_break> out;
  if (wav.size() >= max_audio_bytes)
    out.push_back({"audio_too_large", "the file must be smaller than 50 MB"});
  memory_file m{wav};
  SF_VIRTUAL_IO io{&memory_file::size, &memory_file::seek, &memory_file::read, &memory_file::write,
                   &memory_file::tell};
  SF_INFO info{};
  SNDFILE* f = sf_open_virtual(&io, SFM_READ, &info, &m);
  if (!f) {
    out.push_back({"audio_not_wav", "the file is not a readable WAV file"});
    return out;
  }
  sf_close(f);
  if ((info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV) {
    out.push_back({"audio_not_wav", "the file must be a WAV file"});
    return out;
  }
  if ((info.format & SF_FORMAT_SUBMASK) != SF_FORMAT_ULAW)
    out.push_back({"audio_not_mulaw", "the audio must be μ-law (G.711) encoded"});
  if (info.samplerate != 8000)
    out.push_back({"audio_not_8khz", "the sample rate must be 8 kHz (the file has " +
                                         std::to_string(info.samplerate) + " Hz)"});
  if (info.channels != 1)
    out.push_back({"audio_not_mono", "the audio must be mono (the file has " +
                                         std::to_string(info.channels) + " channels)"});
  if (info.samplerate > 0 &&
      static_cast<double>(info.frames) / info.samplerate >= max_audio_seconds)
    out.push_back({"audio_too_long", "the audio must be shorter than 5 minutes"});
  return out;
}

std::optional<std::string> render_speech(std::string_view text) {
  std::string kana;
  if (!run_tool({"kakasi", "-i", "utf8", "-o", "utf8", "-JH"}, text, &kana, tts_step_timeout_ms)) {
    spdlog::warn("event=tts_failed step=kakasi");
    return std::nullopt;
  }
  auto dir = std::filesystem::temp_directory_path();
  auto stem = "ivrcast-tts-" + random_hex(8);
  auto raw = (dir / (stem + "-raw.wav")).string();
  auto ulaw = (dir / (stem + ".wav")).string();
  std::optional<std::string> result;
  if (!run_tool({"espeak-ng", "-v", "ja", "-w", raw, "--stdin"}, kana, nullptr,
                tts_step_timeout_ms)) {
    spdlog::warn("event=tts_failed step=espeak-ng");
  } else if (!run_tool({"sox", raw, "-r", "8000", "-c", "1", "-e", "u-law", ulaw}, {}, nullptr,
                       tts_step_timeout_ms)) {
    spdlog::warn("event=tts_failed step=sox");
  } else {
    std::ifstream in{ulaw, std::ios::binary};
    std::stringstream buf;
    buf << in.rdbuf();
    result = buf.str();
  }
  std::error_code ec;
  std::filesystem::remove(raw, ec);
  std::filesystem::remove(ulaw, ec);
  return result;
}

}  // namespace ivrcast::control
