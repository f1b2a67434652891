#include "cluster/certificate_authority.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>

namespace vessel::cluster {
namespace {

struct Free {
  void operator()(X509* x) const { X509_free(x); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(X509_NAME* n) const { X509_NAME_free(n); }
  void operator()(BIGNUM* b) const { BN_free(b); }
  void operator()(FILE* f) const { fclose(f); }
};
using X509Ptr = std::unique_ptr<X509, Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;

std::string ssl_errors(const std::string& what) {
  std::string text = what;
  for (unsigned long e; (e = ERR_get_error()) != 0;) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    text += std::string(": ") + buf;
  }
  return text;
}

// Printable, no separators that the subjectAltName syntax would read.
bool valid_host(const std::string& h) {
  if (h.empty() || h.size() > 253) return false;
  for (const char c : h)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '*') return false;
  return true;
}

bool valid_text(const std::string& s) {
  if (s.size() > 64) return false;  // X.520 upper bound for CN, OU, O
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

Result<bool> add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return Error{ssl_errors("bad certificate extension " + value)};
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return Error{ssl_errors("cannot add " + value)};
  return true;
}

// A certificate for `key` with `subject`, valid from 5 minutes ago (clock skew) for `days`.
Result<X509Ptr> new_certificate(EVP_PKEY* key, const std::vector<std::pair<const char*, std::string>>& subject, int days) {
  X509Ptr cert(X509_new());
  std::unique_ptr<BIGNUM, Free> serial(BN_new());
  if (!cert || !serial || X509_set_version(cert.get(), 2) != 1 || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400) ||
      X509_set_pubkey(cert.get(), key) != 1)
    return Error{ssl_errors("cannot make a certificate")};
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& [field, value] : subject) {
    if (value.empty()) continue;
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                   -1, 0) != 1)
      return Error{ssl_errors(std::string("bad ") + field + " '" + value + "'")};
  }
  return cert;
}

Result<KeyPtr> new_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Error{ssl_errors("cannot generate a P-256 key")};
  return key;
}

// Writes with O_EXCL (never replaces) and the given mode.
Result<bool> write_pem(const std::string& path, mode_t mode, bool replace, const std::function<int(FILE*)>& write) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL), mode);
  if (fd < 0) return Error{"cannot create " + path + ": " + strerror(errno)};
  std::unique_ptr<FILE, Free> f(fdopen(fd, "w"));
  if (!f) {
    close(fd);
    return Error{"cannot write " + path};
  }
  if (write(f.get()) != 1 || fflush(f.get()) != 0 || fsync(fd) != 0) return Error{ssl_errors("cannot write " + path)};
  return true;
}

Result<X509Ptr> read_certificate(const std::string& path) {
  std::unique_ptr<FILE, Free> f(fopen(path.c_str(), "re"));
  if (!f) return Error{"cannot read " + path + ": " + strerror(errno)};
  X509Ptr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) return Error{ssl_errors(path + " is not a PEM certificate")};
  return cert;
}

Result<KeyPtr> read_key(const std::string& path) {
  std::unique_ptr<FILE, Free> f(fopen(path.c_str(), "re"));
  if (!f) return Error{"cannot read " + path + ": " + strerror(errno)};
  KeyPtr key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
  if (!key) return Error{ssl_errors(path + " is not a PEM private key")};
  return key;
}

}  // namespace

bool valid_role(const std::string& role) { return role == kRoleAdmin || role == kRoleReadOnly || role == kRoleHost; }

Result<bool> create_ca(const std::string& dir, const std::string& name, int days) {
  if (name.empty() || !valid_text(name)) return Error{"bad CA name '" + name + "'"};
  if (days <= 0) return Error{"the CA must be valid for at least a day"};
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"cannot create " + dir + ": " + ec.message()};
  if (std::filesystem::exists(dir + "/ca.key") || std::filesystem::exists(dir + "/ca.crt"))
    return Error{dir + " already holds a CA (ca.crt, ca.key): remove them first to make a new one"};
  auto key = new_key();
  if (!key) return Error{key.error()};
  auto cert = new_certificate(key->get(), {{"CN", name}, {"O", "vessel cluster"}}, days);
  if (!cert) return Error{cert.error()};
  X509* x = cert->get();
  if (X509_set_issuer_name(x, X509_get_subject_name(x)) != 1) return Error{ssl_errors("cannot set the issuer")};
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                   std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                                   std::pair{NID_subject_key_identifier, "hash"}})
    if (auto ok = add_ext(x, x, nid, value); !ok) return ok;
  if (X509_sign(x, key->get(), EVP_sha256()) <= 0) return Error{ssl_errors("cannot sign the CA certificate")};
  if (auto ok = write_pem(dir + "/ca.key", 0600, false, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key->get(), nullptr, nullptr, 0, nullptr, nullptr);
      });
      !ok)
    return ok;
  return write_pem(dir + "/ca.crt", 0644, false, [&](FILE* f) { return PEM_write_X509(f, x); });
}

Result<bool> issue_certificate(const std::string& ca_dir, const std::string& out_dir, const std::string& stem,
                               const CertificateRequest& request) {
  if (request.name.empty() || !valid_text(request.name)) return Error{"bad certificate name '" + request.name + "'"};
  if (!valid_role(request.role))
    return Error{"unknown role '" + request.role + "': admin, read-only or host"};
  if (!valid_text(request.project)) return Error{"bad project '" + request.project + "'"};
  if (request.days <= 0) return Error{"a certificate must be valid for at least a day"};
  for (const auto& h : request.hosts)
    if (!valid_host(h)) return Error{"bad host name or address '" + h + "'"};
  const bool host = request.role == kRoleHost;
  if (host && request.hosts.empty()) return Error{"a host certificate needs the names or addresses it serves"};
  auto ca_cert = read_certificate(ca_dir + "/ca.crt");
  if (!ca_cert) return Error{ca_cert.error()};
  auto ca_key = read_key(ca_dir + "/ca.key");
  if (!ca_key) return Error{ca_key.error()};
  if (X509_check_private_key(ca_cert->get(), ca_key->get()) != 1)
    return Error{ssl_errors(ca_dir + "/ca.key is not the key of " + ca_dir + "/ca.crt")};
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Error{"cannot create " + out_dir + ": " + ec.message()};
  if (std::filesystem::exists(out_dir + "/" + stem + ".key"))
    return Error{out_dir + "/" + stem + ".key already exists: remove it first to issue a new one"};

  auto key = new_key();
  if (!key) return Error{key.error()};
  auto cert = new_certificate(key->get(), {{"CN", request.name}, {"OU", request.role}, {"O", request.project}}, request.days);
  if (!cert) return Error{cert.error()};
  X509* x = cert->get();
  if (X509_set_issuer_name(x, X509_get_subject_name(ca_cert->get())) != 1) return Error{ssl_errors("cannot set the issuer")};
  std::string san;
  for (const auto& h : request.hosts) {
    in6_addr a6;
    in_addr a4;
    const bool ip = inet_pton(AF_INET, h.c_str(), &a4) == 1 || inet_pton(AF_INET6, h.c_str(), &a6) == 1;
    san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + h;
  }
  std::vector<std::pair<int, std::string>> exts = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, host ? "serverAuth,clientAuth" : "clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"}};
  if (!san.empty()) exts.emplace_back(NID_subject_alt_name, san);
  for (const auto& [nid, value] : exts)
    if (auto ok = add_ext(x, ca_cert->get(), nid, value); !ok) return ok;
  if (X509_sign(x, ca_key->get(), EVP_sha256()) <= 0) return Error{ssl_errors("cannot sign the certificate")};
  const std::string base = out_dir + "/" + stem;
  if (auto ok = write_pem(base + ".key", 0600, false, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key->get(), nullptr, nullptr, 0, nullptr, nullptr);
      });
      !ok)
    return ok;
  if (auto ok = write_pem(base + ".crt", 0644, true, [&](FILE* f) { return PEM_write_X509(f, x); }); !ok) return ok;
  if (std::filesystem::equivalent(ca_dir, out_dir, ec)) return true;
  return write_pem(out_dir + "/ca.crt", 0644, true, [&](FILE* f) { return PEM_write_X509(f, ca_cert->get()); });
}

}  // namespace vessel::cluster
