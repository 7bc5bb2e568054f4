// kareo-fake-server as a program: the ready line, serving, clean exit on SIGTERM/SIGINT, the data file round
// trip, bad flags; and HTTPS, from the library and from the program.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "support.hpp"

extern char** environ;

using namespace fake_test;

namespace {

/// The program running in a child process with its stdout on a pipe.
class Program {
 public:
  explicit Program(std::vector<std::string> args) {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    args.insert(args.begin(), KAREO_FAKE_SERVER);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, KAREO_FAKE_SERVER, &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + std::string(KAREO_FAKE_SERVER));
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Program() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }
  /// The first stdout line (without the newline), waiting up to `seconds`.
  std::string first_line(int seconds = 20) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char c;
      if (read(out_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line.push_back(c);
    }
    return line;
  }
  /// Everything the program wrote on stdout after the first line, up to its exit.
  std::string rest_of_stdout() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = read(out_, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
    return s;
  }
  std::string stderr_text() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = read(err_, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
    return s;
  }
  /// Waits for the exit (up to `seconds`); the exit status, or -1 when it did not exit normally in time.
  int wait_exit(int seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  void signal(int sig) { kill(pid_, sig); }

 private:
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
};

std::uint16_t port_of(const std::string& line) {
  std::smatch m;
  if (!std::regex_match(line, m, std::regex("listening on https?://127\\.0\\.0\\.1:(\\d+)"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

/// GetPractices through the generated proxy against a running program.
std::size_t practices_at(const std::string& endpoint, KareoServicesProxy& proxy) {
  proxy.soap->recv_timeout = 20;
  _kareo__GetPractices in;
  in.request = std::make_shared<kareo__GetPracticesReq>();
  in.request->RequestHeader = std::make_shared<kareo__RequestHeader>();
  in.request->RequestHeader->CustomerKey = "test-customer-key";
  in.request->RequestHeader->User = "test-user@example.test";
  in.request->RequestHeader->Password = "test-password";
  in.request->Fields = std::make_shared<kareo__PracticeFieldsToReturn>();
  in.request->Filter = std::make_shared<kareo__PracticeFilter>();
  _kareo__GetPracticesResponse out;
  if (proxy.GetPractices(endpoint.c_str(), nullptr, &in, out) != SOAP_OK || !out.GetPracticesResult ||
      !out.GetPracticesResult->Practices)
    return 0;
  return out.GetPracticesResult->Practices->PracticeData.size();
}

std::size_t practices_at(const std::string& endpoint) {
  KareoServicesProxy proxy(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  return practices_at(endpoint, proxy);
}

}  // namespace

TEST(FakeServerProgram, PrintsOneReadyLineServesAndExitsCleanlyOnSigterm) {
  Program p({"--port", "0", "--practices", "3", "--patients", "10", "--throttle", "off"});
  std::string line = p.first_line();
  std::uint16_t port = port_of(line);
  ASSERT_NE(port, 0) << "line: \"" << line << "\" stderr: " << p.stderr_text();
  EXPECT_EQ(practices_at("http://127.0.0.1:" + std::to_string(port)), 3u);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(), 0);
  EXPECT_EQ(p.rest_of_stdout(), "");  // exactly one line
}

TEST(FakeServerProgram, ExitsCleanlyOnSigint) {
  Program p({"--port", "0", "--patients", "5"});
  ASSERT_NE(port_of(p.first_line()), 0);
  p.signal(SIGINT);
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(FakeServerProgram, DumpDataThenServeIt) {
  const std::string dir = scratch_dir("dump");
  const std::string file = dir + "/data.json";
  {
    Program dump({"--dump-data", file, "--practices", "2", "--patients", "6", "--appointments", "4", "--seed", "3",
                  "--today", "2025-01-31"});
    EXPECT_EQ(dump.wait_exit(), 0) << dump.stderr_text();
  }
  std::ifstream f(file);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"format\": \"kareo-fake-data/1\""), std::string::npos);
  EXPECT_NE(text.find("\"patients\": ["), std::string::npos);

  Program serve({"--port", "0", "--data", file});
  std::uint16_t port = port_of(serve.first_line());
  ASSERT_NE(port, 0) << serve.stderr_text();
  EXPECT_EQ(practices_at("http://127.0.0.1:" + std::to_string(port)), 2u);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait_exit(), 0);
}

TEST(FakeServerProgram, RefusesBadFlags) {
  {
    Program p({"--fault", "explode"});
    EXPECT_NE(p.wait_exit(), 0);
    EXPECT_NE(p.stderr_text().find("unknown kind"), std::string::npos);
  }
  {
    Program p({"--throttle", "sometimes"});
    EXPECT_NE(p.wait_exit(), 0);
  }
  {
    Program p({"--deny", "GetNothing", "--port", "0"});
    EXPECT_EQ(p.wait_exit(), 1);
    EXPECT_NE(p.stderr_text().find("unknown operation"), std::string::npos);
  }
}

TEST(FakeServerProgram, HelpDocumentsTheFaultGrammar) {
  Program p({"--help"});
  std::string help = p.first_line();
  help += p.rest_of_stdout();
  EXPECT_EQ(p.wait_exit(), 0);
  for (const char* s : {"--patients", "--tls-cert", "--deny-practice", "--throttle", "wide-window:days=N",
                        "drop:op=CreateDocument:after-apply"}) {
    EXPECT_NE(help.find(s), std::string::npos) << s;
  }
}

TEST(FakeServerTls, LibraryServesHttpsThatVerifies) {
  const std::string dir = scratch_dir("tls-library");
  write_self_signed(dir + "/cert.pem", dir + "/key.pem");
  auto o = small_options();
  o.tls_cert = dir + "/cert.pem";
  o.tls_key = dir + "/key.pem";
  auto server = started(o);
  EXPECT_EQ(server->url().rfind("https://127.0.0.1:", 0), 0u);

  soap_ssl_init();
  KareoServicesProxy proxy(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  // Verified against the certificate (as its own CA), host name included.
  ASSERT_EQ(soap_ssl_client_context(proxy.soap, SOAP_SSL_DEFAULT | SOAP_TLSv1_2 | SOAP_TLSv1_3, nullptr, nullptr,
                                    o.tls_cert.c_str(), nullptr, nullptr),
            SOAP_OK);
  _kareo__GetPatients in;
  Client c(*server);
  in.request = patients_request(c, "1");
  _kareo__GetPatientsResponse out;
  ASSERT_EQ(proxy.GetPatients(server->endpoint().c_str(), nullptr, &in, out), SOAP_OK) << [&] {
    char buf[1024];
    soap_sprint_fault(proxy.soap, buf, sizeof buf);
    return std::string(buf);
  }();
  EXPECT_EQ(out.GetPatientsResult->Patients->PatientData.size(), 20u);

  // A plain-HTTP client gets nowhere.
  auto raw = http_post(server->port(), soap_action("GetPatients"), "x");
  EXPECT_EQ(raw.status, 0);
}

TEST(FakeServerTls, ProgramServesHttps) {
  const std::string dir = scratch_dir("tls-program");
  write_self_signed(dir + "/cert.pem", dir + "/key.pem");
  Program p({"--port", "0", "--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/key.pem"});
  std::string line = p.first_line();
  ASSERT_EQ(line.rfind("listening on https://127.0.0.1:", 0), 0u) << line << p.stderr_text();
  soap_ssl_init();
  KareoServicesProxy proxy(SOAP_IO_KEEPALIVE | SOAP_C_UTFSTRING);
  ASSERT_EQ(
      soap_ssl_client_context(proxy.soap, SOAP_SSL_NO_AUTHENTICATION, nullptr, nullptr, nullptr, nullptr, nullptr),
      SOAP_OK);
  EXPECT_EQ(practices_at(line.substr(13), proxy), 2u);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(FakeServerProgram, ControlEndpointDrivesTheRunningProgram) {
  Program p({"--port", "0", "--patients", "10", "--throttle", "off"});
  std::uint16_t port = port_of(p.first_line());
  ASSERT_NE(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(http_get(port, "/_fake/count?entity=Patient").body, "10\n");
  EXPECT_EQ(http_get(port, "/_fake/ids?entity=Patient&PracticeID=2").body, "[2, 4, 6, 8, 10]\n");
  EXPECT_EQ(http_get(port, "/_fake/find?entity=Patient&external_id=EXT-P-3&vendor=1").body, "3\n");
  auto added = http_get(port, "/_fake/faults?add=internal%3Aop%3DGetPractices%3Acount%3D1");
  EXPECT_EQ(added.status, 200);
  EXPECT_EQ(added.body, "[\"internal:op=GetPractices:count=1\"]\n");
  EXPECT_EQ(practices_at(url), 0u);  // faulted
  EXPECT_EQ(practices_at(url), 2u);
  auto calls = http_get(port, "/_fake/calls?clear").body;
  EXPECT_NE(calls.find("\"operation\": \"GetPractices\", \"outcome\": \"soap-fault\", \"http_status\": 500"),
            std::string::npos)
      << calls;
  EXPECT_NE(calls.find("\"outcome\": \"ok\""), std::string::npos);
  EXPECT_EQ(http_get(port, "/_fake/calls").body, "[]\n");
  EXPECT_EQ(http_get(port, "/_fake/faults?add=explode").status, 400);
  EXPECT_EQ(http_get(port, "/_fake/ids?entity=Patient&FirstName=Alpha").status, 400);  // no practice filter
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait_exit(), 0);
}

TEST(FakeServerProgram, ControlEndpointCanBeTurnedOff) {
  auto o = small_options();
  o.control_endpoint = false;
  auto server = started(o);
  auto r = http_get(server->port(), "/_fake/count?entity=Patient");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("KareoServices Service"), std::string::npos);
}
