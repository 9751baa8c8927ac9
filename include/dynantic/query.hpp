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
#include <string>
#include <vector>

#include <dynantic/client.hpp>
#include <dynantic/expr/expr.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/ops/operations.hpp>

namespace dynantic {

/// A cursor that was tampered with, belongs to another query, or is not a cursor at all.
class invalid_cursor : public error {
 public:
  using error::error;
};

/// one() found no item or more than one.
class cardinality_error : public error {
 public:
  cardinality_error(std::string message, std::size_t found) : error(std::move(message)), found_(found) {}
  /// 0, or 2 for "more than one".
  std::size_t found() const { return found_; }

 private:
  std::size_t found_;
};

/// One page of results: the items, and the cursor to continue after them (empty when there is no more).
template <class M>
struct page {
  std::vector<M> items;
  std::string cursor;
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
  std::optional<std::size_t> limit;           // items returned in all
  std::optional<std::int32_t> page_size;      // DynamoDB's Limit per request
  bool filtered = false;                      // with a filter, DynamoDB's Limit counts evaluated items
};

/// Fetches up to `want` items starting after `start`; reports the start of what follows (nothing at the end).
struct raw_page {
  std::vector<answer_item> items;
  std::optional<item> next;
};

/// An item of an answer as what reads of M give: plain models are decoded in place (no item tree).
template <class M>
result_t<M> decode_answer(const answer_item& a) {
  std::optional<result_t<M>> out;
  a.for_item([&](const wire_value& v) { out.emplace(decode_wire<M>(v)); });
  return std::move(*out);
}
raw_page fetch_items(const page_request& r, const std::vector<std::string>& key_names, std::optional<item> start,
                     std::optional<std::size_t> want);
std::int64_t count_items(const page_request& r);
std::string cursor_binding(const read_target& t, const std::string& extra);
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
    filter_ = filter_.empty() ? condition<M>(c.node()) : (filter_ && condition<M>(c.node()));
    return self();
  }
  template <class C>
  Derived filter(const condition<C>& c) && {
    return std::move(filter(c));
  }
  /// At most n items in all (not DynamoDB's per-request evaluation limit; see page_size).
  Derived& limit(std::size_t n) & {
    limit_ = n;
    return self();
  }
  Derived limit(std::size_t n) && { return std::move(limit(n)); }
  /// DynamoDB's Limit: items evaluated per request.
  Derived& page_size(std::int32_t n) & {
    page_size_ = n;
    return self();
  }
  Derived page_size(std::int32_t n) && { return std::move(page_size(n)); }
  Derived& consistent(bool yes = true) & {
    consistent_ = yes;
    return self();
  }
  Derived consistent(bool yes = true) && { return std::move(consistent(yes)); }
  /// Signs cursors with HMAC-SHA-256 under this key; page() then rejects cursors not signed with it.
  Derived& cursor_key(std::string secret) & {
    secret_ = std::move(secret);
    return self();
  }
  Derived cursor_key(std::string secret) && { return std::move(cursor_key(std::move(secret))); }

  /// Items after `cursor` (empty: from the start): up to limit() items, or one DynamoDB page without a limit.
  /// @throws invalid_cursor for a tampered or foreign cursor.
  dynantic::page<result_type> page(std::string_view cursor = {}) const {
    std::optional<item> start;
    if (!cursor.empty()) start = detail::decode_cursor(cursor, binding(), secret_);
    auto raw = detail::fetch_items(request(), target().key_names, std::move(start),
                                   limit_ ? limit_ : std::optional<std::size_t>());
    dynantic::page<result_type> p;
    p.items.reserve(raw.items.size());
    for (const auto& it : raw.items) p.items.push_back(detail::decode_answer<M>(it));
    if (raw.next) p.cursor = detail::encode_cursor(*raw.next, binding(), secret_);
    return p;
  }

  /// Every item (up to limit()). Memory grows with the result: prefer iteration for large results.
  std::vector<result_type> all() const {
    std::vector<result_type> out;
    for (auto&& m : *this) out.push_back(std::move(m));
    return out;
  }
  std::optional<result_type> first() const {
    auto raw = detail::fetch_items(request(), target().key_names, std::nullopt, std::size_t{1});
    if (raw.items.empty()) return std::nullopt;
    return detail::decode_answer<M>(raw.items.front());
  }
  /// Exactly one item. @throws cardinality_error for none or several.
  result_type one() const {
    auto raw = detail::fetch_items(request(), target().key_names, std::nullopt, std::size_t{2});
    if (raw.items.size() != 1) {
      throw cardinality_error(raw.items.empty() ? "dynantic: one() found no item" : "dynantic: one() found more than one item",
                              raw.items.size());
    }
    return detail::decode_answer<M>(raw.items.front());
  }
  /// Matching items, counted by DynamoDB (Select COUNT) across all pages.
  std::int64_t count() const { return detail::count_items(request()); }

  /// Only the given members of each item (ProjectionExpression), as tuples: up to limit() items.
  /// @code auto rows = users.query("u-1").values(&User::email, &User::age);  // vector<tuple<string, optional<int>>> @endcode
  template <class... Ts, class... Cs>
  std::vector<std::tuple<Ts...>> values(Ts Cs::*... members) const {
    static_assert(sizeof...(Ts) >= 1, "dynantic: values() needs at least one member");
    Derived copy = self();
    std::vector<std::string> names{std::string(detail::stored_name<M>(members))...};
    copy.projection_ = names;
    for (const auto& k : target().key_names) {  // needed to continue after the last item
      if (std::find(names.begin(), names.end(), k) == names.end()) copy.projection_.push_back(k);
    }
    std::vector<std::tuple<Ts...>> rows;
    std::optional<item> pos;
    auto req = copy.make_request();
    do {
      std::optional<std::size_t> want;
      if (limit_) want = *limit_ - rows.size();
      auto raw = detail::fetch_items(req, target().key_names, pos, want);
      for (const auto& it : raw.items) rows.push_back(project<Ts...>(it.to_item(), names, std::index_sequence_for<Ts...>{}));
      pos = std::move(raw.next);
    } while (pos && (!limit_ || rows.size() < *limit_));
    return rows;
  }

  /// Lazy iteration: one DynamoDB page in memory at a time.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = result_type;
    using difference_type = std::ptrdiff_t;
    using pointer = result_type*;
    using reference = result_type&;

    iterator() = default;
    explicit iterator(const Derived& b) : st_(std::make_shared<state>(state{b.request(), b.target().key_names, b.limit_})) {
      fill();
    }
    result_type& operator*() const { return st_->current[st_->pos]; }
    result_type* operator->() const { return &st_->current[st_->pos]; }
    iterator& operator++() {
      ++st_->pos;
      ++st_->delivered;
      if (st_->limit && st_->delivered >= *st_->limit) {
        st_.reset();
      } else if (st_->pos >= st_->current.size()) {
        fill();
      }
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.st_ == b.st_; }

   private:
    struct state {
      detail::page_request req;
      std::vector<std::string> key_names;
      std::optional<std::size_t> limit;
      std::vector<result_type> current{};
      std::size_t pos = 0;
      std::size_t delivered = 0;
      std::optional<item> next{};
      bool started = false;
    };
    void fill() {
      // pages may come back empty (filters): keep going until items or the end
      while (true) {
        if (st_->started && !st_->next) {
          st_.reset();
          return;
        }
        std::optional<std::size_t> want;
        if (st_->limit) want = *st_->limit - st_->delivered;
        auto raw = detail::fetch_items(st_->req, st_->key_names, st_->next, want ? want : std::optional<std::size_t>());
        st_->started = true;
        st_->next = std::move(raw.next);
        st_->current.clear();
        st_->pos = 0;
        for (const auto& it : raw.items) st_->current.push_back(detail::decode_answer<M>(it));
        if (!st_->current.empty()) return;
      }
    }
    std::shared_ptr<state> st_;
  };
  iterator begin() const { return iterator(self()); }
  iterator end() const { return iterator(); }

 protected:
  Derived& self() { return static_cast<Derived&>(*this); }
  const Derived& self() const { return static_cast<const Derived&>(*this); }
  const detail::read_target& target() const { return self().target_; }
  detail::page_request request() const { return make_request(); }
  detail::page_request make_request() const {
    detail::page_request r;
    r.limit = limit_;
    r.page_size = page_size_;
    r.filtered = !filter_.empty() || detail::subtype<M>;
    Derived copy = self();  // the fetch function owns a copy of the query or scan
    r.fetch = [copy](const std::optional<item>& start, std::optional<std::int32_t> limit, bool count) {
      return copy.fetch(start, limit, count);
    };
    return r;
  }
  std::string binding() const { return self().binding_text(); }

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

  // The filter sent: the user's, and for a subtype also "the tag is this subtype's" (reads narrow to it).
  std::string filter_text(render_context& ctx) const {
    std::string f;
    if constexpr (detail::subtype<M>) {
      std::string n = ctx.name(detail::subtype_discriminator<M>());
      f = n + " = " + ctx.value(attribute_value::string(std::string(detail::subtype_tag<M>())));
      if (filter_.empty()) return f;
      std::string user = filter_.render(ctx);
      return f + " AND (" + user + ")";
    }
    if (!filter_.empty()) f = filter_.render(ctx);
    return f;
  }

  std::string projection_text(render_context& ctx) const {
    std::string p;
    for (const auto& n : projection_) {
      if (!p.empty()) p += ", ";
      p += ctx.name(n);
    }
    return p;
  }

  condition<M> filter_;
  std::vector<std::string> projection_;
  std::optional<std::size_t> limit_;
  std::optional<std::int32_t> page_size_;
  bool consistent_ = false;
  std::string secret_;
};

/// A query on a table or index. SK is the sort key's type (void: the table has none; detail::any_value:
/// an index, checked at run time).
template <class M, class SK>
class query : public read_builder<M, query<M, SK>> {
  using base = read_builder<M, query<M, SK>>;
  friend base;

 public:
  query(detail::read_target t, std::string pk_name, attribute_value pk_value, std::string sk_name)
      : target_(std::move(t)), pk_name_(std::move(pk_name)), pk_value_(std::move(pk_value)), sk_name_(std::move(sk_name)) {}

  template <class V> query& eq(const V& v) & { return key_op("=", v); }
  template <class V> query& lt(const V& v) & { return key_op("<", v); }
  template <class V> query& le(const V& v) & { return key_op("<=", v); }
  template <class V> query& gt(const V& v) & { return key_op(">", v); }
  template <class V> query& ge(const V& v) & { return key_op(">=", v); }
  template <class V> query eq(const V& v) && { return std::move(key_op("=", v)); }
  template <class V> query lt(const V& v) && { return std::move(key_op("<", v)); }
  template <class V> query le(const V& v) && { return std::move(key_op("<=", v)); }
  template <class V> query gt(const V& v) && { return std::move(key_op(">", v)); }
  template <class V> query ge(const V& v) && { return std::move(key_op(">=", v)); }
  template <class A, class B>
  query between(const A& lo, const B& hi) && {
    return std::move(between(lo, hi));
  }
  template <class V>
  query starts_with(const V& prefix) && {
    return std::move(starts_with(prefix));
  }
  query reverse(bool yes = true) && { return std::move(reverse(yes)); }
  template <class A, class B>
  query& between(const A& lo, const B& hi) & {
    check_sort_key<A>();
    check_sort_key<B>();
    sk_op_ = "BETWEEN";
    sk_values_ = {operand(lo), operand(hi)};
    return *this;
  }
  /// begins_with on a string or binary sort key.
  template <class V>
  query& starts_with(const V& prefix) & {
    check_sort_key<V>();
    static_assert(detail::stringish<SK> || std::is_same_v<SK, bytes>, "dynantic: starts_with needs a string or binary sort key");
    sk_op_ = "begins_with";
    sk_values_ = {operand(prefix)};
    return *this;
  }
  /// Newest first: descending sort key order.
  query& reverse(bool yes = true) & {
    reverse_ = yes;
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
    sk_op_ = op;
    sk_values_ = {operand(v)};
    return *this;
  }


  detail::raw_page_result fetch(const std::optional<item>& start, std::optional<std::int32_t> limit, bool count) const {
    render_context ctx;
    ops::query_request q;
    q.table_name = target_.table;
    q.index_name = target_.index;
    std::string pk = ctx.name(pk_name_);
    std::string pv = ctx.value(pk_value_);
    q.key_condition_expression = pk + " = " + pv;
    if (!sk_op_.empty()) {
      if (sk_name_.empty()) throw validation_error(target_.index, "this index has no sort key");
      std::string sk = ctx.name(sk_name_);
      std::string a = ctx.value(sk_values_.at(0));
      if (sk_op_ == "BETWEEN") {
        std::string b = ctx.value(sk_values_.at(1));
        q.key_condition_expression += " AND " + sk + " BETWEEN " + a + " AND " + b;
      } else if (sk_op_ == "begins_with") {
        q.key_condition_expression += " AND begins_with(" + sk + ", " + a + ")";
      } else {
        q.key_condition_expression += " AND " + sk + " " + std::string(sk_op_) + " " + a;
      }
    }
    q.filter_expression = this->filter_text(ctx);
    q.projection_expression = this->projection_text(ctx);
    q.expression_attribute_names = std::move(ctx.names());
    q.expression_attribute_values = std::move(ctx.values());
    q.limit = limit;
    q.scan_index_forward = !reverse_;
    q.consistent_read = this->consistent_;
    q.exclusive_start_key = start;
    if (count) q.select = ops::select::count;
    return detail::query_raw(target_.c, q);
  }

  std::string binding_text() const {
    std::string pk;
    codec::write_value(pk, pk_value_);
    return detail::cursor_binding(target_, "query\n" + pk_name_ + "\n" + pk);
  }

  detail::read_target target_;
  std::string pk_name_;
  attribute_value pk_value_;
  std::string sk_name_;
  std::string_view sk_op_;  // a string literal
  std::vector<attribute_value> sk_values_;
  bool reverse_ = false;
};

/// A scan of a table or index.
template <class M>
class scan : public read_builder<M, scan<M>> {
  using base = read_builder<M, scan<M>>;
  friend base;

 public:
  explicit scan(detail::read_target t) : target_(std::move(t)) {}

  /// One segment of a parallel scan (0 <= segment < total).
  scan& segment(std::int32_t segment, std::int32_t total) & {
    if (total < 1 || segment < 0 || segment >= total) throw validation_error("segment", "need 0 <= segment < total");
    segment_ = segment;
    total_ = total;
    return *this;
  }
  scan segment(std::int32_t segment, std::int32_t total) && { return std::move(this->segment(segment, total)); }

  /// Parallel scan: `segments` segments, at most `max_in_flight` scanned at once, each page of results
  /// handed to `sink` as it arrives (from the scanning threads, one call at a time).
  void parallel(std::int32_t segments, const std::function<void(std::vector<result_t<M>>&&)>& sink,
                std::size_t max_in_flight = 4) const;

 private:
  detail::raw_page_result fetch(const std::optional<item>& start, std::optional<std::int32_t> limit, bool count) const {
    render_context ctx;
    ops::scan_request s;
    s.table_name = target_.table;
    s.index_name = target_.index;
    s.filter_expression = this->filter_text(ctx);
    s.projection_expression = this->projection_text(ctx);
    s.expression_attribute_names = std::move(ctx.names());
    s.expression_attribute_values = std::move(ctx.values());
    s.limit = limit;
    s.consistent_read = this->consistent_;
    s.exclusive_start_key = start;
    if (total_) {
      s.segment = segment_;
      s.total_segments = total_;
    }
    if (count) s.select = ops::select::count;
    return detail::scan_raw(target_.c, s);
  }
  std::string binding_text() const {
    return detail::cursor_binding(target_, "scan\n" + std::to_string(segment_) + "/" + std::to_string(total_.value_or(0)));
  }

  detail::read_target target_;
  std::int32_t segment_ = 0;
  std::optional<std::int32_t> total_;
};

}  // namespace dynantic

#include <atomic>
#include <mutex>
#include <thread>

namespace dynantic {

template <class M>
void scan<M>::parallel(std::int32_t segments, const std::function<void(std::vector<result_t<M>>&&)>& sink,
                       std::size_t max_in_flight) const {
  if (segments < 1) throw validation_error("segments", "a parallel scan needs at least one segment");
  std::atomic<std::int32_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::exception_ptr first_error;
  auto worker = [&] {
    try {
      for (;;) {
        std::int32_t seg = next++;
        if (seg >= segments || failed) return;
        scan<M> s = *this;
        s.segment(seg, segments);
        s.limit_.reset();
        auto req = s.make_request();
        std::optional<item> start;
        do {
          auto raw = detail::fetch_items(req, target_.key_names, start, std::nullopt);
          std::vector<result_t<M>> items;
          items.reserve(raw.items.size());
          for (const auto& it : raw.items) items.push_back(detail::decode_answer<M>(it));
          {
            std::lock_guard lock(mu);
            if (!items.empty()) sink(std::move(items));
          }
          start = std::move(raw.next);
        } while (start && !failed);
      }
    } catch (...) {
      std::lock_guard lock(mu);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(max_in_flight, static_cast<std::size_t>(segments)));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace dynantic
