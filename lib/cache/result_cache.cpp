#include "cache/result_cache.hpp"

#include "support/mapped_file.hpp"
#include "support/utf8.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ag {

namespace fs = std::filesystem;

namespace {

constexpr char kField = '\x1f';
constexpr char kItem = '\x1e';
constexpr std::string_view kHeader = "alembic-guard parse cache 8\n";  // 8: empty_parent
constexpr std::string_view kResultFormat = "alembic-guard result 5";  // 5: head labels
constexpr std::time_t kUsedMarkInterval = 24 * 3600;

// Appends `s` escaped to `out`. A revision-name list holds every ID of a history, written on
// every push: the characters are tested against a table, and clean runs appended whole.
void append_escaped(std::string& out, std::string_view s) {
    static constexpr auto special = [] {
        std::array<bool, 256> t{};
        for (char c : {'\\', '\n', kField, kItem}) t[static_cast<unsigned char>(c)] = true;
        return t;
    }();
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (!special[static_cast<unsigned char>(c)]) continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case kField: out += "\\f"; break;
        default: out += "\\i"; break;  // kItem
        }
    }
    out.append(s.data() + run, s.size() - run);
}

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    append_escaped(out, s);
    return out;
}

std::optional<std::string> unescape(std::string_view s) {
    if (s.find('\\') == std::string_view::npos) return std::string(s);  // the usual case
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

// Writes `pieces`, in order, to `final_path` through a temporary file and a rename, so a
// reader sees the old file, the new one, or none; a cache that cannot be written is no error.
void write_atomically(const fs::path& final_path, const std::vector<std::string_view>& pieces) {
    std::error_code ec;
    fs::create_directories(final_path.parent_path(), ec);
    if (ec) return;
    const fs::path tmp = final_path.parent_path() /
                         fmt::format(".{}.{}.tmp", final_path.filename().string(), static_cast<long>(getpid()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return;
        for (const auto& p : pieces) out.write(p.data(), static_cast<std::streamsize>(p.size()));
        out.flush();
        if (!out) {
            out.close();
            fs::remove(tmp, ec);
            return;
        }
    }
    fs::rename(tmp, final_path, ec);
    if (ec) fs::remove(tmp, ec);
}

void write_atomically(const fs::path& final_path, const std::string& content) {
    write_atomically(final_path, std::vector<std::string_view>{content});
}

// The whole file, read into a string of its size: a stream would grow a buffer by doubling
// and copy it once more, and a result cache of 10,000 migrations is a megabyte of fresh pages.
std::optional<std::string> read_whole(const fs::path& p) {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::optional<std::string> out;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        std::string text(static_cast<size_t>(st.st_size), '\0');
        const size_t got = read_up_to(fd, text.data(), text.size());
        // Shorter than fstat said (replaced or truncated meanwhile): what was read is all
        // there is, and the decoders refuse a torn file.
        text.resize(got);
        out = std::move(text);
        // Marks the file used, for pruning's "least recently used" (atime is rarely kept):
        // at most once a day, so a busy file costs no write per read.
        if (st.st_mtime + kUsedMarkInterval < std::time(nullptr)) ::futimens(fd, nullptr);
    }
    ::close(fd);
    return out;
}

// 64-bit FNV-1a: names a result file; the full key inside the file is what is trusted.
std::string key_hash(std::string_view key) {
    uint64_t h = 14695981039346656037ull;
    for (char c : key) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return fmt::format("{:016x}", h);
}

using nlohmann::json;

// A result file is JSON, whose writer and reader take UTF-8 only, while the strings it holds
// are bytes (IDs, paths, messages quoting them). Every string is stored with each backslash
// doubled and each byte that starts no UTF-8 character as \xHH, and restored on reading: what
// is read back is byte for byte what was stored, so a verdict from the cache is the verdict
// without it.
void store_bytes(json& j) {
    if (j.is_structured()) {
        for (auto& v : j) store_bytes(v);
        return;
    }
    if (!j.is_string()) return;
    auto& s = j.get_ref<std::string&>();
    if (s.find('\\') == std::string::npos && is_utf8(s)) return;
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const size_t n = utf8_length_at(s, i);
        if (n == 0) {
            fmt::format_to(std::back_inserter(out), "\\x{:02x}", static_cast<unsigned char>(s[i]));
            ++i;
            continue;
        }
        if (s[i] == '\\') out += '\\';
        out.append(s, i, n);
        i += n;
    }
    s = std::move(out);
}

// false when a string holds an escape store_bytes does not write.
bool restore_bytes(json& j) {
    if (j.is_structured()) {
        for (auto& v : j)
            if (!restore_bytes(v)) return false;
        return true;
    }
    if (!j.is_string()) return true;
    auto& s = j.get_ref<std::string&>();
    if (s.find('\\') == std::string::npos) return true;
    const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (i + 1 < s.size() && s[i + 1] == '\\') {
            out += '\\';
            ++i;
            continue;
        }
        if (i + 3 >= s.size() || s[i + 1] != 'x' || hex(s[i + 2]) < 0 || hex(s[i + 3]) < 0) return false;
        out += static_cast<char>(hex(s[i + 2]) * 16 + hex(s[i + 3]));
        i += 3;
    }
    s = std::move(out);
    return true;
}

json note_json(const Note& n) {
    return json::array({n.file, n.line, static_cast<int>(n.kind), n.subject, n.detail, n.ids, n.through_dependencies});
}
Note note_of(const json& j) {
    const int kind = j.at(2).get<int>();
    if (kind < 0 || kind > static_cast<int>(NoteKind::unread_subdirectories)) throw json::other_error::create(501, "note kind", nullptr);
    return Note{j.at(0).get<std::string>(), j.at(1).get<int>(), static_cast<NoteKind>(kind), j.at(3).get<std::string>(),
                j.at(4).get<std::string>(), j.at(5).get<std::vector<std::string>>(), j.at(6).get<bool>()};
}

json location_json(const ProblemLocation& l) { return json::array({l.file, l.line, l.revision, l.down_revision, l.added}); }
ProblemLocation location_of(const json& j) {
    return ProblemLocation{j.at(0).get<std::string>(), j.at(1).get<int>(), j.at(2).get<std::string>(),
                           j.at(3).get<std::vector<std::string>>(), j.at(4).get<bool>()};
}

// A problem's facts (its words are made when it is reported, from the same facts).
json problem_json(const Problem& p) {
    json locs = json::array();
    for (const auto& l : p.locations) locs.push_back(location_json(l));
    return json{{"code", p.code},
                {"situation", static_cast<int>(p.situation)},
                {"revisions", p.revisions},
                {"files", p.files},
                {"locations", std::move(locs)},
                {"subject", p.subject},
                {"reason", p.reason},
                {"new_id", p.new_id},
                {"heads_before", p.heads_before},
                {"head_count_before", p.head_count_before},
                {"head_count", p.head_count}};
}
Problem problem_of(const json& j) {
    Problem p;
    p.code = j.at("code").get<std::string>();
    const int situation = j.at("situation").get<int>();
    if (situation < 0 || situation > static_cast<int>(Situation::heads_labelled)) throw json::other_error::create(501, "situation", nullptr);
    p.situation = static_cast<Situation>(situation);
    p.revisions = j.at("revisions").get<std::vector<std::string>>();
    p.files = j.at("files").get<std::vector<std::string>>();
    for (const auto& l : j.at("locations")) p.locations.push_back(location_of(l));
    p.subject = j.at("subject").get<std::string>();
    p.reason = j.at("reason").get<std::string>();
    p.new_id = j.at("new_id").get<std::string>();
    p.heads_before = j.at("heads_before").get<std::vector<std::string>>();
    p.head_count_before = j.at("head_count_before").get<size_t>();
    p.head_count = j.at("head_count").get<size_t>();
    return p;
}

}  // namespace

std::string encode_result(const std::string& key, const EnvironmentResult& r) {
    const RevisionGraph& g = r.graph;
    json heads = json::array(), problems = json::array(), gnotes = json::array(), notes = json::array();
    for (const auto& l : g.head_locations) heads.push_back(location_json(l));
    for (const auto& p : g.problems) problems.push_back(problem_json(p));
    for (const auto& n : g.notes) gnotes.push_back(note_json(n));
    for (const auto& n : r.notes) notes.push_back(note_json(n));
    json j{{"format", kResultFormat},
           {"key", key},
           {"revision_count", g.revision_count},
           {"heads", g.heads},
           {"head_count", g.head_count},
           {"bases", g.bases},
           {"merge_points", g.merge_points},
           // Pairs, not an object: keys are not escaped by store_bytes, and IDs are bytes.
           {"head_labels", json::array()},
           {"head_locations", std::move(heads)},
           {"problems", std::move(problems)},
           {"graph_notes", std::move(gnotes)},
           {"notes", std::move(notes)},
           {"dependencies", json::array()}};
    for (const auto& d : r.dependencies) j["dependencies"].push_back(json::array({d.path, d.id, d.stem}));
    for (const auto& [head, labels] : g.head_labels) j["head_labels"].push_back(json::array({head, labels}));
    store_bytes(j);
    return j.dump();
}

std::optional<EnvironmentResult> decode_result(const std::string& key, std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !restore_bytes(j)) return std::nullopt;
    try {
        if (j.at("format").get<std::string>() != kResultFormat ||
            j.at("key").get<std::string>() != key)
            return std::nullopt;
        EnvironmentResult r;
        RevisionGraph& g = r.graph;
        g.revision_count = j.at("revision_count").get<size_t>();
        g.heads = j.at("heads").get<std::vector<std::string>>();
        g.head_count = j.at("head_count").get<size_t>();
        g.bases = j.at("bases").get<std::vector<std::string>>();
        g.merge_points = j.at("merge_points").get<std::vector<std::string>>();
        for (const auto& hl : j.at("head_labels"))
            g.head_labels[hl.at(0).get<std::string>()] = hl.at(1).get<std::vector<std::string>>();
        for (const auto& l : j.at("head_locations")) g.head_locations.push_back(location_of(l));
        for (const auto& p : j.at("problems")) g.problems.push_back(problem_of(p));
        for (const auto& n : j.at("graph_notes")) g.notes.push_back(note_of(n));
        for (const auto& n : j.at("notes")) r.notes.push_back(note_of(n));
        for (const auto& d : j.at("dependencies"))
            r.dependencies.push_back({d.at(0).get<std::string>(), d.at(1).get<std::string>(),
                                      d.size() > 2 ? d.at(2).get<std::string>() : std::string()});
        return r;
    } catch (const json::exception&) {
        return std::nullopt;  // not what encode_result writes: as if absent
    }
}

namespace {

constexpr std::string_view kNamesHeader = "alembic-guard revision names 1";

// `escaped` (a name as encode_names writes it, already checked) compared with `plain`.
int compare_escaped(std::string_view escaped, std::string_view plain) {
    if (escaped.find('\\') == std::string_view::npos) return escaped.compare(plain);
    return std::string_view(*unescape(escaped)).compare(plain);
}

}  // namespace

RevisionNames::RevisionNames(std::vector<std::string> ids, std::vector<std::string> labels) {
    for (auto* v : {&ids, &labels}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    id_count_ = ids.size();
    lines_.reserve(ids.size() + labels.size());
    for (const auto* v : {&ids, &labels})
        for (const auto& n : *v) {
            lines_.push_back(static_cast<uint32_t>(text_.size()));
            append_escaped(text_, n);
            text_ += '\n';
        }
}

std::string_view RevisionNames::line(size_t i) const {
    const size_t end = (i + 1 < lines_.size() ? lines_[i + 1] : text_.size()) - 1;  // before its '\n'
    return std::string_view(text_).substr(lines_[i], end - lines_[i]);
}

bool RevisionNames::holds(size_t from, size_t to, std::string_view plain) const {
    while (from < to) {
        const size_t mid = from + (to - from) / 2;
        const int c = compare_escaped(line(mid), plain);
        if (c == 0) return true;
        if (c < 0) from = mid + 1;
        else to = mid;
    }
    return false;
}

bool RevisionNames::has_id(std::string_view id) const {
    if (holds(0, id_count_, id)) return true;
    return std::any_of(added_.begin(), added_.end(), [&](const std::string& a) { return compare_escaped(a, id) == 0; });
}

bool RevisionNames::has_label(std::string_view label) const { return holds(id_count_, lines_.size(), label); }

void RevisionNames::add_id(std::string id) {
    const auto at = std::upper_bound(added_.begin(), added_.end(), id, [](const std::string& plain, const std::string& a) {
        return compare_escaped(a, plain) > 0;
    });
    std::string escaped;
    append_escaped(escaped, id);
    added_.insert(at, std::move(escaped));
}

std::vector<std::string> RevisionNames::ids() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < id_count_; ++i) out.push_back(*unescape(line(i)));
    for (const auto& a : added_) out.push_back(*unescape(a));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> RevisionNames::labels() const {
    std::vector<std::string> out;
    for (size_t i = id_count_; i < lines_.size(); ++i) out.push_back(*unescape(line(i)));
    return out;
}

// Lines: a header, the key (escaped), the ID count, the IDs, then the labels; every name
// escaped, so any byte may appear in an ID.
std::vector<std::string_view> encode_names_pieces(const std::string& key, const RevisionNames& names,
                                                  std::string& head) {
    head.assign(kNamesHeader);
    head += '\n';
    append_escaped(head, key);
    head += '\n';
    head += std::to_string(names.id_count_ + names.added_.size());
    head += '\n';
    std::vector<std::string_view> out{head};
    // The stored lines go out in runs, broken only where an added ID belongs.
    const std::string_view text = names.text_;
    const auto start_of = [&](size_t i) { return i < names.lines_.size() ? size_t{names.lines_[i]} : text.size(); };
    size_t run = 0;  // the first stored line not yet out
    for (const auto& a : names.added_) {
        const std::string plain = *unescape(a);
        size_t at = run;
        while (at < names.id_count_ && compare_escaped(names.line(at), plain) < 0) ++at;
        if (at > run) out.push_back(text.substr(start_of(run), start_of(at) - start_of(run)));
        out.push_back(a);
        out.push_back("\n");
        run = at;
    }
    if (start_of(run) < text.size()) out.push_back(text.substr(start_of(run)));
    return out;
}

std::string encode_names(const std::string& key, const RevisionNames& names) {
    std::string head;
    const auto pieces = encode_names_pieces(key, names, head);
    size_t bytes = 0;
    for (const auto& p : pieces) bytes += p.size();
    std::string out;
    out.reserve(bytes);
    for (const auto& p : pieces) out += p;
    return out;
}

std::optional<RevisionNames> decode_names(const std::string& key, std::string text) {
    if (text.size() > UINT32_MAX) return std::nullopt;  // offsets are 32-bit; no history has 4 GiB of names
    size_t pos = 0;
    // Line by line, in place: the list is kept as the text it is.
    auto next_line = [&text, &pos]() -> std::optional<std::string_view> {
        const auto nl = text.find('\n', pos);
        if (nl == std::string::npos) return std::nullopt;  // a torn write (or the end)
        const auto line = std::string_view(text).substr(pos, nl - pos);
        pos = nl + 1;
        return line;
    };
    const auto header = next_line();
    const auto key_line = next_line();
    const auto count_line = next_line();
    if (!header || *header != kNamesHeader || !key_line || !count_line) return std::nullopt;
    const auto k = unescape(*key_line);
    const auto count = number(*count_line);
    if (!k || *k != key || !count || static_cast<size_t>(*count) > text.size() - pos) return std::nullopt;
    const auto id_count = static_cast<size_t>(*count);
    const size_t body = pos;
    RevisionNames out;
    out.id_count_ = id_count;
    out.lines_.reserve(id_count);
    // Every escape valid; IDs sorted, then labels sorted, each name once in its list.
    std::optional<std::string> previous_plain;  // the line before, unescaped, when it had an escape
    std::string_view previous;
    while (pos < text.size()) {
        const size_t start = pos;
        const auto line = next_line();
        if (!line) return std::nullopt;
        std::optional<std::string> plain;
        if (line->find('\\') != std::string_view::npos) {
            plain = unescape(*line);
            if (!plain) return std::nullopt;
        }
        if (out.lines_.size() != id_count && !out.lines_.empty()) {
            const std::string_view a = previous_plain ? std::string_view(*previous_plain) : previous;
            const std::string_view b = plain ? std::string_view(*plain) : *line;
            if (!(a < b)) return std::nullopt;
        }
        out.lines_.push_back(static_cast<uint32_t>(start - body));
        previous_plain = std::move(plain);
        previous = *line;
    }
    if (out.lines_.size() < id_count) return std::nullopt;
    text.erase(0, body);  // the lines, kept as they lie
    out.text_ = std::move(text);
    return out;
}

std::string encode_cache_entries(const std::vector<std::pair<std::string, Migration>>& entries) {
    std::string out(kHeader);
    for (const auto& [blob, m] : entries) {
        const std::vector<std::string> notes;  // a field no reader fills any more: kept empty, the format unchanged
        // A reference: its field, line, form and templates, nested in one item.
        std::vector<std::string> refs;
        for (const auto& r : m.references)
            refs.push_back(join({r.field, std::to_string(r.line), r.sequence ? "1" : "0", join(r.items)}));
        out += fmt::format("{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}{f}{}\n", escape(blob),
                           escape(std::string(base_name(m.path))), escape(m.revision), join(m.down_revisions),
                           join(m.depends_on), join(m.branch_labels), m.revision_line, m.down_revision_line,
                           m.error ? 1 : 0, escape(m.error.value_or("")), m.error_line, join(notes), join(refs),
                           join(m.calls), join(m.imports), m.python.text(), join(m.escapes), m.empty_parent ? 1 : 0,
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
        if (f.size() != 18 || (f[17] != "0" && f[17] != "1")) return std::nullopt;
        const auto python = py::parse_python_version(f[15]);
        if (!python) return std::nullopt;
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
        auto refs = split(f[12], kItem);
        auto calls = split(f[13], kItem);
        auto imports = split(f[14], kItem);
        auto escapes = split(f[16], kItem);
        if (!calls || !imports || !escapes) return std::nullopt;
        m.calls = std::move(*calls);
        m.imports = std::move(*imports);
        m.escapes = std::move(*escapes);
        m.python = *python;
        m.empty_parent = f[17] == "1";
        if (!blob || !name || !rev || !down || !deps || !labels || !rline || !dline || !err || !eline || !notes || !refs ||
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
        if (!notes->empty()) return std::nullopt;  // not what encode_cache_entries writes
        for (const auto& r : *refs) {
            auto parts = split(r, kItem);
            if (!parts || parts->size() != 4) return std::nullopt;
            auto ln = number((*parts)[1]);
            auto items = split((*parts)[3], kItem);
            if (!ln || !items || items->empty() || ((*parts)[2] != "0" && (*parts)[2] != "1")) return std::nullopt;
            m.references.push_back({(*parts)[0], *items, (*parts)[2] == "1", *ln});
        }
        out.emplace_back(std::move(*blob), std::move(m));
    }
    return out;
}

std::string ResultCache::format_tag() { return fmt::format("v2-{}", AG_VERSION); }

ResultCache::ResultCache(std::string dir, CacheLimits limits) : dir_(std::move(dir)), limits_(limits) {
    // What the cache holds is believed (a result file decides a verdict): a directory that
    // someone else owns or may write to is no cache. A missing one is created as ours.
    struct stat st {};
    if (!dir_.empty() && ::stat(dir_.c_str(), &st) == 0 &&
        (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0))
        dir_.clear();
}

ResultCache::~ResultCache() {
    if (!stored_) return;
    try {
        prune_cache_when_due(dir_, limits_, std::time(nullptr));
    } catch (...) {
        // Pruning is housekeeping: a run's verdict is already out, and the next run prunes.
    }
}

bool ResultCache::load(const std::string& tree_id) {
    if (dir_.empty()) return false;
    if (!loaded_.insert(tree_id).second) return true;
    const auto text = read_whole(file(tree_id + ".cache"));
    if (!text) return false;
    auto entries = decode_cache_entries(*text);
    if (!entries) return false;  // corrupt: as if absent
    for (auto& [blob, m] : *entries) memo_[blob + kField + m.path] = std::move(m);
    return true;
}

std::optional<Migration> ResultCache::find(const std::string& blob_id, const std::string& path) const {
    auto it = memo_.find(blob_id + kField + std::string(base_name(path)));
    if (it == memo_.end()) return std::nullopt;
    ++hits_;
    Migration m = it->second;
    m.path = path;
    return m;
}

void ResultCache::remember(const std::string& blob_id, const Migration& m) {
    Migration copy = m;
    copy.path = std::string(base_name(m.path));
    memo_[blob_id + kField + copy.path] = std::move(copy);
}

void ResultCache::store(const std::string& tree_id, const std::vector<std::pair<std::string, Migration>>& entries) {
    if (dir_.empty()) return;
    prepare_write();
    write_atomically(file(tree_id + ".cache"), encode_cache_entries(entries));
}

void ResultCache::prepare_write() const {
    if (stored_) return;
    stored_ = true;
    std::error_code ec;
    const auto format_dir = fs::path(dir_) / format_tag();
    fs::create_directories(format_dir, ec);
    if (!ec) tag_cache_directory(format_dir);
}

std::filesystem::path ResultCache::file(const std::string& name) const { return fs::path(dir_) / format_tag() / name; }

// The file of `kind` ("json": a result, "names": its revision names) stored for `key`.
std::filesystem::path ResultCache::keyed_file(const std::string& key, std::string_view kind) const {
    return file(fmt::format("env-{}.{}", key_hash(key), kind));
}

std::optional<EnvironmentResult> ResultCache::load_result(const std::string& key) const {
    if (dir_.empty()) return std::nullopt;
    const auto text = read_whole(keyed_file(key, "json"));
    return text ? decode_result(key, *text) : std::nullopt;
}

void ResultCache::store_result(const std::string& key, const EnvironmentResult& result) const {
    if (dir_.empty()) return;
    prepare_write();
    write_atomically(keyed_file(key, "json"), encode_result(key, result));
}

std::optional<RevisionNames> ResultCache::load_names(const std::string& key) const {
    if (dir_.empty()) return std::nullopt;
    const auto text = read_whole(keyed_file(key, "names"));
    return text ? decode_names(key, std::move(*text)) : std::nullopt;
}

void ResultCache::store_names(const std::string& key, const RevisionNames& names) const {
    if (dir_.empty()) return;
    prepare_write();
    std::string head;
    write_atomically(keyed_file(key, "names"), encode_names_pieces(key, names, head));
}

}  // namespace ag
