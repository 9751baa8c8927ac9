// The retrying executor: a request_source over a set of api_calls. Each attempt is signed afresh;
// failures are classified, backed off with full jitter, and charged to the client's retry quota.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <vector>

#include <simdjson.h>
#include <zlib.h>

#include <dynantic/error.hpp>

#include "buffers.hpp"
#include "wire/client_impl.hpp"
#include "wire/meters.hpp"
#include "wire/sigv4.hpp"

namespace dynantic::detail {
namespace {

std::string_view after_hash(std::string_view type) {
  auto p = type.rfind('#');
  return p == std::string_view::npos ? type : type.substr(p + 1);
}

std::optional<consumed_capacity> consumed_in(const std::string& body);

// What a call cost when its answer does not say: writes 1 unit per KB of request, reads 1 unit per 4 KB of
// answer (half for eventually consistent reads); transactions twice that.
double estimated_units(const api_call& c, const std::string& answer) {
  const std::string& op = c.operation;
  double units;
  if (op == "GetItem" || op == "Query" || op == "Scan" || op == "BatchGetItem" || op == "TransactGetItems") {
    units = std::ceil(static_cast<double>(answer.size()) / 4096.0);
    if (op == "TransactGetItems") {
      units *= 2;
    } else if (c.body.find("\"ConsistentRead\":true") == std::string::npos) {
      units *= 0.5;
    }
  } else {
    units = std::ceil(static_cast<double>(c.body.size()) / 1024.0);
    if (op == "TransactWriteItems") units *= 2;
  }
  return std::max(units, 0.5);
}

// What a log line says of a call: its operation, table and key digest (batches: the requests per table).
std::string log_subject(const api_call& c) {
  std::string out = c.operation;
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(c.body).get_object().get(o) != simdjson::SUCCESS) return out;
  std::string_view table;
  if (o["TableName"].get_string().get(table) == simdjson::SUCCESS) out += " " + std::string(table);
  simdjson::dom::element key;
  if (o["Key"].get(key) == simdjson::SUCCESS) {
    out += " key#" + sha256_hex(simdjson::minify(key)).substr(0, 12);
  }
  simdjson::dom::object items;
  if (o["RequestItems"].get_object().get(items) == simdjson::SUCCESS) {
    for (auto [name, v] : items) {
      std::size_t n = 0;
      simdjson::dom::array list;
      if (v.get_array().get(list) == simdjson::SUCCESS) {
        n = list.size();  // BatchWriteItem: the requests
      } else if (v["Keys"].get_array().get(list) == simdjson::SUCCESS) {
        n = list.size();  // BatchGetItem: the keys
      }
      out += " " + std::string(name) + "[" + std::to_string(n) + "]";
    }
  }
  simdjson::dom::array actions;
  if (o["TransactItems"].get_array().get(actions) == simdjson::SUCCESS) {
    out += " (" + std::to_string(actions.size()) + " actions)";
  }
  return out;
}

// An attempt's outcome for a log line: "HTTP 200", the error code, or the network failure.
std::string log_outcome(const http_response& r, const std::string& code) {
  if (r.failure != net_failure::none) return r.failure_message;
  if (!code.empty()) return code + " (HTTP " + std::to_string(r.status) + ")";
  return "HTTP " + std::to_string(r.status);
}

bool crc_matches(const http_response& r) {
  if (r.crc32.empty()) return true;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(r.body.data()), static_cast<uInt>(r.body.size()));
  return std::to_string(crc) == r.crc32;
}

}  // namespace

// The retry policy over a set of calls. The blocking form (execute()) runs a fixed set to its end; the client's
// async engine adds calls while it runs and is told of each one as it ends.
class executor final : public call_queue {
 public:
  executor(client_impl& c, on_end_fn on_end, void* ctx) : c_(c), on_end_(on_end), on_end_ctx_(ctx) {}
  executor(client_impl& c, std::span<api_call> calls) : c_(c) {
    calls_.reserve(calls.size());
    state_.resize(calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) {
      calls_.push_back(&calls[i]);
      ready_.push_back(i);
    }
    remaining_ = calls.size();
    if (c_.options().telemetry) telemetry_.resize(calls.size());
  }

  /// Adds a call (kept by pointer until it ends). @return its token.
  std::size_t add(api_call* call) override {
    std::size_t token;
    if (!free_.empty()) {
      token = free_.back();
      free_.pop_back();
      calls_[token] = call;
      state_[token] = {};
    } else {
      token = calls_.size();
      calls_.push_back(call);
      state_.emplace_back();
    }
    if (c_.options().telemetry) {
      if (telemetry_.size() <= token) telemetry_.resize(token + 1);
      telemetry_[token] = {};
    }
    ready_.push_back(token);
    ++remaining_;
    return token;
  }

  /// Ends a call with `e` when it waits (to be sent, or for its next attempt). @return false when it is on the
  /// wire (abort it there, then call end()).
  bool end_waiting(std::size_t token, std::exception_ptr e) override {
    auto r = std::find(ready_.begin(), ready_.end(), token);
    if (r != ready_.end()) {
      ready_.erase(r);
    } else {
      auto d = std::find_if(delayed_.begin(), delayed_.end(), [&](const auto& p) { return p.second == token; });
      if (d == delayed_.end()) return false;
      delayed_.erase(d);
    }
    end(token, std::move(e));
    return true;
  }
  /// Ends a call with `e` (one whose attempt was aborted on the wire).
  void end(std::size_t token, std::exception_ptr e) override {
    calls_[token]->error = std::move(e);
    finish(token);
  }

  /// With a telemetry sink: what was measured of call `i` (its attempts, timings, last request id and error).
  call_telemetry& telemetry(std::size_t i) { return telemetry_[i]; }

  bool next(steady_time now, std::size_t& token, http_request& out) override {
    promote(now);
    // A call whose capacity budget is in debt waits until it is paid back.
    while (!ready_.empty()) {
      std::size_t t = ready_.front();
      api_call& c = *calls_[t];
      if (!c.limit) break;
      double units = c.estimate > 0 ? c.estimate : c.limit->expected();
      auto wait = c.limit->take(units, now);
      if (wait.count() == 0) {
        state_[t].taken = units;
        break;
      }
      ready_.pop_front();
      delayed_.emplace_back(now + std::chrono::ceil<std::chrono::microseconds>(wait), t);
    }
    if (ready_.empty()) return false;
    if (c_.options().retry.adaptive) {
      // The adaptive mode's rate limiter: without a send token now, the attempt waits until there will be one.
      if (auto wait = c_.limiter().acquire(now); wait.count() > 0) {
        for (auto t : ready_) {
          release_capacity(t);
          delayed_.emplace_back(now + wait, t);
        }
        ready_.clear();
        return false;
      }
    }
    token = ready_.front();
    ready_.pop_front();
    api_call& call = *calls_[token];
    auto& st = state_[token];
    if (call.attempts == 0) {
      st.started = now;
      if (call.make_body && call.body.empty()) {
        call.body = call.make_body();
        c_.prepare(call);
      }
    }
    ++call.attempts;
    out.url = &c_.url();
    out.body = &call.body;
    if (telemetry_.empty()) {
      out.headers = c_.signed_headers(call.operation, call.body);
    } else {
      auto& t = telemetry_[token];
      if (call.attempts == 1) t.started = std::chrono::system_clock::now();
      auto before = std::chrono::steady_clock::now();
      out.headers = c_.signed_headers(call.operation, call.body);
      attempt_telemetry a;
      a.number = call.attempts;
      a.signing = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - before);
      if (call.attempts > 1)
        a.backoff_before = std::chrono::duration_cast<std::chrono::microseconds>(now - st.last_end);
      t.backoff += a.backoff_before;
      st.attempt_start = now;
      t.attempts.push_back(a);
    }
    out.timeout = c_.options().request_timeout;
    if (auto limit = c_.options().call_timeout; limit.count() > 0) {  // the attempt ends by the call's deadline
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(st.started + limit - now);
      left = std::max(left, std::chrono::milliseconds(1));
      if (out.timeout.count() == 0 || left < out.timeout) out.timeout = left;
    }
    return true;
  }

  std::optional<steady_time> next_due() const override {
    if (!ready_.empty()) return steady_time::min();
    std::optional<steady_time> t;
    for (const auto& [when, idx] : delayed_) {
      if (!t || when < *t) t = when;
    }
    return t;
  }

  void complete(std::size_t token, http_response&& r, steady_time now) override {
    api_call& call = *calls_[token];
    auto& st = state_[token];
    const auto& ro = c_.options().retry;
    st.last_end = now;
    if (call.limit && st.taken > 0) {
      std::optional<consumed_capacity> used;
      if (r.failure == net_failure::none && r.status == 200) used = consumed_in(r.body);
      if (used) {
        call.limit->settle(st.taken, used->total.total, true);
      } else if (r.failure == net_failure::none && r.status == 200) {
        call.limit->settle(st.taken, estimated_units(call, r.body), false);
      } else {
        call.limit->settle(st.taken, 0, false);  // a failed attempt: nothing is known to be consumed
      }
      st.taken = 0;
    }
    if (!telemetry_.empty()) record(token, r, now);
    failure_class fc;
    std::exception_ptr err;
    if (r.failure != net_failure::none) {
      switch (r.failure) {
        case net_failure::truncated: fc = failure_class::transient; break;
        case net_failure::tls:  // a certificate that was not trusted will not be trusted on the next attempt
        case net_failure::other: fc = failure_class::fatal; break;
        default: fc = failure_class::timeout; break;
      }
    } else if (r.status == 200) {
      if (crc_matches(r)) {
        c_.quota().on_success(st.tokens_taken, ro.no_retry_refund);
        if (ro.adaptive) c_.limiter().on_response(now, false);
        call.response = std::move(r.body);
        if (c_.logs(log_level::debug)) {
          c_.log(log_level::debug,
                 log_subject(call) + ": HTTP 200 in " +
                     std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now - st.started).count()) +
                     " us, " + std::to_string(call.attempts) + (call.attempts == 1 ? " attempt" : " attempts") +
                     (r.request_id.empty() ? "" : ", request " + r.request_id));
        }
        finish(token);
        return;
      }
      r.failure = net_failure::truncated;  // reported as corrupted below
      r.failure_message = "x-amz-crc32 mismatch: the answer was corrupted in transit";
      fc = failure_class::transient;
    } else {
      fc = classify(static_cast<int>(r.status), error_code(r));
    }
    if (ro.adaptive) c_.limiter().on_response(now, r.failure == net_failure::none && fc == failure_class::throttle);

    const bool logs = c_.logs(log_level::warning);
    if (fc != failure_class::fatal && call.attempts < ro.max_attempts) {
      int cost = retry_cost(ro, fc);
      auto delay = backoff(ro, call.attempts, fc == failure_class::throttle, c_.random01(), r.retry_after);
      auto limit = c_.options().call_timeout;
      bool in_time = limit.count() == 0 || now + delay < st.started + limit;
      if (in_time && c_.quota().acquire(cost)) {
        st.tokens_taken += cost;
        delayed_.emplace_back(now + delay, token);
        if (logs) {
          c_.log(log_level::warning,
                 log_subject(call) + ": attempt " + std::to_string(call.attempts) + " of " +
                     std::to_string(ro.max_attempts) + " failed (" + log_outcome(r, error_code(r)) + "); retrying in " +
                     std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()) + " ms");
        }
        return;
      }
      if (logs && in_time) {
        c_.log(log_level::warning, log_subject(call) + ": not retried: the client's retry quota is spent");
      }
    }
    if (r.failure == net_failure::none) call.error_body = r.body;
    call.error = to_exception(r, call.attempts, fc != failure_class::fatal, c_.endpoint());
    if (c_.logs(log_level::error)) {
      c_.log(log_level::error, log_subject(call) + ": failed after " + std::to_string(call.attempts) +
                                   (call.attempts == 1 ? " attempt (" : " attempts (") + log_outcome(r, error_code(r)) +
                                   ")");
    }
    finish(token);
  }

  bool done() const override { return remaining_ == 0; }

 private:
  // Gives back the capacity units call `t` took for an attempt that does not go now.
  void release_capacity(std::size_t t) {
    if (state_[t].taken > 0) {
      calls_[t]->limit->settle(state_[t].taken, 0, false);
      state_[t].taken = 0;
    }
  }

  struct call_state {
    double taken = 0;  // capacity units taken from the call's limit for the attempt on the wire
    int tokens_taken = 0;
    steady_time started{};  // when the first attempt started (the call's deadline counts from there)
    steady_time attempt_start{}, last_end{};
  };

  // An attempt's answer, for the telemetry sink.
  void record(std::size_t token, const http_response& r, steady_time now) {
    auto& t = telemetry_[token];
    auto& a = t.attempts.back();
    a.http_status = r.failure == net_failure::none ? r.status : 0;
    a.request_id = r.request_id;
    a.time_to_first_byte = r.time_to_first_byte;
    a.duration = r.duration.count() > 0
                     ? r.duration
                     : std::chrono::duration_cast<std::chrono::microseconds>(now - state_[token].attempt_start);
    if (r.failure != net_failure::none) {
      static constexpr const char* names[] = {"", "connect", "timeout", "reset", "truncated", "tls", "other"};
      a.error = names[static_cast<int>(r.failure)];
    } else if (r.status != 200) {
      a.error = error_code(r);
      if (a.error.empty()) a.error = "HTTP " + std::to_string(r.status);
      if (classify(static_cast<int>(r.status), a.error) == failure_class::throttle) ++t.throttles;
    } else if (!crc_matches(r)) {
      a.error = "corrupted";
    }
    if (!r.request_id.empty()) t.request_id = r.request_id;
    t.error = a.error;
    t.duration = std::chrono::duration_cast<std::chrono::microseconds>(now - state_[token].started);
  }

  static std::string error_code(const http_response& r) {
    try {
      simdjson::dom::parser parser;
      simdjson::dom::object o;
      if (parser.parse(r.body).get_object().get(o) != simdjson::SUCCESS) return {};
      std::string_view type;
      if (o["__type"].get_string().get(type) == simdjson::SUCCESS) return std::string(after_hash(type));
    } catch (const std::exception&) {
    }
    return {};
  }

  static std::exception_ptr to_exception(const http_response& r, int attempts, bool retryable,
                                         const std::string& endpoint) {
    if (r.failure != net_failure::none) {
      std::string msg = "dynantic: " + r.failure_message + " (endpoint " + endpoint + ")";
      switch (r.failure) {
        case net_failure::timeout: return std::make_exception_ptr(request_timeout(msg, attempts));
        case net_failure::connect:
          return std::make_exception_ptr(transport_error(transport_error::kind::connect, msg, attempts));
        case net_failure::reset:
          return std::make_exception_ptr(transport_error(transport_error::kind::reset, msg, attempts));
        case net_failure::truncated:
          return std::make_exception_ptr(transport_error(
              r.status == 200 ? transport_error::kind::corrupted : transport_error::kind::truncated, msg, attempts));
        case net_failure::tls:
          return std::make_exception_ptr(tls_error("dynantic: TLS with " + endpoint + " failed: " + r.failure_message +
                                                       " (trusted CAs: client_options::ca_bundle, AWS_CA_BUNDLE or "
                                                       "the system's store)",
                                                   attempts));
        default: return std::make_exception_ptr(transport_error(transport_error::kind::other, msg, attempts));
      }
    }
    return make_service_error(r, attempts, retryable, endpoint);
  }

  void promote(steady_time now) {
    for (std::size_t i = 0; i < delayed_.size();) {
      if (delayed_[i].first <= now) {
        ready_.push_back(delayed_[i].second);
        delayed_[i] = delayed_.back();
        delayed_.pop_back();
      } else {
        ++i;
      }
    }
  }

  void finish(std::size_t token) {
    --remaining_;
    api_call& call = *calls_[token];
    if (call.recycle_body && !on_end_ && !c_.options().telemetry && !c_.options().item_collection_metrics) {
      recycle_buffer(std::move(call.body));
    }
    if (on_end_) {
      free_.push_back(token);
      on_end_(on_end_ctx_, *calls_[token], telemetry_.empty() ? nullptr : &telemetry_[token]);
    }
  }

  std::vector<call_telemetry> telemetry_;  // empty without a sink

  client_impl& c_;
  std::vector<api_call*> calls_;
  std::vector<call_state> state_;
  std::deque<std::size_t> ready_;
  std::vector<std::pair<steady_time, std::size_t>> delayed_;
  std::vector<std::size_t> free_;  // tokens of ended calls, for add()
  std::size_t remaining_ = 0;
  // Told of each call as it ends (the async engine); the blocking form reads the calls after run().
  on_end_fn on_end_ = nullptr;
  void* on_end_ctx_ = nullptr;
};

std::unique_ptr<call_queue> make_call_queue(client_impl& c, call_queue::on_end_fn on_end, void* ctx) {
  return std::make_unique<executor>(c, on_end, ctx);
}

std::exception_ptr make_service_error(const http_response& r, int attempts, bool retryable,
                                      const std::string& endpoint) {
  service_error::details d;
  d.endpoint = endpoint;
  d.http_status = static_cast<int>(r.status);
  d.request_id = r.request_id;
  d.retryable = retryable;
  d.attempts = attempts;
  std::vector<cancellation_reason> reasons;
  try {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.parse(r.body).get(doc)) throw decode_error(simdjson::error_message(err));
    simdjson::dom::object o;
    if (doc.get_object().get(o) == simdjson::SUCCESS) {
      std::string_view s;
      if (o["__type"].get_string().get(s) == simdjson::SUCCESS) d.code = std::string(after_hash(s));
      if (o["message"].get_string().get(s) == simdjson::SUCCESS ||
          o["Message"].get_string().get(s) == simdjson::SUCCESS) {
        d.message = std::string(s);
      }
      simdjson::dom::array reasons_json;
      if (o["CancellationReasons"].get_array().get(reasons_json) == simdjson::SUCCESS) {
        std::size_t i = 0;
        for (auto re : reasons_json) {
          cancellation_reason cr;
          cr.index = i++;
          simdjson::dom::object ro;
          if (re.get_object().get(ro) == simdjson::SUCCESS) {
            if (ro["Code"].get_string().get(s) == simdjson::SUCCESS) cr.code = std::string(s);
            if (ro["Message"].get_string().get(s) == simdjson::SUCCESS) cr.message = std::string(s);
          }
          reasons.push_back(std::move(cr));
        }
      }
    }
  } catch (const std::exception&) {
    // Not JSON (e.g. a proxy's HTML error page): keep the status, show the start of the body.
    d.message = r.body.substr(0, 200);
  }
  if (d.code.empty() && d.message.empty()) d.message = r.body.substr(0, 200);
  if (d.code.empty()) {  // no DynamoDB error type: something else answered (a proxy, a web server, a wrong port)
    return std::make_exception_ptr(
        service_error(std::move(d), "not a DynamoDB endpoint (an error answer without DynamoDB's error type)"));
  }

  const std::string& c = d.code;
  if (c == "ConditionalCheckFailedException") {
    return std::make_exception_ptr(conditional_check_failed(std::move(d), std::nullopt));
  }
  if (c == "TransactionCanceledException") {
    return std::make_exception_ptr(transaction_canceled(std::move(d), std::move(reasons)));
  }
  if (c == "ResourceNotFoundException") return std::make_exception_ptr(table_not_found(std::move(d)));
  if (c == "ResourceInUseException") return std::make_exception_ptr(table_in_use(std::move(d)));
  if (is_throttling_code(c)) return std::make_exception_ptr(throttled(std::move(d)));
  if (c == "ItemCollectionSizeLimitExceededException") {
    return std::make_exception_ptr(item_collection_size_limit(std::move(d)));
  }
  if (c == "ValidationException") return std::make_exception_ptr(server_validation_error(std::move(d)));
  if (c == "TransactionConflictException") return std::make_exception_ptr(transaction_conflict(std::move(d)));
  return std::make_exception_ptr(service_error(std::move(d)));
}

std::string client_impl::call(std::string_view operation, std::string body, std::string* error_body,
                              std::shared_ptr<capacity_limit> limit) {
  api_call c{std::string(operation), std::move(body), {}, {}, 0, {}, std::move(limit), 0, {}, false};
  execute({&c, 1}, 1);
  if (c.error) {
    if (error_body) *error_body = std::move(c.error_body);
    std::rethrow_exception(c.error);
  }
  return std::move(c.response);
}

namespace {
bool takes_consumed_capacity(std::string_view op) {
  return op == "GetItem" || op == "PutItem" || op == "UpdateItem" || op == "DeleteItem" || op == "Query" ||
         op == "Scan" || op == "BatchGetItem" || op == "BatchWriteItem" || op == "TransactGetItems" ||
         op == "TransactWriteItems";
}

capacity_units units_of(simdjson::dom::object o) {
  capacity_units u;
  double d;
  if (o["CapacityUnits"].get_double().get(d) == simdjson::SUCCESS) u.total = d;
  if (o["ReadCapacityUnits"].get_double().get(d) == simdjson::SUCCESS) u.read = d;
  if (o["WriteCapacityUnits"].get_double().get(d) == simdjson::SUCCESS) u.write = d;
  return u;
}

// One ConsumedCapacity object: {TableName, CapacityUnits, ..., LocalSecondaryIndexes: {name: {...}}, ...}.
void add_consumed(simdjson::dom::object o, consumed_capacity& out) {
  std::string_view table;
  if (o["TableName"].get_string().get(table) != simdjson::SUCCESS) return;
  capacity_units u = units_of(o);
  out.total += u;
  out.tables[std::string(table)] += u;
  for (const char* kind : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
    simdjson::dom::object indexes;
    if (o[kind].get_object().get(indexes) != simdjson::SUCCESS) continue;
    for (auto [name, v] : indexes) {
      simdjson::dom::object io;
      if (v.get_object().get(io) == simdjson::SUCCESS) {
        out.indexes[std::string(table) + "/" + std::string(name)] += units_of(io);
      }
    }
  }
}

// What an answer reports: ConsumedCapacity is an object (single-table calls) or an array (batches, transactions).
std::optional<consumed_capacity> consumed_in(const std::string& body) {
  if (body.find("\"ConsumedCapacity\"") == std::string::npos) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::object doc;
  if (parser.parse(body).get_object().get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::element cc;
  if (doc["ConsumedCapacity"].get(cc) != simdjson::SUCCESS) return std::nullopt;
  consumed_capacity out;
  simdjson::dom::object one;
  simdjson::dom::array many;
  if (cc.get_object().get(one) == simdjson::SUCCESS) {
    add_consumed(one, out);
  } else if (cc.get_array().get(many) == simdjson::SUCCESS) {
    for (auto x : many) {
      if (x.get_object().get(one) == simdjson::SUCCESS) add_consumed(one, out);
    }
  }
  out.answers = 1;
  return out;
}

bool takes_item_collection_metrics(std::string_view op) {
  return op == "PutItem" || op == "UpdateItem" || op == "DeleteItem" || op == "BatchWriteItem" ||
         op == "TransactWriteItems";
}

void add_collection(simdjson::dom::object m, std::string_view table, std::vector<item_collection_size>& out) {
  simdjson::dom::element key;
  simdjson::dom::array range;
  if (m["ItemCollectionKey"].get(key) != simdjson::SUCCESS) return;
  item_collection_size s;
  s.table = table;
  s.key_json = simdjson::minify(key);
  s.key_digest = "key#" + sha256_hex(s.key_json).substr(0, 12);
  if (m["SizeEstimateRangeGB"].get_array().get(range) == simdjson::SUCCESS) {
    std::size_t i = 0;
    for (auto v : range) {
      double d = 0;
      if (v.get_double().get(d) != simdjson::SUCCESS) continue;
      (i++ == 0 ? s.low_gb : s.high_gb) = d;
    }
  }
  out.push_back(std::move(s));
}

// ItemCollectionMetrics of an answer: one object for PutItem/UpdateItem/DeleteItem (of the request's table), a
// map table -> list for BatchWriteItem and TransactWriteItems.
std::vector<item_collection_size> collections_in(const std::string& request, const std::string& body) {
  std::vector<item_collection_size> out;
  if (body.find("\"ItemCollectionMetrics\"") == std::string::npos) return out;
  simdjson::dom::parser parser;
  simdjson::dom::object doc, metrics;
  if (parser.parse(body).get_object().get(doc) != simdjson::SUCCESS) return out;
  if (doc["ItemCollectionMetrics"].get_object().get(metrics) != simdjson::SUCCESS) return out;
  simdjson::dom::element probe;
  if (metrics["ItemCollectionKey"].get(probe) == simdjson::SUCCESS) {
    simdjson::dom::parser rp;
    std::string_view table;
    simdjson::dom::object ro;
    if (rp.parse(request).get_object().get(ro) == simdjson::SUCCESS &&
        ro["TableName"].get_string().get(table) != simdjson::SUCCESS) {
      table = {};
    }
    add_collection(metrics, table, out);
    return out;
  }
  for (auto [table, list] : metrics) {
    simdjson::dom::array a;
    if (list.get_array().get(a) != simdjson::SUCCESS) continue;
    for (auto e : a) {
      simdjson::dom::object m;
      if (e.get_object().get(m) == simdjson::SUCCESS) add_collection(m, table, out);
    }
  }
  return out;
}

// What a request says of itself, for telemetry: its tables, index, limit, segment, consistency.
void describe_request(const std::string& body, call_telemetry& t) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(body).get_object().get(o) != simdjson::SUCCESS) return;
  std::string_view s;
  std::int64_t n;
  bool b;
  if (o["TableName"].get_string().get(s) == simdjson::SUCCESS) t.table_names.emplace_back(s);
  simdjson::dom::object items;
  if (o["RequestItems"].get_object().get(items) == simdjson::SUCCESS) {
    for (auto [name, v] : items) t.table_names.emplace_back(name);
  }
  simdjson::dom::array actions;
  if (o["TransactItems"].get_array().get(actions) == simdjson::SUCCESS) {
    for (auto a : actions) {
      simdjson::dom::object action;
      if (a.get_object().get(action) != simdjson::SUCCESS) continue;
      for (auto [kind, v] : action) {
        if (v["TableName"].get_string().get(s) == simdjson::SUCCESS &&
            std::find(t.table_names.begin(), t.table_names.end(), s) == t.table_names.end()) {
          t.table_names.emplace_back(s);
        }
      }
    }
  }
  if (o["IndexName"].get_string().get(s) == simdjson::SUCCESS) t.index_name = s;
  if (o["Limit"].get_int64().get(n) == simdjson::SUCCESS) t.limit = n;
  if (o["Segment"].get_int64().get(n) == simdjson::SUCCESS) t.segment = n;
  if (o["TotalSegments"].get_int64().get(n) == simdjson::SUCCESS) t.total_segments = n;
  if (o["ConsistentRead"].get_bool().get(b) == simdjson::SUCCESS) t.consistent_read = b;
}

// What an answer says for telemetry: Count and ScannedCount of a Query or Scan.
void describe_answer(const std::string& body, call_telemetry& t) {
  if (t.operation != "Query" && t.operation != "Scan") return;
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  std::int64_t n;
  if (parser.parse(body).get_object().get(o) != simdjson::SUCCESS) return;
  if (o["Count"].get_int64().get(n) == simdjson::SUCCESS) t.count = n;
  if (o["ScannedCount"].get_int64().get(n) == simdjson::SUCCESS) t.scanned_count = n;
}

// The meters alive on this thread (its own and those carried to it), innermost last.
thread_local std::vector<std::shared_ptr<meter_sums>> active_meters;

void add_to(meter_sums& m, const consumed_capacity& c) {
  std::lock_guard lock(m.mu);
  m.sum += c;
}
void add_to(meter_sums& m, const item_collection_size& s) {
  std::lock_guard lock(m.mu);
  m.collections[{s.table, s.key_json}] = s;
}
}  // namespace

std::vector<std::shared_ptr<meter_sums>> meters_of_this_thread() { return active_meters; }

carried_meters::carried_meters(const std::vector<std::shared_ptr<meter_sums>>& meters) : count_(meters.size()) {
  active_meters.insert(active_meters.end(), meters.begin(), meters.end());
}
carried_meters::~carried_meters() { active_meters.resize(active_meters.size() - count_); }

void client_impl::prepare(api_call& c) const {
  if (options_.item_collection_metrics && takes_item_collection_metrics(c.operation) && c.body.size() >= 2 &&
      c.body[0] == '{') {
    c.body.insert(1, std::string("\"ReturnItemCollectionMetrics\":\"SIZE\"") + (c.body[1] == '}' ? "" : ","));
  }
  auto detail = options_.consumed_capacity;
  if (detail == capacity_detail::none && c.limit) detail = capacity_detail::total;  // the limit reads what it cost
  if (detail == capacity_detail::none) return;
  if (!takes_consumed_capacity(c.operation) || c.body.size() < 2 || c.body[0] != '{') return;
  const char* member = detail == capacity_detail::total ? "\"ReturnConsumedCapacity\":\"TOTAL\""
                                                        : "\"ReturnConsumedCapacity\":\"INDEXES\"";
  c.body.insert(1, std::string(member) + (c.body[1] == '}' ? "" : ","));
}

void client_impl::account(const api_call& c, call_telemetry* t) {
  const auto detail = options_.consumed_capacity;
  std::optional<consumed_capacity> used;
  if (detail != capacity_detail::none && !c.error) used = consumed_in(c.response);
  if (used) {
    {
      std::lock_guard lock(capacity_mu_);
      capacity_ += *used;
    }
    for (const auto& m : active_meters) add_to(*m, *used);
  }
  std::vector<item_collection_size> collections;
  if (options_.item_collection_metrics && !c.error) {
    collections = collections_in(c.body, c.response);
    for (const auto& s : collections) {
      for (const auto& m : active_meters) add_to(*m, s);
    }
  }
  if (t && options_.telemetry) {
    t->operation = c.operation;
    t->region = options_.region;
    t->endpoint = options_.endpoint;
    t->consumed = std::move(used);
    t->item_collections = std::move(collections);
    for (auto& s : t->item_collections) s.key_json.clear();
    describe_request(c.body, *t);
    if (!c.error) describe_answer(c.response, *t);
    options_.telemetry->call_finished(*t);
  }
}

void client_impl::execute(std::span<api_call> calls, std::size_t max_in_flight) {
  if (calls.empty()) return;
  for (auto& c : calls) prepare(c);
  executor ex(*this, calls);
  transport_->run(ex, max_in_flight);
  if (options_.consumed_capacity == capacity_detail::none && !options_.telemetry && !options_.item_collection_metrics) {
    return;
  }
  for (std::size_t i = 0; i < calls.size(); ++i) account(calls[i], options_.telemetry ? &ex.telemetry(i) : nullptr);
}

}  // namespace dynantic::detail

namespace dynantic {

consumed_capacity& consumed_capacity::operator+=(const consumed_capacity& o) {
  total += o.total;
  for (const auto& [k, v] : o.tables) tables[k] += v;
  for (const auto& [k, v] : o.indexes) indexes[k] += v;
  answers += o.answers;
  return *this;
}

namespace {
std::string json_text(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}
std::string units_text(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", d);
  return buf;
}
}  // namespace

std::vector<std::pair<std::string, std::string>> call_telemetry::attributes() const {
  std::vector<std::pair<std::string, std::string>> a{{"db.system.name", "aws.dynamodb"},
                                                     {"rpc.system", "aws-api"},
                                                     {"rpc.service", "DynamoDB"},
                                                     {"rpc.method", operation},
                                                     {"cloud.region", region}};
  auto scheme = endpoint.find("://");
  std::string authority = scheme == std::string::npos ? endpoint : endpoint.substr(scheme + 3);
  authority = authority.substr(0, authority.find('/'));
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    a.emplace_back("server.address", authority.substr(0, colon));
    a.emplace_back("server.port", authority.substr(colon + 1));
  } else {
    a.emplace_back("server.address", authority);
  }
  if (!request_id.empty()) a.emplace_back("aws.request_id", request_id);
  if (!table_names.empty()) {
    std::string list = "[";
    for (const auto& n : table_names) list += (list.size() > 1 ? "," : "") + json_text(n);
    a.emplace_back("aws.dynamodb.table_names", list + "]");
  }
  if (!index_name.empty()) a.emplace_back("aws.dynamodb.index_name", index_name);
  if (limit) a.emplace_back("aws.dynamodb.limit", std::to_string(*limit));
  if (consistent_read) a.emplace_back("aws.dynamodb.consistent_read", *consistent_read ? "true" : "false");
  if (segment) a.emplace_back("aws.dynamodb.segment", std::to_string(*segment));
  if (total_segments) a.emplace_back("aws.dynamodb.total_segments", std::to_string(*total_segments));
  if (count) a.emplace_back("aws.dynamodb.count", std::to_string(*count));
  if (scanned_count) a.emplace_back("aws.dynamodb.scanned_count", std::to_string(*scanned_count));
  if (consumed) {
    std::string list = "[";
    for (const auto& [table, u] : consumed->tables) {
      list += (list.size() > 1 ? "," : "") + std::string("{\"TableName\":") + json_text(table) +
              ",\"CapacityUnits\":" + units_text(u.total) + "}";
    }
    a.emplace_back("aws.dynamodb.consumed_capacity", list + "]");
  }
  if (!item_collections.empty()) {
    std::map<std::string, std::string> per_table;
    for (const auto& s : item_collections) {
      auto& list = per_table[s.table];
      list += (list.empty() ? "" : ",") + std::string("{\"ItemCollectionKey\":") + json_text(s.key_digest) +
              ",\"SizeEstimateRangeGB\":[" + units_text(s.low_gb) + "," + units_text(s.high_gb) + "]}";
    }
    std::string map = "{";
    for (const auto& [table, list] : per_table)
      map += (map.size() > 1 ? "," : "") + json_text(table) + ":[" + list + "]";
    a.emplace_back("aws.dynamodb.item_collection_metrics", map + "}");
  }
  if (!error.empty()) a.emplace_back("error.type", error);
  return a;
}

struct capacity_meter::state {
  std::shared_ptr<detail::meter_sums> sums = std::make_shared<detail::meter_sums>();
};

capacity_meter::capacity_meter() : s_(std::make_unique<state>()) { detail::active_meters.push_back(s_->sums); }
capacity_meter::~capacity_meter() {
  auto& a = detail::active_meters;
  auto mine = std::find(a.rbegin(), a.rend(), s_->sums);
  if (mine != a.rend()) a.erase(std::next(mine).base());
}
consumed_capacity capacity_meter::totals() const {
  std::lock_guard lock(s_->sums->mu);
  return s_->sums->sum;
}
void capacity_meter::add(const consumed_capacity& c) { detail::add_to(*s_->sums, c); }
void capacity_meter::add(const item_collection_size& s) { detail::add_to(*s_->sums, s); }
std::vector<item_collection_size> capacity_meter::item_collections() const {
  std::lock_guard lock(s_->sums->mu);
  std::vector<item_collection_size> out;
  out.reserve(s_->sums->collections.size());
  for (const auto& [k, v] : s_->sums->collections) out.push_back(v);
  return out;
}
std::optional<item_collection_size> capacity_meter::largest_item_collection() const {
  std::lock_guard lock(s_->sums->mu);
  const item_collection_size* best = nullptr;
  for (const auto& [k, v] : s_->sums->collections) {
    if (!best || v.high_gb > best->high_gb || (v.high_gb == best->high_gb && v.low_gb > best->low_gb)) best = &v;
  }
  if (!best) return std::nullopt;
  return *best;
}

}  // namespace dynantic
