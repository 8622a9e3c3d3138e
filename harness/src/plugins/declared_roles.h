// The roles reports read from what the installed optimizations declare.
#pragma once

#include "report/analysis/declared_roles.h"
#include "suites/suite.h"

namespace carbonbench {

// The stopping rules and target-accuracy settings ("<optimization>.<param>")
// the catalog's optimizations declare, in the catalog's order.
report::DeclaredRoles DeclaredRolesOf(const PluginCatalog& catalog);

}  // namespace carbonbench
