// EXPECT: dynantic: BatchWriteItem cannot check versions: a batch writer overwrites newer items
#include <dynantic/dynantic.hpp>

struct Account {
  std::string id;
  std::int64_t version = 0;
};
DYNANTIC_MODEL(Account, "accounts", key(id), version(version))

void save(const dynantic::table<Account>& accounts, const Account& a) {
#if DYNANTIC_FAIL
  auto w = accounts.batch_writer();
#else
  auto w = accounts.batch_writer(dynantic::ignore_versions);
#endif
  w.save(a);
}
