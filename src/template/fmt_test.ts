import assert from "node:assert/strict";
import {
  formatFloatG,
  formatValue,
  goQuote,
  sprint,
  sprintf,
  sprintln,
  stringerText,
} from "./fmt.ts";

Deno.test("formatFloatG() prints shortest digits with Go's exponent thresholds", () => {
  assert.equal(formatFloatG(1.5, -1), "1.5");
  assert.equal(formatFloatG(123456.5, -1), "123456.5");
  assert.equal(formatFloatG(1234567.5, -1), "1.2345675e+06");
  assert.equal(formatFloatG(0.0001, -1), "0.0001");
  assert.equal(formatFloatG(0.00001, -1), "1e-05");
  assert.equal(formatFloatG(-2.5e-300, -1), "-2.5e-300");
  assert.equal(formatFloatG(Infinity, -1), "+Inf");
  assert.equal(formatFloatG(NaN, -1), "NaN");
  assert.equal(formatFloatG(1, 3), "1");
  assert.equal(formatFloatG(3.14159, 3), "3.14");
});

Deno.test("formatValue() prints composites like Go's %v", () => {
  assert.equal(formatValue(["a", 1, null]), "[a 1 <nil>]");
  assert.equal(formatValue({ b: 1, a: { c: [] } }), "map[a:map[c:[]] b:1]");
  assert.equal(formatValue(new Map([[2, "x"], [1, "y"]])), "map[1:y 2:x]");
  assert.equal(formatValue(new Uint8Array([1, 2])), "[1 2]");
  assert.equal(formatValue(10n), "10");
  assert.equal(formatValue(undefined), "<nil>");
  assert.equal(formatValue(new Error("bad")), "bad");
});

Deno.test("stringerText() uses String(), Error and custom toString but not plain objects", () => {
  assert.equal(stringerText({ a: 1 }), undefined);
  assert.equal(stringerText([1]), undefined);
  assert.equal(
    stringerText(
      new (class {
        String() {
          return "s";
        }
      })(),
    ),
    "s",
  );
  assert.equal(
    stringerText(
      new (class {
        override = 1;
        toString() {
          return "t";
        }
      })(),
    ),
    "t",
  );
});

Deno.test("goQuote() escapes like strconv.Quote", () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote("\n\t\x01\x7f"), '"\\n\\t\\x01\\x7f"');
  assert.equal(goQuote("é日"), '"é日"');
  assert.equal(goQuote("\u200b"), '"\\u200b"');
});

Deno.test("sprint() adds spaces only between two non-string operands", () => {
  assert.equal(sprint([1, 2, "a", 3, "b", "c"]), "1 2a3bc");
  assert.equal(sprint([]), "");
  assert.equal(sprintln(["a", 1]), "a 1\n");
});

Deno.test("sprintf() handles flags, width, precision and star arguments", () => {
  assert.equal(sprintf("%-4d|%4d|%04d|%+d|% d", [1, 2, 3, 4, 5]), "1   |   2|0003|+4| 5");
  assert.equal(sprintf("%*d|%-*d|%.*f", [3, 1, 3, 2, 1, 3.14159]), "  1|2  |3.1");
  assert.equal(sprintf("%#x|%#o|%O|%b", [255, 8, 8, 6]), "0xff|010|0o10|110");
  assert.equal(sprintf("%x|% x|%X", ["hi", "hi", "hi"]), "6869|68 69|6869");
  assert.equal(sprintf("%q|%#q|%c|%U", ["a", "b", 0x263a, 0x263a]), '"a"|`b`|☺|U+263A');
  assert.equal(sprintf("%e|%E|%.1e", [1234.5678, 0.5, 150]), "1.234568e+03|5.000000E-01|1.5e+02");
  assert.equal(sprintf("%6.2f|%-8.3f|", [3.14159, 2.5]), "  3.14|2.500   |");
  assert.equal(sprintf("%g|%G|%.3g", [100000.0, 1e-7, 1234.5]), "100000|1E-07|1.23e+03");
  assert.equal(sprintf("%t|%v|%s", [false, true, ["a", "b"]]), "false|true|[a b]");
  assert.equal(sprintf("%d", [[1, 2]]), "[1 2]");
  assert.equal(sprintf("%5.1s|", ["xyz"]), "    x|");
});

Deno.test("sprintf() marks bad verbs, missing and extra arguments like Go", () => {
  assert.equal(sprintf("%d", ["s"]), "%!d(string=s)");
  assert.equal(sprintf("%s", [1.5]), "%!s(float64=1.5)");
  assert.equal(sprintf("%t", [1]), "%!t(int=1)");
  assert.equal(sprintf("%d", [null]), "%!d(<nil>)");
  assert.equal(sprintf("%v", [null]), "<nil>");
  assert.equal(sprintf("%d %d", [1]), "1 %!d(MISSING)");
  assert.equal(sprintf("x", [1, "a"]), "x%!(EXTRA int=1, string=a)");
  assert.equal(sprintf("abc%", []), "abc%!(NOVERB)");
  assert.equal(sprintf("100%%", []), "100%");
});

Deno.test("sprintf() %+v names struct fields without signing numbers", () => {
  class P {
    X = 1;
    Y = [2];
  }
  assert.equal(sprintf("%+v|%v", [new P(), new P()]), "{X:1 Y:[2]}|{1 [2]}");
  assert.equal(sprintf("%+v", [5]), "5");
});

Deno.test("sprintf() refuses absurd widths and precisions like Go", () => {
  assert.equal(sprintf("%2000000d|%.2000000f", [1, 1.5]), "%!(BADWIDTH)1|%!(BADPREC)1.500000");
});

Deno.test("formatValue() prints Date like Go's time.Time String()", () => {
  assert.equal(
    formatValue(new Date(Date.UTC(2020, 1, 3, 4, 5, 6))),
    "2020-02-03 04:05:06 +0000 UTC",
  );
  assert.equal(sprintf("%s", [new Date(0)]), "1970-01-01 00:00:00 +0000 UTC");
});
