// The key codec (include/dynantic/model/keys.hpp): a model's key as an item, as DynamoDB-JSON and as its
// canonical text, all from the model's description.
#include <dynantic/model/keys.hpp>

#include <dynantic/detail/ddb_json.hpp>
#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic::detail {

// ---------------------------------------------------------------- canonical key text

void append_key_text_string(std::string& out, std::string_view name, std::string_view s) {
  out.append(name).append("\x1fS").append(s).push_back('\x1e');
}

void append_key_text(std::string& out, std::string_view name, const attribute_value& v) {
  if (v.type() == value_type::s) return append_key_text_string(out, name, v.as_string());
  out.append(name).push_back('\x1f');
  switch (v.type()) {
    case value_type::n:
      out += 'N';
      out += codec::canonical_number(v.as_number_text());
      break;
    case value_type::b:
      out += 'B';
      out += codec::base64_encode(v.as_binary_string());
      break;
    default:  // not a key type: DynamoDB rejects the request; any stable text will do
      out += '?';
      out += codec::write_item({{"v", v}});
      break;
  }
  out += '\x1e';
}

std::string key_text(std::string_view table, const item& it, const std::vector<std::string>& names) {
  std::string out;
  out.reserve(table.size() + 64);
  out.append(table).push_back('\n');
  for (const auto& n : names) {
    auto f = it.find(n);
    if (f != it.end()) append_key_text(out, n, f->second);
  }
  return out;
}

std::string key_text(std::string_view table, const item& key) {
  std::string out;
  out.reserve(table.size() + 64);
  out.append(table).push_back('\n');
  for (const auto& [name, value] : key) append_key_text(out, name, value);
  return out;
}

// ---------------------------------------------------------------- a model's key

namespace {
const void* member_ptr(const void* obj, const member_desc& m) { return model_desc::at(obj, m); }

void add_key_part(item& k, const member_desc& m, const void* v, conversion_context& c) {
  conversion_context::scope s(c, m.name);
  check_key_value(m, v, c);
  k.emplace(std::string(m.name), m.ops->to_attribute(v, c));
}
}  // namespace

std::vector<std::string> key_names(const model_desc& d) {
  std::vector<std::string> n{std::string(d.partition_key->name)};
  if (d.sort_key) n.emplace_back(d.sort_key->name);
  return n;
}

item key_of_model(const model_desc& d, const void* obj) {
  conversion_context c;
  item k;
  add_key_part(k, *d.partition_key, member_ptr(obj, *d.partition_key), c);
  if (d.sort_key) add_key_part(k, *d.sort_key, member_ptr(obj, *d.sort_key), c);
  c.throw_if_failed();
  return k;
}

item key_of_parts(const model_desc& d, const void* pk, const void* sk) {
  conversion_context c;
  item k;
  add_key_part(k, *d.partition_key, pk, c);
  if (d.sort_key && sk) add_key_part(k, *d.sort_key, sk, c);
  c.throw_if_failed();
  return k;
}

void parts_of_key(const model_desc& d, const item& it, void* pk, void* sk) {
  conversion_context c;
  auto read = [&](const member_desc& m, void* out) {
    conversion_context::scope s(c, m.name);
    auto f = it.find(m.name);
    if (f == it.end()) return c.fail("required attribute is missing");
    m.ops->from_attribute(f->second, out, c);
  };
  read(*d.partition_key, pk);
  if (d.sort_key && sk) read(*d.sort_key, sk);
  c.throw_if_failed();
}

std::string key_text_of_model(const model_desc& d, std::string_view table, const void* obj) {
  conversion_context c;
  std::string text;
  text.reserve(table.size() + 64);
  text.append(table).push_back('\n');
  for (const member_desc* m : {d.partition_key, d.sort_key}) {
    if (!m) continue;
    const void* v = member_ptr(obj, *m);
    if (m->is_string) {  // without a temporary value
      append_key_text_string(text, m->name, *static_cast<const std::string*>(v));
    } else {
      conversion_context::scope s(c, m->name);
      append_key_text(text, m->name, m->ops->to_attribute(v, c));
    }
  }
  c.throw_if_failed();
  return text;
}

void append_key_json_and_text(const model_desc& d, const void* pk, const void* sk, std::string& json,
                              std::string& text) {
  conversion_context c;
  json += '{';
  bool first = true;
  auto part = [&](const member_desc& m, const void* v) {
    if (!first) json += ',';
    first = false;
    append_json_string(json, m.name);
    json += ':';
    conversion_context::scope s(c, m.name);
    check_key_value(m, v, c);
    if (m.is_string) {  // the common case, without a temporary value
      const auto& str = *static_cast<const std::string*>(v);
      append_key_text_string(text, m.name, str);
      ddb_writer w(json, c);
      w.string(str);
      w.finish();
    } else {
      attribute_value a = m.ops->to_attribute(v, c);
      append_key_text(text, m.name, a);
      codec::write_value(json, a);
    }
  };
  part(*d.partition_key, pk);
  if (d.sort_key && sk) part(*d.sort_key, sk);
  json += '}';
  c.throw_if_failed();
}

}  // namespace dynantic::detail
