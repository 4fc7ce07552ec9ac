import assert from "node:assert/strict";
import {
  isPlainObject,
  isTrue,
  kindOf,
  lookupMember,
  mapKeys,
  structFields,
  typeName,
} from "./values.ts";

class S {
  A = 1;
  fn = () => 2;
  M(): number {
    return 3;
  }
}

Deno.test("kindOf() maps JavaScript values onto Go kinds", () => {
  assert.deepEqual(
    [
      undefined,
      null,
      true,
      1,
      1.5,
      2n,
      "s",
      [1],
      new Uint8Array(1),
      {},
      new Map(),
      new S(),
      () => 1,
    ]
      .map(kindOf),
    [
      "invalid",
      "nil",
      "bool",
      "int",
      "float",
      "int",
      "string",
      "slice",
      "slice",
      "map",
      "map",
      "struct",
      "func",
    ],
  );
  assert.ok(isPlainObject(Object.create(null)));
  assert.ok(!isPlainObject(new S()));
});

Deno.test("typeName() gives Go-style names", () => {
  assert.deepEqual(
    [null, 1, 1.5, "s", true, [1], new Uint8Array(1), {}, new S()].map(typeName),
    [
      "<nil>",
      "int",
      "float64",
      "string",
      "bool",
      "[]interface {}",
      "[]uint8",
      "map[string]interface {}",
      "S",
    ],
  );
});

Deno.test("isTrue() follows Go's truth rules", () => {
  for (const v of [undefined, null, false, 0, 0n, "", [], {}, new Map()]) {
    assert.equal(isTrue(v), false);
  }
  for (const v of [true, 1, -1, 0.1, "0", [0], { a: 0 }, new S()]) assert.equal(isTrue(v), true);
});

Deno.test("mapKeys() sorts strings by code unit and numbers numerically", () => {
  assert.deepEqual(mapKeys({ b: 1, B: 1, a: 1 }), ["B", "a", "b"]);
  assert.deepEqual(mapKeys(new Map([[10, 1], [9, 1]])), [9, 10]);
});

Deno.test("lookupMember() finds exact names, then exported names case-insensitively", () => {
  assert.deepEqual(lookupMember({ mediaType: "m" }, "MediaType"), { found: true, value: "m" });
  assert.deepEqual(lookupMember({ mediaType: "m" }, "mediatype"), {
    found: false,
    value: undefined,
  });
  assert.deepEqual(lookupMember({ A: 1, a: 2 }, "A"), { found: true, value: 1 });
  assert.equal(lookupMember(new S(), "M").found, true);
  assert.equal(lookupMember(new S(), "hasOwnProperty").found, false);
  assert.equal(lookupMember({}, "toString").found, false);
  assert.equal(lookupMember(new Map([["k", 1]]), "K").found, false);
});

Deno.test("structFields() lists data fields and skips functions", () => {
  assert.deepEqual(structFields(new S()), [["A", 1]]);
});
