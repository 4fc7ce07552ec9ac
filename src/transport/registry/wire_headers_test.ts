import assert from "node:assert/strict";
import { checkHeaderField, WireHeaders } from "./wire_headers.ts";

Deno.test("WireHeaders get() and has() match names without case", () => {
  const h = new WireHeaders({ "Content-Type": "text/plain", "X-Docker-Thing": "1" });
  assert.equal(h.get("content-type"), "text/plain");
  assert.equal(h.get("CONTENT-TYPE"), "text/plain");
  assert.equal(h.get("x-docker-THING"), "1");
  assert.equal(h.has("Content-type"), true);
  assert.equal(h.has("content-length"), false);
  assert.equal(h.get("content-length"), null);
  assert.deepEqual([...h.keys()], ["content-type", "x-docker-thing"]);
});

Deno.test("WireHeaders append() joins repeated fields with ', '", () => {
  const h = new WireHeaders();
  h.append("Accept", "a/b");
  h.append("accept", "c/d");
  h.append("ACCEPT", "e/f");
  assert.equal(h.get("accept"), "a/b, c/d, e/f");
  assert.deepEqual([...h], [["accept", "a/b, c/d, e/f"]]);
});

Deno.test("WireHeaders keeps each set-cookie apart", () => {
  const h = new WireHeaders([
    ["Set-Cookie", "a=1; Path=/"],
    ["Zed", "z"],
    ["set-cookie", "b=2"],
    ["Age", "3"],
  ]);
  assert.deepEqual(h.getSetCookie(), ["a=1; Path=/", "b=2"]);
  assert.equal(h.get("SET-COOKIE"), "a=1; Path=/, b=2");
  assert.deepEqual([...h], [
    ["age", "3"],
    ["set-cookie", "a=1; Path=/"],
    ["set-cookie", "b=2"],
    ["zed", "z"],
  ]);
  // getSetCookie() hands out a copy
  h.getSetCookie().push("c=3");
  assert.deepEqual(h.getSetCookie(), ["a=1; Path=/", "b=2"]);
  h.set("Set-Cookie", "only=1");
  assert.deepEqual(h.getSetCookie(), ["only=1"]);
  h.delete("set-cookie");
  assert.deepEqual(h.getSetCookie(), []);
  assert.equal(h.get("set-cookie"), null);
  assert.equal(h.has("Set-Cookie"), false);
});

Deno.test("WireHeaders iterates as a real Headers built from the same fields", () => {
  const sets: [string, string][][] = [
    [],
    [["B", "1"], ["a", "2"], ["b", "3"]],
    [["x-z", "1"], ["X-A", "2"], ["set-cookie", "s=1"], ["Set-Cookie", "t=2"], [
      "content-type",
      "c",
    ]],
    [["WWW-Authenticate", 'Bearer realm="r"'], ["www-authenticate", "Basic"], ["Link", "<a>"]],
    [["a-", "1"], ["a", "2"], ["a_", "3"], ["a.", "4"], ["a~", "5"], ["a0", "6"]],
  ];
  for (const fields of sets) {
    const real = new Headers(fields);
    assert.deepEqual([...new WireHeaders(fields)], [...real], JSON.stringify(fields));
    assert.deepEqual([...new WireHeaders(fields).keys()], [...real.keys()]);
    assert.deepEqual([...new WireHeaders(fields).values()], [...real.values()]);
  }
  const record = { "X-B": "2", "x-a": "1", "Accept": "*/*" };
  assert.deepEqual([...new WireHeaders(record)], [...new Headers(record)]);
});

Deno.test("WireHeaders forEach() visits fields sorted by name with the list as parent", () => {
  const h = new WireHeaders([["b", "2"], ["A", "1"]]);
  const seen: string[] = [];
  const ctx = { tag: "t" };
  h.forEach(function (this: typeof ctx, value, key, parent) {
    assert.equal(parent, h);
    seen.push(`${this.tag}:${key}=${value}`);
  }, ctx);
  assert.deepEqual(seen, ["t:a=1", "t:b=2"]);
});

Deno.test("WireHeaders set() replaces and delete() removes a field", () => {
  const h = new WireHeaders([["X-A", "1"], ["x-a", "2"], ["Y", "y"]]);
  assert.equal(h.get("x-a"), "1, 2");
  h.set("X-a", "3");
  assert.equal(h.get("x-a"), "3");
  h.set("New", " n ");
  assert.equal(h.get("new"), "n");
  h.delete("Y");
  assert.equal(h.has("y"), false);
  h.delete("absent");
  assert.deepEqual([...h], [["new", "n"], ["x-a", "3"]]);
});

Deno.test("WireHeaders constructor takes a record, pairs, a Headers or nothing", () => {
  assert.deepEqual([...new WireHeaders()], []);
  assert.deepEqual([...new WireHeaders({ A: "1", b: "2" })], [["a", "1"], ["b", "2"]]);
  assert.deepEqual([...new WireHeaders([["A", "1"], ["A", "2"]])], [["a", "1, 2"]]);
  const real = new Headers([["Q", "1"], ["p", "0"]]);
  assert.deepEqual([...new WireHeaders(real)], [["p", "0"], ["q", "1"]]);
  const copy = new WireHeaders(new WireHeaders({ "X-Y": "z" }));
  assert.equal(copy.get("x-y"), "z");
});

Deno.test("WireHeaders throws TypeError for a bad name or value", () => {
  for (const name of ["bad name", "a:b", "", "a\r\nb", "é", "(x)", "a/b"]) {
    assert.throws(() => new WireHeaders([[name, "v"]]), {
      name: "TypeError",
      message: /Invalid header name/,
    }, JSON.stringify(name));
    assert.throws(() => new WireHeaders().set(name, "v"), TypeError);
  }
  for (const value of ["a\r\nb", "a\nb", "a\rb", "a\0b"]) {
    assert.throws(() => new WireHeaders({ "X-A": value }), {
      name: "TypeError",
      message: /Invalid header value for "X-A"/,
    }, JSON.stringify(value));
    assert.throws(() => new WireHeaders().append("x", value), TypeError);
    assert.throws(() => new WireHeaders().set("x", value), TypeError);
    // fetch's Headers refuses the same values
    assert.throws(() => new Headers({ "X-A": value }), TypeError);
  }
  const h = new WireHeaders({ a: "1" });
  assert.throws(() => h.append("a", "x\ny"), TypeError);
  assert.equal(h.get("a"), "1");
});

Deno.test("checkHeaderField() lower-cases the name and trims spaces and tabs of the value", () => {
  assert.deepEqual(checkHeaderField("X-Thing", " \t a b \t "), ["x-thing", "a b"]);
  assert.deepEqual(checkHeaderField("K", "\t\t"), ["k", ""]);
  assert.deepEqual(checkHeaderField("K", "in\tside"), ["k", "in\tside"]);
  assert.equal(new WireHeaders({ A: "  v  " }).get("a"), "v");
  assert.equal(new Headers({ A: "  v  " }).get("a"), "v");
  assert.throws(() => checkHeaderField("a b", "v"), TypeError);
  assert.throws(() => checkHeaderField("a", " x\0 "), TypeError);
});
