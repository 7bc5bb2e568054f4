// by_date<Query>(filter, field, range, paging, fields): the query of a list read paged by one date pair, for tests
// that go through every operation and date field alike.
#pragma once

#include "kareo/client.hpp"

namespace kareo {

/// A query with `filter`, the range of `field` set to `range` and read in windows of `paging`.
/// @throws kareo::InvalidArgument when the operation cannot be read by `field`.
template <class Query>
Query by_date(decltype(Query::filter) filter, DateField field, TimeRange range, PagingOptions paging = {},
              decltype(Query::fields) fields = {}) {
  Query query;
  query.filter = std::move(filter);
  query.fields = std::move(fields);
  std::optional<TimeRange>* member = date_range(query, field);
  if (!member) throw InvalidArgument(std::string("cannot be paged by ") + date_field_name(field) + " dates");
  *member = range;
  query.page_by = field;
  query.paging = std::move(paging);
  return query;
}

}  // namespace kareo
