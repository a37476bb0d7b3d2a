#include "clock.h"

#include <charconv>
#include <cstdio>

namespace proactive {

Timestamp SystemClock::now() const
{
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

namespace {

    bool readInt(std::string_view text, std::size_t& pos, std::size_t digits, int& out)
    {
        if (pos + digits > text.size())
            return false;
        auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + digits, out);
        if (ec != std::errc() || end != text.data() + pos + digits)
            return false;
        pos += digits;
        return true;
    }

    bool expect(std::string_view text, std::size_t& pos, char c)
    {
        if (pos < text.size() && text[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    }

} // namespace

std::optional<Timestamp> parseIsoTimestamp(std::string_view text)
{
    using namespace std::chrono;
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!readInt(text, pos, 4, y) || !expect(text, pos, '-') || !readInt(text, pos, 2, mo) || !expect(text, pos, '-')
        || !readInt(text, pos, 2, d))
        return std::nullopt;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
        ++pos;
        if (!readInt(text, pos, 2, h) || !expect(text, pos, ':') || !readInt(text, pos, 2, mi))
            return std::nullopt;
        if (expect(text, pos, ':') && !readInt(text, pos, 2, s))
            return std::nullopt;
    }
    int millis = 0;
    if (expect(text, pos, '.') || expect(text, pos, ',')) {
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 3)
                millis = millis * 10 + (text[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0)
            return std::nullopt;
        for (; digits < 3; ++digits)
            millis *= 10;
    }
    int offsetMinutes = 0;
    if (pos < text.size()) {
        const char sign = text[pos];
        if (sign == 'Z' || sign == 'z') {
            ++pos;
        } else if (sign == '+' || sign == '-') {
            ++pos;
            int oh = 0, om = 0;
            if (!readInt(text, pos, 2, oh))
                return std::nullopt;
            expect(text, pos, ':');
            if (pos < text.size() && !readInt(text, pos, 2, om))
                return std::nullopt;
            offsetMinutes = (sign == '+' ? 1 : -1) * (oh * 60 + om);
        }
    }
    if (pos != text.size())
        return std::nullopt;
    const year_month_day ymd { year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d)) };
    if (!ymd.ok() || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    const auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) + milliseconds(millis) - minutes(offsetMinutes);
    return time_point_cast<Duration>(t);
}

std::string formatIsoTimestamp(Timestamp t)
{
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd(day);
    const hh_mm_ss<Duration> tod(t - day);
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
        static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
        static_cast<int>(tod.subseconds().count()));
    return buffer;
}

} // namespace proactive
