#pragma once
/// @file table.hpp
/// dynantic::table<M>: the handle for everything on a model's table (typed CRUD and table management), and
/// the default / scoped client for code that does not pass a client around.

#include <any>
#include <chrono>
#include <cstdio>
#include <tuple>
#include <exception>
#include <future>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <dynantic/bulk/batch.hpp>
#include <dynantic/client.hpp>
#include <dynantic/expr/expr.hpp>
#include <dynantic/expr/update.hpp>
#include <dynantic/model/model.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/ops/operations.hpp>
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
  explicit scoped_client(client c);
  ~scoped_client();
  scoped_client(const scoped_client&) = delete;
  scoped_client& operator=(const scoped_client&) = delete;
};

/// The client a table without its own uses now: the innermost scoped_client, else the default client.
client current_client();

/// A condition written as DynamoDB expression text with its own `#name` / `:value` maps. Typed conditions
/// (attr(&User::age) >= 18) render to this. Placeholders starting with `#dy_` / `:dy_` are reserved.
struct condition_expression {
  std::string expression{};
  ops::attribute_names names{};
  ops::attribute_values values{};
  bool empty() const { return expression.empty(); }
};

/// Tag for batch writes of a model with a version member: BatchWriteItem carries no conditions, so a batch put
/// cannot check the stored version and overwrites whatever is stored (a stale copy wins). Batch writes of such a
/// model need this tag, so that the choice is visible in the code: users.batch_save(dy::ignore_versions, items).
/// transact_save and save() check versions.
struct ignore_versions_t {
  explicit constexpr ignore_versions_t() = default;
};
inline constexpr ignore_versions_t ignore_versions{};

/// Tag of create_table(dy::if_not_exists): an existing table is not an error.
struct if_not_exists_t {
  explicit constexpr if_not_exists_t() = default;
};
inline constexpr if_not_exists_t if_not_exists{};

struct read_options {
  bool consistent_read = false;  ///< strongly consistent read (not on GSIs)
};

/// How create_table() builds the table from the model.
struct table_options {
  ops::billing_mode billing_mode = ops::billing_mode::pay_per_request;
  std::optional<ops::provisioned_throughput> throughput{};  ///< for provisioned tables and their GSIs
  /// Projection per index name; indexes not listed project ALL.
  std::map<std::string, ops::projection, std::less<>> projections{};
  bool wait_until_active = true;
  std::chrono::seconds timeout{60};
};

/// What check_schema() found: one line per difference between the model and the live table.
struct schema_report {
  std::vector<std::string> differences;
  bool ok() const { return differences.empty(); }
};

namespace detail {
/// Polls DescribeTable until the table and its indexes are ACTIVE. @throws error after `timeout`.
ops::table_description wait_until_active(const client& c, const std::string& table, std::chrono::seconds timeout);
/// Compares what the model expects with the live table and its TTL setting.
schema_report compare_schema(const client& c, const ops::create_table_request& expected, const std::string& ttl_attribute);
std::string and_conditions(const std::string& a, const std::string& b);
void merge_condition(const condition_expression& cond, std::string& expression, ops::attribute_names& names,
                     ops::attribute_values& values);


// The façade's work over a model's description (src/table.cpp): table<M> only types keys and results.
item key_item_of(const model_desc& d, const void* model);
/// A transaction action's item as one text: table and key attributes (canonical numbers).
std::string tx_key_text(const std::string& table, const item& key);
/// A typed key (pointers to values of the key members' types; `sk` nullptr without a sort key).
item key_item_from_parts(const model_desc& d, const void* pk, const void* sk);
/// The key parts of a stored item or key item. @throws validation_error
void read_key_parts(const model_desc& d, const item& it, void* pk, void* sk);
std::vector<std::string> key_name_list(const model_desc& d);
/// The batch engine's canonical key text of a model (table + key attributes), without building an item.
std::string key_text_of(const model_desc& d, std::string_view table, const void* model);
/// A typed key as DynamoDB-JSON and as the batch engine's canonical key text.
void key_json_and_text(const model_desc& d, std::string_view table, const void* pk, const void* sk, std::string& json,
                       std::string& text);
/// What every write path does to a model before it is stored: fill empty auto-UUID keys and increment the
/// version. @return the version the stored item is expected to have (0 without a version member).
std::int64_t prepare_write(const model_desc& d, void* model);
/// One put for the batch engine: prepared, encoded straight to DynamoDB-JSON.
/// @throws validation_error (the item's problems; over 400 KB)
write_entry put_entry(const model_desc& d, const std::string& table, const std::vector<std::string>* key_names,
                      void* model);
/// For a subtype, updates, deletes and condition checks hold only when the item is absent or of this subtype.
void add_subtype_guard(const model_desc& d, std::string& expression, ops::attribute_names& names,
                       ops::attribute_values& values);
/// The PutItem of save()/create(): prepares `staged` (auto-UUIDs, version) and adds the version condition.
ops::put_item_request put_request(const model_desc& d, const std::string& table, void* staged,
                                  const condition_expression& cond, bool insert_only);
/// The DeleteItem of delete_item(): with `model`, only while its version is current.
ops::delete_item_request delete_request(const model_desc& d, const std::string& table, item key,
                                        const condition_expression& cond, const void* model);
/// The CreateTable request of a model (keys from `d`, indexes from every model of its family).
ops::create_table_request table_definition(const model_desc& d, std::span<const model_desc* const> family,
                                           const std::string& table, const table_options& o);
struct index_keys_info {
  std::string partition, sort;
  std::vector<std::string> position;  // index keys, then table keys
  char partition_scalar = 'S';        // 'S', 'N' or 'B'
};
/// A partition key value for an index named at run time. @throws validation_error when its type is not the key's
void check_index_key_value(const index_keys_info& ix, std::string_view index, const attribute_value& v);
/// The keys of a declared index. @throws validation_error for an index no model of the family declares
index_keys_info index_keys(const model_desc& d, std::span<const model_desc* const> family, std::string_view index);
/// update(): the item must exist; upsert(): it may be created, so every required member must be set.
enum class update_mode { update, upsert };
/// The UpdateItem of an update: keys refused, TTL converted, version incremented, the existence condition
/// (update) or the required members checked (upsert), subtype tag and guard.
ops::update_item_request build_update(const model_desc& d, const std::string& table, const item& key,
                                      std::vector<update_action> actions, const cond_node* cond,
                                      ops::return_values rv, update_mode mode);

/// The key type of a declaration without a partition key (already an error at the declaration): accepts any
/// value, so that uses of table<M> add no errors of their own.
struct no_partition_key {
  no_partition_key() = default;
  template <class T>
  no_partition_key(const T&) noexcept {}
};

/// The descriptions of a model's family (itself, or a polymorphic base and its subtypes).
template <class M>
std::span<const model_desc* const> family_descs() {
  static const auto list = [] {
    std::vector<const model_desc*> v;
    for_each_in_family<M>([&](auto* p) { v.push_back(&desc_of<std::remove_pointer_t<decltype(p)>>()); });
    return v;
  }();
  return list;
}
}  // namespace detail

/// conditional_check_failed from a table<M> write, with the stored item decoded into the model (when
/// DynamoDB returned it and it decodes). Catch either this or the untyped base.
template <class M>
class conditional_check_failed_for : public conditional_check_failed {
 public:
  explicit conditional_check_failed_for(const conditional_check_failed& e) : conditional_check_failed(e) {}
  /// The stored item as M (for a polymorphic base: the variant of its subtypes), decoded from old_item() when
  /// asked for; nothing when DynamoDB did not return it or it does not decode (old_item() still has it).
  std::optional<result_t<M>> old_model() const {
    if (!old_item()) return std::nullopt;
    try {
      return detail::decode_stored<M>(*old_item());
    } catch (const error&) {
      return std::nullopt;
    }
  }
};

/// What an update returned (ReturnValues): the whole item for all_old/all_new, the touched attributes
/// for updated_old/updated_new.
template <class M>
struct update_result {
  std::optional<item> attributes;
  /// The returned item as the model (for all_old / all_new). @throws validation_error for partial items.
  std::optional<result_t<M>> model() const {
    if (!attributes) return std::nullopt;
    return detail::decode_stored<M>(*attributes);
  }
  /// One returned attribute, typed (for updated_old / updated_new): nothing when it was not returned.
  /// @throws validation_error when it does not convert.
  template <class U, class C>
  std::optional<U> get(U C::*member) const {
    if (!attributes) return std::nullopt;
    auto name = detail::stored_name<M>(member);
    auto it = attributes->find(name);
    if (it == attributes->end()) return std::nullopt;
    conversion_context c;
    conversion_context::scope s(c, name);
    U v{};
    converter<U>::from_attribute(it->second, v, c);
    c.throw_if_failed();
    return v;
  }
};

template <model M>
class table;
template <model M>
class batch_writer;
class multi_writer;

/// batch_write_incomplete from a table<M> batch: the unapplied requests also as typed puts and keys (decoded
/// from unapplied() when asked for: a batch that succeeds pays nothing for them).
template <class M>
class batch_write_incomplete_for : public batch_write_incomplete {
 public:
  using key_type = typename table<M>::key_type;
  explicit batch_write_incomplete_for(const batch_write_incomplete& e) : batch_write_incomplete(e) {}
  /// The items whose puts were not applied (as they were sent: auto-UUIDs filled, versions incremented).
  std::vector<M> unapplied_puts() const;
  /// The keys whose deletes were not applied.
  std::vector<key_type> unapplied_deletes() const;
};

/// batch_get_incomplete from table<M>::batch_get: what was fetched as models, what was not as typed keys
/// (decoded from fetched() and not_fetched() when asked for).
template <class M>
class batch_get_incomplete_for : public batch_get_incomplete {
 public:
  using key_type = typename table<M>::key_type;
  explicit batch_get_incomplete_for(const batch_get_incomplete& e) : batch_get_incomplete(e) {}
  /// The items fetched before the batch gave up (those that decode into the model).
  std::vector<result_t<M>> fetched_models() const;
  std::vector<key_type> not_fetched_keys() const;
};

/// One action of transact_write built by table<M> (tx_put, tx_delete, tx_check): the request, and the model
/// its stored item decodes into when the transaction is canceled.
template <class M>
struct tx_action : ops::transact_write {
  using model_type = M;
  std::string key_text{};  ///< the item's key (detail::tx_key_text): a transaction touches an item once
};

/// One get of transact_get, built by table<M>::tx_get: the table and the key (owned: it outlives the table
/// handle it came from).
template <class M>
struct tx_get_action {
  std::string table;
  item key;
};

/// table<M>::update(key...) and upsert(key...): the update actions (update_expression), a condition, and what
/// to return. Holds its own copy of the table handle, so an updater of a temporary table is safe.
template <class M>
class updater : public update_expression<M, updater<M>> {
 public:
  updater(const table<M>& t, item key, detail::update_mode mode)
      : table_(t), key_(std::move(key)), mode_(mode) {}
  template <class C>
  updater& condition(const dynantic::condition<C>& c) {
    static_assert(std::is_same_v<C, M> || std::is_void_v<C>, "dynantic: the condition is on another model");
    cond_ = cond_.empty() ? dynantic::condition<M>(c.node()) : (cond_ && c);
    return *this;
  }
  updater& return_values(ops::return_values r) {
    return_ = r;
    return *this;
  }
  /// Sends the UpdateItem.
  /// @throws validation_error (empty update, key attributes, an upsert that leaves a required member unset;
  ///         nothing sent), item_not_found (update() of a key without an item), conditional_check_failed_for<M>
  ///         (the condition), wrong_subtype (the item is another subtype)
  update_result<M> execute() const;
  /// The same update as one action of transact_write.
  ops::transact_write as_transaction() const;

 private:
  table<M> table_;
  item key_;
  dynantic::condition<M> cond_;
  ops::return_values return_ = ops::return_values::none;
  detail::update_mode mode_;
};

/// The handle for a model's table. Cheap to copy. Without a client of its own it uses current_client() at
/// each call.
template <model M>
class table {
  using info = detail::model_info_t<M>;

 public:
  using model_type = M;
  /// What reads give: M, or std::variant<Subtypes...> when M is a polymorphic base (DYNANTIC_SUBTYPES).
  using result_type = result_t<M>;
  static constexpr bool is_polymorphic = detail::polymorphic_base<M>;
  static constexpr bool is_subtype = detail::subtype<M>;
  static constexpr bool has_sort_key = detail::has_role<M, detail::role::sort_key>;
  static constexpr bool has_version = detail::has_role<M, detail::role::version>;
  static constexpr bool has_ttl = detail::has_role<M, detail::role::ttl>;
  /// The table has a TTL attribute: M's, or for single-table designs that of the base or any subtype.
  static constexpr bool table_has_ttl = !detail::family_ttl_attribute<M>().empty();
  /// The partition key's type (`no_partition_key` for a declaration without one: its own static_assert is then
  /// the one error, not every signature of this class).
  using partition_key_type =
      std::conditional_t<detail::has_role<M, detail::role::partition_key>,
                         typename detail::role_type<M, detail::role::partition_key>::type, detail::no_partition_key>;
  /// The sort key's type; `no_sort_key` for tables without one.
  using sort_key_type = std::conditional_t<has_sort_key, typename detail::role_type<M, detail::role::sort_key>::type,
                                           struct no_sort_key>;

  /// The key of one item: the partition key, or (partition, sort) for tables with a sort key.
  using key_type = std::conditional_t<has_sort_key, std::pair<partition_key_type, sort_key_type>, partition_key_type>;

  /// Uses current_client() at each call; the table name from the model.
  table() : name_(detail::model_v<M>.table) {}
  explicit table(client c) : client_(std::move(c)), name_(detail::model_v<M>.table) {}
  /// Another table name than the model's (tests, per-tenant tables).
  /// @throws validation_error when the name breaks DynamoDB's rule (3 to 255 of A-Z a-z 0-9 _ . -)
  table(client c, std::string table_name) : client_(std::move(c)), name_(std::move(table_name)) {
    if (!detail::valid_table_name(name_)) {
      throw validation_error("table", "'" + name_ + "' is not a valid table name: 3 to 255 characters of A-Z a-z 0-9 _ . -");
    }
  }

  const std::string& name() const { return name_; }

  // ------------------------------------------------------------ writes

  /// PutItem (upsert). Fills empty auto-UUID keys, converts TTL, and with a version member writes only when
  /// the stored version is the one `m` holds (or no item exists for version 0), then increments `m`'s version.
  /// @throws validation_error (nothing sent), conditional_check_failed (condition or version conflict)
  M& save(M& m, const condition_expression& cond = {}) const {
    put(m, cond, /*insert_only=*/false);
    return m;
  }
  M save(M&& m, const condition_expression& cond = {}) const {
    put(m, cond, false);
    return std::move(m);
  }
  /// save() only when the typed condition holds: users.save(u, attr(&User::status) == Status::active).
  template <class C>
  M& save(M& m, const condition<C>& cond) const {
    put(m, to_expression(cond), false);
    return m;
  }
  template <class C>
  M save(M&& m, const condition<C>& cond) const {
    put(m, to_expression(cond), false);
    return std::move(m);
  }

  /// Through a polymorphic base: saves (upserts) a subtype in this table, exactly as table<S>::save.
  template <class S>
    requires detail::subtype_of_base<S, M>
  S& save(S& s, const condition_expression& cond = {}) const {
    table<S>(current(), name_).save(s, cond);
    return s;
  }
  template <class S>
    requires detail::subtype_of_base<S, M>
  S save(S&& s, const condition_expression& cond = {}) const {
    table<S>(current(), name_).save(s, cond);
    return std::move(s);
  }
  /// Through a polymorphic base: inserts a subtype (fails when an item with the key exists).
  template <class S>
    requires detail::subtype_of_base<S, M>
  S& create(S& s, const condition_expression& cond = {}) const {
    table<S>(current(), name_).create(s, cond);
    return s;
  }

  /// Insert only: like save, but fails with conditional_check_failed when an item with the key exists.
  M& create(M& m, const condition_expression& cond = {}) const {
    put(m, cond, /*insert_only=*/true);
    return m;
  }
  M create(M&& m, const condition_expression& cond = {}) const {
    put(m, cond, true);
    return std::move(m);
  }
  template <class C>
  M& create(M& m, const condition<C>& cond) const {
    put(m, to_expression(cond), true);
    return m;
  }
  template <class C>
  M create(M&& m, const condition<C>& cond) const {
    put(m, to_expression(cond), true);
    return std::move(m);
  }

  // ------------------------------------------------------------ reads

  /// GetItem by partition key. @return nothing when no item has the key.
  std::optional<result_type> get(const partition_key_type& pk, read_options o = {}) const
    requires(!has_sort_key)
  {
    return get_by_key(make_key(pk), o);
  }
  /// GetItem by partition and sort key.
  std::optional<result_type> get(const partition_key_type& pk, const sort_key_type& sk, read_options o = {}) const
    requires has_sort_key
  {
    return get_by_key(make_key(pk, sk), o);
  }

  // ------------------------------------------------------------ deletes

  void delete_item(const partition_key_type& pk, const condition_expression& cond = {}) const
    requires(!has_sort_key)
  {
    remove(make_key(pk), cond, nullptr);
  }
  void delete_item(const partition_key_type& pk, const sort_key_type& sk, const condition_expression& cond = {}) const
    requires has_sort_key
  {
    remove(make_key(pk, sk), cond, nullptr);
  }
  /// Deletes `m`'s item; with a version member only when the stored version is still `m`'s.
  void delete_item(const M& m, const condition_expression& cond = {}) const { remove(key_of(m), cond, &m); }
  template <class C>
  void delete_item(const M& m, const condition<C>& cond) const {
    remove(key_of(m), to_expression(cond), &m);
  }
  template <class C>
  void delete_item(const partition_key_type& pk, const condition<C>& cond) const
    requires(!has_sort_key)
  {
    remove(make_key(pk), to_expression(cond), nullptr);
  }
  template <class C>
  void delete_item(const partition_key_type& pk, const sort_key_type& sk, const condition<C>& cond) const
    requires has_sort_key
  {
    remove(make_key(pk, sk), to_expression(cond), nullptr);
  }

  // ------------------------------------------------------------ updates

  /// UpdateItem of an existing item: users.update("u-1", "a@x").add(&User::balance, 5).remove(&User::age)
  /// .execute(). A key without an item throws item_not_found and writes nothing.
  updater<M> update(const partition_key_type& pk) const
    requires(!has_sort_key)
  {
    return updater<M>(*this, make_key(pk), detail::update_mode::update);
  }
  updater<M> update(const partition_key_type& pk, const sort_key_type& sk) const
    requires has_sort_key
  {
    return updater<M>(*this, make_key(pk, sk), detail::update_mode::update);
  }
  /// UpdateItem that creates the item when the key has none: it must set every required member (members
  /// that are neither std::optional, omittable nor declared with default_value), checked before sending.
  updater<M> upsert(const partition_key_type& pk) const
    requires(!has_sort_key)
  {
    return updater<M>(*this, make_key(pk), detail::update_mode::upsert);
  }
  updater<M> upsert(const partition_key_type& pk, const sort_key_type& sk) const
    requires has_sort_key
  {
    return updater<M>(*this, make_key(pk, sk), detail::update_mode::upsert);
  }

  // ------------------------------------------------------------ transaction actions (see transact_write)

  /// A put for transact_write: auto-UUIDs, TTL and the version condition/increment as in save().
  tx_action<M> tx_put(M m, const condition_expression& cond = {}) const {
    auto r = put_request(m, cond, false);
    tx_action<M> t;
    t.type = ops::transact_write::kind::put;
    t.table_name = r.table_name;
    t.data_json = std::move(r.item_json);  // encoded once, by put_request
    t.key_text = detail::tx_key_text(name_, detail::key_item_of(desc(), &m));
    t.condition_expression = std::move(r.condition_expression);
    t.expression_attribute_names = std::move(r.expression_attribute_names);
    t.expression_attribute_values = std::move(r.expression_attribute_values);
    t.return_old_on_condition_failure = true;
    return t;
  }
  template <class C>
  tx_action<M> tx_put(M m, const condition<C>& cond) const {
    return tx_put(std::move(m), to_expression(cond));
  }
  /// A delete for transact_write.
  template <class C = M>
  tx_action<M> tx_delete(const key_type& k, const condition<C>& cond = {}) const {
    return tx_keyed(ops::transact_write::kind::delete_, k, to_expression(cond));
  }
  /// A condition check for transact_write (the transaction fails when it does not hold).
  template <class C>
  tx_action<M> tx_check(const key_type& k, const condition<C>& cond) const {
    if (cond.empty()) throw validation_error("condition", "a condition check needs a condition");
    return tx_keyed(ops::transact_write::kind::condition_check, k, to_expression(cond));
  }
  /// An update for transact_write: build it like update(), then pass it (or .as_transaction()). The item must
  /// exist (else the transaction is canceled with ConditionalCheckFailed for this action).
  updater<M> tx_update(const key_type& k) const { return updater<M>(*this, key_item(k), detail::update_mode::update); }
  /// An upsert for transact_write (see upsert()).
  updater<M> tx_upsert(const key_type& k) const { return updater<M>(*this, key_item(k), detail::update_mode::upsert); }
  /// A get for transact_get.
  tx_get_action<M> tx_get(const key_type& k) const { return {name_, key_item(k)}; }

  // ------------------------------------------------------------ batches


  /// Writes every item (BatchWriteItem, 25 per request, concurrent, unprocessed items retried). Fills
  /// auto-UUID keys like save(). Two items with one key: the last wins. @return the items as written.
  /// A model with a version member needs batch_save(dy::ignore_versions, items): see ignore_versions_t.
  /// @throws validation_error (every problem, nothing sent), batch_write_incomplete (what was not applied)
  std::vector<M> batch_save(std::vector<M> items, const batch_options& o = {}) const {
    static_assert(!has_version,
                  "dynantic: BatchWriteItem cannot check versions: a batch put overwrites newer items of a versioned "
                  "model. Use transact_save (checked), or batch_save(dy::ignore_versions, items) to overwrite");
    return batch_save(ignore_versions, std::move(items), o);
  }
  /// batch_save of a versioned model: versions are incremented as in save(), but not checked.
  std::vector<M> batch_save(ignore_versions_t, std::vector<M> items, const batch_options& o = {}) const {
    std::vector<detail::write_entry> entries;
    entries.reserve(items.size());
    std::vector<validation_issue> issues;
    for (std::size_t i = 0; i < items.size(); ++i) add_put(entries, items[i], i, issues);
    if (!issues.empty()) throw validation_error(std::move(issues));
    try {
      detail::run_batch_write(current(), std::move(entries), o);
    } catch (const batch_write_incomplete& e) {
      rethrow_typed(e);
    }
    return items;
  }

  /// Deletes every key (BatchWriteItem). @throws batch_write_incomplete
  void batch_delete(const std::vector<key_type>& keys, const batch_options& o = {}) const {
    std::vector<detail::write_entry> entries;
    entries.reserve(keys.size());
    for (const auto& k : keys) entries.push_back(delete_entry(k));
    try {
      detail::run_batch_write(current(), std::move(entries), o);
    } catch (const batch_write_incomplete& e) {
      rethrow_typed(e);
    }
  }

  /// Fetches every key (BatchGetItem, 100 per request, each key asked once). result[i] answers keys[i]:
  /// nothing when no item has that key. @throws batch_get_incomplete (with the items fetched so far)
  std::vector<std::optional<result_type>> batch_get(const std::vector<key_type>& keys, const batch_options& o = {},
                                                    read_options r = {}) const {
    std::vector<detail::get_entry> entries(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      auto& e = entries[i];
      e.table = name_;
      e.key_names = &key_names();
      if constexpr (has_sort_key) detail::key_json_and_text(desc(), name_, &keys[i].first, &keys[i].second, e.key_json, e.key_text);
      else detail::key_json_and_text(desc(), name_, &keys[i], nullptr, e.key_json, e.key_text);
    }
    std::vector<std::optional<result_type>> out(keys.size());
    std::vector<std::size_t> first;
    try {
      // each item decoded straight from the parsed answer into its slot
      first = detail::run_batch_get_visit(current(), entries, r.consistent_read, o,
                                          [&](std::size_t i, const detail::wire_value& v) {
                                            out[i] = detail::decode_read<M>(name_, v);
                                          });
    } catch (const batch_get_incomplete& e) {
      throw batch_get_incomplete_for<M>(e);
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (first[i] != i) out[i] = out[first[i]];  // a key asked twice
    }
    return out;
  }

  /// A buffered writer: save()/delete_item() collect requests and send them 25 at a time; flush() sends the
  /// rest; the destructor flushes (see batch_writer for what happens on failure or with an exception in flight).
  /// A model with a version member needs batch_writer(dy::ignore_versions): see ignore_versions_t.
  dynantic::batch_writer<M> batch_writer(batch_options o = {}) const {
    static_assert(!has_version,
                  "dynantic: BatchWriteItem cannot check versions: a batch writer overwrites newer items of a "
                  "versioned model. Use transact_save (checked), or batch_writer(dy::ignore_versions) to overwrite");
    return dynantic::batch_writer<M>(*this, std::move(o));
  }
  dynantic::batch_writer<M> batch_writer(ignore_versions_t, batch_options o = {}) const {
    return dynantic::batch_writer<M>(*this, std::move(o));
  }

  // ------------------------------------------------------------ query and scan

  using sort_value_type = std::conditional_t<has_sort_key, detail::value_of_or_void_t<sort_key_type>, void>;

  /// Query by partition key; add sort-key conditions (eq, lt, le, gt, ge, between, starts_with), filter, limit...
  dynantic::query<M, sort_value_type> query(const partition_key_type& pk) const {
    auto names = key_names();
    std::string sk = has_sort_key ? names.at(1) : std::string();
    return dynantic::query<M, sort_value_type>({current(), name_, {}, names}, names.at(0), make_key(pk).begin()->second, sk);
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
      auto ix = detail::index_keys(desc(), detail::family_descs<M>(), Index.view());
      return dynantic::query<M, S>({current(), name_, std::string(Index.view()), ix.position}, ix.partition,
                                   detail::to_operand<detail::value_of<P>>(pk), ix.sort);
    }
  }
  /// Query an index named at run time. The partition key value's DynamoDB type is checked against the index's
  /// before sending; sort key conditions are checked by DynamoDB. Prefer query_index<"name">(value).
  /// @throws validation_error (an index the model does not declare, a value of the wrong type)
  template <class V>
  dynantic::query<M, detail::any_value> query_index(std::string_view index, const V& pk) const {
    auto ix = detail::index_keys(desc(), detail::family_descs<M>(), index);
    attribute_value value = detail::to_operand<detail::any_value>(pk);
    detail::check_index_key_value(ix, index, value);
    return dynantic::query<M, detail::any_value>({current(), name_, std::string(index), ix.position},
                                                  ix.partition, std::move(value), ix.sort);
  }
  dynantic::scan<M> scan() const { return dynantic::scan<M>({current(), name_, {}, key_names()}); }
  /// Scan a declared index (the name checked at compile time).
  template <detail::fixed_string Index>
  dynantic::scan<M> scan_index() const {
    static_assert(!std::is_void_v<typename detail::index_types<M, Index>::partition>,
                  "dynantic: the model declares no index of this name (gsi_key or lsi_sort_key)");
    return scan_index(Index.view());
  }
  /// Scan an index named at run time. @throws validation_error for an index the model does not declare
  dynantic::scan<M> scan_index(std::string_view index) const {
    auto ix = detail::index_keys(desc(), detail::family_descs<M>(), index);
    return dynantic::scan<M>({current(), name_, std::string(index), ix.position});
  }

  // ------------------------------------------------------------ keys and conversion

  /// The key attributes of `m` as DynamoDB stores them.
  item key_of(const M& m) const { return detail::key_item_of(desc(), &m); }

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
    auto c = current();
    auto d = ops::create_table(c, table_definition(o));
    if (o.wait_until_active) {
      d = detail::wait_until_active(c, name_, o.timeout);
      if constexpr (table_has_ttl) enable_ttl();
    }
    return d;
  }
  /// create_table() unless the table exists (then waits until it is ACTIVE, as create_table() would, and
  /// returns its description; its schema is not compared: see check_schema()).
  ops::table_description create_table(if_not_exists_t, const table_options& o = {}) const {
    try {
      return create_table(o);
    } catch (const table_in_use&) {
      return o.wait_until_active ? wait_until_active(o.timeout) : ops::describe_table(current(), name_);
    }
  }
  ops::table_description wait_until_active(std::chrono::seconds timeout = std::chrono::seconds(60)) const {
    return detail::wait_until_active(current(), name_, timeout);
  }
  void delete_table() const { ops::delete_table(current(), name_); }
  bool exists() const {
    try {
      ops::describe_table(current(), name_);
      return true;
    } catch (const table_not_found&) {
      return false;
    }
  }
  /// UpdateTimeToLive on the model's ttl attribute.
  void enable_ttl() const
    requires table_has_ttl
  {
    ops::update_time_to_live(current(), name_, {true, std::string(ttl_name())});
  }
  /// Every difference between the model and the live table (keys, attribute types, indexes, TTL).
  schema_report check_schema(const table_options& o = {}) const {
    std::string ttl;
    if constexpr (table_has_ttl) ttl = ttl_name();
    return detail::compare_schema(current(), table_definition(o), ttl);
  }

 private:
  friend class updater<M>;
  friend class dynantic::batch_writer<M>;
  friend class multi_writer;
  friend class batch_write_incomplete_for<M>;
  friend class batch_get_incomplete_for<M>;

  // ---- plumbing of the batch engine and the writers

  /// Rethrows a batch failure of this table with the unapplied requests typed.
  [[noreturn]] void rethrow_typed(const batch_write_incomplete& e) const { throw batch_write_incomplete_for<M>(e); }

  /// The typed key of a stored item or key item. @throws validation_error
  static key_type key_from_item(const item& it) {
    partition_key_type pk{};
    if constexpr (has_sort_key) {
      sort_key_type sk{};
      detail::read_key_parts(desc(), it, &pk, &sk);
      return key_type(std::move(pk), std::move(sk));
    } else {
      detail::read_key_parts(desc(), it, &pk, nullptr);
      return pk;
    }
  }

  /// One put for the batch engine: auto-UUIDs filled, version incremented, encoded straight to DynamoDB-JSON.
  /// @throws validation_error (the item's problems; over 400 KB)
  detail::write_entry put_entry(M& m) const {
    static_assert(!is_polymorphic,
                  "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    return detail::put_entry(desc(), name_, &key_names(), &m);
  }
  /// put_entry() for item i of a batch, collecting its problems as `[i].path`.
  void add_put(std::vector<detail::write_entry>& entries, M& m, std::size_t i, std::vector<validation_issue>& issues) const {
    try {
      entries.push_back(put_entry(m));
    } catch (const validation_error& e) {
      for (const auto& is : e.issues()) {
        issues.push_back({"[" + std::to_string(i) + "]" + (is.path.empty() ? "" : "." + is.path), is.message});
      }
    }
  }
  /// One delete for the batch engine.
  detail::write_entry delete_entry(const key_type& k) const {
    return {name_, ops::write_request::delete_key(key_item(k)), &key_names(), {}, {}};
  }

  client current() const { return client_ ? *client_ : current_client(); }

  template <class C>
  static condition_expression to_expression(const condition<C>& cond) {
    static_assert(std::is_same_v<C, M> || std::is_void_v<C>, "dynantic: the condition is on another model");
    render_context ctx;
    condition_expression e;
    e.expression = cond.render(ctx);
    e.names = std::move(ctx.names());
    e.values = std::move(ctx.values());
    return e;
  }

  // The key attributes, partition key first (one list per model; the batch engine keeps pointers to it).
  static const std::vector<std::string>& key_names() {
    static const std::vector<std::string> names = detail::key_name_list(desc());
    return names;
  }
  static const detail::model_desc& desc() { return detail::desc_of<M>(); }

  // `guarded`: the request carried the subtype guard, so a stored item of another subtype is why it failed.
  [[noreturn]] static void rethrow_typed(const conditional_check_failed& e, bool guarded = false) {
    if constexpr (is_subtype) {
      if (guarded && e.old_item()) detail::require_tag<M>(*e.old_item());  // throws wrong_subtype
    }
    throw conditional_check_failed_for<M>(e);
  }

  static constexpr std::string_view ttl_name() {
    return detail::family_ttl_attribute<M>();
  }

  item make_key(const partition_key_type& pk) const { return detail::key_item_from_parts(desc(), &pk, nullptr); }
  item make_key(const partition_key_type& pk, const sort_key_type& sk) const
    requires has_sort_key
  {
    return detail::key_item_from_parts(desc(), &pk, &sk);
  }

  tx_action<M> tx_keyed(ops::transact_write::kind kind, const key_type& k, condition_expression cond) const {
    tx_action<M> t;
    t.type = kind;
    t.table_name = name_;
    t.data = key_item(k);
    detail::add_subtype_guard(desc(), t.condition_expression, t.expression_attribute_names, t.expression_attribute_values);
    detail::merge_condition(cond, t.condition_expression, t.expression_attribute_names, t.expression_attribute_values);
    t.return_old_on_condition_failure = !t.condition_expression.empty();
    return t;
  }

  item key_item(const key_type& k) const {
    if constexpr (has_sort_key) return make_key(k.first, k.second);
    else return make_key(k);
  }

  std::optional<result_type> get_by_key(item key, read_options o) const {
    auto r = ops::get_item(current(), {.table_name = name_, .key = std::move(key), .consistent_read = o.consistent_read});
    if (!r.item) return std::nullopt;
    return detail::decode_read<M>(name_, *r.item);
  }

  ops::put_item_request put_request(M& staged, const condition_expression& cond, bool insert_only) const {
    static_assert(!is_polymorphic,
                  "dynantic: write subtypes (table<Subtype>), not the polymorphic base: stored items need a subtype's tag");
    return detail::put_request(desc(), name_, &staged, cond, insert_only);
  }

  void put(M& m, const condition_expression& cond, bool insert_only) const {
    M staged = m;  // m changes only when the write succeeded
    auto r = put_request(staged, cond, insert_only);
    try {
      ops::put_item(current(), r);
    } catch (const conditional_check_failed& e) {
      rethrow_typed(e);
    }
    m = std::move(staged);
  }

  void remove(item key, const condition_expression& cond, const M* instance) const {
    auto r = detail::delete_request(desc(), name_, std::move(key), cond, instance);
    try {
      ops::delete_item(current(), r);
    } catch (const conditional_check_failed& e) {
      rethrow_typed(e, is_subtype);
    }
  }

  std::optional<client> client_;
  std::string name_;
};

/// Buffers writes to one table and sends them with the batch engine, 25 per request (DynamoDB's limit).
///
/// Sending does not stall the caller: when 25 requests are buffered they go out on a background flush while
/// save()/delete_item() keep buffering; one flush is in flight at a time (so a later request for a key always
/// lands after an earlier one), and the next flush carries everything buffered meanwhile, sent concurrently
/// by the batch engine (max_in_flight). The caller waits only when the buffer reaches
/// 50 x max_in_flight requests while a flush is still running. `batch_options::background_flush = false`
/// sends synchronously instead. The writer uses the table's client as of its creation.
///
/// Failures: a background flush that failed is thrown (batch_write_incomplete_for<M>, with exactly the requests
/// not applied) by the next save(), delete_item() or flush(). The destructor cannot throw: it waits for the
/// flush in flight, flushes the rest, and hands any failure to the `on_failure` handler (default: print every
/// unapplied request to stderr, its key as a digest), so nothing is lost silently.
///
/// With an exception in flight (the writer's scope is left by an exception), buffered requests are NOT sent
/// — the block that produced them failed — and are handed to `on_failure` as unapplied instead. Requests
/// already flushed stay written. Call flush() before leaving the scope to write them anyway.
template <model M>
class batch_writer {
 public:
  using failure_handler = std::function<void(const batch_write_incomplete_for<M>&)>;

  /// Keeps its own copy of the table handle: a writer of a temporary table is safe.
  batch_writer(const table<M>& t, batch_options o = {})
      : table_(t), buffer_(t.current(), std::move(o)), exceptions_at_start_(std::uncaught_exceptions()) {}
  batch_writer(const batch_writer&) = delete;
  batch_writer& operator=(const batch_writer&) = delete;
  batch_writer(batch_writer&& other) noexcept = default;
  ~batch_writer() {
    buffer_.finish(std::uncaught_exceptions() > exceptions_at_start_,
                   [this](const batch_write_incomplete& e) { report(typed(e)); });
  }

  /// Called with what the destructor could not write (default: stderr gets each request's table, kind and a
  /// digest of its key; key values are not logged).
  batch_writer& on_failure(failure_handler h) {
    on_failure_ = std::move(h);
    return *this;
  }

  /// Buffers a put: auto-UUIDs, version increment and validation happen now (@throws validation_error, nothing
  /// buffered); starts a flush when 25 requests are buffered. @throws batch_write_incomplete_for<M> when the
  /// previous background flush failed.
  void save(M m) { add(table_.put_entry(m)); }
  /// Buffers a delete by key; starts a flush when 25 requests are buffered.
  void delete_item(const typename table<M>::key_type& key) { add(table_.delete_entry(key)); }
  /// Waits for the flush in flight and sends everything buffered. @throws batch_write_incomplete_for<M> (the
  /// buffer is emptied either way: what was not applied is in the error)
  void flush() {
    try {
      buffer_.flush();
    } catch (const batch_write_incomplete& e) {
      table_.rethrow_typed(e);
    }
  }
  /// Requests buffered and not yet handed to a flush.
  std::size_t pending() const { return buffer_.pending(); }

 private:
  void add(detail::write_entry e) {
    try {
      buffer_.add(std::move(e));
    } catch (const batch_write_incomplete& err) {
      table_.rethrow_typed(err);
    }
  }
  static batch_write_incomplete_for<M> typed(const batch_write_incomplete& e) { return batch_write_incomplete_for<M>(e); }
  void report(const batch_write_incomplete_for<M>& e) {
    if (on_failure_) return on_failure_(e);
    std::fprintf(stderr, "%s\n", e.what());
    for (const auto& [t, r] : e.unapplied()) {
      std::fprintf(stderr, "  not applied: %s\n", detail::describe_unapplied(t, r, &table_.key_names()).c_str());
    }
  }

  table<M> table_;
  detail::write_buffer buffer_;
  failure_handler on_failure_;
  int exceptions_at_start_;
};

/// A batch writer for several tables and models at once: w.save(users, u); w.save(orders, o);
/// w.delete_item(users, key). Requests to different tables share BatchWriteItem requests (25 per request).
/// Sending, ordering and failures as for batch_writer, with untyped errors (batch_write_incomplete lists each
/// unapplied request with its table). Sends through the client given here.
class multi_writer {
 public:
  using failure_handler = std::function<void(const batch_write_incomplete&)>;

  explicit multi_writer(client c, batch_options o = {})
      : buffer_(std::move(c), std::move(o)), exceptions_at_start_(std::uncaught_exceptions()) {}
  multi_writer(const multi_writer&) = delete;
  multi_writer& operator=(const multi_writer&) = delete;
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
  /// batch_write_incomplete (of an earlier background flush)
  /// A model with a version member needs save(dy::ignore_versions, t, m): see ignore_versions_t.
  template <model M>
  void save(const table<M>& t, M m) {
    static_assert(!table<M>::has_version,
                  "dynantic: BatchWriteItem cannot check versions: a batch put overwrites newer items of a versioned "
                  "model. Use transact_save (checked), or save(dy::ignore_versions, table, item) to overwrite");
    buffer_.add(t.put_entry(m));
  }
  template <model M>
  void save(ignore_versions_t, const table<M>& t, M m) {
    buffer_.add(t.put_entry(m));
  }
  /// Buffers a delete from `t`'s table.
  template <model M>
  void delete_item(const table<M>& t, const typename table<M>::key_type& key) {
    buffer_.add(t.delete_entry(key));
  }
  /// Waits for the flush in flight and sends everything buffered. @throws batch_write_incomplete
  void flush() { buffer_.flush(); }
  std::size_t pending() const { return buffer_.pending(); }

 private:
  void report(const batch_write_incomplete& e) {
    if (on_failure_) return on_failure_(e);
    std::fprintf(stderr, "%s\n", e.what());
    for (const auto& [t, r] : e.unapplied()) {
      std::fprintf(stderr, "  not applied: %s\n", detail::describe_unapplied(t, r, nullptr).c_str());
    }
  }

  detail::write_buffer buffer_;
  failure_handler on_failure_;
  int exceptions_at_start_;
};

template <class M>
std::vector<M> batch_write_incomplete_for<M>::unapplied_puts() const {
  std::vector<M> puts;
  for (const auto& [t, r] : unapplied()) {
    if (r.type != ops::write_request::kind::put) continue;
    try {
      puts.push_back(from_item<M>(r.data));
    } catch (const error&) {  // not this model's: unapplied() still lists it
    }
  }
  return puts;
}

template <class M>
auto batch_write_incomplete_for<M>::unapplied_deletes() const -> std::vector<key_type> {
  std::vector<key_type> deletes;
  for (const auto& [t, r] : unapplied()) {
    if (r.type != ops::write_request::kind::delete_) continue;
    try {
      deletes.push_back(table<M>::key_from_item(r.data));
    } catch (const error&) {  // not this model's: unapplied() still lists it
    }
  }
  return deletes;
}

template <class M>
std::vector<result_t<M>> batch_get_incomplete_for<M>::fetched_models() const {
  std::vector<result_t<M>> out;
  for (const auto& [t, it] : fetched()) {
    try {
      out.push_back(detail::decode_stored<M>(it));
    } catch (const error&) {  // fetched() still has it
    }
  }
  return out;
}

template <class M>
auto batch_get_incomplete_for<M>::not_fetched_keys() const -> std::vector<key_type> {
  std::vector<key_type> out;
  for (const auto& [t, k] : not_fetched()) out.push_back(table<M>::key_from_item(k));
  return out;
}

template <class M>
update_result<M> updater<M>::execute() const {
  auto r = detail::build_update(detail::desc_of<M>(), table_.name(), key_, this->actions(), cond_.node().get(), return_,
                                mode_);
  try {
    return {ops::update_item(table_.current(), r).attributes};
  } catch (const conditional_check_failed& e) {
    // Every update carries a condition that asks for the stored item on failure: none means there is none.
    if (mode_ == detail::update_mode::update && !e.old_item()) throw item_not_found(e, table_.name(), key_);
    table<M>::rethrow_typed(e, table<M>::is_subtype);
  }
}

template <class M>
ops::transact_write updater<M>::as_transaction() const {
  auto r = detail::build_update(detail::desc_of<M>(), table_.name(), key_, this->actions(), cond_.node().get(),
                               ops::return_values::none, mode_);
  ops::transact_write t;
  t.type = ops::transact_write::kind::update;
  t.table_name = std::move(r.table_name);
  t.data = std::move(r.key);
  t.update_expression = std::move(r.update_expression);
  t.condition_expression = std::move(r.condition_expression);
  t.expression_attribute_names = std::move(r.expression_attribute_names);
  t.expression_attribute_values = std::move(r.expression_attribute_values);
  t.return_old_on_condition_failure = !t.condition_expression.empty();
  return t;
}

// ------------------------------------------------------------------ transactions

namespace detail {
inline ops::transact_write to_action(ops::transact_write a) { return a; }
template <class M>
ops::transact_write to_action(const updater<M>& u) {
  return u.as_transaction();
}
template <class A>
struct action_model {
  using type = void;
};
template <class M>
struct action_model<tx_action<M>> {
  using type = M;
};
template <class M>
struct action_model<updater<M>> {
  using type = M;
};
/// Decodes a cancellation's stored item into the action's model (empty when it has none or does not decode).
template <class A>
std::any decode_old(const std::optional<item>& old) {
  using M = typename action_model<A>::type;
  if constexpr (std::is_void_v<M>) {
    return {};
  } else {
    if (!old) return {};
    try {
      return std::any(detail::decode_stored<M>(*old));
    } catch (const error&) {
      return {};
    }
  }
}
/// Checks DynamoDB's limits (100 actions, 4 MB) before sending, then sends with a fresh idempotency token
/// (reused by the client's retries, so a retry after a lost answer is not applied twice).
/// Checks DynamoDB's limits (100 actions, 4 MB, one action per item: `keys[i]` is action i's key text, empty when
/// unknown) before sending, then sends with a fresh idempotency token.
void run_transact_write(const client& c, std::vector<ops::transact_write> actions, const std::vector<std::string>& keys);
template <class A>
std::string tx_key(const A& a, const ops::transact_write& w) {
  if constexpr (requires { a.key_text; }) {
    if (!a.key_text.empty()) return a.key_text;
  }
  return w.type == ops::transact_write::kind::put ? std::string() : tx_key_text(w.table_name, w.data);
}
}  // namespace detail

/// TransactWriteItems: all the actions or none. Actions come from tables: users.tx_put(u, cond),
/// users.tx_update(key).add(...), users.tx_delete(key, cond), users.tx_check(key, cond).
/// @throws validation_error (more than 100 actions or 4 MB; nothing sent), transaction_canceled (a reason per
///         action index, with the stored item where DynamoDB returned it: decode with table.decode())
template <class... A>
void transact_write(const client& c, const A&... actions) {
  std::vector<ops::transact_write> list;
  list.reserve(sizeof...(A));
  (list.push_back(detail::to_action(actions)), ...);
  std::vector<std::string> keys;
  keys.reserve(sizeof...(A));
  {
    std::size_t i = 0;
    ((keys.push_back(detail::tx_key(actions, list[i])), ++i), ...);
  }
  try {
    detail::run_transact_write(c, std::move(list), keys);
  } catch (transaction_canceled& e) {
    // old items decoded into each action's model: e.old_model<Account>(index)
    std::vector<std::any> models;
    models.reserve(sizeof...(A));
    std::size_t i = 0;
    auto old_of = [&](std::size_t index) -> const std::optional<item>& {
      static const std::optional<item> none;
      for (const auto& r : e.reasons()) {
        if (r.index == index) return r.old;
      }
      return none;
    };
    ((models.push_back(detail::decode_old<std::remove_cvref_t<A>>(old_of(i))), ++i), ...);
    e.old_models_ = std::move(models);  // filled here, index-aligned with the actions
    throw;
  }
}
inline void transact_write(const client& c, std::vector<ops::transact_write> actions) {
  std::vector<std::string> keys;
  for (const auto& a : actions) keys.push_back(detail::tx_key(a, a));
  detail::run_transact_write(c, std::move(actions), keys);
}

/// Puts of several items in one transaction, each in its model's table (through current_client()).
template <class... M>
void transact_save(const client& c, M&... items) {
  transact_write(c, table<M>(c).tx_put(items)...);
}

/// TransactGetItems: a consistent snapshot of several items, possibly of different models and tables.
/// @return one optional per get, typed: std::tuple<std::optional<A>, std::optional<B>, ...>
/// Polymorphic bases give std::optional<std::variant<...>>; subtypes check the stored tag (wrong_subtype).
template <class... M>
std::tuple<std::optional<result_t<M>>...> transact_get(const client& c, const tx_get_action<M>&... gets) {
  ops::transact_get_items_request r;
  (r.items.push_back({gets.table, gets.key, {}, {}}), ...);
  if (r.items.size() > 100) throw validation_error("", "a transaction has at most 100 actions");
  auto res = ops::transact_get_items(c, r);
  std::size_t i = 0;
  auto one = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const auto& it = res.items.at(i++);
    const auto& table = r.items[i - 1].table_name;
    return it ? std::optional<result_t<T>>(detail::decode_read<T>(table, *it)) : std::optional<result_t<T>>();
  };
  return std::tuple<std::optional<result_t<M>>...>{one(static_cast<M*>(nullptr))...};
}

}  // namespace dynantic
