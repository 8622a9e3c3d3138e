// The loader's contract: what it accepts, and every way it refuses a plugin,
// each with a message that names the file and both sides of a mismatch.
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "carbonbench/meter.h"
#include "energy/measurement_record.h"
#include "plugins/plugin_registry.h"
#include "runner/meter_selection.h"
#include "suites/suite.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;

std::string Fixture(const std::string& name) { return std::string(FIXTURE_ROOT) + "/" + name; }

std::string LoadError(const std::vector<std::string>& dirs) {
  PluginRegistry registry;
  try {
    registry.LoadDirectories(dirs);
  } catch (const PluginLoadError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginLoader, LoadsAWellFormedPluginWithItsMetadataAndParameters) {
  PluginRegistry registry;
  registry.LoadDirectories({Fixture("good")});
  const LoadedPlugin* plugin = registry.Find(PluginKind::kMeter, "fixture_meter");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->version, "0.1.0");
  EXPECT_EQ(plugin->summary, "a well-formed fixture");
  EXPECT_EQ(plugin->build_tag, CARBONBENCH_BUILD_TAG);
  ASSERT_EQ(plugin->params.size(), 1u);
  EXPECT_EQ(plugin->params[0].name, "watts");
  EXPECT_EQ(registry.Find(PluginKind::kModel, "fixture_meter"), nullptr);
}

TEST(PluginLoader, CreatedObjectsKeepTheirLibraryLoaded) {
  std::shared_ptr<Meter> meter;
  {
    PluginRegistry registry;
    registry.LoadDirectories({Fixture("good")});
    meter = registry.Create<Meter>(PluginKind::kMeter, "fixture_meter");
  }  // the registry is gone; the object's deleter still holds the library
  EXPECT_EQ(meter->Method(), "a fixed 10 W");
  EXPECT_TRUE(meter->Probe().available);
}

TEST(PluginLoader, RefusesAnAbiMismatchNamingBothVersions) {
  const std::string error = LoadError({Fixture("abi_mismatch")});
  EXPECT_NE(error.find("libcarbonbench_fixture_abi.so: plugin 'abi_meter' was built for plugin "
                       "ABI 999, this carbonbench uses ABI " +
                       std::to_string(kAbiVersion)),
            std::string::npos)
      << error;
}

// Error bands were added to meters in ABI 6: a plugin built for ABI 5
// calls a Meter without BandOf(), so it is refused on its header alone.
TEST(PluginLoader, RefusesAPluginBuiltForThePreviousAbi) {
  static_assert(kAbiVersion == 6, "a new ABI: say here what changed in it");
  const std::string error = LoadError({Fixture("abi_previous")});
  EXPECT_NE(error.find("plugin 'previous_abi_meter' was built for plugin ABI 5, this "
                       "carbonbench uses ABI 6: rebuild the plugin"),
            std::string::npos)
      << error;
}

TEST(PluginLoader, ReadsDeclaredMeterTraitsWithoutCreatingTheMeter) {
  PluginRegistry registry;
  registry.LoadDirectories({Fixture("ranked"), Fixture("good")});
  const LoadedPlugin* ranked = registry.Find(PluginKind::kMeter, "ranked_meter");
  ASSERT_NE(ranked, nullptr);
  EXPECT_TRUE(ranked->meter_traits.default_on);
  EXPECT_EQ(ranked->meter_traits.default_rank, 7);
  EXPECT_EQ(ranked->meter_traits.scope, MeterScope::kProcess);
  // A meter that declares nothing is off by default and covers the machine.
  const LoadedPlugin* plain = registry.Find(PluginKind::kMeter, "fixture_meter");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->meter_traits.default_on);
  EXPECT_EQ(plain->meter_traits.scope, MeterScope::kMachine);
  EXPECT_EQ(DefaultMeters(registry.Catalog()), std::vector<std::string>{"ranked_meter"});
}

// What a run records of its meters: each one's band, basis, calibration and
// scope, its warnings, and per component the covering meter or none.
TEST(MeterSelection, RecordsBandsCalibrationWarningsAndWhatNoMeterCovers) {
  PluginRegistry registry;
  registry.LoadDirectories({Fixture("banded")});
  const MeterSelection selection = SelectMeters(
      registry, {"banded_meter"},
      [&](const std::string& name) {
        return ResolveParams(registry.Find(PluginKind::kMeter, name)->params, {});
      },
      MeterContext{});
  const std::vector<MeterRecord> described = selection.Describe();
  ASSERT_EQ(described.size(), 1u);
  EXPECT_EQ(described[0].band_relative, 0.35);
  EXPECT_EQ(described[0].band_basis, "fixture validation on 3 machines");
  EXPECT_EQ(described[0].calibration, "calibrated by the fixture");
  EXPECT_EQ(described[0].scope, "process");
  EXPECT_EQ(selection.Warnings(),
            std::vector<std::string>{"banded_meter: calibration profile refused: it names "
                                     "another CPU"});
  ASSERT_EQ(selection.Sources().size(), 1u);
  EXPECT_EQ(selection.Sources()[0].band.relative, 0.35);

  const MeasurementRecord record = MeasurementRecordOf(selection.Sources(), described, {});
  ASSERT_EQ(record.components.size(), 3u);
  EXPECT_EQ(record.components[0].meter, "banded_meter");
  EXPECT_EQ(record.components[0].provenance, "estimated");
  EXPECT_EQ(record.components[0].method, "a fixed 10 W");
  EXPECT_EQ(record.components[0].calibration, "calibrated by the fixture");
  EXPECT_EQ(record.components[0].band_relative, 0.35);
  for (int i : {1, 2}) {  // gpu and ram: this meter covers the CPU alone
    EXPECT_EQ(record.components[i].provenance, "not covered");
    EXPECT_FALSE(record.components[i].meter);
  }
}

TEST(PluginLoader, RefusesABuildTagMismatchNamingBothTags) {
  const std::string error = LoadError({Fixture("tag_mismatch")});
  EXPECT_NE(error.find("plugin 'tag_meter' was built with 'gcc-4 cxx11abi=0 torch=0.4', this "
                       "carbonbench with '" CARBONBENCH_BUILD_TAG "'"),
            std::string::npos)
      << error;
}

TEST(PluginLoader, TwoPluginsWithOneNameAreAnError) {
  const std::string error = LoadError({Fixture("duplicate")});
  EXPECT_NE(error.find("plugin name 'same_name' is defined twice"), std::string::npos) << error;
  EXPECT_NE(error.find("libcarbonbench_fixture_dup_a.so"), std::string::npos) << error;
  EXPECT_NE(error.find("libcarbonbench_fixture_dup_b.so"), std::string::npos) << error;
}

TEST(PluginLoader, RefusesASharedObjectWithoutEntryPoint) {
  const std::string error = LoadError({Fixture("no_entry")});
  EXPECT_NE(error.find("libcarbonbench_fixture_no_entry.so: not a carbonbench plugin: it exports "
                       "no 'carbonbench_plugin_entry' entry point"),
            std::string::npos)
      << error;
}

TEST(PluginLoader, CatchesAPluginThatThrowsAtTheBoundary) {
  const std::string error = LoadError({Fixture("throws")});
  EXPECT_NE(error.find("plugin 'throwing_meter' threw while describing itself: declaring "
                       "parameters failed on purpose"),
            std::string::npos)
      << error;
}

TEST(PluginLoader, RefusesAWorldWritablePluginFile) {
  const fs::path dir = fs::temp_directory_path() / ("cb_perm_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  const fs::path copy = dir / "libcarbonbench_copy.so";
  fs::copy_file(Fixture("good") + "/libcarbonbench_fixture_good.so", copy);
  fs::permissions(copy, fs::perms::all);  // 0777

  std::string error = LoadError({dir.string()});
  EXPECT_NE(error.find("refused: the plugin file is writable by group or others (mode 777)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("chmod go-w"), std::string::npos) << error;

  // The same file with safe permissions, in a world-writable folder.
  fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(dir, fs::perms::all);
  error = LoadError({dir.string()});
  EXPECT_NE(error.find("its folder " + dir.string()), std::string::npos) << error;
  fs::remove_all(dir);
}

TEST(PluginLoader, LoadsEveryBuiltInPlugin) {
  PluginRegistry registry;
  registry.LoadDirectories({BUILD_PLUGIN_DIR});
  EXPECT_EQ(
      registry.Names(PluginKind::kModel),
      (std::vector<std::string>{"bert", "cnn", "cnn1d", "linear", "mobilenet_v2", "resnet18"}));
  EXPECT_EQ(registry.Names(PluginKind::kOptimization),
            (std::vector<std::string>{"checkpointing", "early_stop", "mixed_precision", "pruning",
                                      "quantization"}));
  EXPECT_EQ(registry.Names(PluginKind::kMeter),
            (std::vector<std::string>{"constant", "cpu_estimate", "external", "nvml",
                                      "ram_estimate", "rapl"}));
}

// The built-in meters declare the order a suite without 'meters' has always
// used, and which of them estimate this process's share.
TEST(PluginLoader, BuiltInMetersDeclareTheDefaultOrderAndTheirScope) {
  PluginRegistry registry;
  registry.LoadDirectories({BUILD_PLUGIN_DIR});
  EXPECT_EQ(DefaultMeters(registry.Catalog()),
            (std::vector<std::string>{"rapl", "nvml", "cpu_estimate", "ram_estimate"}));
  for (const std::string& name : registry.Names(PluginKind::kMeter)) {
    const MeterScope expected =
        name == "cpu_estimate" ? MeterScope::kProcess : MeterScope::kMachine;
    EXPECT_EQ(registry.Find(PluginKind::kMeter, name)->meter_traits.scope, expected) << name;
  }
}

TEST(PluginSearchDirs, OrdersCommandLineThenEnvironmentThenInstallLocation) {
  PluginSearchOptions options;
  options.cli_dirs = {"/a", "/b"};
  options.env_path = "/c::/a";
  options.executable_path = "/opt/cb/bin/carbonbench";
  const auto dirs = PluginSearchDirs(options);
  ASSERT_GE(dirs.size(), 4u);
  EXPECT_EQ(dirs[0], "/a");
  EXPECT_EQ(dirs[1], "/b");
  EXPECT_EQ(dirs[2], "/c");  // "/a" again is dropped
  EXPECT_EQ(dirs[3], "/opt/cb/lib/carbonbench/plugins");
}

}  // namespace
}  // namespace carbonbench
