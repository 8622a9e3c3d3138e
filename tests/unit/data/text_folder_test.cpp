#include "data/text_folder.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/data/data_test_util.h"

namespace carbonbench {
namespace {

namespace fs = std::filesystem;
using testing_data::ExpectErrorContaining;
using Labels = std::vector<std::int64_t>;
using Texts = std::vector<std::string>;

class ImdbTest : public testing_data::TempDirTest {
 protected:
  void WriteImdb() {
    // "10_2" sorts before "2_1" by name: the order must be by name, not number.
    Write("aclImdb/train/neg/2_1.txt", "bad<br /><br />movie");
    Write("aclImdb/train/neg/10_2.txt", "awful");
    Write("aclImdb/train/neg/notes.md", "not a review");
    Write("aclImdb/train/pos/0_9.txt", "great");
    Write("aclImdb/train/pos/1_8.txt", "  \n");  // empty after trimming
    Write("aclImdb/train/unsup/0_0.txt", "unlabelled");
    Write("aclImdb/test/neg/0_3.txt", "meh");
    Write("aclImdb/test/pos/0_7.txt", "fine\xE9");  // a Latin-1 byte
  }
};

TEST_F(ImdbTest, ReadsSplitsInSortedOrder) {
  WriteImdb();
  const TextDataset data = ReadImdb(dir_.string());
  EXPECT_TRUE(data.has_test_split);
  EXPECT_EQ(data.class_names, (Texts{"neg", "pos"}));
  EXPECT_EQ(data.train.texts, (Texts{"awful", "bad  movie", "great"}));
  EXPECT_EQ(data.train.labels, (Labels{0, 0, 1}));
  EXPECT_EQ(data.test.texts, (Texts{"meh", "fine\xC3\xA9"}));
  EXPECT_EQ(data.test.labels, (Labels{0, 1}));
  EXPECT_EQ(data.skipped_empty, 1);
}

TEST_F(ImdbTest, AcceptsTheAclImdbFolderItself) {
  WriteImdb();
  EXPECT_EQ(ReadImdb(Path("aclImdb")).train.texts.size(), 3u);
}

TEST_F(ImdbTest, ListsMissingFoldersAndWhereToGetThem) {
  WriteImdb();
  fs::remove_all(Path("aclImdb/test/neg"));
  ExpectErrorContaining([&] { ReadImdb(dir_.string()); },
                        {Path("aclImdb"), "missing test/neg/", "{train,test}/{neg,pos}/*.txt",
                         "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"});
}

TEST_F(ImdbTest, FolderWithoutTheLayoutSaysSo) {
  Write("elsewhere/readme.txt", "x");
  ExpectErrorContaining(
      [&] { ReadImdb(Path("elsewhere")); },
      {Path("elsewhere"), "holds neither aclImdb/ nor train/ and test/", "aclImdb_v1.tar.gz"});
}

TEST_F(ImdbTest, EmptyClassFolderIsAnError) {
  WriteImdb();
  fs::remove(Path("aclImdb/test/pos/0_7.txt"));
  ExpectErrorContaining([&] { ReadImdb(dir_.string()); },
                        {Path("aclImdb/test/pos"), "no .txt reviews"});
}

TEST_F(ImdbTest, MissingFolderSaysSo) {
  ExpectErrorContaining([&] { ReadImdb(Path("gone")); },
                        {Path("gone"), "does not exist", "aclImdb_v1.tar.gz"});
}

class TextFolderTest : public testing_data::TempDirTest {};

TEST_F(TextFolderTest, ReadsTrainTestLayoutWithSortedClasses) {
  Write("d/train/sport/b.txt", "goal");
  Write("d/train/sport/a.txt", "match");
  Write("d/train/arts/x", "painting");
  Write("d/train/arts/.hidden", "skip me");
  Write("d/train/arts/empty", "");
  Write("d/test/sport/t1", "race");
  const TextDataset data = ReadTextFolder(Path("d"));
  EXPECT_TRUE(data.has_test_split);
  EXPECT_EQ(data.class_names, (Texts{"arts", "sport"}));
  EXPECT_EQ(data.train.texts, (Texts{"painting", "match", "goal"}));
  EXPECT_EQ(data.train.labels, (Labels{0, 1, 1}));
  EXPECT_EQ(data.test.texts, (Texts{"race"}));
  EXPECT_EQ(data.test.labels, (Labels{1}));
  EXPECT_EQ(data.skipped_empty, 1);
}

TEST_F(TextFolderTest, ReadsUnsplitLayout) {
  Write("d/b/1", "bee");
  Write("d/a/1", "ant");
  Write("d/a/2", "ape");
  const TextDataset data = ReadTextFolder(Path("d"));
  EXPECT_FALSE(data.has_test_split);
  EXPECT_EQ(data.class_names, (Texts{"a", "b"}));
  EXPECT_EQ(data.train.texts, (Texts{"ant", "ape", "bee"}));
  EXPECT_EQ(data.train.labels, (Labels{0, 0, 1}));
  EXPECT_TRUE(data.test.texts.empty());
}

TEST_F(TextFolderTest, RejectsTestClassUnknownToTrain) {
  Write("d/train/spam/1", "buy");
  Write("d/train/ham/1", "hello");
  Write("d/test/spma/1", "buy now");
  ExpectErrorContaining([&] { ReadTextFolder(Path("d")); },
                        {Path("d/test/spma"), "class 'spma' has no folder in train/",
                         "did you mean 'spam'", "DIR/train/<class>/*"});
}

TEST_F(TextFolderTest, RejectsTrainWithoutTest) {
  Write("d/train/a/1", "x");
  Write("d/train/b/1", "y");
  ExpectErrorContaining([&] { ReadTextFolder(Path("d")); }, {Path("d"), "has train/ but no test/"});
}

TEST_F(TextFolderTest, RejectsASingleClassFolder) {
  Write("d/only/1", "x");
  ExpectErrorContaining([&] { ReadTextFolder(Path("d")); },
                        {Path("d"), "found 1 class subfolder (only)", "need at least 2"});
}

TEST_F(TextFolderTest, RejectsEmptyClassFolder) {
  Write("d/a/1", "x");
  fs::create_directories(Path("d/b"));
  ExpectErrorContaining([&] { ReadTextFolder(Path("d")); },
                        {Path("d/b"), "class folder holds no files"});
}

TEST_F(TextFolderTest, MissingFolderSaysSo) {
  ExpectErrorContaining([&] { ReadTextFolder(Path("nope")); },
                        {Path("nope"), "does not exist", "one subfolder per class"});
}

class TextCsvTest : public testing_data::TempDirTest {};

TEST_F(TextCsvTest, ReadsQuotedFieldsAndMapsLabelsByName) {
  const std::string path = Write("t.csv",
                                 "id,label,text\n"
                                 "1,spam,\"buy, now\"\n"
                                 "2,ham,\"she said \"\"hi\"\"\"\n"
                                 "3,ham,\"two\nlines\"\n"
                                 "4,spam,\"  \"\n"
                                 "5,eggs,plain\n");
  const TextDataset data = ReadTextCsv(path);
  EXPECT_FALSE(data.has_test_split);
  EXPECT_EQ(data.class_names, (Texts{"eggs", "ham", "spam"}));
  EXPECT_EQ(data.train.texts, (Texts{"buy, now", "she said \"hi\"", "two\nlines", "plain"}));
  EXPECT_EQ(data.train.labels, (Labels{2, 1, 1, 0}));
  EXPECT_EQ(data.skipped_empty, 1);
}

TEST_F(TextCsvTest, KeepsZeroBasedIntegerLabelsAsNumbers) {
  const std::string path = Write("t.csv", "TEXT,Label\r\na,2\r\nb,0\r\nc,1\r\n");
  const TextDataset data = ReadTextCsv(path);
  EXPECT_EQ(data.class_names, (Texts{"0", "1", "2"}));
  EXPECT_EQ(data.train.labels, (Labels{2, 0, 1}));
}

TEST_F(TextCsvTest, SortsOtherIntegerLabelsNumerically) {
  const std::string path = Write("t.csv", "text,label\na,10\nb,2\nc,1\n");
  const TextDataset data = ReadTextCsv(path);
  EXPECT_EQ(data.class_names, (Texts{"1", "2", "10"}));
  EXPECT_EQ(data.train.labels, (Labels{2, 1, 0}));
}

TEST_F(TextCsvTest, TrainAndTestShareOneMapping) {
  const std::string train = Write("train.csv", "text,label\na,pos\nb,pos\n");
  const std::string test = Write("test.csv", "label,text\nneg,c\n");
  const TextDataset data = ReadTextCsv(train, test);
  EXPECT_TRUE(data.has_test_split);
  EXPECT_EQ(data.class_names, (Texts{"neg", "pos"}));
  EXPECT_EQ(data.train.labels, (Labels{1, 1}));
  EXPECT_EQ(data.test.texts, (Texts{"c"}));
  EXPECT_EQ(data.test.labels, (Labels{0}));
}

TEST_F(TextCsvTest, WrongFieldCountNamesTheLineAfterAMultiLineField) {
  // The bad record starts on line 4: the quoted field on line 2 spans two lines.
  const std::string path = Write("t.csv", "text,label\n\"a\nb\",x\nc,y,extra\n");
  ExpectErrorContaining([&] { ReadTextCsv(path); },
                        {path + ":4", "row has 3 fields, the header 2", "`text`"});
}

TEST_F(TextCsvTest, UnterminatedQuoteNamesTheLineItOpensOn) {
  const std::string path = Write("t.csv", "text,label\nok,1\n\"never closed,0\nmore\n");
  ExpectErrorContaining([&] { ReadTextCsv(path); },
                        {path + ":3", "unterminated quoted field", "RFC 4180"});
}

TEST_F(TextCsvTest, TextAfterClosingQuoteIsAnError) {
  const std::string path = Write("t.csv", "text,label\n\"a\"b,1\n");
  ExpectErrorContaining([&] { ReadTextCsv(path); },
                        {path + ":2", "unexpected character 'b' after the closing quote"});
}

TEST_F(TextCsvTest, MissingColumnsListTheHeader) {
  const std::string path = Write("t.csv", "sentence,category\na,b\n");
  ExpectErrorContaining([&] { ReadTextCsv(path); },
                        {path + ":1", "no `text` or `label` column", "it has: sentence, category"});
}

TEST_F(TextCsvTest, EmptyLabelIsAnError) {
  const std::string path = Write("t.csv", "text,label\na,1\nb, \n");
  ExpectErrorContaining([&] { ReadTextCsv(path); }, {path + ":3", "the label is empty"});
}

TEST_F(TextCsvTest, HeaderOnlyAndMissingFileAreErrors) {
  const std::string header_only = Write("h.csv", "text,label\n");
  ExpectErrorContaining([&] { ReadTextCsv(header_only); }, {header_only, "no rows"});
  const std::string missing = Path("missing.csv");
  ExpectErrorContaining([&] { ReadTextCsv(missing); }, {"cannot open CSV file", missing});
}

TEST_F(TextCsvTest, RefusesADeviceOrAFifoInsteadOfReadingIt) {
  const std::string link = Path("zero.csv");
  fs::create_symlink("/dev/zero", link);
  ExpectErrorContaining([&] { ReadTextCsv(link); },
                        {"CSV file " + link, "is a character device, not a regular file"});
  const std::string fifo = Path("fifo.csv");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ExpectErrorContaining([&] { ReadTextCsv(fifo); }, {fifo, "is a FIFO, not a regular file"});
}

TEST_F(TextCsvTest, RefusesAFileOverTheSizeLimit) {
  const std::string path = Write("huge.csv", "text,label\n");
  fs::resize_file(path, 600ll << 20);  // sparse: nothing is written
  ExpectErrorContaining([&] { ReadTextCsv(path); }, {path, "the limit is 512 MiB"});
}

TEST_F(TextFolderTest, DeviceAsTheFolderSaysWhatItIs) {
  ExpectErrorContaining([] { ReadTextFolder("/dev/zero"); },
                        {"text folder /dev/zero", "is a character device, not a folder"});
  ExpectErrorContaining([] { ReadImdb("/dev/zero"); },
                        {"IMDb folder /dev/zero", "is a character device, not a folder"});
}

TEST_F(TextFolderTest, TextFileOverTheSizeLimitIsRefused) {
  Write("a/one.txt", "x");
  const std::string big = Write("b/big.txt", "y");
  fs::resize_file(big, 20ll << 20);  // sparse
  ExpectErrorContaining([&] { ReadTextFolder(dir_.string()); },
                        {"text file " + big, "the limit is 16 MiB"});
}

TEST_F(TextFolderTest, AFifoOrADeviceAmongTheTextsIsNamed) {
  Write("d/a/one.txt", "x");
  Write("d/b/two.txt", "y");
  const std::string fifo = Path("d/b/three.txt");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ExpectErrorContaining([&] { ReadTextFolder(Path("d")); },
                        {"text file " + fifo, "is a FIFO, not a regular file"});
  fs::remove(fifo);
  const std::string link = Path("d/a/zero.txt");
  fs::create_symlink("/dev/zero", link);
  ExpectErrorContaining([&] { ReadTextFolder(Path("d")); },
                        {"text file " + link, "is a character device, not a regular file"});
}

}  // namespace
}  // namespace carbonbench
