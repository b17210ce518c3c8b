#include <gtest/gtest.h>
#include <QDir>
#include <QFile>

#include "shell/recent_files.h"
#include "support/test_support.h"

using namespace tiltbench;

namespace {
QString touch(const test::TempDir& dir, const std::string& name) {
    test::writeFile(dir.file(name), "x");
    return QDir(QString::fromStdString(dir.path())).canonicalPath() + QLatin1Char('/') +
           QString::fromStdString(name);
}
}  // namespace

TEST(RecentFiles, NewestFirstWithoutDuplicatesAndAtMostEight) {
    test::TempDir dir;
    RecentFiles recent(QStringLiteral("test/recent1"));
    recent.clear();
    QStringList files;
    for (int i = 0; i < 10; ++i) {
        files << touch(dir, "w" + std::to_string(i) + ".sqlite");
        recent.add(files.back());
    }
    QStringList list = recent.list();
    ASSERT_EQ(list.size(), RecentFiles::kMax);
    EXPECT_EQ(list.front(), files[9]);
    EXPECT_EQ(list.back(), files[2]);

    recent.add(files[5]);
    list = recent.list();
    EXPECT_EQ(list.front(), files[5]);
    EXPECT_EQ(list.count(files[5]), 1);
    EXPECT_EQ(list.size(), RecentFiles::kMax);
}

TEST(RecentFiles, MissingFilesArePruned) {
    test::TempDir dir;
    RecentFiles recent(QStringLiteral("test/recent2"));
    recent.clear();
    const QString a = touch(dir, "a.sqlite");
    const QString b = touch(dir, "b.sqlite");
    recent.add(a);
    recent.add(b);
    ASSERT_EQ(recent.list().size(), 2);
    QFile::remove(a);
    EXPECT_EQ(recent.list(), QStringList{b});
    recent.remove(b);
    EXPECT_TRUE(recent.list().isEmpty());
}
