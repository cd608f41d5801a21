// The command line as ganeti-rapi's optparse reads it (abbreviations,
// bundles, repetition, its error texts, measured on the real 3.0.2 binary)
// and rapid's config file, without running the binary.
#include "app/options.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "app/optparse.h"
#include "support/http_client.h"
#include "support/test_data.h"

namespace rapid::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUsageLine =
    "Usage: ganeti-rapi [-f] [-d] [-p port] [-b ADDRESS] [-i INTERFACE]\n\n";

struct Parsed {
  std::optional<Options> options;
  int exit_code = -1;
  std::string out;
  std::string err;
};

class OptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir();
    setenv("COLUMNS", "80", 1);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Parses `args` (after argv[0]); the default config file is `default_config`
  // in the temporary directory (absent unless a test writes it).
  Parsed parse(std::vector<std::string> args, const std::string& default_config = "rapid.conf") {
    args.insert(args.begin(), "/usr/sbin/ganeti-rapi");
    std::ostringstream out, err;
    Parsed parsed;
    auto outcome = parse_options(args, out, err, dir_ + "/" + default_config);
    if (auto* options = std::get_if<Options>(&outcome)) {
      parsed.options = std::move(*options);
    } else {
      parsed.exit_code = std::get<int>(outcome);
    }
    parsed.out = out.str();
    parsed.err = err.str();
    return parsed;
  }

  Options parsed_ok(const std::vector<std::string>& args) {
    auto parsed = parse(args);
    EXPECT_TRUE(parsed.options) << parsed.err;
    return parsed.options.value_or(Options{});
  }

  // The text after "ganeti-rapi: error: " of a command-line error (exit 2).
  std::string usage_error(const std::vector<std::string>& args) {
    const auto parsed = parse(args);
    EXPECT_EQ(parsed.exit_code, 2);
    const std::string prefix = std::string(kUsageLine) + "ganeti-rapi: error: ";
    if (!parsed.err.starts_with(prefix) || !parsed.err.ends_with("\n")) return "bad: " + parsed.err;
    return parsed.err.substr(prefix.size(), parsed.err.size() - prefix.size() - 1);
  }

  std::string write(const std::string& name, const std::string& contents) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  std::string dir_;
};

// Every field, for comparing whole Options.
std::string describe(const Options& o) {
  std::ostringstream s;
  s << o.foreground << o.debug << static_cast<int>(o.syslog) << " " << o.port << " "
    << o.bind_address << "|" << o.interface << "|" << o.ssl << o.ssl_key << "|" << o.ssl_cert << "|"
    << o.require_authentication << " " << o.max_clients << " " << o.limits.max_clients << " "
    << o.limits.max_header_bytes << " " << o.limits.max_body_bytes << " "
    << o.limits.handshake_timeout.count() << " " << o.limits.header_timeout.count() << " "
    << o.limits.body_timeout.count() << " " << o.limits.idle_timeout.count() << " "
    << o.limits.write_timeout.count() << " " << o.user_check << o.master_check << " "
    << o.luxi_socket << "|" << o.users_file << "|" << o.pid_file << "|" << o.log_file << "|"
    << o.ssconf_dir << "|" << o.threads << " " << o.shutdown_timeout.count() << " "
    << o.luxi_timeout.count() << " " << o.luxi_connections << " " << o.audit_log << "|" << o.audit
    << " " << o.metrics_port << " " << o.metrics_bind << "|" << o.metrics_cache.count()
    << " args:" << o.arguments.size();
  return s.str();
}

TEST_F(OptionsTest, Defaults) {
  const auto o = parsed_ok({});
  EXPECT_FALSE(o.foreground);
  EXPECT_TRUE(o.ssl);
  EXPECT_TRUE(o.user_check);
  EXPECT_TRUE(o.master_check);
  EXPECT_EQ(o.bind_address, "");
  EXPECT_EQ(o.max_clients, 1024);
  EXPECT_EQ(o.config_file, "");  // the default file is absent: fine
  EXPECT_EQ(o.program, "/usr/sbin/ganeti-rapi");
}

TEST_F(OptionsTest, UniqueAbbreviations) {
  EXPECT_TRUE(parsed_ok({"--require-auth"}).require_authentication);
  EXPECT_EQ(parsed_ok({"--max-cl", "7"}).max_clients, 7);
  EXPECT_EQ(parsed_ok({"--po=81"}).port, 81);
  EXPECT_EQ(parsed_ok({"--luxi-s", "/s"}).luxi_socket, "/s");
  EXPECT_EQ(parsed_ok({"--conf", write("x.conf", "")}).config_file, dir_ + "/x.conf");
  EXPECT_FALSE(parsed_ok({"--no-u"}).user_check);
  EXPECT_FALSE(parsed_ok({"--no-m"}).master_check);
  // What the original resolves keeps its meaning although rapid's own
  // options start the same: --ma(x-clients), --no(-ssl), --i(nterface),
  // --b(ind), --p(ort), --he(lp).
  EXPECT_EQ(parsed_ok({"--ma", "5"}).max_clients, 5);
  EXPECT_FALSE(parsed_ok({"--no"}).ssl);
  EXPECT_EQ(parsed_ok({"--i", "lo"}).interface, "lo");
  EXPECT_EQ(parsed_ok({"--b", "::1"}).bind_address, "::1");
  EXPECT_EQ(parsed_ok({"--p", "82"}).port, 82);
  EXPECT_EQ(parse({"--he"}).exit_code, 0);
  EXPECT_EQ(parse({"--ver"}).exit_code, 0);
  // Exact names are never abbreviations of longer ones.
  EXPECT_EQ(parsed_ok({"--header-timeout", "2"}).limits.header_timeout.count(), 2000);
}

TEST_F(OptionsTest, AmbiguousAbbreviations) {
  // As the original (sorted, with a question mark); rapid's own options are
  // listed too when the original's are ambiguous...
  EXPECT_EQ(usage_error({"--ssl"}),
            "ambiguous option: --ssl (--ssl-cert, --ssl-chain, --ssl-key?)");
  EXPECT_EQ(usage_error({"--s", "x"}),
            "ambiguous option: --s (--shutdown-timeout, --ssconf-dir, --ssl-cert, --ssl-chain, "
            "--ssl-key, --syslog?)");
  // ... but an abbreviation the original resolves keeps its meaning.
  EXPECT_EQ(parsed_ok({"--ssl-c", "cert.pem"}).ssl_cert, "cert.pem");
  EXPECT_EQ(parsed_ok({"--ssl-ch", "chain.pem"}).ssl_chain, "chain.pem");
  // ... and among themselves.
  EXPECT_EQ(usage_error({"--luxi"}),
            "ambiguous option: --luxi (--luxi-connections, --luxi-socket, --luxi-timeout?)");
  EXPECT_EQ(usage_error({"--max-"}), "--max-clients option requires 1 argument");
  EXPECT_EQ(usage_error({"--max-h=1", "--max-b"}), "--max-body-size option requires 1 argument");
}

TEST_F(OptionsTest, ValuesAndBundles) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--port=81"}, {"--port", "81"}, {"-p81"}, {"-p", "81"}, {"--po", "81"}}) {
    EXPECT_EQ(parsed_ok(args).port, 81) << args.front();
  }
  const auto bundle = parsed_ok({"-fdp5081"});
  EXPECT_TRUE(bundle.foreground);
  EXPECT_TRUE(bundle.debug);
  EXPECT_EQ(bundle.port, 5081);
  EXPECT_TRUE(parsed_ok({"-fdfd"}).debug);
  // The next argument is the value, whatever it looks like.
  EXPECT_EQ(parsed_ok({"-b", "-f"}).bind_address, "-f");
  EXPECT_FALSE(parsed_ok({"-b", "-f"}).foreground);
  EXPECT_EQ(parsed_ok({"--bind="}).bind_address, "");
  EXPECT_EQ(parsed_ok({"--syslog=only"}).syslog, SyslogMode::only);
  EXPECT_EQ(parsed_ok({"--sys", "yes"}).syslog, SyslogMode::yes);
  // optparse's int: a prefix picks the base.
  EXPECT_EQ(parsed_ok({"-p", "0x10"}).port, 16);
  EXPECT_EQ(parsed_ok({"-p", "010"}).port, 8);
  EXPECT_EQ(parsed_ok({"-p", "0b11"}).port, 3);
  EXPECT_EQ(parsed_ok({"-p", " 5 "}).port, 5);
  EXPECT_EQ(parsed_ok({"-p", "5_0"}).port, 50);
  EXPECT_EQ(parsed_ok({"--max-clients=-5"}).max_clients, -5);  // refused later, as CheckRapi does
}

TEST_F(OptionsTest, RepeatedOptionsLastWins) {
  EXPECT_EQ(parsed_ok({"-p", "1", "--port=2", "-p3"}).port, 3);
  EXPECT_EQ(parsed_ok({"--luxi-socket", "a", "--luxi-socket", "b"}).luxi_socket, "b");
  EXPECT_EQ(parsed_ok({"-i", "a", "--interface", "b"}).interface, "b");
  EXPECT_EQ(parsed_ok({"--syslog", "yes", "--syslog", "no"}).syslog, SyslogMode::no);
}

TEST_F(OptionsTest, PositionalArguments) {
  EXPECT_EQ(parsed_ok({"extra", "-f"}).arguments, std::vector<std::string>{"extra"});
  EXPECT_TRUE(parsed_ok({"extra", "-f"}).foreground);  // interspersed, as optparse
  const auto rest = parsed_ok({"--", "-f", "x"});
  EXPECT_EQ(rest.arguments, (std::vector<std::string>{"-f", "x"}));
  EXPECT_FALSE(rest.foreground);
  EXPECT_EQ(parsed_ok({"-"}).arguments, std::vector<std::string>{"-"});
}

// Measured: /usr/sbin/ganeti-rapi <args>; echo $? (Ganeti 3.0.2, Debian 12).
TEST_F(OptionsTest, ErrorsAsTheOriginal) {
  const auto bogus = parse({"--bogus"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_EQ(bogus.err, std::string(kUsageLine) + "ganeti-rapi: error: no such option: --bogus\n");
  EXPECT_EQ(bogus.out, "");
  EXPECT_EQ(usage_error({"--bogus=1"}), "no such option: --bogus");
  EXPECT_EQ(usage_error({"--po"}), "--port option requires 1 argument");
  EXPECT_EQ(usage_error({"--port", "x"}), "option --port: invalid integer value: 'x'");
  EXPECT_EQ(usage_error({"-p"}), "-p option requires 1 argument");
  EXPECT_EQ(usage_error({"-p5080", "-p"}), "-p option requires 1 argument");
  EXPECT_EQ(usage_error({"--no-ssl=1"}), "--no-ssl option does not take a value");
  EXPECT_EQ(usage_error({"--require-auth=1"}),
            "--require-authentication option does not take a value");
  EXPECT_EQ(usage_error({"-px"}), "option -p: invalid integer value: 'x'");
  EXPECT_EQ(usage_error({"--port="}), "option --port: invalid integer value: ''");
  EXPECT_EQ(usage_error({"-p", ""}), "option -p: invalid integer value: ''");
  EXPECT_EQ(usage_error({"--max-clients", "x"}),
            "option --max-clients: invalid integer value: 'x'");
  EXPECT_EQ(usage_error({"--max-clients"}), "--max-clients option requires 1 argument");
  EXPECT_EQ(usage_error({"--ma"}), "--max-clients option requires 1 argument");
  EXPECT_EQ(usage_error({"--syslog", "maybe"}),
            "option --syslog: invalid choice: 'maybe' (choose from 'no', 'yes', 'only')");
  EXPECT_EQ(usage_error({"--sys=maybe"}),
            "option --syslog: invalid choice: 'maybe' (choose from 'no', 'yes', 'only')");
  EXPECT_EQ(usage_error({"-fx"}), "no such option: -x");
  EXPECT_EQ(usage_error({"--bind"}), "--bind option requires 1 argument");
  EXPECT_EQ(usage_error({"--inter"}), "--interface option requires 1 argument");
  // The first problem in command-line order wins.
  EXPECT_EQ(usage_error({"--port", "x", "--bogus"}), "option --port: invalid integer value: 'x'");
  EXPECT_EQ(usage_error({"--bogus", "--help"}), "no such option: --bogus");
  EXPECT_EQ(usage_error({"-p", "it's"}), "option -p: invalid integer value: \"it's\"");
}

TEST_F(OptionsTest, RapidOptionErrorsInTheSameFormat) {
  EXPECT_EQ(usage_error({"--threads", "x"}), "option --threads: invalid integer value: 'x'");
  EXPECT_EQ(usage_error({"--pid-file"}), "--pid-file option requires 1 argument");
  EXPECT_EQ(usage_error({"--no-user-check=1"}), "--no-user-check option does not take a value");
  EXPECT_EQ(usage_error({"--idle-timeout", "soon"}),
            "option --idle-timeout: invalid floating-point value: 'soon'");
  EXPECT_EQ(usage_error({"--idle-timeout", "0"}),
            "option --idle-timeout: value out of range: '0' (seconds, above 0, at most 1e9)");
  EXPECT_EQ(usage_error({"--max-body-size", "0"}),
            "option --max-body-size: value out of range: '0' (1 to 1099511627776)");
  // The original takes any int and fails when it binds; rapid refuses at once.
  EXPECT_EQ(usage_error({"-p", "70000"}), "option -p: value out of range: '70000' (0 to 65535)");
  EXPECT_EQ(usage_error({"--port=-1"}), "option --port: value out of range: '-1' (0 to 65535)");
}

TEST_F(OptionsTest, RapidOptions) {
  const auto o = parsed_ok({"--no-user-check",     "--no-master-check",
                            "--luxi-socket",       "/l",
                            "--users-file",        "/u",
                            "--pid-file",          "/p",
                            "--log-file",          "/g",
                            "--ssconf-dir",        "/s",
                            "--threads",           "3",
                            "--max-header-size",   "100",
                            "--max-body-size",     "200",
                            "--handshake-timeout", "1.5",
                            "--header-timeout",    "2",
                            "--body-timeout",      "3",
                            "--idle-timeout",      "4",
                            "--write-timeout",     "5",
                            "--shutdown-timeout",  "6",
                            "--luxi-timeout",      "7",
                            "--luxi-connections",  "8"});
  EXPECT_FALSE(o.user_check);
  EXPECT_FALSE(o.master_check);
  EXPECT_EQ(o.luxi_socket + o.users_file + o.pid_file + o.log_file + o.ssconf_dir, "/l/u/p/g/s");
  EXPECT_EQ(o.threads, 3u);
  EXPECT_EQ(o.limits.max_header_bytes, 100u);
  EXPECT_EQ(o.limits.max_body_bytes, 200u);
  EXPECT_EQ(o.limits.handshake_timeout.count(), 1500);
  EXPECT_EQ(o.limits.header_timeout.count(), 2000);
  EXPECT_EQ(o.limits.body_timeout.count(), 3000);
  EXPECT_EQ(o.limits.idle_timeout.count(), 4000);
  EXPECT_EQ(o.limits.write_timeout.count(), 5000);
  EXPECT_EQ(o.shutdown_timeout.count(), 6000);
  EXPECT_EQ(o.luxi_timeout.count(), 7000);
  EXPECT_EQ(o.luxi_connections, 8u);
  EXPECT_EQ(parsed_ok({"--max-clients", "9"}).limits.max_clients, 9u);
}

TEST_F(OptionsTest, HelpAndVersion) {
  const auto help = parse({"--help", "--bogus"});  // acts at once, as optparse
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.err, "");
  // The original's layout (optparse, 80 columns), word for word up to its
  // --max-clients, whose default rapid adds.
  EXPECT_TRUE(help.out.starts_with(
      std::string(kUsageLine) +
      "Ganeti Remote API\n\nOptions:\n"
      "  --version             show program's version number and exit\n"
      "  -h, --help            show this help message and exit\n"
      "  --require-authentication\n"
      "                        Disable anonymous HTTP requests and require\n"
      "                        authentication\n"
      "  --max-clients=MAX_CLIENTS\n"
      "                        Number of simultaneous connections accepted by ganeti-\n"
      "                        rapi (default: 1024)\n"
      "  -f, --foreground      Don't detach from the current terminal\n"
      "  -d, --debug           Enable some debug messages\n"
      "  --syslog=SYSLOG       Enable logging to syslog (except debug messages); one\n"
      "                        of 'no', 'yes' or 'only' [no]\n"))
      << help.out;
  EXPECT_NE(
      help.out.find("  -i INTERFACE, --interface=INTERFACE\n"
                    "                        Bind interface\n"
                    "  --no-ssl              Do not secure HTTP protocol with SSL\n"
                    "  -K SSL_KEY_PATH, --ssl-key=SSL_KEY_PATH\n"
                    "                        SSL key path (default: /var/lib/ganeti/rapi.pem)\n"
                    "  -C SSL_CERT_PATH, --ssl-cert=SSL_CERT_PATH\n"
                    "                        SSL certificate path (default:\n"
                    "                        /var/lib/ganeti/rapi.pem)\n"
                    "\n  rapid options:\n"),
      std::string::npos)
      << help.out;
  EXPECT_TRUE(std::regex_search(help.out, std::regex("\n    --no-user-check +Run as any user")))
      << help.out;
  const auto version = parse({"--vers"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(version.out.starts_with("ganeti-rapi (ganeti) 3.0.2\nrapid ")) << version.out;
}

TEST_F(OptionsTest, ConfigFile) {
  const std::string file = write("own.conf",
                                 "# rapid\n"
                                 "luxi-socket = /run/l.sock\n"
                                 "users-file = \"/etc/my users\"\n"
                                 "threads = 4  # four\n"
                                 "idle-timeout = 1.5\n"
                                 "no-master-check = true\n"
                                 "no-user-check = false\n");
  const auto o = parsed_ok({"--config", file, "--threads=2"});
  EXPECT_EQ(o.config_file, file);
  EXPECT_EQ(o.luxi_socket, "/run/l.sock");
  EXPECT_EQ(o.users_file, "/etc/my users");
  EXPECT_EQ(o.threads, 2u);  // the command line wins, wherever it stands
  EXPECT_EQ(parsed_ok({"--threads=2", "--config", file}).threads, 2u);
  EXPECT_EQ(o.limits.idle_timeout.count(), 1500);
  EXPECT_FALSE(o.master_check);
  EXPECT_TRUE(o.user_check);
  // The default file is read without --config.
  write("rapid.conf", "pid-file = /tmp/x.pid\n");
  EXPECT_EQ(parsed_ok({}).pid_file, "/tmp/x.pid");
  EXPECT_EQ(parsed_ok({}).config_file, dir_ + "/rapid.conf");
  EXPECT_EQ(parsed_ok({"--pid-file", "/y.pid"}).pid_file, "/y.pid");
}

TEST_F(OptionsTest, ConfigFileErrors) {
  const auto error = [&](const std::string& contents) {
    const std::string file = write("bad.conf", contents);
    const auto parsed = parse({"--config", file});
    EXPECT_EQ(parsed.exit_code, 2) << contents;
    const std::string prefix = "ganeti-rapi: error: " + file + ": ";
    if (!parsed.err.starts_with(prefix)) return "bad: " + parsed.err;
    return parsed.err.substr(prefix.size(), parsed.err.size() - prefix.size() - 1);
  };
  EXPECT_EQ(error("bogus = 1\n"), "no such option: 'bogus'");
  EXPECT_EQ(error("luxi = /x\n"), "no such option: 'luxi'");  // no abbreviations here
  EXPECT_EQ(error("bind = 127.0.0.1\n"),
            "'bind' is an option of ganeti-rapi: give it in RAPI_ARGS (/etc/default/ganeti), "
            "which ganeti-rapi reads too");
  EXPECT_EQ(error("config = /x\n"), "'config' can only be given on the command line");
  EXPECT_EQ(error("threads = x\n"), "option threads: invalid integer value: 'x'");
  EXPECT_EQ(error("no-master-check = maybe\n"),
            "option no-master-check: invalid boolean value: 'maybe' (true or false)");
  EXPECT_EQ(error("pid-file = /a b\n"),
            "option pid-file: one value expected, got 2 (quote a value with spaces or commas)");
  EXPECT_EQ(error("threads = 1\nlog-file = /l\nthreads = 2\n"), "option threads is set twice");
  EXPECT_EQ(error("[rapid]\nthreads = 1\n"), "sections are not supported: [rapid]");
  // An explicit file must exist; the default one may be absent.
  const auto missing = parse({"--config", dir_ + "/missing.conf"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "ganeti-rapi: error: cannot read config file '" + dir_ +
                             "/missing.conf': No such file or directory\n");
  EXPECT_TRUE(parse({}, "missing.conf").options);
  // Command-line errors come first.
  write("rapid.conf", "bogus = 1\n");
  EXPECT_EQ(usage_error({"--bogus"}), "no such option: --bogus");
}

// conf/rapid.conf names every option of the "rapid options" group at its
// default: uncommented, it changes nothing.
TEST_F(OptionsTest, ShippedConfigFileIsAtTheDefaults) {
  std::ifstream shipped(rapid::testing::tests_dir() / ".." / "conf" / "rapid.conf");
  ASSERT_TRUE(shipped) << "conf/rapid.conf";
  std::string uncommented, line;
  const std::regex setting("^# ?([a-z-]+ = .*)$");
  std::set<std::string> names;
  std::smatch match;
  while (std::getline(shipped, line)) {
    if (std::regex_match(line, match, setting)) {
      uncommented += match[1].str() + "\n";
      names.insert(match[1].str().substr(0, match[1].str().find(' ')));
    }
  }
  const auto all = parse({"--config", write("all.conf", uncommented)});
  ASSERT_TRUE(all.options) << all.err;
  EXPECT_EQ(describe(*all.options), describe(parsed_ok({})));

  const std::string help = parse({"--help"}).out;
  const std::regex own("\n    --([a-z-]+)");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), own); it != std::sregex_iterator();
       ++it) {
    const std::string name = (*it)[1].str();
    if (name != "config" && name != "check-users") {  // command line only
      EXPECT_TRUE(names.count(name)) << name << " missing in conf/rapid.conf";
    }
  }
}

TEST(Optparse, PythonInt) {
  // optparse._parse_num(value, int) of Python 3.11.
  const std::vector<std::pair<std::string, std::optional<long long>>> vectors = {
      {"0x10", 16},
      {"-0x10", {}},
      {" 0x10", {}},
      {"010", 8},
      {"0o17", 15},
      {"0", 0},
      {"00", 0},
      {"09", {}},
      {"0_7", 7},
      {"0b", 0},
      {"0b12", {}},
      {"0b_1", {}},
      {"0x_1f", 31},
      {"0b0b1", 1},
      {"0 ", 0},
      {"5 ", 5},
      {" 5", 5},
      {"+5", 5},
      {"1_0", 10},
      {"1__0", {}},
      {"_1", {}},
      {"0X1F", 31},
      {"0B11", 3},
      {"\u0665", 5},
      {"0\u0667", 7},
      {"0x", {}},
      {"-0", 0},
      {"-010", -10},
      {"+0x1", {}},
      {"\t7\n", 7},
      {"0xg", {}},
      {"1e3", {}},
      {"", {}},
      {"0b1_0", 2},
      {"0o", {}},
      {"0_", {}},
      {"00x1", {}},
      {"0_x1", {}},
      {"\x1c"
       "5",
       {}},
      {"\u00a0"
       "5",
       5},
      {"- 5", {}},
      {"+-5", {}},
  };
  for (const auto& [text, expected] : vectors) {
    long long value = -12345;
    const auto status = optparse::parse_int(text, value);
    if (expected) {
      EXPECT_EQ(status, optparse::IntStatus::ok) << "'" << text << "'";
      EXPECT_EQ(value, *expected) << "'" << text << "'";
    } else {
      EXPECT_EQ(status, optparse::IntStatus::invalid) << "'" << text << "'";
    }
  }
  long long value = 0;
  EXPECT_EQ(optparse::parse_int("9223372036854775807", value), optparse::IntStatus::ok);
  EXPECT_EQ(optparse::parse_int("-9223372036854775808", value), optparse::IntStatus::ok);
  EXPECT_EQ(value, std::numeric_limits<long long>::min());
  EXPECT_EQ(optparse::parse_int("9223372036854775808", value), optparse::IntStatus::out_of_range);
  EXPECT_EQ(optparse::parse_int("99999999999999999999999999999999999999999", value),
            optparse::IntStatus::out_of_range);
}

TEST(Optparse, Wrap) {
  // textwrap.wrap of Python 3.11.
  EXPECT_EQ(
      optparse::wrap("Number of simultaneous connections accepted by ganeti-rapi", 54),
      (std::vector<std::string>{"Number of simultaneous connections accepted by ganeti-", "rapi"}));
  EXPECT_EQ(optparse::wrap("Start with --no-master-check here", 19),
            (std::vector<std::string>{"Start with --no-", "master-check here"}));
  EXPECT_EQ(optparse::wrap("a  b", 1), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(optparse::wrap("abcdefgh", 3), (std::vector<std::string>{"abc", "def", "gh"}));
  EXPECT_EQ(optparse::wrap("", 10), std::vector<std::string>{});
}

}  // namespace
}  // namespace rapid::app
