#pragma once
// The text of every JSON document the guard prints (check, heads, the JSON Lines of the hooks,
// check-merge and audit). nlohmann's dump() throws on a string that is not UTF-8, and the
// strings here are bytes (utf8.hpp); a reader must still get the bytes back.
//
// The rule: UTF-8 is written as it is; each byte that is not part of a UTF-8 character is
// written as the escape \udcXX, the lone surrogate U+DC80..U+DCFF that Python's surrogateescape
// (os.fsdecode) makes of byte XX. The document stays ASCII there, so it is valid UTF-8 JSON;
// json.loads() then os.fsencode() gives the bytes back (and the string opens the file as it is
// in Python), jq shows U+FFFD for the byte, JavaScript keeps the lone surrogate. No valid UTF-8
// decodes to a lone surrogate, so no other string is written the same way.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace ag {

// `j` as nlohmann's dump(indent) lays it out (indent < 0: one line), strings as above.
std::string json_text(const nlohmann::ordered_json& j, int indent = -1);

// Appends `s` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

}  // namespace ag
