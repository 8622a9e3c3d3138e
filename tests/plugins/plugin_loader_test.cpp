// The loader's contract: what it accepts, and every way it refuses a plugin,
// each with a message that names the file and both sides of a mismatch.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "carbonbench/file_trust.h"
#include "carbonbench/meter.h"
#include "energy/measurement_record.h"
#include "plugins/plugin_registry.h"
#include "records/record_json.h"
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

// Models declared missing features, and optimizations the features they
// need, in ABI 7: a plugin built for ABI 6 has a Model without
// MissingFeatures(), so it is refused on its header alone.
TEST(PluginLoader, RefusesAPluginBuiltForThePreviousAbi) {
  static_assert(kAbiVersion == 7, "a new ABI: say here what changed in it");
  const std::string error = LoadError({Fixture("abi_previous")});
  EXPECT_NE(error.find("plugin 'previous_abi_meter' was built for plugin ABI 6, this "
                       "carbonbench uses ABI 7: rebuild the plugin"),
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

// What a meter says reaches the store, which the report reads as JSON: it
// is made UTF-8 whatever bytes the meter gave.
TEST(MeterSelection, WhatAMeterSaysIsKeptAsUtf8) {
  PluginRegistry registry;
  registry.LoadDirectories({Fixture("latin1")});
  const MeterSelection selection = SelectMeters(
      registry, {"latin1_meter"},
      [&](const std::string& name) {
        return ResolveParams(registry.Find(PluginKind::kMeter, name)->params, {});
      },
      MeterContext{});
  const std::vector<MeterRecord> described = selection.Describe();
  ASSERT_EQ(described.size(), 1u);
  EXPECT_EQ(described[0].reason, "capteur d\u00e9connect\u00e9");
  EXPECT_NO_THROW(ToJson(described[0]).dump());
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

// --- Trust, as OpenSSH's StrictModes: the rule on a fake tree ---

constexpr uid_t kMe = 1000;

class FakeTree {
 public:
  FakeTree() {
    Add("/", 0, S_IFDIR | 0755);
    Add("/opt", 0, S_IFDIR | 0755);
    Add("/opt/plugins", kMe, S_IFDIR | 0755);
    Add("/opt/plugins/libp.so", kMe, S_IFREG | 0644);
  }
  void Add(const std::string& path, uid_t owner, mode_t mode) { nodes_[path] = {owner, mode}; }
  TrustSettings Settings() const {
    TrustSettings settings;
    settings.trusted_uid = kMe;
    settings.ownership_of = [this](const std::string& path) -> std::optional<PathOwnership> {
      const auto found = nodes_.find(path);
      if (found == nodes_.end()) return std::nullopt;
      return found->second;
    };
    return settings;
  }
  std::string FileProblem(const std::string& path) const {
    return UntrustedFileProblem(path, Settings());
  }

 private:
  std::map<std::string, PathOwnership> nodes_;
};

void ExpectProblem(const std::string& problem, const std::vector<std::string>& pieces) {
  for (const std::string& piece : pieces) {
    EXPECT_NE(problem.find(piece), std::string::npos)
        << "missing '" << piece << "' in: " << problem;
  }
}

TEST(PluginTrust, OwnedByRootOrMeAndWritableByNoOneElseAllTheWayUp) {
  EXPECT_EQ(FakeTree().FileProblem("/opt/plugins/libp.so"), "");
  FakeTree root_owned;
  root_owned.Add("/opt/plugins/libp.so", 0, S_IFREG | 0755);
  EXPECT_EQ(root_owned.FileProblem("/opt/plugins/libp.so"), "");
}

TEST(PluginTrust, AFolderAboveTheFolderThatIsWorldWritableIsRefused) {
  FakeTree tree;
  tree.Add("/opt", 0, S_IFDIR | 0777);
  ExpectProblem(tree.FileProblem("/opt/plugins/libp.so"),
                {"folder /opt is writable by group or others (mode 777, owned by uid 0",
                 "fix with: chmod go-w '/opt'"});
}

TEST(PluginTrust, AFileOrFolderOwnedBySomeoneElseIsRefused) {
  FakeTree file;
  file.Add("/opt/plugins/libp.so", 1001, S_IFREG | 0644);
  ExpectProblem(file.FileProblem("/opt/plugins/libp.so"),
                {"the plugin file /opt/plugins/libp.so is owned by uid 1001", "neither root nor",
                 "fix with: chown 1000 '/opt/plugins/libp.so'"});
  FakeTree folder;
  folder.Add("/opt", 1001, S_IFDIR | 0755);
  ExpectProblem(folder.FileProblem("/opt/plugins/libp.so"), {"folder /opt is owned by uid 1001"});
}

TEST(PluginTrust, GroupWritableIsRefusedToo) {
  FakeTree tree;
  tree.Add("/opt/plugins/libp.so", kMe, S_IFREG | 0664);
  ExpectProblem(tree.FileProblem("/opt/plugins/libp.so"),
                {"the plugin file /opt/plugins/libp.so is writable by group or others (mode 664"});
}

// As OpenSSH's safe_path(): the sticky bit does not make /tmp safe, since
// anyone may create a name there before its owner does.
TEST(PluginTrust, AStickySharedFolderSuchAsTmpIsRefusedWithAMoveNotAChmod) {
  FakeTree tree;
  tree.Add("/tmp", 0, S_IFDIR | 01777);
  tree.Add("/tmp/mine", kMe, S_IFDIR | 0700);
  tree.Add("/tmp/mine/libp.so", kMe, S_IFREG | 0600);
  const std::string problem = tree.FileProblem("/tmp/mine/libp.so");
  ExpectProblem(problem, {"folder /tmp is a shared folder anyone can create names in (mode 1777",
                          "move the plugin to a folder only you or root can write"});
  EXPECT_EQ(problem.find("chmod"), std::string::npos) << problem;
}

TEST(PluginTrust, NotARegularFileOrNotThereIsRefused) {
  FakeTree tree;
  tree.Add("/opt/plugins/fifo.so", kMe, S_IFIFO | 0644);
  ExpectProblem(tree.FileProblem("/opt/plugins/fifo.so"), {"is not a regular file"});
  ExpectProblem(tree.FileProblem("/opt/plugins/gone.so"), {"cannot be examined"});
}

TEST(PluginTrust, ASymlinkOnTheWayIsJudgedByItsOwnerNotItsMode) {
  FakeTree tree;
  tree.Add("/opt/link", kMe, S_IFLNK | 0777);
  EXPECT_EQ(UntrustedFolderProblem("/opt/link", tree.Settings()), "");
  tree.Add("/opt/link", 1001, S_IFLNK | 0777);
  ExpectProblem(UntrustedFolderProblem("/opt/link", tree.Settings()),
                {"folder /opt/link is owned by uid 1001"});
}

// --- Trust on the real filesystem ---

// A folder for trees the tests make unsafe on purpose, under the build tree
// rather than /tmp, whose sticky 1777 the rule refuses. Skips where the
// build tree itself is not trusted: every plugin would be refused there.
class PluginFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string base = fs::weakly_canonical(TRUST_TREE_ROOT).string();
    fs::create_directories(base);
    if (std::string problem = UntrustedFolderProblem(base, ProcessTrustSettings());
        !problem.empty()) {
      GTEST_SKIP() << "the build tree is not trusted: " << problem;
    }
    root_ = fs::path(base) / ("case_" + std::to_string(::getpid()) + "_" +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    Folder(root_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  // A folder only its owner can write (as umask 022 makes them).
  static void Folder(const fs::path& path, fs::perms perms = kSafeFolder) {
    fs::create_directories(path);
    fs::permissions(path, perms);
  }
  static fs::path CopyGoodPlugin(const fs::path& folder) {
    const fs::path copy = folder / "libcarbonbench_copy.so";
    fs::copy_file(Fixture("good") + "/libcarbonbench_fixture_good.so", copy);
    fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    return copy;
  }

  static constexpr fs::perms kSafeFolder = fs::perms::owner_all | fs::perms::group_read |
                                           fs::perms::group_exec | fs::perms::others_read |
                                           fs::perms::others_exec;
  fs::path root_;
};

TEST_F(PluginFolderTest, RefusesAWorldWritablePluginFile) {
  const fs::path dir = root_ / "plugins";
  Folder(dir);
  const fs::path copy = CopyGoodPlugin(dir);
  fs::permissions(copy, fs::perms::all);  // 0777

  std::string error = LoadError({dir.string()});
  ExpectProblem(error, {copy.string() + ": refused: the plugin file " + copy.string() +
                            " is writable by group or others (mode 777",
                        "chmod go-w '" + copy.string() + "'"});

  // The same file with safe permissions, in a world-writable folder.
  fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(dir, fs::perms::all);
  ExpectProblem(LoadError({dir.string()}), {"folder " + dir.string() + " is writable"});
}

TEST_F(PluginFolderTest, RefusesAPluginBelowAWorldWritableFolder) {
  const fs::path shared = root_ / "shared";
  Folder(shared, fs::perms::all);
  const fs::path dir = shared / "team" / "plugins";
  Folder(shared / "team");
  Folder(dir);
  CopyGoodPlugin(dir);
  ExpectProblem(LoadError({dir.string()}),
                {"refused: folder " + shared.string() + " is writable by group or others (mode 777",
                 "chmod go-w '" + shared.string() + "'"});
}

TEST_F(PluginFolderTest, ATrustedPluginIsLoaded) {
  const fs::path dir = root_ / "plugins";
  Folder(dir);
  CopyGoodPlugin(dir);
  PluginRegistry registry;
  registry.LoadDirectories({dir.string()});
  EXPECT_NE(registry.Find(PluginKind::kMeter, "fixture_meter"), nullptr);
}

TEST_F(PluginFolderTest, AFileThatIsNotElfSaysSo) {
  const fs::path dir = root_ / "plugins";
  Folder(dir);
  std::ofstream(dir / "libcarbonbench_notes.so") << "these are notes, not a library\n";
  std::ofstream(dir / "libcarbonbench_empty.so");
  fs::permissions(dir / "libcarbonbench_notes.so", fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(dir / "libcarbonbench_empty.so", fs::perms::owner_read | fs::perms::owner_write);
  const std::string error = LoadError({dir.string()});
  ExpectProblem(error, {(dir / "libcarbonbench_notes.so").string() +
                            ": not a shared library: it does not start with the ELF header",
                        (dir / "libcarbonbench_empty.so").string() + ": not a shared library"});
  EXPECT_EQ(error.find("basic_ios"), std::string::npos) << error;
}

TEST_F(PluginFolderTest, ASymlinkLoopIsSkippedWithAWarning) {
  const fs::path dir = root_ / "plugins";
  Folder(dir);
  CopyGoodPlugin(dir);
  fs::create_symlink(dir / "libcarbonbench_loop.so", dir / "libcarbonbench_loop.so");
  PluginRegistry registry;
  ASSERT_NO_THROW(registry.LoadDirectories({dir.string()}));
  EXPECT_NE(registry.Find(PluginKind::kMeter, "fixture_meter"), nullptr);
  ASSERT_EQ(registry.warnings().size(), 1u);
  ExpectProblem(registry.warnings()[0],
                {"plugin " + (dir / "libcarbonbench_loop.so").string() + " skipped"});
}

TEST_F(PluginFolderTest, AGivenPluginDirThatIsMissingOrAFileIsAnError) {
  const fs::path missing = root_ / "nowhere";
  const fs::path file = root_ / "file.txt";
  std::ofstream(file) << "x";
  EXPECT_NO_THROW(CheckPluginDirsGiven({root_.string()}));
  try {
    CheckPluginDirsGiven({missing.string(), file.string()});
    ADD_FAILURE() << "accepted";
  } catch (const PluginLoadError& error) {
    ExpectProblem(error.what(), {"--plugin-dir " + missing.string() + ": no such folder",
                                 "--plugin-dir " + file.string() + ": not a folder"});
  }
}

TEST(PluginLoader, LoadsEveryBuiltInPlugin) {
  PluginRegistry registry;
  registry.LoadDirectories({BUILD_PLUGIN_DIR});
  EXPECT_EQ(registry.Names(PluginKind::kModel),
            (std::vector<std::string>{"bert", "cnn", "cnn1d", "linear", "mobilenet_v2", "resnet18",
                                      "torchscript"}));
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
