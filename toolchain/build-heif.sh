#!/bin/bash
# Runs inside the Debian sid chroot (see heif_wasm.py): builds the HEIC decoder for Pyodide as
# three WebAssembly side modules, each its own .so, for the lazily loaded `heif` wheel:
#   libde265.so                    the HEVC decoder (LGPL-3), from sid's .orig tarball
#   libheif.so                     the HEIF container (LGPL-3), bundled in the pylibheif sdist;
#                                  it links libde265.so dynamically
#   _pillow_heif.*.so              pillow-heif's extension (BSD-3); links libheif.so dynamically
# Shared, not static: LGPL-3 asks that users can swap in their own build of the libraries.
# Each links its dependencies with an rpath of $ORIGIN, and Emscripten's loader (the one inside
# pyodide.asm.mjs) resolves them there, whichever the package loader opens first.
#
# Inputs, prepared by heif_wasm.py under /build-heif: src/ (the three archives), sysconfig/
# (Pyodide's sysconfig data), toolchain/ (these scripts). Outputs in /build-heif/out/: the
# pillow-heif wheel, libde265.so, libheif.so, licences/, heif-times.txt.
set -euo pipefail

JOBS=${JOBS:-$(nproc)}
B=/build-heif
P=$B/prefix
mkdir -p "$P" "$B/work" "$B/out/licences"

# The same ABI as Pillow's build (build-in-chroot.sh): legacy wasm exceptions, wasm longjmp.
# -fvisibility=hidden: only the libraries' API (marked for export in their headers) leaves
# each side module; -DNDEBUG: no assertions in the decoder's inner loops.
ABI="-fwasm-exceptions -sSUPPORT_LONGJMP=wasm -sWASM_LEGACY_EXCEPTIONS=1"
HEIF_CFLAGS="-O2 -g0 -fPIC $ABI -fvisibility=hidden -DNDEBUG"
# -shared is a real side module with this emscripten (FAKE_DYLIBS is off); dependencies are
# looked up beside the module that needs them. The quotes keep $ORIGIN from ninja's shell and
# are removed by distutils' own splitting of LDSHARED.
HEIF_LDFLAGS="-O2 -g0 $ABI -Wl,-rpath,'\$ORIGIN'"
export EM_CACHE=/var/cache/emscripten

heif_unpack() {  # heif_unpack <glob> -> prints the source dir
    local tarball dir
    tarball=$(ls $B/src/$1 | head -n1)
    dir=$B/work/$(basename "$tarball" | sed -E 's/\.orig\.tar\..*//; s/\.tar\..*//')
    rm -rf "$dir"; mkdir -p "$dir"
    tar xf "$tarball" -C "$dir" --strip-components=1
    echo "$dir"
}

heif_timed() {  # heif_timed <name> <command...>: runs it, appends "<name> <seconds>"
    local name=$1 started=$SECONDS; shift
    echo "== $name"
    "$@"
    echo "$name $((SECONDS - started))" >> "$B/out/heif-times.txt"
}

heif_cmake() {  # heif_cmake <srcdir> <cmake args...>: a shared-library build installed in $P
    local src=$1; shift
    PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH='' \
    emcmake cmake -S "$src" -B "$src/_build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$P" -DCMAKE_INSTALL_LIBDIR=lib \
        -DCMAKE_FIND_ROOT_PATH="$P" -DCMAKE_PREFIX_PATH="$P" \
        -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=ON \
        -DCMAKE_C_FLAGS="$HEIF_CFLAGS" -DCMAKE_CXX_FLAGS="$HEIF_CFLAGS" \
        -DCMAKE_C_FLAGS_RELEASE="" -DCMAKE_CXX_FLAGS_RELEASE="" \
        -DCMAKE_SHARED_LINKER_FLAGS="$HEIF_LDFLAGS" "$@" > "$src/_cmake.log" 2>&1 \
        || { tail -n 40 "$src/_cmake.log"; return 1; }
    cmake --build "$src/_build" -j "$JOBS" > "$src/_build.log" 2>&1 \
        || { tail -n 40 "$src/_build.log"; return 1; }
    cmake --install "$src/_build" > /dev/null
}

heif_libde265() {
    local src
    src=$(heif_unpack 'libde265_*.orig.tar.[gx]z')
    # Portable C++ only (no SSE), the library alone: no dec265/enc265, SDL or tools.
    heif_cmake "$src" -DENABLE_SIMD=OFF -DENABLE_SDL=OFF -DENABLE_DECODER=OFF \
        -DENABLE_ENCODER=OFF -DENABLE_SHERLOCK265=OFF
    cp "$src/COPYING" "$B/out/licences/libde265-COPYING"
}

heif_libheif() {
    local sdist src
    sdist=$(heif_unpack 'pylibheif-*.tar.gz')
    src=$sdist/third_party/libheif
    # libheif turns off libde265's deblocking filter and SAO under Emscripten "to speed up
    # decoding from JavaScript". We recompress what we decode: blocky input is not acceptable,
    # so those two calls go (the same branch also keeps libde265 from starting threads).
    local plugin=$src/libheif/plugins/decoder_libde265.cc
    sed -i '/DE265_DECODER_PARAM_DISABLE_DEBLOCKING/d; /DE265_DECODER_PARAM_DISABLE_SAO/d' "$plugin"
    if grep -q "DISABLE_DEBLOCKING\|DISABLE_SAO" "$plugin"; then
        echo "libheif: the libde265 plugin still disables deblocking or SAO" >&2
        return 1
    fi
    # Under Emscripten heif.cc also compiles libheif's JavaScript API (embind), whose runtime
    # pyodide.asm.wasm does not have: Python calls the C API, so leave the bindings out.
    local api=$src/libheif/api/libheif/heif.cc
    sed -i 's/^#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_STANDALONE_WASM__)$/#if 0/' "$api"
    if grep -q "heif_emscripten.h" "$api" && ! grep -q "^#if 0$" "$api"; then
        echo "libheif: heif.cc still compiles the embind bindings" >&2
        return 1
    fi
    # One thread (the browser's worker has no others), no plugin loading, and of all codecs
    # only the built-in libde265 decoder: no encoders, no AV1/VVC/JPEG/JPEG 2000.
    heif_cmake "$src" -DENABLE_PLUGIN_LOADING=OFF -DENABLE_MULTITHREADING_SUPPORT=OFF \
        -DENABLE_PARALLEL_TILE_DECODING=OFF -DWITH_LIBDE265=ON -DWITH_LIBDE265_PLUGIN=OFF \
        -DLIBDE265_INCLUDE_DIR="$P/include" -DLIBDE265_LIBRARY="$P/lib/libde265.so" \
        -DWITH_X265=OFF -DWITH_KVAZAAR=OFF -DWITH_UVG266=OFF -DWITH_VVDEC=OFF -DWITH_VVENC=OFF \
        -DWITH_X264=OFF -DWITH_OpenH264_DECODER=OFF -DWITH_DAV1D=OFF -DWITH_AOM_DECODER=OFF \
        -DWITH_AOM_ENCODER=OFF -DWITH_SvtEnc=OFF -DWITH_RAV1E=OFF -DWITH_JPEG_DECODER=OFF \
        -DWITH_JPEG_ENCODER=OFF -DWITH_OpenJPEG_ENCODER=OFF -DWITH_OpenJPEG_DECODER=OFF \
        -DWITH_FFMPEG_DECODER=OFF -DWITH_OPENJPH_ENCODER=OFF -DWITH_UNCOMPRESSED_CODEC=OFF \
        -DWITH_WEBCODECS=OFF -DWITH_LIBSHARPYUV=OFF -DWITH_HEADER_COMPRESSION=OFF \
        -DWITH_EXAMPLES=OFF -DWITH_EXAMPLE_HEIF_THUMB=OFF -DWITH_EXAMPLE_HEIF_VIEW=OFF \
        -DWITH_GDK_PIXBUF=OFF -DBUILD_TESTING=OFF -DBUILD_DOCUMENTATION=OFF \
        -DWITH_FUZZERS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON \
        -DCMAKE_DISABLE_FIND_PACKAGE_Brotli=ON
    cp "$src/COPYING" "$B/out/licences/libheif-COPYING"
}

heif_pyinclude() {
    # Debian's python3.14-dev headers with pyconfig.h rewritten for wasm32 (as for Pillow).
    PYINC=$B/pyinclude/python3.14
    rm -rf "$B/pyinclude"; mkdir -p "$PYINC"
    cp -r /usr/include/python3.14/. "$PYINC/"
    python3.14 "$B/toolchain/make_pyconfig.py" "$B/sysconfig" \
        /usr/include/x86_64-linux-gnu/python3.14/pyconfig.h > "$PYINC/pyconfig.h"
}

heif_pillow_heif() {
    local src
    src=$(heif_unpack 'pillow_heif-*.tar.gz')
    # setup.py takes Emscripten for Linux: it would search the host's /usr and /lib and
    # compile with -Werror (libheif 1.23's deprecations are warnings for pillow-heif 1.8).
    python3.14 - "$src/setup.py" <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
start = text.index("else:  # let's assume it's some kind of linux")
end = text.index("self.compiler.library_dirs = ", start)
branch = text[start:end]
branch, host_dirs = re.subn(r'\n *self\._add_directory\((include|library)_dirs, "/[^"]*"\)', "", branch)
branch, werror = re.subn(r', "-Werror"', "", branch)
if host_dirs != 6 or werror != 1:
    sys.exit(f"pillow-heif setup.py changed: {host_dirs} host dirs, {werror} -Werror")
open(path, "w").write(text[:start] + branch + text[end:])
EOF
    rm -rf "$B/venv"
    python3.14 -m venv --without-pip --system-site-packages "$B/venv"
    (
        cd "$src"
        export PYTHONPATH=$B/sysconfig
        export _PYTHON_SYSCONFIGDATA_NAME=_sysconfigdata__emscripten_wasm32-emscripten
        export _PYTHON_HOST_PLATFORM=${PYODIDE_PLATFORM:?set by heif_wasm.py}
        export CC=emcc CXX=em++ AR=emar
        # The extension finds libheif.so in pillow_heif.libs/ (heif_wheel.py puts it there).
        export LDSHARED="$B/toolchain/emcc-side-module $HEIF_LDFLAGS -Wl,--no-fatal-warnings"
        LDSHARED+=" -Wl,-rpath,'\$ORIGIN/pillow_heif.libs'"
        export CFLAGS="$HEIF_CFLAGS -I$PYINC -I$P/include"
        export LDFLAGS="-L$P/lib"
        export LIBHEIF_ROOT=$P
        export PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH=
        "$B/venv/bin/python" -m pip wheel --no-build-isolation --no-deps --no-index -w "$B/out" \
            . > "$B/out/pillow-heif-build.log" 2>&1 \
            || { tail -n 60 "$B/out/pillow-heif-build.log"; exit 1; }
    )
    cp "$src/LICENSE.txt" "$B/out/licences/pillow-heif-LICENSE"
}

heif_main() {
    : > "$B/out/heif-times.txt"
    heif_timed libde265 heif_libde265
    heif_timed libheif heif_libheif
    heif_pyinclude
    heif_timed pillow-heif heif_pillow_heif
    cp "$P/lib/libde265.so" "$P/lib/libheif.so" "$B/out/"
    ls -l "$B/out"
}

# Sourced (to rerun one step by hand in the chroot), it only defines the steps.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    heif_main
fi
