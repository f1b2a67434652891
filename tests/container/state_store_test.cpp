#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include "container/error.h"
#include "container/state_store.h"

using namespace vessel::container;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vessel-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
  }
  void TearDown() override { remove_tree(base_); }
  std::string base_;
};

TEST_F(StateStoreTest, SaveLoadListRemove) {
  StateStore store(base_ + "/nested/root");
  {
    ContainerLock lock = store.create("c1");
    ContainerRecord r;
    r.id = "c1";
    r.bundle = "/b";
    r.rootfs = "/b/rootfs";
    r.pid = 1234;
    r.pid_start_time = 99;
    r.created = "2026-01-01T00:00:00Z";
    r.annotations = {{"a", "b"}};
    r.cgroup_path = "/vessel/c1";
    store.save(r);
  }
  const ContainerRecord loaded = store.load("c1");
  EXPECT_EQ(loaded.pid, 1234);
  EXPECT_EQ(loaded.pid_start_time, 99u);
  EXPECT_EQ(loaded.annotations.at("a"), "b");
  EXPECT_EQ(store.list(), std::vector<std::string>{"c1"});
  store.remove("c1");
  EXPECT_TRUE(store.list().empty());
  EXPECT_EQ(access(store.dir("c1").c_str(), F_OK), -1);
}

TEST_F(StateStoreTest, DuplicateAndMissingIds) {
  StateStore store(base_);
  ContainerLock lock = store.create("dup");
  try {
    store.create("dup");
    FAIL() << "duplicate id accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Conflict);
  }
  try {
    store.load("missing");
    FAIL() << "missing id loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  }
}

TEST_F(StateStoreTest, RejectsUnsafeIds) {
  for (const char* id : {"", ".", "..", "a/b", "a b", "../x"}) EXPECT_THROW(StateStore::validate_id(id), Error) << id;
  EXPECT_NO_THROW(StateStore::validate_id("abc-DEF_1.2+3"));
}
