#include "support/json_text.hpp"

#include "support/utf8.hpp"

#include <fmt/format.h>

#include <iterator>

namespace ag {

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    size_t run = 0;  // the first byte not yet copied
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            if (const size_t n = utf8_length_at(s, i)) {
                i += n;
                continue;
            }
        }
        out.append(s.substr(run, i - run));
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", c < 0x20 ? unsigned{c} : 0xDC00u + c); break;
        }
        run = ++i;
    }
    out.append(s.substr(run));
    out += '"';
}

namespace {

void append_json(std::string& out, const nlohmann::ordered_json& j, int indent, int depth) {
    if (j.is_string()) {
        append_json_string(out, j.get_ref<const std::string&>());
        return;
    }
    if (!j.is_structured()) {
        out += j.dump();  // a number, a boolean or null: nothing in them can be other than ASCII
        return;
    }
    const bool object = j.is_object();
    if (j.empty()) {
        out += object ? "{}" : "[]";
        return;
    }
    const auto newline = [&](int level) {
        if (indent < 0) return;
        out += '\n';
        out.append(static_cast<size_t>(indent) * static_cast<size_t>(level), ' ');
    };
    out += object ? '{' : '[';
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it != j.begin()) out += ',';
        newline(depth + 1);
        if (object) {
            append_json_string(out, it.key());
            out += indent < 0 ? ":" : ": ";
        }
        append_json(out, *it, indent, depth + 1);
    }
    newline(depth);
    out += object ? '}' : ']';
}

}  // namespace

std::string json_text(const nlohmann::ordered_json& j, int indent) {
    std::string out;
    append_json(out, j, indent, 0);
    return out;
}

}  // namespace ag
