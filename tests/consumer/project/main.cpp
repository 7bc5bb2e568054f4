// Uses the installed headers and library: the umbrella header, the operation table and the error types.
#include <kareo/kareo.hpp>

#include <iostream>

int main() {
  int writes = 0;
  for (kareo::Operation op : kareo::all_operations()) writes += kareo::is_write(op) ? 1 : 0;
  if (kareo::all_operations().size() != 28 || writes != 12) {
    std::cerr << "unexpected operation table\n";
    return 1;
  }
  std::cout << "kareo " << kareo::version() << ": " << kareo::all_operations().size() << " operations, "
            << kareo::soap_action(kareo::Operation::GetPatients) << "\n";
  return 0;
}
