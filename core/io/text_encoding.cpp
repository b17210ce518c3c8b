#include "io/text_encoding.h"

#include <cstdio>

#include "common/error.h"

namespace tiltbench {

bool isValidUtf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* e = p + s.size();
    while (p < e) {
        const unsigned c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int n = 0;
        unsigned cp = 0;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (e - p <= n) {
            return false;
        }
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static const unsigned kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        p += n + 1;
    }
    return true;
}

std::string latin1ToUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out += ch;
        } else {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

std::string toUtf8(std::string_view s) {
    return isValidUtf8(s) ? std::string(s) : latin1ToUtf8(s);
}

std::string utf8Prefix(std::string_view s, size_t maxBytes) {
    if (s.size() <= maxBytes) {
        return toUtf8(s);
    }
    // A continuation byte right after the cut means the cut splits a character: end before its lead byte.
    size_t n = maxBytes;
    while (n > 0 && maxBytes - n < 3 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) {
        --n;
    }
    return toUtf8(s.substr(0, n));
}

namespace {

// `name` for a message: valid UTF-8, control characters shown as \xNN, at most 60 bytes.
std::string quoted(std::string_view name) {
    return "'" + displayText(utf8Prefix(name, 60)) + (name.size() > 60 ? "…'" : "'");
}

}  // namespace

std::string displayText(std::string_view s) {
    const std::string safe = toUtf8(s);
    std::string out;
    for (char ch : safe) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out;
}

void checkName(std::string_view name, const std::string& what) {
    if (name.empty())
        throw Error("the " + what + " is empty; give a name");
    if (name.size() > kMaxNameBytes) {
        throw Error("the " + what + " " + quoted(name) + " is " + std::to_string(name.size()) +
                    " bytes long; at most " + std::to_string(kMaxNameBytes) + " are allowed");
    }
    if (!isValidUtf8(name)) {
        throw Error("the " + what + " " + quoted(name) +
                    " is not valid UTF-8 text; names must be UTF-8 (convert it, e.g. with iconv)");
    }
    const auto* p = reinterpret_cast<const unsigned char*>(name.data());
    for (size_t i = 0; i < name.size(); ++i) {
        const unsigned c = p[i];
        // C1 controls U+0080-U+009F are the two-byte sequences C2 80 - C2 9F.
        const bool c1 = c == 0xC2 && i + 1 < name.size() && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F;
        if (c < 0x20 || c == 0x7F || c1) {
            throw Error("the " + what + " " + quoted(name) + " contains a control character (byte " +
                        std::to_string(i) +
                        "); names are text without tabs, line breaks or other control "
                        "characters");
        }
    }
}

}  // namespace tiltbench
