#include <gtest/gtest.h>

#include <sys/mount.h>

#include "container/mount_options.h"

using namespace vessel::container;

TEST(MountOptions, FlagsPropagationAndData) {
  const MountOptions o = parse_mount_options({"nosuid", "noexec", "nodev", "ro", "mode=755", "size=65536k", "rprivate"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
  EXPECT_EQ(o.data, "mode=755,size=65536k");
  ASSERT_EQ(o.propagation.size(), 1u);
  EXPECT_EQ(o.propagation[0], static_cast<unsigned long>(MS_PRIVATE | MS_REC));
  EXPECT_FALSE(o.bind);
}

TEST(MountOptions, LaterOptionsWinAndBindIsRecognised) {
  const MountOptions o = parse_mount_options({"ro", "rw", "rbind"});
  EXPECT_EQ(o.flags & MS_RDONLY, 0u);
  EXPECT_TRUE(o.bind);
  EXPECT_EQ(o.flags & (MS_BIND | MS_REC), static_cast<unsigned long>(MS_BIND | MS_REC));
}
