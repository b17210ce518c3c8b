#pragma once
// Text encoding of titles. MovieLens 100K and 1M ship their titles in Latin-1 (ISO-8859-1) while newer
// releases use UTF-8, and copies on the web have been re-encoded either way, so the importer does not trust a
// declared encoding: text that is valid UTF-8 is kept, anything else is read as Latin-1 and converted.
// Latin-1 text passes as UTF-8 only by accident of letter pairs real titles do not contain (such as "Ã©").
#include <string>
#include <string_view>

namespace tiltbench {

bool isValidUtf8(std::string_view s);
std::string latin1ToUtf8(std::string_view s);
// `s` unchanged when it is valid UTF-8, otherwise converted from Latin-1.
std::string toUtf8(std::string_view s);
// File content quoted in a message: at most the first `maxBytes` bytes of `s`, cut before a UTF-8 sequence
// the limit would split, through toUtf8 — so messages stay valid UTF-8 (JSON output, the GUI) whatever the
// file holds.
std::string utf8Prefix(std::string_view s, size_t maxBytes);

// The text policy for names a user gives (dataset names): 1 to kMaxNameBytes bytes of valid UTF-8 without
// control characters (U+0000-U+001F, U+007F-U+009F), so every listing, JSON output and GUI table can show
// them. Throws Error saying what is wrong, with the name quoted safely; `what` is e.g. "dataset name".
constexpr size_t kMaxNameBytes = 200;
// `s` for one line of terminal output: converted to UTF-8 (toUtf8), control characters written as \xNN — for
// names read from a workspace that may predate the policy or come from anyone.
std::string displayText(std::string_view s);
void checkName(std::string_view name, const std::string& what);

// An id or title read from a file, as stored: UTF-8 kept, anything else converted from Latin-1 (toUtf8).
// ASCII, by far the common case, is returned without a scan of more than its bytes.
inline std::string_view utf8Field(std::string_view s, std::string& scratch) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            if (isValidUtf8(s))
                return s;
            scratch = latin1ToUtf8(s);
            return scratch;
        }
    }
    return s;
}

}  // namespace tiltbench
