#pragma once
// UTF-8 for the Python reader: decoding (which bytes are well-formed is utf8.hpp's one
// rule, shared with every output), encoding, and NFKC normalisation (how Python folds
// identifiers).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ag::py {

constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFFu;

// Decodes the code point at s[i] and advances i past it; when the bytes there are not strict
// UTF-8 (overlong forms, surrogates and values above U+10FFFF included) returns
// kInvalidCodePoint and advances by one byte.
uint32_t next_code_point(std::string_view s, size_t& i);

// Offsets of every byte where strict UTF-8 decoding fails, in order.
std::vector<size_t> invalid_utf8_offsets(std::string_view s);

// UTF-8 of a code point. Lone surrogates (which a Python str may hold, from "\udc80") are
// encoded as their three bytes, as WTF-8 does: they stay distinct from every valid string.
void append_utf8(std::string& out, uint32_t cp);
std::string encode_utf8(uint32_t cp);
std::string encode_utf8(std::u32string_view text);

// Unicode normalisation form KC, with the tables of CPython 3.11's unicodedata (Unicode 14).
std::u32string nfkc(std::u32string_view text);

}  // namespace ag::py
