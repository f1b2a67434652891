// Image layers are untrusted input: an entry that would land outside the image's root (a
// relative escape, an absolute path, a write through a symlink, a hard link to a host file)
// must be refused and leave nothing outside. Whiteouts only ever remove inside the root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "manager/image_layers.h"

namespace vessel::manager {
namespace {

namespace fs = std::filesystem;

class ImageLayers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (system("command -v python3 >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 makes the hostile archives";
    char tmpl[] = "/tmp/vessel-layers-XXXXXX";
    dir_ = mkdtemp(tmpl);
    fs::create_directories(dir_ + "/root");
    fs::create_directories(dir_ + "/outside");
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // A tar made by Python's tarfile from `script` (which adds entries to `t`).
  std::string layer(const std::string& name, const std::string& script) {
    const std::string path = dir_ + "/" + name + ".tar";
    const std::string py = "import io, tarfile, sys\n"
                           "t = tarfile.open(sys.argv[1], 'w')\n"
                           "def file(n, data=b'x'):\n"
                           "    i = tarfile.TarInfo(n); i.size = len(data); t.addfile(i, io.BytesIO(data))\n"
                           "def link(n, target, hard=False):\n"
                           "    i = tarfile.TarInfo(n); i.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE\n"
                           "    i.linkname = target; t.addfile(i)\n" +
                           script + "\nt.close()\n";
    std::ofstream(dir_ + "/make.py") << py;
    EXPECT_EQ(system(("python3 " + dir_ + "/make.py " + path).c_str()), 0);
    return path;
  }
  std::string dir_;
};

TEST_F(ImageLayers, EntriesEscapingTheRootAreRefused) {
  const std::string outside = dir_ + "/outside";
  for (const auto& [name, script] : std::vector<std::pair<std::string, std::string>>{
           {"dotdot", "file('../outside/escaped')"},
           {"deep", "file('a/../../outside/escaped')"},
           {"absolute", "file('" + outside + "/escaped')"},
           {"symlink", "link('evil', '" + outside + "')\nfile('evil/escaped')"},
           {"hardlink", "link('stolen', '../outside/secret', hard=True)"}}) {
    std::ofstream(outside + "/secret") << "host data";
    std::error_code ec;
    fs::remove_all(dir_ + "/root", ec);
    fs::create_directories(dir_ + "/root");
    auto r = apply_layer(layer(name, script), dir_ + "/root");
    EXPECT_FALSE(fs::exists(outside + "/escaped")) << name;
    if (name == "symlink") {
      // libarchive may instead replace the symlink by a directory: safe too, nothing escapes.
      EXPECT_TRUE(!r.ok() || (fs::is_directory(dir_ + "/root/evil") && !fs::is_symlink(dir_ + "/root/evil"))) << name;
    } else if (name != "absolute") {  // an absolute name is taken relative to the root
      EXPECT_FALSE(r.ok()) << name << ": an escaping entry must fail the layer";
    }
    EXPECT_EQ(fs::file_size(outside + "/secret"), 9u) << name;
  }
}

TEST_F(ImageLayers, WhiteoutsRemoveOnlyInsideTheRoot) {
  std::ofstream(dir_ + "/outside/keep") << "keep";
  fs::create_directories(dir_ + "/root/app/cache");
  std::ofstream(dir_ + "/root/app/old") << "old";
  std::ofstream(dir_ + "/root/app/cache/stale") << "stale";
  auto r = apply_layer(layer("whiteouts", "file('app/.wh.old', b'')\nfile('app/cache/.wh..wh..opq', b'')\n"
                                          "file('app/cache/fresh')\nfile('.wh..')\nfile('app/.wh...')"),
                       dir_ + "/root");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_FALSE(fs::exists(dir_ + "/root/app/old"));
  EXPECT_FALSE(fs::exists(dir_ + "/root/app/cache/stale"));
  EXPECT_TRUE(fs::exists(dir_ + "/root/app/cache/fresh"));
  EXPECT_TRUE(fs::exists(dir_ + "/outside/keep"));
  EXPECT_TRUE(fs::exists(dir_ + "/root/app"));
}

}  // namespace
}  // namespace vessel::manager
