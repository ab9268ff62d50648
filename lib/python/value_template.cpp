#include "python/value_template.hpp"

namespace ag::py {

namespace {
constexpr char kOpen = '\x01';
constexpr char kClose = '\x02';
}  // namespace

std::string template_literal(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        out += c;
        if (c == kOpen) out += kOpen;
    }
    return out;
}

std::string template_reference(std::string_view dotted_path) {
    std::string out(1, kOpen);
    out += dotted_path;
    out += kClose;
    return out;
}

std::optional<std::vector<TemplatePiece>> template_pieces(std::string_view encoded) {
    std::vector<TemplatePiece> out;
    auto literal = [&]() -> std::string& {
        if (out.empty() || out.back().reference) out.push_back({false, {}});
        return out.back().text;
    };
    for (size_t i = 0; i < encoded.size(); ++i) {
        const char c = encoded[i];
        if (c != kOpen) {
            if (c == kClose) return std::nullopt;
            literal() += c;
            continue;
        }
        if (i + 1 < encoded.size() && encoded[i + 1] == kOpen) {
            literal() += kOpen;
            ++i;
            continue;
        }
        const size_t close = encoded.find(kClose, i + 1);
        if (close == std::string_view::npos || close == i + 1) return std::nullopt;
        out.push_back({true, std::string(encoded.substr(i + 1, close - i - 1))});
        i = close;
    }
    return out;
}

std::string describe_template(std::string_view encoded) {
    const auto pieces = template_pieces(encoded);
    if (!pieces) return "?";
    std::string out;
    for (const auto& p : *pieces) {
        if (!out.empty()) out += " + ";
        out += p.reference ? p.text : "'" + p.text + "'";
    }
    return out.empty() ? "''" : out;
}

}  // namespace ag::py
