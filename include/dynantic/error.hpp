#pragma once
/// @file error.hpp
/// The typed exceptions of dynantic. Everything thrown by the library derives from dynantic::error.
/// Grouped by what a caller does next: fix the input (validation_error), retry later (throttled,
/// transport_error), handle a business outcome (conditional_check_failed, transaction_canceled),
/// or report (service_error).

#include <any>
#include <exception>
#include <utility>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <dynantic/value/attribute_value.hpp>

namespace dynantic {

class client;

/// Base of every exception thrown by dynantic.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One problem found by validation, with the path of the offending value (`profile.city`, `tags[2]`).
struct validation_issue {
  std::string path{};     ///< empty for the whole value
  std::string message{};  ///< what is wrong, e.g. "more than 38 significant digits"
};

/// Client-side validation failed, or a stored item does not decode into its model. Holds every issue, not
/// only the first. For writes nothing was sent; for reads, table() and key() name the stored item.
class validation_error : public error {
 public:
  /// Every issue found (the library throws it; tests may too).
  explicit validation_error(std::vector<validation_issue> issues);
  /// One issue.
  validation_error(std::string path, std::string message);
  /// The issues of `e`, found in the stored item with `key` in `table` (reads).
  validation_error(const validation_error& e, std::string table, item key);
  /// Every issue, each with the path of the offending value and what is wrong.
  const std::vector<validation_issue>& issues() const noexcept { return issues_; }
  /// Reads: the table of the item that failed to decode; empty for writes and conversions.
  const std::string& table() const noexcept { return table_; }
  /// Reads: the key attributes of the item that failed to decode; empty for writes and conversions.
  const item& key() const noexcept { return key_; }

 private:
  std::vector<validation_issue> issues_;
  std::string table_;
  item key_;
};

/// dy::decimal arithmetic whose exact result DynamoDB cannot store: more than 38 significant digits (it would
/// have to be rounded), a magnitude outside 1E-130 .. 9.99...E+125, a division that does not terminate within
/// 38 digits, or a division by zero. Nothing is rounded silently.
class arithmetic_error : public error {
 public:
  using error::error;
};

/// A document that should be DynamoDB-JSON (or JSON at all) is not: malformed server answers,
/// malformed input handed to the codec.
class decode_error : public error {
 public:
  using error::error;
};

/// Credentials could not be found or are incomplete.
class credentials_error : public error {
 public:
  using error::error;
};

/// The request did not complete at the HTTP level: connection refused or reset, timeout,
/// truncated or corrupted answer (length or x-amz-crc32 mismatch).
class transport_error : public error {
 public:
  /// What went wrong: connecting, a timeout, a reset connection, a truncated or corrupted answer, TLS, other.
  enum class kind { connect, timeout, reset, truncated, corrupted, tls, other };
  /// A failure of kind `k` after `attempts` attempts (made by the client).
  transport_error(kind k, std::string message, int attempts);
  /// What went wrong.
  kind failure() const noexcept { return kind_; }
  /// How many attempts were made before giving up.
  int attempts() const noexcept { return attempts_; }

 private:
  kind kind_;
  int attempts_;
};

/// The request timed out (connect or whole-request timeout).
class request_timeout : public transport_error {
 public:
  /// A timeout after `attempts` attempts (made by the client).
  request_timeout(std::string message, int attempts);
};

/// The TLS handshake failed: the server's certificate is not signed by a trusted authority (see
/// client_options::ca_bundle), does not name the endpoint's host, or TLS could not be negotiated. Not retried.
class tls_error : public transport_error {
 public:
  /// A TLS failure (made by the client).
  tls_error(std::string message, int attempts);
};

/// An async call was stopped through its std::stop_token (see async.hpp) before it ended.
class cancelled : public error {
 public:
  /// A call stopped before (`on_the_wire` false) or after it was sent.
  cancelled(std::string message, bool on_the_wire) : error(std::move(message)), on_the_wire_(on_the_wire) {}
  /// The request had been sent (in whole or in part) when it was dropped: DynamoDB may have applied it.
  bool on_the_wire() const noexcept { return on_the_wire_; }

 private:
  bool on_the_wire_;
};

/// DynamoDB answered with an error. Keeps the AWS error code (`__type` after the '#'), the message,
/// the HTTP status and the request id.
class service_error : public error {
 public:
  /// What DynamoDB's error answer said, and how many attempts led to it.
  struct details {
    std::string code{};        ///< e.g. "ValidationException"
    std::string message{};     ///< DynamoDB's message
    int http_status = 0;       ///< e.g. 400
    std::string request_id{};  ///< x-amzn-RequestId
    bool retryable = false;    ///< whether the retry policy considers it transient
    int attempts = 1;          ///< attempts made before this error was final
    std::string endpoint{};    ///< the endpoint that answered (client_options::endpoint or the region's)
  };
  /// An error answer (made by the client).
  explicit service_error(details d);
  /// With what happened before DynamoDB's words in what(): "table 'users': ResourceNotFoundException: ...".
  service_error(details d, const std::string& context);
  /// The AWS error code, e.g. "ValidationException".
  const std::string& code() const noexcept { return d_.code; }
  /// DynamoDB's message.
  const std::string& aws_message() const noexcept { return d_.message; }
  /// The HTTP status of the answer, e.g. 400.
  int http_status() const noexcept { return d_.http_status; }
  /// The x-amzn-RequestId of the answer (quote it to AWS support).
  const std::string& request_id() const noexcept { return d_.request_id; }
  /// Whether the retry policy treats the error as transient.
  bool retryable() const noexcept { return d_.retryable; }
  /// Attempts made before the error was final.
  int attempts() const noexcept { return d_.attempts; }
  /// The endpoint that answered, e.g. "https://dynamodb.eu-west-1.amazonaws.com" (also in what()).
  const std::string& endpoint() const noexcept { return d_.endpoint; }
  /// All of the above.
  const details& info() const noexcept { return d_; }

 private:
  details d_;
};

/// ResourceNotFoundException: the table (or index) does not exist or is not active.
class table_not_found : public service_error {
 public:
  /// An error answer without the table's name (made by the client).
  explicit table_not_found(details d) : service_error(std::move(d)) {}
  /// Names the table in what() and table().
  table_not_found(details d, std::string table)
      : service_error(std::move(d), "table '" + table + "'"), table_(std::move(table)) {}
  /// The table the request was for (empty when the request named several: batches, transactions).
  const std::string& table() const noexcept { return table_; }

 private:
  std::string table_;
};

/// ResourceInUseException: CreateTable of a table that exists, or a table being created, updated or deleted.
class table_in_use : public service_error {
 public:
  /// Made by the client from the error answer.
  using service_error::service_error;
};

/// ConditionalCheckFailedException. old_item() is the stored item when the request asked for it
/// (ReturnValuesOnConditionCheckFailure = ALL_OLD) and the item existed.
class conditional_check_failed : public service_error {
 public:
  /// A failed condition; `old` is the stored item when the request asked for it (made by the client).
  conditional_check_failed(details d, std::optional<item> old);
  /// The stored item, when the request asked for it (the table API always does) and it existed.
  const std::optional<item>& old_item() const noexcept { return old_; }

 protected:
  /// With what happened before DynamoDB's words in what().
  conditional_check_failed(details d, std::optional<item> old, const std::string& context);

 private:
  std::optional<item> old_;
};

/// update() of a key that has no item: nothing was written. update() changes existing items only (an
/// UpdateItem would otherwise create an item holding only the updated members); upsert() creates.
/// A conditional_check_failed, since DynamoDB reports it as a failed attribute_exists condition.
class item_not_found : public conditional_check_failed {
 public:
  /// The failed existence condition `e` of an update of `key` in `table` (made by the table API).
  item_not_found(const conditional_check_failed& e, std::string table, item key);
  /// The table of the update.
  const std::string& table() const noexcept { return table_; }
  /// The key attributes asked for.
  const item& key() const noexcept { return key_; }

 private:
  std::string table_;
  item key_;
};

/// ProvisionedThroughputExceededException, ThrottlingException, RequestLimitExceeded: retried
/// automatically; thrown when the attempts or the retry quota ran out.
class throttled : public service_error {
 public:
  /// Made by the client from the error answer.
  using service_error::service_error;
};

/// ItemCollectionSizeLimitExceededException (an LSI item collection is over 10 GB).
class item_collection_size_limit : public service_error {
 public:
  /// Made by the client from the error answer.
  using service_error::service_error;
};

/// ValidationException from the server (bad expression, wrong key types, ...).
class server_validation_error : public service_error {
 public:
  /// Made by the client from the error answer.
  using service_error::service_error;
};

/// TransactionConflictException: another transaction or write touched the same item.
class transaction_conflict : public service_error {
 public:
  /// Made by the client from the error answer.
  using service_error::service_error;
};

/// One entry of TransactionCanceledException's CancellationReasons, by action index.
struct cancellation_reason {
  std::size_t index = 0;      ///< index of the action in the request
  std::string code{};         ///< "None", "ConditionalCheckFailed", "TransactionConflict", ...
  std::string message{};      ///< may be empty
  std::optional<item> old{};  ///< the stored item when DynamoDB returned it
};

/// TransactionCanceledException, with the reason of each action.
class transaction_canceled : public service_error {
 public:
  /// A canceled transaction with its reasons (made by the client).
  transaction_canceled(details d, std::vector<cancellation_reason> reasons);
  /// One reason per action, in the order of the actions (code "None" for the actions that were fine).
  const std::vector<cancellation_reason>& reasons() const noexcept { return reasons_; }

  /// The stored item of action `index` decoded into that action's model (M, or the variant for a polymorphic
  /// base), for actions built by a table (tx_put, tx_update, tx_delete, tx_check) when DynamoDB returned the
  /// item and it decodes. nullptr otherwise, also when M is not the action's model.
  template <class M>
  const M* old_model(std::size_t index) const noexcept {
    return index < old_models_.size() ? std::any_cast<M>(&old_models_[index]) : nullptr;
  }

 private:
  template <class... A>
  friend void transact_write(const client& c, const A&... actions);
  std::vector<cancellation_reason> reasons_;
  std::vector<std::any> old_models_;
};

// ---- reads

/// page(cursor) was given a cursor that was tampered with, belongs to another query (or another cursor_key),
/// or is not a cursor at all. Nothing was sent.
class invalid_cursor : public error {
 public:
  using error::error;
};

/// one() found no item or more than one.
class cardinality_error : public error {
 public:
  /// one() found `found` items (made by the query API).
  cardinality_error(std::string message, std::size_t found) : error(std::move(message)), found_(found) {}
  /// 0, or 2 for "more than one".
  std::size_t found() const { return found_; }

 private:
  std::size_t found_;
};

// ---- single-table design (DYNANTIC_SUBTYPES)

/// A read through a polymorphic base found an item whose tag names none of its subtypes (or no tag at all),
/// and the base does not list unknown_subtype.
class unknown_discriminator : public error {
 public:
  /// An item with tag `tag` (made by the table API).
  unknown_discriminator(std::string message, std::string tag, item stored)
      : error(std::move(message)), tag_(std::move(tag)), item_(std::move(stored)) {}
  /// `e`, met in the stored item with `key` in `table` (named in what()).
  unknown_discriminator(const unknown_discriminator& e, std::string table, item key);
  /// The stored tag; empty when the item has none.
  const std::string& tag() const noexcept { return tag_; }
  /// The item as stored.
  const dynantic::item& stored_item() const noexcept { return item_; }
  /// The table the item was read from (empty when the error was not made by a table's call).
  const std::string& table() const noexcept { return table_; }
  /// The item's key attributes (empty likewise).
  const dynantic::item& key() const noexcept { return key_; }

 private:
  std::string tag_;
  dynantic::item item_;
  std::string table_;
  dynantic::item key_;
};

/// A read through a subtype (table<Customer>) found an item of another subtype (or without a tag), or an update,
/// delete or condition check through a subtype met one (nothing was changed).
class wrong_subtype : public error {
 public:
  /// An item of subtype `found` where `expected` was asked for (made by the table API).
  wrong_subtype(std::string message, std::string expected, std::string found, item stored)
      : error(std::move(message)), expected_(std::move(expected)), found_(std::move(found)), item_(std::move(stored)) {}
  /// `e`, met in the stored item with `key` in `table` (named in what()).
  wrong_subtype(const wrong_subtype& e, std::string table, item key);
  /// The tag of the subtype the call was made through.
  const std::string& expected_tag() const noexcept { return expected_; }
  /// The stored tag; empty when the item has none.
  const std::string& found_tag() const noexcept { return found_; }
  /// The item as stored.
  const dynantic::item& stored_item() const noexcept { return item_; }
  /// The table of the item (empty when the error was not made by a table's call).
  const std::string& table() const noexcept { return table_; }
  /// The item's key attributes (empty likewise).
  const dynantic::item& key() const noexcept { return key_; }

 private:
  std::string expected_, found_;
  dynantic::item item_;
  std::string table_;
  dynantic::item key_;
};

// ---- batches

/// One request of a BatchWriteItem: a put of an item or a delete of a key.
struct write_request {
  /// A put (data is the item) or a delete (data is the key).
  enum class kind { put, delete_ };
  kind type = kind::put;  ///< which of the two
  item data{};            ///< the item for put, the key for delete
  /// A put of the whole item `it`.
  static write_request put(item it) { return {kind::put, std::move(it)}; }
  /// A delete of the item with key `key`.
  static write_request delete_key(item key) { return {kind::delete_, std::move(key)}; }
  /// Same kind and same data.
  friend bool operator==(const write_request&, const write_request&) = default;
};

/// Retries ran out (or the deadline passed, or a request failed for good) before every write was applied.
/// unapplied() holds exactly the requests that were not applied, with their tables.
class batch_write_incomplete : public error {
 public:
  /// What a batch did not write (made by the batch engine): `unapplied` with their tables, `applied` writes done, the
  /// last failure `cause`.
  batch_write_incomplete(std::string message, std::vector<std::pair<std::string, write_request>> unapplied,
                         std::size_t applied, std::exception_ptr cause)
      : error(std::move(message)), unapplied_(std::move(unapplied)), applied_(applied), cause_(std::move(cause)) {}
  /// Exactly the requests not applied, each with its table.
  const std::vector<std::pair<std::string, write_request>>& unapplied() const { return unapplied_; }
  /// How many requests were applied.
  std::size_t applied() const { return applied_; }
  /// The last error of a failed request, when one failed (empty when only retries of unprocessed items ran out).
  const std::exception_ptr& cause() const { return cause_; }

 private:
  std::vector<std::pair<std::string, write_request>> unapplied_;
  std::size_t applied_;
  std::exception_ptr cause_;
};

/// Like batch_write_incomplete for reads: the items fetched so far are kept, the keys not answered listed.
class batch_get_incomplete : public error {
 public:
  /// What a batch get did not fetch (made by the batch engine).
  batch_get_incomplete(std::string message, std::vector<std::pair<std::string, item>> fetched,
                       std::vector<std::pair<std::string, item>> not_fetched, std::exception_ptr cause)
      : error(std::move(message)),
        fetched_(std::move(fetched)),
        not_fetched_(std::move(not_fetched)),
        cause_(std::move(cause)) {}
  /// The items fetched, each with its table.
  const std::vector<std::pair<std::string, item>>& fetched() const { return fetched_; }
  /// The keys not answered, each with its table.
  const std::vector<std::pair<std::string, item>>& not_fetched() const { return not_fetched_; }
  /// The failure that ended the batch, when a request failed rather than came back unprocessed; else null.
  const std::exception_ptr& cause() const { return cause_; }

 private:
  std::vector<std::pair<std::string, item>> fetched_, not_fetched_;
  std::exception_ptr cause_;
};

// For a model M, the typed views of conditional_check_failed, batch_write_incomplete and batch_get_incomplete
// (conditional_check_failed_for<M>, batch_write_incomplete_for<M>, batch_get_incomplete_for<M>: the same errors
// with their items decoded into M) are in dynantic/model/errors.hpp.

}  // namespace dynantic
