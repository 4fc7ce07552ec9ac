import assert from "node:assert/strict";
import {
  type AllocatorHost,
  type CLibrary,
  M_MMAP_THRESHOLD,
  M_TOP_PAD,
  M_TRIM_THRESHOLD,
  SERVE_MALLOC_SETTINGS,
  tuneAllocator,
} from "./allocator_tuning.ts";

interface _Fake {
  host: AllocatorHost;
  calls: number[][];
  opened: number;
  closed: number;
}

function _fake(over: Partial<AllocatorHost> = {}, answer = (_p: number) => 1): _Fake {
  const f: _Fake = { host: undefined as unknown as AllocatorHost, calls: [], opened: 0, closed: 0 };
  const lib: CLibrary = {
    mallopt: (p, v) => {
      f.calls.push([p, v]);
      return answer(p);
    },
    close: () => void f.closed++,
  };
  f.host = {
    target: "x86_64-unknown-linux-gnu",
    ffiGranted: () => true,
    openLibc: () => {
      f.opened++;
      return lib;
    },
    ...over,
  };
  return f;
}

Deno.test("tuneAllocator() sets the mmap threshold, the trim threshold and the top pad, then closes libc", () => {
  const f = _fake();
  assert.deepEqual(tuneAllocator(f.host), { tuned: true });
  assert.deepEqual(f.calls, [
    [M_MMAP_THRESHOLD, 32 * 1024 * 1024],
    [M_TRIM_THRESHOLD, 256 * 1024 * 1024],
    [M_TOP_PAD, 16 * 1024 * 1024],
  ]);
  assert.deepEqual(f.calls, SERVE_MALLOC_SETTINGS.map(([p, v]) => [p, v]));
  assert.equal(f.closed, 1);
});

Deno.test("tuneAllocator() leaves non-glibc builds alone without opening anything", () => {
  for (
    const target of ["aarch64-apple-darwin", "x86_64-pc-windows-msvc", "x86_64-unknown-linux-musl"]
  ) {
    const f = _fake({ target });
    const r = tuneAllocator(f.host);
    assert.equal(r.tuned, false);
    assert.match(r.tuned ? "" : r.reason, /^not a glibc build/);
    assert.equal(f.opened, 0);
  }
});

Deno.test("tuneAllocator() without FFI permission opens nothing and says so", () => {
  const f = _fake({ ffiGranted: () => false });
  assert.deepEqual(tuneAllocator(f.host), {
    tuned: false,
    reason: "no FFI permission (--allow-ffi)",
  });
  assert.equal(f.opened, 0);
  const g = _fake({
    ffiGranted: () => {
      throw new Error("no permissions API");
    },
  });
  const r = tuneAllocator(g.host);
  assert.match(
    r.tuned ? "" : r.reason,
    /^cannot query the FFI permission: Error: no permissions API/,
  );
});

Deno.test("tuneAllocator() never throws: a missing libc, a refused or throwing mallopt", () => {
  const missing = _fake({
    openLibc: () => {
      throw new Error("libc.so.6: cannot open shared object file");
    },
  });
  const r1 = tuneAllocator(missing.host);
  assert.match(r1.tuned ? "" : r1.reason, /^cannot open the C library: .*libc\.so\.6/);

  const refused = _fake({}, (p) => (p === M_TRIM_THRESHOLD ? 0 : 1));
  const r2 = tuneAllocator(refused.host);
  assert.equal(
    r2.tuned ? "" : r2.reason,
    `mallopt(${M_TRIM_THRESHOLD}, ${256 * 1024 * 1024}) refused (the 1 before it applied)`,
  );
  assert.equal(refused.calls.length, 2, "stops at the refused setting");
  assert.equal(refused.closed, 1);

  const throwing = _fake({}, () => {
    throw new TypeError("bad symbol");
  });
  const r3 = tuneAllocator(throwing.host);
  assert.match(r3.tuned ? "" : r3.reason, /^mallopt failed: TypeError: bad symbol/);
  assert.equal(throwing.closed, 1);
});
