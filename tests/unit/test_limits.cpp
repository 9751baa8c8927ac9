// DynamoDB's limits are checked before anything is sent: each misuse is a validation_error naming the offending
// member, and the scripted transport (which counts every request) saw none.
#include <gtest/gtest.h>

#include <dynantic/dynantic.hpp>

#include "scripted_transport.hpp"

namespace test_limits {
namespace dy = dynantic;
using namespace dynantic::testing;

struct Doc {
  std::string pk;
  std::string sk;
  std::string body;
  std::map<std::string, int> counters;
};
DYNANTIC_MODEL(Doc, "docs", key(pk), sort_key(sk), field(body), field(counters))

// Nesting decided at run time: a tree of nodes (M inside L inside M ...).
struct Node {
  std::vector<Node> children;
};
DYNANTIC_STRUCT(Node, field(children))
struct Tree {
  std::string id;
  Node root;
};
DYNANTIC_MODEL(Tree, "trees", key(id), field(root))

struct fixture {
  scripted_transport* t = nullptr;
  dy::client c = scripted_client([](const recorded_request&, std::size_t) { return ok("{}"); }, t);
  dy::table<Doc> docs{c};
  std::size_t sent() const { return t->requests.size(); }
};

// The call throws validation_error with an issue at `path` whose message contains `words`.
template <class F>
void expect_refused(F&& call, const std::string& path, const std::string& words) {
  try {
    call();
    ADD_FAILURE() << "no validation_error (expected '" << words << "' at '" << path << "')";
  } catch (const dy::validation_error& e) {
    bool found = false;
    for (const auto& i : e.issues()) found |= i.path == path && i.message.find(words) != std::string::npos;
    EXPECT_TRUE(found) << "got: " << e.what();
  }
}

Doc doc(std::string pk = "p", std::string sk = "s") {
  return Doc{.pk = std::move(pk), .sk = std::move(sk), .body = "b", .counters = {}};
}

TEST(limits, empty_keys_on_every_path) {
  fixture f;
  const std::string empty = "cannot be empty";
  expect_refused([&] { f.docs.save(doc("")); }, "pk", empty);
  expect_refused([&] { f.docs.create(doc("p", "")); }, "sk", empty);
  expect_refused([&] { (void)f.docs.get("", "s"); }, "pk", empty);
  expect_refused([&] { f.docs.delete_item("p", ""); }, "sk", empty);
  expect_refused([&] { f.docs.update("", "s").set(&Doc::body, std::string("x")).execute(); }, "pk", empty);
  expect_refused([&] { (void)f.docs.query(""); }, "pk", empty);
  expect_refused([&] { dy::transact_write(f.c, f.docs.tx_put(doc(""))); }, "pk", empty);
  expect_refused([&] { f.docs.batch_save({doc("a"), doc("")}); }, "[1].pk", empty);
  expect_refused([&] { (void)f.docs.batch_get({{"a", "b"}, {"", "b"}}); }, "pk", empty);
  expect_refused([&] { f.docs.batch_delete({{"a", ""}}); }, "sk", empty);
  EXPECT_EQ(f.sent(), 0u);
}

TEST(limits, key_sizes) {
  fixture f;
  expect_refused([&] { f.docs.save(doc(std::string(2049, 'k'))); }, "pk", "at most 2048 bytes (got 2049)");
  expect_refused([&] { f.docs.save(doc("p", std::string(1025, 'k'))); }, "sk", "at most 1024 bytes (got 1025)");
  expect_refused([&] { (void)f.docs.get("p", std::string(1025, 'k')); }, "sk", "at most 1024 bytes");
  EXPECT_EQ(f.sent(), 0u);
  f.docs.save(doc(std::string(2048, 'k'), std::string(1024, 'k')));  // the limits themselves are allowed
  EXPECT_EQ(f.sent(), 1u);
}

TEST(limits, items_over_400_kb_on_every_write_path) {
  fixture f;
  Doc big = doc();
  big.body.assign(400 * 1024, 'x');
  const std::string over = "larger than DynamoDB's 400 KB";
  expect_refused([&] { f.docs.save(big); }, "", over);
  expect_refused([&] { f.docs.create(big); }, "", over);
  expect_refused([&] { dy::transact_write(f.c, f.docs.tx_put(big)); }, "", over);
  expect_refused([&] { f.docs.batch_save({big}); }, "[0]", over);
  expect_refused([&] { f.docs.update("p", "s").set(&Doc::body, big.body).execute(); }, "", over);
  EXPECT_EQ(f.sent(), 0u);
}

// DynamoDB's size of an item: attribute names plus values (strings: their bytes; a map: 3 + its entries).
// Written here from the documentation, independent of the library's own measure.
std::size_t documented_size(const dy::item& it) {
  std::size_t s = 0;
  for (const auto& [name, v] : it) {
    s += name.size();
    if (v.type() == dy::value_type::s) {
      s += v.as_string().size();
    } else if (v.type() == dy::value_type::m && v.as_map().empty()) {
      s += 3;
    } else {
      ADD_FAILURE() << "unexpected attribute " << name;
    }
  }
  return s;
}

TEST(limits, an_item_of_exactly_400_kb_is_sent_and_one_byte_more_is_refused_on_every_write_path) {
  fixture f;
  Doc at_limit = doc();
  at_limit.body.clear();
  at_limit.body.assign(400 * 1024 - documented_size(dy::to_item(at_limit)), 'x');
  ASSERT_EQ(documented_size(dy::to_item(at_limit)), 400u * 1024);
  Doc over = at_limit;
  over.body.push_back('x');
  const std::string words = "larger than DynamoDB's 400 KB limit (409601 bytes)";
  expect_refused([&] { f.docs.save(over); }, "", words);
  expect_refused([&] { f.docs.create(over); }, "", words);
  expect_refused([&] { dy::transact_write(f.c, f.docs.tx_put(over)); }, "", words);
  expect_refused([&] { f.docs.batch_save({at_limit, over}); }, "[1]", words);
  {
    auto w = f.docs.batch_writer();
    expect_refused([&] { w.save(over); }, "", words);  // refused at the call, not at the flush
    dy::multi_writer m(f.c);
    expect_refused([&] { m.save(f.docs, over); }, "", words);
  }
  EXPECT_EQ(f.sent(), 0u);
  // the limit itself is allowed on every path
  f.docs.save(at_limit);
  f.docs.create(at_limit);
  dy::transact_write(f.c, f.docs.tx_put(at_limit));
  f.docs.batch_save({at_limit});
  {
    auto w = f.docs.batch_writer();
    w.save(at_limit);
  }
  EXPECT_EQ(f.sent(), 5u);
}

TEST(limits, map_keys_and_nesting) {
  fixture f;
  Doc d = doc();
  d.counters = {{"", 1}};
  expect_refused([&] { f.docs.save(d); }, "counters.", "a map key cannot be empty");
  d.counters = {{"bad\xff", 1}};
  expect_refused([&] { f.docs.save(d); }, "counters.bad\xff", "valid UTF-8");
  // root is level 1 (M), its children level 2 (L), ... node k's map is level 2k+1: node 16 is level 33.
  auto tree_of_depth = [](int nodes) {
    Tree t{.id = "t", .root = {}};
    Node* n = &t.root;
    for (int i = 1; i < nodes; ++i) n = &n->children.emplace_back();
    return t;
  };
  dy::table<Tree> trees{f.c};
  std::string innermost = "root";
  for (int i = 0; i < 16; ++i) innermost += ".children[0]";
  expect_refused([&] { trees.save(tree_of_depth(17)); }, innermost, "nested deeper than DynamoDB's 32 levels");
  EXPECT_EQ(f.sent(), 0u);
  trees.save(tree_of_depth(16));  // 31 levels of maps and lists, plus the innermost empty list: 32
  EXPECT_EQ(f.sent(), 1u);
}

TEST(limits, expressions_transactions_and_names) {
  fixture f;
  dy::condition_expression huge{.expression = "attribute_exists(#b) AND " + std::string(4100, ' ') + "#b = :b",
                                .names = {{"#b", "body"}},
                                .values = {{":b", "x"}}};
  expect_refused([&] { f.docs.save(doc(), huge); }, "ConditionExpression", "4 KB");
  expect_refused(
      [&] {
        dy::transact_write(f.c, f.docs.tx_put(doc("p", "s")), f.docs.tx_delete({"p", "s"}));
      },
      "[1]", "act on an item once");
  expect_refused([&] { dy::table<Doc>(f.c, "x"); }, "table", "not a valid table name");
  expect_refused([&] { dy::table<Doc>(f.c, "docs with spaces"); }, "table", "not a valid table name");
  expect_refused([&] { f.docs.update("p", "s").set(&Doc::body, std::string("bad\xff")).execute(); }, "body",
                 "not valid UTF-8");
  EXPECT_EQ(f.sent(), 0u);
}

TEST(sharp_edges, typed_conditions_on_temporaries_and_limit_zero) {
  fixture f;
  f.docs.save(doc(), dy::attr(&Doc::body) == "b");  // a temporary with a typed condition
  f.docs.create(doc(), dy::attr(&Doc::body) == "b");
  EXPECT_EQ(f.sent(), 2u);
  expect_refused([&] { (void)f.docs.query("p").limit(0); }, "limit", "at least 1");
  EXPECT_EQ(f.sent(), 2u);
}

TEST(sharp_edges, an_answer_that_is_not_dynamodbs_says_so) {
  scripted_transport* t = nullptr;
  auto c = scripted_client(
      [](const recorded_request&, std::size_t) {
        dy::detail::http_response r;
        r.status = 404;
        r.body = "<html><body>Not Found</body></html>";
        return r;
      },
      t);
  try {
    (void)dy::table<Doc>(c).get("p", "s");
    FAIL() << "no error";
  } catch (const dy::service_error& e) {
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_NE(std::string(e.what()).find("not a DynamoDB endpoint"), std::string::npos) << e.what();
  }
}

TEST(sharp_edges, transport_errors_name_the_endpoint) {
  scripted_transport* t = nullptr;
  dy::client_options o;
  o.retry.max_attempts = 1;
  auto c =
      scripted_client([](const recorded_request&, std::size_t) { return net(dy::detail::net_failure::connect); }, t, o);
  try {
    (void)dy::table<Doc>(c).get("p", "s");
    FAIL() << "no error";
  } catch (const dy::transport_error& e) {
    EXPECT_NE(std::string(e.what()).find("(endpoint http://127.0.0.1:9)"), std::string::npos) << e.what();
  }
}

}  // namespace test_limits
