// Rendering of paths and conditions into expression text with placeholders.
#include <dynantic/expr/expr.hpp>

namespace dynantic {

std::string render_context::name(std::string_view n) {
  auto it = ids_.find(n);
  if (it != ids_.end()) return it->second;
  std::string id = "#n" + std::to_string(ids_.size());
  ids_.emplace(std::string(n), id);
  names_.emplace(id, std::string(n));
  return id;
}

std::string render_context::value(attribute_value v) {
  std::string id = ":v" + std::to_string(next_value_++);
  values_.emplace(id, std::move(v));
  return id;
}

namespace detail {

std::string render_path(const std::vector<path_segment>& p, render_context& c) {
  std::string out;
  for (const auto& s : p) {
    if (s.is_index) {
      out += '[' + std::to_string(s.index) + ']';
    } else {
      if (!out.empty()) out += '.';
      out += c.name(s.name);
    }
  }
  return out;
}

std::string path_text(const std::vector<path_segment>& p) {
  std::string out;
  for (const auto& s : p) {
    if (s.is_index) {
      out += '[' + std::to_string(s.index) + ']';
    } else {
      if (!out.empty()) out += '.';
      out += s.name;
    }
  }
  return out;
}

namespace {
// A child of AND/OR: parenthesized unless it is a single term or the same operator (AND and OR are
// associative). Every render step is its own statement: placeholders are numbered in reading order.
std::string child(const cond_node& n, cond_node::kind parent, render_context& c) {
  std::string s = render_condition(n, c);
  if ((n.k == cond_node::kind::and_ || n.k == cond_node::kind::or_) && n.k != parent) return "(" + s + ")";
  return s;
}
}  // namespace

std::string render_condition(const cond_node& n, render_context& c) {
  using k = cond_node::kind;
  std::string p;
  if (!n.path.empty()) p = render_path(n.path, c);
  switch (n.k) {
    case k::compare: {
      std::string v = c.value(n.operands.at(0));
      return p + " " + n.op + " " + v;
    }
    case k::compare_size: {
      std::string v = c.value(n.operands.at(0));
      return "size(" + p + ") " + n.op + " " + v;
    }
    case k::between: {
      std::string lo = c.value(n.operands.at(0));
      std::string hi = c.value(n.operands.at(1));
      return p + " BETWEEN " + lo + " AND " + hi;
    }
    case k::in: {
      std::string s = p + " IN (";
      for (std::size_t i = 0; i < n.operands.size(); ++i) {
        if (i) s += ", ";
        s += c.value(n.operands[i]);
      }
      return s + ")";
    }
    case k::exists: return "attribute_exists(" + p + ")";
    case k::not_exists: return "attribute_not_exists(" + p + ")";
    case k::begins_with: {
      std::string v = c.value(n.operands.at(0));
      return "begins_with(" + p + ", " + v + ")";
    }
    case k::contains: {
      std::string v = c.value(n.operands.at(0));
      return "contains(" + p + ", " + v + ")";
    }
    case k::type_is: {
      std::string v = c.value(attribute_value::string(n.type_tag));
      return "attribute_type(" + p + ", " + v + ")";
    }
    case k::and_:
    case k::or_: {
      std::string l = child(*n.left, n.k, c);
      std::string r = child(*n.right, n.k, c);
      return l + (n.k == k::and_ ? " AND " : " OR ") + r;
    }
    case k::not_: {
      std::string inner = render_condition(*n.left, c);
      return "NOT (" + inner + ")";
    }
  }
  return {};
}

}  // namespace detail
}  // namespace dynantic

#include <dynantic/expr/update.hpp>

namespace dynantic::detail {

std::string render_update(const std::vector<update_action>& actions, render_context& c) {
  if (actions.empty()) throw validation_error("", "an update needs at least one action");
  using k = update_action::kind;
  std::string set, remove, add, del;
  auto join = [](std::string& to, const std::string& part) {
    if (!to.empty()) to += ", ";
    to += part;
  };
  for (const auto& a : actions) {  // each step its own statement: placeholders in reading order
    std::string p = render_path(a.path, c);
    switch (a.k) {
      case k::set: {
        std::string v = c.value(a.value);
        join(set, p + " = " + v);
        break;
      }
      case k::set_if_not_exists: {
        std::string v = c.value(a.value);
        join(set, p + " = if_not_exists(" + p + ", " + v + ")");
        break;
      }
      case k::set_arith: {
        std::string src = render_path(a.other, c);
        std::string v = c.value(a.value);
        join(set, p + " = " + src + " " + a.op + " " + v);
        break;
      }
      case k::append: {
        std::string v = c.value(a.value);
        join(set, p + " = list_append(" + p + ", " + v + ")");
        break;
      }
      case k::prepend: {
        std::string v = c.value(a.value);
        join(set, p + " = list_append(" + v + ", " + p + ")");
        break;
      }
      case k::remove: join(remove, p); break;
      case k::add: {
        std::string v = c.value(a.value);
        join(add, p + " " + v);
        break;
      }
      case k::delete_: {
        std::string v = c.value(a.value);
        join(del, p + " " + v);
        break;
      }
    }
  }
  std::string out;
  auto section = [&](const char* name, const std::string& body) {
    if (body.empty()) return;
    if (!out.empty()) out += ' ';
    out += name;
    out += ' ';
    out += body;
  };
  section("SET", set);
  section("REMOVE", remove);
  section("ADD", add);
  section("DELETE", del);
  return out;
}

}  // namespace dynantic::detail

namespace dynantic::detail {

std::string render_key_condition(render_context& c, const std::string& pk_name, const attribute_value& pk_value,
                                 const std::string& sk_name, std::string_view sk_op,
                                 const std::vector<attribute_value>& sk_values, const std::string& where) {
  std::string pk = c.name(pk_name);
  std::string pv = c.value(pk_value);
  std::string out = pk + " = " + pv;
  if (sk_op.empty()) return out;
  if (sk_name.empty()) throw validation_error(where, "this index has no sort key");
  std::string sk = c.name(sk_name);
  std::string a = c.value(sk_values.at(0));
  if (sk_op == "BETWEEN") {
    std::string b = c.value(sk_values.at(1));
    out += " AND " + sk + " BETWEEN " + a + " AND " + b;
  } else if (sk_op == "begins_with") {
    out += " AND begins_with(" + sk + ", " + a + ")";
  } else {
    out += " AND " + sk + " " + std::string(sk_op) + " " + a;
  }
  return out;
}

}  // namespace dynantic::detail

namespace dynantic::detail {

void throw_at_path(const std::vector<path_segment>& p, std::vector<validation_issue> issues) {
  const std::string where = path_text(p);
  for (auto& i : issues) {
    if (i.path.empty()) i.path = where;
    else i.path = where + (i.path.front() == '[' ? "" : ".") + i.path;
  }
  throw validation_error(std::move(issues));
}

}  // namespace dynantic::detail
