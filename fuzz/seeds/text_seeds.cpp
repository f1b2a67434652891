// Seeds of the text targets (HTTP, REST routes, OCI config.json) and of the CPU target.
#include <random>

#include "engine_pair.h"
#include "fuzz/seeds/seeds.h"
#include "fuzz/support/fuzz_input.h"
#include "random_program.h"

namespace vessel::fuzz::seeds {
namespace {

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string request(const std::string& method, const std::string& target, const std::string& body = "") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!body.empty()) r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

const std::vector<std::pair<std::string, std::string>>& requests() {
  static const std::vector<std::pair<std::string, std::string>> r = {
      {"list-vms", request("GET", "/v1/vms")},
      {"create-vm", request("POST", "/v1/vms",
                            R"({"name":"web","kernel":"/k","memory":"256M","cpus":2,"disks":[{"path":"/d.qcow2"}]})")},
      {"get-vm", request("GET", "/v1/vms/web")},
      {"delete-vm", request("DELETE", "/v1/vms/web")},
      {"stop-vm", request("POST", "/v1/vms/web/stop", R"({"timeout_seconds":5})")},
      {"limits", request("PATCH", "/v1/vms/web/limits", R"({"cpu_cap":50})")},
      {"snapshot", request("POST", "/v1/vms/web/snapshot", R"({"path":"/tmp/s"})")},
      {"migrate", request("POST", "/v1/vms/web/migrate", R"({"to":"host:4000","downtime_ms":300})")},
      {"console-upgrade", "GET /v1/vms/web/console HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"},
      {"containers", request("POST", "/v1/containers", R"({"name":"c1","image":"busybox","args":["sh"]})") +
                         request("GET", "/v1/containers/c1") + request("POST", "/v1/containers/c1/start")},
      {"images", request("GET", "/v1/images") + request("DELETE", "/v1/images/busybox")},
      {"metrics-pipelined", request("GET", "/metrics") + request("GET", "/v1/vms?all=1")},
      {"expect-continue", "PUT /v1/vms/web HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n{}"},
      {"chunked", "POST /v1/vms HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
  };
  return r;
}

}  // namespace

std::vector<Seed> http_seeds() {
  std::vector<Seed> out;
  uint8_t piece = 0;
  for (const auto& [name, text] : requests()) {
    std::vector<uint8_t> b{piece};
    piece = static_cast<uint8_t>(piece * 3 + 1);
    const auto t = bytes(text);
    b.insert(b.end(), t.begin(), t.end());
    out.push_back({name, b});
  }
  return out;
}

std::vector<Seed> rest_seeds() {
  std::vector<Seed> out;
  for (const auto& [name, text] : requests()) out.push_back({name, bytes(text)});
  return out;
}

std::vector<Seed> oci_seeds() {
  return {
      {"minimal", bytes(R"({"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"}})")},
      {"full", bytes(R"({"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true},
"process":{"terminal":true,"consoleSize":{"height":24,"width":80},"user":{"uid":1,"gid":1,"umask":18,"additionalGids":[5]},
"args":["sh","-c","echo"],"env":["PATH=/bin"],"cwd":"/","capabilities":{"bounding":["CAP_NET_BIND_SERVICE","CAP_FOO"],
"effective":["CAP_KILL"]},"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true,
"oomScoreAdj":100},"hostname":"c","mounts":[{"destination":"/proc","type":"proc","source":"proc"},
{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","size=65536k"]}],
"hooks":{"prestart":[{"path":"/bin/true","args":["true"],"timeout":5}]},"annotations":{"a":"b"},
"linux":{"namespaces":[{"type":"pid"},{"type":"network","path":"/proc/1/ns/net"},{"type":"mount"},{"type":"user"}],
"uidMappings":[{"containerID":0,"hostID":1000,"size":1}],"gidMappings":[{"containerID":0,"hostID":1000,"size":1}],
"devices":[{"type":"c","path":"/dev/fuse","major":10,"minor":229,"fileMode":438}],
"resources":{"memory":{"limit":1048576,"swap":2097152},"cpu":{"shares":512,"quota":50000,"period":100000,"cpus":"0"},
"pids":{"limit":64},"blockIO":{"weight":100,"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1000}]},
"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rw"}]},
"cgroupsPath":"/vessel/c","seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
"sysctl":{"net.ipv4.ip_forward":"1"},"maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"]}})")},
  };
}

std::vector<Seed> control_seeds() {
  return {
      {"status", bytes(R"({"op":"status"})")},
      {"metrics", bytes(R"({"op":"metrics"})")},
      {"limits", bytes(R"({"op":"limits","cpu_cap":0.5,"drives":[{"iops":100,"bps":1048576}],"nets":[{"pps":10}]})")},
      {"limits-read", bytes(R"({"op":"limits"})")},
      {"balloon", bytes(R"({"op":"balloon","bytes":1048576})")},
      {"balloon-stats", bytes(R"({"op":"balloon-stats"})")},
      {"pause", bytes(R"({"op":"pause"})")},
      {"resume", bytes(R"({"op":"resume"})")},
      {"snapshot", bytes(R"({"op":"snapshot","path":"/tmp/s","compress":true})")},
      {"migrate-status", bytes(R"({"op":"migrate-status"})")},
      {"not-an-object", bytes(R"(["op","status"])")},
  };
}

std::vector<Seed> cpu_seeds() {
  std::vector<Seed> out;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    std::mt19937_64 rng(seed);
    const jit::test::RandomProgram p = jit::test::make_random_program(rng, 24);
    FuzzInputWriter w;
    w.u64(seed * 7919).u8(seed & 1 ? 0 : 1).bytes(p.code);
    out.push_back({"random-" + std::to_string(seed), w.data()});
  }
  return out;
}

}  // namespace vessel::fuzz::seeds
