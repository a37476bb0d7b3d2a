#include "helpdoc.h"

#include <QRegularExpression>

namespace proactive::helpdoc {

namespace {

    Error helpError(const QString& message)
    {
        return Error { "help_text", message.toStdString(), {} };
    }

    int indentOf(const QString& line)
    {
        int n = 0;
        while (n < line.size() && line.at(n) == u' ')
            ++n;
        return n;
    }

    // "  name   description" rows whose descriptions wrap onto deeper-indented
    // continuation lines: one (head, description) pair per row.
    struct Row {
        QString head;
        QString description;
    };

    Result<std::vector<Row>> parseRows(const QStringList& lines, const QString& section)
    {
        static const QRegularExpression rowPattern(u"^  (\\S.*?)(?:\\s{2,}(\\S.*))?$"_qs);
        std::vector<Row> rows;
        for (const QString& line : lines) {
            if (line.trimmed().isEmpty())
                continue;
            if (indentOf(line) > 2) {
                if (rows.empty())
                    return helpError(section + u": a continuation line before any entry: \""_qs + line + u'"');
                Row& row = rows.back();
                row.description += (row.description.isEmpty() ? QString() : u" "_qs) + line.trimmed();
                continue;
            }
            const auto match = rowPattern.match(line);
            if (!match.hasMatch())
                return helpError(section + u": not an indented entry: \""_qs + line + u'"');
            rows.push_back({ match.captured(1), match.captured(2) });
        }
        return rows;
    }

    Result<HelpOption> parseOption(const Row& row)
    {
        static const QRegularExpression namesPattern(u"^(-[^\\s<]+(?:, -[^\\s<]+)*)(?: <([^>]+)>)?$"_qs);
        const auto match = namesPattern.match(row.head);
        if (!match.hasMatch())
            return helpError(u"Options: not an option: \""_qs + row.head + u'"');
        return HelpOption { match.captured(1).split(u", "_qs), match.captured(2), row.description };
    }

    // The text split at the "Options:", "Arguments:" and "Commands:" headings.
    struct Sections {
        QStringList head;
        QStringList options;
        QStringList arguments;
        QStringList commands;
        QStringList tail; // after the command table: "Run '... --help' ..."
    };

    Sections splitSections(const QString& text)
    {
        Sections sections;
        QStringList* current = &sections.head;
        for (const QString& line : text.split(u'\n')) {
            if (line == u"Options:"_qs)
                current = &sections.options;
            else if (line == u"Arguments:"_qs)
                current = &sections.arguments;
            else if (line == u"Commands:"_qs)
                current = &sections.commands;
            else if (current == &sections.commands && !line.isEmpty() && indentOf(line) == 0)
                (current = &sections.tail)->append(line);
            else
                current->append(line);
        }
        return sections;
    }

    QStringList paragraphs(const QStringList& lines)
    {
        QStringList result;
        QString paragraph;
        for (const QString& line : lines) {
            if (line.trimmed().isEmpty()) {
                if (!paragraph.isEmpty())
                    result.append(paragraph);
                paragraph.clear();
            } else {
                paragraph += (paragraph.isEmpty() ? QString() : u" "_qs) + line.trimmed();
            }
        }
        if (!paragraph.isEmpty())
            result.append(paragraph);
        return result;
    }

    // Text for a roff body line: backslashes escaped, and no line starting
    // with a control character ('.' or '\'').
    QString roffText(const QString& text)
    {
        QString escaped = text;
        escaped.replace(u'\\', u"\\e"_qs);
        QStringList lines = escaped.split(u'\n');
        for (QString& line : lines)
            if (line.startsWith(u'.') || line.startsWith(u'\''))
                line.prepend(u"\\&"_qs);
        return lines.join(u'\n');
    }

    // A command-line word (option, program name) in roff: its hyphens are
    // minus signs, so that they copy and search as the ASCII '-'.
    QString roffWord(const QString& word)
    {
        return roffText(word).replace(u'-', u"\\-"_qs);
    }

    QString manHeader(const QString& name, const QString& summary, const ManPageInfo& info)
    {
        return u".TH \""_qs + roffWord(name.toUpper()) + u"\" 1 \"\" \""_qs + roffText(info.version) + u"\" \""_qs
            + roffText(info.manual) + u"\"\n.SH NAME\n"_qs + roffWord(name) + u" \\- "_qs + roffText(summary) + u'\n';
    }

    QString paragraphsRoff(const QStringList& paragraphs)
    {
        QString out;
        for (qsizetype i = 0; i < paragraphs.size(); ++i)
            out += (i ? u".PP\n"_qs : QString()) + roffText(paragraphs.at(i)) + u'\n';
        return out;
    }

    QString firstWord(const QString& program)
    {
        return program.section(u' ', 0, 0);
    }

    // What to offer for an option's value: directories, files, or nothing.
    QString valueCompletion(const QString& valueName)
    {
        const QString name = valueName.toLower();
        if (name == u"dir"_qs)
            return u"COMPREPLY=($(compgen -d -- \"$cur\"))"_qs;
        if (name.contains(u"file"_qs) || name == u"path"_qs || name == u"png"_qs || name.endsWith(u".json"_qs))
            return u"COMPREPLY=($(compgen -f -- \"$cur\"))"_qs;
        return u"COMPREPLY=()"_qs;
    }

    // A bash function name from the program's: "proactive-studio" → "_proactive_studio".
    QString completionFunction(const QString& program)
    {
        QString name = program;
        name.replace(QRegularExpression(u"[^A-Za-z0-9_]"_qs), u"_"_qs);
        return u'_' + name;
    }

} // namespace

Result<CommandHelp> parseCommandHelp(const QString& text)
{
    const Sections sections = splitSections(text);
    if (sections.head.isEmpty() || !sections.head.first().startsWith(u"Usage: "_qs))
        return helpError(u"the first line is not \"Usage: PROGRAM ...\""_qs);
    const QString usage = sections.head.first().mid(7).trimmed();
    const qsizetype optionsAt = usage.indexOf(u" [options]"_qs);
    CommandHelp help;
    help.program = optionsAt >= 0 ? usage.left(optionsAt) : usage;
    help.synopsis = optionsAt >= 0 ? usage.mid(optionsAt + 1) : QString();
    help.description = paragraphs(sections.head.mid(1));

    auto optionRows = parseRows(sections.options, u"Options"_qs);
    if (!optionRows)
        return optionRows.error();
    for (const Row& row : *optionRows) {
        auto option = parseOption(row);
        if (!option)
            return option.error();
        help.options.push_back(std::move(*option));
    }
    auto argumentRows = parseRows(sections.arguments, u"Arguments"_qs);
    if (!argumentRows)
        return argumentRows.error();
    for (const Row& row : *argumentRows)
        help.arguments.push_back({ row.head, row.description });
    return help;
}

Result<ProgramHelp> parseProgramHelp(const QString& text)
{
    const Sections sections = splitSections(text);
    ProgramHelp help;
    for (const QString& line : sections.head) {
        if (line.startsWith(u"Usage: "_qs))
            help.usage.append(line.mid(7).trimmed());
        else if (!help.usage.isEmpty() && !line.trimmed().isEmpty())
            help.usage.append(line.trimmed());
    }
    if (help.usage.isEmpty())
        return helpError(u"no \"Usage:\" line"_qs);
    auto rows = parseRows(sections.commands, u"Commands"_qs);
    if (!rows)
        return rows.error();
    for (const Row& row : *rows)
        help.commands.push_back({ row.head, row.description });
    if (help.commands.empty())
        return helpError(u"no \"Commands:\" table"_qs);
    return help;
}

QString commandManPage(const CommandHelp& help, const QString& summary, const ManPageInfo& info)
{
    const QString pageName = QString(help.program).replace(u' ', u'-');
    QString out = manHeader(pageName, summary, info);
    out += u".SH SYNOPSIS\n.B "_qs + roffWord(help.program) + u'\n';
    if (!help.synopsis.isEmpty())
        out += roffText(help.synopsis) + u'\n';
    out += u".SH DESCRIPTION\n"_qs + paragraphsRoff(help.description);
    if (!help.options.empty()) {
        out += u".SH OPTIONS\n"_qs;
        for (const HelpOption& option : help.options) {
            QStringList names;
            for (const QString& name : option.names)
                names.append(u"\\fB"_qs + roffWord(name) + u"\\fR"_qs);
            out += u".TP\n"_qs + names.join(u", "_qs);
            if (!option.valueName.isEmpty())
                out += u" \\fI"_qs + roffText(option.valueName) + u"\\fR"_qs;
            out += u'\n' + roffText(option.description) + u'\n';
        }
    }
    if (!help.arguments.empty()) {
        out += u".SH ARGUMENTS\n"_qs;
        for (const HelpArgument& argument : help.arguments)
            out += u".TP\n\\fI"_qs + roffText(argument.name) + u"\\fR\n"_qs + roffText(argument.description) + u'\n';
    }
    out += u".SH SEE ALSO\n.BR "_qs + roffWord(firstWord(help.program)) + u" (1)\n"_qs;
    return out;
}

QString programManPage(const QString& program, const QString& description, const ProgramHelp& help,
    const QString& extraRoff, const ManPageInfo& info)
{
    QString out = manHeader(program, description, info);
    out += u".SH SYNOPSIS\n"_qs;
    for (qsizetype i = 0; i < help.usage.size(); ++i) {
        const QString& usage = help.usage.at(i);
        out += (i ? u".br\n"_qs : QString()) + u".B "_qs + roffWord(firstWord(usage)) + u'\n'
            + roffText(usage.section(u' ', 1)) + u'\n';
    }
    out += u".SH DESCRIPTION\n"_qs + roffText(description) + u".\n.PP\nEach command prints its options with "_qs
        + u"\\fB\\-\\-help\\fR and has its own manual page.\n.SH COMMANDS\n"_qs;
    for (const CommandSummary& command : help.commands)
        out += u".TP\n.B "_qs + roffWord(command.name) + u'\n' + roffText(command.summary) + u'\n';
    out += extraRoff;
    if (!extraRoff.isEmpty() && !extraRoff.endsWith(u'\n'))
        out += u'\n';
    out += u".SH SEE ALSO\n"_qs;
    QStringList references;
    for (const CommandSummary& command : help.commands)
        references.append(u".BR "_qs + roffWord(program + u'-' + command.name) + u" (1)"_qs);
    out += references.join(u",\n"_qs) + u'\n';
    return out;
}

QString bashCompletion(const QString& program, const ProgramHelp& help, const std::vector<CommandHelp>& commands)
{
    QStringList names;
    for (const CommandSummary& command : help.commands)
        names.append(command.name);
    const QString function = completionFunction(program);
    QString out = u"# bash completion for "_qs + program + u", generated from its --help texts.\n"_qs + function
        + u"()\n{\n"
          u"    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          u"    local options\n"
          u"    if ((COMP_CWORD == 1)); then\n"
          u"        COMPREPLY=($(compgen -W \""_qs
        + names.join(u' ') + u" --help --version --workspace\" -- \"$cur\"))\n"_qs
        + u"        return\n"
          u"    fi\n"
          u"    case ${COMP_WORDS[1]} in\n"
          u"    --workspace)\n"
          u"        ((COMP_CWORD == 2)) && COMPREPLY=($(compgen -d -- \"$cur\"))\n"
          u"        return\n"
          u"        ;;\n"_qs;
    for (const CommandHelp& command : commands) {
        QStringList optionNames;
        QString valueCases;
        for (const HelpOption& option : command.options) {
            optionNames += option.names;
            if (!option.valueName.isEmpty())
                valueCases += u"        "_qs + option.names.join(u'|') + u")\n            "_qs
                    + valueCompletion(option.valueName) + u"\n            return\n            ;;\n"_qs;
        }
        out += u"    "_qs + command.program.section(u' ', 1) + u")\n        options=\""_qs + optionNames.join(u' ')
            + u"\"\n"_qs;
        if (!valueCases.isEmpty())
            out += u"        case $prev in\n"_qs + valueCases + u"        esac\n"_qs;
        out += u"        ;;\n"_qs;
    }
    out += u"    *)\n"
           u"        return\n"
           u"        ;;\n"
           u"    esac\n"
           u"    if [[ $cur == -* ]]; then\n"
           u"        COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
           u"    else\n"
           u"        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
           u"    fi\n"
           u"}\n"
           u"complete -o filenames -F "_qs
        + function + u' ' + program + u'\n';
    return out;
}

} // namespace proactive::helpdoc
