#pragma once
/// @file batch.hpp
/// The batch engine: BatchWriteItem / BatchGetItem for any number of requests, chunked by DynamoDB's limits
/// (25 writes / 100 keys / 16 MB per request, 400 KB per item), sent concurrently, with UnprocessedItems /
/// UnprocessedKeys retried with capped exponential backoff and full jitter. Nothing is lost silently: when
/// retries run out, the error carries every request that was not applied (and, for gets, what was fetched).

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dynantic/async.hpp>
#include <dynantic/client.hpp>
#include <dynantic/detail/ddb_json.hpp>
#include <dynantic/error.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/ops/operations.hpp>

namespace dynantic {

/// What a batch has done so far, given to batch_options::progress after every round.
struct batch_progress {
  std::size_t requests_sent = 0;  ///< BatchWriteItem/BatchGetItem calls made so far (retries included)
  std::size_t items_done = 0;     ///< writes applied / keys answered so far
  std::size_t items_total = 0;    ///< after de-duplication
};

/// How batch_save, batch_delete, batch_get and the writers send their requests.
struct batch_options {
  /// Requests on the wire at once (1 = one after another).
  std::size_t max_in_flight = 8;
  /// Rounds for a request's unprocessed part (throttling and 5xx are also retried inside each call by the
  /// client's retry policy).
  int max_attempts = 10;
  /// Backoff before round n for what came back unprocessed: uniform in [0, min(max_backoff, base_delay * 2^(n-1))).
  std::chrono::milliseconds base_delay{50};
  /// The cap of that backoff.
  std::chrono::milliseconds max_backoff{5000};
  /// Give up (with the error carrying what is left) after this long; empty: no deadline.
  std::optional<std::chrono::milliseconds> deadline{};
  /// Called after every round of requests.
  std::function<void(const batch_progress&)> progress{};
  /// batch_writer only: send full buffers on a background flush while the caller keeps buffering.
  bool background_flush = true;
  /// A capacity budget every request keeps to (see dynantic::capacity_limit); estimated before an answer tells:
  /// a write 1 unit per KB of item, a read 1 unit per key (half without consistent reads).
  std::shared_ptr<dynantic::capacity_limit> capacity_limit{};
};

namespace detail {

struct write_entry {
  std::string table;
  ops::write_request request;
  /// The table's key attributes, in the order used for key_text (lives as long as the program: a table's
  /// static list).
  const std::vector<std::string>* key_names = nullptr;
  /// Optional fast path: request.data already encoded (and validated) as DynamoDB-JSON; request.data may then
  /// be empty (it is decoded only to report unapplied requests).
  std::string json{};
  /// Optional: table + '\n' + append_key_text of each key attribute in key_names order (else computed).
  std::string key_text{};
};
/// Applies every write (last one wins per key). @return writes applied (after de-duplication).
/// @throws validation_error (oversized item; nothing sent), batch_write_incomplete
std::size_t run_batch_write(const client& c, std::vector<write_entry> entries, const batch_options& o);
/// run_batch_write() on the client's async engine; stopping the task sends nothing more (what was not applied is
/// reported in batch_write_incomplete, with dynantic::cancelled as its cause).
task<std::size_t> async_run_batch_write(client c, std::vector<write_entry> entries, batch_options o);

/// One put for the batch engine: `model` prepared as save() prepares it (auto-UUIDs, version), encoded straight
/// to DynamoDB-JSON with its key text. @throws validation_error (the item's problems; over 400 KB)
write_entry put_entry(const model_desc& d, const std::string& table, const std::vector<std::string>* key_names,
                      void* model);
/// put_entry() of `count` models, `stride` bytes apart from `first` (a vector's elements); every item's
/// problems are collected as `[i].path`. @throws validation_error (nothing sent)
std::vector<write_entry> put_entries(const model_desc& d, const std::string& table,
                                     const std::vector<std::string>* key_names, void* first, std::size_t count,
                                     std::size_t stride);
/// One delete of `key` for the batch engine.
write_entry delete_entry(const std::string& table, const std::vector<std::string>* key_names, item key);

/// What the writers' default failure handlers print for a request: its table, its kind and a digest of its key
/// (`key#` + 16 hex digits of SHA-256): key values are never written to logs in clear.
std::string describe_unapplied(const std::string& table, const ops::write_request& r,
                               const std::vector<std::string>* key_names);

/// The writers' default failure handler: what() and describe_unapplied() of each request, to stderr.
void print_unapplied(const batch_write_incomplete& e, const std::vector<std::string>* key_names);

/// The buffer behind batch_writer and multi_writer. With background flushes, a pump thread sends what is
/// buffered through the client's retry policy: calls join as others end (whole requests of 25 as they fill, and
/// the due retries of unprocessed items), so no request's backoff holds up the rest. A key has one request on its
/// way at a time (a later one waits), so requests for a key land in order. add() waits while 50 x max_in_flight
/// requests are buffered; the pump holds at most 500 x max_in_flight requests and 64 MB of items. Failures
/// come back from the next add()/flush().
class write_buffer {
 public:
  write_buffer(client c, batch_options o);
  write_buffer(write_buffer&&) noexcept;
  write_buffer& operator=(write_buffer&&) = delete;
  /// Stops the pump after the requests it holds have ended (their failures, if any, are lost: call finish()
  /// first).
  ~write_buffer();
  /// Buffers one request (a delete's key is checked and encoded here); waits while 50 x max_in_flight requests
  /// are buffered. @throws validation_error (a delete's key; nothing buffered), batch_write_incomplete of requests
  /// sent earlier (this one is then not buffered)
  void add(write_entry e);
  /// Sends everything buffered and waits until every request sent has ended. @throws batch_write_incomplete
  /// with every request not applied since the last failure was thrown (the buffer is empty afterwards)
  void flush();
  /// Requests buffered and not yet taken by the engine.
  std::size_t pending() const;
  /// For destructors: unless `abandon` (an exception is in flight), sends what is buffered; waits for every
  /// request sent to end; each failure, and with `abandon` the buffered requests, go to `report`. Never throws.
  void finish(bool abandon, const std::function<void(const batch_write_incomplete&)>& report) noexcept;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

/// The keys of one batch get from one table: each key as DynamoDB-JSON and as its key text (append_key_text of
/// each key attribute in key_names order), one after another in two strings (two allocations for all the keys,
/// not two per key).
struct get_keys {
  std::string table;
  const std::vector<std::string>* key_names = nullptr;  ///< the table's key attributes (a static list)
  std::string json;                                     ///< every key's JSON
  std::string text;                                     ///< every key's text
  std::vector<std::size_t> json_end, text_end;          ///< where key i's JSON and text end

  std::size_t size() const { return json_end.size(); }
  std::string_view json_of(std::size_t i) const { return slice(json, json_end, i); }
  std::string_view text_of(std::size_t i) const { return slice(text, text_end, i); }

 private:
  static std::string_view slice(const std::string& s, const std::vector<std::size_t>& end, std::size_t i) {
    std::size_t begin = i == 0 ? 0 : end[i - 1];
    return std::string_view(s).substr(begin, end[i] - begin);
  }
};
/// The get_keys of `count` typed keys: partition key parts `stride` bytes apart from `first_pk`, sort key parts
/// likewise from `first_sk` (nullptr without a sort key). @throws validation_error (a key DynamoDB would refuse)
get_keys get_entries(const model_desc& d, const std::string& table, const std::vector<std::string>* key_names,
                     const void* first_pk, const void* first_sk, std::size_t count, std::size_t stride);
/// Fetches every key once and calls on_item(u, item) for each item fetched, u being the index of the first
/// key that asked for it; `item` is valid during the call only. The callback may throw (the batch stops).
/// @return for each key, the index of the first key equal to it.
/// @throws batch_get_incomplete (with the items fetched so far, also those already handed to on_item)
std::vector<std::size_t> run_batch_get_visit(const client& c, const get_keys& keys, bool consistent,
                                             const batch_options& o,
                                             const std::function<void(std::size_t, const ddb_value&)>& on_item);
/// run_batch_get_visit() on the client's async engine.
task<std::vector<std::size_t>> async_run_batch_get_visit(client c, get_keys keys, bool consistent, batch_options o,
                                                         std::function<void(std::size_t, const ddb_value&)> on_item);
}  // namespace detail
}  // namespace dynantic
