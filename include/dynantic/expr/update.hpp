#pragma once
/// @file update.hpp
/// Typed update expressions: SET, REMOVE, ADD (numbers and sets), DELETE (set elements), if_not_exists,
/// list_append and arithmetic, checked by the compiler and rendered with placeholders.

#include <initializer_list>
#include <string>
#include <vector>

#include <dynantic/expr/expr.hpp>

namespace dynantic {

/// `attr(&M::n) + 5` / `attr(&M::n) - 1`: the right-hand side of a SET.
template <class M, class T>
struct arithmetic {
  /// The attribute on the left of the operator.
  std::vector<detail::path_segment> path;
  /// '+' or '-'.
  char op;
  /// The number on the right.
  attribute_value operand;
};

/// attr(&M::n) + v, for set(): `SET #n = #n + :v`. Numbers only (a compile error otherwise).
template <class M, class T, class V>
arithmetic<M, T> operator+(const path<M, T>& p, const V& v) {
  static_assert(detail::is_number_like<detail::value_of<T>> || detail::is_any<T>,
                "dynantic: '+' needs a number attribute");
  static_assert(detail::is_number_like<V> || std::is_same_v<V, decimal>, "dynantic: '+' needs a number");
  return {p.segments(), '+', detail::to_operand<detail::value_of<T>>(v)};
}
/// attr(&M::n) - v, for set().
template <class M, class T, class V>
arithmetic<M, T> operator-(const path<M, T>& p, const V& v) {
  static_assert(detail::is_number_like<detail::value_of<T>> || detail::is_any<T>,
                "dynantic: '-' needs a number attribute");
  static_assert(detail::is_number_like<V> || std::is_same_v<V, decimal>, "dynantic: '-' needs a number");
  return {p.segments(), '-', detail::to_operand<detail::value_of<T>>(v)};
}

namespace detail {
struct update_action {
  enum class kind { set, set_if_not_exists, set_arith, remove, add, delete_, append, prepend } k;
  std::vector<path_segment> path;
  attribute_value value;
  std::vector<path_segment> other;  // arithmetic source path
  char op = '+';
};
/// Renders SET/REMOVE/ADD/DELETE clauses; @throws validation_error for an empty update.
std::string render_update(const std::vector<update_action>& actions, render_context& c);

/// Throws the issues of converting an update's value, each under the path of the attribute it is for.
[[noreturn]] void throw_at_path(const std::vector<path_segment>& p, std::vector<validation_issue> issues);

template <class T>
attribute_value set_operand(const std::vector<path_segment>& p, const T& v) {
  conversion_context c;
  attribute_value a = converter<T>::to_attribute(v, c);
  if (!c.ok()) throw_at_path(p, std::move(c.issues()));
  return a;
}
}  // namespace detail

/// The actions of an UpdateItem on model M. Build with set/remove/add/...; the table executes it.
/// Self is the derived builder returned by the chained calls (void: update_expression itself).
template <class M, class Self = void>
class update_expression {
  using self_t = std::conditional_t<std::is_void_v<Self>, update_expression, Self>;

 public:
  /// SET path = value. An empty std::optional becomes REMOVE.
  template <class T, class V>
  self_t& set(const path<M, T>& p, const V& v) {
    if constexpr (detail::is_optional<T>::value && std::is_same_v<V, std::nullopt_t>) {
      return remove(p);
    } else if constexpr (detail::is_optional<T>::value && std::is_same_v<V, T>) {
      if (!v) return remove(p);
      return set(p, *v);
    } else {
      using U = detail::value_of<T>;
      static_assert(detail::is_any<T> || std::is_convertible_v<V, U> || detail::comparable<U, V>(),
                    "dynantic: set() needs a value of the attribute's type");
      if constexpr (detail::is_any<T>)
        actions_.push_back({kind::set, p.segments(), detail::set_operand(p.segments(), v), {}, '+'});
      else if constexpr (std::is_convertible_v<V, U>)
        actions_.push_back({kind::set, p.segments(), detail::set_operand(p.segments(), U(v)), {}, '+'});
      else actions_.push_back({kind::set, p.segments(), detail::to_operand<U>(v), {}, '+'});
      return static_cast<self_t&>(*this);
    }
  }
  /// set() of a member: set(&User::name, "Ada").
  template <class U, class C, class V>
  self_t& set(U C::*member, const V& v) {
    return set(attr<M>(member), v);
  }
  /// SET path = path (+|-) number.
  template <class T, class T2>
  self_t& set(const path<M, T>& p, const arithmetic<M, T2>& a) {
    actions_.push_back({kind::set_arith, p.segments(), a.operand, a.path, a.op});
    return static_cast<self_t&>(*this);
  }
  /// set() of a member to arithmetic on a path.
  template <class U, class C, class T2>
  self_t& set(U C::*member, const arithmetic<M, T2>& a) {
    return set(attr<M>(member), a);
  }
  /// SET path = if_not_exists(path, value).
  template <class T, class V>
  self_t& set_if_not_exists(const path<M, T>& p, const V& v) {
    using U = detail::value_of<T>;
    static_assert(detail::is_any<T> || std::is_convertible_v<V, U>,
                  "dynantic: set_if_not_exists() needs a value of the attribute's type");
    if constexpr (detail::is_any<T>)
      actions_.push_back({kind::set_if_not_exists, p.segments(), detail::set_operand(p.segments(), v), {}, '+'});
    else actions_.push_back({kind::set_if_not_exists, p.segments(), detail::set_operand(p.segments(), U(v)), {}, '+'});
    return static_cast<self_t&>(*this);
  }
  /// set_if_not_exists() of a member.
  template <class U, class C, class V>
  self_t& set_if_not_exists(U C::*member, const V& v) {
    return set_if_not_exists(attr<M>(member), v);
  }
  /// REMOVE path.
  template <class T>
  self_t& remove(const path<M, T>& p) {
    actions_.push_back({kind::remove, p.segments(), {}, {}, '+'});
    return static_cast<self_t&>(*this);
  }
  /// remove() of a member.
  template <class U, class C>
  self_t& remove(U C::*member) {
    return remove(attr<M>(member));
  }
  /// ADD: to a number, or elements to a set.
  template <class T, class V>
  self_t& add(const path<M, T>& p, const V& v) {
    using U = detail::value_of<T>;
    if constexpr (detail::is_set_like<U>::value) {
      static_assert(std::is_convertible_v<V, U>, "dynantic: add() to a set needs a set of its element type");
      if (U(v).empty()) return static_cast<self_t&>(*this);  // adding nothing
      actions_.push_back({kind::add, p.segments(), detail::set_operand(p.segments(), U(v)), {}, '+'});
    } else if constexpr (detail::is_number_like<U>) {
      static_assert(detail::is_number_like<V> || std::is_same_v<V, decimal>,
                    "dynantic: add() to a number needs a number");
      actions_.push_back({kind::add, p.segments(), detail::to_operand<U>(v), {}, '+'});
    } else if constexpr (detail::is_any<T>) {
      actions_.push_back({kind::add, p.segments(), detail::set_operand(p.segments(), v), {}, '+'});
    } else {
      static_assert(detail::always_false<V>, "dynantic: add() needs a number or set attribute; use set() for others");
    }
    return static_cast<self_t&>(*this);
  }
  /// add() to a member.
  template <class U, class C, class V>
  self_t& add(U C::*member, const V& v) {
    return add(attr<M>(member), v);
  }
  /// add() of set elements to a member: add(&User::tags, {"a", "b"}).
  template <class U, class C, class E>
  self_t& add(U C::*member, std::initializer_list<E> elements) {
    static_assert(detail::is_set_like<U>::value, "dynantic: add({...}) needs a set attribute");
    return add(attr<M>(member), U(elements.begin(), elements.end()));
  }
  /// DELETE elements from a set.
  template <class T, class V>
  self_t& delete_elements(const path<M, T>& p, const V& v) {
    using U = detail::value_of<T>;
    static_assert(detail::is_set_like<U>::value || detail::is_any<T>,
                  "dynantic: delete_elements() needs a set attribute");
    if constexpr (detail::is_set_like<U>::value) {
      static_assert(std::is_convertible_v<V, U>,
                    "dynantic: delete_elements() needs a set of the attribute's element type");
      if (U(v).empty()) return static_cast<self_t&>(*this);
      actions_.push_back({kind::delete_, p.segments(), detail::set_operand(p.segments(), U(v)), {}, '+'});
    } else {
      actions_.push_back({kind::delete_, p.segments(), detail::set_operand(p.segments(), v), {}, '+'});
    }
    return static_cast<self_t&>(*this);
  }
  /// delete_elements() from a member.
  template <class U, class C, class E>
  self_t& delete_elements(U C::*member, std::initializer_list<E> elements) {
    static_assert(detail::is_set_like<U>::value, "dynantic: delete_elements({...}) needs a set attribute");
    return delete_elements(attr<M>(member), U(elements.begin(), elements.end()));
  }
  /// SET path = list_append(path, values): values after the list's elements.
  template <class T, class V>
  self_t& append(const path<M, T>& p, const V& values) {
    return list_op(kind::append, p, values);
  }
  /// SET path = list_append(values, path): values before the list's elements.
  template <class T, class V>
  self_t& prepend(const path<M, T>& p, const V& values) {
    return list_op(kind::prepend, p, values);
  }
  /// append() to a member.
  template <class U, class C, class V>
  self_t& append(U C::*member, const V& values) {
    return append(attr<M>(member), values);
  }
  /// prepend() to a member.
  template <class U, class C, class V>
  self_t& prepend(U C::*member, const V& values) {
    return prepend(attr<M>(member), values);
  }

  /// No action yet (executing it is refused).
  bool empty() const { return actions_.empty(); }
  /// The actions so far.
  const std::vector<detail::update_action>& actions() const { return actions_; }
  /// The actions so far, to change.
  std::vector<detail::update_action>& actions() { return actions_; }
  /// The UpdateExpression text, its names and values added to `c`.
  std::string render(render_context& c) const { return detail::render_update(actions_, c); }

 private:
  using kind = detail::update_action::kind;
  template <class T, class V>
  self_t& list_op(kind k, const path<M, T>& p, const V& values) {
    using U = detail::value_of<T>;
    static_assert(detail::is_list_like<U>::value || detail::is_any<T>,
                  "dynantic: append/prepend need a list attribute");
    if constexpr (detail::is_list_like<U>::value) {
      static_assert(std::is_convertible_v<V, U>,
                    "dynantic: append/prepend need a list of the attribute's element type");
      actions_.push_back({k, p.segments(), detail::set_operand(p.segments(), U(values)), {}, '+'});
    } else {
      actions_.push_back({k, p.segments(), detail::set_operand(p.segments(), values), {}, '+'});
    }
    return static_cast<self_t&>(*this);
  }
  std::vector<detail::update_action> actions_;
};

}  // namespace dynantic
