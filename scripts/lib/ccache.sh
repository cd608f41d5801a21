# Sourced by the scripts that configure a build tree (build, test-sanitizers,
# fuzz-ci, build-package), from the checkout's root. Sets ccache_launcher to
# the CMake argument that puts ccache in front of the compiler, or to nothing
# when ccache is not installed.
#
# CI builds a new clone in a new directory each time. ccache keys on absolute
# paths and, with -g, on the working directory, so without the two settings
# below every tree of every CI run would compile from scratch (four trees,
# about 25 minutes on two cores). With them the paths are taken relative to
# the checkout, and a clone anywhere hits what earlier checkouts compiled.
# The cost: the debug info of a cached object names the directory of the
# checkout that compiled it first (only a debugger notices; the tests find
# their data through absolute paths from CMake, tests/support/test_data.cpp).
ccache_launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  ccache_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
