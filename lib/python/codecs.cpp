#include "python/codecs.hpp"

#include "python/escape_codecs.hpp"
#include "python/multibyte_codecs.hpp"
#include "python/utf7_codec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>

namespace ag::py {
namespace {

struct CodecModule {
    std::string_view module;  // encodings.<module>
    Codec codec;
};
struct CodecAlias {
    std::string_view alias;
    std::string_view module;
};

// Most tables are ASCII below 0x80; the generator writes only their upper half.
constexpr std::array<char32_t, 256> ascii_then(const std::array<char32_t, 128>& upper) {
    std::array<char32_t, 256> table{};
    for (size_t b = 0; b < 128; ++b) {
        table[b] = static_cast<char32_t>(b);
        table[b + 128] = upper[b];
    }
    return table;
}

#include "python/codec_tables.inc"

bool is_ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The tokenizer's own reading of the cookie, before any codec: the first 12 characters,
// lower-cased, '_' as '-'; "utf-8" and "latin-1" (with two other spellings) alone or followed
// by '-' need no codec. Empty when it is neither.
std::string_view tokenizer_encoding(std::string_view cookie) {
    std::string head(cookie.substr(0, 12));
    for (char& c : head) c = c == '_' ? '-' : ascii_lower(c);
    const auto is = [&](std::string_view name) {
        return head == name || (head.starts_with(name) && head.size() > name.size() && head[name.size()] == '-');
    };
    if (is("utf-8")) return "utf-8";
    if (is("latin-1") || is("iso-8859-1") || is("iso-latin-1")) return "latin_1";
    return {};
}

// codecs.lookup's key: lower case, each run of characters other than letters, digits and '.'
// one '_', none at either end.
std::string registry_key(std::string_view name) {
    std::string key;
    bool gap = false;
    for (char c : name) {
        if (is_ascii_alnum(c) || c == '.') {
            if (gap && !key.empty()) key += '_';
            gap = false;
            key += ascii_lower(c);
        } else {
            gap = true;
        }
    }
    return key;
}

const Codec* module_codec(std::string_view module) {
    const auto* it = std::lower_bound(std::begin(kModules), std::end(kModules), module,
                                      [](const CodecModule& m, std::string_view n) { return m.module < n; });
    return it != std::end(kModules) && it->module == module ? &it->codec : nullptr;
}

std::string_view alias_module(std::string_view alias) {
    const auto* it = std::lower_bound(std::begin(kAliases), std::end(kAliases), alias,
                                      [](const CodecAlias& a, std::string_view n) { return a.alias < n; });
    return it != std::end(kAliases) && it->alias == alias ? it->module : std::string_view();
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        // Tables hold only BMP code points.
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

}  // namespace

Codec find_codec(std::string_view cookie_name) {
    const auto native = tokenizer_encoding(cookie_name);
    if (native == "utf-8") return {CodecKind::Utf8, "utf-8", nullptr};
    if (!native.empty()) return *module_codec(native);

    // The encodings package's search function: the alias of the key (or of the key with '.'
    // as '_'), then the key itself, as a module name; the first module that imports decides.
    const std::string key = registry_key(cookie_name);
    std::string_view aliased = alias_module(key);
    if (aliased.empty() && key.find('.') != std::string::npos) {
        std::string underscored = key;
        std::replace(underscored.begin(), underscored.end(), '.', '_');
        aliased = alias_module(underscored);
    }
    // Every alias names a module without '.'; a key with '.' is no module name.
    for (std::string_view module : {aliased, std::string_view(key)}) {
        if (module.empty() || module.find('.') != std::string_view::npos) continue;
        if (const Codec* codec = module_codec(module)) return *codec;
    }
    return {};
}

std::string codec_failure_message(std::string_view bytes, const CodecFailure& failure) {
    if (failure.runtime_error)
        return fmt::format("decoding with '{}' codec failed (RuntimeError: {})", failure.encoding, failure.reason);
    if (failure.end == failure.start + 1)
        return fmt::format("'{}' codec can't decode byte 0x{:02x} in position {}: {}", failure.encoding,
                           static_cast<unsigned char>(bytes[failure.start]), failure.start, failure.reason);
    return fmt::format("'{}' codec can't decode bytes in position {}-{}: {}", failure.encoding, failure.start,
                       failure.end - 1, failure.reason);
}

bool decode_whole(const Codec& codec, std::string_view bytes, std::string& out, CodecFailure& failure) {
    switch (codec.kind) {
    case CodecKind::MultiByte: return decode_multibyte(codec.name, bytes, out, failure);
    case CodecKind::Utf7: return decode_utf7(bytes, out, failure);
    case CodecKind::UnicodeEscape:
        return codec.name == "raw-unicode-escape" ? decode_raw_unicode_escape(bytes, out, failure)
                                                  : decode_unicode_escape(bytes, out, failure);
    default: break;
    }
    failure = {codec.name, 0, bytes.empty() ? size_t{0} : size_t{1}, "the guard has no whole-file decoder for this codec"};
    return false;
}

bool decode_single_byte(const Codec& codec, std::string_view bytes, std::string& out, size_t& bad_offset) {
    out.reserve(out.size() + bytes.size());
    for (size_t i = 0; i < bytes.size(); ++i) {
        const char32_t c = codec.table[static_cast<unsigned char>(bytes[i])];
        if (c == kUndefinedByte) {
            bad_offset = i;
            return false;
        }
        append_utf8(out, c);
    }
    return true;
}

}  // namespace ag::py
