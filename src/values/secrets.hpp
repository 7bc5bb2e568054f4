// The credentials a call was made with, kept out of every message, capture and event (private).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kareo::detail {

/// Replaces each secret in a text by "***".
using Scrub = std::function<std::string(std::string)>;

/// The secrets of one call (customer key, user, password), as given and as XML escapes them.
class Secrets {
 public:
  /// Adds `value` (values shorter than 3 characters are not worth hiding and would mask ordinary text).
  void add(const std::optional<std::string>& value);
  /// `text` with every secret replaced by "***".
  std::string scrub(std::string text) const;
  /// scrub() as a function that owns a copy of the secrets.
  Scrub scrubber() const {
    return [self = *this](std::string text) { return self.scrub(std::move(text)); };
  }

 private:
  std::vector<std::string> values_;
};

/// The secrets of one call, gathered (by `gather`) only the first time a message, capture or trace needs them:
/// most calls need none.
class LazySecrets {
 public:
  explicit LazySecrets(std::function<Secrets()> gather) : gather_(std::move(gather)) {}
  const Secrets& get() const {
    if (!made_) made_ = gather_();
    return *made_;
  }
  /// get().scrub() as a function; it refers to this object, which must outlive it.
  Scrub scrubber() const {
    return [this](std::string text) { return get().scrub(std::move(text)); };
  }

 private:
  std::function<Secrets()> gather_;
  mutable std::optional<Secrets> made_;
};

}  // namespace kareo::detail
