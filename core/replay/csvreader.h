#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// One record of a CSV file.
struct CsvRecord {
    std::vector<std::string> fields;
    std::size_t line = 0; // the (1-based) line the record starts on
};

// Reads CSV as RFC 4180 writes it (PostHog's exports are Python csv output):
// fields separated by commas, records by CRLF or LF, and a quoted field may
// hold commas, line breaks and doubled quotes. Blank lines are skipped. A
// malformed record — a quote inside an unquoted field, text after a closing
// quote, a quoted field that never ends — is reported with its line and
// skipped; reading goes on with the next record.
class CsvReader final {
public:
    enum class Status { Record, Malformed, End };

    explicit CsvReader(std::string_view text);

    // Reads the next record into `record`; on Malformed `error` says why
    // (record.line is set, the fields are not to be used).
    Status next(CsvRecord& record, std::string& error);
    // Bytes consumed so far, for progress.
    std::size_t offset() const { return m_pos; }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
    std::size_t m_line = 1;
};

} // namespace proactive
