// `vessel img` end to end: runs the real binary (VESSEL_BIN) and checks its images with
// qemu-img. Skipped with a message when VESSEL_BIN is unset or has no `img` command.
#include <gtest/gtest.h>

#include <cstdlib>

#include "storage_test_util.h"

namespace vessel::storage {
namespace {

using test::pattern;
using test::quote;
using test::run;
using test::TempDir;

std::string vessel_img() {
  const char* bin = getenv("VESSEL_BIN");
  if (!bin || !*bin) return "";
  if (run(quote(bin) + " img --help").status != 0) return "";
  return quote(bin) + " img";
}

#define REQUIRE_VESSEL_IMG()                                                                       \
  const std::string img = vessel_img();                                                            \
  if (img.empty()) GTEST_SKIP() << "VESSEL_BIN is unset or its vessel has no `img` command yet";  \
  if (!test::have_qemu_img()) GTEST_SKIP() << "qemu-img not installed (Debian package qemu-utils)"

// Pulls "key": number out of qemu-img's JSON output.
uint64_t json_number(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::strtoull(json.c_str() + at + key.size() + 3, nullptr, 10);
}

TEST(ImgCli, CreatePassesQemuCheckAndInfo) {
  REQUIRE_VESSEL_IMG();
  TempDir dir;
  const std::pair<const char*, uint64_t> sizes[] = {{"10G", 10ull << 30}, {"512M", 512ull << 20}, {"1T", 1ull << 40},
                                                    {"1.5G", 3ull << 29}, {"1000", 1024}, {"0", 0}};
  for (const auto& [text, bytes] : sizes) {
    for (const char* opts : {"", "-o compat=0.10", "-o cluster_size=4k", "-o cluster_size=2M,compat=1.1"}) {
      const std::string f = dir.file("a.qcow2");
      auto c = run(img + " create -q -f qcow2 " + opts + " " + quote(f) + " " + text);
      ASSERT_EQ(c.status, 0) << text << " " << opts << ": " << c.output;
      auto check = run("qemu-img check " + quote(f));
      EXPECT_EQ(check.status, 0) << text << " " << opts << ": " << check.output;
      auto info = run("qemu-img info --output=json " + quote(f));
      ASSERT_EQ(info.status, 0) << info.output;
      EXPECT_EQ(json_number(info.output, "virtual-size"), bytes) << text << " " << opts;
    }
    auto r = run(img + " create -q -f raw " + quote(dir.file("r.img")) + " " + text);
    ASSERT_EQ(r.status, 0) << r.output;
    auto info = run("qemu-img info --output=json " + quote(dir.file("r.img")));
    EXPECT_EQ(json_number(info.output, "virtual-size"), bytes) << info.output;
  }
}

TEST(ImgCli, CreateWithBackingFileAndInfoChain) {
  REQUIRE_VESSEL_IMG();
  TempDir dir;
  run("mkdir -p " + quote(dir.file("images")));
  test::write_file(dir.file("images/base.raw"), pattern(1, 0, 3 << 20));
  // Relative backing names are relative to the new image's directory; size comes from it.
  auto c = run(img + " create -f qcow2 -b base.raw -F raw " + quote(dir.file("images/mid.qcow2")));
  ASSERT_EQ(c.status, 0) << c.output;
  c = run(img + " create -f qcow2 -b mid.qcow2 " + quote(dir.file("images/top.qcow2")) + " 4M");
  ASSERT_EQ(c.status, 0) << c.output;
  for (const char* f : {"images/mid.qcow2", "images/top.qcow2"}) {
    auto check = run("qemu-img check " + quote(dir.file(f)));
    EXPECT_EQ(check.status, 0) << check.output;
  }
  auto qinfo = run("qemu-img info --output=json " + quote(dir.file("images/mid.qcow2")));
  EXPECT_EQ(json_number(qinfo.output, "virtual-size"), 3u << 20) << qinfo.output;
  EXPECT_NE(qinfo.output.find("\"backing-filename\": \"base.raw\""), std::string::npos) << qinfo.output;
  EXPECT_NE(qinfo.output.find("\"backing-filename-format\": \"raw\""), std::string::npos) << qinfo.output;
  // The top image reads as the base, then zeros past the base's end.
  auto cmp = run("qemu-img compare " + quote(dir.file("images/top.qcow2")) + " " +
                 quote(dir.file("images/base.raw")));
  EXPECT_EQ(cmp.status, 0) << cmp.output;  // compare treats the extra zeros as equal

  auto info = run(img + " info --backing-chain " + quote(dir.file("images/top.qcow2")));
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("file format: qcow2"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("virtual size: 4 MiB (4194304 bytes)"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("backing file: mid.qcow2"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("file format: raw"), std::string::npos) << info.output;
  auto json = run(img + " info --json " + quote(dir.file("images/mid.qcow2")));
  ASSERT_EQ(json.status, 0) << json.output;
  EXPECT_EQ(json_number(json.output, "virtual-size"), 3u << 20) << json.output;
  EXPECT_EQ(json_number(json.output, "cluster-size"), 65536u) << json.output;
  EXPECT_NE(json.output.find("\"format\": \"qcow2\""), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"backing-filename\": \"base.raw\""), std::string::npos) << json.output;
  auto chain = run(img + " info --output=json --backing-chain " + quote(dir.file("images/top.qcow2")));
  ASSERT_EQ(chain.status, 0);
  EXPECT_EQ(chain.output.front(), '[') << chain.output;
}

TEST(ImgCli, ConvertRoundTrips) {
  REQUIRE_VESSEL_IMG();
  TempDir dir;
  std::vector<uint8_t> data(20 << 20, 0);
  const auto noise = pattern(2, 0, 5 << 20);
  std::copy(noise.begin(), noise.end(), data.begin() + (1 << 20));
  std::copy(noise.begin(), noise.begin() + 1000, data.begin() + (15 << 20) + 7);
  test::write_file(dir.file("src.raw"), data);
  const std::string src = dir.file("src.raw"), q = dir.file("q.qcow2"), r = dir.file("back.raw");
  auto c = run(img + " convert -O qcow2 " + quote(src) + " " + quote(q));
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_EQ(run("qemu-img check " + quote(q)).status, 0);
  auto cmp = run("qemu-img compare -f raw -F qcow2 " + quote(src) + " " + quote(q));
  EXPECT_EQ(cmp.status, 0) << cmp.output;
  // Sparse: the zero megabytes were not allocated.
  auto info = run("qemu-img info --output=json " + quote(q));
  EXPECT_LT(json_number(info.output, "actual-size"), 8u << 20) << info.output;
  EXPECT_EQ(c.output, "") << "no progress line unless -p or a terminal";
  if (run("script --version").status == 0) {
    // On a terminal (a pty from util-linux's script) the progress line appears by itself.
    auto tty = run("script -qec " + quote(img + " convert -O qcow2 " + quote(src) + " " + quote(dir.file("t.qcow2"))) +
                   " /dev/null");
    EXPECT_EQ(tty.status, 0) << tty.output;
    EXPECT_NE(tty.output.find("(100.00/100%)"), std::string::npos) << tty.output;
  }
  c = run(img + " convert -p -f qcow2 -O raw " + quote(q) + " " + quote(r));
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_NE(c.output.find("100.00/100%"), std::string::npos) << c.output;
  EXPECT_EQ(test::read_file(r), data);
  // qcow2 -> qcow2 with other options, and from a compressed qemu image over a backing chain.
  c = run(img + " convert -O qcow2 -o compat=0.10,cluster_size=512 " + quote(q) + " " + quote(dir.file("q2.qcow2")));
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_EQ(run("qemu-img check " + quote(dir.file("q2.qcow2"))).status, 0);
  EXPECT_EQ(run("qemu-img compare " + quote(src) + " " + quote(dir.file("q2.qcow2"))).status, 0);
  ASSERT_EQ(run("qemu-img convert -c -O qcow2 " + quote(src) + " " + quote(dir.file("c.qcow2"))).status, 0);
  ASSERT_EQ(run("qemu-img create -f qcow2 -b c.qcow2 -F qcow2 " + quote(dir.file("o.qcow2"))).status, 0);
  c = run(img + " convert -O raw " + quote(dir.file("o.qcow2")) + " " + quote(dir.file("o.raw")));
  ASSERT_EQ(c.status, 0) << c.output;
  EXPECT_EQ(test::read_file(dir.file("o.raw")), data);
}

TEST(ImgCli, CheckExitStatusesMatchQemuImg) {
  REQUIRE_VESSEL_IMG();
  TempDir dir;
  const std::string f = dir.file("a.qcow2");
  ASSERT_EQ(run(img + " create -q -f qcow2 " + quote(f) + " 1G").status, 0);
  // One data cluster through qemu-io: L2 at cluster 4, data at cluster 5.
  ASSERT_EQ(run("qemu-io -f qcow2 -c 'write -P 7 0 64k' " + quote(f)).status, 0);
  auto clean = run(img + " check " + quote(f));
  EXPECT_EQ(clean.status, 0) << clean.output;
  EXPECT_NE(clean.output.find("No errors were found on the image."), std::string::npos) << clean.output;
  auto bytes = test::read_file(f);
  auto leaked = bytes;
  std::fill(leaked.begin() + 4 * 65536, leaked.begin() + 4 * 65536 + 8, 0);
  test::write_file(dir.file("leak.qcow2"), leaked);
  auto leak = run(img + " check " + quote(dir.file("leak.qcow2")));
  EXPECT_EQ(leak.status, 3) << leak.output;
  EXPECT_NE(leak.output.find("1 leaked clusters were found on the image."), std::string::npos) << leak.output;
  EXPECT_EQ(run("qemu-img check " + quote(dir.file("leak.qcow2"))).status, 3);
  auto corrupt = bytes;
  corrupt[2 * 65536 + 5 * 2 + 1] = 0;
  test::write_file(dir.file("bad.qcow2"), corrupt);
  auto bad = run(img + " check " + quote(dir.file("bad.qcow2")));
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_NE(bad.output.find("errors were found on the image"), std::string::npos) << bad.output;
  auto json = run(img + " check --output=json " + quote(dir.file("leak.qcow2")));
  EXPECT_EQ(json_number(json.output, "leaks"), 1u) << json.output;
  // Repair: -r leaks fixes leaks only, -r all also too-low refcounts; qemu-img agrees after.
  auto fix = run(img + " check -r leaks " + quote(dir.file("leak.qcow2")));
  EXPECT_EQ(fix.status, 0) << fix.output;
  EXPECT_NE(fix.output.find("1 leaked clusters"), std::string::npos) << fix.output;
  EXPECT_EQ(run("qemu-img check " + quote(dir.file("leak.qcow2"))).status, 0);
  EXPECT_EQ(run(img + " check -r leaks " + quote(dir.file("bad.qcow2"))).status, 1);
  fix = run(img + " check -r all " + quote(dir.file("bad.qcow2")));
  EXPECT_EQ(fix.status, 0) << fix.output;
  auto q = run("qemu-img check " + quote(dir.file("bad.qcow2")));
  EXPECT_EQ(q.status, 0) << q.output;
  auto cmp = run("qemu-img compare " + quote(f) + " " + quote(dir.file("bad.qcow2")));
  EXPECT_EQ(cmp.status, 0) << cmp.output;
  EXPECT_EQ(run(img + " check -r sometimes " + quote(f)).status, 2);
  // Raw images have nothing to check (qemu-img's status 63).
  ASSERT_EQ(run(img + " create -q -f raw " + quote(dir.file("r")) + " 1M").status, 0);
  EXPECT_EQ(run(img + " check " + quote(dir.file("r"))).status, 63);
}

TEST(ImgCli, BadInputIsRefusedWithStatus2) {
  REQUIRE_VESSEL_IMG();
  TempDir dir;
  const std::string f = quote(dir.file("x.qcow2"));
  const char* usage_cases[] = {
      "",  // no sub-command
      " frobnicate",
      " create -f qcow2",                       // no file
      " create -f qcow2 FILE",                  // no size, no backing
      " create -f qcow2 FILE 10Q",              // bad size
      " create -f qcow2 FILE -5G",              // negative
      " create -f vmdk FILE 1G",                // unknown format
      " create -f qcow2 -o cluster_size=1000 FILE 1G",  // not a power of two -> create error
      " create -f qcow2 -o nonsense=1 FILE 1G",
      " create -f raw -b base FILE 1G",
      " create -f qcow2 --bogus FILE 1G",
      " info",
      " convert -O qcow2 only-one",
      " check -f",
  };
  for (const char* args : usage_cases) {
    std::string cmd = img + args;
    if (auto at = cmd.find("FILE"); at != std::string::npos) cmd.replace(at, 4, f);
    auto r = run(cmd);
    if (std::string(args).find("cluster_size=1000") != std::string::npos) {
      EXPECT_NE(r.status, 0) << args;
      EXPECT_NE(r.output.find("cluster size"), std::string::npos) << r.output;
    } else {
      EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    }
    EXPECT_FALSE(r.output.empty()) << args;
  }
  auto missing = run(img + " info " + quote(dir.file("nope")));
  EXPECT_EQ(missing.status, 1) << missing.output;
  EXPECT_NE(missing.output.find("No such file"), std::string::npos) << missing.output;
  test::write_file(dir.file("junk.qcow2"), std::vector<uint8_t>{'Q', 'F', 'I', 0xfb, 0, 0, 0, 9});
  auto junk = run(img + " info " + quote(dir.file("junk.qcow2")));
  EXPECT_EQ(junk.status, 1) << junk.output;
  EXPECT_NE(junk.output.find("qcow2"), std::string::npos) << junk.output;
}

}  // namespace
}  // namespace vessel::storage
