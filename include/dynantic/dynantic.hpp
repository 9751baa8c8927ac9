#pragma once
/// @file dynantic.hpp
/// Umbrella header: everything public in dynantic.
#include <dynantic/bulk/batch.hpp>
#include <dynantic/bulk/parallel_scan.hpp>
#include <dynantic/bulk/stream.hpp>
#include <dynantic/bulk/table_admin.hpp>
#include <dynantic/bulk/transaction.hpp>
#include <dynantic/bulk/writer.hpp>
#include <dynantic/client.hpp>
#include <dynantic/error.hpp>
#include <dynantic/expr/expr.hpp>
#include <dynantic/expr/update.hpp>
#include <dynantic/model/converter.hpp>
#include <dynantic/model/errors.hpp>
#include <dynantic/model/keys.hpp>
#include <dynantic/model/model.hpp>
#include <dynantic/model/polymorphic.hpp>
#include <dynantic/model/types.hpp>
#include <dynantic/ops/operations.hpp>
#include <dynantic/ops/writes.hpp>
#include <dynantic/query.hpp>
#include <dynantic/table.hpp>
#include <dynantic/value/attribute_value.hpp>
#include <dynantic/value/codec.hpp>
