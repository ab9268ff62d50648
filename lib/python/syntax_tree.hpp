#pragma once
// The syntax tree of one Python module, shaped after CPython's `ast` module but with one
// node type: each kind says below which of its fields it uses. Nodes live in an arena owned
// by the tree and are never freed one by one; a tree is read once, checked and evaluated,
// then dropped whole.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace ag::py {

enum class NodeKind : uint8_t {
    Module,  // l[0] body
    // Statements.
    FunctionDef,  // name, l[0] body, l[1] decorators, l[2] type params, a Arguments, b returns; flags kAsync
    ClassDef,     // name, l[0] body, l[1] decorators, l[2] type params, l[3] bases then Keyword nodes
    Return,       // a value
    Delete,       // l[0] targets
    Assign,       // l[0] targets, a value
    AugAssign,    // a target, b value
    AnnAssign,    // a target, b annotation, c value; flags kSimple (a bare name, not parenthesised)
    TypeAlias,    // a Name, b value, l[2] type params (3.12+)
    For,          // a target, b iterable, l[0] body, l[1] orelse; flags kAsync
    While,        // a test, l[0] body, l[1] orelse
    If,           // a test, l[0] body, l[1] orelse
    With,         // l[0] WithItem, l[1] body; flags kAsync
    Match,        // a subject, l[0] MatchCase
    Raise,        // a exception, b cause
    Try,          // l[0] body, l[1] ExceptHandler, l[2] orelse, l[3] finalbody; flags kStar (except*)
    Assert,       // a test, b message
    Import,       // l[0] Alias
    ImportFrom,   // name module (may be empty), l[0] Alias, level = leading dots
    Global,       // l[0] Name
    Nonlocal,     // l[0] Name
    Expr,         // a value
    Pass,
    Break,
    Continue,
    // Expressions.
    BoolOp,        // l[0] values
    NamedExpr,     // a Name, b value
    BinOp,         // a left, b right, op
    UnaryOp,       // a operand, op
    Lambda,        // a Arguments, b body
    IfExp,         // a test, b body, c orelse
    Dict,          // l[0] keys (nullptr for **), l[1] values
    Set,           // l[0] elements
    ListComp,      // a element, l[0] Comprehension
    SetComp,       // a element, l[0] Comprehension
    DictComp,      // a key, b value, l[0] Comprehension
    GeneratorExp,  // a element, l[0] Comprehension
    Await,         // a value
    Yield,         // a value
    YieldFrom,     // a value
    Compare,       // a left, l[0] comparators
    Call,          // a function, l[0] positional arguments, l[1] Keyword
    JoinedStr,     // l[0] Constant and FormattedValue parts
    FormattedValue,  // a value, b format spec (JoinedStr); op the conversion character or 0
    Constant,      // op a ConstantKind; name the decoded value for str and bytes (UTF-8; lone surrogates as WTF-8)
    Attribute,     // a value, name
    Subscript,     // a value, b slice
    Starred,       // a value
    Name,          // name
    List,          // l[0] elements
    Tuple,         // l[0] elements
    Slice,         // a lower, b upper, c step
    // Parts.
    Arguments,      // l[0] Arg, in the order written
    Arg,            // name, a annotation, b default; op an ArgKind
    Keyword,        // name (empty for **), a value
    Alias,          // name (dotted), name2 the `as` name or empty
    WithItem,       // a context expression, b target or nullptr
    ExceptHandler,  // a type or nullptr, name the `as` name or empty, l[0] body
    Comprehension,  // a target, b iterable, l[0] conditions; flags kAsync
    MatchCase,      // a pattern, b guard, l[0] body
    TypeParam,      // name, a bound, b default; op a TypeParamKind
    // Patterns (match statement).
    MatchValue,      // a value
    MatchSingleton,  // op a ConstantKind (None, True, False)
    MatchSequence,   // l[0] patterns
    MatchMapping,    // l[0] keys, l[1] patterns, name the ** rest or empty
    MatchClass,      // a class, l[0] positional patterns, l[1] keyword patterns, l[2] Name nodes of the keywords
    MatchStar,       // name or empty (for *_)
    MatchAs,         // a pattern or nullptr, name or empty (for _)
    MatchOr,         // l[0] patterns
};

enum class Ctx : uint8_t { Load, Store, Del };
enum class ConstantKind : uint8_t { Str, Bytes, Int, Float, Complex, True, False, None, Ellipsis };
enum class ArgKind : uint8_t { PositionalOnly, Positional, VarArgs, KeywordOnly, VarKeywords };
enum class TypeParamKind : uint8_t { TypeVar, ParamSpec, TypeVarTuple };

constexpr uint16_t kAsync = 1;
constexpr uint16_t kSimple = 2;
constexpr uint16_t kStar = 4;
constexpr uint16_t kParenthesized = 8;  // an expression written in its own parentheses

struct Node;

// A run of child nodes, allocated in the tree's arena.
struct NodeList {
    Node** items = nullptr;
    uint32_t count = 0;
    Node** begin() const { return items; }
    Node** end() const { return items + count; }
    uint32_t size() const { return count; }
    bool empty() const { return count == 0; }
    Node* operator[](size_t i) const { return items[i]; }
};

struct Node {
    NodeKind kind;
    Ctx ctx = Ctx::Load;
    uint8_t op = 0;
    uint16_t flags = 0;
    uint16_t level = 0;  // ImportFrom only
    int line = 0;        // first line, 1-based
    uint32_t aux = 0;    // scratch for one pass over the tree (the compile check's scope index)
    std::string_view name;
    std::string_view name2;
    Node* a = nullptr;
    Node* b = nullptr;
    Node* c = nullptr;
    NodeList l[4];
};

// Bump allocation for one tree's nodes, lists and decoded strings.
class Arena {
public:
    Arena() = default;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    void* allocate(size_t bytes, size_t align);
    Node* node(NodeKind kind, int line);
    NodeList list(Node* const* items, size_t count);
    std::string_view copy(std::string_view text);
    // Keeps the first block for the next tree: most modules fit in it.
    void reset();

private:
    std::vector<std::unique_ptr<std::byte[]>> blocks_;
    size_t block_size_ = 0;
    size_t used_ = 0;
};

}  // namespace ag::py
