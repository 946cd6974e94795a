#include "storage/control_state.hpp"

#include <gtest/gtest.h>

#include "storage/database.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::storage {
namespace {

/// A user record as a writer would produce it; `expect` is the condition (nullopt: none).
std::string user_bytes(const std::string& id, const std::string& email, int failed,
                       std::optional<int64_t> expect) {
  wire::ControlRecord r;
  auto& u = *r.mutable_user();
  u.set_user_id(id);
  u.set_email(email);
  u.set_failed_logins(failed);
  if (expect)
    r.set_expect_revision(*expect);
  return r.SerializeAsString();
}

class ControlStateTest : public ::testing::Test {
 protected:
  /// Folds one record at `offset`; whether it was refused as stale.
  bool fold(int64_t offset, const std::string& key, const std::string& value) {
    control_input in{offset, key, value};
    std::vector<std::string> refused;
    auto ok = state_.apply(offset, std::span<const control_input>{&in, 1}, refused);
    EXPECT_TRUE(ok) << describe(ok.error());
    EXPECT_TRUE(refused.empty());
    return state_.refused_as_stale(offset);
  }

  int failed_logins(const std::string& key) {
    auto r = state_.get(key);
    EXPECT_TRUE(r && *r);
    return r && *r ? (*r)->user().failed_logins() : -1;
  }

  test::temp_dir dir_;
  std::shared_ptr<database> db_ = *database::open(dir_.path());
  control_state state_{db_};
};

TEST_F(ControlStateTest, ConditionalWritesAreTakenOnlyAtTheRevisionTheyRead) {
  struct row {
    const char* what;
    std::optional<int64_t> expect;  // the writer's condition
    bool taken;
    int failed_after;  // the stored record's failed_logins afterwards
  };
  // Offsets 0.. in order; the record at offset i carries failed_logins = i + 1.
  const row rows[] = {
      {"create expecting absence", -1, true, 1},         // offset 0 → revision 0
      {"create again expecting absence", -1, false, 1},  // the key exists now
      {"update at the revision read", 0, true, 3},       // offset 2 → revision 2
      {"a second writer that read revision 0", 0, false, 3},
      {"a writer that read a revision never stored", 3, false, 3},
      {"the loser's retry at the current revision", 2, true, 6},  // offset 5
      {"an unconditional write always lands", std::nullopt, true, 7},
      {"a condition on the old revision after it", 5, false, 7},
  };
  int64_t offset = 0;
  for (const auto& r : rows) {
    bool stale = fold(offset, "user/u1",
                      user_bytes("u1", "a@example.jp", static_cast<int>(offset) + 1, r.expect));
    EXPECT_EQ(!stale, r.taken) << r.what;
    EXPECT_EQ(failed_logins("user/u1"), r.failed_after) << r.what;
    ++offset;
  }
  auto stored = state_.get("user/u1");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->revision(), 6) << "stamped with the offset it was written at";
  EXPECT_FALSE((*stored)->has_expect_revision()) << "the condition is not stored";
}

TEST_F(ControlStateTest, ConditionsInOneBatchSeeTheEarlierRecordsOfTheBatch) {
  auto a = user_bytes("u1", "a@example.jp", 1, std::nullopt);
  auto b = user_bytes("u1", "b@example.jp", 2, 10);  // read the record of offset 10: taken
  auto c = user_bytes("u1", "c@example.jp", 3, 10);  // read it too, but b came first: refused
  std::vector<control_input> in{{10, "user/u1", a}, {11, "user/u1", b}, {12, "user/u1", c}};
  std::vector<std::string> refused;
  ASSERT_OK(state_.apply(12, in, refused));
  EXPECT_FALSE(state_.refused_as_stale(11));
  EXPECT_TRUE(state_.refused_as_stale(12));
  EXPECT_EQ(failed_logins("user/u1"), 2);
  // The email index follows the taken record only.
  EXPECT_FALSE(state_.user_by_email("a@example.jp")->has_value());
  EXPECT_EQ(**state_.user_by_email("b@example.jp"), "u1");
  EXPECT_FALSE(state_.user_by_email("c@example.jp")->has_value());
}

TEST_F(ControlStateTest, ARefusedRecordFoldedAloneAfterCompactionChangesNothing) {
  // Compaction keeps a key's last record: when that is a refused write, a node rebuilt from
  // the topic sees only it. Expecting a revision that nothing holds, it is refused again.
  EXPECT_TRUE(fold(40, "user/u9", user_bytes("u9", "x@example.jp", 1, 17)));
  EXPECT_FALSE(state_.get("user/u9")->has_value());
}

}  // namespace
}  // namespace ivrcast::storage
