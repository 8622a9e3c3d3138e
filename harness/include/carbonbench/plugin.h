// The plugin ABI: the one exported entry point every plugin shared object has,
// and the registration macros that write it. Nobody hand-writes the export.
//
// The host reads PluginHeader first (plain integers and C strings, a layout
// that never changes) and compares abi_version and build_tag with its own
// before it touches anything C++ in the descriptor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include "carbonbench/build_tag.h"
#include "carbonbench/params.h"

namespace carbonbench {

// Bump when any SDK interface (Model, Optimization, Meter, Params, the
// descriptor) changes in a way that breaks plugins built before.
inline constexpr std::uint32_t kAbiVersion = 7;

// The exported alias name, shared by host and plugins.
#define CARBONBENCH_ENTRY_NAME carbonbench_plugin_entry
#define CARBONBENCH_ENTRY_NAME_STRING "carbonbench_plugin_entry"

enum class PluginKind : std::uint32_t { kModel = 1, kOptimization = 2, kMeter = 3 };

const char* PluginKindName(PluginKind kind);

// Common base so the host can own any plugin object the same way.
class Plugin {
 public:
  virtual ~Plugin() = default;
};

class Model;
class Optimization;
class Meter;
struct MeterTraits;

// Stable layout: read before anything else.
struct PluginHeader {
  std::uint32_t abi_version;
  const char* build_tag;
  PluginKind kind;
  const char* name;
  const char* version;
  const char* summary;
};

// Everything after the header is only touched once the header matched.
struct PluginDescriptor {
  PluginHeader header;
  std::vector<ParamSpec> (*parameters)();
  Plugin* (*create)();
  // Meters only (nullptr for other kinds): read without creating the meter.
  MeterTraits (*meter_traits)();
};

namespace detail {

template <typename T, typename = void>
struct HasParameters : std::false_type {};
template <typename T>
struct HasParameters<T, std::void_t<decltype(T::Parameters())>> : std::true_type {};

template <typename T>
std::vector<ParamSpec> ParametersOf() {
  if constexpr (HasParameters<T>::value) {
    return T::Parameters();
  } else {
    return {};
  }
}

template <typename T>
Plugin* Create() {
  return new T();
}

// Declarations only some kinds make; meter.h specializes this for meters.
template <typename Base, typename T>
struct KindDeclarations {
  static constexpr MeterTraits (*kMeterTraits)() = nullptr;
};

}  // namespace detail
}  // namespace carbonbench

// The one macro behind the three public ones. `abi` and `tag` are parameters
// only so tests can build deliberately mismatched fixture plugins.
#define CARBONBENCH_DETAIL_REGISTER(Base, KindValue, Type, Name, Version, Summary, Abi, Tag) \
  static_assert(std::is_base_of_v<::carbonbench::Base, Type>,                                \
                #Type " must derive from carbonbench::" #Base);                              \
  namespace carbonbench_plugin_entry_ns {                                                    \
  const ::carbonbench::PluginDescriptor* carbonbench_entry() {                               \
    static const ::carbonbench::PluginDescriptor descriptor{                                 \
        {Abi, Tag, KindValue, Name, Version, Summary},                                       \
        &::carbonbench::detail::ParametersOf<Type>,                                          \
        &::carbonbench::detail::Create<Type>,                                                \
        ::carbonbench::detail::KindDeclarations<::carbonbench::Base, Type>::kMeterTraits};   \
    return &descriptor;                                                                      \
  }                                                                                          \
  }                                                                                          \
  BOOST_DLL_ALIAS(carbonbench_plugin_entry_ns::carbonbench_entry, CARBONBENCH_ENTRY_NAME)

// Public registration macros: one per kind, one per plugin shared object.
#define CARBONBENCH_REGISTER_MODEL(Type, Name, Version, Summary)                             \
  CARBONBENCH_DETAIL_REGISTER(Model, ::carbonbench::PluginKind::kModel, Type, Name, Version, \
                              Summary, ::carbonbench::kAbiVersion, CARBONBENCH_BUILD_TAG)
#define CARBONBENCH_REGISTER_OPTIMIZATION(Type, Name, Version, Summary)                           \
  CARBONBENCH_DETAIL_REGISTER(Optimization, ::carbonbench::PluginKind::kOptimization, Type, Name, \
                              Version, Summary, ::carbonbench::kAbiVersion, CARBONBENCH_BUILD_TAG)
#define CARBONBENCH_REGISTER_METER(Type, Name, Version, Summary)                             \
  CARBONBENCH_DETAIL_REGISTER(Meter, ::carbonbench::PluginKind::kMeter, Type, Name, Version, \
                              Summary, ::carbonbench::kAbiVersion, CARBONBENCH_BUILD_TAG)
