#pragma once
// Delimiter and FieldSplitter: cut one record into fields. A delimiter is a single character (',', '\t', ';',
// '|'), a multi-character text ("::" in MovieLens .dat files) or "whitespace" (runs of spaces and tabs, as in
// FilmTrust and Coat). In quoted mode a field that starts with '"' runs to the matching quote, may contain
// the delimiter and line breaks, and "" stands for one quote (RFC 4180); text after the closing quote is
// kept, so sloppy files still import. Unquoted fields are trimmed of surrounding spaces. Fields are views
// into the record, or into the splitter's own scratch buffer when unquoting had to rewrite them, so they are
// valid until the next call.
#include <string>
#include <string_view>
#include <vector>

namespace tiltbench {

class Delimiter {
  public:
    enum class Kind { Char, Text, Whitespace };

    Delimiter() = default;
    static Delimiter character(char c);
    static Delimiter text(std::string t);  // one character becomes `character`
    static Delimiter whitespace();

    // Parses user input: a single character, "\t", "tab", "space", "comma", "semicolon", "pipe",
    // "whitespace", or any multi-character text. Throws Error on an empty string.
    static Delimiter parse(const std::string& spec);

    Kind kind() const { return m_kind; }
    char ch() const { return m_ch; }
    const std::string& textValue() const { return m_text; }
    // For LineReader's quote tracking: the character, 0 for whitespace (or for text, which is never quoted).
    char quoteDelimiter() const { return m_kind == Kind::Char ? m_ch : 0; }
    // Human-readable: "tab", "comma", "'::'", "whitespace".
    std::string describe() const;
    // As stored in CsvOptions / source JSON: the delimiter characters themselves (" " for whitespace).
    std::string spec() const;

  private:
    Kind m_kind = Kind::Char;
    char m_ch = ',';
    std::string m_text;
};

class FieldSplitter {
  public:
    FieldSplitter(Delimiter delimiter, bool quoted);

    const std::vector<std::string_view>& split(std::string_view record);
    const Delimiter& delimiter() const { return m_delimiter; }
    bool quoted() const { return m_quoted; }

  private:
    void splitQuoted(std::string_view record);

    Delimiter m_delimiter;
    bool m_quoted;
    std::vector<std::string_view> m_fields;
    std::string m_scratch;
};

// Strips spaces, tabs and stray carriage returns from both ends.
std::string_view trimField(std::string_view s);

}  // namespace tiltbench
