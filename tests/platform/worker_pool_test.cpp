#include "platform/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace eyewear::platform {
namespace {

TEST(WorkerPoolTest, RunsTasksAndRefusesWhenFull) {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger(sink, LogLevel::kInfo);
  WorkerPool pool("test", 1, 2, logger);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::atomic<int> done{0};
  std::promise<void> started;
  ASSERT_TRUE(pool.try_submit([&] {
    started.set_value();
    gate.wait();
    ++done;
  }));
  started.get_future().wait();  // the only worker is now busy
  ASSERT_TRUE(pool.try_submit([&] { ++done; }));
  ASSERT_TRUE(pool.try_submit([&] { ++done; }));
  EXPECT_FALSE(pool.try_submit([&] { ++done; })) << "queue limit of 2 must refuse a third waiting task";
  release.set_value();
  pool.shutdown();
  EXPECT_EQ(done.load(), 3);
  EXPECT_FALSE(pool.try_submit([] {})) << "a stopped pool refuses work";
}

TEST(WorkerPoolTest, ExceptionsAreCaughtAndLogged) {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger(sink, LogLevel::kInfo);
  WorkerPool pool("test", 1, 10, logger);
  std::promise<void> after;
  ASSERT_TRUE(pool.try_submit([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(pool.try_submit([&] { after.set_value(); }));
  after.get_future().wait();
  pool.shutdown();
  EXPECT_TRUE(sink->contains("worker task failed"));
  EXPECT_TRUE(sink->contains("boom"));
}

}  // namespace
}  // namespace eyewear::platform
