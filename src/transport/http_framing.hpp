// Part of the built-in transport: where a response ends, decided byte by byte as it arrives.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace kareo::detail {

// The HTTP framing of a response, followed as its bytes arrive, so that reading ends where the message ends:
// after Content-Length bytes of body, or after the last chunk and its trailer. gSOAP itself reads on after the
// end of a body whose XML is incomplete, and so waited for bytes a server that keeps the connection open never
// sends; it also skips what is not a hexadecimal digit where a chunk size belongs.

class Framing {
 public:
  void reset() { *this = Framing(); }

  /// Follows `n` more bytes of the response; returns how many of them belong to it (the rest lie past its end).
  std::size_t take(const char* data, std::size_t n) {
    std::size_t i = 0;
    while (i < n && state_ != State::Done && state_ != State::Broken && state_ != State::UntilClose) {
      switch (state_) {
        case State::Head:
          i += head(data + i, n - i);
          break;
        case State::Length:
          i += counted(n - i, State::Done);
          break;
        case State::ChunkData:
          i += counted(n - i, State::ChunkDataEnd);
          break;
        default:
          chunk_byte(data[i++]);
          break;
      }
    }
    if (state_ == State::UntilClose) return n;
    return i;
  }

  /// The most bytes the next read may ask for without reading past the end of the message.
  std::size_t limit(std::size_t n) const {
    if (state_ == State::Length) return static_cast<std::size_t>(std::min<std::uint64_t>(left_, n));
    return n;
  }
  /// The whole message arrived.
  bool ended() const noexcept { return state_ == State::Done; }
  /// What is wrong with the framing; empty while it is sound.
  const std::string& error() const noexcept { return error_; }

 private:
  enum class State {
    Head,          // status line and headers
    Length,        // a body of Content-Length bytes
    UntilClose,    // a body that ends when the connection closes (HTTP/1.0 style)
    ChunkSize,     // the hexadecimal size of a chunk
    ChunkSizeEnd,  // blanks after the size, before an extension or the line end
    ChunkExt,      // a chunk extension, up to the line end
    ChunkSizeLf,   // the line feed after the size line's carriage return
    ChunkData,     // a chunk's data
    ChunkDataEnd,  // the CRLF after a chunk's data
    ChunkDataLf,
    Trailer,  // trailer lines after the last chunk, up to an empty line
    Done,
    Broken,
  };

  // Takes up to `n` bytes of a body part of known length; moves to `next` at its end. Returns how many it took.
  std::size_t counted(std::size_t n, State next) {
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left_, n));
    left_ -= k;
    if (left_ == 0) state_ = next;
    return k;
  }

  void broken(std::string why) {
    state_ = State::Broken;
    error_ = std::move(why);
  }

  // Reads header bytes up to the empty line that ends them; returns how many it used.
  std::size_t head(const char* data, std::size_t n) {
    std::size_t i = 0;
    while (i < n) {
      const char c = data[i++];
      if (c != '\n') {
        if (line_.size() < 65536) line_ += c;
        continue;
      }
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (line_.empty()) {
        if (lines_ == 0) continue;  // blank lines before a status line
        end_of_head();
        return i;
      }
      header_line(line_);
      ++lines_;
      line_.clear();
    }
    return i;
  }

  void header_line(const std::string& line) {
    if (lines_ == 0) {  // the status line
      status_ = 0;
      const auto sp = line.find(' ');
      if (line.rfind("HTTP/", 0) == 0 && sp != std::string::npos) status_ = std::atoi(line.c_str() + sp + 1);
      return;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) return;
    std::string name = line.substr(0, colon);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    if (name == "transfer-encoding") {
      for (char& ch : value) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (value.find("chunked") != std::string::npos) chunked_ = true;
    } else if (name == "content-length") {
      std::uint64_t v = 0;
      bool ok = !value.empty() && value.size() <= 19;
      for (char ch : value) {
        if (ch < '0' || ch > '9') ok = false;
        v = v * 10 + static_cast<std::uint64_t>(ch - '0');
      }
      if (!ok || (length_ && *length_ != v)) {
        bad_length_ = true;
      } else {
        length_ = v;
      }
    }
  }

  void end_of_head() {
    const bool interim = status_ >= 100 && status_ < 200;
    const bool chunked = chunked_;
    const bool bad_length = bad_length_;
    const std::optional<std::uint64_t> length = length_;
    line_.clear();
    lines_ = 0;
    chunked_ = bad_length_ = false;
    length_.reset();
    if (interim) return;  // another status line and headers follow
    if (chunked) {
      state_ = State::ChunkSize;
    } else if (bad_length) {
      broken("its Content-Length is not a number");
    } else if (length) {
      left_ = *length;
      state_ = left_ == 0 ? State::Done : State::Length;
    } else {
      state_ = State::UntilClose;
    }
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  void chunk_byte(char c) {
    switch (state_) {
      case State::ChunkSize: {
        const int d = hex(c);
        if (d >= 0) {
          if (digits_ == 15) return broken("a chunk size is too large");
          left_ = left_ * 16 + static_cast<std::uint64_t>(d);
          ++digits_;
          return;
        }
        if (digits_ == 0) return broken("a chunk size is not a hexadecimal number");
        state_ = State::ChunkSizeEnd;
        return chunk_byte(c);
      }
      case State::ChunkSizeEnd:
        if (c == ' ' || c == '\t') return;
        if (c == ';') {
          state_ = State::ChunkExt;
          return;
        }
        if (c == '\r') {
          state_ = State::ChunkSizeLf;
          return;
        }
        if (c == '\n') return end_of_size_line();
        return broken("a chunk size is not a hexadecimal number");
      case State::ChunkExt:
        if (c == '\n') return end_of_size_line();
        return;
      case State::ChunkSizeLf:
        if (c != '\n') return broken("a chunk size line does not end with CRLF");
        return end_of_size_line();
      case State::ChunkDataEnd:
        if (c == '\r') {
          state_ = State::ChunkDataLf;
          return;
        }
        if (c == '\n') {
          state_ = State::ChunkSize;
          return;
        }
        return broken("a chunk is longer than its size");
      case State::ChunkDataLf:
        if (c != '\n') return broken("a chunk is longer than its size");
        state_ = State::ChunkSize;
        return;
      case State::Trailer:
        if (c == '\n') {
          if (trailer_line_ == 0) {
            state_ = State::Done;
            return;
          }
          trailer_line_ = 0;
          return;
        }
        if (c != '\r') ++trailer_line_;
        return;
      default:
        return;
    }
  }

  void end_of_size_line() {
    digits_ = 0;
    if (left_ == 0) {
      state_ = State::Trailer;
      trailer_line_ = 0;
    } else {
      state_ = State::ChunkData;
    }
  }

  State state_ = State::Head;
  std::string error_;
  std::string line_;
  int lines_ = 0;
  int status_ = 0;
  bool chunked_ = false;
  bool bad_length_ = false;
  std::optional<std::uint64_t> length_;
  std::uint64_t left_ = 0;
  int digits_ = 0;
  std::size_t trailer_line_ = 0;
};

}  // namespace kareo::detail
