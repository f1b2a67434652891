#include <gtest/gtest.h>

#include <signal.h>

#include "container/cli_flags.h"
#include "container/error.h"
#include "container/quick_run.h"
#include "container/signal_names.h"

using namespace vessel::container;

TEST(CliFlags, RuncStyleForms) {
  const std::vector<FlagSpec> specs = {{{"bundle", "b"}, true}, {{"pid-file"}, true}, {{"detach", "d"}, false}};
  const ParsedFlags f = parse_flags({"--bundle=/x", "-pid-file", "/p", "-d", "id1"}, 0, specs, false, "create");
  EXPECT_EQ(f.value("bundle"), "/x");
  EXPECT_EQ(f.value("pid-file"), "/p");
  EXPECT_TRUE(f.flag("detach"));
  EXPECT_EQ(f.positionals(), std::vector<std::string>{"id1"});
  EXPECT_THROW(parse_flags({"--nope"}, 0, specs, false, "create"), Error);
  EXPECT_THROW(parse_flags({"--bundle"}, 0, specs, false, "create"), Error);
}

TEST(CliFlags, StopsAtFirstPositionalForExec) {
  const std::vector<FlagSpec> specs = {{{"tty", "t"}, false}};
  const ParsedFlags f = parse_flags({"-t", "ctr", "ls", "-l"}, 0, specs, true, "exec");
  EXPECT_TRUE(f.flag("tty"));
  EXPECT_EQ(f.positionals(), (std::vector<std::string>{"ctr", "ls", "-l"}));
}

TEST(SignalNames, NumbersAndNames) {
  EXPECT_EQ(parse_signal("9"), SIGKILL);
  EXPECT_EQ(parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGUSR1"), SIGUSR1);
  EXPECT_EQ(parse_signal("nope"), -1);
  EXPECT_EQ(parse_signal("0"), -1);
  EXPECT_EQ(parse_signal("999"), -1);
}

TEST(QuickRun, SizesAndOptions) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("64k"), 64u * 1024);
  EXPECT_EQ(parse_size("64m"), 64u << 20);
  EXPECT_EQ(parse_size("1G"), 1u << 30);
  EXPECT_THROW(parse_size("lots"), Error);
  EXPECT_THROW(parse_size("-5m"), Error);
  EXPECT_THROW(parse_size("5x"), Error);

  const ParsedFlags f = parse_flags({"--rootfs", "/", "--memory", "32m", "--cpus", "0.5", "--", "sh", "-c", "true"}, 0,
                                    quick_run_flags(), false, "run");
  const QuickRunOptions o = quick_run_options(f);
  EXPECT_EQ(o.memory_bytes, 32u << 20);
  EXPECT_EQ(o.args, (std::vector<std::string>{"sh", "-c", "true"}));
  const auto config = quick_run_config(o);
  EXPECT_EQ(config["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ(config["linux"]["resources"]["memory"]["limit"], 32u << 20);
  EXPECT_THROW(quick_run_options(parse_flags({"--rootfs", "/", "--cpus", "zero", "--", "sh"}, 0, quick_run_flags(), false, "run")),
               Error);
  EXPECT_THROW(quick_run_options(parse_flags({"--rootfs", "/"}, 0, quick_run_flags(), false, "run")), Error);
}
