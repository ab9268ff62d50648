#include "report/forecast_report.hpp"

#include "report/problem_wording.hpp"
#include "report/report.hpp"
#include "support/json_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

namespace ag {

namespace {

using nlohmann::ordered_json;

const Problem* find_problem(const ForecastPair& p, std::string_view code) {
    for (const auto& q : p.problems)
        if (q.code == code) return &q;
    return nullptr;
}

// The revisions of `adds` that none of them names as a parent: the heads it leaves.
std::vector<const AddedRevision*> leaves(const std::vector<AddedRevision>& adds) {
    std::set<std::string> parents;
    for (const auto& r : adds) parents.insert(r.parents.begin(), r.parents.end());
    std::vector<const AddedRevision*> out;
    for (const auto& r : adds)
        if (!parents.count(r.id)) out.push_back(&r);
    return out;
}

// The revisions of `adds` whose parents are none of them: where its chain starts.
std::vector<const AddedRevision*> roots(const std::vector<AddedRevision>& adds) {
    std::set<std::string> ids;
    for (const auto& r : adds) ids.insert(r.id);
    std::vector<const AddedRevision*> out;
    for (const auto& r : adds)
        if (std::none_of(r.parents.begin(), r.parents.end(), [&](const std::string& p) { return ids.count(p) > 0; }))
            out.push_back(&r);
    return out;
}

std::string quoted_list(const std::vector<std::string>& ids) {
    std::vector<std::string> q;
    for (const auto& id : ids) q.push_back(fmt::format("'{}'", id));
    return fmt::format("{}", fmt::join(q, ", "));
}

// "031 on 030", "031 on 029, 030" (a merge), "031 (a base)".
std::string revision_phrase(const AddedRevision& r) {
    if (r.parents.empty()) return fmt::format("{} (a base)", r.id);
    return fmt::format("{} on {}", r.id, fmt::join(r.parents, ", "));
}

std::string adds_phrase(const std::vector<AddedRevision>& adds) {
    if (adds.empty()) return "changes to existing migrations or settings";
    std::vector<std::string> parts;
    for (const auto& r : adds) parts.push_back(revision_phrase(r));
    return fmt::format("{}", fmt::join(parts, "; "));
}

// Why the two collide, in a few words.
std::string collision_phrase(const ForecastPair& p) {
    if (!p.conflict_files.empty())
        return fmt::format("both change {} differently", fmt::join(p.conflict_files, ", "));
    if (find_problem(p, code::duplicate_revision))
        return fmt::format("both add revision {}", quoted_list(p.shared.empty() ? p.problems.front().revisions : p.shared));
    if (find_problem(p, code::multiple_heads)) {
        const auto merges = [](const std::vector<AddedRevision>& adds) {
            return std::any_of(adds.begin(), adds.end(), [](const AddedRevision& r) { return r.parents.size() > 1; });
        };
        if (merges(p.stay_adds) && merges(p.move_adds) && !p.shared.empty())
            return fmt::format("both add a merge migration of {}", quoted_list(p.shared));
        if (!p.shared.empty())
            return fmt::format("both add a migration on {}: together they leave two heads", quoted_list(p.shared));
        return "together they leave one more head";
    }
    return fmt::format("together they add {}", p.problems.empty() ? std::string("a problem") : p.problems.front().code);
}

}  // namespace

std::string candidate_label(const ForecastCandidate& c) {
    return c.pr ? fmt::format("#{}", *c.pr) : c.ref;
}

std::string forecast_fix(const ForecastPair& p) {
    const std::string who = candidate_label(p.move);
    if (!p.conflict_files.empty())
        return fmt::format("in {}, rename {} and give its migration a new revision on top of {}'s, then rebase onto "
                           "the target branch once {} has landed",
                           who, fmt::join(p.conflict_files, ", "), candidate_label(p.stay), candidate_label(p.stay));
    const auto stay_heads = leaves(p.stay_adds);
    const std::string on = stay_heads.size() == 1 ? stay_heads.front()->id : std::string();
    if (const Problem* dup = find_problem(p, code::duplicate_revision); dup && !dup->revisions.empty()) {
        const std::string& id = dup->revisions.front();
        const std::string new_id = dup->new_id.empty() ? std::string("<new id>") : dup->new_id;
        const bool built_on = std::any_of(p.move_adds.begin(), p.move_adds.end(), [&](const AddedRevision& r) {
            return std::find(r.parents.begin(), r.parents.end(), id) != r.parents.end();
        });
        for (const auto& r : p.move_adds)
            if (r.id == id)
                return fmt::format("in {} ({}) set revision = \"{}\" and down_revision = \"{}\" (and its docstring's "
                                   "Revision ID/Revises){}",
                                   r.file, who, new_id, on.empty() ? id : on,
                                   built_on ? fmt::format(", and point {}'s migrations on '{}' at \"{}\"", who, id, new_id)
                                            : std::string());
    }
    if (find_problem(p, code::multiple_heads) && !on.empty()) {
        const auto starts = roots(p.move_adds);
        if (starts.size() == 1) {
            const AddedRevision& r = *starts.front();
            const bool stay_merges = stay_heads.front()->parents.size() > 1;
            if (r.parents.size() > 1 && stay_merges)
                return fmt::format("in {} drop {} ({}'s merge migration {} already merges {}), or chain it: set "
                                   "down_revision = \"{}\"",
                                   who, r.file, candidate_label(p.stay), on, fmt::join(r.parents, ", "), on);
            return fmt::format("in {} ({}) set down_revision = \"{}\", so that its migrations follow {}'s", r.file, who,
                               on, candidate_label(p.stay));
        }
    }
    return p.problems.empty() ? std::string() : problem_fix(p.problems.front());
}

std::string forecast_json_lines(const Forecast& f) {
    std::string out;
    for (const auto& p : f.pairs) {
        const bool stay_first = p.stay.ref < p.move.ref;
        const ForecastCandidate& a = stay_first ? p.stay : p.move;
        const ForecastCandidate& b = stay_first ? p.move : p.stay;
        const auto number = [](const ForecastCandidate& c) { return c.pr ? ordered_json(*c.pr) : ordered_json(nullptr); };
        ordered_json j;
        j["pair"] = {a.ref, b.ref};
        j["prs"] = {number(a), number(b)};
        j["environment"] = p.environment;
        ordered_json problems = ordered_json::array();
        for (const auto& q : p.problems) problems.push_back(problem_json(q));
        j["problems"] = std::move(problems);
        j["shared"] = p.shared;
        j["move"] = p.move.ref;
        j["fix"] = forecast_fix(p);
        out += json_text(j) + "\n";
    }
    for (const auto& bad : f.bad_alone) {
        ordered_json j;
        j["candidate"] = bad.candidate.ref;
        j["ok"] = false;
        ordered_json intro = judgement_json(bad.judgement)["introduced"];
        if (!bad.conflict_files.empty()) {
            Problem conflict;
            conflict.code = code::merge_conflict;
            conflict.situation = Situation::merge_conflict;
            conflict.subject = bad.candidate.ref;
            conflict.files = bad.conflict_files;
            intro.push_back(problem_json(conflict));
        }
        j["introduced"] = std::move(intro);
        out += json_text(j) + "\n";
    }
    return out;
}

std::string forecast_text(const Forecast& f) {
    std::string out = fmt::format("forecast onto {} ({}): {} candidate{}, {} pair{} compared, {} colliding, {} bad alone\n",
                                  f.base, f.base_hex.substr(0, 12), f.candidates, f.candidates == 1 ? "" : "s",
                                  f.pairs_compared, f.pairs_compared == 1 ? "" : "s", f.pairs.size(), f.bad_alone.size());
    for (const auto& p : f.pairs) {
        out += fmt::format("COLLIDE {} and {} in {}: {}\n", candidate_label(p.stay), candidate_label(p.move),
                           p.environment, collision_phrase(p));
        for (const auto* c : {&p.stay, &p.move})
            if (c->pr) out += fmt::format("  {} is {}\n", candidate_label(*c), c->ref);
        out += fmt::format("  {} adds {}\n", candidate_label(p.stay), adds_phrase(p.stay_adds));
        out += fmt::format("  {} adds {}\n", candidate_label(p.move), adds_phrase(p.move_adds));
        for (const auto& q : p.problems)
            out += fmt::format("  landing {} after {}: [{}] {}\n", candidate_label(p.move), candidate_label(p.stay),
                               q.code, problem_message(q));
        out += fmt::format("  fix: move {} ({}): {}\n", candidate_label(p.move),
                           p.preferred ? fmt::format("{} is preferred", candidate_label(p.stay)) : std::string("opened later"),
                           forecast_fix(p));
    }
    for (const auto& bad : f.bad_alone) {
        if (!bad.conflict_files.empty()) {
            out += fmt::format("BAD ALONE {}: does not merge cleanly onto {}: conflicts in {}\n",
                               candidate_label(bad.candidate), f.base, fmt::join(bad.conflict_files, ", "));
            continue;
        }
        out += fmt::format("BAD ALONE {}: landing it on {} alone would break `alembic upgrade head`:\n",
                           candidate_label(bad.candidate), f.base);
        for (const auto& l : rejection_lines(bad.judgement)) out += fmt::format("  {}\n", l);
    }
    if (f.pairs.empty() && f.bad_alone.empty()) out += "no two candidates collide, and each lands alone\n";
    return out;
}

std::string forecast_github(const Forecast& f) {
    std::string out;
    for (const auto& p : f.pairs) {
        const std::string message = fmt::format("{} collides with {} in {}: {}. Fix: {}", candidate_label(p.move),
                                                candidate_label(p.stay), p.environment, collision_phrase(p), forecast_fix(p));
        const auto starts = roots(p.move_adds);
        if (starts.empty()) {
            out += fmt::format("::error title=alembic-guard forecast::{}\n", github_escape(message, false));
            continue;
        }
        for (const auto* r : starts)
            out += fmt::format("::error file={},line={},title=alembic-guard forecast::{}\n", github_escape(r->file, true),
                               std::max(r->line, 1), github_escape(message, false));
    }
    for (const auto& bad : f.bad_alone)
        out += fmt::format("::error title=alembic-guard forecast::{}\n",
                           github_escape(fmt::format("{} does not land on {} alone", candidate_label(bad.candidate), f.base), false));
    return out;
}

std::string forecast_markdown(const Forecast& f) {
    // Mermaid labels take no raw quotes; node names are ours, so any revision ID is safe.
    const auto label = [](const std::string& s) {
        std::string out;
        for (char c : s) out += c == '"' ? std::string("#quot;") : std::string(1, c);
        return out;
    };
    const auto cell = [](const std::string& s) {
        std::string out;
        for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
        return out;
    };
    std::string out = fmt::format("## alembic-guard forecast onto `{}`\n\n", f.base);
    if (f.pairs.empty() && f.bad_alone.empty())
        out += fmt::format("No two of the {} open candidates collide, and each lands on `{}` alone.\n", f.candidates, f.base);
    for (const auto& p : f.pairs) {
        const std::string s = candidate_label(p.stay), m = candidate_label(p.move);
        out += fmt::format("### {} and {} collide in `{}`\n\n{}.\n\n", s, m, p.environment, collision_phrase(p));
        const auto files = [](const std::vector<AddedRevision>& adds) {
            std::vector<std::string> names;
            for (const auto& r : adds) names.push_back(fmt::format("`{}`", r.file));
            return names.empty() ? std::string("-") : fmt::format("{}", fmt::join(names, "<br>"));
        };
        out += fmt::format("| | {} (stays) | {} (moves{}) |\n| --- | --- | --- |\n", cell(s), cell(m),
                           p.preferred ? "" : ": opened later");
        out += fmt::format("| adds | {} | {} |\n", cell(adds_phrase(p.stay_adds)), cell(adds_phrase(p.move_adds)));
        out += fmt::format("| files | {} | {} |\n\n", cell(files(p.stay_adds)), cell(files(p.move_adds)));
        for (const auto& q : p.problems) out += fmt::format("- `{}`: {}\n", q.code, problem_message(q));
        out += fmt::format("\n**Fix ({}):** {}\n\n", m, forecast_fix(p));

        // The fork: the parents both build on at the bottom, each side's new revisions above.
        std::map<std::string, std::string> node;  // revision (as drawn) -> node name
        std::string graph = "```mermaid\nflowchart BT\n";
        const auto name_of = [&](const std::string& key, const std::string& text, const char* cls) {
            auto it = node.find(key);
            if (it != node.end()) return it->second;
            const std::string n = fmt::format("n{}", node.size());
            node.emplace(key, n);
            graph += fmt::format("  {}[\"{}\"]{}\n", n, label(text), cls);
            return n;
        };
        for (const auto* side : {&p.stay_adds, &p.move_adds}) {
            const bool moving = side == &p.move_adds;
            const std::string who = moving ? m : s;
            for (const auto& r : *side) {
                const std::string child = name_of(who + "\n" + r.id, fmt::format("{} ({})", r.id, who),
                                                  moving ? ":::move" : ":::stay");
                for (const auto& parent : r.parents) {
                    const bool own = std::any_of(side->begin(), side->end(), [&](const AddedRevision& x) { return x.id == parent; });
                    const std::string to = own ? name_of(who + "\n" + parent, fmt::format("{} ({})", parent, who),
                                                         moving ? ":::move" : ":::stay")
                                               : name_of(parent, fmt::format("{} ({})", parent, f.base), "");
                    graph += fmt::format("  {} --> {}\n", child, to);
                }
            }
        }
        graph += "  classDef move stroke:#d73a49,stroke-width:3px\n  classDef stay stroke:#2da44e\n```\n\n";
        if (!p.stay_adds.empty() || !p.move_adds.empty()) out += graph;
    }
    for (const auto& bad : f.bad_alone) {
        out += fmt::format("### {} does not land on `{}` alone\n\n", candidate_label(bad.candidate), f.base);
        if (!bad.conflict_files.empty()) {
            out += fmt::format("It conflicts with `{}` in {}.\n\n", f.base, fmt::join(bad.conflict_files, ", "));
            continue;
        }
        for (const auto& ip : bad.judgement.verdict.introduced)
            out += fmt::format("- `{}` in `{}`: {}\n  - fix: {}\n", ip.problem.code, ip.environment,
                               problem_message(ip.problem), problem_fix(ip.problem));
        out += "\n";
    }
    return out;
}

}  // namespace ag
