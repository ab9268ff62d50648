#pragma once
// The value of a Python string literal's body, escapes decoded as CPython decodes them
// ("unicodeescape" for str, the bytes rules for bytes), or the error CPython raises.
#include <string>
#include <string_view>

namespace ag::py {

// A str body (not raw) to UTF-8; lone surrogates from \ud800-style escapes as WTF-8.
bool decode_str_escapes(std::string_view body, std::string& out, std::string& error);
// A bytes body (not raw): the bytes. Non-ASCII characters are the caller's error.
bool decode_bytes_escapes(std::string_view body, std::string& out, std::string& error);

}  // namespace ag::py
