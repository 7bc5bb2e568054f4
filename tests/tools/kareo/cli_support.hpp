// Running a program (the kareo tool, an example) as a child process against an in-process fake server.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kareo/testing/fake_server.hpp"

namespace cli_test {

using nlohmann::json;

/// A fresh directory, removed with its files when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/tmp") + "/kareo-cli-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TempDir() {
    std::string command = "rm -rf '" + path_ + "'";
    if (std::system(command.c_str()) != 0) {
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The permission bits of `path` (-1 when it does not exist).
inline int mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

/// Sets the process's umask (which child processes inherit) while it exists.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

/// What a child process did.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  /// stdout as JSON lines.
  std::vector<json> lines() const {
    std::vector<json> out_lines;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) out_lines.push_back(json::parse(line));
    return out_lines;
  }
  /// stdout lines as text.
  std::vector<std::string> text_lines() const {
    std::vector<std::string> out_lines;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) out_lines.push_back(line);
    return out_lines;
  }
};

/// Where a child's standard output goes.
enum class Stdout {
  Captured,    ///< A file, read back into RunResult::out.
  FullDisk,    ///< /dev/full: every write fails with ENOSPC.
  ClosedPipe,  ///< A pipe whose reading end is closed: every write fails with EPIPE (or raises SIGPIPE).
};

/// Runs `program` with `args` and exactly the environment `env` (plus PATH), `input` on stdin, in `workdir`.
/// Kills it after `timeout`. `signal` receives the signal that ended it (0 when it exited).
inline RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env, const std::string& input = {},
                             const std::string& workdir = {}, std::chrono::seconds timeout = std::chrono::seconds(60),
                             Stdout stdout_to = Stdout::Captured, int* signal = nullptr) {
  TempDir io;
  const std::string in_path = io.write("stdin", input), out_path = io.file("stdout"), err_path = io.file("stderr");
  int closed_pipe[2] = {-1, -1};
  if (stdout_to == Stdout::ClosedPipe) {
    if (pipe(closed_pipe) != 0) throw std::runtime_error("pipe failed");
    close(closed_pipe[0]);  // nobody will ever read
  }
  std::vector<std::string> env_strings;
  if (const char* path = std::getenv("PATH")) env_strings.push_back(std::string("PATH=") + path);
  for (const auto& e : env) env_strings.push_back(e.first + "=" + e.second);
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = open(in_path.c_str(), O_RDONLY);
    int out = stdout_to == Stdout::ClosedPipe ? closed_pipe[1]
              : stdout_to == Stdout::FullDisk ? open("/dev/full", O_WRONLY)
                                              : open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (!workdir.empty() && chdir(workdir.c_str()) != 0) _exit(126);
    // As from a shell: the fake server in this process ignores SIGPIPE, and an ignored signal stays ignored
    // across execve.
    ::signal(SIGPIPE, SIG_DFL);
    execve(program.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  if (closed_pipe[1] >= 0) close(closed_pipe[1]);
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.err = "(killed after the timeout)\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (signal) *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  if (stdout_to == Stdout::Captured) result.out = read_file(out_path);
  result.err += read_file(err_path);
  return result;
}

/// A loopback port nothing listens on.
inline int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

/// The environment a program needs to reach `server` with its credentials.
inline std::map<std::string, std::string> server_env(const kareo::testing::FakeServer& server, const TempDir& tmp) {
  const auto& c = server.options().credentials;
  return {{"KAREO_ENDPOINT", server.endpoint()},
          {"KAREO_CUSTOMER_KEY", c.customer_key},
          {"KAREO_USER", c.user},
          {"KAREO_PASSWORD", c.password},
          {"TMPDIR", tmp.path()},
          {"HOME", tmp.path()},
          {"TZ", "UTC"}};
}

/// A small, quick data set; rate limits off unless a test turns them on.
inline kareo::testing::FakeServerOptions small_server() {
  kareo::testing::FakeServerOptions o;
  o.seed = 7;
  o.sizes.patients = 40;
  o.sizes.appointments = 80;
  o.sizes.encounters = 30;
  o.sizes.charges = 60;
  o.sizes.payments = 30;
  o.sizes.transactions = 60;
  o.throttle = false;
  return o;
}

}  // namespace cli_test
