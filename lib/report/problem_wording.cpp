#include "report/problem_wording.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstddef>
#include <map>
#include <set>

namespace ag {

namespace {

std::string quoted_list(const std::vector<std::string>& ids) {
    std::vector<std::string> q;
    q.reserve(ids.size());
    for (const auto& id : ids) q.push_back(fmt::format("'{}'", id));
    return fmt::format("{}", fmt::join(q, ", "));
}

std::string parents_text(const std::vector<std::string>& downs) {
    return downs.empty() ? std::string("<base>") : quoted_list(downs);
}

std::string head_text(const ProblemLocation& l) {
    return fmt::format("'{}' ({}, down_revision {})", l.revision, l.file, parents_text(l.down_revision));
}

std::string heads_text(const std::vector<std::string>& heads, size_t count) {
    return fmt::format("{} ({})", heads.empty() ? std::string("none") : fmt::format("{}", fmt::join(heads, ", ")), count);
}

// "'@'" or "'-' and ':'".
std::string quoted_chars(std::string_view chars) {
    std::string out;
    for (size_t i = 0; i < chars.size(); ++i) {
        if (i) out += i + 1 == chars.size() ? " and " : ", ";
        out += fmt::format("'{}'", chars[i]);
    }
    return out;
}

std::string at_line(const Problem& p) {
    const int line = p.locations.empty() ? 0 : p.locations.front().line;
    return line ? fmt::format(":{}", line) : std::string();
}

const std::string& file_of(const Problem& p) {
    static const std::string none;
    return p.files.empty() ? none : p.files.front();
}

// revisions = {the revision that names it, the name}.
const std::string& missing_name(const Problem& p) {
    static const std::string none;
    return p.revisions.size() > 1 ? p.revisions[1] : none;
}

constexpr const char* kHeadsFail = "`alembic upgrade head` fails with \"Multiple head revisions are present\"";

std::string heads_message(const Problem& p) {
    std::vector<std::string> described;
    std::set<std::vector<std::string>> parents;
    for (const auto& l : p.locations) {
        described.push_back(head_text(l));
        parents.insert(l.down_revision);
    }
    std::string out = fmt::format("{} heads: {}; {}", p.head_count, fmt::join(described, ", "), kHeadsFail);
    if (parents.size() == 1 && p.locations.size() > 1)
        out += fmt::format(" — they share the parent {}", parents_text(*parents.begin()));
    return out;
}

std::string heads_added_message(const Problem& p) {
    std::string out = fmt::format("this push adds a head: heads before {}, after {}",
                                  heads_text(p.heads_before, p.head_count_before), heads_text(p.revisions, p.head_count));
    std::vector<std::string> described;
    for (const auto& l : p.locations)
        if (l.added) described.push_back(head_text(l));
    if (!described.empty()) out += fmt::format("; new: {}", fmt::join(described, ", "));
    // Name the parent a new head shares with a head already there (the first such pair).
    bool named = false;
    for (size_t a = 0; a < p.locations.size() && !named; ++a) {
        const ProblemLocation& added = p.locations[a];
        if (!added.added || added.down_revision.empty()) continue;
        for (size_t o = 0; o < p.locations.size() && !named; ++o) {
            const ProblemLocation& other = p.locations[o];
            if (o == a || other.down_revision != added.down_revision) continue;
            out += fmt::format(" — '{}' ({}) and '{}' ({}) share the parent {}", other.revision, other.file,
                               added.revision, added.file, parents_text(added.down_revision));
            named = true;
        }
    }
    return out + "; " + kHeadsFail;
}

std::string duplicate_message(const Problem& p) {
    std::vector<std::string> described;
    std::set<std::vector<std::string>> parents;
    for (const auto& l : p.locations) {
        described.push_back(fmt::format("{} (line {}, down_revision {})", l.file, l.line, parents_text(l.down_revision)));
        parents.insert(l.down_revision);
    }
    const std::string& id = p.revisions.empty() ? p.subject : p.revisions.front();
    std::string out = fmt::format("revision '{}' is declared by {} files: {}", id, p.locations.size(),
                                  fmt::join(described, "; "));
    if (parents.size() == 1) out += fmt::format(" — all on the same parent {}", parents_text(*parents.begin()));
    return out;
}

std::string duplicate_fix(const Problem& p) {
    const std::string& id = p.revisions.empty() ? p.subject : p.revisions.front();
    for (const auto& l : p.locations) {
        if (!l.added) continue;
        return fmt::format("renumber the migration this push adds and chain it onto the one already there: in {} set "
                           "revision = \"{}\" and down_revision = \"{}\" (and update its docstring's Revision "
                           "ID/Revises); a merge migration cannot repair a duplicate — down_revision = ('{}', '{}') "
                           "still leaves two heads",
                           l.file, p.new_id.empty() ? std::string("<new id>") : p.new_id, id, id, id);
    }
    return fmt::format("give one file a new revision ID and chain it onto the other: in {} set revision = \"<new id>\" "
                       "and down_revision = \"{}\" (a merge migration cannot repair a duplicate: down_revision = "
                       "('{}', '{}') still leaves two heads)",
                       p.locations.empty() ? file_of(p) : p.locations.back().file, id, id, id);
}

std::string heads_fix(const Problem& p) {
    if (p.revisions.size() < p.head_count || p.locations.empty())
        return "a duplicated revision ID stays a head: renumber the duplicate (see duplicate-revision)";
    return fmt::format("chain the newer migration onto the other head (e.g. in {} set down_revision = \"{}\"), or, "
                       "when both have already been deployed somewhere, run: alembic merge -m \"merge heads\" {}",
                       p.locations.back().file, p.locations.front().revision, fmt::join(p.revisions, " "));
}

std::string heads_added_fix(const Problem& p) {
    const ProblemLocation* added = nullptr;
    const ProblemLocation* existing = nullptr;
    for (const auto& l : p.locations) {
        if (l.added && !added) added = &l;
        if (!l.added && !existing) existing = &l;
    }
    if (added && existing)
        return fmt::format("chain the new migration onto the current head: in {} set down_revision = \"{}\"; or, when "
                           "both have already been deployed somewhere, add a merge migration: alembic merge -m "
                           "\"merge heads\" {} {}",
                           added->file, existing->revision, existing->revision, added->revision);
    return fmt::format("chain one head onto the other, or add a merge migration: alembic merge -m \"merge heads\" {}",
                       fmt::join(p.revisions, " "));
}

// branch-label-conflict: revisions = {label, ...}; locations = {the owner, the newcomer}.
std::string label_message(const Problem& p) {
    static const ProblemLocation none;
    const std::string& label = p.revisions.empty() ? p.subject : p.revisions.front();
    const ProblemLocation& owner = p.locations.size() > 0 ? p.locations[0] : none;
    const ProblemLocation& newcomer = p.locations.size() > 1 ? p.locations[1] : none;
    if (p.situation == Situation::label_is_revision)
        return fmt::format("branch label '{}' of revision '{}' ({}) is already a revision ID ({})", label,
                           newcomer.revision, newcomer.file, owner.file);
    return fmt::format("branch label '{}' is used by revision '{}' ({}) and by revision '{}' ({})", label,
                       owner.revision, owner.file, newcomer.revision, newcomer.file);
}

std::string missing_message(const Problem& p) {
    const std::string& rev = p.revisions.empty() ? std::string() : p.revisions.front();
    switch (p.situation) {
    case Situation::missing_dependency:
        return fmt::format("depends_on of revision '{}' ({}) names '{}', which is neither a revision nor a branch "
                           "label in this environment", rev, file_of(p), missing_name(p));
    case Situation::missing_down_is_label:
        return fmt::format("down_revision of revision '{}' ({}) names '{}', which is a branch label, not a revision "
                           "ID (Alembic fails with KeyError; only depends_on may name a label)",
                           rev, file_of(p), missing_name(p));
    default:
        return fmt::format("down_revision of revision '{}' ({}) names '{}', which no migration in this environment "
                           "declares (Alembic fails with KeyError)", rev, file_of(p), missing_name(p));
    }
}

}  // namespace

std::string problem_message(const Problem& p) {
    switch (p.situation) {
    case Situation::heads:
    case Situation::heads_labelled: return heads_message(p);
    case Situation::heads_added:
    case Situation::heads_added_by_duplicate: return heads_added_message(p);
    case Situation::duplicate: return duplicate_message(p);
    case Situation::self_loop:
    case Situation::dependency_self_loop: {
        const bool down = p.situation == Situation::self_loop;
        return fmt::format("revision '{}' in {} names itself in its {} (Alembic: {}-loop is detected)",
                           p.revisions.empty() ? std::string() : p.revisions.front(), file_of(p),
                           down ? "down_revision" : "depends_on", down ? "Self" : "Dependency self");
    }
    case Situation::cycle:
    case Situation::dependency_cycle: {
        const bool dep = p.situation == Situation::dependency_cycle;
        return fmt::format("Alembic fails with \"{}ycle is detected in revisions ({})\": following down_revision{} "
                           "from the heads and from the bases does not reach them all",
                           dep ? "Dependency c" : "C", fmt::join(p.revisions, ", "), dep ? " and depends_on" : "");
    }
    case Situation::label_is_revision:
    case Situation::label_used_twice: return label_message(p);
    case Situation::missing_down:
    case Situation::missing_down_is_label:
    case Situation::missing_dependency: return missing_message(p);
    case Situation::unparsable: return fmt::format("{}{} {}", file_of(p), at_line(p), p.reason);
    case Situation::toml_syntax: return fmt::format("{}{}: not valid TOML: {}", file_of(p), at_line(p), p.reason);
    case Situation::ini_syntax:
    case Situation::ini_section:
    case Situation::pyproject_section:
    case Situation::guard_settings: return fmt::format("{}{}: {}", file_of(p), at_line(p), p.reason);
    case Situation::merge_conflict:
        return fmt::format("{} does not merge cleanly onto the result so far: conflicts in {}", p.subject,
                           fmt::join(p.files, ", "));
    case Situation::location_fails:
        return fmt::format("{}{}: version location '{}' {}: Alembic before 1.10 fails with {} before it reads a "
                           "migration (1.10 and later skip it)",
                           file_of(p), at_line(p), p.subject.empty() ? std::string(".") : p.subject,
                           p.reason == "FileNotFoundError" ? "does not exist" : "is a file, not a directory", p.reason);
    case Situation::invalid_id: {
        const std::string rev = p.revisions.empty() ? std::string() : p.revisions.front();
        return fmt::format("revision '{}' in {} contains {}, which Alembic {} does not allow in a revision ID "
                           "(RevisionError: \"Character(s) '{}' not allowed in revision identifier '{}'\")",
                           rev, file_of(p), quoted_chars(p.subject), p.reason, fmt::join(p.subject, ", "), rev);
    }
    }
    return p.reason;
}

std::string problem_fix(const Problem& p) {
    switch (p.situation) {
    case Situation::heads: return heads_fix(p);
    case Situation::heads_labelled:
        return fmt::format("each head is the tip of its own labelled branch: if that layout is deliberate (deployed "
                           "with `alembic upgrade heads`), declare it with allow_multiple_heads = true for this "
                           "environment in .alembic-guard.toml (or the operator's alembicGuard.allowMultipleHeads); "
                           "otherwise {}",
                           heads_fix(p));
    case Situation::heads_added_by_duplicate:
        return "the extra head is the duplicated revision ID: renumber it (see duplicate-revision)";
    case Situation::heads_added: return heads_added_fix(p);
    case Situation::duplicate: return duplicate_fix(p);
    case Situation::self_loop:
    case Situation::dependency_self_loop:
        return fmt::format("in {} point {} at the revision this one follows", file_of(p),
                           p.situation == Situation::self_loop ? "down_revision" : "depends_on");
    case Situation::cycle:
    case Situation::dependency_cycle: return "break the cycle: each of these files must point at an older revision";
    case Situation::label_is_revision:
    case Situation::label_used_twice:
        return fmt::format("rename the branch label in {} (or drop it: only the first revision of a branch needs one)",
                           p.locations.size() > 1 ? p.locations[1].file : file_of(p));
    case Situation::missing_down:
    case Situation::missing_down_is_label:
    case Situation::missing_dependency:
        return fmt::format("in {} point {} at an existing revision, or restore the migration that declares '{}'",
                           file_of(p), p.situation == Situation::missing_dependency ? "depends_on" : "down_revision",
                           missing_name(p));
    case Situation::unparsable:
        return fmt::format("fix {} so that Python can import it and `revision`/`down_revision` are literals",
                           file_of(p));
    case Situation::ini_syntax: return fmt::format("fix {} so that Python's configparser can read it", file_of(p));
    case Situation::ini_section: return fmt::format("fix section [{}] of {}", p.subject, file_of(p));
    case Situation::toml_syntax: return fmt::format("fix the TOML syntax of {}", file_of(p));
    case Situation::pyproject_section: return fmt::format("fix [tool.alembic] in {}", file_of(p));
    case Situation::guard_settings: return fmt::format("fix {}", file_of(p));
    case Situation::merge_conflict:
        return fmt::format("rebase {} onto the target branch (with the candidates queued before it) and resolve the "
                           "conflicts", p.subject);
    case Situation::location_fails:
        return p.reason == "FileNotFoundError"
                   ? fmt::format("create '{}' with an empty __init__.py or .gitkeep in it (git keeps no empty "
                                 "directories), or set version_locations in {}",
                                 p.subject, file_of(p))
                   : fmt::format("make '{}' a directory, or remove it from version_locations in {}", p.subject,
                                 file_of(p));
    case Situation::invalid_id:
        return fmt::format("in {} choose a revision ID without {} (letters, digits and '_' are always safe)", file_of(p),
                           quoted_chars(p.subject));
    }
    return {};
}

std::string note_message(const Note& n) {
    switch (n.kind) {
    case NoteKind::script_location_unjudged:
        return fmt::format("script_location '{}' cannot be judged: {}", n.subject, n.detail);
    case NoteKind::script_location_missing:
        return fmt::format("script_location '{}' ({}) does not exist here: Alembic would fail with \"Path doesn't "
                           "exist\"; this environment has no migrations to judge",
                           n.subject, n.detail);
    case NoteKind::location_unjudged: return fmt::format("version location '{}' cannot be judged: {}", n.subject, n.detail);
    case NoteKind::location_missing:
        return fmt::format("version location '{}' does not exist here; Alembic skips it without a word",
                           n.subject.empty() ? std::string(".") : n.subject);
    case NoteKind::no_location_exists:
        return "none of this environment's version locations exists here: it has no migrations (an empty graph, not "
               "a passing one)";
    case NoteKind::declared_location_missing: return fmt::format("version location '{}' does not exist here", n.subject);
    case NoteKind::python_nearest:
        return fmt::format("{} declares Python {}; the guard judges its migrations by Python {}'s grammar, the nearest "
                           "it knows",
                           n.file, n.subject, n.detail);
    case NoteKind::alembic_oldest:
        return fmt::format("{} pins Alembic {}, older than the guard knows: judged as Alembic {}", n.file, n.subject,
                           n.detail);
    case NoteKind::unread_subdirectories: {
        std::vector<std::string> shown(n.ids.begin(), n.ids.begin() + std::min<std::ptrdiff_t>(std::ssize(n.ids), 4));
        if (n.ids.size() > shown.size()) shown.push_back(fmt::format("{} more", n.ids.size() - shown.size()));
        const auto version = parse_alembic_version(n.detail);
        return fmt::format("{} .py file{} in sub-directories ({}) {} not loaded by Alembic {}{}; if your env.py or "
                           "command line loads them, declare the environment in .alembic-guard.toml with them in "
                           "version_locations ([[environment]], version_locations = [..., {}]) so that the guard "
                           "judges them too",
                           n.subject, n.subject == "1" ? "" : "s", fmt::join(shown, ", "), n.subject == "1" ? "is" : "are",
                           n.detail,
                           version && version->reads_sub_directories() ? " without recursive_version_locations = true"
                                                                       : "",
                           quoted_list(n.ids));
    }
    case NoteKind::undetected_cycle:
        return fmt::format("revisions {} form a cycle through {} that Alembic 1.8.1 does not detect; `alembic upgrade` "
                           "may apply them in an order that breaks",
                           quoted_list(n.ids), n.through_dependencies ? "down_revision and depends_on" : "down_revision");
    }
    return {};
}

}  // namespace ag
