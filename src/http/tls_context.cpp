#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace vessel::http {

TlsFiles tls_files_in(const std::string& dir, const std::string& stem) {
  return {dir + "/ca.crt", dir + "/" + stem + ".crt", dir + "/" + stem + ".key"};
}

std::string tls_error_text(const std::string& fallback) {
  std::string text;
  for (unsigned long e; (e = ERR_get_error()) != 0;) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? fallback : text;
}

Result<std::shared_ptr<TlsContext>> TlsContext::create(Side side, const TlsFiles& files) {
  SSL_CTX* ctx = SSL_CTX_new(side == Side::Server ? TLS_server_method() : TLS_client_method());
  if (!ctx) return Error{tls_error_text("cannot create a TLS context")};
  std::shared_ptr<TlsContext> out(new TlsContext(ctx, side));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // The relay writes whatever part of its buffer the record layer takes.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_load_verify_locations(ctx, files.ca.c_str(), nullptr) != 1)
    return Error{"cannot read the CA certificate " + files.ca + ": " + tls_error_text()};
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) != 1)
    return Error{"cannot read the certificate " + files.cert + ": " + tls_error_text()};
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1)
    return Error{"cannot read the private key " + files.key + ": " + tls_error_text()};
  if (SSL_CTX_check_private_key(ctx) != 1)
    return Error{files.key + " is not the key of " + files.cert + ": " + tls_error_text()};
  // Both ends prove who they are: a peer without a certificate the CA signed is refused.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (side == Side::Server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), nullptr);
  SSL_CTX_set_verify_depth(ctx, 4);
  if (side == Side::Server) {
    // Clients are told which CA we trust; no session tickets to keep state about.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_num_tickets(ctx, 0);
  }
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace vessel::http
