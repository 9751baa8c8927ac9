#pragma once
// DynamoDB-JSON reading on top of simdjson's DOM API (private: simdjson stays out of public headers).
#include <string_view>

#include <simdjson.h>

#include <dynantic/value/attribute_value.hpp>

namespace dynantic::detail {

/// The calling thread's parser (simdjson reuses its buffers between documents). A document obtained
/// from it is valid until the next parse on the same thread.
simdjson::dom::parser& thread_parser();

/// Parses `json` with the thread's parser. @throws decode_error on malformed JSON or invalid UTF-8.
simdjson::dom::element parse_json(std::string_view json);

/// Converts DynamoDB-JSON to values. @throws decode_error (shape), validation_error (number limits).
attribute_value read_value(simdjson::dom::element e);
item read_item(simdjson::dom::element e);

/// Reads a string member or throws decode_error naming the member.
std::string_view get_string(simdjson::dom::object o, std::string_view key);

}  // namespace dynantic::detail
