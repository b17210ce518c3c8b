#include "io/field_splitter.h"

#include <cstring>

#include "common/error.h"

namespace tiltbench {

namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::string_view trimField(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && isBlank(s[b])) {
        ++b;
    }
    while (e > b && isBlank(s[e - 1])) {
        --e;
    }
    return s.substr(b, e - b);
}

Delimiter Delimiter::character(char c) {
    Delimiter d;
    d.m_kind = Kind::Char;
    d.m_ch = c;
    return d;
}

Delimiter Delimiter::text(std::string t) {
    if (t.size() == 1) {
        return t[0] == ' ' ? whitespace() : character(t[0]);
    }
    Delimiter d;
    d.m_kind = Kind::Text;
    d.m_text = std::move(t);
    return d;
}

Delimiter Delimiter::whitespace() {
    Delimiter d;
    d.m_kind = Kind::Whitespace;
    d.m_ch = ' ';
    return d;
}

Delimiter Delimiter::parse(const std::string& spec) {
    if (spec.empty()) {
        throw Error("The delimiter is empty; give a character such as ',' or 'tab'.");
    }
    std::string lower;
    for (char c : spec) {
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (lower == "\\t" || lower == "tab") {
        return character('\t');
    }
    if (lower == "space" || lower == "whitespace" || lower == " ") {
        return whitespace();
    }
    if (lower == "comma") {
        return character(',');
    }
    if (lower == "semicolon") {
        return character(';');
    }
    if (lower == "pipe") {
        return character('|');
    }
    return text(spec);
}

std::string Delimiter::describe() const {
    switch (m_kind) {
        case Kind::Whitespace:
            return "whitespace";
        case Kind::Text:
            return "'" + m_text + "'";
        case Kind::Char:
            break;
    }
    switch (m_ch) {
        case '\t':
            return "tab";
        case ',':
            return "comma";
        case ';':
            return "semicolon";
        case '|':
            return "pipe";
        default:
            return std::string("'") + m_ch + "'";
    }
}

std::string Delimiter::spec() const {
    switch (m_kind) {
        case Kind::Whitespace:
            return " ";
        case Kind::Text:
            return m_text;
        case Kind::Char:
            break;
    }
    return std::string(1, m_ch);
}

FieldSplitter::FieldSplitter(Delimiter delimiter, bool quoted)
    : m_delimiter(std::move(delimiter)), m_quoted(quoted && m_delimiter.kind() == Delimiter::Kind::Char) {}

const std::vector<std::string_view>& FieldSplitter::split(std::string_view record) {
    m_fields.clear();
    switch (m_delimiter.kind()) {
        case Delimiter::Kind::Whitespace: {
            size_t i = 0;
            const size_t n = record.size();
            while (i < n) {
                while (i < n && isBlank(record[i])) {
                    ++i;
                }
                if (i == n) {
                    break;
                }
                size_t j = i;
                while (j < n && !isBlank(record[j])) {
                    ++j;
                }
                m_fields.push_back(record.substr(i, j - i));
                i = j;
            }
            break;
        }
        case Delimiter::Kind::Text: {
            const std::string& t = m_delimiter.textValue();
            size_t i = 0;
            for (;;) {
                size_t k = record.find(t, i);
                if (k == std::string_view::npos) {
                    m_fields.push_back(trimField(record.substr(i)));
                    break;
                }
                m_fields.push_back(trimField(record.substr(i, k - i)));
                i = k + t.size();
            }
            break;
        }
        case Delimiter::Kind::Char: {
            if (m_quoted && std::memchr(record.data(), '"', record.size())) {
                splitQuoted(record);
                break;
            }
            const char d = m_delimiter.ch();
            const char* p = record.data();
            const char* end = p + record.size();
            for (;;) {
                const char* k = static_cast<const char*>(std::memchr(p, d, static_cast<size_t>(end - p)));
                if (!k) {
                    m_fields.push_back(trimField(std::string_view(p, static_cast<size_t>(end - p))));
                    break;
                }
                m_fields.push_back(trimField(std::string_view(p, static_cast<size_t>(k - p))));
                p = k + 1;
            }
            break;
        }
    }
    return m_fields;
}

void FieldSplitter::splitQuoted(std::string_view record) {
    // Unquoted text never grows, so sizing the scratch once keeps every view into it valid for this record.
    m_scratch.resize(record.size());
    char* out = m_scratch.data();
    size_t w = 0;
    const char d = m_delimiter.ch();
    const size_t n = record.size();
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < n && record[j] != d && isBlank(record[j])) {
            ++j;
        }
        if (j < n && record[j] == '"') {
            const size_t start = w;
            ++j;
            while (j < n) {
                const char c = record[j];
                if (c == '"') {
                    if (j + 1 < n && record[j + 1] == '"') {
                        out[w++] = '"';
                        j += 2;
                        continue;
                    }
                    ++j;
                    break;
                }
                out[w++] = c;
                ++j;
            }
            size_t k = j;
            while (k < n && record[k] != d) {
                ++k;
            }
            for (char c : trimField(record.substr(j, k - j))) {
                out[w++] = c;
            }
            m_fields.emplace_back(out + start, w - start);
            if (k >= n) {
                break;
            }
            i = k + 1;
        } else {
            size_t k = record.find(d, i);
            if (k == std::string_view::npos) {
                m_fields.push_back(trimField(record.substr(i)));
                break;
            }
            m_fields.push_back(trimField(record.substr(i, k - i)));
            i = k + 1;
        }
    }
}

}  // namespace tiltbench
