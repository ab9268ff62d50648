#include "report/report.hpp"

#include "report/problem_wording.hpp"
#include "support/utf8.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iterator>

namespace ag {

using nlohmann::ordered_json;

ordered_json problem_json(const Problem& p) {
    ordered_json j;
    j["code"] = p.code;
    j["message"] = problem_message(p);
    j["revisions"] = p.revisions;
    j["files"] = p.files;
    if (!p.locations.empty()) {
        ordered_json locs = ordered_json::array();
        for (const auto& l : p.locations) {
            ordered_json lj;
            lj["file"] = l.file;
            lj["line"] = l.line;
            lj["revision"] = l.revision.empty() ? ordered_json(nullptr) : ordered_json(l.revision);
            if (l.down_revision.empty()) lj["down_revision"] = nullptr;
            else if (l.down_revision.size() == 1) lj["down_revision"] = l.down_revision.front();
            else lj["down_revision"] = l.down_revision;
            locs.push_back(std::move(lj));
        }
        j["locations"] = std::move(locs);
    }
    if (const std::string fix = problem_fix(p); !fix.empty()) j["fix"] = fix;
    return j;
}

namespace {

ordered_json environment_json(const EnvironmentCheck& e, bool with_problems) {
    ordered_json j;
    j["name"] = e.environment.name;
    j["config"] = e.environment.config.empty() ? ordered_json(nullptr) : ordered_json(e.environment.config);
    j["version_locations"] = e.environment.version_locations;
    {
        const PythonChoice& py = e.environment.python;
        j["python"] = {{"version", py.version.text()}, {"from", py.from.empty() ? ordered_json(nullptr) : ordered_json(py.from)}};
        const AlembicChoice& al = e.environment.alembic;
        j["alembic"] = {{"version", al.version.text()}, {"from", al.from.empty() ? ordered_json(nullptr) : ordered_json(al.from)}};
        if (e.environment.recursive) j["recursive_version_locations"] = true;
    }
    j["revisions"] = e.graph.revision_count;
    j["heads"] = e.graph.heads;
    j["head_count"] = e.graph.head_count;
    j["bases"] = e.graph.bases;
    if (e.environment.allow_multiple_heads) j["allow_multiple_heads"] = true;
    if (with_problems) {
        ordered_json probs = ordered_json::array();
        for (const auto& p : e.problems) probs.push_back(problem_json(p));
        j["problems"] = std::move(probs);
    }
    if (!e.notes.empty()) {
        ordered_json notes = ordered_json::array();
        for (const auto& n : e.notes) notes.push_back({{"file", n.file}, {"line", n.line}, {"message", note_message(n)}});
        j["notes"] = std::move(notes);
    }
    return j;
}

std::string plural(size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

}  // namespace

ordered_json check_json(const TreeCheck& check) {
    ordered_json j;
    j["commit"] = check.commit ? ordered_json(*check.commit) : ordered_json(nullptr);
    j["ok"] = check.ok();
    ordered_json envs = ordered_json::array();
    for (const auto& e : check.environments) envs.push_back(environment_json(e, true));
    j["environments"] = std::move(envs);
    return j;
}

ordered_json heads_json(const TreeCheck& check) {
    ordered_json j = check_json(check);
    return j;
}

namespace {
std::string no_environment_text(const std::string& what) {
    return fmt::format("alembic-guard: no Alembic environment found in {} (no alembic.ini with script_location, no "
                       "[tool.alembic], no directory with env.py and versions/, no .alembic-guard.toml)\n",
                       what);
}
}  // namespace

std::string check_text(const TreeCheck& check, const std::string& what) {
    std::string out;
    if (check.environments.empty()) return no_environment_text(what);
    size_t problems = 0;
    for (const auto& e : check.environments) {
        const auto& g = e.graph;
        const PythonChoice& py = e.environment.python;
        const AlembicChoice& al = e.environment.alembic;
        out += fmt::format("environment {} ({}{}; Python {}{}; Alembic {}{})\n", e.environment.name,
                           e.environment.version_locations.empty()
                               ? std::string("no version locations")
                               : fmt::format("{}", fmt::join(e.environment.version_locations, ", ")),
                           e.environment.recursive ? " and their sub-directories" : "", py.version.text(),
                           py.from.empty() ? std::string(", none declared") : " from " + py.from, al.version.text(),
                           al.from.empty() ? std::string(", none pinned: the newest the guard knows") : " from " + al.from);
        // Notes first: a missing location must be seen before a suspiciously clean result.
        for (const auto& n : e.notes)
            out += fmt::format("  note: {}{}: {}\n", n.file, n.line ? fmt::format(":{}", n.line) : "", note_message(n));
        out += fmt::format("  {}, {}: {}; {}: {}\n", plural(g.revision_count, "revision", "revisions"),
                           plural(g.head_count, "head", "heads"), g.heads.empty() ? "-" : fmt::format("{}", fmt::join(g.heads, ", ")),
                           g.bases.size() == 1 ? "base" : "bases", g.bases.empty() ? "-" : fmt::format("{}", fmt::join(g.bases, ", ")));
        if (e.environment.allow_multiple_heads) out += "  several heads are allowed here (deployed with `upgrade heads`)\n";
        for (const auto& p : e.problems) {
            ++problems;
            out += fmt::format("  error [{}] {}\n", p.code, problem_message(p));
            if (const std::string fix = problem_fix(p); !fix.empty()) out += fmt::format("    fix: {}\n", fix);
        }
    }
    if (problems == 0) out += fmt::format("OK: no problems in {}\n", what);
    else out += fmt::format("FAILED: {} in {}\n", plural(problems, "problem", "problems"), what);
    return out;
}

std::string heads_text(const TreeCheck& check) {
    std::string out;
    for (const auto& e : check.environments) {
        if (check.environments.size() > 1) out += fmt::format("{}:\n", e.environment.name);
        for (const auto& h : e.graph.heads) {
            // As `alembic heads` prints them: "742c857f1dfb (expand) (head)".
            const auto labels = e.graph.head_labels.find(h);
            out += fmt::format("{}{}{} (head)\n", check.environments.size() > 1 ? "  " : "", h,
                               labels == e.graph.head_labels.end() ? std::string()
                                                                   : fmt::format(" ({})", fmt::join(labels->second, ", ")));
        }
    }
    return out;
}

// GitHub's workflow commands need %, \r, \n (and , : in properties) escaped. The runner reads
// the log as UTF-8, so a byte that starts no UTF-8 character would reach the annotation as
// U+FFFD: it is written %XX, in the commands' own escape (a literal % being %25, the line still
// says which byte it was).
std::string github_escape(std::string_view s, bool property) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const size_t n = utf8_length_at(s, i);
            if (n == 0) fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
            else out.append(s.substr(i, n));
            i += n == 0 ? 1 : n;
            continue;
        }
        if (c == '%') out += "%25";
        else if (c == '\r') out += "%0D";
        else if (c == '\n') out += "%0A";
        else if (property && c == ':') out += "%3A";
        else if (property && c == ',') out += "%2C";
        else out += c;
        ++i;
    }
    return out;
}

std::string check_github(const TreeCheck& check) {
    std::string out;
    for (const auto& e : check.environments) {
        for (const auto& p : e.problems) {
            const std::string fix = problem_fix(p);
            const std::string msg =
                github_escape(fmt::format("[{}] {}{}", p.code, problem_message(p), fix.empty() ? "" : " — fix: " + fix), false);
            if (p.locations.empty()) {
                out += fmt::format("::error title={}::{}\n", github_escape("alembic-guard " + p.code, true), msg);
                continue;
            }
            for (const auto& l : p.locations)
                out += fmt::format("::error file={},line={},title={}::{}\n", github_escape(l.file, true), l.line ? l.line : 1,
                                   github_escape("alembic-guard " + p.code, true), msg);
        }
    }
    return out;
}

std::string heads_notices(const TreeCheck& check, const std::string& what) {
    if (check.environments.empty()) return no_environment_text(what);
    std::string out;
    for (const auto& e : check.environments)
        if (e.graph.revision_count == 0)
            out += fmt::format("alembic-guard: environment {} has no revision{}\n", e.environment.name,
                               e.environment.version_locations.empty()
                                   ? std::string()
                                   : fmt::format(" in {}", fmt::join(e.environment.version_locations, ", ")));
    return out;
}

}  // namespace ag
