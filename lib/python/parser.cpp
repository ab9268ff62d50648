#include "python/parser.hpp"

#include "python/string_literal.hpp"
#include "python/unicode_text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <type_traits>

namespace ag::py {

namespace {

// CPython refuses decimal integer literals of more than 4300 digits when it compiles them
// (sys.int_info.str_digits_check_threshold, 3.11+).
constexpr size_t kMaxIntDigits = 4300;

// The end of the string literal starting at body[i] (its prefix, if any, already passed; `i`
// at the quote), as PEP 701 reads it inside a replacement field: nested f-strings and their
// fields included. npos when it does not end.
size_t skip_string_312(std::string_view body, size_t i, bool is_f, int depth = 0) {
    if (depth > 150 || i >= body.size()) return std::string_view::npos;
    const char q = body[i];
    const bool triple = i + 2 < body.size() && body[i + 1] == q && body[i + 2] == q;
    i += triple ? 3 : 1;
    int fields = 0, brackets = 0;
    bool spec = false;
    while (i < body.size()) {
        const char c = body[i];
        const bool literal = fields == 0 || spec;
        if (literal || !is_f) {
            if (c == '\\') { i += 2; continue; }
            if (c == q && (!triple || (i + 2 < body.size() && body[i + 1] == q && body[i + 2] == q))) {
                if (fields == 0 || !is_f) return i + (triple ? 3 : 1);
            }
            if (is_f && c == '{') {
                if (fields == 0 && i + 1 < body.size() && body[i + 1] == '{') { i += 2; continue; }
                ++fields;
                spec = false;
                brackets = 0;
            } else if (is_f && c == '}' && fields > 0) {
                --fields;
                spec = false;
            }
            ++i;
            continue;
        }
        if (c == '\'' || c == '"') {
            const size_t end = skip_string_312(body, i, false, depth + 1);
            if (end == std::string_view::npos) return end;
            i = end;
            continue;
        }
        if ((c | 0x20) == 'f' || (c | 0x20) == 'r' || (c | 0x20) == 'b' || (c | 0x20) == 'u') {
            size_t j = i;
            bool f = false;
            while (j < body.size() && j - i < 2 && std::isalpha(static_cast<unsigned char>(body[j]))) f |= (body[j++] | 0x20) == 'f';
            if (j < body.size() && (body[j] == '\'' || body[j] == '"') && (i == 0 || !std::isalnum(static_cast<unsigned char>(body[i - 1])))) {
                const size_t end = skip_string_312(body, j, f, depth + 1);
                if (end == std::string_view::npos) return end;
                i = end;
                continue;
            }
        }
        if (c == '#') {
            while (i < body.size() && body[i] != '\n') ++i;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') ++brackets;
        else if ((c == ')' || c == ']') && brackets > 0) --brackets;
        else if (c == '}') {
            if (brackets > 0) --brackets;
            else { --fields; spec = false; }
        } else if (c == ':' && brackets == 0) spec = true;
        ++i;
    }
    return std::string_view::npos;
}

class Parser {
public:
    Parser(const TokenStream& ts, PythonVersion version, Arena& arena, int depth = 0)
        : ts_(ts), tok_(ts.tokens), version_(version), arena_(arena), depth_(depth) {}

    Node* module();
    // "(expression)" of an f-string field: star_expressions, then the end.
    Node* fstring_expression();

    SyntaxError error() const {
        if (hard_) return *hard_;
        const size_t at = furthest_ < tok_.size() ? furthest_ : tok_.size() - 1;
        const Token& t = tok_[at];
        std::string message = furthest_message_;
        if (message.empty()) {
            if (t.type == TokenType::Indent) message = "unexpected indent";
            else if (t.type == TokenType::Dedent && t.size == 0) message = "unindent does not match, or a block is missing";
            else if (t.type == TokenType::End) message = "unexpected end of file (an unclosed block or expression)";
            else message = fmt::format("invalid syntax at '{}'", shorten(ts_.text_of(t)));
        }
        return SyntaxError{t.line, message};
    }

    bool failed_hard() const { return hard_.has_value(); }

private:
    // ---- tokens ----
    const Token& cur() {
        if (pos_ > furthest_) {
            furthest_ = pos_;
            furthest_message_.clear();
        }
        return tok_[pos_];
    }
    const Token& ahead(size_t k) const { return tok_[std::min(pos_ + k, tok_.size() - 1)]; }
    bool at_op(Op o) { const Token& t = cur(); return t.type == TokenType::Op && t.op == o; }
    bool at_kw(Keyword k) { const Token& t = cur(); return t.type == TokenType::Name && t.keyword == k; }
    bool at_name() { const Token& t = cur(); return t.type == TokenType::Name && t.keyword == Keyword::None_; }
    bool at_soft(std::string_view word) { return at_name() && ts_.text_of(cur()) == word; }
    bool at_type(TokenType type) { return cur().type == type; }
    bool eat_op(Op o) {
        if (!at_op(o)) return false;
        ++pos_;
        return true;
    }
    bool eat_kw(Keyword k) {
        if (!at_kw(k)) return false;
        ++pos_;
        return true;
    }
    bool eat(TokenType type) {
        if (!at_type(type)) return false;
        ++pos_;
        return true;
    }
    static bool is_op(const Token& t, Op o) { return t.type == TokenType::Op && t.op == o; }
    static bool is_kw(const Token& t, Keyword k) { return t.type == TokenType::Name && t.keyword == k; }
    static bool is_plain_name(const Token& t) { return t.type == TokenType::Name && t.keyword == Keyword::None_; }

    // A failure with a reason, kept when it is where parsing got furthest. Backtracking fails
    // often on the way to a valid parse: the words are built only when they are kept.
    std::nullptr_t fail(std::string_view message) {
        if (pos_ >= furthest_) {
            furthest_ = pos_;
            furthest_message_.assign(message);
        }
        return nullptr;
    }
    template <class Words>
        requires std::is_invocable_r_v<std::string, Words>
    std::nullptr_t fail(const Words& words) {
        if (pos_ >= furthest_) {
            furthest_ = pos_;
            furthest_message_ = words();
        }
        return nullptr;
    }
    std::nullptr_t fail_hard(int line, std::string message) {
        if (!hard_) hard_ = SyntaxError{line, std::move(message)};
        return nullptr;
    }
    static std::string shorten(std::string_view text) {
        std::string s(text.substr(0, 40));
        for (char& c : s)
            if (c == '\n') c = ' ';
        return s;
    }

    // ---- building ----
    Node* make(NodeKind kind, int line) { return arena_.node(kind, line); }
    NodeList take(size_t mark) {
        NodeList l = arena_.list(stack_.data() + mark, stack_.size() - mark);
        stack_.resize(mark);
        return l;
    }
    // Names are views into the source text, which outlives the tree; folded names live in
    // the token stream (an f-string field's is gone after the field), so they are copied.
    std::string_view name_of(const Token& t) { return t.fold ? arena_.copy(ts_.name_of(t)) : ts_.text_of(t); }
    Node* name_node(const Token& t) {
        Node* n = make(NodeKind::Name, t.line);
        n->name = name_of(t);
        return n;
    }

    struct DepthGuard {
        Parser& p;
        bool ok;
        explicit DepthGuard(Parser& parser) : p(parser), ok(++parser.depth_ <= kMaxNestingDepth) {
            if (!ok)
                p.fail_hard(p.tok_[p.pos_].line,
                            fmt::format("nested more than {} levels deep: CPython's parser and compiler refuse deep "
                                        "nesting, and the guard does not follow it further",
                                        kMaxNestingDepth));
        }
        ~DepthGuard() { --p.depth_; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;
    };

    // ---- statements ----
    bool statement();
    bool simple_statements();
    Node* simple_statement();
    Node* compound_statement();
    bool block(NodeList& out);
    Node* assignment_or_expression();
    Node* import_statement();
    Node* from_import_statement();
    Node* function_def(NodeList decorators, int line);
    Node* class_def(NodeList decorators, int line);
    Node* if_statement(bool elif);
    Node* while_statement();
    Node* for_statement(bool is_async, int line);
    Node* with_statement(bool is_async, int line);
    Node* try_statement();
    Node* match_statement();
    Node* type_alias();
    bool type_params(NodeList& out);
    Node* parameters(bool lambda);

    // ---- patterns ----
    Node* patterns();
    Node* pattern();
    Node* or_pattern();
    Node* closed_pattern();
    Node* class_pattern(Node* target, int line);
    Node* sequence_pattern(int line);
    Node* mapping_pattern(int line);
    Node* literal_pattern_value();
    Node* signed_number();
    Node* name_or_attr();
    Node* maybe_star_pattern();
    Node* capture_target_name(const Token& t);

    // ---- expressions ----
    Node* star_expressions();
    Node* star_expression();
    Node* star_named_expression();
    Node* named_expression();
    Node* expression();
    Node* yield_expression();
    Node* disjunction();
    Node* conjunction();
    Node* inversion();
    Node* comparison();
    Node* bitwise_or();
    Node* bitwise_xor();
    Node* bitwise_and();
    Node* shift_expr();
    Node* sum();
    Node* term();
    Node* factor();
    Node* power();
    Node* await_primary();
    Node* primary(bool for_target);
    Node* atom();
    Node* strings();
    Node* number(const Token& t);
    Node* paren_atom();
    Node* list_atom();
    Node* brace_atom();
    Node* sequence_display(Node* first, int line, Op close, NodeKind kind, NodeKind comprehension);
    Node* slices();
    Node* slice();
    Node* call_arguments(Node* call, bool generator_allowed = true);
    bool comprehension_clauses(NodeList& out);
    Node* lambda();
    Node* star_targets();
    Node* star_target();
    bool valid_target(Node* n, Ctx ctx, bool star_allowed, bool del);
    Node* fstring(const Token& t, std::string_view body, bool raw);
    bool fstring_parts(const Token& t, std::string_view body, size_t& i, bool raw, int level, size_t mark);
    bool fstring_field(const Token& t, std::string_view body, size_t& i, bool raw, int level);
    bool skip_field_expression(const Token& t, std::string_view body, size_t& i, bool pep701);

    const TokenStream& ts_;
    const std::vector<Token>& tok_;
    PythonVersion version_;
    Arena& arena_;
    size_t pos_ = 0;
    size_t furthest_ = 0;
    std::string furthest_message_;
    std::optional<SyntaxError> hard_;
    int depth_ = 0;
    bool barry_as_flufl_ = false;
    std::vector<Node*> stack_;
};

// ---------------------------------------------------------------- statements

Node* Parser::module() {
    const size_t mark = stack_.size();
    while (!at_type(TokenType::End)) {
        if (!statement()) return nullptr;
    }
    Node* m = make(NodeKind::Module, 1);
    m->l[0] = take(mark);
    return m;
}

bool Parser::statement() {
    if (hard_) return false;
    const Token& t = cur();
    const bool compound_start =
        (t.type == TokenType::Op && t.op == Op::At) ||
        (t.type == TokenType::Name && (t.keyword == Keyword::Def || t.keyword == Keyword::If || t.keyword == Keyword::Class ||
                                       t.keyword == Keyword::With || t.keyword == Keyword::For || t.keyword == Keyword::Try ||
                                       t.keyword == Keyword::While ||
                                       (t.keyword == Keyword::Async &&
                                        (is_kw(ahead(1), Keyword::Def) || is_kw(ahead(1), Keyword::With) ||
                                         is_kw(ahead(1), Keyword::For)))));
    if (compound_start) {
        Node* s = compound_statement();
        if (!s) return false;
        stack_.push_back(s);
        return true;
    }
    if (at_soft("match")) {
        // A soft keyword: a match statement when it parses as one, else a name.
        const size_t save = pos_;
        const size_t mark = stack_.size();
        if (Node* s = match_statement()) {
            stack_.push_back(s);
            return true;
        }
        if (hard_) return false;
        pos_ = save;
        stack_.resize(mark);
    }
    return simple_statements();
}

bool Parser::simple_statements() {
    while (true) {
        Node* s = simple_statement();
        if (!s) return false;
        stack_.push_back(s);
        if (eat_op(Op::Semi)) {
            if (eat(TokenType::Newline)) return true;
            continue;
        }
        if (eat(TokenType::Newline)) return true;
        fail("invalid syntax (expected a new line or ';' after the statement)");
        return false;
    }
}

Node* Parser::simple_statement() {
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    const Token& t = cur();
    const int line = t.line;
    if (t.type == TokenType::Name) {
        switch (t.keyword) {
        case Keyword::Pass: ++pos_; return make(NodeKind::Pass, line);
        case Keyword::Break: ++pos_; return make(NodeKind::Break, line);
        case Keyword::Continue: ++pos_; return make(NodeKind::Continue, line);
        case Keyword::Return: {
            ++pos_;
            Node* r = make(NodeKind::Return, line);
            if (!at_op(Op::Semi) && !at_type(TokenType::Newline)) {
                r->a = star_expressions();
                if (!r->a) return nullptr;
            }
            return r;
        }
        case Keyword::Raise: {
            ++pos_;
            Node* r = make(NodeKind::Raise, line);
            if (!at_op(Op::Semi) && !at_type(TokenType::Newline)) {
                if (!(r->a = expression())) return nullptr;
                if (eat_kw(Keyword::From) && !(r->b = expression())) return nullptr;
            }
            return r;
        }
        case Keyword::Global:
        case Keyword::Nonlocal: {
            ++pos_;
            Node* g = make(t.keyword == Keyword::Global ? NodeKind::Global : NodeKind::Nonlocal, line);
            const size_t mark = stack_.size();
            do {
                if (!at_name()) {
                    stack_.resize(mark);
                    return fail("invalid syntax (a name is expected)");
                }
                stack_.push_back(name_node(cur()));
                ++pos_;
            } while (eat_op(Op::Comma));
            g->l[0] = take(mark);
            return g;
        }
        case Keyword::Del: {
            ++pos_;
            Node* d = make(NodeKind::Delete, line);
            Node* targets = star_expressions();
            if (!targets) return nullptr;
            if (!at_op(Op::Semi) && !at_type(TokenType::Newline)) return fail("invalid syntax");
            if (targets->kind == NodeKind::Tuple && !(targets->flags & kParenthesized)) {
                d->l[0] = targets->l[0];
            } else {
                Node* one[] = {targets};
                d->l[0] = arena_.list(one, 1);
            }
            for (Node* target : d->l[0])
                if (!valid_target(target, Ctx::Del, false, true)) return nullptr;
            return d;
        }
        case Keyword::Assert: {
            ++pos_;
            Node* a = make(NodeKind::Assert, line);
            if (!(a->a = expression())) return nullptr;
            if (eat_op(Op::Comma) && !(a->b = expression())) return nullptr;
            return a;
        }
        case Keyword::Yield: {
            Node* s = make(NodeKind::Expr, line);
            if (!(s->a = yield_expression())) return nullptr;
            return s;
        }
        case Keyword::Import: return import_statement();
        case Keyword::From: return from_import_statement();
        default: break;
        }
        if (version_.at_least(12) && at_soft("type") && is_plain_name(ahead(1))) {
            const size_t save = pos_;
            const size_t mark = stack_.size();
            if (Node* s = type_alias()) return s;
            if (hard_) return nullptr;
            pos_ = save;
            stack_.resize(mark);
        }
    }
    return assignment_or_expression();
}

Node* Parser::type_alias() {
    const int line = cur().line;
    ++pos_;  // type
    Node* s = make(NodeKind::TypeAlias, line);
    s->a = name_node(cur());
    s->a->ctx = Ctx::Store;
    ++pos_;
    if (at_op(Op::LSqb) && !type_params(s->l[2])) return nullptr;
    if (!eat_op(Op::Equal)) return fail("invalid syntax (expected '=')");
    if (!(s->b = expression())) return nullptr;
    return s;
}

// `NAME: annotation [= value]`, targets `= value`, `target op= value`, or an expression.
Node* Parser::assignment_or_expression() {
    const Token& first = cur();
    const int line = first.line;
    if (is_plain_name(first) && is_op(ahead(1), Op::Colon)) {
        Node* s = make(NodeKind::AnnAssign, line);
        s->a = name_node(first);
        s->a->ctx = Ctx::Store;
        s->flags |= kSimple;
        pos_ += 2;
        if (!(s->b = expression())) return nullptr;
        if (eat_op(Op::Equal)) {
            s->c = at_kw(Keyword::Yield) ? yield_expression() : star_expressions();
            if (!s->c) return nullptr;
        }
        return s;
    }
    Node* e = star_expressions();
    if (!e) return nullptr;
    if (at_op(Op::Colon)) {
        // An annotated target that is not a bare name: (name), attribute or subscript.
        const bool ok = (e->kind == NodeKind::Name && (e->flags & kParenthesized)) || e->kind == NodeKind::Attribute ||
                        e->kind == NodeKind::Subscript;
        if (!ok) return fail(e->kind == NodeKind::Tuple ? "only single target (not tuple) can be annotated"
                                                        : "illegal target for annotation");
        ++pos_;
        e->ctx = Ctx::Store;
        Node* s = make(NodeKind::AnnAssign, line);
        s->a = e;
        if (!(s->b = expression())) return nullptr;
        if (eat_op(Op::Equal)) {
            s->c = at_kw(Keyword::Yield) ? yield_expression() : star_expressions();
            if (!s->c) return nullptr;
        }
        return s;
    }
    const Token& t = cur();
    if (t.type == TokenType::Op && t.op >= Op::PlusEqual && t.op <= Op::DoubleSlashEqual && t.op != Op::DoubleSlash) {
        const bool single = e->kind == NodeKind::Name || e->kind == NodeKind::Attribute || e->kind == NodeKind::Subscript;
        if (!single) return fail("'expression' is an illegal expression for augmented assignment");
        e->ctx = Ctx::Store;
        ++pos_;
        Node* s = make(NodeKind::AugAssign, line);
        s->a = e;
        s->op = static_cast<uint8_t>(t.op);
        s->b = at_kw(Keyword::Yield) ? yield_expression() : star_expressions();
        return s->b ? s : nullptr;
    }
    if (t.type == TokenType::Op && t.op == Op::AtEqual) {
        const bool single = e->kind == NodeKind::Name || e->kind == NodeKind::Attribute || e->kind == NodeKind::Subscript;
        if (!single) return fail("illegal expression for augmented assignment");
        e->ctx = Ctx::Store;
        ++pos_;
        Node* s = make(NodeKind::AugAssign, line);
        s->a = e;
        s->op = static_cast<uint8_t>(t.op);
        s->b = at_kw(Keyword::Yield) ? yield_expression() : star_expressions();
        return s->b ? s : nullptr;
    }
    if (!at_op(Op::Equal)) {
        Node* s = make(NodeKind::Expr, line);
        s->a = e;
        return s;
    }
    const size_t mark = stack_.size();
    Node* value = e;
    while (eat_op(Op::Equal)) {
        if (!valid_target(value, Ctx::Store, true, false)) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(value);
        value = at_kw(Keyword::Yield) ? yield_expression() : star_expressions();
        if (!value) {
            stack_.resize(mark);
            return nullptr;
        }
    }
    Node* s = make(NodeKind::Assign, line);
    s->l[0] = take(mark);
    s->a = value;
    return s;
}

Node* Parser::import_statement() {
    const int line = cur().line;
    ++pos_;
    Node* s = make(NodeKind::Import, line);
    const size_t mark = stack_.size();
    do {
        if (!at_name()) {
            stack_.resize(mark);
            return fail("invalid syntax (a module name is expected)");
        }
        std::string dotted(ts_.name_of(cur()));
        const int aline = cur().line;
        ++pos_;
        while (at_op(Op::Dot)) {
            ++pos_;
            if (!at_name()) {
                stack_.resize(mark);
                return fail("invalid syntax (a name is expected after '.')");
            }
            dotted += '.';
            dotted += ts_.name_of(cur());
            ++pos_;
        }
        Node* a = make(NodeKind::Alias, aline);
        a->name = arena_.copy(dotted);
        if (eat_kw(Keyword::As)) {
            if (!at_name()) {
                stack_.resize(mark);
                return fail("invalid syntax (a name is expected after 'as')");
            }
            a->name2 = name_of(cur());
            ++pos_;
        }
        stack_.push_back(a);
    } while (eat_op(Op::Comma));
    s->l[0] = take(mark);
    return s;
}

Node* Parser::from_import_statement() {
    const int line = cur().line;
    ++pos_;
    Node* s = make(NodeKind::ImportFrom, line);
    unsigned level = 0;
    while (at_op(Op::Dot) || at_op(Op::Ellipsis)) {
        level += at_op(Op::Dot) ? 1u : 3u;
        ++pos_;
    }
    s->level = static_cast<uint16_t>(level);
    if (at_name()) {
        std::string dotted(ts_.name_of(cur()));
        ++pos_;
        while (at_op(Op::Dot)) {
            ++pos_;
            if (!at_name()) return fail("invalid syntax (a name is expected after '.')");
            dotted += '.';
            dotted += ts_.name_of(cur());
            ++pos_;
        }
        s->name = arena_.copy(dotted);
    } else if (level == 0) {
        return fail("invalid syntax (a module name is expected)");
    }
    if (!eat_kw(Keyword::Import)) return fail("invalid syntax (expected 'import')");
    const size_t mark = stack_.size();
    if (at_op(Op::Star)) {
        Node* a = make(NodeKind::Alias, cur().line);
        a->name = "*";
        ++pos_;
        stack_.push_back(a);
        s->l[0] = take(mark);
    } else {
        const bool paren = eat_op(Op::LPar);
        do {
            if (paren && at_op(Op::RPar) && stack_.size() > mark) break;  // a trailing comma
            if (!at_name()) {
                stack_.resize(mark);
                return fail("invalid syntax (a name is expected)");
            }
            Node* a = make(NodeKind::Alias, cur().line);
            a->name = name_of(cur());
            ++pos_;
            if (eat_kw(Keyword::As)) {
                if (!at_name()) {
                    stack_.resize(mark);
                    return fail("invalid syntax (a name is expected after 'as')");
                }
                a->name2 = name_of(cur());
                ++pos_;
            }
            stack_.push_back(a);
        } while (eat_op(Op::Comma));
        if (paren && !eat_op(Op::RPar)) {
            stack_.resize(mark);
            return fail("invalid syntax (expected ')')");
        }
        if (!paren && is_op(tok_[pos_ - 1], Op::Comma)) {
            stack_.resize(mark);
            return fail("trailing comma not allowed without surrounding parentheses");
        }
        s->l[0] = take(mark);
    }
    // From 3.13 the parser reads '<>' by this future wherever it appears (whether the future
    // import itself is allowed there is the compiler's check). Before, only a compile() flag
    // set it: in a file, '<>' stays an error and '!=' stays '!=' (measured on 3.11 and 3.12).
    if (version_.at_least(13) && s->name == "__future__" && level == 0)
        for (Node* a : s->l[0])
            if (a->name == "barry_as_FLUFL") barry_as_flufl_ = true;
    return s;
}

Node* Parser::compound_statement() {
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    const int line = cur().line;
    if (at_op(Op::At)) {
        const size_t mark = stack_.size();
        while (eat_op(Op::At)) {
            Node* d = version_.at_least(9) ? named_expression() : nullptr;
            if (!d) {
                stack_.resize(mark);
                return nullptr;
            }
            stack_.push_back(d);
            if (!eat(TokenType::Newline)) {
                stack_.resize(mark);
                return fail("invalid syntax (a decorator must end its line)");
            }
        }
        NodeList decorators = take(mark);
        if (at_kw(Keyword::Def) || (at_kw(Keyword::Async) && is_kw(ahead(1), Keyword::Def)))
            return function_def(decorators, cur().line);
        if (at_kw(Keyword::Class)) return class_def(decorators, cur().line);
        return fail("invalid syntax (a decorator must be followed by def or class)");
    }
    const Token& t = cur();
    switch (t.keyword) {
    case Keyword::Def: return function_def({}, line);
    case Keyword::Class: return class_def({}, line);
    case Keyword::If: return if_statement(false);
    case Keyword::While: return while_statement();
    case Keyword::For: return for_statement(false, line);
    case Keyword::With: return with_statement(false, line);
    case Keyword::Try: return try_statement();
    case Keyword::Async:
        if (is_kw(ahead(1), Keyword::Def)) return function_def({}, line);
        ++pos_;
        if (at_kw(Keyword::For)) return for_statement(true, line);
        if (at_kw(Keyword::With)) return with_statement(true, line);
        return fail("invalid syntax");
    default: return fail("invalid syntax");
    }
}

bool Parser::block(NodeList& out) {
    const size_t mark = stack_.size();
    if (eat(TokenType::Newline)) {
        if (!eat(TokenType::Indent)) {
            fail("expected an indented block");
            return false;
        }
        while (!at_type(TokenType::Dedent)) {
            if (at_type(TokenType::End) || !statement()) {
                stack_.resize(mark);
                if (!hard_) fail("invalid syntax");
                return false;
            }
        }
        ++pos_;
    } else if (!simple_statements()) {
        stack_.resize(mark);
        return false;
    }
    out = take(mark);
    return true;
}

bool Parser::type_params(NodeList& out) {
    if (!version_.at_least(12)) {
        fail("invalid syntax (type parameters need Python 3.12)");
        return false;
    }
    ++pos_;  // [
    const size_t mark = stack_.size();
    do {
        if (at_op(Op::RSqb) && stack_.size() > mark) break;
        const int line = cur().line;
        Node* p = make(NodeKind::TypeParam, line);
        if (eat_op(Op::Star)) p->op = static_cast<uint8_t>(TypeParamKind::TypeVarTuple);
        else if (eat_op(Op::DoubleStar)) p->op = static_cast<uint8_t>(TypeParamKind::ParamSpec);
        if (!at_name()) {
            stack_.resize(mark);
            fail("invalid syntax (a type parameter name is expected)");
            return false;
        }
        p->name = name_of(cur());
        ++pos_;
        if (p->op == static_cast<uint8_t>(TypeParamKind::TypeVar) && eat_op(Op::Colon)) {
            if (!(p->a = expression())) {
                stack_.resize(mark);
                return false;
            }
        }
        if (version_.at_least(13) && eat_op(Op::Equal)) {
            p->b = p->op == static_cast<uint8_t>(TypeParamKind::TypeVarTuple) ? star_expression() : expression();
            if (!p->b) {
                stack_.resize(mark);
                return false;
            }
        }
        stack_.push_back(p);
    } while (eat_op(Op::Comma));
    if (stack_.size() == mark || !eat_op(Op::RSqb)) {
        stack_.resize(mark);
        fail("invalid syntax (expected ']')");
        return false;
    }
    out = take(mark);
    return true;
}

Node* Parser::function_def(NodeList decorators, int line) {
    Node* f = make(NodeKind::FunctionDef, line);
    f->l[1] = decorators;
    if (at_kw(Keyword::Async)) {
        f->flags |= kAsync;
        ++pos_;
    }
    ++pos_;  // def
    if (!at_name()) return fail("invalid syntax (a function name is expected)");
    f->name = name_of(cur());
    ++pos_;
    if (at_op(Op::LSqb) && !type_params(f->l[2])) return nullptr;
    if (!eat_op(Op::LPar)) return fail("invalid syntax (expected '(')");
    if (!(f->a = parameters(false))) return nullptr;
    if (!eat_op(Op::RPar)) return fail("invalid syntax (expected ')')");
    if (eat_op(Op::RArrow) && !(f->b = expression())) return nullptr;
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!block(f->l[0])) return nullptr;
    return f;
}

// Parameters of a def (up to its ')') or a lambda (up to its ':'), in the grammar's order:
// positional-only before '/', then positional, '*' or '*args', keyword-only, '**kwargs'.
Node* Parser::parameters(bool lambda) {
    Node* args = make(NodeKind::Arguments, cur().line);
    const size_t mark = stack_.size();
    const Op end = lambda ? Op::Colon : Op::RPar;
    bool seen_default = false, seen_slash = false, seen_star = false, seen_kwargs = false;
    size_t positional = 0, after_bare_star = 0;
    bool bare_star = false;
    auto bad = [&](std::string message) {
        stack_.resize(mark);
        return fail(std::move(message));
    };
    while (!at_op(end)) {
        if (seen_kwargs) return bad("arguments cannot follow var-keyword argument");
        const int line = cur().line;
        if (eat_op(Op::Slash)) {
            if (seen_slash) return bad("/ may appear only once");
            if (seen_star) return bad("/ must be ahead of *");
            if (positional == 0) return bad("at least one argument must precede /");
            seen_slash = true;
            for (size_t k = mark; k < stack_.size(); ++k) stack_[k]->op = static_cast<uint8_t>(ArgKind::PositionalOnly);
        } else if (eat_op(Op::Star)) {
            if (seen_star) return bad("* argument may appear only once");
            seen_star = true;
            if (at_name()) {
                Node* a = make(NodeKind::Arg, line);
                a->op = static_cast<uint8_t>(ArgKind::VarArgs);
                a->name = name_of(cur());
                ++pos_;
                if (!lambda && eat_op(Op::Colon)) {
                    a->a = version_.at_least(11) ? star_expression() : expression();
                    if (!a->a) return bad("invalid syntax");
                }
                if (at_op(Op::Equal)) return bad("var-positional argument cannot have default value");
                stack_.push_back(a);
            } else {
                bare_star = true;
            }
        } else if (eat_op(Op::DoubleStar)) {
            if (!at_name()) return bad("invalid syntax (a name is expected after '**')");
            Node* a = make(NodeKind::Arg, line);
            a->op = static_cast<uint8_t>(ArgKind::VarKeywords);
            a->name = name_of(cur());
            ++pos_;
            if (!lambda && eat_op(Op::Colon) && !(a->a = expression())) return bad("invalid syntax");
            if (at_op(Op::Equal)) return bad("var-keyword argument cannot have default value");
            stack_.push_back(a);
            seen_kwargs = true;
        } else if (at_name()) {
            Node* a = make(NodeKind::Arg, line);
            a->name = name_of(cur());
            ++pos_;
            if (!lambda && eat_op(Op::Colon) && !(a->a = expression())) {
                stack_.resize(mark);
                return nullptr;
            }
            if (eat_op(Op::Equal)) {
                if (!(a->b = expression())) {
                    stack_.resize(mark);
                    return nullptr;
                }
            }
            if (seen_star) {
                a->op = static_cast<uint8_t>(ArgKind::KeywordOnly);
                ++after_bare_star;
            } else {
                a->op = static_cast<uint8_t>(ArgKind::Positional);
                if (a->b) seen_default = true;
                else if (seen_default) return bad("non-default argument follows default argument");
                ++positional;
            }
            stack_.push_back(a);
        } else {
            return bad("invalid syntax (a parameter is expected)");
        }
        if (!eat_op(Op::Comma)) break;
    }
    if (!at_op(end)) return bad(lambda ? "invalid syntax (expected ':')" : "invalid syntax (expected ')')");
    if (bare_star && after_bare_star == 0) return bad("named arguments must follow bare *");
    args->l[0] = take(mark);
    return args;
}

Node* Parser::class_def(NodeList decorators, int line) {
    Node* c = make(NodeKind::ClassDef, line);
    c->l[1] = decorators;
    ++pos_;  // class
    if (!at_name()) return fail("invalid syntax (a class name is expected)");
    c->name = name_of(cur());
    ++pos_;
    if (at_op(Op::LSqb) && !type_params(c->l[2])) return nullptr;
    if (eat_op(Op::LPar)) {
        Node* call = make(NodeKind::Call, line);
        if (!call_arguments(call, false)) return nullptr;
        // Bases and keywords in one list: bases first, as written.
        const size_t mark = stack_.size();
        for (Node* n : call->l[0]) stack_.push_back(n);
        for (Node* n : call->l[1]) stack_.push_back(n);
        c->l[3] = take(mark);
    }
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!block(c->l[0])) return nullptr;
    return c;
}

Node* Parser::if_statement(bool elif) {
    (void)elif;
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    Node* s = make(NodeKind::If, cur().line);
    ++pos_;  // if / elif
    if (!(s->a = named_expression())) return nullptr;
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!block(s->l[0])) return nullptr;
    if (at_kw(Keyword::Elif)) {
        Node* next = if_statement(true);
        if (!next) return nullptr;
        Node* one[] = {next};
        s->l[1] = arena_.list(one, 1);
    } else if (eat_kw(Keyword::Else)) {
        if (!eat_op(Op::Colon)) return fail("expected ':'");
        if (!block(s->l[1])) return nullptr;
    }
    return s;
}

Node* Parser::while_statement() {
    Node* s = make(NodeKind::While, cur().line);
    ++pos_;
    if (!(s->a = named_expression())) return nullptr;
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!block(s->l[0])) return nullptr;
    if (eat_kw(Keyword::Else)) {
        if (!eat_op(Op::Colon)) return fail("expected ':'");
        if (!block(s->l[1])) return nullptr;
    }
    return s;
}

Node* Parser::for_statement(bool is_async, int line) {
    Node* s = make(NodeKind::For, line);
    if (is_async) s->flags |= kAsync;
    ++pos_;  // for
    if (!(s->a = star_targets())) return nullptr;
    if (!eat_kw(Keyword::In)) return fail("invalid syntax (expected 'in')");
    if (!(s->b = star_expressions())) return nullptr;
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!block(s->l[0])) return nullptr;
    if (eat_kw(Keyword::Else)) {
        if (!eat_op(Op::Colon)) return fail("expected ':'");
        if (!block(s->l[1])) return nullptr;
    }
    return s;
}

Node* Parser::with_statement(bool is_async, int line) {
    Node* s = make(NodeKind::With, line);
    if (is_async) s->flags |= kAsync;
    ++pos_;  // with
    auto item = [&]() -> Node* {
        Node* w = make(NodeKind::WithItem, cur().line);
        if (!(w->a = expression())) return nullptr;
        if (eat_kw(Keyword::As)) {
            if (!(w->b = star_target())) return nullptr;
            if (!at_op(Op::Comma) && !at_op(Op::RPar) && !at_op(Op::Colon)) return fail("invalid syntax");
        }
        return w;
    };
    const size_t mark = stack_.size();
    bool done = false;
    if (at_op(Op::LPar)) {
        // 'with' '(' items [','] ')' ':' -- else the parenthesis belongs to an expression.
        const size_t save = pos_;
        ++pos_;
        bool ok = true;
        do {
            if (at_op(Op::RPar) && stack_.size() > mark) break;
            Node* w = item();
            if (!w) { ok = false; break; }
            stack_.push_back(w);
        } while (eat_op(Op::Comma));
        if (ok && eat_op(Op::RPar) && at_op(Op::Colon) && stack_.size() > mark) {
            done = true;
        } else {
            if (hard_) return nullptr;
            pos_ = save;
            stack_.resize(mark);
        }
    }
    if (!done) {
        do {
            Node* w = item();
            if (!w) {
                stack_.resize(mark);
                return nullptr;
            }
            stack_.push_back(w);
        } while (eat_op(Op::Comma));
    }
    s->l[0] = take(mark);
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!block(s->l[1])) return nullptr;
    return s;
}

Node* Parser::try_statement() {
    Node* s = make(NodeKind::Try, cur().line);
    ++pos_;
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!block(s->l[0])) return nullptr;
    const size_t mark = stack_.size();
    bool star_seen = false, plain_seen = false;
    while (at_kw(Keyword::Except)) {
        Node* h = make(NodeKind::ExceptHandler, cur().line);
        ++pos_;
        const bool star = eat_op(Op::Star);
        if (star) {
            if (plain_seen) {
                stack_.resize(mark);
                return fail("cannot have both 'except' and 'except*' on the same 'try'");
            }
            star_seen = true;
            h->flags |= kStar;
        } else {
            if (star_seen) {
                stack_.resize(mark);
                return fail("cannot have both 'except' and 'except*' on the same 'try'");
            }
            plain_seen = true;
        }
        if (!at_op(Op::Colon)) {
            if (!(h->a = expression())) {
                stack_.resize(mark);
                return nullptr;
            }
            if (eat_kw(Keyword::As)) {
                if (!at_name()) {
                    stack_.resize(mark);
                    return fail("invalid syntax (a name is expected after 'as')");
                }
                h->name = name_of(cur());
                ++pos_;
            }
        } else if (star) {
            stack_.resize(mark);
            return fail("expected one or more exception types");
        }
        if (!eat_op(Op::Colon)) {
            stack_.resize(mark);
            return fail("expected ':'");
        }
        if (!block(h->l[0])) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(h);
    }
    s->l[1] = take(mark);
    if (star_seen) s->flags |= kStar;
    if (!s->l[1].empty() && eat_kw(Keyword::Else)) {
        if (!eat_op(Op::Colon)) return fail("expected ':'");
        if (!block(s->l[2])) return nullptr;
    }
    if (eat_kw(Keyword::Finally)) {
        if (!eat_op(Op::Colon)) return fail("expected ':'");
        if (!block(s->l[3])) return nullptr;
    }
    if (s->l[1].empty() && s->l[3].empty()) return fail("expected 'except' or 'finally' block");
    return s;
}

// ---------------------------------------------------------------- match

Node* Parser::match_statement() {
    const int line = cur().line;
    ++pos_;  // match
    Node* s = make(NodeKind::Match, line);
    // subject: star_named_expression ',' [star_named_expressions] | named_expression
    {
        const size_t mark = stack_.size();
        Node* first = star_named_expression();
        if (!first) return nullptr;
        if (at_op(Op::Comma)) {
            stack_.push_back(first);
            while (eat_op(Op::Comma)) {
                if (at_op(Op::Colon)) break;
                Node* e = star_named_expression();
                if (!e) {
                    stack_.resize(mark);
                    return nullptr;
                }
                stack_.push_back(e);
            }
            Node* t = make(NodeKind::Tuple, line);
            t->l[0] = take(mark);
            s->a = t;
        } else {
            if (first->kind == NodeKind::Starred) return fail("invalid syntax");
            s->a = first;
        }
    }
    if (!eat_op(Op::Colon)) return nullptr;
    if (!eat(TokenType::Newline)) return nullptr;
    if (!eat(TokenType::Indent)) return fail("expected an indented block after 'match' statement");
    const size_t mark = stack_.size();
    while (at_soft("case")) {
        Node* c = make(NodeKind::MatchCase, cur().line);
        ++pos_;
        if (!(c->a = patterns())) {
            stack_.resize(mark);
            return nullptr;
        }
        if (eat_kw(Keyword::If) && !(c->b = named_expression())) {
            stack_.resize(mark);
            return nullptr;
        }
        if (!eat_op(Op::Colon)) {
            stack_.resize(mark);
            return fail("expected ':'");
        }
        if (!block(c->l[0])) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(c);
    }
    if (stack_.size() == mark || !eat(TokenType::Dedent)) {
        stack_.resize(mark);
        return fail("invalid syntax (a 'case' block is expected)");
    }
    s->l[0] = take(mark);
    return s;
}

Node* Parser::patterns() {
    // open_sequence_pattern | pattern
    const int line = cur().line;
    Node* first = maybe_star_pattern();
    if (!first) return nullptr;
    if (!at_op(Op::Comma)) {
        if (first->kind == NodeKind::MatchStar) return fail("invalid syntax");
        return first;
    }
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_op(Op::Comma)) {
        if (at_op(Op::Colon) || at_kw(Keyword::If)) break;
        Node* p = maybe_star_pattern();
        if (!p) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(p);
    }
    Node* seq = make(NodeKind::MatchSequence, line);
    seq->l[0] = take(mark);
    return seq;
}

Node* Parser::maybe_star_pattern() {
    if (at_op(Op::Star)) {
        Node* s = make(NodeKind::MatchStar, cur().line);
        ++pos_;
        if (!at_name()) return fail("invalid syntax");
        const std::string_view n = ts_.name_of(cur());
        if (n != "_") s->name = name_of(cur());
        ++pos_;
        return s;
    }
    return pattern();
}

Node* Parser::pattern() {
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    Node* p = or_pattern();
    if (!p) return nullptr;
    if (eat_kw(Keyword::As)) {
        if (!at_name()) return fail("invalid pattern target");
        const std::string_view n = ts_.name_of(cur());
        if (n == "_") return fail("cannot use '_' as a target");
        if (is_op(ahead(1), Op::Dot) || is_op(ahead(1), Op::LPar) || is_op(ahead(1), Op::Equal))
            return fail("invalid pattern target");
        Node* as = make(NodeKind::MatchAs, p->line);
        as->a = p;
        as->name = name_of(cur());
        ++pos_;
        return as;
    }
    return p;
}

Node* Parser::or_pattern() {
    const int line = cur().line;
    Node* first = closed_pattern();
    if (!first) return nullptr;
    if (!at_op(Op::VBar)) return first;
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_op(Op::VBar)) {
        Node* p = closed_pattern();
        if (!p) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(p);
    }
    Node* o = make(NodeKind::MatchOr, line);
    o->l[0] = take(mark);
    return o;
}

Node* Parser::signed_number() {
    const int line = cur().line;
    const bool neg = eat_op(Op::Minus);
    if (!at_type(TokenType::Number)) return fail("invalid syntax (a number is expected)");
    Node* n = number(cur());
    if (!n) return nullptr;
    ++pos_;
    if (!neg) return n;
    Node* u = make(NodeKind::UnaryOp, line);
    u->op = static_cast<uint8_t>(Op::Minus);
    u->a = n;
    return u;
}

// literal_pattern / literal_expr: a signed number (optionally a complex one), strings,
// None, True, False. Returns a MatchValue / MatchSingleton or nullptr without consuming.
Node* Parser::literal_pattern_value() {
    const int line = cur().line;
    if (at_kw(Keyword::NoneKw) || at_kw(Keyword::True) || at_kw(Keyword::False)) {
        Node* s = make(NodeKind::MatchSingleton, line);
        s->op = static_cast<uint8_t>(at_kw(Keyword::NoneKw) ? ConstantKind::None
                                     : at_kw(Keyword::True) ? ConstantKind::True
                                                            : ConstantKind::False);
        ++pos_;
        return s;
    }
    if (at_type(TokenType::String)) {
        Node* v = make(NodeKind::MatchValue, line);
        if (!(v->a = strings())) return nullptr;
        return v;
    }
    if (at_type(TokenType::Number) || (at_op(Op::Minus) && ahead(1).type == TokenType::Number)) {
        Node* left = signed_number();
        if (!left) return nullptr;
        Node* v = make(NodeKind::MatchValue, line);
        if (at_op(Op::Plus) || at_op(Op::Minus)) {
            // complex_number: a real part, then + or - an imaginary one.
            const Token& opt = cur();
            ++pos_;
            if (!at_type(TokenType::Number)) return fail("invalid syntax (an imaginary number is expected)");
            const std::string_view num = ts_.text_of(cur());
            const Node* real = left->kind == NodeKind::UnaryOp ? left->a : left;
            if (real->op == static_cast<uint8_t>(ConstantKind::Complex)) return fail("real number required in complex literal");
            if (num.back() != 'j' && num.back() != 'J') return fail("imaginary number required in complex literal");
            Node* right = number(cur());
            if (!right) return nullptr;
            ++pos_;
            Node* b = make(NodeKind::BinOp, line);
            b->op = static_cast<uint8_t>(opt.op);
            b->a = left;
            b->b = right;
            v->a = b;
            return v;
        }
        v->a = left;
        return v;
    }
    return nullptr;
}

Node* Parser::name_or_attr() {
    const Token& t = cur();
    Node* n = name_node(t);
    ++pos_;
    while (at_op(Op::Dot)) {
        ++pos_;
        if (!at_name()) return fail("invalid syntax (a name is expected after '.')");
        Node* a = make(NodeKind::Attribute, n->line);
        a->a = n;
        a->name = name_of(cur());
        ++pos_;
        n = a;
    }
    return n;
}

Node* Parser::closed_pattern() {
    const int line = cur().line;
    if (Node* lit = literal_pattern_value()) return lit;
    if (hard_) return nullptr;
    if (at_name()) {
        const std::string_view n = ts_.name_of(cur());
        const bool dotted_or_call = is_op(ahead(1), Op::Dot) || is_op(ahead(1), Op::LPar);
        if (!dotted_or_call && !is_op(ahead(1), Op::Equal)) {
            Node* as = make(NodeKind::MatchAs, line);
            if (n != "_") as->name = name_of(cur());
            ++pos_;
            return as;
        }
        Node* target = name_or_attr();
        if (!target) return nullptr;
        if (!at_op(Op::LPar)) {
            if (target->kind != NodeKind::Attribute) return fail("invalid syntax");
            Node* v = make(NodeKind::MatchValue, line);
            v->a = target;
            return v;
        }
        return class_pattern(target, line);
    }
    if (at_op(Op::LPar) || at_op(Op::LSqb)) return sequence_pattern(line);
    if (at_op(Op::LBrace)) return mapping_pattern(line);
    return fail("invalid syntax (a pattern is expected)");
}

// `Name(...)`, `a.b(...)`: positional patterns, then keyword ones. `target` is read, the
// parenthesis is next.
Node* Parser::class_pattern(Node* target, int line) {
    ++pos_;
    Node* c = make(NodeKind::MatchClass, line);
    c->a = target;
    const size_t mark = stack_.size();
    std::vector<Node*> keyword_patterns, keyword_names;
    bool keywords = false;
    while (!at_op(Op::RPar)) {
        if (at_name() && is_op(ahead(1), Op::Equal)) {
            keywords = true;
            Node* kn = name_node(cur());
            pos_ += 2;
            Node* p = pattern();
            if (!p) {
                stack_.resize(mark);
                return nullptr;
            }
            keyword_names.push_back(kn);
            keyword_patterns.push_back(p);
        } else {
            if (keywords) {
                stack_.resize(mark);
                return fail("positional patterns follow keyword patterns");
            }
            Node* p = pattern();
            if (!p) {
                stack_.resize(mark);
                return nullptr;
            }
            stack_.push_back(p);
        }
        if (!eat_op(Op::Comma)) break;
    }
    if (!eat_op(Op::RPar)) {
        stack_.resize(mark);
        return fail("invalid syntax (expected ')')");
    }
    c->l[0] = take(mark);
    c->l[1] = arena_.list(keyword_patterns.data(), keyword_patterns.size());
    c->l[2] = arena_.list(keyword_names.data(), keyword_names.size());
    return c;
}

// `[...]`, `(...)`: a sequence, or a group when one pattern stands alone in parentheses.
Node* Parser::sequence_pattern(int line) {
    const bool paren = at_op(Op::LPar);
    const Op close = paren ? Op::RPar : Op::RSqb;
    ++pos_;
    if (eat_op(close)) {
        Node* seq = make(NodeKind::MatchSequence, line);
        return seq;
    }
    const size_t mark = stack_.size();
    Node* first = maybe_star_pattern();
    if (!first) return nullptr;
    if (paren && !at_op(Op::Comma)) {
        // group_pattern
        if (first->kind == NodeKind::MatchStar) return fail("invalid syntax");
        if (!eat_op(Op::RPar)) return fail("invalid syntax (expected ')')");
        return first;
    }
    stack_.push_back(first);
    while (eat_op(Op::Comma)) {
        if (at_op(close)) break;
        Node* p = maybe_star_pattern();
        if (!p) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(p);
    }
    if (!eat_op(close)) {
        stack_.resize(mark);
        return fail("invalid syntax");
    }
    Node* seq = make(NodeKind::MatchSequence, line);
    seq->l[0] = take(mark);
    return seq;
}

// `{key: pattern, ..., **rest}`.
Node* Parser::mapping_pattern(int line) {
    ++pos_;
    Node* m = make(NodeKind::MatchMapping, line);
    std::vector<Node*> keys, values;
    while (!at_op(Op::RBrace)) {
        if (eat_op(Op::DoubleStar)) {
            if (!at_name() || ts_.name_of(cur()) == "_") return fail("invalid syntax");
            m->name = name_of(cur());
            ++pos_;
            eat_op(Op::Comma);
            break;
        }
        Node* key = nullptr;
        if (Node* lit = literal_pattern_value()) {
            key = lit->kind == NodeKind::MatchValue ? lit->a : lit;
            if (lit->kind == NodeKind::MatchSingleton) {
                Node* c = make(NodeKind::Constant, lit->line);
                c->op = lit->op;
                key = c;
            }
        } else if (hard_) {
            return nullptr;
        } else if (at_name()) {
            key = name_or_attr();
            if (!key) return nullptr;
            if (key->kind != NodeKind::Attribute) return fail("invalid syntax (a mapping key must be a literal or a dotted name)");
        } else {
            return fail("invalid syntax");
        }
        if (!eat_op(Op::Colon)) return fail("invalid syntax (expected ':')");
        Node* p = pattern();
        if (!p) return nullptr;
        keys.push_back(key);
        values.push_back(p);
        if (!eat_op(Op::Comma)) break;
    }
    if (!eat_op(Op::RBrace)) return fail("invalid syntax (expected '}')");
    m->l[0] = arena_.list(keys.data(), keys.size());
    m->l[1] = arena_.list(values.data(), values.size());
    return m;
}

// ---------------------------------------------------------------- expressions

Node* Parser::star_expressions() {
    const int line = cur().line;
    Node* first = star_expression();
    if (!first) return nullptr;
    if (!at_op(Op::Comma)) return first;
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_op(Op::Comma)) {
        // A trailing comma: the next token cannot start an expression.
        const Token& t = cur();
        const bool starts = t.type == TokenType::Name ? (t.keyword == Keyword::None_ || t.keyword == Keyword::NoneKw ||
                                                         t.keyword == Keyword::True || t.keyword == Keyword::False ||
                                                         t.keyword == Keyword::Not || t.keyword == Keyword::Lambda ||
                                                         t.keyword == Keyword::Await)
                            : t.type == TokenType::Op
                                ? (t.op == Op::LPar || t.op == Op::LSqb || t.op == Op::LBrace || t.op == Op::Minus ||
                                   t.op == Op::Plus || t.op == Op::Tilde || t.op == Op::Star || t.op == Op::Ellipsis)
                                : (t.type == TokenType::Number || t.type == TokenType::String);
        if (!starts) break;
        Node* e = star_expression();
        if (!e) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(e);
    }
    Node* t = make(NodeKind::Tuple, line);
    t->l[0] = take(mark);
    return t;
}

Node* Parser::star_expression() {
    if (at_op(Op::Star)) {
        Node* s = make(NodeKind::Starred, cur().line);
        ++pos_;
        if (!(s->a = bitwise_or())) return nullptr;
        return s;
    }
    return expression();
}

Node* Parser::star_named_expression() {
    if (at_op(Op::Star)) {
        Node* s = make(NodeKind::Starred, cur().line);
        ++pos_;
        if (!(s->a = bitwise_or())) return nullptr;
        return s;
    }
    return named_expression();
}

Node* Parser::named_expression() {
    if (at_name() && is_op(ahead(1), Op::ColonEqual)) {
        Node* n = make(NodeKind::NamedExpr, cur().line);
        n->a = name_node(cur());
        n->a->ctx = Ctx::Store;
        pos_ += 2;
        if (!(n->b = expression())) return nullptr;
        return n;
    }
    Node* e = expression();
    if (e && at_op(Op::ColonEqual)) return fail("cannot use assignment expressions with this target");
    return e;
}

Node* Parser::expression() {
    // Most expressions in a migration are one name, number or string followed by a
    // delimiter (arguments, keyword values, items): read them without walking the twelve
    // precedence levels, which cannot apply to them.
    {
        const Token& t = cur();
        const Token& next = ahead(1);
        const bool delimiter =
            next.type == TokenType::Newline || next.type == TokenType::End ||
            (next.type == TokenType::Op && (next.op == Op::Comma || next.op == Op::RPar || next.op == Op::RSqb ||
                                            next.op == Op::RBrace || next.op == Op::Colon || next.op == Op::Semi ||
                                            next.op == Op::Equal));
        if (delimiter) {
            if (t.type == TokenType::Name && t.keyword == Keyword::None_) {
                Node* n = name_node(t);
                ++pos_;
                return n;
            }
            if (t.type == TokenType::Number) {
                Node* n = number(t);
                if (n) ++pos_;
                return n;
            }
            if (t.type == TokenType::String) return strings();
        }
    }
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    if (at_kw(Keyword::Lambda)) return lambda();
    const int line = cur().line;
    Node* body = disjunction();
    if (!body) return nullptr;
    if (!at_kw(Keyword::If)) return body;
    const size_t save = pos_;
    ++pos_;
    Node* test = disjunction();
    if (test && eat_kw(Keyword::Else)) {
        Node* orelse = expression();
        if (!orelse) return nullptr;
        Node* e = make(NodeKind::IfExp, line);
        e->a = test;
        e->b = body;
        e->c = orelse;
        return e;
    }
    if (hard_) return nullptr;
    if (test) fail("expected 'else' after 'if' expression");
    pos_ = save;
    return body;
}

Node* Parser::yield_expression() {
    const int line = cur().line;
    ++pos_;  // yield
    if (eat_kw(Keyword::From)) {
        Node* y = make(NodeKind::YieldFrom, line);
        if (!(y->a = expression())) return nullptr;
        return y;
    }
    Node* y = make(NodeKind::Yield, line);
    const Token& t = cur();
    const bool ends = (t.type == TokenType::Op && (t.op == Op::RPar || t.op == Op::RSqb || t.op == Op::RBrace ||
                                                   t.op == Op::Semi || t.op == Op::Equal || t.op == Op::Colon)) ||
                      t.type == TokenType::Newline || t.type == TokenType::End;
    if (!ends && !(y->a = star_expressions())) return nullptr;
    return y;
}

Node* Parser::disjunction() {
    const int line = cur().line;
    Node* first = conjunction();
    if (!first || !at_kw(Keyword::Or)) return first;
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_kw(Keyword::Or)) {
        Node* e = conjunction();
        if (!e) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(e);
    }
    Node* b = make(NodeKind::BoolOp, line);
    b->op = static_cast<uint8_t>(Keyword::Or);
    b->l[0] = take(mark);
    return b;
}

Node* Parser::conjunction() {
    const int line = cur().line;
    Node* first = inversion();
    if (!first || !at_kw(Keyword::And)) return first;
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_kw(Keyword::And)) {
        Node* e = inversion();
        if (!e) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(e);
    }
    Node* b = make(NodeKind::BoolOp, line);
    b->op = static_cast<uint8_t>(Keyword::And);
    b->l[0] = take(mark);
    return b;
}

Node* Parser::inversion() {
    if (at_kw(Keyword::Not)) {
        DepthGuard guard(*this);
        if (!guard.ok) return nullptr;
        Node* u = make(NodeKind::UnaryOp, cur().line);
        u->op = static_cast<uint8_t>(Op::Exclamation);  // `not`
        ++pos_;
        if (!(u->a = inversion())) return nullptr;
        return u;
    }
    return comparison();
}

Node* Parser::comparison() {
    const int line = cur().line;
    Node* left = bitwise_or();
    if (!left) return nullptr;
    const size_t mark = stack_.size();
    while (true) {
        const Token& t = cur();
        bool is_cmp = false;
        if (t.type == TokenType::Op) {
            switch (t.op) {
            case Op::EqEqual:
            case Op::LessEqual:
            case Op::GreaterEqual:
            case Op::Less:
            case Op::Greater: is_cmp = true; break;
            case Op::NotEqual: {
                // '<>' is only '!=' under `from __future__ import barry_as_FLUFL`, which in
                // turn makes '!=' an error.
                const bool diamond = ts_.text_of(t) == "<>";
                if (diamond != barry_as_flufl_) {
                    stack_.resize(mark);
                    return fail_hard(t.line, diamond ? "invalid syntax ('<>' is not an operator in Python 3)"
                                                     : "with Barry as BDFL, use '<>' instead of '!='");
                }
                is_cmp = true;
                break;
            }
            default: break;
            }
            if (is_cmp) ++pos_;
        } else if (t.type == TokenType::Name) {
            if (t.keyword == Keyword::In) {
                is_cmp = true;
                ++pos_;
            } else if (t.keyword == Keyword::Is) {
                is_cmp = true;
                ++pos_;
                eat_kw(Keyword::Not);
            } else if (t.keyword == Keyword::Not && is_kw(ahead(1), Keyword::In)) {
                is_cmp = true;
                pos_ += 2;
            }
        }
        if (!is_cmp) break;
        Node* right = bitwise_or();
        if (!right) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(right);
    }
    if (stack_.size() == mark) return left;
    Node* c = make(NodeKind::Compare, line);
    c->a = left;
    c->l[0] = take(mark);
    return c;
}

#define AG_BINARY_LEVEL(NAME, NEXT, COND)                                 \
    Node* Parser::NAME() {                                                \
        Node* left = NEXT();                                              \
        while (left) {                                                    \
            const Token& t = cur();                                       \
            if (!(t.type == TokenType::Op && (COND))) break;              \
            ++pos_;                                                       \
            Node* right = NEXT();                                         \
            if (!right) return nullptr;                                   \
            Node* b = make(NodeKind::BinOp, left->line);                  \
            b->op = static_cast<uint8_t>(t.op);                           \
            b->a = left;                                                  \
            b->b = right;                                                 \
            left = b;                                                     \
        }                                                                 \
        return left;                                                      \
    }
AG_BINARY_LEVEL(bitwise_or, bitwise_xor, t.op == Op::VBar)
AG_BINARY_LEVEL(bitwise_xor, bitwise_and, t.op == Op::Circumflex)
AG_BINARY_LEVEL(bitwise_and, shift_expr, t.op == Op::Amper)
AG_BINARY_LEVEL(shift_expr, sum, t.op == Op::LeftShift || t.op == Op::RightShift)
AG_BINARY_LEVEL(sum, term, t.op == Op::Plus || t.op == Op::Minus)
AG_BINARY_LEVEL(term, factor,
                t.op == Op::Star || t.op == Op::Slash || t.op == Op::DoubleSlash || t.op == Op::Percent || t.op == Op::At)
#undef AG_BINARY_LEVEL

Node* Parser::factor() {
    if (at_op(Op::Plus) || at_op(Op::Minus) || at_op(Op::Tilde)) {
        DepthGuard guard(*this);
        if (!guard.ok) return nullptr;
        Node* u = make(NodeKind::UnaryOp, cur().line);
        u->op = static_cast<uint8_t>(cur().op);
        ++pos_;
        if (!(u->a = factor())) return nullptr;
        return u;
    }
    return power();
}

Node* Parser::power() {
    Node* base = await_primary();
    if (!base || !at_op(Op::DoubleStar)) return base;
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    ++pos_;
    Node* exponent = factor();
    if (!exponent) return nullptr;
    Node* b = make(NodeKind::BinOp, base->line);
    b->op = static_cast<uint8_t>(Op::DoubleStar);
    b->a = base;
    b->b = exponent;
    return b;
}

Node* Parser::await_primary() {
    if (at_kw(Keyword::Await)) {
        Node* a = make(NodeKind::Await, cur().line);
        ++pos_;
        if (!(a->a = primary(false))) return nullptr;
        return a;
    }
    return primary(false);
}

// An atom and its trailers: attribute, call, subscript, and a generator expression as the
// sole argument of a call.
Node* Parser::primary(bool for_target) {
    (void)for_target;
    Node* n = atom();
    while (n) {
        const Token& t = cur();
        if (t.type != TokenType::Op) break;
        if (t.op == Op::Dot) {
            ++pos_;
            if (!at_name()) return fail("invalid syntax (a name is expected after '.')");
            Node* a = make(NodeKind::Attribute, n->line);
            a->a = n;
            a->name = name_of(cur());
            ++pos_;
            n = a;
        } else if (t.op == Op::LPar) {
            DepthGuard guard(*this);
            if (!guard.ok) return nullptr;
            ++pos_;
            Node* c = make(NodeKind::Call, n->line);
            c->a = n;
            if (!call_arguments(c)) return nullptr;
            n = c;
        } else if (t.op == Op::LSqb) {
            DepthGuard guard(*this);
            if (!guard.ok) return nullptr;
            ++pos_;
            Node* s = make(NodeKind::Subscript, n->line);
            s->a = n;
            if (!(s->b = slices())) return nullptr;
            if (!eat_op(Op::RSqb)) return fail("invalid syntax (expected ']')");
            n = s;
        } else {
            break;
        }
    }
    return n;
}

Node* Parser::slice() {
    const int line = cur().line;
    Node* lower = nullptr;
    if (!at_op(Op::Colon)) {
        Node* e = named_expression();
        if (!e) return nullptr;
        if (!at_op(Op::Colon)) return e;
        if (e->kind == NodeKind::NamedExpr) return fail("invalid syntax");
        lower = e;
    }
    ++pos_;  // ':'
    Node* s = make(NodeKind::Slice, line);
    s->a = lower;
    auto ends = [&]() { return at_op(Op::Colon) || at_op(Op::Comma) || at_op(Op::RSqb); };
    if (!ends() && !(s->b = expression())) return nullptr;
    if (eat_op(Op::Colon)) {
        if (!at_op(Op::Comma) && !at_op(Op::RSqb) && !(s->c = expression())) return nullptr;
    }
    return s;
}

Node* Parser::slices() {
    const int line = cur().line;
    auto one = [&]() -> Node* {
        if (at_op(Op::Star)) {
            if (!version_.at_least(11)) return fail("invalid syntax");
            Node* st = make(NodeKind::Starred, cur().line);
            ++pos_;
            if (!(st->a = bitwise_or())) return nullptr;
            return st;
        }
        return slice();
    };
    Node* first = one();
    if (!first) return nullptr;
    if (!at_op(Op::Comma)) {
        if (first->kind != NodeKind::Starred) return first;
        Node* t = make(NodeKind::Tuple, line);
        t->l[0] = arena_.list(&first, 1);
        return t;
    }
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_op(Op::Comma)) {
        if (at_op(Op::RSqb)) break;
        Node* e = one();
        if (!e) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(e);
    }
    Node* t = make(NodeKind::Tuple, line);
    t->l[0] = take(mark);
    return t;
}

// Arguments of a call after its '(' up to and including ')': positional (and *iterable)
// before keywords, *iterable after keywords allowed, only keywords and **mapping after a
// **mapping; a generator expression only as the sole argument.
Node* Parser::call_arguments(Node* call, bool generator_allowed) {
    const size_t mark = stack_.size();
    std::vector<Node*> keywords;
    bool seen_keyword = false, seen_double_star = false;
    auto bad = [&](std::string message) {
        stack_.resize(mark);
        return fail(std::move(message));
    };
    while (!at_op(Op::RPar)) {
        const int line = cur().line;
        if (at_op(Op::Star)) {
            if (seen_double_star) return bad("iterable argument unpacking follows keyword argument unpacking");
            Node* s = make(NodeKind::Starred, line);
            ++pos_;
            if (!(s->a = expression())) {
                stack_.resize(mark);
                return nullptr;
            }
            stack_.push_back(s);
        } else if (at_op(Op::DoubleStar)) {
            Node* k = make(NodeKind::Keyword, line);
            ++pos_;
            if (!(k->a = expression())) {
                stack_.resize(mark);
                return nullptr;
            }
            keywords.push_back(k);
            seen_double_star = true;
        } else if (at_name() && is_op(ahead(1), Op::Equal)) {
            Node* k = make(NodeKind::Keyword, line);
            k->name = name_of(cur());
            pos_ += 2;
            if (!(k->a = expression())) {
                stack_.resize(mark);
                return nullptr;
            }
            keywords.push_back(k);
            seen_keyword = true;
        } else {
            if (seen_keyword || seen_double_star)
                return bad(seen_double_star ? "positional argument follows keyword argument unpacking"
                                            : "positional argument follows keyword argument");
            Node* e = named_expression();
            if (!e) {
                stack_.resize(mark);
                return nullptr;
            }
            if (at_op(Op::Equal)) return bad("expression cannot contain assignment, perhaps you meant \"==\"?");
            if (at_kw(Keyword::For) || (at_kw(Keyword::Async) && is_kw(ahead(1), Keyword::For))) {
                // A generator expression: only as the call's sole argument.
                if (!generator_allowed || stack_.size() != mark || !keywords.empty())
                    return bad("Generator expression must be parenthesized");
                Node* g = make(NodeKind::GeneratorExp, e->line);
                g->a = e;
                if (!comprehension_clauses(g->l[0])) {
                    stack_.resize(mark);
                    return nullptr;
                }
                if (!at_op(Op::RPar)) return bad("Generator expression must be parenthesized");
                stack_.push_back(g);
                break;
            }
            stack_.push_back(e);
        }
        if (!eat_op(Op::Comma)) break;
    }
    if (!eat_op(Op::RPar)) return bad("invalid syntax (expected ')' or ',')");
    call->l[0] = take(mark);
    call->l[1] = arena_.list(keywords.data(), keywords.size());
    return call;
}

bool Parser::comprehension_clauses(NodeList& out) {
    const size_t mark = stack_.size();
    while (at_kw(Keyword::For) || (at_kw(Keyword::Async) && is_kw(ahead(1), Keyword::For))) {
        Node* c = make(NodeKind::Comprehension, cur().line);
        if (eat_kw(Keyword::Async)) c->flags |= kAsync;
        ++pos_;  // for
        if (!(c->a = star_targets()) || !eat_kw(Keyword::In)) {
            stack_.resize(mark);
            if (!hard_) fail("invalid syntax (expected 'in')");
            return false;
        }
        if (!(c->b = disjunction())) {
            stack_.resize(mark);
            return false;
        }
        std::vector<Node*> conditions;
        while (eat_kw(Keyword::If)) {
            Node* cond = disjunction();
            if (!cond) {
                stack_.resize(mark);
                return false;
            }
            conditions.push_back(cond);
        }
        c->l[0] = arena_.list(conditions.data(), conditions.size());
        stack_.push_back(c);
    }
    if (stack_.size() == mark) {
        fail("invalid syntax (expected 'for')");
        return false;
    }
    out = take(mark);
    return true;
}

Node* Parser::lambda() {
    Node* l = make(NodeKind::Lambda, cur().line);
    ++pos_;
    if (!(l->a = parameters(true))) return nullptr;
    if (!eat_op(Op::Colon)) return fail("expected ':'");
    if (!(l->b = expression())) return nullptr;
    return l;
}

Node* Parser::atom() {
    const Token& t = cur();
    const int line = t.line;
    switch (t.type) {
    case TokenType::Name:
        switch (t.keyword) {
        case Keyword::None_: {
            Node* n = name_node(t);
            ++pos_;
            return n;
        }
        case Keyword::True:
        case Keyword::False:
        case Keyword::NoneKw: {
            Node* c = make(NodeKind::Constant, line);
            c->op = static_cast<uint8_t>(t.keyword == Keyword::True    ? ConstantKind::True
                                         : t.keyword == Keyword::False ? ConstantKind::False
                                                                       : ConstantKind::None);
            ++pos_;
            return c;
        }
        default: return fail([&] { return fmt::format("invalid syntax at '{}'", ts_.text_of(t)); });
        }
    case TokenType::Number: {
        Node* n = number(t);
        if (n) ++pos_;
        return n;
    }
    case TokenType::String: return strings();
    case TokenType::Op:
        switch (t.op) {
        case Op::LPar: return paren_atom();
        case Op::LSqb: return list_atom();
        case Op::LBrace: return brace_atom();
        case Op::Ellipsis: {
            Node* c = make(NodeKind::Constant, line);
            c->op = static_cast<uint8_t>(ConstantKind::Ellipsis);
            ++pos_;
            return c;
        }
        default: return fail([&] { return fmt::format("invalid syntax at '{}'", ts_.text_of(t)); });
        }
    default: return fail("invalid syntax");
    }
}

Node* Parser::number(const Token& t) {
    const std::string_view text = ts_.text_of(t);
    Node* c = make(NodeKind::Constant, t.line);
    const char last = static_cast<char>(text.back() | 0x20);
    const bool prefixed = text.size() > 1 && text[0] == '0' && std::strchr("xXoObB", text[1]);
    if (last == 'j') c->op = static_cast<uint8_t>(ConstantKind::Complex);
    else if (!prefixed && (text.find_first_of(".eE") != std::string_view::npos)) c->op = static_cast<uint8_t>(ConstantKind::Float);
    else c->op = static_cast<uint8_t>(ConstantKind::Int);
    if (c->op == static_cast<uint8_t>(ConstantKind::Int) && !prefixed && text.size() > kMaxIntDigits) {
        size_t digits = 0;
        for (char ch : text) digits += ch != '_';
        if (digits > kMaxIntDigits)
            return fail_hard(t.line, fmt::format("Exceeds the limit ({} digits) for integer string conversion: value has "
                                                 "{} digits",
                                                 kMaxIntDigits, digits));
    }
    c->name = text;
    return c;
}

Node* Parser::strings() {
    const Token& first = cur();
    const int line = first.line;
    bool any_bytes = false, any_str = false, any_f = false;
    size_t end = pos_;
    while (tok_[end].type == TokenType::String) {
        const uint8_t f = tok_[end].str_flags;
        any_bytes |= (f & kStrBytes) != 0;
        any_str |= (f & kStrBytes) == 0;
        any_f |= (f & kStrF) != 0;
        ++end;
    }
    if (any_bytes && any_str) return fail_hard(line, "cannot mix bytes and nonbytes literals");
    // One literal (the usual case) without escapes needs no buffer: its body is its value.
    if (end == pos_ + 1 && !any_f && !any_bytes) {
        const std::string_view body = ts_.text.substr(first.body_begin, first.body_size);
        if ((first.str_flags & kStrRaw) || body.find('\\') == std::string_view::npos) {
            ++pos_;
            Node* c = make(NodeKind::Constant, line);
            c->op = static_cast<uint8_t>(ConstantKind::Str);
            c->name = body;
            return c;
        }
    }
    std::string value, piece, error;
    const size_t mark = stack_.size();
    for (size_t k = pos_; k < end; ++k) {
        const Token& t = tok_[k];
        const std::string_view body = ts_.text.substr(t.body_begin, t.body_size);
        const bool raw = (t.str_flags & kStrRaw) != 0;
        if (t.str_flags & kStrBytes) {
            for (char ch : body)
                if (static_cast<unsigned char>(ch) >= 0x80)
                    return fail_hard(t.line, "bytes can only contain ASCII literal characters");
            if (raw) value.append(body);
            else if (!decode_bytes_escapes(body, piece, error)) return fail_hard(t.line, error);
            else value += piece;
        } else if (t.str_flags & kStrF) {
            if (!value.empty()) {
                Node* c = make(NodeKind::Constant, t.line);
                c->op = static_cast<uint8_t>(ConstantKind::Str);
                c->name = arena_.copy(value);
                stack_.push_back(c);
                value.clear();
            }
            size_t i = 0;
            if (!fstring_parts(t, body, i, raw, 0, mark)) {
                stack_.resize(mark);
                return nullptr;
            }
        } else {
            if (raw) value.append(body);
            else if (!decode_str_escapes(body, piece, error)) return fail_hard(t.line, error);
            else value += piece;
        }
    }
    pos_ = end;
    if (!any_f) {
        stack_.resize(mark);
        Node* c = make(NodeKind::Constant, line);
        c->op = static_cast<uint8_t>(any_bytes ? ConstantKind::Bytes : ConstantKind::Str);
        c->name = arena_.copy(value);
        return c;
    }
    if (!value.empty()) {
        Node* c = make(NodeKind::Constant, line);
        c->op = static_cast<uint8_t>(ConstantKind::Str);
        c->name = arena_.copy(value);
        stack_.push_back(c);
    }
    Node* j = make(NodeKind::JoinedStr, line);
    j->l[0] = take(mark);
    return j;
}

// The literal text and replacement fields of an f-string body from `i`, until its end
// (level 0) or the '}' that closes a format spec (level 1, 2), pushing Constant and
// FormattedValue parts. 3.11's rules (Parser/string_parser.c); 3.12 reads fields with the
// tokenizer instead, but what it accepts is checked here by the same walk with its rules.
bool Parser::fstring_parts(const Token& t, std::string_view body, size_t& i, bool raw, int level, size_t mark) {
    (void)mark;
    const bool pep701 = version_.at_least(12);
    std::string literal, piece, error;
    auto flush = [&]() -> bool {
        if (literal.empty()) return true;
        std::string decoded;
        if (raw) decoded = literal;
        else if (!decode_str_escapes(literal, decoded, error)) {
            fail_hard(t.line, error);
            return false;
        }
        Node* c = make(NodeKind::Constant, t.line);
        c->op = static_cast<uint8_t>(ConstantKind::Str);
        c->name = arena_.copy(decoded);
        stack_.push_back(c);
        literal.clear();
        return true;
    };
    while (i < body.size()) {
        char ch = body[i++];
        if (!raw && ch == '\\' && i < body.size()) {
            const char next = body[i];
            if (next == 'N') {
                // "\N{name}" braces are not a field.
                literal += ch;
                literal += body[i++];
                if (i < body.size() && body[i] == '{') {
                    while (i < body.size()) {
                        literal += body[i];
                        if (body[i++] == '}') break;
                    }
                }
                continue;
            }
            if (next == '{' || next == '}') {
                literal += ch;  // "\{": the backslash stays, the brace acts as a brace
                ch = body[i++];
            } else {
                literal += ch;
                literal += body[i++];
                continue;
            }
        }
        if (ch == '{' || ch == '}') {
            if (level == 0 && i < body.size() && body[i] == ch) {
                literal += ch;
                ++i;
                continue;
            }
            if (ch == '}') {
                if (level == 0) {
                    fail_hard(t.line, "f-string: single '}' is not allowed");
                    return false;
                }
                --i;  // the end of this format spec
                break;
            }
            if (!flush()) return false;
            if (!fstring_field(t, body, i, raw, level)) return false;
            continue;
        }
        literal += ch;
    }
    (void)pep701;
    return flush();
}

// Moves `i` from the start of a replacement field's expression to the '!', ':', '=' or '}'
// that ends it, across nested brackets and strings (and, from 3.12, comments and nested
// f-strings); false, with the error, when the field does not end.
bool Parser::skip_field_expression(const Token& t, std::string_view body, size_t& i, bool pep701) {
    const size_t start = i;
    char quote = 0;
    int quote_len = 0;
    std::vector<char> parens;
    for (; i < body.size(); ++i) {
        const char ch = body[i];
        if (ch == '\\' && !pep701) {
            fail_hard(t.line, "f-string expression part cannot include a backslash");
            return false;
        }
        if (pep701 && (ch == '\'' || ch == '"' ||
                       (std::strchr("fFrRbBuU", ch) && ch != '\0' && (i == start || !std::isalnum(static_cast<unsigned char>(body[i - 1])))))) {
            // A string inside the field, nested f-strings and reused quotes included.
            size_t j = i;
            bool is_f = false;
            while (j < body.size() && j - i < 2 && std::strchr("fFrRbBuU", body[j]) && body[j] != '\0') is_f |= (body[j++] | 0x20) == 'f';
            if (j < body.size() && (body[j] == '\'' || body[j] == '"')) {
                const size_t end = skip_string_312(body, j, is_f);
                if (end == std::string_view::npos) {
                    fail_hard(t.line, "f-string: unterminated string");
                    return false;
                }
                i = end - 1;
                continue;
            }
        }
        if (quote) {
            if (ch == '\\') { ++i; continue; }
            if (ch == quote) {
                if (quote_len == 3) {
                    if (i + 2 < body.size() && body[i + 1] == ch && body[i + 2] == ch) {
                        i += 2;
                        quote = 0;
                    }
                } else {
                    quote = 0;
                }
            }
            continue;
        }
        if (ch == '\'' || ch == '"') {
            if (i + 2 < body.size() && body[i + 1] == ch && body[i + 2] == ch) {
                quote_len = 3;
                i += 2;
            } else {
                quote_len = 1;
            }
            quote = ch;
        } else if (ch == '[' || ch == '{' || ch == '(') {
            if (parens.size() >= 200) {
                fail_hard(t.line, "f-string: too many nested parenthesis");
                return false;
            }
            parens.push_back(ch);
        } else if (ch == '#') {
            if (!pep701) {
                fail_hard(t.line, "f-string expression part cannot include '#'");
                return false;
            }
            while (i < body.size() && body[i] != '\n') ++i;
            --i;
        } else if (parens.empty() && (ch == '!' || ch == ':' || ch == '}' || ch == '=' || ch == '>' || ch == '<')) {
            if (i + 1 < body.size()) {
                const char next = body[i + 1];
                if ((ch == '!' && next == '=') || (ch == '=' && next == '=') || (ch == '<' && next == '=') ||
                    (ch == '>' && next == '=')) {
                    ++i;
                    continue;
                }
            }
            if (ch == '>' || ch == '<') continue;
            if (ch == '=' && pep701 && i + 1 < body.size() && body[i + 1] == '=') continue;
            break;
        } else if (ch == ']' || ch == '}' || ch == ')') {
            if (parens.empty()) {
                fail_hard(t.line, fmt::format("f-string: unmatched '{}'", ch));
                return false;
            }
            const char open = parens.back();
            parens.pop_back();
            if (!((open == '(' && ch == ')') || (open == '[' && ch == ']') || (open == '{' && ch == '}'))) {
                fail_hard(t.line, fmt::format("f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                                              ch, open));
                return false;
            }
        }
    }
    if (quote) {
        fail_hard(t.line, "f-string: unterminated string");
        return false;
    }
    if (!parens.empty()) {
        fail_hard(t.line, fmt::format("f-string: unmatched '{}'", parens.back()));
        return false;
    }
    if (i >= body.size()) {
        fail_hard(t.line, "f-string: expecting '}'");
        return false;
    }
    return true;
}

// One replacement field, `i` just after its '{': the expression, '=', '!conversion',
// ':format spec', then '}'.
bool Parser::fstring_field(const Token& t, std::string_view body, size_t& i, bool raw, int level) {
    const bool pep701 = version_.at_least(12);
    if (level >= (pep701 ? 3 : 2)) {
        fail_hard(t.line, "f-string: expressions nested too deeply");
        return false;
    }
    const size_t start = i;
    if (!skip_field_expression(t, body, i, pep701)) return false;
    const std::string_view expr = body.substr(start, i - start);
    if (expr.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos) {
        fail_hard(t.line, "f-string: empty expression not allowed");
        return false;
    }
    // The expression is compiled as "(expression)" on its own.
    int expr_line = t.line;
    for (size_t k = t.body_begin; k < t.body_begin + start && k < ts_.text.size(); ++k) expr_line += ts_.text[k] == '\n';
    TokenStream sub;
    tokenize_expression(expr, expr_line, version_, sub);
    if (sub.error) {
        fail_hard(sub.error->line, "f-string: " + sub.error->message);
        return false;
    }
    Parser inner(sub, version_, arena_, depth_ + 1);
    Node* value = inner.fstring_expression();
    if (!value) {
        const SyntaxError e = inner.error();
        fail_hard(e.line, e.message.rfind("f-string", 0) == 0 ? e.message : "f-string: " + e.message);
        return false;
    }
    Node* fv = make(NodeKind::FormattedValue, expr_line);
    fv->a = value;
    if (body[i] == '=') {
        ++i;
        while (i < body.size() && std::strchr(" \t\n\r\f\v", body[i]) && body[i] != '\0') ++i;
        if (i >= body.size()) {
            fail_hard(t.line, "f-string: expecting '}'");
            return false;
        }
    }
    if (body[i] == '!') {
        ++i;
        if (i >= body.size()) {
            fail_hard(t.line, "f-string: expecting '}'");
            return false;
        }
        const char conv = body[i++];
        if (conv != 's' && conv != 'r' && conv != 'a') {
            fail_hard(t.line, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
            return false;
        }
        fv->op = static_cast<uint8_t>(conv);
    }
    if (i < body.size() && body[i] == ':') {
        ++i;
        if (i >= body.size()) {
            fail_hard(t.line, "f-string: expecting '}'");
            return false;
        }
        const size_t mark = stack_.size();
        if (!fstring_parts(t, body, i, raw, level + 1, mark)) return false;
        Node* spec = make(NodeKind::JoinedStr, t.line);
        spec->l[0] = take(mark);
        fv->b = spec;
    }
    if (i >= body.size() || body[i] != '}') {
        fail_hard(t.line, "f-string: expecting '}'");
        return false;
    }
    ++i;
    stack_.push_back(fv);
    return true;
}

// What lies between the parentheses of "(expression)": a yield, a generator expression, a
// group or a tuple -- as paren_atom reads it, ending at the end of the field.
Node* Parser::fstring_expression() {
    const int line = cur().line;
    Node* result = nullptr;
    if (at_kw(Keyword::Yield)) {
        result = yield_expression();
    } else {
        Node* first = star_named_expression();
        if (!first) return nullptr;
        if (at_kw(Keyword::For) || (at_kw(Keyword::Async) && is_kw(ahead(1), Keyword::For))) {
            if (first->kind == NodeKind::Starred) return fail("iterable unpacking cannot be used in comprehension");
            Node* g = make(NodeKind::GeneratorExp, line);
            g->a = first;
            if (!comprehension_clauses(g->l[0])) return nullptr;
            result = g;
        } else if (at_op(Op::Comma)) {
            const size_t mark = stack_.size();
            stack_.push_back(first);
            while (eat_op(Op::Comma)) {
                if (at_type(TokenType::End)) break;
                Node* e = star_named_expression();
                if (!e) {
                    stack_.resize(mark);
                    return nullptr;
                }
                stack_.push_back(e);
            }
            Node* t = make(NodeKind::Tuple, line);
            t->l[0] = take(mark);
            result = t;
        } else {
            if (first->kind == NodeKind::Starred) return fail("cannot use starred expression here");
            result = first;
        }
    }
    if (!result) return nullptr;
    if (!at_type(TokenType::End)) return fail("invalid syntax");
    result->flags |= kParenthesized;
    return result;
}

Node* Parser::paren_atom() {
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    const int line = cur().line;
    ++pos_;  // (
    if (eat_op(Op::RPar)) {
        Node* t = make(NodeKind::Tuple, line);
        t->flags |= kParenthesized;
        return t;
    }
    if (at_kw(Keyword::Yield)) {
        Node* y = yield_expression();
        if (!y) return nullptr;
        if (!eat_op(Op::RPar)) return fail("invalid syntax (expected ')')");
        y->flags |= kParenthesized;
        return y;
    }
    Node* first = star_named_expression();
    if (!first) return nullptr;
    if (at_kw(Keyword::For) || (at_kw(Keyword::Async) && is_kw(ahead(1), Keyword::For))) {
        if (first->kind == NodeKind::Starred) return fail("iterable unpacking cannot be used in comprehension");
        Node* g = make(NodeKind::GeneratorExp, line);
        g->a = first;
        if (!comprehension_clauses(g->l[0])) return nullptr;
        if (!eat_op(Op::RPar)) return fail("invalid syntax (expected ')')");
        g->flags |= kParenthesized;
        return g;
    }
    if (eat_op(Op::RPar)) {
        if (first->kind == NodeKind::Starred) return fail("cannot use starred expression here");
        first->flags |= kParenthesized;
        return first;
    }
    if (!at_op(Op::Comma)) return fail("invalid syntax (expected ')' or ',')");
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_op(Op::Comma)) {
        if (at_op(Op::RPar)) break;
        Node* e = star_named_expression();
        if (!e) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(e);
    }
    if (!eat_op(Op::RPar)) {
        stack_.resize(mark);
        return fail("invalid syntax (expected ')' or ',')");
    }
    Node* t = make(NodeKind::Tuple, line);
    t->l[0] = take(mark);
    t->flags |= kParenthesized;
    return t;
}

Node* Parser::list_atom() {
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    const int line = cur().line;
    ++pos_;  // [
    if (eat_op(Op::RSqb)) return make(NodeKind::List, line);
    Node* first = star_named_expression();
    if (!first) return nullptr;
    return sequence_display(first, line, Op::RSqb, NodeKind::List, NodeKind::ListComp);
}

Node* Parser::brace_atom() {
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    const int line = cur().line;
    ++pos_;  // {
    if (eat_op(Op::RBrace)) return make(NodeKind::Dict, line);
    // A dict when it starts with '**' or 'key:'; else a set.
    Node* first_key = nullptr;
    Node* first_value = nullptr;
    bool dict = false;
    if (eat_op(Op::DoubleStar)) {
        dict = true;
        if (!(first_value = bitwise_or())) return nullptr;
    } else {
        Node* e = star_named_expression();
        if (!e) return nullptr;
        if (at_op(Op::Colon) && e->kind != NodeKind::Starred && e->kind != NodeKind::NamedExpr) {
            dict = true;
            ++pos_;
            first_key = e;
            if (!(first_value = expression())) return nullptr;
        } else {
            first_value = e;
        }
    }
    if (dict) {
        if (first_key && (at_kw(Keyword::For) || (at_kw(Keyword::Async) && is_kw(ahead(1), Keyword::For)))) {
            Node* c = make(NodeKind::DictComp, line);
            c->a = first_key;
            c->b = first_value;
            if (!comprehension_clauses(c->l[0])) return nullptr;
            if (!eat_op(Op::RBrace)) return fail("invalid syntax (expected '}')");
            return c;
        }
        std::vector<Node*> keys{first_key}, values{first_value};
        while (eat_op(Op::Comma)) {
            if (at_op(Op::RBrace)) break;
            if (eat_op(Op::DoubleStar)) {
                Node* v = bitwise_or();
                if (!v) return nullptr;
                keys.push_back(nullptr);
                values.push_back(v);
                continue;
            }
            Node* k = expression();
            if (!k) return nullptr;
            if (!eat_op(Op::Colon)) return fail("':' expected after dictionary key");
            Node* v = expression();
            if (!v) return nullptr;
            keys.push_back(k);
            values.push_back(v);
        }
        if (!eat_op(Op::RBrace)) return fail("invalid syntax (expected '}' or ',')");
        Node* d = make(NodeKind::Dict, line);
        d->l[0] = arena_.list(keys.data(), keys.size());
        d->l[1] = arena_.list(values.data(), values.size());
        return d;
    }
    return sequence_display(first_value, line, Op::RBrace, NodeKind::Set, NodeKind::SetComp);
}

// The rest of a list or set display after its first element: a comprehension, or more
// elements up to `close`.
Node* Parser::sequence_display(Node* first, int line, Op close, NodeKind kind, NodeKind comprehension) {
    const bool list = close == Op::RSqb;
    if (at_kw(Keyword::For) || (at_kw(Keyword::Async) && is_kw(ahead(1), Keyword::For))) {
        if (first->kind == NodeKind::Starred) return fail("iterable unpacking cannot be used in comprehension");
        Node* c = make(comprehension, line);
        c->a = first;
        if (!comprehension_clauses(c->l[0])) return nullptr;
        if (!eat_op(close)) return fail(list ? "invalid syntax (expected ']')" : "invalid syntax (expected '}')");
        return c;
    }
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_op(Op::Comma)) {
        if (at_op(close)) break;
        Node* e = star_named_expression();
        if (!e) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(e);
    }
    if (!eat_op(close)) {
        stack_.resize(mark);
        return fail(list ? "invalid syntax (expected ']' or ',')" : "invalid syntax (expected '}' or ',')");
    }
    Node* d = make(kind, line);
    d->l[0] = take(mark);
    return d;
}

// star_targets of a for loop or comprehension: targets built from atoms and their trailers
// only, so that `in` ends them.
Node* Parser::star_targets() {
    const int line = cur().line;
    Node* first = star_target();
    if (!first) return nullptr;
    if (!at_op(Op::Comma)) return first;
    const size_t mark = stack_.size();
    stack_.push_back(first);
    while (eat_op(Op::Comma)) {
        if (at_kw(Keyword::In) || at_op(Op::Equal)) break;
        Node* t = star_target();
        if (!t) {
            stack_.resize(mark);
            return nullptr;
        }
        stack_.push_back(t);
    }
    Node* t = make(NodeKind::Tuple, line);
    t->l[0] = take(mark);
    t->ctx = Ctx::Store;
    return t;
}

Node* Parser::star_target() {
    DepthGuard guard(*this);
    if (!guard.ok) return nullptr;
    if (at_op(Op::Star)) {
        Node* s = make(NodeKind::Starred, cur().line);
        ++pos_;
        if (at_op(Op::Star)) return fail("invalid syntax");
        if (!(s->a = star_target())) return nullptr;
        s->ctx = Ctx::Store;
        return s;
    }
    Node* p = primary(true);
    if (!p) return nullptr;
    if (!valid_target(p, Ctx::Store, true, false)) return nullptr;
    return p;
}

// Whether an expression parsed before '=' (or after for/as/del) is a target the grammar
// allows; marks it (and its elements) as stored or deleted.
bool Parser::valid_target(Node* n, Ctx ctx, bool star_allowed, bool del) {
    auto bad = [&](const char* what) {
        fail([&] { return fmt::format("cannot {} {}", del ? "delete" : "assign to", what); });
        return false;
    };
    switch (n->kind) {
    case NodeKind::Name:
    case NodeKind::Attribute:
    case NodeKind::Subscript: n->ctx = ctx; return true;
    case NodeKind::Starred:
        if (!star_allowed || del) return bad("starred");
        if (n->flags & kParenthesized) return bad("starred");
        n->ctx = ctx;
        return valid_target(n->a, ctx, false, del);
    case NodeKind::Tuple:
    case NodeKind::List:
        n->ctx = ctx;
        for (Node* e : n->l[0])
            if (!valid_target(e, ctx, true, del)) return false;
        return true;
    case NodeKind::Call: return bad("function call");
    case NodeKind::Constant: return bad("literal");
    case NodeKind::NamedExpr: return bad("named expression");
    case NodeKind::Lambda: return bad("lambda");
    case NodeKind::Compare: return bad("comparison");
    case NodeKind::IfExp: return bad("conditional expression");
    case NodeKind::Yield:
    case NodeKind::YieldFrom: return bad("yield expression");
    case NodeKind::Await: return bad("await expression");
    case NodeKind::JoinedStr: return bad("f-string expression");
    case NodeKind::Dict: return bad("dict literal");
    case NodeKind::Set: return bad("set display");
    case NodeKind::GeneratorExp: return bad("generator expression");
    case NodeKind::ListComp: return bad("list comprehension");
    case NodeKind::SetComp: return bad("set comprehension");
    case NodeKind::DictComp: return bad("dict comprehension");
    default: return bad("expression");
    }
}

}  // namespace

Node* parse_module(const TokenStream& tokens, PythonVersion version, Arena& arena, std::optional<SyntaxError>& error) {
    Parser p(tokens, version, arena);
    Node* m = p.module();
    if (!m || p.failed_hard()) {
        error = p.error();
        return nullptr;
    }
    return m;
}

}  // namespace ag::py
