#include "alembic/revision_graph.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

namespace ag {

namespace {

std::string quoted_list(const std::vector<std::string>& ids) {
    std::vector<std::string> q;
    q.reserve(ids.size());
    for (const auto& id : ids) q.push_back(fmt::format("'{}'", id));
    return fmt::format("{}", fmt::join(q, ", "));
}

std::string parents_text(const Migration& m) {
    if (m.down_revisions.empty()) return "<base>";
    return quoted_list(m.down_revisions);
}

ProblemLocation location_of(const Migration& m) {
    return ProblemLocation{m.path, m.revision_line ? m.revision_line : 1, m.revision, m.down_revisions};
}

// The neighbours of one revision: almost always one, kept inline (a vector per revision
// and per kind of edge was tens of thousands of allocations on a long history).
// 16 bytes: up to six of these per revision are built for every history, and each fresh page
// of memory costs more than the work done in it. One neighbour inline: a second (a merge
// point's parents, a branch point's children) is rare.
class Adjacent {
public:
    void push_back(size_t v) {
        const auto x = static_cast<uint32_t>(v);
        if (size_ == 0) first_ = x;
        else if (size_ == 1) more_ = std::make_unique<std::vector<uint32_t>>(std::initializer_list<uint32_t>{first_, x});
        else more_->push_back(x);
        ++size_;
    }
    const uint32_t* begin() const { return size_ <= 1 ? &first_ : more_->data(); }
    const uint32_t* end() const { return begin() + size_; }
    size_t size() const { return size_; }
    size_t operator[](size_t k) const { return begin()[k]; }

private:
    uint32_t first_ = 0;
    uint32_t size_ = 0;
    std::unique_ptr<std::vector<uint32_t>> more_;
};

// Revision IDs and their positions in first-insertion order (Python's OrderedDict, as
// Alembic's map_ keeps them): open addressing over positions, keys viewing the migrations'
// own strings. A node per ID (std::unordered_map) was 10,000 allocations and a third of the
// pages a 10,000-revision graph touched.
class IdIndex {
public:
    // Room for `capacity` distinct IDs (a graph has at most one per revision), the table at
    // most half full.
    explicit IdIndex(size_t capacity) {
        size_t slots = 16;
        while (slots < 2 * capacity) slots *= 2;
        slots_.assign(slots, kEmpty);
        keys_.reserve(capacity);
    }
    // The position of `id`, added at the end when new; second: whether it was added.
    std::pair<uint32_t, bool> insert(std::string_view id) {
        uint32_t& slot = slots_[slot_of(id)];
        if (slot != kEmpty) return {slot, false};
        slot = static_cast<uint32_t>(keys_.size());
        keys_.push_back(id);
        return {slot, true};
    }
    std::optional<uint32_t> find(std::string_view id) const {
        const uint32_t slot = slots_[slot_of(id)];
        if (slot == kEmpty) return std::nullopt;
        return slot;
    }
    // Every ID, in the order first inserted.
    const std::vector<std::string_view>& keys() const { return keys_; }

private:
    static constexpr uint32_t kEmpty = UINT32_MAX;
    // The slot holding `id`, or the empty slot where it belongs.
    size_t slot_of(std::string_view id) const {
        const size_t mask = slots_.size() - 1;
        size_t s = std::hash<std::string_view>{}(id) & mask;
        while (slots_[s] != kEmpty && keys_[slots_[s]] != id) s = (s + 1) & mask;
        return s;
    }
    std::vector<uint32_t> slots_;
    std::vector<std::string_view> keys_;
};

// Strongly connected components with more than one member, or a member with an edge to
// itself, over `edges` (iterative Tarjan: histories can be 50,000 revisions deep).
std::vector<std::vector<size_t>> cycles_of(const std::vector<Adjacent>& edges) {
    const size_t n = edges.size();
    std::vector<size_t> index(n, SIZE_MAX), low(n, 0);
    std::vector<bool> on_stack(n, false);
    std::vector<size_t> stack;
    std::vector<std::vector<size_t>> out;
    size_t next = 0;
    struct Frame { size_t v; size_t edge; };
    std::vector<Frame> call;
    for (size_t root = 0; root < n; ++root) {
        if (index[root] != SIZE_MAX) continue;
        call.assign(1, Frame{root, 0});
        index[root] = low[root] = next++;
        stack.push_back(root);
        on_stack[root] = true;
        while (!call.empty()) {
            Frame& f = call.back();
            if (f.edge < edges[f.v].size()) {
                const size_t w = edges[f.v][f.edge++];
                if (index[w] == SIZE_MAX) {
                    index[w] = low[w] = next++;
                    stack.push_back(w);
                    on_stack[w] = true;
                    call.push_back({w, 0});
                } else if (on_stack[w]) {
                    low[f.v] = std::min(low[f.v], index[w]);
                }
                continue;
            }
            const size_t v = f.v;
            call.pop_back();
            if (!call.empty()) low[call.back().v] = std::min(low[call.back().v], low[v]);
            if (low[v] == index[v]) {
                // Nearly every component is one revision without a loop: nothing to keep.
                const bool self_loop = std::find(edges[v].begin(), edges[v].end(), v) != edges[v].end();
                if (stack.back() == v && !self_loop) {
                    stack.pop_back();
                    on_stack[v] = false;
                    continue;
                }
                std::vector<size_t> comp;
                size_t w;
                do {
                    w = stack.back();
                    stack.pop_back();
                    on_stack[w] = false;
                    comp.push_back(w);
                } while (w != v);
                out.push_back(std::move(comp));
            }
        }
    }
    return out;
}

}  // namespace

RevisionGraph build_revision_graph(const std::vector<Migration>& migrations, bool allow_multiple_heads) {
    RevisionGraph g;
    std::vector<const Migration*> revs;  // loadable, in load order
    for (const auto& m : migrations)
        if (!m.error) revs.push_back(&m);
    g.revision_count = revs.size();
    const size_t n = revs.size();

    // map_: ID -> last copy; `order` keeps first-insertion order like Python's OrderedDict.
    IdIndex uid_of(n);
    const std::vector<std::string_view>& order = uid_of.keys();
    std::vector<uint32_t> last_copy;  // per position in `order`
    last_copy.reserve(n);
    std::vector<uint32_t> uid(n);
    for (size_t i = 0; i < n; ++i) {
        const auto [at, inserted] = uid_of.insert(revs[i]->revision);
        if (inserted) last_copy.push_back(0);
        uid[i] = at;
        last_copy[at] = static_cast<uint32_t>(i);
    }
    // The copy Alembic's map_ holds for `id`, if any.
    auto find_id = [&](std::string_view id) -> std::optional<size_t> {
        const auto at = uid_of.find(id);
        if (!at) return std::nullopt;
        return last_copy[*at];
    };
    auto has_id = [&](std::string_view id) { return uid_of.find(id).has_value(); };
    std::map<std::string_view, std::vector<size_t>> copies;  // duplicated IDs only, sorted by ID
    if (order.size() < n)
        for (size_t i = 0; i < n; ++i)
            if (last_copy[uid[i]] != i || copies.count(revs[i]->revision)) copies[revs[i]->revision].push_back(i);

    // Duplicate IDs: Alembic only warns, but the earlier copy can never stop being a head.
    for (const auto& [id, idx] : copies) {
        Problem p;
        p.code = code::duplicate_revision;
        p.revisions = {std::string(id)};
        std::vector<std::string> described;
        std::set<std::string> parents;
        for (size_t i : idx) {
            p.files.push_back(revs[i]->path);
            p.locations.push_back(location_of(*revs[i]));
            described.push_back(fmt::format("{} (line {}, down_revision {})", revs[i]->path, revs[i]->revision_line,
                                            parents_text(*revs[i])));
            parents.insert(parents_text(*revs[i]));
        }
        p.message = fmt::format("revision '{}' is declared by {} files: {}", id, idx.size(), fmt::join(described, "; "));
        if (parents.size() == 1) p.message += fmt::format(" — all on the same parent {}", *parents.begin());
        const Migration& later = *revs[idx.back()];
        p.fix = fmt::format(
            "give one file a new revision ID and chain it onto the other: in {} set revision = \"<new id>\" and "
            "down_revision = \"{}\" (a merge migration cannot repair a duplicate: down_revision = ('{}', '{}') still "
            "leaves two heads)",
            later.path, id, id, id);
        g.problems.push_back(std::move(p));
    }

    // Self-loops are refused when Alembic constructs the revision.
    std::vector<bool> self_looped(n, false);
    for (size_t i = 0; i < n; ++i) {
        const Migration& m = *revs[i];
        const bool in_down = std::count(m.down_revisions.begin(), m.down_revisions.end(), m.revision) > 0;
        const bool in_deps = std::count(m.depends_on.begin(), m.depends_on.end(), m.revision) > 0;
        if (!in_down && !in_deps) continue;
        self_looped[i] = true;
        Problem p;
        p.code = code::cycle;
        p.revisions = {m.revision};
        p.files = {m.path};
        p.locations = {location_of(m)};
        p.message = fmt::format("revision '{}' in {} names itself in its {} (Alembic: {}-loop is detected)", m.revision,
                                m.path, in_down ? "down_revision" : "depends_on", in_down ? "Self" : "Dependency self");
        p.fix = fmt::format("in {} point {} at the revision this one follows", m.path,
                            in_down ? "down_revision" : "depends_on");
        g.problems.push_back(std::move(p));
    }

    // Branch labels, in load order (every copy registers its labels).
    std::unordered_map<std::string, size_t> labels;
    std::vector<size_t> label_order;  // owners in the order their labels entered the map
    for (size_t i = 0; i < n; ++i) {
        for (const auto& label : revs[i]->branch_labels) {
            std::optional<size_t> owner;
            if (auto t = find_id(label)) owner = t;
            else if (auto jt = labels.find(label); jt != labels.end()) owner = jt->second;
            if (owner) {
                const Migration& a = *revs[i];
                const Migration& b = *revs[*owner];
                Problem p;
                p.code = code::branch_label_conflict;
                std::vector<std::string> pair{a.revision, b.revision};
                std::sort(pair.begin(), pair.end());
                p.revisions = {label, pair[0], pair[1]};
                p.files = {b.path, a.path};
                p.locations = {location_of(b), location_of(a)};
                p.message = find_id(label) == owner && b.revision == label
                                ? fmt::format("branch label '{}' of revision '{}' ({}) is already a revision ID ({})",
                                              label, a.revision, a.path, b.path)
                                : fmt::format("branch label '{}' is used by revision '{}' ({}) and by revision '{}' ({})",
                                              label, b.revision, b.path, a.revision, a.path);
                p.fix = fmt::format("rename the branch label in {} (or drop it: only the first revision of a branch "
                                    "needs one)", a.path);
                g.problems.push_back(std::move(p));
            } else {
                labels.emplace(label, i);
                label_order.push_back(i);
            }
        }
    }
    auto resolve = [&](const std::string& name) -> std::optional<size_t> {
        if (auto t = find_id(name)) return t;
        if (auto it = labels.find(name); it != labels.end()) return it->second;
        return std::nullopt;
    };
    auto missing = [&](const Migration& m, const std::string& name, bool dependency) {
        Problem p;
        p.code = code::missing_revision;
        p.revisions = {m.revision, name};
        p.files = {m.path};
        p.locations = {ProblemLocation{m.path, m.down_revision_line ? m.down_revision_line : 1, m.revision,
                                       m.down_revisions}};
        if (dependency) {
            p.message = fmt::format("depends_on of revision '{}' ({}) names '{}', which is neither a revision nor a "
                                    "branch label in this environment", m.revision, m.path, name);
        } else if (labels.count(name) && !has_id(name)) {
            p.message = fmt::format("down_revision of revision '{}' ({}) names '{}', which is a branch label, not a "
                                    "revision ID (Alembic fails with KeyError; only depends_on may name a label)",
                                    m.revision, m.path, name);
        } else {
            p.message = fmt::format("down_revision of revision '{}' ({}) names '{}', which no migration in this "
                                    "environment declares (Alembic fails with KeyError)", m.revision, m.path, name);
        }
        p.fix = fmt::format("in {} point {} at an existing revision, or restore the migration that declares '{}'",
                            m.path, dependency ? "depends_on" : "down_revision", name);
        g.problems.push_back(std::move(p));
    };

    // depends_on resolves through IDs and branch labels, for every copy.
    const bool any_deps = std::any_of(revs.begin(), revs.end(), [](const Migration* m) { return !m->depends_on.empty(); });
    std::vector<std::vector<std::string>> resolved_deps(any_deps ? n : 0);
    for (size_t i = 0; any_deps && i < n; ++i) {
        for (const auto& dep : revs[i]->depends_on) {
            if (auto t = resolve(dep)) resolved_deps[i].push_back(revs[*t]->revision);
            else missing(*revs[i], dep, true);
        }
    }

    // Alembic walks map_.values() — every ID's last copy, then every branch label's owner
    // (which may be an earlier copy of a duplicated ID) — and each parent it names stops
    // being a head. Every copy starts as a head.
    std::vector<size_t> processed;
    std::vector<bool> is_processed(n, false);
    for (size_t u = 0; u < order.size(); ++u) {
        processed.push_back(last_copy[u]);
        is_processed[last_copy[u]] = true;
    }
    for (size_t owner : label_order) {
        if (is_processed[owner]) continue;
        processed.push_back(owner);
        is_processed[owner] = true;
    }
    // Edges are kept as the map_ copies they lead to, resolved once: the walks below run
    // over every revision, and 10,000 string lookups per walk showed in the profile.
    std::vector<bool> is_head(n, true), is_real_head(n, true);
    // Without depends_on anywhere the "all" edges are the versioned ones: not built twice.
    std::vector<Adjacent> nextrev(n), versioned_edges(n), down_ids(n);  // children; parents; for the walk up
    std::vector<Adjacent> own_all_nextrev(any_deps ? n : 0), own_all_edges(any_deps ? n : 0), dep_ids(any_deps ? n : 0);
    std::vector<Adjacent>& all_nextrev = any_deps ? own_all_nextrev : nextrev;
    std::vector<Adjacent>& all_edges = any_deps ? own_all_edges : versioned_edges;
    for (size_t i = 0; i < n; ++i) {
        for (const auto& d : revs[i]->down_revisions)
            if (auto t = find_id(d)) down_ids[i].push_back(*t);
        if (any_deps)
            for (const auto& d : resolved_deps[i])
                if (auto t = find_id(d)) dep_ids[i].push_back(*t);
    }
    for (size_t i : processed) {
        const Migration& m = *revs[i];
        const size_t self = last_copy[uid[i]];
        auto visit = [&](const std::string& down, bool versioned) {
            const auto id = find_id(down);
            auto t = id ? id : resolve(down);  // resolve() looks IDs up first, then labels
            if (versioned && !id) missing(m, down, false);  // a label here fails later, in Alembic too
            if (!t) return;
            if (any_deps) all_nextrev[*t].push_back(self);
            if (std::find(m.down_revisions.begin(), m.down_revisions.end(), revs[*t]->revision) != m.down_revisions.end())
                nextrev[*t].push_back(self);
            if (versioned) is_head[*t] = false;
            is_real_head[*t] = false;
            if (id) {
                if (any_deps) all_edges[i].push_back(*id);
                if (versioned) versioned_edges[i].push_back(*id);
            }
        };
        // Alembic's _all_down_revisions: down_revision, then resolved dependencies not already there.
        for (const auto& down : m.down_revisions) visit(down, true);
        for (size_t k = 0; any_deps && k < resolved_deps[i].size(); ++k) {
            const auto& dep = resolved_deps[i][k];
            if (std::find(m.down_revisions.begin(), m.down_revisions.end(), dep) != m.down_revisions.end()) continue;
            if (std::find(resolved_deps[i].begin(), resolved_deps[i].begin() + static_cast<std::ptrdiff_t>(k), dep) !=
                resolved_deps[i].begin() + static_cast<std::ptrdiff_t>(k))
                continue;
            visit(dep, false);
        }
    }
    // The earlier copy of a duplicated ID is still walked by Alembic's cycle check, so its
    // parents must exist too.
    for (size_t i = 0; i < n; ++i) {
        if (is_processed[i]) continue;
        for (const auto& down : revs[i]->down_revisions)
            if (!has_id(down)) missing(*revs[i], down, false);
    }

    // Alembic's own cycle check (_detect_cycles): a revision that is not both an ancestor of
    // a head and a descendant of a base is in (or behind) a cycle. It misses cycles that
    // leave everything reachable; those get a note below, not a problem.
    bool alembic_cycle = false;
    // The IDs (positions in `order`) reached from `starts` along `next` (map_ copies).
    auto ids_reached = [&](const std::vector<size_t>& starts, auto&& visit_next) {
        std::vector<bool> ids(order.size(), false);
        std::vector<bool> seen(n, false);
        std::vector<size_t> todo(starts.begin(), starts.end());
        while (!todo.empty()) {
            const size_t r = todo.back();
            todo.pop_back();
            if (seen[r]) continue;
            seen[r] = true;
            ids[uid[r]] = true;
            visit_next(r, [&](size_t t) { todo.push_back(t); });
        }
        return ids;
    };
    auto cycle_problem = [&](std::vector<std::string> ids, bool dependency) {
        Problem p;
        p.code = code::cycle;
        std::sort(ids.begin(), ids.end());
        p.revisions = ids;
        for (const auto& id : ids) {
            const Migration& m = *revs[*find_id(id)];
            p.files.push_back(m.path);
            p.locations.push_back(location_of(m));
        }
        p.message = fmt::format("Alembic fails with \"{}ycle is detected in revisions ({})\": following down_revision{} "
                                "from the heads and from the bases does not reach them all",
                                dependency ? "Dependency c" : "C", fmt::join(ids, ", "),
                                dependency ? " and depends_on" : "");
        p.fix = "break the cycle: each of these files must point at an older revision";
        g.problems.push_back(std::move(p));
        alembic_cycle = true;
    };
    if (n > 0) {
        std::vector<size_t> heads, bases, real_heads, real_bases;
        for (size_t i = 0; i < n; ++i) {
            if (is_head[i]) heads.push_back(i);
            if (is_real_head[i]) real_heads.push_back(i);
            if (revs[i]->down_revisions.empty()) bases.push_back(i);
            if (revs[i]->down_revisions.empty() && revs[i]->depends_on.empty()) real_bases.push_back(i);
        }
        auto cut_off = [&](const std::vector<size_t>& hs, const std::vector<size_t>& bs, bool dependency) {
            std::vector<std::string> deleted;
            if (hs.empty() || bs.empty()) {
                deleted.assign(order.begin(), order.end());
            } else {
                const auto up = ids_reached(hs, [&](size_t r, auto&& push) {
                    for (size_t t : down_ids[r]) push(t);
                    if (dependency && any_deps)
                        for (size_t t : dep_ids[r]) push(t);
                });
                const auto down = ids_reached(bs, [&](size_t r, auto&& push) {
                    for (size_t t : dependency ? all_nextrev[r] : nextrev[r]) push(t);
                });
                for (size_t u = 0; u < order.size(); ++u)
                    if (!up[u] || !down[u]) deleted.emplace_back(order[u]);
            }
            return deleted;
        };
        const bool self_loop = std::find(self_looped.begin(), self_looped.end(), true) != self_looped.end();
        // A missing revision stops Alembic (KeyError) before its cycle check runs.
        const bool missing_any = std::any_of(g.problems.begin(), g.problems.end(),
                                             [](const Problem& q) { return q.code == code::missing_revision; });
        if (!self_loop && !missing_any) {
            auto deleted = cut_off(heads, bases, false);
            if (!deleted.empty()) cycle_problem(deleted, false);
            else if (auto dep = cut_off(real_heads, real_bases, true); !dep.empty()) cycle_problem(dep, true);
        }
    }
    if (!alembic_cycle) {
        for (int pass = 0; pass < (any_deps ? 2 : 1); ++pass) {  // without depends_on, one set of edges
            const auto* edges = pass == 0 ? &versioned_edges : &all_edges;
            for (const auto& comp : cycles_of(*edges)) {
                if (comp.size() == 1 && self_looped[comp.front()]) continue;
                std::set<std::string> ids;
                for (size_t v : comp) ids.insert(revs[v]->revision);
                g.notes.push_back({revs[comp.front()]->path, revs[comp.front()]->revision_line,
                                   fmt::format("revisions {} form a cycle through {} that Alembic 1.8.1 does not detect; "
                                               "`alembic upgrade` may apply them in an order that breaks",
                                               quoted_list({ids.begin(), ids.end()}),
                                               pass == 0 ? "down_revision" : "down_revision and depends_on")});
            }
            if (!g.notes.empty()) break;
        }
    }

    std::set<std::string> head_ids, base_ids;
    std::vector<size_t> head_idx;
    for (size_t i = 0; i < n; ++i) {
        if (is_head[i]) {
            ++g.head_count;
            g.head_locations.push_back(location_of(*revs[i]));
            head_ids.insert(revs[i]->revision);
            head_idx.push_back(i);
        }
        if (revs[i]->down_revisions.empty()) base_ids.insert(revs[i]->revision);
        if (revs[i]->down_revisions.size() > 1) g.merge_points.push_back(revs[i]->revision);
    }
    g.heads.assign(head_ids.begin(), head_ids.end());
    g.bases.assign(base_ids.begin(), base_ids.end());
    std::sort(g.merge_points.begin(), g.merge_points.end());

    if (g.head_count > 1 && !allow_multiple_heads) {
        Problem p;
        p.code = code::multiple_heads;
        p.revisions = g.heads;
        std::vector<std::string> described;
        std::map<std::string, std::vector<std::string>> by_parent;
        for (size_t i : head_idx) {
            p.files.push_back(revs[i]->path);
            p.locations.push_back(location_of(*revs[i]));
            described.push_back(fmt::format("'{}' ({}, down_revision {})", revs[i]->revision, revs[i]->path,
                                            parents_text(*revs[i])));
            by_parent[parents_text(*revs[i])].push_back(revs[i]->revision);
        }
        p.message = fmt::format("{} heads: {}; `alembic upgrade head` fails with \"Multiple head revisions are "
                                "present\"", g.head_count, fmt::join(described, ", "));
        if (by_parent.size() == 1 && head_idx.size() > 1)
            p.message += fmt::format(" — they share the parent {}", by_parent.begin()->first);
        if (head_ids.size() < g.head_count) {
            p.fix = "a duplicated revision ID stays a head: renumber the duplicate (see duplicate-revision)";
        } else {
            const Migration& last = *revs[head_idx.back()];
            const Migration& first = *revs[head_idx.front()];
            p.fix = fmt::format("chain the newer migration onto the other head (e.g. in {} set down_revision = \"{}\"), "
                                "or, when both have already been deployed somewhere, run: alembic merge -m \"merge "
                                "heads\" {}",
                                last.path, first.revision, fmt::join(g.heads, " "));
        }
        g.problems.insert(g.problems.begin(), std::move(p));
    }

    for (const auto& m : migrations) {
        if (!m.error) continue;
        Problem p;
        p.code = code::unparsable_migration;
        if (!m.revision.empty()) p.revisions = {m.revision};
        p.files = {m.path};
        p.locations = {ProblemLocation{m.path, m.error_line, m.revision, m.down_revisions}};
        p.message = fmt::format("{}{} {}", m.path, m.error_line ? fmt::format(":{}", m.error_line) : "", *m.error);
        p.fix = fmt::format("fix {} so that Python can import it and `revision`/`down_revision` are literals", m.path);
        g.problems.push_back(std::move(p));
    }
    return g;
}

}  // namespace ag
