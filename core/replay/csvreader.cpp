#include "replay/csvreader.h"

namespace proactive {

CsvReader::CsvReader(std::string_view text)
    : m_text(text)
{
    // Spreadsheet tools write a UTF-8 byte order mark; it is not part of the first column's name.
    if (m_text.starts_with("\xEF\xBB\xBF"))
        m_pos = 3;
}

CsvReader::Status CsvReader::next(CsvRecord& record, std::string& error)
{
    const std::size_t size = m_text.size();
    // Blank lines are not records.
    while (m_pos < size && (m_text[m_pos] == '\n' || m_text[m_pos] == '\r')) {
        if (m_text[m_pos] == '\n')
            ++m_line;
        ++m_pos;
    }
    if (m_pos >= size)
        return Status::End;

    record.fields.clear();
    record.line = m_line;
    error.clear();
    std::string field;
    auto fail = [&](std::string message) {
        if (error.empty())
            error = std::move(message) + " (field " + std::to_string(record.fields.size() + 1) + ")";
    };

    for (;;) {
        // One field, starting at m_pos.
        field.clear();
        if (m_pos < size && m_text[m_pos] == '"') {
            const std::size_t openedOn = m_line;
            ++m_pos;
            bool closed = false;
            while (m_pos < size) {
                const char c = m_text[m_pos++];
                if (c == '"') {
                    if (m_pos < size && m_text[m_pos] == '"') {
                        field += '"';
                        ++m_pos;
                        continue;
                    }
                    closed = true;
                    break;
                }
                if (c == '\n')
                    ++m_line;
                field += c;
            }
            if (!closed) {
                error = "the quoted field opened on line " + std::to_string(openedOn) + " never ends";
                return Status::Malformed;
            }
            // Only a separator or the end of the record may follow a closing quote.
            if (m_pos < size && m_text[m_pos] != ',' && m_text[m_pos] != '\n' && m_text[m_pos] != '\r')
                fail("text after a closing quote");
        }
        // The unquoted part (all of an unquoted field; for a malformed one, up to the separator).
        while (m_pos < size) {
            const char c = m_text[m_pos];
            if (c == ',' || c == '\n' || c == '\r')
                break;
            if (c == '"')
                fail("a quote inside an unquoted field");
            field += c;
            ++m_pos;
        }
        record.fields.push_back(field);
        if (m_pos >= size)
            break;
        const char c = m_text[m_pos++];
        if (c == ',')
            continue;
        if (c == '\r' && m_pos < size && m_text[m_pos] == '\n')
            ++m_pos;
        ++m_line;
        break;
    }
    return error.empty() ? Status::Record : Status::Malformed;
}

} // namespace proactive
