// Prometheus metrics: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4) by Registry::render(). Updating a metric is lock-free; looking
// up a labelled child takes a shared lock, so hot paths keep the returned reference.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eyewear::platform {

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void add(double v) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

struct HistogramSnapshot {
  std::vector<double> bounds;         // upper bounds, ascending (+Inf implied)
  std::vector<std::uint64_t> counts;  // per bucket, not cumulative; size bounds+1
  std::uint64_t count = 0;
  double sum = 0;
  // Estimated quantile (0..1) by linear interpolation inside the bucket; 0 when empty.
  [[nodiscard]] double quantile(double q) const;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value) noexcept;
  [[nodiscard]] HistogramSnapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Default latency buckets in seconds: 100 µs .. 10 s.
[[nodiscard]] const std::vector<double>& latency_buckets();

template <typename Metric>
class Family {
 public:
  using Factory = std::function<std::unique_ptr<Metric>()>;
  Family(std::string name, std::string help, std::vector<std::string> labels, Factory factory)
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), factory_(std::move(factory)) {}

  // The child for these label values (in the order of the family's label names).
  Metric& with(std::initializer_list<std::string_view> values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  // Visits children as (label values, metric).
  void for_each(const std::function<void(const std::vector<std::string>&, const Metric&)>& fn) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> labels_;
  Factory factory_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::pair<std::vector<std::string>, std::unique_ptr<Metric>>> children_;
};

class Registry {
 public:
  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<std::string> labels = {},
                               std::vector<double> bounds = latency_buckets());

  // A collector appends samples computed at scrape time (process statistics and the like).
  using Collector = std::function<void(std::string& out)>;
  void add_collector(Collector collector);

  [[nodiscard]] std::string render() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_;
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_;
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
  std::vector<Collector> collectors_;
};

// Escapes a label value for the exposition format.
[[nodiscard]] std::string escape_label_value(std::string_view v);
// Formats a sample value the way Prometheus expects (+Inf, integers without a fraction).
[[nodiscard]] std::string format_metric_value(double v);

}  // namespace eyewear::platform
