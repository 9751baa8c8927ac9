// Table management from a model (include/dynantic/bulk/table_admin.hpp): the CreateTable request, waiting
// until ACTIVE, TTL, and comparing the model with the live table.
#include <dynantic/bulk/table_admin.hpp>

#include <algorithm>
#include <thread>

#include <dynantic/error.hpp>

namespace dynantic {

ops::table_description wait_until_active(const client& c, const std::string& table, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    auto d = ops::describe_table(c, table);
    bool ready = d.table_status == "ACTIVE";
    for (const auto& g : d.global_secondary_indexes) ready &= g.index_status.empty() || g.index_status == "ACTIVE";
    if (ready) return d;
    if (std::chrono::steady_clock::now() > deadline) {
      throw error("dynantic: table " + table + " is not ACTIVE after " + std::to_string(timeout.count()) + " s (" +
                  d.table_status + ")");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

void wait_until_deleted(const client& c, const std::string& table, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    std::string status;
    try {
      status = ops::describe_table(c, table).table_status;
    } catch (const table_not_found&) {
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw error("dynantic: table " + table + " still exists after " + std::to_string(timeout.count()) + " s (" +
                  status + ")");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

}  // namespace dynantic

namespace dynantic::detail {

namespace {
std::string_view scalar_name(ops::scalar_type t) {
  return t == ops::scalar_type::s ? "S" : t == ops::scalar_type::n ? "N" : "B";
}
std::string keys_text(const std::vector<ops::key_schema_element>& ks) {
  std::string s;
  for (const auto& k : ks) {
    if (!s.empty()) s += ", ";
    s += k.attribute_name + (k.type == ops::key_type::hash ? " HASH" : " RANGE");
  }
  return s.empty() ? "none" : s;
}
void compare_indexes(const std::vector<ops::secondary_index>& want, const std::vector<ops::secondary_index>& have,
                     std::string_view kind, std::vector<std::string>& out) {
  for (const auto& w : want) {
    auto it = std::find_if(have.begin(), have.end(), [&](const auto& h) { return h.index_name == w.index_name; });
    if (it == have.end()) {
      out.push_back(std::string(kind) + " " + w.index_name + " is missing from the table");
      continue;
    }
    if (it->key_schema != w.key_schema) {
      out.push_back(std::string(kind) + " " + w.index_name + ": the model has keys (" + keys_text(w.key_schema) +
                    "), the table (" + keys_text(it->key_schema) + ")");
    }
    if (it->projection.type != w.projection.type) {
      out.push_back(std::string(kind) + " " + w.index_name + ": projection differs from the model's");
    }
  }
  for (const auto& h : have) {
    if (std::none_of(want.begin(), want.end(), [&](const auto& w) { return w.index_name == h.index_name; })) {
      out.push_back(std::string(kind) + " " + h.index_name + " exists on the table but not in the model");
    }
  }
}
}  // namespace

schema_report compare_schema(const client& c, const ops::create_table_request& want, const std::string& ttl_attribute) {
  schema_report r;
  ops::table_description have;
  try {
    have = ops::describe_table(c, want.table_name);
  } catch (const table_not_found&) {
    r.differences.push_back("table " + want.table_name + " does not exist");
    return r;
  }
  if (have.key_schema != want.key_schema) {
    r.differences.push_back("key schema: the model has (" + keys_text(want.key_schema) + "), the table (" +
                            keys_text(have.key_schema) + ")");
  }
  for (const auto& d : want.attribute_definitions) {
    auto it = std::find_if(have.attribute_definitions.begin(), have.attribute_definitions.end(),
                           [&](const auto& h) { return h.attribute_name == d.attribute_name; });
    if (it == have.attribute_definitions.end()) {
      r.differences.push_back("attribute " + d.attribute_name + " is not a key attribute of the table or its indexes");
    } else if (it->type != d.type) {
      r.differences.push_back("attribute " + d.attribute_name + ": the model stores " +
                              std::string(scalar_name(d.type)) + ", the table defines " +
                              std::string(scalar_name(it->type)));
    }
  }
  compare_indexes(want.global_secondary_indexes, have.global_secondary_indexes, "GSI", r.differences);
  compare_indexes(want.local_secondary_indexes, have.local_secondary_indexes, "LSI", r.differences);
  auto ttl = ops::describe_time_to_live(c, want.table_name);
  bool enabled = ttl.status == "ENABLED" || ttl.status == "ENABLING";
  if (!ttl_attribute.empty() && (!enabled || ttl.attribute_name != ttl_attribute)) {
    r.differences.push_back("TTL: the model expires items by '" + ttl_attribute + "', the table " +
                            (enabled ? "by '" + ttl.attribute_name + "'" : std::string("has TTL disabled")));
  } else if (ttl_attribute.empty() && enabled) {
    r.differences.push_back("TTL: the table expires items by '" + ttl.attribute_name +
                            "', the model has no ttl member");
  }
  return r;
}

namespace {
ops::scalar_type scalar(char s) {
  return s == 'N' ? ops::scalar_type::n : s == 'B' ? ops::scalar_type::b : ops::scalar_type::s;
}
}  // namespace

ops::create_table_request table_definition(const model_desc& d, std::span<const model_desc* const> family,
                                           const std::string& table, const table_options& o) {
  ops::create_table_request r;
  r.table_name = table;
  r.billing_mode = o.billing_mode;
  r.stream_view_type = o.stream_view_type;
  r.throughput = o.throughput;
  auto define = [&](std::string_view name, ops::scalar_type t) {
    for (const auto& a : r.attribute_definitions) {
      if (a.attribute_name == name) return;
    }
    r.attribute_definitions.push_back({std::string(name), t});
  };
  const std::string pk_name(d.partition_key->name);
  r.key_schema.push_back({pk_name, ops::key_type::hash});
  define(pk_name, scalar(d.partition_key->scalar));
  if (d.sort_key) {
    r.key_schema.push_back({std::string(d.sort_key->name), ops::key_type::range});
    define(d.sort_key->name, scalar(d.sort_key->scalar));
  }
  // Indexes declared by M, or for single-table designs by the base and every subtype.
  for (const model_desc* f : family) {
    for (std::size_t i = 0; i < f->index_count; ++i) {
      const index_decl& x = f->indexes[i];
      const member_desc& m = f->members[x.member];
      define(m.name, scalar(m.scalar));
      bool local = x.kind == index_role::lsi_sort;
      auto& list = local ? r.local_secondary_indexes : r.global_secondary_indexes;
      ops::secondary_index* idx = nullptr;
      for (auto& s : list) {
        if (s.index_name == x.index) idx = &s;
      }
      if (!idx) {
        list.push_back({std::string(x.index), {}, {}, {}, {}});
        idx = &list.back();
        auto p = o.projections.find(x.index);
        if (p != o.projections.end()) idx->projection = p->second;
        if (local) idx->key_schema.push_back({pk_name, ops::key_type::hash});
        if (!local && o.billing_mode == ops::billing_mode::provisioned) idx->throughput = o.throughput;
      }
      bool listed = false;
      for (const auto& k : idx->key_schema) listed |= k.attribute_name == m.name;
      if (listed) continue;  // declared by another model of the family too
      if (x.kind == index_role::gsi_partition) {
        idx->key_schema.insert(idx->key_schema.begin(), {std::string(m.name), ops::key_type::hash});
      } else {
        idx->key_schema.push_back({std::string(m.name), ops::key_type::range});
      }
    }
  }
  return r;
}

ops::table_description create_table(const client& c, const ops::create_table_request& definition,
                                    const table_options& o, std::string_view ttl_attribute, bool if_not_exists) {
  try {
    auto d = ops::create_table(c, definition);
    if (o.wait_until_active) {
      d = wait_until_active(c, definition.table_name, o.timeout);
      if (!ttl_attribute.empty())
        ops::update_time_to_live(c, definition.table_name, {true, std::string(ttl_attribute)});
    }
    return d;
  } catch (const table_in_use&) {
    if (!if_not_exists) throw;
    return o.wait_until_active ? wait_until_active(c, definition.table_name, o.timeout)
                               : ops::describe_table(c, definition.table_name);
  }
}

bool table_exists(const client& c, const std::string& table) {
  try {
    ops::describe_table(c, table);
    return true;
  } catch (const table_not_found&) {
    return false;
  }
}

}  // namespace dynantic::detail
