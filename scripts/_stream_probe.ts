// deno-lint-ignore-file no-console
/**
 * Runs the CLI once and reports whether the run used Deno's web streams,
 * fetch or `Headers`: loading them costs a short command 3–4 ms of start-up
 * for the streams (`06_streams.js` is loaded on first use) and about 10 for
 * fetch. `setTimeout` and `setInterval` are reported too: in Deno 2.9 their
 * first call starts the Node compatibility layer (360 more page faults and
 * 12–17 ms on an empty script). Every global that loads them and
 * every stream getter of the standard streams and files is wrapped before
 * `main.ts` is imported; the last line on stderr is `WEB_STREAMS <json>`, the
 * list of what was used.
 *
 * Run: `deno run -A --unstable-lazy-dynamic-imports scripts/_stream_probe.ts ARGS...`
 * (`scripts/check_startup.ts` runs it for the short commands that need no network).
 *
 * @module
 */

const used: string[] = [];

function _note(label: string): void {
  if (!used.includes(label)) used.push(label);
}

function _wrap(target: object, name: string, label: string): void {
  const d = Object.getOwnPropertyDescriptor(target, name);
  const get = d?.get;
  if (get === undefined) throw new Error(`${label} is not an accessor: the probe needs updating`);
  Object.defineProperty(target, name, {
    ...d,
    get() {
      _note(label);
      return get.call(this);
    },
  });
}

for (const name of ["setTimeout", "setInterval"] as const) {
  const real = globalThis[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(globalThis, name, {
    configurable: true,
    writable: true,
    value: (...args: unknown[]) => {
      _note(name);
      return real(...args);
    },
  });
}

const fetchFn = globalThis.fetch;
globalThis.fetch = (...args: Parameters<typeof fetch>) => {
  _note("fetch");
  return fetchFn(...args);
};

for (
  const name of [
    "ReadableStream",
    "WritableStream",
    "TransformStream",
    "Request",
    "Response",
    "Headers",
    "TextDecoderStream",
    "TextEncoderStream",
    "CompressionStream",
    "DecompressionStream",
  ]
) _wrap(globalThis, name, name);
_wrap(Object.getPrototypeOf(Deno.stdout), "writable", "Deno.stdout.writable");
_wrap(Object.getPrototypeOf(Deno.stderr), "writable", "Deno.stderr.writable");
_wrap(Object.getPrototypeOf(Deno.stdin), "readable", "Deno.stdin.readable");
_wrap(Deno.FsFile.prototype, "readable", "Deno.FsFile.readable");
_wrap(Deno.FsFile.prototype, "writable", "Deno.FsFile.writable");

const { main } = await import("../main.ts");
const code = await main(Deno.args);
console.error(`WEB_STREAMS ${JSON.stringify(used)}`);
Deno.exit(code);
