#include "commands.h"
#include "store/openstore.h"
#include "store/sqlitestore.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace proactive::app {

int runStore(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Works on a connector's stored state. `copy` moves everything a SQLite file holds (sessions with their "
        "actions and event uuids, conversations and their transition logs, firings, circuits, users' offer "
        "histories) into another store, e.g. Redis before running several `serve` instances on it. Stop the "
        "`serve` that owns the file first: the file is locked while it runs."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"action"_qs, u"copy"_qs);
    const QCommandLineOption fromOption(u"from"_qs, u"The store to read: sqlite:FILE."_qs, u"store"_qs);
    const QCommandLineOption toOption(u"to"_qs,
        u"The store to write: redis://HOST:PORT[/DB][?prefix=P...] or sqlite:FILE; it must be empty."_qs, u"store"_qs);
    parser.addOptions({ fromOption, toOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (parser.positionalArguments() != QStringList { u"copy"_qs } || !parser.isSet(fromOption)
        || !parser.isSet(toOption)) {
        err << "store needs: copy --from sqlite:FILE --to STORE\n" << parser.helpText();
        return 2;
    }
    const QString from = parser.value(fromOption);
    if (!from.startsWith(u"sqlite:"_qs)) {
        err << "--from: only a SQLite file (sqlite:FILE) can be copied from, got \"" << from << "\"\n";
        return 2;
    }
    // Opened as it is: nothing expires on the way, the target gets what the file holds.
    auto source = SqliteStore::open(from.mid(7).toStdString());
    if (!source) {
        err << "--from: " << QString::fromStdString(source.error().toString()) << '\n';
        return 1;
    }
    auto target = openStore(parser.value(toOption).toStdString());
    if (!target) {
        err << "--to: " << QString::fromStdString(target.error().toString()) << '\n';
        return 1;
    }
    // Copying into a store in use would merge two deployments' state.
    if (const std::size_t sessions = (*target)->sessionCount(); sessions > 0) {
        err << "--to: the store already holds " << sessions
            << " sessions; copy into an empty one (for Redis, another database or ?prefix=)\n";
        return 1;
    }
    const std::size_t total = (*source)->sessionCount();
    err << "copying " << total << " sessions and everything else " << from << " holds\n";
    const auto copied = (*source)->copyTo(
        **target, [&err](std::size_t records) { err << "\r" << records << " records copied" << Qt::flush; });
    err << '\n';
    if (!copied) {
        err << "copy stopped: " << QString::fromStdString(copied.error().toString())
            << "\nthe source is unchanged; empty the target before copying again\n";
        return 1;
    }
    const std::size_t arrived = (*target)->sessionCount();
    out << "copied " << arrived << " sessions to " << parser.value(toOption) << '\n';
    if (arrived != total) {
        err << "the target holds " << arrived << " sessions, the source " << total << '\n';
        return 1;
    }
    return 0;
}

} // namespace proactive::app
