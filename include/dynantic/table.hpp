#pragma once
/// @file table.hpp
/// dynantic::table<M>: the handle for everything on a model's table, and the default / scoped client for code that
/// does not pass a client around. table<M> types keys and results and forwards: request building is in
/// ops/writes.hpp, queries in query.hpp, batches, writers, transactions and table management in bulk/.

#include <chrono>
#include <optional>
#include <tuple>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <dynantic/bulk/batch.hpp>
#include <dynantic/bulk/parallel_scan.hpp>
#include <dynantic/bulk/table_admin.hpp>
#include <dynantic/bulk/transaction.hpp>
#include <dynantic/bulk/writer.hpp>
#include <dynantic/client.hpp>
#include <dynantic/expr/expr.hpp>
#include <dynantic/model/errors.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/ops/operations.hpp>
#include <dynantic/ops/writes.hpp>
#include <dynantic/query.hpp>

namespace dynantic {

/// Sets the client used by tables constructed without one (and by default_client()).
void set_default_client(client c);
/// The default client; created from the environment on first use when none was set.
client default_client();

/// While alive, tables without their own client use `c` on this thread (Dynantic's `using_client`).
/// Scopes nest; the innermost wins.
class scoped_client {
 public:
  /// Makes `c` this thread's client for tables without their own, until the destructor.
  explicit scoped_client(client c);
  ~scoped_client();
  scoped_client(const scoped_client&) = delete;
  scoped_client& operator=(const scoped_client&) = delete;
};

/// The client a table without its own uses now: the innermost scoped_client, else the default client.
client current_client();

/// Options of get() and batch_get().
struct read_options {
  bool consistent_read = false;  ///< strongly consistent read (not on GSIs)
};

template <model M>
class table;

/// The handle for a model's table. Cheap to copy. Without a client of its own it uses current_client() at
/// each call.
///
/// Besides the errors each call lists, every call that reaches DynamoDB may throw what any request can:
/// table_not_found (naming the table), throttled, transport_error (request_timeout, tls_error),
/// credentials_error, service_error.
template <model M>
class table {
  using keys = detail::key_types<M>;

 public:
  /// The model the table holds.
  using model_type = M;
  /// What reads give: M, or std::variant<Subtypes...> when M is a polymorphic base (DYNANTIC_SUBTYPES).
  using result_type = result_t<M>;
  /// M is a single-table base with subtypes (DYNANTIC_SUBTYPES).
  static constexpr bool is_polymorphic = detail::polymorphic_base<M>;
  /// M is a subtype of a single-table base (DYNANTIC_SUBTYPE).
  static constexpr bool is_subtype = detail::subtype<M>;
  /// The table has a sort key.
  static constexpr bool has_sort_key = keys::has_sort_key;
  /// M has a version member (optimistic locking).
  static constexpr bool has_version = detail::has_role<M, detail::role::version>;
  /// M has a ttl member.
  static constexpr bool has_ttl = detail::has_role<M, detail::role::ttl>;
  /// The table has a TTL attribute: M's, or for single-table designs that of the base or any subtype.
  static constexpr bool table_has_ttl = !detail::family_ttl_attribute<M>().empty();
  /// The partition key's type (`no_partition_key` for a declaration without one: its own static_assert is then
  /// the one error, not every signature of this class).
  using partition_key_type = typename keys::partition;
  /// The sort key's type; `no_sort_key` for tables without one.
  using sort_key_type = typename keys::sort;
  /// The key of one item: the partition key, or (partition, sort) for tables with a sort key.
  using key_type = typename keys::key;
  /// Whether get(args...) matches one of the key forms (for the diagnostic overload of get()).
  template <class... A>
  static constexpr bool get_arguments_fit = [] {
    constexpr std::size_t n = sizeof...(A);
    using T = std::tuple<A..., void, void, void>;
    using A0 = std::tuple_element_t<0, T>;
    using A1 = std::tuple_element_t<1, T>;
    using A2 = std::tuple_element_t<2, T>;
    if constexpr (!has_sort_key) {
      return (n == 1 && std::is_convertible_v<A0, partition_key_type>) ||
             (n == 2 && std::is_convertible_v<A0, partition_key_type> && std::is_convertible_v<A1, read_options>);
    } else {
      return (n == 2 && std::is_convertible_v<A0, partition_key_type> && std::is_convertible_v<A1, sort_key_type>) ||
             (n == 3 && std::is_convertible_v<A0, partition_key_type> && std::is_convertible_v<A1, sort_key_type> &&
              std::is_convertible_v<A2, read_options>);
    }
  }();

  /// Uses current_client() at each call; the table name from the model.
  table() : name_(detail::model_v<M>.table) {}
  /// Uses `c`; the table name from the model.
  explicit table(client c) : client_(std::move(c)), name_(detail::model_v<M>.table) {}
  /// Another table name than the model's (tests, per-tenant tables).
  /// @throws validation_error when the name breaks DynamoDB's rule (3 to 255 of A-Z a-z 0-9 _ . -)
  table(client c, std::string table_name) : client_(std::move(c)), name_(std::move(table_name)) {
    if (!detail::valid_table_name(name_)) {
      throw validation_error("table",
                             "'" + name_ + "' is not a valid table name: 3 to 255 characters of A-Z a-z 0-9 _ . -");
    }
  }

  /// The table's name.
  const std::string& name() const { return name_; }
  /// The client this table's calls use now: its own, else current_client().
  client current() const { return client_ ? *client_ : current_client(); }

  // ------------------------------------------------------------ writes

  /// PutItem (upsert). Fills empty auto-UUID keys, converts TTL, and with a version member writes only when
  /// the stored version is the one `m` holds (or no item exists for version 0), then increments `m`'s version.
  /// @throws validation_error (nothing sent), conditional_check_failed_for<M> (condition or version conflict)
  M& save(M& m, const condition_expression& cond = {}) const {
    put(m, cond, /*insert_only=*/false);
    return m;
  }
  /// save() of a temporary. @return the item as written (auto-UUID key filled, version incremented).
  M save(M&& m, const condition_expression& cond = {}) const {
    put(m, cond, false);
    return std::move(m);
  }
  /// save() only when the typed condition holds: users.save(u, attr(&User::status) == Status::active).
  template <class C>
  M& save(M& m, const condition<C>& cond) const {
    put(m, detail::to_expression<M>(cond), false);
    return m;
  }
  /// save() of a temporary with a typed condition.
  template <class C>
  M save(M&& m, const condition<C>& cond) const {
    put(m, detail::to_expression<M>(cond), false);
    return std::move(m);
  }

  /// Through a polymorphic base: saves (upserts) a subtype in this table, exactly as table<S>::save.
  template <class S>
  requires detail::subtype_of_base<S, M> S& save(S& s, const condition_expression& cond = {}) const {
    table<S>(current(), name_).save(s, cond);
    return s;
  }
  /// save() of a temporary subtype through the base.
  template <class S>
  requires detail::subtype_of_base<S, M> S save(S&& s, const condition_expression& cond = {})
  const {
    table<S>(current(), name_).save(s, cond);
    return std::move(s);
  }
  /// Through a polymorphic base: inserts a subtype (fails when an item with the key exists).
  template <class S>
  requires detail::subtype_of_base<S, M> S& create(S& s, const condition_expression& cond = {}) const {
    table<S>(current(), name_).create(s, cond);
    return s;
  }

  /// PutItem with attribute_not_exists of the key (insert only): like save(), but fails when an item with the key
  /// exists. @throws validation_error (nothing sent)
  /// @throws conditional_check_failed_for<M> (the key exists, or `cond` does not hold)
  M& create(M& m, const condition_expression& cond = {}) const {
    put(m, cond, /*insert_only=*/true);
    return m;
  }
  /// create() of a temporary. @return the item as written.
  M create(M&& m, const condition_expression& cond = {}) const {
    put(m, cond, true);
    return std::move(m);
  }
  /// create() with a typed condition besides the key's absence.
  template <class C>
  M& create(M& m, const condition<C>& cond) const {
    put(m, detail::to_expression<M>(cond), true);
    return m;
  }
  /// create() of a temporary with a typed condition.
  template <class C>
  M create(M&& m, const condition<C>& cond) const {
    put(m, detail::to_expression<M>(cond), true);
    return std::move(m);
  }

  // ------------------------------------------------------------ reads

  /// GetItem by partition key. @return nothing when no item has the key.
  /// @throws validation_error (a bad key, nothing sent; or the stored item does not decode, naming table and key)
  /// @throws wrong_subtype (through a subtype: the item is another subtype's)
  std::optional<result_type> get(const partition_key_type& pk, read_options o = {}) const requires(!has_sort_key) {
    return get_by_key(make_key(&pk, nullptr), o);
  }
  /// GetItem by partition and sort key. @return nothing when no item has the key.
  /// @throws validation_error, wrong_subtype (as get(pk))
  std::optional<result_type> get(const partition_key_type& pk, const sort_key_type& sk,
                                 read_options o = {}) const requires has_sort_key {
    return get_by_key(make_key(&pk, &sk), o);
  }
  /// Arguments that are not this table's key: a compile error that says what get() takes (instead of the
  /// compiler's list of candidates).
  template <class... A>
  requires(!get_arguments_fit<A...>) std::optional<result_type> get(const A&...)
  const {
    static_assert(detail::always_false<std::tuple<A...>>,
                  "dynantic: get() takes this table's key: the partition key's type, then the sort key's type when "
                  "the table has a sort key, then optionally read_options");
    return std::nullopt;
  }

  // ------------------------------------------------------------ async (async.hpp)
  // The same calls on the client's async engine: nothing is checked or sent until the task runs; errors (checks
  // included) come from co_await / sync_wait as the blocking calls throw them.

  /// get() as a task.
  task<std::optional<result_type>> async_get(const partition_key_type& pk, read_options o = {}) const
      requires(!has_sort_key) {
    return get_async(current(), name_, o, pk);
  }
  /// get() by partition and sort key as a task.
  task<std::optional<result_type>> async_get(const partition_key_type& pk, const sort_key_type& sk,
                                             read_options o = {}) const requires has_sort_key {
    return get_async(current(), name_, o, pk, sk);
  }
  /// save() as a task. @return the item as written (auto-UUID keys filled, version incremented).
  // (no default arguments of class type on the async calls: GCC 12 destroys such a temporary twice when the call
  // is the operand of co_await)
  task<M> async_save(M m) const { return put_async(current(), name_, std::move(m), {}, false); }
  /// async_save() with a condition.
  task<M> async_save(M m, const condition_expression& cond) const {
    return put_async(current(), name_, std::move(m), cond, false);
  }
  /// async_save() with a typed condition.
  template <class C>
  task<M> async_save(M m, const condition<C>& cond) const {
    return put_async(current(), name_, std::move(m), detail::to_expression<M>(cond), false);
  }
  /// create() as a task. @return the item as written.
  task<M> async_create(M m) const { return put_async(current(), name_, std::move(m), {}, true); }
  /// async_create() with a condition.
  task<M> async_create(M m, const condition_expression& cond) const {
    return put_async(current(), name_, std::move(m), cond, true);
  }
  /// async_create() with a typed condition.
  template <class C>
  task<M> async_create(M m, const condition<C>& cond) const {
    return put_async(current(), name_, std::move(m), detail::to_expression<M>(cond), true);
  }
  /// delete_item() as a task.
  task<void> async_delete_item(const partition_key_type& pk) const requires(!has_sort_key) {
    return delete_async(current(), name_, {}, std::nullopt, pk);
  }
  /// async_delete_item() by partition key with a condition.
  task<void> async_delete_item(const partition_key_type& pk, const condition_expression& cond) const
      requires(!has_sort_key) {
    return delete_async(current(), name_, cond, std::nullopt, pk);
  }
  /// async_delete_item() by partition and sort key.
  task<void> async_delete_item(const partition_key_type& pk, const sort_key_type& sk) const requires has_sort_key {
    return delete_async(current(), name_, {}, std::nullopt, pk, sk);
  }
  /// async_delete_item() by partition and sort key with a condition.
  task<void> async_delete_item(const partition_key_type& pk, const sort_key_type& sk,
                               const condition_expression& cond) const requires has_sort_key {
    return delete_async(current(), name_, cond, std::nullopt, pk, sk);
  }
  /// Deletes `m`'s item (with a version member only when the stored version is still `m`'s), as a task.
  task<void> async_delete_item(const M& m) const { return delete_async(current(), name_, {}, std::optional<M>(m)); }
  /// async_delete_item() of `m`'s item with a condition.
  task<void> async_delete_item(const M& m, const condition_expression& cond) const {
    return delete_async(current(), name_, cond, std::optional<M>(m));
  }
  /// async_delete_item() of `m`'s item with a typed condition.
  template <class C>
  task<void> async_delete_item(const M& m, const condition<C>& cond) const {
    return delete_async(current(), name_, detail::to_expression<M>(cond), std::optional<M>(m));
  }

  // ------------------------------------------------------------ deletes

  /// DeleteItem by partition key, optionally conditional. Deleting a key without an item is not an error.
  /// @throws validation_error (a bad key; nothing sent)
  /// @throws conditional_check_failed_for<M> (the condition)
  /// @throws wrong_subtype (through a subtype: the item is another subtype's)
  void delete_item(const partition_key_type& pk, const condition_expression& cond = {}) const requires(!has_sort_key) {
    remove(make_key(&pk, nullptr), cond, nullptr);
  }
  /// DeleteItem by partition and sort key, optionally conditional (see the form above).
  void delete_item(const partition_key_type& pk, const sort_key_type& sk,
                   const condition_expression& cond = {}) const requires has_sort_key {
    remove(make_key(&pk, &sk), cond, nullptr);
  }
  /// Deletes `m`'s item; with a version member only when the stored version is still `m`'s.
  void delete_item(const M& m, const condition_expression& cond = {}) const { remove(key_of(m), cond, &m); }
  /// delete_item(m) with a typed condition.
  template <class C>
  void delete_item(const M& m, const condition<C>& cond) const {
    remove(key_of(m), detail::to_expression<M>(cond), &m);
  }
  /// delete_item(pk) with a typed condition.
  template <class C>
  void delete_item(const partition_key_type& pk, const condition<C>& cond) const requires(!has_sort_key) {
    remove(make_key(&pk, nullptr), detail::to_expression<M>(cond), nullptr);
  }
  /// delete_item(pk, sk) with a typed condition.
  template <class C>
  void delete_item(const partition_key_type& pk, const sort_key_type& sk,
                   const condition<C>& cond) const requires has_sort_key {
    remove(make_key(&pk, &sk), detail::to_expression<M>(cond), nullptr);
  }

  // ------------------------------------------------------------ updates

  /// UpdateItem of an existing item: users.update("u-1", "a@x").add(&User::balance, 5).remove(&User::age)
  /// .execute(). A key without an item throws item_not_found and writes nothing. The updater's execute() lists
  /// its errors (validation_error, item_not_found, conditional_check_failed_for<M>, wrong_subtype).
  updater<M> update(const partition_key_type& pk) const requires(!has_sort_key) {
    return updater<M>(current(), name_, make_key(&pk, nullptr), detail::update_mode::update);
  }
  /// update() by partition and sort key.
  updater<M> update(const partition_key_type& pk, const sort_key_type& sk) const requires has_sort_key {
    return updater<M>(current(), name_, make_key(&pk, &sk), detail::update_mode::update);
  }
  /// UpdateItem that creates the item when the key has none: it must set every required member (members
  /// that are neither std::optional, omittable nor declared with default_value), checked before sending by
  /// execute() (validation_error).
  updater<M> upsert(const partition_key_type& pk) const requires(!has_sort_key) {
    return updater<M>(current(), name_, make_key(&pk, nullptr), detail::update_mode::upsert);
  }
  /// upsert() by partition and sort key.
  updater<M> upsert(const partition_key_type& pk, const sort_key_type& sk) const requires has_sort_key {
    return updater<M>(current(), name_, make_key(&pk, &sk), detail::update_mode::upsert);
  }

  // ------------------------------------------------------------ transaction actions (see transact_write)

  /// A put for transact_write: auto-UUIDs, TTL and the version condition/increment as in save().
  tx_action<M> tx_put(M m, const condition_expression& cond = {}) const {
    static_assert(
        !is_polymorphic,
        "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    tx_action<M> t;
    static_cast<ops::transact_write&>(t) = detail::tx_put_action(desc(), name_, &m, cond, t.key_text);
    return t;
  }
  /// tx_put() with a typed condition.
  template <class C>
  tx_action<M> tx_put(M m, const condition<C>& cond) const {
    return tx_put(std::move(m), detail::to_expression<M>(cond));
  }
  /// A delete for transact_write.
  template <class C = M>
  tx_action<M> tx_delete(const key_type& k, const condition<C>& cond = {}) const {
    return tx_keyed(ops::transact_write::kind::delete_, k, detail::to_expression<M>(cond));
  }
  /// A condition check for transact_write (the transaction fails when it does not hold).
  template <class C>
  tx_action<M> tx_check(const key_type& k, const condition<C>& cond) const {
    if (cond.empty()) throw validation_error("condition", "a condition check needs a condition");
    return tx_keyed(ops::transact_write::kind::condition_check, k, detail::to_expression<M>(cond));
  }
  /// An update for transact_write: build it like update(), then pass it (or .as_transaction()). The item must
  /// exist (else the transaction is canceled with ConditionalCheckFailed for this action).
  updater<M> tx_update(const key_type& k) const {
    return updater<M>(current(), name_, detail::key_item<M>(k), detail::update_mode::update);
  }
  /// An upsert for transact_write (see upsert()).
  updater<M> tx_upsert(const key_type& k) const {
    return updater<M>(current(), name_, detail::key_item<M>(k), detail::update_mode::upsert);
  }
  /// A get for transact_get.
  tx_get_action<M> tx_get(const key_type& k) const { return {name_, detail::key_item<M>(k)}; }

  // ------------------------------------------------------------ batches

  /// Writes every item (BatchWriteItem, 25 per request, concurrent, unprocessed items retried). Fills
  /// auto-UUID keys like save(). Two items with one key: the last wins. @return the items as written.
  /// A model with a version member needs batch_save(dy::ignore_versions, items): see ignore_versions_t.
  /// @throws validation_error (every problem, nothing sent), batch_write_incomplete_for<M> (what was not applied)
  std::vector<M> batch_save(std::vector<M> items, const batch_options& o = {}) const {
    static_assert(!has_version,
                  "dynantic: BatchWriteItem cannot check versions: a batch put overwrites newer items of a versioned "
                  "model. Use transact_save (checked), or batch_save(dy::ignore_versions, items) to overwrite");
    return batch_save(ignore_versions, std::move(items), o);
  }
  /// batch_save of a versioned model: versions are incremented as in save(), but not checked.
  std::vector<M> batch_save(ignore_versions_t, std::vector<M> items, const batch_options& o = {}) const {
    static_assert(
        !is_polymorphic,
        "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    auto entries = detail::put_entries(desc(), name_, &key_names(), items.data(), items.size(), sizeof(M));
    try {
      detail::run_batch_write(current(), std::move(entries), o);
    } catch (const batch_write_incomplete& e) {
      throw batch_write_incomplete_for<M>(e);
    }
    return items;
  }

  /// Deletes every key (BatchWriteItem). @throws batch_write_incomplete_for<M>
  void batch_delete(const std::vector<key_type>& keys, const batch_options& o = {}) const {
    std::vector<detail::write_entry> entries;
    entries.reserve(keys.size());
    for (const auto& k : keys) entries.push_back(detail::delete_entry(name_, &key_names(), detail::key_item<M>(k)));
    try {
      detail::run_batch_write(current(), std::move(entries), o);
    } catch (const batch_write_incomplete& e) {
      throw batch_write_incomplete_for<M>(e);
    }
  }

  /// Fetches every key (BatchGetItem, 100 per request, each key asked once). result[i] answers keys[i]:
  /// nothing when no item has that key. @throws batch_get_incomplete_for<M> (with the items fetched so far)
  std::vector<std::optional<result_type>> batch_get(const std::vector<key_type>& keys, const batch_options& o = {},
                                                    read_options r = {}) const {
    auto entries = get_entries_of(name_, keys);
    std::vector<std::optional<result_type>> out(keys.size());
    std::vector<std::size_t> first;
    try {
      // each item decoded straight from the parsed answer into its slot
      first = detail::run_batch_get_visit(
          current(), entries, r.consistent_read, o,
          [&](std::size_t i, const detail::ddb_value& v) { out[i] = detail::decode_read<M>(name_, v); });
    } catch (const batch_get_incomplete& e) {
      throw batch_get_incomplete_for<M>(e);
    }
    fill_repeated(out, first);
    return out;
  }

  /// batch_save() as a task on the client's async engine; stopping it sends nothing more (what was not written is
  /// in batch_write_incomplete_for<M>, whose cause is dynantic::cancelled).
  task<std::vector<M>> async_batch_save(std::vector<M> items) const { return async_batch_save(std::move(items), {}); }
  /// async_batch_save() with options.
  task<std::vector<M>> async_batch_save(std::vector<M> items, batch_options o) const {
    static_assert(!has_version,
                  "dynantic: BatchWriteItem cannot check versions: a batch put overwrites newer items of a versioned "
                  "model. Use transact_save (checked), or batch_save(dy::ignore_versions, items) to overwrite");
    return batch_save_async(current(), name_, std::move(items), std::move(o));
  }
  /// async_batch_save() of a versioned model (see ignore_versions_t).
  task<std::vector<M>> async_batch_save(ignore_versions_t, std::vector<M> items) const {
    return batch_save_async(current(), name_, std::move(items), {});
  }
  /// async_batch_save() of a versioned model with options.
  task<std::vector<M>> async_batch_save(ignore_versions_t, std::vector<M> items, batch_options o) const {
    return batch_save_async(current(), name_, std::move(items), std::move(o));
  }
  /// batch_get() as a task on the client's async engine.
  task<std::vector<std::optional<result_type>>> async_batch_get(std::vector<key_type> keys) const {
    return batch_get_async(current(), name_, std::move(keys), {}, {});
  }
  /// async_batch_get() with options.
  task<std::vector<std::optional<result_type>>> async_batch_get(std::vector<key_type> keys, batch_options o,
                                                                read_options r = {}) const {
    return batch_get_async(current(), name_, std::move(keys), std::move(o), r);
  }

  /// A buffered writer: save()/delete_item() collect requests and send them 25 at a time; flush() sends the
  /// rest; the destructor flushes (see batch_writer for what happens on failure or with an exception in flight).
  /// A model with a version member needs batch_writer(dy::ignore_versions): see ignore_versions_t.
  dynantic::batch_writer<M> batch_writer(batch_options o = {}) const {
    static_assert(!has_version,
                  "dynantic: BatchWriteItem cannot check versions: a batch writer overwrites newer items of a "
                  "versioned model. Use transact_save (checked), or batch_writer(dy::ignore_versions) to overwrite");
    return dynantic::batch_writer<M>(current(), name_, std::move(o));
  }
  /// batch_writer() of a versioned model: versions are incremented, not checked (see ignore_versions_t).
  dynantic::batch_writer<M> batch_writer(ignore_versions_t, batch_options o = {}) const {
    return dynantic::batch_writer<M>(current(), name_, std::move(o));
  }

  // ------------------------------------------------------------ query and scan

  /// The type sort-key conditions of a query take (void without a sort key).
  using sort_value_type = std::conditional_t<has_sort_key, detail::value_of_or_void_t<sort_key_type>, void>;

  /// Query by partition key; add sort-key conditions (eq, lt, le, gt, ge, between, starts_with), filter, limit...
  dynantic::query<M, sort_value_type> query(const partition_key_type& pk) const {
    return dynantic::query<M, sort_value_type>(detail::table_query_spec(current(), name_, desc(), &pk));
  }
  /// Query a GSI or LSI declared by the model (gsi_key/gsi_sort_key/lsi_sort_key) by its partition key:
  /// users.query_index<"by_status">(Status::active).ge(since). The index name is checked at compile time, and
  /// the key values against the types of the members that declare the index's keys.
  template <detail::fixed_string Index, class V>
  auto query_index(const V& pk) const {
    using ix_types = detail::index_types<M, Index>;
    using P = typename ix_types::partition;
    static_assert(!std::is_void_v<P>, "dynantic: the model declares no index of this name (gsi_key or lsi_sort_key)");
    using S = std::conditional_t<std::is_void_v<typename ix_types::sort>, void,
                                 detail::value_of_or_void_t<typename ix_types::sort>>;
    if constexpr (!std::is_void_v<P>) {
      static_assert(detail::comparable<detail::value_of<P>, V>(),
                    "dynantic: the value's type does not match the index's partition key");
      return dynantic::query<M, S>(detail::index_query_spec(current(), name_, desc(), detail::family_descs<M>(),
                                                            Index.view(), detail::to_operand<detail::value_of<P>>(pk),
                                                            false));
    }
  }
  /// Query an index named at run time. The partition key value's DynamoDB type is checked against the index's
  /// before sending; sort key conditions are checked by DynamoDB. Prefer query_index<"name">(value).
  /// @throws validation_error (an index the model does not declare, a value of the wrong type)
  template <class V>
  dynantic::query<M, detail::any_value> query_index(std::string_view index, const V& pk) const {
    return dynantic::query<M, detail::any_value>(detail::index_query_spec(
        current(), name_, desc(), detail::family_descs<M>(), index, detail::to_operand<detail::any_value>(pk), true));
  }
  /// Scan of the whole table; add filter, limit, segments... (see dynantic::scan).
  dynantic::scan<M> scan() const { return scan_index(std::string_view()); }
  /// Scan a declared index (the name checked at compile time).
  template <detail::fixed_string Index>
  dynantic::scan<M> scan_index() const {
    static_assert(!std::is_void_v<typename detail::index_types<M, Index>::partition>,
                  "dynantic: the model declares no index of this name (gsi_key or lsi_sort_key)");
    return scan_index(Index.view());
  }
  /// Scan an index named at run time. @throws validation_error for an index the model does not declare
  dynantic::scan<M> scan_index(std::string_view index) const {
    return dynantic::scan<M>(detail::scan_spec(current(), name_, desc(), detail::family_descs<M>(), index));
  }

  // ------------------------------------------------------------ keys and conversion

  /// The key attributes of `m` as DynamoDB stores them.
  item key_of(const M& m) const { return detail::key_of_model(desc(), &m); }

  /// Decodes a stored item (e.g. conditional_check_failed::old_item()) into the model.
  /// @throws validation_error, wrong_subtype (subtypes), unknown_discriminator (polymorphic bases)
  result_type decode(const item& it) const { return detail::decode_read<M>(name_, it); }

  // ------------------------------------------------------------ table management

  /// The CreateTable request the model describes (keys, GSIs and LSIs from gsi_key/gsi_sort_key/lsi_sort_key).
  ops::create_table_request table_definition(const table_options& o = {}) const {
    return detail::table_definition(desc(), detail::family_descs<M>(), name_, o);
  }
  /// CreateTable from the model, then (by default) waits until it is ACTIVE and enables TTL when the model
  /// has a ttl member.
  /// @throws table_in_use when the table exists (see create_table(if_not_exists))
  ops::table_description create_table(const table_options& o = {}) const {
    return detail::create_table(current(), table_definition(o), o, ttl_name(), false);
  }
  /// create_table() unless the table exists (then waits until it is ACTIVE, as create_table() would, and
  /// returns its description; its schema is not compared: see check_schema()).
  ops::table_description create_table(if_not_exists_t, const table_options& o = {}) const {
    return detail::create_table(current(), table_definition(o), o, ttl_name(), true);
  }
  /// DescribeTable until the table and its indexes are ACTIVE.
  /// @throws table_not_found
  /// @throws dynantic::error when `timeout` passes first
  ops::table_description wait_until_active(std::chrono::seconds timeout = std::chrono::seconds(60)) const {
    return dynantic::wait_until_active(current(), name_, timeout);
  }
  /// DeleteTable (on AWS the table is DELETING for a while after; see wait_until_deleted). @throws table_not_found
  void delete_table() const { ops::delete_table(current(), name_); }
  /// DescribeTable until the table no longer exists (after delete_table()).
  /// @throws dynantic::error when `timeout` passes first
  void wait_until_deleted(std::chrono::seconds timeout = std::chrono::seconds(300)) const {
    dynantic::wait_until_deleted(current(), name_, timeout);
  }
  /// DescribeTable: whether the table exists (in any status).
  bool exists() const { return detail::table_exists(current(), name_); }
  /// UpdateTimeToLive on the model's ttl attribute.
  void enable_ttl() const requires table_has_ttl {
    ops::update_time_to_live(current(), name_, {true, std::string(ttl_name())});
  }
  /// Every difference between the model and the live table (keys, attribute types, indexes, TTL).
  schema_report check_schema(const table_options& o = {}) const {
    return detail::compare_schema(current(), table_definition(o), std::string(ttl_name()));
  }

 private:
  static const detail::model_desc& desc() { return detail::desc_of<M>(); }
  static const std::vector<std::string>& key_names() { return detail::key_names_of<M>(); }
  static constexpr std::string_view ttl_name() { return detail::family_ttl_attribute<M>(); }

  item make_key(const void* pk, const void* sk) const { return detail::key_of_parts(desc(), pk, sk); }

  tx_action<M> tx_keyed(ops::transact_write::kind kind, const key_type& k, const condition_expression& cond) const {
    tx_action<M> t;
    static_cast<ops::transact_write&>(t) = detail::tx_key_action(desc(), name_, kind, detail::key_item<M>(k), cond);
    return t;
  }

  std::optional<result_type> get_by_key(item key, read_options o) const {
    auto r =
        ops::get_item(current(), {.table_name = name_, .key = std::move(key), .consistent_read = o.consistent_read});
    if (!r.item) return std::nullopt;
    return detail::decode_read<M>(name_, *r.item);
  }

  void put(M& m, const condition_expression& cond, bool insert_only) const {
    static_assert(
        !is_polymorphic,
        "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    M staged = m;  // m changes only when the write succeeded
    auto r = detail::put_request(desc(), name_, &staged, cond, insert_only);
    try {
      ops::put_item(current(), r);
    } catch (const conditional_check_failed& e) {
      detail::throw_typed_conflict<M>(e, name_);
    }
    m = std::move(staged);
  }

  void remove(item key, const condition_expression& cond, const M* instance) const {
    auto r = detail::delete_request(desc(), name_, std::move(key), cond, instance);
    try {
      ops::delete_item(current(), r);
    } catch (const conditional_check_failed& e) {
      detail::throw_typed_conflict<M>(e, name_, is_subtype);
    }
  }

  static detail::get_keys get_entries_of(const std::string& name, const std::vector<key_type>& keys) {
    if constexpr (has_sort_key) {
      return detail::get_entries(desc(), name, &key_names(), keys.empty() ? nullptr : &keys[0].first,
                                 keys.empty() ? nullptr : &keys[0].second, keys.size(), sizeof(key_type));
    } else {
      return detail::get_entries(desc(), name, &key_names(), keys.data(), nullptr, keys.size(), sizeof(key_type));
    }
  }
  // A key asked twice gets the item of its first asking.
  static void fill_repeated(std::vector<std::optional<result_type>>& out, const std::vector<std::size_t>& first) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (first[i] != i) out[i] = out[first[i]];
    }
  }

  static task<std::vector<M>> batch_save_async(client c, std::string name, std::vector<M> items, batch_options o) {
    static_assert(
        !is_polymorphic,
        "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    auto entries = detail::put_entries(desc(), name, &key_names(), items.data(), items.size(), sizeof(M));
    try {
      auto t = detail::async_run_batch_write(std::move(c), std::move(entries), std::move(o));
      co_await std::move(t);
    } catch (const batch_write_incomplete& e) {
      throw batch_write_incomplete_for<M>(e);
    }
    co_return items;
  }

  static task<std::vector<std::optional<result_type>>> batch_get_async(client c, std::string name,
                                                                       std::vector<key_type> keys, batch_options o,
                                                                       read_options r) {
    auto entries = get_entries_of(name, keys);
    std::vector<std::optional<result_type>> out(keys.size());
    std::vector<std::size_t> first;
    try {
      auto t = detail::async_run_batch_get_visit(
          std::move(c), std::move(entries), r.consistent_read, std::move(o),
          [&](std::size_t i, const detail::ddb_value& v) { out[i] = detail::decode_read<M>(name, v); });
      first = co_await std::move(t);
    } catch (const batch_get_incomplete& e) {
      throw batch_get_incomplete_for<M>(e);
    }
    fill_repeated(out, first);
    co_return out;
  }

  template <class... K>
  static task<std::optional<result_type>> get_async(client c, std::string name, read_options o, K... parts) {
    const void* p[2] = {nullptr, nullptr};
    std::size_t i = 0;
    ((p[i++] = &parts), ...);
    ops::get_item_request req{
        .table_name = name, .key = detail::key_of_parts(desc(), p[0], p[1]), .consistent_read = o.consistent_read};
    auto t = ops::async_get_item(std::move(c), std::move(req));
    auto r = co_await std::move(t);
    if (!r.item) co_return std::nullopt;
    co_return detail::decode_read<M>(name, *r.item);
  }

  static task<M> put_async(client c, std::string name, M m, condition_expression cond, bool insert_only) {
    static_assert(
        !is_polymorphic,
        "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    auto r = detail::put_request(desc(), name, &m, cond, insert_only);
    try {
      auto t = ops::async_put_item(std::move(c), std::move(r));
      co_await std::move(t);
    } catch (const conditional_check_failed& e) {
      detail::throw_typed_conflict<M>(e, name);
    }
    co_return m;
  }

  template <class... K>
  static task<void> delete_async(client c, std::string name, condition_expression cond, std::optional<M> instance,
                                 K... parts) {
    item key;
    if constexpr (sizeof...(K) == 0) {
      key = detail::key_of_model(desc(), &*instance);
    } else {
      const void* p[2] = {nullptr, nullptr};
      std::size_t i = 0;
      ((p[i++] = &parts), ...);
      key = detail::key_of_parts(desc(), p[0], p[1]);
    }
    auto r = detail::delete_request(desc(), name, std::move(key), cond, instance ? &*instance : nullptr);
    try {
      auto t = ops::async_delete_item(std::move(c), std::move(r));
      co_await std::move(t);
    } catch (const conditional_check_failed& e) {
      detail::throw_typed_conflict<M>(e, name, is_subtype);
    }
  }

  std::optional<client> client_;
  std::string name_;
};

/// Puts of several items in one transaction, each in its model's table (through `c`).
template <class... M>
void transact_save(const client& c, M&... items) {
  transact_write(c, table<M>(c).tx_put(items)...);
}

}  // namespace dynantic
