import { MemoryTransport } from "../src/transport/memory/memory_transport.ts";
import { OciDirTransport } from "../src/transport/ocidir/ocidir_transport.ts";
import type { Ref } from "../src/types/ref.ts";
import { runTransportSuite } from "./transport_conformance.ts";

runTransportSuite({
  name: "memory",
  create() {
    const transport = new MemoryTransport();
    const ref = (tag = ""): Ref => ({
      scheme: "reg",
      registry: "registry.example",
      repository: "conformance/app",
      path: "",
      tag,
      digest: "",
    });
    return Promise.resolve({ transport, ref, cleanup: () => Promise.resolve() });
  },
});

runTransportSuite({
  name: "ocidir",
  async create() {
    const base = await Deno.makeTempDir({ prefix: "ocictl_conformance_" });
    const transport = new OciDirTransport();
    const ref = (tag = ""): Ref => ({
      scheme: "ocidir",
      registry: "",
      repository: "",
      path: `${base}/layout`,
      tag,
      digest: "",
    });
    return { transport, ref, cleanup: () => Deno.remove(base, { recursive: true }) };
  },
});
