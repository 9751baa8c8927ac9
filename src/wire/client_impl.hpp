#pragma once
// The client's shared state and the retrying executor. Private to the library; ops/ and bulk/ use it
// through detail::client_access.
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

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
};

class client_impl {
 public:
  client_impl(client_options o, std::unique_ptr<transport> t);

  /// One call, retried per the policy. @return the answer's body. @throws the typed error; with a service error,
  /// `error_body` (when given) receives the error answer's body.
  std::string call(std::string_view operation, std::string body, std::string* error_body = nullptr);
  /// Many calls, at most max_in_flight on the wire at once, each retried on its own. Never throws for a
  /// call's failure: it lands in that call's `error`.
  void execute(std::span<api_call> calls, std::size_t max_in_flight);

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
  dynantic::consumed_capacity capacity_{};

 public:
  dynantic::consumed_capacity consumed() const {
    std::lock_guard lock(capacity_mu_);
    return capacity_;
  }  // made with the transport, on its clock
  std::unique_ptr<transport> transport_;
};

struct client_access {
  static client_impl& impl(const client& c) { return *c.impl_; }
  static client make(std::shared_ptr<client_impl> i) { return client(std::move(i)); }
};

/// Maps an error answer to the typed exception (service_error and its subclasses). Items inside the answer
/// (a failed condition's stored item, cancellation reasons' items) are read by the operations layer.
std::exception_ptr make_service_error(const http_response& r, int attempts, bool retryable);

/// Resolves region and endpoint from options and environment (see client_options).
void resolve_region_endpoint(client_options& o);

}  // namespace dynantic::detail
