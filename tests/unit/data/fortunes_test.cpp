#include "data/fortunes.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "data/file_io.h"
#include "unit/data/data_test_util.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using testing_data::ExpectErrorContaining;
using Texts = std::vector<std::string>;

class FortunesTest : public testing_data::TempDirTest {
 protected:
  void WriteFortunes() {
    Write("f/cats", "Cats rule.\n%\n  \n%\n\tIndented\nsecond line\n%\nCaf\xE9 au lait\n%\n");
    Write("f/cats.dat", std::string("\x00\x00\x00\x02", 4));
    fs::create_symlink("cats", Path("f/cats.u8"));
    Write("f/dogs", "Woof.\r\n%\r\nNo final separator\n");
    Write("f/.hidden", "x\n%\n");
  }
};

TEST_F(FortunesTest, ListsCategoriesWithoutCompanions) {
  WriteFortunes();
  EXPECT_EQ(ListFortuneCategories(Path("f")), (Texts{"cats", "dogs"}));
}

TEST_F(FortunesTest, ReadsEntriesLabelledByPositionInTheList) {
  WriteFortunes();
  const TextDataset data = ReadFortunes(Path("f"), {"dogs", "cats"});
  EXPECT_FALSE(data.has_test_split);
  EXPECT_EQ(data.class_names, (Texts{"dogs", "cats"}));
  EXPECT_EQ(data.train.texts, (Texts{"Woof.", "No final separator", "Cats rule.",
                                     "Indented\nsecond line", "Caf\xC3\xA9 au lait"}));
  EXPECT_EQ(data.train.labels, (std::vector<std::int64_t>{0, 0, 1, 1, 1}));
  EXPECT_EQ(data.skipped_empty, 1);
}

TEST_F(FortunesTest, UnknownCategoryListsTheAvailableOnes) {
  WriteFortunes();
  ExpectErrorContaining(
      [&] {
        ReadFortunes(Path("f"), {"cats", "dgos"});
      },
      {"no category 'dgos'", Path("f"), "did you mean 'dogs'", "available: cats, dogs"});
}

TEST_F(FortunesTest, MissingFolderSaysHowToInstall) {
  ExpectErrorContaining([&] { ReadFortunes(Path("none"), {"cats"}); },
                        {Path("none"), "does not exist", "apt-get install fortunes"});
}

TEST_F(FortunesTest, RejectsDuplicateAndEmptyCategoryLists) {
  WriteFortunes();
  ExpectErrorContaining(
      [&] {
        ReadFortunes(Path("f"), {"cats", "cats"});
      },
      {"'cats' is listed twice"});
  ExpectErrorContaining([&] { ReadFortunes(Path("f"), {}); }, {"no categories", "cats, dogs"});
}

TEST_F(FortunesTest, FileWithOnlyEmptyEntriesIsAnError) {
  Write("f/blank", "%\n  \n%\n");
  Write("f/other", "x\n");
  ExpectErrorContaining([&] { ReadFortunes(Path("f"), {"blank"}); },
                        {Path("f/blank"), "holds no entries"});
}

TEST_F(FortunesTest, FileOverTheSizeLimitIsRefused) {
  Write("f/small", "x\n");
  const std::string big = Write("f/big", "y\n");
  fs::resize_file(big, 20ll << 20);  // sparse: nothing is written
  ExpectErrorContaining(
      [&] {
        ReadFortunes(Path("f"), {"small", "big"});
      },
      {"fortune file " + big, "the limit is 16 MiB"});
}

TEST_F(FortunesTest, ACategoryThatIsASymlinkToADeviceIsNamed) {
  WriteFortunes();
  fs::create_symlink("/dev/zero", Path("f/zero"));
  ExpectErrorContaining(
      [&] {
        ReadFortunes(Path("f"), {"cats", "zero"});
      },
      {"fortune file " + Path("f/zero"), "is a character device, not a regular file"});
}

TEST(FortunesRealDataTest, ReadsInstalledCategoriesAsValidUtf8) {
  const std::string dir = kDefaultFortunesDir;
  if (!fs::exists(fs::path(dir) / "computers") || !fs::exists(fs::path(dir) / "science")) {
    GTEST_SKIP() << "fortunes not installed in " << dir;
  }
  const TextDataset data = ReadFortunes(dir, {"computers", "science"});
  ASSERT_EQ(data.train.texts.size(), data.train.labels.size());
  std::size_t per_class[2] = {0, 0};
  for (std::size_t i = 0; i < data.train.texts.size(); ++i) {
    const std::string& text = data.train.texts[i];
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(detail::ToValidUtf8(text), text);  // already valid: unchanged
    ++per_class[data.train.labels[i]];
  }
  // Both files hold hundreds of entries in fortunes 1:1.99.
  EXPECT_GT(per_class[0], 100u);
  EXPECT_GT(per_class[1], 100u);
}

}  // namespace
}  // namespace carbonbench
