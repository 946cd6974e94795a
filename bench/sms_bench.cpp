// SMS benchmarks. Prints numbers, asserts nothing:
//   sms_bench submits [jobs]  one node sending jobs to simulated SMSCs over loopback SMPP with
//                             receipts (Kafka: IVRCAST_KAFKA_BROKERS, else the embedded cluster),
//                             timed once as many other jobs have gone through it
//   sms_bench log [rows]      delivery-log search and CSV export over `rows` rows in RocksDB
//   sms_bench fold [messages] the delivery log folding whole lives, as a rebuild reads them
//   sms_bench held [jobs]     a node's memory while docomo has no SMSC: what its sender holds
//                             (IVRCAST_SMS_HELD_PER_CARRIER=1000000 for the unbounded figure);
//                             then docomo's SMSC is back: how fast its backlog drains, and how
//                             many records the rewinds read again
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/db.h>
#include <spdlog/spdlog.h>

#include "actors/node.hpp"
#include "actors/sms_service.hpp"
#include "bench/percentile.hpp"
#include "bench/raw_smpp.hpp"
#include "bench/sms_raw_pipeline.hpp"
#include "config/load.hpp"
#include "connectors/delivery/job_codec.hpp"
#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/producer.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "sms/carrier_directory.hpp"
#include "storage/database.hpp"
#include "storage/delivery_log.hpp"
#include "storage/log_export.hpp"
#include "tools/smsc_sim/smsc_sim.hpp"

// jemalloc's control interface, when jemalloc is the allocator (not in sanitizer builds).
extern "C" int mallctl(const char* name, void* old_value, size_t* old_size, void* new_value,
                       size_t new_size) __attribute__((weak));

namespace {

using namespace ivrcast;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Polls `done` every `poll` until it holds: false, with `why()` on stderr, once `limit_s`
/// seconds have passed since `t0`.
bool wait_until(const std::function<bool()>& done, clock_type::time_point t0, double limit_s,
                std::chrono::milliseconds poll, const std::function<std::string()>& why) {
  while (!done()) {
    if (seconds_since(t0) > limit_s) {
      std::fprintf(stderr, "timeout: %s\n", why().c_str());
      return false;
    }
    std::this_thread::sleep_for(poll);
  }
  return true;
}

int fail(const char* what, const caf::error& e) {
  std::fprintf(stderr, "%s: %s\n", what, describe(e).c_str());
  return 1;
}

messages::sms_job job(int i, int64_t t0) {
  messages::sms_job j;
  j.call = call_id{"bench-" + std::to_string(i)};
  j.flow_version = flow_version_id{"fv-bench"};
  j.job = job_id{"fv-bench-" + j.call.value};
  j.account = account_id{"acc-bench"};
  j.incoming_number = "0501110001";
  j.flow_name = "bench";
  char dest[16];
  std::snprintf(dest, sizeof dest, "090%d%07d", i % 10, i % 10000000);
  j.destination = dest;
  j.sender_id = "0312345678";
  j.body = "ご予約を承りました。ご来店をお待ちしております。";
  j.requested_at_ms = t0 + i / 1000;
  return j;
}

/// Jobs first..first+n-1 as (key, value) records of sms.jobs.
std::vector<std::pair<std::string, std::string>> encode_jobs(int n, int first = 0) {
  auto t = unix_now_ms();
  std::vector<std::pair<std::string, std::string>> encoded(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto j = job(first + i, t);
    connectors::delivery::encode_job(j, encoded[static_cast<size_t>(i)].second);
    encoded[static_cast<size_t>(i)].first = std::move(j.destination);
  }
  return encoded;
}

/// Puts the records on sms.jobs and waits until the broker has them all.
caf::expected<void> produce_jobs(const connectors::kafka::bus& bus,
                                 const std::vector<std::pair<std::string, std::string>>& jobs) {
  auto prod = connectors::kafka::producer::open(bus, "bench-jobs", [](uint64_t, bool) {});
  if (!prod)
    return std::move(prod.error());
  auto topic = (*prod)->topic(bus.topic(topics::sms_jobs));
  for (const auto& [key, value] : jobs)
    (*prod)->produce(topic, key, value, 0);
  return (*prod)->flush(std::chrono::seconds{120});
}

/// CPU time (user and system) this process has used, s.
double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

/// The raw baseline: one bound SMPP session per simulated SMSC (the same simulators the node
/// uses) submitting `per_carrier` UCS-2 messages with `window` unacknowledged, acknowledging
/// receipts, until every submit is answered and every receipt is in. No Kafka, no log, no
/// state: what the simulators and loopback TCP allow.
struct raw_result {
  double submitted_s = 0;
  double receipts_s = 0;
};

caf::expected<raw_result> raw_smpp_session(const config::carrier_settings& c, int per_carrier,
                                           int window, clock_type::time_point t0) {
  auto peer = bench::raw_smpp_peer::connect(c);
  if (!peer)
    return std::move(peer.error());
  auto& smsc = **peer;
  int sent = 0, acked = 0, receipts = 0;
  std::vector<uint32_t> accepted;
  raw_result r;
  while (acked < per_carrier || receipts < per_carrier) {
    char dest[16];
    for (; smsc.bound() && sent < per_carrier && sent - acked < window; ++sent) {
      std::snprintf(dest, sizeof dest, "090%08d", sent);
      smsc.submit(dest);
    }
    if (auto ok = smsc.send(true); !ok)
      return std::move(ok.error());
    accepted.clear();
    auto before = receipts;
    if (auto ok = smsc.receive(true, accepted, receipts); !ok)
      return std::move(ok.error());
    acked += static_cast<int>(accepted.size());
    if (acked == per_carrier && !accepted.empty())
      r.submitted_s = seconds_since(t0);
    if (receipts == per_carrier && receipts != before)
      r.receipts_s = seconds_since(t0);
  }
  return r;
}

/// The raw SMPP loop over the four simulated carriers at once; returns submits/s and
/// messages with their receipt per second.
caf::expected<std::pair<double, double>> raw_smpp(config::settings& s, int jobs) {
  auto per_carrier = jobs / static_cast<int>(std::size(s.sms.carriers));
  std::vector<std::thread> threads;
  std::vector<caf::expected<raw_result>> results(std::size(s.sms.carriers), raw_result{});
  auto t0 = clock_type::now();
  for (size_t i = 0; i < std::size(s.sms.carriers); ++i)
    threads.emplace_back(
        [&, i] { results[i] = raw_smpp_session(s.sms.carriers[i], per_carrier, 2000, t0); });
  for (auto& t : threads)
    t.join();
  double submitted = 0, receipts = 0;
  for (auto& r : results) {
    if (!r)
      return std::move(r.error());
    submitted = std::max(submitted, r->submitted_s);
    receipts = std::max(receipts, r->receipts_s);
  }
  auto total = static_cast<double>(per_carrier) * static_cast<double>(results.size());
  return std::pair{total / submitted, total / receipts};
}

/// The configuration (file-less, environment overrides) of a bench's node: a fresh data
/// directory `dir_name` under /tmp, topics of its own, simulators delivering at once.
caf::expected<config::settings> node_settings(const char* dir_name) {
  auto s = config::load("", [](const char* k) { return std::getenv(k); });
  if (!s)
    return s;
  auto dir = std::filesystem::temp_directory_path() / dir_name;
  std::filesystem::remove_all(dir);
  s->node.data_dir = dir.string();
  s->node.log_level = "warn";
  spdlog::set_level(spdlog::level::warn);
  s->kafka.topic_prefix = "bench" + std::to_string(unix_now_ms()) + ".";
  s->sms.simulator_mix = "delivered=100";
  s->sms.simulator_receipt_delay_ms = 0;
  return s;
}

/// A bench's node on its own bus, the carriers' rate and window out of the way, once it owns
/// partitions of sms.jobs.
struct bench_node {
  std::shared_ptr<connectors::kafka::bus> bus;
  std::unique_ptr<actors::node> node;
};

caf::expected<bench_node> start_node(config::settings& s) {
  for (auto& c : s.sms.carriers) {
    c.rate = 1000000;
    c.window = 2000;
  }
  auto b = connectors::kafka::bus::open(s.kafka);
  if (!b)
    return std::move(b.error());
  bench_node out;
  out.bus = std::move(*b);
  auto n = actors::node::start(s, out.bus);
  if (!n)
    return std::move(n.error());
  out.node = std::move(*n);
  while (out.node->sms().owned_partitions() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  return out;
}

int submits(int jobs) {
  auto s = node_settings("ivrcast-sms-bench");
  if (!s)
    return fail("config", s.error());
  auto sims = tools::simulate_carriers(s->sms);
  if (!sims)
    return fail("simulators", sims.error());
  // The raw baseline first, on simulators like the node's; the node gets fresh ones, with empty
  // state.
  // CPU is the whole process's (the simulators run in it too, alike for all three), from the
  // first job produced to the last receipt: steadier than a rate on a shared machine.
  auto cpu0 = cpu_s();
  auto raw = raw_smpp(*s, jobs);
  if (!raw)
    return fail("raw smpp", raw.error());
  auto raw_cpu_s = cpu_s() - cpu0;
  auto encoded = encode_jobs(jobs);
  // The raw pipeline (plain librdkafka and bare SMPP) needs a broker it can reach.
  bench::pipeline_result pipe;
  double pipe_cpu_s = 0;
  if (!s->kafka.embedded()) {
    sims = tools::simulate_carriers(s->sms);
    if (!sims)
      return fail("simulators", sims.error());
    auto c0 = cpu_s();
    auto r = bench::raw_pipeline(*s, encoded, 2000);
    if (!r)
      return fail("raw pipeline", r.error());
    pipe = *r;
    pipe_cpu_s = cpu_s() - c0;
  }
  sims = tools::simulate_carriers(s->sms);
  if (!sims)
    return fail("simulators", sims.error());
  auto started = start_node(*s);
  if (!started)
    return fail("node", started.error());
  auto& bus = started->bus;
  auto& node = *started->node;

  const auto& m = node.sms().metrics();
  const auto& folded = node.sms().log().receipts();
  auto on_rows = [&] { return folded.matched.load() + folded.unparked.load(); };
  // Puts `records` on sms.jobs and waits until the node has ended `target` jobs in all, each
  // with its receipt on its row of the delivery log. Timed from when every record is on the
  // topic (the node's consume, prepare, fence, submit): seconds until every part was accepted,
  // and until every receipt was on its row.
  struct timing {
    double submitted_s = 0, receipts_s = 0, cpu_s = 0;
  };
  auto run = [&](const std::vector<std::pair<std::string, std::string>>& records,
                 uint64_t target) -> std::optional<timing> {
    auto run_cpu0 = cpu_s();
    if (auto ok = produce_jobs(*bus, records); !ok) {
      fail("jobs", ok.error());
      return std::nullopt;
    }
    auto t0 = clock_type::now();
    timing out;
    while (m.finished.load() < target || on_rows() < target) {
      if (out.submitted_s == 0 && m.parts_accepted.load() >= target)
        out.submitted_s = seconds_since(t0);
      if (seconds_since(t0) > 600) {
        std::string senders;
        for (auto c : sms::all_carriers) {
          auto i = static_cast<size_t>(c);
          senders += " " + std::string{sms::key(c)} + " held " + std::to_string(m.held[i].load()) +
                     " queued " + std::to_string(m.queued[i].load());
        }
        std::fprintf(stderr, "timeout: %llu of %llu finished;%s; left %llu, rewinds %llu\n",
                     static_cast<unsigned long long>(m.finished.load()),
                     static_cast<unsigned long long>(target), senders.c_str(),
                     static_cast<unsigned long long>(m.left.load()),
                     static_cast<unsigned long long>(m.rewinds.load()));
        return std::nullopt;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    out.receipts_s = seconds_since(t0);
    out.cpu_s = cpu_s() - run_cpu0;
    if (out.submitted_s == 0)
      out.submitted_s = out.receipts_s;
    return out;
  };
  // A node in service has its memory in use: the same number of other jobs goes through it
  // first, so that what is timed is not the kernel handing a fresh process its first pages.
  auto first = run(encode_jobs(jobs, jobs), static_cast<uint64_t>(jobs));
  if (!first)
    return 1;
  std::fprintf(stderr, "sms bench: timing\n");  // for a profiler to attach
  auto timed = run(encoded, 2 * static_cast<uint64_t>(jobs));
  if (!timed)
    return 1;
  auto [submitted_s, receipts_s, node_cpu_s] = *timed;
  auto us_per_job = [jobs](double cpu) { return cpu * 1e6 / jobs; };
  auto first_s = first->receipts_s;
  uint64_t dups = 0;
  for (const auto& sim : *sims)
    dups += sim->counts().duplicates;
  std::printf(
      "RESULT sms_submits jobs=%d cores=%u kafka=%s first_jobs_with_receipts_per_s=%.0f "
      "accepted_s=%.2f submits_per_s=%.0f "
      "receipts_done_s=%.2f messages_with_receipts_per_s=%.0f duplicates=%llu "
      "raw_smpp_submits_per_s=%.0f raw_smpp_with_receipts_per_s=%.0f submits_ratio=%.2f "
      "with_receipts_ratio=%.2f raw_pipeline_submits_per_s=%.0f "
      "raw_pipeline_with_receipts_per_s=%.0f pipeline_submits_ratio=%.2f "
      "pipeline_with_receipts_ratio=%.2f cpu_us_per_job=%.1f raw_smpp_cpu_us_per_job=%.1f "
      "raw_pipeline_cpu_us_per_job=%.1f pipeline_cpu_ratio=%.2f receipts_parked_share=%.2f\n",
      jobs, std::thread::hardware_concurrency(), s->kafka.embedded() ? "embedded" : "broker",
      jobs / first_s, submitted_s, jobs / submitted_s, receipts_s, jobs / receipts_s,
      static_cast<unsigned long long>(dups), raw->first, raw->second,
      jobs / submitted_s / raw->first, jobs / receipts_s / raw->second, pipe.submits_per_s,
      pipe.with_receipts_per_s,
      pipe.submits_per_s > 0 ? jobs / submitted_s / pipe.submits_per_s : 0,
      pipe.with_receipts_per_s > 0 ? jobs / receipts_s / pipe.with_receipts_per_s : 0,
      us_per_job(node_cpu_s), us_per_job(raw_cpu_s), us_per_job(pipe_cpu_s),
      pipe_cpu_s > 0 ? pipe_cpu_s / node_cpu_s : 0,
      static_cast<double>(folded.parked.load()) /
          static_cast<double>(std::max<uint64_t>(1, folded.parked.load() + folded.matched.load())));
  node.stop();
  std::filesystem::remove_all(s->node.data_dir);
  return 0;
}

/// The most this process was resident, KiB.
long max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

/// Heap in use (the allocator's view, without what it keeps free), MiB.
double heap_mib() {
  if (mallctl) {
    uint64_t epoch = 1;  // refreshes jemalloc's statistics
    size_t allocated = 0, size = sizeof allocated;
    if (mallctl("epoch", nullptr, nullptr, &epoch, sizeof epoch) == 0 &&
        mallctl("stats.allocated", &allocated, &size, nullptr, 0) == 0)
      return static_cast<double>(allocated) / 1048576.0;
  }
  auto m = mallinfo2();
  return static_cast<double>(m.uordblks + m.hblkhd) / 1048576.0;
}

/// docomo without an SMSC while `jobs` jobs arrive: the node's peak resident memory before and once
/// every other carrier's jobs are done, against what docomo's sender holds. Then docomo's SMSC
/// comes back: the time until every job is done, and the sms.jobs records read again for it.
int held_bench(int jobs) {
  auto s = node_settings("ivrcast-sms-held-bench");
  if (!s)
    return fail("config", s.error());
  auto sims = tools::simulate_carriers(s->sms);
  if (!sims)
    return fail("simulators", sims.error());
  const auto docomo = static_cast<size_t>(sms::carrier::docomo);
  // No SMSC: its messages wait in its sender. It comes back on the same port.
  auto docomo_port = (*sims)[docomo]->port();
  (*sims)[docomo]->stop();
  auto directory = sms::carrier_directory::load(s->sms.number_ranges, s->sms.ported);
  if (!directory)
    return fail("carrier tables", directory.error());
  int docomo_jobs = 0;
  for (int i = 0; i < jobs; ++i)
    docomo_jobs += directory->resolve(job(i, 0).destination) == sms::carrier::docomo ? 1 : 0;
  auto encoded = encode_jobs(jobs);
  auto started = start_node(*s);
  if (!started)
    return fail("node", started.error());
  auto& bus = started->bus;
  auto& node = *started->node;
  auto before = static_cast<double>(max_rss_kib()) / 1024;
  auto heap_before = heap_mib();
  auto t0 = clock_type::now();
  if (auto ok = produce_jobs(*bus, encoded); !ok)
    return fail("jobs", ok.error());
  const auto& m = node.sms().metrics();
  auto others = static_cast<uint64_t>(jobs - docomo_jobs);
  auto full = std::min<int64_t>(s->sms.held_per_carrier, docomo_jobs);
  if (!wait_until([&] { return m.finished.load() >= others && m.held[docomo].load() >= full; }, t0,
                  600, std::chrono::milliseconds{20},
                  [&] {
                    return std::to_string(m.finished.load()) + " of " + std::to_string(others) +
                           " finished, docomo holds " + std::to_string(m.held[docomo].load());
                  }))
    return 1;
  auto done_s = seconds_since(t0);
  auto after = static_cast<double>(max_rss_kib()) / 1024;
  auto heap_after = heap_mib();
  auto held = m.held[docomo].load();
  std::printf(
      "RESULT sms_held jobs=%d docomo_jobs=%d cores=%u kafka=%s limit=%d held=%lld left=%llu "
      "rewinds=%llu others_done_s=%.2f rss_before_mib=%.0f rss_after_mib=%.0f growth_mib=%.0f "
      "heap_growth_mib=%.0f\n",
      jobs, docomo_jobs, std::thread::hardware_concurrency(),
      s->kafka.embedded() ? "embedded" : "broker", s->sms.held_per_carrier,
      static_cast<long long>(held), static_cast<unsigned long long>(m.left.load()),
      static_cast<unsigned long long>(m.rewinds.load()), done_s, before, after, after - before,
      heap_after - heap_before);

  auto o = tools::carrier_sim_options(s->sms, sms::carrier::docomo);
  o.port = docomo_port;
  auto back = tools::smsc_sim::start(o);
  if (!back)
    return fail("docomo's SMSC back", back.error());
  // Timed from docomo's first bind: its sessions retry with a backoff of up to 10 s.
  if (!wait_until([&] { return (*back)->counts().binds > 0; }, clock_type::now(), 60,
                  std::chrono::milliseconds{5},
                  [] { return std::string{"no bind to docomo's SMSC in 60 s"}; }))
    return 1;
  auto rewinds_before = m.rewinds.load();
  auto reread_before = m.reread.load();
  auto cpu_before = cpu_s();
  auto t1 = clock_type::now();
  if (!wait_until([&] { return m.finished.load() >= static_cast<uint64_t>(jobs); }, t1, 900,
                  std::chrono::milliseconds{20},
                  [&] {
                    return std::to_string(m.finished.load()) + " of " + std::to_string(jobs) +
                           " finished after docomo came back";
                  }))
    return 1;
  auto drain_s = seconds_since(t1);
  auto cpu = cpu_s() - cpu_before;
  auto reread = m.reread.load() - reread_before;
  std::printf(
      "RESULT sms_drain docomo_jobs=%d drain_s=%.2f jobs_per_s=%.0f cpu_s=%.2f rewinds=%llu "
      "reread=%llu reread_per_job=%.1f\n",
      docomo_jobs, drain_s, docomo_jobs / drain_s, cpu,
      static_cast<unsigned long long>(m.rewinds.load() - rewinds_before),
      static_cast<unsigned long long>(reread),
      static_cast<double>(reread) / std::max(docomo_jobs, 1));
  node.stop();
  std::filesystem::remove_all(s->node.data_dir);
  return 0;
}

/// One accepted message of `account` at `at_ms` to `dest`, as the sender's first status event.
void accepted_row(storage::status_input& in, const std::string& account, int64_t i, int64_t at_ms,
                  const char* dest) {
  auto& ev = in.event;
  ev.Clear();
  ev.set_kind(wire::StatusEvent::ACCEPTED);
  ev.set_message_id(account + "-" + std::to_string(i) + ".1");
  ev.set_at_ms(at_ms);
  auto* d = ev.mutable_detail();
  d->set_job_id(account + "-" + std::to_string(i));
  d->set_account_id(account);
  d->set_requested_at_ms(at_ms);
  d->set_destination(dest);
  d->set_carrier(1);
  d->set_flow_version_id("fv-bench");
  d->set_flow_name("bench");
  d->set_body("ご予約を承りました。ご来店をお待ちしております。");
  d->set_incoming_number("0501110001");
  d->set_sent_length(24);
  d->set_segments(1);
  d->set_parts(1);
}

struct search_latency {
  double dest_p50 = 0, dest_p99 = 0, range_p50 = 0, range_p99 = 0;
};

/// The portal's two searches for `account`, 1,000 times each at random places over 90 days
/// (`seed` picks them): one destination over a week and a day's range, first page of 100 rows,
/// newest first.
caf::expected<search_latency> tenant_searches(const storage::delivery_log& log,
                                              const std::string& account, int64_t t0,
                                              uint64_t seed) {
  std::mt19937_64 rng{seed};
  std::vector<double> by_dest, by_range;
  for (int q = 0; q < 1000; ++q) {
    auto from = t0 + static_cast<int64_t>(rng() % 83) * 86400000;
    char dest[16];
    std::snprintf(dest, sizeof dest, "0901%07llu", static_cast<unsigned long long>(rng() % 200));
    for (bool by_destination : {true, false}) {
      storage::delivery_log::account_scan scan;
      scan.account = account;
      scan.from_ms = from;
      scan.to_ms = from + (by_destination ? int64_t{7} : 1) * 86400000;
      scan.destination = by_destination ? dest : "";
      scan.newest_first = true;
      size_t n = 0;
      auto t = clock_type::now();
      auto r = log.scan_account(scan, [&](const sms::log_row&) { return ++n < 100; });
      (by_destination ? by_dest : by_range).push_back(seconds_since(t) * 1000);
      if (!r)
        return std::move(r.error());
    }
  }
  return search_latency{bench::percentile(by_dest, 0.5), bench::percentile(by_dest, 0.99),
                        bench::percentile(by_range, 0.5), bench::percentile(by_range, 0.99)};
}

/// A database in a fresh directory under the temporary one, closed and then removed when this
/// goes. What holds the database too must be declared after it, so that it lets go first:
/// RocksDB writes files in the background until it is closed, and removing the directory
/// meanwhile failed ("Directory not empty").
class scratch_database {
 public:
  explicit scratch_database(const char* name)
      : dir_{std::filesystem::temp_directory_path() / name}, db_{open(dir_)} {}
  ~scratch_database() {
    if (db_)
      db_->reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);  // ignored: the next run removes what is left
  }
  scratch_database(const scratch_database&) = delete;
  scratch_database& operator=(const scratch_database&) = delete;
  caf::expected<std::shared_ptr<storage::database>>& db() { return db_; }

 private:
  static caf::expected<std::shared_ptr<storage::database>> open(const std::filesystem::path& dir) {
    std::filesystem::remove_all(dir);
    return storage::database::open(dir.string());
  }
  std::filesystem::path dir_;
  caf::expected<std::shared_ptr<storage::database>> db_;
};

/// A small tenant's searches alone, then with `rows` rows of 2,000 other tenants (half of them
/// one big tenant's) sharing the database; then CSV export speed and memory.
int log_bench(int64_t rows) {
  scratch_database scratch{"ivrcast-log-bench"};
  auto& db = scratch.db();
  if (!db)
    return fail("database", db.error());
  storage::delivery_log log{*db, {"006"}};
  const int64_t t0 = unix_now_ms() - int64_t{90} * 86400000;
  constexpr int64_t small_rows = 20000;  // a small business: ~220 messages a day
  int64_t offset = 0;
  std::vector<storage::status_input> batch(10000);
  size_t used = 0;
  auto put = [&](const std::string& account, int64_t i, int64_t at_ms, const char* dest) {
    auto& in = batch[used++];
    in.offset = offset++;
    accepted_row(in, account, i, at_ms, dest);
    if (used < batch.size())
      return caf::expected<void>{};
    used = 0;
    return log.apply(0, batch.back().offset, batch);
  };
  auto finish = [&]() -> caf::expected<void> {
    if (used == 0)
      return {};
    auto ok = log.apply(0, batch[used - 1].offset, std::span{batch.data(), used});
    used = 0;
    return ok;
  };
  char dest[16];
  for (int64_t i = 0; i < small_rows; ++i) {
    std::snprintf(dest, sizeof dest, "0901%07lld", static_cast<long long>(i % 200));
    if (auto ok = put("small", i, t0 + i * (int64_t{90} * 86400000 / small_rows), dest); !ok)
      return fail("apply", ok.error());
  }
  if (auto ok = finish(); !ok)
    return fail("apply", ok.error());
  // Both measurements in steady state: the rows in table files (as on any platform that has
  // run a while, however small, rather than still in the write buffer), no compaction to run.
  auto settle = [&] {
    auto settle0 = clock_type::now();
    if (auto st = (*db)->db().Flush(rocksdb::FlushOptions{}, (*db)->delivery_log()); !st.ok())
      std::fprintf(stderr, "flush failed: %s\n", st.ToString().c_str());
    for (;;) {
      uint64_t running = 0, pending = 0;
      (*db)->db().GetIntProperty((*db)->delivery_log(), "rocksdb.num-running-compactions",
                                 &running);
      (*db)->db().GetIntProperty((*db)->delivery_log(), "rocksdb.compaction-pending", &pending);
      if ((running == 0 && pending == 0) || seconds_since(settle0) > 900)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds{500});
    }
    // And the table files on disk: the kernel's write-back of the gigabytes just compacted
    // would otherwise compete with the searches for the disk, the more so the faster the fill.
    ::sync();
    return seconds_since(settle0);
  };
  settle();
  // Each measured twice, with other searches: first on a database no search has read yet (its
  // table files not yet opened, their blocks not cached), then as a node that has served
  // searches a while.
  auto alone = tenant_searches(log, "small", t0, 42);
  auto alone_warm = tenant_searches(log, "small", t0, 43);
  if (!alone || !alone_warm)
    return fail("search", (alone ? alone_warm : alone).error());

  // Other tenants: the same destinations and times, half the rows one big tenant's.
  auto fill0 = clock_type::now();
  const int64_t step = std::max<int64_t>(1, int64_t{90} * 86400000 / std::max<int64_t>(rows, 1));
  std::string account;
  for (int64_t i = 0; i < rows; ++i) {
    account = i % 2 == 0 ? std::string{"big"} : "t" + std::to_string(i % 1999);
    std::snprintf(dest, sizeof dest, "0901%07lld", static_cast<long long>(i % 1000));
    if (auto ok = put(account, i, t0 + i * step, dest); !ok)
      return fail("apply", ok.error());
  }
  if (auto ok = finish(); !ok)
    return fail("apply", ok.error());
  auto fill_s = seconds_since(fill0);
  // A platform is not searched in the minutes after 10 million rows arrive at once.
  auto settle_s = settle();
  // The log's files per level: what a search seeks through, and what the ratios depend on.
  std::string levels;
  for (int level = 0; level < 7; ++level) {
    std::string files;
    (*db)->db().GetProperty((*db)->delivery_log(),
                            "rocksdb.num-files-at-level" + std::to_string(level), &files);
    levels += (level ? "/" : "") + files;
  }
  auto shared = tenant_searches(log, "small", t0, 42);
  auto shared_warm = tenant_searches(log, "small", t0, 43);
  if (!shared || !shared_warm)
    return fail("search", (shared ? shared_warm : shared).error());

  // Export: the big tenant's rows through its index, in constant memory. Said on stderr first,
  // so that a profiler can attach for this phase alone.
  std::fprintf(stderr, "log bench: exporting\n");
  uint64_t bytes = 0;
  auto rss_before = max_rss_kib();
  storage::delivery_log::account_scan all;
  all.account = "big";
  all.from_ms = t0;
  all.to_ms = t0 + int64_t{91} * 86400000;
  auto e0 = clock_type::now();
  auto exported = storage::export_csv(log, all, sms::log_filter{}, sms::csv_encoding::utf8_bom,
                                      [&](std::string_view chunk) {
                                        bytes += chunk.size();
                                        return true;
                                      });
  if (!exported)
    return fail("export", exported.error());
  auto export_s = seconds_since(e0);
  std::printf(
      "RESULT delivery_log other_rows=%lld tenant_rows=%lld cores=%u fill_s=%.1f settle_s=%.1f "
      "dest_p50_ms=%.3f dest_p99_ms=%.3f dest_p99_alone_ms=%.3f dest_p99_ratio=%.2f "
      "range_p50_ms=%.3f range_p99_ms=%.3f range_p99_alone_ms=%.3f range_p99_ratio=%.2f "
      "warm_dest_p99_ms=%.3f warm_dest_p99_alone_ms=%.3f warm_dest_p99_ratio=%.2f "
      "warm_range_p99_ms=%.3f warm_range_p99_alone_ms=%.3f warm_range_p99_ratio=%.2f "
      "export_rows=%zu export_s=%.1f export_rows_per_s=%.0f export_mib=%.0f "
      "export_rss_growth_mib=%.1f log_files_per_level=%s\n",
      static_cast<long long>(rows), static_cast<long long>(small_rows),
      std::thread::hardware_concurrency(), fill_s, settle_s, shared->dest_p50, shared->dest_p99,
      alone->dest_p99, shared->dest_p99 / alone->dest_p99, shared->range_p50, shared->range_p99,
      alone->range_p99, shared->range_p99 / alone->range_p99, shared_warm->dest_p99,
      alone_warm->dest_p99, shared_warm->dest_p99 / alone_warm->dest_p99, shared_warm->range_p99,
      alone_warm->range_p99, shared_warm->range_p99 / alone_warm->range_p99, *exported, export_s,
      static_cast<double>(*exported) / export_s, static_cast<double>(bytes) / (1 << 20),
      static_cast<double>(max_rss_kib() - rss_before) / 1024, levels.c_str());
  return 0;
}

/// The delivery log folding whole lives as a node rebuilding its log from the status topic
/// reads them: each message's accepted, submitted and receipt events close together, 1,000
/// events a batch. Prints messages/s.
int fold_bench(int messages) {
  scratch_database scratch{"ivrcast-fold-bench"};
  auto& db = scratch.db();
  if (!db)
    return fail("database", db.error());
  storage::delivery_log log{*db, {"006"}};
  const int64_t t0 = unix_now_ms();
  constexpr size_t batch_events = 1000;
  std::vector<storage::status_input> batch;
  batch.reserve(batch_events);
  int64_t offset = 0;
  auto flush = [&]() -> caf::expected<void> {
    if (batch.empty())
      return {};
    auto ok = log.apply(0, batch.back().offset, batch);
    batch.clear();
    return ok;
  };
  auto add = [&](const wire::StatusEvent& ev) -> caf::expected<void> {
    batch.push_back({offset++, ev});
    return batch.size() == batch_events ? flush() : caf::expected<void>{};
  };
  char dest[16];
  auto start = clock_type::now();
  storage::status_input in;
  wire::StatusEvent receipt;
  receipt.set_kind(wire::StatusEvent::RECEIPT);
  receipt.set_carrier(1);
  receipt.set_receipt_state(2);  // DELIVERED
  for (int i = 0; i < messages; ++i) {
    std::snprintf(dest, sizeof dest, "0901%07d", i % 10000000);
    accepted_row(in, "fold", i, t0 + i, dest);
    auto smsc_id = std::to_string(i);
    if (auto ok = add(in.event); !ok)
      return fail("apply", ok.error());
    in.event.set_kind(wire::StatusEvent::SUBMITTED);
    in.event.add_smsc_ids(smsc_id);
    if (auto ok = add(in.event); !ok)
      return fail("apply", ok.error());
    receipt.set_smsc_id(smsc_id);
    receipt.set_handset(dest);
    receipt.set_at_ms(t0 + i + 5);
    if (auto ok = add(receipt); !ok)
      return fail("apply", ok.error());
  }
  if (auto ok = flush(); !ok)
    return fail("apply", ok.error());
  auto seconds = seconds_since(start);
  auto row = log.find("fold-0.1");
  if (!row || !*row || (*row)->status != sms::delivery_status::delivered)
    return fail("fold", caf::make_error(errc::storage_corrupt, "fold", "a row was not folded"));
  std::printf("RESULT log_fold messages=%d events=%lld cores=%u seconds=%.2f messages_per_s=%.0f\n",
              messages, static_cast<long long>(offset), std::thread::hardware_concurrency(),
              seconds, messages / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "submits")
    return submits(argc > 2 ? std::atoi(argv[2]) : 100000);
  if (mode == "log")
    return log_bench(argc > 2 ? std::atoll(argv[2]) : 10000000);
  if (mode == "fold")
    return fold_bench(argc > 2 ? std::atoi(argv[2]) : 1000000);
  if (mode == "held")
    return held_bench(argc > 2 ? std::atoi(argv[2]) : 100000);
  std::fprintf(stderr,
               "usage: sms_bench submits [jobs] | log [rows] | fold [messages] | held [jobs]\n");
  return 2;
}
