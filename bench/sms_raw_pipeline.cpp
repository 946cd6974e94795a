#include "bench/sms_raw_pipeline.hpp"

#include <poll.h>

#include <chrono>
#include <deque>
#include <thread>

#include "bench/raw_kafka.hpp"
#include "bench/raw_smpp.hpp"
#include "messages/errc.hpp"

namespace ivrcast::bench {
namespace {

using clock_type = std::chrono::steady_clock;

/// A job between its consume and its receipt.
struct slot {
  std::string key;
  std::string job;
  size_t carrier = 0;
};

struct pipeline {
  std::vector<slot> slots;
  std::vector<std::deque<size_t>> fenced;  // per carrier: slots whose fence the broker has
  std::string error;

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto& self = *static_cast<pipeline*>(opaque);
    if (m->err) {
      self.error = rd_kafka_err2str(m->err);
      return;
    }
    if (m->_private == nullptr)
      return;  // a submitted or receipt record
    auto i = reinterpret_cast<uintptr_t>(m->_private) - 1;
    self.fenced[self.slots[i].carrier].push_back(i);
  }
};

double seconds_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

caf::expected<pipeline_result> raw_pipeline(
    const config::settings& s, const std::vector<std::pair<std::string, std::string>>& jobs,
    int window) {
  const auto& brokers = s.kafka.brokers;
  auto stamp = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const std::string jobs_topic = "raw." + stamp + ".sms-jobs";
  const std::string records_topic = "raw." + stamp + ".records";
  pipeline p;
  p.slots.reserve(jobs.size());
  p.fenced.resize(std::size(s.sms.carriers));
  auto* out = raw_client(RD_KAFKA_PRODUCER, brokers, &pipeline::on_delivery, &p);
  create_topic(out, jobs_topic);
  create_topic(out, records_topic);
  std::vector<std::unique_ptr<raw_smpp_peer>> peers;
  for (const auto& c : s.sms.carriers) {
    auto peer = raw_smpp_peer::connect(c);
    if (!peer)
      return std::move(peer.error());
    peers.push_back(std::move(*peer));
  }
  auto* in = raw_reader(brokers, jobs_topic);
  auto* queue = rd_kafka_queue_get_consumer(in);

  // The jobs go on their topic while the pipeline already reads it, as they do for the node.
  clock_type::time_point t0;
  std::thread feeder{[&] {
    auto* jobs_out = raw_client(RD_KAFKA_PRODUCER, brokers);
    for (const auto& [key, job] : jobs)
      raw_produce(jobs_out, jobs_topic, key, job);
    if (rd_kafka_flush(jobs_out, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
      die("the jobs did not reach the broker");
    t0 = clock_type::now();
    rd_kafka_destroy(jobs_out);
  }};

  const size_t total = jobs.size();
  const std::string receipt_record(64, 'r');
  const std::string fence_record(48, 'f');
  std::vector<std::vector<size_t>> submitted(peers.size());  // per peer, by sequence - 2
  std::vector<size_t> in_flight(peers.size());
  std::vector<uint32_t> accepted;
  std::vector<rd_kafka_message_t*> batch(1000);
  std::vector<pollfd> fds(peers.size());
  size_t done_submits = 0, done_receipts = 0;
  clock_type::time_point submits_at;
  while (done_submits < total || done_receipts < total) {
    if (!p.error.empty())
      return caf::make_error(errc::io_failure, "raw_pipeline", p.error);
    // Consume: each job's fence record goes to the broker; its ack makes it ready to submit.
    if (p.slots.size() < total) {
      auto n = rd_kafka_consume_batch_queue(queue, 0, batch.data(), batch.size());
      for (ssize_t i = 0; i < n; ++i) {
        const auto& m = *batch[i];
        if (!m.err) {
          auto& sl = p.slots.emplace_back();
          sl.key.assign(static_cast<const char*>(m.key), m.key_len);
          sl.job.assign(static_cast<const char*>(m.payload), m.len);
          sl.carrier = (p.slots.size() - 1) % peers.size();
          raw_produce(out, records_topic, sl.key, fence_record,
                      reinterpret_cast<void*>(static_cast<uintptr_t>(p.slots.size())));
        }
        rd_kafka_message_destroy(batch[i]);
      }
    }
    rd_kafka_poll(out, 0);
    for (size_t c = 0; c < peers.size(); ++c) {
      auto& peer = *peers[c];
      while (peer.bound() && !p.fenced[c].empty() && in_flight[c] < static_cast<size_t>(window)) {
        auto i = p.fenced[c].front();
        p.fenced[c].pop_front();
        peer.submit(p.slots[i].key);
        submitted[c].push_back(i);
        ++in_flight[c];
      }
      fds[c] = {peer.fd(), static_cast<short>(POLLIN | (peer.has_output() ? POLLOUT : 0)), 0};
    }
    if (::poll(fds.data(), fds.size(), 1) < 0)
      return caf::make_error(errc::io_failure, "raw_pipeline", "poll");
    for (size_t c = 0; c < peers.size(); ++c) {
      auto& peer = *peers[c];
      if (fds[c].revents & POLLIN) {
        int receipts = 0;
        accepted.clear();
        if (auto ok = peer.receive(false, accepted, receipts); !ok)
          return std::move(ok.error());
        for (auto seq : accepted) {
          const auto& sl = p.slots[submitted[c][seq - 2]];
          raw_produce(out, records_topic, sl.key, sl.job);  // the submit, with its detail
        }
        in_flight[c] -= accepted.size();
        done_submits += accepted.size();
        for (int r = 0; r < receipts; ++r)
          raw_produce(out, records_topic, "receipt", receipt_record);
        done_receipts += static_cast<size_t>(receipts);
      }
      if (auto ok = peer.send(false); !ok)
        return std::move(ok.error());
    }
    if (done_submits == total && submits_at == clock_type::time_point{})
      submits_at = clock_type::now();
  }
  if (rd_kafka_flush(out, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR || !p.error.empty())
    return caf::make_error(errc::io_failure, "raw_pipeline", "records not flushed " + p.error);
  auto end = clock_type::now();
  feeder.join();
  if (submits_at < t0)
    return caf::make_error(errc::io_failure, "raw_pipeline",
                           "done before the last job was on the topic: use more jobs");
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(in);
  rd_kafka_destroy(in);
  rd_kafka_destroy(out);
  auto n = static_cast<double>(total);
  return pipeline_result{n / seconds_between(t0, submits_at), n / seconds_between(t0, end)};
}

}  // namespace ivrcast::bench
