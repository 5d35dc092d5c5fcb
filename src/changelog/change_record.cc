#include "changelog/change_record.h"

namespace inflow::changelog {

const char* OperationName(Operation op) {
  switch (op) {
    case Operation::kInsert:
      return "INSERT";
    case Operation::kUpdate:
      return "UPDATE";
    case Operation::kDelete:
      return "DELETE";
    case Operation::kDdl:
      return "DDL";
  }
  return "UNKNOWN";
}

}  // namespace inflow::changelog
