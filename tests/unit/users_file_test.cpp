// The RAPI users file and password checks (http.auth.ParsePasswordFile and
// VerifyBasicAuthPassword of Ganeti 3.0.2; test/py/ganeti.http_unittest.py).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/users.h"

namespace rapid::auth {
namespace {

using Options = std::vector<std::string>;

ParseResult parse(std::string_view contents) {
  auto result = parse_users_file(contents);
  EXPECT_TRUE(result.has_value()) << "rejected: " << contents;
  return result ? std::move(*result) : ParseResult{};
}

// Password and options of `name`, or a failure when the user is missing.
::testing::AssertionResult has_user(const UserTable& table, const std::string& name,
                                    const std::string& password, const Options& options) {
  const User* user = table.find(name);
  if (!user) return ::testing::AssertionFailure() << "no user '" << name << "'";
  if (user->name != name) return ::testing::AssertionFailure() << "name " << user->name;
  if (user->password != password) {
    return ::testing::AssertionFailure()
           << "password '" << user->password << "' != '" << password << "'";
  }
  if (user->options != options) {
    std::string got;
    for (const auto& o : user->options) got += "[" + o + "]";
    return ::testing::AssertionFailure() << "options " << got;
  }
  return ::testing::AssertionSuccess();
}

// --- ganeti.http_unittest.py: TestReadPasswordFile ------------------------

TEST(UsersFile, SimpleLineIsOneUserWithoutOptions) {
  const auto result = parse("user1 password");
  EXPECT_EQ(result.table.size(), 1u);
  EXPECT_TRUE(has_user(result.table, "user1", "password", {}));
  EXPECT_TRUE(result.warnings.empty());
}

TEST(UsersFile, CommentsBlankLinesOptionsAndInvalidLine) {
  const auto result = parse(
      "# Passwords\n"
      "user1 password\n"
      "\n"
      "# Comment\n"
      "user2 pw write,read\n"
      "   \t# Another comment\n"
      "invalidline\n");
  EXPECT_EQ(result.table.size(), 2u);
  EXPECT_TRUE(has_user(result.table, "user1", "password", {}));
  EXPECT_TRUE(has_user(result.table, "user2", "pw", {"write", "read"}));
  EXPECT_TRUE(result.table.find("user2")->has_option("write"));
  EXPECT_TRUE(result.table.find("user2")->has_option("read"));
  EXPECT_FALSE(result.table.find("user1")->has_option("write"));
  EXPECT_EQ(result.table.find("invalidline"), nullptr);
  EXPECT_EQ(result.table.find("#"), nullptr);
  // Exactly one warning: the invalid line.
  EXPECT_EQ(result.warnings.size(), 1u);
}

// --- Line handling ----------------------------------------------------------

TEST(UsersFile, EmptyAndWhitespaceOnlyContents) {
  EXPECT_EQ(parse("").table.size(), 0u);
  EXPECT_EQ(parse("\n\n \t \n").table.size(), 0u);
  EXPECT_TRUE(parse("\n\n \t \n").warnings.empty());
}

TEST(UsersFile, NoTrailingNewlineNeeded) {
  const auto result = parse("a pa\nb pb write");
  EXPECT_TRUE(has_user(result.table, "a", "pa", {}));
  EXPECT_TRUE(has_user(result.table, "b", "pb", {"write"}));
}

TEST(UsersFile, CommentsOnlyAtLineStartAfterStripping) {
  const auto result = parse(
      "#admin secret write\n"
      "   # indented comment\n"
      "\t\t#tabbed comment\n"
      "user pw write # not a comment\n");
  EXPECT_EQ(result.table.size(), 1u);
  // No trailing comments: "write # not a comment" is one (unknown) option.
  EXPECT_TRUE(has_user(result.table, "user", "pw", {"write # not a comment"}));
  EXPECT_FALSE(result.table.find("user")->has_option("write"));
}

TEST(UsersFile, HashInsideFieldsIsData) {
  const auto result = parse("us#er p#w\n");
  EXPECT_TRUE(has_user(result.table, "us#er", "p#w", {}));
}

TEST(UsersFile, SurroundingWhitespaceStripped) {
  const auto result = parse("   \t user   pw   write  \t \n");
  EXPECT_TRUE(has_user(result.table, "user", "pw", {"write"}));
}

TEST(UsersFile, CrLfLineEndings) {
  const auto result = parse("a pa write\r\nb pb read\r\n\r\n# c\r\nc pc\r\n");
  EXPECT_EQ(result.table.size(), 3u);
  EXPECT_TRUE(has_user(result.table, "a", "pa", {"write"}));
  EXPECT_TRUE(has_user(result.table, "b", "pb", {"read"}));
  EXPECT_TRUE(has_user(result.table, "c", "pc", {}));
}

TEST(UsersFile, BareCarriageReturnSeparatesLines) {
  const auto result = parse("a pa\rb pb write\r");
  EXPECT_TRUE(has_user(result.table, "a", "pa", {}));
  EXPECT_TRUE(has_user(result.table, "b", "pb", {"write"}));
}

TEST(UsersFile, EveryUnicodeLineBreakOfSplitlines) {
  // Python's str.splitlines(): \v \f \x1c \x1d \x1e \x85 U+2028 U+2029.
  const std::vector<std::string> breaks = {"\n",       "\r",           "\r\n",        "\x0b",
                                           "\x0c",     "\x1c",         "\x1d",        "\x1e",
                                           "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9"};
  for (const auto& br : breaks) {
    SCOPED_TRACE(::testing::PrintToString(br));
    const auto result = parse("a pa write" + br + "b pb read" + br + "#c pc" + br);
    EXPECT_EQ(result.table.size(), 2u);
    EXPECT_TRUE(has_user(result.table, "a", "pa", {"write"}));
    EXPECT_TRUE(has_user(result.table, "b", "pb", {"read"}));
  }
}

TEST(UsersFile, UnitSeparatorIsWhitespaceButNotALineBreak) {
  // "\x1f" is str.isspace() but not a splitlines() boundary.
  const auto result = parse("a\x1fpa\x1fwrite\n");
  EXPECT_EQ(result.table.size(), 1u);
  EXPECT_TRUE(has_user(result.table, "a", "pa", {"write"}));
}

TEST(UsersFile, UnicodeWhitespaceSplitsAndStrips) {
  // NBSP, EM SPACE and IDEOGRAPHIC SPACE are whitespace for str.split().
  const auto result = parse("\xc2\xa0u\xe2\x80\x83p\xe3\x80\x80write\xc2\xa0\n");
  EXPECT_TRUE(has_user(result.table, "u", "p", {"write"}));
}

TEST(UsersFile, NonAsciiNamesAndPasswordsKept) {
  const auto result = parse("j\xc3\xb6rg p\xc3\xa4ss write\n");
  EXPECT_TRUE(has_user(result.table, "j\xc3\xb6rg", "p\xc3\xa4ss", {"write"}));
}

// --- Options ---------------------------------------------------------------

TEST(UsersFile, CommaSeparatedOptionsAreStripped) {
  const auto result = parse(
      "a pw write,read\n"
      "b pw write, read\n"
      "c pw  read ,  write \n"
      "d pw write,,read\n"
      "e pw foo,WRITE\n");
  EXPECT_TRUE(has_user(result.table, "a", "pw", {"write", "read"}));
  EXPECT_TRUE(has_user(result.table, "b", "pw", {"write", "read"}));
  EXPECT_TRUE(has_user(result.table, "c", "pw", {"read", "write"}));
  EXPECT_TRUE(has_user(result.table, "d", "pw", {"write", "", "read"}));
  // Unknown options are kept; options are case-sensitive.
  EXPECT_TRUE(has_user(result.table, "e", "pw", {"foo", "WRITE"}));
  EXPECT_FALSE(result.table.find("e")->has_option("write"));
}

TEST(UsersFile, SpaceSeparatedOptionsAreOneOption) {
  // Only the first two whitespace runs split: "write read" is one option.
  const auto result = parse("user pw write read\n");
  EXPECT_TRUE(has_user(result.table, "user", "pw", {"write read"}));
  EXPECT_FALSE(result.table.find("user")->has_option("write"));
  EXPECT_FALSE(result.table.find("user")->has_option("read"));
  const auto tabs = parse("user pw write\t \tread\n");
  EXPECT_TRUE(has_user(tabs.table, "user", "pw", {"write\t \tread"}));
}

TEST(UsersFile, LaterLineReplacesEarlier) {
  const auto result = parse(
      "user first write\n"
      "other x\n"
      "user second\n");
  EXPECT_EQ(result.table.size(), 2u);
  EXPECT_TRUE(has_user(result.table, "user", "second", {}));
}

TEST(UsersFile, UserNamesAreCaseSensitive) {
  const auto result = parse("User a write\nuser b read\n");
  EXPECT_EQ(result.table.size(), 2u);
  EXPECT_TRUE(has_user(result.table, "User", "a", {"write"}));
  EXPECT_TRUE(has_user(result.table, "user", "b", {"read"}));
  EXPECT_EQ(result.table.find("USER"), nullptr);
}

TEST(UsersFile, MalformedLinesSkippedWithOneWarningEach) {
  const auto result = parse(
      "lonely\n"
      "good pw\n"
      "   alone   \n"
      "x\x1f\n");
  EXPECT_EQ(result.table.size(), 1u);
  EXPECT_TRUE(has_user(result.table, "good", "pw", {}));
  ASSERT_EQ(result.warnings.size(), 3u);
  for (const auto& warning : result.warnings) {
    EXPECT_EQ(warning, "Ignoring non-comment line with less than two fields");
  }
}

TEST(UsersFile, InvalidUtf8IsAParseFailure) {
  EXPECT_FALSE(parse_users_file("user p\xff\n").has_value());
  EXPECT_FALSE(parse_users_file("a b\nuser \xc3\n").has_value());
  EXPECT_FALSE(parse_users_file("\xed\xa0\x80 x\n").has_value());  // a surrogate
  EXPECT_FALSE(parse_users_file("\xc0\xaf x\n").has_value());      // overlong
  EXPECT_TRUE(parse_users_file("user p\xc3\xa9\n").has_value());
}

// --- Permissions (upstream's role-based syntax) ------------------------------

using Names = std::vector<std::string>;

Names names_of(const PermissionSet& set) {
  Names out;
  for (const auto name : set.names()) out.emplace_back(name);
  return out;
}

// What `options` resolve to; `ignored` gets the ignored options.
std::optional<PermissionSet> resolve(const Options& options, Names* ignored = nullptr) {
  Names sink;
  auto result = resolve_permissions(options, ignored ? *ignored : sink);
  return result;
}

PermissionSet role(std::string_view name) { return *find_role(name); }

TEST(Permissions, OnlyThe30WordsKeep30sRules) {
  for (const Options& options : std::vector<Options>{{},
                                                     {"read"},
                                                     {"write"},
                                                     {"write", "read"},
                                                     {"write read"},
                                                     {"foo", "WRITE"},
                                                     {"write", "", "read"},
                                                     {"all"},
                                                     {"write # not a comment"},
                                                     {"instances.rebot"},
                                                     {""}}) {
    SCOPED_TRACE(::testing::PrintToString(options));
    EXPECT_FALSE(resolve(options).has_value());
  }
}

TEST(Permissions, RolesNamesAdditionsRemovals) {
  EXPECT_EQ(resolve({"@admin"}), PermissionSet::all());
  EXPECT_EQ(resolve({"@readonly"}), role("readonly"));
  EXPECT_EQ(resolve({"@operator"}), role("operator"));
  EXPECT_EQ(names_of(*resolve({"instances.reboot"})), Names{"instances.reboot"});
  EXPECT_EQ(names_of(*resolve({"jobs.list", "instances.query"})),
            (Names{"instances.query", "jobs.list"}));
  EXPECT_EQ(names_of(*resolve({"+jobs.cancel"})), Names{"jobs.cancel"});
  // A removal alone makes a permission list, and an empty one.
  EXPECT_TRUE(resolve({"-cluster.info"})->empty());
  PermissionSet readonly_plus = role("readonly");
  readonly_plus.add("jobs.cancel");
  readonly_plus.remove("cluster.info");
  EXPECT_EQ(resolve({"@readonly", "+jobs.cancel", "-cluster.info"}), readonly_plus);
  // Two roles: the union.
  PermissionSet both = role("readonly");
  both |= role("operator");
  EXPECT_EQ(resolve({"@readonly", "@operator"}), both);
}

TEST(Permissions, OrderDoesNotMatterRemovalsWin) {
  PermissionSet admin_but = PermissionSet::all();
  admin_but.remove("jobs.cancel");
  EXPECT_EQ(resolve({"@admin", "-jobs.cancel"}), admin_but);
  EXPECT_EQ(resolve({"-jobs.cancel", "@admin"}), admin_but);
  // A removal beats an addition and an explicit name of the same permission.
  EXPECT_TRUE(resolve({"+jobs.cancel", "-jobs.cancel"})->empty());
  EXPECT_TRUE(resolve({"-jobs.cancel", "jobs.cancel"})->empty());
  EXPECT_EQ(resolve({"-instances.remove", "@admin", "+instances.remove"}),
            resolve({"@admin", "-instances.remove"}));
}

TEST(Permissions, The30WordsInsideAList) {
  // "read" means 3.0's read (@readonly and the console), "write" everything.
  PermissionSet read = role("readonly");
  read.add("instances.query.console");
  PermissionSet read_cancel = read;
  read_cancel.add("jobs.cancel");
  EXPECT_EQ(resolve({"read", "+jobs.cancel"}), read_cancel);
  EXPECT_EQ(resolve({"+jobs.cancel", "read"}), read_cancel);
  EXPECT_EQ(resolve({"read", "-instances.query.console"}), role("readonly"));
  EXPECT_EQ(resolve({"write", "-tags.set"}), [] {
    PermissionSet s = PermissionSet::all();
    s.remove("tags.set");
    return s;
  }());
  // "+read", "-write": not permission names.
  Names ignored;
  EXPECT_TRUE(resolve({"+read", "-write"}, &ignored)->empty());
  EXPECT_EQ(ignored, (Names{"+read", "-write"}));
}

TEST(Permissions, UnknownNamesAreIgnored) {
  Names ignored;
  EXPECT_EQ(resolve({"@boss", "@readonly", "+jobs.cancle", "-nope", "frob", "all", ""}, &ignored),
            role("readonly"));
  EXPECT_EQ(ignored, (Names{"@boss", "+jobs.cancle", "-nope", "frob", "all"}));
  ignored.clear();
  EXPECT_TRUE(resolve({"@"}, &ignored)->empty());
  EXPECT_EQ(ignored, Names{"@"});
  // Names are case-sensitive, as the 3.0 words are.
  ignored.clear();
  EXPECT_TRUE(resolve({"@Admin", "Jobs.List", "jobs.list"}, &ignored).has_value());
  EXPECT_EQ(ignored, (Names{"@Admin", "Jobs.List"}));
  // 3.0's words: unknown ones are reported too (3.0 said nothing).
  ignored.clear();
  EXPECT_FALSE(resolve({"write", "frob", "", "write read"}, &ignored).has_value());
  EXPECT_EQ(ignored, (Names{"frob", "write read"}));
}

TEST(Permissions, FromTheFileWithLineNumbersAndOneWarningPerName) {
  const auto result = parse(
      "# users\n"
      "ops {HA1}aac14db4597a7ace3ca0519f9a7b12dd @operator\n"
      "mon secret1 @readonly, +jobs.cancel\n"
      "bad1 secret2 @boss,+jobs.cancle\n"
      "\n"
      "bad2 secret3 @boss\n"
      "old secret4 write\n"
      "odd secret5 frob\n"
      "lonely\n");
  EXPECT_EQ(result.table.size(), 6u);
  EXPECT_EQ(result.table.find("ops")->line, 2u);
  EXPECT_EQ(result.table.find("ops")->permissions, role("operator"));
  PermissionSet mon = role("readonly");
  mon.add("jobs.cancel");
  EXPECT_EQ(result.table.find("mon")->permissions, mon);
  EXPECT_TRUE(result.table.find("bad1")->permissions->empty());
  EXPECT_FALSE(result.table.find("old")->permissions.has_value());
  EXPECT_FALSE(result.table.find("odd")->permissions.has_value());
  EXPECT_EQ(result.ignored_lines, std::vector<std::size_t>{9});
  EXPECT_EQ(result.warnings,
            (Names{"Ignoring non-comment line with less than two fields",
                   "Ignoring unknown role '@boss' (lines 4, 6); known roles: @admin @operator "
                   "@readonly",
                   "Ignoring unknown permission '+jobs.cancle' (line 4)",
                   "Ignoring unknown option 'frob' (line 8)"}));
  for (const auto& warning : result.warnings) {
    for (const char* secret : {"secret", "aac14db4"}) {
      EXPECT_EQ(warning.find(secret), std::string::npos) << warning;
    }
  }
}

TEST(Permissions, AllIsNot30sAndSaysSo) {
  const auto result = parse("a pw all\nb pw @readonly,all\n");
  EXPECT_FALSE(result.table.find("a")->permissions.has_value());
  EXPECT_EQ(result.table.find("b")->permissions, role("readonly"));
  ASSERT_EQ(result.warnings.size(), 2u);
  EXPECT_EQ(result.warnings[0],
            "Ignoring unknown option 'all' (line 1); Ganeti 3.0 gives it no meaning (upstream "
            "Ganeti reads it as @admin)");
  EXPECT_TRUE(result.warnings[1].starts_with("Ignoring unknown permission 'all' (line 2)"));
}

TEST(Permissions, ReplacedUserIsAWarning) {
  const auto result = parse("u one @admin\nu two @readonly\n");
  EXPECT_EQ(result.table.find("u")->permissions, role("readonly"));
  EXPECT_EQ(result.warnings, Names{"User 'u' on line 2 replaces the one on line 1"});
}

TEST(Permissions, SortedUsers) {
  const auto result = parse("b x\na y\nc z\n");
  Names names;
  for (const User* user : result.table.sorted()) names.push_back(user->name);
  EXPECT_EQ(names, (Names{"a", "b", "c"}));
}

// --- Password verification (ganeti.http_unittest.py TestAuth) ---------------

const std::vector<std::string> kGoodPasswords = {"pw",  "pw{", "pw}", "pw{}",       "pw{x}y",
                                                 "}pw", "0",   "123", "foo...:xyz", "TeST"};

TEST(VerifyPassword, ClearTextForms) {
  for (const auto& pw : kGoodPasswords) {
    SCOPED_TRACE(pw);
    EXPECT_TRUE(verify_password(pw, "user", pw));
    EXPECT_TRUE(verify_password("{cleartext}" + pw, "user", pw));
    EXPECT_TRUE(verify_password("{ClearText}" + pw, "user", pw));
    EXPECT_TRUE(verify_password("{CLEARTEXT}" + pw, "user", pw));
    // The realm does not matter for clear text.
    EXPECT_TRUE(verify_password(pw, "user", pw, "abc"));
  }
}

TEST(VerifyPassword, WrongPasswordAndUnknownSchemesNeverMatch) {
  for (const auto& pw : kGoodPasswords) {
    SCOPED_TRACE(pw);
    EXPECT_FALSE(verify_password("something", "user", pw));
    EXPECT_FALSE(verify_password("{000}" + pw, "user", pw));
    EXPECT_FALSE(verify_password("{unk}" + pw, "user", pw));
    EXPECT_FALSE(verify_password("{Unk}" + pw, "user", pw));
    EXPECT_FALSE(verify_password("{UNK}" + pw, "user", pw));
    // Not even the literal stored text.
    EXPECT_FALSE(verify_password("{unk}" + pw, "user", "{unk}" + pw));
  }
  EXPECT_FALSE(verify_password("{something", "user", "pw"));
  EXPECT_FALSE(verify_password("{something", "user", "{something"));
  EXPECT_FALSE(verify_password("{}pw", "user", "pw"));
  EXPECT_FALSE(verify_password("{}pw", "user", "{}pw"));
  EXPECT_FALSE(verify_password("{x", "user", "{x"));
  EXPECT_FALSE(verify_password("{", "user", "{"));
  EXPECT_FALSE(verify_password("{", "user", ""));
}

TEST(VerifyPassword, ClearTextIsExactAndCaseSensitive) {
  EXPECT_FALSE(verify_password("TeST", "user", "test"));
  EXPECT_FALSE(verify_password("pw", "user", "pw "));
  EXPECT_FALSE(verify_password("pw", "user", " pw"));
  EXPECT_FALSE(verify_password("pw", "user", "p"));
  EXPECT_FALSE(verify_password("pw", "user", ""));
  EXPECT_TRUE(verify_password("{CLEARTEXT}", "user", ""));
  EXPECT_FALSE(verify_password("{CLEARTEXT}", "user", "x"));
  // A scheme in the middle is not a scheme.
  EXPECT_TRUE(verify_password("pw{HA1}x", "user", "pw{HA1}x"));
  // Only the first "}" ends the scheme.
  EXPECT_TRUE(verify_password("{cleartext}}pw", "user", "}pw"));
}

TEST(VerifyPassword, Ha1Digest) {
  // md5("user:This is only a test:pw"), from Ganeti's own test.
  const std::string hash = "92ea58ae804481498c257b2f65561a17";
  EXPECT_TRUE(verify_password("{ha1}" + hash, "user", "pw", "This is only a test"));
  EXPECT_TRUE(verify_password("{HA1}" + hash, "user", "pw", "This is only a test"));
  EXPECT_TRUE(verify_password("{Ha1}" + hash, "user", "pw", "This is only a test"));
  EXPECT_FALSE(verify_password("{HA1}" + hash, "user", "pw", "Admin area"));
  EXPECT_FALSE(verify_password("{HA1}" + hash, "someone", "pw", "This is only a test"));
  EXPECT_FALSE(verify_password("{HA1}" + hash, "user", "something", "This is only a test"));
  // Not in RAPI's realm (the default).
  EXPECT_FALSE(verify_password("{HA1}" + hash, "user", "pw"));
}

TEST(VerifyPassword, Ha1InTheRapiRealmOnly) {
  // md5("user:Ganeti Remote API:pw") (python3 hashlib).
  const std::string lower = "aac14db4597a7ace3ca0519f9a7b12dd";
  const std::string upper = "AAC14DB4597A7ACE3CA0519F9A7B12DD";
  EXPECT_EQ(kRealm, "Ganeti Remote API");
  EXPECT_EQ(ha1_hex("user", kRealm, "pw"), lower);
  EXPECT_EQ(ha1_hex("user", "This is only a test", "pw"), "92ea58ae804481498c257b2f65561a17");
  EXPECT_TRUE(verify_password("{HA1}" + lower, "user", "pw"));
  EXPECT_TRUE(verify_password("{ha1}" + upper, "user", "pw"));
  EXPECT_TRUE(verify_password("{HA1}aac14db4597a7ACE3CA0519f9a7b12dd", "user", "pw"));
  EXPECT_FALSE(verify_password("{HA1}" + lower, "User", "pw"));
  EXPECT_FALSE(verify_password("{HA1}" + lower, "user", "PW"));
  EXPECT_FALSE(verify_password("{HA1}" + lower, "user", "pw", "Other realm"));
  // The hash itself is not a password.
  EXPECT_FALSE(verify_password("{HA1}" + lower, "user", lower));
  // Truncated or padded hashes fail.
  EXPECT_FALSE(verify_password("{HA1}" + lower.substr(1), "user", "pw"));
  EXPECT_FALSE(verify_password("{HA1}" + lower + "0", "user", "pw"));
  EXPECT_FALSE(verify_password("{HA1}", "user", "pw"));
  // Clear text named like a hash does not match as a digest.
  EXPECT_FALSE(verify_password(lower, "user", "pw"));
}

TEST(VerifyPassword, StoredFormsFromAParsedFile) {
  const auto result = parse(
      "plain pw\n"
      "clear {CLEARTEXT}pw write\n"
      "hashed {HA1}aac14db4597a7ace3ca0519f9a7b12dd read\n");
  const User* plain = result.table.find("plain");
  const User* clear = result.table.find("clear");
  const User* hashed = result.table.find("hashed");
  ASSERT_TRUE(plain && clear && hashed);
  EXPECT_TRUE(verify_password(plain->password, "plain", "pw"));
  EXPECT_TRUE(verify_password(clear->password, "clear", "pw"));
  EXPECT_FALSE(verify_password(clear->password, "clear", "{CLEARTEXT}pw"));
  // The digest binds the user name: "hashed" is not "user".
  EXPECT_FALSE(verify_password(hashed->password, "hashed", "pw"));
  EXPECT_TRUE(verify_password(hashed->password, "user", "pw"));
}

}  // namespace
}  // namespace rapid::auth
