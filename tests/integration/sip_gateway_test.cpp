// The SIP gateway end to end: SIPp (an implementation we did not write) calls the gateway,
// which talks to a real node through the gateway-protocol topics, on the embedded cluster
// (label integration) or a real broker (label broker). Assertions are on what reaches
// calls.events, sms.jobs and the call counts, and on the RTP that reaches SIPp.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>

#include <sndfile.h>

#include "actors/node.hpp"
#include "actors/prompt_speech.hpp"
#include "connectors/control/flow_file.hpp"
#include "connectors/delivery/job_codec.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/consumer.hpp"
#include "connectors/kafka/embedded_cluster.hpp"
#include "control/audio.hpp"
#include "gateway/sip_gateway.hpp"
#include "gateway/wav.hpp"
#include "messages/gateway.pb.h"
#include "messages/phone.hpp"
#include "storage/call_counts.hpp"
#include "tests/support/sip_support.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/topic_copy.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;
using test::sipp_scenario;

constexpr const char* number_a = "05011110001";  // active account, published flow
constexpr const char* number_without_flow = "05000000000";

/// A call's events as the gateway produced them.
struct call_record {
  std::string call_id;
  std::vector<wire::CallEvent> events;

  std::vector<std::string> finished_prompts() const {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.has_prompt_finished())
        out.push_back(e.prompt_finished().prompt_id());
    return out;
  }
  std::vector<std::string> digits() const {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.has_digits_collected())
        out.push_back(e.digits_collected().digits());
    return out;
  }
  /// The events in short, for failure messages.
  std::string describe() const {
    std::string out = call_id + ":";
    for (const auto& e : events) {
      if (e.has_started())
        out += " started(" + e.started().calling() + ")";
      else if (e.has_prompt_finished())
        out += " finished(" + e.prompt_finished().prompt_id() + ")";
      else if (e.has_digits_collected())
        out += " digits(" + e.digits_collected().digits() + "," +
               std::to_string(e.digits_collected().end()) + ")";
      else if (e.has_ended())
        out += " ended(" + std::to_string(e.ended().reason()) + ")";
      out += "@" + std::to_string(e.occurred_at_ms() % 100000);
    }
    return out;
  }
  wire::EndReason ended() const {
    for (const auto& e : events)
      if (e.has_ended())
        return e.ended().reason();
    return wire::END_REASON_UNSPECIFIED;
  }
};

class SipGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    settings_ = test::settings_for(info->name(), dir_.path() + "/node");
    auto http_port = test::free_port();
    settings_.http.listen = "127.0.0.1:" + std::to_string(http_port);
    settings_.http.public_url = "http://127.0.0.1:" + std::to_string(http_port);
    settings_.ivr.digit_timeout_ms = 3000;
    auto b = kafka::bus::open(settings_.kafka);
    ASSERT_OK(b);
    bus_ = std::move(*b);
    ASSERT_OK(actors::render_fixed_prompts(*bus_, settings_));
    ASSERT_FALSE(settings_.ivr.step6_speech_url.empty()) << "TTS is needed for these tests";
    auto f = actors::publish_flow_file(IVRCAST_SOURCE_DIR "/config/flows.example.json", *bus_,
                                       settings_);
    ASSERT_OK(f);
    flows_ = std::move(*f);
    auto n = actors::node::start(settings_, bus_);
    ASSERT_OK(n);
    node_ = std::move(*n);
    ASSERT_TRUE(test::eventually([&] { return node_->owned_partitions() > 0; }));
    gateway_port_ = test::free_port();
    auto gw = start_gateway("gw-test", gateway_port_, 0, 0);
    ASSERT_TRUE(gw);
    gateway_ = std::move(gw);
    events_reader_ = read(topics::call_events, events_);
    jobs_reader_ = read(topics::sms_jobs, jobs_);
  }

  void TearDown() override {
    if (gateway_)
      gateway_->stop();
    if (extra_gateway_)
      extra_gateway_->stop();
    if (events_reader_)
      events_reader_->stop();
    if (jobs_reader_)
      jobs_reader_->stop();
    if (node_)
      node_->stop();
  }

  std::unique_ptr<gateway::sip_gateway> start_gateway(const std::string& id, int port, int ring_ms,
                                                      int rtp_timeout_s,
                                                      int first_command_ms = 5000) {
    auto g = settings_.gateway;
    g.first_command_ms = first_command_ms;
    g.id = id + "-" + std::to_string(port);
    g.sip_host = "127.0.0.1";
    g.sip_port = port;
    g.rtp_port_min = 42000;
    g.rtp_port_max = 45999;
    g.ring_ms = ring_ms;
    g.rtp_timeout_s = rtp_timeout_s;
    g.state_dir = dir_.path() + "/gateway-" + std::to_string(port);
    auto gw = gateway::sip_gateway::start(*bus_, g);
    EXPECT_TRUE(gw) << describe(gw.error());
    return gw ? std::move(*gw) : nullptr;
  }

  std::unique_ptr<kafka::partition_reader> read(const topics::topic_spec& t,
                                                test::topic_copy& into) {
    auto r = kafka::partition_reader::open(*bus_, bus_->topic(t), "test-reader", into);
    EXPECT_TRUE(r) << describe(r.error());
    (*r)->start();
    return std::move(*r);
  }

  /// Runs one SIPp call to `service` on the gateway at `port`; expects SIPp's success.
  void sipp(const sipp_scenario& sc, const std::string& service, int port = 0, int media_port = 0) {
    std::string log;
    int rc = test::run_sipp(sc, service, "127.0.0.1:" + std::to_string(port ? port : gateway_port_),
                            test::free_port(), media_port ? media_port : free_media_port(),
                            dir_.path(), log);
    EXPECT_EQ(rc, 0) << "SIPp failed; its log:\n" << log << "\nscenario:\n" << sc.xml();
  }

  static int free_media_port() {
    static std::mt19937 rng{std::random_device{}()};
    return 46000 + 2 * static_cast<int>(rng() % 2000);
  }

  /// The call whose started event names `called` and `calling`, once it ended; its events
  /// in order. Empty call_id if none within the deadline.
  call_record call_of(const std::string& called, const std::string& calling) {
    call_record rec;
    test::eventually([&] {
      rec = {};
      for (const auto& v : events_.values()) {
        wire::CallEvent e;
        if (!e.ParseFromString(v))
          continue;
        if (rec.call_id.empty() && e.has_started() &&
            messages::normalise_number(e.started().called()) ==
                messages::normalise_number(called) &&
            e.started().calling() == calling)
          rec.call_id = e.call_id();
        if (!rec.call_id.empty() && e.call_id() == rec.call_id)
          rec.events.push_back(e);
      }
      return rec.ended() != wire::END_REASON_UNSPECIFIED;
    });
    return rec;
  }

  /// Destinations of the SMS jobs of `call_id`.
  std::vector<std::string> jobs_of(const std::string& call_id) {
    std::vector<std::string> out;
    for (const auto& v : jobs_.values()) {
      auto job = connectors::delivery::decode_job(v);
      // A copy the SMS side moved to its carrier's binds is the same job.
      if (job && job->call.value == call_id && job->forwarded_from == 0)
        out.push_back(job->destination);
    }
    return out;
  }

  /// The call produced exactly one SMS job, to `destination`.
  void expect_sms_to(const call_record& call, const std::string& destination) {
    EXPECT_TRUE(test::eventually([&] { return jobs_of(call.call_id).size() == 1; }))
        << jobs_of(call.call_id).size() << " jobs";
    EXPECT_EQ(jobs_of(call.call_id), std::vector<std::string>{destination});
  }

  bool count_is(const std::string& number, uint64_t n) {
    return test::eventually([&] {
      auto t = node_->counts().totals();
      return t && t->count(number) && t->at(number) == n;
    });
  }

  /// How long a published step of number_a plays, in ms.
  int step_ms(uint32_t step) {
    for (const auto& fl : flows_.flows)
      if (fl.incoming_number() == number_a)
        for (const auto& g : fl.steps())
          if (g.step() == step) {
            auto wav = control::render_speech(g.text());
            auto samples = gateway::mulaw_samples(*wav);
            return static_cast<int>(samples->size() / 8);
          }
    ADD_FAILURE() << "no step " << step;
    return 0;
  }

  test::temp_dir dir_;
  config::settings settings_;
  std::shared_ptr<kafka::bus> bus_;
  connectors::control::flow_file flows_;
  std::unique_ptr<actors::node> node_;
  std::unique_ptr<gateway::sip_gateway> gateway_;
  std::unique_ptr<gateway::sip_gateway> extra_gateway_;
  int gateway_port_ = 0;
  test::topic_copy events_;
  test::topic_copy jobs_;
  std::unique_ptr<kafka::partition_reader> events_reader_;
  std::unique_ptr<kafka::partition_reader> jobs_reader_;
};

TEST_F(SipGatewayTest, MobileCallerHearsStep4GetsTheSmsAndOurBye) {
  int media = free_media_port();
  test::loopback_capture capture{dir_.path() + "/mobile.pcap", media};
  ASSERT_TRUE(capture.listening()) << "tcpdump could not capture on lo";
  sipp(sipp_scenario{"0312349999"}
           .header("P-Asserted-Identity: <sip:+819012345678@trunk.example;user=phone>")
           .call()
           .expect_bye(),
       number_a, 0, media);
  auto rtp = capture.stop();
  auto call = call_of(number_a, "+819012345678");
  SCOPED_TRACE(call.describe());
  ASSERT_FALSE(call.call_id.empty());
  EXPECT_EQ(call.finished_prompts(), std::vector<std::string>{"step4"});
  EXPECT_EQ(call.ended(), wire::END_REASON_IVR_HUNG_UP);
  expect_sms_to(call, "09012345678");
  EXPECT_TRUE(count_is(number_a, 1));

  auto s = test::summarise(rtp);
  EXPECT_GT(s.packets, static_cast<size_t>(step_ms(4) / 20 - 5));
  EXPECT_EQ(s.payload_types, std::vector<uint8_t>{0});
  EXPECT_EQ(s.payload_sizes, std::vector<size_t>{160});
  EXPECT_TRUE(s.seq_continuous);
  EXPECT_TRUE(s.ts_continuous);
  EXPECT_GT(s.voiced, s.packets / 2) << "the prompt's audio, not silence";
  EXPECT_GT(s.median_gap_ms, 15.0);
  EXPECT_LT(s.median_gap_ms, 25.0);
  EXPECT_EQ(gateway_->stats().audio_failures, 0u);
}

TEST_F(SipGatewayTest, LandlineKeysAValidNumberAfterTheGuidanceWithRfc2833) {
  sipp(sipp_scenario{"0312340002"}
           .call()
           .pause(step_ms(1) + step_ms(2) + 700)
           .keys_2833("09012340002#")
           .expect_bye(),
       number_a);
  auto call = call_of(number_a, "0312340002");
  SCOPED_TRACE(call.describe());
  ASSERT_FALSE(call.call_id.empty());
  EXPECT_EQ(call.finished_prompts(), (std::vector<std::string>{"step1", "step2", "step4"}));
  EXPECT_EQ(call.digits(), std::vector<std::string>{"09012340002"});
  EXPECT_EQ(call.ended(), wire::END_REASON_IVR_HUNG_UP);
  expect_sms_to(call, "09012340002");
  EXPECT_TRUE(count_is(number_a, 1));
}

TEST_F(SipGatewayTest, RepeatedDigitsFromRecordingsAreEachHeard) {
  sipp(sipp_scenario{"0312340003"}.call().pause(1000).keys_2833("09001100003").expect_bye(),
       number_a);
  auto call = call_of(number_a, "0312340003");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.digits(), std::vector<std::string>{"09001100003"});
  expect_sms_to(call, "09001100003");
}

TEST_F(SipGatewayTest, BargeInDuringStep2StopsTheGuidanceWithPayloadType96) {
  sipp(sipp_scenario{"0312340004"}
           .offer({{"0 PCMU/8000", "96 telephone-event/8000"}, 20})
           .call()
           .pause(step_ms(1) + 1500)
           .keys_play_dtmf("08012340004")
           .expect_bye(),
       number_a);
  auto call = call_of(number_a, "0312340004");
  SCOPED_TRACE(call.describe());
  // Step 2 was cut short: no prompt_finished for it; the keys were the entry.
  EXPECT_EQ(call.finished_prompts(), (std::vector<std::string>{"step1", "step4"}));
  EXPECT_EQ(call.digits(), std::vector<std::string>{"08012340004"});
  expect_sms_to(call, "08012340004");
}

TEST_F(SipGatewayTest, ThreeBadEntriesEndWithStep6AndNoSms) {
  sipp(sipp_scenario{"0312340005"}
           .call()
           .pause(800)
           .keys_2833("1#")
           .pause(1500)
           .keys_2833("2#")
           .pause(1500)
           .keys_2833("3#")
           .expect_bye(),
       number_a);
  auto call = call_of(number_a, "0312340005");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.digits(), (std::vector<std::string>{"1", "2", "3"}));
  auto prompts = call.finished_prompts();
  ASSERT_FALSE(prompts.empty());
  EXPECT_EQ(prompts.back(), "step6");
  EXPECT_EQ(call.ended(), wire::END_REASON_IVR_HUNG_UP);
  EXPECT_TRUE(jobs_of(call.call_id).empty());
  EXPECT_TRUE(count_is(number_a, 1));
}

TEST_F(SipGatewayTest, SipInfoDigitsOfBothContentTypesFeedTheSamePath) {
  sipp(sipp_scenario{"0312340006"}
           .call()
           .pause(1000)
           .keys_info("090123", "application/dtmf-relay")
           .keys_info("40006", "application/dtmf")
           .expect_bye(),
       number_a);
  auto call = call_of(number_a, "0312340006");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.digits(), std::vector<std::string>{"09012340006"});
  expect_sms_to(call, "09012340006");
}

TEST_F(SipGatewayTest, CallerHangingUpMidPromptEndsTheCallCountedOnce) {
  sipp(sipp_scenario{"0312340007"}.call().pause(1500).bye(), number_a);
  auto call = call_of(number_a, "0312340007");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.ended(), wire::END_REASON_CALLER_HUNG_UP);
  EXPECT_TRUE(call.finished_prompts().empty());
  EXPECT_TRUE(call.digits().empty());
  EXPECT_TRUE(jobs_of(call.call_id).empty());
  EXPECT_TRUE(count_is(number_a, 1));
}

TEST_F(SipGatewayTest, CancelBeforeAnswerEndsTheCall) {
  int port = test::free_port();
  extra_gateway_ = start_gateway("gw-ring", port, 5000, 0);
  ASSERT_TRUE(extra_gateway_);
  sipp(sipp_scenario{"0312340008"}.call_cancelled(), number_a, port);
  auto call = call_of(number_a, "0312340008");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.ended(), wire::END_REASON_CALLER_HUNG_UP);
  EXPECT_EQ(extra_gateway_->stats().answered, 0u);
  EXPECT_TRUE(count_is(number_a, 1));
}

TEST_F(SipGatewayTest, WithheldCallerIsAskedForTheNumber) {
  sipp(sipp_scenario{"anonymous"}
           .header("Privacy: id")
           .call()
           .pause(1000)
           .keys_2833("07012340009")
           .expect_bye(),
       number_a);
  auto call = call_of(number_a, "");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.digits(), std::vector<std::string>{"07012340009"});
  expect_sms_to(call, "07012340009");
}

TEST_F(SipGatewayTest, NumberWithoutFlowIsRejectedPolitelyAndNotANumberIs404) {
  sipp(sipp_scenario{"0312340010"}.call().expect_bye(), number_without_flow);
  auto call = call_of(number_without_flow, "0312340010");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.finished_prompts(), std::vector<std::string>{"rejected"});
  EXPECT_EQ(call.ended(), wire::END_REASON_IVR_HUNG_UP);
  EXPECT_TRUE(jobs_of(call.call_id).empty());
  sipp(sipp_scenario{"0312340010"}.call_refused(404), "support");
  EXPECT_EQ(gateway_->stats().refused, 1u);
}

TEST_F(SipGatewayTest, OfferWithoutG711Is488AndPcmaOnlyStreamsAlaw) {
  sipp(sipp_scenario{"0312340011"}.offer({{"9 G722/8000"}, 20}).call_refused(488), number_a);
  int media = free_media_port();
  test::loopback_capture capture{dir_.path() + "/pcma.pcap", media};
  ASSERT_TRUE(capture.listening());
  sipp(sipp_scenario{"09012340011"}
           .offer({{"8 PCMA/8000", "101 telephone-event/8000"}, 30})
           .call()
           .expect_bye(),
       number_a, 0, media);
  auto s = test::summarise(capture.stop());
  EXPECT_EQ(s.payload_types, std::vector<uint8_t>{8});
  EXPECT_EQ(s.payload_sizes, std::vector<size_t>{240}) << "a=ptime:30 honoured";
  EXPECT_TRUE(s.seq_continuous);
  EXPECT_TRUE(s.ts_continuous);
  EXPECT_GT(s.voiced, s.packets / 2);
  EXPECT_GT(s.median_gap_ms, 25.0);
  EXPECT_LT(s.median_gap_ms, 35.0);
}

TEST_F(SipGatewayTest, GarbageOnTheSipPortIsSurvived) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(gateway_port_));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::mt19937 rng{42};
  const std::string bad[] = {"INVITE sip:x SIP/2.0\r\n\r\n", "SIP/2.0 200 OK\r\n\r\n", "\r\n\r\n",
                             "OPTIONS\r\nVia: ;;;\r\nContent-Length: 99999\r\n\r\nx"};
  for (const auto& b : bad)
    sendto(fd, b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  for (int i = 0; i < 200; ++i) {
    std::string junk(static_cast<size_t>(rng() % 1400 + 1), '\0');
    for (auto& c : junk)
      c = static_cast<char>(rng());
    sendto(fd, junk.data(), junk.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  close(fd);
  // A malformed SDP offer gets 400, and the next call is served as usual.
  sipp(sipp_scenario{"0312340012"}.call_with_sdp("v=0\nm=audio\nc=IN\n", 400), number_a);
  sipp(sipp_scenario{"09012340012"}.options().call().expect_bye(), number_a);
  auto call = call_of(number_a, "09012340012");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.ended(), wire::END_REASON_IVR_HUNG_UP);
  expect_sms_to(call, "09012340012");
}

TEST_F(SipGatewayTest, HoldUnholdAndSessionRefreshKeepTheCall) {
  sipp(sipp_scenario{"0312340013"}
           .call()
           .pause(500)
           .reinvite("sendonly", "a=recvonly")
           .update()
           .reinvite("sendrecv", "a=sendrecv")
           .pause(500)
           .bye(),
       number_a);
  auto call = call_of(number_a, "0312340013");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.ended(), wire::END_REASON_CALLER_HUNG_UP);
}

TEST_F(SipGatewayTest, NoAckEndsTheCallAsNetworkError) {
  sipp(sipp_scenario{"0312340014"}.call_without_ack(1000), number_a);
  // libre gives up after 64*T1 (32 s) without an ACK.
  call_record call;
  ASSERT_TRUE(test::eventually(
      [&] {
        call = call_of(number_a, "0312340014");
        return call.ended() != wire::END_REASON_UNSPECIFIED;
      },
      std::chrono::seconds{60}));
  EXPECT_EQ(call.ended(), wire::END_REASON_NETWORK_ERROR);
}

TEST_F(SipGatewayTest, RtpSilenceFromTheCallerEndsTheCall) {
  int port = test::free_port();
  extra_gateway_ = start_gateway("gw-quiet", port, 0, 2);
  ASSERT_TRUE(extra_gateway_);
  // SIPp sends no RTP of its own: the gateway hangs up after 2 s of silence.
  sipp(sipp_scenario{"0312340015"}.call().expect_bye(20000), number_a, port);
  auto call = call_of(number_a, "0312340015");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.ended(), wire::END_REASON_NETWORK_ERROR);
}

TEST_F(SipGatewayTest, BaresipCallerHearsStep4AndGetsTheSms) {
  std::string heard;
  std::string log;
  int rc = test::run_baresip(
      dir_.path(), "09011112222",
      "sip:" + std::string{number_a} + "@127.0.0.1:" + std::to_string(gateway_port_),
      step_ms(4) / 1000 + 8, heard, log);
  EXPECT_EQ(rc, 0) << log;
  auto call = call_of(number_a, "09011112222");
  SCOPED_TRACE(call.describe());
  EXPECT_EQ(call.finished_prompts(), std::vector<std::string>{"step4"});
  EXPECT_EQ(call.ended(), wire::END_REASON_IVR_HUNG_UP) << log;
  expect_sms_to(call, "09011112222");
  // What baresip decoded is the guidance: as long as step 4, and not silence.
  ASSERT_FALSE(heard.empty()) << log;
  SF_INFO info{};
  SNDFILE* f = sf_open(heard.c_str(), SFM_READ, &info);
  ASSERT_NE(f, nullptr);
  std::vector<float> samples(static_cast<size_t>(info.frames));
  sf_readf_float(f, samples.data(), info.frames);
  sf_close(f);
  double sum = 0;
  for (float x : samples)
    sum += static_cast<double>(x) * x;
  double rms = samples.empty() ? 0 : std::sqrt(sum / static_cast<double>(samples.size()));
  EXPECT_GT(info.frames * 1000 / info.samplerate, step_ms(4) - 500);
  EXPECT_GT(rms, 0.02) << "heard silence";
}

/// The embedded cluster's brokers can be taken down: a Kafka outage (embedded runs only).
class SipGatewayOutageTest : public SipGatewayTest {};

TEST_F(SipGatewayOutageTest, KafkaOutageKeepsLiveCallsPlayingAndRefusesNewCalls) {
  ASSERT_NE(bus_->embedded(), nullptr);
  int port = test::free_port();
  extra_gateway_ = start_gateway("gw-outage", port, 0, 0, 2000);
  ASSERT_TRUE(extra_gateway_);
  int media = free_media_port();
  test::loopback_capture capture{dir_.path() + "/outage.pcap", media};
  ASSERT_TRUE(capture.listening());
  std::string log_a;
  int rc_a = -1;
  std::thread live{[&] {
    rc_a = test::run_sipp(sipp_scenario{"0312340020"}.call().pause(12000).bye(), number_a,
                          "127.0.0.1:" + std::to_string(port), test::free_port(), media,
                          dir_.path(), log_a);
  }};
  ASSERT_TRUE(test::eventually([&] { return extra_gateway_->stats().answered == 1; }));
  auto wall = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  bus_->embedded()->set_brokers_up(false);
  double down_at = wall();
  // A new call gets no first command: refused with 503 once gateway.first_command_ms passed.
  sipp(sipp_scenario{"0312340021"}.call_refused(503), number_a, port);
  double refused_at = wall();
  bus_->embedded()->set_brokers_up(true);
  live.join();
  EXPECT_EQ(rc_a, 0) << log_a;
  auto rtp = capture.stop();
  size_t during = 0;
  for (const auto& p : rtp)
    if (p.at_s > down_at && p.at_s < refused_at)
      ++during;
  // The live call kept streaming through the outage at 50 packets/s.
  EXPECT_GT(static_cast<double>(during), (refused_at - down_at) * 50 * 0.8)
      << during << " packets in " << refused_at - down_at << " s";
  EXPECT_TRUE(test::summarise(rtp).seq_continuous);
  EXPECT_EQ(extra_gateway_->stats().refused, 1u);
}

}  // namespace
}  // namespace ivrcast
