#pragma once
/// @file writer.hpp
/// Buffered batch writers: batch_writer<M> for one model's table, multi_writer for several tables and models.
/// Both encode each request when it is buffered (validation errors at the call) and send 25 per BatchWriteItem
/// through the batch engine, in the background.

#include <cstddef>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <utility>

#include <dynantic/bulk/batch.hpp>
#include <dynantic/client.hpp>
#include <dynantic/model/errors.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/polymorphic.hpp>

namespace dynantic {

/// Tag for batch writes of a model with a version member: BatchWriteItem carries no conditions, so a batch put
/// cannot check the stored version and overwrites whatever is stored (a stale copy wins). Batch writes of such a
/// model need this tag, so that the choice is visible in the code: users.batch_save(dy::ignore_versions, items).
/// transact_save and save() check versions.
struct ignore_versions_t {
  explicit constexpr ignore_versions_t() = default;
};
/// The tag value: users.batch_save(dy::ignore_versions, items).
inline constexpr ignore_versions_t ignore_versions{};

/// Buffers writes to one table and sends them with the batch engine, 25 per request (DynamoDB's limit).
/// Made by table<M>::batch_writer().
///
/// Sending does not stall the caller: a background thread sends whole requests of 25 as they fill (up to
/// max_in_flight on the wire), beside the retries of what DynamoDB left unprocessed, so one request's backoff does
/// not hold up the rest. A key has one request on its way at a time: a later request for it waits in the buffer
/// until the earlier one is applied or reported, so it always lands after. The caller waits only while
/// 50 x max_in_flight requests are buffered. `batch_options::background_flush = false` sends synchronously
/// instead, every 25 requests. The writer uses the table's client as of its creation and owns copies of what it
/// needs: a writer of a temporary table is safe.
///
/// Failures: requests that could not be applied (attempts or deadline ran out, an error that is not retried) are
/// thrown as batch_write_incomplete_for<M>, with exactly those requests, by the next save(), delete_item() or
/// flush() (that save or delete is then not buffered). flush() sends everything buffered and waits for every
/// request to end. The destructor cannot throw: it does what flush() does and hands any failure to the
/// `on_failure` handler (default: print every unapplied request to stderr, its key as a digest), so nothing is
/// lost silently.
///
/// With an exception in flight (the writer's scope is left by an exception), the requests buffered since the
/// last full request of 25 are NOT sent — the block that produced them failed — and are handed to `on_failure`
/// as unapplied instead. Full requests before them were already on their way and are written. Call flush()
/// before leaving the scope to write everything anyway.
template <class M>
class batch_writer {
 public:
  /// What on_failure() takes.
  using failure_handler = std::function<void(const batch_write_incomplete_for<M>&)>;
  /// The key of one item of M.
  using key_type = detail::key_type_t<M>;

  /// A writer to `table` through `c` (table<M>::batch_writer() makes one).
  batch_writer(client c, std::string table, batch_options o = {})
      : table_(std::move(table)),
        buffer_(std::move(c), std::move(o)),
        exceptions_at_start_(std::uncaught_exceptions()) {
    static_assert(
        !detail::polymorphic_base<M>,
        "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
  }
  batch_writer(const batch_writer&) = delete;
  batch_writer& operator=(const batch_writer&) = delete;
  /// Takes over `other`'s buffer and the requests on their way.
  batch_writer(batch_writer&& other) noexcept = default;
  ~batch_writer() {
    buffer_.finish(std::uncaught_exceptions() > exceptions_at_start_,
                   [this](const batch_write_incomplete& e) { report(batch_write_incomplete_for<M>(e)); });
  }

  /// Called with what the destructor could not write (default: stderr gets each request's table, kind and a
  /// digest of its key; key values are not logged).
  batch_writer& on_failure(failure_handler h) {
    on_failure_ = std::move(h);
    return *this;
  }

  /// Buffers a put: auto-UUIDs, version increment and validation happen now (@throws validation_error, nothing
  /// buffered); sent as soon as 25 requests are buffered. @throws batch_write_incomplete_for<M> with the requests
  /// sent earlier that failed.
  void save(M m) { add(detail::put_entry(detail::desc_of<M>(), table_, &detail::key_names_of<M>(), &m)); }
  /// Buffers a delete by key; sent as soon as 25 requests are buffered. @throws as save()
  void delete_item(const key_type& key) {
    add(detail::delete_entry(table_, &detail::key_names_of<M>(), detail::key_item<M>(key)));
  }
  /// Sends everything buffered and waits for every request sent to end. @throws batch_write_incomplete_for<M>
  /// with every request not applied since the last failure was thrown (the buffer is empty either way)
  void flush() {
    try {
      buffer_.flush();
    } catch (const batch_write_incomplete& e) {
      throw batch_write_incomplete_for<M>(e);
    }
  }
  /// Requests buffered and not yet sent.
  std::size_t pending() const { return buffer_.pending(); }

 private:
  void add(detail::write_entry e) {
    try {
      buffer_.add(std::move(e));
    } catch (const batch_write_incomplete& err) {
      throw batch_write_incomplete_for<M>(err);
    }
  }
  void report(const batch_write_incomplete_for<M>& e) {
    if (on_failure_) return on_failure_(e);
    detail::print_unapplied(e, &detail::key_names_of<M>());
  }

  std::string table_;
  detail::write_buffer buffer_;
  failure_handler on_failure_;
  int exceptions_at_start_;
};

/// A batch writer for several tables and models at once: w.save(users, u); w.save(orders, o);
/// w.delete_item(users, key), where users and orders are tables (table<M>: anything with model_type and name()).
/// Requests to different tables share BatchWriteItem requests (25 per request). Sending, ordering and failures
/// as for batch_writer, with untyped errors (batch_write_incomplete lists each unapplied request with its table).
/// Sends through the client given here.
class multi_writer {
 public:
  /// What on_failure() takes.
  using failure_handler = std::function<void(const batch_write_incomplete&)>;

  /// A writer through `c` for any tables.
  explicit multi_writer(client c, batch_options o = {})
      : buffer_(std::move(c), std::move(o)), exceptions_at_start_(std::uncaught_exceptions()) {}
  multi_writer(const multi_writer&) = delete;
  multi_writer& operator=(const multi_writer&) = delete;
  /// Takes over the other's buffer and the requests on their way.
  multi_writer(multi_writer&&) noexcept = default;
  ~multi_writer() {
    buffer_.finish(std::uncaught_exceptions() > exceptions_at_start_,
                   [this](const batch_write_incomplete& e) { report(e); });
  }
  /// Called with what the destructor could not write (default: stderr gets each request's table, kind and a
  /// digest of it; key values are not logged).
  multi_writer& on_failure(failure_handler h) {
    on_failure_ = std::move(h);
    return *this;
  }
  /// Buffers a put into `t`'s table (validated, auto-UUIDs, version +1 now). @throws validation_error,
  /// batch_write_incomplete (requests sent earlier that failed)
  /// A model with a version member needs save(dy::ignore_versions, t, m): see ignore_versions_t.
  template <class T>
  void save(const T& t, typename T::model_type m) {
    static_assert(!detail::has_role<typename T::model_type, detail::role::version>,
                  "dynantic: BatchWriteItem cannot check versions: a batch put overwrites newer items of a versioned "
                  "model. Use transact_save (checked), or save(dy::ignore_versions, table, item) to overwrite");
    save(ignore_versions, t, std::move(m));
  }
  /// save() of a versioned model: versions incremented, not checked (see ignore_versions_t).
  template <class T>
  void save(ignore_versions_t, const T& t, typename T::model_type m) {
    using M = typename T::model_type;
    static_assert(
        !detail::polymorphic_base<M>,
        "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    buffer_.add(detail::put_entry(detail::desc_of<M>(), t.name(), &detail::key_names_of<M>(), &m));
  }
  /// Buffers a delete from `t`'s table.
  template <class T>
  void delete_item(const T& t, const detail::key_type_t<typename T::model_type>& key) {
    using M = typename T::model_type;
    buffer_.add(detail::delete_entry(t.name(), &detail::key_names_of<M>(), detail::key_item<M>(key)));
  }
  /// Sends everything buffered and waits for every request sent to end. @throws batch_write_incomplete
  void flush() { buffer_.flush(); }
  /// Requests buffered and not yet sent.
  std::size_t pending() const { return buffer_.pending(); }

 private:
  void report(const batch_write_incomplete& e) {
    if (on_failure_) return on_failure_(e);
    detail::print_unapplied(e, nullptr);
  }

  detail::write_buffer buffer_;
  failure_handler on_failure_;
  int exceptions_at_start_;
};

}  // namespace dynantic
