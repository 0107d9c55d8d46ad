#include "platform/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>

namespace eyewear::platform {

const std::vector<double>& latency_buckets() {
  static const std::vector<double> buckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5,
                                              5.0,    10.0};
  return buckets;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double value) noexcept {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  s.bounds = bounds_;
  s.counts.resize(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) s.counts[i] = counts_[i].load(std::memory_order_relaxed);
  s.count = 0;
  for (auto c : s.counts) s.count += c;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

double HistogramSnapshot::quantile(double q) const {
  if (count == 0) return 0;
  const double rank = q * static_cast<double>(count);
  double cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double next = cumulative + static_cast<double>(counts[i]);
    if (next >= rank && counts[i] > 0) {
      const double lower = i == 0 ? 0.0 : bounds[i - 1];
      if (i == bounds.size()) return lower;  // +Inf bucket: report its lower bound
      const double upper = bounds[i];
      const double within = (rank - cumulative) / static_cast<double>(counts[i]);
      return lower + (upper - lower) * std::clamp(within, 0.0, 1.0);
    }
    cumulative = next;
  }
  return bounds.empty() ? 0 : bounds.back();
}

namespace {
std::string key_of(std::initializer_list<std::string_view> values) {
  std::string key;
  for (auto v : values) {
    key.append(v);
    key.push_back('\x1f');
  }
  return key;
}
}  // namespace

template <typename Metric>
Metric& Family<Metric>::with(std::initializer_list<std::string_view> values) {
  const auto key = key_of(values);
  {
    std::shared_lock lock(mu_);
    if (auto it = children_.find(key); it != children_.end()) return *it->second.second;
  }
  std::unique_lock lock(mu_);
  auto& slot = children_[key];
  if (!slot.second) {
    slot.first.assign(values.begin(), values.end());
    slot.second = factory_();
  }
  return *slot.second;
}

template <typename Metric>
void Family<Metric>::for_each(
    const std::function<void(const std::vector<std::string>&, const Metric&)>& fn) const {
  std::shared_lock lock(mu_);
  std::vector<const std::pair<std::vector<std::string>, std::unique_ptr<Metric>>*> sorted;
  sorted.reserve(children_.size());
  for (const auto& [k, v] : children_) sorted.push_back(&v);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* child : sorted) fn(child->first, *child->second);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::counter(std::string name, std::string help, std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  counters_.push_back(std::make_unique<Family<Counter>>(std::move(name), std::move(help), std::move(labels),
                                                        [] { return std::make_unique<Counter>(); }));
  return *counters_.back();
}

Family<Gauge>& Registry::gauge(std::string name, std::string help, std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  gauges_.push_back(std::make_unique<Family<Gauge>>(std::move(name), std::move(help), std::move(labels),
                                                    [] { return std::make_unique<Gauge>(); }));
  return *gauges_.back();
}

Family<Histogram>& Registry::histogram(std::string name, std::string help, std::vector<std::string> labels,
                                       std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(labels),
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); }));
  return *histograms_.back();
}

void Registry::add_collector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_metric_value(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

namespace {
std::string label_block(const std::vector<std::string>& names, const std::vector<std::string>& values,
                        std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

void header(std::string& out, const std::string& name, const std::string& help, std::string_view type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " ";
  out += type;
  out += '\n';
}
}  // namespace

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out.reserve(16 * 1024);
  for (const auto& fam : counters_) {
    header(out, fam->name(), fam->help(), "counter");
    fam->for_each([&](const std::vector<std::string>& values, const Counter& c) {
      out += fam->name() + label_block(fam->labels(), values) + " " + std::to_string(c.value()) + "\n";
    });
  }
  for (const auto& fam : gauges_) {
    header(out, fam->name(), fam->help(), "gauge");
    fam->for_each([&](const std::vector<std::string>& values, const Gauge& g) {
      out += fam->name() + label_block(fam->labels(), values) + " " + format_metric_value(g.value()) + "\n";
    });
  }
  for (const auto& fam : histograms_) {
    header(out, fam->name(), fam->help(), "histogram");
    fam->for_each([&](const std::vector<std::string>& values, const Histogram& h) {
      const auto snap = h.snapshot();
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i <= snap.bounds.size(); ++i) {
        cumulative += snap.counts[i];
        const std::string le = i < snap.bounds.size() ? format_metric_value(snap.bounds[i]) : "+Inf";
        out += fam->name() + "_bucket" + label_block(fam->labels(), values, "le", le) + " " +
               std::to_string(cumulative) + "\n";
      }
      out += fam->name() + "_sum" + label_block(fam->labels(), values) + " " + format_metric_value(snap.sum) + "\n";
      out += fam->name() + "_count" + label_block(fam->labels(), values) + " " + std::to_string(snap.count) + "\n";
    });
  }
  for (const auto& c : collectors_) c(out);
  return out;
}

}  // namespace eyewear::platform
