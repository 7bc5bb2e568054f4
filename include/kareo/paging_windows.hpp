/// @file
/// @brief The window ranges behind the ranged reads (kareo::detail::window_source, kareo::detail::window_range).
///
/// Part of kareo/paging.hpp, which includes it where these templates belong: include kareo/paging.hpp, not this.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kareo {
namespace detail {

/// The batches of date windows read through `pager`: `fetch(window)` returns the rows of one window (see
/// window_source()).
template <typename Row>
typename PagedRange<Row>::Source window_batches(std::shared_ptr<WindowPager> pager,
                                                std::function<std::vector<Row>(const TimeRange&)> fetch,
                                                std::optional<std::string> Row::*paged_at,
                                                std::function<std::uint64_t()> bytes) {
  return [pager, fetch = std::move(fetch), paged_at, bytes = std::move(bytes)](std::vector<Row>& out) {
    for (;;) {
      const std::optional<TimeRange> window = pager->next_window();
      if (!window) return false;
      std::vector<Row> rows;
      try {
        rows = fetch(*window);
      } catch (...) {
        pager->failed(std::current_exception());
        continue;
      }
      const std::size_t returned = rows.size();
      std::vector<bool> keep(returned);
      std::size_t kept = 0;
      for (std::size_t i = 0; i < returned; ++i) {
        const Row& row = rows[i];
        keep[i] = pager->keep(row.ID, row_version(row), paged_at ? row.*paged_at : no_text());
        if (keep[i]) ++kept;
      }
      if (kept == returned && out.empty()) {
        out = std::move(rows);  // every row kept: the window's rows as they are, none moved
      } else {
        out.reserve(out.size() + kept);
        for (std::size_t i = 0; i < returned; ++i) {
          if (keep[i]) out.push_back(std::move(rows[i]));
        }
      }
      pager->completed(kept, returned, bytes ? bytes() : 0);
      return true;
    }
  };
}

/// A PagedRange source over date windows: `fetch(window)` returns the rows of one window. `paged_at` names the
/// row member holding the date the windows page by (null when there is none). `bytes`, when given, returns the
/// size of the response the last fetch read (for PagingOptions::byte_budget).
template <typename Row>
typename PagedRange<Row>::Source window_source(std::string operation, TimeRange range, const PagingOptions& options,
                                               std::chrono::seconds max_width,
                                               std::function<std::vector<Row>(const TimeRange&)> fetch,
                                               std::optional<std::string> Row::*paged_at = nullptr,
                                               std::function<std::uint64_t()> bytes = nullptr) {
  return window_batches<Row>(std::make_shared<WindowPager>(std::move(operation), range, options, max_width),
                             std::move(fetch), paged_at, std::move(bytes));
}

/// A PagedRange over date windows that can also pass its rows one at a time: `fetch(window)` returns the rows
/// of one window, `stream(window, sink)` passes them to `sink` as they are read (rows it does not pass are lost:
/// it must pass every row it read). Both go through one WindowPager: the rows of a window a failure interrupted
/// are remembered by it until that window's span is read, so a window read again skips the rows already passed.
template <typename Row>
PagedRange<Row> window_range(std::string operation, TimeRange range, const PagingOptions& options,
                             std::chrono::seconds max_width, std::function<std::vector<Row>(const TimeRange&)> fetch,
                             std::function<void(const TimeRange&, const std::function<void(Row&)>&)> stream,
                             std::optional<std::string> Row::*paged_at = nullptr,
                             std::function<std::uint64_t()> bytes = nullptr) {
  auto pager = std::make_shared<WindowPager>(operation, range, options, max_width);
  auto batch = window_batches<Row>(pager, std::move(fetch), paged_at, bytes);
  CancellationToken cancel = options.cancel;
  auto rows = [pager, stream = std::move(stream), paged_at, cancel, operation,
               bytes](const std::function<void(Row&)>& sink) {
    for (;;) {
      const std::optional<TimeRange> window = pager->next_window();
      if (!window) return false;
      std::size_t kept = 0;
      std::size_t returned = 0;
      try {
        stream(*window, [&](Row& row) {
          if (cancel.cancelled()) throw Cancelled(operation + ": cancelled between two rows");
          ++returned;
          // The pager remembers every row of the window until the window is complete: a resend skips them.
          if (!pager->keep(row.ID, row_version(row), paged_at ? row.*paged_at : no_text())) return;
          ++kept;
          sink(row);
        });
      } catch (...) {
        pager->failed(std::current_exception());
        continue;
      }
      pager->completed(kept, returned, bytes ? bytes() : 0);
      return true;
    }
  };
  return PagedRange<Row>(std::move(batch), std::move(rows));
}

}  // namespace detail
}  // namespace kareo
