#pragma once

// The memory of a process and all its descendants (the studio and its
// QtWebEngine zygotes and renderers), from /proc: for the GUI harnesses.

#include <QFile>
#include <QString>
#include <sys/types.h>
#include <vector>

struct TreeMemory {
    long rssKiB = 0; // what each process has resident, summed: shared libraries count once per process
    long pssKiB = 0; // shared pages split between their processes: the tree's own footprint
};

// The studio and all its descendants (QtWebEngineProcess zygotes and renderers).
inline TreeMemory treeMemory(pid_t root)
{
    TreeMemory total;
    std::vector<pid_t> pending { root };
    while (!pending.empty()) {
        const pid_t pid = pending.back();
        pending.pop_back();
        QFile rollup(u"/proc/%1/smaps_rollup"_qs.arg(pid));
        if (rollup.open(QIODevice::ReadOnly))
            for (const QByteArray& line : rollup.readAll().split('\n')) {
                const long kib = line.mid(line.indexOf(':') + 1).trimmed().split(' ').first().toLong();
                if (line.startsWith("Rss:"))
                    total.rssKiB += kib;
                else if (line.startsWith("Pss:"))
                    total.pssKiB += kib;
            }
        QFile children(u"/proc/%1/task/%1/children"_qs.arg(pid));
        if (children.open(QIODevice::ReadOnly))
            for (const QByteArray& child : children.readAll().split(' '))
                if (!child.trimmed().isEmpty())
                    pending.push_back(child.trimmed().toInt());
    }
    return total;
}
