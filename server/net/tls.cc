// The TLS server context from the tls-* options.
#include "server/net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <strings.h>

#include <sstream>

namespace respd::server {
namespace asio = boost::asio;
namespace {

constexpr int kTlsV1 = 1 << 0;
constexpr int kTlsV11 = 1 << 1;
constexpr int kTlsV12 = 1 << 2;
constexpr int kTlsV13 = 1 << 3;
// Redis's default when tls-protocols is empty: the two versions still considered safe.
constexpr int kDefaultProtocols = kTlsV12 | kTlsV13;
// Redis names its session-id context so resumed sessions stay within this server's cache.
constexpr std::string_view kSessionIdContext = "redis";

// tls-protocols: versions separated by spaces, any case; -1 (logged) on an unknown word.
int ParseProtocols(const std::string& text) {
  if (text.empty()) return kDefaultProtocols;
  std::istringstream words(text);
  std::string word;
  int protocols = 0;
  while (words >> word) {
    if (strcasecmp(word.c_str(), "tlsv1") == 0) {
      protocols |= kTlsV1;
    } else if (strcasecmp(word.c_str(), "tlsv1.1") == 0) {
      protocols |= kTlsV11;
    } else if (strcasecmp(word.c_str(), "tlsv1.2") == 0) {
      protocols |= kTlsV12;
    } else if (strcasecmp(word.c_str(), "tlsv1.3") == 0) {
      protocols |= kTlsV13;
    } else {
      spdlog::warn(
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', "
          "'TLSv1.2' and 'TLSv1.3'.");
      return -1;
    }
  }
  return protocols;
}

// The first queued OpenSSL error as text, as Redis writes it into its log lines.
std::string LastSslError() {
  char buffer[256];
  ERR_error_string_n(ERR_get_error(), buffer, sizeof(buffer));
  ERR_clear_error();
  return buffer;
}

}  // namespace

int TlsContextSource::VerifyMode() const {
  std::string rule = config_.Get("tls-auth-clients").text();
  if (rule == "no") return SSL_VERIFY_NONE;
  if (rule == "optional") return SSL_VERIFY_PEER;
  return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

std::string TlsContextSource::Fingerprint() const {
  static constexpr std::string_view kOptions[] = {
      "tls-cert-file",       "tls-key-file",           "tls-key-file-pass",
      "tls-ca-cert-file",    "tls-ca-cert-dir",        "tls-protocols",
      "tls-ciphers",         "tls-ciphersuites",       "tls-prefer-server-ciphers",
      "tls-session-caching", "tls-session-cache-size", "tls-session-cache-timeout",
      "tls-dh-params-file",  "tls-auth-clients"};
  std::string fingerprint;
  for (std::string_view name : kOptions) fingerprint += config_.Get(name).text() + '\0';
  return fingerprint;
}

bool TlsContextSource::Configure() {
  fingerprint_ = Fingerprint();
  context_ = Build();
  return context_ != nullptr;
}

std::shared_ptr<asio::ssl::context> TlsContextSource::Current() {
  std::string fingerprint = Fingerprint();
  if (fingerprint != fingerprint_) {
    fingerprint_ = fingerprint;
    if (auto rebuilt = Build()) {
      context_ = std::move(rebuilt);
    } else {
      spdlog::warn("Unable to update TLS configuration. Check server logs.");
    }
  }
  return context_;
}

std::shared_ptr<asio::ssl::context> TlsContextSource::Build() const {
  std::string cert_file = config_.PathInDir(config_.Get("tls-cert-file").text());
  std::string key_file = config_.PathInDir(config_.Get("tls-key-file").text());
  std::string ca_file = config_.PathInDir(config_.Get("tls-ca-cert-file").text());
  std::string ca_dir = config_.PathInDir(config_.Get("tls-ca-cert-dir").text());
  if (cert_file.empty()) {
    spdlog::warn("No tls-cert-file configured!");
    return nullptr;
  }
  if (key_file.empty()) {
    spdlog::warn("No tls-key-file configured!");
    return nullptr;
  }
  // respd has no replication or cluster, so only client authentication needs the CA here.
  if (config_.Get("tls-auth-clients").text() != "no" && ca_file.empty() && ca_dir.empty()) {
    spdlog::warn(
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
        "tls-replication or tls-auth-clients are enabled!");
    return nullptr;
  }
  int protocols = ParseProtocols(config_.Get("tls-protocols").text());
  if (protocols < 0) return nullptr;

  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  // OpenSSL 3 refuses client-initiated renegotiation unless SSL_OP_ALLOW_CLIENT_RENEGOTIATION
  // is set, which Redis also wants.
  long options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION |
                 SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS | SSL_OP_SINGLE_DH_USE;
  if (!(protocols & kTlsV1)) options |= SSL_OP_NO_TLSv1;
  if (!(protocols & kTlsV11)) options |= SSL_OP_NO_TLSv1_1;
  if (!(protocols & kTlsV12)) options |= SSL_OP_NO_TLSv1_2;
  if (!(protocols & kTlsV13)) options |= SSL_OP_NO_TLSv1_3;
  if (config_.Get("tls-prefer-server-ciphers").enabled()) {
    options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  }
  SSL_CTX_set_options(ctx, options);
  // TLSv1 and 1.1 stay refused by OpenSSL 3's default security level unless asked for.
  if (protocols & (kTlsV1 | kTlsV11)) SSL_CTX_set_min_proto_version(ctx, 0);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  std::string passphrase = config_.Get("tls-key-file-pass").text();
  context->set_password_callback(
      [passphrase](size_t, asio::ssl::context::password_purpose) { return passphrase; });
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) <= 0) {
    spdlog::warn("Failed to load certificate: {}: {}", cert_file, LastSslError());
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) <= 0) {
    spdlog::warn("Failed to load private key: {}: {}", key_file, LastSslError());
    return nullptr;
  }
  if ((!ca_file.empty() || !ca_dir.empty()) &&
      SSL_CTX_load_verify_locations(ctx, ca_file.empty() ? nullptr : ca_file.c_str(),
                                    ca_dir.empty() ? nullptr : ca_dir.c_str()) <= 0) {
    spdlog::warn("Failed to configure CA certificate(s) file/directory: {}", LastSslError());
    return nullptr;
  }
  std::string ciphers = config_.Get("tls-ciphers").text();
  if (!ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, ciphers.c_str())) {
    spdlog::warn("Failed to configure ciphers: {}", ciphers);
    return nullptr;
  }
  std::string suites = config_.Get("tls-ciphersuites").text();
  if (!suites.empty() && !SSL_CTX_set_ciphersuites(ctx, suites.c_str())) {
    spdlog::warn("Failed to configure ciphersuites: {}", suites);
    return nullptr;
  }
  if (config_.Get("tls-session-caching").enabled()) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, config_.Get("tls-session-cache-size").number());
    SSL_CTX_set_timeout(ctx, config_.Get("tls-session-cache-timeout").number());
    SSL_CTX_set_session_id_context(ctx,
                                   reinterpret_cast<const unsigned char*>(kSessionIdContext.data()),
                                   kSessionIdContext.size());
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  std::string dh_file = config_.Get("tls-dh-params-file").text();
  if (dh_file.empty()) {
    SSL_CTX_set_dh_auto(ctx, 1);
  } else {
    boost::system::error_code error;
    context->use_tmp_dh_file(dh_file, error);
    if (error) {
      spdlog::warn("Failed to load DH params file: {}: {}", dh_file, error.message());
      return nullptr;
    }
  }
  return context;
}

}  // namespace respd::server
