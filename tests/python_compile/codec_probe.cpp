// codec_probe: the guard's whole-file decoders on byte strings, for check_multibyte_codecs.py.
//
//   codec_probe < requests
//
// Each request line is "CODEC HEX" (a cookie name, the bytes in hex); each answer line is
// "ok HEX" (the decoded text as UTF-8, lone surrogates as their three bytes), "err START END
// MESSAGE" (Python's UnicodeDecodeError: the bytes named, and str() of it), "runtime MESSAGE"
// (Python's RuntimeError, as bytes.decode() words it), or "none" when the guard has no decoder
// for CODEC. The bytes are decoded exactly as given: no newline appended.
#include "python/codecs.hpp"

#include <iostream>
#include <string>

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

void append_hex(std::string& out, std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (char c : bytes) {
        out += kDigits[static_cast<unsigned char>(c) >> 4];
        out += kDigits[static_cast<unsigned char>(c) & 0xF];
    }
}

}  // namespace

int main() {
    std::ios::sync_with_stdio(false);
    std::string line;
    std::string bytes;
    std::string decoded;
    std::string answer;
    while (std::getline(std::cin, line)) {
        const size_t space = line.find(' ');
        if (space == std::string::npos) continue;
        const auto codec = ag::py::find_codec(std::string_view(line).substr(0, space));
        bytes.clear();
        for (size_t i = space + 1; i + 1 < line.size(); i += 2)
            bytes += static_cast<char>(hex_value(line[i]) << 4 | hex_value(line[i + 1]));
        decoded.clear();
        answer.clear();
        ag::py::CodecFailure failure;
        if (codec.kind != ag::py::CodecKind::MultiByte && codec.kind != ag::py::CodecKind::Utf7 &&
            codec.kind != ag::py::CodecKind::UnicodeEscape) {
            answer = "none";
        } else if (ag::py::decode_whole(codec, bytes, decoded, failure)) {
            answer = "ok ";
            append_hex(answer, decoded);
        } else if (failure.runtime_error) {
            answer = "runtime " + ag::py::codec_failure_message(bytes, failure);
        } else {
            answer = "err " + std::to_string(failure.start) + " " + std::to_string(failure.end) + " " +
                     ag::py::codec_failure_message(bytes, failure);
        }
        answer += '\n';
        std::cout << answer;
    }
    return 0;
}
