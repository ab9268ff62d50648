#include "support/json_text.hpp"
#include "support/utf8.hpp"

#include <doctest/doctest.h>

#include <string>

using nlohmann::ordered_json;

namespace {
std::string quoted(std::string_view s) {
    std::string out;
    ag::append_json_string(out, s);
    return out;
}
}  // namespace

TEST_CASE("UTF-8 documents are laid out exactly as nlohmann's dump lays them out") {
    ordered_json j;
    j["commit"] = nullptr;
    j["ok"] = false;
    j["name"] = "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \"q\" back\\slash\ttab\x01\x7f";
    j["count"] = 2;
    j["empty_list"] = ordered_json::array();
    j["empty_object"] = ordered_json::object();
    j["nested"] = {{"heads", {"031", "032"}}, {"line", -3}, {"ratio", 0.5}};
    for (int indent : {-1, 0, 2, 4}) CHECK(ag::json_text(j, indent) == j.dump(indent));
    CHECK(ag::json_text(ordered_json::array()) == "[]");
    CHECK(ag::json_text(ordered_json("x")) == "\"x\"");
}

TEST_CASE("each byte that starts no UTF-8 character is written as Python's surrogateescape writes it") {
    // The expected texts are what json.dumps(os.fsdecode(b)) gives in CPython.
    CHECK(quoted("caf\xe9") == R"("caf\udce9")");
    CHECK(quoted("\xe2\x82") == R"("\udce2\udc82")");                   // a truncated character
    CHECK(quoted("\xc0\xaf") == R"("\udcc0\udcaf")");                   // an overlong '/'
    CHECK(quoted("\xed\xb3\xa9") == R"("\udced\udcb3\udca9")");         // a surrogate in UTF-8 form
    CHECK(quoted("\xf4\x90\x80\x80") == R"("\udcf4\udc90\udc80\udc80")");  // above U+10FFFF
    CHECK(quoted("a\xe9\xe9\xc3\xa9") == "\"a\\udce9\\udce9\xc3\xa9\"");  // a valid character after two bad bytes
    CHECK(quoted("\xff") == R"("\udcff")");
    CHECK(quoted("\x80") == R"("\udc80")");
}

TEST_CASE("a document holding bytes that are not UTF-8 is valid UTF-8 JSON, keys included") {
    ordered_json j;
    j["files"] = {"alembic/versions/004_d\xe9j\xe0.py"};
    j["heads_after"] = {{"env \xff", {"003\xe9"}}};
    std::string text;
    CHECK_NOTHROW(text = ag::json_text(j, 2));
    CHECK(ag::is_utf8(text));
    CHECK(text.find(R"("alembic/versions/004_d\udce9j\udce0.py")") != std::string::npos);
    CHECK(text.find(R"("env \udcff": [)") != std::string::npos);
    CHECK(text.find(R"("003\udce9")") != std::string::npos);
    CHECK_THROWS(j.dump());  // what every output did before
}

TEST_CASE("UTF-8 characters are recognised by Unicode's table of well-formed sequences") {
    CHECK(ag::utf8_length_at("a", 0) == 1);
    CHECK(ag::utf8_length_at("\xc3\xa9", 0) == 2);
    CHECK(ag::utf8_length_at("\xe2\x80\x94", 0) == 3);
    CHECK(ag::utf8_length_at("\xf0\x9f\x98\x80", 0) == 4);
    CHECK(ag::utf8_length_at("\xf4\x8f\xbf\xbf", 0) == 4);  // U+10FFFF
    CHECK(ag::utf8_length_at("\xed\x9f\xbf", 0) == 3);      // U+D7FF, just below the surrogates
    CHECK(ag::utf8_length_at("\xc3", 0) == 0);
    CHECK(ag::utf8_length_at("\xc1\xbf", 0) == 0);
    CHECK(ag::utf8_length_at("\xe0\x9f\xbf", 0) == 0);
    CHECK(ag::utf8_length_at("\xed\xa0\x80", 0) == 0);
    CHECK(ag::utf8_length_at("\xf0\x8f\xbf\xbf", 0) == 0);
    CHECK(ag::utf8_length_at("\xf4\x90\x80\x80", 0) == 0);
    CHECK(ag::utf8_length_at("\xf5\x80\x80\x80", 0) == 0);
    CHECK(ag::utf8_length_at("ab", 2) == 0);
    CHECK(ag::is_utf8(""));
    CHECK(ag::is_utf8("caf\xc3\xa9"));
    CHECK_FALSE(ag::is_utf8("caf\xe9"));
}
