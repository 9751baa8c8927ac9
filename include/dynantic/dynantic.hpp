#pragma once
/// @file dynantic.hpp
/// Umbrella header: everything public in dynantic.
#include <dynantic/client.hpp>
#include <dynantic/error.hpp>
#include <dynantic/ops/operations.hpp>
#include <dynantic/value/attribute_value.hpp>
#include <dynantic/value/codec.hpp>
