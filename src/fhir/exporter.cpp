// The FHIR Bulk Data layout: one NDJSON file per resource type, OperationOutcome.ndjson, manifest.json.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <stdexcept>
#include <system_error>

#include "fhir/mapping_internal.hpp"
#include "kareo/fhir.hpp"

namespace kareo::fhir {

namespace {

using json = nlohmann::json;

std::system_error errno_error(const std::string& what, const std::filesystem::path& path) {
  return std::system_error(errno, std::generic_category(), what + " " + path.string());
}

std::string now_instant() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// JSON text on one line; text that is not UTF-8 is replaced rather than refused.
std::string line_of(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

// A file of the export, created 0600, written through a buffer.
class Exporter::File {
 public:
  explicit File(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw errno_error("cannot create", path_);
    if (::fchmod(fd_, 0600) != 0) {  // a file that existed keeps its mode otherwise
      const auto error = errno_error("cannot restrict the mode of", path_);
      ::close(fd_);
      throw error;
    }
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  void line(const std::string& text) {
    buffer_ += text;
    buffer_ += '\n';
    ++lines_;
    if (buffer_.size() >= (1u << 16)) flush();
  }
  void flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw errno_error("cannot write", path_);
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }
  void close() {
    flush();
    if (::fsync(fd_) != 0) throw errno_error("cannot flush", path_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw errno_error("cannot close", path_);
  }
  std::size_t lines() const noexcept { return lines_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::string buffer_;
  std::size_t lines_ = 0;
};

Exporter::Exporter(std::filesystem::path directory, MapOptions options)
    : directory_(std::move(directory)), options_(std::move(options)), transaction_time_(now_instant()) {
  if (!std::filesystem::exists(directory_)) {
    std::filesystem::create_directories(directory_);
    std::filesystem::permissions(directory_, std::filesystem::perms::owner_all);
  }
}

Exporter::~Exporter() = default;

void Exporter::report(const std::string& type, const std::string& id, std::string message) {
  issues_.push_back({type, id, std::move(message)});
}

bool Exporter::contains(std::string_view type, std::string_view id) const {
  auto it = written_.find(type);
  return it != written_.end() && it->second.count(id) > 0;
}

std::size_t Exporter::count(std::string_view type) const {
  auto it = written_.find(type);
  return it == written_.end() ? 0 : it->second.size();
}

// Drops every reference whose target has not been written, so that none dangles.
void Exporter::resolve_references(const std::string& type, json& resource, const std::string& id) {
  auto resolves = [this](const json& ref) {
    const std::string text = ref.value("reference", std::string());
    const auto slash = text.find('/');
    return slash != std::string::npos && contains(text.substr(0, slash), text.substr(slash + 1));
  };
  auto drop = [&](const json& ref, const char* element) {
    ++dropped_references_;
    report(type, id,
           std::string(element) + " " + ref.value("reference", std::string()) + " left out: not in this export");
  };
  if (resource.contains("managingOrganization") && !resolves(resource["managingOrganization"])) {
    drop(resource["managingOrganization"], "managingOrganization");
    resource.erase("managingOrganization");
  }
  if (resource.contains("generalPractitioner")) {
    json kept = json::array();
    for (auto& ref : resource["generalPractitioner"]) {
      if (resolves(ref))
        kept.push_back(ref);
      else
        drop(ref, "generalPractitioner");
    }
    if (kept.empty())
      resource.erase("generalPractitioner");
    else
      resource["generalPractitioner"] = std::move(kept);
  }
  if (resource.contains("participant")) {
    json kept = json::array();
    for (auto& p : resource["participant"]) {
      if (!p.contains("actor") || resolves(p["actor"]))
        kept.push_back(p);
      else
        drop(p["actor"], "participant");
    }
    resource["participant"] = std::move(kept);
  }
}

bool Exporter::write(const std::string& type, Mapped mapped, const std::optional<std::string>& tebra_id) {
  if (finished_) throw std::logic_error("kareo::fhir::Exporter: add() after finish()");
  const std::string id = trimmed(tebra_id).value_or(std::string());
  auto skip = [&](std::string why) {
    ++skipped_;
    report(type, id, "not exported: " + why);
    return false;
  };
  if (!mapped) return skip(mapped.problem);
  if (id.empty()) return skip("the record has no ID");
  if (contains(type, id)) return skip("already exported");
  resolve_references(type, mapped.resource, id);
  if (mapped.resource.contains("participant") && mapped.resource["participant"].empty())
    return skip("none of its participants is in this export (FHIR requires an Appointment.participant)");
  auto& file = files_[type];
  if (!file) file = std::make_unique<File>(directory_ / (type + ".ndjson"));
  file->line(line_of(mapped.resource));
  written_[type].insert(id);
  return true;
}

bool Exporter::add(const PracticeData& practice) {
  return write("Organization", to_organization(practice, options_), practice.ID);
}
bool Exporter::add(const ProviderData& provider) {
  return write("Practitioner", to_practitioner(provider, options_), provider.ID);
}
bool Exporter::add(const ServiceLocationData& location) {
  return write("Location", to_location(location, options_), location.ID);
}
bool Exporter::add(const PatientData& patient) { return write("Patient", to_patient(patient, options_), patient.ID); }
bool Exporter::add(const AppointmentData& appointment) {
  return write("Appointment", to_appointment(appointment, options_), appointment.ID);
}

Manifest Exporter::finish(const std::string& request) {
  if (finished_) throw std::logic_error("kareo::fhir::Exporter: finish() called twice");
  finished_ = true;
  Manifest m;
  m.transaction_time = transaction_time_;
  m.request = request;
  m.skipped = skipped_;
  m.dropped_references = dropped_references_;
  m.issues = issues_;
  json output = json::array();
  for (auto& [type, file] : files_) {
    file->close();
    m.counts[type] = file->lines();
    output.push_back({{"type", type}, {"url", type + ".ndjson"}, {"count", file->lines()}});
  }
  json errors = json::array();
  if (!issues_.empty()) {
    // Bulk Data reports what was left out as OperationOutcome resources, one per issue.
    File outcomes(directory_ / "OperationOutcome.ndjson");
    for (const auto& issue : issues_) {
      std::string where = issue.resource_type + (issue.id.empty() ? std::string() : "/" + issue.id);
      json outcome{{"resourceType", "OperationOutcome"},
                   {"issue",
                    {{{"severity", "warning"},
                      {"code", issue.message.rfind("not exported", 0) == 0 ? "processing" : "not-found"},
                      {"diagnostics", where + ": " + issue.message}}}}};
      outcomes.line(line_of(outcome));
    }
    outcomes.close();
    errors.push_back({{"type", "OperationOutcome"}, {"url", "OperationOutcome.ndjson"}, {"count", issues_.size()}});
  }
  m.json = {{"transactionTime", transaction_time_},
            {"request", request},
            {"requiresAccessToken", false},
            {"output", std::move(output)},
            {"error", std::move(errors)},
            {"extension",
             {{"kareo-cpp",
               {{"fhirVersion", "4.0.1"},
                {"skipped", skipped_},
                {"droppedReferences", dropped_references_},
                {"identifierSystemBase", options_.system_base}}}}}};
  // The manifest comes last, written whole: its presence says the export is complete.
  const std::filesystem::path partial = directory_ / "manifest.json.partial";
  {
    File manifest(partial);
    manifest.line(m.json.dump(2, ' ', false, json::error_handler_t::replace));
    manifest.close();
  }
  std::filesystem::rename(partial, directory_ / "manifest.json");
  return m;
}

}  // namespace kareo::fhir
