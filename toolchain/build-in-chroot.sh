#!/bin/bash
# Runs inside the Debian sid chroot (see pillow_wasm.py): builds the C libraries Pillow needs as
# static WebAssembly archives, then Pillow itself as a Pyodide wheel.
#
# Inputs, prepared by pillow_wasm.py under /build: src/ (Debian .orig tarballs, the Pillow sdist
# and the mozjpeg-lossless-optimization sdist, which bundles mozjpeg), sysconfig/ (Pyodide's sysconfig data), toolchain/ (these scripts).
# Output: /build/out/pillow-*.whl and its build log.
set -euo pipefail

JOBS=${JOBS:-$(nproc)}
B=/build
P=$B/prefix            # install prefix of the static wasm libraries
mkdir -p "$P" "$B/work" "$B/out"

# The ABI of pyodide.asm.wasm 314: legacy wasm exception handling and wasm setjmp/longjmp.
# -fvisibility=hidden keeps each side module's bundled libraries from binding to the
# main module's copies (pyodide.asm.wasm exports its own zlib).
ABI="-fwasm-exceptions -sSUPPORT_LONGJMP=wasm -sWASM_LEGACY_EXCEPTIONS=1"
export CFLAGS="-O2 -g0 -fPIC $ABI -fvisibility=hidden"
export CXXFLAGS="$CFLAGS"
# Emscripten builds its own libc and friends on first use: keep them with the chroot.
export EM_CACHE=/var/cache/emscripten

unpack() {  # unpack <glob> -> prints the source dir
    local tarball dir
    tarball=$(ls $B/src/$1 | head -n1)
    dir=$B/work/$(basename "$tarball" | sed -E 's/\.orig\.tar\..*//; s/\.tar\..*//')
    rm -rf "$dir"; mkdir -p "$dir"
    tar xf "$tarball" -C "$dir" --strip-components=1
    echo "$dir"
}

cmake_lib() {  # cmake_lib <srcdir> <cmake args...>
    local src=$1; shift
    emcmake cmake -S "$src" -B "$src/_build" -G "Unix Makefiles" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$P" \
        -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
        -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_C_FLAGS_RELEASE="" "$@" > "$src/_cmake.log" 2>&1
    cmake --build "$src/_build" -j "$JOBS" > "$src/_build.log"
    cmake --install "$src/_build" > /dev/null
}

echo "== zlib"
src=$(unpack 'zlib_*.orig.tar.[gx]z')
(cd "$src" && CC=emcc AR=emar RANLIB=emranlib ./configure --static --prefix="$P" > _configure.log \
    && emmake make -j "$JOBS" libz.a > _build.log && emmake make install > /dev/null)

# --- mozjpeg and libtiff (issue "codecs", items 1 and 4) ---------------------------------------

build_mozjpeg() {
    # Pillow's JPEG library. The sdist's mozjpeg/ is the CMake project (VERSION 5.0.0). Its
    # static build also links cjpeg/djpeg/jpegtran and wants libpng for them, and its install
    # step installs those tools, so only the library target is built and installed by hand.
    # mozjpeg 5 spells "no shared library" BUILD_SHARED_LIBS=OFF (cmake_lib passes it);
    # ENABLE_SHARED is libjpeg-turbo's name, unknown here. BUILD is pinned: it defaults to
    # today's date, which lands in the library.
    local top src
    top=$(unpack 'mozjpeg_lossless_optimization-*.tar.gz')
    src=$top/mozjpeg
    emcmake cmake -S "$src" -B "$src/_build" -G "Unix Makefiles" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$P" -DCMAKE_INSTALL_LIBDIR=lib \
        -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
        -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_C_FLAGS_RELEASE="" \
        -DWITH_SIMD=OFF -DWITH_TURBOJPEG=OFF -DWITH_ARITH_DEC=ON -DPNG_SUPPORTED=OFF \
        -DBUILD="${MOZJPEG_BUILD:?set by pillow_wasm.py}" > "$src/_cmake.log" 2>&1 \
        || { tail -n 40 "$src/_cmake.log"; exit 1; }
    cmake --build "$src/_build" -j "$JOBS" --target jpeg-static > "$src/_build.log"
    mkdir -p "$P/lib/pkgconfig" "$P/include"
    install -m 644 "$src/_build/libjpeg.a" "$P/lib/"
    install -m 644 "$src/_build/jconfig.h" "$src/jerror.h" "$src/jmorecfg.h" "$src/jpeglib.h" \
        "$P/include/"
    install -m 644 "$src/_build/pkgscripts/libjpeg.pc" "$P/lib/pkgconfig/"
}

build_libtiff() {
    # libtiff reads TIFF scans: JPEG (mozjpeg above) and zlib codecs, nothing else.
    local src
    src=$(unpack 'tiff_*.orig.tar.[bgx]z*')  # sid's is .bz2 (bzip2 comes with dpkg-dev)
    cmake_lib "$src" -DCMAKE_INSTALL_LIBDIR=lib \
        -Djpeg=ON -DJPEG_INCLUDE_DIR="$P/include" -DJPEG_LIBRARY="$P/lib/libjpeg.a" \
        -Dzlib=ON -DZLIB_INCLUDE_DIR="$P/include" -DZLIB_LIBRARY="$P/lib/libz.a" \
        -Dlzma=OFF -Dzstd=OFF -Dwebp=OFF -Djbig=OFF -Dlerc=OFF -Dlibdeflate=OFF \
        -Dtiff-cxx=OFF -Dtiff-tools=OFF -Dtiff-tests=OFF -Dtiff-contrib=OFF -Dtiff-docs=OFF \
        -Dtiff-opengl=OFF
}

echo "== mozjpeg"
build_mozjpeg
echo "== libtiff"
build_libtiff

# --- end of mozjpeg and libtiff ------------------------------------------------------------

echo "== libwebp"
src=$(unpack 'libwebp_*.orig.tar.[gx]z')
cmake_lib "$src" -DWEBP_ENABLE_SIMD=OFF -DWEBP_BUILD_ANIM_UTILS=OFF -DWEBP_BUILD_CWEBP=OFF \
    -DWEBP_BUILD_DWEBP=OFF -DWEBP_BUILD_GIF2WEBP=OFF -DWEBP_BUILD_IMG2WEBP=OFF \
    -DWEBP_BUILD_VWEBP=OFF -DWEBP_BUILD_WEBPINFO=OFF -DWEBP_BUILD_WEBPMUX=OFF \
    -DWEBP_BUILD_EXTRAS=OFF -DWEBP_USE_THREAD=OFF -DCMAKE_INSTALL_LIBDIR=lib

echo "== lcms2"
src=$(unpack 'lcms2_*.orig.tar.[gx]z')
(cd "$src" && emconfigure ./configure --host=wasm32-unknown-emscripten --prefix="$P" \
    --disable-shared --enable-static --without-jpeg --without-tiff --without-zlib \
    --without-threads --without-fastfloat > _configure.log 2>&1 \
    && emmake make -j "$JOBS" -C src > _build.log 2>&1 && emmake make -C src install > /dev/null)
cp "$src/include/lcms2.h" "$src/include/lcms2_plugin.h" "$P/include/"

# --- AVIF: libaom, dav1d, libavif (build-avif.sh); Pillow's `_avif` goes to its own wheel.
# shellcheck source=build-avif.sh
source "$B/toolchain/build-avif.sh"

echo "== Python headers for Pyodide"
# Debian's python3.14-dev headers, with pyconfig.h rewritten for wasm32 from Pyodide's own
# sysconfig data (sizeof(long) is 4 there, 8 on the build host).
PYINC=$B/pyinclude/python3.14
rm -rf "$B/pyinclude"; mkdir -p "$PYINC"
cp -r /usr/include/python3.14/. "$PYINC/"
python3.14 "$B/toolchain/make_pyconfig.py" "$B/sysconfig" /usr/include/x86_64-linux-gnu/python3.14/pyconfig.h \
    > "$PYINC/pyconfig.h"

echo "== Pillow"
src=$(unpack 'pillow-*.tar.gz')
# Pillow's setup.py adds sys.prefix/include and sys.prefix/lib (the host's /usr) to the search
# paths; a venv moves sys.prefix somewhere without host headers.
rm -rf "$B/venv"
python3.14 -m venv --without-pip --system-site-packages "$B/venv"
(
    cd "$src"
    export PYTHONPATH=$B/sysconfig
    export _PYTHON_SYSCONFIGDATA_NAME=_sysconfigdata__emscripten_wasm32-emscripten
    export _PYTHON_HOST_PLATFORM=${PYODIDE_PLATFORM:?set by pillow_wasm.py}
    export CC=emcc CXX=em++ AR=emar
    export LDSHARED="$B/toolchain/emcc-side-module -O2 -g0 $ABI -Wl,--no-fatal-warnings"
    export CFLAGS="$CFLAGS -I$PYINC -I$P/include"
    # libwebp's encoder needs libsharpyuv; an unresolved symbol would only fail at import.
    export LDFLAGS="-L$P/lib -lsharpyuv"
    LDFLAGS+=" $AVIF_LDFLAGS"  # from build-avif.sh
    # pkg-config must see only the wasm libraries, never the host's.
    export PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH=
    export MAX_CONCURRENCY=$JOBS
    features=()
    # PILLOW_ENABLE comes from pins.toml's [pillow.features] (via pillow_wasm.py).
    for f in ${PILLOW_ENABLE:?set by pillow_wasm.py}; do features+=(-C "$f=enable"); done
    features+=("${AVIF_PILLOW_FEATURES[@]}")  # from build-avif.sh
    for f in tiff freetype jpeg2000 imagequant xcb; do
        [[ " $PILLOW_ENABLE " == *" $f "* ]] || features+=(-C "$f=disable")  # enabled wins
    done
    "$B/venv/bin/python" -m pip wheel --no-build-isolation --no-deps --no-index -w "$B/out" \
        -C platform-guessing=disable "${features[@]}" . > "$B/out/pillow-build.log" 2>&1 \
        || { tail -n 60 "$B/out/pillow-build.log"; exit 1; }
)
ls "$B/out"
