#pragma once
/// @file polymorphic.hpp
/// Single-table design: a base model with a discriminator, subtypes declared with their tag, reads through
/// the base returning std::variant<Subtypes...>.
///
/// @code
/// struct Entity { std::string pk{}; std::string sk{}; std::string entity_type{}; };
/// DYNANTIC_MODEL(Entity, "app", key(pk), sort_key(sk), discriminator(entity_type))
///
/// struct Customer { std::string pk{}; std::string sk{}; std::string name{}; };
/// DYNANTIC_SUBTYPE(Customer, Entity, "CUSTOMER", key(pk), sort_key(sk), field(name))
/// struct Order { std::string pk{}; std::string sk{}; dy::decimal total{}; };
/// DYNANTIC_SUBTYPE(Order, Entity, "ORDER", key(pk), sort_key(sk), field(total))
///
/// DYNANTIC_SUBTYPES(Entity, Customer, Order)   // table<Entity> reads std::variant<Customer, Order>
/// @endcode
///
/// A subtype is a standalone struct that repeats the base's keys (same attribute names and types: checked at
/// compile time), so designated initializers set everything. It is stored in the base's table; saving it writes
/// its tag into the base's discriminator attribute (the subtype has no member for it). List
/// `dynantic::unknown_subtype` last in DYNANTIC_SUBTYPES to receive items with an unknown or missing tag instead
/// of an unknown_discriminator error.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <dynantic/error.hpp>
#include <dynantic/model/model.hpp>

/// Declares a subtype of `Base` (a model with discriminator(member)) stored with the tag `tag`. The roles are
/// those of DYNANTIC_MODEL; the keys must be the base's (same attribute names and types).
#define DYNANTIC_SUBTYPE(Type, Base, tag, ...)                                                                       \
  [[maybe_unused]] constexpr auto dynantic_describe(Type*) {                                                         \
    using dynantic_self = Type;                                                                                      \
    using namespace ::dynantic::model_options;                                                                       \
    return ::dynantic::detail::make_model<Type>(                                                                     \
        ::dynantic::detail::model_v<Base>.table DYNANTIC_PP_FOR_EACH(DYNANTIC_DETAIL_ARG, __VA_ARGS__));             \
  }                                                                                                                  \
  [[maybe_unused]] constexpr auto dynantic_subtype_of(Type*) { return ::dynantic::detail::subtype_decl<Base>{tag}; } \
  static_assert(::dynantic::detail::check_model<Type>(), "dynantic: invalid model declaration");                     \
  static_assert(::dynantic::detail::check_subtype<Type>(), "dynantic: invalid subtype declaration");

/// Lists the subtypes of `Base` (after their declarations): reads through table<Base> return
/// std::variant<listed types...>. Optionally end the list with dynantic::unknown_subtype.
#define DYNANTIC_SUBTYPES(Base, ...)                                                                                \
  [[maybe_unused]] constexpr auto dynantic_subtypes(Base*) { return ::dynantic::detail::type_list<__VA_ARGS__>{}; } \
  static_assert(::dynantic::detail::check_subtypes<Base>(), "dynantic: invalid DYNANTIC_SUBTYPES");

namespace dynantic {

/// The fallback alternative of a polymorphic read: an item whose tag names no listed subtype (or that has no
/// tag), kept as stored. Opt in by listing it last in DYNANTIC_SUBTYPES.
struct unknown_subtype {
  std::string tag{};  ///< empty when the item has no tag
  /// The item as stored.
  item attributes{};
};

/// For std::visit: dy::overloaded{[](const Customer&) {...}, [](const Order&) {...}}.
template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
/// Deduces overloaded's lambdas: dy::overloaded{[](const A&) {...}, [](const B&) {...}}.
template <class... F>
overloaded(F...) -> overloaded<F...>;

namespace detail {

template <class... T>
struct type_list {};

template <class T>
concept polymorphic_base = requires {
  dynantic_subtypes(static_cast<T*>(nullptr));
};

template <class B>
using subtypes_of = decltype(dynantic_subtypes(static_cast<B*>(nullptr)));

template <class L>
struct variant_of;
template <class... T>
struct variant_of<type_list<T...>> {
  using type = std::variant<T...>;
};

/// What reading M's items gives: M, or std::variant<Subtypes...> for a polymorphic base.
template <class M>
struct result_of {
  using type = M;
};
template <polymorphic_base M>
struct result_of<M> {
  using type = typename variant_of<subtypes_of<M>>::type;
};

template <class T>
constexpr bool is_unknown_subtype = std::is_same_v<T, unknown_subtype>;

template <class S, class B>
constexpr bool subtype_of_base = [] {
  if constexpr (subtype<S>) return std::is_same_v<base_of_t<S>, B>;
  else return false;
}();

template <class T>
constexpr std::string_view ttl_attribute() {
  if constexpr (has_role<T, role::ttl>) return role_member<T, role::ttl>().name;
  else return {};
}

template <class S, class B>
constexpr bool check_subtype_of_base();

template <class S>
constexpr bool check_subtype() {
  using B = base_of_t<S>;
  if constexpr (!has_role<B, role::discriminator>) {
    // The one error of this mistake: what follows needs the discriminator.
    static_assert(has_role<B, role::discriminator>,
                  "dynantic: the base of a DYNANTIC_SUBTYPE needs discriminator(member) in its DYNANTIC_MODEL");
    return true;
  } else {
    return check_subtype_of_base<S, B>();
  }
}

template <class S, class B>
constexpr bool check_subtype_of_base() {
  static_assert(!subtype<B>, "dynantic: a subtype's base must be a base model, not another subtype");
  static_assert(!subtype_tag<S>().empty(), "dynantic: a subtype's tag must not be empty");
  static_assert(
      role_member<S, role::partition_key>().name == role_member<B, role::partition_key>().name &&
          std::is_same_v<typename role_type<S, role::partition_key>::type,
                         typename role_type<B, role::partition_key>::type>,
      "dynantic: a subtype must declare the base's partition key: key(member) with the same attribute name and type");
  static_assert(
      has_role<S, role::sort_key> == has_role<B, role::sort_key>,
      "dynantic: a subtype must declare the base's sort key: sort_key(member) with the same attribute name and type");
  if constexpr (has_role<B, role::sort_key> && has_role<S, role::sort_key>) {
    static_assert(
        role_member<S, role::sort_key>().name == role_member<B, role::sort_key>().name &&
            std::is_same_v<typename role_type<S, role::sort_key>::type, typename role_type<B, role::sort_key>::type>,
        "dynantic: a subtype must declare the base's sort key: sort_key(member) with the same attribute name and type");
  }
  constexpr bool stores_tag = [] {
    bool found = false;
    for_each_member<S>([&](const auto& mi) { found |= mi.name == subtype_discriminator<S>(); });
    return found;
  }();
  static_assert(!stores_tag, "dynantic: a subtype must not declare the discriminator attribute: saving writes its tag");
  return true;
}

template <class B, class... T>
constexpr bool check_subtype_list(type_list<T...>) {
  static_assert(sizeof...(T) >= 1, "dynantic: DYNANTIC_SUBTYPES needs at least one subtype");
  constexpr std::array<bool, sizeof...(T)> fallback{is_unknown_subtype<T>...};
  constexpr bool fallback_last = [&] {
    for (std::size_t i = 0; i + 1 < fallback.size(); ++i) {
      if (fallback[i]) return false;
    }
    return true;
  }();
  static_assert(fallback_last, "dynantic: dynantic::unknown_subtype goes last in DYNANTIC_SUBTYPES");
  constexpr bool all_subtypes_of_b = ([] {
    if constexpr (is_unknown_subtype<T>) return true;
    else if constexpr (subtype<T>) return std::is_same_v<base_of_t<T>, B>;
    else return false;
  }() && ...);
  static_assert(
      all_subtypes_of_b,
      "dynantic: every type in DYNANTIC_SUBTYPES(Base, ...) must be declared with DYNANTIC_SUBTYPE(Type, Base, ...)");
  if constexpr (all_subtypes_of_b) {
    constexpr std::array<std::string_view, sizeof...(T)> tags{[] {
      if constexpr (is_unknown_subtype<T>) return std::string_view{};
      else return subtype_tag<T>();
    }()...};
    constexpr bool distinct = [&] {
      for (std::size_t i = 0; i < tags.size(); ++i) {
        for (std::size_t j = i + 1; j < tags.size(); ++j) {
          if (!tags[i].empty() && tags[i] == tags[j]) return false;
        }
      }
      return true;
    }();
    static_assert(distinct, "dynantic: two subtypes of one base have the same tag");
    constexpr std::array<std::string_view, sizeof...(T) + 1> ttls{ttl_attribute<B>(), [] {
                                                                    if constexpr (is_unknown_subtype<T>)
                                                                      return std::string_view{};
                                                                    else return ttl_attribute<T>();
                                                                  }()...};
    constexpr bool one_ttl = [&] {
      std::string_view seen;
      for (auto t : ttls) {
        if (t.empty()) continue;
        if (!seen.empty() && seen != t) return false;
        seen = t;
      }
      return true;
    }();
    static_assert(one_ttl, "dynantic: a base and its subtypes must agree on the ttl attribute (a table has one)");
  }
  return true;
}

template <class B>
constexpr bool check_subtypes() {
  static_assert(has_role<B, role::discriminator>,
                "dynantic: DYNANTIC_SUBTYPES needs a base model declared with discriminator(member)");
  return check_subtype_list<B>(subtypes_of<B>{});
}

/// The models whose declarations describe one table: the base and its subtypes (for a subtype: its base's
/// family; for a plain model: itself).
template <class M>
struct family {
  using type = type_list<M>;
};
template <class L>
struct drop_fallback;
template <class... T>
struct drop_fallback<type_list<T...>> {
  using type = decltype(std::tuple_cat(std::conditional_t<is_unknown_subtype<T>, std::tuple<>, std::tuple<T>>{}...));
};
template <class Tuple>
struct list_of_tuple;
template <class... T>
struct list_of_tuple<std::tuple<T...>> {
  using type = type_list<T...>;
};
template <polymorphic_base M>
struct family<M> {
  using type = typename list_of_tuple<decltype(std::tuple_cat(
      std::tuple<M>{}, std::declval<typename drop_fallback<subtypes_of<M>>::type>()))>::type;
};
template <subtype M>
requires polymorphic_base<base_of_t<M>>
struct family<M> {
  using type = typename family<base_of_t<M>>::type;
};
template <subtype M>
requires(!polymorphic_base<base_of_t<M>>) struct family<M> {
  using type = type_list<base_of_t<M>, M>;
};
template <class M>
using family_t = typename family<M>::type;

/// Calls f(static_cast<T*>(nullptr)) for each model of M's family.
template <class M, class F>
constexpr void for_each_in_family(F&& f) {
  [&]<class... T>(type_list<T...>) { (f(static_cast<T*>(nullptr)), ...); }(family_t<M>{});
}

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

/// The table's TTL attribute: declared by M or any model of its family (they agree: checked).
template <class M>
constexpr std::string_view family_ttl_attribute() {
  std::string_view out;
  for_each_in_family<M>([&](auto* p) {
    using T = std::remove_pointer_t<decltype(p)>;
    if (out.empty()) out = ttl_attribute<T>();
  });
  return out;
}

// ---- a declared index by its name known at compile time: users.query_index<"by_status">(Status::active)

/// A string literal as a template argument.
template <std::size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&s)[N]) {  // NOLINT: implicit from a literal
    for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
  }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

inline constexpr std::size_t no_member = static_cast<std::size_t>(-1);

/// The position in X's members of the member declaring role `r` of index `name` (no_member when none).
template <class X>
constexpr std::size_t index_member(std::string_view name, index_role r) {
  std::size_t found = no_member, i = 0;
  pack_apply(
      [&](const auto&... mi) {
        (
            [&] {
              pack_apply(
                  [&](const auto&... o) {
                    (
                        [&] {
                          if constexpr (std::is_same_v<std::remove_cvref_t<decltype(o)>, index_t>) {
                            if (o.kind == r && o.index == name && found == no_member) found = i;
                          }
                        }(),
                        ...);
                  },
                  mi.opts);
              ++i;
            }(),
            ...);
      },
      model_v<X>.members);
  return found;
}

template <class X, std::size_t I>
struct member_type_at {
  using type = typename pack_element_t<I, members_tuple_t<X>>::value_type;
};
template <class X>
struct member_type_at<X, no_member> {
  using type = void;
};

/// What model X declares of index `N`: the type of its partition key and of its sort key (void: none).
template <class X, fixed_string N>
struct index_in {
  static constexpr std::size_t gsi_pk = index_member<X>(N.view(), index_role::gsi_partition);
  static constexpr std::size_t gsi_sk = index_member<X>(N.view(), index_role::gsi_sort);
  static constexpr std::size_t lsi_sk = index_member<X>(N.view(), index_role::lsi_sort);
  using partition = std::conditional_t<
      gsi_pk != no_member, typename member_type_at<X, gsi_pk>::type,
      std::conditional_t<lsi_sk != no_member, typename member_type_at<X, role_index<X, role::partition_key>()>::type,
                         void>>;
  using sort = std::conditional_t<gsi_sk != no_member, typename member_type_at<X, gsi_sk>::type,
                                  typename member_type_at<X, lsi_sk>::type>;
};

/// The first model of a list that declares index N's partition key (and, separately, its sort key).
template <fixed_string N, class List>
struct index_keys_of {
  using partition = void;
  using sort = void;
};
template <fixed_string N, class X, class... Rest>
struct index_keys_of<N, type_list<X, Rest...>> {
  using rest = index_keys_of<N, type_list<Rest...>>;
  using partition = std::conditional_t<std::is_void_v<typename index_in<X, N>::partition>, typename rest::partition,
                                       typename index_in<X, N>::partition>;
  using sort = std::conditional_t<std::is_void_v<typename index_in<X, N>::sort>, typename rest::sort,
                                  typename index_in<X, N>::sort>;
};

/// Index `N` across M's family (a polymorphic base's subtypes may declare it): its key types (void: none).
template <class M, fixed_string N>
using index_types = index_keys_of<N, family_t<M>>;

/// The stored tag (nothing when the attribute is missing or not a string).
std::optional<std::string> stored_tag(const item& it, std::string_view discriminator);

template <class S>
void require_tag(const item& it) {
  auto found = stored_tag(it, subtype_discriminator<S>());
  if (found && *found == subtype_tag<S>()) return;
  std::string tag = found.value_or("");
  throw wrong_subtype("dynantic: expected an item of subtype '" + std::string(subtype_tag<S>()) + "', found " +
                          (found ? "'" + tag + "'" : std::string("an item without a tag")),
                      std::string(subtype_tag<S>()), tag, it);
}

template <class B, class... T>
typename result_of<B>::type decode_polymorphic(const item& it, type_list<T...>) {
  using R = typename result_of<B>::type;
  const std::string_view disc = role_member<B, role::discriminator>().name;
  auto tag = stored_tag(it, disc);
  std::optional<R> out;
  if (tag) {
    (
        [&] {
          if constexpr (!is_unknown_subtype<T>) {
            if (!out && *tag == subtype_tag<T>()) out.emplace(std::in_place_type<T>, from_item<T>(it));
          }
        }(),
        ...);
  }
  if (out) return std::move(*out);
  if constexpr ((is_unknown_subtype<T> || ...)) {
    return R(std::in_place_type<unknown_subtype>, unknown_subtype{tag.value_or(""), it});
  } else {
    throw unknown_discriminator(tag ? "dynantic: '" + *tag + "' is not the tag of a subtype of this model"
                                    : "dynantic: the item has no tag (attribute '" + std::string(disc) + "')",
                                tag.value_or(""), it);
  }
}

/// A stored item as what reads of M give: M (checked to be M's subtype for subtypes), or the variant of the
/// subtype its tag names for a polymorphic base. @throws validation_error, wrong_subtype, unknown_discriminator
template <class M>
typename result_of<M>::type decode_stored(const item& it) {
  if constexpr (polymorphic_base<M>) {
    return decode_polymorphic<M>(it, subtypes_of<M>{});
  } else {
    if constexpr (subtype<M>) require_tag<M>(it);
    return from_item<M>(it);
  }
}

/// An item read in place (a ddb_value) as what reads of M give: plain models decode straight from it;
/// subtypes and polymorphic bases go through an item to check or dispatch on the tag.
template <class M>
typename result_of<M>::type decode_ddb(const ddb_value& v) {
  if constexpr (polymorphic_base<M> || subtype<M>) {
    return decode_stored<M>(v.to_attribute().as_map());
  } else {
    conversion_context c;
    M m{};
    read_members_ddb(v, m, c);
    c.throw_if_failed();
    return m;
  }
}

/// The issues of `e`, found in the stored item `stored` of `table`: they name the item's key (src/model/codec.cpp).
validation_error read_error(const validation_error& e, const model_desc& d, std::string_view table, const item& stored);
/// A stored item of `table` failed to decode into M: the same issues, naming the item's key.
[[noreturn]] void throw_read_error(const validation_error& e, const model_desc& d, std::string_view table,
                                   const item& stored);
/// A stored item of `table` is not of the subtype asked for: the same error, naming the table and the item's key.
[[noreturn]] void throw_read_error(const wrong_subtype& e, const model_desc& d, std::string_view table,
                                   const item& stored);
/// A stored item of `table` has a tag no subtype has: the same error, naming the table and the item's key.
[[noreturn]] void throw_read_error(const unknown_discriminator& e, const model_desc& d, std::string_view table,
                                   const item& stored);

/// Decodes a stored item of `table` into `out`, a value-initialized plain model described by `d`.
/// @throws validation_error naming the table and the item's key (src/model/codec.cpp)
void decode_read_into(const model_desc& d, std::string_view table, const item& it, void* out);
void decode_read_into(const model_desc& d, std::string_view table, const ddb_value& v, void* out);

/// decode_stored for a read of `table`: a validation_error names the table and the stored item's key.
template <class M>
typename result_of<M>::type decode_read(std::string_view table, const item& it) {
  if constexpr (polymorphic_base<M> || subtype<M>) {
    try {
      return decode_stored<M>(it);
    } catch (const validation_error& e) {
      throw_read_error(e, desc_of<M>(), table, it);
    } catch (const wrong_subtype& e) {
      throw_read_error(e, desc_of<M>(), table, it);
    } catch (const unknown_discriminator& e) {
      throw_read_error(e, desc_of<M>(), table, it);
    }
  } else {
    M m{};
    decode_read_into(desc_of<M>(), table, it, &m);
    return m;
  }
}
/// decode_ddb for a read of `table`: a validation_error names the table and the stored item's key.
template <class M>
typename result_of<M>::type decode_read(std::string_view table, const ddb_value& v) {
  if constexpr (polymorphic_base<M> || subtype<M>) {
    try {
      return decode_ddb<M>(v);
    } catch (const validation_error& e) {
      throw_read_error(e, desc_of<M>(), table, v.to_attribute().as_map());
    } catch (const wrong_subtype& e) {
      throw_read_error(e, desc_of<M>(), table, v.to_attribute().as_map());
    } catch (const unknown_discriminator& e) {
      throw_read_error(e, desc_of<M>(), table, v.to_attribute().as_map());
    }
  } else {
    M m{};
    decode_read_into(desc_of<M>(), table, v, &m);
    return m;
  }
}

}  // namespace detail

/// What reading M's items gives: M, or std::variant<Subtypes...> for a polymorphic base.
template <class M>
using result_t = typename detail::result_of<M>::type;

}  // namespace dynantic
