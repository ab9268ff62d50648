#include "parse_cache.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace ag {

namespace fs = std::filesystem;

namespace {

constexpr char kField = '\x1f';
constexpr char kItem = '\x1e';
constexpr std::string_view kHeader = "alembic-guard parse cache 2\n";

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case kField: out += "\\f"; break;
        case kItem: out += "\\i"; break;
        default: out += c;
        }
    }
    return out;
}

std::optional<std::string> unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') { out += s[i]; continue; }
        if (++i >= s.size()) return std::nullopt;
        switch (s[i]) {
        case '\\': out += '\\'; break;
        case 'n': out += '\n'; break;
        case 'f': out += kField; break;
        case 'i': out += kItem; break;
        default: return std::nullopt;
        }
    }
    return out;
}

// A list is written with its length first, so [] and [""] stay different.
std::string join(const std::vector<std::string>& v) {
    std::string out = std::to_string(v.size());
    for (const auto& item : v) {
        out += kItem;
        out += escape(item);
    }
    return out;
}

std::optional<int> number(std::string_view s);

std::optional<std::vector<std::string>> split(std::string_view s, char sep) {
    const auto first = s.find(sep);
    const auto count = number(s.substr(0, first));
    if (!count) return std::nullopt;
    std::vector<std::string> out;
    if (first == std::string_view::npos) {
        if (*count != 0) return std::nullopt;
        return out;
    }
    size_t start = first + 1;
    for (size_t i = start; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            auto u = unescape(s.substr(start, i - start));
            if (!u) return std::nullopt;
            out.push_back(std::move(*u));
            start = i + 1;
        }
    }
    if (out.size() != static_cast<size_t>(*count)) return std::nullopt;
    return out;
}

std::optional<int> number(std::string_view s) {
    if (s.empty() || s.size() > 9) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

std::string encode_cache_entries(const std::vector<std::pair<std::string, Migration>>& entries) {
    std::string out(kHeader);
    for (const auto& [blob, m] : entries) {
        std::vector<std::string> notes;
        for (const auto& n : m.notes) notes.push_back(fmt::format("{}:{}", n.line, n.message));
        out += fmt::format("{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}\n", escape(blob),
                           escape(std::string(base_name(m.path))), escape(m.revision), join(m.down_revisions),
                           join(m.depends_on), join(m.branch_labels), m.revision_line, m.down_revision_line,
                           m.error ? 1 : 0, escape(m.error.value_or("")), m.error_line, join(notes),
                           fmt::arg("f", kField));
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, Migration>>> decode_cache_entries(std::string_view text) {
    if (text.substr(0, kHeader.size()) != kHeader) return std::nullopt;
    text.remove_prefix(kHeader.size());
    std::vector<std::pair<std::string, Migration>> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos) return std::nullopt;  // a torn write
        const auto line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        std::vector<std::string_view> f;
        size_t start = 0;
        for (size_t i = 0; i <= line.size(); ++i) {
            if (i == line.size() || line[i] == kField) {
                f.push_back(line.substr(start, i - start));
                start = i + 1;
            }
        }
        if (f.size() != 12) return std::nullopt;
        Migration m;
        auto blob = unescape(f[0]);
        auto name = unescape(f[1]);
        auto rev = unescape(f[2]);
        auto down = split(f[3], kItem);
        auto deps = split(f[4], kItem);
        auto labels = split(f[5], kItem);
        auto rline = number(f[6]);
        auto dline = number(f[7]);
        auto err = unescape(f[9]);
        auto eline = number(f[10]);
        auto notes = split(f[11], kItem);
        if (!blob || !name || !rev || !down || !deps || !labels || !rline || !dline || !err || !eline || !notes ||
            (f[8] != "0" && f[8] != "1") || blob->empty() || name->empty())
            return std::nullopt;
        m.path = *name;
        m.revision = *rev;
        m.down_revisions = *down;
        m.depends_on = *deps;
        m.branch_labels = *labels;
        m.revision_line = *rline;
        m.down_revision_line = *dline;
        if (f[8] == "1") m.error = *err;
        m.error_line = *eline;
        for (const auto& n : *notes) {
            const auto colon = n.find(':');
            if (colon == std::string::npos) return std::nullopt;
            auto ln = number(std::string_view(n).substr(0, colon));
            if (!ln) return std::nullopt;
            m.notes.push_back({"", *ln, n.substr(colon + 1)});
        }
        out.emplace_back(std::move(*blob), std::move(m));
    }
    return out;
}

std::string ParseCache::format_tag() { return fmt::format("v2-{}", AG_VERSION); }

ParseCache::ParseCache(std::string dir) : dir_(std::move(dir)) {}

bool ParseCache::load(const std::string& tree_id) {
    if (dir_.empty()) return false;
    if (!loaded_.insert(tree_id).second) return true;
    const fs::path p = fs::path(dir_) / format_tag() / (tree_id + ".cache");
    std::ifstream in(p, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    auto entries = decode_cache_entries(ss.str());
    if (!entries) return false;  // corrupt: as if absent
    for (auto& [blob, m] : *entries) memo_[blob + kField + m.path] = std::move(m);
    return true;
}

std::optional<Migration> ParseCache::find(const std::string& blob_id, const std::string& path) const {
    auto it = memo_.find(blob_id + kField + std::string(base_name(path)));
    if (it == memo_.end()) return std::nullopt;
    ++hits_;
    Migration m = it->second;
    m.path = path;
    for (auto& n : m.notes) n.file = path;
    return m;
}

void ParseCache::remember(const std::string& blob_id, const Migration& m) {
    Migration copy = m;
    copy.path = std::string(base_name(m.path));
    memo_[blob_id + kField + copy.path] = std::move(copy);
}

void ParseCache::store(const std::string& tree_id, const std::vector<std::pair<std::string, Migration>>& entries) {
    if (dir_.empty()) return;
    std::error_code ec;
    const fs::path dir = fs::path(dir_) / format_tag();
    fs::create_directories(dir, ec);
    if (ec) return;  // a cache we cannot write is no cache, never an error
    const fs::path final_path = dir / (tree_id + ".cache");
    const fs::path tmp = dir / fmt::format(".{}.{}.tmp", tree_id, static_cast<long>(getpid()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return;
        out << encode_cache_entries(entries);
        if (!out) {
            out.close();
            fs::remove(tmp, ec);
            return;
        }
    }
    fs::rename(tmp, final_path, ec);
    if (ec) fs::remove(tmp, ec);
}

}  // namespace ag
