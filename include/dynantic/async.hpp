#pragma once
/// @file async.hpp
/// Non-blocking calls: dynantic::task<T> (a lazy C++20 coroutine), sync_wait, when_all and spawn.
///
/// Every async call (table<M>::async_get, async_save, ..., ops::async_get_item, ...) runs on its client's async
/// engine: one libcurl multi handle driven through its socket interface, on the thread that drives it, with no
/// thread per call. The engine moves only while a thread drives it: dy::sync_wait does, and so do
/// client::run(), client::run_for() and client::poll() (for an application's own event loop: watch
/// client::async_fd() for readability and call poll() when it is readable or client::async_timeout() passed).
/// Continuations run on the driving thread. Cancellation is std::stop_token's: a request stopped before it is
/// sent is never sent; one on the wire is dropped (DynamoDB may have applied it); either way the awaiting code
/// gets dynantic::cancelled. Errors are the same typed exceptions the blocking calls throw.
/// @code
///   dy::task<int> count_active(dy::table<User> users, std::vector<std::string> ids) {
///     std::vector<dy::task<std::optional<User>>> gets;
///     for (auto& id : ids) gets.push_back(users.async_get(id));
///     int n = 0;
///     for (auto& u : co_await dy::when_all(std::move(gets))) n += u && u->active;
///     co_return n;
///   }
///   int n = dy::sync_wait(count_active(users, ids));
/// @endcode

#include <atomic>
#include <cassert>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <dynantic/client.hpp>

namespace dynantic {

template <class T = void>
class task;

namespace detail {

// ------------------------------------------------------------------ the engine's side (src/wire/async.cpp)

struct async_op;
struct async_op_deleter {
  /// An op still pending is cancelled and freed by the engine when it ends.
  void operator()(async_op* op) const noexcept;
};
using async_op_ptr = std::unique_ptr<async_op, async_op_deleter>;

/// A call for c's async engine, not yet handed to it: `done(ctx)` runs on the driving thread when it has ended.
async_op_ptr async_create(const client& c, std::string_view operation, std::string body, void (*done)(void*), void* ctx,
                          std::shared_ptr<capacity_limit> limit = {});
/// Hands the call to the engine (from any thread). `done` may run before this returns when another thread drives.
void async_post(async_op& op);
/// Asks for the call to end with dynantic::cancelled (from any thread, at any time; nothing once it has ended).
void async_cancel(async_op& op) noexcept;
/// After done: the answer's body. @throws the call's typed error; with a service error, `error_body` (when given)
/// receives the error answer's body first.
std::string async_result(async_op& op, std::string* error_body);
/// What sync_wait waits for: the end of its task, told by whichever thread ends it (this one while it drives the
/// engines, or another that drives them).
class sync_wait_signal {
 public:
  sync_wait_signal();
  ~sync_wait_signal();
  sync_wait_signal(const sync_wait_signal&) = delete;
  sync_wait_signal& operator=(const sync_wait_signal&) = delete;
  /// The task's on_done (`self`: the signal).
  static void finished(void* self) noexcept;
  /// Until the task has ended: drives the engines this thread handed calls to that have calls pending, or, with
  /// none (what is awaited is driven by another thread), waits for the end.
  void drive_until_done();

 private:
  struct state;
  std::unique_ptr<state> s_;
};

template <class P>
concept has_stop_token = requires(P& p) {
  { p.stop } -> std::convertible_to<std::stop_token>;
};

/// Awaits one DynamoDB call on the client's engine. @return the answer's body.
class api_awaiter {
 public:
  api_awaiter(const client& c, std::string_view operation, std::string body, std::shared_ptr<capacity_limit> limit = {})
      : client_(c), operation_(operation), body_(std::move(body)), limit_(std::move(limit)) {}
  api_awaiter(api_awaiter&&) = default;

  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    std::stop_token st;
    if constexpr (has_stop_token<P>) st = h.promise().stop;
    if (st.stop_requested()) {
      stopped_early_ = true;
      return false;
    }
    continuation_ = h;
    op_ = async_create(client_, operation_, std::move(body_), &resume, this, std::move(limit_));
    if (st.stop_possible()) on_stop_.emplace(st, canceller{op_.get()});
    async_post(*op_);  // `this` may be resumed (on a driving thread) from here on
    return true;
  }
  /// @throws the call's typed error, or dynantic::cancelled
  std::string await_resume() { return result(nullptr); }

 protected:
  std::string result(std::string* error_body);

 private:
  struct canceller {
    async_op* op;
    void operator()() const noexcept { async_cancel(*op); }
  };
  static void resume(void* self) { static_cast<api_awaiter*>(self)->continuation_.resume(); }

  client client_;
  std::string_view operation_;
  std::string body_;
  std::shared_ptr<capacity_limit> limit_;
  async_op_ptr op_;
  std::coroutine_handle<> continuation_;
  std::optional<std::stop_callback<canceller>> on_stop_;
  bool stopped_early_ = false;
};

// ------------------------------------------------------------------ the task's promise

class promise_base {
 public:
  std::stop_token stop;
  std::coroutine_handle<> continuation;
  /// Instead of resuming a continuation when done (when_all, spawn).
  void (*on_done)(void*) = nullptr;
  void* on_done_ctx = nullptr;
  std::exception_ptr error;

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct final_awaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      promise_base& p = h.promise();
      if (p.on_done) {
        p.on_done(p.on_done_ctx);
        return std::noop_coroutine();
      }
      return p.continuation ? p.continuation : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
class promise final : public promise_base {
 public:
  task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
  std::optional<T> value;
};

template <>
class promise<void> final : public promise_base {
 public:
  task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() {
    if (error) std::rethrow_exception(error);
  }
};

}  // namespace detail

/// A lazy coroutine: nothing runs until it is awaited (co_await), waited for (sync_wait) or spawned. Move-only;
/// destroying a task that was started but has not finished is a programming error (a dropped spawn is not: it
/// owns its task).
template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::promise<T>;  ///< the coroutine's promise (carries the stop token)
  using value_type = T;                     ///< what co_await gives

  /// An empty task (nothing to run).
  task() = default;
  /// Owns the coroutine `h` (made by the compiler from a coroutine returning task<T>).
  explicit task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  /// Takes `o`'s coroutine; `o` is left empty.
  task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  /// Destroys this task's coroutine (it must not be running) and takes `o`'s.
  task& operator=(task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~task() { reset(); }

  /// Runs the task until it finishes (or suspends on a call), with `st` as its stop token; then the awaiting
  /// code decides what drives the engine.
  auto operator co_await() && noexcept { return awaiter{h_}; }

  /// What co_await of a task uses: starts the task, resumes the awaiting coroutine when it ends.
  struct awaiter {
    std::coroutine_handle<promise_type> h;  ///< the awaited task's coroutine
    /// Done already: no suspension.
    bool await_ready() const noexcept { return !h || h.done(); }
    /// Starts the task with the awaiting coroutine's stop token; it resumes `parent` when it ends.
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
      h.promise().continuation = parent;
      if constexpr (detail::has_stop_token<P>) h.promise().stop = parent.promise().stop;
      return h;
    }
    /// The task's value. @throws the exception the task ended with
    T await_resume() { return h.promise().take(); }
  };

  /// For sync_wait, when_all and spawn.
  std::coroutine_handle<promise_type> handle() const noexcept { return h_; }
  /// Gives up the coroutine (the caller destroys it).
  std::coroutine_handle<promise_type> release() noexcept { return std::exchange(h_, {}); }

 private:
  void reset() noexcept {
    if (h_) h_.destroy();
    h_ = {};
  }
  std::coroutine_handle<promise_type> h_;
};

namespace detail {
template <class T>
task<T> promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<promise<T>>::from_promise(*this));
}
inline task<void> promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<promise<void>>::from_promise(*this));
}

// Counts children down; resumes the parent after the last.
struct join_state {
  std::atomic<std::size_t> left{0};
  std::coroutine_handle<> parent;
  static void child_done(void* self) {
    auto* j = static_cast<join_state*>(self);
    if (j->left.fetch_sub(1, std::memory_order_acq_rel) == 1) j->parent.resume();
  }
};

template <class... H>
struct join_awaiter {
  std::tuple<H...> children;
  join_state join;
  bool await_ready() const noexcept { return sizeof...(H) == 0; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> parent) {
    join.parent = parent;
    join.left.store(sizeof...(H) + 1, std::memory_order_relaxed);
    std::apply([&](auto&... h) { (start(h, parent), ...); }, children);
    return join.left.fetch_sub(1, std::memory_order_acq_rel) != 1;  // all done already: go on
  }
  void await_resume() noexcept {}

 private:
  template <class C, class P>
  void start(C h, std::coroutine_handle<P> parent) {
    h.promise().on_done = &join_state::child_done;
    h.promise().on_done_ctx = &join;
    if constexpr (has_stop_token<P>) h.promise().stop = parent.promise().stop;
    h.resume();
  }
};

template <class T>
struct join_all_awaiter {
  std::vector<task<T>>& tasks;
  join_state join;
  bool await_ready() const noexcept { return tasks.empty(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> parent) {
    join.parent = parent;
    join.left.store(tasks.size() + 1, std::memory_order_relaxed);
    for (auto& t : tasks) {
      auto h = t.handle();
      h.promise().on_done = &join_state::child_done;
      h.promise().on_done_ctx = &join;
      if constexpr (has_stop_token<P>) h.promise().stop = parent.promise().stop;
      h.resume();
    }
    return join.left.fetch_sub(1, std::memory_order_acq_rel) != 1;
  }
  void await_resume() noexcept {}
};
}  // namespace detail

/// Runs every task at once (their calls share the client's engine) and waits for all of them.
/// @return the results in the order of `tasks`. @throws the first failed task's error (in the order of `tasks`),
/// after all have ended.
template <class T>
task<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> when_all(std::vector<task<T>> tasks) {
  co_await detail::join_all_awaiter<T>{tasks, {}};
  if constexpr (std::is_void_v<T>) {
    for (auto& t : tasks) t.handle().promise().take();
  } else {
    std::vector<T> out;
    out.reserve(tasks.size());
    for (auto& t : tasks) out.push_back(t.handle().promise().take());
    co_return out;
  }
}

/// Runs tasks of different types at once. @return their results as a tuple. @throws the first failed task's error.
template <class... T>
requires(!std::is_void_v<T> && ...) task<std::tuple<T...>> when_all(task<T>... tasks) {
  co_await detail::join_awaiter<std::coroutine_handle<detail::promise<T>>...>{{tasks.handle()...}, {}};
  co_return std::tuple<T...>(tasks.handle().promise().take()...);
}

/// Runs `t` on this thread, driving the engines of the clients its calls use, until it ends.
/// @return its result. @throws its error (dynantic::cancelled when `st` stopped it).
template <class T>
T sync_wait(task<T> t, std::stop_token st = {}) {
  auto h = t.handle();
  assert(h && !h.done());
  detail::sync_wait_signal ended;
  h.promise().stop = std::move(st);
  h.promise().on_done = &detail::sync_wait_signal::finished;
  h.promise().on_done_ctx = &ended;
  h.resume();
  ended.drive_until_done();  // the end was told under the signal's lock: the result is visible here
  return h.promise().take();
}

namespace detail {
template <class T, class OnValue, class OnError>
struct spawned {
  task<T> t;
  OnValue on_value;
  OnError on_error;
  static void done(void* self) {
    std::unique_ptr<spawned> s(static_cast<spawned*>(self));
    auto& p = s->t.handle().promise();
    if (p.error) {
      s->on_error(p.error);
    } else if constexpr (std::is_void_v<T>) {
      s->on_value();
    } else {
      s->on_value(std::move(*p.value));
    }
  }
};
}  // namespace detail

/// Starts `t` and returns at its first wait: `on_value(result)` (or `on_value()` for task<void>) or
/// `on_error(std::exception_ptr)` runs when it ends, on the thread that drives the engine then (client::run(),
/// run_for(), poll(), or a sync_wait). The callbacks must not throw. A future form:
/// @code
///   std::promise<std::optional<User>> p;
///   auto f = p.get_future();
///   dy::spawn(users.async_get("u-1"), [&](auto u) { p.set_value(std::move(u)); },
///             [&](std::exception_ptr e) { p.set_exception(e); });
///   c.run();  // or drive c on another thread
///   auto u = f.get();
/// @endcode
template <class T, class OnValue, class OnError>
void spawn(task<T> t, OnValue on_value, OnError on_error, std::stop_token st = {}) {
  auto* s = new detail::spawned<T, OnValue, OnError>{std::move(t), std::move(on_value), std::move(on_error)};
  auto h = s->t.handle();
  h.promise().stop = std::move(st);
  h.promise().on_done = &detail::spawned<T, OnValue, OnError>::done;
  h.promise().on_done_ctx = s;
  h.resume();
}

}  // namespace dynantic
