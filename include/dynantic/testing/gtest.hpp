#pragma once
/// @file gtest.hpp
/// GoogleTest helpers for dynantic's errors (CMake target dynantic::testing, which links GTest::gtest).

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <dynantic/error.hpp>

namespace dynantic::testing {

/// Whether `e` has an issue at `path` (and, when `message_part` is not empty, whose message contains it); for
/// EXPECT_VALIDATION_ERROR. On failure, the message lists every issue.
::testing::AssertionResult has_issue(const validation_error& e, std::string_view path,
                                     std::string_view message_part = {});

}  // namespace dynantic::testing

/// Expects `statement` to throw dynantic::validation_error with an issue at `path`:
/// EXPECT_VALIDATION_ERROR(users.save(u), "address.city").
#define EXPECT_VALIDATION_ERROR(statement, path)                               \
  do {                                                                         \
    try {                                                                      \
      statement;                                                               \
      ADD_FAILURE() << #statement " did not throw dynantic::validation_error"; \
    } catch (const ::dynantic::validation_error& dynantic_e_) {                \
      EXPECT_TRUE(::dynantic::testing::has_issue(dynantic_e_, path));          \
    }                                                                          \
  } while (false)

/// Expects `statement` to throw dynantic::conditional_check_failed (a failed condition or version check).
#define EXPECT_CONDITION_FAILED(statement) EXPECT_THROW(statement, ::dynantic::conditional_check_failed)

/// Expects `statement` to throw dynantic::item_not_found (an update of a key without an item).
#define EXPECT_ITEM_NOT_FOUND(statement) EXPECT_THROW(statement, ::dynantic::item_not_found)
