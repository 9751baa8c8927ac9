#pragma once
/// @file expr.hpp
/// Typed paths and conditions: `attr(&User::age) >= 18 && attr(&User::status) == Status::active`.
/// Types are checked by the compiler; rendering puts every name behind a `#n` placeholder and every value
/// behind a `:v` placeholder, so reserved words and dotted names just work.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <dynantic/model/model.hpp>

namespace dynantic {

/// Names and values of an expression being rendered; one context per request, shared by its condition,
/// update, key condition, filter and projection so placeholders never collide.
class render_context {
 public:
  /// `#n0`, `#n1`...; the same name gets the same placeholder.
  std::string name(std::string_view n);
  /// `:v0`, `:v1`...
  std::string value(attribute_value v);
  /// `#n` placeholder -> attribute name (the type of ExpressionAttributeNames in the operations layer).
  using name_map = std::map<std::string, std::string, std::less<>>;
  /// The names used so far.
  name_map& names() { return names_; }
  /// `:v` placeholder -> value (ExpressionAttributeValues).
  item& values() { return values_; }

 private:
  name_map names_;
  item values_;
  std::map<std::string, std::string, std::less<>> ids_;
  std::size_t next_value_ = 0;
};

namespace detail {
struct path_segment {
  std::string name;   // attribute or map key (empty for an index)
  std::size_t index;  // list index
  bool is_index;
};
std::string render_path(const std::vector<path_segment>& p, render_context& c);
std::string path_text(const std::vector<path_segment>& p);  // for messages: profile.address[2]

template <class T>
struct is_list_like : std::false_type {};
template <class T>
struct is_list_like<std::vector<T>> : std::true_type {
  using element = T;
};
template <class T>
struct is_list_like<std::list<T>> : std::true_type {
  using element = T;
};
template <>
struct is_list_like<bytes> : std::false_type {};
template <class T>
struct is_map_like : std::false_type {};
template <class T>
struct is_map_like<std::map<std::string, T>> : std::true_type {
  using mapped = T;
};
template <class T>
struct is_map_like<std::unordered_map<std::string, T>> : std::true_type {
  using mapped = T;
};
template <class T>
struct is_set_like : std::false_type {};
template <class T>
struct is_set_like<std::set<T>> : std::true_type {
  using element = T;
};

template <class T>
struct element_of {};
template <class T>
struct element_of<std::set<T>> {
  using type = T;
};
template <class T>
struct element_of<std::vector<T>> {
  using type = T;
};
template <class T>
struct element_of<std::list<T>> {
  using type = T;
};

/// Untyped paths (attr_named) carry this value type: anything goes, values are converted as given.
struct any_value {};

template <class T>
constexpr bool is_any = std::is_same_v<T, any_value>;

/// Times and dates stored as ISO-8601 text: conditions take typed values or text in the stored form (a prefix
/// such as "2024-05-01" for one day, as Python Dynantic's users query them).
template <class T>
constexpr bool text_time = std::is_same_v<T, timestamp> || std::is_same_v<T, zoned_timestamp> ||
                           std::is_same_v<T, naive_timestamp> || std::is_same_v<T, std::chrono::year_month_day>;

template <class T>
constexpr bool orderable = is_any<T> || is_number_like<T> || std::is_same_v<T, std::string> ||
                           std::is_same_v<T, bytes> || text_time<T> || std::is_same_v<T, uuid>;

template <class T>
constexpr bool stringish = is_any<T> || std::is_same_v<T, std::string>;

/// Whether a C++ value of type V may be compared with an attribute of type T (both already unwrapped).
template <class T, class V>
constexpr bool comparable() {
  using D = std::remove_cvref_t<V>;
  if constexpr (is_any<T>) return true;
  else if constexpr (std::is_same_v<T, std::string>) return std::is_convertible_v<D, std::string_view>;
  else if constexpr (std::is_same_v<T, decimal>) return is_number_like<D> || std::is_same_v<D, decimal>;
  else if constexpr (is_number_like<T>) return is_number_like<D> || std::is_same_v<D, decimal>;
  else if constexpr (std::is_enum_v<T>) return std::is_same_v<D, T>;
  else if constexpr (text_time<T>) return std::is_same_v<D, T> || std::is_convertible_v<D, std::string_view>;
  else return std::is_same_v<D, T> || std::is_convertible_v<D, T>;
}

/// Converts a comparison value for an attribute of type T.
template <class T, class V>
attribute_value to_operand(const V& v) {
  using D = std::remove_cvref_t<V>;
  conversion_context c;
  attribute_value out;
  if constexpr (std::is_same_v<D, attribute_value>) {
    out = v;
  } else if constexpr (std::is_convertible_v<D, std::string_view> && !std::is_same_v<D, std::nullptr_t>) {
    out = converter<std::string>::to_attribute(std::string(std::string_view(v)), c);
  } else if constexpr (std::is_same_v<T, decimal> && std::is_integral_v<D>) {
    out = converter<decimal>::to_attribute(decimal(static_cast<std::int64_t>(v)), c);
  } else if constexpr (std::is_same_v<T, decimal> && std::is_floating_point_v<D>) {
    out = converter<D>::to_attribute(v, c);
  } else if constexpr (!is_any<T> && !std::is_same_v<D, T> && std::is_convertible_v<D, T> && convertible<T>) {
    out = converter<T>::to_attribute(T(v), c);
  } else {
    out = converter<D>::to_attribute(v, c);
  }
  c.throw_if_failed();
  return out;
}

struct cond_node;
using cond_ptr = std::shared_ptr<const cond_node>;
struct cond_node {
  enum class kind {
    compare,
    compare_size,
    between,
    in,
    exists,
    not_exists,
    begins_with,
    contains,
    type_is,
    and_,
    or_,
    not_
  };
  kind k;
  std::string op;  // "=", "<>", "<", "<=", ">", ">="
  std::vector<path_segment> path;
  std::vector<attribute_value> operands;
  std::string type_tag;  // attribute_type
  cond_ptr left, right;
};
std::string render_condition(const cond_node& n, render_context& c);
/// A query's KeyConditionExpression: `pk = :v`, and with `sk_op` ("=", "<", "<=", ">", ">=", "BETWEEN",
/// "begins_with") the sort-key condition on `sk_values`. @throws validation_error (a sort-key condition without
/// a sort key; `where` names the index)
std::string render_key_condition(render_context& c, const std::string& pk_name, const attribute_value& pk_value,
                                 const std::string& sk_name, std::string_view sk_op,
                                 const std::vector<attribute_value>& sk_values, const std::string& where);

/// Whether a described struct S stores a member of type U (of S or of one of its bases).
template <class S, class U, class Members = members_tuple_t<S>>
struct stores_type;
template <class S, class U, class... MI>
struct stores_type<S, U, pack<MI...>> {
  static constexpr bool value =
      ((std::is_same_v<typename MI::value_type, U> && std::is_base_of_v<typename MI::owner_type, S>) || ...);
};

/// The stored attribute name of a member of a described struct. @throws error when it was not declared.
template <class S, class U, class C>
std::string_view stored_name(U C::*member) {
  static_assert(
      stores_type<S, U>::value,
      "dynantic: the model stores no such member: declare it with field(member) (skip(member) is not stored)");
  if constexpr (std::is_base_of_v<C, S>) {
    U S::*as_member_of_s = member;  // a member of a base struct, as a member of S
    static_assert(sizeof(as_member_of_s) == sizeof(std::ptrdiff_t), "dynantic: data member pointers are offsets");
    return stored_name_at(desc_of<S>(), static_cast<std::size_t>(std::bit_cast<std::ptrdiff_t>(as_member_of_s)));
  } else {
    return stored_name_at(desc_of<S>(), static_cast<std::size_t>(-1));  // of another struct: never stored
  }
}
}  // namespace detail

/// A condition over model M (void: built from attr_named only, usable with any model).
template <class M>
class condition {
 public:
  condition() = default;
  /// Wraps a built expression tree (made by attr() comparisons and functions).
  explicit condition(detail::cond_ptr n) : node_(std::move(n)) {}
  /// No condition (default-constructed).
  bool empty() const { return !node_; }
  /// Renders into the context's placeholders; returns the expression text.
  std::string render(render_context& c) const { return node_ ? detail::render_condition(*node_, c) : std::string(); }
  /// The expression tree.
  const detail::cond_ptr& node() const { return node_; }

 private:
  detail::cond_ptr node_;
};

namespace detail {
template <class A, class B>
struct common_model {
  static constexpr bool ok = std::is_void_v<A> || std::is_void_v<B> || std::is_same_v<A, B>;
  using type = std::conditional_t<std::is_void_v<A>, B, A>;
};
template <class M>
condition<M> make_condition(cond_node n) {
  return condition<M>(std::make_shared<const cond_node>(std::move(n)));
}
}  // namespace detail

/// Both hold (AND). An empty side is left out. Conditions on different models do not compile.
template <class A, class B>
auto operator&&(const condition<A>& a, const condition<B>& b) {
  static_assert(detail::common_model<A, B>::ok,
                "dynantic: these conditions are on different models; combine conditions of one model");
  using M = typename detail::common_model<A, B>::type;
  if (a.empty()) return condition<M>(b.node());
  if (b.empty()) return condition<M>(a.node());
  return detail::make_condition<M>({detail::cond_node::kind::and_, {}, {}, {}, {}, a.node(), b.node()});
}
/// Either holds (OR).
template <class A, class B>
auto operator||(const condition<A>& a, const condition<B>& b) {
  static_assert(detail::common_model<A, B>::ok,
                "dynantic: these conditions are on different models; combine conditions of one model");
  using M = typename detail::common_model<A, B>::type;
  return detail::make_condition<M>({detail::cond_node::kind::or_, {}, {}, {}, {}, a.node(), b.node()});
}
/// Does not hold (NOT).
template <class M>
condition<M> operator!(const condition<M>& a) {
  return detail::make_condition<M>({detail::cond_node::kind::not_, {}, {}, {}, {}, a.node(), nullptr});
}

template <class M, class T>
class path;

/// `size(path)`: compared with numbers in conditions.
template <class M>
struct size_of_path {
  /// The path whose size is taken.
  std::vector<detail::path_segment> segments;
};

/// A typed path into model M to a value of type T (T = detail::any_value for attr_named).
template <class M, class T>
class path {
 public:
  /// The model the path starts at.
  using model_type = M;
  /// The type of the value at the path.
  using value_type = T;
  /// T without std::optional.
  using unwrapped = detail::value_of<T>;

  /// A path of segments (made by attr(), at(), operator[]).
  explicit path(std::vector<detail::path_segment> s) : segs_(std::move(s)) {}
  /// The path's segments.
  const std::vector<detail::path_segment>& segments() const { return segs_; }
  /// The path with `#n` placeholders, its names added to `c`.
  std::string render(render_context& c) const { return detail::render_path(segs_, c); }
  /// The path as text ("address.city"), for messages.
  std::string text() const { return detail::path_text(segs_); }

  /// A member of a nested struct (declared with DYNANTIC_STRUCT).
  template <class U, class S>
  path<M, U> at(U S::*member) const {
    static_assert(detail::described<unwrapped> || detail::is_any<T>,
                  "dynantic: at() needs a path to a nested struct declared with DYNANTIC_STRUCT");
    if constexpr (detail::described<unwrapped>) {
      auto s = segs_;
      s.push_back({std::string(detail::stored_name<unwrapped>(member)), 0, false});
      return path<M, U>(std::move(s));
    } else {
      return path<M, U>(segs_);
    }
  }
  /// An element of a list.
  auto operator[](std::size_t i) const {
    static_assert(detail::is_list_like<unwrapped>::value || detail::is_any<T>,
                  "dynantic: [index] needs a list attribute (std::vector or std::list)");
    auto s = segs_;
    s.push_back({{}, i, true});
    if constexpr (detail::is_any<T>) return path<M, T>(std::move(s));
    else return path<M, typename detail::is_list_like<unwrapped>::element>(std::move(s));
  }
  /// A value of a map.
  auto operator[](std::string_view key) const {
    static_assert(detail::is_map_like<unwrapped>::value || detail::described<unwrapped> || detail::is_any<T>,
                  "dynantic: [\"key\"] needs a map attribute (std::map<std::string, T>)");
    auto s = segs_;
    s.push_back({std::string(key), 0, false});
    if constexpr (detail::is_map_like<unwrapped>::value)
      return path<M, typename detail::is_map_like<unwrapped>::mapped>(std::move(s));
    else return path<M, detail::any_value>(std::move(s));
  }

  // ---- functions
  /// attribute_exists(path).
  condition<M> exists() const { return fn(detail::cond_node::kind::exists); }
  /// attribute_not_exists(path).
  condition<M> not_exists() const { return fn(detail::cond_node::kind::not_exists); }

  /// begins_with(path, prefix), on string, binary and time attributes.
  template <class V>
  condition<M> begins_with(const V& prefix) const {
    if constexpr (!detail::stringish<unwrapped> && !std::is_same_v<unwrapped, bytes> && !detail::text_time<unwrapped>) {
      static_assert(detail::always_false<V>, "dynantic: begins_with needs a string, binary or time attribute");
      return {};
    } else if constexpr (!std::is_convertible_v<V, std::string_view> && !std::is_same_v<V, bytes>) {
      static_assert(detail::always_false<V>, "dynantic: begins_with needs a string prefix");
      return {};
    } else {
      return with_operand(detail::cond_node::kind::begins_with, detail::to_operand<unwrapped>(prefix));
    }
  }

  /// For strings: a substring; for sets and lists: an element.
  template <class V>
  condition<M> contains(const V& x) const {
    if constexpr (detail::is_set_like<unwrapped>::value || detail::is_list_like<unwrapped>::value) {
      using E = typename detail::element_of<unwrapped>::type;
      if constexpr (!detail::comparable<E, V>()) {
        static_assert(detail::always_false<V>,
                      "dynantic: contains() needs a value of the set's or list's element type");
        return {};
      } else {
        return with_operand(detail::cond_node::kind::contains, detail::to_operand<E>(x));
      }
    } else if constexpr (detail::stringish<unwrapped>) {
      static_assert(std::is_convertible_v<V, std::string_view> || detail::is_any<T>,
                    "dynantic: contains() on a string attribute needs a string");
      return with_operand(detail::cond_node::kind::contains, detail::to_operand<unwrapped>(x));
    } else {
      static_assert(detail::always_false<V>, "dynantic: contains() needs a string, set or list attribute");
      return {};
    }
  }

  /// path BETWEEN lo AND hi, bounds of the attribute's type.
  template <class A, class B>
  condition<M> between(const A& lo, const B& hi) const {
    if constexpr (!detail::orderable<unwrapped>) {
      static_assert(detail::always_false<A>, "dynantic: between needs a number, string or binary attribute");
      return {};
    } else if constexpr (!detail::comparable<unwrapped, A>() || !detail::comparable<unwrapped, B>()) {
      static_assert(detail::always_false<A>, "dynantic: between's bounds must have the attribute's type");
      return {};
    } else {
      detail::cond_node n{detail::cond_node::kind::between, {}, segs_, {}, {}, nullptr, nullptr};
      n.operands = {detail::to_operand<unwrapped>(lo), detail::to_operand<unwrapped>(hi)};
      return detail::make_condition<M>(std::move(n));
    }
  }

  /// `IN (a, b, ...)`: at most 100 values.
  template <class... V>
  condition<M> is_in(const V&... vs) const {
    static_assert(sizeof...(V) >= 1 && sizeof...(V) <= 100, "dynantic: is_in takes 1 to 100 values");
    static_assert((detail::comparable<unwrapped, V>() && ...), "dynantic: is_in values must have the attribute's type");
    detail::cond_node n{detail::cond_node::kind::in, {}, segs_, {}, {}, nullptr, nullptr};
    (n.operands.push_back(detail::to_operand<unwrapped>(vs)), ...);
    return detail::make_condition<M>(std::move(n));
  }
  /// `IN` over a run-time list of values (1 to 100; more is a validation_error before sending).
  template <class V>
  condition<M> is_in_list(const std::vector<V>& vs) const {
    static_assert(detail::comparable<unwrapped, V>(), "dynantic: is_in values must have the attribute's type");
    if (vs.empty() || vs.size() > 100) throw validation_error(text(), "IN takes 1 to 100 values");
    detail::cond_node n{detail::cond_node::kind::in, {}, segs_, {}, {}, nullptr, nullptr};
    for (const auto& v : vs) n.operands.push_back(detail::to_operand<unwrapped>(v));
    return detail::make_condition<M>(std::move(n));
  }

  /// `attribute_type(path, :t)`.
  condition<M> attribute_type(::dynantic::value_type t) const {
    detail::cond_node n{detail::cond_node::kind::type_is, {}, segs_, {}, std::string(type_tag(t)), nullptr, nullptr};
    return detail::make_condition<M>(std::move(n));
  }

  /// `size(path)`, to compare with numbers.
  size_of_path<M> size() const {
    static_assert(detail::stringish<unwrapped> || detail::is_set_like<unwrapped>::value ||
                      detail::is_list_like<unwrapped>::value || detail::is_map_like<unwrapped>::value ||
                      std::is_same_v<unwrapped, bytes> || detail::described<unwrapped>,
                  "dynantic: size() needs a string, binary, set, list or map attribute");
    return {segs_};
  }

 private:
  condition<M> fn(detail::cond_node::kind k) const {
    return detail::make_condition<M>({k, {}, segs_, {}, {}, nullptr, nullptr});
  }
  condition<M> with_operand(detail::cond_node::kind k, attribute_value v) const {
    detail::cond_node n{k, {}, segs_, {std::move(v)}, {}, nullptr, nullptr};
    return detail::make_condition<M>(std::move(n));
  }
  std::vector<detail::path_segment> segs_;
};

namespace detail {
template <class T, class V>
constexpr bool check_compare() {
  using U = value_of<T>;
  if constexpr (!comparable<U, V>()) {
    static_assert(always_false<V>, "dynantic: the value's type does not match the attribute's type");
    return false;
  }
  return true;
}
}  // namespace detail

/// The path to a declared member of model M (M defaults to the member's class; name it for members
/// inherited from a base: attr<Derived>(&Base::x)).
template <class M = void, class U, class C>
auto attr(U C::*member) {
  using Model = std::conditional_t<std::is_void_v<M>, C, M>;
  static_assert(detail::described<Model>, "dynantic: attr() needs a member of a struct declared with DYNANTIC_MODEL");
  return path<Model, U>({{std::string(detail::stored_name<Model>(member)), 0, false}});
}

/// A path by attribute name, for schemaless parts: no type checks. Dots are not separators
/// (`attr_named("a.b")` is the attribute named "a.b").
inline path<void, detail::any_value> attr_named(std::string_view name) {
  return path<void, detail::any_value>({{std::string(name), 0, false}});
}

// ---- comparisons: path op value
#define DYNANTIC_DETAIL_COMPARE(OP, TEXT, ORDERED)                                                              \
  template <class M, class T, class V>                                                                          \
  requires(!std::is_same_v<std::remove_cvref_t<V>, size_of_path<M>>) condition<M>                               \
  operator OP(const path<M, T>& p, const V& v) {                                                                \
    using U = detail::value_of<T>;                                                                              \
    if constexpr (ORDERED && !detail::orderable<U>) {                                                           \
      static_assert(detail::always_false<V>, "dynantic: '" #OP                                                  \
                                             "' needs a number, string or binary attribute; "                   \
                                             "for sets, lists and maps use contains() or size()");              \
      return {};                                                                                                \
    } else if constexpr (!detail::comparable<U, V>()) {                                                         \
      static_assert(detail::always_false<V>, "dynantic: the value's type does not match the attribute's type"); \
      return {};                                                                                                \
    } else {                                                                                                    \
      detail::cond_node n{detail::cond_node::kind::compare, TEXT, p.segments(), {}, {}, nullptr, nullptr};      \
      n.operands.push_back(detail::to_operand<U>(v));                                                           \
      return detail::make_condition<M>(std::move(n));                                                           \
    }                                                                                                           \
  }                                                                                                             \
  template <class M, class V>                                                                                   \
  condition<M> operator OP(const size_of_path<M>& p, const V& v) {                                              \
    static_assert(std::is_integral_v<V>, "dynantic: size() compares with an integer");                          \
    detail::cond_node n{detail::cond_node::kind::compare_size, TEXT, p.segments, {}, {}, nullptr, nullptr};     \
    n.operands.push_back(attribute_value::number(v));                                                           \
    return detail::make_condition<M>(std::move(n));                                                             \
  }

DYNANTIC_DETAIL_COMPARE(==, "=", false)
DYNANTIC_DETAIL_COMPARE(!=, "<>", false)
DYNANTIC_DETAIL_COMPARE(<, "<", true)
DYNANTIC_DETAIL_COMPARE(<=, "<=", true)
DYNANTIC_DETAIL_COMPARE(>, ">", true)
DYNANTIC_DETAIL_COMPARE(>=, ">=", true)
#undef DYNANTIC_DETAIL_COMPARE

}  // namespace dynantic
