// Live-migration tests with the test guest: a VM that counts on its console while it dirties
// memory (an initramfs script), moved between `vessel run` processes over the control
// socket's "migrate" op to `vessel run --incoming`.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/guest_process.h"

namespace vessel::test {

class MigrationGuest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The counting guest on `engine`, with a control socket (control_path(0)).
  std::unique_ptr<GuestProcess> boot_source(const std::string& engine, std::vector<std::string> extra = {});
  // `vessel run --incoming unix:...` (index n names its sockets), waiting until it listens.
  std::unique_ptr<GuestProcess> start_destination(int n, std::vector<std::string> extra = {});
  // The same on a TCP address ("tcp:127.0.0.1:PORT").
  std::unique_ptr<GuestProcess> start_destination_at(int n, const std::string& address,
                                                     std::vector<std::string> extra = {});
  std::string control_path(int n) const { return dir_ + "/control" + std::to_string(n) + ".sock"; }
  std::string incoming_path(int n) const { return dir_ + "/incoming" + std::to_string(n) + ".sock"; }
  nlohmann::json migrate(int from, nlohmann::json request);
  // Polls migrate-status until the phase is one of `phases` (or the timeout passes).
  nlohmann::json wait_phase(int control, const std::vector<std::string>& phases, std::chrono::seconds timeout);

  std::string guest_, dir_, initrd_;
};

// The guest's output without the VMM's own lines ("vessel: ...", "vessel run: ..."), which
// may land in the middle of a guest line.
std::string guest_text(const std::string& output);
// Every count the guest printed, in order (lines "C<n>").
std::vector<long> counts(const std::string& text);
// The highest count in `output` (-1 if none) and "C<n>".
long highest_count(const std::string& output);
std::string count_line(long n);
// Lines "K=<md5>" the guest prints every few counts: its tmpfs file's checksum.
std::vector<std::string> checksums(const std::string& text);
// The guest's uptime printed beside each checksum ("U=<seconds>").
std::vector<double> uptimes(const std::string& text);

}  // namespace vessel::test
