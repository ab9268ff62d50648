#include "alembic/revision_graph.hpp"


#include <algorithm>
#include <cstdint>
#include <memory>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace ag {

namespace {

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

// One build, in the phases of Alembic's RevisionMap: the map of IDs, duplicates and
// self-loops (Revision's constructor), branch labels (_map_branch_labels), dependencies
// (_add_depends_on), the links that decide heads (_add_branches / heads walk), the cycle
// check (_detect_cycles), then what the guard adds: heads, bases and merge points as
// `alembic heads` shows them, and the problems Alembic stops on.
class GraphBuilder {
public:
    GraphBuilder(const std::vector<Migration>& migrations, bool allow_multiple_heads)
        : migrations_(migrations), allow_(allow_multiple_heads), uid_of_(count_loadable(migrations)) {}

    RevisionGraph build() {
        index_revisions();
        duplicate_problems();
        self_loop_problems();
        map_branch_labels();
        resolve_dependencies();
        link_revisions();
        missing_parents_of_earlier_copies();
        if (!detect_cycles()) undetected_cycle_notes();
        collect_heads_and_bases();
        multiple_heads_problem();
        unparsable_problems();
        return std::move(g_);
    }

private:
    static size_t count_loadable(const std::vector<Migration>& ms) {
        return static_cast<size_t>(std::count_if(ms.begin(), ms.end(), [](const Migration& m) { return !m.error; }));
    }

    // map_: ID -> last copy; the index keeps first-insertion order like Python's OrderedDict.
    void index_revisions() {
        for (const auto& m : migrations_)
            if (!m.error) revs_.push_back(&m);
        n_ = revs_.size();
        g_.revision_count = n_;
        last_copy_.reserve(n_);
        uid_.resize(n_);
        for (size_t i = 0; i < n_; ++i) {
            const auto [at, inserted] = uid_of_.insert(revs_[i]->revision);
            if (inserted) last_copy_.push_back(0);
            uid_[i] = at;
            last_copy_[at] = static_cast<uint32_t>(i);
        }
    }
    const std::vector<std::string_view>& order() const { return uid_of_.keys(); }
    // The copy Alembic's map_ holds for `id`, if any.
    std::optional<size_t> find_id(std::string_view id) const {
        const auto at = uid_of_.find(id);
        if (!at) return std::nullopt;
        return last_copy_[*at];
    }
    bool has_id(std::string_view id) const { return uid_of_.find(id).has_value(); }
    // resolve() looks IDs up first, then labels, as Alembic's map does.
    std::optional<size_t> resolve(const std::string& name) const {
        if (auto t = find_id(name)) return t;
        if (auto it = labels_.find(name); it != labels_.end()) return it->second;
        return std::nullopt;
    }

    // Duplicate IDs: Alembic only warns, but the earlier copy can never stop being a head.
    void duplicate_problems() {
        if (order().size() == n_) return;
        std::map<std::string_view, std::vector<size_t>> copies;  // duplicated IDs only, sorted by ID
        for (size_t i = 0; i < n_; ++i)
            if (last_copy_[uid_[i]] != i || copies.count(revs_[i]->revision)) copies[revs_[i]->revision].push_back(i);
        for (const auto& [id, idx] : copies) {
            Problem p;
            p.code = code::duplicate_revision;
            p.revisions = {std::string(id)};
            p.situation = Situation::duplicate;
            for (size_t i : idx) {
                p.files.push_back(revs_[i]->path);
                p.locations.push_back(location_of(*revs_[i]));
            }
            g_.problems.push_back(std::move(p));
        }
    }

    // Self-loops are refused when Alembic constructs the revision.
    void self_loop_problems() {
        self_looped_.assign(n_, false);
        for (size_t i = 0; i < n_; ++i) {
            const Migration& m = *revs_[i];
            const bool in_down = std::count(m.down_revisions.begin(), m.down_revisions.end(), m.revision) > 0;
            const bool in_deps = std::count(m.depends_on.begin(), m.depends_on.end(), m.revision) > 0;
            if (!in_down && !in_deps) continue;
            self_looped_[i] = true;
            any_self_loop_ = true;
            Problem p;
            p.code = code::cycle;
            p.revisions = {m.revision};
            p.files = {m.path};
            p.locations = {location_of(m)};
            p.situation = in_down ? Situation::self_loop : Situation::dependency_self_loop;
            g_.problems.push_back(std::move(p));
        }
    }

    // Branch labels, in load order (every copy registers its labels).
    void map_branch_labels() {
        for (size_t i = 0; i < n_; ++i) {
            for (const auto& label : revs_[i]->branch_labels) {
                std::optional<size_t> owner;
                if (auto t = find_id(label)) owner = t;
                else if (auto jt = labels_.find(label); jt != labels_.end()) owner = jt->second;
                if (!owner) {
                    labels_.emplace(label, i);
                    label_order_.push_back(i);
                    continue;
                }
                const Migration& a = *revs_[i];
                const Migration& b = *revs_[*owner];
                Problem p;
                p.code = code::branch_label_conflict;
                std::vector<std::string> pair{a.revision, b.revision};
                std::sort(pair.begin(), pair.end());
                p.revisions = {label, pair[0], pair[1]};
                p.files = {b.path, a.path};
                p.locations = {location_of(b), location_of(a)};
                p.situation = find_id(label) == owner && b.revision == label ? Situation::label_is_revision
                                                                             : Situation::label_used_twice;
                g_.problems.push_back(std::move(p));
            }
        }
    }

    void missing(const Migration& m, const std::string& name, bool dependency) {
        missing_any_ = true;
        // A file the guard could not read may declare what is missing (its branch labels, or
        // its ID when unknown): no "missing" it cannot prove. Its own problem stands.
        if (!unread_known_) {
            unread_known_ = true;
            for (const auto& other : migrations_) {
                if (!other.error) continue;
                any_unread_ = true;
                if (other.revision.empty()) unread_unknown_id_ = true;
                else unread_ids_.insert(other.revision);
            }
        }
        if (any_unread_ && (dependency || unread_unknown_id_ || unread_ids_.count(name))) return;
        Problem p;
        p.code = code::missing_revision;
        p.revisions = {m.revision, name};
        p.files = {m.path};
        p.locations = {ProblemLocation{m.path, m.down_revision_line ? m.down_revision_line : 1, m.revision,
                                       m.down_revisions}};
        p.situation = dependency                                  ? Situation::missing_dependency
                      : labels_.count(name) && !has_id(name) ? Situation::missing_down_is_label
                                                                  : Situation::missing_down;
        g_.problems.push_back(std::move(p));
    }

    // depends_on resolves through IDs and branch labels, for every copy.
    void resolve_dependencies() {
        any_deps_ = std::any_of(revs_.begin(), revs_.end(), [](const Migration* m) { return !m->depends_on.empty(); });
        resolved_deps_.assign(any_deps_ ? n_ : 0, {});
        for (size_t i = 0; any_deps_ && i < n_; ++i)
            for (const auto& dep : revs_[i]->depends_on) {
                if (auto t = resolve(dep)) resolved_deps_[i].push_back(revs_[*t]->revision);
                else missing(*revs_[i], dep, true);
            }
    }

    std::vector<Adjacent>& all_nextrev() { return any_deps_ ? own_all_nextrev_ : nextrev_; }
    std::vector<Adjacent>& all_edges() { return any_deps_ ? own_all_edges_ : versioned_edges_; }

    // One parent `down` of revision i, as Alembic's _add_branches links it.
    void link(size_t i, const std::string& down, bool versioned) {
        const Migration& m = *revs_[i];
        const size_t self = last_copy_[uid_[i]];
        const auto id = find_id(down);
        auto t = id ? id : resolve(down);
        if (versioned && !id) missing(m, down, false);  // a label here fails later, in Alembic too
        if (!t) return;
        if (any_deps_) all_nextrev()[*t].push_back(self);
        if (std::find(m.down_revisions.begin(), m.down_revisions.end(), revs_[*t]->revision) != m.down_revisions.end())
            nextrev_[*t].push_back(self);
        if (versioned) is_head_[*t] = false;
        is_real_head_[*t] = false;
        if (id) {
            if (any_deps_) all_edges()[i].push_back(*id);
            if (versioned) versioned_edges_[i].push_back(*id);
        }
    }

    // Alembic walks map_.values() — every ID's last copy, then every branch label's owner
    // (which may be an earlier copy of a duplicated ID) — and each parent it names stops
    // being a head. Every copy starts as a head. Edges are kept as the map_ copies they lead
    // to, resolved once: the walks below run over every revision, and 10,000 string lookups
    // per walk showed in the profile.
    void link_revisions() {
        is_processed_.assign(n_, false);
        std::vector<size_t> processed;
        for (size_t u = 0; u < order().size(); ++u) {
            processed.push_back(last_copy_[u]);
            is_processed_[last_copy_[u]] = true;
        }
        for (size_t owner : label_order_) {
            if (is_processed_[owner]) continue;
            processed.push_back(owner);
            is_processed_[owner] = true;
        }
        is_head_.assign(n_, true);
        is_real_head_.assign(n_, true);
        // Without depends_on anywhere the "all" edges are the versioned ones: not built twice.
        nextrev_.resize(n_);
        versioned_edges_.resize(n_);
        down_ids_.resize(n_);
        own_all_nextrev_.resize(any_deps_ ? n_ : 0);
        own_all_edges_.resize(any_deps_ ? n_ : 0);
        dep_ids_.resize(any_deps_ ? n_ : 0);
        for (size_t i = 0; i < n_; ++i) {
            for (const auto& d : revs_[i]->down_revisions)
                if (auto t = find_id(d)) down_ids_[i].push_back(*t);
            if (any_deps_)
                for (const auto& d : resolved_deps_[i])
                    if (auto t = find_id(d)) dep_ids_[i].push_back(*t);
        }
        for (size_t i : processed) {
            const Migration& m = *revs_[i];
            // Alembic's _all_down_revisions: down_revision, then resolved dependencies not already there.
            for (const auto& down : m.down_revisions) link(i, down, true);
            static const std::vector<std::string> kNone;
            const auto& deps = any_deps_ ? resolved_deps_[i] : kNone;
            for (size_t k = 0; k < deps.size(); ++k) {
                const auto& dep = deps[k];
                if (std::find(m.down_revisions.begin(), m.down_revisions.end(), dep) != m.down_revisions.end()) continue;
                const auto before = deps.begin() + static_cast<std::ptrdiff_t>(k);
                if (std::find(deps.begin(), before, dep) != before) continue;
                link(i, dep, false);
            }
        }
    }

    // The earlier copy of a duplicated ID is still walked by Alembic's cycle check, so its
    // parents must exist too.
    void missing_parents_of_earlier_copies() {
        for (size_t i = 0; i < n_; ++i) {
            if (is_processed_[i]) continue;
            for (const auto& down : revs_[i]->down_revisions)
                if (!has_id(down)) missing(*revs_[i], down, false);
        }
    }

    // The IDs (positions in order()) reached from `starts` along `visit_next` (map_ copies).
    template <typename Next>
    std::vector<bool> ids_reached(const std::vector<size_t>& starts, Next&& visit_next) const {
        std::vector<bool> ids(order().size(), false);
        std::vector<bool> seen(n_, false);
        std::vector<size_t> todo(starts.begin(), starts.end());
        while (!todo.empty()) {
            const size_t r = todo.back();
            todo.pop_back();
            if (seen[r]) continue;
            seen[r] = true;
            ids[uid_[r]] = true;
            visit_next(r, [&](size_t t) { todo.push_back(t); });
        }
        return ids;
    }

    // What Alembic's _detect_cycles deletes: IDs not both an ancestor of a head and a
    // descendant of a base.
    std::vector<std::string> cut_off(const std::vector<size_t>& hs, const std::vector<size_t>& bs, bool dependency) {
        std::vector<std::string> deleted;
        if (hs.empty() || bs.empty()) {
            deleted.assign(order().begin(), order().end());
            return deleted;
        }
        const auto up = ids_reached(hs, [&](size_t r, auto&& push) {
            for (size_t t : down_ids_[r]) push(t);
            if (dependency && any_deps_)
                for (size_t t : dep_ids_[r]) push(t);
        });
        auto& forward = dependency ? all_nextrev() : nextrev_;
        const auto down = ids_reached(bs, [&](size_t r, auto&& push) {
            for (size_t t : forward[r]) push(t);
        });
        for (size_t u = 0; u < order().size(); ++u)
            if (!up[u] || !down[u]) deleted.emplace_back(order()[u]);
        return deleted;
    }

    void cycle_problem(std::vector<std::string> ids, bool dependency) {
        Problem p;
        p.code = code::cycle;
        std::sort(ids.begin(), ids.end());
        p.revisions = ids;
        for (const auto& id : ids) {
            const Migration& m = *revs_[*find_id(id)];
            p.files.push_back(m.path);
            p.locations.push_back(location_of(m));
        }
        p.situation = dependency ? Situation::dependency_cycle : Situation::cycle;
        g_.problems.push_back(std::move(p));
    }

    // Alembic's own cycle check (_detect_cycles): a revision that is not both an ancestor of
    // a head and a descendant of a base is in (or behind) a cycle. A self-loop or a missing
    // revision stops Alembic before it runs. True when it finds one.
    bool detect_cycles() {
        if (n_ == 0 || any_self_loop_ || missing_any_) return false;
        std::vector<size_t> heads, bases, real_heads, real_bases;
        for (size_t i = 0; i < n_; ++i) {
            if (is_head_[i]) heads.push_back(i);
            if (is_real_head_[i]) real_heads.push_back(i);
            if (revs_[i]->down_revisions.empty()) bases.push_back(i);
            if (revs_[i]->down_revisions.empty() && revs_[i]->depends_on.empty()) real_bases.push_back(i);
        }
        if (auto deleted = cut_off(heads, bases, false); !deleted.empty()) {
            cycle_problem(std::move(deleted), false);
            return true;
        }
        if (auto dep = cut_off(real_heads, real_bases, true); !dep.empty()) {
            cycle_problem(std::move(dep), true);
            return true;
        }
        return false;
    }

    // Cycles that leave everything reachable pass Alembic's check: a note, not a problem.
    void undetected_cycle_notes() {
        for (int pass = 0; pass < (any_deps_ ? 2 : 1); ++pass) {  // without depends_on, one set of edges
            const auto& edges = pass == 0 ? versioned_edges_ : all_edges();
            for (const auto& comp : cycles_of(edges)) {
                if (comp.size() == 1 && self_looped_[comp.front()]) continue;
                std::set<std::string> ids;
                for (size_t v : comp) ids.insert(revs_[v]->revision);
                Note n{revs_[comp.front()]->path, revs_[comp.front()]->revision_line, NoteKind::undetected_cycle};
                n.ids.assign(ids.begin(), ids.end());
                n.through_dependencies = pass != 0;
                g_.notes.push_back(std::move(n));
            }
            if (!g_.notes.empty()) break;
        }
    }

    void collect_heads_and_bases() {
        std::set<std::string> base_ids;
        for (size_t i = 0; i < n_; ++i) {
            if (is_head_[i]) {
                ++g_.head_count;
                g_.head_locations.push_back(location_of(*revs_[i]));
                if (!revs_[i]->branch_labels.empty()) {
                    auto& labels = g_.head_labels[revs_[i]->revision];
                    for (const auto& l : revs_[i]->branch_labels)
                        if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
                }
                head_ids_.insert(revs_[i]->revision);
                head_idx_.push_back(i);
            }
            if (revs_[i]->down_revisions.empty()) base_ids.insert(revs_[i]->revision);
            if (revs_[i]->down_revisions.size() > 1) g_.merge_points.push_back(revs_[i]->revision);
        }
        g_.heads.assign(head_ids_.begin(), head_ids_.end());
        g_.bases.assign(base_ids.begin(), base_ids.end());
        std::sort(g_.merge_points.begin(), g_.merge_points.end());
    }

    void multiple_heads_problem() {
        if (g_.head_count <= 1 || allow_) return;
        // Alembic raises on these while it builds the map, before it has heads: a head count
        // it never computes is no problem of its own (the count stays, for the push verdict).
        if (std::any_of(g_.problems.begin(), g_.problems.end(), [](const Problem& q) {
                const std::string_view c = q.code;
                return c == code::missing_revision || c == code::cycle || c == code::branch_label_conflict;
            }))
            return;
        Problem p;
        p.code = code::multiple_heads;
        p.revisions = g_.heads;
        // Each head on a branch of its own, labelled: a layout someone chose, not a race.
        const bool labelled = std::all_of(head_idx_.begin(), head_idx_.end(),
                                          [&](size_t i) { return !revs_[i]->branch_labels.empty(); }) &&
                              g_.head_labels.size() == g_.head_count;
        p.situation = labelled ? Situation::heads_labelled : Situation::heads;
        p.head_count = g_.head_count;
        for (size_t i : head_idx_) {
            p.files.push_back(revs_[i]->path);
            p.locations.push_back(location_of(*revs_[i]));
        }
        g_.problems.insert(g_.problems.begin(), std::move(p));
    }

    void unparsable_problems() {
        for (const auto& m : migrations_) {
            if (!m.error) continue;
            Problem p;
            p.code = m.invalid_id ? code::invalid_revision_id : code::unparsable_migration;
            if (!m.revision.empty()) p.revisions = {m.revision};
            p.files = {m.path};
            p.locations = {ProblemLocation{m.path, m.error_line, m.revision, m.down_revisions}};
            p.situation = m.invalid_id ? Situation::invalid_id : Situation::unparsable;
            p.reason = *m.error;
            // The version's refused characters, as the report names them.
            if (m.invalid_id)
                if (auto v = parse_alembic_version(p.reason)) p.subject = refused_id_characters(m.revision, *v);
            g_.problems.push_back(std::move(p));
        }
    }

    const std::vector<Migration>& migrations_;
    const bool allow_;
    RevisionGraph g_;
    std::vector<const Migration*> revs_;  // loadable, in load order
    size_t n_ = 0;
    IdIndex uid_of_;
    std::vector<uint32_t> last_copy_;  // per position in order()
    std::vector<uint32_t> uid_;        // per revision: its ID's position in order()
    std::vector<bool> self_looped_;
    bool any_self_loop_ = false;
    bool missing_any_ = false;
    // Unloadable migrations, looked at once when something is missing.
    bool unread_known_ = false, any_unread_ = false, unread_unknown_id_ = false;
    std::unordered_set<std::string> unread_ids_;
    std::unordered_map<std::string, size_t> labels_;
    std::vector<size_t> label_order_;  // owners in the order their labels entered the map
    bool any_deps_ = false;
    std::vector<std::vector<std::string>> resolved_deps_;
    std::vector<bool> is_processed_, is_head_, is_real_head_;
    std::vector<Adjacent> nextrev_, versioned_edges_, down_ids_;  // children; parents; for the walk up
    std::vector<Adjacent> own_all_nextrev_, own_all_edges_, dep_ids_;
    std::set<std::string> head_ids_;
    std::vector<size_t> head_idx_;
};

}  // namespace

RevisionGraph build_revision_graph(const std::vector<Migration>& migrations, bool allow_multiple_heads) {
    return GraphBuilder(migrations, allow_multiple_heads).build();
}

namespace {

void insert_sorted(std::vector<std::string>& v, const std::string& s) {
    auto it = std::lower_bound(v.begin(), v.end(), s);
    if (it == v.end() || *it != s) v.insert(it, s);
}

// Whether the added revisions, linked by `parents_among` (child -> its added parents), can
// be ordered so that each follows its parents (old revisions cannot reach added ones).
bool acyclic(const std::set<std::string>& ids, const std::map<std::string, std::vector<std::string>>& parents_among) {
    std::map<std::string, size_t> waiting;  // added revision -> added parents not yet placed
    std::map<std::string, std::vector<std::string>> children;
    for (const auto& id : ids) waiting[id] = 0;
    for (const auto& [child, ps] : parents_among)
        for (const auto& p : ps) {
            ++waiting[child];
            children[p].push_back(child);
        }
    std::vector<std::string> ready;
    for (const auto& [id, n] : waiting)
        if (n == 0) ready.push_back(id);
    size_t placed = 0;
    while (!ready.empty()) {
        const std::string id = ready.back();
        ready.pop_back();
        ++placed;
        for (const auto& c : children[id])
            if (--waiting[c] == 0) ready.push_back(c);
    }
    return placed == ids.size();
}

}  // namespace

std::optional<RevisionGraph> extend_revision_graph(const RevisionGraph& before, const KnownRevisions& known,
                                                   const std::vector<Migration>& added, const LoadOrder& position_of,
                                                   bool allow_multiple_heads) {
    if (!before.problems.empty() || !before.notes.empty()) return std::nullopt;
    std::set<std::string> new_ids;
    for (const auto& m : added) {
        if (m.error || !m.branch_labels.empty() || !m.depends_on.empty() || m.revision.empty() ||
            known.has_id(m.revision) || known.has_label(m.revision) || !new_ids.insert(m.revision).second)
            return std::nullopt;
    }
    std::set<std::string> parents;  // IDs some added revision names as down_revision
    std::map<std::string, std::vector<std::string>> parents_among;
    for (const auto& m : added) {
        std::set<std::string> seen;
        for (const auto& d : m.down_revisions) {
            if (d == m.revision || !seen.insert(d).second || (!known.has_id(d) && !new_ids.count(d))) return std::nullopt;
            parents.insert(d);
            if (new_ids.count(d)) parents_among[m.revision].push_back(d);
        }
    }
    if (!acyclic(new_ids, parents_among)) return std::nullopt;

    RevisionGraph g = before;
    g.revision_count += added.size();
    // Heads in load order, as Alembic counts them: the old heads no added revision follows,
    // and the added revisions none follows.
    std::vector<std::pair<LoadPosition, ProblemLocation>> heads;
    for (auto& l : g.head_locations) {
        if (parents.count(l.revision)) continue;
        auto pos = position_of(l.file);
        if (!pos) return std::nullopt;
        heads.emplace_back(std::move(*pos), std::move(l));
    }
    for (const auto& m : added) {
        if (m.down_revisions.empty()) insert_sorted(g.bases, m.revision);
        if (m.down_revisions.size() > 1) insert_sorted(g.merge_points, m.revision);
        if (parents.count(m.revision)) continue;
        auto pos = position_of(m.path);
        if (!pos) return std::nullopt;
        heads.emplace_back(std::move(*pos), location_of(m));
    }
    if (heads.size() > 1 && !allow_multiple_heads) return std::nullopt;  // a problem: the full graph words it
    std::stable_sort(heads.begin(), heads.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    g.head_locations.clear();
    g.heads.clear();
    for (auto& [pos, l] : heads) {
        g.heads.push_back(l.revision);
        g.head_locations.push_back(std::move(l));
    }
    std::sort(g.heads.begin(), g.heads.end());
    g.head_count = g.heads.size();
    for (auto it = g.head_labels.begin(); it != g.head_labels.end();)
        it = parents.count(it->first) ? g.head_labels.erase(it) : std::next(it);
    return g;
}

}  // namespace ag
