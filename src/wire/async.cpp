// The client's async engine: calls join a call_queue (the retry policy) that a transport_session (libcurl's
// socket interface over epoll) drives while a thread steps it. Calls arrive and are cancelled from any thread
// through an inbox; everything else happens on the driving thread, which also runs the continuations.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <poll.h>

#include <dynantic/async.hpp>
#include <dynantic/error.hpp>

#include "wire/client_impl.hpp"

namespace dynantic::detail {

class async_engine {
 public:
  explicit async_engine(client_impl& c)
      : c_(c), session_(c.sender().open_session()), queue_(make_call_queue(c, &on_end, this)) {}

  void post(async_op& op) {
    std::lock_guard lock(mu_);
    op.st = async_op::state::queued;
    inbox_.push_back(&op);
    pending_.fetch_add(1, std::memory_order_relaxed);
    if (waiting_) session_->wake();
  }

  void cancel(async_op& op) {
    std::lock_guard lock(mu_);
    ask_cancel(op);
  }

  void drop(async_op* op) {
    {
      std::lock_guard lock(mu_);
      if (op->st != async_op::state::created && op->st != async_op::state::ended) {
        op->orphaned = true;
        ask_cancel(*op);
        return;
      }
    }
    delete op;
  }

  /// One round: takes the inbox, moves bytes (waiting at most `wait`), tells the calls that ended.
  /// @return how many ended.
  std::size_t step(std::chrono::milliseconds wait) {
    if (driver_.load() == std::this_thread::get_id()) {
      throw std::logic_error(
          "dynantic: a continuation drove its own client's async engine (run/poll/sync_wait inside a coroutine of "
          "that client): co_await instead");
    }
    std::lock_guard drive(drive_mu_);
    driver_ = std::this_thread::get_id();
    struct reset_driver {
      std::atomic<std::thread::id>& d;
      ~reset_driver() { d = std::thread::id{}; }
    } reset{driver_};

    take_inbox();
    if (auto next = expire_timers()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*next - steady_time::clock::now());
      wait = std::clamp(left, std::chrono::milliseconds(0), wait);
    }
    {
      std::lock_guard lock(mu_);
      waiting_ = true;
      if (!inbox_.empty() || !cancels_.empty() || !ending_.empty()) wait = std::chrono::milliseconds(0);
    }
    session_->step(*queue_, c_.options().async_max_in_flight, wait);
    {
      std::lock_guard lock(mu_);
      waiting_ = false;
    }
    take_inbox();  // cancels that came while waiting
    expire_timers();
    return deliver();
  }

  std::size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  std::size_t in_flight() const { return session_->in_flight(); }
  int fd() const { return session_->fd(); }
  std::optional<std::chrono::milliseconds> timeout() {
    {
      std::lock_guard lock(mu_);
      if (!inbox_.empty() || !cancels_.empty() || !ending_.empty()) return std::chrono::milliseconds(0);
    }
    auto t = session_->timeout();
    for (const async_op* op : timers_) {
      auto left = std::max(std::chrono::ceil<std::chrono::milliseconds>(op->due - steady_time::clock::now()),
                           std::chrono::milliseconds(0));
      if (!t || left < *t) t = left;
    }
    if (session_->in_flight() < c_.options().async_max_in_flight) {
      if (auto due = queue_->next_due()) {
        auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(*due - steady_time::clock::now()),
                             std::chrono::milliseconds(0));
        if (!t || left < *t) t = left;
      }
    }
    return t;
  }

 private:
  // Under mu_.
  void ask_cancel(async_op& op) {
    if (op.cancel_asked || op.st == async_op::state::ending || op.st == async_op::state::ended) return;
    op.cancel_asked = true;
    if (op.st == async_op::state::active) {
      cancels_.push_back(&op);
      if (waiting_) session_->wake();
    }  // created or queued: seen when taken from the inbox
  }

  static std::exception_ptr cancelled_error(const async_op& op, bool on_the_wire) {
    return std::make_exception_ptr(
        cancelled("dynantic: " + op.operation + " cancelled " +
                      (on_the_wire ? std::string("while on the wire (DynamoDB may have applied it)")
                                   : std::string("before it was sent")),
                  on_the_wire));
  }

  void take_inbox() {
    std::vector<async_op*> in, cancels;
    {
      std::lock_guard lock(mu_);
      in.swap(inbox_);
      cancels.swap(cancels_);
    }
    for (async_op* op : in) {
      bool cancel_now;
      {
        std::lock_guard lock(mu_);
        cancel_now = op->cancel_asked;
        if (!cancel_now) op->st = async_op::state::active;
      }
      if (cancel_now) {
        op->error = cancelled_error(*op, false);
        end_now(op);
        continue;
      }
      if (op->timer) {
        timers_.push_back(op);
        continue;
      }
      c_.prepare(*op);
      op->token = queue_->add(op);
    }
    for (async_op* op : cancels) {
      {
        std::lock_guard lock(mu_);
        if (op->st != async_op::state::active) continue;
      }
      if (op->timer) {
        timers_.erase(std::find(timers_.begin(), timers_.end(), op));
        op->error = cancelled_error(*op, false);
        end_now(op);
        continue;
      }
      if (queue_->end_waiting(op->token, cancelled_error(*op, false))) continue;
      if (session_->abort(op->token)) queue_->end(op->token, cancelled_error(*op, true));
    }
  }

  void end_now(async_op* op) {
    std::lock_guard lock(mu_);
    op->st = async_op::state::ending;
    ending_.push_back(op);
  }

  // Ends the timers that are due; @return when the next one is.
  std::optional<steady_time> expire_timers() {
    auto now = steady_time::clock::now();
    std::optional<steady_time> next;
    for (std::size_t i = 0; i < timers_.size();) {
      if (timers_[i]->due <= now) {
        end_now(timers_[i]);
        timers_[i] = timers_.back();
        timers_.pop_back();
      } else {
        if (!next || timers_[i]->due < *next) next = timers_[i]->due;
        ++i;
      }
    }
    return next;
  }

  static void on_end(void* self, api_call& call, call_telemetry* t) {
    auto* e = static_cast<async_engine*>(self);
    auto& op = static_cast<async_op&>(call);
    e->c_.account(op, t);
    std::lock_guard lock(e->mu_);
    op.st = async_op::state::ending;
    e->ending_.push_back(&op);
  }

  std::size_t deliver() {
    std::vector<async_op*> ended;
    {
      std::lock_guard lock(mu_);
      ended.swap(ending_);
    }
    for (async_op* op : ended) {
      bool orphaned;
      {
        std::lock_guard lock(mu_);
        orphaned = op->orphaned;
        op->st = async_op::state::ended;
      }
      pending_.fetch_sub(1, std::memory_order_relaxed);
      if (orphaned) {
        delete op;
      } else {
        op->done(op->ctx);  // may free op (the awaiting coroutine resumes and finishes)
      }
    }
    return ended.size();
  }

  client_impl& c_;
  std::unique_ptr<transport_session> session_;
  std::unique_ptr<call_queue> queue_;
  std::mutex drive_mu_;  // one driver at a time
  std::atomic<std::thread::id> driver_{};
  std::mutex mu_;  // the inbox, the cancels, the ops' states
  std::vector<async_op*> inbox_, cancels_, ending_;
  std::vector<async_op*> timers_;  // driving thread only
  bool waiting_ = false;
  std::atomic<std::size_t> pending_{0};
};

client_impl::~client_impl() = default;
void client_impl::async_deleter::operator()(async_engine* e) const noexcept { delete e; }

std::unique_ptr<transport_session> transport::open_session() {
  throw error("dynantic: this client's transport has no non-blocking session (async calls need the libcurl one)");
}

async_engine& client_impl::async() {
  std::lock_guard lock(async_mu_);
  if (!async_) async_.reset(new async_engine(*this));
  return *async_;
}

namespace {
// The clients this thread handed async calls to, for sync_wait.
thread_local std::vector<std::weak_ptr<client_impl>> this_thread_clients;

void remember(const std::shared_ptr<client_impl>& c) {
  for (auto& w : this_thread_clients) {
    if (!w.owner_before(c) && !c.owner_before(w)) return;
  }
  this_thread_clients.push_back(c);
}
}  // namespace

void async_op_deleter::operator()(async_op* op) const noexcept { op->engine->drop(op); }

async_op_ptr async_create(const client& c, std::string_view operation, std::string body, void (*done)(void*), void* ctx,
                          std::shared_ptr<capacity_limit> limit) {
  const auto& impl = client_access::shared(c);
  auto* op = new async_op;
  op->operation = std::string(operation);
  op->body = std::move(body);
  op->done = done;
  op->ctx = ctx;
  op->limit = std::move(limit);
  op->engine = &impl->async();
  remember(impl);
  return async_op_ptr(op);
}

async_op_ptr async_create_timer(const client& c, steady_time due, void (*done)(void*), void* ctx) {
  auto op = async_create(c, "timer", {}, done, ctx);
  op->timer = true;
  op->due = due;
  return op;
}

void async_post(async_op& op) { op.engine->post(op); }
void async_cancel(async_op& op) noexcept { op.engine->cancel(op); }

std::string async_result(async_op& op, std::string* error_body) {
  if (op.error) {
    if (error_body) *error_body = std::move(op.error_body);
    std::rethrow_exception(op.error);
  }
  return std::move(op.response);
}

std::string api_awaiter::result(std::string* error_body) {
  on_stop_.reset();  // waits for a stop callback that runs now on another thread
  if (stopped_early_) {
    throw cancelled("dynantic: " + std::string(operation_) + " cancelled before it was sent", false);
  }
  return async_result(*op_, error_body);
}

struct sync_wait_signal::state {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
};

sync_wait_signal::sync_wait_signal() : s_(std::make_unique<state>()) {}
sync_wait_signal::~sync_wait_signal() = default;

void sync_wait_signal::finished(void* self) noexcept {
  // Told under the lock: the waiting thread sees it only after this unlocks, and returns (destroying the signal)
  // only then; nothing here touches the signal after the unlock.
  auto& s = *static_cast<sync_wait_signal*>(self)->s_;
  std::lock_guard lock(s.mu);
  s.done = true;
  s.cv.notify_all();
}

void sync_wait_signal::drive_until_done() {
  constexpr std::chrono::milliseconds wait(100);
  for (;;) {
    {
      std::lock_guard lock(s_->mu);
      if (s_->done) return;
    }
    std::vector<std::shared_ptr<client_impl>> busy;
    auto& list = this_thread_clients;
    for (auto it = list.begin(); it != list.end();) {
      auto c = it->lock();
      if (!c || c->async().pending() == 0) {
        it = list.erase(it);
      } else {
        busy.push_back(std::move(c));
        ++it;
      }
    }
    if (busy.empty()) {
      // What is awaited is driven by another thread: wait for the end, and look again now and then (a call of
      // this thread's may become pending again and be this thread's to drive).
      std::unique_lock lock(s_->mu);
      s_->cv.wait_for(lock, std::chrono::milliseconds(10), [&] { return s_->done; });
      continue;
    }
    if (busy.size() == 1) {
      busy[0]->async().step(wait);
      continue;
    }
    std::vector<pollfd> fds;
    auto until = wait;
    for (auto& c : busy) {
      auto& e = c->async();
      e.step(std::chrono::milliseconds(0));
      fds.push_back({e.fd(), POLLIN, 0});
      if (auto t = e.timeout(); t && *t < until) until = *t;
    }
    ::poll(fds.data(), fds.size(), static_cast<int>(until.count()));
  }
}

}  // namespace dynantic::detail

namespace dynantic {

std::size_t client::poll() { return impl_->async().step(std::chrono::milliseconds(0)); }

std::size_t client::run_for(std::chrono::milliseconds d) {
  auto& e = impl_->async();
  auto until = std::chrono::steady_clock::now() + d;
  std::size_t n = 0;
  while (e.pending() > 0) {  // at least one step, however short `d` is
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    n += e.step(std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(100)));
    if (std::chrono::steady_clock::now() >= until) break;
  }
  return n;
}

std::size_t client::run() {
  auto& e = impl_->async();
  std::size_t n = 0;
  while (e.pending() > 0) n += e.step(std::chrono::milliseconds(100));
  return n;
}

int client::async_fd() const { return impl_->async().fd(); }
std::optional<std::chrono::milliseconds> client::async_timeout() const { return impl_->async().timeout(); }
std::size_t client::async_pending() const { return impl_->async().pending(); }
std::size_t client::async_in_flight() const { return impl_->async().in_flight(); }

}  // namespace dynantic
