#pragma once
// Revision IDs, paths, labels and messages are bytes: git names files in bytes, and a migration
// may spell its ID in any codec. The outputs that need UTF-8 (JSON, GitHub's annotations, the
// cache's JSON) find here, in one way, which bytes are not.
#include <cstddef>
#include <string_view>

namespace ag {

// The length of the well-formed UTF-8 character that starts at s[i] (Unicode's table 3-7: no
// overlong form, no surrogate, nothing above U+10FFFF), or 0 when none does: that byte is not
// UTF-8, and the next one is looked at afresh, as Python's decoder does under surrogateescape.
size_t utf8_length_at(std::string_view s, size_t i);

bool is_utf8(std::string_view s);

}  // namespace ag
