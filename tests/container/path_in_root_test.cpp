#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/path_in_root.h"
#include "container/state_store.h"

using namespace vessel::container;

class PathInRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vessel-pir-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    mkdir((root_ + "/etc").c_str(), 0755);
    mkdir((root_ + "/real").c_str(), 0755);
  }
  void TearDown() override { remove_tree(root_); }
  std::string root_;
};

TEST_F(PathInRoot, AbsoluteLinksStayInsideTheRoot) {
  ASSERT_EQ(symlink("/etc", (root_ + "/escape").c_str()), 0);
  EXPECT_EQ(resolve_in_root(root_, "/escape/passwd"), root_ + "/etc/passwd");
}

TEST_F(PathInRoot, DotDotCannotClimbOut) {
  ASSERT_EQ(symlink("../../../../..", (root_ + "/up").c_str()), 0);
  EXPECT_EQ(resolve_in_root(root_, "/up/etc"), root_ + "/etc");
  EXPECT_EQ(resolve_in_root(root_, "/../../x"), root_ + "/x");
}

TEST_F(PathInRoot, RelativeLinksAndLoops) {
  ASSERT_EQ(symlink("real", (root_ + "/rel").c_str()), 0);
  EXPECT_EQ(resolve_in_root(root_, "/rel/file"), root_ + "/real/file");
  ASSERT_EQ(symlink("loop", (root_ + "/loop").c_str()), 0);
  EXPECT_FALSE(resolve_in_root(root_, "/loop/x").empty());  // terminates
}

TEST_F(PathInRoot, EnsureMountpointCreatesDirsAndFiles) {
  EXPECT_TRUE(ensure_mountpoint(root_ + "/a/b/c", false));
  struct stat st {};
  ASSERT_EQ(stat((root_ + "/a/b/c").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_TRUE(ensure_mountpoint(root_ + "/d/file", true));
  ASSERT_EQ(stat((root_ + "/d/file").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}
