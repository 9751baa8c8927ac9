#pragma once
/// @file client.hpp
/// dynantic::client: the connection to DynamoDB (endpoint, region, credentials, HTTP pool, retry policy).
/// Cheap to copy (copies share one pool); safe to use from several threads at once.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynantic {

/// AWS credentials. `session_token` is empty for long-term keys.
struct credentials {
  std::string access_key_id{};      ///< AWS_ACCESS_KEY_ID: "AKIA..." or "ASIA..." for temporary keys
  std::string secret_access_key{};  ///< AWS_SECRET_ACCESS_KEY
  std::string session_token{};      ///< AWS_SESSION_TOKEN of temporary credentials; empty for long-term keys
  /// When temporary credentials stop working (nothing for long-term keys).
  std::optional<std::chrono::system_clock::time_point> expiration{};
};

/// Where credentials come from. A provider may refresh what it returns; the client asks before signing every
/// attempt, from any thread.
class credentials_provider {
 public:
  virtual ~credentials_provider() = default;
  /// @throws credentials_error when none can be had.
  virtual credentials get() = 0;
};

/// Fixed credentials.
std::shared_ptr<credentials_provider> static_credentials(credentials c);
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, read once when created.
/// Asking it for credentials throws credentials_error when the variables were not set.
std::shared_ptr<credentials_provider> environment_credentials();
/// The AWS SDKs' default chain, what a client uses without explicit credentials. The first source that applies
/// is used from then on:
///  1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
///  2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (AWS_ROLE_SESSION_NAME), STS
///     AssumeRoleWithWebIdentity (EKS IRSA);
///  3. the profile AWS_PROFILE (else "default") of AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and
///     AWS_CONFIG_FILE (~/.aws/config): static keys, `credential_process`, or `role_arn` with `source_profile`,
///     `credential_source` or `web_identity_token_file` through STS AssumeRole;
///  4. the container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with the token of
///     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read at each fetch) or AWS_CONTAINER_AUTHORIZATION_TOKEN (ECS,
///     EKS Pod Identity);
///  5. EC2 instance metadata, IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT; AWS_EC2_METADATA_DISABLED=true skips it).
/// Nothing is read or fetched until the first request is signed. Temporary credentials are refreshed before they
/// expire: 15 minutes before, one caller refreshes while the others keep signing with the current ones; 10
/// minutes before, callers wait for the refresh; never two refreshes at once. STS is reached at
/// AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else https://sts.REGION.amazonaws.com.
/// @throws credentials_error (from get()) naming every source tried and why it did not apply, or the error of
///         the source that applies but failed.
std::shared_ptr<credentials_provider> default_credentials();
/// The credentials of one profile of the shared files, resolved as step 3 of default_credentials() does.
std::shared_ptr<credentials_provider> profile_credentials(std::string profile);

/// How much ReturnConsumedCapacity asks for: nothing, the total per table, or also per index.
enum class capacity_detail { none, total, indexes };

/// Capacity units DynamoDB reports as consumed: all of them, and the read and write units where it tells them
/// apart (it does for transactions and, with `indexes`, per table and index).
struct capacity_units {
  double total = 0;  ///< CapacityUnits
  double read = 0;   ///< ReadCapacityUnits, where DynamoDB tells them apart
  double write = 0;  ///< WriteCapacityUnits, where DynamoDB tells them apart
  /// Adds `o`'s units.
  capacity_units& operator+=(const capacity_units& o) {
    total += o.total;
    read += o.read;
    write += o.write;
    return *this;
  }
};

/// Consumed capacity summed over answers (every page of a query, every chunk of a batch, every action of a
/// transaction): in all, per table, and per index ("table/index", with capacity_detail::indexes).
struct consumed_capacity {
  capacity_units total{};                           ///< over every table and index
  std::map<std::string, capacity_units> tables{};   ///< table name -> units (indexes included)
  std::map<std::string, capacity_units> indexes{};  ///< "table/index" -> units (capacity_detail::indexes)
  std::uint64_t answers = 0;                        ///< answers that reported capacity
  /// Adds `o`'s sums.
  consumed_capacity& operator+=(const consumed_capacity& o);
};

/// DynamoDB's estimate of the size of one item collection: the items that share a partition key in a table with
/// local secondary indexes, which may not grow past 10 GB. Write calls report it (ItemCollectionMetrics) when
/// the client asks (client_options::item_collection_metrics) and the item's table has a local secondary index.
struct item_collection_size {
  std::string table{};  ///< the table written to
  /// The partition key as DynamoDB-JSON ({"pk":{"S":"a"}}); empty in telemetry, which shows only the digest.
  std::string key_json{};
  /// "key#" and 12 hex digits of the SHA-256 of key_json, as log lines name keys.
  std::string key_digest{};
  double low_gb = 0;   ///< SizeEstimateRangeGB's lower bound
  double high_gb = 0;  ///< SizeEstimateRangeGB's upper bound: the size lies in [low_gb, high_gb]
};

/// Sums what the calls this thread makes consume while the meter lives (nested meters each see them all), when
/// the client asks for capacity (client_options::consumed_capacity). Work the library hands to its own threads
/// counts where it was started: the workers of a parallel scan in the meters alive on the thread that runs the
/// scan, a batch writer's background flushes in the meters alive on the thread that made the writer. Async calls
/// count on the thread that drives them.
/// @code
///   dy::capacity_meter meter;
///   users.batch_save(items);
///   std::printf("%.1f WCU\n", meter.totals().total.total);
/// @endcode
class capacity_meter {
 public:
  capacity_meter();
  ~capacity_meter();
  capacity_meter(const capacity_meter&) = delete;
  capacity_meter& operator=(const capacity_meter&) = delete;
  /// What the calls consumed so far.
  consumed_capacity totals() const;
  /// The item collections the calls wrote to (with client_options::item_collection_metrics), each with the
  /// latest estimate, ordered by table and key; largest_item_collection() is the one nearest the 10 GB limit.
  std::vector<item_collection_size> item_collections() const;
  /// The collection with the highest estimate; nothing when no write reported one.
  std::optional<item_collection_size> largest_item_collection() const;
  /// Adds what one answer reported (the library calls it).
  void add(const consumed_capacity& c);
  /// Records one item collection's estimate, replacing an earlier one (the library calls it).
  void add(const item_collection_size& s);

 private:
  struct state;
  std::unique_ptr<state> s_;
};

/// How much a log_sink hears: debug (every call), info, warning (every retry), error (every call that failed for
/// good), off.
enum class log_level { debug, info, warning, error, off };

/// Receives the client's log lines (client_options::log). Lines never hold credentials, signatures, request or
/// answer bodies, or item values: a key appears as a digest ("key#" and 12 hex digits of the SHA-256 of the key
/// as sent), the same for the same key, so that lines about one item can be matched without showing it.
class log_sink {
 public:
  virtual ~log_sink() = default;
  /// Called on the thread that made the call (the driving thread for async calls). Must not throw.
  virtual void log(log_level level, std::string_view line) noexcept = 0;
};
/// A sink that writes each line to stderr as "dynantic <LEVEL> <line>".
std::shared_ptr<log_sink> stderr_log();

/// Keeps the calls that share it to `units_per_second` capacity units on average: a token bucket that each
/// answer feeds with what DynamoDB reports it consumed (the calls ask for it), or with an estimate from the sizes
/// of the request (writes: 1 unit per KB) or the answer (reads: 1 unit per 4 KB, half for eventually consistent
/// reads) when it reports nothing. A request leaves when the bucket is not in debt; what it costs beyond its
/// estimate puts the bucket in debt and delays the next one. Give the same limit to the segments of a parallel
/// scan (they share one budget), to a batch (batch_options::capacity_limit), to a query or scan
/// (.capacity_limit(l)) or to the low-level requests (ops::query_request::capacity_limit, ...). Thread-safe.
/// @code
///   auto budget = std::make_shared<dy::capacity_limit>(50.0);  // 50 read units per second
///   for (auto& r : readings.scan().capacity_limit(budget)) ...
/// @endcode
class capacity_limit {
 public:
  /// @param units_per_second  the average rate to keep to
  /// @param burst  units that may go at once after a quiet time; 0: one second's worth
  explicit capacity_limit(double units_per_second, double burst = 0);
  ~capacity_limit();
  capacity_limit(const capacity_limit&) = delete;
  capacity_limit& operator=(const capacity_limit&) = delete;
  /// The rate given to the constructor.
  double units_per_second() const noexcept { return rate_; }
  /// Units charged so far: what answers reported, or the estimates of those that reported nothing.
  double consumed() const;
  /// Answers that reported their consumed capacity / that did not (an estimate was charged).
  std::uint64_t reported() const;
  /// Answers that reported nothing, so that an estimate was charged.
  std::uint64_t estimated() const;

  // For the client: take() before sending, settle() with the answer.
  /// What a request of unknown cost is expected to take: the mean of what answers reported so far (1 before).
  double expected() const;
  /// Takes `estimate` units at `now`. @return zero when the request may go (the units are taken), else how long
  /// to wait before asking again (nothing is taken).
  std::chrono::nanoseconds take(double estimate, std::chrono::steady_clock::time_point now);
  /// Replaces a taken estimate with what the request cost (`actual`); `reported`: DynamoDB said so.
  void settle(double estimate, double actual, bool reported);

 private:
  struct state;
  double rate_;
  std::unique_ptr<state> s_;
};

/// One attempt of a call, as telemetry_sink sees it.
struct attempt_telemetry {
  int number = 0;                                  ///< 1 for the first attempt
  long http_status = 0;                            ///< 0 when no answer came
  std::string error{};                             ///< the AWS error code, or the network failure; empty on success
  std::string request_id{};                        ///< x-amzn-RequestId
  std::chrono::microseconds backoff_before{};      ///< the wait before this attempt (the retry policy's, the limiter's)
  std::chrono::microseconds signing{};             ///< signing the request
  std::chrono::microseconds time_to_first_byte{};  ///< from sending the request to the first byte of the answer
  std::chrono::microseconds duration{};            ///< connect (when needed) to the last byte of the answer
};

/// One DynamoDB call with its attempts, named after OpenTelemetry's semantic conventions for DynamoDB (see
/// attributes()). Only what the request and the answer carry is filled in.
struct call_telemetry {
  std::string operation{};                       ///< rpc.method: "GetItem"
  std::string region{};                          ///< cloud.region
  std::string endpoint{};                        ///< the endpoint URL: server.address and server.port
  std::vector<std::string> table_names{};        ///< aws.dynamodb.table_names
  std::string index_name{};                      ///< aws.dynamodb.index_name
  std::optional<std::int64_t> limit{};           ///< aws.dynamodb.limit: the request's Limit
  std::optional<std::int64_t> segment{};         ///< aws.dynamodb.segment of a parallel scan
  std::optional<std::int64_t> total_segments{};  ///< aws.dynamodb.total_segments of a parallel scan
  std::optional<bool> consistent_read{};         ///< aws.dynamodb.consistent_read
  std::optional<std::int64_t> count{};           ///< aws.dynamodb.count: Count of a Query or Scan answer
  std::optional<std::int64_t> scanned_count{};   ///< aws.dynamodb.scanned_count: ScannedCount of the answer
  std::string request_id{};                      ///< aws.request_id of the last attempt
  std::string error{};                           ///< error.type: the final error's code; empty on success
  int throttles = 0;                             ///< attempts answered with a throttling error
  std::optional<consumed_capacity> consumed{};   ///< with client_options::consumed_capacity
  /// With client_options::item_collection_metrics, what a write reported (keys only as digests).
  std::vector<item_collection_size> item_collections{};
  std::chrono::system_clock::time_point started{};  ///< when the first attempt started
  std::chrono::microseconds duration{};             ///< first attempt's start to the call's end, backoff included
  std::chrono::microseconds backoff{};              ///< waiting between attempts
  std::vector<attempt_telemetry> attempts{};        ///< every attempt, in order
  /// The attributes under OpenTelemetry's names (db.system.name = "aws.dynamodb", rpc.system = "aws-api",
  /// rpc.service = "DynamoDB", rpc.method, aws.request_id, cloud.region, server.address, server.port,
  /// aws.dynamodb.table_names, aws.dynamodb.index_name, aws.dynamodb.limit, aws.dynamodb.consistent_read,
  /// aws.dynamodb.segment, aws.dynamodb.total_segments, aws.dynamodb.count, aws.dynamodb.scanned_count,
  /// aws.dynamodb.consumed_capacity, aws.dynamodb.item_collection_metrics, error.type), values as text, lists as JSON
  /// arrays. No key, item or credential ever appears.
  std::vector<std::pair<std::string, std::string>> attributes() const;
};

/// Receives a call_telemetry for every call of a client (client_options::telemetry): implement it to export
/// spans or metrics (OpenTelemetry, Prometheus, logs) without the library depending on any of them.
class telemetry_sink {
 public:
  virtual ~telemetry_sink() = default;
  /// Called once per call when it ends (success or final error), on the thread that made it. Must not throw.
  virtual void call_finished(const call_telemetry& t) noexcept = 0;
};

/// Retries in the AWS SDKs' standard mode with the 2026 defaults for DynamoDB (botocore's AWS_NEW_RETRIES_2026):
/// 4 attempts, backoff with full jitter from 25 ms (1 s for throttling) capped at 20 s, the server's
/// x-amz-retry-after honoured, and a retry quota (token bucket) shared by every call of a client, so that an
/// outage does not turn into a retry storm: a retry costs 14 tokens (5 after throttling) of 500.
/// retry_options::legacy_standard() gives the standard mode as it was before.
struct retry_options {
  /// Attempts per call, the first one included (1 = no retries). 0: AWS_MAX_ATTEMPTS, else `max_attempts` of
  /// the profile (AWS_PROFILE, else "default") in AWS_CONFIG_FILE (~/.aws/config), else 4.
  int max_attempts = 0;
  /// Backoff before retry n (n = 1, 2, ...) is uniform in [0, min(max_backoff, base * 2^(n-1))).
  std::chrono::milliseconds base_delay{25};
  /// Base for throttling errors, which need more room than transient faults.
  std::chrono::milliseconds throttle_base_delay{1000};
  /// The cap of every backoff.
  std::chrono::milliseconds max_backoff{20'000};
  /// With an x-amz-retry-after header (milliseconds) on the answer, the delay is that value kept within
  /// [backoff, backoff + 5 s].
  bool honor_retry_after = true;
  /// Token bucket: a retry costs retry_cost (throttle_cost after throttling, timeout_cost after a timeout or a
  /// reset connection); a success returns what its retries took, or no_retry_refund tokens when it needed none.
  int quota_capacity = 500;
  int retry_cost = 14;               ///< tokens a retry after a transient error takes
  int throttle_cost = 5;             ///< tokens a retry after throttling takes
  int timeout_cost = 14;             ///< tokens a retry after a timeout or a reset connection takes
  int no_retry_refund = 1;           ///< tokens a success without retries gives back
  std::function<double()> random{};  ///< uniform random numbers in [0, 1) for the jitter; empty: per-thread
  /// Adaptive mode (botocore's retry_mode = "adaptive"): on top of the above, a client-side rate limiter shared
  /// by every call of the client. It stays off until DynamoDB first throttles; from then on attempts leave at
  /// most at a rate that CUBIC congestion control sets from the answers: cut to 0.7 × the measured send rate on
  /// each throttling answer, grown back along a cubic curve after it, never above twice the measured rate. An
  /// attempt waits (without blocking a thread) until the limiter lets it go. For one process that owns a
  /// table's capacity; with many writers a throttled client slows down where the others may not.
  bool adaptive = false;
  /// Whether AWS_RETRY_MODE (else `retry_mode` of the profile) may turn the adaptive mode on: "adaptive" does,
  /// "standard" and "legacy" (served by the standard mode) do not, anything else is an error when the client
  /// is made. `adaptive = true` in code wins; set this false to keep the environment out.
  bool mode_from_environment = true;

  /// The standard mode with the adaptive rate limiter.
  static retry_options adaptive_mode() {
    retry_options o;
    o.adaptive = true;
    return o;
  }
  /// The standard mode before the 2026 update: 3 attempts, 1 s base for every error, retries cost 5 tokens
  /// (10 after a timeout), x-amz-retry-after ignored.
  static retry_options legacy_standard() {
    retry_options o;
    o.max_attempts = 3;
    o.base_delay = std::chrono::milliseconds(1000);
    o.throttle_base_delay = std::chrono::milliseconds(1000);
    o.honor_retry_after = false;
    o.retry_cost = 5;
    o.throttle_cost = 5;
    o.timeout_cost = 10;
    return o;
  }
};

/// The API a client calls (client_options::api).
enum class api { dynamodb, streams };

/// Everything a client needs; every field has a working default.
struct client_options {
  /// AWS region. Empty: AWS_REGION, then AWS_DEFAULT_REGION, then `region` of the profile (AWS_PROFILE, else
  /// "default") in AWS_CONFIG_FILE (~/.aws/config); with none, "us-east-1" when an endpoint is given (DynamoDB
  /// Local), else the constructor throws dynantic::error. Never asks instance metadata.
  std::string region{};
  /// Endpoint URL like "http://127.0.0.1:8000". Empty: AWS_ENDPOINT_URL_DYNAMODB, then
  /// AWS_ENDPOINT_URL, then https://dynamodb.REGION.amazonaws.com (for api::streams:
  /// AWS_ENDPOINT_URL_DYNAMODB_STREAMS, then AWS_ENDPOINT_URL, then https://streams.dynamodb.REGION.amazonaws.com).
  std::string endpoint{};
  /// Which API the client calls: DynamoDB, or DynamoDB Streams (DescribeStream, GetShardIterator, GetRecords;
  /// see stream.hpp). DynamoDB Local serves both at one endpoint.
  dynantic::api api = dynantic::api::dynamodb;
  /// Explicit credentials; when empty, `credentials_source` (default: default_credentials()) is used.
  std::optional<dynantic::credentials> credentials{};
  /// Where credentials come from when `credentials` is empty; empty: default_credentials().
  std::shared_ptr<credentials_provider> credentials_source{};
  /// TCP + TLS connect timeout.
  std::chrono::milliseconds connect_timeout{3'000};
  /// An attempt fails (request_timeout, retried by the policy) when no byte of it moves for this long: a stalled
  /// connection, not a long answer. Checked about once a second; zero: no such limit.
  std::chrono::milliseconds read_timeout{30'000};
  /// Limit of one attempt, from connect to the last byte of the answer; zero: none (read_timeout still applies).
  std::chrono::milliseconds request_timeout{0};
  /// Limit of a whole call, its retries and their backoff included; zero: none. When it would pass, no further
  /// attempt starts and the call fails with its last error; a running attempt is cut at the deadline.
  std::chrono::milliseconds call_timeout{0};
  /// Verify the server's TLS certificate and host name. Leave it on outside tests.
  bool verify_tls = true;
  /// A PEM file of the certificate authorities to trust instead of the system's (a corporate TLS-inspecting
  /// proxy, a private endpoint). Empty: AWS_CA_BUNDLE, else the system's store. A file that cannot be read
  /// makes the constructor throw dynantic::error. Proxies come from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (as
  /// curl reads them).
  std::string ca_bundle{};
  retry_options retry{};  ///< the retry policy (see retry_options)
  /// ReturnConsumedCapacity on every call that takes it (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan,
  /// BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems); what the answers report is summed in
  /// client::consumed_capacity() and in the capacity_meter objects alive on the calling thread. Asking costs
  /// DynamoDB nothing; reading it costs the client one more parse of each answer.
  capacity_detail consumed_capacity = capacity_detail::none;
  /// ReturnItemCollectionMetrics=SIZE on PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems:
  /// for items of tables with a local secondary index, DynamoDB estimates the size of the item collection
  /// written to. Seen in ops::write_result and the other write results, capacity_meter::item_collections() and
  /// telemetry. (DynamoDB Local accepts the parameter but reports nothing.)
  bool item_collection_metrics = false;
  /// Told of every call when it ends (see telemetry_sink); nothing is measured or parsed for it when empty.
  std::shared_ptr<telemetry_sink> telemetry{};
  /// Log lines (see log_sink) at `log_level` and above; nothing is formatted when empty.
  std::shared_ptr<log_sink> log{};
  dynantic::log_level log_level = dynantic::log_level::warning;  ///< the lowest level `log` hears
  /// Async calls (async.hpp) on the wire at once, each on its own connection; more wait in the engine's queue
  /// (a few hundred bytes each besides their bodies). Mind the process's descriptor limit (ulimit -n).
  std::size_t async_max_in_flight = 256;
  /// Wall clock used for signing (x-amz-date); empty: std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> wall_clock{};
};

namespace detail {
class client_impl;
struct client_access;
}  // namespace detail

/// The handle every operation takes. Copies share the same connection pool and retry quota.
class client {
 public:
  /// Region, endpoint and credentials from the environment.
  client();
  /// @throws dynantic::error when no region can be found, credentials_error for incomplete explicit keys.
  explicit client(client_options options);

  /// The region requests are signed for.
  const std::string& region() const noexcept;
  /// The endpoint URL requests go to.
  const std::string& endpoint() const noexcept;
  /// With retry_options::adaptive: the send rate (attempts per second) the client-side limiter allows now;
  /// nothing while it is off (before DynamoDB first throttled this client, or without the adaptive mode).
  std::optional<double> adaptive_send_rate() const;
  /// What every call of this client (and its copies) consumed since it was made, when it asks for capacity
  /// (client_options::consumed_capacity).
  dynantic::consumed_capacity consumed_capacity() const;

  // ---- driving the async engine (async.hpp). Continuations of async calls run inside these, on the calling
  // thread; one thread drives a client at a time (others wait), and a continuation must not drive its own client.

  /// Does what is ready now (starts queued calls, moves bytes, runs the continuations of calls that ended);
  /// never waits. @return how many calls ended.
  std::size_t poll();
  /// Drives until no async call is pending or `d` passed. @return how many calls ended.
  std::size_t run_for(std::chrono::milliseconds d);
  /// Drives until no async call is pending. @return how many calls ended.
  std::size_t run();
  /// For an application's event loop: a descriptor that is readable when poll() has work (network activity, a
  /// call posted or cancelled from another thread). Watch it for reading, level-triggered.
  int async_fd() const;
  /// For an application's event loop: how soon poll() must run even when async_fd() stays quiet (timers of
  /// libcurl, retry backoff); nothing when no timer runs. Ask again after each poll(), on the driving thread.
  std::optional<std::chrono::milliseconds> async_timeout() const;
  /// Async calls posted and not yet ended.
  std::size_t async_pending() const;
  /// Async calls on the wire now (the rest of the pending ones wait to be sent or for a retry). Ask on the
  /// driving thread.
  std::size_t async_in_flight() const;

 private:
  explicit client(std::shared_ptr<detail::client_impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<detail::client_impl> impl_;
  friend struct detail::client_access;
};

}  // namespace dynantic
