#pragma once
/// @file model.hpp
/// Declaring models: DYNANTIC_MODEL beside a plain struct, DYNANTIC_STRUCT for nested structs and
/// DYNANTIC_ENUM for enums stored as strings. Each emits an ADL-found constexpr function, so declarations
/// work inside user namespaces; nothing is registered at run time.
///
/// @code
/// struct User { std::string user_id; std::string email; std::optional<int> age; std::int64_t version = 0; };
/// DYNANTIC_MODEL(User, "users", key(user_id), sort_key(email), field(age, ge(0), le(150)), version(version))
/// @endcode
///
/// Roles: key(m, opts...) sort_key(m, opts...) field(m, opts...) ttl(m) version(m) skip(m) forbid_unknown()
/// Every member of the struct is either mapped by a role or named in skip(m) (not stored); a member the
/// declaration forgets is a compile error.
/// Options: min_length(n) max_length(n) ge(v) gt(v) le(v) lt(v) one_of(a, b, ...) pattern("regex")
///          check(predicate, "message") stored_as("name") auto_uuid gsi_key("index") gsi_sort_key("index")
///          lsi_sort_key("index") default_value(v) default_initializer

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <dynantic/model/converter.hpp>

// ------------------------------------------------------------------ preprocessor iteration (C++20 __VA_OPT__)
#define DYNANTIC_PP_PARENS ()
#define DYNANTIC_PP_EXPAND(...) \
  DYNANTIC_PP_EXPAND3(DYNANTIC_PP_EXPAND3(DYNANTIC_PP_EXPAND3(DYNANTIC_PP_EXPAND3(__VA_ARGS__))))
#define DYNANTIC_PP_EXPAND3(...) \
  DYNANTIC_PP_EXPAND2(DYNANTIC_PP_EXPAND2(DYNANTIC_PP_EXPAND2(DYNANTIC_PP_EXPAND2(__VA_ARGS__))))
#define DYNANTIC_PP_EXPAND2(...) \
  DYNANTIC_PP_EXPAND1(DYNANTIC_PP_EXPAND1(DYNANTIC_PP_EXPAND1(DYNANTIC_PP_EXPAND1(__VA_ARGS__))))
#define DYNANTIC_PP_EXPAND1(...) __VA_ARGS__
#define DYNANTIC_PP_FOR_EACH(macro, ...) __VA_OPT__(DYNANTIC_PP_EXPAND(DYNANTIC_PP_FOR_EACH_HELPER(macro, __VA_ARGS__)))
#define DYNANTIC_PP_FOR_EACH_HELPER(macro, a1, ...) \
  macro(a1) __VA_OPT__(DYNANTIC_PP_FOR_EACH_AGAIN DYNANTIC_PP_PARENS(macro, __VA_ARGS__))
#define DYNANTIC_PP_FOR_EACH_AGAIN() DYNANTIC_PP_FOR_EACH_HELPER

// Each declaration argument `role(member, options...)` becomes `, DYNANTIC_DETAIL_ROLE_role(member, options...)`.
#define DYNANTIC_DETAIL_ARG(arg) , DYNANTIC_DETAIL_ROLE_##arg
#define DYNANTIC_DETAIL_ROLE_key(m, ...) \
  ::dynantic::detail::member<::dynantic::detail::role::partition_key>(&dynantic_self::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DYNANTIC_DETAIL_ROLE_sort_key(m, ...) \
  ::dynantic::detail::member<::dynantic::detail::role::sort_key>(&dynantic_self::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DYNANTIC_DETAIL_ROLE_field(m, ...) \
  ::dynantic::detail::member<::dynantic::detail::role::field>(&dynantic_self::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DYNANTIC_DETAIL_ROLE_ttl(m, ...) \
  ::dynantic::detail::member<::dynantic::detail::role::ttl>(&dynantic_self::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DYNANTIC_DETAIL_ROLE_version(m, ...) \
  ::dynantic::detail::member<::dynantic::detail::role::version>(&dynantic_self::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DYNANTIC_DETAIL_ROLE_discriminator(m, ...) \
  ::dynantic::detail::member<::dynantic::detail::role::discriminator>(&dynantic_self::m, #m __VA_OPT__(, ) __VA_ARGS__)
#define DYNANTIC_DETAIL_ROLE_forbid_unknown() \
  ::dynantic::detail::forbid_unknown_t {}
#define DYNANTIC_DETAIL_ROLE_skip(m) ::dynantic::detail::skip_member(&dynantic_self::m)

/// Declares a model: a struct stored in `table_name`. See the file comment for roles and options.
#define DYNANTIC_MODEL(Type, table_name, ...)                                                                       \
  [[maybe_unused]] constexpr auto dynantic_describe(Type*) {                                                        \
    using dynantic_self = Type;                                                                                     \
    using namespace ::dynantic::model_options;                                                                      \
    return ::dynantic::detail::make_model<Type>(table_name DYNANTIC_PP_FOR_EACH(DYNANTIC_DETAIL_ARG, __VA_ARGS__)); \
  }                                                                                                                 \
  static_assert(::dynantic::detail::check_model<Type>(), "dynantic: invalid model declaration");

/// Declares a nested struct (stored as M): the same roles as a model except keys, TTL and version.
#define DYNANTIC_STRUCT(Type, ...)                                                                          \
  [[maybe_unused]] constexpr auto dynantic_describe(Type*) {                                                \
    using dynantic_self = Type;                                                                             \
    using namespace ::dynantic::model_options;                                                              \
    return ::dynantic::detail::make_struct<Type>(0 DYNANTIC_PP_FOR_EACH(DYNANTIC_DETAIL_ARG, __VA_ARGS__)); \
  }                                                                                                         \
  static_assert(::dynantic::detail::check_struct<Type>(), "dynantic: invalid struct declaration");

#define DYNANTIC_DETAIL_ENUM_ENTRY(pair) DYNANTIC_DETAIL_ENUM_ENTRY_ pair
#define DYNANTIC_DETAIL_ENUM_ENTRY_(e, s) ::dynantic::detail::enum_entry<dynantic_enum_self>{dynantic_enum_self::e, s},

/// Declares how an enum is stored: DYNANTIC_ENUM(Status, (active, "active"), (inactive, "inactive")).
#define DYNANTIC_ENUM(Type, ...)                                                      \
  [[maybe_unused]] constexpr auto dynantic_enum_values(Type*) {                       \
    using dynantic_enum_self = Type;                                                  \
    return std::array{DYNANTIC_PP_FOR_EACH(DYNANTIC_DETAIL_ENUM_ENTRY, __VA_ARGS__)}; \
  }                                                                                   \
  static_assert(::dynantic::detail::check_enum<Type>(), "dynantic: DYNANTIC_ENUM repeats a value or a string");

namespace dynantic {

namespace detail {
template <class T>
constexpr bool always_false = false;

enum class role : std::uint8_t { field, partition_key, sort_key, ttl, version, discriminator };

template <class E>
struct enum_entry {
  E value;
  std::string_view text;
};

struct forbid_unknown_t {};
/// skip(member): a member of the struct that is deliberately not stored.
template <class C>
struct skip_t {};
template <class C, class T>
constexpr skip_t<C> skip_member(T C::*) {
  return {};
}

// ---- options
struct min_length_t {
  std::size_t n;
};
struct max_length_t {
  std::size_t n;
};
enum class bound_op { ge, gt, le, lt };
template <class V>
struct bound_t {
  bound_op op;
  V value;
};
template <class V, std::size_t N>
struct one_of_t {
  std::array<V, N> values;
};
struct pattern_t {
  std::string_view regex;
};
template <class F>
struct check_t {
  F predicate;
  std::string_view message;
};
struct stored_as_t {
  std::string_view name;
};
struct auto_uuid_t {};
/// default_value(v): the value a member reads as when its attribute is absent (items stored before it existed).
template <class V>
struct default_t {
  V value;
};
/// default_initializer: an absent attribute reads as the member's initializer (its value in a value-initialized
/// struct).
struct default_initializer_t {};
enum class index_role { gsi_partition, gsi_sort, lsi_sort };
struct index_t {
  index_role kind;
  std::string_view index;
};

template <class T>
struct is_bound : std::false_type {};
template <class V>
struct is_bound<bound_t<V>> : std::true_type {};
template <class T>
struct is_one_of : std::false_type {};
template <class V, std::size_t N>
struct is_one_of<one_of_t<V, N>> : std::true_type {};
template <class T>
struct is_check : std::false_type {};
template <class F>
struct is_check<check_t<F>> : std::true_type {};
template <class T>
struct is_default : std::false_type {};
template <class V>
struct is_default<default_t<V>> : std::true_type {};
template <>
struct is_default<default_initializer_t> : std::true_type {};

template <class T>
struct unwrap_optional {
  using type = T;
};
template <class T>
struct unwrap_optional<std::optional<T>> {
  using type = T;
};
template <class T>
using value_of = typename unwrap_optional<T>::type;

template <class T>
struct value_of_or_void {
  using type = value_of<T>;
};
template <class T>
using value_of_or_void_t = typename value_of_or_void<T>::type;

template <class T>
concept has_size = requires(const T& t) {
  t.size();
};
template <class T>
constexpr bool is_number_like = (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) || std::is_same_v<T, decimal>;
template <class T>
concept has_enum_values = std::is_enum_v<T> && requires {
  dynantic_enum_values(static_cast<T*>(nullptr));
};
template <class T>
concept described = requires {
  dynantic_describe(static_cast<T*>(nullptr));
};

}  // namespace detail

/// The options usable in declarations (in scope inside DYNANTIC_MODEL / DYNANTIC_STRUCT).
namespace model_options {
/// At least `n` characters (UTF-8 code points of a string) or elements (containers).
constexpr detail::min_length_t min_length(std::size_t n) { return {n}; }
/// At most `n` characters or elements.
constexpr detail::max_length_t max_length(std::size_t n) { return {n}; }
/// A number >= v.
template <class V>
constexpr detail::bound_t<V> ge(V v) {
  return {detail::bound_op::ge, v};
}
/// A number > v.
template <class V>
constexpr detail::bound_t<V> gt(V v) {
  return {detail::bound_op::gt, v};
}
/// A number <= v.
template <class V>
constexpr detail::bound_t<V> le(V v) {
  return {detail::bound_op::le, v};
}
/// A number < v.
template <class V>
constexpr detail::bound_t<V> lt(V v) {
  return {detail::bound_op::lt, v};
}
/// One of the values given: one_of("CH", "DE").
template <class V, class... Vs>
constexpr auto one_of(V first, Vs... rest) {
  using E = std::conditional_t<std::is_convertible_v<V, std::string_view>, std::string_view, V>;
  return detail::one_of_t<E, 1 + sizeof...(Vs)>{{E(first), E(rest)...}};
}
/// A string matching the ECMAScript regular expression (the whole string).
constexpr detail::pattern_t pattern(std::string_view regex) { return {regex}; }
/// A value for which predicate(value) is true; else `message` is the issue.
template <class F>
constexpr detail::check_t<F> check(F predicate, std::string_view message) {
  return {predicate, message};
}
/// The attribute's name in DynamoDB when it differs from the member's.
constexpr detail::stored_as_t stored_as(std::string_view name) { return {name}; }
/// key(id, auto_uuid): an empty dy::uuid key is filled with a random one before writing.
inline constexpr detail::auto_uuid_t auto_uuid{};
/// The value the member reads as when the stored item has no such attribute: field(points, default_value(0)).
template <class V>
constexpr auto default_value(V v) {
  using E = std::conditional_t<std::is_convertible_v<V, std::string_view>, std::string_view, V>;
  return detail::default_t<E>{E(v)};
}
/// An absent attribute reads as the member's initializer: `int points = 10;` with field(points, default_initializer).
inline constexpr detail::default_initializer_t default_initializer{};
/// The partition key of global secondary index `index` (create_table creates it; query_index queries it).
constexpr detail::index_t gsi_key(std::string_view index) { return {detail::index_role::gsi_partition, index}; }
/// The sort key of global secondary index `index`.
constexpr detail::index_t gsi_sort_key(std::string_view index) { return {detail::index_role::gsi_sort, index}; }
/// The sort key of local secondary index `index` (its partition key is the table's).
constexpr detail::index_t lsi_sort_key(std::string_view index) { return {detail::index_role::lsi_sort, index}; }
}  // namespace model_options

namespace detail {

// ---- compile-time checks of options against the member type; one readable message each
template <role R, class T, class O>
constexpr bool check_option() {
  using V = value_of<T>;
  if constexpr (std::is_same_v<O, min_length_t> || std::is_same_v<O, max_length_t>) {
    static_assert(has_size<V>, "dynantic: min_length/max_length need a string, container or set member");
  } else if constexpr (is_bound<O>::value) {
    static_assert(is_number_like<V> || std::is_same_v<V, timestamp>,
                  "dynantic: ge/gt/le/lt need a number, dy::decimal or dy::timestamp member");
    using B = decltype(O::value);
    static_assert(std::is_same_v<V, decimal>     ? (is_number_like<B> || std::is_convertible_v<B, std::string_view>)
                  : std::is_same_v<V, timestamp> ? std::is_same_v<B, timestamp>
                                                 : is_number_like<B>,
                  "dynantic: the bound of ge/gt/le/lt must be a number (for dy::decimal also a string like \"9.99\"; "
                  "for dy::timestamp a dy::timestamp)");
  } else if constexpr (is_one_of<O>::value) {
    static_assert(std::is_same_v<V, std::string> || is_number_like<V> || std::is_enum_v<V>,
                  "dynantic: one_of needs a string, number or enum member");
  } else if constexpr (std::is_same_v<O, pattern_t>) {
    static_assert(std::is_same_v<V, std::string>, "dynantic: pattern needs a std::string member");
  } else if constexpr (is_check<O>::value) {
    static_assert(std::is_invocable_r_v<bool, decltype(O::predicate), const T&>,
                  "dynantic: check(predicate, message) needs a predicate callable with the member's type");
  } else if constexpr (std::is_same_v<O, auto_uuid_t>) {
    static_assert(R == role::partition_key || R == role::sort_key, "dynantic: auto_uuid is for key or sort_key");
    static_assert(std::is_same_v<T, uuid> || std::is_same_v<T, std::string>,
                  "dynantic: auto_uuid needs a dy::uuid or std::string member");
  } else if constexpr (std::is_same_v<O, index_t>) {
    static_assert(std::is_same_v<V, std::string> || is_number_like<V> || std::is_same_v<V, bytes> ||
                      std::is_same_v<V, uuid> || std::is_same_v<V, timestamp> || std::is_enum_v<V>,
                  "dynantic: index keys must be stored as a string, number or binary");
  } else if constexpr (is_default<O>::value) {
    static_assert(R != role::partition_key && R != role::sort_key,
                  "dynantic: a key has no default: every stored item has its key attributes");
    if constexpr (!std::is_same_v<O, default_initializer_t>) {
      static_assert(std::is_constructible_v<T, decltype(O::value)>,
                    "dynantic: default_value needs a value of the member's type");
    }
  } else if constexpr (std::is_same_v<O, stored_as_t>) {
  } else {
    static_assert(always_false<O>, "dynantic: unknown option in a model declaration");
  }
  return true;
}

template <role R, class T>
constexpr bool check_role() {
  if constexpr (R == role::partition_key || R == role::sort_key) {
    static_assert(std::is_same_v<T, std::string> || is_number_like<T> || std::is_same_v<T, bytes> ||
                      std::is_same_v<T, uuid> || std::is_same_v<T, timestamp> || std::is_enum_v<T> ||
                      std::is_same_v<T, std::chrono::year_month_day>,
                  "dynantic: a key must be stored as a string, number or binary (not optional, bool or a container)");
  } else if constexpr (R == role::ttl) {
    static_assert(std::is_same_v<value_of<T>, timestamp> || std::is_integral_v<value_of<T>>,
                  "dynantic: ttl needs a dy::timestamp or integer (epoch seconds) member");
  } else if constexpr (R == role::version) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>, "dynantic: version needs an integer member");
  } else if constexpr (R == role::discriminator) {
    static_assert(std::is_same_v<T, std::string>, "dynantic: discriminator needs a std::string member");
  }
  return true;
}

// ---- a light tuple for declarations: std::tuple's converting constructors and tuple_cat make every model
// pay for overload resolution it never needs (bench/compile_cost/run).
template <std::size_t I, class T>
struct pack_leaf {
  T value;
};
template <class Seq, class... T>
struct pack_base;
template <std::size_t... I, class... T>
struct pack_base<std::index_sequence<I...>, T...> : pack_leaf<I, T>... {
  constexpr pack_base(const T&... v) : pack_leaf<I, T>{v}... {}  // NOLINT: {a, b} builds a pack
};
template <class... T>
struct pack : pack_base<std::index_sequence_for<T...>, T...> {
  using pack_base<std::index_sequence_for<T...>, T...>::pack_base;
  static constexpr std::size_t size = sizeof...(T);
};
template <std::size_t I, class T>
constexpr const T& pack_get(const pack_leaf<I, T>& leaf) {
  return leaf.value;
}
template <std::size_t I, class P>
using pack_element_t = std::remove_cvref_t<decltype(pack_get<I>(std::declval<const P&>()))>;
template <class F, class... T>
constexpr decltype(auto) pack_apply(F&& f, const pack<T...>& p) {
  return [&]<std::size_t... I>(std::index_sequence<I...>)->decltype(auto) { return f(pack_get<I>(p)...); }
  (std::index_sequence_for<T...>{});
}

template <role R, class C, class T, class... Opts>
struct member_info {
  using owner_type = C;
  using value_type = T;
  static constexpr role kind = R;
  T C::*ptr;
  std::string_view name;    ///< stored attribute name
  std::string_view member;  ///< C++ member name
  pack<Opts...> opts;

  template <class O>
  static constexpr bool has = (std::is_same_v<O, Opts> || ...);
};

template <role R, class C, class T, class... Opts>
constexpr auto member(T C::*ptr, std::string_view member_name, Opts... opts) {
  static_assert(check_role<R, T>());
  static_assert((check_option<R, T, Opts>() && ...));
  std::string_view stored = member_name;
  (
      [&] {
        if constexpr (std::is_same_v<Opts, stored_as_t>) stored = opts.name;
      }(),
      ...);
  return member_info<R, C, T, Opts...>{ptr, stored, member_name, {opts...}};
}

template <class M, class... Members>
struct model_info {
  std::string_view table;
  bool forbid_unknown = false;
  pack<Members...> members;
  /// Aggregate elements the declaration accounts for: its own members mapped or skipped, and one per base
  /// struct whose members it maps or skips.
  std::size_t elements = 0;
};

template <class T>
struct owner_of {
  using type = void;
};
template <role R, class C, class T, class... O>
struct owner_of<member_info<R, C, T, O...>> {
  using type = C;
};
template <class C>
struct owner_of<skip_t<C>> {
  using type = C;
};

/// Distinct base structs among the owners (void: not a member or skip argument).
template <class M, class... Os>
struct distinct_bases {
  static constexpr std::size_t value = 0;
};
template <class M, class O, class... Rest>
struct distinct_bases<M, O, Rest...> {
  static constexpr bool counts = !std::is_void_v<O> && !std::is_same_v<O, M> && !(std::is_same_v<O, Rest> || ...);
  static constexpr std::size_t value = (counts ? 1 : 0) + distinct_bases<M, Rest...>::value;
};
/// How many aggregate elements a declaration of M with these arguments accounts for (see model_info::elements).
template <class M, class... Args>
constexpr std::size_t accounted_elements() {
  return ((std::is_same_v<typename owner_of<Args>::type, M> ? 1 : 0) + ... + 0) +
         distinct_bases<M, typename owner_of<Args>::type...>::value;
}

/// Converts to anything: probes how many initializers an aggregate takes.
struct any_initializer {
  template <class T>
  operator T&() const&& noexcept;  // declared only: used in unevaluated probes
  template <class T>
  operator T&&() const&& noexcept;
};
template <class T, std::size_t... I>
constexpr bool aggregate_takes(std::index_sequence<I...>) {
  return requires { T{(void(I), any_initializer{})...}; };
}
/// The number of elements (members, and bases) of an aggregate: the most initializers it takes (binary search;
/// taking n initializers implies taking fewer).
template <class T, std::size_t Lo = 0, std::size_t Hi = 128>
constexpr std::size_t aggregate_elements() {
  if constexpr (Lo == Hi) {
    return Lo;
  } else {
    constexpr std::size_t mid = (Lo + Hi + 1) / 2;
    if constexpr (aggregate_takes<T>(std::make_index_sequence<mid>{})) return aggregate_elements<T, mid, Hi>();
    else return aggregate_elements<T, Lo, mid - 1>();
  }
}

/// Every member of an aggregate model or struct is mapped or skipped (structs with constructors are not
/// checked: their members cannot be counted).
template <class M, class Info>
constexpr bool every_member_accounted(const Info& info) {
  if constexpr (std::is_aggregate_v<M>) return aggregate_elements<M>() == info.elements;
  else return true;
}

template <class T>
struct is_member_info : std::false_type {};
template <role R, class C, class T, class... O>
struct is_member_info<member_info<R, C, T, O...>> : std::true_type {};

template <class M, class... Args>
constexpr auto make_model(std::string_view table, Args... args) {
  constexpr bool forbid = (std::is_same_v<Args, forbid_unknown_t> || ...);
  constexpr bool is_member[] = {is_member_info<Args>::value..., false};
  constexpr std::size_t n = (std::size_t{is_member_info<Args>::value} + ... + 0);
  // the positions of the member arguments (skip() and forbid_unknown() are not members)
  constexpr auto at = [&] {
    std::array<std::size_t, n> a{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < sizeof...(Args); ++i) {
      if (is_member[i]) a[k++] = i;
    }
    return a;
  }();
  const pack<Args...> all(args...);
  return [&]<std::size_t... J>(std::index_sequence<J...>) {
    using members = pack<pack_element_t<at[J], pack<Args...>>...>;
    return model_info<M, pack_element_t<at[J], pack<Args...>>...>{table, forbid, members(pack_get<at[J]>(all)...),
                                                                  accounted_elements<M, Args...>()};
  }
  (std::make_index_sequence<n>{});
}

template <class M, class... Args>
constexpr auto make_struct(int, Args... args) {
  return make_model<M>(std::string_view{}, args...);
}

template <class M>
constexpr auto describe() {
  return dynantic_describe(static_cast<M*>(nullptr));
}
template <class M>
using model_info_t = decltype(describe<M>());

template <class Info, role R>
struct count_role;
template <class M, class... Ms, role R>
struct count_role<model_info<M, Ms...>, R> {
  static constexpr std::size_t value = ((Ms::kind == R ? 1 : 0) + ... + 0);
};

template <class M>
constexpr bool index_names_valid() {
  bool ok = true;
  pack_apply(
      [&](const auto&... mi) {
        (pack_apply(
             [&](const auto&... o) {
               (
                   [&] {
                     if constexpr (std::is_same_v<std::remove_cvref_t<decltype(o)>, index_t>)
                       ok &= valid_table_name(o.index);
                   }(),
                   ...);
             },
             mi.opts),
         ...);
      },
      describe<M>().members);
  return ok;
}

template <class M>
constexpr bool check_model() {
  using info = model_info_t<M>;
  constexpr auto pk = count_role<info, role::partition_key>::value;
  static_assert(pk != 0, "dynantic: a model needs a partition key: add key(member)");
  static_assert(pk <= 1, "dynantic: a model has one partition key; use sort_key(member) for the second key");
  static_assert(count_role<info, role::sort_key>::value <= 1, "dynantic: a model has at most one sort_key");
  static_assert(count_role<info, role::ttl>::value <= 1, "dynantic: a model has at most one ttl attribute");
  static_assert(count_role<info, role::version>::value <= 1, "dynantic: a model has at most one version attribute");
  static_assert(count_role<info, role::discriminator>::value <= 1, "dynantic: a model has at most one discriminator");
  static_assert(every_member_accounted<M>(describe<M>()),
                "dynantic: the struct has a member that the declaration neither maps nor skips: add field(member) "
                "(or key, sort_key, ttl, version), or skip(member) to leave it out of the stored item");
  static_assert(valid_table_name(describe<M>().table),
                "dynantic: a table name is 3 to 255 characters of A-Z a-z 0-9 _ . - (DynamoDB's rule)");
  static_assert(index_names_valid<M>(),
                "dynantic: an index name is 3 to 255 characters of A-Z a-z 0-9 _ . - (DynamoDB's rule)");
  return true;
}

template <class M>
constexpr bool check_struct() {
  using info = model_info_t<M>;
  static_assert(
      count_role<info, role::partition_key>::value == 0 && count_role<info, role::sort_key>::value == 0 &&
          count_role<info, role::ttl>::value == 0 && count_role<info, role::version>::value == 0 &&
          count_role<info, role::discriminator>::value == 0,
      "dynantic: DYNANTIC_STRUCT takes field(...) only; keys, ttl, version and discriminator belong to DYNANTIC_MODEL");
  static_assert(every_member_accounted<M>(describe<M>()),
                "dynantic: the struct has a member that the declaration neither maps nor skips: add field(member) "
                "(or key, sort_key, ttl, version), or skip(member) to leave it out of the stored item");
  return true;
}

template <class E>
constexpr bool check_enum() {
  constexpr auto values = dynantic_enum_values(static_cast<E*>(nullptr));
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (std::size_t j = i + 1; j < values.size(); ++j) {
      if (values[i].text == values[j].text || values[i].value == values[j].value) return false;
    }
  }
  return true;
}

template <class M>
inline constexpr auto model_v = describe<M>();

/// Calls f(member_info) for each declared member.
template <class M, class F>
constexpr void for_each_member(F&& f) {
  pack_apply([&](const auto&... mi) { (f(mi), ...); }, model_v<M>.members);
}

template <class M, role R>
constexpr bool has_role = count_role<model_info_t<M>, R>::value > 0;

template <class M>
using members_tuple_t = std::remove_cvref_t<decltype(model_v<M>.members)>;

/// Index of the first member with role R (the tuple size when there is none).
template <class M, role R>
constexpr std::size_t role_index() {
  using tuple_t = members_tuple_t<M>;
  return []<std::size_t... I>(std::index_sequence<I...>) {
    std::size_t found = sizeof...(I);
    ((pack_element_t<I, tuple_t>::kind == R && found == sizeof...(I) ? (void)(found = I) : (void)0), ...);
    return found;
  }
  (std::make_index_sequence<tuple_t::size>{});
}

template <class M, role R>
constexpr const auto& role_member() {
  return pack_get<role_index<M, R>()>(model_v<M>.members);
}

template <class M, role R, bool = has_role<M, R>>
struct role_type {
  using type = void;
};
template <class M, role R>
struct role_type<M, R, true> {
  using type = typename pack_element_t<role_index<M, R>(), members_tuple_t<M>>::value_type;
};

// ---- subtypes (DYNANTIC_SUBTYPE, see polymorphic.hpp): what the converters need to write and check the tag
template <class Base>
struct subtype_decl {
  using base_type = Base;
  std::string_view tag;
};
template <class T>
concept subtype = requires {
  dynantic_subtype_of(static_cast<T*>(nullptr));
};
template <class T>
using base_of_t = typename decltype(dynantic_subtype_of(static_cast<T*>(nullptr)))::base_type;
template <class T>
constexpr std::string_view subtype_tag() {
  return dynantic_subtype_of(static_cast<T*>(nullptr)).tag;
}
/// The attribute holding the tag: the base's discriminator member.
template <class T>
constexpr std::string_view subtype_discriminator() {
  return role_member<base_of_t<T>, role::discriminator>().name;
}
void check_tag(const attribute_value* stored, std::string_view tag, conversion_context& c);

// ---- run-time validation of one member's constraints
bool regex_match(std::string_view pattern, const std::string& text);
std::string describe_bound(bound_op op);

template <class T, class O>
void apply_constraint(const T& v, const O& o, conversion_context& c) {
  if constexpr (is_optional<T>::value) {
    if (v) apply_constraint(*v, o, c);
  } else if constexpr (std::is_same_v<O, min_length_t>) {
    if (v.size() < o.n)
      c.fail("length must be at least " + std::to_string(o.n) + " (got " + std::to_string(v.size()) + ")");
  } else if constexpr (std::is_same_v<O, max_length_t>) {
    if (v.size() > o.n)
      c.fail("length must be at most " + std::to_string(o.n) + " (got " + std::to_string(v.size()) + ")");
  } else if constexpr (is_bound<O>::value) {
    bool ok = true;
    auto cmp = [&](const auto& a, const auto& b) {
      switch (o.op) {
        case bound_op::ge: return a >= b;
        case bound_op::gt: return a > b;
        case bound_op::le: return a <= b;
        case bound_op::lt: return a < b;
      }
      return true;
    };
    std::string limit;
    if constexpr (std::is_same_v<T, decimal>) {
      using B = std::remove_cv_t<decltype(o.value)>;
      decimal lim = [&] {
        if constexpr (std::is_floating_point_v<B>) return decimal(detail::format_double(o.value));
        else if constexpr (std::is_integral_v<B>) return decimal(static_cast<std::int64_t>(o.value));
        else return decimal(std::string_view(o.value));
      }();
      ok = cmp(v, lim);
      limit = lim.text();
    } else if constexpr (std::is_same_v<T, timestamp>) {
      ok = cmp(v, o.value);
      limit = format_timestamp(o.value);
    } else {
      ok = cmp(v, o.value);
      limit = converter<std::remove_cv_t<decltype(o.value)>>::to_attribute(o.value, c).as_number_text();
    }
    if (!ok) c.fail("must be " + describe_bound(o.op) + " " + limit);
  } else if constexpr (is_one_of<O>::value) {
    bool found = false;
    std::string allowed;
    for (const auto& x : o.values) {
      if constexpr (std::is_enum_v<T>) {
        found |= v == x;
        allowed += (allowed.empty() ? "" : ", ") + converter<T>::to_attribute(x, c).as_string();
      } else if constexpr (std::is_same_v<T, std::string>) {
        found |= std::string_view(v) == x;
        allowed += (allowed.empty() ? "'" : ", '") + std::string(x) + "'";
      } else {
        found |= v == x;
        allowed +=
            (allowed.empty() ? "" : ", ") +
            converter<std::remove_cv_t<std::remove_reference_t<decltype(x)>>>::to_attribute(x, c).as_number_text();
      }
    }
    if (!found) c.fail("must be one of " + allowed);
  } else if constexpr (std::is_same_v<O, pattern_t>) {
    if (!regex_match(o.regex, v)) c.fail("must match the pattern " + std::string(o.regex));
  } else if constexpr (is_check<O>::value) {
    // checked by the caller with the declared member type
  }
}

template <class MI, class T>
void check_member(const MI& mi, const T& v, conversion_context& c) {
  pack_apply(
      [&](const auto&... o) {
        (
            [&] {
              using O = std::remove_cvref_t<decltype(o)>;
              if constexpr (is_check<O>::value) {
                if (!o.predicate(v)) c.fail(std::string(o.message));
              } else {
                apply_constraint(v, o, c);
              }
            }(),
            ...);
      },
      mi.opts);
}

// ---- converting whole models (and nested structs): one codec over a compact description
//
// A declaration yields a model_desc: per member its stored name, offset, role, a pointer to the operations
// table of its C++ type (type_ops, one per type and shared by every model with a member of that type) and a
// constraint check where it declares constraints. Encoding, decoding, validation and keys are non-template
// code in src/ over that description (src/model/codec.cpp); per model, only the description is instantiated.

template <class T>
constexpr bool omittable = requires(const T& v) {
  converter<T>::omit(v);
};

template <class T>
bool should_omit(const T& v) {
  if constexpr (omittable<T>) return converter<T>::omit(v);
  else return false;
}

template <class T>
constexpr bool may_be_absent = is_optional<T>::value || omittable<T>;

/// TTL attributes are stored as epoch seconds (N), whatever their C++ type.
template <class T>
attribute_value ttl_to_attribute(const T& v) {
  if constexpr (std::is_same_v<T, timestamp>) {
    return attribute_value::number(std::chrono::floor<std::chrono::seconds>(v).time_since_epoch().count());
  } else {
    return attribute_value::number(v);
  }
}
template <class T>
void ttl_from_attribute(const attribute_value& a, T& out, conversion_context& c) {
  if constexpr (std::is_same_v<T, timestamp>) {
    std::int64_t secs = 0;
    converter<std::int64_t>::from_attribute(a, secs, c);
    out = timestamp{std::chrono::seconds{secs}};
  } else {
    converter<T>::from_attribute(a, out, c);
  }
}

/// What the codec does with a member of one C++ type (type-erased: the member is passed by address).
struct type_ops {
  void (*write)(const void* v, ddb_writer& w);
  void (*read)(const ddb_value& a, void* v, conversion_context& c);
  attribute_value (*to_attribute)(const void* v, conversion_context& c);
  void (*from_attribute)(const attribute_value& a, void* v, conversion_context& c);
  bool (*omit)(const void* v);  ///< nullptr: never omitted
  bool may_be_absent;           ///< a missing attribute is no issue (optional or omittable)
};

template <class T>
struct ops_of {
  static void write(const void* v, ddb_writer& w) { ddb_write(*static_cast<const T*>(v), w); }
  static void read(const ddb_value& a, void* v, conversion_context& c) { ddb_read(a, *static_cast<T*>(v), c); }
  static attribute_value to_attribute(const void* v, conversion_context& c) {
    return converter<T>::to_attribute(*static_cast<const T*>(v), c);
  }
  static void from_attribute(const attribute_value& a, void* v, conversion_context& c) {
    converter<T>::from_attribute(a, *static_cast<T*>(v), c);
  }
  static bool omit(const void* v) { return should_omit(*static_cast<const T*>(v)); }
  static constexpr type_ops table{
      &write, &read, &to_attribute, &from_attribute, omittable<T> ? &omit : nullptr, may_be_absent<T>};
};

/// TTL members: epoch seconds whatever the C++ type (dy::timestamp or an integer, optional or not).
template <class T>
struct ttl_ops_of {
  using V = value_of<T>;
  static attribute_value to_attribute(const void* v, conversion_context&) {
    const T& x = *static_cast<const T*>(v);
    if constexpr (is_optional<T>::value) return x ? ttl_to_attribute(*x) : attribute_value::null();
    else return ttl_to_attribute(x);
  }
  static void write(const void* v, ddb_writer& w) { w.value(to_attribute(v, w.context())); }
  static void from_attribute(const attribute_value& a, void* v, conversion_context& c) {
    T& out = *static_cast<T*>(v);
    if constexpr (is_optional<T>::value) {
      if (a.is_null()) return out.reset();
      V x{};
      ttl_from_attribute(a, x, c);
      out = x;
    } else {
      ttl_from_attribute(a, out, c);
    }
  }
  static void read(const ddb_value& a, void* v, conversion_context& c) { from_attribute(a.to_attribute(), v, c); }
  static bool omit(const void* v) { return should_omit(*static_cast<const T*>(v)); }
  static constexpr type_ops table{
      &write, &read, &to_attribute, &from_attribute, omittable<T> ? &omit : nullptr, may_be_absent<T>};
};

/// One declared index key: member `member` of the description is `kind` of index `index`.
struct index_decl {
  std::size_t member;
  index_role kind;
  std::string_view index;
};

/// One declared member.
struct member_desc {
  std::string_view name;    ///< stored attribute name
  std::string_view member;  ///< C++ member name
  std::size_t offset;       ///< of the member in its struct
  role kind;
  char scalar;     ///< 'S', 'N' or 'B': how a key or index key of this type is declared
  bool is_string;  ///< std::string (keys encoded without a temporary value)
  const type_ops* ops;
  void (*check)(const void* v, conversion_context& c);  ///< the declared constraints; nullptr when none
  void (*fill_uuid)(void* v);                           ///< auto_uuid: fills an empty key; nullptr otherwise
  void (*fill_default)(void* v);  ///< default_value/default_initializer: what an absent attribute reads as
};

/// A model or nested struct as the codec sees it.
struct model_desc {
  std::string_view table;  ///< empty for nested structs
  bool forbid_unknown = false;
  const member_desc* members = nullptr;
  std::size_t member_count = 0;
  const index_decl* indexes = nullptr;
  std::size_t index_count = 0;
  std::string_view tag;            ///< subtypes: the tag written and checked
  std::string_view discriminator;  ///< subtypes: the attribute holding it
  const member_desc* partition_key = nullptr;
  const member_desc* sort_key = nullptr;
  const member_desc* ttl = nullptr;
  const member_desc* version = nullptr;
  std::int64_t (*get_version)(const void* model) = nullptr;
  void (*set_version)(void* model, std::int64_t v) = nullptr;

  const member_desc* begin() const { return members; }
  const member_desc* end() const { return members + member_count; }
  static const void* at(const void* obj, const member_desc& m) { return static_cast<const char*>(obj) + m.offset; }
  static void* at(void* obj, const member_desc& m) { return static_cast<char*>(obj) + m.offset; }
};

/// The codec (src/model/codec.cpp). encode_members writes the attributes of `obj` (between begin_attributes
/// and end_attributes); problems go to the writer's context.
void encode_members(const model_desc& d, const void* obj, ddb_writer& w);
/// Reads the attributes of an item or M into `obj`, every problem into `c`.
void decode_members(const model_desc& d, const ddb_value& in, void* obj, conversion_context& c);
void decode_members(const model_desc& d, const item& in, void* obj, conversion_context& c);
/// DynamoDB's rules for a key attribute's value `v` of member `m` (a partition or sort key, or a key part of the
/// same type): not an empty string or binary, at most 2048 bytes for a partition key and 1024 for a sort key.
void check_key_value(const member_desc& m, const void* v, conversion_context& c);
/// Appends the DynamoDB-JSON item of `obj` to `out`. @throws validation_error with every problem; `out` is
/// left unchanged then.
void encode_json(const model_desc& d, const void* obj, std::string& out);
/// The item of `obj` (through its DynamoDB-JSON). Problems go to `c`; the item is empty then.
item encode_item(const model_desc& d, const void* obj, conversion_context& c);

template <class T>
constexpr char scalar_of() {
  using V = value_of<T>;
  if constexpr (is_number_like<V>) return 'N';
  else if constexpr (std::is_same_v<V, bytes>) return 'B';
  else return 'S';
}

template <class O>
constexpr bool is_constraint = !std::is_same_v<O, stored_as_t> && !std::is_same_v<O, auto_uuid_t> &&
                               !std::is_same_v<O, index_t> && !is_default<O>::value;

template <class M, std::size_t I>
void check_member_at(const void* v, conversion_context& c) {
  const auto& mi = pack_get<I>(model_v<M>.members);
  using T = typename std::remove_cvref_t<decltype(mi)>::value_type;
  check_member(mi, *static_cast<const T*>(v), c);
}

template <class T>
void fill_uuid(void* v) {
  T& x = *static_cast<T*>(v);
  if constexpr (std::is_same_v<T, uuid>) {
    if (x.is_nil()) x = uuid::v4();
  } else {
    if (x.empty()) x = uuid::v4().to_string();
  }
}

/// Sets member I of M to its declared default (default_value or the initializer).
template <class M, std::size_t I>
void fill_default_at(void* v) {
  const auto& mi = pack_get<I>(model_v<M>.members);
  using T = typename std::remove_cvref_t<decltype(mi)>::value_type;
  T& out = *static_cast<T*>(v);
  pack_apply(
      [&](const auto&... o) {
        (
            [&] {
              using O = std::remove_cvref_t<decltype(o)>;
              if constexpr (std::is_same_v<O, default_initializer_t>) {
                static const M initialized{};
                out = initialized.*(mi.ptr);
              } else if constexpr (is_default<O>::value) {
                out = T(o.value);
              }
            }(),
            ...);
      },
      mi.opts);
}

/// Member I of M as the codec sees it, computed at compile time (the offset, which is not a constant
/// expression, is filled in at run time by description<M>).
template <class M, std::size_t I>
constexpr member_desc describe_member() {
  using MI = pack_element_t<I, members_tuple_t<M>>;
  using T = typename MI::value_type;
  constexpr const MI& mi = pack_get<I>(model_v<M>.members);
  constexpr bool checked = []<class... O>(pack<O...>*) {
    return (is_constraint<O> || ...);
  }(static_cast<std::remove_cvref_t<decltype(mi.opts)>*>(nullptr));
  constexpr bool defaulted = []<class... O>(pack<O...>*) {
    return (is_default<O>::value || ...);
  }(static_cast<std::remove_cvref_t<decltype(mi.opts)>*>(nullptr));
  void (*uuid_fill)(void*) = nullptr;
  if constexpr (MI::template has<auto_uuid_t>) uuid_fill = &fill_uuid<T>;
  const type_ops* ops = nullptr;
  if constexpr (MI::kind == role::ttl) ops = &ttl_ops_of<T>::table;
  else ops = &ops_of<T>::table;
  void (*check)(const void*, conversion_context&) = nullptr;
  if constexpr (checked) check = &check_member_at<M, I>;
  void (*fill)(void*) = nullptr;
  if constexpr (defaulted) fill = &fill_default_at<M, I>;
  return member_desc{mi.name, mi.member, 0,         MI::kind, scalar_of<T>(), std::is_same_v<T, std::string>,
                     ops,     check,     uuid_fill, fill};
}

/// The declared index keys of M, computed at compile time.
template <class M, std::size_t N>
constexpr std::array<index_decl, N> describe_indexes() {
  std::array<index_decl, N> out{};
  std::size_t i = 0, k = 0;
  for_each_member<M>([&](const auto& mi) {
    pack_apply(
        [&](const auto&... o) {
          (
              [&] {
                if constexpr (std::is_same_v<std::remove_cvref_t<decltype(o)>, index_t>)
                  out[k++] = {i, o.kind, o.index};
              }(),
              ...);
        },
        mi.opts);
    ++i;
  });
  return out;
}

/// Fills what a description computes at run time from its members: the key, TTL and version members
/// (src/model/codec.cpp).
void link_description(model_desc& d);

template <class M>
struct description {
  static constexpr std::size_t count = members_tuple_t<M>::size;
  static constexpr std::size_t index_count = [] {
    std::size_t n = 0;
    for_each_member<M>([&](const auto& mi) {
      pack_apply([&](const auto&... o) { ((n += std::is_same_v<std::remove_cvref_t<decltype(o)>, index_t>), ...); },
                 mi.opts);
    });
    return n;
  }();
  // Constant: built by the compiler, no code per member.
  static constexpr std::array<member_desc, count> constant_members = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<member_desc, count>{describe_member<M, I>()...};
  }
  (std::make_index_sequence<count>{});
  static constexpr std::array<index_decl, index_count> indexes = describe_indexes<M, index_count>();

  std::array<member_desc, count> members = constant_members;
  model_desc desc;

  static_assert(sizeof(int M::*) == sizeof(std::ptrdiff_t),
                "dynantic: data member pointers are offsets (Itanium C++ ABI)");

  description() {
    // offsets: the data member pointers' values (Itanium C++ ABI), members of base structs as members of M
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((members[I].offset = static_cast<std::size_t>(
            std::bit_cast<std::ptrdiff_t>(static_cast<typename pack_element_t<I, members_tuple_t<M>>::value_type M::*>(
                static_cast<const pack_leaf<I, pack_element_t<I, members_tuple_t<M>>>&>(model_v<M>.members)
                    .value.ptr)))),
       ...);
    }
    (std::make_index_sequence<count>{});
    desc.table = model_v<M>.table;
    desc.forbid_unknown = model_v<M>.forbid_unknown;
    desc.members = members.data();
    desc.member_count = count;
    desc.indexes = indexes.data();
    desc.index_count = index_count;
    if constexpr (subtype<M>) {
      desc.tag = subtype_tag<M>();
      desc.discriminator = subtype_discriminator<M>();
    }
    if constexpr (has_role<M, role::version>) {
      desc.get_version = [](const void* obj) {
        return static_cast<std::int64_t>(static_cast<const M*>(obj)->*(role_member<M, role::version>().ptr));
      };
      desc.set_version = [](void* obj, std::int64_t v) {
        using V = typename std::remove_cvref_t<decltype(role_member<M, role::version>())>::value_type;
        static_cast<M*>(obj)->*(role_member<M, role::version>().ptr) = static_cast<V>(v);
      };
    }
    link_description(desc);
  }
};

/// The stored name of the member at `offset` of `d` (src/model/codec.cpp).
/// @throws error when no declared member is there (a skipped member, or one of another struct).
std::string_view stored_name_at(const model_desc& d, std::size_t offset);

/// The description of M (built once, on first use).
template <class M>
const model_desc& desc_of() {
  static const description<M> d;
  return d.desc;
}

template <class M>
constexpr std::size_t member_count = std::remove_cvref_t<decltype(model_v<M>.members)>::size;

template <class M>
void read_members_ddb(const ddb_value& obj, M& m, conversion_context& c) {
  decode_members(desc_of<M>(), obj, &m, c);
}
template <class M>
void read_members(const item& in, M& m, conversion_context& c) {
  decode_members(desc_of<M>(), in, &m, c);
}

}  // namespace detail

// ---------------------------------------------------------------- converters for declared types
/// @cond BUILTIN_CONVERTERS

/// Enums declared with DYNANTIC_ENUM: stored as their declared string.
template <class E>
requires detail::has_enum_values<E>
struct converter<E> {
  static constexpr auto values = dynantic_enum_values(static_cast<E*>(nullptr));
  static attribute_value to_attribute(E v, conversion_context& c) {
    for (const auto& e : values) {
      if (e.value == v) return attribute_value::string(std::string(e.text));
    }
    c.fail("enum value " + std::to_string(static_cast<long long>(v)) + " has no declared string");
    return attribute_value::string("");
  }
  static void from_attribute(const attribute_value& a, E& out, conversion_context& c) {
    if (!a.is_string()) return detail::wrong_type(c, a, "a string (S)");
    for (const auto& e : values) {
      if (e.text == a.as_string()) {
        out = e.value;
        return;
      }
    }
    unknown(a.as_string(), c);
  }
  static void write(E v, detail::ddb_writer& w) {
    for (const auto& e : values) {
      if (e.value == v) return w.string(e.text);
    }
    w.context().fail("enum value " + std::to_string(static_cast<long long>(v)) + " has no declared string");
    w.string("");
  }
  static void read(const detail::ddb_value& a, E& out, conversion_context& c) {
    if (a.type() != value_type::s) return detail::wrong_ddb_type(c, a.type(), "a string (S)");
    std::string_view t = a.text();
    for (const auto& e : values) {
      if (e.text == t) {
        out = e.value;
        return;
      }
    }
    unknown(t, c);
  }

 private:
  static void unknown(std::string_view got, conversion_context& c) {
    std::string allowed;
    for (const auto& e : values) allowed += (allowed.empty() ? "'" : ", '") + std::string(e.text) + "'";
    c.fail("'" + std::string(got) + "' is not one of " + allowed);
  }
};

/// Structs declared with DYNANTIC_STRUCT or DYNANTIC_MODEL: stored as M.
template <class S>
requires detail::described<S>
struct converter<S> {
  static attribute_value to_attribute(const S& v, conversion_context& c) {
    return attribute_value::map(detail::encode_item(detail::desc_of<S>(), &v, c));
  }
  static void from_attribute(const attribute_value& a, S& out, conversion_context& c) {
    if (!a.is_map()) return detail::wrong_type(c, a, "a map (M)");
    detail::decode_members(detail::desc_of<S>(), a.as_map(), &out, c);
  }
  static void write(const S& v, detail::ddb_writer& w) {
    w.begin_map();
    detail::encode_members(detail::desc_of<S>(), &v, w);
    w.end_map();
  }
  static void read(const detail::ddb_value& a, S& out, conversion_context& c) {
    if (a.type() != value_type::m) return detail::wrong_ddb_type(c, a.type(), "a map (M)");
    detail::decode_members(detail::desc_of<S>(), a, &out, c);
  }
};
/// @endcond

/// A model type: declared with DYNANTIC_MODEL (it has a table name).
template <class M>
concept model = detail::described<M> && !detail::model_v<M>.table.empty();

/// The item a model is stored as. @throws validation_error with every problem.
template <class M>
requires detail::described<M> item to_item(const M& m) {
  conversion_context c;
  item out = detail::encode_item(detail::desc_of<M>(), &m, c);
  c.throw_if_failed();
  return out;
}

/// The model stored as `it`. @throws validation_error with every problem (wrong types, missing required
/// attributes, constraints, unknown attributes when the model forbids them).
template <class M>
requires detail::described<M> M from_item(const item& it) {
  conversion_context c;
  M m{};
  detail::read_members(it, m, c);
  c.throw_if_failed();
  return m;
}

/// Checks a model's constraints without converting it. @throws validation_error
template <class M>
requires detail::described<M>
void validate(const M& m) { (void)to_item(m); }

/// Appends the DynamoDB-JSON of `m` (the wire form of the item) to `out`, without building an item.
/// @throws validation_error with every problem; `out` is left unchanged then.
template <class M>
requires detail::described<M>
void append_dynamodb_json(std::string& out, const M& m) { detail::encode_json(detail::desc_of<M>(), &m, out); }

/// The DynamoDB-JSON of `m`. Attributes come in declaration order (to_item orders them by name).
template <class M>
requires detail::described<M> std::string to_dynamodb_json(const M& m) {
  std::string out;
  append_dynamodb_json(out, m);
  return out;
}

/// Decodes DynamoDB-JSON straight into a model. @throws decode_error (not DynamoDB-JSON), validation_error
template <class M>
requires detail::described<M> M from_dynamodb_json(std::string_view json) {
  conversion_context c;
  M m{};
  detail::ddb_value::parse_item(
      json, [&](const detail::ddb_value& item) { detail::decode_members(detail::desc_of<M>(), item, &m, c); });
  c.throw_if_failed();
  return m;
}

namespace detail {
std::string plain_json_from_item(const item& it);
item item_from_plain_json(std::string_view json);
}  // namespace detail

/// Plain JSON (what Pydantic's model_dump_json gives): numbers as JSON numbers with their exact text, sets as
/// arrays, bytes as base64 strings, timestamps/UUIDs/enums as strings. @throws validation_error
template <class M>
requires detail::described<M> std::string to_json(const M& m) { return detail::plain_json_from_item(to_item(m)); }

/// Parses plain JSON into a model with the same validation as from_item (model_validate_json).
/// @throws decode_error for malformed JSON, validation_error for everything else.
template <class M>
requires detail::described<M> M from_json(std::string_view json) {
  item it = detail::item_from_plain_json(json);
  conversion_context c;
  c.json_input = true;
  M m{};
  detail::read_members(it, m, c);
  c.throw_if_failed();
  return m;
}

}  // namespace dynantic
