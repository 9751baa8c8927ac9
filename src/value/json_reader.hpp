#pragma once
// DynamoDB-JSON reading on top of simdjson's DOM API (private: simdjson stays out of public headers).
#include <memory>
#include <string_view>

#include <simdjson.h>

#include <dynantic/value/attribute_value.hpp>

namespace dynantic::detail {

/// The calling thread's parser (simdjson reuses its buffers between documents). A document obtained
/// from it is valid until the next parse on the same thread.
simdjson::dom::parser& thread_parser();

/// A parser lent from a process-wide pool and given back when the handle dies: its buffers, sized by earlier
/// documents, are reused (no fresh memory per answer) by documents that must outlive the next parse on the
/// thread (a page of query results). Thread-safe.
class pooled_parser {
 public:
  pooled_parser();
  ~pooled_parser();
  pooled_parser(pooled_parser&& o) noexcept = default;
  pooled_parser& operator=(pooled_parser&&) = delete;
  simdjson::dom::parser& operator*() const { return *p_; }
  /// Parses `json` (with SIMDJSON_PADDING spare capacity it is not copied), growing the parser's buffers with
  /// room to spare so that the next, slightly larger document of the same kind does not reallocate them.
  simdjson::simdjson_result<simdjson::dom::element> parse(const std::string& json) const;
  simdjson::dom::parser* operator->() const { return p_.get(); }

 private:
  std::unique_ptr<simdjson::dom::parser> p_;
};

/// Parses `json` with the thread's parser. @throws decode_error on malformed JSON or invalid UTF-8.
simdjson::dom::element parse_json(std::string_view json);

/// Converts DynamoDB-JSON to values. @throws decode_error (shape), validation_error (number limits).
attribute_value read_value(simdjson::dom::element e);
item read_item(simdjson::dom::element e);

/// Reads a string member or throws decode_error naming the member.
std::string_view get_string(simdjson::dom::object o, std::string_view key);

}  // namespace dynantic::detail
