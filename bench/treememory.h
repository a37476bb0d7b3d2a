#pragma once

// The memory of a process and all its descendants (the studio and its
// QtWebEngine zygotes and renderers), from /proc: for the GUI harnesses.

#include <QFile>
#include <QString>
#include <sys/types.h>
#include <vector>

// One process of the tree: the studio itself ("studio") or a QtWebEngine
// helper, named by its Chromium `--type=` (zygote, gpu-process, utility),
// "renderer" for a zygote's child (forked, it keeps the zygote's command line).
struct ProcessMemory {
    pid_t pid = 0;
    QString kind;
    long pssKiB = 0;
};

struct TreeMemory {
    long rssKiB = 0; // what each process has resident, summed: shared libraries count once per process
    long pssKiB = 0; // shared pages split between their processes: the tree's own footprint
    std::vector<ProcessMemory> processes; // the tree's processes, the studio first

    // The PSS of the tree's processes of this kind, summed.
    long pssKiBOf(const QString& kind) const
    {
        long total = 0;
        for (const ProcessMemory& process : processes)
            if (process.kind == kind)
                total += process.pssKiB;
        return total;
    }
};

// Chromium's process type from its command line ("--type=renderer").
inline QString processKind(pid_t pid)
{
    QFile cmdline(u"/proc/%1/cmdline"_qs.arg(pid));
    if (!cmdline.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray& argument : cmdline.readAll().split('\0'))
        if (argument.startsWith("--type="))
            return QString::fromUtf8(argument.mid(7));
    return u"other"_qs;
}

// The studio and all its descendants (QtWebEngineProcess zygotes and renderers).
inline TreeMemory treeMemory(pid_t root)
{
    TreeMemory total;
    struct Pending {
        pid_t pid;
        QString parentKind;
    };
    std::vector<Pending> pending { { root, {} } };
    while (!pending.empty()) {
        const auto [pid, parentKind] = pending.back();
        pending.pop_back();
        const QString kind = pid == root ? u"studio"_qs
            : parentKind == u"zygote"_qs ? u"renderer"_qs
                                         : processKind(pid);
        ProcessMemory process { pid, kind, 0 };
        QFile rollup(u"/proc/%1/smaps_rollup"_qs.arg(pid));
        if (rollup.open(QIODevice::ReadOnly))
            for (const QByteArray& line : rollup.readAll().split('\n')) {
                const long kib = line.mid(line.indexOf(':') + 1).trimmed().split(' ').first().toLong();
                if (line.startsWith("Rss:"))
                    total.rssKiB += kib;
                else if (line.startsWith("Pss:"))
                    process.pssKiB = kib;
            }
        total.pssKiB += process.pssKiB;
        total.processes.push_back(process);
        QFile children(u"/proc/%1/task/%1/children"_qs.arg(pid));
        if (children.open(QIODevice::ReadOnly))
            for (const QByteArray& child : children.readAll().split(' '))
                if (!child.trimmed().isEmpty())
                    pending.push_back({ child.trimmed().toInt(), kind });
    }
    return total;
}
