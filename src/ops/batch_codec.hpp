#pragma once
// Bodies and answers of BatchGetItem / BatchWriteItem, shared by the single-call operations and the batch
// engine (which sends many of them at once through client_impl::execute).
#include <string>

#include <dynantic/ops/operations.hpp>

namespace dynantic::ops::detail_batch {
std::string batch_get_body(const batch_get_item_request& r);
batch_get_item_result parse_batch_get(const std::string& answer);
std::string batch_write_body(const batch_write_item_request& r);
batch_write_item_result parse_batch_write(const std::string& answer);
}  // namespace dynantic::ops::detail_batch
