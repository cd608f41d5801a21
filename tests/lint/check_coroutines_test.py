"""The coroutine checker (scripts/check-coroutines.py) finds what it must, and only that."""

import importlib.util
import os
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "check-coroutines.py")
spec = importlib.util.spec_from_file_location("check_coroutines", SCRIPT)
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)


def rules(source):
    """The rules the checker reports for a C++ snippet, in order."""
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(textwrap.dedent(source))
    try:
        return [finding.split(": ")[1] for finding in checker.check_file(f.name)]
    finally:
        os.unlink(f.name)


class Findings(unittest.TestCase):

    def test_await_in_conditions(self):
        self.assertEqual(rules("""
            awaitable<int> f() {
              if (co_await g()) co_return 1;
              while (!co_await g()) {}
              int x = ok ? co_await g() : 0;
              bool y = ok && co_await g();
              bool z = co_await g() || ok;
              switch (co_await g()) { default: break; }
              co_return 0;
            }"""), ["condition"] * 6)

    def test_brace_initialisation(self):
        self.assertEqual(rules("""
            awaitable<Json> f() {
              Json a = Json::array({1, 2});
              Point p{1, 2};
              Point q = {1, 2};
              static const int table[] = {1, 2};
              h(x, {1, 2});
              co_return {};
            }"""), ["brace-init"] * 6)

    def test_void_return_of_await(self):
        self.assertEqual(rules("""
            boost::asio::awaitable<void> f() { co_return co_await g(); }
            boost::asio::awaitable<int> h() { co_return co_await g(); }
            """), ["void-return"])

    def test_await_in_if_constexpr_and_catch(self):
        self.assertEqual(rules("""
            template <class T> awaitable<void> f() {
              if constexpr (kTls) { co_await g(); }
              try { co_await g(); } catch (const std::exception&) { co_await g(); }
            }"""), ["constexpr", "catch"])

    def test_lambda_coroutine_is_checked_on_its_own(self):
        self.assertEqual(rules("""
            void start() {
              Point p{1, 2};  // not a coroutine: fine
              spawn([]() -> awaitable<void> {
                Point q{1, 2};
                co_return;
              });
            }"""), ["brace-init"])


class NoFalseAlarms(unittest.TestCase):

    def test_plain_constructs_in_a_coroutine(self):
        self.assertEqual(rules("""
            asio::awaitable<Json> Client::call(std::string_view m, Json args) const {
              const bool ok = co_await acquire();
              if (!ok) { throw Error("x"); }
              auto&& ref = co_await g();
              for (const auto& item : list) { if (item && other) continue; }
              while (true) {
                try { x = co_await g(); } catch (const Error& e) { failure = e; }
                if (failure) break;
              }
              std::array<char, 64 * 1024> chunk;
              Json list = json_list(1, 2);
              auto [ec, n] = co_await read(chunk);
              do { n++; } while (n < 3);
              switch (n) { case 1: { break; } default: break; }
              const char* text = "{ not a brace }";  // nor this: {
              co_return list;
            }"""), [])

    def test_brace_init_outside_coroutines(self):
        self.assertEqual(rules("""
            struct S { int a{0}; };
            Json f() { return Json::array({1, 2}); }
            S::S(int x) : a_{x}, b_(x) { init({1}); }
            """), [])

    def test_nested_plain_lambda_in_coroutine(self):
        self.assertEqual(rules("""
            awaitable<void> f() {
              auto build = [] { return Json::array({1, 2}); };
              co_await g(build());
            }"""), [])


if __name__ == "__main__":
    unittest.main()
