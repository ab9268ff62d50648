#pragma once
// Non-ASCII identifiers as CPython reads them: every character checked against
// XID_Start/XID_Continue, then the name folded to its NFKC form (the name Python binds).
#include <string>
#include <string_view>

namespace ag::py {

// `raw` is the identifier's UTF-8 text. On success `folded` is its NFKC form; otherwise
// `message` says which character is not allowed.
bool verify_identifier(std::string_view raw, std::string& folded, std::string& message);

}  // namespace ag::py
