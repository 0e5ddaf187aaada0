#!/bin/bash
# Sourced by build-in-chroot.sh (after the other libraries, before Pillow): builds AVIF's C
# libraries as static WebAssembly archives in $P, from the .orig tarballs of sid's source
# packages `aom`, `dav1d` and `libavif`, with the same ABI flags as everything else.
#   libaom   the AV1 encoder (its decoder is left out: dav1d decodes)
#   dav1d    the AV1 decoder
#   libavif  the AVIF container, using both
# Then it sets what Pillow's build needs for `_avif` (AVIF_PILLOW_FEATURES, AVIF_LDFLAGS) and
# copies the three licences to $B/out/avif-licenses/ for the `avif` wheel (avif_wheel.py).
# Each step's time goes to $B/out/avif-times.txt.

# Emscripten's CMake toolchain searches only its sysroot: these libraries look in $P too.
# pkg-config sees only the wasm prefix, never the host's .pc files.
avif_cmake() {  # avif_cmake <srcdir> <cmake args...>
    local src=$1; shift
    PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH='' \
    emcmake cmake -S "$src" -B "$src/_build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$P" -DCMAKE_INSTALL_LIBDIR=lib \
        -DCMAKE_FIND_ROOT_PATH="$P" -DCMAKE_PREFIX_PATH="$P" \
        -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
        -DCMAKE_C_FLAGS="$AVIF_CFLAGS" -DCMAKE_CXX_FLAGS="$AVIF_CFLAGS" \
        -DCMAKE_C_FLAGS_RELEASE="" -DCMAKE_CXX_FLAGS_RELEASE="" "$@" > "$src/_cmake.log" 2>&1 \
        || { tail -n 40 "$src/_cmake.log"; return 1; }
    cmake --build "$src/_build" -j "$JOBS" > "$src/_build.log" 2>&1 \
        || { tail -n 40 "$src/_build.log"; return 1; }
    cmake --install "$src/_build" > /dev/null
}

avif_unpack() {  # avif_unpack <glob> -> prints the source dir
    # Like build-in-chroot.sh's unpack, but sid's aom tarball has no top-level folder.
    local tarball dir strip=0
    tarball=$(ls $B/src/$1 | head -n1)
    dir=$B/work/$(basename "$tarball" | sed -E 's/\.orig\.tar\..*//')
    rm -rf "$dir"; mkdir -p "$dir"
    # (awk reads the whole list: grep -q would stop tar early, and pipefail would see SIGPIPE.)
    tar tf "$tarball" | awk -F/ 'NF == 1 { flat = 1 } END { exit !flat }' || strip=1
    tar xf "$tarball" -C "$dir" --strip-components=$strip
    echo "$dir"
}

avif_timed() {  # avif_timed <name> <command...>: runs it, appends "<name> <seconds>"
    local name=$1 started=$SECONDS; shift
    echo "== $name"
    "$@"
    echo "$name $((SECONDS - started))" >> "$B/out/avif-times.txt"
}

avif_libaom() {
    local src
    src=$(avif_unpack 'aom_*.orig.tar.[gx]z')
    # Squoosh's set of switches for a browser encoder: portable C, no threads, no CPU detection,
    # none of the tools, tests, docs or examples; no decoder (dav1d decodes) and 8-bit only
    # (Pillow writes 8-bit AVIF), which halves the code.
    avif_cmake "$src" -DAOM_TARGET_CPU=generic -DCONFIG_MULTITHREAD=0 \
        -DCONFIG_RUNTIME_CPU_DETECT=0 -DENABLE_TOOLS=0 -DENABLE_TESTS=0 -DENABLE_DOCS=0 \
        -DENABLE_EXAMPLES=0 -DENABLE_CCACHE=0 -DCONFIG_WEBM_IO=0 -DCONFIG_AV1_DECODER=0 \
        -DCONFIG_AV1_HIGHBITDEPTH=0
    cp "$src/LICENSE" "$B/out/avif-licenses/libaom-LICENSE"
    cp "$src/PATENTS" "$B/out/avif-licenses/libaom-PATENTS"
}

avif_dav1d() {
    local src
    src=$(avif_unpack 'dav1d_*.orig.tar.[gx]z')
    # Meson's `threads` dependency means -pthread, which on wasm turns on shared memory and
    # atomics that pyodide.asm.wasm does not have: drop it (dav1d only starts threads when asked
    # for more than one, and Pillow asks for one in the browser).
    sed -i "s/dependency('threads')/declare_dependency()/" "$src/meson.build"
    local flags
    flags=$(printf "'%s', " $AVIF_CFLAGS)
    cat > "$src/emscripten.cross" <<EOF
[binaries]
c = 'emcc'
cpp = 'em++'
ar = 'emar'
ranlib = 'emranlib'
pkg-config = 'pkg-config'

[built-in options]
c_args = [${flags%, }]
cpp_args = [${flags%, }]

[host_machine]
system = 'emscripten'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'
EOF
    (
        cd "$src"
        export PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH=''
        meson setup _build --cross-file emscripten.cross --prefix="$P" --libdir=lib \
            --buildtype=release --optimization=plain -Db_ndebug=true -Ddefault_library=static \
            -Denable_asm=false -Denable_tools=false -Denable_tests=false -Denable_examples=false \
            > _meson.log 2>&1 || { tail -n 40 _meson.log; exit 1; }
        if grep -q -- "-pthread" _build/build.ninja; then
            echo "dav1d: -pthread is still in build.ninja" >&2
            exit 1
        fi
        ninja -C _build -j "$JOBS" > _build.log 2>&1 || { tail -n 40 _build.log; exit 1; }
        ninja -C _build install > /dev/null
    )
    cp "$src/COPYING" "$B/out/avif-licenses/dav1d-COPYING"
}

avif_libavif() {
    local src
    src=$(avif_unpack 'libavif_*.orig.tar.[gx]z')
    # libaom only encodes and dav1d decodes; both are found as system libraries in $P.
    avif_cmake "$src" -DAVIF_CODEC_AOM=SYSTEM -DAVIF_CODEC_AOM_DECODE=OFF \
        -DAVIF_CODEC_AOM_ENCODE=ON -DAVIF_CODEC_DAV1D=SYSTEM -DAVIF_LIBYUV=OFF \
        -DAVIF_LIBSHARPYUV=OFF -DAVIF_LIBXML2=OFF -DAVIF_JPEG=OFF -DAVIF_ZLIBPNG=OFF \
        -DAVIF_BUILD_APPS=OFF -DAVIF_BUILD_TESTS=OFF -DAVIF_BUILD_EXAMPLES=OFF \
        -DAOM_INCLUDE_DIR="$P/include" -DAOM_LIBRARY="$P/lib/libaom.a" \
        -DDAV1D_INCLUDE_DIR="$P/include" -DDAV1D_LIBRARY="$P/lib/libdav1d.a"
    cp "$src/LICENSE" "$B/out/avif-licenses/libavif-LICENSE"
}

# -DNDEBUG: the encoder's assertions cost time in every block.
AVIF_CFLAGS="$CFLAGS -DNDEBUG"
rm -rf "$B/out/avif-licenses" "$B/out/avif-times.txt"
mkdir -p "$B/out/avif-licenses"
avif_timed libaom avif_libaom
avif_timed dav1d avif_dav1d
avif_timed libavif avif_libavif

# For Pillow's build: compile `_avif` and link the two codecs into it (libavif's own archive
# is found by Pillow; its codecs are not).
AVIF_PILLOW_FEATURES=(-C avif=enable)
AVIF_LDFLAGS="-laom -ldav1d"
