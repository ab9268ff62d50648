#include "python/compile_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ag::py {

namespace {

// How deep the checks follow the tree. CPython's symbol table and compiler stop near 3000
// levels (3 x the recursion limit) with a RecursionError; long chains (a+b+c+..., a.b.c...)
// reach such depths without brackets. Beyond this the guard refuses rather than guesses.
constexpr int kMaxTreeDepth = 2500;
// CO_MAXBLOCKS: loops, try and with blocks nested in one function.
constexpr int kMaxBlocks = 20;

// Symbol flags, as CPython's symtable keeps them.
constexpr unsigned kDefGlobal = 1, kDefLocal = 2, kDefParam = 4, kDefNonlocal = 8, kUse = 16, kDefImport = 32,
                   kDefAnnot = 64, kDefCompIter = 128;

enum class ScopeKind { Module, Class, Function, Lambda, Comprehension };

struct Scope {
    ScopeKind kind = ScopeKind::Module;
    Scope* parent = nullptr;
    const Node* node = nullptr;
    bool is_async = false;      // async def
    bool is_generator = false;  // holds a yield
    bool is_coroutine = false;  // holds an await or async comprehension
    bool genexp = false;
    int comp_iter_expr = 0;
    bool comp_iter_target = false;
    std::vector<std::pair<std::string_view, unsigned>> symbols;
    std::vector<std::pair<std::string_view, int>> nonlocal_lines;
    std::vector<Scope*> children;

    unsigned lookup(std::string_view n) const {
        for (const auto& [name, flags] : symbols)
            if (name == n) return flags;
        return 0;
    }
    unsigned& slot(std::string_view n) {
        for (auto& [name, flags] : symbols)
            if (name == n) return flags;
        return symbols.emplace_back(n, 0u).second;
    }
    bool is_function_like() const {
        return kind == ScopeKind::Function || kind == ScopeKind::Lambda || kind == ScopeKind::Comprehension;
    }
};

struct Failure {
    int line;
    std::string message;
};

class Checker {
public:
    Checker() = default;
    std::optional<SyntaxError> run(const Node* module);

private:
    // ---- symbol table ----
    Scope* enter(ScopeKind kind, const Node* node) {
        auto scope = std::make_unique<Scope>();
        scope->kind = kind;
        scope->parent = cur_;
        scope->node = node;
        // CPython (bpo-37757) refuses every assignment expression in a comprehension's
        // outermost iterable, those in a lambda or a comprehension nested in it too.
        scope->comp_iter_expr = cur_ ? cur_->comp_iter_expr : 0;
        scopes_.push_back(std::move(scope));
        Scope* s = scopes_.back().get();
        if (cur_) cur_->children.push_back(s);
        const_cast<Node*>(node)->aux = static_cast<uint32_t>(scopes_.size());
        cur_ = s;
        return s;
    }
    void leave() { cur_ = cur_->parent; }
    bool add_def(std::string_view name, unsigned flag, int line, Scope* scope = nullptr);
    bool sym_stmt(const Node* s);
    bool sym_global(const Node* s);
    bool sym_function_def(const Node* s);
    bool sym_stmts(const NodeList& l) {
        for (const Node* s : l)
            if (!sym_stmt(s)) return false;
        return true;
    }
    bool sym_expr(const Node* e);
    bool sym_exprs(const NodeList& l) {
        for (const Node* e : l)
            if (e && !sym_expr(e)) return false;
        return true;
    }
    bool sym_arguments_defaults(const Node* args);
    // 3.12 type parameters (PEP 695): distinct names, and no yield, await or assignment
    // expression in the lazily evaluated scopes they open.
    bool check_generic(const Node* owner);
    bool lazy_scope_allows(const Node* e, const char* where);
    bool sym_annotations(const Node* args, const Node* returns);
    bool sym_params(const Node* args);
    bool sym_comprehension(const Node* e);
    bool sym_namedexpr(const Node* e);
    bool sym_pattern(const Node* p);
    bool analyze(Scope* s, const std::set<std::string_view>* bound);

    // ---- code generation ----
    struct Unit {
        Scope* scope;
        int blocks = 0;
        int loops = 0;                 // enclosing loops in this unit
        int except_star_depth = -1;    // loops count when entering an except* handler (-1: none)
    };
    bool gen_stmt(const Node* s, Unit& u);
    bool gen_try(const Node* s, Unit& u);
    bool gen_for(const Node* s, Unit& u);
    bool gen_with(const Node* s, Unit& u);
    bool gen_match(const Node* s, Unit& u);
    bool gen_stmts(const NodeList& l, Unit& u) {
        for (const Node* s : l)
            if (!gen_stmt(s, u)) return false;
        return true;
    }
    bool gen_expr(const Node* e, Unit& u, bool starred_ok = false);
    bool gen_exprs(const NodeList& l, Unit& u, bool starred_ok = false) {
        for (const Node* e : l)
            if (e && !gen_expr(e, u, starred_ok)) return false;
        return true;
    }
    bool gen_target(const Node* t, Unit& u, bool top);
    bool gen_function(const Node* f);
    bool gen_comprehension(const Node* e, Unit& outer);
    bool gen_keywords(const NodeList& keywords, Unit& u);
    bool gen_arguments(const Node* args, Unit& u);
    bool gen_pattern(const Node* p, Unit& u, bool allow_irrefutable, std::vector<std::string_view>& stores);
    bool push_block(const Node* at, Unit& u) {
        if (u.blocks >= kMaxBlocks) return fail(at->line, "too many statically nested blocks");
        ++u.blocks;
        return true;
    }
    bool forbidden(std::string_view name, Ctx ctx, int line) {
        if (name != "__debug__") return true;
        if (ctx == Ctx::Store) return fail(line, "cannot assign to __debug__");
        if (ctx == Ctx::Del) return fail(line, "cannot delete __debug__");
        return true;
    }
    Scope* scope_of(const Node* n) const { return n->aux ? scopes_[n->aux - 1].get() : nullptr; }

    bool fail(int line, std::string message) {
        if (!failure_) failure_ = Failure{line, std::move(message)};
        return false;
    }
    bool deeper(const Node* n) {
        if (++depth_ <= kMaxTreeDepth) return true;
        return fail(n->line, fmt::format("nested more than {} levels deep: CPython's compiler refuses deep nesting, "
                                         "and the guard does not follow it further",
                                         kMaxTreeDepth));
    }

    std::vector<std::unique_ptr<Scope>> scopes_;
    Scope* cur_ = nullptr;
    int depth_ = 0;
    bool future_annotations_ = false;
    int future_line_ = 0;
    std::optional<Failure> failure_;
};

struct DepthScope {
    int& depth;
    explicit DepthScope(int& d) : depth(d) {}
    ~DepthScope() { --depth; }
    DepthScope(const DepthScope&) = delete;
    DepthScope& operator=(const DepthScope&) = delete;
};

bool Checker::add_def(std::string_view name, unsigned flag, int line, Scope* scope) {
    Scope* s = scope ? scope : cur_;
    unsigned& val = s->slot(name);
    if ((flag & kDefParam) && (val & kDefParam))
        return fail(line, fmt::format("duplicate argument '{}' in function definition", name));
    val |= flag;
    if (s->comp_iter_target) {
        if (val & (kDefGlobal | kDefNonlocal))
            return fail(line, fmt::format("comprehension inner loop cannot rebind assignment expression target '{}'", name));
        val |= kDefCompIter;
    }
    return true;
}

bool Checker::lazy_scope_allows(const Node* e, const char* where) {
    if (!e) return true;
    std::vector<const Node*> stack{e};
    while (!stack.empty()) {
        const Node* x = stack.back();
        stack.pop_back();
        if (x->kind == NodeKind::Lambda) continue;  // its body runs later, in its own scope
        const char* what = x->kind == NodeKind::Yield || x->kind == NodeKind::YieldFrom ? "yield expression"
                           : x->kind == NodeKind::Await                                   ? "await expression"
                           : x->kind == NodeKind::NamedExpr                               ? "named expression"
                                                                                          : nullptr;
        if (what) return fail(x->line, fmt::format("{} cannot be used within {}", what, where));
        for (const Node* c : {x->a, x->b, x->c})
            if (c) stack.push_back(c);
        for (const NodeList& l : x->l)
            for (const Node* c : l)
                if (c) stack.push_back(c);
    }
    return true;
}

bool Checker::check_generic(const Node* owner) {
    const NodeList& params = owner->l[2];
    for (uint32_t i = 0; i < params.size(); ++i) {
        for (uint32_t j = 0; j < i; ++j)
            if (params[j]->name == params[i]->name)
                return fail(params[i]->line, fmt::format("duplicate type parameter '{}'", params[i]->name));
        if (!lazy_scope_allows(params[i]->a, "a TypeVar bound") || !lazy_scope_allows(params[i]->b, "a TypeVar default"))
            return false;
    }
    const char* where = "the definition of a generic";
    if (owner->kind == NodeKind::FunctionDef) {
        for (const Node* a : owner->a->l[0])
            if (!lazy_scope_allows(a->a, future_annotations_ ? "an annotation" : where)) return false;
        if (!lazy_scope_allows(owner->b, future_annotations_ ? "an annotation" : where)) return false;
    } else if (owner->kind == NodeKind::ClassDef) {
        for (const Node* b : owner->l[3])
            if (!lazy_scope_allows(b->kind == NodeKind::Keyword ? b->a : b, where)) return false;
    }
    return true;
}

bool Checker::sym_arguments_defaults(const Node* args) {
    for (const Node* a : args->l[0])
        if (a->b && !sym_expr(a->b)) return false;
    return true;
}

bool Checker::sym_annotations(const Node* args, const Node* returns) {
    for (const Node* a : args->l[0])
        if (a->a && !sym_expr(a->a)) return false;
    return !returns || sym_expr(returns);
}

bool Checker::sym_params(const Node* args) {
    for (const Node* a : args->l[0])
        if (!add_def(a->name, kDefParam, a->line)) return false;
    return true;
}

bool Checker::sym_stmt(const Node* s) {
    if (!deeper(s)) return false;
    DepthScope ds(depth_);
    switch (s->kind) {
    case NodeKind::FunctionDef:
        return sym_function_def(s);
    case NodeKind::ClassDef:
        if (!add_def(s->name, kDefLocal, s->line)) return false;
        if (!s->l[2].empty() && !check_generic(s)) return false;
        for (const Node* b : s->l[3])
            if (!sym_expr(b->kind == NodeKind::Keyword ? b->a : b)) return false;
        if (!sym_exprs(s->l[1])) return false;
        enter(ScopeKind::Class, s);
        if (!sym_stmts(s->l[0])) return false;
        leave();
        return true;
    case NodeKind::Return:
        return !s->a || sym_expr(s->a);
    case NodeKind::Delete: return sym_exprs(s->l[0]);
    case NodeKind::Assign: return sym_exprs(s->l[0]) && sym_expr(s->a);
    case NodeKind::AugAssign: return sym_expr(s->a) && sym_expr(s->b);
    case NodeKind::AnnAssign:
        if (s->a->kind == NodeKind::Name) {
            const unsigned cur = cur_->lookup(s->a->name);
            if ((cur & (kDefGlobal | kDefNonlocal)) && cur_->kind != ScopeKind::Module && (s->flags & kSimple))
                return fail(s->line, fmt::format("annotated name '{}' can't be {}", s->a->name,
                                                 (cur & kDefGlobal) ? "global" : "nonlocal"));
            if (s->flags & kSimple) {
                if (!add_def(s->a->name, kDefAnnot | kDefLocal, s->line)) return false;
            } else if (s->c && !sym_expr(s->a)) {
                return false;
            }
        } else if (!sym_expr(s->a)) {
            return false;
        }
        if (!sym_expr(s->b)) return false;
        return !s->c || sym_expr(s->c);
    case NodeKind::TypeAlias:
        if (!add_def(s->a->name, kDefLocal, s->line)) return false;
        if (!s->l[2].empty() && !check_generic(s)) return false;
        if (!lazy_scope_allows(s->b, "a type alias")) return false;
        return sym_expr(s->b);
    case NodeKind::For:
        return sym_expr(s->a) && sym_expr(s->b) && sym_stmts(s->l[0]) && sym_stmts(s->l[1]);
    case NodeKind::While:
    case NodeKind::If: return sym_expr(s->a) && sym_stmts(s->l[0]) && sym_stmts(s->l[1]);
    case NodeKind::With:
        for (const Node* item : s->l[0]) {
            if (!sym_expr(item->a)) return false;
            if (item->b && !sym_expr(item->b)) return false;
        }
        return sym_stmts(s->l[1]);
    case NodeKind::Match:
        if (!sym_expr(s->a)) return false;
        for (const Node* c : s->l[0]) {
            if (!sym_pattern(c->a)) return false;
            if (c->b && !sym_expr(c->b)) return false;
            if (!sym_stmts(c->l[0])) return false;
        }
        return true;
    case NodeKind::Raise: return (!s->a || sym_expr(s->a)) && (!s->b || sym_expr(s->b));
    case NodeKind::Try:
        if (!sym_stmts(s->l[0]) || !sym_stmts(s->l[2])) return false;
        for (const Node* h : s->l[1]) {
            if (h->a && !sym_expr(h->a)) return false;
            if (!h->name.empty() && !add_def(h->name, kDefLocal, h->line)) return false;
            if (!sym_stmts(h->l[0])) return false;
        }
        return sym_stmts(s->l[3]);
    case NodeKind::Assert: return sym_expr(s->a) && (!s->b || sym_expr(s->b));
    case NodeKind::Import:
    case NodeKind::ImportFrom:
        for (const Node* a : s->l[0]) {
            if (a->name == "*") {
                if (cur_->kind != ScopeKind::Module) return fail(s->line, "import * only allowed at module level");
                continue;
            }
            std::string_view stored = a->name2.empty() ? a->name.substr(0, a->name.find('.')) : a->name2;
            if (!add_def(stored, kDefImport, a->line)) return false;
        }
        return true;
    case NodeKind::Global:
    case NodeKind::Nonlocal:
        return sym_global(s);
    case NodeKind::Expr: return sym_expr(s->a);
    case NodeKind::Pass:
    case NodeKind::Break:
    case NodeKind::Continue: return true;
    default: return fail(s->line, "internal: unexpected statement");
    }
}

bool Checker::sym_global(const Node* s) {
    const bool global = s->kind == NodeKind::Global;
    if (!global && cur_->kind == ScopeKind::Module)
        return fail(s->line, "nonlocal declaration not allowed at module level");
    const char* what = global ? "global" : "nonlocal";
    for (const Node* n : s->l[0]) {
        const unsigned cur = cur_->lookup(n->name);
        if (cur & (kDefParam | kDefLocal | kUse | kDefAnnot)) {
            std::string message;
            if (cur & kDefParam) message = fmt::format("name '{}' is parameter and {}", n->name, what);
            else if (cur & kUse) message = fmt::format("name '{}' is used prior to {} declaration", n->name, what);
            else if (cur & kDefAnnot) message = fmt::format("annotated name '{}' can't be {}", n->name, what);
            else message = fmt::format("name '{}' is assigned to before {} declaration", n->name, what);
            return fail(n->line, message);
        }
        if (!global && cur_->node &&
            (cur_->node->kind == NodeKind::FunctionDef || cur_->node->kind == NodeKind::ClassDef))
            for (const Node* tp : cur_->node->l[2])
                if (tp->name == n->name)
                    return fail(n->line, fmt::format("nonlocal binding not allowed for type parameter '{}'", n->name));
        if (!add_def(n->name, global ? kDefGlobal : kDefNonlocal, n->line)) return false;
        if (!global) cur_->nonlocal_lines.emplace_back(n->name, n->line);
    }
    return true;
}

bool Checker::sym_function_def(const Node* s) {
    if (!add_def(s->name, kDefLocal, s->line)) return false;
    if (!sym_arguments_defaults(s->a)) return false;
    if (!sym_annotations(s->a, s->b)) return false;
    if (!sym_exprs(s->l[1])) return false;
    if (!s->l[2].empty() && !check_generic(s)) return false;
    Scope* f = enter(ScopeKind::Function, s);
    f->is_async = (s->flags & kAsync) != 0;
    if (!sym_params(s->a) || !sym_stmts(s->l[0])) return false;
    leave();
    return true;
}

bool Checker::sym_namedexpr(const Node* e) {
    if (cur_->comp_iter_expr > 0)
        return fail(e->line, "assignment expression cannot be used in a comprehension iterable expression");
    const std::string_view target = e->a->name;
    if (cur_->kind == ScopeKind::Comprehension) {
        // The target binds in the nearest enclosing function or module, past comprehensions.
        for (Scope* s = cur_; s; s = s->parent) {
            if (s->kind == ScopeKind::Comprehension) {
                if (s->lookup(target) & kDefCompIter)
                    return fail(e->line,
                                fmt::format("assignment expression cannot rebind comprehension iteration variable '{}'", target));
                continue;
            }
            if (s->kind == ScopeKind::Function || s->kind == ScopeKind::Lambda) {
                if (!add_def(target, (s->lookup(target) & kDefGlobal) ? kDefGlobal : kDefNonlocal, e->line)) return false;
                if (!add_def(target, kDefLocal, e->line, s)) return false;
                break;
            }
            if (s->kind == ScopeKind::Module) {
                if (!add_def(target, kDefGlobal, e->line)) return false;
                if (!add_def(target, kDefGlobal, e->line, s)) return false;
                break;
            }
            if (s->kind == ScopeKind::Class)
                return fail(e->line, "assignment expression within a comprehension cannot be used in a class body");
        }
    }
    return sym_expr(e->b) && sym_expr(e->a);
}

bool Checker::sym_comprehension(const Node* e) {
    const NodeList& gens = e->l[0];
    const Node* outermost = gens[0];
    // The outermost iterable is evaluated in the enclosing scope.
    ++cur_->comp_iter_expr;
    const bool ok = sym_expr(outermost->b);
    --cur_->comp_iter_expr;
    if (!ok) return false;
    const bool is_generator = e->kind == NodeKind::GeneratorExp;
    Scope* c = enter(ScopeKind::Comprehension, e);
    c->genexp = is_generator;
    if (outermost->flags & kAsync) c->is_coroutine = true;
    c->comp_iter_target = true;
    if (!sym_expr(outermost->a)) return false;
    c->comp_iter_target = false;
    if (!sym_exprs(outermost->l[0])) return false;
    for (uint32_t i = 1; i < gens.size(); ++i) {
        const Node* g = gens[i];
        if (g->flags & kAsync) c->is_coroutine = true;
        c->comp_iter_target = true;
        if (!sym_expr(g->a)) return false;
        c->comp_iter_target = false;
        ++c->comp_iter_expr;
        if (!sym_expr(g->b)) return false;
        --c->comp_iter_expr;
        if (!sym_exprs(g->l[0])) return false;
    }
    // A dict comprehension's value is visited before its key, as CPython does.
    if (e->kind == NodeKind::DictComp) {
        if (!sym_expr(e->b) || !sym_expr(e->a)) return false;
    } else if (!sym_expr(e->a)) {
        return false;
    }
    leave();
    // An async list, set or dict comprehension makes its enclosing scope a coroutine too.
    if (c->is_coroutine && !is_generator) cur_->is_coroutine = true;
    return true;
}

bool Checker::sym_pattern(const Node* p) {
    if (!deeper(p)) return false;
    DepthScope ds(depth_);
    switch (p->kind) {
    case NodeKind::MatchValue: return sym_expr(p->a);
    case NodeKind::MatchSingleton: return true;
    case NodeKind::MatchSequence:
    case NodeKind::MatchOr:
        for (const Node* q : p->l[0])
            if (!sym_pattern(q)) return false;
        return true;
    case NodeKind::MatchMapping:
        if (!sym_exprs(p->l[0])) return false;
        for (const Node* q : p->l[1])
            if (!sym_pattern(q)) return false;
        return p->name.empty() || add_def(p->name, kDefLocal, p->line);
    case NodeKind::MatchClass:
        if (!sym_expr(p->a)) return false;
        for (const Node* q : p->l[0])
            if (!sym_pattern(q)) return false;
        for (const Node* q : p->l[1])
            if (!sym_pattern(q)) return false;
        return true;
    case NodeKind::MatchStar: return p->name.empty() || add_def(p->name, kDefLocal, p->line);
    case NodeKind::MatchAs:
        if (p->a && !sym_pattern(p->a)) return false;
        return p->name.empty() || add_def(p->name, kDefLocal, p->line);
    default: return true;
    }
}

bool Checker::sym_expr(const Node* e) {
    if (!deeper(e)) return false;
    DepthScope ds(depth_);
    switch (e->kind) {
    case NodeKind::NamedExpr: return sym_namedexpr(e);
    case NodeKind::BoolOp:
    case NodeKind::Set:
    case NodeKind::List:
    case NodeKind::Tuple:
    case NodeKind::JoinedStr: return sym_exprs(e->l[0]);
    case NodeKind::BinOp: return sym_expr(e->a) && sym_expr(e->b);
    case NodeKind::UnaryOp:
    case NodeKind::Starred:
    case NodeKind::Attribute: return sym_expr(e->a);
    case NodeKind::Lambda: {
        if (!sym_arguments_defaults(e->a)) return false;
        enter(ScopeKind::Lambda, e);
        if (!sym_params(e->a) || !sym_expr(e->b)) return false;
        leave();
        return true;
    }
    case NodeKind::IfExp: return sym_expr(e->a) && sym_expr(e->b) && sym_expr(e->c);
    case NodeKind::Dict: return sym_exprs(e->l[0]) && sym_exprs(e->l[1]);
    case NodeKind::ListComp:
    case NodeKind::SetComp:
    case NodeKind::DictComp:
    case NodeKind::GeneratorExp: return sym_comprehension(e);
    case NodeKind::Yield:
    case NodeKind::YieldFrom:
        if (e->a && !sym_expr(e->a)) return false;
        cur_->is_generator = true;
        if (cur_->kind == ScopeKind::Comprehension) {
            const Node* c = cur_->node;
            const char* what = c->kind == NodeKind::ListComp  ? "list comprehension"
                               : c->kind == NodeKind::SetComp ? "set comprehension"
                               : c->kind == NodeKind::DictComp ? "dict comprehension"
                                                               : "generator expression";
            return fail(e->line, fmt::format("'yield' inside {}", what));
        }
        return true;
    case NodeKind::Await:
        if (!sym_expr(e->a)) return false;
        cur_->is_coroutine = true;
        return true;
    case NodeKind::Compare: return sym_expr(e->a) && sym_exprs(e->l[0]);
    case NodeKind::Call:
        if (!sym_expr(e->a) || !sym_exprs(e->l[0])) return false;
        for (const Node* k : e->l[1])
            if (!sym_expr(k->a)) return false;
        return true;
    case NodeKind::FormattedValue: return sym_expr(e->a) && (!e->b || sym_expr(e->b));
    case NodeKind::Constant: return true;
    case NodeKind::Subscript: return sym_expr(e->a) && sym_expr(e->b);
    case NodeKind::Slice:
        return (!e->a || sym_expr(e->a)) && (!e->b || sym_expr(e->b)) && (!e->c || sym_expr(e->c));
    case NodeKind::Name: return add_def(e->name, e->ctx == Ctx::Load ? kUse : kDefLocal, e->line);
    default: return fail(e->line, "internal: unexpected expression");
    }
}

// Names declared nonlocal must be bound in an enclosing function; a global declaration
// hides an enclosing binding from nested scopes.
bool Checker::analyze(Scope* s, const std::set<std::string_view>* bound) {
    std::set<std::string_view> mine = bound ? *bound : std::set<std::string_view>{};
    for (const auto& [name, flags] : s->symbols) {
        if ((flags & kDefGlobal) && (flags & kDefNonlocal)) {
            int line = s->node ? s->node->line : 1;
            for (const auto& [n, l] : s->nonlocal_lines)
                if (n == name) line = l;
            return fail(line, fmt::format("name '{}' is nonlocal and global", name));
        }
        if (flags & kDefNonlocal) {
            if (!bound || !bound->count(name)) {
                int line = s->node ? s->node->line : 1;
                for (const auto& [n, l] : s->nonlocal_lines)
                    if (n == name) line = l;
                return fail(line, fmt::format("no binding for nonlocal '{}' found", name));
            }
        }
    }
    std::set<std::string_view> child_bound;
    if (s->kind == ScopeKind::Class) {
        child_bound = mine;
    } else if (s->is_function_like()) {
        child_bound = mine;
        for (const auto& [name, flags] : s->symbols)
            if ((flags & (kDefLocal | kDefParam | kDefImport)) && !(flags & (kDefGlobal | kDefNonlocal)))
                child_bound.insert(name);
    }
    for (const auto& [name, flags] : s->symbols)
        if (flags & kDefGlobal) child_bound.erase(name);
    for (Scope* c : s->children)
        if (!analyze(c, &child_bound)) return false;
    return true;
}

// ---------------------------------------------------------------- code generation

bool Checker::gen_keywords(const NodeList& keywords, Unit& u) {
    for (uint32_t i = 0; i < keywords.size(); ++i) {
        const Node* k = keywords[i];
        if (!k->name.empty()) {
            if (!forbidden(k->name, Ctx::Store, k->line)) return false;
            for (uint32_t j = i + 1; j < keywords.size(); ++j)
                if (keywords[j]->name == k->name)
                    return fail(keywords[j]->line, fmt::format("keyword argument repeated: {}", k->name));
        }
        if (!gen_expr(k->a, u)) return false;
    }
    return true;
}

bool Checker::gen_arguments(const Node* args, Unit& u) {
    for (const Node* a : args->l[0]) {
        if (a->b && !gen_expr(a->b, u)) return false;
        if (a->a && !future_annotations_ && !gen_expr(a->a, u, a->op == static_cast<uint8_t>(ArgKind::VarArgs))) return false;
    }
    return true;
}

bool Checker::gen_function(const Node* f) {
    Scope* s = scope_of(f);
    Unit inner{s};
    for (const Node* a : f->a->l[0])
        if (!forbidden(a->name, Ctx::Store, a->line)) return false;
    if (f->kind == NodeKind::Lambda) return gen_expr(f->b, inner);
    return gen_stmts(f->l[0], inner);
}

bool Checker::gen_target(const Node* t, Unit& u, bool top) {
    if (!deeper(t)) return false;
    DepthScope ds(depth_);
    switch (t->kind) {
    case NodeKind::Name: return forbidden(t->name, t->ctx, t->line);
    case NodeKind::Attribute:
        // CPython refuses `x.__debug__` only as a store: `del x.__debug__` compiles.
        if (t->ctx == Ctx::Store && !forbidden(t->name, t->ctx, t->line)) return false;
        return gen_expr(t->a, u);
    case NodeKind::Subscript: return gen_expr(t->a, u) && gen_expr(t->b, u);
    case NodeKind::Starred:
        if (top) return fail(t->line, "starred assignment target must be in a list or tuple");
        return gen_target(t->a, u, false);
    case NodeKind::Tuple:
    case NodeKind::List: {
        bool seen_star = false;
        uint32_t before = 0;
        for (const Node* e : t->l[0]) {
            if (e->kind == NodeKind::Starred) {
                if (seen_star) return fail(t->line, "multiple starred expressions in assignment");
                seen_star = true;
                if (before >= 256) return fail(t->line, "too many expressions in star-unpacking assignment");
            } else if (!seen_star) {
                ++before;
            }
        }
        for (const Node* e : t->l[0]) {
            if (e->kind == NodeKind::Starred) {
                if (!gen_target(e->a, u, false)) return false;
            } else if (!gen_target(e, u, false)) {
                return false;
            }
        }
        return true;
    }
    default: return gen_expr(t, u);
    }
}

bool Checker::gen_comprehension(const Node* e, Unit& outer) {
    Scope* s = scope_of(e);
    const NodeList& gens = e->l[0];
    // The outermost iterable belongs to the enclosing unit.
    if (!gen_expr(gens[0]->b, outer)) return false;
    const ScopeKind enclosing = outer.scope->kind;
    const bool enclosing_async = outer.scope->kind == ScopeKind::Function && outer.scope->is_async;
    if (s->is_coroutine && !s->genexp && !enclosing_async && enclosing != ScopeKind::Comprehension)
        return fail(e->line, "asynchronous comprehension outside of an asynchronous function");
    Unit u{s};
    for (uint32_t i = 0; i < gens.size(); ++i) {
        const Node* g = gens[i];
        if ((g->flags & kAsync) && !s->genexp && !enclosing_async && enclosing != ScopeKind::Comprehension)
            return fail(e->line, "asynchronous comprehension outside of an asynchronous function");
        if (!gen_target(g->a, u, true)) return false;
        if (i > 0 && !gen_expr(g->b, u)) return false;
        if (!gen_exprs(g->l[0], u)) return false;
    }
    if (e->kind == NodeKind::DictComp) return gen_expr(e->a, u) && gen_expr(e->b, u);
    return gen_expr(e->a, u);
}

bool Checker::gen_expr(const Node* e, Unit& u, bool starred_ok) {
    if (!deeper(e)) return false;
    DepthScope ds(depth_);
    switch (e->kind) {
    case NodeKind::Starred:
        if (!starred_ok) return fail(e->line, "can't use starred expression here");
        return gen_expr(e->a, u);
    case NodeKind::NamedExpr: return forbidden(e->a->name, Ctx::Store, e->line) && gen_expr(e->b, u);
    case NodeKind::BoolOp:
    case NodeKind::JoinedStr: return gen_exprs(e->l[0], u);
    case NodeKind::Set:
    case NodeKind::List:
    case NodeKind::Tuple:
        if (e->ctx != Ctx::Load) return gen_target(e, u, false);
        return gen_exprs(e->l[0], u, true);
    case NodeKind::BinOp: return gen_expr(e->a, u) && gen_expr(e->b, u);
    case NodeKind::UnaryOp: return gen_expr(e->a, u);
    case NodeKind::Attribute:
        if (e->ctx != Ctx::Load && !forbidden(e->name, e->ctx, e->line)) return false;
        return gen_expr(e->a, u);
    case NodeKind::Lambda:
        if (!gen_arguments(e->a, u)) return false;
        return gen_function(e);
    case NodeKind::IfExp: return gen_expr(e->a, u) && gen_expr(e->b, u) && gen_expr(e->c, u);
    case NodeKind::Dict: return gen_exprs(e->l[0], u) && gen_exprs(e->l[1], u);
    case NodeKind::ListComp:
    case NodeKind::SetComp:
    case NodeKind::DictComp:
    case NodeKind::GeneratorExp: return gen_comprehension(e, u);
    case NodeKind::Await: {
        const ScopeKind k = u.scope->kind;
        if (k == ScopeKind::Module || k == ScopeKind::Class) return fail(e->line, "'await' outside function");
        if (!(k == ScopeKind::Function && u.scope->is_async) && k != ScopeKind::Comprehension)
            return fail(e->line, "'await' outside async function");
        return gen_expr(e->a, u);
    }
    case NodeKind::Yield:
    case NodeKind::YieldFrom: {
        const ScopeKind k = u.scope->kind;
        if (!(k == ScopeKind::Function || k == ScopeKind::Lambda)) return fail(e->line, "'yield' outside function");
        if (e->kind == NodeKind::YieldFrom && k == ScopeKind::Function && u.scope->is_async)
            return fail(e->line, "'yield from' inside async function");
        return !e->a || gen_expr(e->a, u);
    }
    case NodeKind::Compare: return gen_expr(e->a, u) && gen_exprs(e->l[0], u);
    case NodeKind::Call: return gen_expr(e->a, u) && gen_exprs(e->l[0], u, true) && gen_keywords(e->l[1], u);
    case NodeKind::FormattedValue: return gen_expr(e->a, u) && (!e->b || gen_expr(e->b, u));
    case NodeKind::Constant: return true;
    case NodeKind::Subscript:
        if (!gen_expr(e->a, u)) return false;
        // A tuple of slices may hold *iterables (PEP 646).
        return gen_expr(e->b, u);
    case NodeKind::Slice: return (!e->a || gen_expr(e->a, u)) && (!e->b || gen_expr(e->b, u)) && (!e->c || gen_expr(e->c, u));
    case NodeKind::Name: return forbidden(e->name, e->ctx, e->line);
    default: return fail(e->line, "internal: unexpected expression");
    }
}

bool Checker::gen_pattern(const Node* p, Unit& u, bool allow_irrefutable, std::vector<std::string_view>& stores) {
    if (!deeper(p)) return false;
    DepthScope ds(depth_);
    auto store = [&](std::string_view name, int line) {
        if (!forbidden(name, Ctx::Store, line)) return false;
        if (std::find(stores.begin(), stores.end(), name) != stores.end())
            return fail(line, fmt::format("multiple assignments to name '{}' in pattern", name));
        stores.push_back(name);
        return true;
    };
    auto literal_or_attribute = [](const Node* v) {
        if (v->kind == NodeKind::Constant || v->kind == NodeKind::Attribute) return true;
        // Constant folding turns -1 and 1+2j into constants.
        if (v->kind == NodeKind::UnaryOp && v->a->kind == NodeKind::Constant) return true;
        if (v->kind == NodeKind::BinOp && (v->a->kind == NodeKind::Constant ||
                                           (v->a->kind == NodeKind::UnaryOp && v->a->a->kind == NodeKind::Constant)) &&
            v->b->kind == NodeKind::Constant)
            return true;
        return false;
    };
    switch (p->kind) {
    case NodeKind::MatchValue:
        if (!literal_or_attribute(p->a)) return fail(p->line, "patterns may only match literals and attribute lookups");
        return gen_expr(p->a, u);
    case NodeKind::MatchSingleton: return true;
    case NodeKind::MatchAs:
        if (!p->a) {
            if (!allow_irrefutable) {
                if (!p->name.empty())
                    return fail(p->line, fmt::format("name capture '{}' makes remaining patterns unreachable", p->name));
                return fail(p->line, "wildcard makes remaining patterns unreachable");
            }
            return p->name.empty() || store(p->name, p->line);
        }
        if (!gen_pattern(p->a, u, allow_irrefutable, stores)) return false;
        return store(p->name, p->line);
    case NodeKind::MatchStar: return p->name.empty() || store(p->name, p->line);
    case NodeKind::MatchSequence: {
        bool star = false;
        for (const Node* q : p->l[0]) {
            if (q->kind == NodeKind::MatchStar) {
                if (star) return fail(p->line, "multiple starred names in sequence pattern");
                star = true;
            }
        }
        for (const Node* q : p->l[0])
            if (!gen_pattern(q, u, true, stores)) return false;
        return true;
    }
    case NodeKind::MatchMapping: {
        std::vector<std::string> seen;
        for (const Node* k : p->l[0]) {
            if (!literal_or_attribute(k))
                return fail(p->line, "mapping pattern keys may only match literals and attribute lookups");
            if (k->kind == NodeKind::Constant) {
                std::string key = fmt::format("{}:{}", k->op, k->name);
                if (std::find(seen.begin(), seen.end(), key) != seen.end())
                    return fail(p->line, fmt::format("mapping pattern checks duplicate key ({})", k->name));
                seen.push_back(std::move(key));
            }
        }
        for (const Node* q : p->l[1])
            if (!gen_pattern(q, u, true, stores)) return false;
        return p->name.empty() || store(p->name, p->line);
    }
    case NodeKind::MatchClass: {
        // validate_kwd_attrs: each keyword's name is a store (`__debug__` is refused), then
        // no name twice.
        for (uint32_t i = 0; i < p->l[2].size(); ++i) {
            if (!forbidden(p->l[2][i]->name, Ctx::Store, p->line)) return false;
            for (uint32_t j = i + 1; j < p->l[2].size(); ++j)
                if (p->l[2][i]->name == p->l[2][j]->name)
                    return fail(p->line, fmt::format("attribute name repeated in class pattern: {}", p->l[2][i]->name));
        }
        if (!gen_expr(p->a, u)) return false;
        for (const Node* q : p->l[0])
            if (!gen_pattern(q, u, true, stores)) return false;
        for (const Node* q : p->l[1])
            if (!gen_pattern(q, u, true, stores)) return false;
        return true;
    }
    case NodeKind::MatchOr: {
        std::vector<std::string_view> first;
        for (uint32_t i = 0; i < p->l[0].size(); ++i) {
            std::vector<std::string_view> alt = stores;
            const bool last = i + 1 == p->l[0].size();
            if (!gen_pattern(p->l[0][i], u, last && allow_irrefutable, alt)) return false;
            std::vector<std::string_view> added(alt.begin() + static_cast<std::ptrdiff_t>(stores.size()), alt.end());
            std::sort(added.begin(), added.end());
            if (i == 0) first = added;
            else if (added != first) return fail(p->line, "alternative patterns bind different names");
        }
        stores.insert(stores.end(), first.begin(), first.end());
        return true;
    }
    default: return fail(p->line, "internal: unexpected pattern");
    }
}

bool Checker::gen_stmt(const Node* s, Unit& u) {
    if (!deeper(s)) return false;
    DepthScope ds(depth_);
    const ScopeKind k = u.scope->kind;
    switch (s->kind) {
    case NodeKind::FunctionDef:
        if (!forbidden(s->name, Ctx::Store, s->line)) return false;
        for (const Node* tp : s->l[2])
            if (!forbidden(tp->name, Ctx::Store, tp->line)) return false;
        if (!gen_exprs(s->l[1], u)) return false;
        if (!gen_arguments(s->a, u)) return false;
        if (s->b && !future_annotations_ && !gen_expr(s->b, u)) return false;
        return gen_function(s);
    case NodeKind::ClassDef: {
        if (!forbidden(s->name, Ctx::Store, s->line)) return false;
        for (const Node* tp : s->l[2])
            if (!forbidden(tp->name, Ctx::Store, tp->line)) return false;
        if (!gen_exprs(s->l[1], u)) return false;
        std::vector<Node*> keywords;
        for (Node* b : s->l[3]) {
            if (b->kind == NodeKind::Keyword) keywords.push_back(b);
            else if (!gen_expr(b, u, true)) return false;
        }
        NodeList kl{keywords.data(), static_cast<uint32_t>(keywords.size())};
        if (!gen_keywords(kl, u)) return false;
        Unit inner{scope_of(s)};
        return gen_stmts(s->l[0], inner);
    }
    case NodeKind::Return:
        if (k != ScopeKind::Function) return fail(s->line, "'return' outside function");
        if (u.except_star_depth >= 0) return fail(s->line, "'break', 'continue' and 'return' cannot appear in an except* block");
        if (s->a && u.scope->is_async && u.scope->is_generator)
            return fail(s->line, "'return' with value in async generator");
        return !s->a || gen_expr(s->a, u);
    case NodeKind::Delete:
        for (const Node* t : s->l[0])
            if (!gen_target(t, u, true)) return false;
        return true;
    case NodeKind::Assign:
        if (!gen_expr(s->a, u)) return false;
        for (const Node* t : s->l[0])
            if (!gen_target(t, u, true)) return false;
        return true;
    case NodeKind::AugAssign:
        // An attribute changed in place is loaded and stored without the name check
        // (`x.__debug__ += 1` compiles); a name is checked (`__debug__ += 1` does not).
        if (s->a->kind == NodeKind::Attribute) return gen_expr(s->a->a, u) && gen_expr(s->b, u);
        return gen_target(s->a, u, true) && gen_expr(s->b, u);
    case NodeKind::AnnAssign:
        if (s->c && !gen_expr(s->c, u)) return false;
        if (s->a->kind == NodeKind::Name) {
            if (!forbidden(s->a->name, Ctx::Store, s->line)) return false;
        } else if (!gen_target(s->a, u, true)) {
            return false;
        }
        // Variable annotations are compiled only in a module or class body, and not at all
        // under `from __future__ import annotations`.
        if (!future_annotations_ && (k == ScopeKind::Module || k == ScopeKind::Class) && !gen_expr(s->b, u)) return false;
        return true;
    case NodeKind::TypeAlias:
        for (const Node* tp : s->l[2])
            if (!forbidden(tp->name, Ctx::Store, tp->line)) return false;
        return forbidden(s->a->name, Ctx::Store, s->line) && gen_expr(s->b, u);
    case NodeKind::For:
        return gen_for(s, u);
    case NodeKind::While: {
        if (!gen_expr(s->a, u)) return false;
        if (!push_block(s, u)) return false;
        ++u.loops;
        if (!gen_stmts(s->l[0], u)) return false;
        --u.loops;
        --u.blocks;
        return gen_stmts(s->l[1], u);
    }
    case NodeKind::If: return gen_expr(s->a, u) && gen_stmts(s->l[0], u) && gen_stmts(s->l[1], u);
    case NodeKind::With:
        return gen_with(s, u);
    case NodeKind::Match:
        return gen_match(s, u);
    case NodeKind::Raise: return (!s->a || gen_expr(s->a, u)) && (!s->b || gen_expr(s->b, u));
    case NodeKind::Try:
        return gen_try(s, u);
    case NodeKind::Assert: return gen_expr(s->a, u) && (!s->b || gen_expr(s->b, u));
    case NodeKind::Import:
    case NodeKind::ImportFrom:
        if (s->kind == NodeKind::ImportFrom && s->level == 0 && s->name == "__future__" && s->line > future_line_)
            return fail(s->line, "from __future__ imports must occur at the beginning of the file");
        for (const Node* a : s->l[0]) {
            if (a->name == "*") continue;
            const std::string_view stored = a->name2.empty() ? a->name.substr(0, a->name.find('.')) : a->name2;
            if (!forbidden(stored, Ctx::Store, a->line)) return false;
        }
        return true;
    case NodeKind::Global:
    case NodeKind::Nonlocal: return true;
    case NodeKind::Expr: return gen_expr(s->a, u);
    case NodeKind::Pass: return true;
    case NodeKind::Break:
    case NodeKind::Continue:
        if (u.loops == 0) {
            if (u.except_star_depth >= 0)
                return fail(s->line, "'break', 'continue' and 'return' cannot appear in an except* block");
            return fail(s->line, s->kind == NodeKind::Break ? "'break' outside loop" : "'continue' not properly in loop");
        }
        return true;
    default: return fail(s->line, "internal: unexpected statement");
    }
}

bool Checker::gen_try(const Node* s, Unit& u) {
    const bool has_finally = !s->l[3].empty();
    const bool star = (s->flags & kStar) != 0;
    if (has_finally && !push_block(s, u)) return false;
    if (!s->l[1].empty()) {
        if (!push_block(s, u)) return false;  // TRY_EXCEPT around the body
        if (!gen_stmts(s->l[0], u)) return false;
        --u.blocks;
        for (uint32_t i = 0; i < s->l[1].size(); ++i) {
            const Node* h = s->l[1][i];
            if (!h->a && i + 1 < s->l[1].size()) return fail(h->line, "default 'except:' must be last");
            if (h->a && !gen_expr(h->a, u)) return false;
            if (!h->name.empty() && !forbidden(h->name, Ctx::Store, h->line)) return false;
            if (!push_block(h, u) || !push_block(h, u)) return false;  // the handler and its cleanup
            const int saved_star = u.except_star_depth;
            if (star) u.except_star_depth = u.loops;
            const int saved_loops = u.loops;
            if (star) u.loops = 0;  // a loop outside the except* block is out of reach
            if (!gen_stmts(h->l[0], u)) return false;
            u.loops = saved_loops;
            u.except_star_depth = saved_star;
            u.blocks -= 2;
        }
        if (!gen_stmts(s->l[2], u)) return false;
    } else if (!gen_stmts(s->l[0], u)) {
        return false;
    }
    if (has_finally) {
        --u.blocks;
        // The finally body is compiled once inside a FINALLY_END block (the path of an
        // exception), once outside.
        if (!push_block(s, u)) return false;
        if (!gen_stmts(s->l[3], u)) return false;
        --u.blocks;
    }
    return true;
}

bool Checker::gen_for(const Node* s, Unit& u) {
    if ((s->flags & kAsync) && !(u.scope->kind == ScopeKind::Function && u.scope->is_async))
        return fail(s->line, "'async for' outside async function");
    if (!gen_expr(s->b, u)) return false;
    if (!push_block(s, u)) return false;
    if (!gen_target(s->a, u, true)) return false;
    ++u.loops;
    const int saved_star = u.except_star_depth;
    if (!gen_stmts(s->l[0], u)) return false;
    u.except_star_depth = saved_star;
    --u.loops;
    --u.blocks;
    return gen_stmts(s->l[1], u);
}

bool Checker::gen_with(const Node* s, Unit& u) {
    if ((s->flags & kAsync) && !(u.scope->kind == ScopeKind::Function && u.scope->is_async))
        return fail(s->line, "'async with' outside async function");
    int pushed = 0;
    for (const Node* item : s->l[0]) {
        if (!gen_expr(item->a, u)) return false;
        if (!push_block(s, u)) return false;
        ++pushed;
        if (item->b && !gen_target(item->b, u, true)) return false;
    }
    if (!gen_stmts(s->l[1], u)) return false;
    u.blocks -= pushed;
    return true;
}

bool Checker::gen_match(const Node* s, Unit& u) {
    if (!gen_expr(s->a, u)) return false;
    const NodeList& cases = s->l[0];
    for (uint32_t i = 0; i < cases.size(); ++i) {
        const Node* c = cases[i];
        const bool last = i + 1 == cases.size();
        const bool wildcard = c->a->kind == NodeKind::MatchAs && !c->a->a && c->a->name.empty();
        std::vector<std::string_view> stores;
        if (!(last && wildcard && cases.size() > 1) && !gen_pattern(c->a, u, c->b != nullptr || last, stores))
            return false;
        if (c->b && !gen_expr(c->b, u)) return false;
        if (!gen_stmts(c->l[0], u)) return false;
    }
    return true;
}

std::optional<SyntaxError> Checker::run(const Node* module) {
    // Future imports: a docstring, then `from __future__ import` statements, checked for
    // known features; a later one on the same line is refused here, on a later line by the
    // code generator.
    {
        static constexpr std::string_view kFeatures[] = {"nested_scopes", "generators", "division", "absolute_import",
                                                         "with_statement", "print_function", "unicode_literals",
                                                         "barry_as_FLUFL", "generator_stop", "annotations"};
        const NodeList& body = module->l[0];
        uint32_t i = 0;
        if (!body.empty() && body[0]->kind == NodeKind::Expr && body[0]->a->kind == NodeKind::Constant &&
            body[0]->a->op == static_cast<uint8_t>(ConstantKind::Str))
            ++i;
        bool done = false;
        int prev_line = 0;
        for (; i < body.size(); ++i) {
            const Node* s = body[i];
            if (done && s->line > prev_line) break;
            prev_line = s->line;
            if (s->kind == NodeKind::ImportFrom && s->level == 0 && s->name == "__future__") {
                if (done) {
                    fail(s->line, "from __future__ imports must occur at the beginning of the file");
                    break;
                }
                for (const Node* a : s->l[0]) {
                    if (a->name == "braces") return SyntaxError{s->line, "not a chance"};
                    if (std::find(std::begin(kFeatures), std::end(kFeatures), a->name) == std::end(kFeatures))
                        return SyntaxError{s->line, fmt::format("future feature {} is not defined", a->name)};
                    if (a->name == "annotations") future_annotations_ = true;
                }
                future_line_ = s->line;
            } else {
                done = true;
            }
        }
        if (failure_) return SyntaxError{failure_->line, failure_->message};
    }
    Scope* m = enter(ScopeKind::Module, module);
    if (!sym_stmts(module->l[0]) || !analyze(m, nullptr)) return SyntaxError{failure_->line, failure_->message};
    Unit u{m};
    if (!gen_stmts(module->l[0], u)) return SyntaxError{failure_->line, failure_->message};
    return std::nullopt;
}

}  // namespace

std::optional<SyntaxError> check_compile(const Node* module, PythonVersion version) {
    // The checks differ by version only in what the parser let through (type parameters
    // exist from 3.12); the version is part of the interface for the next difference.
    (void)version;
    Checker c;
    return c.run(module);
}

}  // namespace ag::py
