#pragma once
// Bodies and answers of BatchGetItem / BatchWriteItem, shared by the single-call operations and the batch
// engine (which sends many of them at once through client_impl::execute).
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <dynantic/ops/operations.hpp>

namespace dynantic::ops::detail_batch {
std::string batch_get_body(const batch_get_item_request& r);
batch_get_item_result parse_batch_get(const std::string& answer);
std::string batch_write_body(const batch_write_item_request& r);
/// One request of a BatchWriteItem body: its item (put) or key (delete) as DynamoDB-JSON text, or as an item
/// when `json` is empty.
struct write_view {
  std::string_view table;
  bool put = true;
  std::string_view json{};
  const item* data = nullptr;
};
/// The one writer of BatchWriteItem bodies: {"RequestItems":{"<table>":[{"PutRequest":{"Item":...}} or
/// {"DeleteRequest":{"Key":...}}, ...], ...}}, tables in name order, each table's requests in the given order.
/// @throws validation_error (an item that does not encode)
std::string batch_write_body(std::span<const write_view> writes, std::size_t size_hint = 0);
batch_write_item_result parse_batch_write(const std::string& answer);
}  // namespace dynantic::ops::detail_batch
