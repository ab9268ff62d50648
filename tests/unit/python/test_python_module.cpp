#include "python/python_module.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using ag::PyValue;
using ag::read_python_module;

namespace {
PyValue value_of(const ag::PyModule& m, const char* name) {
    auto it = m.names.find(name);
    REQUIRE(it != m.names.end());
    return it->second.value;
}

// Whether the guard refuses to vouch for a function of another module called at import.
bool called(const char* source, const char* function) {
    return ag::check_called_function(source, function, ag::py::kUndeclaredPython, "app").problem.has_value();
}

bool imported(const char* source) {
    return ag::check_imported_module(source, ag::py::kUndeclaredPython, "app").problem.has_value();
}
}  // namespace

TEST_CASE("plain, annotated and Union-annotated assignments resolve to their literals") {
    auto m = read_python_module(
        "revision: str = \"abc\"\n"
        "down_revision: Union[str, None] = 'x'\n"
        "branch_labels: Union[str, Sequence[str], None] = None\n"
        "depends_on: str | None = ('a', \"b\",)\n");
    CHECK_FALSE(m.syntax_error);
    CHECK(value_of(m, "revision").items == std::vector<std::string>{"abc"});
    CHECK(value_of(m, "down_revision").kind == PyValue::Kind::String);
    CHECK(value_of(m, "branch_labels").kind == PyValue::Kind::None);
    CHECK(value_of(m, "depends_on").items == std::vector<std::string>{"a", "b"});
}

TEST_CASE("multi-line tuples with comments and trailing commas, lists and bare tuples") {
    auto m = read_python_module("down_revision = (\n  'a',  # first\n  \"b\",\n)\nx = ['c']\ny = 'd', 'e'\nz = ()\n");
    CHECK(value_of(m, "down_revision").items == std::vector<std::string>{"a", "b"});
    CHECK(value_of(m, "x").kind == PyValue::Kind::Sequence);
    CHECK(value_of(m, "x").items == std::vector<std::string>{"c"});
    CHECK(value_of(m, "y").items == std::vector<std::string>{"d", "e"});
    CHECK(value_of(m, "z").kind == PyValue::Kind::Sequence);
    CHECK(value_of(m, "z").items.empty());
}

TEST_CASE("the last module-level assignment wins and function, class and docstring decoys do not count") {
    auto m = read_python_module(
        "\"\"\"\nrevision = 'doc'\n\"\"\"\nrevision = 'one'\n# revision = 'comment'\ns = \"revision = 'str'\"\n"
        "def f():\n    revision = 'func'\nclass C:\n    revision = 'cls'\nrevision = 'two'\n");
    CHECK(value_of(m, "revision").items.front() == "two");
    CHECK(m.names.at("revision").line == 11);
}

TEST_CASE("a name bound earlier to a literal resolves, as Python would") {
    auto m = read_python_module("R = \"031\"\nP = '030'\nrevision = R\ndown_revision = (P, R)\n");
    CHECK(value_of(m, "revision").items.front() == "031");
    CHECK(value_of(m, "down_revision").items == std::vector<std::string>{"030", "031"});
}

TEST_CASE("calls, attributes, f-strings, imports and conditional assignments are computed, never guessed") {
    auto m = read_python_module(
        "from x import get_rev\nimport cli\nrevision = get_rev()\ndown_revision = cli.BASE\nbranch_labels = f'x{1}'\n"
        "if cli.FLAG:\n    depends_on = 'a'\nother = 'a' + 'b'\nlater = undefined_name\nif True:\n    sure = 'a'\nelse:\n"
        "    sure = 'b'\n");
    CHECK(value_of(m, "revision").kind == PyValue::Kind::Computed);
    CHECK(value_of(m, "branch_labels").kind == PyValue::Kind::Computed);
    CHECK(value_of(m, "depends_on").kind == PyValue::Kind::Computed);
    CHECK(value_of(m, "later").kind == PyValue::Kind::Computed);
    // A constant condition: the compiler keeps the branch that runs, and only it binds.
    CHECK(value_of(m, "sure").items == std::vector<std::string>{"a"});
    // Names of imported modules are references, read from those modules when they are
    // files of the repository.
    CHECK(value_of(m, "down_revision").kind == PyValue::Kind::Reference);
    CHECK(value_of(m, "get_rev").kind == PyValue::Kind::Reference);
    // Concatenating two literals has one possible value.
    CHECK(value_of(m, "other").kind == PyValue::Kind::String);
    CHECK(value_of(m, "other").items == std::vector<std::string>{"ab"});
    // A name bound nowhere fails the import with NameError.
    REQUIRE(m.import_error);
    CHECK(m.import_error->line == 9);
    CHECK(m.import_error->message.find("undefined_name") != std::string::npos);
}

TEST_CASE("numbers, booleans and bytes are literals but not strings") {
    auto m = read_python_module("a = 1\nb = True\nc = b'x'\nd = ('x', 2)\n");
    CHECK(value_of(m, "a").kind == PyValue::Kind::NonString);
    CHECK(value_of(m, "b").kind == PyValue::Kind::NonString);
    CHECK(value_of(m, "c").kind == PyValue::Kind::NonString);
    CHECK(value_of(m, "d").kind == PyValue::Kind::NonString);
}

TEST_CASE("del removes a module-level name; tuple unpacking and chained assignment bind every target") {
    auto m = read_python_module("revision = 'a'\ndel revision\nx = y = 'q'\n(p, q) = 'm', 'n'\n");
    CHECK(m.names.count("revision") == 0);
    CHECK(value_of(m, "x").items.front() == "q");
    CHECK(value_of(m, "y").items.front() == "q");
    CHECK(value_of(m, "p").items.front() == "m");
    CHECK(value_of(m, "q").items.front() == "n");
}

TEST_CASE("BOM, CRLF, escapes and string concatenation are read as Python reads them") {
    auto m = read_python_module("\xEF\xBB\xBFrevision = 'a' \"b\"\r\ndown_revision = 'x\\x41\\n'\r\nr = r'\\d'\r\n");
    CHECK_FALSE(m.syntax_error);
    CHECK(value_of(m, "revision").items.front() == "ab");
    CHECK(value_of(m, "down_revision").items.front() == "xA\n");
    CHECK(value_of(m, "r").items.front() == "\\d");
}

TEST_CASE("a lambda's default is not an assignment target") {
    auto m = read_python_module("f = lambda x=1: x\nrevision = 'r'\n");
    CHECK(value_of(m, "f").kind == PyValue::Kind::Computed);
    CHECK(m.names.count("x") == 0);
}

TEST_CASE("what CPython refuses to compile is a syntax error with its line") {
    struct Case { const char* src; int line; };
    const Case cases[] = {
        {"x = 'abc\n", 1},
        {"x = \"\"\"abc\n\n", 1},
        {"x = (1,\n2\n", 1},
        {"x = [1)\n", 1},
        {"x = 1)\n", 1},
        {"revision = 'a'\n<<<<<<< HEAD\ndown_revision = 'b'\n=======\ndown_revision = 'c'\n>>>>>>> feature\n", 2},
        {"x = 1\n  y = 2\n", 2},
        {"if x:\ny = 2\n", 2},
        {"def f():\n        a = 1\n    b = 2\n", 3},
        {"x = 1 \\ y\n", 1},
        {"x = 'caf\xe9'\n", 1},
        {"if x:\n", 2},
        {"x = $\n", 1},
    };
    for (const auto& c : cases) {
        CAPTURE(c.src);
        auto m = read_python_module(c.src);
        REQUIRE(m.syntax_error);
        CHECK(m.syntax_error->line == c.line);
    }
}

TEST_CASE("NUL bytes anywhere make the file uncompilable") {
    using namespace std::string_literals;
    const std::string src = "revision = 'a'\ndown_revision = None\n# \0\n"s;
    auto m = read_python_module(src);
    REQUIRE(m.syntax_error);
    CHECK(m.syntax_error->line == 3);
}

TEST_CASE("near misses compile: markers inside strings, a latin-1 cookie, 200 nested brackets, continuations") {
    const char* ok[] = {
        "x = \"\"\"\n<<<<<<< HEAD\n=======\n\"\"\"\n",
        "# -*- coding: latin-1 -*-\nx = 'caf\xe9'\n",
        "x = (1 +\n     2)\ny = 1 + \\\n    2\n",
        "if x:\n    y = 1\nelse:\n    y = 2\n",
        "class A: x = 1\n",
        "def f(a: int = 1) -> int: return a\n",
        "x = {1: 2}\n",
        "x = f'{a!r}'\n",
        "@decorator\ndef f():\n    pass\n",
        "x = 1 if y else 2\n",
        "match = 1\n",
    };
    for (const char* src : ok) {
        CAPTURE(src);
        CHECK_FALSE(read_python_module(src).syntax_error);
    }
    const std::string deep = "x = " + std::string(200, '(') + std::string(200, ')') + "\n";
    CHECK_FALSE(read_python_module(deep).syntax_error);
    const std::string too_deep = "x = " + std::string(201, '(') + std::string(201, ')') + "\n";
    CHECK(read_python_module(too_deep).syntax_error);
}

TEST_CASE("100,000 nested brackets are refused quickly without deep recursion") {
    const std::string src = "x = " + std::string(100000, '(') + std::string(100000, ')') + "\n";
    auto m = read_python_module(src);
    REQUIRE(m.syntax_error);
    CHECK(m.syntax_error->message.find("too many nested parentheses") != std::string::npos);
}

TEST_CASE("a rebound name keeps one entry holding its last value, and a computed rebinding clears the literal") {
    auto m = read_python_module("revision = 'one'\nimport os\nrevision = ('a', 'b')\nrevision = os.environ['R']\n");
    REQUIRE(m.names.size() == 3);  // __doc__ (None), revision, os
    CHECK(m.names.begin()->first == "__doc__");
    CHECK(std::next(m.names.begin())->first == "revision");  // entries keep the order of first binding
    const auto& v = m.names.at("revision").value;
    CHECK(v.kind == PyValue::Kind::Computed);
    CHECK(v.items.empty());
    CHECK(v.text == "os.environ['R']");
    CHECK(m.names.at("revision").line == 4);
    CHECK_THROWS_AS(m.names.at("down_revision"), std::out_of_range);
}

TEST_CASE("a name deleted at module level is absent, and binding it again adds it back") {
    auto m = read_python_module("a = 'x'\nb = 'y'\ndel a\nc = 'z'\na = 'w'\n");
    std::vector<std::string> order;
    for (const auto& [name, binding] : m.names) order.push_back(name);
    CHECK(order == std::vector<std::string>{"__doc__", "b", "c", "a"});
    CHECK(value_of(m, "a").items == std::vector<std::string>{"w"});
}

TEST_CASE("string bodies with escapes, line continuations and the other quote decode as Python would") {
    auto m = read_python_module("a = 'it\\'s \"q\"'\nb = \"x\\\ny\"\nc = '''one\n'two'\nthree'''\nd = r'\\n'\n");
    CHECK(value_of(m, "a").items.front() == "it's \"q\"");
    CHECK(value_of(m, "b").items.front() == "xy");
    CHECK(value_of(m, "c").items.front() == "one\n'two'\nthree");
    CHECK(value_of(m, "d").items.front() == "\\n");
    CHECK(m.names.at("d").line == 7);
}

TEST_CASE("errors the import surely meets are import errors: the file's own arithmetic, subscripts, calls") {
    const char* failing[] = {
        "_x = 1 / 0\n",
        "_x = 'a' + 1\n",
        "_x = [][0]\n",
        "_x = ('a', 'b')[-3]\n",
        "_x = {}['k']\n",
        "_x = None.x\n",
        "import sqlalchemy as sa\n_x = sa[1]\n",
        "from alembic import op\n_x = op[str]\n",
        "_x = 'abc'()\n",
        "def _check():\n    raise RuntimeError('stop')\n\n_check()\n",
        "def _check():\n    return undefined_helper\n\n_check()\n",
        "def _f():\n    print(_v)\n    _v = 1\n\n_f()\n",
        "def _deco(f):\n    raise RuntimeError('stop')\n\n@_deco\ndef _helper():\n    pass\n",
        "def _d(f):\n    return f\n\n@_d\ndef _check():\n    raise RuntimeError('stop')\n\n_check()\n",
        "_f = lambda: 1 / 0\n_f()\n",
        "(lambda: undefined_helper)()\n",
        "_x: True[str] = 1\n",
        "_x: print[str] = 1\n",
        "_x = (...)[0]\n",
        "_x: str[int] = 1\n",
        "_x: exit[int] = 1\n",
        "_x = 'abc'[str, ...]\n",
        "_x = ('a', 'b')['a']\n",
        "_x = ['a'][None]\n",
        "_x = 'abc'[str]\n",
        "_log = str.getLogger('x')\n",
        "_x = len.x\n",
        "_t = ('a',)\n_x = _t.Enum\n",
        "_x = 'abc'.nope\n",
        "class _C:\n    def __init__(self):\n        raise RuntimeError('stop')\n\n_C()\n",
        "if True:\n    raise RuntimeError('stop')\n",
        "if 0:\n    pass\nelse:\n    raise RuntimeError('stop')\n",
        "try:\n    raise RuntimeError('stop')\nfinally:\n    pass\n",
        "try:\n    pass\nfinally:\n    raise RuntimeError('stop')\n",
        "def _a():\n    raise RuntimeError('stop')\ndef _b():\n    _a()\ndef _c():\n    _b()\ndef _d():\n    _c()\n"
        "def _e():\n    _d()\n_e()\n",
    };
    for (const char* src : failing) {
        INFO(std::string(src));
        CHECK(read_python_module(src).import_error);
    }
    const char* fine[] = {
        "_x = 1 / 2\n",
        "_x = 'a' + 'b'\n",
        "_x = [1][0]\n",
        "_x = None.__class__\n",
        "def _check():\n    raise RuntimeError('stop')\n",                     // never called
        "def _check(flag):\n    if flag:\n        return\n    raise X\n\n_check(1)\n",  // may return first
        "def _f():\n    global _v\n    print(_v)\n\n_v = 1\n_f()\n",
        "def _f():\n    return _later\n\n_later = 1\n_f()\n",
        "if False:\n    raise RuntimeError('stop')\n",
        "_x: list[str] = []\n_y: dict[str, int] = {}\n_z: type[int] = int\n",
        "from __future__ import annotations\n_x: print[str] = 1\n",  // annotations not evaluated
        "def print(*a):\n    pass\n\n_x = [print][0]\n",
        "_x = 'abc'[True]\n_y = ('a', 'b')[1:]\n",
        "_x = str.join\n_y = int.from_bytes\n_z = dict.fromkeys\n_w = len.__name__\n",
        "_x = 'a,b'.split(',')\n_y = ('a',).count('a')\n_z = ['a'].append\n",
        "try:\n    raise KeyError('k')\nexcept KeyError:\n    pass\n",                  // caught
        "def _f():\n    try:\n        raise X\n    finally:\n        return 1\n\n_f()\n",  // dropped
        "class _C:\n    def __new__(cls):\n        return 1\n    def __init__(self):\n        raise X\n\n_C()\n",
        "from app import Base\nclass _C(Base):\n    def __init__(self):\n        raise X\n\n_C()\n",  // a base may say otherwise
        "def _outer():\n    _v = 1\n    return (lambda: _v)()\n\n_outer()\n",   // a closure, not followed
    };
    for (const char* src : fine) {
        INFO(std::string(src));
        CHECK_FALSE(read_python_module(src).import_error);
    }
}

TEST_CASE("calls at import nested deeper than the guard follows make the module unprovable, not passed") {
    const auto m = read_python_module("def _f():\n    _f()\n\n_f()\n");  // RecursionError in Python
    REQUIRE(m.unprovable);
    CHECK(m.unprovable->message.find("16 deep") != std::string::npos);
    CHECK_FALSE(read_python_module("def _a():\n    return 1\n\ndef _b():\n    return _a() + _a()\n\n_b()\n").unprovable);
}

TEST_CASE("names of other modules called while the module runs are recorded, decorators included") {
    auto m = read_python_module("from app.ids import bind\nimport tools\nbind()\n@tools.register\ndef f():\n    pass\n");
    CHECK(m.calls == std::vector<std::string>{"app.ids.bind", "tools.register"});
}

TEST_CASE("a called function of another module is checked for ways into its caller's names") {
    CHECK(called("import sys\ndef bind():\n    sys._getframe(1).f_globals['x'] = 1\n", "bind"));
    CHECK(called("def bind():\n    return helper()\n\ndef helper():\n    return globals()\n", "bind"));
    CHECK(called("def other():\n    pass\n", "bind"));  // no such def: cannot follow
    // `global` rebinds that module's own names, which are the ones migrations read from it.
    CHECK(called("_cache = {}\ndef bind():\n    global _cache\n    _cache = {}\n", "bind"));
    CHECK_FALSE(called("_cache = {}\ndef bind():\n    _cache['k'] = 1\n", "bind"));
}

TEST_CASE("a module imported at import is checked for code that reaches its importer's names") {
    CHECK(imported("import sys\nsys._getframe(1).f_globals['x'] = 1\n"));
    CHECK(imported("import gc\nfor o in gc.get_objects():\n    pass\n"));  // finds the importer among the live objects
    CHECK(imported("import app.migration_ids\napp.migration_ids.PARENT = '002'\n"));
    CHECK_FALSE(imported("PARENT = '002'\nLABELS = ('a',)\n"));
    auto m = ag::check_imported_module("from . import ids\nimport tools.x as t\nt.run()\n", ag::py::kUndeclaredPython, "app");
    CHECK_FALSE(m.problem);
    CHECK(m.imports == std::vector<std::string>{"app", "app.ids", "tools.x"});  // `from . import ids`: the package, then maybe a submodule
    CHECK(m.calls == std::vector<std::string>{"tools.x.run"});
}

TEST_CASE("a module compiled once gives the names read_python_module gives, and its code's checks") {
    const std::string source = "import sys\nPARENT = 'a'\nLABELS = ('x', 'y')\n\ndef bind():\n"
                               "    sys._getframe(1).f_globals['x'] = 1\n";
    const ag::PyCompiledModule compiled(source, ag::py::kUndeclaredPython);
    const auto read = read_python_module(source);
    CHECK(compiled.names().names.at("PARENT").value.items == read.names.at("PARENT").value.items);
    CHECK(compiled.names().names.at("LABELS").value.items == read.names.at("LABELS").value.items);
    CHECK(compiled.names().imports == read.imports);
    CHECK(compiled.check_call("bind", "app").problem);
    CHECK_FALSE(compiled.check_import("app").problem);
    // A module that does not compile, or is not valid UTF-8 outside its comments, is that
    // problem for every check (the UTF-8 check once missed the second reading).
    for (const std::string& bad : {std::string("X = 'a\xff'\n"), std::string("def f(:\n    pass\n")}) {
        CAPTURE(bad);
        const ag::PyCompiledModule broken(bad, ag::py::kUndeclaredPython);
        REQUIRE(broken.names().syntax_error);
        CHECK(broken.check_import("app").problem);
        CHECK(broken.check_call("f", "app").problem);
    }
    CHECK_FALSE(ag::PyCompiledModule("X = 1  # caf\xe9\n", ag::py::kUndeclaredPython).names().syntax_error);
}

TEST_CASE("a migration's imports are recorded with their package resolved") {
    auto m = read_python_module("import app.ids\nfrom tools import helpers as h\n");
    CHECK(m.imports == std::vector<std::string>{"app.ids", "tools", "tools.helpers"});
}

TEST_CASE("a called class of another module is checked with every method Python may call without naming it") {
    CHECK(called(
        "import sys\nclass Meta(type):\n    def __init__(cls, *a):\n        sys._getframe(1).f_globals['x'] = 1\n", "Meta"));
    CHECK_FALSE(called("class Plain:\n    def __init__(self):\n        self.x = 1\n", "Plain"));
}

TEST_CASE("writes into another module's names or items at import cannot be proven") {
    CHECK(read_python_module("import app.labels\napp.labels.PARENT = '002'\n").unprovable);
    CHECK(read_python_module("from app.labels import PARENTS\nPARENTS[0] = '002'\n").unprovable);
    CHECK(read_python_module("import app\ndel app.labels\n").unprovable);
    CHECK(read_python_module("import app\napp.count += 1\n").unprovable);
    // The module's own objects are its own business; so is code that does not run at import.
    CHECK_FALSE(read_python_module("class C:\n    pass\nC.x = 1\nd = {}\nd['k'] = 1\n").unprovable);
    CHECK_FALSE(read_python_module("import app\ndef upgrade():\n    app.labels.PARENT = '002'\n").unprovable);
}

TEST_CASE("imported names handed on as values at import are recorded; names read through or called are not") {
    const auto escapes = [](const char* src) { return read_python_module(src).escapes; };
    using V = std::vector<std::string>;
    CHECK(escapes("from app import labels\ndef _f(m):\n    m.X = 1\n_f(labels)\n") == V{"app.labels"});
    CHECK(escapes("from app import labels\nfor _m in (labels,):\n    pass\n") == V{"app.labels"});
    CHECK(escapes("from app import labels\n[labels][0].X = 1\n") == V{"app.labels"});
    CHECK(escapes("import app.labels\nf(app)\ng(app.labels)\n") == V{"app", "app.labels"});
    CHECK(escapes("import app.models as m\nS = sa.Enum(m.Status)\n") == V{"app.models.Status"});
    // Read through, called, applied as a decorator, or only in code that does not run at import:
    // only the name read is handed on (the resolver finds it is no module).
    CHECK(escapes("from app import labels\nX = labels.PARENT\nlabels.bump()\n@labels.register\ndef f():\n    pass\n") ==
          V{"app.labels.PARENT"});
    CHECK(escapes("from app import labels\ndef upgrade():\n    run(labels)\n").empty());
    // The module's own names are not imported ones.
    CHECK(escapes("labels = 1\nf(labels)\n").empty());
    auto foreign = ag::check_imported_module("from app import labels\n_m = labels\n_m.PARENT = '002'\n",
                                             ag::py::kUndeclaredPython, "app");
    CHECK_FALSE(foreign.problem);  // the write itself is through a name of its own: the resolver decides
    CHECK(foreign.escapes == V{"app.labels"});
}

TEST_CASE("an assignment expression binds the module's name from a lambda's default in a comprehension and from an annotated target's index") {
    CHECK(read_python_module("down_revision = '003'\n_fs = [lambda x=(down_revision := '002'): x for _ in (1,)]\n")
              .names.at("down_revision")
              .value.kind == PyValue::Kind::Computed);
    CHECK(value_of(read_python_module("down_revision = '003'\n_d = {}\n_d[(down_revision := '002')]: int\n"),
                   "down_revision")
              .items == std::vector<std::string>{"002"});
}

TEST_CASE("a function called at import does not evaluate the annotations of its body") {
    CHECK_FALSE(read_python_module("def _f():\n    _x: _undefined = 1\n\n_f()\n").import_error);
    CHECK(read_python_module("_x: _undefined = 1\n").import_error);  // the module's own are evaluated
    const auto m = read_python_module("def _f():\n    global _g\n    _g = 1\n\n_f()\n");
    REQUIRE(m.unprovable);
    CHECK(m.unprovable->message.find("a function called at import") != std::string::npos);
}

TEST_CASE("a list among the four names is proven only while no code run at import can reach it") {
    CHECK_FALSE(read_python_module("down_revision = ['003', '002']\n").unprovable);
    CHECK(read_python_module("down_revision = ['003']\ndown_revision.append('002')\n").unprovable);
    CHECK(read_python_module("_p = ['003']\ndown_revision = _p\n_p.clear()\n").unprovable);
    CHECK(read_python_module("down_revision = ('003', ['002'])\nprint(down_revision)\n").unprovable);
    // A tuple cannot change.
    CHECK_FALSE(read_python_module("down_revision = ('003',)\nprint(down_revision)\n").unprovable);
    // Binding the list to another name at the top changes nothing; any other use may.
    CHECK_FALSE(read_python_module("_p = ['003']\ndown_revision = _p\n_q = (_p, 1)\n").unprovable);
    CHECK(read_python_module("_p = ['003']\ndown_revision = _p\nif True:\n    _q = _p\n").unprovable);
    CHECK(read_python_module("_p = ['003']\ndown_revision = _p\n_q = _p\n_q.pop()\n").unprovable);
}

TEST_CASE("a list other names hold is not reported as written once code run at import can change it") {
    // The standard library's email/mime/audio.py: a decorator appends to a module list.
    auto m = read_python_module("_rules = []\ndef rule(f):\n    _rules.append(f)\n    return f\n@rule\ndef g():\n    pass\n");
    CHECK_FALSE(m.unprovable);
    CHECK(value_of(m, "_rules").kind == PyValue::Kind::Computed);
    CHECK(value_of(read_python_module("_rules = []\n_t = ('a',)\n"), "_rules").kind == PyValue::Kind::Sequence);
}

TEST_CASE("a class Python subclasses at import has its __init_subclass__ followed") {
    CHECK(read_python_module("P = '003'\nclass B:\n    def __init_subclass__(cls):\n        global P\n        P = '002'\n"
                             "class X(B):\n    pass\ndown_revision = P\n")
              .unprovable);
}

TEST_CASE("an assignment expression anywhere in a comprehension's outermost iterable is a SyntaxError, in a lambda too") {
    // Found by CPython's own test_named_expressions.py through the corpus suite (bpo-37757).
    CHECK(read_python_module("{i for i in (lambda: (j := ()))}\n").syntax_error);
    CHECK(read_python_module("[x for x in [y for y in z if (w := 1)]]\n").syntax_error);
    CHECK_FALSE(read_python_module("z = ()\nf = lambda: [(j := 1) for i in z]\n").syntax_error);
    CHECK_FALSE(read_python_module("y = ()\nx = [x for x in y if (lambda: (j := 1))]\n").syntax_error);
}

TEST_CASE("a class pattern's keyword named __debug__ is a SyntaxError, as an assignment to it is") {
    // Found by the corpus suite: CPython's compiler checks keyword attributes as stores.
    CHECK(read_python_module("match c:\n    case i(__debug__=1):\n        pass\n").syntax_error);
    CHECK_FALSE(read_python_module("c = 1\nmatch c:\n    case int(real=1):\n        pass\n").syntax_error);
}

TEST_CASE("x.__debug__ is refused only as a store: deleted or changed in place it compiles, as in CPython") {
    CHECK(read_python_module("x = 1\nx.__debug__ = 1\n").syntax_error);
    CHECK(read_python_module("__debug__ += 1\n").syntax_error);
    CHECK_FALSE(read_python_module("x = 1\nx.__debug__ += 1\n").syntax_error);
    CHECK_FALSE(read_python_module("x = 1\ndel x.__debug__\n").syntax_error);
}

TEST_CASE("barry_as_FLUFL turns '<>' into '!=' only from Python 3.13 on: before, a file's own future import leaves both as they were") {
    const std::string diamond = "from __future__ import barry_as_FLUFL\nx = 1 <> 2\n";
    const std::string not_equal = "from __future__ import barry_as_FLUFL\nx = 1 != 2\n";
    for (int minor : {11, 12}) {
        CAPTURE(minor);
        const ag::py::PythonVersion v{3, minor};
        CHECK(ag::read_python_module(diamond, v).syntax_error);  // CPython 3.11/3.12: invalid syntax
        CHECK_FALSE(ag::read_python_module(not_equal, v).syntax_error);
    }
    const ag::py::PythonVersion v313{3, 13};
    CHECK_FALSE(ag::read_python_module(diamond, v313).syntax_error);
    CHECK(ag::read_python_module(not_equal, v313).syntax_error);
}
