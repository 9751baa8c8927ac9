// EXPECT: dynantic: BatchWriteItem cannot check versions: a batch put overwrites newer items
#include <dynantic/dynantic.hpp>

struct Account {
  std::string id;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Account, "accounts", key(id), version(version))

void save(const dynantic::client& c, const dynantic::table<Account>& accounts, const Account& a) {
  dynantic::multi_writer w(c);
#if DYNANTIC_FAIL
  w.save(accounts, a);
#else
  w.save(dynantic::ignore_versions, accounts, a);
#endif
}
