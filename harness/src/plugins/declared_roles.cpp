#include "plugins/declared_roles.h"

namespace carbonbench {

report::DeclaredRoles DeclaredRolesOf(const PluginCatalog& catalog) {
  report::DeclaredRoles roles;
  for (const PluginCatalogEntry& entry : catalog) {
    if (entry.kind != PluginKind::kOptimization) continue;
    if (entry.declaration.stopping_rule) roles.stopping_rules.push_back(entry.name);
    if (!entry.declaration.target_accuracy_param.empty()) {
      roles.target_accuracy_settings.push_back(entry.name + "." +
                                               entry.declaration.target_accuracy_param);
    }
  }
  return roles;
}

}  // namespace carbonbench
