// The server side of TLS: the OpenSSL context built from the tls-* options as Redis's
// tlsConfigure builds it (certificate chain, key and its passphrase, CA file or directory,
// protocols, ciphers and TLS 1.3 cipher suites, server cipher preference, session cache, DH
// parameters), and the per-connection client-certificate rule of tls-auth-clients. The only
// OpenSSL user besides Asio's ssl stream in connection.cc.
#pragma once

#include <boost/asio/ssl.hpp>
#include <memory>
#include <string>

#include "server/config/config.h"

namespace respd::server {

class TlsContextSource {
 public:
  explicit TlsContextSource(Config& config) : config_(config) {}

  // At start-up (tls-port set): builds the context; false, with Redis's log lines, when the
  // options do not make one.
  bool Configure();
  // The context for a client accepted now. A tls-* option changed by CONFIG SET since the last
  // client rebuilds it first; a change that does not build is logged and the previous context
  // stays, as Redis keeps its context when a reconfiguration fails. Called on one thread (the
  // acceptors').
  std::shared_ptr<boost::asio::ssl::context> Current();
  // tls-auth-clients as OpenSSL verify flags, read per client as Redis does.
  int VerifyMode() const;

 private:
  // Every option the context is built from, joined: a change of any rebuilds it.
  std::string Fingerprint() const;
  std::shared_ptr<boost::asio::ssl::context> Build() const;

  Config& config_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::string fingerprint_;
};

}  // namespace respd::server
