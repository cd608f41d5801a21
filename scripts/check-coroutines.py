#!/usr/bin/env python3
"""Checks rapid's coroutines against the GCC 12 rules of docs/architecture.md.

GCC 12 (Debian 12's compiler) miscompiles some constructs inside coroutines:
the result is a crash on resume, not a compile error, and only in some
builds. This checker finds them in the source, so a rule broken today fails
a test instead of a request next month.

In the body of every coroutine (a function or lambda whose own body has
co_await, co_return or co_yield; nested lambdas are judged on their own):
  condition   co_await in an if/while/for/switch condition, or in an
              expression with ?:, && or ||;
  brace-init  a braced initializer: Json::array({...}), T{...}, = {...},
              return {...}, f(x, {...});
  void-return co_return co_await ... in a coroutine returning awaitable<void>;
  constexpr   co_await inside an `if constexpr` branch;
  catch       co_await inside a catch block.

It reads C++ as tokens (comments, strings and preprocessor lines removed)
and knows only as much grammar as these rules need.

Usage: check-coroutines.py [PATH...]   (default: src/ of the repository)
Exits 1 and prints file:line: rule: text for every finding.
Standard library only.
"""

import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>(?:u8|u|U|L)?R"(?P<delim>[^(\s]*)\(.*?\)(?P=delim)"
              |(?:u8|u|U|L)?"(?:\\.|[^"\\\n])*"
              |(?:u8|u|U|L)?'(?:\\.|[^'\\\n])*')
  | (?P<number>\.?\d(?:[\w.']|[eEpP][+-])*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<punct>::|->\*?|\.\.\.|<<=|>>=|<=>|&&|\|\||[-+*/%&|^!=<>]=|\+\+|--|<<|[{}()\[\];,?:<>.=&|!~^+\-*/%#])
""", re.S | re.X)

COROUTINE_KEYWORDS = {"co_await", "co_return", "co_yield"}
CONTROL = {"if", "while", "for", "switch"}
# Tokens after which a "{" opens a block rather than an initializer.
BLOCK_OPENERS = {";", "{", "}", "else", "do", "try", ":"}


class Token:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind, text, line):
        self.kind, self.text, self.line = kind, text, line

    def __repr__(self):
        return "%s@%d" % (self.text, self.line)


def tokenize(source):
    """Tokens of C++ source without whitespace, comments and preprocessor lines."""
    # Preprocessor lines (with continuations) carry no coroutine code.
    source = re.sub(r"^[ \t]*#(?:[^\n\\]|\\.)*", lambda m: "\n" * m.group(0).count("\n"),
                    source, flags=re.M | re.S)
    tokens, pos, line = [], 0, 1
    while pos < len(source):
        match = TOKEN_RE.match(source, pos)
        if not match:
            raise ValueError("line %d: cannot read %r" % (line, source[pos:pos + 20]))
        kind = match.lastgroup if match.lastgroup != "delim" else "string"
        text = match.group(0)
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, text, line))
        line += text.count("\n")
        pos = match.end()
    return tokens


def matching(tokens, start, open_text, close_text):
    """Index of the token closing the group opened at tokens[start]."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].text == open_text:
            depth += 1
        elif tokens[i].text == close_text:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("line %d: unbalanced %r" % (tokens[start].line, open_text))


class Body:
    """A function or lambda body: tokens[open] is its "{", tokens[close] its "}"."""

    def __init__(self, open_index, close_index, returns_void, is_lambda):
        self.open, self.close = open_index, close_index
        self.returns_void = returns_void
        self.is_lambda = is_lambda
        self.children = []


def find_bodies(tokens):
    """Every function and lambda body, nested lambdas as children of their body."""
    bodies = []
    stack = []  # (close index, body) of bodies we are inside
    i = 0
    while i < len(tokens):
        while stack and i > stack[-1][0]:
            stack.pop()
        if tokens[i].text == "{":
            kind = body_kind(tokens, i)
            if kind:
                close = matching(tokens, i, "{", "}")
                body = Body(i, close, returns_void(tokens, i, kind), kind == "lambda")
                (stack[-1][1].children if stack else bodies).append(body)
                stack.append((close, body))
        i += 1
    return bodies


def skip_back_specifiers(tokens, i):
    """Index of the last token before "{" once const/noexcept/override/-> T are skipped."""
    j = i - 1
    while j >= 0:
        text = tokens[j].text
        if text in ("const", "noexcept", "override", "final", "mutable", "volatile", "&", "&&"):
            j -= 1
            continue
        if text == ")" and j >= 1:
            # noexcept(...) or a trailing requires/attribute group: only after
            # the parameter list, so keep it as the parameter list's ")".
            return j
        break
    return j


def trailing_return_start(tokens, i):
    """For "... ) -> T {", the index of "->"; else None."""
    j = i - 1
    depth = 0
    while j >= 0:
        text = tokens[j].text
        if text in (">", ")", "]"):
            depth += 1
        elif text in ("<", "(", "["):
            if depth == 0:
                return None
            depth -= 1
        elif depth == 0 and text == "->":
            return j
        elif depth == 0 and text in (";", "{", "}", "="):
            return None
        j -= 1
    return None


def body_kind(tokens, i):
    """"function" or "lambda" when tokens[i] == "{" opens a body, else None."""
    arrow = trailing_return_start(tokens, i)
    j = skip_back_specifiers(tokens, arrow if arrow is not None else i)
    if j < 0:
        return None
    if tokens[j].text == "]":  # [captures] { ... }
        return "lambda"
    if tokens[j].text != ")":
        return None
    open_paren = opening(tokens, j, "(", ")")
    before = tokens[open_paren - 1] if open_paren > 0 else None
    if before is None:
        return None
    if before.text == "]":
        return "lambda"
    if before.text in CONTROL or before.text in ("catch", "constexpr"):
        return None
    if before.kind == "ident" or before.text in (">", "operator"):
        # name(...) {: a function (or constructor, after its member
        # initializers) definition.
        return "function"
    return None


def opening(tokens, close, open_text, close_text):
    depth = 0
    for j in range(close, -1, -1):
        if tokens[j].text == close_text:
            depth += 1
        elif tokens[j].text == open_text:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("line %d: unbalanced %r" % (tokens[close].line, close_text))


def returns_void(tokens, i, kind):
    """Whether the body's declared return type is awaitable<void>."""
    arrow = trailing_return_start(tokens, i)
    if arrow is not None:
        text = "".join(t.text for t in tokens[arrow + 1:i])
        return "awaitable<void" in text
    if kind == "lambda":
        return False
    # Walk back from the parameter list to the start of the declaration.
    j = skip_back_specifiers(tokens, i)
    open_paren = opening(tokens, j, "(", ")")
    k = open_paren - 1
    while k >= 0 and tokens[k].text not in (";", "{", "}", ")", ":"):
        k -= 1
    return "awaitable<void>" in "".join(t.text for t in tokens[k + 1:open_paren])


def own_ranges(body):
    """Token index ranges of the body without its nested lambda bodies."""
    ranges, start = [], body.open + 1
    for child in body.children:
        ranges.append((start, child.open))
        start = child.close + 1
    ranges.append((start, body.close))
    return ranges


def own_tokens(tokens, body):
    return [(i, tokens[i]) for a, b in own_ranges(body) for i in range(a, b)]


def is_coroutine(tokens, body):
    return any(t.text in COROUTINE_KEYWORDS for _, t in own_tokens(tokens, body))


class Checker:
    def __init__(self, path, tokens):
        self.path, self.tokens = path, tokens
        self.findings = []

    def report(self, line, rule, text):
        finding = "%s:%d: %s: %s" % (self.path, line, rule, text)
        if finding not in self.findings:
            self.findings.append(finding)

    def check(self):
        def visit(body):
            if is_coroutine(self.tokens, body):
                self.check_coroutine(body)
            for child in body.children:
                visit(child)
        for body in find_bodies(self.tokens):
            visit(body)
        return self.findings

    def snippet(self, a, b):
        return " ".join(t.text for t in self.tokens[a:b + 1])[:120]

    def check_coroutine(self, body):
        toks = self.tokens
        own = own_tokens(toks, body)
        own_index = {i for i, _ in own}
        nested = [(c.open, c.close) for c in body.children]

        def in_nested(i):
            return any(a <= i <= b for a, b in nested)

        def has_await(a, b):
            return any(toks[i].text == "co_await" and not in_nested(i) for i in range(a, b + 1))

        for i, tok in own:
            # condition: if/while/for/switch (...) with co_await inside
            if tok.text in CONTROL:
                j = i + 1
                if j < len(toks) and toks[j].text == "constexpr":
                    j += 1
                if j < len(toks) and toks[j].text == "(":
                    close = matching(toks, j, "(", ")")
                    if has_await(j, close):
                        self.report(tok.line, "condition", self.snippet(i, close))
            # constexpr: co_await inside an if constexpr branch
            if tok.text == "if" and i + 1 < len(toks) and toks[i + 1].text == "constexpr":
                close = matching(toks, i + 2, "(", ")")
                end = self.statement_end(close + 1)
                if has_await(close + 1, end):
                    self.report(tok.line, "constexpr", self.snippet(i, close))
            # catch: co_await inside a handler
            if tok.text == "catch":
                close = matching(toks, i + 1, "(", ")")
                end = matching(toks, close + 1, "{", "}")
                if has_await(close + 1, end):
                    self.report(tok.line, "catch", self.snippet(i, close))
            # brace-init
            if tok.text == "{" and i in own_index and not self.opens_block(i):
                self.report(tok.line, "brace-init", self.snippet(max(i - 3, body.open + 1),
                                                                 min(i + 3, body.close - 1)))
            # void-return
            if (tok.text == "co_return" and body.returns_void and i + 1 < len(toks)
                    and toks[i + 1].text == "co_await"):
                self.report(tok.line, "void-return", self.snippet(i, i + 4))

        for start, end in self.statements(body):
            if not has_await(start, end):
                continue
            for k in range(start, end + 1):
                if in_nested(k):
                    continue
                text = toks[k].text
                if text == "?" or (text in ("&&", "||") and not self.is_reference_decl(start, k)):
                    self.report(toks[k].line, "condition", self.snippet(start, end))
                    break

    def statement_end(self, i):
        """Last token of the statement or block starting at tokens[i]."""
        toks = self.tokens
        if toks[i].text == "{":
            return matching(toks, i, "{", "}")
        depth = 0
        for j in range(i, len(toks)):
            if toks[j].text in "([{":
                depth += 1
            elif toks[j].text in ")]}":
                depth -= 1
            elif toks[j].text == ";" and depth == 0:
                return j
        return len(toks) - 1

    def statements(self, body):
        """(first, last) token indices of each expression statement in the body."""
        toks = self.tokens
        out, start, depth = [], None, 0
        for i in range(body.open + 1, body.close):
            text = toks[i].text
            if start is None:
                if text in ("{", "}", ";"):
                    continue
                start = i
            if text in ("(", "["):
                depth += 1
            elif text in (")", "]"):
                depth -= 1
            elif depth == 0 and text in (";", "{", "}"):
                out.append((start, i - 1 if text != ";" else i))
                start = None
        return out

    def is_reference_decl(self, start, k):
        """`auto&& x = ...`, `T&& x = ...`: a declaration, not a logical and."""
        toks = self.tokens
        if toks[k].text != "&&" or k + 1 >= len(toks) or toks[k + 1].kind != "ident":
            return False
        before = toks[k - 1]
        return before.text in ("auto", ">") or (before.kind == "ident" and k - 1 == start)

    def opens_block(self, i):
        """Whether the "{" at tokens[i] opens a block (not a braced initializer)."""
        toks = self.tokens
        prev = toks[i - 1]
        if prev.text in BLOCK_OPENERS:
            # "case X:" / "default:" / labels; "? a : {" cannot happen in rapid.
            return True
        if prev.text == ")":
            open_paren = opening(toks, i - 1, "(", ")")
            before = toks[open_paren - 1]
            return before.text in CONTROL or before.text in ("catch", "constexpr", "]")
        if prev.text == "]":
            return True  # a lambda's body (judged separately)
        return False


def check_file(path):
    with open(path, encoding="utf-8") as f:
        tokens = tokenize(f.read())
    return Checker(os.path.relpath(path, REPO) if path.startswith(REPO) else path,
                   tokens).check()


def sources(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, _, files in os.walk(path):
                for name in sorted(files):
                    if name.endswith((".cpp", ".h")):
                        yield os.path.join(root, name)
        else:
            yield path


def main(argv):
    paths = argv[1:] or [os.path.join(REPO, "src")]
    findings = []
    for path in sources(paths):
        findings += check_file(path)
    for finding in findings:
        print(finding)
    if findings:
        print("%d construct(s) GCC 12 may miscompile inside coroutines: see the coroutine "
              "rules in docs/architecture.md" % len(findings), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
