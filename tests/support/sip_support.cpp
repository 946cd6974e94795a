#include "tests/support/sip_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/support/child_process.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::test {
namespace {

std::string cdata(const std::string& s) {
  return "<![CDATA[\n" + s + "\n]]>";
}

std::string pcap_of(char k) {
  std::string name = k == '#' ? "pound" : k == '*' ? "star" : std::string(1, k);
  return "/usr/share/sip-tester/dtmf_2833_" + name + ".pcap";
}

/// A port baresip can listen on. It takes P for SIP over UDP and TCP and P + 1 for SIP over
/// TLS, and free_port() vouches for P over TCP alone: in a CI run, P + 1 was held by one of the
/// other tests' Kafka clients, and baresip gave up ("SIP/TLS transport failed").
int free_baresip_port() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int p = free_port();
    if (p < 65535 && port_free(p, SOCK_DGRAM) && port_free(p + 1, SOCK_STREAM))
      return p;
  }
  return free_port();
}

}  // namespace

sipp_scenario::sipp_scenario(std::string from_user) : from_(std::move(from_user)) {}

sipp_scenario& sipp_scenario::header(std::string line) {
  headers_.push_back(std::move(line));
  return *this;
}

sipp_scenario& sipp_scenario::offer(sdp_offer o) {
  offer_ = std::move(o);
  return *this;
}

void sipp_scenario::add(std::string element) {
  elements_.push_back(std::move(element));
}

std::string sipp_scenario::sdp(const std::string& direction) const {
  std::string pts;
  std::string maps;
  for (const auto& f : offer_.formats) {
    auto sp = f.find(' ');
    pts += " " + f.substr(0, sp);
    maps += "a=rtpmap:" + f.substr(0, sp) + " " + f.substr(sp + 1) + "\n";
    if (f.find("telephone-event") != std::string::npos)
      maps += "a=fmtp:" + f.substr(0, sp) + " 0-15\n";
  }
  std::string s =
      "v=0\no=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]\ns=-\n"
      "c=IN IP[media_ip_type] [media_ip]\nt=0 0\nm=audio [media_port] RTP/AVP" +
      pts + "\n" + maps;
  if (offer_.ptime)
    s += "a=ptime:" + std::to_string(offer_.ptime) + "\n";
  if (!direction.empty())
    s += "a=" + direction + "\n";
  return s;
}

std::string sipp_scenario::request(const std::string& method, int cseq, const std::string& extra,
                                   const std::string& body_type, const std::string& body,
                                   bool in_dialog) const {
  std::string r = method +
                  " sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
                  "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
                  "From: <sip:" +
                  from_ +
                  "@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
                  "To: <sip:[service]@[remote_ip]:[remote_port]>" +
                  (in_dialog ? "[peer_tag_param]" : "") +
                  "\n"
                  "Call-ID: [call_id]\n"
                  "CSeq: " +
                  std::to_string(cseq) + " " + method +
                  "\n"
                  "Contact: sip:sipp@[local_ip]:[local_port]\n"
                  "Max-Forwards: 70\n" +
                  extra;
  if (!body.empty())
    r += "Content-Type: " + body_type + "\nContent-Length: [len]\n\n" + body;
  else
    r += "Content-Length: 0\n\n";
  return r;
}

sipp_scenario& sipp_scenario::call_with_sdp(const std::string& raw_sdp, int status) {
  std::string extra;
  for (const auto& h : headers_)
    extra += h + "\n";
  invite_index_ = static_cast<int>(elements_.size());
  add("<send retrans=\"500\">" +
      cdata(request("INVITE", cseq_, extra, "application/sdp", raw_sdp, false)) + "</send>");
  add("<recv response=\"100\" optional=\"true\"/>");
  add("<recv response=\"180\" optional=\"true\"/>");
  add("<recv response=\"" + std::to_string(status) + "\" rtd=\"true\"/>");
  auto back = static_cast<int>(elements_.size()) - invite_index_;
  if (status >= 300) {
    // The ACK of a refusal belongs to the INVITE's transaction: same branch.
    auto ack = request("ACK", cseq_, "", "", "", true);
    auto pos = ack.find("[branch]");
    ack.replace(pos, 8, "[branch-" + std::to_string(back) + "]");
    add("<send>" + cdata(ack) + "</send>");
  } else {
    add("<send>" + cdata(request("ACK", cseq_, "", "", "", true)) + "</send>");
  }
  ++cseq_;
  return *this;
}

sipp_scenario& sipp_scenario::call() {
  return call_with_sdp(sdp(""), 200);
}

sipp_scenario& sipp_scenario::call_refused(int status) {
  return call_with_sdp(sdp(""), status);
}

sipp_scenario& sipp_scenario::call_cancelled() {
  std::string extra;
  for (const auto& h : headers_)
    extra += h + "\n";
  invite_index_ = static_cast<int>(elements_.size());
  add("<send retrans=\"500\">" +
      cdata(request("INVITE", cseq_, extra, "application/sdp", sdp(""), false)) + "</send>");
  add("<recv response=\"100\" optional=\"true\"/>");
  add("<recv response=\"180\"/>");
  auto cancel = request("CANCEL", cseq_, "", "", "", false);
  auto back = static_cast<int>(elements_.size()) - invite_index_;
  cancel.replace(cancel.find("[branch]"), 8, "[branch-" + std::to_string(back) + "]");
  add("<send retrans=\"500\">" + cdata(cancel) + "</send>");
  add("<recv response=\"200\"/>");
  add("<recv response=\"487\"/>");
  auto ack = request("ACK", cseq_, "", "", "", true);
  back = static_cast<int>(elements_.size()) - invite_index_;
  ack.replace(ack.find("[branch]"), 8, "[branch-" + std::to_string(back) + "]");
  add("<send>" + cdata(ack) + "</send>");
  ++cseq_;
  return *this;
}

sipp_scenario& sipp_scenario::call_without_ack(int ms) {
  invite_index_ = static_cast<int>(elements_.size());
  add("<send retrans=\"500\">" +
      cdata(request("INVITE", cseq_, "", "application/sdp", sdp(""), false)) + "</send>");
  add("<recv response=\"100\" optional=\"true\"/>");
  add("<recv response=\"180\" optional=\"true\"/>");
  add("<recv response=\"200\"/>");
  // The gateway retransmits its 200 until it gives up; SIPp takes those as retransmissions.
  add("<pause milliseconds=\"" + std::to_string(ms) + "\"/>");
  ++cseq_;
  return *this;
}

sipp_scenario& sipp_scenario::pause(int ms) {
  add("<pause milliseconds=\"" + std::to_string(ms) + "\"/>");
  return *this;
}

sipp_scenario& sipp_scenario::keys_2833(const std::string& keys) {
  for (char k : keys) {
    add("<nop><action><exec play_pcap_audio=\"" + pcap_of(k) + "\"/></action></nop>");
    // Each recording lasts 140 ms and repeats its timestamp: leave a gap so that the
    // gateway hears a repeated digit as a new key.
    pause(500);
  }
  return *this;
}

sipp_scenario& sipp_scenario::keys_play_dtmf(const std::string& keys) {
  add("<nop><action><exec play_dtmf=\"" + keys + "\"/></action></nop>");
  return *this;
}

sipp_scenario& sipp_scenario::keys_info(const std::string& keys, const std::string& content_type) {
  for (char k : keys) {
    std::string body = content_type == "application/dtmf"
                           ? std::string(1, k) + "\n"
                           : "Signal=" + std::string(1, k) + "\nDuration=160\n";
    add("<send retrans=\"500\">" + cdata(request("INFO", cseq_++, "", content_type, body, true)) +
        "</send>");
    add("<recv response=\"200\"/>");
  }
  return *this;
}

sipp_scenario& sipp_scenario::reinvite(const std::string& direction,
                                       const std::string& answer_has) {
  add("<send retrans=\"500\">" +
      cdata(request("INVITE", cseq_, "", "application/sdp", sdp(direction), true)) + "</send>");
  add("<recv response=\"200\"><action><ereg regexp=\"" + answer_has +
      "\" search_in=\"body\" check_it=\"true\" assign_to=\"dir\"/></action></recv>");
  add("<send>" + cdata(request("ACK", cseq_, "", "", "", true)) + "</send>");
  ++cseq_;
  return *this;
}

sipp_scenario& sipp_scenario::update() {
  add("<send retrans=\"500\">" +
      cdata(request("UPDATE", cseq_++, "Session-Expires: 1800;refresher=uac\n", "", "", true)) +
      "</send>");
  add("<recv response=\"200\"/>");
  return *this;
}

sipp_scenario& sipp_scenario::expect_bye(int timeout_ms) {
  add("<recv request=\"BYE\" timeout=\"" + std::to_string(timeout_ms) + "\"/>");
  add("<send>" +
      cdata("SIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n"
            "[last_CSeq:]\nContent-Length: 0\n") +
      "</send>");
  return *this;
}

sipp_scenario& sipp_scenario::bye() {
  add("<send retrans=\"500\">" + cdata(request("BYE", cseq_++, "", "", "", true)) + "</send>");
  add("<recv response=\"200\" crlf=\"true\"/>");
  return *this;
}

sipp_scenario& sipp_scenario::options() {
  auto r = request("OPTIONS", cseq_++, "Accept: application/sdp\n", "", "", false);
  r.replace(r.find("tag=[pid]SIPpTag00[call_number]"), 31, "tag=[pid]opt[call_number]");
  add("<send retrans=\"500\">" + cdata(r) + "</send>");
  add("<recv response=\"200\"/>");
  return *this;
}

std::string sipp_scenario::xml() const {
  std::string x = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n<scenario name=\"ivrcast\">\n";
  for (const auto& e : elements_)
    x += e + "\n";
  return x + "</scenario>\n";
}

int run_sipp(const sipp_scenario& scenario, const std::string& service, const std::string& target,
             int local_port, int media_port, const std::string& work_dir, std::string& log,
             int deadline_s) {
  static std::atomic<int> n{0};  // tests run SIPp from several threads at once
  auto base = work_dir + "/sipp-" + std::to_string(++n);
  {
    std::ofstream out{base + ".xml"};
    out << scenario.xml();
  }
  std::vector<std::string> argv{"sipp",
                                "-sf",
                                base + ".xml",
                                "-s",
                                service,
                                target,
                                "-i",
                                "127.0.0.1",
                                "-p",
                                std::to_string(local_port),
                                "-mp",
                                std::to_string(media_port),
                                "-m",
                                "1",
                                "-l",
                                "1",
                                "-timeout",
                                std::to_string(deadline_s) + "s",
                                "-timeout_error",
                                "-trace_err",
                                "-error_file",
                                base + ".errors.log",
                                "-trace_msg",
                                "-message_file",
                                base + ".messages.log",
                                "-nostdin"};
  child_process sipp;
  if (!sipp.start(argv, base + ".out", base + ".err"))
    return -1;
  int rc = sipp.wait(scaled(std::chrono::seconds{deadline_s + 10}));
  log = read_file(base + ".errors.log") + read_file(base + ".err");
  auto messages = read_file(base + ".messages.log");
  // The end of the SIP exchange says most about a failure.
  log += "\n--- last SIP messages ---\n" +
         messages.substr(messages.size() > 6000 ? messages.size() - 6000 : 0);
  return rc;
}

int run_baresip(const std::string& work_dir, const std::string& caller, const std::string& uri,
                int seconds, std::string& heard, std::string& log) {
  auto dir = work_dir + "/baresip";
  std::filesystem::create_directories(dir);
  auto tone = dir + "/tone.wav";
  // A caller that talks: the gateway's RTP-silence rule sees a live line.
  if (std::system(("sox -n -r 8000 -c 1 -b 16 " + tone + " synth 60 sine 440").c_str()) != 0)
    return -1;
  {
    std::ofstream cfg{dir + "/config"};
    cfg << "poll_method epoll\n"
        << "sip_listen 127.0.0.1:" << free_baresip_port() << "\n"
        << "audio_source aufile," << tone << "\n"
        << "audio_alert aufile,/dev/null\n"
        << "module_path /usr/lib/baresip/modules\n"
        << "module g711.so\nmodule aufile.so\nmodule sndfile.so\n"
        << "snd_path " << dir << "\n"
        << "module_app account.so\nmodule_app menu.so\n";
    std::ofstream acc{dir + "/accounts"};
    acc << "<sip:" << caller << "@127.0.0.1>;regint=0\n";
  }
  child_process baresip;
  if (!baresip.start({"baresip", "-f", dir, "-e", "/dial " + uri, "-t", std::to_string(seconds)},
                     dir + "/out.log", dir + "/err.log"))
    return -1;
  int rc = baresip.wait(scaled(std::chrono::seconds{seconds + 20}));
  log = read_file(dir + "/out.log") + read_file(dir + "/err.log");
  heard.clear();
  for (const auto& e : std::filesystem::directory_iterator{dir})
    if (e.path().filename().string().ends_with("-dec.wav"))
      heard = e.path().string();
  return rc;
}

loopback_capture::loopback_capture(const std::string& file, int dst_port)
    : file_(file), port_(dst_port) {
  auto err = file + ".stderr";
  bool started = tcpdump_.start({"tcpdump", "-i", "lo", "--immediate-mode", "-U", "-n", "-s", "400",
                                 "-w", file, "udp", "and", "dst", "port", std::to_string(dst_port)},
                                file + ".stdout", err);
  bool ready = started &&
               eventually([&] { return read_file(err).find("listening on") != std::string::npos; },
                          std::chrono::seconds{10});
  if (!ready)
    tcpdump_.kill_now(SIGKILL);
}

loopback_capture::~loopback_capture() {
  if (tcpdump_.running())
    stop();
}

std::vector<rtp_packet> loopback_capture::stop() {
  if (!tcpdump_.running())
    return {};
  // Everything sent before this datagram is in the file once the datagram is: tcpdump hands
  // packets over in order.
  static constexpr char sentinel[] = "ivrcast-capture-end";
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port_));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sendto(fd, sentinel, sizeof sentinel - 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  close(fd);
  eventually([&] { return read_file(file_).find(sentinel) != std::string::npos; },
             std::chrono::seconds{10});
  tcpdump_.kill_now(SIGINT);
  return tools::read_rtp_pcap(file_);
}

}  // namespace ivrcast::test
