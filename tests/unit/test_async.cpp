// dynantic::task and its combinators without a network: values, errors, order, void tasks, spawn, stop tokens.
#include <gtest/gtest.h>

#include <chrono>
#include <coroutine>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>

#include <dynantic/dynantic.hpp>

namespace test_async_unit {
namespace dy = dynantic;

dy::task<int> value(int v) { co_return v; }
dy::task<int> failing(std::string what) {
  throw std::runtime_error(what);
  co_return 0;
}
dy::task<int> sum_of(int a, int b) {
  int x = co_await value(a);
  int y = co_await value(b);
  co_return x + y;
}
dy::task<void> nothing(int& touched) {
  ++touched;
  co_return;
}

TEST(task, values_and_errors_pass_through_nested_tasks) {
  EXPECT_EQ(dy::sync_wait(sum_of(2, 40)), 42);
  try {
    dy::sync_wait(failing("boom"));
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
  auto catches = []() -> dy::task<std::string> {
    try {
      co_await failing("inner");
    } catch (const std::runtime_error& e) {
      co_return std::string("caught ") + e.what();
    }
    co_return "not caught";
  };
  EXPECT_EQ(dy::sync_wait(catches()), "caught inner");
}

TEST(task, nothing_runs_until_awaited) {
  int touched = 0;
  {
    auto t = nothing(touched);
    EXPECT_EQ(touched, 0);
  }  // destroyed unstarted: nothing ran, nothing leaks (ASan)
  EXPECT_EQ(touched, 0);
  dy::sync_wait(nothing(touched));
  EXPECT_EQ(touched, 1);
}

// A task that another thread ends: it suspends, and a thread of the test resumes it (as a thread that drives
// the engine runs a continuation). sync_wait must see the end and the value that thread wrote through a
// synchronised hand-over (checked by TSan in scripts/test; reading the coroutine's state while the other thread
// writes it was a data race).
struct resumed_on_another_thread {
  std::thread& runner;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    runner = std::thread([h] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      h.resume();
    });
  }
  void await_resume() const noexcept {}
};
dy::task<std::string> ended_elsewhere(std::thread& runner, std::string text) {
  co_await resumed_on_another_thread{runner};
  co_return text + " from another thread";
}

TEST(task, sync_wait_sees_a_task_that_another_thread_ends) {
  for (int i = 0; i < 20; ++i) {
    std::thread runner;
    EXPECT_EQ(dy::sync_wait(ended_elsewhere(runner, "value " + std::to_string(i))),
              "value " + std::to_string(i) + " from another thread");
    runner.join();
  }
}

TEST(task, when_all_keeps_the_order_and_throws_the_first_failure) {
  std::vector<dy::task<int>> ts;
  for (int i = 0; i < 5; ++i) ts.push_back(value(i * i));
  EXPECT_EQ(dy::sync_wait(dy::when_all(std::move(ts))), (std::vector<int>{0, 1, 4, 9, 16}));

  std::vector<dy::task<int>> bad;
  bad.push_back(value(1));
  bad.push_back(failing("second"));
  bad.push_back(failing("third"));
  try {
    dy::sync_wait(dy::when_all(std::move(bad)));
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "second");
  }

  auto [a, b] = dy::sync_wait(dy::when_all(value(7), sum_of(1, 2)));
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 3);

  int touched = 0;
  std::vector<dy::task<void>> voids;
  for (int i = 0; i < 3; ++i) voids.push_back(nothing(touched));
  dy::sync_wait(dy::when_all(std::move(voids)));
  EXPECT_EQ(touched, 3);
  EXPECT_TRUE(dy::sync_wait(dy::when_all(std::vector<dy::task<int>>{})).empty());
}

TEST(task, spawn_calls_back_with_the_value_or_the_error) {
  int got = 0;
  std::string error;
  dy::spawn(
      sum_of(20, 22), [&](int v) { got = v; }, [&](std::exception_ptr) { error = "unexpected"; });
  EXPECT_EQ(got, 42);
  dy::spawn(
      failing("spawned"), [&](int) { got = -1; },
      [&](std::exception_ptr e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::runtime_error& x) {
          error = x.what();
        }
      });
  EXPECT_EQ(got, 42);
  EXPECT_EQ(error, "spawned");
}

struct Item {
  std::string id;
  int n = 0;
};
DYNANTIC_MODEL(Item, "items", key(id), field(n))

dy::client unreachable_client() {
  dy::client_options o;
  o.endpoint = "http://127.0.0.1:9";  // discard port: nothing must be sent there
  o.region = "us-east-1";
  o.credentials = dy::credentials{"AKIDEXAMPLE", "secret"};
  o.retry.max_attempts = 1;
  return dy::client(o);
}

TEST(task, a_stopped_token_cancels_the_call_before_it_is_sent) {
  auto c = unreachable_client();
  dy::table<Item> items(c);
  std::stop_source stop;
  stop.request_stop();
  try {
    dy::sync_wait(items.async_get("x"), stop.get_token());
    ADD_FAILURE() << "not cancelled";
  } catch (const dy::cancelled& e) {
    EXPECT_FALSE(e.on_the_wire());
    EXPECT_NE(std::string(e.what()).find("GetItem"), std::string::npos) << e.what();
  }
  // the token reaches calls inside nested tasks and when_all
  auto nested = [&]() -> dy::task<int> {
    std::vector<dy::task<std::optional<Item>>> gets;
    gets.push_back(items.async_get("a"));
    gets.push_back(items.async_get("b"));
    auto r = co_await dy::when_all(std::move(gets));
    co_return static_cast<int>(r.size());
  };
  EXPECT_THROW(dy::sync_wait(nested(), stop.get_token()), dy::cancelled);
  EXPECT_EQ(c.async_pending(), 0u);
}

TEST(task, a_call_that_cannot_connect_fails_with_the_transport_error) {
  auto c = unreachable_client();
  dy::table<Item> items(c);
  try {
    dy::sync_wait(items.async_save(Item{"x", 1}));
    ADD_FAILURE() << "no error";
  } catch (const dy::transport_error& e) {
    EXPECT_EQ(e.failure(), dy::transport_error::kind::connect);
    EXPECT_EQ(e.attempts(), 1);
  }
  EXPECT_EQ(c.async_pending(), 0u);
}

}  // namespace test_async_unit
