// Certificates made at test time with the OpenSSL API: a test CA, server certificates it signs (valid,
// expired, for another host) and self-signed ones. Nothing is read from or written to the system store.
#pragma once

#include <string>

namespace kareo::reliability {

/// A temporary directory, removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// A certificate (chain) and its private key as PEM files.
struct CertFiles {
  std::string cert;
  std::string key;
};

/// A certificate authority that exists only for one test run.
class TestCa {
 public:
  /// Creates the CA key and self-signed CA certificate in `dir`.
  explicit TestCa(const std::string& dir);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  /// The CA certificate (what a client is told to trust).
  const std::string& ca_file() const { return ca_file_; }

  /// A server certificate for `host` (DNS name, and IP address when `host` is one) valid from
  /// now + `from_seconds` to now + `to_seconds`, signed by this CA; files named after `name`.
  CertFiles issue(const std::string& name, const std::string& host, long from_seconds = -3600,
                  long to_seconds = 86400) const;

 private:
  std::string dir_;
  std::string ca_file_;
  void* key_ = nullptr;   // EVP_PKEY*
  void* cert_ = nullptr;  // X509*
};

/// A self-signed server certificate for `host`, not issued by any CA the client trusts.
CertFiles self_signed(const std::string& dir, const std::string& name, const std::string& host);

}  // namespace kareo::reliability
