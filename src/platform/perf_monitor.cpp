#include "platform/perf_monitor.hpp"

namespace eyewear::platform {

PerfMonitor::PerfMonitor(PerfConfig config, Registry& registry, Logger& logger, const Clock& clock)
    : config_(std::move(config)),
      logger_(logger),
      clock_(clock),
      registry_(registry),
      slow_counters_(registry.counter("eyewear_slow_operations_total",
                                      "Monitored operations that ran over their threshold", {"kind", "operation"})) {}

PerfMonitor::Operation& PerfMonitor::operation(std::string_view kind, std::string_view name) {
  std::lock_guard lock(mu_);
  std::string key(kind);
  key += '|';
  key += name;
  if (auto it = operations_.find(key); it != operations_.end()) return *it->second;
  auto op = std::make_unique<Operation>();
  op->name_ = std::string(name);
  op->kind_ = std::string(kind);
  if (auto t = config_.thresholds.find(op->name_); t != config_.thresholds.end()) {
    op->threshold_ = t->second;
  } else if (auto k = config_.thresholds.find(op->kind_); k != config_.thresholds.end()) {
    op->threshold_ = k->second;
  } else {
    op->threshold_ = config_.default_threshold;
  }
  auto fam = families_.find(kind);
  if (fam == families_.end()) {
    std::string metric = "eyewear_";
    for (char c : kind) metric.push_back(c == '.' || c == '-' ? '_' : c);
    metric += "_duration_seconds";
    auto& family = registry_.histogram(metric, "Duration of " + std::string(kind) + " operations", {"operation"});
    fam = families_.emplace(std::string(kind), &family).first;
  }
  op->histogram_ = &fam->second->with({name});
  op->slow_ = &slow_counters_.with({kind, name});
  auto& ref = *op;
  operations_.emplace(std::move(key), std::move(op));
  return ref;
}

void PerfMonitor::record(Operation& op, std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  op.histogram_->observe(seconds);
  if (elapsed <= op.threshold_) return;
  op.slow_->inc();
  const auto minute = to_unix_seconds(clock_.now()) / 60;
  {
    std::lock_guard lock(op.ring_mu_);
    auto& slot = op.ring_[static_cast<std::size_t>(minute % 1440)];
    if (slot.first != minute) slot = {minute, 0};
    ++slot.second;
  }
  logger_.warn("slow operation", {{"kind", op.kind_},
                                  {"operation", op.name_},
                                  {"duration_ms", seconds * 1000.0},
                                  {"threshold_ms", static_cast<std::int64_t>(op.threshold_.count())}});
}

std::vector<PerfMonitor::Report> PerfMonitor::report() const {
  std::vector<Report> out;
  const auto minute_now = to_unix_seconds(clock_.now()) / 60;
  std::lock_guard lock(mu_);
  for (const auto& [name, op] : operations_) {
    const auto snap = op->histogram_->snapshot();
    std::uint64_t hour = 0, day = 0;
    {
      std::lock_guard ring_lock(op->ring_mu_);
      for (const auto& [minute, count] : op->ring_) {
        const auto age = minute_now - minute;
        if (age < 0 || age >= 1440 || count == 0) continue;
        day += count;
        if (age < 60) hour += count;
      }
    }
    out.push_back(Report{op->name_, op->kind_, static_cast<std::int64_t>(op->threshold_.count()), snap.count,
                         snap.quantile(0.50) * 1000, snap.quantile(0.95) * 1000, snap.quantile(0.99) * 1000,
                         snap.count ? snap.sum / static_cast<double>(snap.count) * 1000 : 0.0, op->slow_->value(),
                         hour, day});
  }
  return out;
}

}  // namespace eyewear::platform
