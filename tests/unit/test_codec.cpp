// DynamoDB-JSON codec: round trips of every type and edge value, golden text, validation, malformed input.
#include <gtest/gtest.h>

#include <dynantic/error.hpp>
#include <dynantic/value/codec.hpp>

namespace test_codec {
using namespace dynantic;
using dynantic::codec::read_item;
using dynantic::codec::write_item;

item every_type() {
  item profile{{"city", "Zürich"}, {"zip", 8001}};
  return item{
      {"s", "plain"},
      {"esc", attribute_value::string("quote\" backslash\\ nl\n tab\t ctl\x01 end")},
      {"utf8", "日本語 ✓ 🙂"},
      {"empty", ""},
      {"n_int", attribute_value::number("-9223372036854775808")},
      {"n_u64", attribute_value::number("18446744073709551615")},
      {"n_dec", attribute_value::number("12345678901234567890.123456789012345678")},
      {"n_small", attribute_value::number("1E-130")},
      {"n_big", attribute_value::number("9.9999999999999999999999999999999999999E+125")},
      {"n_zero", attribute_value::number("0.000")},
      {"b", attribute_value::binary_from_string(std::string("\x00\xff\x10 bytes", 9))},
      {"b_empty", attribute_value::binary_from_string("")},
      {"t", true},
      {"f", false},
      {"nul", attribute_value::null()},
      {"m", attribute_value::map(profile)},
      {"m_empty", attribute_value::map({})},
      {"l", attribute_value::list({1, "two", attribute_value::list({}), attribute_value::map({{"x", 3}})})},
      {"ss", attribute_value::string_set({"a", "b", "ü"})},
      {"ns", attribute_value::number_set({"1", "2.5", "-3E10"})},
      {"bs", attribute_value::binary_set({std::string("\x01\x02", 2), "xyz"})},
  };
}

// Found by fuzz/item.cpp: a set the writer refuses was read without complaint.
TEST(codec, sets_that_cannot_be_written_are_not_read) {
  EXPECT_THROW(read_item(R"({"bs":{"BS":["AA==","AA=="]}})"), decode_error);
  EXPECT_THROW(read_item(R"({"ss":{"SS":["a","b","a"]}})"), decode_error);
  EXPECT_THROW(read_item(R"({"ns":{"NS":["1","1.0"]}})"), decode_error);  // equal by value
  EXPECT_THROW(read_item(R"({"ss":{"SS":[]}})"), decode_error);
  EXPECT_EQ(read_item(R"({"ns":{"NS":["1","10"]}})").at("ns").as_set().size(), 2u);
}

// Found by fuzz/base64.cpp: two texts decoded to the same bytes.
TEST(codec, base64_is_canonical) {
  EXPECT_EQ(codec::base64_decode("aGVsbGE="), "hella");
  EXPECT_FALSE(codec::base64_decode("aGVsbGG="));  // the same bytes with non-zero leftover bits
  EXPECT_FALSE(codec::base64_decode("YR=="));
  EXPECT_EQ(codec::base64_decode("YQ=="), "a");
}

TEST(codec, every_type_round_trips) {
  item in = every_type();
  std::string json = write_item(in);
  item out = read_item(json);
  EXPECT_EQ(in, out);
  EXPECT_EQ(write_item(out), json);  // stable
}

TEST(codec, golden_text) {
  item it{{"id", "u-1"},
          {"n", attribute_value::number("12.50")},
          {"ok", true},
          {"b", attribute_value::binary_from_string("hi!")},
          {"ss", attribute_value::string_set({"x", "y"})},
          {"l", attribute_value::list({attribute_value::null(), 7})},
          {"m", attribute_value::map({{"k", "v\"q"}})}};
  EXPECT_EQ(write_item(it),
            R"({"b":{"B":"aGkh"},"id":{"S":"u-1"},"l":{"L":[{"NULL":true},{"N":"7"}]},"m":{"M":{"k":{"S":"v\"q"}}},)"
            R"("n":{"N":"12.50"},"ok":{"BOOL":true},"ss":{"SS":["x","y"]}})");
}

TEST(codec, numbers_stay_exact_text) {
  for (std::string n : {"0.1", "1.10", "100", "-0", "1e5", "1E+5", "3.14159265358979323846264338327950288",
                        "123456789012345678901234567890123456.78", "0.00000000000000000000000000000000000000001"}) {
    item it{{"n", attribute_value::number(n)}};
    EXPECT_EQ(read_item(write_item(it)).at("n").as_number_text(), n);
  }
}

TEST(codec, number_limits) {
  using dynantic::codec::check_number;
  EXPECT_FALSE(check_number("99999999999999999999999999999999999999"));       // 38 digits
  EXPECT_TRUE(check_number("999999999999999999999999999999999999991"));       // 39
  EXPECT_FALSE(check_number("1000000000000000000000000000000000000000000"));  // 1 significant digit
  EXPECT_FALSE(check_number("0.0000000000000000000000000000000000000000000000001"));
  EXPECT_FALSE(check_number("1E-130"));
  EXPECT_TRUE(check_number("1E-131"));
  EXPECT_TRUE(check_number("0.1E-130"));
  EXPECT_FALSE(check_number("9.9999999999999999999999999999999999999E+125"));
  EXPECT_TRUE(check_number("1E+126"));
  EXPECT_TRUE(check_number("10E+125"));
  EXPECT_FALSE(check_number("0E+999999"));  // zero is zero
  EXPECT_FALSE(check_number("-5"));
  EXPECT_FALSE(check_number("+5"));
  EXPECT_FALSE(check_number(".5"));
  EXPECT_FALSE(check_number("5."));
  for (auto bad : {"", "-", ".", "abc", "1e", "1e+", "NaN", "Infinity", "1,5", " 1", "1 ", "0x10", "1..2", "--1"}) {
    EXPECT_TRUE(check_number(bad)) << bad;
  }
  EXPECT_EQ(dynantic::codec::canonical_number("1.50"), dynantic::codec::canonical_number("15E-1"));
  EXPECT_EQ(dynantic::codec::canonical_number("-0.00"), "0");
  EXPECT_EQ(dynantic::codec::canonical_number("1200"), "12E2");
}

TEST(codec, invalid_number_is_a_validation_error) {
  EXPECT_THROW(attribute_value::number("1E-131"), validation_error);
  EXPECT_THROW(attribute_value::number("nope"), validation_error);
  try {
    attribute_value::number_set({"1", "x", "2", "1E999"});
    FAIL();
  } catch (const validation_error& e) {
    ASSERT_EQ(e.issues().size(), 2u);
    EXPECT_EQ(e.issues()[0].path, "[1]");
    EXPECT_EQ(e.issues()[1].path, "[3]");
  }
}

TEST(codec, writer_collects_every_issue_with_paths) {
  item bad{{"name", attribute_value::string("bad \xff utf8")},
           {"tags", attribute_value::string_set({"a", "b", "a"})},
           {"empty", attribute_value::string_set({})},
           {"ns", attribute_value::number_set_unchecked({"1.0", "1"})},
           {"profile", attribute_value::map({{"city", attribute_value::string("\xc3")}})},
           {"l", attribute_value::list({1, attribute_value::number_unchecked("1E999")})}};
  std::string out = "prefix";
  try {
    codec::write_item(out, bad);
    FAIL() << "expected validation_error";
  } catch (const validation_error& e) {
    std::vector<std::string> paths;
    for (const auto& i : e.issues()) paths.push_back(i.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"empty", "l[1]", "name", "ns[1]", "profile.city", "tags[2]"}));
    EXPECT_NE(std::string(e.what()).find("6 validation errors"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'profile.city': not valid UTF-8"), std::string::npos) << e.what();
  }
  EXPECT_EQ(out, "prefix");  // nothing half-written
}

TEST(codec, malformed_input_is_a_decode_error) {
  for (std::string bad : {"",
                          "{",
                          "[]",
                          "null",
                          R"({"a":1})",
                          R"({"a":{}})",
                          R"({"a":{"S":"x","N":"1"}})",
                          R"({"a":{"X":"1"}})",
                          R"({"a":{"S":1}})",
                          R"({"a":{"N":1}})",
                          R"({"a":{"BOOL":"true"}})",
                          R"({"a":{"NULL":false}})",
                          R"({"a":{"L":{}}})",
                          R"({"a":{"M":[]}})",
                          R"({"a":{"SS":"x"}})",
                          R"({"a":{"SS":[1]}})",
                          R"({"a":{"B":"%%%%"}})",
                          R"({"a":{"B":"abc"}})",
                          "{\"a\":{\"S\":\"\xff\"}}",
                          R"({"a":{"S":"x"}} trailing)"}) {
    EXPECT_THROW(read_item(bad), decode_error) << bad;
  }
  EXPECT_THROW(read_item(R"({"a":{"N":"1E999"}})"), validation_error);
  EXPECT_THROW(read_item(R"({"a":{"NS":["1","zz"]}})"), validation_error);
}

TEST(codec, deep_nesting_does_not_crash) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"L":[)";
  for (int i = 0; i < 5000; ++i) deep += "]}";
  EXPECT_THROW(codec::read_value(deep), decode_error);
}

TEST(codec, base64) {
  using dynantic::codec::base64_decode;
  using dynantic::codec::base64_encode;
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  EXPECT_FALSE(base64_decode("Zg="));
  EXPECT_FALSE(base64_decode("Z==="));
  EXPECT_FALSE(base64_decode("Zg=a"));
  EXPECT_FALSE(base64_decode("Zm9v!A=="));
}

TEST(codec, accessors_check_the_type) {
  attribute_value v = "x";
  EXPECT_EQ(v.type(), value_type::s);
  EXPECT_THROW((void)v.as_number_text(), std::logic_error);
  EXPECT_THROW((void)v.as_set(), std::logic_error);
  EXPECT_EQ(attribute_value(42).as_number_text(), "42");
  EXPECT_EQ(attribute_value(std::uint64_t{18446744073709551615ULL}).as_number_text(), "18446744073709551615");
  EXPECT_TRUE(attribute_value(false).is_bool());
  EXPECT_FALSE(attribute_value("1") == attribute_value(1));
}

// The escape scan reads 8, 4 or 3 bytes at a time (overlapping): every length up to 40 with each kind of byte
// at each position is classified as a byte-by-byte scan does, and written with the same escapes.
TEST(codec, json_string_scan_finds_every_byte_that_needs_escaping) {
  auto naive = [](std::string_view s) {
    bool high = false;
    for (unsigned char c : s) {
      if (c < 0x20 || c == '"' || c == '\\') return detail::json_text::escaped;
      high = high || c >= 0x80;
    }
    return high ? detail::json_text::plain : detail::json_text::ascii;
  };
  int checked = 0;
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string base(n, 'x');
    EXPECT_EQ(detail::json_string_class(base), detail::json_text::ascii);
    for (std::size_t at = 0; at < n; ++at) {
      for (char c : {'"', '\\', '\x01', '\x1f', '\n', '\x80', '\xff', ' ', '~'}) {
        std::string s = base;
        s[at] = c;
        ASSERT_EQ(detail::json_string_class(s), naive(s)) << n << " " << at << " " << int(c);
        std::string out;
        detail::append_json_string(out, s);
        if (naive(s) != detail::json_text::escaped) EXPECT_EQ(out, '"' + s + '"');
        else EXPECT_GT(out.size(), s.size() + 2);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 9 * 820);
}

}  // namespace test_codec

// ------------------------------------------------------------------ buffer and parser reuse

#include "buffers.hpp"
#include "value/json_reader.hpp"

TEST(buffers, a_recycled_buffer_is_handed_to_the_next_request_that_fits) {
  dynantic::detail::drop_kept_buffers();
  std::string a = dynantic::detail::take_buffer(100'000);
  EXPECT_GE(a.capacity(), 100'000u);
  a = "stale contents";
  const char* memory = a.data();
  dynantic::detail::recycle_buffer(std::move(a));
  std::string b = dynantic::detail::take_buffer(50'000);
  EXPECT_EQ(b.data(), memory);  // the same memory again
  EXPECT_TRUE(b.empty());       // with nothing of the last use
  // a larger request than any kept buffer grows one, with room for slightly larger answers after it
  dynantic::detail::recycle_buffer(std::move(b));
  std::string c = dynantic::detail::take_buffer(200'000);
  EXPECT_GE(c.capacity(), 200'000u + 200'000u / 8);
}

TEST(buffers, small_and_huge_buffers_are_freed_and_at_most_32_are_kept) {
  dynantic::detail::drop_kept_buffers();
  std::string small(100, 'x');
  dynantic::detail::recycle_buffer(std::move(small));
  std::string huge;
  huge.reserve(64 << 20);
  dynantic::detail::recycle_buffer(std::move(huge));
  EXPECT_EQ(dynantic::detail::kept_buffers(), 0u);
  for (int i = 0; i < 40; ++i) dynantic::detail::recycle_buffer(dynantic::detail::take_buffer(8192 + 1000 * i));
  EXPECT_EQ(dynantic::detail::kept_buffers(), 1u);  // each take reused the one kept
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back(dynantic::detail::take_buffer(8192));
  for (auto& b : many) dynantic::detail::recycle_buffer(std::move(b));
  EXPECT_EQ(dynantic::detail::kept_buffers(), 32u);
  dynantic::detail::drop_kept_buffers();
  EXPECT_EQ(dynantic::detail::kept_buffers(), 0u);
}

TEST(buffers, a_parser_given_back_is_lent_again_with_its_buffers) {
  simdjson::dom::parser* first = nullptr;
  std::string doc = R"({"Items":[{"a":{"S":"x"}}],"Count":1})";
  doc.reserve(doc.size() + simdjson::SIMDJSON_PADDING);
  {
    dynantic::detail::pooled_parser p;
    first = &*p;
    simdjson::dom::element e;
    ASSERT_EQ(p.parse(doc).get(e), simdjson::SUCCESS);
    EXPECT_GE(p->capacity(), doc.size());
  }
  dynantic::detail::pooled_parser again;
  EXPECT_EQ(&*again, first);
  EXPECT_GE(again->capacity(), doc.size());
  // two alive at once are two parsers
  dynantic::detail::pooled_parser other;
  EXPECT_NE(&*other, first);
}
