#pragma once
/// @file query.hpp
/// Query and scan on a model: typed key conditions, filters, `limit` as items returned, lazy iteration in
/// bounded memory, `page(cursor)` with opaque (optionally HMAC-signed) cursors, count/first/one/all.

#include <cstdint>
#include <algorithm>
#include <functional>
#include <iterator>
#include <tuple>
#include <utility>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <dynantic/client.hpp>
#include <dynantic/expr/expr.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/ops/operations.hpp>

namespace dynantic {

/// A stored item that does not decode into the model, handed to on_invalid() instead of failing the read.
struct invalid_item {
  item stored;             ///< the item as DynamoDB returned it
  validation_error error;  ///< what is wrong with it; error.table() and error.key() say which item
};

/// One page of results: the items, and the cursor to continue after them (empty when there is no more).
template <class M>
struct page {
  std::vector<M> items;  ///< the page's items, in DynamoDB's order
  std::string cursor;    ///< pass to page() for the items after these; empty at the end
  /// Whether more items follow (the cursor is not empty).
  bool has_more() const { return !cursor.empty(); }
};

namespace detail {
/// `c1.<base64url key>[.<base64url hmac>]`; the HMAC (SHA-256, keyed with `secret`) covers `binding` and the key.
std::string encode_cursor(const item& key, std::string_view binding, std::string_view secret);
/// @throws invalid_cursor
item decode_cursor(std::string_view cursor, std::string_view binding, std::string_view secret);

/// What query/scan need to know of a table or index: the attribute names that make a position.
struct read_target {
  client c;
  std::string table;
  std::string index;
  std::vector<std::string> key_names;  // attributes of an ExclusiveStartKey (index keys + table keys)
};

/// The part of query and scan that does not depend on the model: fetching pages, following keys.
struct page_request {
  std::function<raw_page_result(const std::optional<item>& start, std::optional<std::int32_t> limit, bool count)> fetch;
  std::optional<std::size_t> limit;       // items returned in all
  std::optional<std::int32_t> page_size;  // DynamoDB's Limit per request
  bool filtered = false;                  // with a filter, DynamoDB's Limit counts evaluated items
};

/// Fetches up to `want` items starting after `start`; reports the start of what follows (nothing at the end).
struct raw_page {
  std::vector<answer_item> items;
  std::optional<item> next;
};

/// What a query or scan does with a stored item that does not decode (nothing: the read fails).
using invalid_handler = std::function<void(invalid_item&&)>;

/// Decodes answer item `a` into `out`, a value-initialized plain model described by `d` (src/query.cpp).
/// @return false when it does not decode and `on_invalid` took it. @throws validation_error naming the item
bool decode_answer_into(const model_desc& d, const std::string& table, const answer_item& a, void* out,
                        const invalid_handler& on_invalid);

/// An item of an answer as what reads of M give: plain models are decoded in place (no item tree). An item
/// that does not decode is a validation_error naming it, or with `on_invalid` handed to it (nothing returned).
template <class M>
std::optional<result_t<M>> decode_answer(const answer_item& a, const std::string& table,
                                         const invalid_handler& on_invalid) {
  std::optional<result_t<M>> out;
  if constexpr (polymorphic_base<M> || subtype<M>) {
    try {
      a.for_item([&](const ddb_value& v) { out.emplace(decode_read<M>(table, v)); });
    } catch (const validation_error& e) {
      if (!on_invalid) throw;
      on_invalid(invalid_item{a.to_item(), e});
    }
  } else {
    out.emplace();
    if (!decode_answer_into(desc_of<M>(), table, a, &*out, on_invalid)) out.reset();
  }
  return out;
}
raw_page fetch_items(const page_request& r, const std::vector<std::string>& key_names, std::optional<item> start,
                     std::optional<std::size_t> want);
std::int64_t count_items(const page_request& r);
std::string cursor_binding(const read_target& t, const std::string& extra);

/// Everything a query or scan sends that does not depend on the model (built by the typed builders).
struct read_spec {
  read_target target;
  bool is_scan = false;
  // query: the key condition
  std::string pk_name{};
  attribute_value pk_value{};
  std::string sk_name{};
  std::string_view sk_op{};  // a string literal: "=", "<", ..., "BETWEEN", "begins_with"
  std::vector<attribute_value> sk_values{};
  bool reverse = false;
  // scan: one segment of a parallel scan
  std::int32_t segment = 0;
  std::optional<std::int32_t> total_segments{};
  // both
  cond_ptr filter{};
  std::string_view tag{}, discriminator{};  // a subtype's reads narrow to items with its tag
  std::vector<std::string> projection{};
  std::optional<std::size_t> limit{};
  std::optional<std::int32_t> page_size{};
  bool consistent = false;
  std::string secret{};
  invalid_handler on_invalid{};  // set: items that do not decode are handed to it and skipped
  std::shared_ptr<dynantic::capacity_limit> capacity_limit{};  // the budget every request keeps to

  // Out of line (src/query.cpp): every query<M, SK> moves and destroys its spec; inlined, each model would
  // compile its own copy of this code.
  explicit read_spec(read_target t);
  read_spec(const read_spec&);
  read_spec(read_spec&&) noexcept;
  read_spec& operator=(const read_spec&);
  read_spec& operator=(read_spec&&) noexcept;
  ~read_spec();
};
/// One Query or Scan request of `s` (src/query.cpp).
raw_page_result fetch_page(const read_spec& s, const std::optional<item>& start, std::optional<std::int32_t> limit,
                           bool count);
/// fetch_items() of `s` on the client's async engine (src/query.cpp).
task<raw_page> async_fetch_items(read_spec s, std::optional<item> start, std::optional<std::size_t> want);
/// The pager of `s` (it owns a copy of the spec).
page_request make_page_request(const read_spec& s);
/// What a cursor of `s` is bound to: table, index, key condition or segment.
std::string read_binding(const read_spec& s);

/// The keys of an index declared by a model's family, named at run time.
struct index_keys_info {
  std::string partition, sort;
  std::vector<std::string> position;  // index keys, then table keys
  char partition_scalar = 'S';        // 'S', 'N' or 'B'
};
/// @throws validation_error for an index no model of the family declares
index_keys_info index_keys(const model_desc& d, std::span<const model_desc* const> family, std::string_view index);
/// A partition key value for an index named at run time. @throws validation_error when its type is not the key's
void check_index_key_value(const index_keys_info& ix, std::string_view index, const attribute_value& v);

/// The spec of a query of a table by its partition key (`pk`: a value of the key member's type).
read_spec table_query_spec(client c, const std::string& table, const model_desc& d, const void* pk);
/// The spec of a query of an index by its partition key value (`check`: its DynamoDB type is checked against
/// the index's, for indexes named at run time).
read_spec index_query_spec(client c, const std::string& table, const model_desc& d,
                           std::span<const model_desc* const> family, std::string_view index, attribute_value pk,
                           bool check);
/// The spec of a scan of a table (`index` empty) or of an index.
read_spec scan_spec(client c, const std::string& table, const model_desc& d, std::span<const model_desc* const> family,
                    std::string_view index);

class item_stream;
/// What an iterator over a query or scan shares between its copies (src/query.cpp).
struct read_cursor;
std::shared_ptr<read_cursor> open_cursor(const read_spec& s);
/// The current answer item of a cursor (nullptr at the end), and moving to the next.
const answer_item* cursor_current(const read_cursor& r);
void cursor_next(read_cursor& r);
const std::string& cursor_table(const read_cursor& r);
const invalid_handler& cursor_on_invalid(const read_cursor& r);

/// The items of a query or scan one by one, one DynamoDB page in memory at a time, up to the limit.
class item_stream {
 public:
  explicit item_stream(const read_spec& s);
  /// The current item; nullptr at the end.
  const answer_item* current() const { return pos_ < page_.items.size() ? &page_.items[pos_] : nullptr; }
  void next();

 private:
  void fill();
  page_request req_;
  std::vector<std::string> key_names_;
  std::optional<std::size_t> limit_;
  raw_page page_{};
  std::size_t pos_ = 0;
  std::size_t delivered_ = 0;
  bool started_ = false;
};

}  // namespace detail

/// Common to query and scan: filter, limit, paging, iteration. Derived is query<M, SK> or scan<M>.
template <class M, class Derived>
class read_builder {
 public:
  /// What each item reads as: M, or std::variant<Subtypes...> when M is a polymorphic base.
  using result_type = result_t<M>;

  /// Only items matching `c` are returned (applied by DynamoDB after reading: read capacity is still used).
  /// Through a polymorphic base, conditions on a subtype's members are allowed (items without them fail).
  // Each setter has an lvalue form (returns the builder) and an rvalue form (returns it by value), so that
  // `for (auto& x : users.query("a").filter(...))` iterates a live object, not a dangling reference.
  template <class C>
  Derived& filter(const condition<C>& c) & {
    static_assert(std::is_same_v<C, M> || std::is_void_v<C> || detail::subtype_of_base<C, M>,
                  "dynantic: the filter is on another model");
    spec_.filter = spec_.filter ? (condition<M>(spec_.filter) && condition<M>(c.node())).node() : c.node();
    return self();
  }
  /// filter() on a temporary builder.
  template <class C>
  Derived filter(const condition<C>& c) && {
    return std::move(filter(c));
  }
  /// At most n items in all (not DynamoDB's per-request evaluation limit; see page_size).
  /// @throws validation_error for 0 (a query of no items is a mistake, not a request)
  Derived& limit(std::size_t n) & {
    if (n == 0) throw validation_error("limit", "must be at least 1");
    spec_.limit = n;
    return self();
  }
  /// limit() on a temporary builder.
  Derived limit(std::size_t n) && { return std::move(limit(n)); }
  /// DynamoDB's Limit: items evaluated per request.
  Derived& page_size(std::int32_t n) & {
    spec_.page_size = n;
    return self();
  }
  /// page_size() on a temporary builder.
  Derived page_size(std::int32_t n) && { return std::move(page_size(n)); }
  /// ConsistentRead: strongly consistent reads (twice the read capacity; not on global secondary indexes).
  Derived& consistent(bool yes = true) & {
    spec_.consistent = yes;
    return self();
  }
  /// consistent() on a temporary builder.
  Derived consistent(bool yes = true) && { return std::move(consistent(yes)); }
  /// Signs cursors with HMAC-SHA-256 under this key; page() then rejects cursors not signed with it.
  Derived& cursor_key(std::string secret) & {
    spec_.secret = std::move(secret);
    return self();
  }
  /// cursor_key() on a temporary builder.
  Derived cursor_key(std::string secret) && { return std::move(cursor_key(std::move(secret))); }
  /// Keeps every request of this read (each page, each segment of a parallel scan) to the budget `limit` (see
  /// dynantic::capacity_limit); share one limit to hold several reads to one budget.
  Derived& capacity_limit(std::shared_ptr<dynantic::capacity_limit> limit) & {
    spec_.capacity_limit = std::move(limit);
    return self();
  }
  /// capacity_limit() on a temporary builder.
  Derived capacity_limit(std::shared_ptr<dynantic::capacity_limit> limit) && {
    return std::move(capacity_limit(std::move(limit)));
  }
  /// Stored items that do not decode into the model (written by another program, or before a change of the
  /// model) are handed to `handler` and skipped, instead of failing the read with a validation_error.
  /// Called on the reading thread, one item at a time (for parallel scans, one at a time across threads).
  /// @code std::vector<dy::invalid_item> bad; for (auto& o : orders.query("c").on_invalid([&](dy::invalid_item&& i) {
  /// bad.push_back(std::move(i)); })) ... @endcode
  Derived& on_invalid(std::function<void(invalid_item&&)> handler) & {
    spec_.on_invalid = std::move(handler);
    return self();
  }
  /// on_invalid() on a temporary builder.
  Derived on_invalid(std::function<void(invalid_item&&)> handler) && {
    return std::move(on_invalid(std::move(handler)));
  }

  /// Items after `cursor` (empty: from the start): up to limit() items, or one DynamoDB page without a limit.
  /// Items skipped by on_invalid() are not replaced: such a page holds fewer items.
  /// @throws invalid_cursor for a tampered or foreign cursor.
  dynantic::page<result_type> page(std::string_view cursor = {}) const {
    std::optional<item> start;
    std::string bind = detail::read_binding(spec_);
    if (!cursor.empty()) start = detail::decode_cursor(cursor, bind, spec_.secret);
    auto raw =
        detail::fetch_items(detail::make_page_request(spec_), spec_.target.key_names, std::move(start), spec_.limit);
    dynantic::page<result_type> p;
    p.items.reserve(raw.items.size());
    for (const auto& it : raw.items) {
      if (auto m = decode(it)) p.items.push_back(std::move(*m));
    }
    if (raw.next) p.cursor = detail::encode_cursor(*raw.next, bind, spec_.secret);
    return p;
  }

  /// page() as a task on the client's async engine (async.hpp).
  task<dynantic::page<result_type>> async_page() const { return page_async(spec_, {}); }
  /// page(cursor) as a task.
  task<dynantic::page<result_type>> async_page(std::string cursor) const {
    return page_async(spec_, std::move(cursor));
  }
  /// all() as a task: the pages one after another on the client's async engine. @return page::items holds them
  /// all (the cursor stays empty).
  task<std::vector<result_type>> async_all() const { return all_async(spec_); }

  /// Every item (up to limit()). Memory grows with the result: prefer iteration for large results.
  std::vector<result_type> all() const {
    std::vector<result_type> out;
    for (auto&& m : *this) out.push_back(std::move(m));
    return out;
  }
  /// The first item (one request with a limit, more only when a filter leaves a page empty); nothing when there is
  /// none. @throws what page() throws
  std::optional<result_type> first() const {
    auto found = leading(1);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  }
  /// Exactly one item. @throws cardinality_error for none or several.
  result_type one() const {
    auto found = leading(2);
    if (found.size() != 1) {
      throw cardinality_error(
          found.empty() ? "dynantic: one() found no item" : "dynantic: one() found more than one item", found.size());
    }
    return std::move(found.front());
  }
  /// Matching items, counted by DynamoDB (Select COUNT) across all pages.
  std::int64_t count() const { return detail::count_items(detail::make_page_request(spec_)); }

  /// Only the given members of each item (ProjectionExpression), as tuples: up to limit() items.
  /// @code auto rows = users.query("u-1").values(&User::email, &User::age);  // vector<tuple<string, optional<int>>>
  /// @endcode
  template <class... Ts, class... Cs>
  std::vector<std::tuple<Ts...>> values(Ts Cs::*... members) const {
    static_assert(sizeof...(Ts) >= 1, "dynantic: values() needs at least one member");
    detail::read_spec copy = spec_;
    std::vector<std::string> names{std::string(detail::stored_name<M>(members))...};
    copy.projection = names;
    for (const auto& k : spec_.target.key_names) {  // needed to continue after the last item
      if (std::find(names.begin(), names.end(), k) == names.end()) copy.projection.push_back(k);
    }
    std::vector<std::tuple<Ts...>> rows;
    std::optional<item> pos;
    auto req = detail::make_page_request(copy);
    const auto& limit = spec_.limit;
    do {
      std::optional<std::size_t> want;
      if (limit) want = *limit - rows.size();
      auto raw = detail::fetch_items(req, spec_.target.key_names, pos, want);
      for (const auto& it : raw.items)
        rows.push_back(project<Ts...>(it.to_item(), names, std::index_sequence_for<Ts...>{}));
      pos = std::move(raw.next);
    } while (pos && (!limit || rows.size() < *limit));
    return rows;
  }

  /// Lazy iteration: one DynamoDB page in memory at a time; each item is decoded when the iterator reaches it.
  /// A reference from `*it` is valid until the iterator moves on. Copies of an iterator share its position.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;  ///< single pass
    using value_type = result_type;                     ///< M, or the variant of a polymorphic base
    using difference_type = std::ptrdiff_t;             ///< as input iterators have
    using pointer = result_type*;                       ///< to the current item
    using reference = result_type&;                     ///< to the current item

    /// The end.
    iterator() = default;
    /// Sends the first request of the read `s` (made by begin()).
    explicit iterator(const detail::read_spec& s) : cursor_(detail::open_cursor(s)) { load(); }
    /// The current item.
    result_type& operator*() const { return *current_; }
    /// The current item's members.
    result_type* operator->() const { return &*current_; }
    /// The next item; the next page is requested when this one is used up. @throws what page() throws
    iterator& operator++() {
      detail::cursor_next(*cursor_);
      load();
      return *this;
    }
    /// Moves on (see the prefix form).
    void operator++(int) { ++*this; }
    /// Both at the end, or copies at one position.
    friend bool operator==(const iterator& a, const iterator& b) { return a.cursor_ == b.cursor_; }

   private:
    void load() {
      while (const detail::answer_item* a = detail::cursor_current(*cursor_)) {
        current_ = detail::decode_answer<M>(*a, detail::cursor_table(*cursor_), detail::cursor_on_invalid(*cursor_));
        if (current_) return;
        detail::cursor_next(*cursor_);  // skipped by on_invalid
      }
      cursor_.reset();
    }
    std::shared_ptr<detail::read_cursor> cursor_;
    mutable std::optional<result_type> current_;
  };
  /// Sends the first request (Query or Scan) and stands on the first item. @throws what page() throws
  iterator begin() const { return iterator(spec_); }
  /// The end of the read.
  iterator end() const { return iterator(); }

 protected:
  /// @cond INTERNAL
  explicit read_builder(detail::read_spec s) : spec_(std::move(s)) {
    if constexpr (detail::subtype<M>) {
      spec_.tag = detail::subtype_tag<M>();
      spec_.discriminator = detail::subtype_discriminator<M>();
    }
  }
  Derived& self() { return static_cast<Derived&>(*this); }
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  std::optional<result_type> decode(const detail::answer_item& a) const {
    return detail::decode_answer<M>(a, spec_.target.table, spec_.on_invalid);
  }
  static task<dynantic::page<result_type>> page_async(detail::read_spec spec, std::string cursor) {
    std::optional<item> start;
    std::string bind = detail::read_binding(spec);
    if (!cursor.empty()) start = detail::decode_cursor(cursor, bind, spec.secret);
    auto fetch = detail::async_fetch_items(spec, std::move(start), spec.limit);
    auto raw = co_await std::move(fetch);
    dynantic::page<result_type> p;
    p.items.reserve(raw.items.size());
    for (const auto& it : raw.items) {
      if (auto m = detail::decode_answer<M>(it, spec.target.table, spec.on_invalid)) p.items.push_back(std::move(*m));
    }
    if (raw.next) p.cursor = detail::encode_cursor(*raw.next, bind, spec.secret);
    co_return p;
  }
  static task<std::vector<result_type>> all_async(detail::read_spec spec) {
    std::vector<result_type> out;
    std::optional<item> pos;
    do {
      std::optional<std::size_t> want;
      if (spec.limit) want = *spec.limit - out.size();
      auto fetch = detail::async_fetch_items(spec, std::move(pos), want);
      auto raw = co_await std::move(fetch);
      for (const auto& it : raw.items) {
        if (auto m = detail::decode_answer<M>(it, spec.target.table, spec.on_invalid)) out.push_back(std::move(*m));
      }
      pos = std::move(raw.next);
    } while (pos && (!spec.limit || out.size() < *spec.limit));
    co_return out;
  }
  /// The first `n` items that decode (those skipped by on_invalid do not count).
  std::vector<result_type> leading(std::size_t n) const {
    std::vector<result_type> out;
    auto req = detail::make_page_request(spec_);
    std::optional<item> pos;
    do {
      auto raw = detail::fetch_items(req, spec_.target.key_names, std::move(pos), n - out.size());
      for (const auto& it : raw.items) {
        if (auto m = decode(it)) out.push_back(std::move(*m));
      }
      pos = std::move(raw.next);
    } while (pos && out.size() < n);
    return out;
  }

  template <class... Ts, std::size_t... I>
  static std::tuple<Ts...> project(const item& it, const std::vector<std::string>& names, std::index_sequence<I...>) {
    conversion_context c;
    std::tuple<Ts...> row;
    (
        [&] {
          conversion_context::scope s(c, names[I]);
          auto f = it.find(names[I]);
          if (f == it.end()) {
            if constexpr (!detail::may_be_absent<Ts>) c.fail("required attribute is missing");
          } else {
            converter<Ts>::from_attribute(f->second, std::get<I>(row), c);
          }
        }(),
        ...);
    c.throw_if_failed();
    return row;
  }

  detail::read_spec spec_;
  /// @endcond
};

/// A query on a table or index. SK is the sort key's type (void: the table has none; detail::any_value:
/// an index, checked at run time).
template <class M, class SK>
class query : public read_builder<M, query<M, SK>> {
  using base = read_builder<M, query<M, SK>>;
  friend base;

 public:
  /// A query of partition `pk_value` (made by table::query and table::query_index).
  query(detail::read_target t, std::string pk_name, attribute_value pk_value, std::string sk_name)
      : base(make_spec(std::move(t), std::move(pk_name), std::move(pk_value), std::move(sk_name))) {}
  /// A query of a spec built by detail::table_query_spec / index_query_spec.
  explicit query(detail::read_spec s) : base(std::move(s)) {}

  /// Sort key = v (KeyConditionExpression). The value's type must be the sort key's (a compile error otherwise).
  template <class V>
  query& eq(const V& v) & {
    return key_op("=", v);
  }
  /// Sort key < v.
  template <class V>
  query& lt(const V& v) & {
    return key_op("<", v);
  }
  /// Sort key <= v.
  template <class V>
  query& le(const V& v) & {
    return key_op("<=", v);
  }
  /// Sort key > v.
  template <class V>
  query& gt(const V& v) & {
    return key_op(">", v);
  }
  /// Sort key >= v.
  template <class V>
  query& ge(const V& v) & {
    return key_op(">=", v);
  }
  /// eq() on a temporary builder.
  template <class V>
  query eq(const V& v) && {
    return std::move(key_op("=", v));
  }
  /// lt() on a temporary builder.
  template <class V>
  query lt(const V& v) && {
    return std::move(key_op("<", v));
  }
  /// le() on a temporary builder.
  template <class V>
  query le(const V& v) && {
    return std::move(key_op("<=", v));
  }
  /// gt() on a temporary builder.
  template <class V>
  query gt(const V& v) && {
    return std::move(key_op(">", v));
  }
  /// ge() on a temporary builder.
  template <class V>
  query ge(const V& v) && {
    return std::move(key_op(">=", v));
  }
  /// between() on a temporary builder.
  template <class A, class B>
  query between(const A& lo, const B& hi) && {
    return std::move(between(lo, hi));
  }
  /// starts_with() on a temporary builder.
  template <class V>
  query starts_with(const V& prefix) && {
    return std::move(starts_with(prefix));
  }
  /// reverse() on a temporary builder.
  query reverse(bool yes = true) && { return std::move(reverse(yes)); }
  /// lo <= sort key <= hi.
  template <class A, class B>
  query& between(const A& lo, const B& hi) & {
    check_sort_key<A>();
    check_sort_key<B>();
    this->spec_.sk_op = "BETWEEN";
    this->spec_.sk_values = {operand(lo), operand(hi)};
    return *this;
  }
  /// begins_with on a string or binary sort key, or on a time or date sort key by the text it is stored as:
  /// `.starts_with("2024-05-01")` for one day.
  template <class V>
  query& starts_with(const V& prefix) & {
    if constexpr (std::is_void_v<SK>) {
      check_sort_key<V>();  // "this table has no sort key"
    } else {
      constexpr bool prefixable = detail::stringish<SK> || std::is_same_v<SK, bytes> || detail::text_time<SK>;
      static_assert(prefixable, "dynantic: starts_with needs a string, binary or time sort key");
      if constexpr (prefixable) {
        check_sort_key<V>();
        this->spec_.sk_op = "begins_with";
        this->spec_.sk_values = {operand(prefix)};
      }
    }
    return *this;
  }
  /// Not available: DynamoDB key conditions have no `<>` on the sort key; a compile error that says what to use.
  template <class V>
  query& ne(const V&) {
    static_assert(detail::always_false<V>,
                  "dynantic: a key condition has no ne (DynamoDB has no <> on the sort key); use "
                  "filter(attr(&M::sort_key) != value), or two queries with lt and gt");
    return *this;
  }
  /// Newest first: descending sort key order.
  query& reverse(bool yes = true) & {
    this->spec_.reverse = yes;
    return *this;
  }

 private:
  template <class V>
  static constexpr void check_sort_key() {
    static_assert(!std::is_void_v<SK>, "dynantic: this table has no sort key; query by partition key only");
    if constexpr (!std::is_void_v<SK>) {
      static_assert(detail::comparable<SK, V>(), "dynantic: the value's type does not match the sort key's type");
    }
  }
  template <class V>
  attribute_value operand(const V& v) const {
    if constexpr (std::is_void_v<SK>) return {};
    else return detail::to_operand<SK>(v);
  }
  template <class V>
  query& key_op(const char* op, const V& v) {
    check_sort_key<V>();
    this->spec_.sk_op = op;
    this->spec_.sk_values = {operand(v)};
    return *this;
  }
  static detail::read_spec make_spec(detail::read_target t, std::string pk_name, attribute_value pk_value,
                                     std::string sk_name) {
    detail::read_spec s(std::move(t));
    s.pk_name = std::move(pk_name);
    s.pk_value = std::move(pk_value);
    s.sk_name = std::move(sk_name);
    return s;
  }
};

/// A scan of a table or index.
template <class M>
class scan : public read_builder<M, scan<M>> {
  using base = read_builder<M, scan<M>>;
  friend base;
  static detail::read_spec make_spec(detail::read_target t) {
    detail::read_spec s(std::move(t));
    s.is_scan = true;
    return s;
  }

 public:
  /// A scan of the table or index `t` (made by table::scan and table::scan_index).
  explicit scan(detail::read_target t) : base(make_spec(std::move(t))) {}
  /// A scan of a spec built by detail::scan_spec.
  explicit scan(detail::read_spec s) : base(std::move(s)) {}

  /// One segment of a parallel scan (0 <= segment < total).
  scan& segment(std::int32_t segment, std::int32_t total) & {
    if (total < 1 || segment < 0 || segment >= total) throw validation_error("segment", "need 0 <= segment < total");
    this->spec_.segment = segment;
    this->spec_.total_segments = total;
    return *this;
  }
  /// segment() on a temporary builder.
  scan segment(std::int32_t segment, std::int32_t total) && { return std::move(this->segment(segment, total)); }

  /// Parallel scan: `segments` segments, at most `max_in_flight` scanned at once, each page of results
  /// handed to `sink` as it arrives (from the scanning threads, one call at a time). Defined with the bulk
  /// layer's engine in dynantic/bulk/parallel_scan.hpp (included by table.hpp and dynantic.hpp).
  void parallel(std::int32_t segments, const std::function<void(std::vector<result_t<M>>&&)>& sink,
                std::size_t max_in_flight = 4) const;
};

}  // namespace dynantic
