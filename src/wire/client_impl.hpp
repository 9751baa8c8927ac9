#pragma once
// The client's shared state and the retrying executor. Private to the library; ops/ and bulk/ use it
// through detail::client_access.
#include <functional>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include <dynantic/async.hpp>
#include <dynantic/client.hpp>

#include "wire/retry.hpp"
#include "wire/sigv4.hpp"
#include "wire/transport.hpp"

namespace dynantic::detail {

/// One DynamoDB API call: the operation name ("GetItem") and its JSON body; the executor fills in the
/// result.
struct api_call {
  std::string operation;
  std::string body;
  // results
  std::string response;      // the answer's body when the call succeeded
  std::exception_ptr error;  // the typed exception when it failed for good
  int attempts = 0;
  std::string error_body;  // with a service error: the answer's body (the operations layer reads the items in it)
  /// A capacity budget the call keeps to (each attempt takes `estimate` units, its answer settles them); with
  /// one, the call asks for its consumed capacity.
  std::shared_ptr<capacity_limit> limit{};
  double estimate = 0;  // 0: the limit's expected()
  /// When set and `body` is empty, builds the body as the call is first sent (execute() only): a batch's requests
  /// are then built as they go out, not all before the first one leaves.
  std::function<std::string()> make_body{};
  /// Gives `body`'s memory back for reuse as soon as the call ends (execute() only, when no telemetry or item
  /// collection metrics read it afterwards).
  bool recycle_body = false;
};

class async_engine;

/// The retry policy as a request_source that calls join while it runs (the async engine's; the blocking
/// execute() uses the same policy over a fixed set).
class call_queue : public request_source {
 public:
  using on_end_fn = void (*)(void* ctx, api_call& call, call_telemetry* t);
  /// Adds a call (kept by pointer until it ends). @return its token.
  virtual std::size_t add(api_call* call) = 0;
  /// Ends a call with `e` when it waits (to be sent, or for its next attempt). @return false when it is on the
  /// wire (abort it there, then call end()).
  virtual bool end_waiting(std::size_t token, std::exception_ptr e) = 0;
  /// Ends a call with `e` (one whose attempt was aborted on the wire).
  virtual void end(std::size_t token, std::exception_ptr e) = 0;
};

class client_impl {
 public:
  client_impl(client_options o, std::unique_ptr<transport> t);
  ~client_impl();

  /// One call, retried per the policy. @return the answer's body. @throws the typed error; with a service error,
  /// `error_body` (when given) receives the error answer's body.
  std::string call(std::string_view operation, std::string body, std::string* error_body = nullptr,
                   std::shared_ptr<capacity_limit> limit = {});
  /// Many calls, at most max_in_flight on the wire at once, each retried on its own. Never throws for a
  /// call's failure: it lands in that call's `error`.
  void execute(std::span<api_call> calls, std::size_t max_in_flight);

  /// Asks for consumed capacity in the call's body when the client does (before its first attempt).
  void prepare(api_call& c) const;
  /// What an ended call consumed (client totals, this thread's meters) and its telemetry (when `t`).
  void account(const api_call& c, call_telemetry* t);
  /// The non-blocking engine of the async calls, made on first use.
  async_engine& async();

  /// Whether the log sink hears `level`.
  bool logs(log_level level) const { return options_.log && level >= options_.log_level && level != log_level::off; }
  void log(log_level level, const std::string& line) const { options_.log->log(level, line); }

  const std::string& region() const { return options_.region; }
  const std::string& endpoint() const { return options_.endpoint; }
  const client_options& options() const { return options_; }
  retry_quota& quota() { return quota_; }
  adaptive_limiter& limiter() { return *limiter_; }
  transport& sender() { return *transport_; }

  // used by the executor
  credentials current_credentials();
  std::vector<std::string> signed_headers(std::string_view operation, const std::string& body);
  double random01();
  const std::string& url() const { return url_; }

 private:
  client_options options_;
  std::string url_, host_;
  std::shared_ptr<credentials_provider> creds_;
  sigv4_signer signer_;
  retry_quota quota_;
  std::unique_ptr<adaptive_limiter> limiter_;
  mutable std::mutex capacity_mu_;
  std::mutex async_mu_;
  struct async_deleter {
    void operator()(async_engine* e) const noexcept;
  };
  std::unique_ptr<async_engine, async_deleter> async_;
  dynantic::consumed_capacity capacity_{};

 public:
  dynantic::consumed_capacity consumed() const {
    std::lock_guard lock(capacity_mu_);
    return capacity_;
  }  // made with the transport, on its clock
  std::unique_ptr<transport> transport_;
};

/// One call of the async engine (dynantic/async.hpp), or a timer.
struct async_op : api_call {
  void (*done)(void*) = nullptr;
  void* ctx = nullptr;
  async_engine* engine = nullptr;
  // Guarded by the engine's mutex. created -> queued (posted) -> active (in the queue) -> ending (ended, not yet
  // told) -> ended (done() ran or runs).
  enum class state { created, queued, active, ending, ended } st = state::created;
  bool cancel_asked = false;
  bool orphaned = false;  // its handle was dropped while pending: the engine frees it when it ends
  std::size_t token = 0;
  // a timer (no request): ends when `due` passes
  bool timer = false;
  steady_time due{};
};

/// A timer for the async engine: `done(ctx)` runs on the driving thread once `due` has passed (post it with
/// async_post; cancelling it ends it with dynantic::cancelled).
async_op_ptr async_create_timer(const client& c, steady_time due, void (*done)(void*), void* ctx);

/// The retry policy over calls that join while it runs; `on_end(ctx, call, telemetry)` is told of each as it ends
/// (telemetry: null without a sink).
std::unique_ptr<call_queue> make_call_queue(client_impl& c, call_queue::on_end_fn on_end, void* ctx);

struct client_access {
  static client_impl& impl(const client& c) { return *c.impl_; }
  static const std::shared_ptr<client_impl>& shared(const client& c) { return c.impl_; }
  static client make(std::shared_ptr<client_impl> i) { return client(std::move(i)); }
};

/// Maps an error answer to the typed exception (service_error and its subclasses). Items inside the answer
/// (a failed condition's stored item, cancellation reasons' items) are read by the operations layer.
std::exception_ptr make_service_error(const http_response& r, int attempts, bool retryable,
                                      const std::string& endpoint);

/// Resolves region, endpoint and the retry policy from options and environment (see client_options).
void resolve_region_endpoint(client_options& o);
/// max_attempts 0 from AWS_MAX_ATTEMPTS / the profile's max_attempts (else 4), and the adaptive mode from
/// AWS_RETRY_MODE / the profile's retry_mode (see retry_options). @throws error for a value that is not one
void resolve_retry(retry_options& r);

}  // namespace dynantic::detail
