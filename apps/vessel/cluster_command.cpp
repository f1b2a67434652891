// `vessel cluster init DIR` and `vessel cert issue`: the cluster CA and the certificates of
// hosts (vesseld --tls-dir) and clients (vessel --remote ... --tls-dir), made with OpenSSL's
// library (src/cluster/certificate_authority.cpp).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>

#include "cluster/certificate_authority.h"
#include "commands.h"

namespace vessel::cli {
namespace {

std::string this_host() {
  char name[HOST_NAME_MAX + 1] = {};
  return gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "localhost";
}

template <typename F>
int parse(CLI::App& app, int argc, char** argv, F run) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "%s: %s\n", app.get_name().c_str(), e.what());
    return kExitUsage;
  }
  return run();
}

}  // namespace

int cluster_command(int argc, char** argv) {
  CLI::App app{"The cluster CA: mutual TLS between vesselds and remote clients", "vessel cluster"};
  app.require_subcommand(1);
  std::string dir, name = "vessel cluster CA", host_name = this_host();
  std::vector<std::string> hosts;
  int days = 3650;
  auto* init = app.add_subcommand(
      "init", "make a CA in DIR (ca.crt, ca.key) and this host's certificates: host.crt/host.key for "
              "vesseld --tls-dir, client.crt/client.key (role admin) for vessel --tls-dir");
  init->add_option("dir", dir, "directory for the CA and this host's files (created; ca.key stays private)")->required();
  init->add_option("--name", name, "the CA's common name")->capture_default_str();
  init->add_option("--host-name", host_name, "this host's certificate name (CN)")->capture_default_str();
  init->add_option("--host", hosts,
                   "a DNS name or IP address this host's daemon is reached at (repeatable; default: the host "
                   "name, localhost, 127.0.0.1 and ::1)");
  init->add_option("--days", days, "validity of the CA")->capture_default_str();
  return parse(app, argc, argv, [&] {
    if (hosts.empty()) hosts = {host_name, "localhost", "127.0.0.1", "::1"};
    if (auto ok = cluster::create_ca(dir, name, days); !ok) {
      fprintf(stderr, "vessel cluster init: %s\n", ok.error().c_str());
      return kExitFailure;
    }
    cluster::CertificateRequest host{host_name, cluster::kRoleHost, {}, hosts};
    cluster::CertificateRequest admin{"admin@" + host_name, cluster::kRoleAdmin, {}, {}};
    for (const auto& [stem, request] : {std::pair{"host", host}, std::pair{"client", admin}}) {
      if (auto ok = cluster::issue_certificate(dir, dir, stem, request); !ok) {
        fprintf(stderr, "vessel cluster init: %s\n", ok.error().c_str());
        return kExitFailure;
      }
    }
    printf("CA and certificates in %s:\n"
           "  vesseld --listen ADDR:PORT --tls-dir %s\n"
           "  vessel vm --remote https://HOST:PORT --tls-dir %s ls\n"
           "  vessel cert issue --ca %s --out DIR --name NAME --role read-only   (more clients, other hosts)\n",
           dir.c_str(), dir.c_str(), dir.c_str(), dir.c_str());
    return kExitOk;
  });
}

int cert_command(int argc, char** argv) {
  CLI::App app{"Certificates signed by the cluster CA", "vessel cert"};
  app.require_subcommand(1);
  std::string ca, out;
  cluster::CertificateRequest r;
  r.role = cluster::kRoleReadOnly;
  auto* issue = app.add_subcommand(
      "issue", "issue a certificate: role admin or read-only makes OUT/client.crt and client.key (for vessel "
               "--tls-dir); role host makes OUT/host.crt and host.key (for another host's vesseld --tls-dir); "
               "OUT/ca.crt is a copy of the CA's certificate");
  issue->add_option("--ca", ca, "the CA's directory (ca.crt, ca.key), as `vessel cluster init` made it")->required();
  issue->add_option("--out", out, "directory for the new files (created)")->required();
  issue->add_option("--name", r.name, "the certificate's name (CN), shown in the daemon's audit log")->required();
  issue->add_option("--role", r.role, "admin (may do anything), read-only (list and show only) or host (a vesseld)")
      ->capture_default_str();
  issue->add_option("--project", r.project, "the project the holder belongs to (subject O), audited");
  issue->add_option("--host", r.hosts, "role host: a DNS name or IP address the daemon is reached at (repeatable)");
  issue->add_option("--days", r.days, "validity")->capture_default_str();
  return parse(app, argc, argv, [&] {
    const std::string stem = r.role == cluster::kRoleHost ? "host" : "client";
    if (auto ok = cluster::issue_certificate(ca, out, stem, r); !ok) {
      fprintf(stderr, "vessel cert issue: %s\n", ok.error().c_str());
      return ok.error().find("unknown role") != std::string::npos || ok.error().find("bad ") == 0 ? kExitUsage
                                                                                                 : kExitFailure;
    }
    printf("%s/%s.crt (%s, role %s), %s/%s.key, %s/ca.crt\n", out.c_str(), stem.c_str(), r.name.c_str(), r.role.c_str(),
           out.c_str(), stem.c_str(), out.c_str());
    return kExitOk;
  });
}

}  // namespace vessel::cli
