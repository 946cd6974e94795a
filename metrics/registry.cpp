#include "metrics/registry.hpp"

#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "metrics/latency_histogram.hpp"

namespace ivrcast::metrics {

struct scrape::impl {
  std::vector<prometheus::MetricFamily> families;
  std::unordered_map<std::string, size_t> index;

  prometheus::ClientMetric& add(std::string_view name, std::string_view help,
                                prometheus::MetricType type, std::initializer_list<label> labels) {
    auto [it, fresh] = index.try_emplace(std::string{name}, families.size());
    if (fresh)
      families.push_back({std::string{name}, std::string{help}, type, {}});
    auto& m = families[it->second].metric.emplace_back();
    for (const auto& l : labels)
      m.label.push_back({std::string{l.name}, std::string{l.value}});
    return m;
  }
};

void scrape::counter(std::string_view name, std::string_view help,
                     std::initializer_list<label> labels, double value) {
  impl_->add(name, help, prometheus::MetricType::Counter, labels).counter.value = value;
}

void scrape::gauge(std::string_view name, std::string_view help,
                   std::initializer_list<label> labels, double value) {
  impl_->add(name, help, prometheus::MetricType::Gauge, labels).gauge.value = value;
}

void scrape::histogram(std::string_view name, std::string_view help,
                       std::initializer_list<label> labels, const latency_histogram& h) {
  auto snap = h.read();
  auto& m = impl_->add(name, help, prometheus::MetricType::Histogram, labels);
  m.histogram.sample_count = snap.count();
  m.histogram.sample_sum = snap.sum_s;
  for (size_t i = 0; i < latency_histogram::bounds_s.size(); ++i)
    m.histogram.bucket.push_back({snap.cumulative[i], latency_histogram::bounds_s[i]});
  m.histogram.bucket.push_back({snap.count(), std::numeric_limits<double>::infinity()});
}

void counter::inc(double by) const {
  if (c_)
    c_->Increment(by);
}

double counter::value() const {
  return c_ ? c_->Value() : 0;
}

registry::registry() : reg_(std::make_shared<prometheus::Registry>()) {}

registry::~registry() = default;

counter registry::get_counter(const std::string& name, const std::string& help,
                              const std::map<std::string, std::string>& labels) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& slot = families_[name];
  if (!slot)
    slot = &prometheus::BuildCounter().Name(name).Help(help).Register(*reg_);
  auto* family = static_cast<prometheus::Family<prometheus::Counter>*>(slot);
  return counter{&family->Add(labels)};
}

void registry::add(collector c) {
  std::lock_guard<std::mutex> guard{mtx_};
  collectors_.push_back(std::move(c));
}

std::string registry::text() const {
  scrape::impl out;
  out.families = reg_->Collect();
  for (size_t i = 0; i < out.families.size(); ++i)
    out.index.emplace(out.families[i].name, i);
  {
    std::lock_guard<std::mutex> guard{mtx_};
    scrape s{out};
    for (const auto& c : collectors_)
      c(s);
  }
  return prometheus::TextSerializer{}.Serialize(out.families);
}

}  // namespace ivrcast::metrics
