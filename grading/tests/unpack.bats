#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Tests of grading/unpack: normal submissions, each refusal, and bombs
# (refused within 5 s and 64 MB).  Archives are made in $BATS_TEST_TMPDIR.

bats_require_minimum_version 1.5.0

setup() {
    load '/usr/lib/bats/bats-support/load'
    load '/usr/lib/bats/bats-assert/load'
    UNPACK="$BATS_TEST_DIRNAME/../unpack"
    T="$BATS_TEST_TMPDIR"
}

# mk KIND OUT [ARG]: write a crafted archive.
mk() {
    python3 - "$@" <<'PY'
import bz2, gzip, io, struct, sys, tarfile, zipfile, zlib

kind, out = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else None
MB = 1 << 20


def tar_of(members, fmt=tarfile.GNU_FORMAT, compress="gz"):
    """members: (TarInfo, bytes or None)."""
    opener = {"gz": lambda: gzip.open(out, "wb", compresslevel=1),
              "": lambda: open(out, "wb")}[compress]
    with opener() as f, tarfile.open(fileobj=f, mode="w|", format=fmt) as tar:
        for ti, data in members:
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)


def member(name, data=b"", type=tarfile.REGTYPE, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = type
    ti.size = len(data) if type == tarfile.REGTYPE else 0
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti, data if type == tarfile.REGTYPE else None


def zip_of(entries):
    """entries: (name, data, external_attr or None)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, attr in entries:
            zi = zipfile.ZipInfo(name)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = (0o100644 << 16) if attr is None else attr
            z.writestr(zi, data)


def checksum(h):
    h = bytearray(h)
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def zero_deflate(megabytes):
    """Raw deflate of that many MB of zeros, quickly: one fully flushed
    (byte-aligned, history-free) block of 1 MB of zeros, repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * MB) + c.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes


def gzip_bomb(tar_head, megabytes):
    """A gzip whose stream is tar_head then megabytes MB of zeros (no trailer:
    nobody should ever read that far)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(tar_head) + c.flush(zlib.Z_FULL_FLUSH)
    with open(out, "wb") as f:
        f.write(b"\x1f\x8b\x08\0\0\0\0\0\0\xff" + head + zero_deflate(megabytes))


def sparse_header(name, realsize, disksize):
    """An old-GNU sparse member: declares realsize, but disksize bytes of
    data follow it in the stream."""
    ti = tarfile.TarInfo(name)
    ti.size = disksize
    h = bytearray(ti.tobuf(tarfile.GNU_FORMAT))
    h[156:157] = tarfile.GNUTYPE_SPARSE
    h[386:482] = b"\0" * 96                 # no data blocks: all a hole
    h[482] = 0                              # no extension blocks
    h[483:495] = b"%011o\0" % realsize
    return checksum(h)


def zip_raw(names, declared=None, cd_size=None):
    """Stored empty entries, written by hand (fast); the end record may
    lie about the count (declared) or the central directory's size."""
    local, central, off = [], [], 0
    for n in names:
        n = n.encode()
        lh = struct.pack("<4s5H3L2H", b"PK\3\4", 20, 0, 0, 0, 0, 0, 0, 0, len(n), 0) + n
        central.append(struct.pack("<4s6H3L5H2L", b"PK\1\2", 20, 20, 0, 0, 0, 0, 0, 0, 0,
                                   len(n), 0, 0, 0, 0, 0o100644 << 16, off) + n)
        local.append(lh)
        off += len(lh)
    cd = b"".join(central)
    count = len(names) if declared is None else declared
    size = len(cd) if cd_size is None else cd_size
    tail = b""
    if count > 0xFFFF:
        tail += struct.pack("<4sQ2H2L4Q", b"PK\6\6", 44, 45, 45, 0, 0, count, count, size, off)
        tail += struct.pack("<4sLQL", b"PK\6\7", 0, off + len(cd), 1)
        eocd = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        eocd = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, count, count, size, off, 0)
    with open(out, "wb") as f:
        f.write(b"".join(local) + cd + tail + eocd)


def zip_bomb(method, payload, declared, crc):
    """One member declaring `declared` bytes whose data is payload (compressed)."""
    n = b"bomb.txt"
    lh = struct.pack("<4s5H3L2H", b"PK\3\4", 46, 0, method, 0, 0, crc, len(payload),
                     declared, len(n), 0) + n
    cd = struct.pack("<4s6H3L5H2L", b"PK\1\2", 0x031e, 46, 0, method, 0, 0, crc,
                     len(payload), declared, len(n), 0, 0, 0, 0, 0o100644 << 16, 0) + n
    eocd = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, 1, 1, len(cd), len(lh) + len(payload), 0)
    with open(out, "wb") as f:
        f.write(lh + payload + cd + eocd)


if kind == "dotdot":
    tar_of([member("step1/../../evil", b"x")])
elif kind == "absolute":
    tar_of([member("/tmp/evil", b"x")])
elif kind == "symlink":
    tar_of([member("REPORT.md", type=tarfile.SYMTYPE, linkname="/etc/passwd")])
elif kind == "hardlink":
    tar_of([member("a", b"x"), member("b", type=tarfile.LNKTYPE, linkname="a")])
elif kind == "fifo":
    tar_of([member("pipe", type=tarfile.FIFOTYPE)])
elif kind == "device":
    tar_of([member("null", type=tarfile.CHRTYPE, devmajor=1, devminor=3)])
elif kind == "big":
    tar_of([member("step1/big.bin", b"\0" * (MB + 1))])
elif kind == "files":  # arg files of 1 byte
    tar_of([member(f"f{i:04d}", b"x") for i in range(int(arg))])
elif kind == "total":  # arg files of exactly 1 MB
    tar_of([member(f"f{i:02d}", b"\0" * MB) for i in range(int(arg))])
elif kind == "long-header":  # a pax header over 64 KB
    ti, data = member("REPORT.md", b"x")
    ti.pax_headers = {"comment": "x" * (70 << 10)}
    tar_of([(ti, data)], fmt=tarfile.PAX_FORMAT)
elif kind == "zip-dotdot":
    zip_of([("../evil", b"x", None)])
elif kind == "zip-absolute":
    zip_of([("/tmp/evil", b"x", None)])
elif kind == "zip-symlink":
    zip_of([("REPORT.md", b"/etc/passwd", (0o120777 << 16))])
elif kind == "zip-fifo":
    zip_of([("pipe", b"", (0o010644 << 16))])
elif kind == "zip-big":
    zip_of([("big.bin", b"\0" * (MB + 1), None)])
elif kind == "zip-files":
    zip_raw([f"f{i:04d}" for i in range(int(arg))])
elif kind == "zip-total":
    zip_of([(f"f{i:02d}", b"\0" * MB, None) for i in range(int(arg))])

# ---- bombs
elif kind == "tgz-huge-member":  # declares 1 TB, and the stream does hold ~300 MB of it
    ti = tarfile.TarInfo("step1/huge.bin")
    ti.size = 1 << 40
    gzip_bomb(ti.tobuf(tarfile.GNU_FORMAT), 300)
elif kind == "tgz-sparse-bomb":  # declares 900 KB, skipping it means reading ~8 GB
    gzip_bomb(sparse_header("step1/sparse.bin", 900 << 10, (8 << 30) - 1), 400)
elif kind == "tbz-sparse-bomb":  # the same in bzip2: ~1 TB of stream in ~2 MB
    zeros = bz2.compress(b"\0" * (45 * MB))
    with open(out, "wb") as f:
        f.write(bz2.compress(sparse_header("step1/sparse.bin", 900 << 10, (8 << 30) - 1)))
        f.write(zeros * 23000)
elif kind == "tgz-zero-tail":  # a normal member, then ~300 MB of zeros: tar ends at a zero block
    ti = tarfile.TarInfo("REPORT.md")
    ti.size = 900 << 10
    gzip_bomb(ti.tobuf(tarfile.GNU_FORMAT), 300)
elif kind == "tgz-pax-padding":  # 500 tiny files, each with a 60 KB pax header: 30 MB of stream
    members = []
    for i in range(500):
        ti, data = member(f"f{i:03d}", b"x")
        ti.pax_headers = {"comment": "x" * (60 << 10)}
        members.append((ti, data))
    tar_of(members, fmt=tarfile.PAX_FORMAT)
elif kind == "tgz-members":  # arg empty files, headers written by hand
    n = int(arg)
    ti = tarfile.TarInfo("f0000000")
    h = bytearray(ti.tobuf(tarfile.USTAR_FORMAT))
    h[148:156] = b" " * 8
    base = sum(h) - 7 * ord("0")
    with gzip.open(out, "wb", compresslevel=1) as f:
        buf = []
        for i in range(n):
            name = b"%07d" % i
            h[1:8] = name
            h[148:156] = b"%06o\0 " % (base + sum(name))
            buf.append(bytes(h))
            if len(buf) == 4096:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf) + b"\0" * 1024)
elif kind == "zip-entries":  # arg entries, zip64 end record when over 65535
    zip_raw([f"f{i:07d}" for i in range(int(arg))])
elif kind == "zip-lying-count":  # says 3 entries; its central directory holds 300,000
    zip_raw([f"f{i:07d}" for i in range(300000)], declared=3)
elif kind == "zip-lying-small":  # says 3 entries; its 864 KB central directory holds 16,000
    zip_raw([f"f{i:07d}" for i in range(16000)], declared=3)
elif kind == "zip-deflate-bomb":  # declares 1000 bytes, deflates to 100 MB
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    zip_bomb(8, zero_deflate(100) + c.flush(), 1000, zlib.crc32(b"\0" * 1000))
elif kind == "zip-bzip2-bomb":  # declares 1000 bytes, bzip2 of 45 MB
    zip_bomb(12, bz2.compress(b"\0" * (45 * MB)), 1000, zlib.crc32(b"\0" * 1000))
else:
    sys.exit(f"mk: unknown kind {kind}")
PY
}

# A student's submission, as tar/zip would pack it.
make_tree() {
    mkdir -p "$T/src/alice/step1-tun" "$T/src/alice/step2-nat/tests"
    printf 'int main(void) { return 0; }\n' >"$T/src/alice/step1-tun/tun.c"
    printf 'all:\n\tcc tun.c\n' >"$T/src/alice/step1-tun/Makefile"
    printf 'nat\n' >"$T/src/alice/step2-nat/nat.c"
    printf 'test\n' >"$T/src/alice/step2-nat/tests/t1.sh"
    printf '# Report\n' >"$T/src/alice/REPORT.md"
}

# run_unpack ARCHIVE DEST: under a timeout and a 256 MB address-space limit;
# sets SECS and KB (peak resident memory).
run_unpack() {
    run --separate-stderr timeout 20 prlimit --as=$((256 << 20)) \
        /usr/bin/time -f '%e %M' -o "$T/usage" "$UNPACK" "$1" "$2"
    read -r SECS KB < <(tail -n 1 "$T/usage")
}

# The folder and nothing left beside it.
assert_nothing_written() {
    local dest=$1
    if [ -e "$dest" ]; then
        run ls -A "$dest"
        assert_output ''
    fi
    run bash -c "ls -A '$(dirname "$dest")' | grep unpack-"
    assert_output ''
}

# assert_refused ARCHIVE REASON: refused with exactly that one line, nothing
# written; both with DEST absent and with DEST an existing empty folder.
assert_refused() {
    local archive=$1 reason=$2 dest
    for pre in absent empty; do
        dest="$T/out-$pre/dest"
        rm -rf "$T/out-$pre"
        mkdir -p "$(dirname "$dest")"
        [ "$pre" = empty ] && mkdir "$dest"
        run_unpack "$archive" "$dest"
        assert_equal "$status" 1
        assert_output ''
        assert_equal "${#stderr_lines[@]}" 1
        assert_equal "$stderr" "archive refused: $reason"
        assert_nothing_written "$dest"
    done
}

# assert_bomb NAME ARCHIVE REASON: refused, under 5 s and 64 MB.
assert_bomb() {
    local name=$1
    shift
    assert_refused "$@"
    echo "# $name ($(du -h "$1" | cut -f1) archive): ${SECS} s, ${KB} KB peak: $stderr" >&3
    run awk -v s="$SECS" -v k="$KB" 'BEGIN { exit !(s < 5 && k < 65536) }'
    assert_success
}

# ------------------------------------------------------------ 1. normal

@test "a .tar.gz submission unpacks; prints DEST, or the folder one level deeper" {
    make_tree
    tar -C "$T/src/alice" -czf "$T/flat.tar.gz" step1-tun step2-nat REPORT.md
    tar -C "$T/src" -czf "$T/deep.tgz" alice
    run_unpack "$T/flat.tar.gz" "$T/d1"
    assert_success
    assert_output "$T/d1"
    assert_equal "$stderr" ''
    run diff -r "$T/src/alice" "$T/d1"
    assert_success
    run_unpack "$T/deep.tgz" "$T/d2"
    assert_success
    assert_output "$T/d2/alice"
    run diff -r "$T/src/alice" "$T/d2/alice"
    assert_success
}

@test "a .tar submission unpacks, into an existing empty DEST too" {
    make_tree
    tar -C "$T/src/alice" -cf "$T/flat.tar" .
    tar -C "$T/src" -cf "$T/deep.tar" alice
    mkdir "$T/d1"
    run_unpack "$T/flat.tar" "$T/d1"
    assert_success
    assert_output "$T/d1"
    run diff -r "$T/src/alice" "$T/d1"
    assert_success
    run_unpack "$T/deep.tar" "$T/d2"
    assert_success
    assert_output "$T/d2/alice"
    run diff -r "$T/src/alice" "$T/d2/alice"
    assert_success
    run bash -c "ls -A '$T' | grep unpack-"
    assert_output ''
}

@test "a .zip submission unpacks; prints DEST, or the folder one level deeper" {
    make_tree
    (cd "$T/src/alice" && zip -qr "$T/flat.zip" .)
    (cd "$T/src" && zip -qr "$T/deep.zip" alice)
    run_unpack "$T/flat.zip" "$T/d1"
    assert_success
    assert_output "$T/d1"
    run diff -r "$T/src/alice" "$T/d1"
    assert_success
    mkdir "$T/d2"
    run_unpack "$T/deep.zip" "$T/d2"
    assert_success
    assert_output "$T/d2/alice"
    run diff -r "$T/src/alice" "$T/d2/alice"
    assert_success
}

@test "zip methods stored/deflate/bzip2/lzma, data descriptors, zip64; .tar.bz2 and .tar.xz unpack" {
    make_tree
    head -c 300000 /dev/urandom >"$T/src/alice/step1-tun/random.bin"
    python3 - "$T" <<'PY'
import os, sys, zipfile
t = sys.argv[1]
src = os.path.join(t, "src", "alice")
for m in (0, 8, 12, 14):
    with zipfile.ZipFile(f"{t}/m{m}.zip", "w", m) as z:
        for d, _, files in os.walk(src):
            for f in files:
                z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), src))
PY
    (cd "$T/src/alice" && zip -qr -fd "$T/fd.zip" . && zip -qr -fz "$T/fz.zip" . && zip -qr - . >"$T/pipe.zip")
    tar -C "$T/src/alice" -cjf "$T/a.tbz" .
    tar -C "$T/src/alice" -cJf "$T/a.txz" .
    for a in m0.zip m8.zip m12.zip m14.zip fd.zip fz.zip pipe.zip a.tbz a.txz; do
        run_unpack "$T/$a" "$T/out-$a"
        assert_success
        assert_output "$T/out-$a"
        run diff -r "$T/src/alice" "$T/out-$a"
        assert_success
    done
}

@test "limits are inclusive: 500 files, and 20 files of exactly 1 MB, unpack" {
    mk files "$T/500.tgz" 500
    run_unpack "$T/500.tgz" "$T/d1"
    assert_success
    assert_equal "$(ls "$T/d1" | wc -l)" 500
    mk zip-files "$T/500.zip" 500
    run_unpack "$T/500.zip" "$T/d2"
    assert_success
    mk total "$T/20mb.tgz" 20
    run_unpack "$T/20mb.tgz" "$T/d3"
    assert_success
    assert_equal "$(cat "$T"/d3/* | wc -c)" $((20 * 1048576))
}

# ------------------------------------------------------------ 2. refusals

@test "refused: a '..' path (tar, zip)" {
    mk dotdot "$T/a.tgz"
    assert_refused "$T/a.tgz" "a path outside the archive: 'step1/../../evil'"
    mk zip-dotdot "$T/a.zip"
    assert_refused "$T/a.zip" "a path outside the archive: '../evil'"
}

@test "refused: an absolute path (tar, zip)" {
    mk absolute "$T/a.tgz"
    assert_refused "$T/a.tgz" "a path outside the archive: '/tmp/evil'"
    mk zip-absolute "$T/a.zip"
    assert_refused "$T/a.zip" "a path outside the archive: '/tmp/evil'"
}

@test "refused: a symbolic link (tar, zip)" {
    mk symlink "$T/a.tgz"
    assert_refused "$T/a.tgz" "a link: 'REPORT.md'"
    mk zip-symlink "$T/a.zip"
    assert_refused "$T/a.zip" "a link: 'REPORT.md'"
    ln -s /etc/passwd "$T/REPORT.md"
    (cd "$T" && zip -qy real.zip REPORT.md)
    assert_refused "$T/real.zip" "a link: 'REPORT.md'"
}

@test "refused: a hard link" {
    mk hardlink "$T/a.tgz"
    assert_refused "$T/a.tgz" "a link: 'b'"
    mkdir "$T/h" && echo x >"$T/h/a" && ln "$T/h/a" "$T/h/b"
    tar -C "$T/h" -cf "$T/real.tar" a b
    assert_refused "$T/real.tar" "a link: 'b'"
}

@test "refused: a fifo, a device (tar, zip)" {
    mk fifo "$T/a.tgz"
    assert_refused "$T/a.tgz" "not a plain file or folder: 'pipe'"
    mk device "$T/b.tgz"
    assert_refused "$T/b.tgz" "not a plain file or folder: 'null'"
    mk zip-fifo "$T/a.zip"
    assert_refused "$T/a.zip" "not a plain file or folder: 'pipe'"
}

@test "refused: a file over 1 MB (tar, zip)" {
    mk big "$T/a.tgz"
    assert_refused "$T/a.tgz" "a file over 1 MB: 'step1/big.bin' (1048577 bytes)"
    mk zip-big "$T/a.zip"
    assert_refused "$T/a.zip" "a file over 1 MB: 'big.bin' (1048577 bytes)"
}

@test "refused: 501 members (tar, zip)" {
    mk files "$T/a.tgz" 501
    assert_refused "$T/a.tgz" "more than 500 files"
    mk zip-files "$T/a.zip" 501
    assert_refused "$T/a.zip" "more than 500 files"
}

@test "refused: 21 MB in all, in files of 1 MB (tar, zip)" {
    mk total "$T/a.tgz" 21
    assert_refused "$T/a.tgz" "more than 20 MB in all"
    mk zip-total "$T/a.zip" 21
    assert_refused "$T/a.zip" "more than 20 MB in all"
}

@test "refused: a sparse file declaring 1 GB, by its declared size (gnu and pax sparse)" {
    truncate -s 1G "$T/sparse.bin"
    tar -C "$T" -S -czf "$T/gnu.tgz" sparse.bin
    tar -C "$T" -S --format=posix -czf "$T/pax.tgz" sparse.bin
    assert_refused "$T/gnu.tgz" "a file over 1 MB: 'sparse.bin' (1073741824 bytes)"
    assert_refused "$T/pax.tgz" "a file over 1 MB: 'sparse.bin' (1073741824 bytes)"
    [ "$SECS" != "" ]
}

@test "refused: garbage bytes, an empty file, a truncated archive, one line each" {
    head -c 100000 /dev/urandom >"$T/garbage"
    assert_refused "$T/garbage" "not a readable archive (invalid header)"
    : >"$T/empty"
    assert_refused "$T/empty" "not a readable archive (empty file)"
    printf '\x1f\x8b\x08\0\0\0\0\0\0\xffgarbage garbage garbage' >"$T/bad.tgz"
    run_unpack "$T/bad.tgz" "$T/d"
    assert_failure 1
    assert_equal "${#stderr_lines[@]}" 1
    assert [ "${#stderr}" -le 300 ]
    assert_regex "$stderr" '^archive refused: not a readable archive \(.+\)$'
    assert_nothing_written "$T/d"
    make_tree
    (cd "$T/src" && zip -qr "$T/deep.zip" alice)
    head -c 1000 "$T/deep.zip" >"$T/cut.zip"
    run_unpack "$T/cut.zip" "$T/d"
    assert_failure 1
    assert_equal "${#stderr_lines[@]}" 1
    assert_regex "$stderr" '^archive refused: not a readable archive \(.+\)$'
    assert_nothing_written "$T/d"
}

@test "refused: one member's headers over 64 KB" {
    mk long-header "$T/a.tgz"
    assert_refused "$T/a.tgz" "a member's headers over 64 KB"
}

# ------------------------------------------------------------ 3. bombs

@test "bomb: .tar.gz, a member declaring 1 TB over ~300 MB of zeros" {
    mk tgz-huge-member "$T/a.tgz"
    assert_bomb "tgz 1 TB member" "$T/a.tgz" "a file over 1 MB: 'step1/huge.bin' (1099511627776 bytes)"
}

@test "bomb: .tar.gz, a sparse member declaring 900 KB whose data to skip is 8 GB" {
    mk tgz-sparse-bomb "$T/a.tgz"
    assert_bomb "tgz sparse skip" "$T/a.tgz" "more than 24 MB once decompressed"
}

@test "bomb: .tar.bz2, the same with ~1 TB of zeros in the stream" {
    mk tbz-sparse-bomb "$T/a.tbz"
    assert_bomb "tbz 1 TB stream" "$T/a.tbz" "more than 24 MB once decompressed"
}

@test "bomb: .tar.gz, 500 tiny files padded with 60 KB pax headers" {
    mk tgz-pax-padding "$T/a.tgz"
    assert_bomb "tgz pax padding" "$T/a.tgz" "more than 24 MB once decompressed"
}

@test "bomb: .tar.gz with 300,000 members" {
    mk tgz-members "$T/a.tgz" 300000
    assert_bomb "tgz 300k members" "$T/a.tgz" "more than 500 files"
}

@test "bomb: .zip with 300,000 entries (zip64)" {
    mk zip-entries "$T/a.zip" 300000
    assert_bomb "zip 300k entries" "$T/a.zip" "more than 500 files"
}

@test "bomb: .zip whose end record says 3 entries: 300,000 in 16 MB, or 16,000 in 864 KB" {
    mk zip-lying-count "$T/a.zip"
    assert_bomb "zip lying count" "$T/a.zip" "a central directory over 1 MB (16200000 bytes)"
    mk zip-lying-small "$T/b.zip"
    assert_bomb "zip lying count, small" "$T/b.zip" "more than 500 files"
}

@test "bomb: .zip member declaring 1000 bytes that deflates to 100 MB" {
    mk zip-deflate-bomb "$T/a.zip"
    assert_bomb "zip deflate 100 MB" "$T/a.zip" "a file bigger than it declares: 'bomb.txt' (1000 bytes declared)"
}

@test "bomb: .zip member declaring 1000 bytes, bzip2 of 45 MB" {
    mk zip-bzip2-bomb "$T/a.zip"
    assert_bomb "zip bzip2 45 MB" "$T/a.zip" "a file bigger than it declares: 'bomb.txt' (1000 bytes declared)"
}

@test "not a bomb: after its last member a tar ends at the first zero block" {
    mk tgz-zero-tail "$T/a.tgz"
    run_unpack "$T/a.tgz" "$T/d"
    assert_success
    assert_output "$T/d"
    assert_equal "$(stat -c %s "$T/d/REPORT.md")" $((900 << 10))
    echo "# tgz zero tail (accepted): ${SECS} s, ${KB} KB peak" >&3
}
