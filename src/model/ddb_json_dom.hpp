#pragma once
// A ddb_value over an item inside a DOM document that is already parsed (private: simdjson stays out of
// public headers). Valid while the document lives.
#include <simdjson.h>

#include <dynantic/detail/ddb_json.hpp>

namespace dynantic::detail {
ddb_value ddb_value_of_dom_item(const simdjson::dom::element& item);
}  // namespace dynantic::detail
