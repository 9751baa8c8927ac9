// The model codec: one encoder and one decoder between a model (through its model_desc) and DynamoDB-JSON
// text, a parsed answer (ddb_value) or an item tree. Every rule at the model boundary is here, once:
// constraints, omitted members, TTL, the subtype tag, required and unknown attributes.
#include <array>
#include <vector>

#include <dynantic/model/model.hpp>
#include <dynantic/value/codec.hpp>

namespace dynantic::detail {

void check_key_value(const member_desc& m, const void* v, conversion_context& c) {
  std::size_t size = 0;
  bool sized = false;
  if (m.is_string) {
    size = static_cast<const std::string*>(v)->size();
    sized = true;
  } else if (m.scalar != 'N') {  // B, or S of another C++ type (uuid, timestamp, enum...)
    conversion_context scratch;
    attribute_value a = m.ops->to_attribute(v, scratch);
    if (a.is_string()) size = a.as_string().size(), sized = true;
    else if (a.is_binary()) size = a.as_binary().size(), sized = true;
  }
  if (!sized) return;
  if (size == 0) return c.fail("a key attribute cannot be empty (DynamoDB rejects empty string and binary keys)");
  const bool partition = m.kind == role::partition_key;
  const std::size_t limit = partition ? 2048 : 1024;
  if (size > limit) {
    c.fail(std::string(partition ? "a partition key" : "a sort key") + " is at most " + std::to_string(limit) +
           " bytes (got " + std::to_string(size) + ")");
  }
}

namespace {
// One encoder for both outputs: `Sink` writes the tag and each member's value (DynamoDB-JSON text, or an item).
template <class Sink>
void encode_impl(const model_desc& d, const void* obj, conversion_context& c, Sink&& sink) {
  if (!d.tag.empty()) sink.tag(d.discriminator, d.tag);
  for (const member_desc& m : d) {
    const void* v = model_desc::at(obj, m);
    conversion_context::scope s(c, m.name);
    if (m.check) m.check(v, c);
    if (m.kind == role::partition_key || m.kind == role::sort_key) check_key_value(m, v, c);
    if (m.ops->omit && m.ops->omit(v)) continue;
    sink.member(m, v);
  }
}
}  // namespace

void encode_members(const model_desc& d, const void* obj, ddb_writer& w) {
  struct {
    ddb_writer& w;
    void tag(std::string_view name, std::string_view tag) {
      w.attribute(name);
      w.string(tag);
    }
    void member(const member_desc& m, const void* v) {
      w.attribute(m.name);
      m.ops->write(v, w);
    }
  } sink{w};
  encode_impl(d, obj, w.context(), sink);
}

void encode_json(const model_desc& d, const void* obj, std::string& out) {
  std::size_t mark = out.size();
  // One allocation of about the right size instead of a chain of doublings: the size of the thread's last
  // item of this model, with some room.
  thread_local const model_desc* last_model = nullptr;
  thread_local std::size_t last_size = 0;
  if (last_model == &d && out.capacity() - mark < last_size) out.reserve(mark + last_size + last_size / 8);
  conversion_context c;
  ddb_writer w(out, c);
  w.begin_attributes();
  encode_members(d, obj, w);
  w.end_attributes();
  w.finish();
  if (!c.ok()) {
    out.resize(mark);
    c.throw_if_failed();
  }
  last_model = &d;
  last_size = out.size() - mark;
}

item encode_item(const model_desc& d, const void* obj, conversion_context& c) {
  item out;
  struct {
    item& out;
    conversion_context& c;
    void tag(std::string_view name, std::string_view tag) {
      out.insert_or_assign(std::string(name), attribute_value::string(std::string(tag)));
    }
    void member(const member_desc& m, const void* v) {
      out.insert_or_assign(std::string(m.name), m.ops->to_attribute(v, c));
    }
  } sink{out, c};
  std::size_t before = c.issues().size();
  encode_impl(d, obj, c, sink);
  if (c.issues().size() != before) return {};
  return out;
}

namespace {

// Which members were present: inline for models of up to 64 members.
class seen_set {
 public:
  explicit seen_set(std::size_t n) {
    if (n > inline_.size()) heap_.resize(n);
  }
  void set(std::size_t i) { heap_.empty() ? (void)(inline_[i] = true) : (void)(heap_[i] = true); }
  bool get(std::size_t i) const { return heap_.empty() ? inline_[i] : heap_[i]; }

 private:
  std::array<bool, 64> inline_{};
  std::vector<char> heap_;
};

const member_desc* find_member(const model_desc& d, std::string_view name) {
  for (const member_desc& m : d) {
    if (m.name.size() == name.size() && m.name[0] == name[0] && m.name == name) return &m;
  }
  return nullptr;
}

// After a member was read without a problem, its declared constraints.
void check_read(const member_desc& m, void* v, std::size_t issues_before, conversion_context& c) {
  if (m.check && c.issues().size() == issues_before) m.check(v, c);
}

void unknown(std::string_view name, conversion_context& c) {
  conversion_context::scope s(c, name);
  c.fail("unknown attribute (the model forbids unknown attributes)");
}

/// A member whose attribute is absent: its declared default, nothing (optional or omittable), or an issue.
void absent(const member_desc& m, void* obj, conversion_context& c) {
  if (m.fill_default) {
    m.fill_default(model_desc::at(obj, m));
  } else if (!m.ops->may_be_absent) {
    conversion_context::scope s(c, m.name);
    c.fail("required attribute is missing");
  }
}

void missing(const model_desc& d, const seen_set& seen, void* obj, conversion_context& c) {
  for (std::size_t i = 0; i < d.member_count; ++i) {
    if (!seen.get(i)) absent(d.members[i], obj, c);
  }
}

void missing_tag(const model_desc& d, conversion_context& c) {
  conversion_context::scope s(c, d.discriminator);
  check_tag(nullptr, d.tag, c);
}

}  // namespace

void decode_members(const model_desc& d, const ddb_value& in, void* obj, conversion_context& c) {
  seen_set seen(d.member_count);
  bool tag_seen = false;
  std::size_t next = 0;
  in.for_each_attribute([&](std::string_view name, const ddb_value& v) {
    if (!d.tag.empty() && name == d.discriminator) {
      conversion_context::scope s(c, name);
      auto a = v.to_attribute();
      check_tag(&a, d.tag, c);
      tag_seen = true;
      return;
    }
    // Attributes often come in declaration order (this codec writes them so): try the next member first.
    const member_desc* m = d.members + next;
    if (next >= d.member_count || m->name.size() != name.size() || m->name != name) m = find_member(d, name);
    if (!m) {
      if (d.forbid_unknown) unknown(name, c);
      return;
    }
    next = static_cast<std::size_t>(m - d.members) + 1;
    seen.set(next - 1);
    void* out = model_desc::at(obj, *m);
    conversion_context::scope s(c, m->name);
    std::size_t before = c.issues().size();
    m->ops->read(v, out, c);
    check_read(*m, out, before, c);
  });
  missing(d, seen, obj, c);
  if (!d.tag.empty() && !tag_seen) missing_tag(d, c);
}

void decode_members(const model_desc& d, const item& in, void* obj, conversion_context& c) {
  for (std::size_t i = 0; i < d.member_count; ++i) {
    const member_desc& m = d.members[i];
    auto it = in.find(m.name);
    if (it == in.end()) {
      absent(m, obj, c);
      continue;
    }
    conversion_context::scope s(c, m.name);
    void* out = model_desc::at(obj, m);
    std::size_t before = c.issues().size();
    m.ops->from_attribute(it->second, out, c);
    check_read(m, out, before, c);
  }
  if (!d.tag.empty()) {
    auto it = in.find(d.discriminator);
    if (it == in.end()) {
      missing_tag(d, c);
    } else {
      conversion_context::scope s(c, d.discriminator);
      check_tag(&it->second, d.tag, c);
    }
  }
  if (d.forbid_unknown) {
    for (const auto& [name, value] : in) {
      const bool is_tag = !d.tag.empty() && name == d.discriminator;
      if (!is_tag && !find_member(d, name)) unknown(name, c);
    }
  }
}

void link_description(model_desc& d) {
  for (const member_desc& m : d) {
    if (m.kind == role::partition_key) d.partition_key = &m;
    if (m.kind == role::sort_key) d.sort_key = &m;
    if (m.kind == role::ttl) d.ttl = &m;
    if (m.kind == role::version) d.version = &m;
  }
}

std::string_view stored_name_at(const model_desc& d, std::size_t offset) {
  for (const member_desc& m : d) {
    if (m.offset == offset) return m.name;
  }
  throw error(
      "dynantic: the member is not stored by the model (skip()ped, or of another struct): declare it with "
      "field(member) to use it in expressions");
}

namespace {
item stored_key(const model_desc& d, const item& stored) {
  item key;
  for (const member_desc* k : {d.partition_key, d.sort_key}) {
    if (!k) continue;
    if (auto it = stored.find(k->name); it != stored.end()) key.emplace(it->first, it->second);
  }
  return key;
}
}  // namespace

validation_error read_error(const validation_error& e, const model_desc& d, std::string_view table,
                            const item& stored) {
  return validation_error(e, std::string(table), stored_key(d, stored));
}

void throw_read_error(const validation_error& e, const model_desc& d, std::string_view table, const item& stored) {
  throw read_error(e, d, table, stored);
}
void throw_read_error(const wrong_subtype& e, const model_desc& d, std::string_view table, const item& stored) {
  throw wrong_subtype(e, std::string(table), stored_key(d, stored));
}
void throw_read_error(const unknown_discriminator& e, const model_desc& d, std::string_view table, const item& stored) {
  throw unknown_discriminator(e, std::string(table), stored_key(d, stored));
}

void decode_read_into(const model_desc& d, std::string_view table, const item& it, void* out) {
  conversion_context c;
  decode_members(d, it, out, c);
  if (!c.ok()) throw_read_error(validation_error(std::move(c.issues())), d, table, it);
}

void decode_read_into(const model_desc& d, std::string_view table, const ddb_value& v, void* out) {
  conversion_context c;
  decode_members(d, v, out, c);
  // a parsed answer (DOM) can be read again for the key
  if (!c.ok()) throw_read_error(validation_error(std::move(c.issues())), d, table, v.to_attribute().as_map());
}

}  // namespace dynantic::detail
