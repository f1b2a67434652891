// The cluster CA: a self-signed CA certificate and key in a directory, and certificates it
// issues for hosts (vesseld: server and client authentication, the host's names and
// addresses as subjectAltName) and for clients (a role and optionally a project). The role is
// the subject's OU and the project its O; vesseld reads them from a client's certificate.
// Keys are ECDSA P-256, signatures SHA-256, made with OpenSSL's library (no `openssl` tool).
#pragma once
#include <string>
#include <vector>

#include "common/result.h"

namespace vessel::cluster {

// What a certificate lets its holder do (docs/manager.md, *Access*).
inline constexpr const char* kRoleAdmin = "admin";
inline constexpr const char* kRoleReadOnly = "read-only";
inline constexpr const char* kRoleHost = "host";  // a vesseld of the cluster: as admin
bool valid_role(const std::string& role);

struct CertificateRequest {
  std::string name;                // subject CN
  std::string role;                // subject OU: admin, read-only or host
  std::string project;             // subject O (optional)
  std::vector<std::string> hosts;  // host certificates: DNS names and IP addresses it serves
  int days = 825;
};

// DIR/ca.crt and DIR/ca.key (mode 0600). Refuses to replace an existing CA.
Result<bool> create_ca(const std::string& dir, const std::string& name, int days = 3650);
// Signs a new key with the CA in ca_dir; writes OUT/STEM.crt, OUT/STEM.key (0600) and a copy
// of the CA's certificate as OUT/ca.crt (so OUT is a complete --tls-dir). Refuses to replace
// an existing OUT/STEM.key. Host certificates (role host) also authenticate servers.
Result<bool> issue_certificate(const std::string& ca_dir, const std::string& out_dir, const std::string& stem,
                               const CertificateRequest& request);

}  // namespace vessel::cluster
