#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>
#include <vector>

// Man pages and shell completion generated from the text `--help` prints,
// so that they cannot drift from it. The text is QCommandLineParser's:
//
//   Usage: proactive-studio serve [options] workspace
//   Description, one or more paragraphs.
//
//   Options:
//     -h, --help         Displays help on commandline options.
//     --listen <host:port>  Address and port ... wrapped onto
//                           continuation lines.
//
//   Arguments:
//     workspace          The workspace folder.
namespace proactive::helpdoc {

struct HelpOption {
    QStringList names; // "-h", "--help"
    QString valueName; // "host:port", empty for a flag
    QString description;
};

struct HelpArgument {
    QString name;
    QString description;
};

struct CommandHelp {
    QString program; // "proactive-studio serve"
    QString synopsis; // what follows the program in "Usage:": "[options] workspace"
    QStringList description; // paragraphs
    std::vector<HelpOption> options;
    std::vector<HelpArgument> arguments;
};

struct CommandSummary {
    QString name;
    QString summary;
};

// The top-level `proactive-studio --help`: its usage lines and command table.
struct ProgramHelp {
    QStringList usage; // "proactive-studio [--workspace DIR]", "proactive-studio <command> [options]"
    std::vector<CommandSummary> commands;
};

Result<CommandHelp> parseCommandHelp(const QString& text);
Result<ProgramHelp> parseProgramHelp(const QString& text);

struct ManPageInfo {
    QString version; // "0.1.0", in the page's footer
    QString manual; // the manual's title, "Proactive Studio"
};

// roff (man(7)) for one command, named "<program>-<command>(1)".
QString commandManPage(const CommandHelp& help, const QString& summary, const ManPageInfo& info);

// roff for the program itself, with its commands and an optional roff
// fragment (FILES, ENVIRONMENT, ...) appended before SEE ALSO.
QString programManPage(const QString& program, const QString& description, const ProgramHelp& help,
    const QString& extraRoff, const ManPageInfo& info);

// A bash completion script: commands, each command's options, and for an
// option's value directories (<dir>), files (<file>, <png>, *.json) or
// nothing (a number, an address).
QString bashCompletion(const QString& program, const ProgramHelp& help, const std::vector<CommandHelp>& commands);

} // namespace proactive::helpdoc
